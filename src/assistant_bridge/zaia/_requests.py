"""What the sync and async Zaia clients share: settings, input checks, request building.

Nothing here sends a request. `ZaiaSettings` resolves the key, base URL and the
``authorization`` header's scheme (arguments first, then ``ZAIA_*`` variables); the
``*_options`` functions check the caller's input and build `RequestOptions`, so bad
input fails before anything is sent.

The reference names the header ``authorization`` and calls its value "the API key"; it
does not say whether a ``Bearer `` prefix is wanted (the vendor's older API used one).
The default sends the bare key, as the current reference reads; ``auth_scheme="Bearer"``
(or ``ZAIA_AUTH_SCHEME=Bearer``) sends ``Bearer <key>``. A key that already starts with
a scheme is sent as it is.

What the wire carries beyond seed 004's words, each an inference: list parameters repeat
their key (``joins=a&joins=b``); a join name is a letter followed by letters, digits,
``_``, ``.`` or ``-`` (the enum values are not published); ``pagination.limit`` (from
API-NOTES) is sent as that dotted query key, on chats and threads too;
``pagination.offset`` (in no document) only when a caller asks for it. A role string is
sent as given, since the role enum is not public.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import SecretStr

from .._transport import (
    CallOverrides,
    HeaderAuth,
    InvalidRequestError,
    RequestOptions,
    env_setting,
    secret_setting,
)
from .._validation import check_int, check_text, check_uuid
from ._types import ChatRole, Language
from ._validation import check_content, check_range, external_id

__all__ = [
    "DEFAULT_BASE_URL",
    "MAX_LIMIT",
    "ZaiaSettings",
    "create_message_options",
    "export_options",
    "list_chats_options",
    "list_messages_options",
    "list_threads_options",
]

DEFAULT_BASE_URL = "https://api.endless.zaia.app"
MAX_LIMIT = 1000
_MESSAGES = "api/v1/chat-messages"


@dataclass(frozen=True)
class ZaiaSettings:
    """The resolved connection settings of a Zaia client."""

    api_key: SecretStr
    base_url: str
    auth_scheme: str

    @classmethod
    def resolve(
        cls, api_key: str | SecretStr | None, base_url: str | None, auth_scheme: str | None
    ) -> ZaiaSettings:
        """Take the arguments, else ``ZAIA_API_KEY`` / ``ZAIA_BASE_URL`` / ``ZAIA_AUTH_SCHEME``."""
        key = secret_setting(api_key, "ZAIA_API_KEY")
        if key is None:
            raise InvalidRequestError(
                "api_key: no Zaia API key was given; pass api_key=... or set the "
                "ZAIA_API_KEY environment variable",
                field="api_key",
            )
        url = env_setting(base_url, "ZAIA_BASE_URL", DEFAULT_BASE_URL) or DEFAULT_BASE_URL
        scheme = env_setting(auth_scheme, "ZAIA_AUTH_SCHEME", "") or ""
        if scheme and (" " in scheme or not scheme.isprintable()):
            raise InvalidRequestError(
                f"auth_scheme: must be one word such as 'Bearer', got {scheme!r}",
                field="auth_scheme",
            )
        return cls(api_key=key, base_url=url, auth_scheme=scheme)

    def auth(self) -> HeaderAuth:
        """The ``authorization`` header: the key, with the scheme before it if one is set."""
        key = self.api_key.get_secret_value()
        prefix = f"{self.auth_scheme} " if self.auth_scheme and " " not in key else ""
        return HeaderAuth(self.api_key, header="authorization", prefix=prefix)


_JOIN = re.compile(r"[A-Za-z][A-Za-z0-9_.-]*")


def _joins(value: str | Iterable[str] | None) -> list[str]:
    """Join names: each a name (a letter, then letters, digits, ``_ . -``), once each."""
    if value is None:
        return []
    items = [value] if isinstance(value, str) else list(value)
    out: list[str] = []
    for index, item in enumerate(items):
        field = f"joins[{index}]"
        text = check_text(getattr(item, "value", item), field).strip()
        if not _JOIN.fullmatch(text):
            raise InvalidRequestError(
                f"{field}: must be one join name such as 'chat' (a letter, then letters, "
                f"digits, '_', '.' or '-'; pass several as a list), got {item!r}",
                field=field,
            )
        out.append(text)
    return list(dict.fromkeys(out))


def _uuids(value: str | uuid.UUID | Iterable[str | uuid.UUID] | None, field: str) -> list[str]:
    if value is None:
        return []
    items = [value] if isinstance(value, (str, uuid.UUID)) else list(value)
    checked = [check_uuid(item, f"{field}[{index}]") for index, item in enumerate(items)]
    return list(dict.fromkeys(checked))


def _limit(value: int | None) -> dict[str, int]:
    if value is None:
        return {}
    return {"pagination.limit": check_int(value, "limit", minimum=1, maximum=MAX_LIMIT)}


def list_messages_options(
    chat_id: Any,
    *,
    chat_thread_id: Any,
    joins: str | Iterable[str] | None,
    ticket_ids: Any,
    limit: int | None,
    call: CallOverrides,
    offset: int | None = None,
) -> RequestOptions:
    """``GET /api/v1/chat-messages``, every argument checked first.

    List values repeat their key (``joins=a&joins=b``, ``ticketIds=...&ticketIds=...``):
    OpenAPI's default for a query array (``style: form, explode: true``); seed 004 shows
    no encoding. One value is sent the same way (``joins=chat``). Repeats are dropped.
    ``pagination.offset`` is not in Zaia's documents: it is sent only when asked for.
    """
    params: dict[str, Any] = {"chatId": check_uuid(chat_id, "chat_id")}
    if chat_thread_id is not None:
        params["chatThreadId"] = check_uuid(chat_thread_id, "chat_thread_id")
    joined = _joins(joins)
    if joined:
        params["joins"] = joined
    tickets = _uuids(ticket_ids, "ticket_ids")
    if tickets:
        params["ticketIds"] = tickets
    params.update(_limit(limit))
    if offset is not None:
        params["pagination.offset"] = check_int(offset, "offset", minimum=0)
    return call.options("GET", _MESSAGES, params=params)


def _role(value: Any) -> str:
    """A `ChatRole`'s value, or a string as given (stripped): the enum is not public."""
    if isinstance(value, ChatRole):
        return value.value
    return check_text(value, "role").strip()


def message_body(
    chat_id: Any,
    content: Any,
    *,
    chat_thread_id: Any,
    external_id_value: Any,
    sender_id: Any,
    role: Any,
) -> dict[str, Any]:
    """The JSON body of ``POST /api/v1/chat-messages`` (nullable fields sent as null)."""
    return {
        "chatId": check_uuid(chat_id, "chat_id"),
        "chatThreadId": None
        if chat_thread_id is None
        else check_uuid(chat_thread_id, "chat_thread_id"),
        "content": check_content(content),
        "externalId": external_id(external_id_value),
        "senderId": check_uuid(sender_id, "sender_id"),
        "role": _role(role),
    }


def create_message_options(body: dict[str, Any], call: CallOverrides) -> RequestOptions:
    """``POST /api/v1/chat-messages``: not idempotent, so never repeated blindly."""
    return call.options("POST", _MESSAGES, json=body, idempotent=False)


def export_body(range_start: Any, range_end: Any, language: Any) -> dict[str, Any]:
    """The export body without ``callbackUrl`` (checked separately, DNS included).

    ``rangeStart`` is required but nullable (seed 004): ``None`` is sent as ``null``.
    """
    start, end = check_range(range_start, range_end)
    body: dict[str, Any] = {"rangeStart": start}
    if end is not None:
        body["rangeEnd"] = end
    if language is not None:
        raw = check_text(getattr(language, "value", language), "language").strip()
        try:
            body["language"] = Language(raw).value
        except ValueError:
            body["language"] = raw  # a language this version does not know: the server decides
    return body


def export_options(body: dict[str, Any], callback_url: str, call: CallOverrides) -> RequestOptions:
    """``POST /api/v1/chat-messages/export``: starts a job, so never repeated blindly."""
    return call.options(
        "POST", f"{_MESSAGES}/export", json={**body, "callbackUrl": callback_url}, idempotent=False
    )


def list_chats_options(
    limit: int | None, params: Mapping[str, Any] | None, call: CallOverrides
) -> RequestOptions:
    """``GET /api/v1/chats`` with optional ``pagination.limit`` and vendor filters."""
    query: dict[str, Any] = dict(params or {})
    query.update(_limit(limit))
    return call.options("GET", "api/v1/chats", params=query)


def list_threads_options(chat_id: Any, limit: int | None, call: CallOverrides) -> RequestOptions:
    """``GET /api/v1/chat-threads?chatId=...``."""
    query: dict[str, Any] = {"chatId": check_uuid(chat_id, "chat_id"), **_limit(limit)}
    return call.options("GET", "api/v1/chat-threads", params=query)


def part_external_ids(value: Any, count: int) -> list[str | None]:
    """External ids for ``count`` parts of one long message: ``<id>-1``, ``<id>-2``...

    One part keeps the id as given; ``None`` stays ``None`` for every part.
    """
    checked = external_id(value)
    if checked is None:
        return [None] * count
    if count == 1:
        return [checked]
    ids: list[str | None] = [f"{checked}-{index}" for index in range(1, count + 1)]
    external_id(f"{checked}-{count}", "external_id (with its part suffix)")
    return ids
