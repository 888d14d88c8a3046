"""The LlamaIndex Jylo LLM's document and image blocks, on the in-process emulator.

``DocumentBlock`` / ``ImageBlock`` given as raw bytes, base64 or a ``data:`` URL each
become one document upload (seed 003): the tests read back the part the emulator received
and the answer citing the document. A link or a bad data URL fails before any request.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from email.parser import BytesParser
from email.policy import default

import httpx
import pytest
from llama_index.core.base.llms.types import (
    ChatMessage,
    DocumentBlock,
    ImageBlock,
    MessageRole,
    TextBlock,
)

from assistant_bridge import InvalidRequestError
from assistant_bridge.llama_index._jylo_llm import Jylo

from .._vendor_emu import JYLO_MODEL, Emulator

NOTE = b"Project Zephyr launches on 14 March. The Zephyr budget is 40000 EUR."
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


@pytest.fixture
def emu() -> Emulator:
    return Emulator.start()


def llm(emu: Emulator) -> Jylo:
    client = emu.jylo()
    assistant = client.list_assistants()[0].id
    assert assistant is not None
    return Jylo(
        client=client,
        async_client=emu.ajylo(),
        assistant_id=assistant,
        model_identifier=JYLO_MODEL,
    )


def received(request: httpx.Request) -> tuple[str | None, str, bytes]:
    """The filename, content type and bytes of the upload's one multipart part."""
    head = f"Content-Type: {request.headers['content-type']}\r\n\r\n".encode()
    (part,) = list(BytesParser(policy=default).parsebytes(head + request.content).iter_parts())
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return part.get_filename(), part.get_content_type(), payload


def ask(text: str, block: DocumentBlock | ImageBlock) -> list[ChatMessage]:
    return [ChatMessage(role=MessageRole.USER, blocks=[TextBlock(text=text), block])]


DOCUMENTS: dict[str, Callable[[], DocumentBlock]] = {
    "raw bytes": lambda: DocumentBlock(
        data=NOTE, title="zephyr.txt", document_mimetype="text/plain"
    ),
    "base64": lambda: DocumentBlock(
        data=base64.b64encode(NOTE), title="zephyr.txt", document_mimetype="text/plain"
    ),
    "data URL": lambda: DocumentBlock(
        url="data:text/plain;base64," + base64.b64encode(NOTE).decode(), title="zephyr.txt"
    ),
}


@pytest.mark.parametrize("form", list(DOCUMENTS))
def test_a_document_block_in_each_form_is_uploaded_and_cited(emu: Emulator, form: str) -> None:
    response = llm(emu).chat(ask("What is the Zephyr budget?", DOCUMENTS[form]()))
    (upload,) = emu.posts("/messages/document")
    assert received(upload) == ("zephyr.txt", "text/plain", NOTE)
    (doc_id,) = response.additional_kwargs["document_ids"]
    cited = [s["metadata"] for s in response.additional_kwargs["sources"]]
    assert [(m["id"], m["title"]) for m in cited] == [(doc_id, "zephyr.txt")]
    assert "40000 EUR" in str(response.message.content)


async def test_an_image_data_url_is_uploaded_by_achat(emu: Emulator) -> None:
    block = ImageBlock(url="data:image/png;base64," + base64.b64encode(PNG).decode())
    response = await llm(emu).achat(ask("Describe this image.", block))
    (upload,) = emu.posts("/messages/document")
    assert received(upload) == ("attachment-1.png", "image/png", PNG)
    assert len(response.additional_kwargs["document_ids"]) == 1


BAD: dict[str, tuple[Callable[[], DocumentBlock | ImageBlock], str]] = {
    "link": (lambda: ImageBlock(url="https://x.test/cat.png"), "cannot fetch a file from a URL"),
    "malformed base64": (
        lambda: DocumentBlock(url="data:application/pdf;base64,%%%"),
        "not valid base64",
    ),
    "non-image data URL in an image block": (
        lambda: ImageBlock(url="data:text/plain;base64," + base64.b64encode(NOTE).decode()),
        r"needs an 'image/\*' mime type",
    ),
}


@pytest.mark.parametrize("case", list(BAD))
def test_a_bad_block_is_refused_before_any_request(emu: Emulator, case: str) -> None:
    make, rule = BAD[case]
    model = llm(emu)
    before = len(emu.sync_transport.requests)
    with pytest.raises(InvalidRequestError, match=rule) as caught:
        model.chat(ask("q", make()))
    assert "messages[0].blocks[1]" in str(caught.value)
    assert len(emu.sync_transport.requests) == before
