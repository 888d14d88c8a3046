"""The package's errors as LangChain sees them: each also a langchain-core ``ModelError``.

An adapter re-raises a client error as the class here with the same name, which inherits
both the client's class (so ``except assistant_bridge.RateLimitError`` still works) and
langchain-core's matching ``ModelError`` (so ``with_retry`` and ``with_fallbacks``, and
anything else that reads ``is_retryable``, see it). The message and every attribute
(``status_code``, ``request_id``, ``retry_after``...) are kept.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TypeVar

from langchain_core.exceptions import (
    ModelAPIError,
    ModelAuthenticationError,
    ModelConnectionError,
    ModelInvalidRequestError,
    ModelNotFoundError,
    ModelPermissionDeniedError,
    ModelRateLimitError,
    ModelTimeoutError,
)

from .. import _transport as t
from .._transport._retry import RETRYABLE_STATUSES

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "InternalServerError",
    "InvalidRequestError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "StreamError",
    "UnprocessableEntityError",
    "to_model_error",
    "translated_errors",
]

T = TypeVar("T")


class InvalidRequestError(t.InvalidRequestError, ModelInvalidRequestError):
    """Bad input caught before any request (also ``ValueError``)."""


class BadRequestError(t.BadRequestError, ModelInvalidRequestError):
    """400 from the vendor."""


class UnprocessableEntityError(t.UnprocessableEntityError, ModelInvalidRequestError):
    """422 from the vendor."""


class AuthenticationError(t.AuthenticationError, ModelAuthenticationError):
    """401 from the vendor."""


class PermissionDeniedError(t.PermissionDeniedError, ModelPermissionDeniedError):
    """403 from the vendor."""


class NotFoundError(t.NotFoundError, ModelNotFoundError):
    """404 from the vendor."""


class RateLimitError(t.RateLimitError, ModelRateLimitError):
    """429 from the vendor (``retry_after`` kept); retryable."""


class InternalServerError(t.InternalServerError, ModelAPIError):
    """5xx from the vendor; retryable."""


class APITimeoutError(t.APITimeoutError, ModelTimeoutError):
    """The request or stream timed out; retryable."""


class APIConnectionError(t.APIConnectionError, ModelConnectionError):
    """The vendor could not be reached or the connection broke; retryable."""


class StreamError(t.StreamError, ModelAPIError):
    """A stream broke off or carried malformed data; retryable."""


class ConflictError(t.ConflictError, ModelInvalidRequestError):
    """409 from the vendor."""


class APIStatusError(t.APIStatusError, ModelAPIError):
    """Any other status error (408, 413, ...); retryable when the client would retry it."""

    @property
    def is_retryable(self) -> bool:  # type: ignore[override]
        """408, 429 and 5xx may succeed when repeated; other statuses will not."""
        return self.status_code in RETRYABLE_STATUSES


class APIError(t.APIError, ModelAPIError):
    """Any other failure in talking to the vendor (an unexpected body, say)."""


# Most specific first: a subclass must come before its base.
_MAPPING: tuple[tuple[type[t.AssistantBridgeError], type[t.AssistantBridgeError]], ...] = (
    (t.InvalidRequestError, InvalidRequestError),
    (t.BadRequestError, BadRequestError),
    (t.UnprocessableEntityError, UnprocessableEntityError),
    (t.AuthenticationError, AuthenticationError),
    (t.PermissionDeniedError, PermissionDeniedError),
    (t.NotFoundError, NotFoundError),
    (t.RateLimitError, RateLimitError),
    (t.InternalServerError, InternalServerError),
    (t.APITimeoutError, APITimeoutError),
    (t.APIConnectionError, APIConnectionError),
    (t.StreamError, StreamError),
    (t.ConflictError, ConflictError),
    (t.APIStatusError, APIStatusError),
    (t.APIError, APIError),
)


def to_model_error(exc: BaseException) -> BaseException:
    """The LangChain-aware twin of a client error (same message and attributes), else ``exc``."""
    for source, target in _MAPPING:
        if isinstance(exc, target):
            return exc
        if isinstance(exc, source):
            twin = target.__new__(target)
            twin.__dict__.update(exc.__dict__)
            twin.args = exc.args
            twin.__traceback__ = exc.__traceback__
            return twin
    return exc


@contextlib.contextmanager
def translated_errors() -> Iterator[None]:
    """Re-raise client errors raised in the block as their LangChain-aware twins."""
    try:
        yield
    except t.AssistantBridgeError as exc:
        twin = to_model_error(exc)
        if twin is exc:
            raise
        raise twin from exc.__cause__
