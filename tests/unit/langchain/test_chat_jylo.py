"""ChatJylo over a mock Jylo API: what is posted, citations in content_blocks, streams, files, errors."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from langchain_core.exceptions import ModelAPIError, ModelInvalidRequestError, ModelRateLimitError
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage, SystemMessage

from assistant_bridge.langchain._chat_jylo import ChatJylo
from assistant_bridge.langchain._content import documents_from_message

from .._jylo_mock import (
    ASSISTANT,
    DOC_ID,
    MARKED,
    MODEL,
    REPLY,
    REPLY_ID,
    SENTENCE_1,
    TEXT,
    JyloServer,
)


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("JYLO_ASSISTANT_ID", "JYLO_MODEL_IDENTIFIER", "JYLO_TOKEN", "JYLO_CLIENT_ID"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def server() -> JyloServer:
    return JyloServer()


def chat(server: JyloServer, **kw: Any) -> ChatJylo:
    return ChatJylo(
        client=server.client(),
        async_client=server.async_client(),
        assistant_id=ASSISTANT,
        model=MODEL,
        **kw,
    )


def citations_of(message: AIMessage) -> list[dict[str, Any]]:
    """The annotations (citations) of the message's first content block, its text."""
    block = message.content_blocks[0]
    assert block["type"] == "text"
    return [dict(a) for a in block.get("annotations", [])]


def merge(chunks: list[AIMessageChunk]) -> AIMessageChunk:
    total = chunks[0]
    for chunk in chunks[1:]:
        total = total + chunk
    return total


# -- what is posted ------------------------------------------------------------------------


FOLDED = (
    "System instructions:\nBe brief.\n\nEarlier conversation:\nUser: First?\n"
    "Assistant: Earlier.\n\nQuestion:\nHotel caps?"
)


def test_invoke_folds_unseen_system_and_earlier_turns_into_the_post(server: JyloServer) -> None:
    history = [
        SystemMessage("Be brief."),
        HumanMessage("First?"),
        AIMessage("Earlier."),
        HumanMessage("Hotel caps?"),
    ]
    answer = chat(server).invoke(history)
    assert server.bodies() == [{"text": FOLDED, "modelIdentifier": MODEL, "stream": False}]
    assert answer.content == TEXT
    assert answer.id == REPLY_ID
    meta = answer.response_metadata
    assert meta["model_provider"] == "jylo"
    assert meta["model_name"] == MODEL
    assert meta["assistant_id"] == ASSISTANT
    assert meta["message_id"] == REPLY_ID
    assert answer.additional_kwargs["text_with_citations"] == MARKED


def test_per_call_assistant_and_model_do_not_change_the_instance(server: JyloServer) -> None:
    llm = chat(server)
    other_model = "bbbbbbbb-bbbb-4ccc-8ddd-eeeeeeeeeeee"
    other_assistant = "4f2b8c1e-6d4a-4f0e-9b7c-2a1d5e8f9c0b"
    llm.batch(
        ["a?", "b?"], config={"max_concurrency": 1}, model=other_model, assistant_id=other_assistant
    )
    assert {r.url.path.split("/")[4] for r in server.posts()} == {other_assistant}
    assert [b["modelIdentifier"] for b in server.bodies()] == [other_model, other_model]
    assert llm.assistant_id == ASSISTANT
    assert llm.model_identifier == MODEL


def test_conversation_must_end_with_a_human_message(server: JyloServer) -> None:
    with pytest.raises(ModelInvalidRequestError, match="ends with a AIMessage"):
        chat(server).invoke([HumanMessage("q"), AIMessage("a")])
    assert server.requests == []


def test_missing_model_identifier_names_the_variable(server: JyloServer) -> None:
    llm = ChatJylo(client=server.client(), assistant_id=ASSISTANT)
    with pytest.raises(ModelInvalidRequestError, match="JYLO_MODEL_IDENTIFIER"):
        llm.invoke("q")
    assert server.requests == []


def test_unknown_call_keyword_suggests_the_nearest(server: JyloServer) -> None:
    with pytest.raises(ModelInvalidRequestError, match="did you mean assistant_id"):
        chat(server).invoke("q", asistant_id=ASSISTANT)


# -- citations -------------------------------------------------------------------------------


def test_citations_become_text_block_annotations(server: JyloServer) -> None:
    answer = chat(server).invoke("Hotel caps?")
    (block,) = answer.content_blocks
    assert block["type"] == "text"
    assert block["text"] == TEXT
    spans = [
        (a["title"], a["start_index"], a["end_index"], a["cited_text"])
        for a in block["annotations"]
    ]
    assert spans == [
        ("Travel policy", 0, 28, "Hotels are capped at 180 EUR"),
        ("Travel policy", 30, 51, "Zurich allows 250 EUR"),
        ("notes.txt", 30, 51, "Zurich allows 250 EUR"),
    ]
    assert TEXT[0:28] == SENTENCE_1[:-1]


def test_documents_from_message_gives_the_cited_sources(server: JyloServer) -> None:
    docs = documents_from_message(chat(server).invoke("Hotel caps?"))
    assert [d.metadata["id"] for d in docs] == ["doc-policy", DOC_ID]
    assert docs[0].metadata["vendor"] == "jylo"
    assert docs[0].metadata["kind"] == "document"
    assert docs[0].metadata["citations"][0] == {
        "start_index": 0,
        "end_index": 28,
        "cited_text": "Hotels are capped at 180 EUR",
    }


def test_stream_yields_text_then_sources_once(server: JyloServer) -> None:
    chunks = list(chat(server).stream("Hotel caps?"))
    assert [c.content for c in chunks[:-1]] == [
        "Hotels are capped",
        " at 180 EUR.",
        " Zurich allows 250 EUR.",
    ]
    assert all("sources" not in c.additional_kwargs for c in chunks[:-1])
    merged = merge(chunks)
    assert merged.content == TEXT
    assert merged.id == REPLY_ID
    assert len(merged.additional_kwargs["sources"]) == 2
    assert merged.additional_kwargs["text_with_citations"] == MARKED
    assert len(citations_of(merged)) == 3
    assert server.bodies() == [{"text": "Hotel caps?", "modelIdentifier": MODEL, "stream": True}]


def test_streaming_invoke_equals_plain_invoke(server: JyloServer) -> None:
    streamed = chat(server, streaming=True).invoke("q")
    plain = chat(server).invoke("q")
    assert streamed.content == plain.content
    assert streamed.content_blocks == plain.content_blocks


def test_stop_is_applied_client_side_and_clips_citations(server: JyloServer) -> None:
    answer = chat(server).invoke("q", stop=[" Zurich"])
    assert answer.content == SENTENCE_1
    assert answer.response_metadata["finish_reason"] == "stop_sequence"
    assert [(a["start_index"], a["end_index"]) for a in citations_of(answer)] == [(0, 28)]
    streamed = merge(list(chat(server).stream("q", stop=[" Zurich"])))
    assert streamed.content == SENTENCE_1


# -- files --------------------------------------------------------------------------------------


def test_file_blocks_are_uploaded_and_attached(server: JyloServer, tmp_path: Path) -> None:
    path = tmp_path / "plan.md"
    path.write_text("# plan")
    existing = "55555555-8888-4777-8666-555555555555"
    message = HumanMessage(
        content=[
            {"type": "text", "text": "Compare these."},
            {
                "type": "file",
                "base64": base64.b64encode(b"hello").decode(),
                "mime_type": "text/plain",
                "filename": "a.txt",
            },
            {"type": "file", "path": str(path)},
            {"type": "file", "data": b"%PDF-1.4", "mime_type": "application/pdf"},
            {"type": "file", "file_id": existing},
        ]
    )
    chat(server).invoke([message])
    uploads = server.posts("/messages/document")
    assert len(uploads) == 3
    assert b'filename="a.txt"' in uploads[0].content
    assert b"hello" in uploads[0].content
    assert b'filename="plan.md"' in uploads[1].content
    assert b"# plan" in uploads[1].content
    assert b'filename="attachment-3.pdf"' in uploads[2].content
    (body,) = server.bodies()
    assert body["text"] == "Compare these."
    assert body["messageDocumentIdentifiers"][0] == existing
    assert len(body["messageDocumentIdentifiers"]) == 4
    assert DOC_ID in body["messageDocumentIdentifiers"]


def test_url_file_block_is_refused_before_any_request(server: JyloServer) -> None:
    message = HumanMessage(
        content=[{"type": "text", "text": "q"}, {"type": "file", "url": "https://x.test/a.pdf"}]
    )
    with pytest.raises(ModelInvalidRequestError, match="cannot fetch a file from a URL"):
        chat(server).invoke([message])
    assert server.requests == []


def test_a_failed_upload_posts_no_message(server: JyloServer) -> None:
    server.override = lambda r: (
        httpx.Response(400, json={"title": "Bad file"})
        if r.url.path.endswith("/document")
        else None
    )
    message = HumanMessage(content=[{"type": "text", "text": "q"}, {"type": "file", "data": b"x"}])
    with pytest.raises(ModelInvalidRequestError):
        chat(server).invoke([message])
    assert server.posts() == []


def test_an_unsuccessful_upload_posts_no_message(server: JyloServer) -> None:
    """seed 003's upload answer has ``uploadSuccessful``: false is an error, not an attachment."""
    failed = {
        "documentUploadObjectIdentifier": DOC_ID,
        "objectIdentifier": DOC_ID,
        "uploadSuccessful": False,
    }
    server.override = lambda r: (
        httpx.Response(200, json=failed) if r.url.path.endswith("/document") else None
    )
    message = HumanMessage(
        content=[{"type": "text", "text": "q"}, {"type": "file", "data": b"x", "filename": "x.txt"}]
    )
    with pytest.raises(ModelAPIError, match=r"upload of 'x\.txt' was not successful"):
        chat(server).invoke([message])
    assert server.posts() == []


def test_a_stream_without_the_stored_message_still_carries_the_citations(
    server: JyloServer,
) -> None:
    pieces = b"".join(
        f"data: {json.dumps({'objectIdentifier': REPLY_ID, 'text': p, 'isAssistant': True, 'addingCitations': True})}\n\n".encode()
        for p in server.pieces
    )

    def pieces_only(request: httpx.Request) -> httpx.Response | None:
        if request.method == "POST" and json.loads(request.content or b"{}").get("stream"):
            return httpx.Response(
                200, content=pieces, headers={"content-type": "text/event-stream"}
            )
        if request.method == "GET" and request.url.path.endswith(REPLY_ID):
            return httpx.Response(200, json=REPLY)
        return None

    server.override = pieces_only
    streamed = merge(list(chat(server).stream("q")))
    whole = chat(server).invoke("q")
    assert streamed.text == whole.text == TEXT
    assert streamed.id == REPLY_ID
    assert streamed.additional_kwargs["sources"] == whole.additional_kwargs["sources"]
    assert streamed.additional_kwargs["text_with_citations"] == MARKED
    assert [r.method for r in server.requests if r.url.path.endswith(REPLY_ID)] == ["GET"]


# -- errors and retries -------------------------------------------------------------------------


def test_rate_limit_is_a_model_rate_limit_error(server: JyloServer) -> None:
    server.override = lambda r: httpx.Response(
        429, headers={"retry-after": "0"}, json={"title": "Slow down"}
    )
    with pytest.raises(ModelRateLimitError):
        chat(server).invoke("q")


def test_a_post_that_failed_on_the_server_is_not_repeated(server: JyloServer) -> None:
    server.override = lambda r: httpx.Response(500, json={"title": "Boom"})
    llm = ChatJylo(client=server.client(max_retries=3), assistant_id=ASSISTANT, model=MODEL)
    with pytest.raises(Exception, match="500"):
        llm.invoke("q")
    assert len(server.posts()) == 1


# -- async ------------------------------------------------------------------------------------


async def test_ainvoke_uses_the_async_client(server: JyloServer) -> None:
    llm = ChatJylo(async_client=server.async_client(), assistant_id=ASSISTANT, model=MODEL)
    answer = await llm.ainvoke("Hotel caps?")
    assert answer.content == TEXT
    assert len(citations_of(answer)) == 3
    assert server.bodies() == [{"text": "Hotel caps?", "modelIdentifier": MODEL, "stream": False}]


async def test_astream_yields_text_then_sources_once(server: JyloServer) -> None:
    llm = ChatJylo(async_client=server.async_client(), assistant_id=ASSISTANT, model=MODEL)
    chunks = [c async for c in llm.astream("q")]
    assert len(chunks) == 4
    merged = merge(chunks)
    assert merged.content == TEXT
    assert len(merged.additional_kwargs["sources"]) == 2
    assert json.loads(server.posts()[0].content)["stream"] is True


# -- settings ---------------------------------------------------------------------------------


def test_fields_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JYLO_ASSISTANT_ID", ASSISTANT)
    monkeypatch.setenv("JYLO_MODEL_IDENTIFIER", MODEL)
    monkeypatch.setenv("JYLO_CLIENT_SECRET", "s3cret")
    llm = ChatJylo()
    assert llm.assistant_id == ASSISTANT
    assert llm.model_identifier == MODEL
    assert llm.client_secret is not None
    assert "s3cret" not in repr(llm)
    assert llm._get_ls_params()["ls_model_name"] == MODEL
