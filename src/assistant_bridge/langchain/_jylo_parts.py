"""Jylo messages as LangChain messages and back (no I/O here except the upload helpers).

- `human_parts`: a human message as the text to post and the files to upload (what
  `ChatJylo` posts is built from it in `._jylo_turns`): its text blocks, and its
  ``file`` / ``image`` / ``image_url`` blocks in every common form (v1 and v0 base64,
  OpenAI ``file_data`` and ``image_url`` data URLs, a ``path``, raw ``bytes``, or an
  already uploaded document's id; read by `._jylo_files`). A link is an error: Jylo
  cannot fetch URLs.
- `answer_message` / `delta_chunk` / `last_chunk`: a `JyloAnswer` (the adapter core's
  one form of a reply) as an ``AIMessage`` or a stream of chunks. ``content`` is the plain reply; ``additional_kwargs["sources"]`` holds the
  cited sources (shared metadata of `assistant_bridge.sources`, citations as spans of
  ``content``), emitted once, in the last chunk, together with ``text_with_citations``
  (the raw marked-up text) and ``document_ids`` (the documents attached to the question).
  ``response_metadata`` has ``model_provider="jylo"``, ``model_name`` (the model
  identifier), ``assistant_id``, ``message_id``, ``finish_reason``; the message ``id``
  is Jylo's message id. The Unleash content translator reads this shape, so it is
  registered for ``model_provider == "jylo"`` too (citations in ``content_blocks``).
- `from_jylo`: a stored Jylo message as a ``HumanMessage`` or ``AIMessage``;
  `is_stored`: whether a message carries the id of a message this assistant stores.
"""

from __future__ import annotations

from typing import Any

from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, HumanMessage
from langchain_core.messages.block_translators import register_translator

from .._adapter_core import Attachment, JyloAnswer, Outgoing, TextDelta, source_items
from ..jylo import Message
from ._content import translate_content
from ._errors import InvalidRequestError
from ._jylo_files import FILE_TYPES, file_block

__all__ = [
    "PROVIDER",
    "answer_message",
    "delta_chunk",
    "from_jylo",
    "human_parts",
    "is_stored",
    "last_chunk",
]

PROVIDER = "jylo"


def human_parts(message: BaseMessage, where: str) -> Outgoing[None]:
    """A human message's text, files to upload and document ids."""
    content: Any = message.content
    if isinstance(content, str):
        return Outgoing(content)
    texts: list[str] = []
    files: list[Attachment] = []
    ids: list[str] = []
    for index, block in enumerate(content):
        at = f"{where}.content[{index}]"
        if isinstance(block, str):
            texts.append(block)
        elif isinstance(block, dict) and block.get("type") in ("text", "text-plain"):
            texts.append(str(block.get("text", "")))
        elif isinstance(block, dict) and block.get("type") in FILE_TYPES:
            found = file_block(block, at, len(files))
            (ids if isinstance(found, str) else files).append(found)  # type: ignore[arg-type]
        else:
            kind = block.get("type") if isinstance(block, dict) else type(block).__name__
            raise InvalidRequestError(
                f"{at}: a {kind!r} block cannot be sent to Jylo, which takes text and files",
                field=at,
            )
    return Outgoing("".join(texts), tuple(files), tuple(ids))


def _metadata(answer: JyloAnswer, model: str, assistant_id: str) -> dict[str, Any]:
    reason = answer.incomplete_reason
    values: dict[str, Any] = {
        "model_provider": PROVIDER,
        "model_name": answer.model(model),
        "assistant_id": assistant_id,
        "message_id": answer.message.id,
        # "stop" only for the stored message (its end seen), else "unconfirmed";
        # "incomplete" for a reply without text (only returned with allow_partial)
        "finish_reason": answer.finish_reason,
    }
    if reason is not None:
        values.update(incomplete=True, incomplete_reason=reason)
    return {k: v for k, v in values.items() if v is not None}


def _kwargs(answer: JyloAnswer) -> dict[str, Any]:
    kwargs: dict[str, Any] = {"sources": source_items(answer.sources)}
    if answer.message.text_with_citations:
        kwargs["text_with_citations"] = answer.message.text_with_citations
    ids = answer.document_ids
    if ids:
        kwargs["document_ids"] = ids
    return kwargs


def answer_message(answer: JyloAnswer, *, model: str, assistant_id: str) -> AIMessage:
    """The ``AIMessage`` of a whole Jylo answer (`JyloAnswer.whole`)."""
    return AIMessage(
        content=answer.text,
        additional_kwargs=_kwargs(answer),
        response_metadata=_metadata(answer, model, assistant_id),
        id=answer.message.id,
    )


def delta_chunk(delta: TextDelta) -> AIMessageChunk:
    """The chunk of one streamed piece of reply text."""
    return AIMessageChunk(content=delta.text, response_metadata={"model_provider": PROVIDER})


def last_chunk(answer: JyloAnswer, *, model: str, assistant_id: str) -> AIMessageChunk:
    """The last chunk of a stream: held-back text, sources, metadata and the message id."""
    return AIMessageChunk(
        content=answer.tail,
        additional_kwargs=_kwargs(answer),
        response_metadata=_metadata(answer, model, assistant_id),
        id=answer.message.id,
        chunk_position="last",
    )


def from_jylo(message: Message, assistant_id: str) -> BaseMessage:
    """A stored Jylo message as an ``AIMessage`` (with sources) or a ``HumanMessage``."""
    if message.is_assistant:
        answer = JyloAnswer.whole(message, message.documents)
        return answer_message(
            answer, model=message.model_identifier or "", assistant_id=assistant_id
        )
    meta = {"vendor": PROVIDER, "assistant_id": assistant_id, "message_id": message.id}
    kwargs: dict[str, Any] = {}
    if message.message_document_identifiers:
        kwargs["document_ids"] = list(message.message_document_identifiers)
    return HumanMessage(
        content=message.text or "",
        id=message.id,
        additional_kwargs=kwargs,
        response_metadata={k: v for k, v in meta.items() if v is not None},
    )


def is_stored(message: BaseMessage, assistant_id: str) -> bool:
    """Whether ``message`` is one the assistant already stores (a Jylo id of this assistant)."""
    meta = message.response_metadata
    from_jylo_api = meta.get("model_provider") == PROVIDER or meta.get("vendor") == PROVIDER
    return bool(message.id) and from_jylo_api and meta.get("assistant_id") == assistant_id


def _translate_message(message: AIMessage) -> list[Any]:
    return translate_content(message)


def _translate_chunk(message: AIMessageChunk) -> list[Any]:
    return translate_content(message)


register_translator(PROVIDER, _translate_message, _translate_chunk)
