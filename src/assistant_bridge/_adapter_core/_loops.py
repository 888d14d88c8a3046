"""Async clients that adapters make for themselves: one per running event loop.

An ``httpx.AsyncClient`` keeps pooled connections bound to the event loop that opened
them; used from another loop (a second ``asyncio.run``, a notebook cell run by a
different loop, pytest-asyncio's loop per test) it fails with "Event loop is closed".
So an adapter that makes its own async client keeps one per loop. A client the caller
passes in is used as given, never here.

A client made for an asyncio loop is closed while that loop shuts down: asyncio has no
shutdown hook, but it does close every async generator still suspended when the loop
shuts down (``loop.shutdown_asyncgens()``, which ``asyncio.run``, ``asyncio.Runner``,
pytest-asyncio and anyio call), so each client is watched by one such generator whose
``finally`` awaits ``client.close()`` inside the loop. A loop closed without that step
(``loop.close()`` alone) cannot run ``close()`` any more: when its entry is forgotten,
the sockets that loop still holds are closed synchronously instead.
"""

from __future__ import annotations

import asyncio
import inspect
import threading
from collections.abc import AsyncGenerator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from .._transport import logger

__all__ = ["PerLoop"]

_C = TypeVar("_C")
MAX_LOOPS = 8
"""Past this many loops, those not running whose thread has ended are forgotten (a loop
per thread, never closed): made again if such a loop comes back."""
HARD_LIMIT = 64
"""Past this many, the least recently used loops not running now are forgotten too."""
_NO_LOOP = object()
"""The key outside asyncio (trio, say): one client, kept for the object's lifetime."""


def _current_loop() -> object:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return _NO_LOOP


def _closed(loop: object) -> bool:
    return isinstance(loop, asyncio.AbstractEventLoop) and loop.is_closed()


def _running(loop: object) -> bool:
    return isinstance(loop, asyncio.AbstractEventLoop) and loop.is_running()


async def _close_at_shutdown(
    close: Callable[[], Awaitable[object]], done: Callable[[], None]
) -> AsyncGenerator[None, None]:
    """Suspended for the loop's lifetime; ``shutdown_asyncgens`` runs the ``finally``."""
    try:
        yield
    finally:
        done()
        try:
            await close()
        except Exception:  # closing is best effort; never fail the loop's shutdown
            logger.debug("closing a per-loop client at loop shutdown failed", exc_info=True)


def _watch(loop: object, made: object, done: Callable[[], None]) -> object | None:
    """Start the generator that closes ``made`` when ``loop`` shuts down (None: not needed).

    Only for an asyncio loop running in this thread (its async generator hooks are the
    ones installed now) and an object with an ``async def close()``.
    """
    close = getattr(made, "close", None)
    if not isinstance(loop, asyncio.AbstractEventLoop) or not inspect.iscoroutinefunction(close):
        return None
    if getattr(loop, "_asyncgens_shutdown_called", False):
        return None  # shutting down already: a new generator would only draw a warning
    watcher = _close_at_shutdown(close, done)
    step = watcher.__anext__()  # registers the generator with the running loop
    try:
        step.send(None)  # runs to the ``yield`` without suspending
    except StopIteration:
        return watcher
    return None  # pragma: no cover - the generator always yields at once


def close_sockets_of_closed_loop(loop: object) -> None:
    """Close the sockets a closed selector loop still holds (they can no longer be used).

    ``transport.close()`` needs the loop, so the socket is closed and the transport told
    it is gone directly (best effort; a loop type without this bookkeeping is left alone).
    """
    if not _closed(loop):
        return
    transports = getattr(loop, "_transports", None)
    for transport in list(transports.values()) if transports is not None else []:
        lost = getattr(transport, "_call_connection_lost", None)
        if getattr(transport, "_sock", None) is None or lost is None:
            continue
        try:
            lost(None)
        except Exception:  # a protocol waking a waiter of the closed loop: the socket is closed
            logger.debug("closing a socket of a closed event loop", exc_info=True)


class PerLoop(Generic[_C]):
    """Lazily made objects, one per running asyncio event loop (thread-safe).

    An object with an ``async def close()`` made for an asyncio loop is closed when that
    loop shuts down (see the module notes). Those made for a loop that has since closed
    are dropped when the next one is made (their loop's leftover sockets closed). Loops
    that are never closed are forgotten once there are `MAX_LOOPS` of them if the thread
    that ran them has ended, and, least recently used first, past `HARD_LIMIT`; a running
    loop is never forgotten.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._made: dict[int, _Entry[_C]] = {}  # least recently used first

    def get(self, make: Callable[[], _C]) -> _C:
        """The object for the running loop, made with ``make`` on first use in that loop."""
        loop = _current_loop()
        key = id(loop)
        with self._lock:
            found = self._made.pop(key, None)
            if found is not None and found.loop is loop:
                self._made[key] = found  # now the most recently used
                return found.made
            stale = self._forget_stale()
            made = make()
            entry = _Entry(loop, made, threading.current_thread())
            entry.watcher = _watch(loop, made, lambda: self._discard(key, entry))
            self._made[key] = entry
        for old in stale:
            close_sockets_of_closed_loop(old.loop)
        return made

    def _discard(self, key: int, entry: _Entry[_C]) -> None:
        with self._lock:
            if self._made.get(key) is entry:
                del self._made[key]

    def _forget_stale(self) -> list[_Entry[_C]]:
        entries = self._made
        dropped = [entries.pop(key) for key, e in list(entries.items()) if _closed(e.loop)]
        if len(entries) >= MAX_LOOPS:
            for key, entry in list(entries.items()):
                if entry.idle() and not entry.thread.is_alive():
                    del entries[key]
        for key, entry in list(entries.items()):
            if len(entries) < HARD_LIMIT:
                break
            if entry.idle():
                del entries[key]
        return dropped

    def __len__(self) -> int:
        return len(self._made)


@dataclass(eq=False)
class _Entry(Generic[_C]):
    loop: object
    made: _C
    thread: threading.Thread
    watcher: Any = field(default=None, repr=False)
    """The suspended generator that closes ``made`` at loop shutdown (kept alive here)."""

    def idle(self) -> bool:
        """Whether it may be forgotten: an asyncio loop that is not running now."""
        return self.loop is not _NO_LOOP and not _running(self.loop)
