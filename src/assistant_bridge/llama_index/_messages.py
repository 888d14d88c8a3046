"""LlamaIndex ``ChatMessage`` s to the ``{"role", "text"}`` messages Unleash chat takes.

System (and developer) messages map to ``System``, user messages to ``User``, assistant
messages (and the ``chatbot`` / ``model`` spellings of other vendors) to ``Assistant``.
A message's text is its ``TextBlock`` s joined with newlines, as ``ChatMessage.content``
joins them. ``CitationBlock`` s and ``ThinkingBlock`` s are left out on purpose: they
annotate an answer whose text is already in its ``TextBlock`` s (so an answer of `Unleash`
or `Jylo`, kept in chat memory, can be sent back; `ANSWER_BLOCKS`).
Anything else the API cannot carry (tool or function messages, images, documents, audio,
tool calls) is an `InvalidRequestError` naming the message, raised before any request.
"""

from __future__ import annotations

from collections.abc import Sequence

from llama_index.core.base.llms.types import (
    ChatMessage,
    CitationBlock,
    MessageRole,
    TextBlock,
    ThinkingBlock,
)

from .. import InvalidRequestError
from .._adapter_core import unleash_wire

__all__ = ["ANSWER_BLOCKS", "message_text", "role_of", "to_unleash_messages"]

ANSWER_BLOCKS = (CitationBlock, ThinkingBlock)
"""Blocks that annotate an answer whose text is in its ``TextBlock`` s: never sent."""

_ROLES: dict[MessageRole, str] = {
    MessageRole.SYSTEM: "System",
    MessageRole.DEVELOPER: "System",
    MessageRole.USER: "User",
    MessageRole.ASSISTANT: "Assistant",
    MessageRole.CHATBOT: "Assistant",
    MessageRole.MODEL: "Assistant",
}


def role_of(message: ChatMessage) -> str | None:
    """``System``, ``User`` or ``Assistant`` for a message's role, else None."""
    return _ROLES.get(message.role)


def _role(message: ChatMessage, where: str) -> str:
    role = _ROLES.get(message.role)
    if role is None:
        raise InvalidRequestError(
            f"{where}: a {message.role.value!r} message cannot be sent to Unleash, whose chat "
            "API takes only system, user and assistant messages (no tool or function results)",
            field=f"{where}.role",
        )
    return role


def message_text(message: ChatMessage, where: str, *, vendor: str = "Unleash") -> str:
    """A message's ``TextBlock`` s joined by newlines, answer blocks left out.

    Raises:
        InvalidRequestError: any other block (an image, a document, a tool call).
    """
    parts: list[str] = []
    for index, block in enumerate(message.blocks):
        if isinstance(block, TextBlock):
            parts.append(block.text)
        elif not isinstance(block, ANSWER_BLOCKS):
            raise InvalidRequestError(
                f"{where}.blocks[{index}]: a {block.block_type!r} block cannot be sent to "
                f"{vendor}, whose chat API takes text only",
                field=f"{where}.blocks[{index}]",
            )
    return "\n".join(parts)


def to_unleash_messages(messages: Sequence[ChatMessage]) -> list[dict[str, str]]:
    """The conversation in Unleash's wire form, oldest first.

    Args:
        messages: LlamaIndex chat messages.

    Returns:
        ``[{"role": "System" | "User" | "Assistant", "text": ...}]``.

    Raises:
        InvalidRequestError: no messages, a tool or function message, a non-text block,
            or a message without text.
    """
    return unleash_wire(messages, _read)


def _read(message: ChatMessage, where: str) -> tuple[str, str]:
    if not isinstance(message, ChatMessage):
        raise InvalidRequestError(
            f"{where}: must be a llama_index ChatMessage, got {type(message).__name__}",
            field=where,
        )
    return _role(message, where), message_text(message, where)
