"""Zaia wire models: chat messages, chats, chat threads, export receipts, list results.

Response models keep unknown fields (``joins`` add related objects to a message) and
require none, even where the vendor's reference marks a field required. Identifiers stay
strings; a timestamp that does not parse is read as ``None``. Role values are not public,
so ``role`` is a `ChatRole` when it is one of the inferred values and otherwise the
string the server sent.
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
_ITEM_KEYS = ("items", "data", "results", "records", "chatMessages", "chats", "chatThreads")
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
    """Message roles (inferred: the vendor does not publish the enum); any case.

    A role given in another case is sent in this spelling; a role not listed here is
    sent as given, and a role the server sends that is not listed is kept as a string.
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
    """A thread within a chat; use its ``id`` as ``chat_thread_id``."""

    id: str | None = None
    chat_id: str | None = None
    name: str | None = None
    created_at: Timestamp = None
    updated_at: Timestamp = None


class ExportStarted(ResponseModel):
    """The answer to an export request; the data is POSTed to ``callback_url`` later."""

    message: str | None = None


class ListResult(ResponseModel, Generic[_T]):
    """The items of a list answer, and its ``pagination`` block if the server sent one.

    A bare JSON array is read as the items; so is the first list under ``items``,
    ``data``, ``results``, ``records`` or the resource's own name. Iterate the result or
    use ``len(result)``.
    """

    items: list[_T] = Field(default_factory=list)
    pagination: dict[str, Any] | None = None

    @model_validator(mode="before")
    @classmethod
    def _unwrap(cls, value: Any) -> Any:
        if value is None:
            return {"items": []}
        if isinstance(value, list):
            return {"items": value}
        if isinstance(value, dict) and "items" not in value:
            out = dict(value)
            for key in _ITEM_KEYS:
                if isinstance(out.get(key), list):
                    out["items"] = out.pop(key)
                    break
            return out
        return value

    def __iter__(self) -> Iterator[_T]:  # type: ignore[override]
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, index: int) -> _T:
        return self.items[index]
