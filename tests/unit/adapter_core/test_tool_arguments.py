"""The search tools' shared arguments (`SearchToolArguments`): names, checks, filter mapping.

Both frameworks' ``unleash_search`` tools validate through this model; here it is checked
without a framework, and each filter is checked to reach the emulator's ``POST /search``
under the `SearchFilters` field it maps onto.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import httpx
import pytest
from pydantic import ValidationError

from assistant_bridge import InvalidRequestError
from assistant_bridge._adapter_core import (
    MAX_SEARCH_RESULTS,
    SEARCH_ARGUMENT_DESCRIPTIONS,
    SEARCH_ARGUMENTS,
    SEARCH_TOOL_FILTERS,
    SearchToolArguments,
    search_tool_arguments,
)
from assistant_bridge.emulator import EMULATOR_KEYS
from assistant_bridge.unleash import TIME_FIELD_PAIRS, SearchFilters, UnleashClient

from .._vendor_emu import BASE, Emulator


def test_the_arguments_are_the_ones_issue_16_names_each_described() -> None:
    assert SEARCH_ARGUMENTS == (
        "query",
        "apps",
        "types",
        "created_after",
        "created_before",
        "updated_after",
        "updated_before",
        "authors",
        "labels",
        "max_results",
    )
    assert set(SEARCH_ARGUMENT_DESCRIPTIONS) == set(SEARCH_ARGUMENTS)
    assert all(len(text) > 20 for text in SEARCH_ARGUMENT_DESCRIPTIONS.values())
    assert set(SEARCH_TOOL_FILTERS) == set(SEARCH_ARGUMENTS) - {"query", "max_results"}
    assert set(SEARCH_TOOL_FILTERS.values()) <= set(SearchFilters.model_fields)
    assert SEARCH_TOOL_FILTERS["updated_before"] == TIME_FIELD_PAIRS["modified"][1]


def test_lone_strings_dates_and_date_times_are_accepted_and_mapped() -> None:
    args = search_tool_arguments(
        {
            "query": "  billing outage ",
            "apps": "jira",
            "types": ["page", " ticket "],
            "created_after": dt.date(2025, 5, 1),
            "created_before": "2025-06-01T09:30:00+02:00",
            "updated_after": "2025-05-02",
            "authors": "li.chen@brightwater.example",
            "labels": [],
            "max_results": MAX_SEARCH_RESULTS,
        }
    )
    assert args.query == "billing outage"
    filters = args.search_filters()
    assert filters is not None
    assert filters.to_wire() == {
        "appId": ["jira"],
        "type": ["page", "ticket"],
        "createdBy": ["li.chen@brightwater.example"],
        "createBeforeTime": "2025-06-01T09:30:00+02:00",
        "createAfterTime": "2025-05-01T00:00:00Z",
        "modifiedAfterTime": "2025-05-02",
    }, "an empty list sets no filter; strings are sent as given"
    assert SearchToolArguments(query="x").search_filters() is None


@pytest.mark.parametrize(
    ("values", "argument", "rule"),
    [
        ({"query": " "}, "query", "must be a non-empty string"),
        (
            {"query": "x", "app_id": ["jira"]},
            "app_id",
            "is not an argument of unleash_search; did you mean apps",
        ),
        ({"query": "x", "apps": [1]}, "apps", "must be a list of non-empty strings"),
        ({"query": "x", "labels": "  "}, "labels", "must be a list of non-empty strings"),
        ({"query": "x", "created_after": "yesterday"}, "created_after", "ISO-8601"),
        ({"query": "x", "updated_before": "2025-13-45"}, "updated_before", "ISO-8601"),
        (
            {"query": "x", "created_after": "2025-05-02", "created_before": "2025-05-01T23:00Z"},
            "created_after",
            "must not be later than created_before",
        ),
        ({"query": "x", "max_results": 26}, "max_results", "from 1 to 25"),
        ({"query": "x", "max_results": True}, "max_results", "from 1 to 25"),
    ],
)
def test_bad_arguments_name_the_argument_in_both_error_forms(
    values: dict[str, Any], argument: str, rule: str
) -> None:
    with pytest.raises(InvalidRequestError, match=rf"^{argument}: .*{rule}") as caught:
        search_tool_arguments(values)
    assert caught.value.field == argument
    with pytest.raises(ValidationError, match=rule):
        SearchToolArguments.model_validate(values)


def test_an_unknown_argument_carries_the_nearest_names() -> None:
    with pytest.raises(InvalidRequestError) as caught:
        search_tool_arguments({"query": "x", "create_after": "2025-01-01"})
    assert caught.value.suggestions[0] == "created_after"


def test_ranges_compare_instants_not_strings() -> None:
    args = search_tool_arguments(
        {
            "query": "x",
            "updated_after": "2025-05-01T10:00:00+02:00",
            "updated_before": "2025-05-01T09:00Z",
        }
    )
    assert args.updated_after == "2025-05-01T10:00:00+02:00", "08:00 UTC is before 09:00 UTC"
    lower_case = {
        "query": "x",
        "created_after": "2025-05-02t00:00z",
        "created_before": "2025-05-01",
    }
    with pytest.raises(InvalidRequestError, match=r"^created_after: must not be later than"):
        search_tool_arguments(lower_case)


def test_the_mapped_filters_reach_the_search_and_hold_in_its_results() -> None:
    emu = Emulator.start()
    client = UnleashClient(
        EMULATOR_KEYS["unleash"],
        base_url=BASE,
        max_retries=0,
        http_client=httpx.Client(transport=emu.sync_transport),
    )
    args = search_tool_arguments(
        {"query": "billing", "apps": "confluence", "created_after": "2025-05-01"}
    )
    results = client.search(args.query, filters=args.search_filters())
    sent = json.loads(emu.posts("/search")[0].content)
    assert sent["filters"] == {"appId": ["confluence"], "createAfterTime": "2025-05-01"}
    assert results.results
    assert all(
        r.resource is not None and r.resource.app_id == "confluence" for r in results.results
    )
