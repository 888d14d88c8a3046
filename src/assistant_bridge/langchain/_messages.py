"""LangChain messages to the ``{"role", "text"}`` messages the Unleash chat APIs take.

System, Human and AI messages map to ``System``, ``User`` and ``Assistant`` (a generic
``ChatMessage`` by its role). Content may be a string or a list of text blocks; anything
the API cannot carry (a ``ToolMessage``, an image or file block) is an
`InvalidRequestError` naming the message, before any request.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    ChatMessage,
    HumanMessage,
    SystemMessage,
)

from ._errors import InvalidRequestError

__all__ = ["message_text", "to_unleash_messages"]

_ROLES = {
    "system": "System",
    "developer": "System",
    "human": "User",
    "user": "User",
    "ai": "Assistant",
    "assistant": "Assistant",
}


def _role(message: BaseMessage, where: str) -> str:
    if isinstance(message, SystemMessage):
        return "System"
    if isinstance(message, HumanMessage):
        return "User"
    if isinstance(message, AIMessage):
        return "Assistant"
    if isinstance(message, ChatMessage) and message.role.lower() in _ROLES:
        return _ROLES[message.role.lower()]
    raise InvalidRequestError(
        f"{where}: a {type(message).__name__} cannot be sent to Unleash, which takes only "
        "system, human and AI messages (tool results and function messages are not "
        "supported by its chat API)",
        field=where,
    )


def message_text(message: BaseMessage, where: str) -> str:
    """The text of a message whose content is a string or text blocks only."""
    content: Any = message.content
    if isinstance(content, str):
        return content
    parts: list[str] = []
    for index, block in enumerate(content):
        if isinstance(block, str):
            parts.append(block)
        elif isinstance(block, dict) and block.get("type") in ("text", "text-plain"):
            parts.append(str(block.get("text", "")))
        else:
            kind = block.get("type") if isinstance(block, dict) else type(block).__name__
            raise InvalidRequestError(
                f"{where}.content[{index}]: a {kind!r} block cannot be sent to Unleash, "
                "whose chat API takes text only",
                field=f"{where}.content[{index}]",
            )
    return "".join(parts)


def to_unleash_messages(messages: Sequence[BaseMessage]) -> list[dict[str, str]]:
    """The conversation in Unleash's wire form, oldest first.

    Raises:
        InvalidRequestError: an unsupported message type or content block, or a message
            without text.
    """
    out: list[dict[str, str]] = []
    for index, message in enumerate(messages):
        where = f"messages[{index}]"
        role = _role(message, where)
        text = message_text(message, where)
        if not text.strip():
            raise InvalidRequestError(f"{where}: has no text to send", field=where)
        out.append({"role": role, "text": text})
    if not out:
        raise InvalidRequestError("messages: must hold at least one message", field="messages")
    return out
