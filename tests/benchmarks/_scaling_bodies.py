"""Unleash response bodies at a chosen size, grown from what the emulator really sends.

The scaling rows (``scaling.py``) time the same path at two sizes, so they need bodies
whose only difference is their size. Each body here starts from the emulator's own
answer to the travel-policy question (captured once per process by `real_bodies`), so
the package parses exactly the shapes the vendor would send, and is then scaled:

- `v2_json_with_references`: the chat v2 JSON answer with a longer text, ``n_refs``
  references spread evenly through it (the plural ``references`` list of the extended
  dialect, assumption U7, plus the documented single ``reference``), each citing its own
  resource found by the enterprise-search tool step.
- `v2_sse_with_events`: the chat v2 event stream with ``n`` text events: the real
  stream's text events repeated before its real ones, its head (request id, tool calls,
  tool steps) and tail (text, references shifted to still point at their passages,
  sources) kept.
- `v1_stream_with_events`: the chat v1 stream (``POST /chats`` with ``stream: true``)
  grown the same way; its closing ``Full`` event, which wins over the pieces, is rebuilt
  so that it holds the grown text.

Each returns a `ScaledBody`, which knows the text and pieces it was built from;
`check_round_trip` asks the real client for the answer and compares.
"""

from __future__ import annotations

import copy
import functools
import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx

from assistant_bridge import UnleashClient
from assistant_bridge.emulator import DIALECT_HEADER, EMULATOR_KEYS, run_emulator
from assistant_bridge.unleash import assemble_chat, assemble_chat_v2

from ._fixtures import QUESTION, chunked

__all__ = [
    "BASE",
    "KEY",
    "RealBodies",
    "ScaledBody",
    "check_round_trip",
    "client_for",
    "real_bodies",
    "transport_for",
    "v1_stream_with_events",
    "v2_json_with_references",
    "v2_sse_with_events",
]

KEY = EMULATOR_KEYS["unleash"]
BASE = "http://unleash.mock"
JSON = "application/json"
SSE = "text/event-stream"


@dataclass(frozen=True)
class RealBodies:
    """The emulator's answers to one question, as sent."""

    v2_json: bytes
    """``POST /chats/v2`` as JSON, extended dialect (it carries a plural ``references``)."""
    v2_sse: bytes
    """``POST /chats/v2`` as an event stream."""
    v1_stream: bytes
    """``POST /chats`` with ``stream: true``."""


@dataclass(frozen=True)
class ScaledBody:
    """A grown body and what the client must read from it."""

    body: bytes
    content_type: str
    text: str
    """The answer text the body carries."""
    pieces: list[str]
    """The streamed text pieces in order (one piece, the text, for a JSON answer)."""
    references: int
    """How many references (v2) the answer carries."""
    api_version: str

    @property
    def text_events(self) -> int:
        """How many text events (pieces) the body carries."""
        return len(self.pieces)


@functools.cache
def real_bodies() -> RealBodies:
    """Ask the emulator once for each real body (cached for the process)."""
    auth = {"authorization": f"Bearer {KEY}"}
    body = {"messages": QUESTION}
    with run_emulator() as url, httpx.Client(headers=auth) as http:
        v2_json = http.post(
            f"{url}/chats/v2", json=body, headers={"accept": JSON, DIALECT_HEADER: "extended"}
        )
        v2_sse = http.post(f"{url}/chats/v2", json=body, headers={"accept": SSE})
        v1 = http.post(f"{url}/chats", json={**body, "stream": True}, headers={"accept": SSE})
    for response in (v2_json, v2_sse, v1):
        response.raise_for_status()
    return RealBodies(v2_json=v2_json.content, v2_sse=v2_sse.content, v1_stream=v1.content)


# -- framing ------------------------------------------------------------------------------
def _events(body: bytes) -> list[dict[str, Any]]:
    """The JSON objects of an event stream's ``data:`` blocks, in order."""
    return [
        json.loads(block.removeprefix(b"data: ")) for block in body.split(b"\n\n") if block.strip()
    ]


def _frame(events: list[dict[str, Any]]) -> bytes:
    """Events back to ``data: {...}`` blocks, compact as the emulator writes them."""
    return b"".join(
        b"data: " + json.dumps(e, ensure_ascii=False, separators=(",", ":")).encode() + b"\n\n"
        for e in events
    )


def _grown(texts: list[Any], extra: int) -> list[Any]:
    """``extra`` items cycling through ``texts`` (the real pieces, in their order)."""
    return list(itertools.islice(itertools.cycle(texts), extra))


# -- chat v2 JSON ---------------------------------------------------------------------------
def _text_of(base: str, chars: int) -> str:
    """About ``chars`` characters of the real answer repeated, cut at a word boundary."""
    text = base
    while len(text) < chars:
        text += "\n\n" + base
    cut = text.rfind(" ", 0, chars)
    return text[: cut if cut > chars // 2 else chars]


def v2_json_with_references(n_refs: int, text_chars: int) -> ScaledBody:
    """A chat v2 JSON answer of about ``text_chars`` characters with ``n_refs`` references.

    The references sit at evenly spaced offsets (the i-th at ``(i + 1) * len(text) //
    n_refs``; the last at the end of the text) and reference i cites resource i. The
    ``n_refs`` resources are the real enterprise results cloned under distinct ids, all
    found by the answer's enterprise-search tool step; ``sources.sourcesIds`` lists them.
    """
    if n_refs < 1:
        raise ValueError("n_refs must be at least 1")
    answer = json.loads(real_bodies().v2_json)
    text = _text_of(answer["text"], text_chars)
    results = answer["tool"]["response"]["resources"]["enterprise"]["results"]
    resources = []
    for index in range(n_refs):
        resource = copy.deepcopy(results[index % len(results)])
        resource["id"] = f"{resource['id']}-{index}"
        resources.append(resource)
    references = [
        {"referenceIds": [resource["id"]], "position": (i + 1) * len(text) // n_refs}
        for i, resource in enumerate(resources)
    ]
    answer["text"] = text
    answer["tool"]["response"]["resources"]["enterprise"]["results"] = resources
    answer["sources"] = {"sourcesIds": [r["id"] for r in resources]}
    answer["reference"] = references[0]
    answer["references"] = references
    body = json.dumps(answer, ensure_ascii=False, separators=(",", ":")).encode()
    return ScaledBody(body, JSON, text, [text], n_refs, "v2")


# -- chat v2 SSE ----------------------------------------------------------------------------
def v2_sse_with_events(n: int) -> ScaledBody:
    """The real chat v2 stream grown to ``n`` text events.

    The added events repeat the real text events, in order, before the real ones; the
    real references are shifted by the added text so they cite the same passages.
    """
    events = _events(real_bodies().v2_sse)
    is_text = [list(e) == ["text"] for e in events]
    first = is_text.index(True)
    head, tail = events[:first], events[first:]
    real = [e["text"] for e, t in zip(events, is_text, strict=True) if t]
    if n < len(real):
        raise ValueError(f"n must be at least the real stream's {len(real)} text events")
    added = _grown(real, n - len(real))
    shift = sum(map(len, added))
    tail = copy.deepcopy(tail)
    references = 0
    for event in tail:
        if "reference" in event:
            event["reference"]["position"] += shift
            references += 1
    pieces = [*added, *real]
    body = _frame([*head, *({"text": t} for t in added), *tail])
    return ScaledBody(body, SSE, "".join(pieces), pieces, references, "v2")


# -- chat v1 stream -------------------------------------------------------------------------
def _is_text_message(event: dict[str, Any]) -> bool:
    parts = event.get("message", {}).get("parts", []) if event.get("type") == "Message" else []
    return bool(parts) and all(p.get("type") == "Text" for p in parts)


def v1_stream_with_events(n: int) -> ScaledBody:
    """The real chat v1 stream grown to ``n`` text ``Message`` events.

    The added events repeat the real text messages before the real ones; the closing
    ``Full`` event gets the added text as its first ``Text`` part, so it holds the
    whole grown answer (a ``Full`` event wins over the streamed pieces, assumption U12).
    """
    events = _events(real_bodies().v1_stream)
    first = next(i for i, e in enumerate(events) if e.get("type") == "Message")
    if events[-1].get("type") != "Full":
        raise RuntimeError("the emulator's v1 stream no longer ends with a Full event")
    head, tail, full = events[:first], events[first:-1], copy.deepcopy(events[-1])
    texts = [e for e in tail if _is_text_message(e)]
    if n < len(texts):
        raise ValueError(f"n must be at least the real stream's {len(texts)} text events")
    added = _grown(texts, n - len(texts))
    added_text = "".join(p["text"] for e in added for p in e["message"]["parts"])
    if added_text:
        part = {"type": "Text", "format": "markdown", "text": added_text}
        full["message"]["parts"].insert(0, part)
    pieces = ["".join(p["text"] for p in e["message"]["parts"]) for e in [*added, *texts]]
    full_text = "".join(p.get("text", "") for p in full["message"]["parts"])
    if full_text != "".join(pieces):
        raise RuntimeError("the grown v1 pieces and the Full event disagree")
    body = _frame([*head, *added, *tail, full])
    return ScaledBody(body, SSE, full_text, pieces, 0, "v1")


# -- serving --------------------------------------------------------------------------------
def transport_for(scaled: ScaledBody) -> httpx.MockTransport:
    """A transport answering every request with ``scaled``'s body in 16 KB chunks."""

    def handler(request: httpx.Request) -> httpx.Response:
        content: Iterator[bytes] | bytes = (
            chunked(scaled.body) if scaled.content_type == SSE else scaled.body
        )
        return httpx.Response(200, content=content, headers={"content-type": scaled.content_type})

    return httpx.MockTransport(handler)


def client_for(scaled: ScaledBody) -> UnleashClient:
    """An `UnleashClient` whose every answer is ``scaled``'s body (no network)."""
    return UnleashClient(
        KEY, base_url=BASE, http_client=httpx.Client(transport=transport_for(scaled))
    )


def check_round_trip(scaled: ScaledBody) -> None:
    """Read ``scaled`` with the real client and check its text and reference count.

    Raises:
        AssertionError: the client read another text, or another number of references.
    """
    client = client_for(scaled)
    if scaled.content_type == JSON:
        response = client.chat_v2(QUESTION)
        text, references = response.text, len(response.references)
    elif scaled.api_version == "v2":
        with client.stream_chat_v2(QUESTION) as stream:
            response = assemble_chat_v2(list(stream), end_seen=stream.terminated)
        text, references = response.text, len(response.references)
    else:
        with client.stream_chat(QUESTION) as stream:
            v1 = assemble_chat(list(stream))
        text, references = v1.text, scaled.references
    client.close()
    assert text == scaled.text, (
        f"the client read {len(text)} characters, expected {len(scaled.text)}"
    )
    assert references == scaled.references, f"{references} references, expected {scaled.references}"
