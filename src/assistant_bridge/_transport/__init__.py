"""The only code in the package that speaks HTTP.

Base clients (sync and async) with pooling, timeouts and retries; per-call overrides
(`CallOverrides`); the error tree; the one typed response path (`parse_response`, with
`request_id_of` and `APIResponseValidationError`); problem+json parsing; event-stream
decoding; secret handling and redacted logging.
Vendor clients build on these; framework adapters never import this package directly.
The names load on first use, so the error tree comes without httpx.
"""

from typing import TYPE_CHECKING

from .._lazy_imports import lazy_exports

if TYPE_CHECKING:
    from ._auth import HeaderAuth, env_setting, secret_setting
    from ._client import (
        DEFAULT_MAX_RETRIES,
        DEFAULT_TIMEOUT,
        NOT_GIVEN,
        AsyncAPIClient,
        NotGiven,
        RequestOptions,
        SyncAPIClient,
        TimeoutTypes,
        merge_headers,
        request_is_idempotent,
    )
    from ._encoding import json_problem
    from ._exceptions import (
        APIConnectionError,
        APIError,
        APIResponseValidationError,
        APIStatusError,
        APITimeoutError,
        AssistantBridgeError,
        AuthenticationError,
        BadRequestError,
        ConflictError,
        EmptyAnswerError,
        IncompleteAnswerError,
        InternalServerError,
        InvalidRequestError,
        NotFoundError,
        PartialWriteError,
        PermissionDeniedError,
        RateLimitError,
        RedirectError,
        StreamError,
        StreamValidationError,
        UnprocessableEntityError,
    )
    from ._logging import REDACTED, logger, register_secret
    from ._options import CallOverrides
    from ._problem import Problem, decode_body
    from ._response import (
        json_body,
        parse_response,
        request_id_of,
        validate_as,
        validation_error,
        with_request_id,
        with_response,
    )
    from ._retry import RETRYABLE_STATUSES, SAFE_TO_REPEAT_STATUSES, transport_error_is_retryable
    from ._sse import (
        AutoDecoder,
        EventDecoder,
        JSONSequenceDecoder,
        ServerSentEvent,
        SSEDecoder,
        UnleashV1Decoder,
    )
    from ._streaming import AsyncStream, Stream, empty_body_error, finish_reason

__all__ = [
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_TIMEOUT",
    "NOT_GIVEN",
    "REDACTED",
    "RETRYABLE_STATUSES",
    "SAFE_TO_REPEAT_STATUSES",
    "APIConnectionError",
    "APIError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AssistantBridgeError",
    "AsyncAPIClient",
    "AsyncStream",
    "AutoDecoder",
    "AuthenticationError",
    "BadRequestError",
    "CallOverrides",
    "ConflictError",
    "EmptyAnswerError",
    "EventDecoder",
    "HeaderAuth",
    "IncompleteAnswerError",
    "InternalServerError",
    "InvalidRequestError",
    "JSONSequenceDecoder",
    "NotFoundError",
    "NotGiven",
    "PartialWriteError",
    "PermissionDeniedError",
    "Problem",
    "RateLimitError",
    "RedirectError",
    "RequestOptions",
    "SSEDecoder",
    "ServerSentEvent",
    "Stream",
    "StreamError",
    "StreamValidationError",
    "SyncAPIClient",
    "TimeoutTypes",
    "UnleashV1Decoder",
    "UnprocessableEntityError",
    "decode_body",
    "empty_body_error",
    "env_setting",
    "finish_reason",
    "json_body",
    "json_problem",
    "logger",
    "merge_headers",
    "request_is_idempotent",
    "parse_response",
    "register_secret",
    "request_id_of",
    "secret_setting",
    "transport_error_is_retryable",
    "validate_as",
    "validation_error",
    "with_request_id",
    "with_response",
]

if not TYPE_CHECKING:
    __getattr__, __dir__ = lazy_exports(
        __name__,
        globals(),
        {
            "._auth": (
                "HeaderAuth",
                "env_setting",
                "secret_setting",
            ),
            "._client": (
                "DEFAULT_MAX_RETRIES",
                "DEFAULT_TIMEOUT",
                "NOT_GIVEN",
                "AsyncAPIClient",
                "NotGiven",
                "RequestOptions",
                "SyncAPIClient",
                "TimeoutTypes",
                "merge_headers",
                "request_is_idempotent",
            ),
            "._exceptions": (
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
            ),
            "._encoding": ("json_problem",),
            "._logging": (
                "REDACTED",
                "logger",
                "register_secret",
            ),
            "._options": ("CallOverrides",),
            "._problem": (
                "Problem",
                "decode_body",
            ),
            "._response": (
                "json_body",
                "parse_response",
                "request_id_of",
                "validate_as",
                "validation_error",
                "with_request_id",
                "with_response",
            ),
            "._retry": (
                "RETRYABLE_STATUSES",
                "SAFE_TO_REPEAT_STATUSES",
                "transport_error_is_retryable",
            ),
            "._sse": (
                "AutoDecoder",
                "EventDecoder",
                "JSONSequenceDecoder",
                "ServerSentEvent",
                "SSEDecoder",
                "UnleashV1Decoder",
            ),
            "._streaming": (
                "AsyncStream",
                "Stream",
                "empty_body_error",
                "finish_reason",
            ),
        },
    )
