"""The benchmark rows of issues 8 and 14: ours next to a baseline, measured interleaved.

Run ``.venv/bin/python -m tests.benchmarks`` (``--quick`` for a smoke run, ``--write`` to
update ``RESULTS.md``). Nothing here asserts an absolute time; rows 6 and 7 assert
behaviour (all streams complete within the pool limit; importing the package or its
client imports no framework).

How a row is timed is in `_harness` (interleaved batches, a spread across repetitions).

Row 1 serves ``chat_v2`` each of its two answer forms (the JSON answer, and the event
stream it asks for first and the emulator sends), the same bytes to both sides. Row 3
lets each model get its natural answer (Unleash's event stream, OpenAI's JSON
completion). Row 5 (time to first token) reports ours minus raw httpx in µs: over the
loopback emulator (one stream per run, the order alternating, the GIL handed between
the emulator's thread and the client's every 0.1 ms instead of 5 ms) and in process,
where a mock transport stamps ``perf_counter()`` just before it hands over the first
text event's bytes, then sleeps (a client that read ahead instead of yielding would wait
that long). Row 7 times imports in fresh interpreters. Row 8 compares the adapters with
the framework's own floor (`_floors.py`: a model doing no I/O, answering the same text
in the same pieces) plus raw httpx doing the same request, both run by one baseline
callable so that they are interleaved with ours. Rows 9-11 come from ``scaling.py``'s
``rows(plan)``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from importlib.metadata import version
from pathlib import Path
from typing import Any

import httpx
import psutil

from assistant_bridge import AsyncUnleashClient, UnleashClient
from assistant_bridge.emulator import EMULATOR_KEYS, FAULT_HEADER

from ._fixtures import (
    MB,
    QUESTION,
    Bodies,
    capture_bodies,
    chunked,
    drain_v2,
    split_first_text,
)
from ._harness import (
    FULL,
    QUICK,
    Plan,
    Row,
    Spread,
    Target,
    alternate,
    ms,
    paired,
    settle,
    timed_row,
    unfreezing,
    us,
)
from ._servers import emulator_process, emulator_thread, system_clock

KEY = EMULATOR_KEYS["unleash"]
BASE = "http://unleash.mock"
POOL_LIMIT = 100
"""The base clients' ``max_connections``."""
FIRST_TOKEN_SLACK_US = 30.0
"""Row 5's target: ours at most this many µs after raw httpx."""
FIRST_TOKEN_PAUSE = 0.05
"""Seconds the in-process row 5 stream sleeps after its first text event."""


# -- mock transports -----------------------------------------------------------------------
def unleash_transport(
    bodies: Bodies, *, stream_body: bytes | None = None, form: str = "accept"
) -> httpx.MockTransport:
    """Chat v2 and search, as the vendor would answer.

    A chat v2 request gets the event stream (``stream_body``, default the emulator's) or
    the JSON answer: by its ``Accept`` header (``form="accept"``: the event stream when it
    names ``text/event-stream``, as the emulator does), or always the one ``form`` names
    (``"json"`` / ``"sse"``). The clients' ``chat_v2`` asks for the event stream first,
    so a row comparing it with ``post`` + ``json.loads`` must fix the form for both sides.
    """

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/search"):
            return httpx.Response(
                200, content=bodies.search_1000, headers={"content-type": "application/json"}
            )
        sse = "text/event-stream" in request.headers.get("accept", "")
        if form == "sse" or (form == "accept" and sse):
            body = stream_body or bodies.v2_sse
            return httpx.Response(
                200, content=chunked(body), headers={"content-type": "text/event-stream"}
            )
        return httpx.Response(
            200, content=bodies.v2_json, headers={"content-type": "application/json"}
        )

    return httpx.MockTransport(handler)


def unleash_client(transport: httpx.BaseTransport) -> UnleashClient:
    """An `UnleashClient` over ``transport``."""
    return UnleashClient(KEY, base_url=BASE, http_client=httpx.Client(transport=transport))


class RawUnleash:
    """The baselines' raw httpx requests to the same mock Unleash API."""

    def __init__(self, transport: httpx.BaseTransport) -> None:
        self.http = httpx.Client(transport=transport)
        self.auth = {"authorization": f"Bearer {KEY}"}
        self.sse = {**self.auth, "accept": "text/event-stream"}

    def chat(self) -> Any:
        """``post`` + ``json.loads``: the JSON answer as a dict."""
        response = self.http.post(
            f"{BASE}/chats/v2", json={"messages": QUESTION}, headers=self.auth
        )
        return json.loads(response.content)

    def chat_events(self) -> list[Any]:
        """``post`` + ``json.loads`` of each ``data:`` line of the whole event-stream body."""
        response = self.http.post(f"{BASE}/chats/v2", json={"messages": QUESTION}, headers=self.sse)
        return [
            json.loads(line[6:])
            for line in response.content.splitlines()
            if line.startswith(b"data: ")
        ]

    def stream(self) -> int:
        """``stream`` + ``iter_lines`` + ``json.loads`` of each ``data:`` line; the count."""
        count = 0
        with self.http.stream(
            "POST", f"{BASE}/chats/v2", json={"messages": QUESTION}, headers=self.sse
        ) as response:
            for line in response.iter_lines():
                if line.startswith("data: "):
                    json.loads(line[6:])
                    count += 1
        return count


# -- row 1: client overhead ----------------------------------------------------------------
def row_client_overhead(bodies: Bodies, plan: Plan) -> list[Row]:
    """``chat_v2`` against raw httpx reading the same answer, in each of its two forms.

    ``chat_v2`` asks for the event stream (``Accept: text/event-stream,
    application/json;q=0.9``) and the emulator answers with one; it also reads the JSON
    form. Each line serves one form to both sides.
    """
    rows = []
    cases = [
        (
            "json",
            f"{len(bodies.v2_json) / 1024:.1f} KB JSON answer",
            "chat",
            "httpx post + `json.loads`",
        ),
        (
            "sse",
            f"{len(bodies.v2_sse) / 1024:.1f} KB event-stream answer "
            f"({bodies.v2_sse.count(b'data: ')} events, the form it asks for)",
            "chat_events",
            "httpx post + `json.loads` of each `data:` line",
        ),
    ]
    for form, what, raw_method, label in cases:
        transport = unleash_transport(bodies, form=form)
        client = unleash_client(transport)
        baseline = getattr(RawUnleash(transport), raw_method)
        assert client.chat_v2(QUESTION).text == bodies.answer_text

        def call(client: UnleashClient = client) -> object:
            return client.chat_v2(QUESTION)

        result = paired(call, baseline, plan)
        rows.append(timed_row(1, f"`UnleashClient.chat_v2`, {what}", result, label, Target(1.5)))
    return rows


# -- row 2: stream decode ------------------------------------------------------------------
def row_stream_decode(bodies: Bodies, plan: Plan) -> Row:
    """``stream_chat_v2`` over 1 MB against ``iter_lines`` + ``json.loads``: throughput."""
    body = bodies.v2_sse_1mb
    transport = unleash_transport(bodies, stream_body=body)
    client = unleash_client(transport)
    raw = RawUnleash(transport)

    result = paired(lambda: drain_v2(client), raw.stream, plan, max(plan.number // 20, 2))
    size = len(body) / MB
    ratio = result.throughput_ratio
    target = Target(0.7, at_least=True)
    return Row(
        2,
        f"`stream_chat_v2`, {size:.1f} MB v2 SSE body ({body.count(b'data: '):,} events)",
        f"{size / result.ours_median:.1f} MB/s",
        f"{size / result.baseline_median:.1f} MB/s (`iter_lines` + `json.loads`)",
        f"{ratio.text()} (throughput)",
        str(target),
        target.note(ratio),
    )


# -- row 3: framework overhead against langchain-openai ------------------------------------
def _openai_transport(text: str, pieces: list[str]) -> httpx.MockTransport:
    def chunk(delta: dict[str, Any], finish: str | None = None) -> bytes:
        body = {
            "id": "chatcmpl-1",
            "object": "chat.completion.chunk",
            "created": 0,
            "model": "gpt-4o-mini",
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        }
        return b"data: " + json.dumps(body).encode() + b"\n\n"

    stream = b"".join(
        [
            chunk({"role": "assistant", "content": ""}),
            *(chunk({"content": piece}) for piece in pieces),
            chunk({}, "stop"),
            b"data: [DONE]\n\n",
        ]
    )
    completion = json.dumps(
        {
            "id": "chatcmpl-1",
            "object": "chat.completion",
            "created": 0,
            "model": "gpt-4o-mini",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": text},
                    "finish_reason": "stop",
                }
            ],
            "usage": {"prompt_tokens": 10, "completion_tokens": 100, "total_tokens": 110},
        }
    ).encode()

    def handler(request: httpx.Request) -> httpx.Response:
        if json.loads(request.content).get("stream"):
            return httpx.Response(
                200, content=chunked(stream), headers={"content-type": "text/event-stream"}
            )
        return httpx.Response(200, content=completion, headers={"content-type": "application/json"})

    return httpx.MockTransport(handler)


def langchain_floor(chat: Any) -> Any:
    """LangChain's floor model answering what ``chat`` (a `ChatUnleash`) answers.

    The same text for ``invoke``; for ``stream``, the same pieces as ``chat``'s chunks
    before its last one (tool-event chunks carry no text and count as empty pieces).
    """
    from ._floors import FloorChatModel

    pieces = [c.text for c in chat.stream("q") if c.chunk_position != "last"]
    return FloorChatModel(text=chat.invoke("q").text, pieces=pieces)


def bound_calls(
    client: UnleashClient, whole: Callable[[], object], streamed: Callable[[], object]
) -> tuple[Callable[[], None], Callable[[], None]]:
    """An adapter's two paths as they would cost if the adapter's own work cost nothing.

    Each is this package's client reading the answer (``chat_v2``, or ``stream_chat_v2``
    read to its end), then the framework's floor model answering it: ``whole`` (e.g.
    ``floor.invoke``) or ``streamed`` (e.g. the floor's stream, drained).
    """

    def read_whole() -> None:
        client.chat_v2(QUESTION)
        whole()

    def read_streamed() -> None:
        drain_v2(client)
        streamed()

    return read_whole, read_streamed


def row_framework(bodies: Bodies, plan: Plan) -> list[Row]:
    """``ChatUnleash`` against ``ChatOpenAI`` on the same text in the same pieces.

    After each line, a report line ("bound", `bound_calls`) times this package's client
    plus LangChain's floor against the same ``ChatOpenAI`` call.
    """
    from langchain_openai import ChatOpenAI

    from assistant_bridge.langchain import ChatUnleash

    client = unleash_client(unleash_transport(bodies))
    ours = ChatUnleash(client=client)
    floor = langchain_floor(ours)
    bound_invoke, bound_stream = bound_calls(
        client, lambda: floor.invoke("q"), lambda: list(floor.stream("q"))
    )
    text = "".join(bodies.text_pieces)
    peer = ChatOpenAI(
        model="gpt-4o-mini",
        api_key="sk-test",
        base_url="http://openai.mock/v1",
        http_client=httpx.Client(transport=_openai_transport(text, bodies.text_pieces)),
        max_retries=0,
    )
    assert ours.invoke("q").text == peer.invoke("q").text, "the two answers must be the same text"
    ours_chunks = [c for c in ours.stream("q") if c.text]
    peer_chunks = [c for c in peer.stream("q") if c.text]
    assert "".join(c.text for c in ours_chunks) == "".join(c.text for c in peer_chunks)
    calls = max(plan.number // 4, 2)
    rows = []
    for label, run_ours, run_peer, target, bound in [
        (".invoke", lambda: ours.invoke("q"), lambda: peer.invoke("q"), Target(0.3), bound_invoke),
        (
            ".stream",
            lambda: list(ours.stream("q")),
            lambda: list(peer.stream("q")),
            Target(0.2),
            bound_stream,
        ),
    ]:
        rows.append(
            timed_row(
                3,
                f"`ChatUnleash{label}` vs `ChatOpenAI{label}` (mock transport, same text, "
                f"{len(ours_chunks)} vs {len(peer_chunks)} text chunks)",
                paired(run_ours, run_peer, plan, calls),
                "langchain-openai",
                target,
            )
        )
        rows.append(
            timed_row(
                3,
                f"bound: this package's client + the LangChain floor (an adapter costing "
                f"nothing) vs `ChatOpenAI{label}`",
                paired(bound, run_peer, plan, calls),
                "langchain-openai",
                None,
                note="the least `ChatUnleash` can cost with this client",
            )
        )
    return rows


# -- row 4: retriever -----------------------------------------------------------------------
def row_retriever(bodies: Bodies, plan: Plan) -> Row:
    """The search retriever against ``json.loads`` + ``Document(...)`` built directly."""
    from langchain_core.documents import Document

    from assistant_bridge.langchain import UnleashSearchRetriever

    retriever = UnleashSearchRetriever(client=unleash_client(unleash_transport(bodies)), k=1000)
    raw = httpx.Client(transport=unleash_transport(bodies))
    assert len(retriever.invoke("travel")) == 1000

    def baseline() -> None:
        page = json.loads(raw.post(f"{BASE}/search", json={"query": "travel"}).content)
        [
            Document(
                page_content=r["snippet"],
                metadata={
                    "id": r["resource"]["id"],
                    "title": r["resource"]["title"],
                    "url": r["resource"].get("url"),
                    "source": r["resource"]["appId"],
                },
            )
            for r in page["results"]
        ]

    result = paired(lambda: retriever.invoke("travel"), baseline, plan, max(plan.number // 20, 2))
    return timed_row(
        4,
        "`UnleashSearchRetriever.invoke`, 1,000 search results -> Documents",
        result,
        "json + `Document(...)` directly",
        None,
        unit=ms,
    )


# -- row 5: time to first token ----------------------------------------------------------------
def _signed_us(value: float) -> str:
    return f"{value:+.0f}"


def _first_token_row(
    name: str, ours: Spread, baseline: Spread, baseline_label: str, note: str
) -> Row:
    """A row 5 line: median delays, then ours minus baseline per repetition (µs)."""
    difference = Spread(tuple(a - b for a, b in zip(ours.values, baseline.values, strict=True)))
    target = Target(FIRST_TOKEN_SLACK_US, label=f"within {FIRST_TOKEN_SLACK_US:g} µs of raw httpx")
    verdict = target.note(difference, _signed_us)
    return Row(
        5,
        name,
        us(ours.median * 1e-6),
        f"{us(baseline.median * 1e-6)} ({baseline_label})",
        f"{difference.text(_signed_us, ' to ')} µs",
        str(target),
        "; ".join(part for part in (verdict, note) if part),
    )


def row_first_chunk_loopback(plan: Plan) -> Row:
    """First chunk over the loopback emulator, from the emulator's send of the first byte.

    The emulator runs in a process of its own (`emulator_process`), as a vendor's server
    would: in a thread of this process it would hold the GIL while the client, woken by
    the first bytes, waited for it.
    """
    pause = {FAULT_HEADER: "pace:0.25"}
    with (
        emulator_process() as (url, first_body),
        UnleashClient(KEY, base_url=url) as client,
    ):
        raw = httpx.Client(headers={"authorization": f"Bearer {KEY}"})

        def ours() -> float:
            with client.stream_chat_v2(QUESTION, extra_headers=pause) as stream:
                next(iter(stream))
                return system_clock() - first_body()

        def baseline() -> float:
            headers = {**pause, "accept": "text/event-stream"}
            with raw.stream(
                "POST", f"{url}/chats/v2", json={"messages": QUESTION}, headers=headers
            ) as r:
                for line in r.iter_lines():
                    if line.startswith("data: "):
                        json.loads(line[6:])
                        break
                return system_clock() - first_body()

        ours()  # warm up: connections, imports
        baseline()
        result = alternate(ours, baseline, plan.ttfc_runs)
        raw.close()
    waited = max(result.ours) >= 0.25
    return _first_token_row(
        "Time to first chunk (`stream_chat_v2`), loopback emulator (its own process) pausing "
        f"250 ms after each event; delay from the emulator's send, {plan.ttfc_runs} runs per "
        "side",
        Spread(tuple(v * 1e6 for v in result.ours)),
        Spread(tuple(v * 1e6 for v in result.baseline)),
        "httpx `iter_lines`",
        "FIRST CHUNK WAITED FOR THE PAUSE" if waited else "first chunk before the pause",
    )


def row_first_token_in_process(bodies: Bodies, plan: Plan) -> list[Row]:
    """First text chunk in process: delay from the hand-over of its bytes to the caller.

    The mock response yields the stream's head (request id, tool calls and steps), then
    stamps ``perf_counter()`` and yields the first text event, then sleeps
    `FIRST_TOKEN_PAUSE` before the rest. Each path stops at its first text chunk, so the
    delay covers one event's decoding, validation and hand-over. ``ChatUnleash.stream`` is
    compared with raw httpx plus the time LangChain's floor model takes to hand over one
    chunk (`FloorChatModel`), the per-chunk cost any LangChain model pays.
    """
    from assistant_bridge.langchain import ChatUnleash

    from ._floors import FloorChatModel

    head, first, tail = split_first_text(bodies.v2_sse)
    stamps: list[float] = []

    def content() -> Iterator[bytes]:
        yield head
        stamps.append(time.perf_counter())
        yield first
        time.sleep(FIRST_TOKEN_PAUSE)
        yield tail

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=content(), headers={"content-type": "text/event-stream"})

    transport = httpx.MockTransport(handler)
    client = unleash_client(transport)
    chat = ChatUnleash(client=client)
    raw = RawUnleash(transport)
    floor = FloorChatModel(text="".join(bodies.text_pieces), pieces=bodies.text_pieces)

    def client_path() -> float:
        with client.stream_chat_v2(QUESTION) as stream:
            for chunk in stream:
                if chunk.text:
                    return time.perf_counter() - stamps[-1]
        raise AssertionError("no text chunk")

    def langchain_path() -> float:
        chunks = chat.stream("q")
        try:
            for chunk in chunks:
                if chunk.text:
                    return time.perf_counter() - stamps[-1]
        finally:
            chunks.close()  # type: ignore[attr-defined]
        raise AssertionError("no text chunk")

    def raw_path() -> float:
        with raw.http.stream(
            "POST", f"{BASE}/chats/v2", json={"messages": QUESTION}, headers=raw.sse
        ) as response:
            for line in response.iter_lines():
                if line.startswith("data: ") and "text" in json.loads(line[6:]):
                    return time.perf_counter() - stamps[-1]
        raise AssertionError("no text event")

    def floor_chunk() -> float:
        chunks = floor.stream("q")
        next(chunks)
        start = time.perf_counter()
        next(chunks)
        elapsed = time.perf_counter() - start
        chunks.close()  # type: ignore[attr-defined]
        return elapsed

    paths = [client_path, langchain_path, raw_path, floor_chunk]
    for path in paths:  # warm up
        path()
    medians: list[list[float]] = [[] for _ in paths]
    for rep in range(plan.repeat):
        settle()
        runs: list[list[float]] = [[] for _ in paths]
        for run in range(plan.first_token_runs):
            shift = (rep + run) % len(paths)
            for index in [*range(shift, len(paths)), *range(shift)]:
                runs[index].append(paths[index]() * 1e6)
        for index, values in enumerate(runs):
            medians[index].append(statistics.median(values))
    ours_client, ours_langchain, raw_us, floor_us = (Spread(tuple(m)) for m in medians)
    raw_plus_floor = Spread(
        tuple(a + b for a, b in zip(raw_us.values, floor_us.values, strict=True))
    )
    slow = max(ours_client.high, ours_langchain.high) >= FIRST_TOKEN_PAUSE * 1e6
    waited = "FIRST CHUNK WAITED FOR THE PAUSE" if slow else ""
    return [
        _first_token_row(
            "Time to first text chunk in process (`stream_chat_v2`): mock transport stamps "
            "the hand-over of the first text event's bytes",
            ours_client,
            raw_us,
            "httpx `iter_lines` + `json.loads`",
            waited,
        ),
        _first_token_row(
            "Time to first text chunk in process (`ChatUnleash.stream`), same stream",
            ours_langchain,
            raw_plus_floor,
            f"httpx {us(raw_us.median * 1e-6)} + LangChain floor chunk "
            f"{us(floor_us.median * 1e-6)}",
            waited,
        ),
    ]


# -- row 6: concurrency -----------------------------------------------------------------------
async def _sample_connections(port: int, peak: list[int], stop: asyncio.Event) -> None:
    me = psutil.Process()
    while not stop.is_set():
        open_now = sum(
            1
            for c in me.net_connections(kind="tcp")
            if c.raddr and c.raddr.port == port and c.status == psutil.CONN_ESTABLISHED
        )
        peak[0] = max(peak[0], open_now)
        await asyncio.sleep(0.005)


async def _concurrent(url: str, n: int, ours: bool) -> tuple[float, int, int]:
    port = int(url.rsplit(":", 1)[1])
    peak = [0]
    stop = asyncio.Event()
    sampler = asyncio.create_task(_sample_connections(port, peak, stop))
    start = time.perf_counter()
    if ours:
        async with AsyncUnleashClient(KEY, base_url=url) as client:

            async def one() -> int:
                stream = await client.stream_chat_v2(QUESTION)
                async with stream:
                    return len([c async for c in stream])

            counts = await asyncio.gather(*(one() for _ in range(n)))
    else:
        limits = httpx.Limits(max_connections=POOL_LIMIT, max_keepalive_connections=20)
        headers = {"authorization": f"Bearer {KEY}", "accept": "text/event-stream"}
        async with httpx.AsyncClient(limits=limits, headers=headers, timeout=120) as raw:

            async def one() -> int:
                async with raw.stream("POST", f"{url}/chats/v2", json={"messages": QUESTION}) as r:
                    return len(
                        [json.loads(x[6:]) async for x in r.aiter_lines() if x.startswith("data: ")]
                    )

            counts = await asyncio.gather(*(one() for _ in range(n)))
    elapsed = time.perf_counter() - start
    stop.set()
    await sampler
    complete = sum(1 for c in counts if c > 0)
    return elapsed, complete, peak[0]


def row_concurrency(plan: Plan) -> Row:
    """``plan.concurrency`` concurrent streams on one async client against raw httpx.

    ``plan.concurrency_runs`` runs per side, the order alternating; every run of ours must
    complete all its streams without opening more than the pool limit.
    """
    n = plan.concurrency
    seen: dict[bool, list[tuple[int, int]]] = {True: [], False: []}

    def side(url: str, ours: bool) -> Callable[[], float]:
        def once() -> float:
            elapsed, done, peak = asyncio.run(_concurrent(url, n, ours=ours))
            seen[ours].append((done, peak))
            return elapsed

        return once

    with emulator_thread() as url:
        result = alternate(side(url, True), side(url, False), plan.concurrency_runs)
    done_a, peak_a = min(d for d, _ in seen[True]), max(p for _, p in seen[True])
    done_b, peak_b = min(d for d, _ in seen[False]), max(p for _, p in seen[False])
    assert done_a == n, f"only {done_a} of {n} streams completed"
    assert peak_a <= POOL_LIMIT, f"{peak_a} connections open, over the pool limit {POOL_LIMIT}"
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return Row(
        6,
        f"{n} concurrent `astream` (`stream_chat_v2`) on one async client, loopback emulator "
        f"({plan.concurrency_runs} runs per side)",
        f"{result.ours_median:.2f} s, {done_a}/{n} complete, peak {peak_a} connections",
        f"{result.baseline_median:.2f} s, {done_b}/{n}, peak {peak_b} (httpx, same limits)",
        result.ratio.text(),
        f"all complete, <= {POOL_LIMIT} connections",
        f"ok; peak RSS {rss:.0f} MB (whole process, emulator included)",
    )


# -- row 7: import time -------------------------------------------------------------------------
_IMPORT = """
import sys, time
start = time.perf_counter()
{statement}
elapsed = time.perf_counter() - start
if {forbid}:
    frameworks = sorted(
        m for m in sys.modules
        if m.split('.')[0] in ('langchain_core', 'langchain', 'llama_index')
    )
    assert not frameworks, frameworks
print(elapsed)
"""


_IMPORT_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
"""The children's environment: bytecode caches are written, as an installed package has them.

With ``PYTHONDONTWRITEBYTECODE`` set (as on the machines these figures come from), a
module edited since its cache was last written is compiled from source on every import:
the package's own modules, not the installed libraries of the baseline. The warm-up
run writes the caches, so every timed run reads bytecode on both sides.
"""


def _import_time(statement: str, *, forbid_frameworks: bool = False) -> float:
    """Seconds ``statement`` takes in a fresh interpreter (asserting no framework if asked)."""
    code = _IMPORT.format(statement=statement, forbid=forbid_frameworks)
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=_IMPORT_ENV
    ).stdout
    return float(out.strip())


def _import_row(
    plan: Plan, ours: str, baseline: str, target: Target | None, *, forbid: bool, name: str
) -> Row:
    def time_ours() -> float:
        return _import_time(ours, forbid_frameworks=forbid)

    def time_baseline() -> float:
        return _import_time(baseline)

    if plan.import_runs > 1:  # warm up (bytecode caches, the OS's file cache); not in QUICK
        time_ours()
        time_baseline()
    result = alternate(time_ours, time_baseline, plan.import_runs)
    ratio = result.ratio
    note = target.note(ratio) if target else "the least this row's kind of import can cost"
    return Row(
        7,
        name,
        ms(result.ours_median),
        f"{ms(result.baseline_median)} (`{baseline}`)",
        ratio.text(),
        str(target) if target else "(report)",
        f"{note}; no framework imported" if forbid else note,
    )


def row_import(plan: Plan) -> list[Row]:
    """Import times in fresh interpreters: the package, its client, the LangChain adapter.

    ``import assistant_bridge`` alone defers its submodules (lazy exports), so it does not
    even import httpx; the second line is what a first use costs (the client class, which
    needs httpx), against ``import httpx`` as well. Two report lines time the libraries
    alone against the same baselines (httpx and pydantic's ``BaseModel``; httpx and
    LangChain's chat-model base): no package built on them can import faster.
    """
    runs = f"median of {plan.import_runs} fresh interpreters per side"
    return [
        _import_row(
            plan,
            "import assistant_bridge",
            "import httpx",
            Target(1.5),
            forbid=True,
            name=f"`import assistant_bridge` ({runs}; asserted: no langchain / llama_index)",
        ),
        _import_row(
            plan,
            "from assistant_bridge import UnleashClient",
            "import httpx",
            Target(1.5),
            forbid=True,
            name=f"`from assistant_bridge import UnleashClient` ({runs}; asserted: no "
            "langchain / llama_index)",
        ),
        _import_row(
            plan,
            _PYDANTIC_FLOOR,
            "import httpx",
            None,
            forbid=True,
            name=f"floor of a typed client: `{_PYDANTIC_FLOOR}` ({runs})",
        ),
        _import_row(
            plan,
            "from assistant_bridge.langchain import ChatUnleash",
            "from langchain_openai import ChatOpenAI",
            Target(0.6),
            forbid=False,
            name=f"`from assistant_bridge.langchain import ChatUnleash` ({runs})",
        ),
        _import_row(
            plan,
            _LANGCHAIN_FLOOR,
            "from langchain_openai import ChatOpenAI",
            None,
            forbid=False,
            name=f"floor of a LangChain chat model over httpx: `{_LANGCHAIN_FLOOR}` ({runs})",
        ),
    ]


_PYDANTIC_FLOOR = "import httpx; from pydantic import BaseModel"
"""What any client with pydantic response models imports before its own modules."""

_LANGCHAIN_FLOOR = "import httpx; from langchain_core.language_models import BaseChatModel"
"""What any LangChain chat model over httpx imports before its own modules."""


# -- row 8: distance to the framework's floor ------------------------------------------------------
def row_floor(bodies: Bodies, plan: Plan) -> list[Row]:
    """The adapters against the framework's floor model plus raw httpx, per entry point.

    The baseline callable runs the floor model (no I/O, the same text, the same pieces
    as ours yields) and then raw httpx doing ours's request, so the pair is interleaved
    with ours like any other row. What ours costs above it is the package's own work.
    The whole-answer entry points (``invoke``, ``chat``) get what ``chat_v2`` asks for
    and the emulator sends, the event stream read whole, so their raw request is ``post``
    + ``json.loads`` of each ``data:`` line. After each line, a report line ("bound")
    times this package's client plus the framework's floor against the same baseline:
    what the adapter would cost if its own work cost nothing.
    """
    from llama_index.core.llms import ChatMessage

    from assistant_bridge.langchain import ChatUnleash
    from assistant_bridge.llama_index import Unleash

    from ._floors import FloorChatLLM

    transport = unleash_transport(bodies)
    client = unleash_client(transport)
    raw = RawUnleash(transport)
    text = bodies.answer_text
    chat = ChatUnleash(client=client)
    llm = Unleash(client=client)
    messages = [ChatMessage(role="user", content="q")]

    # The floors answer what ours answers: the same text, the same number of chunks.
    assert chat.invoke("q").text == text
    lc_floor = langchain_floor(chat)
    lc_pieces = lc_floor.pieces
    li_pieces = [r.delta or "" for r in llm.stream_chat(messages)]
    li_floor = FloorChatLLM(text=text, pieces=li_pieces)
    assert llm.chat(messages).message.content == text == li_floor.chat(messages).message.content
    assert "".join(lc_pieces) == "".join(li_pieces) == text

    def lc_invoke() -> None:
        lc_floor.invoke("q")
        raw.chat_events()

    def lc_stream() -> None:
        list(lc_floor.stream("q"))
        raw.stream()

    def li_chat() -> None:
        li_floor.chat(messages)
        raw.chat_events()

    def li_stream() -> None:
        list(li_floor.stream_chat(messages))
        raw.stream()

    client_invoke, client_stream = bound_calls(
        client, lambda: lc_floor.invoke("q"), lambda: list(lc_floor.stream("q"))
    )
    client_chat, client_stream_chat = bound_calls(
        client, lambda: li_floor.chat(messages), lambda: list(li_floor.stream_chat(messages))
    )

    calls = max(plan.number // 4, 2)
    invoke_raw = "httpx `post` + `json.loads` of each `data:` line"
    stream_raw = "httpx `stream` + `iter_lines` + `json.loads`"
    cases = [
        (
            "`ChatUnleash.invoke`",
            lambda: chat.invoke("q"),
            lc_invoke,
            f"`FloorChatModel.invoke` + {invoke_raw}",
        ),
        (
            f"`ChatUnleash.stream` ({len(lc_pieces)} chunks + last)",
            lambda: list(chat.stream("q")),
            lc_stream,
            f"`FloorChatModel.stream` + {stream_raw}",
        ),
        (
            "LlamaIndex `Unleash.chat`",
            lambda: llm.chat(messages),
            li_chat,
            f"`FloorChatLLM.chat` + {invoke_raw}",
        ),
        (
            f"LlamaIndex `Unleash.stream_chat` ({len(li_pieces)} responses)",
            lambda: list(llm.stream_chat(messages)),
            li_stream,
            f"`FloorChatLLM.stream_chat` + {stream_raw}",
        ),
    ]
    rows = [
        timed_row(
            8,
            f"{label} vs the framework's floor + raw httpx (mock transport, same answer)",
            paired(ours, baseline, plan, calls),
            label_baseline,
            Target(1.3),
        )
        for label, ours, baseline, label_baseline in cases
    ]
    # The least each line could cost with this client: its call plus the framework's
    # floor, as if the adapter itself cost nothing (no message, sources or tool steps).
    bounds = [
        ("`UnleashClient.chat_v2`", "LangChain", client_invoke, lc_invoke, "`ChatUnleash`"),
        ("`UnleashClient.stream_chat_v2`", "LangChain", client_stream, lc_stream, "`ChatUnleash`"),
        ("`UnleashClient.chat_v2`", "LlamaIndex", client_chat, li_chat, "`Unleash`"),
        (
            "`UnleashClient.stream_chat_v2`",
            "LlamaIndex",
            client_stream_chat,
            li_stream,
            "`Unleash`",
        ),
    ]
    bound_rows = [
        timed_row(
            8,
            f"bound: {label} + the {framework} floor (an adapter costing nothing) vs the "
            "baseline of the line above",
            paired(ours, baseline, plan, calls),
            "the same",
            None,
            note=f"the least {adapter} can cost with this client",
        )
        for label, framework, ours, baseline, adapter in bounds
    ]
    # each bound right after the line it bounds
    return [row for pair in zip(rows, bound_rows, strict=True) for row in pair]


# -- rows 9-11: scaling -------------------------------------------------------------------------------
def scaling_rows(plan: Plan) -> list[Row]:
    """Rows 9-11: ``scaling.py``'s ``rows(plan)``, imported on use."""
    from .scaling import rows

    return rows(plan)


# -- the table ------------------------------------------------------------------------------------
def machine() -> str:
    """CPU model, cores, Python, and the versions the baselines depend on."""
    model = "unknown CPU"
    with open("/proc/cpuinfo", encoding="utf-8") as info:
        for line in info:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    cores = psutil.cpu_count(logical=True)
    packages = ", ".join(
        f"{name} {version(name)}" for name in ("httpx", "langchain-core", "llama-index-core")
    )
    return (
        f"{model}, {cores} logical cores, Python {platform.python_version()} "
        f"({platform.python_implementation()}), {packages}, {platform.system()}"
    )


def _print(row: Row) -> None:
    print(
        f"{row.number}. {row.name}: ours {row.ours} | baseline {row.baseline} | "
        f"ratio {row.ratio} | {row.target} | {row.note}",
        flush=True,
    )


def run(plan: Plan) -> list[Row]:
    """All rows, in order, printing each as it is measured."""
    bodies = capture_bodies()
    rows: list[Row] = []
    steps: Sequence[Callable[[], Row | list[Row]]] = [
        lambda: row_client_overhead(bodies, plan),
        lambda: row_stream_decode(bodies, plan),
        lambda: row_framework(bodies, plan),
        lambda: row_retriever(bodies, plan),
        lambda: row_first_chunk_loopback(plan),
        lambda: row_first_token_in_process(bodies, plan),
        lambda: row_concurrency(plan),
        lambda: row_import(plan),
        lambda: row_floor(bodies, plan),
    ]
    for step in steps:
        result = step()
        for row in result if isinstance(result, list) else [result]:
            _print(row)
            rows.append(row)
    rows.extend(scaling_rows(plan))  # scaling.rows prints its own rows
    return rows


def table(rows: list[Row]) -> Iterator[str]:
    """The rows as a Markdown table."""
    yield "| # | what | ours | baseline | ratio | target | note |"
    yield "|---|---|---|---|---|---|---|"
    for r in rows:
        yield f"| {r.number} | {r.name} | {r.ours} | {r.baseline} | {r.ratio} | {r.target} | {r.note} |"


def load() -> str:
    """The machine's load averages (1, 5, 15 minutes): other work skews every row."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f} on {psutil.cpu_count()} cores"


def write_results(rows: list[Row], path: Path, plan: Plan, started: str) -> None:
    """Rewrite ``RESULTS.md`` with the machine, the method and the table."""
    lines = [
        "# Benchmark results",
        "",
        f"Machine: {machine()}. At the start of the run: {started}; at the end: {load()}.",
        "",
        "Produced by `.venv/bin/python -m tests.benchmarks --write`. Each ratio is the "
        f"median over {plan.repeat} interleaved repetitions (ours and the baseline timed "
        "back to back, the order alternating), with its min-max spread in brackets; "
        "`ours` and `baseline` are each side's median time. Row 5 shows ours minus raw "
        "httpx in µs (per repetition in process, per stream over loopback); rows 6 and 7 "
        f"take the ratio per run, over {plan.concurrency_runs} and {plan.import_runs} runs "
        "per side (row 7 in fresh interpreters), the order alternating. Rows 9-11 "
        "(`scaling.py`) show growth factors and memory multiples with their spreads.",
        "",
        *table(rows),
        "",
    ]
    path.write_text("\n".join(lines), encoding="utf-8")


GUIDE = Path(__file__).parents[2] / "docs" / "guides" / "benchmarks.md"
"""The benchmarks guide, whose "Latest figures" table `write_guide_table` keeps current."""

GUIDE_MARKS = ("<!-- results: start -->", "<!-- results: end -->")
"""The comments around the guide's copy of the table (written by ``--write``)."""


def write_guide_table(results: Path, guide: Path = GUIDE) -> None:
    """Copy the machine line and the table of ``results`` (RESULTS.md) into the guide."""
    start, end = GUIDE_MARKS
    text = guide.read_text(encoding="utf-8")
    before, rest = text.split(start, 1)
    _, after = rest.split(end, 1)
    guide.write_text(f"{before}{start}\n{guide_table(results)}\n{end}{after}", encoding="utf-8")


def guide_table(results: Path) -> str:
    """The guide's block: the machine that ran, then the table, as in ``results``."""
    lines = results.read_text(encoding="utf-8").splitlines()
    machine_line = next(line for line in lines if line.startswith("Machine: "))
    name = machine_line.removeprefix("Machine: ").split(". At the start", 1)[0]
    rows = [line for line in lines if line.startswith("|")]
    return "\n".join([f"The latest run ({name}):", "", *rows])


def parse_args(
    argv: list[str] | None, prog: str, description: str, *, write: bool
) -> argparse.Namespace:
    """The benchmark commands' options: ``--quick`` (and, for the whole table, ``--write``).

    ``--help`` prints the usage and exits, an unknown option is an error: before, any
    argument was ignored and ``--help`` ran the whole benchmark.
    """
    parser = argparse.ArgumentParser(prog=f"python -m {prog}", description=description)
    parser.add_argument(
        "--quick", action="store_true", help="a smoke run: tiny sizes, one repetition"
    )
    if write:
        parser.add_argument(
            "--write",
            action="store_true",
            help="also rewrite tests/benchmarks/RESULTS.md and the table of the benchmarks guide",
        )
    return parser.parse_args(argv)


def _main(argv: list[str] | None) -> int:
    """Print the table (``--quick``: a smoke run; ``--write``: also rewrite RESULTS.md)."""
    args = parse_args(
        argv,
        "tests.benchmarks",
        "Print the benchmark table (rows 1-11, about 3 minutes).",
        write=True,
    )
    plan = QUICK if args.quick else FULL
    started = load()
    print(f"machine: {machine()}; {started}")
    start = time.perf_counter()
    rows = run(plan)
    print()
    print("\n".join(table(rows)))
    print(f"\n({time.perf_counter() - start:.0f} s; at the end: {load()})")
    if args.write:
        results = Path(__file__).with_name("RESULTS.md")
        write_results(rows, results, plan, started)
        write_guide_table(results)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the rows and print them (see `_main`); the heap is unfrozen after."""
    return unfreezing(_main, argv)
