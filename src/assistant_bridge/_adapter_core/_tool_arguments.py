"""The Unleash search tool's arguments, defined once for the LangChain and LlamaIndex tools.

`SearchToolArguments` is a pydantic model of what an agent may pass to ``unleash_search``:
its names (`SEARCH_ARGUMENTS`), their descriptions (the fields' ``description``, also in
`SEARCH_ARGUMENT_DESCRIPTIONS`), their checks, and the mapping of each filter argument
onto a `SearchFilters` field (`SEARCH_TOOL_FILTERS`, built from ``TIME_FIELD_PAIRS`` for
the dates). Validating it raises a pydantic ``ValidationError`` (what LangChain's tool node
reports to the model); `search_tool_arguments` raises `InvalidRequestError` naming the
argument instead (what the LlamaIndex tools raise). No framework is imported here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    model_validator,
)
from pydantic_core import PydanticCustomError

from .._transport import InvalidRequestError
from .._validation import nearest_names
from ..unleash import TIME_FIELD_PAIRS, SearchFilters

__all__ = [
    "MAX_SEARCH_RESULTS",
    "SEARCH_ARGUMENTS",
    "SEARCH_ARGUMENT_DESCRIPTIONS",
    "SEARCH_TOOL_FILTERS",
    "SearchToolArguments",
    "search_tool_arguments",
]

MAX_SEARCH_RESULTS = 25
"""The most hits the search tools return in one call."""

SEARCH_TOOL_FILTERS: dict[str, str] = {
    "apps": "app_id",
    "types": "type",
    "created_after": TIME_FIELD_PAIRS["created"][0],
    "created_before": TIME_FIELD_PAIRS["created"][1],
    "updated_after": TIME_FIELD_PAIRS["modified"][0],
    "updated_before": TIME_FIELD_PAIRS["modified"][1],
    "authors": "created_by",
    "labels": "label",
}
"""Each filter argument of the search tools and the `SearchFilters` field it sets."""

_RANGES = (("created_after", "created_before"), ("updated_after", "updated_before"))
_WHEN = "an ISO-8601 date such as 2025-03-01 or date-time such as 2025-03-01T09:30:00Z"


def _error(kind: str, rule: str, **context: Any) -> PydanticCustomError:
    """A validation error whose message is ``rule`` as written (braces and all)."""
    return PydanticCustomError(kind, "{rule}", {"rule": rule, **context})


def _text(value: Any) -> Any:
    if isinstance(value, str) and value.strip():
        return value.strip()
    raise _error("non_empty_text", f"must be a non-empty string, got {value!r}")


def _names(value: Any) -> Any:
    """One string as a list of one; each item a non-empty string (trimmed)."""
    items = [value] if isinstance(value, str) else value
    if value is None:
        return None
    if isinstance(items, (list, tuple)) and all(isinstance(v, str) and v.strip() for v in items):
        return [v.strip() for v in items]
    raise _error("string_list", f"must be a list of non-empty strings, got {value!r}")


def _when(value: Any, info: ValidationInfo) -> Any:
    """A date or date-time, checked by `SearchFilters` (strings kept as given, trimmed)."""
    if value is None:
        return None
    field = SEARCH_TOOL_FILTERS[str(info.field_name)]
    try:
        return getattr(SearchFilters(**{field: value}), field)
    except InvalidRequestError as exc:
        raise _error("iso_time", exc.message.split(": ", 1)[-1]) from None


def _count(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_SEARCH_RESULTS:
        return value
    raise _error(
        "result_count",
        f"must be a whole number from 1 to {MAX_SEARCH_RESULTS}, got {value!r}",
    )


def _instant(text: str) -> dt.datetime | None:
    """An ISO-8601 date or date-time as an aware datetime (a date or naive time is UTC).

    None for a form Python cannot read (`SearchFilters` accepted it; the vendor compares).
    """
    try:
        moment = dt.datetime.fromisoformat(text.upper())
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.timezone.utc)


Text = Annotated[str, BeforeValidator(_text)]
Names = Annotated[list[str] | None, BeforeValidator(_names)]
When = Annotated[str | None, BeforeValidator(_when)]
Count = Annotated[int | None, BeforeValidator(_count)]


class SearchToolArguments(BaseModel):
    """The arguments of the ``unleash_search`` tools: a query and optional filters.

    A filter left out (or None, or an empty list) is not applied. List filters match any
    of the values given (``labels``: all of them); one string counts as a list of one.
    Dates are ISO-8601 dates or date-times (a ``datetime.date`` or ``datetime.datetime``
    is taken too) and are sent as given. Refused, before any request: an unknown argument
    (with the nearest names), an empty query or list item, a date that is not ISO-8601, a
    range whose start is after its end, a count outside 1-25.
    """

    model_config = ConfigDict(extra="forbid")

    query: Text = Field(description="What to search for (keywords or a short phrase).")
    apps: Names = Field(
        default=None,
        description="Only results from these apps, by app id (for example jira, "
        "confluence, gmail, slack, google-drive).",
    )
    types: Names = Field(
        default=None,
        description="Only results of these kinds (for example page, ticket, email, "
        "message, file, event, person).",
    )
    created_after: When = Field(
        default=None, description=f"Only items created at or after this time: {_WHEN}."
    )
    created_before: When = Field(
        default=None, description=f"Only items created before this time: {_WHEN}."
    )
    updated_after: When = Field(
        default=None, description=f"Only items last modified at or after this time: {_WHEN}."
    )
    updated_before: When = Field(
        default=None, description=f"Only items last modified before this time: {_WHEN}."
    )
    authors: Names = Field(
        default=None,
        description="Only items created by one of these people (as the apps name them, "
        "usually email addresses).",
    )
    labels: Names = Field(
        default=None, description="Only items that carry every one of these labels."
    )
    max_results: Count = Field(
        default=None,
        ge=1,
        le=MAX_SEARCH_RESULTS,
        description=f"How many results to return (1 to {MAX_SEARCH_RESULTS}); leave out "
        "for the default.",
    )

    @model_validator(mode="before")
    @classmethod
    def _known_arguments(cls, data: Any) -> Any:
        if isinstance(data, Mapping):
            for key in data:
                if key not in cls.model_fields:
                    hints = nearest_names(str(key), list(cls.model_fields))
                    hint = f"; did you mean {', '.join(hints)}?" if hints else ""
                    rule = f"{key}: is not an argument of unleash_search{hint}"
                    raise _error("unknown_argument", rule, argument=str(key), suggestions=hints)
        return data

    @model_validator(mode="after")
    def _ranges_in_order(self) -> SearchToolArguments:
        for start, end in _RANGES:
            low, high = getattr(self, start), getattr(self, end)
            first = _instant(low) if low is not None else None
            last = _instant(high) if high is not None else None
            if first is not None and last is not None and first > last:
                rule = f"{start}: must not be later than {end} ({low} > {high})"
                raise _error("range_order", rule, argument=start)
        return self

    def search_filters(self) -> SearchFilters | None:
        """The filters set, as `SearchFilters` (None when no filter argument is set)."""
        chosen = {
            field: getattr(self, argument)
            for argument, field in SEARCH_TOOL_FILTERS.items()
            if getattr(self, argument) not in (None, [])
        }
        return SearchFilters(**chosen) if chosen else None


SEARCH_ARGUMENTS: tuple[str, ...] = tuple(SearchToolArguments.model_fields)
"""The search tools' argument names, in the order of their schemas."""

SEARCH_ARGUMENT_DESCRIPTIONS: dict[str, str] = {
    name: str(info.description) for name, info in SearchToolArguments.model_fields.items()
}
"""Each search argument's description, as the model reads it in the tool's schema."""


def search_tool_arguments(values: Mapping[str, Any]) -> SearchToolArguments:
    """The search arguments checked, or an `InvalidRequestError` naming the first bad one.

    Args:
        values: the arguments by name (None for one left out).

    Raises:
        InvalidRequestError: ``"<argument>: <rule>"``, with ``field`` the argument (and
            ``suggestions`` for an unknown name).
    """
    try:
        return SearchToolArguments.model_validate(dict(values))
    except ValidationError as exc:
        first = exc.errors()[0]
        context = first.get("ctx") or {}
        if first["loc"]:
            argument = str(first["loc"][0])
            message = f"{argument}: {first['msg']}"
        else:
            argument = str(context.get("argument") or "")
            message = str(first["msg"])
        raise InvalidRequestError(
            message, field=argument or None, suggestions=context.get("suggestions") or ()
        ) from None
