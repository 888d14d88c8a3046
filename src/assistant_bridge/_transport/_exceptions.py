"""The one tree of errors every vendor client raises.

```
AssistantBridgeError
├── InvalidRequestError (also ValueError)   bad input, caught before any request is sent
├── StreamError                             a stream that broke or carried malformed data
│   └── IncompleteAnswerError               an answer known to be unfinished
│       └── EmptyAnswerError                a success with nothing in it (empty, {}, 204, ...)
└── APIError
    ├── PartialWriteError                   a batch write stopped partway (``stored``, ``pending``)
    ├── APIResponseValidationError          a success whose body (or streamed event) has the
    │   │                                   wrong shape (names the field and the rule)
    │   └── StreamValidationError           a streamed event of the wrong shape (also a
    │                                       StreamError, as a malformed event always was)
    ├── APIConnectionError                  no usable response (refused, reset, dropped)
    │   └── APITimeoutError                 connect, read, write or pool timeout
    └── APIStatusError                      the server answered 4xx/5xx
        ├── BadRequestError                 400
        ├── AuthenticationError             401
        ├── PermissionDeniedError           403
        ├── NotFoundError                   404
        ├── ConflictError                   409
        ├── UnprocessableEntityError        422
        ├── RateLimitError                  429 (``retry_after``)
        ├── InternalServerError             >= 500
        └── RedirectError                   a 3xx not followed (another origin; ``location``)
```
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx

    from ._problem import Problem

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AssistantBridgeError",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "EmptyAnswerError",
    "IncompleteAnswerError",
    "InternalServerError",
    "InvalidRequestError",
    "NotFoundError",
    "PartialWriteError",
    "PermissionDeniedError",
    "RateLimitError",
    "RedirectError",
    "StreamError",
    "StreamValidationError",
    "UnprocessableEntityError",
]


class AssistantBridgeError(Exception):
    """The root of every error this package raises."""


class InvalidRequestError(AssistantBridgeError, ValueError):
    """Bad input, found before any request was sent.

    Attributes:
        field: the argument or field at fault (dotted for nested fields), if one is.
        suggestions: valid names close to a misspelt one, nearest first.
    """

    def __init__(
        self, message: str, *, field: str | None = None, suggestions: Sequence[str] = ()
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.suggestions = list(suggestions)


class StreamError(AssistantBridgeError):
    """A response stream broke off or carried data that could not be decoded.

    Attributes:
        text: the offending text, truncated, when the stream carried malformed data.
    """

    def __init__(self, message: str, *, text: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.text = text


class IncompleteAnswerError(StreamError):
    """An answer that ended, but is known to be unfinished.

    Raised instead of returning a partial answer as if it were whole: a stream that
    stopped with a tool step started and never ended, with a reference positioned past
    the text, or with no text at all (`EmptyAnswerError` when nothing came at all). Pass
    ``allow_partial=True`` to the chat call to get what arrived instead, marked
    incomplete.

    Attributes:
        reason: why the answer is incomplete, in a few words (``"no text"``...).
        partial: what arrived (a ``ChatResponse``, ``ChatV2Response`` or ``Message``),
            when anything did.
    """

    def __init__(
        self,
        message: str,
        *,
        reason: str,
        partial: Any = None,
        text: str | None = None,
    ) -> None:
        super().__init__(message, text=text)
        self.reason = reason
        self.partial = partial


class EmptyAnswerError(IncompleteAnswerError):
    """A success status whose body holds no answer at all.

    An empty body, ``{}``, ``[]``, ``null``, a stream of only ``[DONE]`` or keep-alive
    comments, a 204, a 3xx without ``Location``, an HTML page: never an empty answer.
    The message names what arrived (status, content type, the first bytes).

    Attributes:
        status_code: the HTTP status of the response, when one is known.
        content_type: its ``Content-Type``, when it had one.
        head: the first bytes of the body (up to 200 characters), when known.
    """

    def __init__(
        self,
        message: str,
        *,
        reason: str = "empty answer",
        status_code: int | None = None,
        content_type: str | None = None,
        head: str | None = None,
        partial: Any = None,
    ) -> None:
        super().__init__(message, reason=reason, partial=partial, text=head)
        self.status_code = status_code
        self.content_type = content_type
        self.head = head

    @classmethod
    def from_response(
        cls, response: httpx.Response, what: str, *, head: bytes | None = None
    ) -> EmptyAnswerError:
        """The error for ``response`` (read, or ``head``: its first bytes), saying ``what``."""
        request = response.request
        content_type = response.headers.get("content-type") or None
        try:
            raw = head if head is not None else response.content
        except Exception:  # a streamed body not read: say so rather than fail here
            raw = b""
        from ._logging import redact  # a body may echo a key; the URL may carry one

        text = redact(raw[:200].decode("utf-8", "replace").strip())
        return cls(
            f"{request.method} {redact(str(request.url))}: {what}: status {response.status_code}, "
            f"{content_type or 'no content type'}, body {text[:200]!r}",
            reason=what,
            status_code=response.status_code,
            content_type=content_type,
            head=text,
        )


class APIError(AssistantBridgeError):
    """An error in talking to a vendor API.

    Attributes:
        request: the request that failed, when there is one.
    """

    def __init__(self, message: str, *, request: httpx.Request | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.request = request


class PartialWriteError(APIError):
    """A write of several messages failed partway: some are stored, the others are not.

    Raised by the chat histories and chat stores (never by a single-request call). The
    message says "stored K of N"; calling the same method again with the same messages
    stores each of the others exactly once (see the adapter's documentation). The error
    that stopped the write is chained (``__cause__``, also ``cause``).

    Attributes:
        stored: the given messages that are stored now, in order (written before the
            failure, or found stored already).
        pending: the given messages that are not (or not wholly) stored, in order.
        cause: the error that stopped the write.
        uncertain: whether the message being sent when it failed may still have been
            stored (the check read after the failure failed too).
    """

    def __init__(
        self,
        message: str,
        *,
        stored: Sequence[Any],
        pending: Sequence[Any],
        cause: BaseException | None = None,
        uncertain: bool = False,
        request: httpx.Request | None = None,
    ) -> None:
        super().__init__(message, request=request)
        self.stored = list(stored)
        self.pending = list(pending)
        self.cause = cause
        self.uncertain = uncertain


class APIResponseValidationError(APIError):
    """A success response whose body, or an event of its stream, has the wrong shape.

    The message names the call, what did not fit which model, the field path and the
    rule of each problem (``totalResults: Input should be a valid integer``), quotes the
    value briefly and ends with the request id. Not retried: the same request gets the
    same answer.

    Attributes:
        detail: the message without the call and the request id.
        status_code: the HTTP status of the response (None when no response is known).
        request_id: the vendor's request id from the response headers, if it sent one.
        response: the response (a redacted copy; its body is absent for a stream).
        body: the decoded value that did not fit.
        errors: pydantic's error list (``loc``, ``msg``, ``type``...).
    """

    def __init__(
        self,
        detail: str,
        *,
        response: httpx.Response | None = None,
        request_id: str | None = None,
        body: Any = None,
        errors: Sequence[Any] = (),
    ) -> None:
        message = detail
        request = None
        if response is not None:
            try:
                request = response.request
            except RuntimeError:  # a response built without a request
                request = None
        if request is not None:
            from ._logging import redact

            message = redact(f"{request.method} {request.url}: {detail}")
        if request_id:
            message += f" (request id {request_id})"
        super().__init__(message, request=request)
        self.detail = detail
        self.response = response
        self.status_code = response.status_code if response is not None else None
        self.request_id = request_id
        self.body = body
        self.errors = list(errors)


class StreamValidationError(APIResponseValidationError, StreamError):
    """An event of a response stream whose fields have the wrong shape.

    An `APIResponseValidationError` (the field path and rule, the response, the request
    id) that is also a `StreamError`, as a malformed event in a stream has always been:
    ``except StreamError`` still catches it. ``text`` is the event, truncated.
    """

    def __init__(
        self,
        detail: str,
        *,
        response: httpx.Response | None = None,
        request_id: str | None = None,
        body: Any = None,
        errors: Sequence[Any] = (),
    ) -> None:
        super().__init__(detail, response=response, request_id=request_id, body=body, errors=errors)
        self.text = body[:200] if isinstance(body, str) else json.dumps(body, default=str)[:200]


class APIConnectionError(APIError):
    """No usable response came back: the connection was refused, reset or dropped."""

    def __init__(
        self, message: str = "Connection error.", *, request: httpx.Request | None = None
    ) -> None:
        super().__init__(message, request=request)


class APITimeoutError(APIConnectionError):
    """The request timed out (connect, read, write or waiting for a pooled connection)."""

    def __init__(
        self, message: str = "Request timed out.", *, request: httpx.Request | None = None
    ) -> None:
        super().__init__(message, request=request)


class APIStatusError(APIError):
    """The server answered with a 4xx or 5xx status.

    Attributes:
        status_code: the HTTP status.
        request_id: the vendor's request id (body ``requestId`` or header ``RequestId``).
        problem: the RFC 7807 problem the body carried (empty fields if it carried none).
        body: the decoded JSON body, or the body text when it was not JSON.
        response: the response itself (already read).
    """

    status_code: int

    def __init__(
        self,
        message: str,
        *,
        response: httpx.Response,
        problem: Problem,
        body: Any = None,
    ) -> None:
        super().__init__(message, request=response.request)
        self.response = response
        self.status_code = response.status_code
        self.problem = problem
        self.request_id = problem.request_id
        self.body = body

    @property
    def errors(self) -> dict[str, list[str]]:
        """Field errors from the problem's ``errors`` member, field -> messages."""
        return self.problem.errors


class BadRequestError(APIStatusError):
    """400: the server rejected the request as malformed."""


class AuthenticationError(APIStatusError):
    """401: the key or token is missing, wrong or expired."""


class PermissionDeniedError(APIStatusError):
    """403: the credentials are valid but not allowed to do this."""


class NotFoundError(APIStatusError):
    """404: the resource does not exist (or is not visible to these credentials)."""


class ConflictError(APIStatusError):
    """409: the request conflicts with the resource's current state."""


class UnprocessableEntityError(APIStatusError):
    """422: the request was well-formed but its content was rejected."""


class RateLimitError(APIStatusError):
    """429: too many requests.

    Attributes:
        retry_after: seconds the server asked the caller to wait, if it said.
    """

    def __init__(
        self,
        message: str,
        *,
        response: httpx.Response,
        problem: Problem,
        body: Any = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, response=response, problem=problem, body=body)
        self.retry_after = retry_after


class InternalServerError(APIStatusError):
    """5xx: the server failed."""


class RedirectError(APIStatusError):
    """A redirect the client did not follow: to another origin, or one too many.

    Nothing is sent to another origin (scheme, host and port): not the body, not the
    credentials, not the impersonated account. Redirects within the base URL's origin
    are followed.

    Attributes:
        location: the ``Location`` the server named.
    """

    def __init__(
        self,
        message: str,
        *,
        response: httpx.Response,
        problem: Problem,
        body: Any = None,
        location: str | None = None,
    ) -> None:
        super().__init__(message, response=response, problem=problem, body=body)
        self.location = location


_STATUS_CLASSES: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def status_error_class(status_code: int) -> type[APIStatusError]:
    """The error class for an HTTP status (``APIStatusError`` for unlisted 4xx)."""
    if status_code >= 500:
        return InternalServerError
    return _STATUS_CLASSES.get(status_code, APIStatusError)
