"""Jylo messages as LlamaIndex messages and back (no I/O here).

- `user_parts`: a user message as the text to post and the files to upload
  (``DocumentBlock`` / ``ImageBlock`` with ``data`` / ``image`` (raw or base64), a
  ``path``, or a ``data:`` URL as ``url``; a link is an error, Jylo cannot fetch one; an
  ``ImageBlock`` needs an ``image/*`` type); what `Jylo` posts is built from it in
  `._jylo_turns`.
- `chat_response`: a `JyloAnswer` (the adapter core's one form of a reply) as a
  ``ChatResponse``: ``message.blocks`` hold a
  ``TextBlock`` and one ``CitationBlock`` per cited span (from ``textWithCitations``);
  ``message.additional_kwargs`` has ``vendor="jylo"``, ``assistant_id``, ``message_id``
  (so a chat store knows the reply is stored); the response's ``additional_kwargs`` add
  ``model``, ``sources`` (the shared metadata of `assistant_bridge.sources`, as on the
  LangChain side), ``text_with_citations`` and ``document_ids``; ``raw`` is the message.
- `from_jylo`: a stored message as a ``ChatMessage``; `is_stored`: whether a message
  carries the id of a message this assistant stores.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    CitationBlock,
    DocumentBlock,
    ImageBlock,
    MessageRole,
    TextBlock,
)

from .. import InvalidRequestError
from .._adapter_core import (
    Attachment,
    JyloAnswer,
    Outgoing,
    check_media_type,
    default_filename,
    is_data_url,
    parse_data_url,
    source_items,
)
from ..jylo import Message
from ._answer_responses import citation_blocks

__all__ = [
    "VENDOR",
    "chat_response",
    "from_jylo",
    "is_stored",
    "user_parts",
]

VENDOR = "jylo"


def _data_url(block: DocumentBlock | ImageBlock, where: str) -> tuple[str | None, bytes] | None:
    """The media type and bytes of a block given by a ``data:`` URL (else None)."""
    has_data = block.data if isinstance(block, DocumentBlock) else block.image
    if not block.url or has_data or block.path:
        return None
    url = str(block.url)
    if not is_data_url(url):
        raise InvalidRequestError(
            f"{where}: Jylo cannot fetch a file from a URL; give the block data, a path or "
            "a 'data:<mime type>;base64,...' URL",
            field=where,
        )
    return parse_data_url(url, where, image=isinstance(block, ImageBlock))


def _attachment(block: DocumentBlock | ImageBlock, where: str, index: int) -> Attachment:
    has_data = block.data if isinstance(block, DocumentBlock) else block.image
    inline = _data_url(block, where)
    if inline is None and not has_data and not block.path:
        raise InvalidRequestError(f"{where}: the block has no data or path", field=where)
    title = None
    if isinstance(block, DocumentBlock):
        title = block.title if block.title != "input_document" else None
        given = check_media_type(block.document_mimetype, where)
    else:
        given = check_media_type(block.image_mimetype, where, image=True)
    if inline is not None:
        mime, data = inline[0] or given, inline[1]
    elif isinstance(block, DocumentBlock):
        mime, data = given, block.resolve_document().read()
    else:
        mime, data = given, block.resolve_image(as_base64=False).read()
    name = Path(str(block.path)).name if block.path else None
    filename = title or name
    return Attachment(bytes(data), filename or default_filename(mime, index), mime)


def user_parts(message: ChatMessage, where: str) -> Outgoing[ChatMessage]:
    """A user message's text (its text blocks, joined by newlines) and files."""
    texts: list[str] = []
    files: list[Attachment] = []
    for index, block in enumerate(message.blocks):
        at = f"{where}.blocks[{index}]"
        if isinstance(block, TextBlock):
            texts.append(block.text)
        elif isinstance(block, (DocumentBlock, ImageBlock)):
            files.append(_attachment(block, at, len(files)))
        elif not isinstance(block, CitationBlock):
            raise InvalidRequestError(
                f"{at}: a {block.block_type!r} block cannot be sent to Jylo, which takes "
                "text, documents and images",
                field=at,
            )
    return Outgoing("\n".join(texts), tuple(files))


def is_stored(message: ChatMessage, assistant_id: str) -> bool:
    """Whether ``message`` carries the id of a message this assistant stores."""
    kw = message.additional_kwargs
    return (
        kw.get("vendor") == VENDOR
        and kw.get("assistant_id") == assistant_id
        and bool(kw.get("message_id"))
    )


def _ids(message: Message, assistant_id: str) -> dict[str, Any]:
    ids = {"vendor": VENDOR, "assistant_id": assistant_id, "message_id": message.id}
    return {k: v for k, v in ids.items() if v is not None}


def chat_response(
    answer: JyloAnswer, *, assistant_id: str, model: str, delta: str | None = None
) -> ChatResponse:
    """The ``ChatResponse`` of a whole Jylo answer (`JyloAnswer`, whole or streamed)."""
    message = answer.message
    sources = answer.sources
    kwargs: dict[str, Any] = {
        **_ids(message, assistant_id),
        "model": answer.model(model),
        "sources": source_items(sources),
        "finish_reason": answer.finish_reason,  # as for Unleash
    }
    reason = answer.incomplete_reason  # a reply without text (allow_partial)
    if reason is not None:
        kwargs.update(incomplete=True, incomplete_reason=reason)
    if message.text_with_citations:
        kwargs["text_with_citations"] = message.text_with_citations
    doc_ids = answer.document_ids
    if doc_ids:
        kwargs["document_ids"] = doc_ids
    reply = ChatMessage(
        role=MessageRole.ASSISTANT,
        blocks=[TextBlock(text=answer.text), *citation_blocks(sources, answer.text)],
        additional_kwargs=_ids(message, assistant_id),
    )
    return ChatResponse(message=reply, raw=message, delta=delta, additional_kwargs=kwargs)


def from_jylo(message: Message, assistant_id: str) -> ChatMessage:
    """A stored message as a ``ChatMessage`` (a reply with its citation blocks)."""
    if message.is_assistant:
        response = chat_response(
            JyloAnswer.whole(message, message.documents),
            assistant_id=assistant_id,
            model=message.model_identifier or "",
        )
        return response.message
    kwargs = _ids(message, assistant_id)
    if message.message_document_identifiers:
        kwargs["document_ids"] = list(message.message_document_identifiers)
    return ChatMessage(role=MessageRole.USER, content=message.text or "", additional_kwargs=kwargs)
