"""Async clients that adapters make for themselves: one per running event loop.

An ``httpx.AsyncClient`` keeps pooled connections bound to the event loop that opened
them; used from another loop (a second ``asyncio.run``, a notebook cell run by a
different loop, pytest-asyncio's loop per test) it fails with "Event loop is closed".
So an adapter that makes its own async client keeps one per loop, and forgets those of
loops that have closed. A client the caller passes in is used as given, never here.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

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


class PerLoop(Generic[_C]):
    """Lazily made objects, one per running asyncio event loop (thread-safe).

    Those made for a loop that has since closed are dropped when the next one is made:
    their connections died with their loop and cannot be closed from another. Loops that
    are never closed are forgotten once there are `MAX_LOOPS` of them if the thread that
    ran them has ended, and, least recently used first, past `HARD_LIMIT`; a running loop
    is never forgotten.
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
            self._forget_stale()
            made = make()
            self._made[key] = _Entry(loop, made, threading.current_thread())
            return made

    def _forget_stale(self) -> None:
        entries = self._made
        for key, entry in list(entries.items()):
            if _closed(entry.loop):
                del entries[key]
        if len(entries) >= MAX_LOOPS:
            for key, entry in list(entries.items()):
                if entry.idle() and not entry.thread.is_alive():
                    del entries[key]
        for key, entry in list(entries.items()):
            if len(entries) < HARD_LIMIT:
                break
            if entry.idle():
                del entries[key]

    def __len__(self) -> int:
        return len(self._made)


@dataclass(frozen=True)
class _Entry(Generic[_C]):
    loop: object
    made: _C
    thread: threading.Thread

    def idle(self) -> bool:
        """Whether it may be forgotten: an asyncio loop that is not running now."""
        return self.loop is not _NO_LOOP and not _running(self.loop)
