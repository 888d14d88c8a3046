"""Jylo wire models: messages, documents, assistants, models, and a page of results.

Every response model keeps unknown fields and requires none, even where the vendor's
reference marks a field required: the API adds fields without notice and omits others.
Identifiers stay strings (the vendor's UUIDs are not re-validated on the way in), and a
timestamp that does not parse is read as ``None`` rather than failing the whole answer.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Generic, TypeVar

from pydantic import BeforeValidator, Field, TypeAdapter, ValidationError, model_validator

from .._models import ResponseModel

if TYPE_CHECKING:
    from ._citations import CitedText

__all__ = [
    "Assistant",
    "Document",
    "ItemSorting",
    "Message",
    "ModelInfo",
    "Page",
    "ResourceOwner",
]

_T = TypeVar("_T")
_DATETIME: TypeAdapter[datetime] = TypeAdapter(datetime)

_ITEM_KEYS = ("items", "data", "results", "records", "value", "messages", "assistants", "models")
_META_KEYS = {
    "page_number": ("pageNumber", "page", "currentPage", "pageIndex"),
    "page_size": ("pageSize", "size", "perPage", "limit"),
    "total_count": ("totalCount", "total", "totalItems", "totalRecords", "count"),
    "total_pages": ("totalPages", "pageCount", "pages"),
}


def _lenient_datetime(value: Any) -> Any:
    """A timestamp as pydantic would read it; anything unreadable becomes ``None``."""
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


def _none_as_list(value: Any) -> Any:
    return [] if value is None else value


IdList = Annotated[list[str], BeforeValidator(_none_as_list)]
"""A list of identifiers that reads ``null`` as ``[]``."""


class ItemSorting(enum.IntEnum):
    """Named values for the ``sorting`` query parameter of list endpoints.

    Seed 003 types ``sorting`` as "integer · enum" and does not list the values. These
    numbers are this package's guess (the emulator uses them), not the vendor's
    documentation: 0 sorts by the date added, 1 by the text. Any other ``int`` is sent
    unchanged, for values the vendor may define.
    """

    DATE_ADDED = 0
    TEXT = 1


class ResourceOwner(ResponseModel):
    """Who owns a document or assistant."""

    id: str | None = None
    name: str | None = None
    email: str | None = None


class Document(ResponseModel):
    """A document: the result of an upload, or one attached to an assistant or message.

    Attributes:
        object_identifier: the document's id; pass it in ``message_document_identifiers``.
        document_upload_object_identifier: the id of the upload itself.
        upload_successful: whether the upload was accepted.
        un_packing_complete: whether the vendor finished extracting the content.
    """

    name: str | None = None
    parent_object_identifier: str | None = None
    is_directory: bool | None = None
    document_upload_object_identifier: str | None = None
    content_type: str | None = None
    size: int | None = None
    object_identifier: str | None = None
    date_added: Timestamp = None
    upload_successful: bool | None = None
    token_count: int | None = None
    metadata_token_count: int | None = None
    unsupported_file_type: bool | None = None
    un_packing_complete: bool | None = None
    un_packing_failed: bool | None = None
    upload_in_progress: bool | None = None
    url: str | None = None
    has_children: bool | None = None
    resource_owner: ResourceOwner | None = None

    @property
    def id(self) -> str | None:
        """The identifier to attach to a message (``object_identifier``, else the upload's)."""
        return self.object_identifier or self.document_upload_object_identifier


class Assistant(ResponseModel):
    """An assistant: one conversation of messages, with its own documents."""

    object_identifier: str | None = None
    name: str | None = None
    description: str | None = None
    documents: Annotated[list[Document], BeforeValidator(_none_as_list)] = Field(
        default_factory=list
    )
    date_added: Timestamp = None
    estimated_token_count: int | None = None
    resource_owner: ResourceOwner | None = None

    @property
    def id(self) -> str | None:
        """The assistant's identifier (``object_identifier``)."""
        return self.object_identifier


class Message(ResponseModel):
    """One message of an assistant's conversation (the user's or the assistant's).

    Attributes:
        text: the message text (plain, without citation markers).
        text_with_citations: the text with the vendor's citation markers; read it with
            `parse_citations` (or `Message.cited_text`).
        object_identifier: the message's id.
        is_assistant: True for the assistant's replies, False for the user's messages.
        message_document_identifiers: documents attached to the message.
        adding_citations: whether the vendor is still adding citations.
    """

    text: str | None = None
    message_document_identifiers: IdList = Field(default_factory=list)
    model_identifier: str | None = None
    stream: bool | None = None
    object_identifier: str | None = None
    text_with_citations: str | None = None
    date_added: Timestamp = None
    message_response_type_id: int | None = None
    adding_citations: bool | None = None
    is_assistant: bool | None = None
    assistant: Assistant | None = None
    documents: Annotated[list[Document], BeforeValidator(_none_as_list)] = Field(
        default_factory=list
    )

    @property
    def id(self) -> str | None:
        """The message's identifier (``object_identifier``)."""
        return self.object_identifier

    def cited_text(self) -> CitedText:
        """The text and its cited spans, parsed from ``text_with_citations`` (else ``text``)."""
        from ._citations import parse_citations

        return parse_citations(self.text_with_citations or self.text or "")


class ModelInfo(ResponseModel):
    """A language model from the settings API; use ``object_identifier`` as ``model_identifier``."""

    name: str | None = None
    description: str | None = None
    object_identifier: str | None = None
    max_output_token: int | None = None
    context_length: int | None = None

    @property
    def id(self) -> str | None:
        """The value to pass as ``model_identifier``."""
        return self.object_identifier


class Page(ResponseModel, Generic[_T]):
    """One page of a list: the items, and whatever paging facts the server sent.

    The API answers a bare JSON array today; a wrapped page (``{"items": [...],
    "totalCount": ...}`` and similar spellings) is read too. Iterate the page, or use
    ``len(page)``, to work with its items.
    """

    items: list[_T] = Field(default_factory=list)
    page_number: int | None = None
    page_size: int | None = None
    total_count: int | None = None
    total_pages: int | None = None

    @model_validator(mode="before")
    @classmethod
    def _unwrap(cls, value: Any) -> Any:
        if value is None:
            return {"items": []}
        if isinstance(value, list):
            return {"items": value}
        if not isinstance(value, dict):
            return value
        out = dict(value)
        for key in _ITEM_KEYS:
            if key != "items" and "items" not in out and isinstance(out.get(key), list):
                out["items"] = out.pop(key)
                break
        for name, spellings in _META_KEYS.items():
            for spelling in spellings:
                if name not in out and isinstance(out.get(spelling), int):
                    out[name] = out.pop(spelling)
        return out

    def __iter__(self) -> Iterator[_T]:  # type: ignore[override]
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, index: int) -> _T:
        return self.items[index]
