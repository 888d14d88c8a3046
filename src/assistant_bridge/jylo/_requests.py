"""What the sync and async Jylo clients share: input checks and request building.

Nothing here sends a request. Each ``*_options`` function checks the caller's input (so
bad input fails before anything is sent) and builds the `RequestOptions` for one
endpoint; `open_upload` checks and opens a document for a multipart upload; `PageWalker`
decides when walking the pages of a list should stop.
"""

from __future__ import annotations

import contextlib
import io
import mimetypes
import os
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from .._transport import (
    CallOverrides,
    InvalidRequestError,
    RequestOptions,
    StreamError,
)
from .._validation import MAX_INT32, check_int, check_text, check_uuid, path_segment
from ._types import Document, ItemSorting, Page

__all__ = [
    "FIRST_PAGE",
    "JSON_ACCEPT",
    "MAX_INT32",
    "STREAM_ACCEPT",
    "ListQuery",
    "PageWalker",
    "Upload",
    "assistant_options",
    "message_options",
    "open_upload",
    "read_back_options",
]

JSON_ACCEPT = "application/json"
STREAM_ACCEPT = "text/event-stream, application/x-ndjson;q=0.9, application/json;q=0.8"
Sorting = ItemSorting | int | None
FIRST_PAGE = 1
"""The number of the first page (an assumption: seed 003 does not say where pages start)."""
FileInput = str | os.PathLike[str] | IO[bytes]


def _project_path(project_id: str) -> str:
    return f"projects/{path_segment(project_id, 'project_id')}"


def messages_path(project_id: str, assistant_id: Any, message_id: Any = None) -> str:
    """``projects/{p}/assistants/{a}/messages[/{m}]`` with the ids checked as UUIDs."""
    path = f"{_project_path(project_id)}/assistants/{check_uuid(assistant_id, 'assistant_id')}"
    path += "/messages"
    if message_id is not None:
        path += f"/{check_uuid(message_id, 'message_id')}"
    return path


def _sorting(value: Sorting) -> int | None:
    """``sorting`` as the integer the API takes (seed 003: an integer enum)."""
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return int(value)  # an ItemSorting, or a value the vendor defines that it lacks
    raise InvalidRequestError(
        "sorting: must be an integer (the API types it as an integer enum), such as "
        f"ItemSorting.DATE_ADDED (0) or ItemSorting.TEXT (1); got {value!r}",
        field="sorting",
    )


@dataclass(frozen=True)
class ListQuery:
    """The paging, search and sort query of a list endpoint, checked."""

    page_number: int | None = None
    page_size: int | None = None
    search_text: str | None = None
    sorting: Sorting = None
    desc: bool | None = None

    def params(self) -> dict[str, Any]:
        """The query parameters, camelCase, unset ones left out."""
        out: dict[str, Any] = {}
        if self.page_number is not None:
            out["pageNumber"] = check_int(
                self.page_number, "page_number", minimum=FIRST_PAGE, maximum=MAX_INT32
            )
        if self.page_size is not None:
            out["pageSize"] = check_int(self.page_size, "page_size", minimum=1, maximum=MAX_INT32)
        if self.search_text is not None:
            if not isinstance(self.search_text, str):
                raise InvalidRequestError(
                    f"search_text: must be a string, got {type(self.search_text).__name__}",
                    field="search_text",
                )
            if self.search_text.strip():
                out["searchText"] = self.search_text
        sort = _sorting(self.sorting)
        if sort is not None:
            out["sorting"] = sort
        if self.desc is not None:
            if not isinstance(self.desc, bool):
                raise InvalidRequestError(
                    f"desc: must be True or False, got {self.desc!r}", field="desc"
                )
            out["desc"] = self.desc
        return out


def document_ids(values: Iterable[Any] | None, field: str) -> list[str] | None:
    """UUIDs from ids, ``uuid.UUID`` objects or `Document` results; ``None`` stays ``None``."""
    if values is None:
        return None
    if isinstance(values, (str, bytes, uuid.UUID, Document)):
        values = [values]
    out: list[str] = []
    for index, value in enumerate(values):
        if isinstance(value, Document):
            value = value.id
        out.append(check_uuid(value, f"{field}[{index}]"))
    return out


def message_body(
    text: Any,
    model_identifier: Any,
    message_document_identifiers: Iterable[Any] | None,
    stream: bool,
) -> dict[str, Any]:
    """The JSON body of a message create or update."""
    body: dict[str, Any] = {
        "text": check_text(text, "text"),
        "modelIdentifier": check_uuid(model_identifier, "model_identifier"),
        "stream": stream,
    }
    ids = document_ids(message_document_identifiers, "message_document_identifiers")
    if ids is not None:
        body["messageDocumentIdentifiers"] = ids
    return body


def message_options(
    method: str,
    project_id: str,
    assistant_id: Any,
    call: CallOverrides,
    *,
    message_id: Any = None,
    query: ListQuery | None = None,
    body: dict[str, Any] | None = None,
    stream: bool = False,
) -> RequestOptions:
    """Options for any messages endpoint; a ``POST`` is never repeated blindly."""
    path = messages_path(project_id, assistant_id, message_id)
    return call.options(
        method,
        path,
        accept=STREAM_ACCEPT if stream else JSON_ACCEPT,
        params=query.params() if query else None,
        json=body,
        idempotent=False if method == "POST" else None,
    )


def read_back_options(
    project_id: str, assistant_id: Any, call: CallOverrides, message_id: str
) -> RequestOptions:
    """``GET`` of a reply a stream carried pieces of but not the stored message.

    Raises:
        StreamError: the id the stream carried is not a UUID (it cannot be read back).
    """
    try:
        return message_options("GET", project_id, assistant_id, call, message_id=message_id)
    except InvalidRequestError as exc:
        raise StreamError(
            f"the Jylo reply ended without the stored message, and its id {message_id!r} "
            f"cannot be used to read it back ({exc.message})",
            text=message_id[:200],
        ) from exc


def assistant_options(
    project_id: str,
    call: CallOverrides,
    *,
    query: ListQuery | None = None,
    name: Any = None,
    description: str | None = None,
    document_identifiers: Iterable[Any] | None = None,
) -> RequestOptions:
    """``GET`` (with ``query``) or ``POST`` (with ``name``) ``projects/{p}/assistants``."""
    path = f"{_project_path(project_id)}/assistants"
    if query is not None:
        return call.options("GET", path, params=query.params())
    body: dict[str, Any] = {"name": check_text(name, "name")}
    if description is not None:
        if not isinstance(description, str):
            raise InvalidRequestError(
                f"description: must be a string, got {type(description).__name__}",
                field="description",
            )
        body["description"] = description
    ids = document_ids(document_identifiers, "document_identifiers")
    if ids is not None:
        body["documentObjectIdentifiers"] = ids
    return call.options("POST", path, json=body, idempotent=False)


@dataclass(frozen=True)
class Upload:
    """A document ready to send: file name, binary file object, content type."""

    filename: str
    file: IO[bytes]
    content_type: str

    def files(self) -> dict[str, tuple[str, IO[bytes], str]]:
        """The multipart ``files`` mapping (one part named ``file``)."""
        return {"file": (self.filename, self.file, self.content_type)}


def _content_type(name: str, given: str | None) -> str:
    if given:
        return given
    guessed, _ = mimetypes.guess_type(name)
    return guessed or "application/octet-stream"


@contextlib.contextmanager
def open_upload(
    file: FileInput, filename: str | None = None, content_type: str | None = None
) -> Iterator[Upload]:
    """Check and open a document (a path, or a binary file object the caller keeps open).

    Raises:
        InvalidRequestError: the path does not exist or is not a file, or the object is a
            text-mode file or not readable.
    """
    if isinstance(file, (str, os.PathLike)):
        path = os.fspath(file)
        if not os.path.exists(path):
            raise InvalidRequestError(f"file: no such file: {path!r}", field="file")
        if not os.path.isfile(path):
            raise InvalidRequestError(f"file: not a regular file: {path!r}", field="file")
        name = filename or os.path.basename(path)
        with open(path, "rb") as handle:
            yield Upload(name, handle, _content_type(name, content_type))
        return
    if isinstance(file, io.TextIOBase) or "b" not in getattr(file, "mode", "b"):
        raise InvalidRequestError(
            "file: open the file in binary mode ('rb'); text-mode files are not accepted",
            field="file",
        )
    if not callable(getattr(file, "read", None)):
        raise InvalidRequestError(
            f"file: must be a path or a binary file object, got {type(file).__name__}",
            field="file",
        )
    name = filename or os.path.basename(str(getattr(file, "name", "") or "")) or "document"
    yield Upload(name, file, _content_type(name, content_type))


@dataclass
class PageWalker:
    """Decides, page by page, whether walking a list should go on.

    It stops on an empty page, a page shorter than the size asked for, the last page
    the server reported (``total_pages``/``total_count``), or a page that repeats the
    previous one (a server that ignores ``pageNumber`` must not loop forever).
    """

    page_size: int
    page_number: int
    seen: int = 0
    _previous: list[Any] = field(default_factory=list)

    def is_repeat(self, page: Page[Any]) -> bool:
        """Whether ``page`` repeats the previous page (its items are then not yielded)."""
        keys = [getattr(item, "object_identifier", None) for item in page.items]
        repeat = bool(keys) and None not in keys and keys == self._previous
        self._previous = keys
        return repeat

    def should_continue(self, page: Page[Any]) -> bool:
        """Record ``page`` (the one just yielded) and say whether to fetch the next."""
        self.seen += len(page.items)
        if not page.items or len(page.items) < self.page_size:
            return False
        if page.total_count is not None and self.seen >= page.total_count:
            return False
        if page.total_pages is not None and self.page_number >= page.total_pages:
            return False
        self.page_number += 1
        return True
