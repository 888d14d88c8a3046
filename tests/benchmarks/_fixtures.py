"""Bodies and servers the benchmark rows share: realistic answers captured from the emulator.

Every body is taken from the emulator (so it is what the vendor clients really parse):
the chat v2 answer as JSON (about 5 KB) and as its event stream (about 7 KB, with the
tool calls and resources), then scaled: that event stream grown to 1 MB by repeating its
text events, and a search page of 1,000 results.
`split_first_text` cuts a stream around its first text event (row 5 in process);
`drain_v1` / `drain_v2` read a whole answer through the client's stream.
`timed_emulator` serves the emulator on loopback and records when the first body byte of
each response left the app, so a client's time to first chunk can be measured from it.
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import uvicorn

from assistant_bridge import UnleashClient
from assistant_bridge.emulator import EMULATOR_KEYS, create_app, run_emulator

QUESTION = [{"role": "User", "text": "What is our travel policy?"}]
MB = 1024 * 1024


def drain_v1(client: UnleashClient) -> None:
    """``stream_chat`` of `QUESTION` read to its end (each event parsed, none kept)."""
    with client.stream_chat(QUESTION) as stream:
        for _ in stream:
            pass


def drain_v2(client: UnleashClient) -> None:
    """``stream_chat_v2`` of `QUESTION` read to its end (each chunk parsed, none kept)."""
    with client.stream_chat_v2(QUESTION) as stream:
        for _ in stream:
            pass


@dataclass(frozen=True)
class Bodies:
    """The response bodies the mock transports answer with."""

    v2_json: bytes
    v2_sse: bytes
    v2_sse_1mb: bytes
    search_1000: bytes
    answer_text: str
    text_pieces: list[str]


def _events(body: bytes) -> list[bytes]:
    return [block + b"\n\n" for block in body.split(b"\n\n") if block.strip()]


def _grow_stream(body: bytes, size: int) -> bytes:
    events = _events(body)
    texts = [e for e in events if list(json.loads(e[6:])) == ["text"]]
    first = events.index(texts[0])
    head, tail = events[:first], events[first:]
    middle: list[bytes] = []
    total = sum(map(len, head)) + sum(map(len, tail))
    while total < size:
        for event in texts:
            middle.append(event)
            total += len(event)
    return b"".join([*head, *middle, *tail])


def _search(body: bytes, count: int) -> bytes:
    page = json.loads(body)
    results = page["results"]
    many = []
    for index in range(count):
        result = json.loads(json.dumps(results[index % len(results)]))
        result["resource"]["id"] = f"{result['resource']['id']}-{index}"
        many.append(result)
    return json.dumps(
        {"totalResults": count, "results": many, "paging": {"next": None}, "requestId": "r-1"}
    ).encode()


def capture_bodies() -> Bodies:
    """Ask the emulator once for each body, then scale them."""
    auth = {"authorization": f"Bearer {EMULATOR_KEYS['unleash']}"}
    body = {"messages": QUESTION}
    with run_emulator() as url, httpx.Client(headers=auth) as http:
        v2_json = http.post(f"{url}/chats/v2", json=body, headers={"accept": "application/json"})
        v2_sse = http.post(f"{url}/chats/v2", json=body, headers={"accept": "text/event-stream"})
        search = http.post(f"{url}/search", json={"query": "travel"})
    pieces = [
        json.loads(e[6:])["text"]
        for e in _events(v2_sse.content)
        if list(json.loads(e[6:])) == ["text"]
    ]
    return Bodies(
        v2_json=v2_json.content,
        v2_sse=v2_sse.content,
        v2_sse_1mb=_grow_stream(v2_sse.content, MB),
        search_1000=_search(search.content, 1000),
        answer_text=json.loads(v2_json.content)["text"],
        text_pieces=pieces,
    )


def chunked(body: bytes, size: int = 16 * 1024) -> Iterator[bytes]:
    """The body in network-sized chunks (a mock response delivers it like a socket would)."""
    for start in range(0, len(body), size):
        yield body[start : start + size]


def split_first_text(body: bytes) -> tuple[bytes, bytes, bytes]:
    """A v2 event stream cut around its first text event: head, that event, the rest.

    The head holds the request id, tool calls and tool steps that come before any text;
    row 5 hands it over first, then times the first text event on its own.
    """
    events = _events(body)
    first = next(i for i, e in enumerate(events) if list(json.loads(e[6:])) == ["text"])
    return b"".join(events[:first]), events[first], b"".join(events[first + 1 :])


# -- a loopback emulator that records when each response's first body byte was sent --------
@dataclass
class SendTimes:
    """``perf_counter`` times at which responses sent their first body message, in order."""

    first_body: list[float] = field(default_factory=list)


class _RecordFirstBody:
    def __init__(self, app: Any, times: SendTimes) -> None:
        self.app = app
        self.times = times

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        sent = False

        async def timed_send(message: Any) -> None:
            nonlocal sent
            if message["type"] == "http.response.body" and message.get("body") and not sent:
                sent = True
                self.times.first_body.append(time.perf_counter())
            await send(message)

        await self.app(scope, receive, timed_send)


@contextlib.contextmanager
def timed_emulator() -> Iterator[tuple[str, SendTimes]]:
    """The emulator on a free loopback port, with the send time of each first body byte."""
    times = SendTimes()
    # Streams left mid-pause are cancelled at shutdown; that is expected here, not news.
    quiet = logging.Filter("nothing")  # a filter naming no logger drops every record
    logging.getLogger("uvicorn.error").addFilter(quiet)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = int(sock.getsockname()[1])
    config = uvicorn.Config(
        _RecordFirstBody(create_app(), times),
        log_level="warning",
        access_log=False,
        http="h11",
        lifespan="off",
        timeout_graceful_shutdown=1,
        backlog=1024,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the emulator did not start")
            time.sleep(0.01)
        yield f"http://127.0.0.1:{port}", times
    finally:
        server.should_exit = True
        thread.join(timeout=5)
        sock.close()
        logging.getLogger("uvicorn.error").removeFilter(quiet)
