"""The one typed path from a response to a model: read, validate, attach the request id.

Every vendor client reads its answers through `parse_response` (a whole JSON body) or
`validation_error` (an item of a stream that does not fit its model), so a pydantic
``ValidationError`` never escapes a client method: a body of the wrong shape raises
`APIResponseValidationError`, which names the field path and the rule (``totalResults:
Input should be a valid integer``) and carries the status code, the request id and the
(redacted) response like the other `APIError` s. `request_id_of` is the one reader of
the vendors' request-id headers.
"""

from __future__ import annotations

import contextlib
import json
from functools import lru_cache
from typing import TYPE_CHECKING, Any, TypeVar, cast, overload

import httpx

from ._exceptions import APIError, APIResponseValidationError
from ._logging import redact
from ._redaction import redacted_response

if TYPE_CHECKING:
    from pydantic import BaseModel, TypeAdapter, ValidationError

__all__ = [
    "json_body",
    "parse_response",
    "redacted_copy",
    "request_id_of",
    "validate_as",
    "validation_error",
    "with_request_id",
    "with_response",
]

_T = TypeVar("_T")
_M = TypeVar("_M", bound="BaseModel")
_REQUEST_ID_HEADERS = ("requestid", "x-request-id")
_SHOWN_ERRORS = 3  # field errors named in the message; the others are counted
_QUOTED = 200  # characters of the body quoted in the message


def request_id_of(response: httpx.Response) -> str | None:
    """The vendor's request id from the response headers (``RequestId`` or ``X-Request-Id``)."""
    headers = response.headers
    for name in _REQUEST_ID_HEADERS:
        value = headers.get(name)
        if value:
            return str(value)
    return None


@lru_cache(maxsize=256)
def _adapter(tp: Any) -> TypeAdapter[Any]:
    """The (cached) pydantic adapter of a type that is not a model class."""
    from pydantic import TypeAdapter

    return TypeAdapter(tp)


def _is_model(tp: Any) -> bool:
    from pydantic import BaseModel

    return isinstance(tp, type) and issubclass(tp, BaseModel)


def _type_name(tp: Any) -> str:
    return str(getattr(tp, "__name__", None) or tp).replace("typing.", "")


def _describe(exc: ValidationError) -> str:
    """``loc: msg`` for the first few errors of ``exc``, ``"; "``-joined, the rest counted."""
    errors = exc.errors(include_url=False, include_input=False)
    parts = []
    for error in errors[:_SHOWN_ERRORS]:
        where = ".".join(str(part) for part in error["loc"]) or "(the whole answer)"
        parts.append(f"{where}: {error['msg']}")
    if len(errors) > _SHOWN_ERRORS:
        parts.append(f"and {len(errors) - _SHOWN_ERRORS} more")
    return "; ".join(parts)


def _quote(value: Any) -> str:
    try:
        text = json.dumps(value, default=str)
    except ValueError:
        text = repr(value)
    return redact(text[:_QUOTED])


def validation_error(
    exc: ValidationError,
    response: httpx.Response | None,
    *,
    model: Any,
    value: Any = None,
    what: str = "the answer",
    kind: type[APIResponseValidationError] = APIResponseValidationError,
) -> APIResponseValidationError:
    """The `APIResponseValidationError` for ``value`` (from ``response``) not fitting ``model``.

    ``what`` says what did not fit (``"the answer"``, ``"an event in the stream"``...);
    ``kind`` is the class to raise (`StreamValidationError` for a streamed event).
    ``response`` may be None (an item read outside a response); `with_response` on the
    error attaches it later.
    """
    detail = (
        f"{what} does not fit {_type_name(model)} ({exc.error_count()} problem(s); "
        f"{_describe(exc)}): {_quote(value)}"
    )
    error = kind(detail, body=value, errors=exc.errors(include_url=False))
    return error if response is None else with_response(error, response)


def with_response(
    error: APIResponseValidationError, response: httpx.Response
) -> APIResponseValidationError:
    """``error`` again, with ``response`` (redacted), its status and request id attached.

    An error that has a response already is returned as it is.
    """
    if error.response is not None:
        return error
    attached = type(error)(
        error.detail,
        response=redacted_copy(response),
        request_id=request_id_of(response),
        body=error.body,
        errors=error.errors,
    )
    attached.__cause__ = error.__cause__
    attached.__suppress_context__ = True
    return attached


def json_body(response: httpx.Response) -> Any:
    """The read body of a successful response as JSON, or an `APIError` that quotes it."""
    try:
        return json.loads(response.content)
    except ValueError:
        text = " ".join((response.text or "(empty body)").split())
        text = text if len(text) <= _QUOTED else text[: _QUOTED - 1] + "…"
        raise APIError(
            f"{response.request.method} {response.request.url}: expected a JSON body, got "
            f"{response.headers.get('content-type', 'no content type')}: {text}",
            request=response.request,
        ) from None


@overload
def validate_as(value: Any, cast_to: type[_M], response: httpx.Response | None = None) -> _M: ...
@overload
def validate_as(value: Any, cast_to: Any, response: httpx.Response | None = None) -> Any: ...
def validate_as(value: Any, cast_to: Any, response: httpx.Response | None = None) -> Any:
    """``value`` (decoded JSON) validated as ``cast_to``: a model class or any type.

    Raises:
        APIResponseValidationError: it does not fit (naming the field path and the rule).
    """
    from pydantic import ValidationError

    try:
        if _is_model(cast_to):
            return cast_to.model_validate(value)
        return _adapter(cast_to).validate_python(value)
    except ValidationError as exc:
        raise validation_error(exc, response, model=cast_to, value=value) from None


@overload
def parse_response(response: httpx.Response, cast_to: type[_M]) -> _M: ...
@overload
def parse_response(response: httpx.Response, cast_to: type[_T]) -> _T: ...
@overload
def parse_response(response: httpx.Response, cast_to: Any) -> Any: ...
def parse_response(response: httpx.Response, cast_to: Any) -> Any:
    """The read JSON body of ``response`` as ``cast_to`` (a model class, or any type).

    A model with a ``request_id`` field that the body left empty gets the request id of
    the response headers.

    Raises:
        APIError: the body is not JSON (the message quotes it).
        APIResponseValidationError: the body does not fit ``cast_to``.
    """
    result = validate_as(json_body(response), cast_to, response)
    return with_request_id(result, response)


def with_request_id(result: _T, response: httpx.Response) -> _T:
    """``result`` with the response's header request id as its ``request_id`` if it had none.

    Only a pydantic model with a ``request_id`` field is changed.
    """
    fields = getattr(type(result), "model_fields", None)
    if fields and "request_id" in fields and getattr(result, "request_id", None) is None:
        header = request_id_of(response)
        if header:
            cast(Any, result).request_id = header
    return result


def redacted_copy(response: httpx.Response) -> httpx.Response:
    """A redacted, read copy of ``response`` (a streamed one not read: without its body)."""
    try:
        response.content  # noqa: B018 - raises when a streamed body was not read
    except httpx.ResponseNotRead:
        bare = httpx.Response(
            response.status_code, headers=response.headers, content=b"", extensions={}
        )
        with contextlib.suppress(RuntimeError):  # a response built without a request
            bare.request = response.request
        return redacted_response(bare)
    return redacted_response(response)
