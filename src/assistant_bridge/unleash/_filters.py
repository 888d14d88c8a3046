"""`SearchFilters`: the typed form of Unleash's ``SearchFilters`` (seed 000, v1 OpenAPI).

Every one of the 47 documented properties is a snake_case field (``class`` is ``class_``)
sent under its camelCase API name. List fields take one string or many; time fields take
a ``datetime`` or a ``date`` (sent as ISO-8601 with a zone; a naive datetime is taken as
UTC, a date as midnight UTC) or an ISO-8601 date or date-time string (sent as given,
trimmed; ``'yesterday'`` or ``'2025-13-45'`` is refused). Custom properties, which the
API allows, go through the explicit ``extra`` mapping. A misspelt name, a bad time, or a
value JSON cannot carry (a lone surrogate, ``NaN``, an object) is an
`InvalidRequestError` naming the field, raised before any request.

Wherever filters are accepted, a `SearchFilters` or a plain dict of snake_case or
camelCase names will do (see `SearchFilters.from_any`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, ValidationError
from pydantic_core import PydanticCustomError

from .._models import RequestModel, invalid_request_from
from .._transport import InvalidRequestError
from .._validation import check_json, nearest_names

__all__ = ["FILTER_FIELDS", "TIME_FIELD_PAIRS", "FilterField", "SearchFilters"]


def _as_list(value: Any) -> Any:
    """One string becomes a one-item list; tuples, sets and other iterables become lists."""
    if value is None or isinstance(value, list):
        return value
    if isinstance(value, str):
        return [value]
    if isinstance(value, Iterable) and not isinstance(value, (bytes, Mapping)):
        return list(value)
    return value


_ISO_TIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})"
    r"(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d{1,9})?)?"
    r"(?:[Zz]|[+-](\d{2})(?::?(\d{2}))?)?)?"
)
_TIME_RULE = (
    "must be an ISO-8601 date or date-time such as 2025-03-01 or 2025-03-01T09:30:00Z "
    "(an offset such as +02:00 is allowed), a datetime.date or a datetime.datetime"
)


def _valid_iso_time(text: str) -> bool:
    """Whether ``text`` is an ISO-8601 date or date-time (extended format) that exists."""
    match = _ISO_TIME.fullmatch(text)
    if match is None:
        return False
    year, month, day, hour, minute, second, off_h, off_m = match.groups()
    try:
        dt.date(int(year), int(month), int(day))
    except ValueError:
        return False
    limits = ((hour, 23), (minute, 59), (second, 59), (off_h, 23), (off_m, 59))
    return all(part is None or int(part) <= top for part, top in limits)


def _as_time(value: Any) -> Any:
    """A datetime or date as ISO-8601 with a zone (naive is UTC); a valid ISO string as is.

    Raises (as a validation error naming the field): a string that is not an ISO-8601
    date or date-time (``'yesterday'``, ``'2025-13-45'``), or a value of another type.
    """
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.timezone.utc)
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, dt.date):
        return f"{value.isoformat()}T00:00:00Z"
    if value is None:
        return None
    if isinstance(value, str) and _valid_iso_time(value.strip()):
        return value.strip()
    raise PydanticCustomError("iso_time", f"{_TIME_RULE}; got {{given}}", {"given": repr(value)})


StrList = Annotated[list[str] | None, BeforeValidator(_as_list)]
Time = Annotated[str | None, BeforeValidator(_as_time)]


class SearchFilters(RequestModel):
    """Unleash search filters, for ``chat`` (v1), ``search`` and the retrievers.

    Each field is sent under its API name (``app_id`` -> ``appId``); unset fields are not
    sent. ``extra`` holds custom properties sent as given. The "Search filters" guide has
    a table of every field.

    Example:
        ```python
        from datetime import datetime, timezone

        from assistant_bridge import SearchFilters

        filters = SearchFilters(app_id="jira", create_after_time=datetime(2025, 3, 1, tzinfo=timezone.utc))
        print(filters.to_wire())
        ```

        ```text title="Output"
        {'appId': ['jira'], 'createAfterTime': '2025-03-01T00:00:00Z'}
        ```
    """

    resource_id: StrList = None
    is_starred: bool | None = None
    has_attachments: bool | None = None
    rsvp: StrList = None
    app_id: StrList = None
    type: StrList = None
    label: StrList = None
    any_label: StrList = None
    sent_to: StrList = None
    sent_from: StrList = None
    created_by: StrList = None
    modified_by: StrList = None
    reporter: StrList = None
    assigned_to: StrList = None
    reviewer: StrList = None
    from_time: Time = None
    until_time: Time = None
    create_before_time: Time = None
    create_after_time: Time = None
    modified_before_time: Time = None
    modified_after_time: Time = None
    due_before_time: Time = None
    due_after_time: Time = None
    class_: StrList = Field(default=None, alias="class")
    shared_by: StrList = None
    shared_with: StrList = None
    link_id: StrList = None
    event_time_frame_start: Time = None
    event_time_frame_end: Time = None
    status: StrList = None
    cycle: StrList = None
    extension: StrList = None
    job_title: StrList = None
    location: StrList = None
    department: StrList = None
    managed_by: StrList = None
    is_manager: bool | None = None
    participants: StrList = None
    topic: StrList = None
    has_links: bool | None = None
    mentioned: StrList = None
    path_prefix: StrList = None
    path: StrList = None
    file_type_group: StrList = None
    related_contacts: StrList = None
    recent_activity_for: str | None = None
    working_on: str | None = None
    extra: dict[str, Any] = Field(default_factory=dict)

    def __init__(self, /, **data: Any) -> None:
        try:
            super().__init__(**_known_names(data))
        except ValidationError as exc:
            raise invalid_request_from(exc, prefix="filters") from None
        for name in self.model_fields_set:  # what JSON cannot carry fails here, not in httpx
            check_json(getattr(self, name), f"filters.{name}")

    @classmethod
    def from_any(cls, value: SearchFilters | Mapping[str, Any] | None) -> SearchFilters | None:
        """A `SearchFilters` from itself, a dict of snake_case or camelCase names, or None.

        Raises:
            InvalidRequestError: an unknown name (with the nearest valid ones), a value of
                the wrong type, or something that is not filters at all.
        """
        if value is None or isinstance(value, SearchFilters):
            return value
        if not isinstance(value, Mapping):
            raise InvalidRequestError(
                f"filters: must be SearchFilters or a dict of filter names, got "
                f"{type(value).__name__}",
                field="filters",
            )
        return cls(**{str(k): v for k, v in value.items()})

    def is_empty(self) -> bool:
        """Whether no filter is set (nothing would be sent)."""
        return not self.to_wire()

    def to_wire(self) -> dict[str, Any]:
        """The API's ``SearchFilters`` object: camelCase names, unset fields left out."""
        body = self.model_dump(by_alias=True, exclude_none=True, exclude={"extra"}, mode="json")
        return {**body, **self.extra}

    def merged(self, other: SearchFilters | Mapping[str, Any] | None) -> SearchFilters:
        """A copy with the fields set in ``other`` replacing these (``extra`` merged)."""
        parsed = SearchFilters.from_any(other)
        if parsed is None:
            return self
        update = {
            name: getattr(parsed, name)
            for name in parsed.model_fields_set
            if name != "extra" and getattr(parsed, name) is not None
        }
        update["extra"] = {**self.extra, **parsed.extra}
        return self.model_copy(update=update)


@dataclass(frozen=True)
class FilterField:
    """One filter: its Python name, its API name and its kind."""

    name: str
    api_name: str
    kind: Literal["list", "bool", "time", "str"]


def _kind(name: str) -> Literal["list", "bool", "time", "str"]:
    annotation = SearchFilters.model_fields[name].annotation
    if annotation == (bool | None):
        return "bool"
    if name.endswith("_time") or name.startswith("event_time_frame"):
        return "time"
    return "list" if annotation == (list[str] | None) else "str"


FILTER_FIELDS: tuple[FilterField, ...] = tuple(
    FilterField(name, info.alias or name, _kind(name))
    for name, info in SearchFilters.model_fields.items()
    if name != "extra"
)
"""Every documented filter, in the API's order."""

TIME_FIELD_PAIRS: dict[str, tuple[str, str]] = {
    "time": ("from_time", "until_time"),
    "created": ("create_after_time", "create_before_time"),
    "modified": ("modified_after_time", "modified_before_time"),
    "due": ("due_after_time", "due_before_time"),
    "event_time_frame": ("event_time_frame_start", "event_time_frame_end"),
}
"""Each time concept's (lower bound, upper bound) fields, for range translations."""

_BY_ANY_NAME: dict[str, str] = {
    **{f.name: f.name for f in FILTER_FIELDS},
    **{f.api_name: f.name for f in FILTER_FIELDS},
    "extra": "extra",
}


def _known_names(data: Mapping[str, Any]) -> dict[str, Any]:
    """The data keyed by Python names; an unknown name raises with the nearest valid ones."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        name = _BY_ANY_NAME.get(key)
        if name is None:
            suggestions = nearest_names(key, [f.name for f in FILTER_FIELDS])
            hint = f"; did you mean {', '.join(suggestions)}?" if suggestions else ""
            raise InvalidRequestError(
                f"filters.{key}: is not a known filter{hint} (custom properties go in "
                "extra={...})",
                field=f"filters.{key}",
                suggestions=suggestions,
            )
        if name == "extra":
            _check_extra(value)
        key = "class" if name == "class_" else name
        if key in out:
            raise InvalidRequestError(
                f"filters.{name}: given twice (as {name!r} and its API name)",
                field=f"filters.{name}",
            )
        out[key] = value
    return out


def _check_extra(value: Any) -> None:
    """``extra`` is for custom properties: a documented name there is a mistake."""
    if not isinstance(value, Mapping):
        return  # pydantic names the type error
    for key in value:
        if key in _BY_ANY_NAME:
            raise InvalidRequestError(
                f"filters.extra.{key}: is a documented filter; pass it as "
                f"{_BY_ANY_NAME[key]}=... instead",
                field=f"filters.extra.{key}",
            )
