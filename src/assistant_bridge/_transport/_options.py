"""What one request is made of: its options, timeouts, headers and retry budget.

`RequestOptions` is what a vendor client hands the base client for one call; the
helpers here check and combine the settings it carries. Nothing here sends anything.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx

from ._exceptions import InvalidRequestError

__all__ = [
    "DEFAULT_CONNECT_TIMEOUT",
    "IDEMPOTENT_METHODS",
    "CallOverrides",
    "DEFAULT_LIMITS",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_READ_TIMEOUT",
    "DEFAULT_TIMEOUT",
    "NOT_GIVEN",
    "NotGiven",
    "RequestOptions",
    "TimeoutTypes",
    "check_retries",
    "make_timeout",
    "merge_headers",
    "remember",
]

DEFAULT_CONNECT_TIMEOUT = 5.0
DEFAULT_READ_TIMEOUT = 120.0
DEFAULT_TIMEOUT = httpx.Timeout(DEFAULT_READ_TIMEOUT, connect=DEFAULT_CONNECT_TIMEOUT)
DEFAULT_MAX_RETRIES = 2
DEFAULT_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20)
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})

TimeoutTypes = float | httpx.Timeout | None


class NotGiven:
    """The type of `NOT_GIVEN`: an argument that was left out (``None`` means "no limit")."""

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN = NotGiven()


def make_timeout(value: TimeoutTypes) -> httpx.Timeout:
    """A full ``httpx.Timeout``: a number sets the read (and write, pool) timeout only."""
    if isinstance(value, httpx.Timeout):
        return value
    if value is None:
        return httpx.Timeout(None, connect=DEFAULT_CONNECT_TIMEOUT)
    if value <= 0:
        raise InvalidRequestError(
            f"timeout: must be a positive number, got {value!r}", field="timeout"
        )
    return httpx.Timeout(float(value), connect=DEFAULT_CONNECT_TIMEOUT)


def merge_headers(*layers: Mapping[str, str] | None) -> dict[str, str]:
    """Headers merged case-insensitively: a later layer's header replaces an earlier one's."""
    merged: dict[str, tuple[str, str]] = {}
    for layer in layers:
        for key, value in (layer or {}).items():
            merged[key.lower()] = (key, value)
    return dict(merged.values())


_MEMO_SIZE = 256
_K = TypeVar("_K")
_V = TypeVar("_V")


def remember(memo: dict[_K, _V], key: _K, value: _V) -> None:
    """Keep ``value`` in a small memo (emptied when full: keys are few, or ids in paths)."""
    if len(memo) >= _MEMO_SIZE:
        memo.clear()
    memo[key] = value


def check_retries(value: int, field: str = "max_retries") -> int:
    """``value`` if it is a whole number >= 0, else an `InvalidRequestError` naming ``field``."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidRequestError(
            f"{field}: must be a whole number >= 0, got {value!r}", field=field
        )
    return value


@dataclass(frozen=True)
class RequestOptions:
    """One call's request and its per-call settings.

    Attributes:
        method: the HTTP method.
        path: a path relative to the client's base URL, or an absolute URL.
        idempotent: whether repeating the request is harmless; by default true for GET,
            HEAD, OPTIONS, PUT and DELETE. A non-idempotent request is retried only when
            the server cannot have acted on it.
        timeout: overrides the client's timeout for this call (``None`` waits forever).
        max_retries: overrides the client's retry budget for this call.
    """

    method: str
    path: str
    params: Mapping[str, Any] | None = None
    json: Any = None
    content: bytes | None = None
    data: Mapping[str, Any] | None = None
    files: Mapping[str, Any] | None = None
    headers: Mapping[str, str] | None = None
    timeout: TimeoutTypes | NotGiven = NOT_GIVEN
    max_retries: int | None = None
    idempotent: bool | None = None

    def is_idempotent(self) -> bool:
        """Whether this request may be repeated after it may have reached the server."""
        if self.idempotent is not None:
            return self.idempotent
        return self.method.upper() in IDEMPOTENT_METHODS


@dataclass(frozen=True)
class CallOverrides:
    """The per-call overrides every client method accepts.

    Attributes:
        timeout: this call's timeout (``None`` waits forever; `NOT_GIVEN`: the client's).
        max_retries: this call's retry budget (None: the client's).
        extra_headers: more headers to send with this call (they win over the defaults).
    """

    timeout: TimeoutTypes | NotGiven = NOT_GIVEN
    max_retries: int | None = None
    extra_headers: Mapping[str, str] | None = None

    def headers(self, accept: str = "application/json") -> dict[str, str]:
        """The call's headers: ``Accept`` plus any extra headers (an extra ``accept`` wins)."""
        return merge_headers({"Accept": accept}, self.extra_headers)

    def options(
        self, method: str, path: str, *, accept: str = "application/json", **kw: Any
    ) -> RequestOptions:
        """`RequestOptions` for this call, with ``Accept`` and any extra headers."""
        return RequestOptions(
            method,
            path,
            headers=self.headers(accept),
            timeout=self.timeout,
            max_retries=self.max_retries,
            **kw,
        )
