"""Secrets never appear in a repr, a str, an error message or a log line."""

from __future__ import annotations

import dataclasses
import gzip
import json
import logging
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from assistant_bridge._transport import (
    APIConnectionError,
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    HeaderAuth,
    PermissionDeniedError,
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
    for secret in (
        "abc.def.ghi",
        "zzzzzzzz",
        "topsecretvalue",
        "eyJhbGciOi.payload.sig",
        "q1w2e3r4t5",
    ):
        assert secret not in cleaned
    assert REDACTED in cleaned


def test_redact_headers() -> None:
    headers = {
        "Authorization": "Bearer abc",
        "X-Api-Key": "k",
        "Cookie": "c=1",
        "Accept": "application/json",
    }
    assert redact_headers(headers) == {
        "Authorization": REDACTED,
        "X-Api-Key": REDACTED,
        "Cookie": REDACTED,
        "Accept": "application/json",
    }


def test_filter_redacts_message_and_args() -> None:
    register_secret(SECRET)
    record = logging.LogRecord(
        "assistant_bridge",
        logging.DEBUG,
        __file__,
        1,
        "sent %s with %s",
        (SECRET, {"authorization": "Bearer x"}),
        None,
    )
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


# -- errors: every attribute a person can print ----------------------------------------
ECHO_KEY = "sk-echo-9f8e7d6c5b4a3210"


def _printable(error: APIStatusError) -> list[str]:
    response = error.response
    out = [
        str(error),
        repr(error),
        error.message,
        repr(error.body),
        repr(dataclasses.asdict(error.problem)),
        response.text,
        response.content.decode("utf-8", "replace"),
        repr(dict(response.headers)),
        repr(list(response.request.headers.raw)),
        response.request.content.decode("utf-8", "replace"),
        str(response.request.url),
    ]
    if response.content.strip().startswith((b"{", b"[")):
        out.append(repr(response.json()))
    if error.request is not None:
        out += [repr(list(error.request.headers.raw)), str(error.request.url)]
    return out


def _echo_client(answer: Callable[[httpx.Request], httpx.Response], **kw: Any) -> SyncAPIClient:
    return SyncAPIClient(
        base_url="https://x.test",
        auth=HeaderAuth(SecretStr(ECHO_KEY)),
        http_client=httpx.Client(transport=httpx.MockTransport(answer)),
        max_retries=0,
        **kw,
    )


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        (
            "application/problem+json",
            lambda auth: json.dumps(
                {
                    "title": "Rejected credentials",
                    "detail": f"refused: authorization={auth}",
                    "token": auth,
                    "accessToken": auth.removeprefix("Bearer "),
                    "clientSecret": auth,
                    "nested": [{"api_key": "other-secret-value"}],
                    "echo": f"you sent {auth.removeprefix('Bearer ')}",
                }
            ),
        ),
        ("text/plain", lambda auth: f"bad credentials: {auth}"),
        ("text/html", lambda auth: f"<html><body>Authorization: {auth}</body></html>"),
        (
            "application/x-www-form-urlencoded",
            lambda auth: f"error=denied&client_secret={auth[7:]}",
        ),
        (
            "application/json",
            lambda auth: json.dumps({"error": {"message": f"key {auth[7:]} revoked"}}),
        ),
    ],
)
def test_an_error_that_echoes_the_key_keeps_it_nowhere(
    content_type: str, body: Callable[[str], str]
) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        text = body(request.headers["authorization"])
        return httpx.Response(401, content=text.encode(), headers={"content-type": content_type})

    with pytest.raises(AuthenticationError) as info:
        _echo_client(answer).request(RequestOptions("POST", "chats", json={"q": "hi"}))
    error = info.value
    for text in _printable(error):
        assert ECHO_KEY not in text, text
        assert "other-secret-value" not in text
    assert error.request is not None
    assert error.request.headers["authorization"] == REDACTED
    assert error.request.content == b'{"q":"hi"}'  # the body is kept (it holds no secret)


def test_a_secret_named_json_field_is_redacted_but_its_neighbours_kept() -> None:
    answer = httpx.Response(
        400,
        json={
            "title": "Bad",
            "accessToken": "t-123456789",
            "nextToken": "page-2",
            "maxOutputToken": 10,
        },
    )
    with pytest.raises(BadRequestError) as info:
        _echo_client(lambda r: answer).request(RequestOptions("GET", "x"))
    assert info.value.body == {
        "title": "Bad",
        "accessToken": REDACTED,
        "nextToken": "page-2",
        "maxOutputToken": 10,
    }
    assert info.value.response.json() == info.value.body


def test_a_compressed_error_body_is_redacted_and_still_readable() -> None:
    raw = gzip.compress(json.dumps({"detail": f"key {ECHO_KEY}"}).encode())
    answer = httpx.Response(
        403, content=raw, headers={"content-encoding": "gzip", "content-type": "application/json"}
    )
    with pytest.raises(PermissionDeniedError) as info:
        _echo_client(lambda r: answer).request(RequestOptions("GET", "x"))
    assert info.value.response.json() == {"detail": f"key {REDACTED}"}
    assert "content-encoding" not in info.value.response.headers


def test_a_secret_in_the_query_string_is_redacted_from_the_error() -> None:
    with pytest.raises(BadRequestError) as info:
        _echo_client(lambda r: httpx.Response(400, json={"title": "no"})).request(
            RequestOptions("GET", "x", params={"api_key": "query-secret-123", "page": "2"})
        )
    for text in _printable(info.value):
        assert "query-secret-123" not in text
    assert info.value.request is not None
    assert info.value.request.url.params["page"] == "2"


def test_a_connection_error_keeps_no_credential_in_its_request_or_cause() -> None:
    def fail(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadError("reset", request=request)

    with pytest.raises(APIConnectionError) as info:
        _echo_client(fail).request(RequestOptions("POST", "chats", json={"q": 1}))
    error = info.value
    assert error.request is not None
    assert error.request.headers["authorization"] == REDACTED
    cause = error.__cause__
    assert isinstance(cause, httpx.RequestError)
    assert ECHO_KEY not in repr(list(cause.request.headers.raw))


def test_a_jylo_token_endpoint_echoing_the_client_secret_keeps_it_nowhere() -> None:
    from assistant_bridge.jylo import JyloClient

    secret = "jylo-client-secret-0123456789"

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/oauth/token"):
            form = request.content.decode()
            return httpx.Response(
                401,
                json={
                    "error": "invalid_client",
                    "error_description": f"bad {form}",
                    "clientSecret": secret,
                },
            )
        return httpx.Response(200, json={"items": []})

    client = JyloClient(
        client_id="cid",
        client_secret=secret,
        token_url="https://login.test/oauth/token",
        project_id="p",
        base_url="https://j.test/external/v2",
        http_client=httpx.Client(transport=httpx.MockTransport(answer)),
        max_retries=0,
    )
    with pytest.raises(AuthenticationError) as info:
        client.list_assistants()
    for text in _printable(info.value):
        assert secret not in text, text


def test_redaction_keeps_ordinary_words_and_removes_tokens() -> None:
    assert (
        redact("Authorization header is missing or invalid")
        == "Authorization header is missing or invalid"
    )
    assert redact("The bearer token has expired") == "The bearer token has expired"
    assert "abcdef0123456789" not in redact("Authorization: Bearer abcdef0123456789")
    assert "abcdef0123456789" not in redact("sent bearer abcdef0123456789 to the API")
    assert "s3cr3t-value" not in redact("client_secret=s3cr3t-value&x=1")
