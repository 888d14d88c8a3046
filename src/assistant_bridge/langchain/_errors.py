"""The package's errors as LangChain sees them: each also a langchain-core ``ModelError``.

An adapter re-raises a client error as the class here with the same name, which inherits
both the client's class (so ``except assistant_bridge.RateLimitError`` still works) and
langchain-core's matching ``ModelError`` (so ``with_retry`` and ``with_fallbacks``, and
anything else that reads ``is_retryable``, see it). The message and every attribute
(``status_code``, ``request_id``, ``retry_after``...) are kept.

An error raised after the server may have acted on a request that creates something
(a 5xx other than 503 on a ``POST`` that creates, a connection dropped after the request
was sent, a broken or empty answer stream, a `PartialWriteError`) has
``may_have_acted = True`` and ``is_retryable = False``: repeating the call could post
twice. Read-only calls stay retryable. ``ChatUnleash(...).with_retry()`` and
``ChatJylo(...).with_retry()`` go further (`PostRetry`): by default they repeat a call only
after an error that shows nothing was posted, so a retrying chain cannot post twice.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

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

import assistant_bridge as t

from .._adapter_core import may_have_acted, nothing_posted, retryable_status

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
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
    "PostRetry",
    "RateLimitError",
    "RedirectError",
    "StreamError",
    "StreamValidationError",
    "UnprocessableEntityError",
    "may_have_acted",
    "nothing_posted",
    "retry_safe",
    "to_model_error",
    "translated_errors",
]

T = TypeVar("T")


class _Marked:
    """``is_retryable`` is False once the server may have acted (``may_have_acted``)."""

    may_have_acted: bool = False

    def _retryable(self) -> bool:
        """Whether repeating the call may succeed without doing anything twice."""
        if self.may_have_acted:
            return False
        override = self.__dict__.get("_is_retryable")
        if override is not None:
            return bool(override)
        for klass in type(self).__mro__:
            if klass is not _Marked and "is_retryable" in vars(klass):
                value = vars(klass)["is_retryable"]
                return bool(value.__get__(self) if isinstance(value, property) else value)
        return False

    def _set_retryable(self, value: bool) -> None:
        self.__dict__["_is_retryable"] = value

    is_retryable = property(_retryable, _set_retryable)


class InvalidRequestError(_Marked, t.InvalidRequestError, ModelInvalidRequestError):
    """Bad input caught before any request (also ``ValueError``)."""


class BadRequestError(_Marked, t.BadRequestError, ModelInvalidRequestError):
    """400 from the vendor."""


class UnprocessableEntityError(_Marked, t.UnprocessableEntityError, ModelInvalidRequestError):
    """422 from the vendor."""


class AuthenticationError(_Marked, t.AuthenticationError, ModelAuthenticationError):
    """401 from the vendor."""


class PermissionDeniedError(_Marked, t.PermissionDeniedError, ModelPermissionDeniedError):
    """403 from the vendor."""


class NotFoundError(_Marked, t.NotFoundError, ModelNotFoundError):
    """404 from the vendor."""


class RateLimitError(_Marked, t.RateLimitError, ModelRateLimitError):
    """429 from the vendor (``retry_after`` kept); retryable."""


class InternalServerError(_Marked, t.InternalServerError, ModelAPIError):
    """5xx from the vendor; retryable."""


class APITimeoutError(_Marked, t.APITimeoutError, ModelTimeoutError):
    """The request or stream timed out; retryable."""


class APIConnectionError(_Marked, t.APIConnectionError, ModelConnectionError):
    """The vendor could not be reached or the connection broke; retryable."""


class StreamError(_Marked, t.StreamError, ModelAPIError):
    """A stream broke off or carried malformed data; retryable."""


class IncompleteAnswerError(t.IncompleteAnswerError, StreamError):
    """An answer known to be unfinished (``reason``, ``partial`` kept)."""


class StreamValidationError(t.StreamValidationError, StreamError):
    """A streamed event of the wrong shape (names the field); a `StreamError`, as before."""


class EmptyAnswerError(t.EmptyAnswerError, IncompleteAnswerError):
    """A success with no answer in it (``status_code``, ``content_type``, ``head`` kept)."""


class ConflictError(_Marked, t.ConflictError, ModelInvalidRequestError):
    """409 from the vendor."""


class APIStatusError(_Marked, t.APIStatusError, ModelAPIError):
    """Any other status error (408, 413, ...); retryable when the client would retry it."""

    def _retryable(self) -> bool:
        """408, 429 and 5xx may succeed when repeated (unless the server may have acted)."""
        return not self.may_have_acted and retryable_status(self.status_code)

    is_retryable = property(_retryable, _Marked._set_retryable)


class RedirectError(_Marked, t.RedirectError, ModelAPIError):
    """A redirect to another origin, refused (``location``); never retried."""

    def _never(self) -> bool:
        """Never: repeating it meets the same redirect."""
        return False

    is_retryable = property(_never, _Marked._set_retryable)


class APIResponseValidationError(_Marked, t.APIResponseValidationError, ModelAPIError):
    """A success response, or an event of its stream, of the wrong shape; never retried."""

    def _never(self) -> bool:
        """Never: the same request gets the same answer."""
        return False

    is_retryable = property(_never, _Marked._set_retryable)


class APIError(_Marked, t.APIError, ModelAPIError):
    """Any other failure in talking to the vendor (an unexpected body, say)."""


class PartialWriteError(_Marked, t.PartialWriteError, ModelAPIError):
    """A history write stopped partway (``stored``, ``pending``); call it again to finish."""


# Most specific first: a subclass must come before its base.
_MAPPING: tuple[tuple[type[t.AssistantBridgeError], type[t.AssistantBridgeError]], ...] = (
    (t.InvalidRequestError, InvalidRequestError),
    (t.PartialWriteError, PartialWriteError),
    (t.BadRequestError, BadRequestError),
    (t.UnprocessableEntityError, UnprocessableEntityError),
    (t.AuthenticationError, AuthenticationError),
    (t.PermissionDeniedError, PermissionDeniedError),
    (t.NotFoundError, NotFoundError),
    (t.RateLimitError, RateLimitError),
    (t.InternalServerError, InternalServerError),
    (t.APITimeoutError, APITimeoutError),
    (t.APIConnectionError, APIConnectionError),
    (t.EmptyAnswerError, EmptyAnswerError),
    (t.IncompleteAnswerError, IncompleteAnswerError),
    (t.StreamValidationError, StreamValidationError),
    (t.StreamError, StreamError),
    (t.ConflictError, ConflictError),
    (t.RedirectError, RedirectError),
    (t.APIResponseValidationError, APIResponseValidationError),
    (t.APIStatusError, APIStatusError),
    (t.APIError, APIError),
)


def to_model_error(exc: BaseException) -> BaseException:
    """The LangChain-aware twin of a client error (same message and attributes), else ``exc``.

    The twin's ``may_have_acted`` (and so ``is_retryable``) is set: see `may_have_acted`.
    """
    for source, target in _MAPPING:
        if isinstance(exc, target):
            return exc
        if isinstance(exc, source):
            twin = target.__new__(target)
            twin.__dict__.update(exc.__dict__)
            twin.args = exc.args
            twin.__traceback__ = exc.__traceback__
            twin.__cause__ = exc.__cause__
            if may_have_acted(exc):
                twin.__dict__["may_have_acted"] = True
            return twin
    return exc


def retry_safe(exc: BaseException) -> bool:
    """A ``with_retry`` predicate: retry unless it cannot help or could do something twice.

    Use it for a chain: ``chain.with_retry(retry_if_exception_type=retry_safe)``. Errors
    that are not this package's are retried (LangChain's default); this package's are
    retried when ``is_retryable`` (so never after the server may have acted on a post).
    """
    if not isinstance(exc, Exception):
        return False
    if not isinstance(exc, t.AssistantBridgeError):
        return True
    return bool(getattr(to_model_error(exc), "is_retryable", False))


class PostRetry:
    """``with_retry`` for chat models: by default, never repeat a call that may have posted.

    Every chat call here posts (a question to Unleash, a message to Jylo, which stores
    it). With the default ``retry_if_exception_type=(Exception,)`` a call is repeated
    only after an error that shows nothing was posted (`nothing_posted`: 429, 408, 503,
    a connection that could not be opened, errors that are not this package's). A tuple
    of types is narrowed the same way; a callable is used as given (your decision).
    """

    def with_retry(  # type: ignore[no-untyped-def]
        self,
        *,
        retry_if_exception_type: tuple[type[BaseException], ...]
        | Callable[[BaseException], bool] = (Exception,),
        **kwargs: Any,
    ):
        """LangChain's ``with_retry``, with the default narrowed as the class says."""
        check = retry_if_exception_type
        if isinstance(check, tuple):
            types = check

            def check(exc: BaseException) -> bool:
                return isinstance(exc, types) and nothing_posted(exc)

        parent: Any = super()
        return parent.with_retry(retry_if_exception_type=check, **kwargs)


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
