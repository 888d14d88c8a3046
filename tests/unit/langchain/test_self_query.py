"""UnleashTranslator: StructuredQuery -> SearchFilters, and its use with the search retriever."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import httpx
import pytest
from langchain_core.exceptions import ModelInvalidRequestError
from langchain_core.structured_query import (
    Comparator,
    Comparison,
    Operation,
    Operator,
    StructuredQuery,
)

import assistant_bridge
from assistant_bridge.langchain._errors import InvalidRequestError
from assistant_bridge.langchain._retrievers import UnleashSearchRetriever
from assistant_bridge.langchain._self_query import UnleashTranslator
from assistant_bridge.unleash import TIME_FIELD_PAIRS, SearchFilters, UnleashClient

T = UnleashTranslator()


def c(comparator: str, attribute: str, value: Any) -> Comparison:
    return Comparison(comparator=Comparator(comparator), attribute=attribute, value=value)


def op(operator: str, *arguments: Any) -> Operation:
    return Operation(operator=Operator(operator), arguments=list(arguments))


def wire(directive: Any) -> dict[str, Any]:
    """The API filters a directive translates to."""
    query, kwargs = T.visit_structured_query(StructuredQuery(query="q", filter=directive))
    assert query == "q"
    filters = kwargs["filters"]
    assert isinstance(filters, SearchFilters)
    return filters.to_wire()


def test_declares_allowed_comparators_and_operators() -> None:
    assert set(T.allowed_comparators or ()) == {
        Comparator(v) for v in ("eq", "in", "gt", "gte", "lt", "lte")
    }
    assert set(T.allowed_operators or ()) == {Operator("and"), Operator("or")}


# -- comparisons -------------------------------------------------------------------------


def test_eq_and_in_on_list_fields() -> None:
    assert wire(c("eq", "app_id", "jira")) == {"appId": ["jira"]}
    assert wire(c("in", "type", ["page", "issue", "page"])) == {"type": ["page", "issue"]}
    assert wire(c("eq", "appId", "slack")) == {"appId": ["slack"]}  # API name
    assert wire(c("eq", "class", "doc")) == {"class": ["doc"]}
    assert wire(c("eq", "label", 2024)) == {"label": ["2024"]}


def test_eq_on_bool_and_text_fields() -> None:
    assert wire(c("eq", "is_starred", True)) == {"isStarred": True}
    assert wire(c("eq", "has_attachments", "false")) == {"hasAttachments": False}
    assert wire(c("eq", "working_on", "release 2")) == {"workingOn": "release 2"}


@pytest.mark.parametrize(("concept", "bounds"), sorted(TIME_FIELD_PAIRS.items()))
def test_range_on_every_time_concept(concept: str, bounds: tuple[str, str]) -> None:
    lower, upper = bounds
    start, end = dt.datetime(2025, 1, 2, 3, 4, 5), dt.datetime(2025, 2, 1)
    filters = T.visit_structured_query(
        StructuredQuery(
            query="q", filter=op("and", c("gte", concept, start), c("lt", concept, end))
        )
    )[1]["filters"]
    assert getattr(filters, lower) == "2025-01-02T03:04:05Z"
    assert getattr(filters, upper) == "2025-02-01T00:00:00Z"
    assert set(filters.model_fields_set) == {lower, upper}


def test_created_maps_to_create_after_and_before() -> None:
    assert wire(
        op(
            "and",
            c("gt", "created", "2025-03-01T10:00:00Z"),
            c("lte", "created", "2025-03-31T00:00:00Z"),
        )
    ) == {
        "createAfterTime": "2025-03-01T10:00:00Z",
        "createBeforeTime": "2025-03-31T00:00:00Z",
    }


def test_whole_days_from_dates() -> None:
    # the query constructor writes dates as {"type": "date", "date": ...}
    day = {"type": "date", "date": "2025-03-01"}
    assert wire(c("gte", "modified", day)) == {"modifiedAfterTime": "2025-03-01T00:00:00Z"}
    assert wire(c("gt", "modified", day)) == {"modifiedAfterTime": "2025-03-02T00:00:00Z"}
    assert wire(c("lt", "modified", "2025-03-01")) == {"modifiedBeforeTime": "2025-03-01T00:00:00Z"}
    assert wire(c("lte", "modified", dt.date(2025, 3, 1))) == {
        "modifiedBeforeTime": "2025-03-02T00:00:00Z"
    }
    assert wire(c("eq", "due", day)) == {
        "dueAfterTime": "2025-03-01T00:00:00Z",
        "dueBeforeTime": "2025-03-02T00:00:00Z",
    }
    stamp = {"type": "datetime", "datetime": "2025-03-01T08:00:00+01:00"}
    assert wire(c("gte", "time", stamp)) == {"fromTime": "2025-03-01T08:00:00+01:00"}


def test_raw_time_fields_take_their_own_direction() -> None:
    assert wire(c("gte", "create_after_time", "2025-01-01T00:00:00Z")) == {
        "createAfterTime": "2025-01-01T00:00:00Z"
    }
    assert wire(c("eq", "until_time", "2025-01-01T00:00:00Z")) == {
        "untilTime": "2025-01-01T00:00:00Z"
    }
    assert wire(c("lt", "eventTimeFrameEnd", "2025-01-01T00:00:00Z")) == {
        "eventTimeFrameEnd": "2025-01-01T00:00:00Z"
    }
    with pytest.raises(InvalidRequestError, match=r"lower bound of 'created'"):
        T.visit_structured_query(
            StructuredQuery(query="q", filter=c("lt", "create_after_time", "2025-01-01"))
        )
    with pytest.raises(InvalidRequestError, match=r"upper bound of 'time'"):
        T.visit_structured_query(
            StructuredQuery(query="q", filter=c("gt", "until_time", "2025-01-01"))
        )


# -- operators ---------------------------------------------------------------------------


def test_and_merges_fields() -> None:
    directive = op(
        "and",
        c("eq", "app_id", "jira"),
        c("in", "status", ["open", "blocked"]),
        op("and", c("eq", "is_starred", True), c("gte", "created", "2025-01-01T00:00:00Z")),
        c("eq", "app_id", "jira"),  # the same value again is fine
    )
    assert wire(directive) == {
        "appId": ["jira"],
        "status": ["open", "blocked"],
        "isStarred": True,
        "createAfterTime": "2025-01-01T00:00:00Z",
    }


def test_or_on_one_list_field_unions() -> None:
    directive = op(
        "or",
        c("eq", "app_id", "jira"),
        c("in", "app_id", ["slack", "jira"]),
        c("eq", "appId", "gmail"),
    )
    assert wire(directive) == {"appId": ["jira", "slack", "gmail"]}
    assert wire(
        op(
            "and",
            op("or", c("eq", "type", "page"), c("eq", "type", "issue")),
            c("eq", "app_id", "jira"),
        )
    ) == {
        "type": ["page", "issue"],
        "appId": ["jira"],
    }


def test_limit_becomes_k_and_no_filter_gives_no_filters() -> None:
    assert T.visit_structured_query(StructuredQuery(query="travel", filter=None)) == ("travel", {})
    query, kwargs = T.visit_structured_query(
        StructuredQuery(query="travel", filter=c("eq", "app_id", "jira"), limit=3)
    )
    assert query == "travel"
    assert kwargs["k"] == 3


# -- what cannot be expressed ------------------------------------------------------------


@pytest.mark.parametrize(
    ("directive", "match"),
    [
        (c("ne", "app_id", "jira"), "comparator 'ne'"),
        (c("nin", "app_id", ["jira"]), "comparator 'nin'"),
        (c("contain", "label", "x"), "comparator 'contain'"),
        (c("like", "title", "x"), "comparator 'like'"),
        (op("not", c("eq", "app_id", "jira")), "operator 'not'"),
        (
            op("or", c("eq", "app_id", "jira"), c("eq", "type", "page")),
            r"'or' across several fields \(app_id, type\)",
        ),
        (
            op(
                "or",
                c("eq", "app_id", "jira"),
                op("and", c("eq", "app_id", "x"), c("eq", "type", "y")),
            ),
            "'or' across several fields",
        ),
        (
            op("or", c("eq", "is_starred", True), c("eq", "is_starred", False)),
            "'or' on bool field 'is_starred'",
        ),
        (
            op("or", c("gt", "created", "2025-01-01"), c("lt", "created", "2024-01-01")),
            "'or' across several fields",
        ),
        (
            op("and", c("eq", "app_id", "jira"), c("eq", "app_id", "slack")),
            "'and' gives 'app_id' two different values",
        ),
        (
            op(
                "and",
                c("gt", "created", "2025-01-01T00:00:00Z"),
                c("gte", "created", "2025-02-01T00:00:00Z"),
            ),
            "'and' gives 'create_after_time'",
        ),
        (c("gt", "app_id", "a"), "list field 'app_id'"),
        (c("gt", "is_starred", True), "bool field 'is_starred'"),
        (c("in", "app_id", "jira"), "'in' needs a list"),
        (c("in", "app_id", []), "can never match"),
        (c("eq", "app_id", {"a": 1}), "expected a text value"),
        (c("eq", "is_starred", "maybe"), "expected true or false"),
        (c("eq", "created", "2025-01-01T10:00:00Z"), "eq on time 'created' needs a date"),
        (c("gt", "created", 12), "expected a date"),
    ],
)
def test_inexpressible_constructs_are_named(directive: Any, match: str) -> None:
    with pytest.raises(InvalidRequestError, match=match) as info:
        T.visit_structured_query(StructuredQuery(query="q", filter=directive))
    assert isinstance(info.value, assistant_bridge.InvalidRequestError)
    assert isinstance(info.value, ModelInvalidRequestError)
    assert isinstance(info.value, ValueError)


def test_unknown_attribute_names_the_nearest() -> None:
    with pytest.raises(InvalidRequestError) as info:
        T.visit_structured_query(StructuredQuery(query="q", filter=c("eq", "app", "jira")))
    assert "app_id" in info.value.suggestions
    with pytest.raises(InvalidRequestError) as info:
        T.visit_structured_query(StructuredQuery(query="q", filter=c("gt", "creted", "2025-01-01")))
    assert info.value.suggestions[0] == "created"


def test_a_blank_time_string_is_an_error() -> None:
    with pytest.raises(InvalidRequestError, match="created: expected a date or date-time"):
        T.visit_structured_query(StructuredQuery(query="q", filter=c("gt", "created", "  ")))


# -- with the retriever ------------------------------------------------------------------


def test_translated_kwargs_drive_the_search_retriever() -> None:
    bodies: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        bodies.append(json.loads(request.content))
        hits = [
            {"resource": {"id": f"r{i}", "title": f"T{i}"}, "snippet": f"s{i}"} for i in range(5)
        ]
        return httpx.Response(200, json={"results": hits[: bodies[-1]["paging"]["size"]]})

    client = UnleashClient(
        "k",
        base_url="https://unleash.test",
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
    )
    retriever = UnleashSearchRetriever(client=client, filters={"type": "page"})
    structured = StructuredQuery(
        query="onboarding",
        filter=op(
            "and",
            op("or", c("eq", "app_id", "jira"), c("eq", "app_id", "confluence")),
            c("gte", "created", {"type": "date", "date": "2025-01-01"}),
        ),
        limit=2,
    )
    query, kwargs = T.visit_structured_query(structured)
    docs = retriever.invoke(query, **kwargs)
    assert len(docs) == 2
    assert bodies[0] == {
        "query": "onboarding",
        "filters": {
            "appId": ["jira", "confluence"],
            "type": ["page"],
            "createAfterTime": "2025-01-01T00:00:00Z",
        },
        "paging": {"size": 2},
    }


def test_label_needs_every_label_so_in_and_or_go_to_any_label() -> None:
    from langchain_core.structured_query import Operation, Operator

    assert wire(c("in", "label", ["a", "b"])) == {"anyLabel": ["a", "b"]}
    # Operator(...), not Operator.OR: mypy checks as Python 3.10, where langchain-core's StrEnum base is unknown
    either = Operation(
        operator=Operator("or"), arguments=[c("eq", "label", "a"), c("eq", "label", "b")]
    )
    assert wire(either) == {"anyLabel": ["a", "b"]}
    both = Operation(
        operator=Operator("and"), arguments=[c("eq", "label", "a"), c("eq", "label", "b")]
    )
    assert wire(both) == {"label": ["a", "b"]}
