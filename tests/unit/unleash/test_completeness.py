"""An answer is complete or an error; text assembly never loses a character.

Over ``httpx.MockTransport``: empty or shapeless success bodies raise `EmptyAnswerError`
naming what arrived, in every client call and adapter; answers known to be unfinished
raise `IncompleteAnswerError` unless ``allow_partial=True``; ``finish_reason`` is
``"stop"`` only when the end was seen. And the assemblers join text pieces exactly
(``text_mode="delta"``) or take the last one (``"snapshot"``), for any pieces.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant_bridge import (
    AsyncUnleashClient,
    EmptyAnswerError,
    IncompleteAnswerError,
    InvalidRequestError,
    StreamError,
    UnleashClient,
)
from assistant_bridge.jylo import JyloClient
from assistant_bridge.unleash import (
    ChatAssembler,
    ChatV2Assembler,
    assemble_chat,
    assemble_chat_v2,
)

KEY = "unleash-test-key-0001"
ASSISTANT = "3f2b8c1e-6d4a-4f0e-9b7c-2a1d5e8f9c0b"
MODEL = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
Handler = Callable[[httpx.Request], httpx.Response]

EMPTY_BODIES: dict[str, tuple[int, dict[str, str], bytes]] = {
    "blank": (200, {"content-type": "application/json"}, b""),
    "spaces": (200, {"content-type": "application/json"}, b"  \r\n "),
    "object": (200, {"content-type": "application/json"}, b"{}"),
    "array": (200, {"content-type": "application/json"}, b"[]"),
    "null": (200, {"content-type": "application/json"}, b"null"),
    "done": (200, {"content-type": "text/event-stream"}, b"data: [DONE]\n\n"),
    "keepalive": (200, {"content-type": "text/event-stream"}, b": keep-alive\n\n: keep-alive\n\n"),
    "empty-events": (200, {"content-type": "text/event-stream"}, b"data: {}\n\ndata: null\n\n"),
    "html": (200, {"content-type": "text/html"}, b"<html><body>Sign in</body></html>"),
    "204": (204, {}, b""),
    "302": (302, {}, b""),
}


def answering(status: int, headers: dict[str, str], body: bytes) -> Handler:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, headers=headers, content=body)

    return handler


def unleash(handler: Handler, **kwargs: Any) -> UnleashClient:
    http = httpx.Client(transport=httpx.MockTransport(handler))
    return UnleashClient(KEY, base_url="https://u.test", http_client=http, max_retries=0, **kwargs)


def aunleash(handler: Handler) -> AsyncUnleashClient:
    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    return AsyncUnleashClient(KEY, base_url="https://u.test", http_client=http, max_retries=0)


def sse(*items: Any, done: bool = False) -> bytes:
    body = "".join(f"data: {json.dumps(i)}\n\n" for i in items)
    return (body + ("data: [DONE]\n\n" if done else "")).encode()


def stream_body(body: bytes) -> Handler:
    return answering(200, {"content-type": "text/event-stream"}, body)


QUESTION = [{"role": "User", "text": "Travel?"}]


# -- text assembly ------------------------------------------------------------------------
pieces_strategy = st.lists(
    st.one_of(
        st.text(max_size=6),
        st.sampled_from(["", "-", "Ha", "Ha!", "a", "ab", "abc", "\n", "Yes.", "é", "🙂"]),
    ),
    max_size=25,
)


def v1_text(pieces: list[str], mode: Any) -> str:
    assembler = ChatAssembler(text_mode=mode)
    for piece in pieces:
        assembler.add({"type": "Message", "parts": [{"type": "Text", "text": piece}]})
    return assembler.result().text


def v2_text(pieces: list[str], mode: Any) -> str:
    assembler = ChatV2Assembler(text_mode=mode)
    for piece in pieces:
        assembler.add({"text": piece})
    return assembler.result().text


@settings(max_examples=300, deadline=None)
@given(pieces_strategy)
def test_delta_mode_is_the_exact_concatenation_and_snapshot_mode_the_last_piece(
    pieces: list[str],
) -> None:
    last = next((p for p in reversed(pieces) if p), "")  # an empty piece carries nothing
    for assemble in (v1_text, v2_text):
        assert assemble(pieces, "delta") == "".join(pieces)
        assert assemble(pieces, "snapshot") == last


@pytest.mark.parametrize(
    ("pieces", "joined"),
    [
        (["-", "-", "-", "\n\nHotels"], "---\n\nHotels"),
        (["Ha", "Ha", "Ha!"], "HaHaHa!"),
        (["Ye", "s.", "Yes."], "Ye" + "s." + "Yes."),  # no guess: a repeat is text
        (["x"] * 50_000, "x" * 50_000),
    ],
    ids=["dashes", "laughter", "repeat", "50000-identical"],
)
def test_the_issue_examples_keep_every_character(pieces: list[str], joined: str) -> None:
    assert assemble_chat_v2([{"text": p} for p in pieces]).text == joined
    v1 = [{"type": "Message", "parts": [{"type": "Text", "text": p}]} for p in pieces]
    assert assemble_chat(v1).text == joined
    assert assemble_chat_v2([{"text": p} for p in pieces], text_mode="snapshot").text == pieces[-1]


def test_a_v1_full_event_wins_in_either_mode() -> None:
    pieces = [{"type": "Message", "parts": [{"type": "Text", "text": t}]} for t in ("Ye", "s.")]
    full = {"type": "Full", "message": {"parts": [{"type": "Text", "text": "Yes."}]}}
    for mode in ("delta", "snapshot"):
        result = assemble_chat([*pieces, full], text_mode=mode)
        assert (result.text, result.end_seen, result.finish_reason) == ("Yes.", True, "stop")


def test_an_unknown_text_mode_names_the_field() -> None:
    with pytest.raises(InvalidRequestError, match="text_mode") as caught:
        ChatV2Assembler(text_mode="guess")  # type: ignore[arg-type]
    assert caught.value.field == "text_mode"
    with pytest.raises(InvalidRequestError, match="text_mode"):
        UnleashClient(KEY, base_url="https://u.test", text_mode="auto")  # type: ignore[arg-type]


def test_the_client_text_mode_applies_to_whole_answers_and_per_call() -> None:
    body = sse({"text": "You"}, {"text": "You get"}, {"text": "You get 25 days."})
    with unleash(stream_body(body)) as client:
        assert client.chat_v2(QUESTION).text == "YouYou getYou get 25 days."
        assert client.chat_v2(QUESTION, text_mode="snapshot").text == "You get 25 days."
    with unleash(stream_body(body), text_mode="snapshot") as client:
        assert client.chat_v2(QUESTION).text == "You get 25 days."


# -- empty successes ----------------------------------------------------------------------
@pytest.mark.parametrize("kind", list(EMPTY_BODIES))
def test_every_unleash_chat_call_raises_on_an_empty_success(kind: str) -> None:
    status, headers, body = EMPTY_BODIES[kind]
    with unleash(answering(status, headers, body)) as client:
        calls: list[Callable[[], Any]] = [
            lambda: client.chat(QUESTION),
            lambda: client.chat_v2(QUESTION),
            lambda: assemble_chat(list(client.stream_chat(QUESTION))),
            lambda: assemble_chat_v2(list(client.stream_chat_v2(QUESTION))),
        ]
        for call in calls:
            with pytest.raises(EmptyAnswerError) as caught:
                call()
            error = caught.value
            assert isinstance(error, IncompleteAnswerError)
            assert isinstance(error, StreamError)
            assert f"status {status}" in str(error), str(error)
            assert error.status_code == status


@pytest.mark.parametrize("kind", ["blank", "object", "done", "keepalive", "204"])
async def test_the_async_client_raises_on_an_empty_success(kind: str) -> None:
    status, headers, body = EMPTY_BODIES[kind]
    async with aunleash(answering(status, headers, body)) as client:
        with pytest.raises(EmptyAnswerError, match=f"status {status}"):
            await client.chat_v2(QUESTION)
        with pytest.raises(EmptyAnswerError, match=f"status {status}"):
            await client.chat(QUESTION)
        stream = await client.stream_chat_v2(QUESTION)
        with pytest.raises(EmptyAnswerError, match=f"status {status}"):
            async with stream:
                assemble_chat_v2([c async for c in stream])


def test_the_empty_error_quotes_what_arrived() -> None:
    status, headers, body = EMPTY_BODIES["html"]
    with (
        unleash(answering(status, headers, body)) as client,
        pytest.raises(EmptyAnswerError) as caught,
    ):
        client.chat_v2(QUESTION)
    error = caught.value
    assert error.content_type == "text/html"
    assert error.head is not None
    assert "Sign in" in error.head
    assert "text/html" in str(error)
    assert "Sign in" in str(error)


def test_a_redirect_without_location_is_never_a_success() -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return httpx.Response(302, content=b"")

    with unleash(handler) as client:
        for call in (lambda: client.chat(QUESTION), lambda: client.stream_chat_v2(QUESTION)):
            with pytest.raises(EmptyAnswerError, match="status 302"):
                call()
        with pytest.raises(EmptyAnswerError, match="status 302"):
            client.search("travel")
    assert calls == 3


@pytest.mark.parametrize("kind", ["blank", "object", "null", "done", "html", "204"])
def test_jylo_create_and_stream_raise_on_an_empty_success(kind: str) -> None:
    status, headers, body = EMPTY_BODIES[kind]
    http = httpx.Client(transport=httpx.MockTransport(answering(status, headers, body)))
    with JyloClient(
        token="t0k3n", project_id="p1", base_url="https://j.test", http_client=http
    ) as client:
        with pytest.raises(EmptyAnswerError, match=f"status {status}"):
            client.create_message(ASSISTANT, "hi", model_identifier=MODEL)
        with (
            pytest.raises(EmptyAnswerError, match=f"status {status}"),
            client.stream_message(ASSISTANT, "hi", model_identifier=MODEL) as stream,
        ):
            list(stream)


# -- early ends and incomplete answers ------------------------------------------------------
TOOL_STARTED = {"tool": {"toolCallStatus": {"toolCallId": "c1", "status": "Start"}}}
TOOL_ENDED = {"tool": {"toolCallStatus": {"toolCallId": "c1", "status": "End"}}}


@pytest.mark.parametrize(
    ("chunks", "reason"),
    [
        ([{"requestId": "r"}, TOOL_STARTED], "no text"),
        ([TOOL_STARTED, {"text": "Partial"}], "tool step 'c1' started and never ended"),
        (
            [{"text": "Short"}, {"reference": {"referenceIds": ["x"], "position": 40}}],
            "past the text",
        ),
    ],
    ids=["no-text", "tool-never-ended", "reference-past-text"],
)
def test_an_answer_known_to_be_unfinished_raises_unless_partial_is_allowed(
    chunks: list[Any], reason: str
) -> None:
    with unleash(stream_body(sse(*chunks, done=True))) as client:
        with pytest.raises(IncompleteAnswerError, match=reason) as caught:
            client.chat_v2(QUESTION)
        assert not isinstance(caught.value, EmptyAnswerError)
        assert caught.value.partial is not None
        partial = client.chat_v2(QUESTION, allow_partial=True)
    assert partial.finish_reason == "incomplete"
    assert partial.incomplete_reason is not None
    assert reason in partial.incomplete_reason
    with pytest.raises(IncompleteAnswerError, match=reason):
        assemble_chat_v2(chunks)


def test_finish_reason_says_whether_the_end_was_seen() -> None:
    chunks = [TOOL_STARTED, TOOL_ENDED, {"text": "Done."}]
    with unleash(stream_body(sse(*chunks))) as client:
        assert client.chat_v2(QUESTION).finish_reason == "unconfirmed"
        with client.stream_chat_v2(QUESTION) as stream:
            items = list(stream)
        assert not stream.terminated
    with unleash(stream_body(sse(*chunks, done=True))) as client:
        assert client.chat_v2(QUESTION).finish_reason == "stop"
        with client.stream_chat_v2(QUESTION) as stream:
            assert (
                assemble_chat_v2(list(stream), end_seen=stream.terminated).finish_reason == "stop"
            )
    whole = answering(
        200, {"content-type": "application/json"}, json.dumps({"text": "Done."}).encode()
    )
    with unleash(whole) as client:
        assert client.chat_v2(QUESTION).finish_reason == "stop"
        with client.stream_chat_v2(QUESTION) as stream:
            list(stream)
        assert stream.terminated  # a whole JSON body read to its end
    assert assemble_chat_v2(items).finish_reason == "unconfirmed"
    v1 = [{"type": "Message", "parts": [{"type": "Text", "text": "Hi"}]}]
    assert assemble_chat(v1).finish_reason == "unconfirmed"
    assert assemble_chat([*v1, {"type": "Full", "message": {"parts": []}}]).finish_reason == "stop"


def test_a_v1_stream_without_text_raises() -> None:
    body = sse({"type": "Request", "requestId": "r1"}, {"type": "Progress", "code": "file_search"})
    with unleash(stream_body(body)) as client:
        with pytest.raises(IncompleteAnswerError, match="no text"):
            client.chat(QUESTION)
        assert client.chat(QUESTION, allow_partial=True).request_id == "r1"


def test_a_body_cut_at_the_http_level_raises() -> None:
    class Cut(httpx.SyncByteStream):
        def __iter__(self) -> Any:
            yield sse({"text": "Half an ans"})
            raise httpx.RemoteProtocolError("peer closed connection without sending complete body")

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-type": "text/event-stream"}, stream=Cut())

    with (
        unleash(handler) as client,
        pytest.raises(StreamError, match="broke off"),
        client.stream_chat_v2(QUESTION) as stream,
    ):
        list(stream)


# -- the adapters ---------------------------------------------------------------------------
def test_chat_unleash_raises_or_marks_a_partial_answer() -> None:
    from assistant_bridge.langchain import ChatUnleash
    from assistant_bridge.langchain import IncompleteAnswerError as LCIncomplete

    body = sse(TOOL_STARTED, {"text": "Partial"})
    client = unleash(stream_body(body))
    llm = ChatUnleash(client=client)
    for run in (lambda: llm.invoke("q"), lambda: list(llm.stream("q"))):
        with pytest.raises(LCIncomplete, match="never ended") as caught:
            run()
        assert isinstance(caught.value, IncompleteAnswerError)
    message = llm.invoke("q", allow_partial=True)
    assert message.text == "Partial"
    meta = message.response_metadata
    assert (meta["finish_reason"], meta["incomplete"]) == ("incomplete", True)
    assert "never ended" in meta["incomplete_reason"]
    chunks = list(ChatUnleash(client=client, allow_partial=True).stream("q"))
    assert chunks[-1].response_metadata["finish_reason"] == "incomplete"
    empty = ChatUnleash(client=unleash(answering(*EMPTY_BODIES["done"])), allow_partial=True)
    with pytest.raises(EmptyAnswerError):
        empty.invoke("q")  # nothing to return, whatever allow_partial says


def test_llama_index_unleash_raises_or_marks_a_partial_answer() -> None:
    from llama_index.core.llms import ChatMessage

    from assistant_bridge.llama_index import Unleash

    body = sse({"text": "Short"}, {"reference": {"referenceIds": ["x"], "position": 99}})
    llm = Unleash(client=unleash(stream_body(body)))
    question = [ChatMessage(role="user", content="q")]
    with pytest.raises(IncompleteAnswerError, match="past the text"):
        llm.chat(question)
    with pytest.raises(IncompleteAnswerError, match="past the text"):
        list(llm.stream_chat(question))
    response = llm.chat(question, allow_partial=True)
    assert response.additional_kwargs["finish_reason"] == "incomplete"
    assert response.additional_kwargs["incomplete"] is True
    last = list(llm.stream_chat(question, allow_partial=True))[-1]
    assert last.additional_kwargs["finish_reason"] == "incomplete"
    clean = Unleash(client=unleash(stream_body(sse({"text": "Fine."}, done=True))))
    assert clean.chat(question).additional_kwargs["finish_reason"] == "stop"
    assert list(clean.stream_chat(question))[-1].additional_kwargs["finish_reason"] == "stop"
    unmarked = Unleash(client=unleash(stream_body(sse({"text": "Fine."}))))
    assert (
        list(unmarked.stream_chat(question))[-1].additional_kwargs["finish_reason"] == "unconfirmed"
    )


def test_a_jylo_reply_without_text_raises_unless_partial_is_allowed() -> None:
    stored = {"objectIdentifier": "m9", "isAssistant": True, "text": "", "dateAdded": 5}
    handler = answering(200, {"content-type": "application/json"}, json.dumps(stored).encode())
    http = httpx.Client(transport=httpx.MockTransport(handler))
    with JyloClient(
        token="t0k3n", project_id="p1", base_url="https://j.test", http_client=http
    ) as client:
        with pytest.raises(IncompleteAnswerError, match="no text") as caught:
            client.create_message(ASSISTANT, "hi", model_identifier=MODEL)
        assert not isinstance(caught.value, EmptyAnswerError)
        assert (
            client.create_message(ASSISTANT, "hi", model_identifier=MODEL, allow_partial=True).id
            == "m9"
        )


def test_a_jylo_reply_is_stop_only_when_it_is_the_stored_message() -> None:
    from assistant_bridge._transport._streaming import finish_reason
    from assistant_bridge.jylo import Message
    from assistant_bridge.jylo._reply import is_final_message

    built = Message(text="streamed text", is_assistant=True)  # a plain-text stream, no id
    stored = Message.model_validate({"objectIdentifier": "m1", "text": "x", "dateAdded": 3})
    assert finish_reason(end_seen=is_final_message(built)) == "unconfirmed"
    assert finish_reason(end_seen=is_final_message(stored)) == "stop"

    def plain(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-type": "text/plain"}, content=b"Hello there")

    http = httpx.Client(transport=httpx.MockTransport(plain))
    with (
        JyloClient(
            token="t0k3n", project_id="p1", base_url="https://j.test", http_client=http
        ) as client,
        client.stream_message(ASSISTANT, "hi", model_identifier=MODEL) as stream,
    ):
        assert "".join(stream) == "Hello there"
    assert not stream.end_seen


NO_TEXT_REPLY = {"objectIdentifier": "m9", "isAssistant": True, "text": "", "dateAdded": 5}


def _jylo_no_text(streamed: bool) -> Handler:
    if streamed:
        return stream_body(sse(NO_TEXT_REPLY))
    return answering(200, {"content-type": "application/json"}, json.dumps(NO_TEXT_REPLY).encode())


def _jylo_clients(handler: Handler) -> dict[str, Any]:
    from assistant_bridge.jylo import AsyncJyloClient

    conn: dict[str, Any] = {"token": "t0k3n", "project_id": "p1", "base_url": "https://j.test"}
    return {
        "client": JyloClient(
            **conn, http_client=httpx.Client(transport=httpx.MockTransport(handler))
        ),
        "async_client": AsyncJyloClient(
            **conn, http_client=httpx.AsyncClient(transport=httpx.MockTransport(handler))
        ),
    }


def test_a_streamed_jylo_reply_without_text_raises_unless_partial_is_allowed() -> None:
    clients = _jylo_clients(_jylo_no_text(True))
    client: JyloClient = clients["client"]
    with (
        pytest.raises(IncompleteAnswerError, match="no text") as caught,
        client.stream_message(ASSISTANT, "hi", model_identifier=MODEL) as stream,
    ):
        list(stream)
    assert not isinstance(caught.value, EmptyAnswerError)
    with client.stream_message(
        ASSISTANT, "hi", model_identifier=MODEL, allow_partial=True
    ) as stream:
        assert list(stream) == []
    assert stream.message is not None
    assert stream.message.id == "m9"
    assert stream.end_seen


async def test_the_async_jylo_stream_takes_allow_partial_too() -> None:
    client = _jylo_clients(_jylo_no_text(True))["async_client"]
    async with client:
        stream = await client.stream_message(ASSISTANT, "hi", model_identifier=MODEL)
        with pytest.raises(IncompleteAnswerError, match="no text"):
            async with stream:
                [p async for p in stream]
        stream = await client.stream_message(
            ASSISTANT, "hi", model_identifier=MODEL, allow_partial=True
        )
        async with stream:
            assert [p async for p in stream] == []
        assert (
            await client.create_message(ASSISTANT, "hi", model_identifier=MODEL, allow_partial=True)
        ).id == "m9"


@pytest.mark.parametrize("streamed", [False, True], ids=["whole", "streamed"])
async def test_chat_jylo_raises_or_marks_a_reply_without_text(streamed: bool) -> None:
    from assistant_bridge.langchain import ChatJylo

    def llm(**kwargs: Any) -> ChatJylo:
        clients = _jylo_clients(_jylo_no_text(streamed))
        return ChatJylo(**clients, assistant_id=ASSISTANT, model_identifier=MODEL, **kwargs)

    for run in (lambda: llm().invoke("q"), lambda: list(llm().stream("q"))):
        with pytest.raises(IncompleteAnswerError, match="no text"):
            run()
    with pytest.raises(IncompleteAnswerError, match="no text"):
        await llm().ainvoke("q")
    for message in (
        llm(allow_partial=True).invoke("q"),
        llm().invoke("q", allow_partial=True),
        await llm(allow_partial=True).ainvoke("q"),
        _merged_chunks(list(llm(allow_partial=True).stream("q"))),
        _merged_chunks([c async for c in llm().astream("q", allow_partial=True)]),
    ):
        meta = message.response_metadata
        assert message.text == ""
        assert (meta["finish_reason"], meta["incomplete"], meta["incomplete_reason"]) == (
            "incomplete",
            True,
            "no text",
        )


def _merged_chunks(chunks: list[Any]) -> Any:
    merged = chunks[0]
    for chunk in chunks[1:]:
        merged = merged + chunk
    return merged


@pytest.mark.parametrize("streamed", [False, True], ids=["whole", "streamed"])
async def test_llama_index_jylo_raises_or_marks_a_reply_without_text(streamed: bool) -> None:
    from llama_index.core.llms import ChatMessage

    from assistant_bridge.llama_index import Jylo

    def llm(**kwargs: Any) -> Jylo:
        clients = _jylo_clients(_jylo_no_text(streamed))
        return Jylo(**clients, assistant_id=ASSISTANT, model_identifier=MODEL, **kwargs)

    question = [ChatMessage(role="user", content="q")]
    with pytest.raises(IncompleteAnswerError, match="no text"):
        llm().chat(question)
    with pytest.raises(IncompleteAnswerError, match="no text"):
        list(llm().stream_chat(question))
    with pytest.raises(IncompleteAnswerError, match="no text"):
        await llm().achat(question)
    responses = [
        llm(allow_partial=True).chat(question),
        llm().chat(question, allow_partial=True),
        await llm(allow_partial=True).achat(question),
        list(llm(allow_partial=True).stream_chat(question))[-1],
        [r async for r in await llm().astream_chat(question, allow_partial=True)][-1],
    ]
    for response in responses:
        extra = response.additional_kwargs
        assert (extra["finish_reason"], extra["incomplete"], extra["incomplete_reason"]) == (
            "incomplete",
            True,
            "no text",
        )


def test_only_one_whole_json_body_shows_its_end_not_ndjson() -> None:
    ndjson = b"".join(json.dumps(c).encode() + b"\n" for c in ({"text": "One "}, {"text": "two."}))
    one = json.dumps([{"text": "One "}, {"text": "two."}]).encode()
    for body, finish in ((ndjson, "unconfirmed"), (one, "stop")):
        with unleash(answering(200, {"content-type": "application/json"}, body)) as client:
            assert client.chat_v2(QUESTION).finish_reason == finish
            with client.stream_chat_v2(QUESTION) as stream:
                chunks = list(stream)
            assert stream.terminated == (finish == "stop")
            assert assemble_chat_v2(chunks, end_seen=stream.terminated).text == "One two."


def test_v2_error_event_is_raised_not_swallowed() -> None:
    body = (
        b'data: {"text": "Partial"}\n\nevent: error\ndata: {"message": "upstream model failed"}\n\n'
    )
    answer = unleash(
        lambda r: httpx.Response(200, content=body, headers={"content-type": "text/event-stream"})
    )
    with pytest.raises(StreamError, match="upstream model failed"):
        list(answer.stream_chat_v2([{"role": "User", "text": "hi"}]))
    with pytest.raises(StreamError, match="upstream model failed"):
        answer.chat_v2([{"role": "User", "text": "hi"}])


def test_a_body_that_is_neither_json_nor_events_is_an_error_not_an_empty_answer() -> None:
    page = unleash(
        lambda r: httpx.Response(
            200,
            text="<html><body>Please sign in</body></html>",
            headers={"content-type": "text/html"},
        )
    )
    with pytest.raises(StreamError, match="sign in"):
        page.chat_v2([{"role": "User", "text": "hi"}])
    with pytest.raises(StreamError, match="sign in"):
        list(page.stream_chat_v2([{"role": "User", "text": "hi"}]))
