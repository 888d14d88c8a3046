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
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from assistant_bridge._transport._logging import SECRET_HEADERS as _LOG_SECRET_HEADERS
from assistant_bridge._transport._logging import redact
from assistant_bridge._transport._redaction import is_secret_name

CANONICAL_ORIGIN = "http://emulator.test"
REDACTED = "<redacted>"
FORM_REDACTED = "PLACEHOLDER"  # a form or query value: "<redacted>" would be percent-encoded
SECRET_HEADERS = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "x-api-key",
        "api-key",
        "x-auth-token",
        "cookie",
        "set-cookie",
    }
    | _LOG_SECRET_HEADERS
)
SECRET_FIELDS = frozenset(
    {"client_secret", "access_token", "refresh_token", "id_token", "api_key", "apiKey", "password"}
)
"""Examples only: every name `is_secret_field` accepts is scrubbed (any case, any depth)."""
VOLATILE_RESPONSE_HEADERS = frozenset({"date", "server", "set-cookie"})
_BOUNDARY = re.compile(r"boundary=([^\s;]+)")
_BEARER = re.compile(r"(?i)\b(bearer\s+)(?!<redacted>)[A-Za-z0-9._~+/=-]{8,}")

origins: list[str] = []
"""Live origins (the emulator's ``http://127.0.0.1:PORT``) to rewrite to the canonical one."""


def is_secret_field(name: str) -> bool:
    """Whether a JSON key, form or query field, or header names a credential."""
    return name in SECRET_FIELDS or name.lower() in SECRET_HEADERS or is_secret_name(name)


def _canonical(text: str) -> str:
    for origin in origins:
        text = text.replace(origin, CANONICAL_ORIGIN)
    return text


def _header(headers: Any, name: str) -> str | None:
    for key, value in dict(headers).items():
        if key.lower() == name:
            return value[0] if isinstance(value, list) else str(value)
    return None


def _scrub_text(text: str) -> str:
    """Echoed ``Bearer ...`` values, ``name=value`` credentials and known secrets removed."""
    return _BEARER.sub(lambda m: f"{m.group(1)}{REDACTED}", redact(text))


def _scrub_json(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: (REDACTED if isinstance(k, str) and is_secret_field(k) else _scrub_json(v))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_scrub_json(v) for v in value]
    if isinstance(value, str):
        return _scrub_text(value)
    return value


def _json_text(text: str) -> str | None:
    """``text`` scrubbed if it is JSON (whatever its content type), else None."""
    stripped = text.strip()
    if stripped[:1] not in ("{", "["):
        return None
    try:
        parsed = json.loads(stripped)
    except ValueError:
        return None
    scrubbed = _scrub_json(parsed)
    if scrubbed == parsed:
        return text
    return json.dumps(scrubbed, ensure_ascii=False, separators=(",", ":"))


def _scrub_lines(text: str) -> str:
    """A text body line by line: a JSON ``data:`` line by structure, any other as text."""
    out: list[str] = []
    for line in text.split("\n"):
        field, colon, value = line.partition(":")
        scrubbed = _json_text(value) if colon and field == "data" else None
        if scrubbed is not None:
            lead = " " if value.startswith(" ") else ""
            line = line if scrubbed == value else f"{field}:{lead}{scrubbed}"
        else:
            line = _scrub_text(line)
        out.append(line)
    return "\n".join(out)


def _scrub_pairs(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(k, FORM_REDACTED if is_secret_field(k) else _scrub_text(v)) for k, v in pairs]


def scrub_uri(uri: str) -> str:
    """The canonical URI, its secret-named query parameters replaced."""
    uri = _canonical(uri)
    parts = urlsplit(uri)
    if not parts.query:
        return uri
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    scrubbed = _scrub_pairs(pairs)
    if scrubbed == pairs:
        return uri
    return urlunsplit(parts._replace(query=urlencode(scrubbed)))


def normalise_body(body: bytes | str | None, content_type: str | None) -> bytes:
    """A request or response body with secrets replaced and multipart boundaries fixed.

    JSON is scrubbed by structure whatever its content type (``application/json``,
    ``problem+json``, ``text/plain``); a form by field name; an event stream's JSON
    ``data:`` lines by structure; any other text line by line (echoed bearer tokens,
    ``name=value`` credentials, secrets the process registered).
    """
    if body is None:
        return b""
    raw = body.encode() if isinstance(body, str) else bytes(body)
    kind = (content_type or "").split(";")[0].strip().lower()
    if kind == "application/x-www-form-urlencoded":
        pairs = parse_qsl(raw.decode(), keep_blank_values=True)
        return urlencode(_scrub_pairs(pairs)).encode()
    if kind.startswith("multipart/"):
        match = _BOUNDARY.search(content_type or "")
        if match:
            raw = raw.replace(match.group(1).strip('"').encode(), b"BOUNDARY")
        return raw
    text = raw.decode("utf-8", errors="surrogateescape")
    scrubbed = _json_text(text)
    if scrubbed is None:
        scrubbed = _scrub_lines(text)
    return _canonical(scrubbed).encode("utf-8", errors="surrogateescape")


def scrub_request(request: Any) -> Any:
    """vcrpy ``before_record_request``: canonical URI, no secrets, emulator control skipped."""
    if "/_emulator/" in request.uri:
        return None
    request.uri = scrub_uri(request.uri)
    for key in list(request.headers):
        lowered = key.lower()
        if is_secret_field(lowered):
            request.headers[key] = REDACTED
        elif lowered == "host":
            request.headers[key] = CANONICAL_ORIGIN.split("://", 1)[1]
        elif lowered == "user-agent":  # names the Python version: differs between machines
            request.headers[key] = "assistant-bridge"
    content_type = _header(request.headers, "content-type")
    request.body = normalise_body(request.body, content_type)
    if content_type and content_type.lower().startswith("multipart/"):
        request.headers[next(k for k in request.headers if k.lower() == "content-type")] = (
            _BOUNDARY.sub("boundary=BOUNDARY", content_type)
        )
    return request


def scrub_response(response: dict[str, Any]) -> dict[str, Any]:
    """vcrpy ``before_record_response``: no secrets, no volatile headers, canonical URLs."""
    headers = response.get("headers", {})
    for key in list(headers):
        if key.lower() in VOLATILE_RESPONSE_HEADERS:
            del headers[key]
        elif is_secret_field(key.lower()):
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
