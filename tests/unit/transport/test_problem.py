"""Reading error bodies into typed errors with messages a person can act on."""

from __future__ import annotations

import json

import httpx
import pytest

from assistant_bridge._transport import (
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    UnprocessableEntityError,
)
from assistant_bridge._transport._client import _BaseClient
from assistant_bridge._transport._problem import decode_body, format_status_message, parse_problem

REQ = httpx.Request("POST", "https://e-api.unleash.so/chats")


def response(
    status: int,
    body: object = None,
    headers: dict[str, str] | None = None,
    *,
    text: str | None = None,
) -> httpx.Response:
    content = (
        text.encode()
        if text is not None
        else json.dumps(body).encode()
        if body is not None
        else b""
    )
    resp = httpx.Response(status, content=content, headers=headers or {}, request=REQ)
    resp.read()
    return resp


def base() -> _BaseClient:
    return _BaseClient(
        base_url="https://e-api.unleash.so",
        timeout=10,
        max_retries=0,
        headers=None,
        auth=None,
        random=None,
    )


VALIDATION = {
    "type": "https://tools.ietf.org/html/rfc7231#section-6.5.1",
    "title": "One or more validation errors occurred.",
    "status": 400,
    "errors": {"messages": ["The messages field is required."]},
    "requestId": "7f3a9c",
}


def test_validation_problem_message() -> None:
    resp = response(400, VALIDATION)
    error = base()._make_status_error(resp)
    assert isinstance(error, BadRequestError)
    assert (
        str(error)
        == "400 Bad Request: messages: The messages field is required. (request id 7f3a9c)"
    )
    assert error.status_code == 400
    assert error.request_id == "7f3a9c"
    assert error.errors == {"messages": ["The messages field is required."]}
    assert error.problem.title == VALIDATION["title"]
    assert error.problem.type == VALIDATION["type"]
    assert error.body == VALIDATION
    assert error.request is not None
    assert (error.request.method, error.request.url) == (REQ.method, REQ.url)  # a redacted copy


def test_problem_labelled_text_plain_is_still_parsed() -> None:
    resp = response(400, text=json.dumps(VALIDATION), headers={"content-type": "text/plain"})
    assert "messages: The messages field is required." in str(base()._make_status_error(resp))


def test_request_id_from_header_when_body_has_none() -> None:
    resp = response(
        404, {"title": "Not Found", "detail": "No such resource"}, {"RequestId": "hdr-1"}
    )
    error = base()._make_status_error(resp)
    assert isinstance(error, NotFoundError)
    assert error.request_id == "hdr-1"
    assert str(error) == "404 Not Found: No such resource (request id hdr-1)"


def test_reason_and_detail_are_both_kept() -> None:
    resp = response(
        401,
        {"detail": "Unauthorized", "reason": "Missing impersonation header", "instance": "/chats"},
    )
    error = base()._make_status_error(resp)
    assert isinstance(error, AuthenticationError)
    assert "Unauthorized; Missing impersonation header" in str(error)
    assert error.problem.instance == "/chats"
    assert error.problem.reason == "Missing impersonation header"


def test_non_json_body_is_summarised() -> None:
    html = "<html><body>" + "Bad gateway " * 100 + "</body></html>"
    error = base()._make_status_error(response(502, text=html))
    assert isinstance(error, InternalServerError)
    assert str(error).startswith("502 Bad Gateway: <html><body>Bad gateway")
    assert len(str(error)) < 400
    assert error.body == html


def test_empty_body() -> None:
    assert str(base()._make_status_error(response(503))) == "503 Service Unavailable"


def test_list_style_errors_and_wrapped_error() -> None:
    body = {
        "error": {"message": "quota exceeded", "errors": [{"field": "text", "message": "too long"}]}
    }
    error = base()._make_status_error(response(422, body))
    assert isinstance(error, UnprocessableEntityError)
    assert str(error) == "422 Unprocessable Entity: text: too long; quota exceeded"


def test_rate_limit_carries_retry_after() -> None:
    error = base()._make_status_error(
        response(429, {"title": "Too Many Requests"}, {"Retry-After": "7"})
    )
    assert isinstance(error, RateLimitError)
    assert error.retry_after == 7.0


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (409, ConflictError),
        (422, UnprocessableEntityError),
        (429, RateLimitError),
        (500, InternalServerError),
        (502, InternalServerError),
        (504, InternalServerError),
        (418, APIStatusError),
    ],
)
def test_status_classes(status: int, cls: type[APIStatusError]) -> None:
    error = base()._make_status_error(response(status, {}))
    assert type(error) is cls
    assert isinstance(error, APIStatusError)


def test_decode_body_and_parse_problem_tolerate_odd_shapes() -> None:
    assert decode_body(response(400, text="{not json")) == "{not json"
    assert decode_body(response(400, [1, 2])) == [1, 2]
    problem = parse_problem(response(400, ["a", "b"]), ["a", "b"])
    assert problem.errors == {}
    assert format_status_message(response(400, ["x"]), problem, ["x"]) == "400 Bad Request"
