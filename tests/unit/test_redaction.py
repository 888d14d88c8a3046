"""Secrets never appear in a repr, a str, an error message or a log line."""

from __future__ import annotations

import logging

import httpx
import pytest
from pydantic import SecretStr

from assistant_bridge._transport import (
    AuthenticationError,
    HeaderAuth,
    RequestOptions,
    SyncAPIClient,
)
from assistant_bridge._transport._logging import (
    REDACTED,
    SecretFilter,
    logger,
    redact,
    redact_headers,
    register_secret,
)

SECRET = "sk-live-0123456789abcdef"


def test_header_auth_sets_header_and_hides_secret() -> None:
    auth = HeaderAuth(SecretStr(SECRET))
    request = httpx.Request("GET", "https://x")
    flow = auth.auth_flow(request)
    sent = next(flow)
    assert sent.headers["authorization"] == f"Bearer {SECRET}"
    assert SECRET not in repr(auth)
    assert SECRET not in str(auth)


def test_bare_key_header_auth() -> None:
    auth = HeaderAuth(SecretStr(SECRET), header="authorization", prefix="")
    sent = next(auth.auth_flow(httpx.Request("GET", "https://x")))
    assert sent.headers["authorization"] == SECRET


def test_redact_registered_secret_anywhere() -> None:
    register_secret(SECRET)
    assert redact(f"key={SECRET}!") == f"key={REDACTED}!"
    assert SECRET not in redact(f"url https://x/?k={SECRET}")


@pytest.mark.parametrize(
    "text",
    [
        "Authorization: Bearer abc.def.ghi",
        "authorization='Bearer zzzzzzzz'",
        "client_secret=topsecretvalue&grant_type=client_credentials",
        '{"access_token": "eyJhbGciOi.payload.sig"}',
        "x-api-key: q1w2e3r4t5",
    ],
)
def test_redact_key_value_patterns(text: str) -> None:
    cleaned = redact(text)
    for secret in ("abc.def.ghi", "zzzzzzzz", "topsecretvalue", "eyJhbGciOi.payload.sig", "q1w2e3r4t5"):
        assert secret not in cleaned
    assert REDACTED in cleaned


def test_redact_headers() -> None:
    headers = {"Authorization": "Bearer abc", "X-Api-Key": "k", "Cookie": "c=1", "Accept": "application/json"}
    assert redact_headers(headers) == {
        "Authorization": REDACTED,
        "X-Api-Key": REDACTED,
        "Cookie": REDACTED,
        "Accept": "application/json",
    }


def test_filter_redacts_message_and_args() -> None:
    register_secret(SECRET)
    record = logging.LogRecord("assistant_bridge", logging.DEBUG, __file__, 1, "sent %s with %s", (SECRET, {"authorization": "Bearer x"}), None)
    assert SecretFilter().filter(record)
    message = record.getMessage()
    assert SECRET not in message
    assert "Bearer x" not in message


def test_debug_log_of_a_request_has_no_secret(caplog: pytest.LogCaptureFixture) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, json={"detail": f"bad key {request.headers['authorization']}"})

    client = SyncAPIClient(
        base_url="https://x",
        auth=HeaderAuth(SecretStr(SECRET)),
        headers={"x-api-key": SECRET},
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
        max_retries=0,
    )
    caplog.set_level(logging.DEBUG, logger="assistant_bridge")
    with pytest.raises(AuthenticationError) as info:
        client.request(RequestOptions("GET", "me"))
    assert caplog.records, "the request should have been logged at debug level"
    assert all(SECRET not in r.getMessage() for r in caplog.records)
    # The server echoed the key into its error body: the message we build must not carry it.
    assert SECRET not in str(info.value)
    assert SECRET not in repr(client)
    assert logger.filters
