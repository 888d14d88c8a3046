"""Redacted copies of requests and responses, for the errors a person may print.

A server that echoes the caller's credentials in an error body (as some do) must not
put them in front of whoever prints the error: `redacted_response` gives a copy of a
read response whose body, headers and request hold no secret the client knows of (the
registered keys, secrets and tokens) and no value under a secret-looking name, so that
``e.body``, ``e.problem``, ``e.response.text`` / ``.json()`` and ``e.request.headers``
are all clean. `redacted_request` does the same for a request alone.
"""

from __future__ import annotations

import json
import re
from typing import Any

import httpx

from ._logging import REDACTED, SECRET_HEADERS, redact, redact_headers

__all__ = ["is_secret_name", "redact_json", "redacted_request", "redacted_response"]

_SECRET_NAME = re.compile(
    r"(?i)(?:^|[_-]|(?<=[a-z]))(?:token|secret|password|passwd|passphrase|"
    r"(?:api|access|secret|private|client|subscription)[_-]?key|authorization|cookie|"
    r"credentials?)$"
)
"""A JSON key naming a credential: ``token``, ``accessToken``, ``client_secret``,
``apiKey``, ``password``... (``maxTokens`` and ``tokenType`` are not)."""
_NOT_SECRET = re.compile(
    r"(?i)^(?:next|page|continuation|pagination|resume)[_-]?token$|^(?:max|min|num)|count$|limit"
)
"""Named like a credential but none: a paging cursor (``nextToken``), a size or a count
(``maxOutputToken``, ``tokenCount``); replays need them as they were."""

_ENTITY_HEADERS = frozenset({"content-length", "content-encoding", "transfer-encoding"})


def is_secret_name(name: str) -> bool:
    """Whether a JSON key or header name names a credential (case-insensitive)."""
    if _NOT_SECRET.search(name):
        return False
    return name.lower() in SECRET_HEADERS or _SECRET_NAME.search(name) is not None


def redact_json(value: Any) -> Any:
    """A copy of decoded JSON with secret-named values replaced and every string redacted."""
    if isinstance(value, dict):
        return {
            k: (
                REDACTED
                if isinstance(k, str) and is_secret_name(k) and v not in (None, "")
                else redact_json(v)
            )
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [redact_json(v) for v in value]
    if isinstance(value, str):
        return redact(value)
    return value


def _redact_bytes(raw: bytes, content_type: str | None) -> bytes:
    """A body with its secrets removed: JSON by structure, anything else as text."""
    if not raw:
        return raw
    text = raw.decode("utf-8", errors="replace")
    stripped = text.strip()
    if stripped[:1] in ("{", "["):
        try:
            parsed = json.loads(stripped)
        except ValueError:
            pass
        else:
            cleaned = redact_json(parsed)
            if cleaned == parsed:
                return raw
            return json.dumps(cleaned, ensure_ascii=False).encode("utf-8")
    if "form-urlencoded" in (content_type or ""):
        text = re.sub(
            r"(?i)(^|&)([^=&]*)=([^&]*)",
            lambda m: (
                m.group(0)
                if not is_secret_name(m.group(2))
                else f"{m.group(1)}{m.group(2)}={REDACTED}"
            ),
            text,
        )
    cleaned_text = redact(text)
    return raw if cleaned_text == raw.decode("utf-8", errors="replace") else cleaned_text.encode()


def _redact_url(url: httpx.URL) -> httpx.URL:
    """The URL with registered secrets and secret-named query parameters replaced."""
    if url.query:
        pairs = [
            (k, REDACTED if is_secret_name(k) else redact(v)) for k, v in url.params.multi_items()
        ]
        url = url.copy_with(params=pairs)
    text = str(url)
    cleaned = redact(text)
    return url if cleaned == text else httpx.URL(cleaned)


def _clean_headers(headers: httpx.Headers) -> dict[str, str]:
    """Secret headers replaced; the body's length and encoding dropped (the copy is decoded)."""
    cleaned = redact_headers(headers)
    return {k: v for k, v in cleaned.items() if k.lower() not in _ENTITY_HEADERS}


def redacted_request(request: httpx.Request) -> httpx.Request:
    """A copy of ``request`` without its secrets (headers, query string, read body).

    A body that was never read into memory (a streamed upload) is not copied.
    """
    try:
        body = request.content
    except httpx.RequestNotRead:
        body = b""
    content = _redact_bytes(body, request.headers.get("content-type"))
    copy = httpx.Request(
        request.method,
        _redact_url(request.url),
        headers=_clean_headers(request.headers),
        content=content or None,
    )
    copy.extensions = dict(request.extensions)
    return copy


def redacted_response(response: httpx.Response) -> httpx.Response:
    """A read copy of a read ``response`` whose body, headers and request hold no secret."""
    content = _redact_bytes(response.content, response.headers.get("content-type"))
    try:
        request: httpx.Request | None = redacted_request(response.request)
    except RuntimeError:  # a response built without a request
        request = None
    copy = httpx.Response(
        response.status_code,
        headers=_clean_headers(response.headers),
        content=content,
        request=request,
        extensions=dict(response.extensions),
    )
    copy.read()
    return copy
