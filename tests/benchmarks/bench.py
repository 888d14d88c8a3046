"""The seven benchmark rows of issue 8: ours next to a baseline, measured in the same run.

Run ``.venv/bin/python -m tests.benchmarks`` (``--quick`` for a smoke run, ``--write`` to
update ``RESULTS.md``). Times are medians over several repetitions; nothing here asserts
an absolute time. Row 6 and row 7 assert behaviour (all streams complete within the pool
limit; importing the package imports no framework).
"""

from __future__ import annotations

import asyncio
import json
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psutil

from assistant_bridge import AsyncUnleashClient, UnleashClient
from assistant_bridge.emulator import EMULATOR_KEYS, FAULT_HEADER

from ._fixtures import MB, QUESTION, Bodies, capture_bodies, chunked, timed_emulator

KEY = EMULATOR_KEYS["unleash"]
BASE = "http://unleash.mock"
POOL_LIMIT = 100
"""The base clients' ``max_connections``."""


@dataclass(frozen=True)
class Row:
    """One line of the table."""

    number: int
    name: str
    ours: str
    baseline: str
    ratio: str
    target: str
    note: str = ""


@dataclass(frozen=True)
class Plan:
    """How hard to measure: calls per timing, timings per row."""

    number: int
    repeat: int
    concurrency: int
    ttfc_runs: int
    import_runs: int


FULL = Plan(number=200, repeat=7, concurrency=200, ttfc_runs=5, import_runs=5)
QUICK = Plan(number=5, repeat=2, concurrency=20, ttfc_runs=1, import_runs=1)


def per_call(fn: Callable[[], Any], plan: Plan, number: int | None = None) -> float:
    """Median seconds per call of ``fn`` over ``plan.repeat`` timings of ``number`` calls."""
    calls = number or plan.number
    fn()  # warm up (imports, pools, caches)
    samples = []
    for _ in range(plan.repeat):
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        samples.append((time.perf_counter() - start) / calls)
    return statistics.median(samples)


def us(seconds: float) -> str:
    return f"{seconds * 1e6:,.0f} µs"


# -- mock transports -----------------------------------------------------------------------
def unleash_transport(bodies: Bodies, *, stream_body: bytes | None = None) -> httpx.MockTransport:
    """Chat v2 (JSON or SSE by ``Accept``) and search, as the vendor would answer."""

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/search"):
            return httpx.Response(200, content=bodies.search_1000, headers={"content-type": "application/json"})
        if "text/event-stream" in request.headers.get("accept", ""):
            body = stream_body or bodies.v2_sse
            return httpx.Response(
                200, content=chunked(body), headers={"content-type": "text/event-stream"}
            )
        return httpx.Response(200, content=bodies.v2_json, headers={"content-type": "application/json"})

    return httpx.MockTransport(handler)


def unleash_client(transport: httpx.BaseTransport) -> UnleashClient:
    return UnleashClient(KEY, base_url=BASE, http_client=httpx.Client(transport=transport))


# -- row 1: client overhead ----------------------------------------------------------------
def row_client_overhead(bodies: Bodies, plan: Plan) -> Row:
    transport = unleash_transport(bodies)
    client = unleash_client(transport)
    raw = httpx.Client(transport=transport)

    def ours() -> None:
        client.chat_v2(QUESTION)

    def baseline() -> None:
        response = raw.post(f"{BASE}/chats/v2", json={"messages": QUESTION}, headers={"authorization": f"Bearer {KEY}"})
        json.loads(response.content)

    a, b = per_call(ours, plan), per_call(baseline, plan)
    return Row(
        1,
        f"`UnleashClient.chat_v2`, {len(bodies.v2_json) / 1024:.1f} KB JSON answer with resources",
        us(a),
        f"{us(b)} (httpx post + `json.loads`)",
        f"{a / b:.2f}",
        "<= 1.5",
    )


# -- row 2: stream decode ------------------------------------------------------------------
def row_stream_decode(bodies: Bodies, plan: Plan) -> Row:
    body = bodies.v2_sse_1mb
    transport = unleash_transport(bodies, stream_body=body)
    client = unleash_client(transport)
    raw = httpx.Client(transport=transport)
    headers = {"accept": "text/event-stream", "authorization": f"Bearer {KEY}"}

    def ours() -> None:
        with client.stream_chat_v2(QUESTION) as stream:
            for _ in stream:
                pass

    def baseline() -> None:
        with raw.stream("POST", f"{BASE}/chats/v2", json={"messages": QUESTION}, headers=headers) as r:
            for line in r.iter_lines():
                if line.startswith("data: "):
                    json.loads(line[6:])

    calls = max(plan.number // 20, 2)
    a, b = per_call(ours, plan, calls), per_call(baseline, plan, calls)
    size = len(body) / MB
    return Row(
        2,
        f"`stream_chat_v2`, {size:.1f} MB v2 SSE body ({body.count(b'data: '):,} events)",
        f"{size / a:.1f} MB/s",
        f"{size / b:.1f} MB/s (`iter_lines` + `json.loads`)",
        f"{b / a:.2f} (throughput)",
        ">= 0.7",
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
                {"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}
            ],
            "usage": {"prompt_tokens": 10, "completion_tokens": 100, "total_tokens": 110},
        }
    ).encode()

    def handler(request: httpx.Request) -> httpx.Response:
        if json.loads(request.content).get("stream"):
            return httpx.Response(200, content=chunked(stream), headers={"content-type": "text/event-stream"})
        return httpx.Response(200, content=completion, headers={"content-type": "application/json"})

    return httpx.MockTransport(handler)


def row_framework(bodies: Bodies, plan: Plan) -> list[Row]:
    from langchain_openai import ChatOpenAI

    from assistant_bridge.langchain import ChatUnleash

    ours = ChatUnleash(client=unleash_client(unleash_transport(bodies)))
    text = "".join(bodies.text_pieces)
    peer = ChatOpenAI(
        model="gpt-4o-mini",
        api_key="sk-test",  # type: ignore[arg-type]
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
    for number, (label, run_ours, run_peer) in enumerate(
        [
            (".invoke", lambda: ours.invoke("q"), lambda: peer.invoke("q")),
            (".stream", lambda: list(ours.stream("q")), lambda: list(peer.stream("q"))),
        ]
    ):
        a, b = per_call(run_ours, plan, calls), per_call(run_peer, plan, calls)
        rows.append(
            Row(
                3,
                f"`ChatUnleash{label}` vs `ChatOpenAI{label}` (mock transport, same text, "
                f"{len(ours_chunks)} vs {len(peer_chunks)} text chunks)",
                us(a),
                f"{us(b)} (langchain-openai)",
                f"{a / b:.2f}",
                "<= 1.0",
                "invoke" if number == 0 else "stream",
            )
        )
    return rows


# -- row 4: retriever -----------------------------------------------------------------------
def row_retriever(bodies: Bodies, plan: Plan) -> Row:
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

    calls = max(plan.number // 20, 2)
    a = per_call(lambda: retriever.invoke("travel"), plan, calls)
    b = per_call(baseline, plan, calls)
    return Row(
        4,
        "`UnleashSearchRetriever.invoke`, 1,000 search results -> Documents",
        f"{a * 1e3:.1f} ms",
        f"{b * 1e3:.1f} ms (json + `Document(...)` directly)",
        f"{a / b:.2f}",
        "(report)",
    )


# -- row 5: time to first chunk --------------------------------------------------------------
def row_first_chunk(plan: Plan) -> Row:
    pause = {FAULT_HEADER: "pace:0.25"}
    ours_delays, raw_delays = [], []
    with timed_emulator() as (url, times), UnleashClient(KEY, base_url=url) as client:
        raw = httpx.Client(headers={"authorization": f"Bearer {KEY}"})
        for _ in range(plan.ttfc_runs):
            with client.stream_chat_v2(QUESTION, extra_headers=pause) as stream:
                next(iter(stream))
                ours_delays.append(time.perf_counter() - times.first_body[-1])
            headers = {**pause, "accept": "text/event-stream"}
            with raw.stream("POST", f"{url}/chats/v2", json={"messages": QUESTION}, headers=headers) as r:
                for line in r.iter_lines():
                    if line.startswith("data: "):
                        json.loads(line[6:])
                        break
                raw_delays.append(time.perf_counter() - times.first_body[-1])
        raw.close()
    a, b = statistics.median(ours_delays), statistics.median(raw_delays)
    return Row(
        5,
        "Time to first chunk, loopback emulator pausing 250 ms after each event; delay from "
        "the emulator's send",
        us(a),
        f"{us(b)} (httpx `iter_lines`)",
        f"{a / b:.2f}",
        "first chunk before the pause",
        "ok" if a < 0.25 else "FIRST CHUNK WAITED FOR THE PAUSE",
    )


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
                    return len([json.loads(x[6:]) async for x in r.aiter_lines() if x.startswith("data: ")])

            counts = await asyncio.gather(*(one() for _ in range(n)))
    elapsed = time.perf_counter() - start
    stop.set()
    await sampler
    complete = sum(1 for c in counts if c > 0)
    return elapsed, complete, peak[0]


def row_concurrency(plan: Plan) -> Row:
    n = plan.concurrency
    with timed_emulator() as (url, _):
        a, done_a, peak_a = asyncio.run(_concurrent(url, n, ours=True))
        b, done_b, peak_b = asyncio.run(_concurrent(url, n, ours=False))
    assert done_a == n, f"only {done_a} of {n} streams completed"
    assert peak_a <= POOL_LIMIT, f"{peak_a} connections open, over the pool limit {POOL_LIMIT}"
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return Row(
        6,
        f"{n} concurrent `astream` (`stream_chat_v2`) on one async client, loopback emulator",
        f"{a:.2f} s, {done_a}/{n} complete, peak {peak_a} connections",
        f"{b:.2f} s, {done_b}/{n}, peak {peak_b} (httpx, same limits)",
        f"{a / b:.2f}",
        f"all complete, <= {POOL_LIMIT} connections",
        f"peak RSS {rss:.0f} MB (whole process, emulator included)",
    )


# -- row 7: import time -------------------------------------------------------------------------
_IMPORT = """
import sys, time
start = time.perf_counter()
import {module}
elapsed = time.perf_counter() - start
frameworks = sorted(m for m in sys.modules if m.split('.')[0] in ('langchain_core', 'langchain', 'llama_index'))
assert not frameworks, frameworks
print(elapsed)
"""


def _import_time(module: str) -> float:
    code = _IMPORT.format(module=module)
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    return float(out.strip())


def row_import(plan: Plan) -> Row:
    ours = statistics.median(_import_time("assistant_bridge") for _ in range(plan.import_runs))
    httpx_time = statistics.median(_import_time("httpx") for _ in range(plan.import_runs))
    return Row(
        7,
        "`import assistant_bridge` in a fresh interpreter (asserted: no langchain / llama_index)",
        f"{ours * 1e3:.0f} ms",
        f"{httpx_time * 1e3:.0f} ms (`import httpx`)",
        f"{ours / httpx_time:.2f}",
        "no framework imported",
        "ok",
    )


# -- the table ------------------------------------------------------------------------------------
def machine() -> str:
    model = "unknown CPU"
    with open("/proc/cpuinfo", encoding="utf-8") as info:
        for line in info:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    cores = psutil.cpu_count(logical=True)
    return (
        f"{model}, {cores} logical cores, Python {platform.python_version()} "
        f"({platform.python_implementation()}), httpx {httpx.__version__}, {platform.system()}"
    )


def run(plan: Plan) -> list[Row]:
    bodies = capture_bodies()
    rows: list[Row] = []
    steps: list[Callable[[], Row | list[Row]]] = [
        lambda: row_client_overhead(bodies, plan),
        lambda: row_stream_decode(bodies, plan),
        lambda: row_framework(bodies, plan),
        lambda: row_retriever(bodies, plan),
        lambda: row_first_chunk(plan),
        lambda: row_concurrency(plan),
        lambda: row_import(plan),
    ]
    for step in steps:
        result = step()
        for row in result if isinstance(result, list) else [result]:
            print(f"{row.number}. {row.name}: ours {row.ours} | baseline {row.baseline} | ratio {row.ratio}", flush=True)
            rows.append(row)
    return rows


def table(rows: list[Row]) -> Iterator[str]:
    yield "| # | what | ours | baseline | ratio | target | note |"
    yield "|---|---|---|---|---|---|---|"
    for r in rows:
        yield f"| {r.number} | {r.name} | {r.ours} | {r.baseline} | {r.ratio} | {r.target} | {r.note} |"


def write_results(rows: list[Row], path: Path) -> None:
    lines = [
        "# Benchmark results",
        "",
        f"Machine: {machine()}.",
        "",
        "Produced by `.venv/bin/python -m tests.benchmarks --write` (medians of several "
        "repetitions, ours and the baseline measured in the same run).",
        "",
        *table(rows),
        "",
    ]
    path.write_text("\n".join(lines), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    plan = QUICK if "--quick" in args else FULL
    print(f"machine: {machine()}")
    rows = run(plan)
    print()
    print("\n".join(table(rows)))
    if "--write" in args:
        write_results(rows, Path(__file__).with_name("RESULTS.md"))
    return 0
