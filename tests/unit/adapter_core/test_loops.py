"""`PerLoop`: one object per running event loop, those of closed loops dropped."""

from __future__ import annotations

import asyncio
import gc
import itertools
import socket
import threading
import warnings
import weakref

import pytest

from assistant_bridge._adapter_core._loops import HARD_LIMIT, MAX_LOOPS, PerLoop


def test_one_object_per_loop_and_closed_loops_are_forgotten() -> None:
    counter = itertools.count()
    per_loop: PerLoop[int] = PerLoop()

    async def twice() -> tuple[int, int]:
        return per_loop.get(lambda: next(counter)), per_loop.get(lambda: next(counter))

    assert asyncio.run(twice()) == (0, 0)  # the same loop: made once
    assert asyncio.run(twice()) == (1, 1)  # a new loop: a new one
    assert len(per_loop) == 1  # the first loop closed: its object was dropped

    loop = asyncio.new_event_loop()
    try:
        first = loop.run_until_complete(twice())
        assert asyncio.run(twice()) == (3, 3)
        assert loop.run_until_complete(twice()) == first == (2, 2)  # still open: kept
        assert len(per_loop) == 2
    finally:
        loop.close()


def test_outside_any_loop_one_object_is_shared() -> None:
    per_loop: PerLoop[object] = PerLoop()
    made = per_loop.get(object)
    assert per_loop.get(object) is made


def test_threads_racing_make_one_object() -> None:
    per_loop: PerLoop[object] = PerLoop()
    made: list[object] = []
    results: list[object] = []
    barrier = threading.Barrier(8, timeout=5)

    def make() -> object:
        made.append(object())
        return made[-1]

    def take() -> None:
        barrier.wait()
        results.append(per_loop.get(make))

    threads = [threading.Thread(target=take) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=5)
    assert len(results) == 8
    assert len(made) == 1
    assert all(r is made[0] for r in results)


# The loops are dropped unclosed on purpose; asyncio's own finaliser may then trip over a
# self-pipe the collector closed first. That noise is not what this test is about.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_loops_of_ended_threads_are_forgotten_past_the_limit() -> None:
    per_loop: PerLoop[object] = PerLoop()
    made: list[weakref.ref[object]] = []

    async def take() -> None:
        made.append(weakref.ref(per_loop.get(_Made)))

    def worker() -> None:
        asyncio.new_event_loop().run_until_complete(take())  # never closed, then dropped

    for _ in range(3 * MAX_LOOPS):
        thread = threading.Thread(target=worker)
        thread.start()
        thread.join()
    gc.collect()
    assert len(per_loop) <= MAX_LOOPS
    assert sum(r() is not None for r in made) <= MAX_LOOPS


def test_live_idle_loops_are_kept_up_to_the_hard_limit_and_a_running_one_always() -> None:
    per_loop: PerLoop[object] = PerLoop()
    loops = [asyncio.new_event_loop() for _ in range(MAX_LOOPS + 1)]

    async def take() -> object:
        return per_loop.get(_Made)

    try:
        first = [loop.run_until_complete(take()) for loop in loops]
        again = [loop.run_until_complete(take()) for loop in loops]
        assert all(a is b for a, b in zip(first, again, strict=True))  # no remaking
        outside = per_loop.get(_Made)
        more = [asyncio.new_event_loop() for _ in range(HARD_LIMIT)]
        loops += more

        async def take_while_running() -> tuple[object, object]:
            mine = per_loop.get(_Made)
            for loop in more:  # others made while this loop runs
                await asyncio.get_running_loop().run_in_executor(
                    None, loop.run_until_complete, take()
                )
            return mine, per_loop.get(_Made)

        running = asyncio.new_event_loop()
        loops.append(running)
        mine, still = running.run_until_complete(take_while_running())
        assert still is mine
        assert len(per_loop) <= HARD_LIMIT
        assert per_loop.get(_Made) is outside  # the entry outside any loop is never dropped
    finally:
        for loop in loops:
            loop.close()


class _Made:
    """Something weakly referable, made per loop."""


class _Closable:
    """An async client stand-in: records the loop that closed it."""

    def __init__(self) -> None:
        self.made_in = asyncio.get_running_loop()
        self.closed_in: asyncio.AbstractEventLoop | None = None

    async def close(self) -> None:
        self.closed_in = asyncio.get_running_loop()


def test_an_object_with_async_close_is_closed_inside_its_loop_when_asyncio_run_ends() -> None:
    per_loop: PerLoop[_Closable] = PerLoop()

    async def take() -> _Closable:
        return per_loop.get(_Closable)

    first = asyncio.run(take())
    assert first.closed_in is first.made_in  # closed by its own loop, while it still ran
    assert len(per_loop) == 0  # and forgotten
    second = asyncio.run(take())
    assert second is not first
    assert second.closed_in is second.made_in


def test_the_sockets_of_a_loop_closed_without_shutting_down_are_closed_by_the_next_get() -> None:
    per_loop: PerLoop[object] = PerLoop()
    mine, theirs = socket.socketpair()

    class Holder:
        async def close(self) -> None:  # never runs: the loop is closed without shutdown
            raise AssertionError("closed from a dead loop")

    async def connect() -> object:
        loop = asyncio.get_running_loop()
        holder = per_loop.get(Holder)
        transport, _ = await loop.create_connection(asyncio.Protocol, sock=mine)
        holder.transport = transport  # type: ignore[attr-defined]
        return holder

    loop = asyncio.new_event_loop()
    loop.run_until_complete(connect())
    loop.close()  # no shutdown_asyncgens: nothing ran close()
    assert mine.fileno() != -1
    gc.collect()  # other tests' leftovers (loops never closed) warn now, not below
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        asyncio.run(_get(per_loop))
        gc.collect()
    theirs.close()
    assert mine.fileno() == -1  # closed synchronously when the dead loop's entry went
    assert [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)] == []


async def _get(per_loop: PerLoop[object]) -> object:
    return per_loop.get(object)
