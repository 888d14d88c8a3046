"""Reading a whole Zaia list page by page, when only ``pagination.limit`` is documented.

API-NOTES: ``GET /api/v1/chat-messages`` pages with ``pagination.limit`` (1 to 1000,
default 250); nothing documents how to ask for the next page. `PageWalk` decides what to
ask for next and when the list is complete. It does no I/O, so the sync and async readers
of the adapters share it. The rules:

- The first request sends only ``pagination.limit``; a page shorter than the limit is
  the whole list, and an empty page ends the walk.
- A full page is followed by a request with ``pagination.offset`` (not in the documents).
  A server that ignores the offset answers items already read: the walk stops with a
  `PageWalk.problem`, so a caller raises instead of returning a duplicated or truncated
  list.
- A first page of exactly 250 items (the documented default) when more were asked for
  may mean that the server ignored ``pagination.limit`` (its query encoding is inferred):
  one probe with ``limit=1`` tells. If the limit is ignored, the walk goes on in pages
  of the server's size (and so relies on the offset again).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from .._models import ResponseModel

__all__ = ["DEFAULT_PAGE", "PageRequest", "PageWalk", "item_key"]

DEFAULT_PAGE = 250
"""The page size a server uses when ``pagination.limit`` is not sent (API-NOTES)."""

_T = TypeVar("_T")


def item_key(item: ResponseModel) -> str:
    """What identifies an item: its ``id``, else all of its fields."""
    ident = getattr(item, "id", None)
    return f"id:{ident}" if ident else f"json:{item.model_dump_json()}"


@dataclass(frozen=True)
class PageRequest:
    """The next page to ask for: ``pagination.limit`` and (after the first) the offset."""

    limit: int
    offset: int | None = None


class PageWalk(Generic[_T]):
    """What to ask for next while reading a whole list, and the items read so far.

    Loop ``while (ask := walk.next) is not None: walk.add(fetch(ask))``; then either
    `problem` says why the list could not be read in full, or `items` is all of it.

    Args:
        limit: ``pagination.limit`` for each page (1 to 1000).
        key: what identifies an item (two items with one key are the same item).
    """

    def __init__(self, limit: int, key: Callable[[_T], str]) -> None:
        self.limit = limit
        self.items: list[_T] = []
        self.problem: str | None = None
        self._key = key
        self._keys: set[str] = set()
        self._size: int | None = None  # the server's page size, once known
        self._probing = False
        self._next: PageRequest | None = PageRequest(limit)

    @property
    def next(self) -> PageRequest | None:
        """The page to ask for next; None when the walk is over (see `problem`)."""
        return self._next

    def add(self, page: Sequence[_T]) -> None:
        """Take the answer to `next`."""
        ask = self._next
        if ask is None:
            raise RuntimeError("the walk is over: nothing was asked for")
        if self._probing:
            self._after_probe(len(page))
            return
        keys = [self._key(item) for item in page]
        if ask.offset is not None and any(k in self._keys for k in keys):
            self._stop(ask.offset)
            return
        self._keys.update(keys)
        self.items.extend(page)
        if self._size is None:
            if len(page) == DEFAULT_PAGE < self.limit:
                self._probing = True
                self._next = PageRequest(1)
                return
            self._size = max(len(page), self.limit)
        full = bool(page) and len(page) >= self._size
        self._next = PageRequest(self.limit, len(self.items)) if full else None

    def _after_probe(self, count: int) -> None:
        """Learn from the answer to ``limit=1`` (``count`` items) whether the limit holds."""
        self._probing = False
        if count <= 1:
            self._size = self.limit  # honoured: the first page was the whole list
            self._next = None
            return
        self._size = len(self.items)  # ignored: the server pages by its own size
        self._next = PageRequest(self.limit, len(self.items))

    def _stop(self, offset: int) -> None:
        ignored = (
            ""
            if self._size == self.limit
            else (f" (nor pagination.limit={self.limit}: its pages hold {self._size})")
        )
        self.problem = (
            f"the first {len(self.items)} items were read, and the answer to "
            f"pagination.offset={offset} repeated items already read: the server does not "
            f"honour the offset, which Zaia does not document{ignored}, or the list changed "
            "while it was read"
        )
        self._next = None
