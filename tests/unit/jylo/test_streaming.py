"""Jylo stream_message in each wire form (SSE, NDJSON, whole JSON, plain text), sync and async."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from typing import Any, Literal

import httpx
import pytest

from assistant_bridge import (
    BadRequestError,
    EmptyAnswerError,
    InvalidRequestError,
    NotFoundError,
    StreamError,
)
from assistant_bridge._transport import ServerSentEvent
from assistant_bridge.jylo import AsyncJyloClient, JyloClient, MessageAssembler
from assistant_bridge.jylo._streaming import MessageStream, message_from_body
from tests.unit.conftest import Twin

TOKEN = "stream-test-token-1"
ASSISTANT = "3f2b8c1e-6d4a-4f0e-9b7c-2a1d5e8f9c0b"
MODEL = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"
MESSAGE_ID = "11111111-2222-4333-8444-555555555555"
FINAL = {
    "text": "Hello world.",
    "textWithCitations": "Hello world [1].",
    "objectIdentifier": MESSAGE_ID,
    "isAssistant": True,
    "modelIdentifier": MODEL,
}
USER_ECHO = {
    "text": "Say hello",
    "objectIdentifier": "22222222-2222-4222-8222-222222222222",
    "isAssistant": False,
}


def sse(*events: Any, named: str | None = None) -> bytes:
    out = []
    for event in events:
        data = event if isinstance(event, str) else json.dumps(event)
        head = f"event: {named}\n" if named else ""
        out.append(f"{head}data: {data}\n\n")
    return "".join(out).encode()


def ndjson(*events: Any) -> bytes:
    return "".join(json.dumps(e) + "\n" for e in events).encode()


PARTIAL = {
    "objectIdentifier": MESSAGE_ID,
    "isAssistant": True,
    "modelIdentifier": MODEL,
    "stream": True,
    "addingCitations": True,
}

BODIES = {
    "sse-partial-messages": (
        sse({**PARTIAL, "text": "Hello"}, {**PARTIAL, "text": " world."}, FINAL),
        "text/event-stream",
    ),
    "ndjson-partial-messages": (
        ndjson(
            {**PARTIAL, "text": "Hello"},
            {**PARTIAL, "text": " world."},
            {**FINAL, "addingCitations": False},
        ),
        "application/x-ndjson",
    ),
    "sse-deltas": (
        sse(USER_ECHO, {"delta": "Hello"}, {"delta": " world."}, FINAL, "[DONE]"),
        "text/event-stream",
    ),
    "sse-cumulative": (
        sse({"text": "Hel"}, {"text": "Hello wor"}, {"text": "Hello world."}, FINAL),
        "text/event-stream",
    ),
    "sse-plain-text": (b"data: Hello\n\ndata:  world.\n\n", "text/event-stream"),
    "ndjson-snapshots": (
        ndjson({**FINAL, "text": "Hello"}, {**FINAL, "text": "Hello world."}),
        "application/x-ndjson",
    ),
    "ndjson-deltas": (
        ndjson({"type": "delta", "content": "Hello"}, {"token": " world."}, {"message": FINAL}),
        "application/x-ndjson",
    ),
    "whole-json": (json.dumps(FINAL, indent=2).encode(), "application/json"),
    "plain-text": (b"Hello world.", "text/plain; charset=utf-8"),
}


def chunks(body: bytes, size: int = 5) -> list[bytes]:
    return [body[i : i + size] for i in range(0, len(body), size)]


class SyncBody:
    def __init__(self, body: bytes) -> None:
        self.parts = chunks(body)
        self.sent = 0

    def __iter__(self) -> Iterator[bytes]:
        for part in self.parts:
            self.sent += 1
            yield part


class AsyncBody:
    def __init__(self, body: bytes) -> None:
        self.parts = chunks(body)

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for part in self.parts:
            yield part


def client_for(
    body: bytes, ctype: str, requests: list[httpx.Request]
) -> tuple[JyloClient, SyncBody]:
    stream = SyncBody(body)

    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return httpx.Response(
            200, content=iter(stream), headers={"content-type": ctype, "x-request-id": "rq-1"}
        )

    client = JyloClient(
        token=TOKEN,
        base_url="https://api.acme.uk.jylo.ai",
        project_id="p1",
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
        _sleep=lambda s: None,
    )
    return client, stream


def async_client_for(body: bytes, ctype: str, requests: list[httpx.Request]) -> AsyncJyloClient:
    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return httpx.Response(200, content=AsyncBody(body), headers={"content-type": ctype})

    async def no_sleep(seconds: float) -> None:
        return None

    return AsyncJyloClient(
        token=TOKEN,
        base_url="https://api.acme.uk.jylo.ai",
        project_id="p1",
        http_client=httpx.AsyncClient(transport=httpx.MockTransport(handler)),
        _sleep=no_sleep,
    )


@pytest.mark.parametrize("form", list(BODIES))
async def test_stream_message_each_wire_form(form: str, twin: Twin) -> None:
    body, ctype = BODIES[form]
    requests: list[httpx.Request] = []
    client = twin(
        lambda: client_for(body, ctype, requests)[0],
        lambda: async_client_for(body, ctype, requests),
    )
    mode: Literal["delta", "snapshot"] = "snapshot" if form == "sse-cumulative" else "delta"
    async with client:
        stream = twin.wrap(
            await client.stream_message(
                ASSISTANT, "Say hello", model_identifier=MODEL, text_mode=mode
            )
        )
        async with stream:
            assert stream.message is None
            pieces = await twin.collect(stream)
    assert "".join(pieces) == "Hello world."
    assert stream.text == "Hello world."
    assert stream.message is not None
    assert stream.message.text == "Hello world."
    if form not in ("sse-plain-text", "plain-text"):
        assert stream.message.object_identifier == MESSAGE_ID
        assert stream.message.cited_text().source_ids == ["1"]
    else:
        assert stream.message.object_identifier is None  # built from the streamed text
    (request,) = requests
    assert json.loads(request.content)["stream"] is True
    assert request.headers["accept"].startswith("text/event-stream")
    assert stream.response.is_closed


def test_text_arrives_before_the_body_ends() -> None:
    body = sse({"delta": "Hello"}, {"delta": " world."}, FINAL)
    client, source = client_for(body, "text/event-stream", [])
    with client, client.stream_message(ASSISTANT, "hi", model_identifier=MODEL) as stream:
        iterator = iter(stream)
        assert next(iterator) == "Hello"
        assert source.sent < len(source.parts)  # the rest has not been read yet
        assert stream.message is None
        message = stream.until_done()
    assert message.object_identifier == MESSAGE_ID
    assert stream.text == "Hello world."


def test_until_done_without_iterating() -> None:
    body, ctype = BODIES["ndjson-deltas"]
    client, _ = client_for(body, ctype, [])
    with client:
        message = client.stream_message(ASSISTANT, "hi", model_identifier=MODEL).until_done()
    assert message.text == "Hello world."


def test_error_event_raises_stream_error() -> None:
    body = sse({"delta": "Hel"}) + sse({"message": "model overloaded"}, named="error")
    client, _ = client_for(body, "text/event-stream", [])
    with (
        client,
        client.stream_message(ASSISTANT, "hi", model_identifier=MODEL) as stream,
        pytest.raises(StreamError, match="model overloaded"),
    ):
        list(stream)
    assert stream.response.is_closed


def test_error_object_and_malformed_json_raise_stream_error() -> None:
    assembler = MessageAssembler()
    with pytest.raises(StreamError, match="quota"):
        assembler.feed(ServerSentEvent(data=json.dumps({"error": {"message": "quota exceeded"}})))
    with pytest.raises(StreamError, match="malformed"):
        assembler.feed(ServerSentEvent(data='{"delta": "x"'))


def test_http_error_is_raised_by_the_call_not_the_iteration() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(400, json={"title": "Bad Request", "errors": {"Text": ["required"]}})

    client = JyloClient(
        token=TOKEN,
        base_url="https://api.acme.uk.jylo.ai",
        project_id="p1",
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
    )
    with client, pytest.raises(BadRequestError, match="required"):
        client.stream_message(ASSISTANT, "hi", model_identifier=MODEL)


def test_repeated_pieces_are_joined_exactly_by_default() -> None:
    """Pieces that repeat or extend the text so far are still deltas: nothing is lost."""
    pieces = ["Ha", "Ha", "Ha!", "-", "-", "-", "\n\nHotels"]
    assembler = MessageAssembler()
    out = []
    for piece in pieces:
        out += assembler.feed(ServerSentEvent(data=json.dumps({"text": piece})))
    assert "".join(out) == assembler.text == "".join(pieces)
    body = sse(*({"text": piece} for piece in pieces), {**FINAL, "text": "".join(pieces)})
    client, _ = client_for(body, "text/event-stream", [])
    with client, client.stream_message(ASSISTANT, "hi", model_identifier=MODEL) as stream:
        assert "".join(stream) == "".join(pieces)
        assert stream.message is not None
        assert stream.message.text == "".join(pieces)


def test_a_text_mode_that_is_neither_is_refused() -> None:
    with pytest.raises(InvalidRequestError, match="text_mode"):
        MessageAssembler("cumulative")  # type: ignore[arg-type]


def test_assembler_cumulative_and_rewritten_final_text() -> None:
    assembler = MessageAssembler("snapshot")
    out = []
    for data in ({"text": "Hi"}, {"text": "Hi the"}, {"text": "Hi there"}):
        out += assembler.feed(ServerSentEvent(data=json.dumps(data)))
    out += assembler.feed(ServerSentEvent(data=json.dumps({**FINAL, "text": "Hi there!"})))
    assert out == ["Hi", " the", "re", "!"]
    out2 = assembler.feed(
        ServerSentEvent(data=json.dumps({**FINAL, "text": "Completely different"}))
    )
    assert out2 == []
    assert assembler.final_message().text == "Completely different"


def test_assembler_openai_style_and_named_delta_events() -> None:
    assembler = MessageAssembler()
    out = assembler.feed(
        ServerSentEvent(data=json.dumps({"choices": [{"delta": {"content": "ab"}}]}))
    )
    out += assembler.feed(ServerSentEvent(data=json.dumps({"text": "ab"}), event="delta"))
    assert out == ["ab", "ab"]
    assert assembler.feed(ServerSentEvent(data=json.dumps({"progress": 0.5}))) == []


def test_user_echo_alone_is_the_message_and_adds_no_text() -> None:
    assembler = MessageAssembler()
    assert assembler.feed(ServerSentEvent(data=json.dumps(USER_ECHO))) == []
    assert assembler.final_message().is_assistant is False


def test_message_from_a_read_body() -> None:
    response = httpx.Response(
        200,
        content=sse({"delta": "A"}, FINAL | {"text": "AB"}),
        headers={"content-type": "text/event-stream"},
        request=httpx.Request("POST", "https://x.test"),
    )
    message = message_from_body(response)
    assert message.text == "AB"
    assert message.object_identifier == MESSAGE_ID


def test_create_message_tolerates_a_streamed_answer() -> None:
    body = sse({"delta": "Hello"}, {"delta": " world."}, FINAL)

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body, headers={"content-type": "text/event-stream"})

    client = JyloClient(
        token=TOKEN,
        base_url="https://api.acme.uk.jylo.ai",
        project_id="p1",
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
    )
    with client:
        message = client.create_message(ASSISTANT, "hi", model_identifier=MODEL)
    assert message.object_identifier == MESSAGE_ID
    assert message.text == "Hello world."


async def test_async_until_done_continues_a_started_iteration() -> None:
    body = sse({"delta": "Hello"}, {"delta": " world."}, FINAL)
    async with async_client_for(body, "text/event-stream", []) as client:
        stream = await client.stream_message(ASSISTANT, "hi", model_identifier=MODEL)
        iterator = stream.__aiter__()
        assert await iterator.__anext__() == "Hello"
        message = await stream.until_done()
    assert message.object_identifier == MESSAGE_ID
    assert stream.text == "Hello world."
    assert stream.response.is_closed


def test_partial_messages_without_a_final_one_keep_the_id() -> None:
    assembler = MessageAssembler()
    out = []
    for piece in ("Hel", "lo", " there"):
        out += assembler.feed(ServerSentEvent(data=json.dumps({**PARTIAL, "text": piece})))
    assert out == ["Hel", "lo", " there"]
    message = assembler.final_message()
    assert message.text == "Hello there"
    assert message.object_identifier == MESSAGE_ID


def test_final_message_with_empty_text_is_completed_from_the_stream() -> None:
    assembler = MessageAssembler()
    assembler.feed(
        ServerSentEvent(
            data=json.dumps(
                {"objectIdentifier": MESSAGE_ID, "dateAdded": "2025-01-01T00:00:00Z", "text": ""}
            )
        )
    )
    assembler.feed(ServerSentEvent(data=json.dumps({"delta": "Hi"})))
    message = assembler.final_message()
    assert message.text == "Hi"
    assert message.object_identifier == MESSAGE_ID


def test_named_text_events_with_json_data_are_parsed() -> None:
    assembler = MessageAssembler()
    out = assembler.feed(ServerSentEvent(data=json.dumps({"delta": "Hi"}), event="text"))
    out += assembler.feed(ServerSentEvent(data=json.dumps({"text": "Hi"}), event="text"))
    assert out == ["Hi", "Hi"]  # a named delta event is never read as cumulative


# -- a stream that ends without the stored message: read it back by id -------------------
STORED = {
    **FINAL,
    "text": "Hello world. More.",
    "textWithCitations": "Hello world [1]. More [2].",
    "dateAdded": "2025-01-01T00:00:00Z",
    "addingCitations": False,
}
PIECES_ONLY = {
    "sse": (sse({**PARTIAL, "text": "Hello"}, {**PARTIAL, "text": " world."}), "text/event-stream"),
    "ndjson": (
        ndjson({**PARTIAL, "text": "Hello"}, {**PARTIAL, "text": " world."}),
        "application/x-ndjson",
    ),
}


def read_back_server(
    body: bytes, ctype: str, stored: dict[str, Any] | None = STORED
) -> tuple[Any, list[httpx.Request]]:
    """A handler: the POST streams ``body``; a GET of the message answers ``stored`` (or 404)."""
    requests: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        if request.method == "POST":
            return httpx.Response(200, content=body, headers={"content-type": ctype})
        if stored is None:
            return httpx.Response(404, json={"title": "Not Found", "status": 404})
        return httpx.Response(200, json=stored)

    return handler, requests


def sync_client(handler: Any, **kw: Any) -> JyloClient:
    return JyloClient(
        token=TOKEN, base_url="https://api.acme.uk.jylo.ai", project_id="p1",
        http_client=httpx.Client(transport=httpx.MockTransport(handler)), _sleep=lambda s: None, **kw,
    )  # fmt: skip


def async_client(handler: Any) -> AsyncJyloClient:
    async def no_sleep(seconds: float) -> None:
        return None

    return AsyncJyloClient(
        token=TOKEN, base_url="https://api.acme.uk.jylo.ai", project_id="p1",
        http_client=httpx.AsyncClient(transport=httpx.MockTransport(handler)), _sleep=no_sleep,
    )  # fmt: skip


@pytest.mark.parametrize("form", list(PIECES_ONLY))
async def test_a_stream_without_the_stored_message_reads_it_back(form: str, twin: Twin) -> None:
    handler, requests = read_back_server(*PIECES_ONLY[form])
    async with twin(lambda: sync_client(handler), lambda: async_client(handler)) as client:
        stream = twin.wrap(
            await client.stream_message(
                ASSISTANT,
                "Say hello",
                model_identifier=MODEL,
                timeout=7,
                extra_headers={"x-trace": "1"},
            )
        )
        async with stream:
            pieces = await twin.collect(stream)
        message = await stream.until_done()
    # The stored text goes on past what streamed: the rest is yielded, nothing is dropped.
    assert pieces == ["Hello", " world.", " More."]
    assert stream.message is not None
    assert stream.message.text_with_citations == STORED["textWithCitations"]
    assert message.text_with_citations == STORED["textWithCitations"]
    assert stream.message.cited_text().source_ids == ["1", "2"]
    assert [r.method for r in requests] == ["POST", "GET"]
    _post, get = requests
    assert get.method == "GET"
    assert get.url.path == f"/projects/p1/assistants/{ASSISTANT}/messages/{MESSAGE_ID}"
    assert get.headers["x-trace"] == "1", "the read-back uses the call's options"
    assert get.headers["accept"] == "application/json"


def test_a_stream_with_the_stored_message_reads_nothing_back() -> None:
    body, ctype = BODIES["sse-partial-messages"]
    handler, requests = read_back_server(body, ctype)
    with sync_client(handler) as client:
        message = client.stream_message(ASSISTANT, "hi", model_identifier=MODEL).until_done()
    assert message.text_with_citations == FINAL["textWithCitations"]
    assert [r.method for r in requests] == ["POST"]


def test_a_rewritten_stored_text_keeps_what_streamed_and_is_the_message() -> None:
    handler, _ = read_back_server(*PIECES_ONLY["sse"], stored={**STORED, "text": "Goodbye."})
    with (
        sync_client(handler) as client,
        client.stream_message(ASSISTANT, "hi", model_identifier=MODEL) as stream,
    ):
        assert "".join(stream) == "Hello world."
    assert stream.message is not None
    assert stream.message.text == "Goodbye."


@pytest.mark.parametrize(("form", "read"), [("sse", "iterate"), ("ndjson", "until_done")])
async def test_a_failed_read_back_is_an_error_not_a_partial_answer(
    form: str, read: str, twin: Twin
) -> None:
    handler, _ = read_back_server(*PIECES_ONLY[form], stored=None)
    async with twin(lambda: sync_client(handler), lambda: async_client(handler)) as client:
        stream = twin.wrap(await client.stream_message(ASSISTANT, "hi", model_identifier=MODEL))
        async with stream:
            with pytest.raises(NotFoundError):
                if read == "iterate":
                    await twin.collect(stream)
                else:
                    await stream.until_done()
            assert stream.message is None
            assert stream.response.is_closed
    assert stream.message is None


def test_a_piece_id_that_is_not_a_uuid_cannot_be_read_back() -> None:
    body = sse({**PARTIAL, "objectIdentifier": "../admin", "text": "Hello"})
    handler, requests = read_back_server(body, "text/event-stream")
    with (
        sync_client(handler) as client,
        client.stream_message(ASSISTANT, "hi", model_identifier=MODEL) as stream,
        pytest.raises(StreamError, match="cannot be used to read it back"),
    ):
        list(stream)
    assert [r.method for r in requests] == ["POST"]


@pytest.mark.parametrize(
    ("body", "ctype"),
    [
        (b"", "text/event-stream"),
        (b"data: [DONE]\n\n", "text/event-stream"),
        (b"", "application/x-ndjson"),
    ],
)
def test_an_empty_stream_is_an_error_not_an_empty_answer(body: bytes, ctype: str) -> None:
    handler, _ = read_back_server(body, ctype)
    with (
        sync_client(handler) as client,
        client.stream_message(ASSISTANT, "hi", model_identifier=MODEL) as stream,
        pytest.raises(EmptyAnswerError, match="status 200"),
    ):
        list(stream)
    assert stream.message is None


@pytest.mark.parametrize("form", ["ndjson", "sse"])
async def test_create_message_reads_back_a_streamed_answer_without_the_stored_message(
    form: str, twin: Twin
) -> None:
    handler, requests = read_back_server(*PIECES_ONLY[form])
    async with twin(lambda: sync_client(handler), lambda: async_client(handler)) as client:
        message = await client.create_message(ASSISTANT, "hi", model_identifier=MODEL)
    assert message.text_with_citations == STORED["textWithCitations"]
    assert message.text == STORED["text"]
    assert [r.method for r in requests] == ["POST", "GET"]
    assert json.loads(requests[0].content)["stream"] is False


def test_create_message_with_an_empty_body_is_an_error() -> None:
    handler, _ = read_back_server(b"", "application/json")
    with sync_client(handler) as client, pytest.raises(EmptyAnswerError, match="empty answer body"):
        client.create_message(ASSISTANT, "hi", model_identifier=MODEL)


@pytest.mark.parametrize(
    ("content_type", "chunks", "text"),
    [
        (
            "text/event-stream",
            [b"data: See \n\n", b"data: [the docs](http://d)\n\n", b"data:  now\n\n"],
            "See [the docs](http://d) now",
        ),
        (
            "text/event-stream",
            [b"data: Line one\n\n", b"data: \ndata: \n\n", b"data: Line two\n\n"],
            "Line one\nLine two",
        ),
        ("text/plain", [b"[1] The answer ", b"is 42."], "[1] The answer is 42."),
        ("text/plain", [b"{braces} are fine ", b"in text"], "{braces} are fine in text"),
    ],
)
def test_jylo_text_deltas_keep_brackets_and_newlines(
    content_type: str, chunks: list[bytes], text: str
) -> None:
    response = httpx.Response(
        200,
        headers={"content-type": content_type},
        content=iter(chunks),
        request=httpx.Request("POST", "https://api.t.uk.jylo.ai/x"),
    )
    assert "".join(MessageStream(response)) == text
