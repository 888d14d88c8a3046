"""Typed streams over open responses: incremental delivery, closing, and breaks, sync and async."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from assistant_bridge import (
    APIConnectionError,
    APITimeoutError,
    AsyncUnleashClient,
    StreamError,
    UnleashClient,
)

MESSAGES = [{"role": "User", "text": "hi"}]


def sse(*chunks: dict[str, object]) -> list[bytes]:
    return [f"data: {json.dumps(c)}\n\n".encode() for c in chunks]


def sync_client(handler: httpx.MockTransport) -> UnleashClient:
    return UnleashClient(
        "k-123456",
        base_url="https://u.test",
        http_client=httpx.Client(transport=handler),
        _sleep=lambda s: None,
    )


def async_client(handler: httpx.MockTransport) -> AsyncUnleashClient:
    async def no_sleep(seconds: float) -> None:
        return None

    return AsyncUnleashClient(
        "k-123456",
        base_url="https://u.test",
        http_client=httpx.AsyncClient(transport=handler),
        _sleep=no_sleep,
    )


def test_each_chunk_is_yielded_before_the_next_is_produced() -> None:
    produced: list[int] = []

    def body() -> Iterator[bytes]:
        for index, piece in enumerate(sse({"text": "a"}, {"text": "b"}, {"text": "c"})):
            produced.append(index)
            yield piece

    transport = httpx.MockTransport(
        lambda r: httpx.Response(200, content=body(), headers={"content-type": "text/event-stream"})
    )
    seen: list[tuple[str | None, list[int]]] = []
    for chunk in sync_client(transport).stream_chat_v2(MESSAGES):
        seen.append((chunk.text, list(produced)))
    assert seen == [("a", [0]), ("b", [0, 1]), ("c", [0, 1, 2])]


def test_leaving_the_with_block_early_closes_the_response() -> None:
    transport = httpx.MockTransport(
        lambda r: httpx.Response(
            200,
            content=iter(sse({"text": "a"}, {"text": "b"})),
            headers={"content-type": "text/event-stream"},
        )
    )
    with sync_client(transport).stream_chat_v2(MESSAGES) as stream:
        first = next(iter(stream))
    assert first.text == "a"
    assert stream.response.is_closed


def test_a_stream_that_stalls_past_the_read_timeout_is_a_timeout_error() -> None:
    def body() -> Iterator[bytes]:
        yield from sse({"text": "a"})
        raise httpx.ReadTimeout("timed out")

    transport = httpx.MockTransport(
        lambda r: httpx.Response(200, content=body(), headers={"content-type": "text/event-stream"})
    )
    stream = sync_client(transport).stream_chat_v2(MESSAGES)
    with pytest.raises(APITimeoutError, match="stalled"):
        list(stream)
    assert stream.response.is_closed


def test_non_streaming_chat_with_a_broken_body_raises_not_a_partial_answer() -> None:
    def body() -> Iterator[bytes]:
        yield from sse({"text": "partial"})
        raise httpx.RemoteProtocolError("peer closed connection")

    transport = httpx.MockTransport(
        lambda r: httpx.Response(200, content=body(), headers={"content-type": "text/event-stream"})
    )
    with pytest.raises(APIConnectionError, match="connection"):  # read whole: a connection error
        sync_client(transport).chat_v2(MESSAGES)


async def test_async_stream_yields_incrementally_and_closes_on_break() -> None:
    produced: list[int] = []

    async def body() -> AsyncIterator[bytes]:
        for index, piece in enumerate(sse({"text": "a"}, {"text": "b"})):
            produced.append(index)
            yield piece
        raise httpx.RemoteProtocolError("peer closed connection")

    transport = httpx.MockTransport(
        lambda r: httpx.Response(200, content=body(), headers={"content-type": "text/event-stream"})
    )
    async with async_client(transport) as client:
        stream = await client.stream_chat_v2(MESSAGES)
        seen: list[tuple[str | None, list[int]]] = []
        with pytest.raises(StreamError, match="broke off"):
            async for chunk in stream:
                seen.append((chunk.text, list(produced)))
    assert seen == [("a", [0]), ("b", [0, 1])]
    assert stream.response.is_closed


async def test_async_malformed_event_names_the_text() -> None:
    async def body() -> AsyncIterator[bytes]:
        yield b'data: {"text": "ok"}\n\ndata: {"text": nope}\n\n'

    transport = httpx.MockTransport(
        lambda r: httpx.Response(200, content=body(), headers={"content-type": "text/event-stream"})
    )
    async with async_client(transport) as client:
        stream = await client.stream_chat_v2(MESSAGES)
        with pytest.raises(StreamError, match="nope"):
            [chunk async for chunk in stream]
    assert stream.response.is_closed


async def test_async_early_close() -> None:
    async def body() -> AsyncIterator[bytes]:
        for piece in sse({"text": "a"}, {"text": "b"}):
            yield piece

    transport = httpx.MockTransport(
        lambda r: httpx.Response(200, content=body(), headers={"content-type": "text/event-stream"})
    )
    async with async_client(transport) as client, await client.stream_chat_v2(MESSAGES) as stream:
        async for chunk in stream:
            assert chunk.text == "a"
            break
    assert stream.response.is_closed


def test_events_that_carry_nothing_are_skipped_and_done_marks_the_end() -> None:
    body = b"".join(
        [
            b": keep-alive\n\n",
            b"data: {}\n\n",
            b"data: null\n\n",
            *sse({"text": "Hi"}),
            b"data: [DONE]\n\n",
        ]
    )
    transport = httpx.MockTransport(
        lambda r: httpx.Response(200, headers={"content-type": "text/event-stream"}, content=body)
    )
    with sync_client(transport) as client, client.stream_chat_v2(MESSAGES) as stream:
        assert not stream.terminated
        chunks = list(stream)
    assert [c.text for c in chunks] == ["Hi"]
    assert (stream.terminated, stream.items) == (True, 1)


@pytest.mark.parametrize(
    ("status", "ctype", "body", "what"),
    [
        (200, "text/event-stream", b"", "a stream with no answer in it"),
        (200, "text/event-stream", b"data: [DONE]\n\n", "a stream of only [DONE]"),
        (200, "text/html", b"<html>Sign in</html>", "an HTML page instead of an answer"),
        (204, "text/event-stream", b"", "a 204 (no content) answer"),
    ],
)
async def test_a_stream_with_no_item_is_an_empty_answer_sync_and_async(
    status: int, ctype: str, body: bytes, what: str
) -> None:
    from assistant_bridge import EmptyAnswerError

    transport = httpx.MockTransport(
        lambda r: httpx.Response(status, headers={"content-type": ctype}, content=body)
    )
    with (
        sync_client(transport) as client,
        pytest.raises(EmptyAnswerError, match=re.escape(what)),
        client.stream_chat(MESSAGES) as stream,
    ):
        list(stream)
    async with async_client(transport) as aclient:
        astream = await aclient.stream_chat_v2(MESSAGES)
        with pytest.raises(EmptyAnswerError, match=re.escape(what)):
            async with astream:
                [c async for c in astream]


def test_a_stream_read_twice_or_undecodable_is_a_stream_error() -> None:
    def once(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200,
            content=iter([b'data: {"text": "a"}\n\n']),
            headers={"content-type": "text/event-stream"},
        )

    stream = sync_client(httpx.MockTransport(once)).stream_chat_v2(MESSAGES)
    assert [c.text for c in stream] == ["a"]
    with pytest.raises(StreamError, match="cannot be read again"):
        list(stream)

    def not_gzip(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200,
            content=iter([b"data: {}\n\n"]),
            headers={"content-type": "text/event-stream", "content-encoding": "gzip"},
        )

    with pytest.raises(StreamError):
        list(sync_client(httpx.MockTransport(not_gzip)).stream_chat_v2(MESSAGES))
