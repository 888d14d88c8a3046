"""Self-query for Unleash: a ``structured_query.Visitor`` that builds `SearchFilters`.

`UnleashTranslator` turns the ``StructuredQuery`` a query-constructing LLM writes into
``(query, {"filters": SearchFilters, "k": limit})``, the keyword arguments
`UnleashSearchRetriever.invoke` (and a v1 `UnleashChatRetriever`) take::

    query, kwargs = UnleashTranslator().visit_structured_query(structured_query)
    docs = UnleashSearchRetriever().invoke(query, **kwargs)

What Unleash filters can express, and so what is translated:

- ``eq`` / ``in`` on list fields (``app_id``, ``type``, ``label``, ...): the values
  allowed; ``eq`` on boolean fields (``is_starred``...) and text fields
  (``working_on``, ``recent_activity_for``). ``label`` needs every label it lists, so
  ``in`` / ``or`` on ``label`` become ``any_label`` and ``and`` adds labels (as on the
  LlamaIndex side).
- ``gt`` / ``gte`` / ``lt`` / ``lte`` on time concepts (``created``, ``modified``,
  ``due``, ``time``, ``event_time_frame``: see `TIME_FIELD_PAIRS`) set the concept's lower
  or upper bound; ``eq`` with a date means that whole day. On a raw bound field
  (``create_after_time``...) only its own direction is allowed. With a date (no time of
  day), ``gt`` starts the next day and ``lte`` ends with the day; with a date-time, the
  API's bounds cannot tell strict from inclusive.
- ``and`` merges its parts (the same field with two different values is an error);
  ``or`` over one list field unions the values.

Anything else (``ne``, ``nin``, ``contain``, ``like``, ``not``, ``or`` across fields,
unknown attributes) raises `InvalidRequestError` naming the construct.

langchain-classic's ``SelfQueryRetriever`` drives a ``VectorStore``, not a retriever;
`UnleashSelfQueryRetriever.from_llm` (``_self_query_retriever``) does the whole loop with
any chat model. By hand, chain a query constructor, this translator and the retriever::

    translate = RunnableLambda(lambda sq: UnleashTranslator().visit_structured_query(sq))
    chain = query_constructor | translate | RunnableLambda(lambda a: retriever.invoke(a[0], **a[1]))
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from langchain_core.structured_query import (
    Comparator,
    Comparison,
    Operation,
    Operator,
    StructuredQuery,
    Visitor,
)

from .._adapter_core import TIME_BOUNDS, filter_name, filter_text
from ..unleash import FILTER_FIELDS, TIME_FIELD_PAIRS, SearchFilters
from ._errors import InvalidRequestError, translated_errors

__all__ = ["UnleashTranslator"]

Constraints = dict[str, Any]
"""SearchFilters field name -> value, the intermediate form of a translated directive."""

_KINDS = {f.name: f.kind for f in FILTER_FIELDS}
# Members by value: with mypy's python_version 3.10, StrEnum members type as plain str.
EQ, IN, GT, GTE, LT, LTE = (Comparator(v) for v in ("eq", "in", "gt", "gte", "lt", "lte"))
AND, OR = Operator("and"), Operator("or")
_SUPPORTED = (
    "eq/in on list fields, eq on boolean and text fields, gt/gte/lt/lte on time fields "
    f"({', '.join(TIME_FIELD_PAIRS)})"
)


def _error(message: str, field: str | None = None) -> InvalidRequestError:
    return InvalidRequestError(f"self-query: {message}", field=field)


def _scalar(value: Any, attribute: str) -> str:
    with translated_errors():
        return filter_text(value, attribute, "self-query: ")


def _time_value(value: Any, attribute: str) -> dt.date | str:
    """A date, a datetime or an ISO string; the query constructor's date dicts unwrapped."""
    if isinstance(value, Mapping) and value.get("type") in ("date", "datetime"):
        value = value.get(str(value["type"]))
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and value.strip():
        text = value.strip()
        if len(text) == 10:
            try:
                return dt.date.fromisoformat(text)
            except ValueError:
                pass
        return text
    raise _error(f"{attribute}: expected a date or date-time, got {value!r}", attribute)


def _is_day(value: dt.date | str) -> bool:
    return isinstance(value, dt.date) and not isinstance(value, dt.datetime)


def _bound(value: dt.date | str, comparator: Comparator) -> dt.date | str:
    """A bound from a value: with a whole day, ``gt`` and ``lte`` move to the next day."""
    if _is_day(value) and comparator in (GT, LTE):
        assert isinstance(value, dt.date)
        return value + dt.timedelta(days=1)
    return value


class UnleashTranslator(Visitor):
    """Translates a LangChain ``StructuredQuery`` into Unleash `SearchFilters`.

    Attribute names are `SearchFilters` field names (snake_case or the API's camelCase),
    or the time concepts of `TIME_FIELD_PAIRS` (``created``, ``modified``, ``due``,
    ``time``, ``event_time_frame``). Everything the API cannot express raises
    `InvalidRequestError` (also a ``ValueError``) naming the construct.
    """

    allowed_comparators: Sequence[Comparator] | None = (EQ, IN, GT, GTE, LT, LTE)
    """``eq``, ``in``, ``gt``, ``gte``, ``lt``, ``lte``."""

    allowed_operators: Sequence[Operator] | None = (AND, OR)
    """``and``, ``or`` (over one list field)."""

    def visit_structured_query(
        self, structured_query: StructuredQuery
    ) -> tuple[str, dict[str, Any]]:
        """The query and the retriever keywords: ``filters`` (and ``k`` from a limit).

        Args:
            structured_query: the query, its filter directive and limit.

        Returns:
            ``(query, {"filters": SearchFilters, "k": limit})``; a key is left out when
            there is no filter or no limit.

        Raises:
            InvalidRequestError: the filter uses something Unleash cannot express.
        """
        kwargs: dict[str, Any] = {}
        if structured_query.filter is not None:
            constraints = structured_query.filter.accept(self)
            with translated_errors():
                kwargs["filters"] = SearchFilters(**constraints)
        if structured_query.limit is not None:
            kwargs["k"] = structured_query.limit
        return structured_query.query, kwargs

    def visit_operation(self, operation: Operation) -> Constraints:
        """``and``: the parts merged; ``or``: the values of one list field united.

        Raises:
            InvalidRequestError: ``not``, ``or`` across fields or on a non-list field, or
                ``and`` giving one field two different values.
        """
        operator = operation.operator
        if operator not in (self.allowed_operators or ()):
            raise _error(
                f"operator '{operator.value}' cannot be expressed in Unleash filters "
                "(only 'and', and 'or' over the values of one list field)"
            )
        parts = [argument.accept(self) for argument in operation.arguments]
        return self._and(parts) if operator == AND else self._or(parts)

    def visit_comparison(self, comparison: Comparison) -> Constraints:
        """One comparison as filter fields.

        Raises:
            InvalidRequestError: an unknown attribute, a comparator the field cannot take,
                or a value of the wrong kind.
        """
        attribute, comparator = comparison.attribute, comparison.comparator
        if comparator not in (self.allowed_comparators or ()):
            raise _error(
                f"comparator '{comparator.value}' (on {attribute!r}) cannot be expressed in "
                f"Unleash filters; supported: {_SUPPORTED}",
                attribute,
            )
        if attribute in TIME_FIELD_PAIRS:
            return self._time_concept(attribute, comparator, comparison.value)
        name = self._field(attribute)
        kind = _KINDS[name]
        if kind == "time":
            return self._time_field(name, comparator, comparison.value)
        if kind == "list":
            return self._list_field(name, comparator, comparison.value)
        if comparator != EQ:
            raise _error(
                f"comparator '{comparator.value}' on {kind} field {name!r} cannot be "
                "expressed; only eq is supported",
                name,
            )
        if kind == "bool":
            return {name: self._bool(name, comparison.value)}
        return {name: _scalar(comparison.value, name)}

    # -- fields -----------------------------------------------------------------------

    @staticmethod
    def _field(attribute: str) -> str:
        message = f"self-query: attribute {attribute!r} is not an Unleash filter"
        with translated_errors():
            return filter_name(attribute, message)

    @staticmethod
    def _bool(name: str, value: Any) -> bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in ("true", "false"):
            return value.strip().lower() == "true"
        raise _error(f"{name}: expected true or false, got {value!r}", name)

    @staticmethod
    def _list_field(name: str, comparator: Comparator, value: Any) -> Constraints:
        if comparator == EQ:
            return {name: [_scalar(value, name)]}
        if comparator == IN:
            if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Sequence):
                raise _error(f"{name}: 'in' needs a list of values, got {value!r}", name)
            if not value:
                raise _error(f"{name}: 'in' with no values can never match", name)
            # Unleash's label needs every label; any_label is the one that matches any.
            key = "any_label" if name == "label" else name
            return {key: list(dict.fromkeys(_scalar(v, name) for v in value))}
        raise _error(
            f"comparator '{comparator.value}' on list field {name!r} cannot be expressed; "
            "only eq and in are supported",
            name,
        )

    @staticmethod
    def _time_concept(concept: str, comparator: Comparator, value: Any) -> Constraints:
        lower, upper = TIME_FIELD_PAIRS[concept]
        when = _time_value(value, concept)
        if comparator == EQ:
            if not _is_day(when):
                raise _error(
                    f"eq on time {concept!r} needs a date (meaning that whole day); use "
                    "gt/gte/lt/lte for a range",
                    concept,
                )
            return {lower: when, upper: _bound(when, LTE)}
        if comparator in (GT, GTE):
            return {lower: _bound(when, comparator)}
        if comparator in (LT, LTE):
            return {upper: _bound(when, comparator)}
        raise _error(
            f"comparator '{comparator.value}' on time {concept!r} cannot be expressed; "
            "use eq (a date), gt, gte, lt or lte",
            concept,
        )

    @staticmethod
    def _time_field(name: str, comparator: Comparator, value: Any) -> Constraints:
        when = _time_value(value, name)
        concept, is_lower = TIME_BOUNDS[name]
        fits = (
            (EQ, GT, GTE)
            if is_lower
            else (
                EQ,
                LT,
                LTE,
            )
        )
        if comparator not in fits:
            kind = "lower" if is_lower else "upper"
            raise _error(
                f"comparator '{comparator.value}' on {name!r} cannot be expressed: it is the "
                f"{kind} bound of {concept!r}; compare {concept!r} with gt/gte/lt/lte instead",
                name,
            )
        return {name: _bound(when, comparator)}

    # -- operators --------------------------------------------------------------------

    @staticmethod
    def _and(parts: list[Constraints]) -> Constraints:
        merged: Constraints = {}
        for part in parts:
            for name, value in part.items():
                if name == "label" and name in merged:  # every label is needed: add them
                    merged[name] = list(dict.fromkeys([*merged[name], *value]))
                    continue
                if name in merged and merged[name] != value:
                    raise _error(
                        f"'and' gives {name!r} two different values ({merged[name]!r} and "
                        f"{value!r}); Unleash filters hold one value set per field",
                        name,
                    )
                merged[name] = value
        return merged

    @staticmethod
    def _or(parts: list[Constraints]) -> Constraints:
        names = {name for part in parts for name in part}
        if len(names) != 1 or any(len(part) != 1 for part in parts):
            shown = ", ".join(sorted(names)) or "nothing"
            raise _error(
                f"'or' across several fields ({shown}) cannot be expressed: Unleash filters "
                "combine fields with AND; 'or' works over the values of one list field"
            )
        (name,) = names
        if _KINDS[name] != "list":
            raise _error(
                f"'or' on {_KINDS[name]} field {name!r} cannot be expressed; 'or' works "
                "over the values of one list field",
                name,
            )
        values: list[str] = []
        for part in parts:
            values += part[name]
        key = "any_label" if name == "label" else name  # label would need them all
        return {key: list(dict.fromkeys(values))}
