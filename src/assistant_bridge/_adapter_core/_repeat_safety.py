"""Whether a failed call may be repeated: the framework-free half of every retry decision.

A retried ``POST`` that already reached the server can store a message twice, so each
framework's retry wiring asks two questions of an error. `may_have_acted`: could the
server have acted on a request that creates something (then it must not be repeated)?
`nothing_posted`: does the error show that nothing was posted (then even a post may be
repeated)? The answers depend only on the error tree and the transport's retry policy.
"""

from __future__ import annotations

from .._transport import (
    RETRYABLE_STATUSES,
    SAFE_TO_REPEAT_STATUSES,
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    AssistantBridgeError,
    InvalidRequestError,
    PartialWriteError,
    StreamError,
    request_is_idempotent,
    transport_error_is_retryable,
)

__all__ = ["may_have_acted", "nothing_posted", "retryable_status"]


def _connection_never_opened(exc: APIConnectionError) -> bool:
    """Whether the connection failed before the request could be sent."""
    cause = exc.__cause__
    return isinstance(cause, Exception) and transport_error_is_retryable(cause, idempotent=False)


def may_have_acted(exc: BaseException) -> bool:
    """Whether the server may have acted on a request that creates something, though it failed.

    True for a 5xx other than 503 or a connection lost after the request was sent, on a
    request that is not idempotent (a ``POST`` that creates); for a broken, cut or empty
    answer stream or a success response of the wrong shape (the post was accepted); and
    for a `PartialWriteError`. False for read-only calls, for bad input, and for errors
    that show nothing was done (429, 503, a connection that could not be opened).
    """
    if isinstance(exc, PartialWriteError):
        return True
    if isinstance(exc, InvalidRequestError) or not isinstance(exc, AssistantBridgeError):
        return False
    idempotent = request_is_idempotent(getattr(exc, "request", None))
    if isinstance(exc, (StreamError, APIResponseValidationError)):
        return idempotent is not True  # the server answered: a post was accepted
    if idempotent is not False:
        return False
    if isinstance(exc, APIStatusError):
        return exc.status_code >= 500 and exc.status_code not in SAFE_TO_REPEAT_STATUSES
    if isinstance(exc, APIConnectionError):
        return not _connection_never_opened(exc)
    return False


def nothing_posted(exc: BaseException) -> bool:
    """Whether an error shows that nothing was posted, so the call may be repeated.

    True for errors that are not this package's (the frameworks' own default), a 429,
    408 or 503, and a connection that could not be opened; False for everything else,
    including a read-back or any failure after a post was sent.
    """
    if not isinstance(exc, Exception):
        return False
    if not isinstance(exc, AssistantBridgeError):
        return True
    if isinstance(exc, APIStatusError):
        return exc.status_code in SAFE_TO_REPEAT_STATUSES
    if isinstance(exc, APIConnectionError):
        return _connection_never_opened(exc)
    return False


def retryable_status(status_code: int) -> bool:
    """Whether a call that failed with this status may succeed when repeated (408, 429, 5xx)."""
    return status_code in RETRYABLE_STATUSES
