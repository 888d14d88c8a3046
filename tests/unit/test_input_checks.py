"""Inputs are checked before anything is sent: times, path ids, text and JSON values.

Every case goes through a real vendor client over a recording ``httpx.MockTransport``
and asserts both the `InvalidRequestError` (naming the field and the rule) and that no
request left the client.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from assistant_bridge import InvalidRequestError, SearchFilters
from assistant_bridge.jylo import AsyncJyloClient, JyloClient
from assistant_bridge.unleash import AsyncUnleashClient, UnleashClient
from assistant_bridge.zaia import AsyncZaiaClient, ZaiaClient
from tests.unit.conftest import Twin

ASSISTANT = str(uuid.UUID(int=1))
MODEL = str(uuid.UUID(int=2))
CHAT = str(uuid.UUID(int=3))
SENDER = str(uuid.UUID(int=4))


class Recorder:
    """Answers 200 ``{}`` and records every request (the tests expect none)."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(200, json={"parts": [{"content": "x"}]})


def unleash(rec: Recorder) -> UnleashClient:
    return UnleashClient(
        "unleash-key-0123456789",
        base_url="https://u.test",
        http_client=httpx.Client(transport=httpx.MockTransport(rec)),
    )


def aunleash(rec: Recorder) -> AsyncUnleashClient:
    return AsyncUnleashClient(
        "unleash-key-0123456789",
        base_url="https://u.test",
        http_client=httpx.AsyncClient(transport=httpx.MockTransport(rec)),
    )


def jylo(rec: Recorder, project: str = "project-1") -> JyloClient:
    return JyloClient(
        token="jylo-token-0123456789",
        project_id=project,
        base_url="https://j.test/external/v2",
        http_client=httpx.Client(transport=httpx.MockTransport(rec)),
    )


def ajylo(rec: Recorder, project: str = "project-1") -> AsyncJyloClient:
    return AsyncJyloClient(
        token="jylo-token-0123456789",
        project_id=project,
        base_url="https://j.test/external/v2",
        http_client=httpx.AsyncClient(transport=httpx.MockTransport(rec)),
    )


def zaia(rec: Recorder) -> ZaiaClient:
    return ZaiaClient(
        "zaia-key-0123456789",
        base_url="https://z.test",
        http_client=httpx.Client(transport=httpx.MockTransport(rec)),
    )


def azaia(rec: Recorder) -> AsyncZaiaClient:
    return AsyncZaiaClient(
        "zaia-key-0123456789",
        base_url="https://z.test",
        http_client=httpx.AsyncClient(transport=httpx.MockTransport(rec)),
    )


def refused(call: Callable[[Recorder], Any], field: str) -> InvalidRequestError:
    rec = Recorder()
    with pytest.raises(InvalidRequestError) as info:
        call(rec)
    assert info.value.field == field, str(info.value)
    assert str(info.value).startswith(f"{field}: ")
    assert rec.requests == []
    return info.value


async def refused_by_both(
    twin: Twin,
    factories: tuple[Callable[[Recorder], Any], Callable[[Recorder], Any]],
    call: Callable[[Any], Awaitable[Any]],
    field: str,
) -> InvalidRequestError:
    """`refused` on the sync or the async client of a `twin` run (``factories``: both)."""
    rec = Recorder()
    make_sync, make_async = factories
    client = twin(lambda: make_sync(rec), lambda: make_async(rec))
    with pytest.raises(InvalidRequestError) as info:
        await call(client)
    assert info.value.field == field, str(info.value)
    assert str(info.value).startswith(f"{field}: ")
    assert rec.requests == []
    return info.value


async def arefused(call: Callable[[Recorder], Any], field: str) -> InvalidRequestError:
    rec = Recorder()
    with pytest.raises(InvalidRequestError) as info:
        await call(rec)
    assert info.value.field == field, str(info.value)
    assert rec.requests == []
    return info.value


# -- filter times ---------------------------------------------------------------------
TIME_FIELDS = [
    "from_time",
    "until_time",
    "create_before_time",
    "create_after_time",
    "modified_before_time",
    "modified_after_time",
    "due_before_time",
    "due_after_time",
    "event_time_frame_start",
    "event_time_frame_end",
]


def test_the_time_fields_are_every_time_filter() -> None:
    from assistant_bridge.unleash._filters import FILTER_FIELDS

    assert sorted(f.name for f in FILTER_FIELDS if f.kind == "time") == sorted(TIME_FIELDS)


@pytest.mark.parametrize("field", TIME_FIELDS)
@pytest.mark.parametrize(
    "value", ["yesterday", "2025-13-45", "2025-02-29", "2025-03-01T25:00", "03/01/2025", 1740787200]
)
def test_a_time_that_is_not_iso_8601_is_refused_naming_the_field(field: str, value: object) -> None:
    error = refused(
        lambda rec: unleash(rec).search("q", filters={field: value}), f"filters.{field}"
    )
    assert "ISO-8601" in str(error)
    assert repr(value) in str(error)


@pytest.mark.parametrize(
    ("value", "sent"),
    [
        ("2025-03-01", "2025-03-01"),
        ("2025-03-01T09:30:00Z", "2025-03-01T09:30:00Z"),
        ("2025-03-01T09:30:00.250+02:00", "2025-03-01T09:30:00.250+02:00"),
        ("2025-03-01T09:30", "2025-03-01T09:30"),
        ("2024-02-29T23:59:59-05:00", "2024-02-29T23:59:59-05:00"),
        (dt.date(2025, 3, 1), "2025-03-01T00:00:00Z"),
        (dt.datetime(2025, 3, 1, 9, 30), "2025-03-01T09:30:00Z"),
        (
            dt.datetime(2025, 3, 1, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=2))),
            "2025-03-01T09:30:00+02:00",
        ),
    ],
)
def test_iso_strings_dates_and_datetimes_are_accepted(value: object, sent: str) -> None:
    assert SearchFilters(create_after_time=value).to_wire() == {"createAfterTime": sent}


def test_a_bad_time_is_refused_by_chat_answer_and_the_async_client_too() -> None:
    refused(
        lambda rec: unleash(rec).chat(
            [{"role": "User", "text": "q"}], filters={"fromTime": "yesterday"}
        ),
        "filters.from_time",
    )
    refused(
        lambda rec: unleash(rec).answer("q", filters={"due_after_time": "2025-13-45"}),
        "filters.due_after_time",
    )


async def test_search_refuses_a_bad_time_on_both_clients(twin: Twin) -> None:
    await refused_by_both(
        twin,
        (unleash, aunleash),
        lambda c: c.search("q", filters={"until_time": "tomorrow"}),
        "filters.until_time",
    )


# -- ids in URL paths -----------------------------------------------------------------
@pytest.mark.parametrize("value", ["", " ", ".", "..", "x\ud800"])
async def test_a_resource_id_that_would_change_the_path_is_refused(value: str, twin: Twin) -> None:
    await refused_by_both(
        twin, (unleash, aunleash), lambda c: c.resource_content(value), "resource_id"
    )


def test_a_resource_id_with_a_slash_stays_one_path_segment() -> None:
    rec = Recorder()
    unleash(rec).resource_content("../chats/a b")
    assert rec.requests[0].url.raw_path == b"/resources/..%2Fchats%2Fa%20b/content"


@pytest.mark.parametrize("project", [".", "..", " .. "])
async def test_a_jylo_project_id_that_is_a_dot_segment_is_refused(project: str, twin: Twin) -> None:
    factories = (lambda rec: jylo(rec, project), lambda rec: ajylo(rec, project))
    await refused_by_both(twin, factories, lambda c: c.list_assistants(), "project_id")
    await refused_by_both(twin, factories, lambda c: c.list_messages(ASSISTANT), "project_id")


def test_a_jylo_project_id_with_a_slash_stays_one_path_segment() -> None:
    rec = Recorder()
    with contextlib.suppress(Exception):  # the mock's answer is not a page; the path matters
        jylo(rec, "a/../b").list_assistants()
    assert rec.requests[0].url.raw_path.startswith(b"/external/v2/projects/a%2F..%2Fb/assistants")


@pytest.mark.parametrize("value", ["..", "not-a-uuid", ""])
def test_jylo_assistant_and_message_ids_must_be_uuids(value: str) -> None:
    refused(lambda rec: jylo(rec).list_messages(value), "assistant_id")


def test_zaia_ids_must_be_uuids() -> None:
    refused(lambda rec: zaia(rec).list_chat_messages(".."), "chat_id")


# -- text that cannot be encoded, values that are not JSON ----------------------------
def test_a_lone_surrogate_in_an_unleash_question_is_refused() -> None:
    error = refused(
        lambda rec: unleash(rec).chat([{"role": "User", "text": "caf\ud800"}]), "messages[0].text"
    )
    assert "surrogate" in str(error)


async def test_a_lone_surrogate_in_an_async_unleash_v2_question_is_refused() -> None:
    await arefused(
        lambda rec: aunleash(rec).chat_v2([{"role": "User", "text": "\udfff"}]), "messages[0].text"
    )


def test_a_lone_surrogate_in_a_jylo_message_is_refused() -> None:
    refused(
        lambda rec: jylo(rec).create_message(ASSISTANT, "hi \ud83d", model_identifier=MODEL), "text"
    )


async def test_a_lone_surrogate_in_an_async_zaia_message_is_refused() -> None:
    await arefused(
        lambda rec: azaia(rec).create_chat_message(CHAT, "x\ud800", sender_id=SENDER, role="user"),
        "content",
    )


def test_a_lone_surrogate_in_a_zaia_message_is_refused() -> None:
    refused(
        lambda rec: zaia(rec).create_chat_message(CHAT, "x\ud800", sender_id=SENDER, role="user"),
        "content",
    )


@pytest.mark.parametrize(
    ("filters", "field"),
    [
        ({"app_id": ["jira", "x\ud800"]}, "filters.app_id[1]"),
        ({"extra": {"customField": object()}}, "filters.extra.customField"),
        (
            {"extra": {"customField": {"nested": [1, {2, 3}]}}},
            "filters.extra.customField.nested[1]",
        ),
        ({"extra": {"score": float("nan")}}, "filters.extra.score"),
        ({"extra": {"when": dt.date(2025, 1, 1)}}, "filters.extra.when"),
        ({"extra": {"note": "\udc80"}}, "filters.extra.note"),
    ],
)
def test_filter_values_that_json_cannot_carry_are_refused(
    filters: dict[str, Any], field: str
) -> None:
    error = refused(lambda rec: unleash(rec).search("q", filters=filters), field)
    assert isinstance(error, ValueError)  # not a raw TypeError or UnicodeEncodeError


def test_search_filters_refuse_non_json_extras_when_built() -> None:
    with pytest.raises(InvalidRequestError, match=r"filters\.extra\.x: is not JSON-serialisable"):
        SearchFilters(extra={"x": object()})


def test_a_key_named_self_is_an_unknown_name_not_a_type_error() -> None:
    # ``__init__(self, **data)`` took a "self" key as its own first argument (TypeError).
    from assistant_bridge.langchain import ChatUnleash, UnleashSearchRetriever
    from assistant_bridge.llama_index import Unleash

    with pytest.raises(InvalidRequestError, match=r"filters\.self: is not a known filter"):
        SearchFilters.from_any({"self": 1})
    for model in (ChatUnleash, UnleashSearchRetriever, Unleash):
        with pytest.raises(InvalidRequestError, match=rf"self: not a field of {model.__name__}"):
            model(**{"self": 1})
