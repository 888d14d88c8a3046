"""Base classes for the vendors' wire models, and the small helpers they share.

Response models keep unknown fields (the vendors add fields without notice); request
models are strict, so a misspelt argument is an error before anything is sent. Both use
the vendors' camelCase on the wire and snake_case in Python. Both build their validators
on first use (``defer_build``), not at import: the package defines many more models than a
program uses. `ResultModel` is the base of assembled results; `NullableList` /
`NullableDict` read ``null`` as empty; `fold` compares enum-like values regardless of case.
"""

from __future__ import annotations

import enum
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from pydantic.alias_generators import to_camel

__all__ = [
    "LEFT_TO_RIGHT",
    "CaseInsensitiveEnum",
    "NullableDict",
    "NullableList",
    "RequestModel",
    "ResponseModel",
    "ResultModel",
    "fold",
    "invalid_request_from",
]


class ResponseModel(BaseModel):
    """A model of something a vendor sends: unknown fields are kept, none is required.

    Unknown fields are available as attributes and in ``model_extra``; ``model_dump(
    by_alias=True)`` gives back the wire form, unknown fields included.
    """

    model_config = ConfigDict(
        extra="allow",
        alias_generator=to_camel,
        populate_by_name=True,
        validate_by_name=True,
        validate_by_alias=True,
        protected_namespaces=(),
        defer_build=True,
    )


class RequestModel(BaseModel):
    """A model of something sent to a vendor: an unknown field is an error."""

    model_config = ConfigDict(
        extra="forbid",
        alias_generator=to_camel,
        populate_by_name=True,
        validate_by_name=True,
        validate_by_alias=True,
        protected_namespaces=(),
        defer_build=True,
    )

    def to_wire(self) -> dict[str, Any]:
        """The JSON body the vendor expects: camelCase keys, unset fields left out."""
        return self.model_dump(by_alias=True, exclude_none=True, mode="json")


class ResultModel(BaseModel):
    """Base of the assembled results: snake_case in Python, camelCase when dumped by alias."""

    model_config = ConfigDict(
        extra="forbid",
        alias_generator=to_camel,
        validate_by_name=True,
        validate_by_alias=True,
        protected_namespaces=(),
        defer_build=True,
    )


class CaseInsensitiveEnum(str, enum.Enum):
    """A string enum that matches its values regardless of case (``"text"`` is ``Text``)."""

    @classmethod
    def _missing_(cls, value: object) -> CaseInsensitiveEnum | None:
        if isinstance(value, str):
            folded = value.casefold()
            for member in cls:
                if member.value.casefold() == folded:
                    return member
        return None

    def __str__(self) -> str:
        return str(self.value)


_T = TypeVar("_T")


def _none_as_empty_list(value: Any) -> Any:
    return [] if value is None else value


def _none_as_empty_dict(value: Any) -> Any:
    return {} if value is None else value


NullableList = Annotated[list[_T], BeforeValidator(_none_as_empty_list)]
"""A list that reads ``null`` as ``[]``."""

NullableDict = Annotated[dict[str, _T], BeforeValidator(_none_as_empty_dict)]
"""A string-keyed dict that reads ``null`` as ``{}``."""

LEFT_TO_RIGHT = Field(union_mode="left_to_right")
"""Union mode for ``SomeEnum | str``: try the enum first (any case), else keep the string."""


def fold(value: Any) -> str | None:
    """The case-folded string form of an enum member or string; ``None`` stays ``None``."""
    if value is None:
        return None
    raw = value.value if isinstance(value, CaseInsensitiveEnum) else value
    return str(raw).casefold()


def invalid_request_from(exc: Exception, *, prefix: str = "") -> Exception:
    """Turn a pydantic ``ValidationError`` into an ``InvalidRequestError`` that names the field.

    ``prefix`` is prepended to each field path (``"filters"`` gives ``filters.app_id``).
    Other exceptions are returned unchanged.
    """
    from pydantic import ValidationError

    from ._transport import InvalidRequestError

    if not isinstance(exc, ValidationError):
        return exc
    problems: list[str] = []
    first_field: str | None = None
    for err in exc.errors(include_url=False):
        parts = [str(p) for p in err.get("loc", ())]
        field = ".".join([prefix, *parts] if prefix else parts) or prefix or "value"
        first_field = first_field or field
        message = err.get("msg", "is invalid")
        if err.get("type") == "extra_forbidden":
            message = "is not a known field"
        problems.append(f"{field}: {message}")
    return InvalidRequestError("; ".join(problems), field=first_field)
