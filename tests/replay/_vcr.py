"""Cassette hygiene: canonical URLs, secrets scrubbed, bodies matched by meaning.

Cassettes are recorded from the loopback emulator on a random port and replayed against
the canonical origin ``http://emulator.test`` with sockets blocked. Before anything is
written, every request and response passes through `scrub_request` / `scrub_response`:
the origin is made canonical, secret headers and secret form or JSON fields are replaced,
volatile headers (date, server) are dropped, and multipart boundaries are fixed, so the
same test recorded twice gives the same bytes. `body_matcher` compares bodies after the
same normalisation, so a replayed request with a real secret or a new boundary still
matches its recording.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qsl, urlencode

CANONICAL_ORIGIN = "http://emulator.test"
REDACTED = "<redacted>"
FORM_REDACTED = "PLACEHOLDER"  # a form value: "<redacted>" would be percent-encoded
SECRET_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "x-api-key", "api-key", "cookie", "set-cookie"}
)
SECRET_FIELDS = frozenset(
    {"client_secret", "access_token", "refresh_token", "id_token", "api_key", "apiKey", "password"}
)
VOLATILE_RESPONSE_HEADERS = frozenset({"date", "server", "set-cookie"})
_BOUNDARY = re.compile(r"boundary=([^\s;]+)")

origins: list[str] = []
"""Live origins (the emulator's ``http://127.0.0.1:PORT``) to rewrite to the canonical one."""


def _canonical(text: str) -> str:
    for origin in origins:
        text = text.replace(origin, CANONICAL_ORIGIN)
    return text


def _header(headers: Any, name: str) -> str | None:
    for key, value in dict(headers).items():
        if key.lower() == name:
            return value[0] if isinstance(value, list) else str(value)
    return None


def _scrub_json(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: (REDACTED if k in SECRET_FIELDS else _scrub_json(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub_json(v) for v in value]
    return value


def normalise_body(body: bytes | str | None, content_type: str | None) -> bytes:
    """A request or response body with secrets replaced and multipart boundaries fixed."""
    if body is None:
        return b""
    raw = body.encode() if isinstance(body, str) else bytes(body)
    kind = (content_type or "").split(";")[0].strip().lower()
    if kind == "application/x-www-form-urlencoded":
        pairs = parse_qsl(raw.decode(), keep_blank_values=True)
        return urlencode([(k, FORM_REDACTED if k in SECRET_FIELDS else v) for k, v in pairs]).encode()
    if kind.startswith("multipart/"):
        match = _BOUNDARY.search(content_type or "")
        if match:
            raw = raw.replace(match.group(1).strip('"').encode(), b"BOUNDARY")
        return raw
    text = raw.decode("utf-8", errors="surrogateescape")
    stripped = text.strip()
    if stripped[:1] in ("{", "[") and kind.endswith("json"):
        try:
            parsed = json.loads(stripped)
        except ValueError:
            return _canonical(text).encode("utf-8", errors="surrogateescape")
        scrubbed = _scrub_json(parsed)
        if scrubbed != parsed:
            text = json.dumps(scrubbed, ensure_ascii=False, separators=(",", ":"))
    return _canonical(text).encode("utf-8", errors="surrogateescape")


def scrub_request(request: Any) -> Any:
    """vcrpy ``before_record_request``: canonical URI, no secrets, emulator control skipped."""
    if "/_emulator/" in request.uri:
        return None
    request.uri = _canonical(request.uri)
    for key in list(request.headers):
        lowered = key.lower()
        if lowered in SECRET_HEADERS:
            request.headers[key] = REDACTED
        elif lowered == "host":
            request.headers[key] = CANONICAL_ORIGIN.split("://", 1)[1]
        elif lowered == "user-agent":  # names the Python version: differs between machines
            request.headers[key] = "assistant-bridge"
    content_type = _header(request.headers, "content-type")
    request.body = normalise_body(request.body, content_type)
    if content_type and content_type.lower().startswith("multipart/"):
        request.headers[
            next(k for k in request.headers if k.lower() == "content-type")
        ] = _BOUNDARY.sub("boundary=BOUNDARY", content_type)
    return request


def scrub_response(response: dict[str, Any]) -> dict[str, Any]:
    """vcrpy ``before_record_response``: no secrets, no volatile headers, canonical URLs."""
    headers = response.get("headers", {})
    for key in list(headers):
        if key.lower() in VOLATILE_RESPONSE_HEADERS:
            del headers[key]
        elif key.lower() in SECRET_HEADERS:
            headers[key] = [REDACTED]
    body = response.get("body", {})
    if "string" in body:
        body["string"] = normalise_body(body["string"], _header(headers, "content-type"))
        for key in list(headers):
            if key.lower() == "content-length":
                headers[key] = [str(len(body["string"]))]
    return response


def body_matcher(r1: Any, r2: Any) -> None:
    """vcrpy matcher: bodies equal after normalisation (JSON by value, secrets ignored)."""
    b1 = normalise_body(r1.body, _header(r1.headers, "content-type"))
    b2 = normalise_body(r2.body, _header(r2.headers, "content-type"))
    if b1 == b2:
        return
    try:
        if json.loads(b1) == json.loads(b2):
            return
    except ValueError:
        pass
    raise AssertionError(f"bodies differ: {b1[:200]!r} != {b2[:200]!r}")
