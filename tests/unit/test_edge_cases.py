"""Edge cases found in review: each once lost data, leaked an untyped error or sent a header twice."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from langchain_core.exceptions import ModelError

import assistant_bridge
from assistant_bridge import (
    APIConnectionError,
    InvalidRequestError,
    SearchFilters,
    StreamError,
    UnleashClient,
)
from assistant_bridge._adapter_core import Answer, AnswerBuilder, AnswerEvent, TextDelta
from assistant_bridge._transport import UnleashV1Decoder
from assistant_bridge._transport._logging import redact
from assistant_bridge._transport._retry import parse_retry_after
from assistant_bridge.jylo._streaming import MessageStream
from assistant_bridge.langchain._answer_messages import answer_message, event_chunk, last_chunk
from assistant_bridge.langchain._errors import to_model_error
from assistant_bridge.unleash import ChatEvent, ChatV2Chunk, assemble_chat_v2

MESSAGES = [{"role": "User", "text": "hi"}]


def client(handler: Callable[[httpx.Request], httpx.Response], *, follow: bool = False, **kwargs: object) -> UnleashClient:
    http = httpx.Client(transport=httpx.MockTransport(handler), follow_redirects=follow)
    return UnleashClient("key-123456", base_url="https://u.test", http_client=http, sleep=lambda s: None, **kwargs)  # type: ignore[arg-type]


def test_a_per_call_header_replaces_the_default_whatever_its_case() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"results": []})

    client(answer, account="alice@x.test").search("q", extra_headers={"Unleash-Account": "bob@x.test", "accept": "application/json; v=2"})
    assert seen[0].headers.get_list("unleash-account") == ["bob@x.test"]
    assert seen[0].headers.get_list("accept") == ["application/json; v=2"]


def test_undecodable_body_and_redirect_loops_are_typed_errors() -> None:
    bad_gzip = client(lambda r: httpx.Response(200, content=b"not gzip", headers={"content-encoding": "gzip"}))
    with pytest.raises(APIConnectionError):
        bad_gzip.chat_v2(MESSAGES)
    looping = client(lambda r: httpx.Response(302, headers={"location": "https://u.test/search"}), follow=True)
    with pytest.raises(APIConnectionError):
        looping.search("q")


def test_a_stream_read_twice_or_undecodable_is_a_stream_error() -> None:
    def once(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=iter([b'data: {"text": "a"}\n\n']), headers={"content-type": "text/event-stream"})

    stream = client(once).stream_chat_v2(MESSAGES)
    assert [c.text for c in stream] == ["a"]
    with pytest.raises(StreamError, match="cannot be read again"):
        list(stream)

    def not_gzip(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=iter([b"data: {}\n\n"]), headers={"content-type": "text/event-stream", "content-encoding": "gzip"})

    with pytest.raises(StreamError):
        list(client(not_gzip).stream_chat_v2(MESSAGES))


@pytest.mark.parametrize("value", ["NaN", "inf", "-inf"])
def test_retry_after_that_is_not_a_finite_number_is_ignored(value: str) -> None:
    assert parse_retry_after({"Retry-After": value}) is None
    assert parse_retry_after({"retry-after-ms": value}) is None


def test_redaction_keeps_ordinary_words_and_removes_tokens() -> None:
    assert redact("Authorization header is missing or invalid") == "Authorization header is missing or invalid"
    assert redact("The bearer token has expired") == "The bearer token has expired"
    assert "abcdef0123456789" not in redact("Authorization: Bearer abcdef0123456789")
    assert "abcdef0123456789" not in redact("sent bearer abcdef0123456789 to the API")
    assert "s3cr3t-value" not in redact("client_secret=s3cr3t-value&x=1")


def test_v2_error_event_is_raised_not_swallowed() -> None:
    body = b'data: {"text": "Partial"}\n\nevent: error\ndata: {"message": "upstream model failed"}\n\n'
    answer = client(lambda r: httpx.Response(200, content=body, headers={"content-type": "text/event-stream"}))
    with pytest.raises(StreamError, match="upstream model failed"):
        list(answer.stream_chat_v2(MESSAGES))
    with pytest.raises(StreamError, match="upstream model failed"):
        answer.chat_v2(MESSAGES)


def test_a_body_that_is_neither_json_nor_events_is_an_error_not_an_empty_answer() -> None:
    page = client(lambda r: httpx.Response(200, text="<html><body>Please sign in</body></html>", headers={"content-type": "text/html"}))
    with pytest.raises(StreamError, match="sign in"):
        page.chat_v2(MESSAGES)
    with pytest.raises(StreamError, match="sign in"):
        list(page.stream_chat_v2(MESSAGES))


def test_v1_decoder_ignores_standard_sse_field_lines_between_events() -> None:
    decoder = UnleashV1Decoder()
    body = b'event: message\nid: 1\nretry: 3000\ndata: {"type": "Request"}\n\nevent: message\ndata: {"type": "Full"}\n'
    events = [*decoder.feed(body), *decoder.flush()]
    assert [e.json()["type"] for e in events] == ["Request", "Full"]


def _events(builder: AnswerBuilder, item: Any) -> list[AnswerEvent]:
    """The events `AnswerStream` yields for one item."""
    tool, delta = builder.add(item)
    return [*([tool] if tool is not None else []), *([TextDelta(delta, item)] if delta else [])]


def test_streamed_tool_steps_fold_into_the_same_blocks_as_the_whole_answer() -> None:
    raw = [
        {"tool": {"toolCallStatus": {"toolCallId": "c1", "status": "Start"}, "toolStep": {"toolId": "search", "stepDescription": "Searching"}}},
        {"tool": {"response": {"name": "Enterprise search", "toolId": "search", "resources": {"enterprise": {"results": [{"id": "r1", "title": "Doc"}]}}}}},
        {"tool": {"toolCallStatus": {"toolCallId": "c1", "status": "End"}}},
        {"text": "Answer."},
    ]
    chunks = [ChatV2Chunk.model_validate(c) for c in raw]
    whole = answer_message(Answer.whole(assemble_chat_v2(chunks)), model="m")
    builder = AnswerBuilder("v2")
    pieces = [event_chunk(e) for c in chunks for e in _events(builder, c)]
    pieces.append(last_chunk(builder.finish(), model="m"))
    merged = pieces[0]
    for piece in pieces[1:]:
        merged = merged + piece
    assert merged.content_blocks == whole.content_blocks


def test_stop_guard_does_not_repeat_held_text_when_the_server_rewrites() -> None:
    builder = AnswerBuilder("v1", stop=["\n\nSources:"])
    events = [
        ChatEvent.model_validate({"type": "Message", "parts": [{"type": "Text", "text": "The answer is 42 (draft)."}]}),
        ChatEvent.model_validate({"type": "Full", "message": {"parts": [{"type": "Text", "text": "The answer is 42."}]}}),
    ]
    text = "".join(builder.add(e)[1] for e in events) + builder.finish().tail
    assert text == "The answer is 42."


def test_class_and_class_underscore_together_are_refused() -> None:
    with pytest.raises(InvalidRequestError, match="given twice"):
        SearchFilters(**{"class": ["a"], "class_": ["b"]})


@pytest.mark.parametrize(("status", "retryable"), [(408, True), (409, False), (413, False)])
def test_every_status_error_reaches_langchain_as_a_model_error(status: int, retryable: bool) -> None:
    failing = client(lambda r: httpx.Response(status, json={"title": "x"}), max_retries=0)
    with pytest.raises(assistant_bridge.APIStatusError) as info:
        failing.search("q")
    twin = to_model_error(info.value)
    assert isinstance(twin, ModelError)
    assert isinstance(twin, assistant_bridge.APIStatusError)
    assert twin.is_retryable is retryable


@pytest.mark.parametrize(
    ("content_type", "chunks", "text"),
    [
        ("text/event-stream", [b"data: See \n\n", b"data: [the docs](http://d)\n\n", b"data:  now\n\n"], "See [the docs](http://d) now"),
        ("text/event-stream", [b"data: Line one\n\n", b"data: \ndata: \n\n", b"data: Line two\n\n"], "Line one\nLine two"),
        ("text/plain", [b"[1] The answer ", b"is 42."], "[1] The answer is 42."),
        ("text/plain", [b"{braces} are fine ", b"in text"], "{braces} are fine in text"),
    ],
)
def test_jylo_text_deltas_keep_brackets_and_newlines(content_type: str, chunks: list[bytes], text: str) -> None:
    response = httpx.Response(200, headers={"content-type": content_type}, content=iter(chunks), request=httpx.Request("POST", "https://api.t.uk.jylo.ai/x"))
    assert "".join(MessageStream(response)) == text
