"""A framework's conversation to the ``{"role", "text"}`` messages the Unleash chat APIs take.

Each framework says how one of its messages reads (`unleash_wire`'s ``read``: the role
and the text, raising for what Unleash cannot carry); the rules every conversation
follows are here once: every message has text, and there is at least one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from .._transport import InvalidRequestError

__all__ = ["unleash_wire"]

_M = TypeVar("_M")


def unleash_wire(
    messages: Sequence[_M], read: Callable[[_M, str], tuple[str, str]]
) -> list[dict[str, str]]:
    """The conversation in Unleash's wire form, oldest first.

    Args:
        messages: the framework's messages.
        read: a message and where it is (``"messages[2]"``) to its Unleash role and text.

    Raises:
        InvalidRequestError: what ``read`` raises, a message without text, or no messages.
    """
    out: list[dict[str, str]] = []
    for index, message in enumerate(messages):
        where = f"messages[{index}]"
        role, text = read(message, where)
        if not text.strip():
            raise InvalidRequestError(f"{where}: has no text to send", field=where)
        out.append({"role": role, "text": text})
    if not out:
        raise InvalidRequestError("messages: must hold at least one message", field="messages")
    return out
