"""`PerLoop`: one object per running event loop, those of closed loops dropped."""

from __future__ import annotations

import asyncio
import gc
import itertools
import threading
import weakref

from assistant_bridge._loops import MAX_LOOPS, PerLoop


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


def test_loops_dropped_without_being_closed_are_forgotten_past_the_limit() -> None:
    per_loop: PerLoop[object] = PerLoop()
    made: list[weakref.ref[object]] = []

    async def take() -> None:
        made.append(weakref.ref(per_loop.get(_Made)))

    for _ in range(3 * MAX_LOOPS):
        asyncio.new_event_loop().run_until_complete(take())  # never closed, then dropped
    gc.collect()
    assert len(per_loop) <= MAX_LOOPS
    assert sum(r() is not None for r in made) <= MAX_LOOPS


class _Made:
    """Something weakly referable, made per loop."""
