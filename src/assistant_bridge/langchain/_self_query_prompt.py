"""Self-query for Unleash: the attribute descriptions, the prompt and the output parser.

`unleash_attribute_info` describes each filter a query-constructing LLM may use, generated
from `SearchFilters`' field metadata (`FILTER_FIELDS`: name, API name, kind) and from what
`UnleashTranslator` can express. langchain-classic's ``AttributeInfo`` is not needed: each
entry is an `UnleashAttributeInfo` (``name``, ``description``, ``type``), the three things a
query-constructor prompt shows.

`query_constructor_prompt` asks any chat model for one JSON object (query, filter, limit);
`StructuredQueryOutputParser` reads it strictly into a langchain-core ``StructuredQuery``
(malformed output is an ``OutputParserException`` saying what is wrong).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any, cast

from langchain_core.exceptions import OutputParserException
from langchain_core.output_parsers import BaseOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.structured_query import (
    Comparator,
    Comparison,
    FilterDirective,
    Operation,
    Operator,
    StructuredQuery,
)
from langchain_core.utils.json import parse_json_markdown

from .._adapter_core import TIME_BOUNDS
from .._validation import nearest_names
from ..unleash import FILTER_FIELDS, TIME_FIELD_PAIRS
from ._errors import InvalidRequestError

__all__ = [
    "StructuredQueryOutputParser",
    "UnleashAttributeInfo",
    "query_constructor_prompt",
    "unleash_attribute_info",
]

_BY_NAME = {f.name: f for f in FILTER_FIELDS} | {f.api_name: f for f in FILTER_FIELDS}
_TIME_NAMES = {name for pair in TIME_FIELD_PAIRS.values() for name in pair}


@dataclass(frozen=True)
class UnleashAttributeInfo:
    """One filter attribute as a query-constructor prompt shows it.

    Attributes:
        name: the attribute name the model writes (a `SearchFilters` field or a time
            concept such as ``created``).
        description: what it filters and which comparators work on it.
        type: the value type: ``string``, ``boolean`` or ``date``.
    """

    name: str
    description: str
    type: str

    def to_dict(self) -> dict[str, str]:
        """The entry as a plain ``{"name", "description", "type"}`` dict."""
        return asdict(self)


def _words(name: str) -> str:
    return name.rstrip("_").replace("_", " ")


def _concept_info(concept: str) -> UnleashAttributeInfo:
    lower, upper = TIME_FIELD_PAIRS[concept]
    api = {f.name: f.api_name for f in FILTER_FIELDS}
    words = _words(concept)
    phrase = words if words.endswith(("time", "frame")) else f"{words} time"
    return UnleashAttributeInfo(
        concept,
        f"the {phrase} of the item (Unleash filters {api[lower]} and "
        f"{api[upper]}); compare with gt, gte, lt, lte, or eq with a date meaning that "
        "whole day",
        "date",
    )


def _field_info(name: str) -> UnleashAttributeInfo:
    field = _BY_NAME[name]
    shown = field.name.rstrip("_")  # class_ is written class
    words = f"{_words(field.name)} (Unleash filter {field.api_name})"
    if field.kind == "time":
        concept, is_lower = TIME_BOUNDS[field.name]
        rule = "gt or gte" if is_lower else "lt or lte"
        side = "lower" if is_lower else "upper"
        return UnleashAttributeInfo(
            shown,
            f"{words}: the {side} bound of the {_words(concept)} time; compare only with "
            f"{rule} (or use the attribute {concept!r} for ranges)",
            "date",
        )
    if field.kind == "bool":
        return UnleashAttributeInfo(shown, f"{words}: true or false; eq only", "boolean")
    if field.kind == "str":
        return UnleashAttributeInfo(shown, f"{words}: one text value; eq only", "string")
    if field.name == "label":
        rule = "eq: items carrying that label (and over several labels: all of them); in: any"
    elif field.name == "any_label":
        rule = "eq or in: items carrying any of the labels"
    else:
        rule = "eq: one value; in: any of several values"
    return UnleashAttributeInfo(shown, f"{words}: {rule}", "string")


def _default_names() -> list[str]:
    """The time concepts, then every field that is not a bound of one, in API order."""
    return [*TIME_FIELD_PAIRS, *(f.name for f in FILTER_FIELDS if f.name not in _TIME_NAMES)]


def unleash_attribute_info(
    fields: Iterable[str] | None = None,
    *,
    descriptions: Mapping[str, str] | None = None,
) -> list[UnleashAttributeInfo]:
    """The attribute descriptions a query constructor needs, one per Unleash filter.

    Generated from `SearchFilters`' field metadata. By default: the time concepts
    (``time``, ``created``, ``modified``, ``due``, ``event_time_frame``), which stand for
    their bound fields (``create_after_time``...), then every other filter field. Each
    entry says which comparators `UnleashTranslator` can express on it.

    Args:
        fields: the attributes to describe, as field names (snake_case or camelCase, a
            bound field such as ``create_after_time`` included) or time concepts; None:
            all of them.
        descriptions: text appended to the generated description, by attribute name
            (for example the ``app_id`` values your organisation has).

    Returns:
        `UnleashAttributeInfo` entries (``name``, ``description``, ``type``).

    Raises:
        InvalidRequestError: an unknown attribute (with the nearest names), or a
            ``descriptions`` key that is not among the described attributes.
    """
    known = [*TIME_FIELD_PAIRS, *(f.name for f in FILTER_FIELDS)]
    infos: dict[str, UnleashAttributeInfo] = {}
    for name in _default_names() if fields is None else fields:
        if name in TIME_FIELD_PAIRS:
            info = _concept_info(name)
        elif name in _BY_NAME:
            info = _field_info(name)
        else:
            suggestions = nearest_names(str(name), known)
            hint = f"; did you mean {', '.join(suggestions)}?" if suggestions else ""
            raise InvalidRequestError(
                f"fields: {name!r} is not an Unleash filter or time concept{hint}",
                field="fields",
                suggestions=suggestions,
            )
        infos[info.name] = info
    for name, extra in (descriptions or {}).items():
        key = _BY_NAME[name].name.rstrip("_") if name in _BY_NAME else name
        if key not in infos:
            raise InvalidRequestError(
                f"descriptions: {name!r} is not among the described attributes",
                field="descriptions",
                suggestions=nearest_names(str(name), list(infos)),
            )
        info = infos[key]
        infos[key] = UnleashAttributeInfo(info.name, f"{info.description}. {extra}", info.type)
    return list(infos.values())


# -- prompt -------------------------------------------------------------------------------

_INSTRUCTIONS = """\
Your goal is to turn a user's question into a search request for Unleash, a search
engine over {document_contents}.

Answer with ONE JSON object in a ```json code block and nothing else:
{{"query": <the text to search for>, "filter": <a filter or null>, "limit": <a number or null>}}

- "query": the words to search for, without the parts the filter already expresses; if
  nothing is left, the user's question.
- "filter": null when the question asks for no condition; else a comparison
  {{"comparator": C, "attribute": A, "value": V}} with C one of eq, in, gt, gte, lt, lte
  ("in" takes a list of values), or an operation {{"operator": "and" or "or", "arguments":
  [filters]}}. Use only the attributes below, with the comparators their descriptions
  allow. Dates are written "YYYY-MM-DD" (or "YYYY-MM-DDTHH:MM:SSZ").
- "limit": the number of results the user asked for, else null.

Attributes:
{attributes}

Example: "jira tickets about billing created since March 2025, five of them" ->
```json
{{"query": "billing", "filter": {{"operator": "and", "arguments": [
  {{"comparator": "eq", "attribute": "app_id", "value": "jira"}},
  {{"comparator": "gte", "attribute": "created", "value": "2025-03-01"}}]}}, "limit": 5}}
```"""


def query_constructor_prompt(
    attribute_info: Sequence[UnleashAttributeInfo | Mapping[str, Any]],
    document_contents: str,
) -> ChatPromptTemplate:
    """The chat prompt that asks a model for the structured query of ``{query}``.

    Args:
        attribute_info: the attributes the model may filter on (`UnleashAttributeInfo`
            or dicts with ``name``, ``description`` and ``type``).
        document_contents: what the searched documents are, in a few words.

    Returns:
        A ``ChatPromptTemplate`` with one input variable, ``query``.
    """
    rows = []
    for info in attribute_info:
        entry = info.to_dict() if isinstance(info, UnleashAttributeInfo) else dict(info)
        rows.append(json.dumps({k: entry[k] for k in ("name", "type", "description")}))
    system = _INSTRUCTIONS.format(document_contents=document_contents, attributes="\n".join(rows))
    return ChatPromptTemplate.from_messages(
        [("system", system.replace("{", "{{").replace("}", "}}")), ("human", "{query}")]
    )


# -- parser -------------------------------------------------------------------------------

# cast: with mypy's python_version 3.10, langchain-core's StrEnums are not seen as iterable.
_COMPARATORS = [c.value for c in cast("Iterable[Comparator]", Comparator)]
_OPERATORS = [o.value for o in cast("Iterable[Operator]", Operator)]


def _fail(message: str, text: str) -> OutputParserException:
    return OutputParserException(
        f"self-query: the model's structured query is malformed: {message}", llm_output=text
    )


def _directive(node: Any, where: str, text: str) -> FilterDirective:
    if not isinstance(node, Mapping):
        raise _fail(f"{where}: expected an object, got {node!r}", text)
    keys = set(node)
    if keys == {"comparator", "attribute", "value"}:
        comparator, attribute = node["comparator"], node["attribute"]
        if comparator not in _COMPARATORS:
            raise _fail(
                f"{where}.comparator: {comparator!r} is not one of {', '.join(_COMPARATORS)}", text
            )
        if not isinstance(attribute, str) or not attribute.strip():
            raise _fail(f"{where}.attribute: expected a name, got {attribute!r}", text)
        return Comparison(
            comparator=Comparator(comparator), attribute=attribute.strip(), value=node["value"]
        )
    if keys == {"operator", "arguments"}:
        operator, arguments = node["operator"], node["arguments"]
        if operator not in _OPERATORS:
            raise _fail(
                f"{where}.operator: {operator!r} is not one of {', '.join(_OPERATORS)}", text
            )
        if not isinstance(arguments, list) or not arguments:
            raise _fail(f"{where}.arguments: expected a non-empty list of filters", text)
        return Operation(
            operator=Operator(operator),
            arguments=[
                _directive(a, f"{where}.arguments[{i}]", text) for i, a in enumerate(arguments)
            ],
        )
    raise _fail(
        f"{where}: expected {{comparator, attribute, value}} or {{operator, arguments}}, "
        f"got the keys {sorted(map(str, keys))}",
        text,
    )


def _limit(value: Any, text: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise _fail(f"limit: expected a positive whole number or null, got {value!r}", text)
    return value


class StructuredQueryOutputParser(BaseOutputParser[StructuredQuery]):
    """Reads the model's JSON answer (fenced or bare) into a ``StructuredQuery``.

    Strict: the object must have ``query`` (a string) and may have ``filter`` (null, the
    string ``"NO_FILTER"``, or a comparison/operation object) and ``limit`` (null or a
    positive whole number); anything else is an ``OutputParserException`` naming it.
    Whether Unleash can express the filter is `UnleashTranslator`'s concern.
    """

    def parse(self, text: str) -> StructuredQuery:
        """Parses one model answer.

        Raises:
            OutputParserException: no JSON object, unknown keys, or a malformed filter.
        """
        try:
            data = parse_json_markdown(text)
        except (ValueError, TypeError) as exc:
            raise _fail(f"no JSON object found ({exc})", text) from None
        if not isinstance(data, dict):
            raise _fail(f"expected a JSON object, got {type(data).__name__}", text)
        unknown = sorted(set(data) - {"query", "filter", "limit"})
        if unknown:
            raise _fail(f"unknown keys {unknown}; expected query, filter, limit", text)
        query = data.get("query")
        if not isinstance(query, str):
            raise _fail(f"query: expected a string, got {query!r}", text)
        raw = data.get("filter")
        directive = None if raw in (None, "NO_FILTER") else _directive(raw, "filter", text)
        return StructuredQuery(
            query=query.strip(), filter=directive, limit=_limit(data.get("limit"), text)
        )

    @property
    def _type(self) -> str:
        return "unleash_structured_query"
