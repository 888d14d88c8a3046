"""Reading error bodies: RFC 7807 problem details, and the message a person can act on.

The vendors answer errors with problem+json (``type, title, status, detail, instance,
errors{field: [messages]}``), sometimes labelled ``text/plain``; Unleash adds
``requestId`` and ``reason``. Anything else (an HTML gateway page, plain text) is kept
as text and summarised.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from ._exceptions import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    RateLimitError,
    status_error_class,
)
from ._logging import redact
from ._redaction import redacted_request, redacted_response
from ._response import request_id_of
from ._retry import parse_retry_after

__all__ = [
    "Problem",
    "connection_error",
    "decode_body",
    "format_status_message",
    "parse_problem",
    "status_error",
]

_MAX_TEXT = 300


@dataclass(frozen=True)
class Problem:
    """The parts of an error body that matter to a caller; every part may be missing."""

    title: str | None = None
    detail: str | None = None
    type: str | None = None
    instance: str | None = None
    status: int | None = None
    reason: str | None = None
    request_id: str | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)
    message: str | None = None


def decode_body(response: httpx.Response) -> Any:
    """The already-read body as JSON when it parses (whatever the content type), else text."""
    text = response.text
    stripped = text.strip()
    if stripped[:1] in ("{", "["):
        try:
            return json.loads(stripped)
        except ValueError:
            pass
    return text


def _as_str(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return value if isinstance(value, str) else json.dumps(value)


def _field_errors(raw: Any) -> dict[str, list[str]]:
    if isinstance(raw, dict):
        out: dict[str, list[str]] = {}
        for key, messages in raw.items():
            if isinstance(messages, list):
                out[str(key)] = [str(m) for m in messages]
            elif messages is not None:
                out[str(key)] = [str(messages)]
        return out
    if isinstance(raw, list):  # [{"field": ..., "message": ...}] or ["message", ...]
        out = {}
        for item in raw:
            if isinstance(item, dict):
                key = str(item.get("field") or item.get("name") or item.get("path") or "")
                msg = item.get("message") or item.get("msg") or item.get("detail")
                out.setdefault(key, []).append(str(msg if msg is not None else item))
            else:
                out.setdefault("", []).append(str(item))
        return out
    return {}


def parse_problem(response: httpx.Response, body: Any) -> Problem:
    """Read a problem from a decoded error body, with the request id from body or header."""
    header_id = request_id_of(response)
    if not isinstance(body, dict):
        return Problem(request_id=header_id)
    nested = body.get("error")
    # Some gateways wrap the problem: {"error": {"message": ...}}
    source: dict[str, Any] = nested if isinstance(nested, dict) else body
    message = source.get("message")
    if isinstance(nested, str) and message is None:
        message = nested
    status = body.get("status")
    return Problem(
        title=_as_str(source.get("title")),
        detail=_as_str(source.get("detail")),
        type=_as_str(source.get("type")),
        instance=_as_str(source.get("instance")),
        status=status if isinstance(status, int) else None,
        reason=_as_str(body.get("reason") or source.get("reason")),
        request_id=_as_str(body.get("requestId") or body.get("request_id")) or header_id,
        errors=_field_errors(source.get("errors")),
        message=_as_str(message),
    )


def _truncate(text: str, limit: int = _MAX_TEXT) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def format_status_message(response: httpx.Response, problem: Problem, body: Any) -> str:
    """A one-line message: status, what was wrong, and the request id.

    For example ``400 Bad Request: messages: The messages field is required.
    (request id 7f3a...)``.
    """
    head = f"{response.status_code} {response.reason_phrase or ''}".rstrip()
    details: list[str] = []
    for name, messages in problem.errors.items():
        joined = " ".join(messages)
        details.append(f"{name}: {joined}" if name else joined)
    for extra in (problem.detail, problem.message, problem.reason):
        if extra and extra not in details:
            details.append(extra)
    if not details and problem.title and problem.title != response.reason_phrase:
        details.append(problem.title)
    if not details and isinstance(body, str) and body.strip():
        details.append(_truncate(body))
    message = f"{head}: {'; '.join(_truncate(d) for d in details)}" if details else head
    if problem.request_id:
        message += f" (request id {problem.request_id})"
    return message


def status_error(
    response: httpx.Response,
    hint: Callable[[httpx.Response, Problem], str | None] | None = None,
) -> APIStatusError:
    """The typed error for a read 4xx/5xx response, with a vendor's ``hint`` appended.

    The error holds a redacted copy of the response (and of its request): a server may
    echo a key back in its error body, and the request carries it in a header. Its
    ``body``, ``problem``, message, ``response`` and ``request`` hold no known secret.
    """
    response = redacted_response(response)
    body = decode_body(response)
    problem = parse_problem(response, body)
    message = format_status_message(response, problem, body)
    advice = hint(response, problem) if hint is not None else None
    if advice:
        message = f"{message} {advice}"
    message = redact(message)
    cls = status_error_class(response.status_code)
    if cls is RateLimitError:
        retry_after = parse_retry_after(response.headers)
        return RateLimitError(
            message, response=response, problem=problem, body=body, retry_after=retry_after
        )
    return cls(message, response=response, problem=problem, body=body)


def connection_error(exc: Exception, request: httpx.Request) -> APIConnectionError:
    """The error for a request that got no usable response (its request redacted)."""
    request = redacted_request(request)  # the sent request carries the credentials
    if isinstance(exc, httpx.RequestError):
        exc.request = request  # the chained cause, too
    if isinstance(exc, httpx.TimeoutException):
        kind = type(exc).__name__.replace("Timeout", "").lower() or "request"
        return APITimeoutError(f"{request.method} {request.url}: {kind} timed out", request=request)
    return APIConnectionError(
        redact(f"{request.method} {request.url}: connection error: {exc}"), request=request
    )
