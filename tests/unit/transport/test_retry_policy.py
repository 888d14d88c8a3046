"""The pure retry policy: which failures are retried and how long to wait."""

from __future__ import annotations

import email.utils

import httpx
import pytest

from assistant_bridge._transport._retry import (
    INITIAL_DELAY,
    MAX_DELAY,
    MAX_RETRY_AFTER,
    backoff_delay,
    parse_retry_after,
    retry_delay,
    transport_error_is_retryable,
)

NOW = 1_700_000_000.0


def zero() -> float:
    return 0.0


def one() -> float:
    return 1.0


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Retry-After": "3"}, 3.0),
        ({"retry-after": "0.5"}, 0.5),
        ({"Retry-After": " 7 "}, 7.0),
        ({"retry-after-ms": "1500"}, 1.5),
        ({"retry-after-ms": "250", "Retry-After": "9"}, 0.25),
        ({"Retry-After": "-4"}, 0.0),
        ({}, None),
        ({"Retry-After": "soon"}, None),
    ],
)
def test_parse_retry_after_seconds(headers: dict[str, str], expected: float | None) -> None:
    assert parse_retry_after(headers, now=lambda: NOW) == expected


def test_parse_retry_after_http_date() -> None:
    date = email.utils.formatdate(NOW + 12, usegmt=True)
    assert parse_retry_after({"Retry-After": date}, now=lambda: NOW) == pytest.approx(12.0)
    naive = email.utils.formatdate(NOW + 5).replace(" -0000", "")
    assert parse_retry_after({"Retry-After": naive}, now=lambda: NOW) == pytest.approx(5.0)
    past = email.utils.formatdate(NOW - 100, usegmt=True)
    assert parse_retry_after({"Retry-After": past}, now=lambda: NOW) == 0.0


@pytest.mark.parametrize("attempt", range(8))
def test_backoff_bounds(attempt: int) -> None:
    ceiling = min(INITIAL_DELAY * 2**attempt, MAX_DELAY)
    assert backoff_delay(attempt, zero) == ceiling
    assert backoff_delay(attempt, one) == pytest.approx(ceiling * 0.75)


def test_backoff_grows_then_caps() -> None:
    delays = [backoff_delay(a, zero) for a in range(10)]
    assert delays == sorted(delays)
    assert delays[0] == INITIAL_DELAY
    assert delays[-1] == MAX_DELAY


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504])
def test_retryable_statuses_for_idempotent_requests(status: int) -> None:
    assert retry_delay(status, {}, attempt=0, idempotent=True, random=zero) == INITIAL_DELAY


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 422, 501])
def test_client_errors_are_not_retried(status: int) -> None:
    assert retry_delay(status, {}, attempt=0, idempotent=True, random=zero) is None


@pytest.mark.parametrize(
    ("status", "retried"),
    [(408, True), (429, True), (503, True), (500, False), (502, False), (504, False)],
)
def test_non_idempotent_requests_retry_only_when_not_processed(status: int, retried: bool) -> None:
    delay = retry_delay(status, {}, attempt=0, idempotent=False, random=zero)
    assert (delay is not None) is retried


def test_should_retry_header_overrides() -> None:
    assert (
        retry_delay(500, {"x-should-retry": "true"}, attempt=0, idempotent=False, random=zero)
        == INITIAL_DELAY
    )
    assert (
        retry_delay(503, {"x-should-retry": "false"}, attempt=0, idempotent=True, random=zero)
        is None
    )
    assert (
        retry_delay(400, {"X-Should-Retry": "true"}, attempt=1, idempotent=True, random=zero) == 1.0
    )


def test_retry_after_is_honoured_up_to_the_cap() -> None:
    assert retry_delay(429, {"Retry-After": "4"}, attempt=0, idempotent=True, random=zero) == 4.0
    cap = str(int(MAX_RETRY_AFTER))
    assert (
        retry_delay(429, {"Retry-After": cap}, attempt=0, idempotent=True, random=zero)
        == MAX_RETRY_AFTER
    )
    over = str(int(MAX_RETRY_AFTER) + 1)
    assert retry_delay(429, {"Retry-After": over}, attempt=0, idempotent=True, random=zero) is None


def test_unparsable_retry_after_falls_back_to_backoff() -> None:
    assert (
        retry_delay(503, {"Retry-After": "later"}, attempt=2, idempotent=True, random=zero) == 2.0
    )


_REQ = httpx.Request("POST", "https://example.test/chats")


@pytest.mark.parametrize(
    ("exc", "idempotent", "expected"),
    [
        (httpx.ConnectError("refused", request=_REQ), False, True),
        (httpx.ConnectTimeout("slow", request=_REQ), False, True),
        (httpx.PoolTimeout("pool", request=_REQ), False, True),
        (httpx.ReadError("reset", request=_REQ), False, False),
        (httpx.ReadTimeout("read", request=_REQ), False, False),
        (httpx.RemoteProtocolError("eof", request=_REQ), False, False),
        (httpx.WriteError("broken pipe", request=_REQ), False, False),
        (httpx.ReadError("reset", request=_REQ), True, True),
        (httpx.ReadTimeout("read", request=_REQ), True, True),
    ],
)
def test_transport_errors(exc: Exception, idempotent: bool, expected: bool) -> None:
    assert transport_error_is_retryable(exc, idempotent=idempotent) is expected


@pytest.mark.parametrize("value", ["NaN", "inf", "-inf"])
def test_retry_after_that_is_not_a_finite_number_is_ignored(value: str) -> None:
    assert parse_retry_after({"Retry-After": value}) is None
    assert parse_retry_after({"retry-after-ms": value}) is None
