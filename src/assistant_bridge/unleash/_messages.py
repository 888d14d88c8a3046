"""Checking and normalising chat messages before they are sent to Unleash.

Messages may be ``{"role": ..., "text": ...}`` dicts (``content`` is accepted for
``text``), ``(role, text)`` pairs, or any object with ``role`` and ``text`` attributes
(such as `ChatMessageRequest`). Roles are matched case-insensitively and sent in the
API's spelling. Every problem is an `InvalidRequestError` naming the message's index.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .._transport import InvalidRequestError

__all__ = ["ROLES", "normalize_messages"]

ROLES = ("User", "System", "Assistant")
_ROLE_BY_FOLDED = {r.casefold(): r for r in ROLES}


def _parts(message: Any) -> tuple[Any, Any]:
    if isinstance(message, Mapping):
        unknown = set(message) - {"role", "text", "content"}
        if unknown:
            raise InvalidRequestError(
                f"unknown key(s) {sorted(unknown)}; a message has 'role' and 'text'",
                field="role",
            )
        text = message.get("text", message.get("content"))
        return message.get("role"), text
    if isinstance(message, tuple) and len(message) == 2:
        return message[0], message[1]
    if hasattr(message, "role") and hasattr(message, "text"):
        return message.role, message.text
    raise InvalidRequestError(
        f"must be a dict with 'role' and 'text', a (role, text) pair, or a message object; "
        f"got {type(message).__name__}",
        field="",
    )


def _role(value: Any, where: str) -> str:
    raw = getattr(value, "value", value)  # an enum member
    if isinstance(raw, str) and raw.casefold() in _ROLE_BY_FOLDED:
        return _ROLE_BY_FOLDED[raw.casefold()]
    raise InvalidRequestError(
        f"{where}.role: must be one of {', '.join(ROLES)} (any case), got {raw!r}",
        field=f"{where}.role",
    )


def normalize_messages(messages: Iterable[Any]) -> list[dict[str, str]]:
    """Check the messages and return them in wire form ``[{"role": ..., "text": ...}]``.

    Raises:
        InvalidRequestError: the list is empty, or a message has an unknown role, no text,
            or an unknown key.
    """
    if isinstance(messages, (str, bytes, Mapping)):
        raise InvalidRequestError(
            "messages: must be a list of messages, not a single "
            f"{type(messages).__name__}; wrap it in a list",
            field="messages",
        )
    out: list[dict[str, str]] = []
    for index, message in enumerate(messages):
        where = f"messages[{index}]"
        try:
            role, text = _parts(message)
        except InvalidRequestError as exc:
            field = f"{where}.{exc.field}" if exc.field else where
            raise InvalidRequestError(f"{where}: {exc.message}", field=field) from None
        canonical = _role(role, where)
        if not isinstance(text, str) or not text.strip():
            raise InvalidRequestError(
                f"{where}.text: must be a non-empty string, got {text!r}", field=f"{where}.text"
            )
        out.append({"role": canonical, "text": text})
    if not out:
        raise InvalidRequestError("messages: must hold at least one message", field="messages")
    return out
