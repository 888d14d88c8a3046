"""Bodies the benchmark rows share: realistic answers captured from the emulator.

Every body is taken from the emulator (so it is what the vendor clients really parse):
the chat v2 answer as JSON (about 5 KB) and as its event stream (about 7 KB, with the
tool calls and resources), then scaled: that event stream grown to 1 MB by repeating its
text events, and a search page of 1,000 results.
`split_first_text` cuts a stream around its first text event (row 5 in process);
`drain_v1` / `drain_v2` read a whole answer through the client's stream. The loopback
servers of rows 5 and 6 are in `_servers`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

import httpx

from assistant_bridge import UnleashClient
from assistant_bridge.emulator import EMULATOR_KEYS, run_emulator

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
