"""Zaia wire models: chat messages, chats, chat threads, export receipts, list results.

Response models keep unknown fields (``joins`` add related objects to a message, under
names the documents do not give) and require none, even where seed 004 marks a field
required. Identifiers stay strings; a timestamp that does not parse is read as ``None``.
Role values are not public, so ``role`` is a `ChatRole` when it is one of the inferred
values (any case) and otherwise the string the server sent.

Seed 004 documents the message fields only. `Chat` and `ChatThread` come from endpoints
API-NOTES names without fields: only ``id`` is relied on; their other fields are
inferred and ``None`` when a server does not send them. Seed 004 shows the list answer of
``GET /api/v1/chat-messages`` as "application/json or or or" (alternatives not shown): a
`ListResult` reads a JSON array, and an object that wraps one (see `ListResult`).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Annotated, Any, Generic, TypeVar

from pydantic import BeforeValidator, Field, TypeAdapter, ValidationError, model_validator

from .._models import CaseInsensitiveEnum, ResponseModel

__all__ = [
    "Chat",
    "ChatMessage",
    "ChatRole",
    "ChatThread",
    "ExportStarted",
    "Language",
    "ListResult",
]

_T = TypeVar("_T")
_ITEM_KEYS = (
    "items",
    "data",
    "results",
    "records",
    "rows",
    "content",
    "messages",
    "chatMessages",
    "chats",
    "chatThreads",
    "threads",
)
_DATETIME: TypeAdapter[datetime] = TypeAdapter(datetime)


def _lenient_datetime(value: Any) -> Any:
    if value is None or isinstance(value, datetime):
        return value
    if isinstance(value, str) and value.strip():
        try:
            return _DATETIME.validate_python(value.strip())
        except ValidationError:
            return None
    return None


Timestamp = Annotated[datetime | None, BeforeValidator(_lenient_datetime)]
"""A date-time that reads an unparseable value as ``None``."""


class Language(CaseInsensitiveEnum):
    """Export languages the vendor documents (``enUs`` is the default); any case.

    Other values are passed to the server as given.
    """

    EN_US = "enUs"


class ChatRole(CaseInsensitiveEnum):
    """Message roles (inferred: the vendor does not publish the enum); read in any case.

    A `ChatRole` is sent as its value; a string role is sent exactly as given (so another
    spelling or another role can be sent), and a role the server sends that is not listed
    is kept as a string.
    """

    USER = "user"
    ASSISTANT = "assistant"
    SYSTEM = "system"


RoleValue = Annotated[ChatRole | str | None, Field(union_mode="left_to_right")]


class ChatMessage(ResponseModel):
    """One message of a chat.

    Attributes:
        id: the message's id.
        chat_id: the chat it belongs to.
        chat_thread_id: its thread, if any.
        content: the text (at most 4000 characters when created through the API).
        raw_content: the content as the assistant generated it.
        external_id: your reference in the integrated system.
        role: the role of the actor that produced it: a `ChatRole` when known (any
            case), else the server's string.
        sender_id: who sent it (agent, squad, user or external user).
    """

    id: str | None = None
    created_at: Timestamp = None
    updated_at: Timestamp = None
    chat_id: str | None = None
    chat_thread_id: str | None = None
    content: str | None = None
    external_id: str | None = None
    raw_content: str | None = None
    role: RoleValue = None
    sender_id: str | None = None


class Chat(ResponseModel):
    """A chat (a conversation with an agent); use its ``id`` as ``chat_id``."""

    id: str | None = None
    name: str | None = None
    created_at: Timestamp = None
    updated_at: Timestamp = None


class ChatThread(ResponseModel):
    """A thread within a chat; use its ``id`` as ``chat_thread_id``.

    Only ``id`` is relied on. ``ticket_id`` (the ticket the thread is about, usable in
    ``ticket_ids``) is inferred: Zaia does not document how a ticket id is learnt.
    """

    id: str | None = None
    chat_id: str | None = None
    name: str | None = None
    ticket_id: str | None = None
    created_at: Timestamp = None
    updated_at: Timestamp = None


class ExportStarted(ResponseModel):
    """The answer to an export request; the data is POSTed to ``callback_url`` later."""

    message: str | None = None


class ListResult(ResponseModel, Generic[_T]):
    """The items of a list answer, and its ``pagination`` block if the server sent one.

    A bare JSON array is read as the items. So is an object that wraps one: the list under
    ``items``, ``data``, ``results``, ``records``, ``rows``, ``content``, ``messages`` or
    the resource's own name (one level of nesting too, e.g. ``{"data": {"items": []}}``),
    else the object's only list. The wrapper's other fields are kept (``model_extra``).
    An answer with no list (``null``, ``{}``) or with several unknown lists is an error,
    never an empty result. Iterate the result or use ``len(result)``.
    """

    items: list[_T] = Field(default_factory=list)
    pagination: dict[str, Any] | None = None

    @model_validator(mode="before")
    @classmethod
    def _unwrap(cls, value: Any) -> Any:
        if isinstance(value, list):
            return {"items": value}
        if not isinstance(value, dict):
            raise ValueError(f"expected a JSON array of items, got {type(value).__name__}")
        found = _find_items(value, depth=2)
        if found is None:
            lists = [k for k, v in value.items() if isinstance(v, list)]
            raise ValueError(
                "expected a JSON array, or an object with one list of items; got an object "
                f"with keys {sorted(value)} ({len(lists)} of them lists)"
            )
        key, items = found
        out = {k: v for k, v in value.items() if k != key}
        inner = value[key]
        if isinstance(inner, dict):  # nested: keep what sat beside the list
            rest = {k: v for k, v in inner.items() if v is not items}
            if rest:
                out[key] = rest
        if "items" in out:
            out["wrapped_items"] = out.pop("items")
        out["items"] = items
        return out

    def __iter__(self) -> Iterator[_T]:  # type: ignore[override]
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, index: int) -> _T:
        return self.items[index]


def _find_items(value: dict[str, Any], depth: int) -> tuple[str, list[Any]] | None:
    """The key of ``value`` whose list holds the items, and that list, if one is found."""
    for key in _ITEM_KEYS:
        if isinstance(value.get(key), list):
            return key, value[key]
    if depth > 1:
        for key in _ITEM_KEYS:
            inner = value.get(key)
            if isinstance(inner, dict):
                found = _find_items(inner, depth - 1)
                if found is not None:
                    return key, found[1]
    lists = [k for k, v in value.items() if isinstance(v, list)]
    if len(lists) == 1:
        return lists[0], value[lists[0]]
    return None
