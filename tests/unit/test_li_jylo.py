"""The Jylo LlamaIndex LLM over a mock Jylo API: what is posted, citation blocks, streams, documents."""

from __future__ import annotations

import base64
import json
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

from assistant_bridge import InvalidRequestError, RateLimitError
from assistant_bridge.llama_index._jylo_llm import Jylo
from assistant_bridge.sources import sources_from_jylo

from ._jylo_mock import ASSISTANT, DOC_ID, MARKED, MODEL, REPLY, REPLY_ID, TEXT, JyloServer


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("JYLO_ASSISTANT_ID", "JYLO_MODEL_IDENTIFIER", "JYLO_TOKEN"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def server() -> JyloServer:
    return JyloServer()


def llm(server: JyloServer, **kw: Any) -> Jylo:
    return Jylo(client=server.client(), async_client=server.async_client(), assistant_id=ASSISTANT, model_identifier=MODEL, **kw)


def user(text: str) -> ChatMessage:
    return ChatMessage(role=MessageRole.USER, content=text)


def citations(message: ChatMessage) -> list[tuple[str, str, int, int, str]]:
    return [
        (b.source, b.title, b.additional_location_info["start_index"], b.additional_location_info["end_index"], b.cited_content.text)  # type: ignore[union-attr]
        for b in message.blocks
        if isinstance(b, CitationBlock)
    ]


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
    history = [ChatMessage(role=MessageRole.SYSTEM, content="Be brief."), user("Earlier?"), ChatMessage(role=MessageRole.ASSISTANT, content="Yes."), user("Hotel caps?")]
    response = llm(server).chat(history)
    assert server.bodies() == [{"text": FOLDED, "modelIdentifier": MODEL, "stream": False}]
    assert response.message.content == TEXT
    assert isinstance(response.message.blocks[0], TextBlock)
    assert citations(response.message) == EXPECTED
    assert response.message.additional_kwargs == {"vendor": "jylo", "assistant_id": ASSISTANT, "message_id": REPLY_ID}
    assert response.additional_kwargs["text_with_citations"] == MARKED
    assert response.raw.id == REPLY_ID  # type: ignore[union-attr]


def test_sources_metadata_matches_the_shared_model(server: JyloServer) -> None:
    response = llm(server).chat([user("q")])
    from assistant_bridge.jylo import Message

    expected = [s.metadata() for s in sources_from_jylo(Message.model_validate(REPLY))]
    assert [s["metadata"] for s in response.additional_kwargs["sources"]] == expected


def test_stream_chat_yields_deltas_then_the_whole_reply(server: JyloServer) -> None:
    steps = list(llm(server).stream_chat([user("q")]))
    assert [s.delta for s in steps] == ["Hotels are capped", " at 180 EUR.", " Zurich allows 250 EUR.", ""]
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
    assert [(c["start_index"], c["end_index"]) for c in response.additional_kwargs["citations"]] == [(0, 28), (30, 51), (30, 51)]
    assert server.bodies()[0]["text"] == "Hotel caps?"
    assert "".join(r.delta or "" for r in llm(server).stream_complete("q")) == TEXT


def test_document_blocks_are_uploaded_and_attached(server: JyloServer, tmp_path: Path) -> None:
    path = tmp_path / "brief.txt"
    path.write_text("the brief")
    message = ChatMessage(
        role=MessageRole.USER,
        blocks=[
            TextBlock(text="Summarise."),
            DocumentBlock(data=base64.b64encode(b"%PDF-1.4 hello"), document_mimetype="application/pdf", title="report.pdf"),
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
    message = ChatMessage(role=MessageRole.USER, blocks=[TextBlock(text="q"), DocumentBlock(url="https://x.test/a.pdf")])
    with pytest.raises(InvalidRequestError, match="cannot fetch a file from a URL"):
        llm(server).chat([message])
    assert server.requests == []


def test_a_stored_reply_after_its_question_is_returned_without_posting(server: JyloServer) -> None:
    ids = {"vendor": "jylo", "assistant_id": ASSISTANT}
    question = ChatMessage(role=MessageRole.USER, content="q", additional_kwargs={**ids, "message_id": "q1"})
    reply = ChatMessage(role=MessageRole.ASSISTANT, content="stored answer", additional_kwargs={**ids, "message_id": "r1"})
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
    server.override = lambda r: httpx.Response(429, headers={"retry-after": "0"}, json={"title": "slow"})
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


def test_entry_points_carry_the_callback_decorators() -> None:
    for name in ("chat", "stream_chat", "complete", "stream_complete", "achat", "astream_chat", "acomplete", "astream_complete"):
        assert hasattr(getattr(Jylo, name), "__wrapped__"), name


def test_metadata_and_env_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JYLO_ASSISTANT_ID", ASSISTANT)
    monkeypatch.setenv("JYLO_MODEL_IDENTIFIER", MODEL)
    model = Jylo(context_window=128000)
    assert model.assistant_id == ASSISTANT
    assert model.metadata.model_name == MODEL
    assert model.metadata.is_chat_model
    assert model.metadata.context_window == 128000
