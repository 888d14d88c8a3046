"""The emulator's HTTP plumbing: JSON and problem bodies, event streams, ids, negotiation.

`EventStream` sends one ASGI body message per event, so each event is flushed as it is
produced, applies the ``pace``, ``cut-after``, ``stop-after`` and ``malformed`` faults, and stops
quietly when the client goes away; `reply` applies ``malformed`` to JSON bodies.
`negotiate` picks a media type by the request's ``Accept`` header, q-values included.
`wire_of` and `plan_of` read what `_middleware.EmulatorMiddleware` chose for a request.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import uuid
from collections.abc import Sequence
from typing import Any

import anyio
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from ._dialect import Wire
from ._faults import FaultPlan

__all__ = [
    "PLAN_KEY",
    "STREAMS_KEY",
    "TRANSPORT_KEY",
    "WIRE_KEY",
    "EventStream",
    "StreamCounter",
    "StreamCut",
    "json_response",
    "negotiate",
    "plan_of",
    "problem",
    "read_json",
    "reply",
    "sse",
    "stable_id",
    "stable_uuid",
    "transport_of",
    "validation_problem",
    "wire_of",
]

_NAMESPACE = uuid.UUID("6f1c2b9e-0d4a-4c1e-9a57-5b8d7e3f2a10")
PLAN_KEY = "emulator.plan"
STREAMS_KEY = "emulator.streams"
WIRE_KEY = "emulator.wire"
TRANSPORT_KEY = "emulator.transport"


class StreamCounter:
    """How many event streams are being sent right now, and how many were ever started."""

    def __init__(self) -> None:
        self.open = 0
        self.started = 0


def stable_uuid(*parts: object) -> str:
    """A version-4 UUID that depends only on ``parts`` (the same request gives the same id).

    The vendors document their ids as UUID v4 (random); these have v4's version and
    variant bits, with the random bits taken from a hash so the emulator stays
    deterministic.
    """
    digest = hashlib.sha256("\x1f".join(str(p) for p in (_NAMESPACE, *parts)).encode()).digest()
    return str(uuid.UUID(bytes=digest[:16], version=4))


def stable_id(*parts: object, length: int = 16) -> str:
    """A short hex id that depends only on ``parts``."""
    return hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()[:length]


def dumps(body: Any) -> bytes:
    """Compact JSON, key order kept (the same body gives the same bytes)."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def json_response(
    body: Any, status: int = 200, headers: dict[str, str] | None = None, *, media: str = ""
) -> Response:
    """A compact JSON response."""
    return Response(dumps(body), status, headers, media_type=media or "application/json")


def _break(event: bytes) -> bytes:
    """The event with its JSON cut in half (the framing kept, so only the data is bad)."""
    text = event.decode()
    brace = text.find("{")
    if brace < 0:
        brace = text.find("[")
    if brace < 0:
        return b"data: {broken\n\n"
    end = text.rstrip("\n")
    cut = brace + max((len(end) - brace) // 2, 2)
    return (text[:cut] + text[len(end) :]).encode()


def plan_of(request: Request) -> FaultPlan:
    """The fault plan the middleware left for this request."""
    plan = request.scope.get(PLAN_KEY)
    return plan if isinstance(plan, FaultPlan) else FaultPlan()


def wire_of(request: Request) -> Wire:
    """The dialect and variants the middleware chose for this request."""
    wire = request.scope.get(WIRE_KEY)
    return wire if isinstance(wire, Wire) else Wire()


def _media_ranges(accept: str) -> list[tuple[str, float]]:
    """``Accept`` as (media range, q) pairs; a malformed q counts as 1."""
    ranges: list[tuple[str, float]] = []
    for item in accept.split(","):
        media, *params = (p.strip() for p in item.split(";"))
        if not media:
            continue
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    q = 1.0
        ranges.append((media.lower(), q))
    return ranges


def _quality(media: str, ranges: list[tuple[str, float]]) -> float:
    """The q the most specific matching range gives ``media`` (0 when none matches)."""
    kind = media.split("/", 1)[0]
    best: tuple[int, float] = (-1, 0.0)
    for pattern, q in ranges:
        if pattern == media:
            specificity = 2
        elif pattern == f"{kind}/*":
            specificity = 1
        elif pattern == "*/*":
            specificity = 0
        else:
            continue
        if specificity > best[0]:
            best = (specificity, q)
    return best[1]


def negotiate(accept: str | None, offered: Sequence[str]) -> str:
    """The media type of ``offered`` that ``Accept`` prefers (RFC 9110 q-values).

    Ties go to the earlier offer; no ``Accept``, or one nothing offered satisfies, gets
    the first offer (as most servers do rather than answering 406).
    """
    ranges = _media_ranges(accept or "")
    if not ranges:
        return offered[0]
    scored = [(_quality(media, ranges), -index, media) for index, media in enumerate(offered)]
    q, _, media = max(scored)
    return media if q > 0 else offered[0]


def reply(
    request: Request, body: Any, status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    """A JSON response with the request's ``malformed`` fault applied to it."""
    content = dumps(body)
    if plan_of(request).malformed:
        content = _break(content)
    return Response(content, status, headers, media_type="application/json")


def problem(
    status: int,
    title: str,
    *,
    detail: str | None = None,
    errors: dict[str, list[str]] | None = None,
    request_id: str | None = None,
    instance: str | None = None,
    extra: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """An RFC 7807 problem+json response, with ``requestId`` and a ``RequestId`` header."""
    body: dict[str, Any] = {
        "type": f"https://tools.ietf.org/html/rfc9110#status.{status}",
        "title": title,
        "status": status,
    }
    if detail:
        body["detail"] = detail
    if instance:
        body["instance"] = instance
    if errors:
        body["errors"] = errors
    body.update(extra or {})
    if request_id:
        body["requestId"] = request_id
    all_headers = {**(headers or {}), **({"RequestId": request_id} if request_id else {})}
    return json_response(body, status, all_headers, media="application/problem+json")


def validation_problem(errors: dict[str, list[str]], *, request_id: str, instance: str) -> Response:
    """The 400 an ASP.NET service answers for an invalid body."""
    return problem(
        400,
        "One or more validation errors occurred.",
        errors=errors,
        request_id=request_id,
        instance=instance,
    )


def read_json(body: bytes) -> tuple[Any, bool]:
    """The request body as JSON and whether it parsed (an empty body is ``None``, True)."""
    if not body.strip():
        return None, True
    try:
        return json.loads(body), True
    except ValueError:
        return None, False


def sse(data: Any, *, event: str | None = None) -> bytes:
    """One standard server-sent event with compact JSON data."""
    prefix = f"event: {event}\n" if event else ""
    payload = data if isinstance(data, str) else dumps(data).decode()
    return f"{prefix}data: {payload}\n\n".encode()


class StreamCut(Exception):  # noqa: N818 - a signal to the server, not an error to report
    """Raised after the response started: the server aborts the connection."""


def transport_of(send: Send) -> asyncio.BaseTransport | None:
    """Uvicorn's transport for this connection, if ``send`` is a request cycle's method."""
    transport = getattr(getattr(send, "__self__", None), "transport", None)
    return transport if isinstance(transport, asyncio.BaseTransport) else None


class EventStream(Response):
    """A streamed body sent one event per body message, with the stream faults applied.

    A client that goes away mid-stream ends it quietly: the stream stops when the server
    reports the disconnect, or before writing to a connection already closing. (Events
    sent without a pause never yield to the event loop, so the server learns of a reset
    only from a failed write; writing on would make asyncio log "socket.send() raised
    exception" for each further event.)
    """

    def __init__(
        self,
        events: Sequence[bytes],
        *,
        media_type: str,
        plan: FaultPlan,
        headers: dict[str, str] | None = None,
    ) -> None:
        # Not Response.__init__: it would declare Content-Length: 0 for the empty body.
        self.status_code = 200
        self.media_type = media_type
        self.background = None
        self.init_headers(headers)
        self.events = list(events)
        self.plan = plan
        self.headers.setdefault("cache-control", "no-cache")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        counter = scope.get(STREAMS_KEY)
        if not isinstance(counter, StreamCounter):
            counter = StreamCounter()
        counter.open += 1
        counter.started += 1
        # The server's own transport (the middleware saw the unwrapped ``send``).
        transport = scope.get(TRANSPORT_KEY)
        if not isinstance(transport, asyncio.BaseTransport):
            transport = transport_of(send)
        try:
            async with anyio.create_task_group() as group:

                async def watch() -> None:
                    await _until_disconnected(receive)
                    group.cancel_scope.cancel()

                group.start_soon(watch)
                await self._send_events(send, transport)
                group.cancel_scope.cancel()
        finally:
            counter.open -= 1

    async def _send_events(self, send: Send, transport: asyncio.BaseTransport | None) -> None:
        await send(
            {"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers}
        )
        events = list(self.events)
        if self.plan.malformed and events:
            index = 1 if len(events) > 1 else 0
            events[index] = _break(events[index])
        for index, event in enumerate(events):
            if self.plan.cut_after is not None and index >= self.plan.cut_after:
                raise StreamCut(f"cut after {index} events")
            if self.plan.stop_after is not None and index >= self.plan.stop_after:
                break  # a clean end that looks like a complete answer
            if index and self.plan.pace:
                await asyncio.sleep(self.plan.pace)
            if transport is not None and transport.is_closing():
                return  # the client went away: nothing more to say
            await send({"type": "http.response.body", "body": event, "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})


async def _until_disconnected(receive: Receive) -> None:
    """Return when the server reports that the client has gone."""
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return
