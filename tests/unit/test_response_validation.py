"""A 200 answer of the wrong shape is an `APIResponseValidationError` naming the field.

Every vendor client reads its answers through the transport's one typed path, so a body
(or one streamed event) that does not fit its model never leaks a pydantic error: the
error names the field path and the rule, and carries the status, the request id and the
response, like every other `APIError`.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
import pytest

from assistant_bridge import (
    APIError,
    APIResponseValidationError,
    AsyncJyloClient,
    AsyncUnleashClient,
    AsyncZaiaClient,
    JyloClient,
    StreamError,
    StreamValidationError,
    UnleashClient,
    ZaiaClient,
)
from assistant_bridge._transport import parse_response, request_id_of
from assistant_bridge.jylo import Assistant
from tests.unit.conftest import Twin

Handler = Callable[[httpx.Request], httpx.Response]
REQUEST_ID = {"RequestId": "req-shape-1"}


async def _no_sleep(seconds: float) -> None:
    return None


def unleash(handler: Handler) -> UnleashClient:
    transport = httpx.MockTransport(handler)
    return UnleashClient(
        "unleash-key-0001",
        base_url="https://unleash.test",
        http_client=httpx.Client(transport=transport),
        _sleep=lambda s: None,
    )


def async_unleash(handler: Handler) -> AsyncUnleashClient:
    transport = httpx.MockTransport(handler)
    return AsyncUnleashClient(
        "unleash-key-0001",
        base_url="https://unleash.test",
        http_client=httpx.AsyncClient(transport=transport),
        _sleep=_no_sleep,
    )


def jylo(handler: Handler) -> JyloClient:
    return JyloClient(
        token="jylo-token-0001",
        tenant="acme",
        region="uk",
        project_id="p1",
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
        _sleep=lambda s: None,
    )


def async_jylo(handler: Handler) -> AsyncJyloClient:
    return AsyncJyloClient(
        token="jylo-token-0001",
        tenant="acme",
        region="uk",
        project_id="p1",
        http_client=httpx.AsyncClient(transport=httpx.MockTransport(handler)),
        _sleep=_no_sleep,
    )


def zaia(handler: Handler) -> ZaiaClient:
    return ZaiaClient(
        "zaia-key-0001",
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
        _sleep=lambda s: None,
    )


def async_zaia(handler: Handler) -> AsyncZaiaClient:
    return AsyncZaiaClient(
        "zaia-key-0001",
        http_client=httpx.AsyncClient(transport=httpx.MockTransport(handler)),
        _sleep=_no_sleep,
    )


def answer(body: Any) -> Handler:
    return lambda request: httpx.Response(200, json=body, headers=REQUEST_ID)


def check(error: APIResponseValidationError, field: str, rule: str) -> None:
    assert isinstance(error, APIError)
    assert f"{field}: {rule}" in str(error)
    assert error.status_code == 200
    assert error.request_id == "req-shape-1"
    assert "(request id req-shape-1)" in str(error)
    assert error.response is not None
    assert error.response.status_code == 200
    assert error.errors
    assert error.errors[0]["msg"].startswith(rule)


# -- one wrong shape per vendor, sync and async --------------------------------------------

UNLEASH_SEARCH = {"totalResults": "many"}
JYLO_ASSISTANT = {"objectIdentifier": "a1", "name": ["not", "a", "string"]}
CHAT = "3f2b8c1e-6d4a-4f0e-9b7c-2a1d5e8f9c0b"
ZAIA_THREADS = [{"id": {"not": "a string"}, "chatId": CHAT}]


async def test_unleash_search_of_the_wrong_shape(twin: Twin) -> None:
    client = twin(
        lambda: unleash(answer(UNLEASH_SEARCH)), lambda: async_unleash(answer(UNLEASH_SEARCH))
    )
    with pytest.raises(APIResponseValidationError) as info:
        await client.search("x")
    check(info.value, "totalResults", "Input should be a valid integer")
    assert "POST https://unleash.test/search" in str(info.value)
    assert "does not fit SearchResponse" in str(info.value)


async def test_jylo_assistant_of_the_wrong_shape(twin: Twin) -> None:
    client = twin(lambda: jylo(answer(JYLO_ASSISTANT)), lambda: async_jylo(answer(JYLO_ASSISTANT)))
    with pytest.raises(APIResponseValidationError) as info:
        await client.create_assistant("Helper")
    check(info.value, "name", "Input should be a valid string")
    assert f"does not fit {Assistant.__name__}" in str(info.value)


async def test_zaia_threads_of_the_wrong_shape(twin: Twin) -> None:
    client = twin(lambda: zaia(answer(ZAIA_THREADS)), lambda: async_zaia(answer(ZAIA_THREADS)))
    with pytest.raises(APIResponseValidationError) as info:
        await client.list_chat_threads(CHAT)
    check(info.value, "items.0.id", "Input should be a valid string")
    assert "does not fit ListResult[ChatThread]" in str(info.value)


# -- a malformed streamed event ------------------------------------------------------------

BAD_STREAM = b'data: {"text": "Hello"}\n\ndata: {"text": ["not", "text"]}\n\n'


def _stream(request: httpx.Request) -> httpx.Response:
    def pieces() -> Iterator[bytes]:
        yield BAD_STREAM

    headers = {"content-type": "text/event-stream", **REQUEST_ID}
    return httpx.Response(200, content=pieces(), headers=headers)


def _astream(request: httpx.Request) -> httpx.Response:
    async def pieces() -> AsyncIterator[bytes]:
        yield BAD_STREAM

    headers = {"content-type": "text/event-stream", **REQUEST_ID}
    return httpx.Response(200, content=pieces(), headers=headers)


async def test_a_malformed_streamed_event(twin: Twin) -> None:
    client = twin(lambda: unleash(_stream), lambda: async_unleash(_astream))
    stream = await client.stream_chat_v2([{"role": "user", "content": "hi"}])
    with pytest.raises(APIResponseValidationError) as info:
        await twin.collect(stream)
    check(info.value, "text", "Input should be a valid string")
    assert "does not fit ChatV2Chunk" in str(info.value)
    # still the StreamError a malformed event always was, with the event as its text
    assert isinstance(info.value, StreamValidationError)
    assert isinstance(info.value, StreamError)
    assert info.value.text == '{"text": ["not", "text"]}'


def test_a_malformed_event_in_a_whole_body() -> None:
    handler = lambda request: httpx.Response(200, content=BAD_STREAM, headers=REQUEST_ID)  # noqa: E731
    with pytest.raises(APIResponseValidationError) as info:
        unleash(handler).chat_v2([{"role": "user", "content": "hi"}])
    check(info.value, "text", "Input should be a valid string")


# -- the typed path itself -----------------------------------------------------------------


def _response(body: Any, headers: dict[str, str] | None = None) -> httpx.Response:
    request = httpx.Request("GET", "https://api.test/things")
    return httpx.Response(200, content=json.dumps(body).encode(), headers=headers, request=request)


def test_parse_response_takes_any_type_and_names_the_path() -> None:
    assert parse_response(_response([1, 2]), list[int]) == [1, 2]
    with pytest.raises(APIResponseValidationError, match=r"1: Input should be a valid integer"):
        parse_response(_response([1, "x"]), list[int])


def test_request_id_of_reads_either_header() -> None:
    assert request_id_of(_response({}, {"RequestId": "a"})) == "a"
    assert request_id_of(_response({}, {"X-Request-Id": "b"})) == "b"
    assert request_id_of(_response({})) is None
