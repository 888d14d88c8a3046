"""Jylo request building: integer ``sorting``, paging bounds and the Accept of a stream.

Seed 003 types ``sorting`` as an integer enum without listing its values, and
``pageNumber`` / ``pageSize`` as optional int32 with no maximum. The client sends
integers only (`ItemSorting` holds our guessed names), takes paging values from 1 to
2**31 - 1 (the emulator takes exactly these: see tests/loopback/test_jylo_contract.py), and
refuses anything else before a request is built.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from assistant_bridge import InvalidRequestError
from assistant_bridge._transport import CallOverrides
from assistant_bridge.emulator._http import negotiate
from assistant_bridge.jylo import ItemSorting, JyloClient
from assistant_bridge.jylo._requests import (
    FIRST_PAGE,
    JSON_ACCEPT,
    MAX_INT32,
    STREAM_ACCEPT,
    ListQuery,
    message_body,
    message_options,
)

ASSISTANT = "3f2b8c1e-6d4a-4f0e-9b7c-2a1d5e8f9c0b"
MODEL = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"


def test_item_sorting_is_an_int_enum_whose_values_are_a_guess() -> None:
    assert [(s.name, int(s)) for s in ItemSorting] == [("DATE_ADDED", 0), ("TEXT", 1)]
    assert isinstance(ItemSorting.TEXT, int)
    assert "guess" in (ItemSorting.__doc__ or ""), "never claimed as documented"


@pytest.mark.parametrize(
    ("sorting", "sent"),
    [(ItemSorting.DATE_ADDED, 0), (ItemSorting.TEXT, 1), (0, 0), (7, 7), (-3, -3), (None, None)],
)
def test_sorting_is_sent_as_an_integer(sorting: Any, sent: int | None) -> None:
    params = ListQuery(sorting=sorting).params()
    assert params.get("sorting") == sent
    assert type(params.get("sorting")) is (int if sent is not None else type(None))


@pytest.mark.parametrize("sorting", ["dateAdded", "0", "", True, False, 1.0, [0]])
def test_sorting_that_is_not_an_integer_is_refused(sorting: Any) -> None:
    with pytest.raises(InvalidRequestError, match=r"^sorting: must be an integer") as caught:
        ListQuery(sorting=sorting).params()
    assert caught.value.field == "sorting"
    assert "ItemSorting.DATE_ADDED (0)" in caught.value.message


@pytest.mark.parametrize("value", [FIRST_PAGE, 2, 1000, MAX_INT32])
def test_paging_values_in_range_are_sent(value: int) -> None:
    assert ListQuery(page_number=value, page_size=value).params() == {
        "pageNumber": value,
        "pageSize": value,
    }


@pytest.mark.parametrize("name", ["page_number", "page_size"])
@pytest.mark.parametrize("value", [0, -1, MAX_INT32 + 1, 2**40, True, 1.5, "2", None])
def test_paging_values_out_of_range_are_refused(name: str, value: Any) -> None:
    query = ListQuery(**{name: value})
    if value is None:
        assert query.params() == {}
        return
    with pytest.raises(
        InvalidRequestError, match=rf"^{name}: must be a whole number from 1 to {MAX_INT32}"
    ) as caught:
        query.params()
    assert caught.value.field == name


def test_no_invented_page_size_cap() -> None:
    assert MAX_INT32 == 2**31 - 1
    assert ListQuery(page_size=10_000).params() == {"pageSize": 10_000}


def test_bad_sorting_or_paging_sends_nothing() -> None:
    sent: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json=[])

    client = JyloClient(
        token="t",
        project_id="p",
        base_url="https://api.acme.uk.jylo.ai",
        http_client=httpx.Client(transport=httpx.MockTransport(record)),
    )
    with client:
        cases: list[dict[str, Any]] = [
            {"sorting": "text"},
            {"page_number": 0},
            {"page_size": MAX_INT32 + 1},
        ]
        for kwargs in cases:
            with pytest.raises(InvalidRequestError):
                client.list_messages(ASSISTANT, **kwargs)
            with pytest.raises(InvalidRequestError):
                client.iter_messages(
                    ASSISTANT,
                    **{"first_page" if k == "page_number" else k: v for k, v in kwargs.items()},
                )
            with pytest.raises(InvalidRequestError):
                client.list_assistants(**kwargs)
        assert sent == []
        client.list_messages(
            ASSISTANT, sorting=ItemSorting.TEXT, page_number=MAX_INT32, page_size=MAX_INT32
        )
    assert dict(sent[0].url.params) == {
        "sorting": "1",
        "pageNumber": str(MAX_INT32),
        "pageSize": str(MAX_INT32),
    }


def test_a_stream_asks_for_sse_first_by_q_value() -> None:
    options = message_options(
        "POST",
        "p",
        ASSISTANT,
        CallOverrides(),
        body=message_body("hi", MODEL, None, True),
        stream=True,
    )
    assert options.headers is not None
    assert options.headers["Accept"] == STREAM_ACCEPT
    # A server that honours q-values answers the client's Accept with SSE, then NDJSON, then JSON.
    offers = ["application/json", "application/x-ndjson", "text/event-stream"]
    assert negotiate(STREAM_ACCEPT, offers) == "text/event-stream"
    assert negotiate(STREAM_ACCEPT, offers[:2]) == "application/x-ndjson"
    assert negotiate(STREAM_ACCEPT, offers[:1]) == "application/json"
    plain = message_options(
        "POST", "p", ASSISTANT, CallOverrides(), body=message_body("hi", MODEL, None, False)
    )
    assert plain.headers is not None
    assert plain.headers["Accept"] == JSON_ACCEPT
    assert plain.json == {"text": "hi", "modelIdentifier": MODEL, "stream": False}
    assert options.json["stream"] is True
