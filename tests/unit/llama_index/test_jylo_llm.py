"""The Jylo LlamaIndex LLM over a mock Jylo API: what is posted, citation blocks, streams, documents."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from llama_index.core.base.llms.types import (
    ChatMessage,
    CitationBlock,
    DocumentBlock,
    MessageRole,
    TextBlock,
)
from llama_index.core.callbacks import CallbackManager, CBEventType, EventPayload, LlamaDebugHandler
from llama_index.core.instrumentation.event_handlers import BaseEventHandler
from llama_index.core.instrumentation.events import BaseEvent
from llama_index.core.instrumentation.events.llm import LLMChatEndEvent, LLMCompletionEndEvent
from llama_index.core.llms.callbacks import dispatcher as llm_dispatcher
from pydantic import Field

from assistant_bridge import InvalidRequestError, RateLimitError
from assistant_bridge.llama_index._jylo_llm import Jylo
from assistant_bridge.sources import sources_from_jylo

from .._jylo_mock import ASSISTANT, DOC_ID, MARKED, MODEL, REPLY, REPLY_ID, TEXT, JyloServer


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("JYLO_ASSISTANT_ID", "JYLO_MODEL_IDENTIFIER", "JYLO_TOKEN"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def server() -> JyloServer:
    return JyloServer()


def llm(server: JyloServer, **kw: Any) -> Jylo:
    return Jylo(
        client=server.client(),
        async_client=server.async_client(),
        assistant_id=ASSISTANT,
        model_identifier=MODEL,
        **kw,
    )


def user(text: str) -> ChatMessage:
    return ChatMessage(role=MessageRole.USER, content=text)


def citations(message: ChatMessage) -> list[tuple[str, str, int, int, str]]:
    found = []
    for b in message.blocks:
        if isinstance(b, CitationBlock):
            assert isinstance(b.cited_content, TextBlock)
            info = b.additional_location_info
            found.append(
                (b.source, b.title, info["start_index"], info["end_index"], b.cited_content.text)
            )
    return found


EXPECTED = [
    ("doc-policy", "Travel policy", 0, 28, "Hotels are capped at 180 EUR"),
    ("doc-policy", "Travel policy", 30, 51, "Zurich allows 250 EUR"),
    (DOC_ID, "notes.txt", 30, 51, "Zurich allows 250 EUR"),
]


FOLDED = (
    "System instructions:\nBe brief.\n\nEarlier conversation:\nUser: Earlier?\n"
    "Assistant: Yes.\n\nQuestion:\nHotel caps?"
)


def test_chat_folds_unseen_system_and_earlier_turns_into_the_post(server: JyloServer) -> None:
    history = [
        ChatMessage(role=MessageRole.SYSTEM, content="Be brief."),
        user("Earlier?"),
        ChatMessage(role=MessageRole.ASSISTANT, content="Yes."),
        user("Hotel caps?"),
    ]
    response = llm(server).chat(history)
    assert server.bodies() == [{"text": FOLDED, "modelIdentifier": MODEL, "stream": False}]
    assert response.message.content == TEXT
    assert isinstance(response.message.blocks[0], TextBlock)
    assert citations(response.message) == EXPECTED
    assert response.message.additional_kwargs == {
        "vendor": "jylo",
        "assistant_id": ASSISTANT,
        "message_id": REPLY_ID,
    }
    assert response.additional_kwargs["text_with_citations"] == MARKED
    assert response.raw.id == REPLY_ID  # type: ignore[union-attr]


def test_sources_metadata_matches_the_shared_model(server: JyloServer) -> None:
    response = llm(server).chat([user("q")])
    from assistant_bridge.jylo import Message

    expected = [
        {**s.metadata(), "score": 1 / rank, "score_source": "rank"}
        for rank, s in enumerate(sources_from_jylo(Message.model_validate(REPLY)), start=1)
    ]
    assert [s["metadata"] for s in response.additional_kwargs["sources"]] == expected


def test_stream_chat_yields_deltas_then_the_whole_reply(server: JyloServer) -> None:
    steps = list(llm(server).stream_chat([user("q")]))
    assert [s.delta for s in steps] == [
        "Hotels are capped",
        " at 180 EUR.",
        " Zurich allows 250 EUR.",
        "",
    ]
    assert steps[1].message.content == "Hotels are capped at 180 EUR."
    assert citations(steps[-1].message) == EXPECTED
    assert json.loads(server.posts()[0].content)["stream"] is True


def test_stream_input_is_checked_before_iterating(server: JyloServer) -> None:
    with pytest.raises(InvalidRequestError, match="ends with a 'assistant' message"):
        llm(server).stream_chat([user("q"), ChatMessage(role=MessageRole.ASSISTANT, content="a")])
    assert server.requests == []


def test_complete_has_citations_in_additional_kwargs(server: JyloServer) -> None:
    response = llm(server).complete("Hotel caps?")
    assert response.text == TEXT
    assert [
        (c["start_index"], c["end_index"]) for c in response.additional_kwargs["citations"]
    ] == [(0, 28), (30, 51), (30, 51)]
    assert server.bodies()[0]["text"] == "Hotel caps?"
    assert "".join(r.delta or "" for r in llm(server).stream_complete("q")) == TEXT


def test_document_blocks_are_uploaded_and_attached(server: JyloServer, tmp_path: Path) -> None:
    path = tmp_path / "brief.txt"
    path.write_text("the brief")
    message = ChatMessage(
        role=MessageRole.USER,
        blocks=[
            TextBlock(text="Summarise."),
            DocumentBlock(
                data=base64.b64encode(b"%PDF-1.4 hello"),
                document_mimetype="application/pdf",
                title="report.pdf",
            ),
            DocumentBlock(path=path),
        ],
    )
    llm(server).chat([message])
    uploads = server.posts("/messages/document")
    assert len(uploads) == 2
    assert b'filename="report.pdf"' in uploads[0].content
    assert b"%PDF-1.4 hello" in uploads[0].content
    assert b'filename="brief.txt"' in uploads[1].content
    assert b"the brief" in uploads[1].content
    body = server.bodies()[0]
    assert body["text"] == "Summarise."
    assert len(body["messageDocumentIdentifiers"]) == 2


def test_url_documents_are_refused(server: JyloServer) -> None:
    message = ChatMessage(
        role=MessageRole.USER,
        blocks=[TextBlock(text="q"), DocumentBlock(url="https://x.test/a.pdf")],
    )
    with pytest.raises(InvalidRequestError, match="cannot fetch a file from a URL"):
        llm(server).chat([message])
    assert server.requests == []


def test_a_stored_reply_after_its_question_is_returned_without_posting(server: JyloServer) -> None:
    ids = {"vendor": "jylo", "assistant_id": ASSISTANT}
    question = ChatMessage(
        role=MessageRole.USER, content="q", additional_kwargs={**ids, "message_id": "q1"}
    )
    reply = ChatMessage(
        role=MessageRole.ASSISTANT,
        content="stored answer",
        additional_kwargs={**ids, "message_id": "r1"},
    )
    response = llm(server).chat([question, reply])
    assert response.message is reply
    assert response.additional_kwargs["stored"] is True
    assert [s.delta for s in llm(server).stream_chat([question, reply])] == ["stored answer"]
    with pytest.raises(InvalidRequestError, match="already stored"):
        llm(server).chat([question])
    assert server.requests == []


def test_per_call_keywords_and_errors(server: JyloServer) -> None:
    with pytest.raises(InvalidRequestError, match="did you mean model_identifier"):
        llm(server).chat([user("q")], model_identifer=MODEL)
    with pytest.raises(InvalidRequestError, match="JYLO_ASSISTANT_ID"):
        Jylo(client=server.client(), model_identifier=MODEL).chat([user("q")])
    server.override = lambda r: httpx.Response(
        429, headers={"retry-after": "0"}, json={"title": "slow"}
    )
    with pytest.raises(RateLimitError):
        llm(server).chat([user("q")])


async def test_achat_and_astream_chat_use_the_async_client(server: JyloServer) -> None:
    model = Jylo(async_client=server.async_client(), assistant_id=ASSISTANT, model_identifier=MODEL)
    response = await model.achat([user("q")])
    assert citations(response.message) == EXPECTED
    steps = [s async for s in await model.astream_chat([user("q")])]
    assert steps[-1].message.content == TEXT
    assert citations(steps[-1].message) == EXPECTED
    assert (await model.acomplete("q")).text == TEXT
    assert "".join([r.delta or "" async for r in await model.astream_complete("q")]) == TEXT
    assert [b["stream"] for b in server.bodies()] == [False, True, False, True]


class _Events(BaseEventHandler):
    """Records the instrumentation events LlamaIndex's LLM callback decorators dispatch."""

    events: list[BaseEvent] = Field(default_factory=list)

    @classmethod
    def class_name(cls) -> str:
        return "RecordingEvents"

    def handle(self, event: BaseEvent, **kwargs: Any) -> None:
        self.events.append(event)


async def test_entry_points_report_to_callback_handlers_and_instrumentation(
    server: JyloServer,
) -> None:
    """Each entry point goes through LlamaIndex's callback decorators: start, progress, end with the answer."""
    debug = LlamaDebugHandler(print_trace_on_end=False)
    model = llm(server, callback_manager=CallbackManager([debug]))
    recorder = _Events()
    llm_dispatcher.add_event_handler(recorder)
    messages = [user("q")]
    calls: list[tuple[str, Callable[[], Awaitable[object]]]] = [
        ("chat", lambda: _done(model.chat(messages))),
        ("stream_chat", lambda: _done(list(model.stream_chat(messages)))),
        ("complete", lambda: _done(model.complete("q"))),
        ("stream_complete", lambda: _done(list(model.stream_complete("q")))),
        ("achat", lambda: model.achat(messages)),
        ("astream_chat", lambda: _drain(model.astream_chat(messages))),
        ("acomplete", lambda: model.acomplete("q")),
        ("astream_complete", lambda: _drain(model.astream_complete("q"))),
    ]
    try:
        for name, call in calls:
            recorder.events.clear()
            debug.flush_event_logs()
            await call()
            kind = "Chat" if "chat" in name else "Completion"
            progress = [f"LLM{kind}InProgressEvent"] * 4 if "stream" in name else []
            assert [type(e).__name__ for e in recorder.events] == [
                f"LLM{kind}StartEvent",
                *progress,
                f"LLM{kind}EndEvent",
            ], name
            end = recorder.events[-1]
            assert isinstance(end, (LLMChatEndEvent, LLMCompletionEndEvent))
            assert end.response is not None
            answer = (
                end.response.message.content
                if isinstance(end, LLMChatEndEvent)
                else end.response.text
            )
            assert answer == TEXT, name
            pairs = debug.get_event_pairs(CBEventType.LLM)
            assert len(pairs) == 1, name
            payload = pairs[0][1].payload
            assert payload is not None
            if kind == "Chat":
                assert payload[EventPayload.RESPONSE].message.content == TEXT, name
            else:
                assert payload[EventPayload.COMPLETION].text == TEXT, name
    finally:
        llm_dispatcher.event_handlers.remove(recorder)


async def _done(value: object) -> object:
    return value


async def _drain(stream: Awaitable[AsyncIterator[object]]) -> list[object]:
    return [item async for item in await stream]


def test_metadata_and_env_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JYLO_ASSISTANT_ID", ASSISTANT)
    monkeypatch.setenv("JYLO_MODEL_IDENTIFIER", MODEL)
    model = Jylo(context_window=128000)
    assert model.assistant_id == ASSISTANT
    assert model.metadata.model_name == MODEL
    assert model.metadata.is_chat_model
    assert model.metadata.context_window == 128000
