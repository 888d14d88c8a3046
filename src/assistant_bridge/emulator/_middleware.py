"""The emulator's outermost layer: wire choice, body-size limit and faults, before the routes.

`EmulatorMiddleware` reads the request's ``x-emulator-dialect`` / ``x-emulator-variant``
(over the emulator's defaults) and ``x-emulator-fault`` headers; a header it cannot read
is a 400. It reads the request body up to the size limit (a bigger one is a 413
problem+json, answered before any route sees it), then applies the faults: it stalls
(``slow-first-byte``), drops the connection (``drop``), answers a status (429, 5xx) or
answers for the route (``empty``, ``redirect``, ``echo-auth``); otherwise the route runs
with the wire and the fault plan in the scope, its answer spoiled on the way out by
``short-body`` or ``drop-after`` (`_misbehave`).

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
import logging

from starlette.requests import ClientDisconnect
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ._dialect import DIALECT_HEADER, VARIANT_HEADER, Wire, WireSyntaxError
from ._faults import FAULT_HEADER, FaultBook, FaultPlan, FaultSyntaxError
from ._http import (
    PLAN_KEY,
    STREAMS_KEY,
    TRANSPORT_KEY,
    WIRE_KEY,
    StreamCounter,
    StreamCut,
    problem,
    stable_id,
    transport_of,
)
from ._misbehave import (
    close_unanswered,
    dropping_send,
    echo_auth,
    empty,
    redirect,
    shortening_send,
)

__all__ = ["DEFAULT_MAX_BODY", "EmulatorMiddleware", "quiet_uvicorn_errors"]

DEFAULT_MAX_BODY = 8 * 1024 * 1024
"""The largest request body the emulator reads (8 MiB); a bigger one is a 413."""

_STATUS_TITLES = {
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}


class _TooLarge(Exception):  # noqa: N818 - a signal inside the middleware
    """The request body is over the limit."""


async def _read_body(receive: Receive, limit: int) -> bytes:
    """The whole request body; `_TooLarge` as soon as it passes ``limit`` bytes."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnect()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise _TooLarge()
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that gives the body read already, then passes through (disconnects)."""
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed


class EmulatorMiddleware:
    """Choose the wire, check the body size and apply the faults around the vendor routes."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        book: FaultBook,
        streams: StreamCounter,
        wire: Wire,
        max_body: int = DEFAULT_MAX_BODY,
    ) -> None:
        self.app = app
        self.book = book
        self.streams = streams
        self.wire = wire
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/_emulator/"):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        try:
            scope[WIRE_KEY] = self.wire.overridden(
                headers.get(DIALECT_HEADER), headers.get(VARIANT_HEADER)
            )
            plan = self.book.plan(headers.get(FAULT_HEADER))
        except (WireSyntaxError, FaultSyntaxError) as exc:
            await problem(400, "Bad emulator header", detail=str(exc))(scope, receive, send)
            return
        scope[PLAN_KEY] = plan
        scope[STREAMS_KEY] = self.streams
        scope[TRANSPORT_KEY] = transport_of(send)  # the routes see a wrapped `send`
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_body:
            await self._too_large(scope, receive, send)
            return
        try:
            body = await _read_body(receive, self.max_body)
        except _TooLarge:
            await self._too_large(scope, receive, send)
            return
        except ClientDisconnect:
            return
        if plan.slow_first_byte:
            await asyncio.sleep(plan.slow_first_byte)
        if plan.drop:
            await close_unanswered(send)
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
        stand_in = self._stand_in(plan, scope, headers, body)
        if stand_in is not None:
            await stand_in(scope, receive, send)
            return
        routed = send
        if plan.drop_after:
            routed = dropping_send(send)
        elif plan.short_body:
            routed = shortening_send(send)
        try:
            await self.app(scope, _replay(body, receive), routed)
        except ClientDisconnect:
            return  # the client gave up (e.g. its timeout during slow-first-byte)
        if plan.drop_after:
            await close_unanswered(send)

    @staticmethod
    def _stand_in(
        plan: FaultPlan, scope: Scope, headers: dict[str, str], body: bytes
    ) -> Response | None:
        """The answer a fault gives instead of the route's, if one does."""
        if plan.empty is not None:
            return empty(plan.empty)
        if plan.redirect is not None:
            return redirect(scope, plan.redirect)
        if plan.echo_auth is not None:
            return echo_auth(scope, headers, body, plan.echo_auth)
        return None

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = problem(
            413,
            "Payload Too Large",
            detail=f"The request body is over the limit of {self.max_body} bytes.",
            request_id=stable_id("413", scope["path"]),
            instance=scope["path"],
            headers={"Connection": "close"},
        )
        await response(scope, receive, send)


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
