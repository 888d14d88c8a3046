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
from typing import Generic, TypeVar

__all__ = ["PerLoop"]

_C = TypeVar("_C")
MAX_LOOPS = 8
"""Past this many live loops, those not running now are forgotten (a loop per thread that
is never closed, say): their objects are made again if such a loop comes back."""
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
    are never closed are forgotten once there are `MAX_LOOPS` of them, unless running.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._made: dict[int, tuple[object, _C]] = {}

    def get(self, make: Callable[[], _C]) -> _C:
        """The object for the running loop, made with ``make`` on first use in that loop."""
        loop = _current_loop()
        with self._lock:
            found = self._made.get(id(loop))
            if found is not None and found[0] is loop:
                return found[1]
            for key, (old, _) in list(self._made.items()):
                if _closed(old):
                    del self._made[key]
            if len(self._made) >= MAX_LOOPS:  # loops dropped without being closed
                for key, (old, _) in list(self._made.items()):
                    if not _running(old):
                        del self._made[key]
            made = make()
            self._made[id(loop)] = (loop, made)
            return made

    def __len__(self) -> int:
        return len(self._made)
