"""The emulator's HTTP plumbing: fault middleware, JSON and problem bodies, event streams, ids.

`FaultMiddleware` sits outermost: it reads the request's fault set, stalls
(``slow-first-byte``), drops the connection (``drop``) or answers a status (429, 5xx)
before the vendor routes run, and leaves the plan in the scope. `EventStream` sends one
ASGI body message per event, so each event is flushed as it is produced, and applies
``pace``, ``cut-after`` and ``malformed``; `reply` applies ``malformed`` to JSON bodies.

How connections are broken: ``cut-after`` raises `StreamCut` after the response has
started, and every ASGI server (uvicorn included) answers an app error after the start by
aborting the connection, so the client sees a body that ends without its terminating
chunk. ``drop`` must close the connection before any byte is sent, which ASGI cannot
express: the middleware closes uvicorn's transport (the request cycle that owns ``send``
holds it); under a server where that is not found it falls back to starting a response
and aborting it. `quiet_uvicorn_errors` keeps these deliberate aborts out of the logs.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import uuid
from collections.abc import Sequence
from typing import Any

from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from ._faults import FAULT_HEADER, FaultBook, FaultPlan, FaultSyntaxError

__all__ = [
    "EventStream",
    "FaultMiddleware",
    "StreamCounter",
    "StreamCut",
    "json_response",
    "plan_of",
    "problem",
    "quiet_uvicorn_errors",
    "read_json",
    "reply",
    "sse",
    "stable_id",
    "stable_uuid",
    "validation_problem",
]

_NAMESPACE = uuid.UUID("6f1c2b9e-0d4a-4c1e-9a57-5b8d7e3f2a10")
_PLAN_KEY = "emulator.plan"
_STREAMS_KEY = "emulator.streams"


class StreamCounter:
    """How many event streams are being sent right now, and how many were ever started."""

    def __init__(self) -> None:
        self.open = 0
        self.started = 0


def stable_uuid(*parts: object) -> str:
    """A UUID that depends only on ``parts`` (the same request gives the same id)."""
    return str(uuid.uuid5(_NAMESPACE, "\x1f".join(str(p) for p in parts)))


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
    plan = request.scope.get(_PLAN_KEY)
    return plan if isinstance(plan, FaultPlan) else FaultPlan()


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


_STATUS_TITLES = {
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}


def _transport_of(send: Send) -> asyncio.BaseTransport | None:
    """Uvicorn's transport for this connection, if ``send`` is a request cycle's method."""
    transport = getattr(getattr(send, "__self__", None), "transport", None)
    return transport if isinstance(transport, asyncio.BaseTransport) else None


async def _drop(send: Send) -> None:
    transport = _transport_of(send)
    if transport is not None:
        transport.close()
        await asyncio.sleep(0)  # let the server see the connection go before we return
        return
    await send({"type": "http.response.start", "status": 200, "headers": []})
    raise StreamCut("drop")


class FaultMiddleware:
    """Apply the request's faults before (and around) the vendor routes."""

    def __init__(self, app: ASGIApp, book: FaultBook, streams: StreamCounter) -> None:
        self.app = app
        self.book = book
        self.streams = streams

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/_emulator/"):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        try:
            plan = self.book.plan(headers.get(FAULT_HEADER))
        except FaultSyntaxError as exc:
            await problem(400, "Bad emulator fault", detail=str(exc))(scope, receive, send)
            return
        scope[_PLAN_KEY] = plan
        scope[_STREAMS_KEY] = self.streams
        if plan.slow_first_byte:
            await asyncio.sleep(plan.slow_first_byte)
        if plan.drop:
            await _drop(send)
            return
        if plan.status is not None:
            extra = {"Retry-After": f"{plan.retry_after:g}"} if plan.status in (429, 503) else {}
            response = problem(
                plan.status,
                _STATUS_TITLES[plan.status],
                detail="Injected by the emulator (x-emulator-fault).",
                request_id=stable_id("fault", plan.status, scope["path"]),
                headers=extra,
            )
            await response(scope, receive, send)
            return
        try:
            await self.app(scope, receive, send)
        except ClientDisconnect:
            return  # the client gave up (e.g. its timeout during slow-first-byte)


class EventStream(Response):
    """A streamed body sent one event per body message, with the stream faults applied."""

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
        counter = scope.get(_STREAMS_KEY)
        if not isinstance(counter, StreamCounter):
            counter = StreamCounter()
        counter.open += 1
        counter.started += 1
        try:
            await self._send_events(send)
        finally:
            counter.open -= 1

    async def _send_events(self, send: Send) -> None:
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
            if index and self.plan.pace:
                await asyncio.sleep(self.plan.pace)
            await send({"type": "http.response.body", "body": event, "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})


class _HideStreamCuts(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        while error is not None:
            if isinstance(error, StreamCut):
                return False
            error = error.__cause__ or error.__context__
        return True


_FILTER = _HideStreamCuts()


def quiet_uvicorn_errors() -> None:
    """Keep the deliberate aborts of ``cut-after`` out of uvicorn's error log (idempotent)."""
    logger = logging.getLogger("uvicorn.error")
    if _FILTER not in logger.filters:
        logger.addFilter(_FILTER)
