"""Debug logging of requests, with secrets redacted.

Enable with ``logging.getLogger("assistant_bridge").setLevel(logging.DEBUG)`` (and a
handler), or ``ASSISTANT_BRIDGE_LOG=debug``. Every record that passes through the
``assistant_bridge`` logger goes through `SecretFilter`, which removes secret header
values and every secret a client has registered, wherever they appear.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from collections.abc import Mapping
from typing import Any

__all__ = [
    "REDACTED",
    "SECRET_HEADERS",
    "SecretFilter",
    "logger",
    "redact",
    "redact_headers",
    "register_secret",
]

REDACTED = "<redacted>"
SECRET_HEADERS = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "api-key",
        "x-api-key",
        "cookie",
        "set-cookie",
        "x-auth-token",
        "client_secret",
        "access_token",
    }
)
_MIN_SECRET_LENGTH = 4
_secrets: set[str] = set()
_lock = threading.Lock()
_pattern: re.Pattern[str] | None = None

_KEY_VALUE = re.compile(
    r"(?i)\b([a-z0-9_-]*?(?:authorization|token|secret|password|passwd|api[_-]?key))"
    r"(['\"]?\s*[:=]\s*['\"]?)"
    r"((?:bearer\s+|basic\s+)?[^\s'\",&}]+)"
)
"""``name: value`` or ``name=value`` where the name ends like a credential's
(``client_secret=...``, ``"accessToken": "..."``, ``x-api-key: ...``)."""
_BEARER = re.compile(r"(?i)\b(bearer)(\s+)([A-Za-z0-9._~+/=-]{12,})")
"""A bearer token: only a token-shaped word is removed (``bearer token has expired`` stays)."""


def register_secret(value: str | None) -> None:
    """Remember a secret so that it is removed from every log record from now on."""
    global _pattern
    if not value or len(value) < _MIN_SECRET_LENGTH:
        return
    with _lock:
        if value in _secrets:
            return
        _secrets.add(value)
        ordered = sorted(_secrets, key=len, reverse=True)
        _pattern = re.compile("|".join(re.escape(s) for s in ordered))


def redact(text: str) -> str:
    """Remove registered secrets and ``authorization: ...``-style values from text."""
    pattern = _pattern
    if pattern is not None:
        text = pattern.sub(REDACTED, text)
    text = _KEY_VALUE.sub(lambda m: f"{m.group(1)}{m.group(2)}{REDACTED}", text)
    return _BEARER.sub(lambda m: f"{m.group(1)}{m.group(2)}{REDACTED}", text)


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """A copy of the headers with every secret header's value replaced."""
    return {k: (REDACTED if k.lower() in SECRET_HEADERS else redact(v)) for k, v in headers.items()}


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, Mapping):
        return redact_headers({str(k): str(v) for k, v in value.items()})
    if isinstance(value, (int, float, bool)) or value is None:
        return value
    return redact(str(value))


class SecretFilter(logging.Filter):
    """A logging filter that redacts secrets from a record's message and arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact the record in place; never drops it."""
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, Mapping):
            record.args = {k: _clean(v) for k, v in record.args.items()}
        elif isinstance(record.args, tuple):
            record.args = tuple(_clean(a) for a in record.args)
        return True


logger = logging.getLogger("assistant_bridge")
logger.addFilter(SecretFilter())
if os.environ.get("ASSISTANT_BRIDGE_LOG", "").lower() in ("debug", "info"):
    logger.setLevel(os.environ["ASSISTANT_BRIDGE_LOG"].upper())
    if not logger.handlers:
        logger.addHandler(logging.StreamHandler())
