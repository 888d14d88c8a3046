"""LlamaIndex ``MetadataFilters`` translated to Unleash `SearchFilters`.

Keys are `SearchFilters` field names (snake_case or the API's camelCase) or the time
concepts of `TIME_FIELD_PAIRS` (``time``, ``created``, ``modified``, ``due``,
``event_time_frame``). What Unleash filters can express, and so what is translated:

- list fields (``app_id``, ``type``, ``status``, ...) match when the resource has any of
  the values: ``EQ`` one value, ``IN`` / ``ANY`` several. ``label`` is the exception: it
  needs every label, so ``EQ`` / ``ALL`` on ``label`` give ``label`` and ``IN`` / ``ANY``
  give ``any_label``; ``AND`` of labels needs them all.
- boolean fields (``is_starred``, ``has_attachments``, ...): ``EQ``, and ``NE`` as the
  other value (``NE`` is expressible nowhere else: the API cannot exclude values).
  ``MetadataFilter`` values cannot be booleans, so ``"true"`` / ``"false"`` and 1 / 0
  are read as booleans.
- text fields (``working_on``, ``recent_activity_for``): ``EQ``.
- ``GT`` / ``GTE`` / ``LT`` / ``LTE`` on a time concept set its lower or upper bound, and
  ``EQ`` with a date (``"2025-03-01"``) means that whole day. On a raw bound field
  (``create_after_time`` ...) only its own direction (and ``EQ``) is allowed. With a date,
  ``GT`` starts the next day and ``LTE`` ends with the day; with a date-time the API's
  bounds cannot tell strict from inclusive. Values are ISO-8601 strings.
- ``AND`` merges its parts; ``OR`` unites the values of one list field. Nested
  ``MetadataFilters`` follow the same rules.

Everything else (``NE`` / ``NIN`` on non-boolean fields, ``TEXT_MATCH``, ``CONTAINS``,
``IS_EMPTY``, ``ALL`` on other list fields, ``NOT``, ``OR`` across fields, one field given
two values under ``AND``, unknown keys) raises `InvalidRequestError` naming the construct.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any, TypeAlias

from llama_index.core.vector_stores.types import (
    ExactMatchFilter,
    FilterCondition,
    FilterOperator,
    MetadataFilter,
    MetadataFilters,
)

from .. import InvalidRequestError
from .._adapter_core import TIME_BOUNDS, filter_name, filter_text
from ..unleash import FILTER_FIELDS, TIME_FIELD_PAIRS, SearchFilters

__all__ = ["FiltersArg", "search_filters_from_metadata", "to_search_filters"]

FiltersArg: TypeAlias = (
    SearchFilters | Mapping[str, Any] | MetadataFilters | MetadataFilter | ExactMatchFilter | None
)
"""What every ``filters`` argument accepts."""

Constraints: TypeAlias = dict[str, Any]

_KINDS = {f.name: f.kind for f in FILTER_FIELDS}
_OP = FilterOperator
_RANGE = (_OP.GT, _OP.GTE, _OP.LT, _OP.LTE)
_SUPPORTED = (
    "EQ/IN/ANY on list fields (ALL on label), EQ/NE on boolean fields, EQ on text fields, "
    f"GT/GTE/LT/LTE on time fields ({', '.join(TIME_FIELD_PAIRS)})"
)


def _error(message: str, field: str | None = None) -> InvalidRequestError:
    return InvalidRequestError(f"MetadataFilters: {message}", field=field)


def _op(operator: FilterOperator) -> str:
    return operator.name


# -- values ---------------------------------------------------------------------------


def _scalar(value: Any, key: str) -> str:
    return filter_text(value, key, "MetadataFilters: ")


def _values(value: Any, key: str, operator: FilterOperator) -> list[str]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise _error(f"{key}: {_op(operator)} needs a list of values, got {value!r}", key)
    if not value:
        raise _error(f"{key}: {_op(operator)} with no values can never match", key)
    return list(dict.fromkeys(_scalar(v, key) for v in value))


def _bool(value: Any, key: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise _error(f"{key}: expected true or false (or 1 / 0), got {value!r}", key)


def _time(value: Any, key: str) -> dt.date | str:
    """A date (``YYYY-MM-DD``) or a checked ISO-8601 date-time string."""
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and value.strip():
        text = value.strip()
        try:
            if len(text) == 10:
                return dt.date.fromisoformat(text)
            dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            pass
        else:
            return text
    raise _error(
        f"{key}: expected an ISO-8601 date (2025-03-01) or date-time "
        f"(2025-03-01T09:00:00Z), got {value!r}",
        key,
    )


def _is_day(value: dt.date | str) -> bool:
    return isinstance(value, dt.date) and not isinstance(value, dt.datetime)


def _bound(value: dt.date | str, operator: FilterOperator) -> dt.date | str:
    """A bound from a value: with a whole day, ``GT`` and ``LTE`` move to the next day."""
    if isinstance(value, dt.date) and _is_day(value) and operator in (_OP.GT, _OP.LTE):
        return value + dt.timedelta(days=1)
    return value


# -- one comparison -------------------------------------------------------------------


def _field(key: str) -> str:
    return filter_name(
        key,
        f"MetadataFilters: key {key!r} is not an Unleash filter",
        " (custom properties: pass SearchFilters(extra={...}) instead)",
    )


def _time_concept(concept: str, operator: FilterOperator, value: Any) -> Constraints:
    lower, upper = TIME_FIELD_PAIRS[concept]
    if operator not in (_OP.EQ, *_RANGE):
        raise _error(
            f"operator {_op(operator)} on time {concept!r} cannot be expressed in Unleash "
            "filters; use EQ (a date), GT, GTE, LT or LTE",
            concept,
        )
    when = _time(value, concept)
    if operator == _OP.EQ:
        if not _is_day(when):
            raise _error(
                f"EQ on time {concept!r} needs a date (meaning that whole day); use "
                "GT/GTE/LT/LTE for a range",
                concept,
            )
        return {lower: when, upper: _bound(when, _OP.LTE)}
    if operator in (_OP.GT, _OP.GTE):
        return {lower: _bound(when, operator)}
    return {upper: _bound(when, operator)}


def _time_field(name: str, operator: FilterOperator, value: Any) -> Constraints:
    concept, is_lower = TIME_BOUNDS[name]
    fits = (_OP.EQ, _OP.GT, _OP.GTE) if is_lower else (_OP.EQ, _OP.LT, _OP.LTE)
    if operator not in fits:
        kind = "lower" if is_lower else "upper"
        raise _error(
            f"operator {_op(operator)} on {name!r} cannot be expressed: it is the {kind} "
            f"bound of {concept!r}; compare {concept!r} with GT/GTE/LT/LTE instead",
            name,
        )
    return {name: _bound(_time(value, name), operator)}


def _list_field(name: str, operator: FilterOperator, value: Any) -> Constraints:
    if operator == _OP.EQ:
        return {name: [_scalar(value, name)]}
    if operator in (_OP.IN, _OP.ANY):
        return {"any_label" if name == "label" else name: _values(value, name, operator)}
    if operator == _OP.ALL and name in ("label", "any_label"):
        return {"label": _values(value, name, operator)}
    if operator in (_OP.NE, _OP.NIN):
        reason = "Unleash filters cannot exclude values (only booleans take NE)"
    elif operator == _OP.ALL:
        reason = "Unleash matches any of a list field's values (only label needs all)"
    else:
        reason = f"only EQ, IN and ANY are supported on list field {name!r}"
    raise _error(f"operator {_op(operator)} on {name!r} cannot be expressed: {reason}", name)


def _comparison(key: str, operator: FilterOperator, value: Any) -> Constraints:
    if key in TIME_FIELD_PAIRS:
        return _time_concept(key, operator, value)
    name = _field(key)
    kind = _KINDS[name]
    if kind == "time":
        return _time_field(name, operator, value)
    if kind == "list":
        return _list_field(name, operator, value)
    if kind == "bool" and operator in (_OP.EQ, _OP.NE):
        wanted = _bool(value, name)
        return {name: wanted if operator == _OP.EQ else not wanted}
    if kind == "str" and operator == _OP.EQ:
        return {name: _scalar(value, name)}
    allowed = "EQ and NE" if kind == "bool" else "EQ"
    raise _error(
        f"operator {_op(operator)} on {kind} field {name!r} cannot be expressed; only "
        f"{allowed} (supported: {_SUPPORTED})",
        name,
    )


# -- conditions -----------------------------------------------------------------------


def _and(parts: list[Constraints]) -> Constraints:
    merged: Constraints = {}
    for part in parts:
        for name, value in part.items():
            if name not in merged or merged[name] == value:
                merged[name] = value
            elif name == "label":  # every label is needed: AND adds labels
                merged[name] = list(dict.fromkeys([*merged[name], *value]))
            else:
                raise _error(
                    f"AND gives {name!r} two different values ({merged[name]!r} and "
                    f"{value!r}); Unleash filters hold one value set per field",
                    name,
                )
    return merged


def _or(parts: list[Constraints]) -> Constraints:
    if len(parts) == 1:
        return parts[0]
    unions: list[tuple[str, list[str]]] = []
    for part in parts:
        if len(part) != 1:
            break
        ((name, value),) = part.items()
        if name == "label" and len(value) == 1:
            name = "any_label"  # a single label: "any of" these labels
        unions.append((name, value))
    names = {name for name, _ in unions}
    if len(unions) != len(parts) or len(names) != 1:
        shown = ", ".join(sorted({name for part in parts for name in part})) or "nothing"
        raise _error(
            f"OR across several fields ({shown}) cannot be expressed: Unleash filters "
            "combine fields with AND; OR works over the values of one list field"
        )
    (name,) = names
    if _KINDS[name] != "list" or name == "label":
        raise _error(
            f"OR on {_KINDS[name]} field {name!r} cannot be expressed; OR works over the "
            "values of one list field (and single labels)",
            name,
        )
    values: list[str] = []
    for _, value in unions:
        values += value
    return {name: list(dict.fromkeys(values))}


def _translate(node: MetadataFilters | MetadataFilter | ExactMatchFilter) -> Constraints:
    if isinstance(node, MetadataFilter):
        return _comparison(node.key, node.operator, node.value)
    if isinstance(node, ExactMatchFilter):
        return _comparison(node.key, _OP.EQ, node.value)
    condition = node.condition or FilterCondition.AND
    if condition not in (FilterCondition.AND, FilterCondition.OR):
        raise _error(
            f"condition {condition.name} cannot be expressed in Unleash filters (only AND, "
            "and OR over the values of one list field)"
        )
    parts = [_translate(child) for child in node.filters]
    if condition == FilterCondition.AND:
        return _and(parts)
    return _or(parts) if parts else {}


def search_filters_from_metadata(
    filters: MetadataFilters | MetadataFilter | ExactMatchFilter,
) -> SearchFilters:
    """Translate LlamaIndex metadata filters into Unleash `SearchFilters`.

    Args:
        filters: ``MetadataFilters`` (nested ones too), or a single ``MetadataFilter``.

    Returns:
        The equivalent `SearchFilters` (empty when ``filters`` holds nothing).

    Raises:
        InvalidRequestError: a key, operator or condition Unleash filters cannot express,
            or a value of the wrong kind; the message names it.

    Example:
        ```python
        from llama_index.core.vector_stores import MetadataFilter, MetadataFilters

        from assistant_bridge.llama_index import search_filters_from_metadata

        filters = MetadataFilters(
            filters=[
                MetadataFilter(key="app_id", value=["jira", "confluence"], operator="in"),
                MetadataFilter(key="created", value="2025-01-01", operator=">="),
            ]
        )
        print(search_filters_from_metadata(filters).to_wire())
        ```

        ```text title="Output"
        {'appId': ['jira', 'confluence'], 'createAfterTime': '2025-01-01T00:00:00Z'}
        ```
    """
    return SearchFilters(**_translate(filters))


def to_search_filters(value: FiltersArg) -> SearchFilters | None:
    """`SearchFilters` from any accepted form; None when there are no filters.

    Raises:
        InvalidRequestError: an unknown filter name, or metadata filters Unleash cannot
            express.
    """
    if isinstance(value, (MetadataFilters, MetadataFilter, ExactMatchFilter)):
        parsed: SearchFilters | None = search_filters_from_metadata(value)
    else:
        parsed = SearchFilters.from_any(value)
    return None if parsed is None or parsed.is_empty() else parsed
