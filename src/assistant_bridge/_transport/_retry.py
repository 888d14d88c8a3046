"""The retry policy as pure functions: what to retry, and how long to wait.

Nothing here sleeps or sends; the base clients ask these functions and act on the answer,
so every decision can be tested without a clock or a network.

Rules:
- Retried statuses: 408, 429, 500, 502, 503, 504, and any status whose response carries
  ``x-should-retry: true`` (``false`` forbids a retry).
- A request that is not idempotent (a POST that creates something) is retried only when
  the server cannot have processed it: a connection that failed before the request was
  sent, or 408, 429 or 503.
- ``Retry-After`` (seconds or an HTTP date; also ``retry-after-ms``) is honoured up to
  ``MAX_RETRY_AFTER`` seconds; a longer wait is not retried but raised at once.
- Otherwise exponential backoff with jitter: ``INITIAL_DELAY * 2**attempt``, at most
  ``MAX_DELAY``, reduced by up to a quarter at random.
"""

from __future__ import annotations

import datetime
import email.utils
import math
import time
from collections.abc import Callable, Mapping

import httpx

__all__ = [
    "INITIAL_DELAY",
    "MAX_DELAY",
    "MAX_RETRY_AFTER",
    "RETRYABLE_STATUSES",
    "SAFE_TO_REPEAT_STATUSES",
    "backoff_delay",
    "parse_retry_after",
    "retry_delay",
    "transport_error_is_retryable",
]

INITIAL_DELAY = 0.5
MAX_DELAY = 8.0
MAX_RETRY_AFTER = 60.0
RETRYABLE_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
SAFE_TO_REPEAT_STATUSES = frozenset({408, 429, 503})
"""Statuses that say the server did not act on the request, so even a POST may be repeated."""

# Errors raised before any byte of the request could reach the server.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)


def parse_retry_after(
    headers: Mapping[str, str], *, now: Callable[[], float] = time.time
) -> float | None:
    """Seconds to wait from ``retry-after-ms`` or ``Retry-After`` (seconds or HTTP date).

    Returns None when neither header is present or parses; never a negative number.
    """
    lowered = {k.lower(): v for k, v in headers.items()}
    raw_ms = lowered.get("retry-after-ms")
    if raw_ms is not None:
        try:
            value = float(raw_ms) / 1000.0
        except ValueError:
            value = math.nan
        if math.isfinite(value):
            return max(value, 0.0)
    raw = lowered.get("retry-after")
    if raw is None:
        return None
    raw = raw.strip()
    try:
        seconds = float(raw)
    except ValueError:
        seconds = None
    if seconds is not None:
        return max(seconds, 0.0) if math.isfinite(seconds) else None
    try:
        parsed = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if parsed.tzinfo is None:  # an HTTP date is GMT even when it fails to say so
        parsed = parsed.replace(tzinfo=datetime.timezone.utc)
    return max(parsed.timestamp() - now(), 0.0)


def backoff_delay(attempt: int, random: Callable[[], float]) -> float:
    """The wait before retry number ``attempt + 1`` (``attempt`` counts from 0)."""
    delay = min(INITIAL_DELAY * (2.0**attempt), MAX_DELAY)
    return delay * (1.0 - 0.25 * random())


def _should_retry_header(headers: Mapping[str, str]) -> bool | None:
    value = {k.lower(): v for k, v in headers.items()}.get("x-should-retry")
    if value is None:
        return None
    return value.strip().lower() == "true"


def retry_delay(
    status_code: int,
    headers: Mapping[str, str],
    *,
    attempt: int,
    idempotent: bool,
    random: Callable[[], float],
    now: Callable[[], float] = time.time,
) -> float | None:
    """How long to wait before retrying a response with this status, or None: do not retry.

    ``attempt`` is the number of retries already made; the caller checks the budget.
    """
    forced = _should_retry_header(headers)
    if forced is False:
        return None
    if forced is None:
        allowed = RETRYABLE_STATUSES if idempotent else SAFE_TO_REPEAT_STATUSES
        if status_code not in allowed:
            return None
    retry_after = parse_retry_after(headers, now=now)
    if retry_after is not None:
        if retry_after > MAX_RETRY_AFTER:
            return None
        return retry_after
    return backoff_delay(attempt, random)


def transport_error_is_retryable(exc: Exception, *, idempotent: bool) -> bool:
    """Whether a failed send may be repeated: always if nothing was sent, else if idempotent."""
    if isinstance(exc, _NOT_SENT):
        return True
    return idempotent and isinstance(exc, httpx.TransportError)
