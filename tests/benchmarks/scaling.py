"""Scaling rows 9-11 of issue 14: does each path grow linearly with its input?

- Row 9: references growth. Each chat v2 path is timed on a JSON answer with 50
  references in 4,000 characters and on one with 500 references in 40,000 characters;
  the growth (large time / small time) should be about 10, target <= 12.
- Row 10: events growth. Each streaming path is timed on a stream of 1,000 and of 10,000
  text events; target growth <= 11. For the LangChain and LlamaIndex paths the measured
  quantity is the package's own time: the path's time minus the time of the framework's
  floor model (`_floors.py`) streaming the same pieces: `FloorChatModel` for LangChain,
  `FloorChatLLM` for LlamaIndex (a chat model's own ``stream_chat``, as `Unleash` has;
  `FloorLLM`'s completion-to-chat wrappers run two callback layers per chunk and cost
  more than the whole `Unleash` path).
- Row 11: memory. Peak traced memory (``tracemalloc``) of reading a 50,000-event v2
  stream through each adapter, against reading it with the client alone; target: the
  adapter's extra peak is at most 3 times the answer text's size.

Times are per call; every pair (or group) of measurements is interleaved, the order
alternating from one repetition to the next, and a row reports the median growth with its
spread (min-max) across repetitions. ``.venv/bin/python -m tests.benchmarks.scaling
[--quick]`` prints these rows on their own; `rows` gives them to the main table.
"""

from __future__ import annotations

import functools
import gc
import math
import statistics
import time
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from assistant_bridge import UnleashClient
from assistant_bridge.sources import sources_from_chat_v2

from ._fixtures import QUESTION, drain_v1, drain_v2
from ._floors import FloorChatLLM, FloorChatModel
from ._harness import FULL, QUICK, Plan, Row, Spread, Target, unfreezing
from ._scaling_bodies import (
    ScaledBody,
    check_round_trip,
    client_for,
    v1_stream_with_events,
    v2_json_with_references,
    v2_sse_with_events,
)

__all__ = ["growth", "interleaved", "main", "rows"]

REFS_TARGET = Target(12.0, label="growth <= 12x")
EVENTS_TARGET = Target(11.0, label="growth <= 11x")
MEMORY_TARGET = 3.0
"""Row 11: the adapter's peak over the client's, in multiples of the text's size."""


@dataclass(frozen=True)
class Scales:
    """The sizes each row compares (full or quick), and how long to spend timing them."""

    refs: tuple[tuple[int, int], tuple[int, int]]
    """(references, text characters), small then large."""
    events: tuple[int, int]
    memory_events: int
    budget: float
    """Seconds one timing should take (the calls per timing are chosen to fill it)."""
    group_cap: float
    """Seconds one group of interleaved timings may take; fewer repetitions past it."""
    min_repeat: int
    """Repetitions kept however slow the calls are."""


FULL_SCALES = Scales(
    refs=((50, 4_000), (500, 40_000)),
    events=(1_000, 10_000),
    memory_events=50_000,
    budget=0.2,
    group_cap=8.0,
    min_repeat=3,
)
QUICK_SCALES = Scales(
    refs=((5, 400), (50, 4_000)),
    events=(100, 1_000),
    memory_events=2_000,
    budget=0.01,
    group_cap=0.3,
    min_repeat=2,
)


def scales_for(plan: Plan) -> Scales:
    """Quick sizes for a quick plan (few calls per timing), else the issue's sizes."""
    return QUICK_SCALES if plan.number < FULL.number // 4 else FULL_SCALES


# -- timing ------------------------------------------------------------------------------------
def interleaved(fns: Sequence[Callable[[], Any]], plan: Plan, scales: Scales) -> list[list[float]]:
    """Seconds per call of each of ``fns``, one list per function, one value per repetition.

    Each function runs once first (warm-up, and to choose how many calls fill
    ``scales.budget``, at most ``plan.number``). Then, per repetition, every function is
    timed once, in the given order on even repetitions and in reverse on odd ones, so
    drift and cache effects fall on both sides. There are ``plan.repeat`` repetitions,
    fewer (not under ``scales.min_repeat``) when they would take over ``scales.group_cap``
    seconds in all: slow, super-linear code is measured less often, not for minutes.
    """
    once = []
    for fn in fns:
        start = time.perf_counter()
        fn()
        once.append(time.perf_counter() - start)
    calls = [max(1, min(plan.number, round(scales.budget / max(t, 1e-9)))) for t in once]
    per_repetition = sum(n * t for n, t in zip(calls, once, strict=True))
    affordable = int(scales.group_cap / max(per_repetition, 1e-9))
    repeat = min(plan.repeat, max(scales.min_repeat, affordable))
    samples: list[list[float]] = [[] for _ in fns]
    for rep in range(repeat):
        order = range(len(fns)) if rep % 2 == 0 else reversed(range(len(fns)))
        for index in order:
            fn, number = fns[index], calls[index]
            start = time.perf_counter()
            for _ in range(number):
                fn()
            samples[index].append((time.perf_counter() - start) / number)
    return samples


def _one(value: float) -> str:
    return f"{value:.1f}"


def growth(small: Sequence[float], large: Sequence[float]) -> Spread:
    """Large / small per repetition (an infinite growth where small is not positive)."""
    return Spread(tuple(b / a if a > 0 else math.inf for a, b in zip(small, large, strict=True)))


def _time(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds * 1e6:.0f} µs"


# -- row 9: references growth ---------------------------------------------------------------
def _reference_paths(client: UnleashClient) -> list[tuple[str, Callable[[], Any]]]:
    """The chat v2 paths whose cost may grow with the references, all on ``client``."""
    from llama_index.core.llms import ChatMessage

    from assistant_bridge.langchain import ChatUnleash, UnleashChatRetriever
    from assistant_bridge.llama_index import Unleash, UnleashRetriever

    response = client.chat_v2(QUESTION)
    chat_model = ChatUnleash(client=client, api_version="v2")
    llm = Unleash(client=client, api_version="v2")
    question = [ChatMessage(role="user", content="q")]
    lc_retriever = UnleashChatRetriever(client=client, api_version="v2")
    li_retriever = UnleashRetriever(mode="chat", client=client, api_version="v2")
    return [
        ("`UnleashClient.chat_v2`", lambda: client.chat_v2(QUESTION)),
        ("`sources_from_chat_v2` (parsed answer)", lambda: sources_from_chat_v2(response)),
        ("`ChatUnleash.invoke` (v2)", lambda: chat_model.invoke("q")),
        ("LlamaIndex `Unleash.chat` (v2)", lambda: llm.chat(question)),
        ("`UnleashChatRetriever.invoke` (v2)", lambda: lc_retriever.invoke("q")),
        (
            "LlamaIndex `UnleashRetriever(mode='chat').retrieve` (v2)",
            lambda: li_retriever.retrieve("q"),
        ),
    ]


def row_references(plan: Plan, scales: Scales) -> list[Row]:
    """Row 9: each chat v2 path on a small and a large references answer."""
    (n_small, chars_small), (n_large, chars_large) = scales.refs
    bodies = [
        v2_json_with_references(n_small, chars_small),
        v2_json_with_references(n_large, chars_large),
    ]
    for body in bodies:
        check_round_trip(body)
    small, large = (_reference_paths(client_for(body)) for body in bodies)
    label = f"{n_small} refs/{len(bodies[0].text):,} chars -> {n_large} refs/{len(bodies[1].text):,} chars"
    result = []
    for (name, run_small), (_, run_large) in zip(small, large, strict=True):
        t_small, t_large = interleaved([run_small, run_large], plan, scales)
        grew = growth(t_small, t_large)
        result.append(
            Row(
                9,
                f"References growth, {name}, {label}",
                f"{_time(statistics.median(t_large))} (large)",
                f"{_time(statistics.median(t_small))} (small)",
                grew.text(_one),
                str(REFS_TARGET),
                REFS_TARGET.note(grew, _one),
            )
        )
    return result


# -- row 10: events growth ----------------------------------------------------------------------
@dataclass(frozen=True)
class _StreamPath:
    """A streaming path at one size, with the framework floor for the same pieces."""

    run: Callable[[], Any]
    floor: Callable[[], Any] | None


def _stream_paths(body: ScaledBody) -> list[tuple[str, _StreamPath]]:
    """The streaming paths of ``body``'s API version, on a client answering ``body``."""
    from llama_index.core.llms import ChatMessage

    from assistant_bridge.langchain import ChatUnleash
    from assistant_bridge.llama_index import Unleash

    client = client_for(body)
    version = body.api_version
    chat_model = ChatUnleash(client=client, api_version=version)
    llm = Unleash(client=client, api_version=version)
    question = [ChatMessage(role="user", content="q")]
    floor_chat = FloorChatModel(text=body.text, pieces=body.pieces)
    floor_llm = FloorChatLLM(text=body.text, pieces=body.pieces)

    def drain(iterable: Any) -> None:
        for _ in iterable:
            pass

    client_name = "stream_chat" if version == "v1" else "stream_chat_v2"
    return [
        (
            f"`UnleashClient.{client_name}` ({version})",
            _StreamPath(lambda: (drain_v1 if version == "v1" else drain_v2)(client), None),
        ),
        (
            f"`ChatUnleash.stream` ({version}), own time (minus the floor chat model)",
            _StreamPath(
                lambda: drain(chat_model.stream("q")), lambda: drain(floor_chat.stream("q"))
            ),
        ),
        (
            f"LlamaIndex `Unleash.stream_chat` ({version}), own time (minus the floor chat LLM)",
            _StreamPath(
                lambda: drain(llm.stream_chat(question)),
                lambda: drain(floor_llm.stream_chat(question)),
            ),
        ),
    ]


def _check_stream_paths(body: ScaledBody) -> None:
    """The adapters stream ``body``'s text in as many text chunks as the floors yield.

    Checked once per API version, on the small body: the floors stream ``body.pieces``,
    one text chunk each, so ours must yield one text chunk per text event too.
    """
    from llama_index.core.llms import ChatMessage

    from assistant_bridge.langchain import ChatUnleash
    from assistant_bridge.llama_index import Unleash

    client = client_for(body)
    chunks = list(ChatUnleash(client=client, api_version=body.api_version).stream("q"))
    assert "".join(c.text for c in chunks) == body.text, "ChatUnleash.stream: another text"
    texts = sum(1 for c in chunks if c.text)
    assert texts == len(body.pieces), f"ChatUnleash.stream: {texts} text chunks"
    llm = Unleash(client=client, api_version=body.api_version)
    responses = list(llm.stream_chat([ChatMessage(role="user", content="q")]))
    assert responses[-1].message.content == body.text, "Unleash.stream_chat: another text"
    deltas = sum(1 for r in responses if r.delta)
    assert deltas == len(body.pieces), f"Unleash.stream_chat: {deltas} text deltas"


def row_events(plan: Plan, scales: Scales) -> list[Row]:
    """Row 10: each streaming path at two stream lengths (own time for the adapters)."""
    n_small, n_large = scales.events
    result = []
    for make in (v1_stream_with_events, v2_sse_with_events):
        bodies = [make(n_small), make(n_large)]
        for body in bodies:
            check_round_trip(body)
        _check_stream_paths(bodies[0])
        small, large = (_stream_paths(body) for body in bodies)
        for (name, at_small), (_, at_large) in zip(small, large, strict=True):
            result.append(_events_row(name, at_small, at_large, bodies, plan, scales))
    return result


def _events_row(
    name: str,
    at_small: _StreamPath,
    at_large: _StreamPath,
    bodies: list[ScaledBody],
    plan: Plan,
    scales: Scales,
) -> Row:
    n_small, n_large = (b.text_events for b in bodies)
    if at_small.floor is None or at_large.floor is None:
        t_small, t_large = interleaved([at_small.run, at_large.run], plan, scales)
        own_small, own_large = t_small, t_large
        detail_large = detail_small = ""
    else:
        t_small, f_small, t_large, f_large = interleaved(
            [at_small.run, at_small.floor, at_large.run, at_large.floor], plan, scales
        )
        own_small = [t - f for t, f in zip(t_small, f_small, strict=True)]
        own_large = [t - f for t, f in zip(t_large, f_large, strict=True)]
        detail_large = (
            f"; path {_time(statistics.median(t_large))}, floor {_time(statistics.median(f_large))}"
        )
        detail_small = (
            f"; path {_time(statistics.median(t_small))}, floor {_time(statistics.median(f_small))}"
        )
    grew = growth(own_small, own_large)
    per_event_large = statistics.median(own_large) / n_large * 1e6
    per_event_small = statistics.median(own_small) / n_small * 1e6
    return Row(
        10,
        f"Events growth, {name}, {n_small:,} -> {n_large:,} text events",
        f"{_time(statistics.median(own_large))} at {n_large:,}, {per_event_large:.1f} µs/event{detail_large}",
        f"{_time(statistics.median(own_small))} at {n_small:,}, {per_event_small:.1f} µs/event{detail_small}",
        grew.text(_one),
        str(EVENTS_TARGET),
        EVENTS_TARGET.note(grew, _one),
    )


# -- row 11: memory ---------------------------------------------------------------------------------
def _peak(fn: Callable[[], str], expected: str) -> float:
    """Peak traced bytes while ``fn`` runs, what it returns included (checked: ``expected``)."""
    gc.collect()
    tracemalloc.start()
    tracemalloc.reset_peak()
    try:
        kept = fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert kept == expected, "another text"
    del kept
    return peak


def _readers(body: ScaledBody) -> dict[str, Callable[[], str]]:
    """Each way of reading ``body``'s v2 stream to its final text, keyed for row 11."""
    from llama_index.core.llms import ChatMessage

    from assistant_bridge.langchain import ChatUnleash
    from assistant_bridge.llama_index import Unleash

    client = client_for(body)
    chat_model = ChatUnleash(client=client, api_version="v2")
    llm = Unleash(client=client, api_version="v2")
    floor_chat = FloorChatModel(text=body.text, pieces=body.pieces)
    floor_llm = FloorChatLLM(text=body.text, pieces=body.pieces)
    question = [ChatMessage(role="user", content="q")]

    def read_client() -> str:
        pieces = []
        with client.stream_chat_v2(QUESTION) as stream:
            for chunk in stream:
                if chunk.text:
                    pieces.append(chunk.text)
        return "".join(pieces)

    def joined(model: Any) -> str:
        return "".join([chunk.text for chunk in model.stream("q")])

    def last(model: Any) -> str:
        response = functools.reduce(lambda _, new: new, model.stream_chat(question), None)
        assert response is not None
        return str(response.message.content)

    return {
        "client": read_client,
        "langchain": lambda: joined(chat_model),
        "langchain floor": lambda: joined(floor_chat),
        "llama_index": lambda: last(llm),
        "llama_index floor": lambda: last(floor_llm),
    }


def row_memory(plan: Plan, scales: Scales) -> list[Row]:
    """Row 11: peak memory of reading one long v2 stream: client alone vs each adapter.

    One traced run per reader (peaks barely move between runs, and a traced 50,000-event
    LlamaIndex stream takes seconds); each reader is first run on a 100-event stream, so
    first-use imports and caches are not counted.
    """
    warm = v2_sse_with_events(100)
    for key, read in _readers(warm).items():
        assert read() == warm.text, f"{key}: another text"
    body = v2_sse_with_events(scales.memory_events)
    mb = {key: _peak(read, body.text) / 2**20 for key, read in _readers(body).items()}
    text_mb = len(body.text.encode()) / 2**20
    result = []
    for key, name in (
        ("langchain", "`ChatUnleash.stream` (v2), text joined from the chunks"),
        ("llama_index", "LlamaIndex `Unleash.stream_chat` (v2), last response kept"),
    ):
        floor = f"{key} floor"
        # The package's own peak: the adapter's over the framework's floor model reading
        # the same pieces (LangChain's `stream` keeps every chunk for `on_llm_end`, so any
        # LangChain model peaks far above its text), compared with the client's own.
        own = mb[key] - mb[floor]
        extra = (own - mb["client"]) / text_mb
        result.append(
            Row(
                11,
                f"Peak traced memory, {name}, {body.text_events:,}-event stream "
                f"({len(body.body) / 2**20:.1f} MB body, text {text_mb:.2f} MB): "
                "the adapter's own (its peak minus the framework's floor model's)",
                f"{own:.1f} MB (peak {mb[key]:.1f} MB, floor {mb[floor]:.1f} MB)",
                f"{mb['client']:.1f} MB (`stream_chat_v2`, final text kept)",
                f"{extra:+.2f}x text above the client",
                f"<= {MEMORY_TARGET:g}x text ({MEMORY_TARGET * text_mb:.1f} MB) above the client",
                "within target" if extra <= MEMORY_TARGET else "OVER TARGET",
            )
        )
    return result


# -- the rows ---------------------------------------------------------------------------------------
def rows(plan: Plan) -> list[Row]:
    """Rows 9 (references growth), 10 (events growth) and 11 (memory) for ``plan``."""
    from assistant_bridge.langchain import ChatUnleash, UnleashChatRetriever
    from assistant_bridge.llama_index import Unleash, UnleashRetriever

    loaded = (ChatUnleash, UnleashChatRetriever, Unleash, UnleashRetriever)
    assert all(loaded), "the adapters load before the collector is frozen"
    scales = scales_for(plan)
    result: list[Row] = []
    # What is alive now (the frameworks, the bodies' sources) is moved out of the
    # collector's sight while measuring: a full collection then costs the same at both
    # sizes instead of a fifth of a second of walking LangChain and LlamaIndex.
    gc.collect()
    gc.freeze()
    try:
        for step in (row_references, row_events, row_memory):
            for row in step(plan, scales):
                print(
                    f"{row.number}. {row.name}: {row.ours} | {row.baseline} | {row.ratio} "
                    f"| {row.target} | {row.note}",
                    flush=True,
                )
                result.append(row)
    finally:
        gc.unfreeze()
    return result


def _main(argv: list[str] | None) -> int:
    """Print rows 9-11 (``--quick`` for the smoke sizes), then their table."""
    from .bench import parse_args, table

    args = parse_args(
        argv, "tests.benchmarks.scaling", "Print the scaling rows 9-11 only.", write=False
    )
    plan = QUICK if args.quick else FULL
    start = time.perf_counter()
    result = rows(plan)
    print()
    print("\n".join(table(result)))
    print(f"\n({time.perf_counter() - start:.1f} s)")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the rows and print them (see `_main`); the heap is unfrozen after."""
    return unfreezing(_main, argv)


if __name__ == "__main__":
    raise SystemExit(main())
