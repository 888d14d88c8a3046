"""ChatJylo file and image blocks in every common form, on the in-process emulator.

Each form becomes one document upload (seed 003: ``POST .../messages/document``): the
tests read back the multipart part the emulator received (filename, content type, bytes)
and the answer's citation of the uploaded document. Bad blocks fail before any request.
"""

from __future__ import annotations

import base64
from email.parser import BytesParser
from email.policy import default
from typing import Any

import httpx
import pytest
from langchain_core.exceptions import ModelInvalidRequestError
from langchain_core.messages import HumanMessage

from assistant_bridge.langchain._chat_jylo import ChatJylo

from .._vendor_emu import JYLO_MODEL, Emulator

NOTE = b"Project Zephyr launches on 14 March. The Zephyr budget is 40000 EUR."
QUESTION = "What is the Zephyr budget?"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


@pytest.fixture
def emu() -> Emulator:
    return Emulator.start()


def chat(emu: Emulator) -> ChatJylo:
    client = emu.jylo()
    assistant = client.list_assistants()[0].id
    assert assistant is not None
    return ChatJylo(
        client=client, async_client=emu.ajylo(), assistant_id=assistant, model=JYLO_MODEL
    )


def received(request: httpx.Request) -> tuple[str | None, str, bytes]:
    """The filename, content type and bytes of the upload's one multipart part."""
    head = f"Content-Type: {request.headers['content-type']}\r\n\r\n".encode()
    parsed = BytesParser(policy=default).parsebytes(head + request.content)
    (part,) = list(parsed.iter_parts())
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return part.get_filename(), part.get_content_type(), payload


def ask(emu: Emulator, block: dict[str, Any], question: str = QUESTION) -> Any:
    message = HumanMessage(content=[{"type": "text", "text": question}, block])
    return chat(emu).invoke([message])


NOTE_FORMS: dict[str, dict[str, Any]] = {
    "openai file data URL": {
        "type": "file",
        "file": {"filename": "zephyr.txt", "file_data": f"data:text/plain;base64,{b64(NOTE)}"},
    },
    "openai file bare base64": {
        "type": "file",
        "file": {"filename": "zephyr.txt", "file_data": b64(NOTE)},
    },
    "v1 base64": {
        "type": "file",
        "base64": b64(NOTE),
        "mime_type": "text/plain",
        "extras": {"filename": "zephyr.txt"},
    },
    "v1 data URL": {
        "type": "file",
        "url": f"data:text/plain;base64,{b64(NOTE)}",
        "filename": "zephyr.txt",
    },
    "v0 base64": {
        "type": "file",
        "source_type": "base64",
        "data": b64(NOTE),
        "mime_type": "text/plain",
        "filename": "zephyr.txt",
    },
    "percent-encoded data URL": {
        "type": "file",
        "file": {"filename": "zephyr.txt", "file_data": "data:text/plain," + NOTE.decode()},
    },
}


@pytest.mark.parametrize("form", list(NOTE_FORMS))
def test_a_text_file_in_each_form_is_uploaded_and_cited(emu: Emulator, form: str) -> None:
    reply = ask(emu, NOTE_FORMS[form])
    (upload,) = emu.posts("/messages/document")
    assert received(upload) == ("zephyr.txt", "text/plain", NOTE)
    (doc_id,) = reply.additional_kwargs["document_ids"]
    cited = [s["metadata"] for s in reply.additional_kwargs["sources"]]
    assert [(m["id"], m["title"]) for m in cited] == [(doc_id, "zephyr.txt")]
    assert "40000 EUR" in reply.content
    assert cited[0]["data"]["contentType"] == "text/plain"
    assert cited[0]["data"]["size"] == len(NOTE)


PDF_FORMS: dict[str, dict[str, Any]] = {
    "openai file": {
        "type": "file",
        "file": {"filename": "brief.pdf", "file_data": f"data:application/pdf;base64,{b64(PDF)}"},
    },
    "v1 file": {"type": "file", "base64": b64(PDF), "mime_type": "application/pdf"},
    "v0 file": {
        "type": "file",
        "source_type": "base64",
        "data": b64(PDF),
        "mime_type": "application/pdf",
    },
}


@pytest.mark.parametrize("form", list(PDF_FORMS))
def test_a_pdf_in_each_form_is_uploaded_and_attached(emu: Emulator, form: str) -> None:
    reply = ask(emu, PDF_FORMS[form], "Summarize this document:")
    (upload,) = emu.posts("/messages/document")
    name, mime, data = received(upload)
    assert (mime, data) == ("application/pdf", PDF)
    assert name == ("brief.pdf" if form == "openai file" else "attachment-1.pdf")
    posted = emu.posts("/messages")[-1]
    assert (
        reply.additional_kwargs["document_ids"]
        == (httpx.Response(200, content=posted.content).json()["messageDocumentIdentifiers"])
    )


IMAGE_FORMS: dict[str, dict[str, Any]] = {
    "openai image_url": {
        "type": "image_url",
        "image_url": {"url": f"data:image/png;base64,{b64(PNG)}", "detail": "low"},
    },
    "openai image_url string": {
        "type": "image_url",
        "image_url": f"data:image/png;base64,{b64(PNG)}",
    },
    "v1 image": {"type": "image", "base64": b64(PNG), "mime_type": "image/png"},
    "v0 image": {
        "type": "image",
        "source_type": "base64",
        "data": b64(PNG),
        "mime_type": "image/png",
    },
}


@pytest.mark.parametrize("form", list(IMAGE_FORMS))
def test_an_image_in_each_form_is_uploaded(emu: Emulator, form: str) -> None:
    reply = ask(emu, IMAGE_FORMS[form], "Describe this image.")
    (upload,) = emu.posts("/messages/document")
    assert received(upload) == ("attachment-1.png", "image/png", PNG)
    assert len(reply.additional_kwargs["document_ids"]) == 1


async def test_ainvoke_uploads_an_openai_file_block(emu: Emulator) -> None:
    message = HumanMessage(content=[{"type": "text", "text": QUESTION}, NOTE_FORMS["v1 base64"]])
    reply = await chat(emu).ainvoke([message])
    (upload,) = emu.posts("/messages/document")
    assert received(upload) == ("zephyr.txt", "text/plain", NOTE)
    assert reply.additional_kwargs["sources"][0]["metadata"]["title"] == "zephyr.txt"


BAD_BLOCKS: dict[str, tuple[dict[str, Any], str]] = {
    "http image_url": (
        {"type": "image_url", "image_url": {"url": "https://x.test/cat.png"}},
        "cannot fetch a file from a URL",
    ),
    "http v1 image": ({"type": "image", "url": "https://x.test/cat.png"}, "cannot fetch"),
    "malformed base64": (
        {"type": "file", "base64": "not base64!", "mime_type": "application/pdf"},
        "not valid base64",
    ),
    "malformed data URL base64": (
        {
            "type": "file",
            "file": {"filename": "a.pdf", "file_data": "data:application/pdf;base64,%%%"},
        },
        "not valid base64",
    ),
    "data URL without comma": (
        {"type": "image_url", "image_url": {"url": "data:image/png;base64"}},
        "needs a ','",
    ),
    "non-image type in image_url": (
        {"type": "image_url", "image_url": {"url": f"data:application/pdf;base64,{b64(PDF)}"}},
        r"needs an 'image/\*' mime type",
    ),
    "non-image type in v1 image": (
        {"type": "image", "base64": b64(PDF), "mime_type": "application/pdf"},
        r"needs an 'image/\*' mime type",
    ),
    "malformed mime type": (
        {"type": "file", "base64": b64(PDF), "mime_type": "pdf"},
        "must be a media type",
    ),
    "image data URL without type": (
        {"type": "image_url", "image_url": {"url": f"data:;base64,{b64(PNG)}"}},
        "must name its 'image/",
    ),
    "empty base64": ({"type": "file", "base64": "", "mime_type": "text/plain"}, "empty"),
    "image_url without url": ({"type": "image_url", "image_url": {}}, "needs 'image_url'"),
}


@pytest.mark.parametrize("case", list(BAD_BLOCKS))
def test_a_bad_block_is_refused_naming_it_before_any_request(emu: Emulator, case: str) -> None:
    block, rule = BAD_BLOCKS[case]
    model = chat(emu)
    before = len(emu.sync_transport.requests)
    with pytest.raises(ModelInvalidRequestError, match=rule) as caught:
        model.invoke([HumanMessage(content=[{"type": "text", "text": "q"}, block])])
    assert "messages[0].content[1]" in str(caught.value)
    assert len(emu.sync_transport.requests) == before
