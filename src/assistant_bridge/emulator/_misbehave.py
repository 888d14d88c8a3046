"""The faults that answer for the route or bend its answer: empty, redirect, echo, cut, drop.

`EmulatorMiddleware` calls these for the ``empty``, ``redirect``, ``echo-auth``,
``short-body`` and ``drop-after`` faults (see `_faults`). The first three answer instead
of the route: the server never acts on the request. The last two let the route run (it
stores what it stores) and then spoil the answer on its way out: ``short-body`` declares
the whole length and sends half before the connection is aborted (a body cut at the HTTP
level), ``drop-after`` sends nothing and closes the connection (a drop after the server
acted, the case in which a client cannot know whether its POST took effect).
"""

from __future__ import annotations

import asyncio
from urllib.parse import parse_qs

from starlette.responses import Response
from starlette.types import Message, Scope, Send

from ._http import StreamCut, problem, stable_id, transport_of

__all__ = [
    "DEFAULT_ELSEWHERE",
    "close_unanswered",
    "dropping_send",
    "echo_auth",
    "empty",
    "redirect",
    "shortening_send",
]

DEFAULT_ELSEWHERE = "http://elsewhere.invalid"
"""The origin a bare ``redirect`` fault points to (``.invalid`` never resolves)."""

_SIGN_IN = (
    b"<!DOCTYPE html><html><head><title>Sign in</title></head><body>"
    b"<form method='post' action='/login'><input name='user'><input name='password' "
    b"type='password'><button>Sign in</button></form></body></html>"
)
_EMPTY: dict[str, tuple[int, bytes, str | None]] = {
    "blank": (200, b"", "application/json"),
    "object": (200, b"{}", "application/json"),
    "array": (200, b"[]", "application/json"),
    "null": (200, b"null", "application/json"),
    "done": (200, b"data: [DONE]\n\n", "text/event-stream"),
    "keepalive": (200, b": keep-alive\n\n: keep-alive\n\n", "text/event-stream"),
    "html": (200, _SIGN_IN, "text/html; charset=utf-8"),
    "204": (204, b"", None),
    "3xx": (302, b"", None),
}
_CREDENTIAL_HEADERS = ("authorization", "unleash-account", "x-api-key", "x-auth-token")


def empty(kind: str) -> Response:
    """A success (or 204, or a 302 without Location) with nothing an answer can be read from."""
    status, body, media = _EMPTY[kind]
    return Response(body, status, media_type=media)


def redirect(scope: Scope, location: str) -> Response:
    """A 307 to ``location``, or to the same path on `DEFAULT_ELSEWHERE`."""
    if not location:
        query = scope.get("query_string", b"").decode("latin-1")
        location = DEFAULT_ELSEWHERE + scope["path"] + (f"?{query}" if query else "")
    return Response(b"", 307, headers={"Location": location})


def echo_auth(scope: Scope, headers: dict[str, str], body: bytes, status: int) -> Response:
    """An error whose body repeats every credential the request carried, as careless APIs do."""
    found = {name: headers[name] for name in _CREDENTIAL_HEADERS if name in headers}
    secret = ""
    if headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        form = parse_qs(body.decode("utf-8", "replace"))
        secret = (form.get("client_secret") or [""])[0]
    token = found.get("authorization", "") or found.get("x-api-key", "")
    query = scope.get("query_string", b"").decode("latin-1")
    detail = "; ".join(f"{name}={value}" for name, value in found.items()) or "no credentials"
    return problem(
        status,
        "Rejected credentials",
        detail=f"These credentials were refused: {detail}",
        request_id=stable_id("echo-auth", scope["path"]),
        extra={
            "token": token,
            "accessToken": token.removeprefix("Bearer ").strip(),
            "clientSecret": secret or token,
            "query": query,
        },
    )


def dropping_send(send: Send) -> Send:
    """A ``send`` that throws the answer away; `close_unanswered` then drops the connection."""

    async def swallowed(message: Message) -> None:
        return None

    return swallowed


async def close_unanswered(send: Send) -> None:
    """Close the connection without a byte sent (or abort a started answer if it cannot)."""
    transport = transport_of(send)
    if transport is not None:
        transport.close()
        await asyncio.sleep(0)
        return
    await send({"type": "http.response.start", "status": 200, "headers": []})
    raise StreamCut("drop-after")


def shortening_send(send: Send) -> Send:
    """A ``send`` that declares the whole body's length, sends half of it, then aborts."""
    start: Message | None = None
    parts: list[bytes] = []

    async def shortened(message: Message) -> None:
        nonlocal start
        if message["type"] == "http.response.start":
            start = message
            return
        if message["type"] != "http.response.body" or start is None:
            await send(message)
            return
        parts.append(message.get("body", b""))
        if message.get("more_body", False):
            return
        whole = b"".join(parts)
        headers = [
            (k, v)
            for k, v in start.get("headers", [])
            if k.lower() not in (b"content-length", b"transfer-encoding")
        ]
        headers.append((b"content-length", str(max(len(whole), 1)).encode()))
        await send({**start, "headers": headers})
        await send(
            {"type": "http.response.body", "body": whole[: len(whole) // 2], "more_body": True}
        )
        raise StreamCut("short body")

    return shortened
