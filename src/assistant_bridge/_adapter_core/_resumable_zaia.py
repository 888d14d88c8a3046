"""Zaia batch writes that can be repeated: each message stored exactly once.

Framework-free; the LangChain history and the LlamaIndex chat store build a `ZaiaWrite`
from their messages and call `write_zaia` (or `awrite_zaia`). Every message gets an
``externalId`` (seed 004: "External reference in the integrated system", 3 to 250
characters), a long text one per part (``<id>-1``, ``<id>-2``...). Before posting, the
thread is read (one request for up to 1000 messages) and what it already holds is left
out:

- appending (``mode="append"``): a part whose ``externalId`` the thread holds is stored;
  so is a message read from Zaia (``known_id``) that the thread holds.
- replacing (``mode="prefix"``, ``set_messages``): the stored thread must be the start of
  the wanted list, matched by message id or ``externalId`` in order; what follows it is
  posted. Anything else raises `UnsupportedOperationError`: Zaia cannot delete.

If a post fails, the thread is read again to learn what the server stored (a connection
dropped after the server acted stores the message without saying so), and
`PartialWriteError` says which messages are stored and which are not (the original
error is raised as is when none is). The same call again stores only the others.

Limits: on a thread longer than one page whose server ignores ``pagination.offset``
(which Zaia does not document), only what the reads return is checked when appending.
A message without an ``externalId`` (none here: the adapters always give one) is found
again only by its id.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .._transport import AssistantBridgeError, InvalidRequestError, PartialWriteError
from ..zaia import (
    MAX_CONTENT_LENGTH,
    AsyncZaiaClient,
    ChatMessage,
    PageWalk,
    ZaiaClient,
    item_key,
    message_bodies,
)
from ._conversations import ZAIA_MAX_LIMIT, in_order
from ._unsupported import unsupported

__all__ = ["ZaiaItem", "ZaiaWrite", "sender_for", "awrite_zaia", "external_id_for", "write_zaia"]

_MAX_BASE = 240
"""The longest external id kept as it is (room for a part suffix within 250)."""


def external_id_for(prefix: str, ident: str) -> str:
    """A stable ``externalId`` for a message id: ``<prefix><id>``, hashed when too long."""
    import hashlib

    value = f"{prefix}{ident}"
    if len(value) <= _MAX_BASE and value.isprintable():
        return value
    digest = hashlib.sha256(ident.encode("utf-8", "surrogatepass")).hexdigest()
    return f"{prefix}sha256-{digest}"


def sender_for(role: str, sender_ids: Mapping[str, str], sender_id: str | None, owner: str) -> str:
    """The id that sends a message of ``role``: ``sender_ids[role]``, else ``sender_id``.

    Raises:
        InvalidRequestError: neither is set (``owner``: the class to pass them to).
    """
    sender = sender_ids.get(role) or sender_id
    if not sender:
        raise InvalidRequestError(
            "sender_id: appending to a Zaia chat needs the sender's id; pass "
            f"sender_id=... (or sender_ids={{role: id}}) to {owner}",
            field="sender_id",
        )
    return sender


@dataclass
class ZaiaItem:
    """One message to write: what is sent, and the caller's object (``source``)."""

    source: Any
    content: str
    sender_id: str
    role: str
    external_id: str | None
    known_id: str | None = None
    parts: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class ZaiaWrite:
    """A checked batch for one chat (or thread); build it with `ZaiaWrite.plan`."""

    operation: str
    chat_id: str
    thread_id: str | None
    items: list[ZaiaItem]
    mode: str = "append"

    @classmethod
    def plan(
        cls,
        operation: str,
        chat_id: str,
        thread_id: str | None,
        items: list[ZaiaItem],
        *,
        mode: str = "append",
    ) -> ZaiaWrite:
        """Every part of every item checked (ids, lengths) before anything is sent."""
        for item in items:
            item.parts = message_bodies(
                chat_id,
                item.content,
                chat_thread_id=thread_id,
                external_id=item.external_id,
                sender_id=item.sender_id,
                role=item.role,
                max_length=MAX_CONTENT_LENGTH,
            )
        return cls(operation, chat_id, thread_id, items, mode)

    # -- what is stored -------------------------------------------------------------
    def _done_append(self, stored: list[ChatMessage]) -> set[tuple[int, int]]:
        refs = {m.external_id for m in stored if m.external_id}
        ids = {m.id for m in stored if m.id}
        done: set[tuple[int, int]] = set()
        for i, item in enumerate(self.items):
            for k, part in enumerate(item.parts):
                if (item.known_id and item.known_id in ids) or part["externalId"] in refs:
                    done.add((i, k))
        return done

    def _done_prefix(self, stored: list[ChatMessage]) -> set[tuple[int, int]]:
        done: set[tuple[int, int]] = set()
        at = 0
        for i, item in enumerate(self.items):
            if at < len(stored) and item.known_id is not None:
                if stored[at].id != item.known_id:
                    raise self._cannot_replace()
                done.update((i, k) for k in range(len(item.parts)))  # one stored message
                at += 1
                continue
            for k, part in enumerate(item.parts):
                if at == len(stored):
                    break
                ref = part["externalId"]
                if ref is None or stored[at].external_id != ref:
                    raise self._cannot_replace()
                done.add((i, k))
                at += 1
        if at != len(stored):
            raise self._cannot_replace()
        return done

    def _cannot_replace(self) -> AssistantBridgeError:
        return unsupported(
            "zaia",
            self.operation,
            "it cannot replace or reorder a stored conversation; the new messages must be "
            "the stored ones (with their ids) followed by messages to append",
        )

    def done(self, stored: list[ChatMessage]) -> set[tuple[int, int]]:
        """The (item, part) pairs the thread already holds."""
        if self.mode == "prefix":
            return self._done_prefix(stored)
        return self._done_append(stored)

    def todo(self, done: set[tuple[int, int]]) -> list[tuple[int, int]]:
        """The parts to post, in order."""
        return [
            (i, k)
            for i, item in enumerate(self.items)
            for k in range(len(item.parts))
            if (i, k) not in done
        ]

    def failed(
        self,
        exc: AssistantBridgeError,
        confirmed: set[tuple[int, int]],
        after: list[ChatMessage] | None,
        check_error: AssistantBridgeError | None,
    ) -> AssistantBridgeError | None:
        """The error to raise once a post failed (``after``: the thread read again).

        None when the thread read again holds every message (only the answer was lost).
        """
        done = set(confirmed)
        if after is not None:
            done |= self._done_append(after)
        whole = [
            all((i, k) in done for k in range(len(it.parts))) for i, it in enumerate(self.items)
        ]
        stored = [it.source for it, ok in zip(self.items, whole, strict=True) if ok]
        pending = [it.source for it, ok in zip(self.items, whole, strict=True) if not ok]
        if not pending:
            return None
        if not stored:
            return exc
        total = len(self.items)
        doubt = (
            f"; the message being sent may have been stored too (reading the thread "
            f"back failed: {check_error})"
            if check_error is not None
            else ""
        )
        return PartialWriteError(
            f"{self.operation}: stored {len(stored)} of {total} messages, {len(pending)} not "
            f"stored{doubt}; calling {self.operation} again with the same messages stores "
            f"each remaining one exactly once. Cause: {type(exc).__name__}: {exc}",
            stored=stored,
            pending=pending,
            cause=exc,
            uncertain=check_error is not None,
            request=getattr(exc, "request", None),
        )


def _post_args(write: ZaiaWrite, item: ZaiaItem, part: dict[str, Any]) -> dict[str, Any]:
    return {
        "chat_thread_id": write.thread_id,
        "external_id": part["externalId"],
        "sender_id": item.sender_id,
        "role": item.role,
    }


def _read(client: ZaiaClient, write: ZaiaWrite, strict: bool) -> list[ChatMessage]:
    walk: PageWalk[ChatMessage] = PageWalk(ZAIA_MAX_LIMIT, item_key)
    while (ask := walk.next) is not None:
        page = client.list_chat_messages(
            write.chat_id, chat_thread_id=write.thread_id, limit=ask.limit, offset=ask.offset
        )
        walk.add(page.items)
    return _walked(walk, write, strict)


async def _aread(client: AsyncZaiaClient, write: ZaiaWrite, strict: bool) -> list[ChatMessage]:
    walk: PageWalk[ChatMessage] = PageWalk(ZAIA_MAX_LIMIT, item_key)
    while (ask := walk.next) is not None:
        page = await client.list_chat_messages(
            write.chat_id, chat_thread_id=write.thread_id, limit=ask.limit, offset=ask.offset
        )
        walk.add(page.items)
    return _walked(walk, write, strict)


def _walked(walk: PageWalk[ChatMessage], write: ZaiaWrite, strict: bool) -> list[ChatMessage]:
    if walk.problem and strict:
        where = f"chat {write.chat_id}" + (
            f" (thread {write.thread_id})" if write.thread_id else ""
        )
        raise unsupported(
            "zaia", write.operation, f"{where} cannot be read in full: {walk.problem}"
        )
    return in_order(walk.items, lambda m: m.created_at)


def write_zaia(client: ZaiaClient, write: ZaiaWrite) -> None:
    """Post what the thread does not hold yet (see the module); `PartialWriteError` if cut."""
    stored = _read(client, write, strict=write.mode == "prefix")
    confirmed: set[tuple[int, int]] = set()
    for i, k in write.todo(write.done(stored)):
        item = write.items[i]
        part = item.parts[k]
        try:
            client.create_chat_message(
                write.chat_id, part["content"], **_post_args(write, item, part)
            )
        except InvalidRequestError:
            raise
        except AssistantBridgeError as exc:
            after, problem = _check(lambda: _read(client, write, strict=False))
            error = write.failed(exc, confirmed, after, problem)
            if error is None:  # the read-back shows everything stored: done
                return
            if error is exc:
                raise
            raise error from exc
        confirmed.add((i, k))


async def awrite_zaia(client: AsyncZaiaClient, write: ZaiaWrite) -> None:
    """Async `write_zaia`."""
    stored = await _aread(client, write, strict=write.mode == "prefix")
    confirmed: set[tuple[int, int]] = set()
    for i, k in write.todo(write.done(stored)):
        item = write.items[i]
        part = item.parts[k]
        try:
            await client.create_chat_message(
                write.chat_id, part["content"], **_post_args(write, item, part)
            )
        except InvalidRequestError:
            raise
        except AssistantBridgeError as exc:
            after, problem = await _acheck(lambda: _aread(client, write, strict=False))
            error = write.failed(exc, confirmed, after, problem)
            if error is None:  # the read-back shows everything stored: done
                return
            if error is exc:
                raise
            raise error from exc
        confirmed.add((i, k))


def _check(
    read: Callable[[], list[ChatMessage]],
) -> tuple[list[ChatMessage] | None, AssistantBridgeError | None]:
    try:
        return read(), None
    except AssistantBridgeError as exc:
        return None, exc


async def _acheck(
    read: Callable[[], Awaitable[list[ChatMessage]]],
) -> tuple[list[ChatMessage] | None, AssistantBridgeError | None]:
    try:
        return await read(), None
    except AssistantBridgeError as exc:
        return None, exc
