"""What the Jylo and Zaia stores for LlamaIndex ``Memory`` share: statuses and the archive.

LlamaIndex's ``Memory`` keeps its messages in an ``AsyncDBChatStore``: a FIFO queue of
ACTIVE messages whose oldest ones it *archives* when the queue passes its token limit
(handing them to its memory blocks). Jylo and Zaia keep one conversation per key and know
no statuses, so `VendorDBChatStore` keeps the archive here, in the store object: archiving
marks the oldest ACTIVE messages (by their vendor message id) as ARCHIVED for as long as
this object lives. The vendor still keeps every message; a new store object (another
process, a restart) sees them all as ACTIVE again, and ``Memory`` archives anew when it
next passes its limit. Nothing is ever lost by archiving.

Subclasses say how to read, append, replace and delete; what their vendor cannot do
raises `UnsupportedOperationError` before any request is sent.
"""

from __future__ import annotations

from typing import Any, ClassVar

from llama_index.core.base.llms.types import ChatMessage
from llama_index.core.storage.chat_store.base import BaseChatStore
from llama_index.core.storage.chat_store.base_db import AsyncDBChatStore, MessageStatus
from pydantic import ConfigDict, PrivateAttr

from .. import InvalidRequestError
from .._adapter_core import unsupported
from .._validation import check_int, nearest_names

__all__ = ["VendorDBChatStore"]

_STATUSES = [s.value for s in MessageStatus]


def _status(value: Any, *, allow_none: bool) -> MessageStatus | None:
    """``value`` as a `MessageStatus` (None kept when allowed), or `InvalidRequestError`."""
    if value is None and allow_none:
        return None
    try:
        return MessageStatus(value)
    except ValueError:
        choices = " or ".join(repr(s) for s in _STATUSES) + (" or None" if allow_none else "")
        raise InvalidRequestError(
            f"status: {value!r} is not a message status; use {choices}",
            field="status",
            suggestions=nearest_names(str(value), _STATUSES),
        ) from None


def _count(value: Any, name: str) -> int | None:
    """``value`` checked to be None or a whole number >= 0 (``name`` is the argument)."""
    return None if value is None else check_int(value, name, minimum=0)


def _message_id(message: ChatMessage) -> str | None:
    found = message.additional_kwargs.get("message_id")
    return str(found) if found else None


class VendorDBChatStore(AsyncDBChatStore):
    """An ``AsyncDBChatStore`` over a vendor's stored conversations (keys as the vendor's).

    ``get_messages`` gives the conversation oldest first, filtered by status (ACTIVE:
    not archived by this object; ARCHIVED: archived by it; None: all), then ``offset``
    and ``limit``. Messages are added ACTIVE only. Subclasses implement the vendor calls.

    Attributes:
        store: the vendor's ``BaseChatStore`` that reads and writes the conversations.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True, extra="forbid")

    vendor: ClassVar[str] = ""
    store: BaseChatStore
    _archived: dict[str, set[str]] = PrivateAttr(default_factory=dict)

    # -- what a vendor store implements --------------------------------------------------
    async def _read(self, key: str) -> list[ChatMessage]:
        """The whole conversation ``key``, oldest first."""
        return await self.store.aget_messages(key)

    async def _append(self, key: str, messages: list[ChatMessage], operation: str) -> None:
        """Append ``messages`` to the conversation (checked before anything is sent)."""
        raise NotImplementedError

    async def _replace(self, key: str, messages: list[ChatMessage]) -> None:
        """Make the conversation ``messages`` (the vendor store's ``aset_messages``)."""
        await self.store.aset_messages(key, messages)

    def _deletable(self, operation: str) -> None:
        """Raise `UnsupportedOperationError` if the vendor cannot delete messages."""

    async def _remove(self, key: str, picked: list[ChatMessage]) -> None:
        """Delete ``picked`` (messages read from the conversation)."""
        raise NotImplementedError

    async def get_keys(self) -> list[str]:
        """The keys of the vendor's conversations (as the wrapped store's ``aget_keys``)."""
        return await self.store.aget_keys()

    # -- statuses ----------------------------------------------------------------------
    def archived_ids(self, key: str) -> frozenset[str]:
        """The vendor ids of the messages of ``key`` this object has archived."""
        return frozenset(self._archived.get(key, ()))

    def _pick(
        self, key: str, messages: list[ChatMessage], status: MessageStatus | None
    ) -> list[ChatMessage]:
        if status is None:
            return list(messages)
        archived = self._archived.get(key, set())
        want = status == MessageStatus.ARCHIVED
        return [m for m in messages if (_message_id(m) in archived) == want]

    def _forget(self, key: str, removed: list[ChatMessage]) -> None:
        archived = self._archived.get(key)
        if archived:
            archived.difference_update(i for m in removed if (i := _message_id(m)))

    def _active_only(self, status: Any, operation: str) -> None:
        if _status(status, allow_none=False) != MessageStatus.ACTIVE:
            raise unsupported(
                self.vendor,
                operation,
                "messages are added to the stored conversation, which has no archive; "
                "only archive_oldest_messages marks stored messages ARCHIVED (kept by "
                "this store object)",
            )

    # -- AsyncDBChatStore --------------------------------------------------------------
    async def get_messages(
        self,
        key: str,
        status: MessageStatus | None = MessageStatus.ACTIVE,
        limit: int | None = None,
        offset: int | None = None,
    ) -> list[ChatMessage]:
        """The messages of ``key`` with ``status`` (None: all), oldest first.

        Args:
            key: the conversation.
            status: ACTIVE, ARCHIVED or None.
            limit: at most this many (None: all).
            offset: skip this many first (after filtering by status).
        """
        wanted = _status(status, allow_none=True)
        size, skip = _count(limit, "limit"), _count(offset, "offset") or 0
        found = self._pick(key, await self._read(key), wanted)[skip:]
        return found if size is None else found[:size]

    async def count_messages(
        self, key: str, status: MessageStatus | None = MessageStatus.ACTIVE
    ) -> int:
        """How many messages of ``key`` have ``status`` (None: all)."""
        wanted = _status(status, allow_none=True)
        return len(self._pick(key, await self._read(key), wanted))

    async def add_message(
        self, key: str, message: ChatMessage, status: MessageStatus = MessageStatus.ACTIVE
    ) -> None:
        """Append ``message`` (ACTIVE only) as the vendor's chat store does."""
        self._active_only(status, "add_message")
        await self._append(key, [message], "add_message")

    async def add_messages(
        self,
        key: str,
        messages: list[ChatMessage],
        status: MessageStatus = MessageStatus.ACTIVE,
    ) -> None:
        """Append ``messages`` in order (ACTIVE only); all are checked before sending."""
        self._active_only(status, "add_messages")
        if messages:
            await self._append(key, list(messages), "add_messages")

    async def set_messages(
        self,
        key: str,
        messages: list[ChatMessage],
        status: MessageStatus = MessageStatus.ACTIVE,
    ) -> None:
        """Make ``messages`` the ACTIVE messages of ``key``; the vendor can only append.

        The stored conversation must be the start of the archived messages followed by
        ``messages`` (or of ``messages`` alone, when it repeats the archived ones):
        what follows it is appended. ``[]`` deletes the ACTIVE messages.
        """
        self._active_only(status, "set_messages")
        if not messages:
            self._deletable("set_messages")
            await self._delete(key, MessageStatus.ACTIVE)
            return
        archived = self._pick(key, await self._read(key), MessageStatus.ARCHIVED)
        full = list(messages)
        given = [_message_id(m) for m in full[: len(archived)]]
        if archived and given != [_message_id(m) for m in archived]:
            full = archived + full
        await self._replace(key, full)

    async def delete_message(self, key: str, idx: int) -> ChatMessage | None:
        """Delete the message at ``idx`` of the whole conversation (oldest first).

        Returns:
            The deleted message, or None if there is no message at ``idx``.
        """
        self._deletable("delete_message")
        if isinstance(idx, bool) or not isinstance(idx, int):
            raise InvalidRequestError(f"idx: must be an int, got {idx!r}", field="idx")
        found = await self._read(key)
        if not -len(found) <= idx < len(found):
            return None
        await self._remove(key, [found[idx]])
        self._forget(key, [found[idx]])
        return found[idx]

    async def delete_messages(self, key: str, status: MessageStatus | None = None) -> None:
        """Delete the messages of ``key`` with ``status`` (None: every message)."""
        wanted = _status(status, allow_none=True)
        self._deletable("delete_messages")
        await self._delete(key, wanted)

    async def _delete(self, key: str, status: MessageStatus | None) -> None:
        picked = self._pick(key, await self._read(key), status)
        if picked:
            await self._remove(key, picked)
        self._forget(key, picked)

    async def delete_oldest_messages(self, key: str, n: int) -> list[ChatMessage]:
        """Delete the ``n`` oldest ACTIVE messages of ``key``; the deleted messages."""
        size = _count(n, "n") or 0
        self._deletable("delete_oldest_messages")
        picked = self._pick(key, await self._read(key), MessageStatus.ACTIVE)[:size]
        if picked:
            await self._remove(key, picked)
        self._forget(key, picked)
        return picked

    async def archive_oldest_messages(self, key: str, n: int) -> list[ChatMessage]:
        """Mark the ``n`` oldest ACTIVE messages ARCHIVED in this object; sends nothing.

        The vendor keeps them (see the module docstring): a new store object sees them
        ACTIVE again.

        Returns:
            The archived messages, oldest first.
        """
        size = _count(n, "n") or 0
        picked = self._pick(key, await self._read(key), MessageStatus.ACTIVE)[:size]
        ids = [_message_id(m) for m in picked]
        if None in ids:
            raise unsupported(
                self.vendor,
                "archive_oldest_messages",
                "a stored message has no message id, so it cannot be marked archived",
            )
        self._archived.setdefault(key, set()).update(i for i in ids if i)
        return picked
