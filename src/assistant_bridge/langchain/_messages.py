"""LangChain messages to the ``{"role", "text"}`` messages the Unleash chat APIs take.

System, Human and AI messages map to ``System``, ``User`` and ``Assistant`` (a generic
``ChatMessage`` by its role). Content may be a string or a list of blocks; anything
the API cannot carry (a ``ToolMessage``, an image or file block) is an
`InvalidRequestError` naming the message, before any request.

Every AI message this package produces can be sent back, in every output format: its
text is sent, and the blocks that only describe how an answer was made (`ANSWER_BLOCKS`:
``citation``, ``server_tool_call``, ``server_tool_call_chunk``, ``server_tool_result``,
``reasoning``) are left out on purpose, as are a text block's ``annotations``. The same
rule serves the Zaia history (`zaia_text`, `zaia_role`) and the earlier turns `ChatJylo`
folds into its post.
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

from .._adapter_core import unleash_wire, unsupported
from ._errors import InvalidRequestError, translated_errors

__all__ = [
    "ANSWER_BLOCKS",
    "message_text",
    "role_of",
    "to_unleash_messages",
    "unsendable_block",
    "zaia_role",
    "zaia_text",
]

ANSWER_BLOCKS = frozenset(
    {"citation", "server_tool_call", "server_tool_call_chunk", "server_tool_result", "reasoning"}
)
"""Block types that annotate an answer whose text is in its text blocks: never sent."""
_TEXT_BLOCKS = ("text", "text-plain")

_ROLES = {
    "system": "System",
    "developer": "System",
    "human": "User",
    "user": "User",
    "ai": "Assistant",
    "assistant": "Assistant",
}


def role_of(message: BaseMessage) -> str | None:
    """``System``, ``User`` or ``Assistant`` for a message (chunks included), else None."""
    if isinstance(message, SystemMessage):
        return "System"
    if isinstance(message, HumanMessage):
        return "User"
    if isinstance(message, AIMessage):
        return "Assistant"
    if isinstance(message, ChatMessage):
        return _ROLES.get(message.role.lower())
    return None


def _role(message: BaseMessage, where: str) -> str:
    role = role_of(message)
    if role is not None:
        return role
    raise InvalidRequestError(
        f"{where}: a {type(message).__name__} cannot be sent to Unleash, which takes only "
        "system, human and AI messages (tool results and function messages are not "
        "supported by its chat API)",
        field=where,
    )


def unsendable_block(message: BaseMessage) -> tuple[int, str] | None:
    """The index and type of the first block that is neither text nor an answer block."""
    content: Any = message.content
    if isinstance(content, str):
        return None
    for index, block in enumerate(content):
        if isinstance(block, str):
            continue
        kind = block.get("type") if isinstance(block, dict) else type(block).__name__
        if kind not in _TEXT_BLOCKS and kind not in ANSWER_BLOCKS:
            return index, str(kind)
    return None


def _joined(message: BaseMessage) -> str:
    content: Any = message.content
    if isinstance(content, str):
        return content
    parts: list[str] = []
    for block in content:
        if isinstance(block, str):
            parts.append(block)
        elif isinstance(block, dict) and block.get("type") in _TEXT_BLOCKS:
            parts.append(str(block.get("text", "")))
    return "".join(parts)


def message_text(
    message: BaseMessage, where: str, *, vendor: str = "Unleash", hint: str = ""
) -> str:
    """The text of a message: its text blocks joined, answer blocks left out.

    Raises:
        InvalidRequestError: a block that is neither text nor an answer block (an image,
            a file, a tool call), naming it.
    """
    bad = unsendable_block(message)
    if bad is not None:
        index, kind = bad
        raise InvalidRequestError(
            f"{where}.content[{index}]: a {kind!r} block cannot be sent to {vendor}, "
            f"whose chat API takes text only{hint}",
            field=f"{where}.content[{index}]",
        )
    return _joined(message)


_ZAIA_ROLES = {"System": "system", "User": "user", "Assistant": "assistant"}


def zaia_role(message: BaseMessage, where: str) -> str:
    """The Zaia role of a message to store (a ``ChatMessage`` keeps its own role).

    Raises:
        UnsupportedOperationError: a tool or function message.
    """
    if isinstance(message, ChatMessage):
        lowered = message.role.lower()
        known = _ROLES.get(lowered)
        return _ZAIA_ROLES[known] if known else lowered
    role = role_of(message)
    if role is None:
        raise unsupported(
            "zaia",
            "add_messages",
            f"{where} is a {type(message).__name__}; Zaia stores user, assistant "
            "and system messages only",
        )
    return _ZAIA_ROLES[role]


def zaia_text(message: BaseMessage, where: str) -> str:
    """The text of a message to store in Zaia (answer blocks left out, see the module).

    Raises:
        UnsupportedOperationError: an image, file or other non-text block.
    """
    bad = unsendable_block(message)
    if bad is not None:
        index, kind = bad
        raise unsupported(
            "zaia",
            "add_messages",
            f"{where}.content[{index}] is a {kind!r} block; Zaia stores text only",
        )
    return _joined(message)


def to_unleash_messages(messages: Sequence[BaseMessage]) -> list[dict[str, str]]:
    """The conversation in Unleash's wire form, oldest first.

    Raises:
        InvalidRequestError: an unsupported message type or content block, or a message
            without text.
    """
    with translated_errors():
        return unleash_wire(messages, lambda m, where: (_role(m, where), message_text(m, where)))
