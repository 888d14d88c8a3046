"""LlamaIndex MetadataFilters -> Unleash SearchFilters: every operator path and every error."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from llama_index.core.vector_stores.types import (
    ExactMatchFilter,
    FilterCondition,
    FilterOperator,
    MetadataFilter,
    MetadataFilters,
)

from assistant_bridge import InvalidRequestError, SearchFilters
from assistant_bridge.llama_index import search_filters_from_metadata, to_search_filters

Op = FilterOperator


def f(key: str, value: Any, op: FilterOperator = Op.EQ) -> MetadataFilter:
    return MetadataFilter(key=key, value=value, operator=op)


def wire(*filters: Any, condition: FilterCondition = FilterCondition.AND) -> dict[str, Any]:
    return search_filters_from_metadata(
        MetadataFilters(filters=list(filters), condition=condition)
    ).to_wire()


def error(*filters: Any, condition: FilterCondition = FilterCondition.AND) -> InvalidRequestError:
    with pytest.raises(InvalidRequestError) as info:
        wire(*filters, condition=condition)
    return info.value


# -- list, bool and text fields ----------------------------------------------------------


def test_eq_on_list_field_gives_one_value_and_accepts_camel_case_keys() -> None:
    assert wire(f("app_id", "jira"), f("fileTypeGroup", "pdf")) == {
        "appId": ["jira"],
        "fileTypeGroup": ["pdf"],
    }


def test_eq_with_a_number_is_sent_as_text() -> None:
    assert wire(f("cycle", 7)) == {"cycle": ["7"]}


@pytest.mark.parametrize("op", [Op.IN, Op.ANY])
def test_in_and_any_on_list_field_give_the_values_without_duplicates(op: FilterOperator) -> None:
    assert wire(f("type", ["page", "ticket", "page"], op)) == {"type": ["page", "ticket"]}


def test_label_eq_and_all_need_every_label_while_in_and_any_use_any_label() -> None:
    assert wire(f("label", "hr")) == {"label": ["hr"]}
    assert wire(f("label", ["hr", "eu"], Op.ALL)) == {"label": ["hr", "eu"]}
    assert wire(f("label", ["hr", "eu"], Op.IN)) == {"anyLabel": ["hr", "eu"]}
    assert wire(f("label", ["hr", "eu"], Op.ANY)) == {"anyLabel": ["hr", "eu"]}


def test_and_of_labels_needs_them_all() -> None:
    assert wire(f("label", "hr"), f("label", "eu")) == {"label": ["hr", "eu"]}


def test_bool_eq_and_ne_read_text_and_numbers() -> None:
    assert wire(f("is_starred", "true")) == {"isStarred": True}
    assert wire(f("has_attachments", 0)) == {"hasAttachments": False}
    assert wire(f("is_manager", "True", Op.NE)) == {"isManager": False}
    assert wire(f("has_links", 0, Op.NE)) == {"hasLinks": True}


def test_a_real_bool_is_accepted_when_the_filter_was_built_without_validation() -> None:
    built = MetadataFilter.model_construct(key="is_starred", value=True, operator=Op.EQ)
    assert search_filters_from_metadata(built).to_wire() == {"isStarred": True}


def test_text_field_eq() -> None:
    assert wire(f("working_on", "alice@example.com")) == {"workingOn": "alice@example.com"}


def test_exact_match_filter_is_eq() -> None:
    filters = MetadataFilters(filters=[ExactMatchFilter(key="app_id", value="slack")])
    assert search_filters_from_metadata(filters).to_wire() == {"appId": ["slack"]}


# -- time ---------------------------------------------------------------------------------


def test_time_concepts_set_bounds_with_whole_days() -> None:
    assert wire(f("created", "2025-03-01", Op.GTE), f("created", "2025-03-31", Op.LTE)) == {
        "createAfterTime": "2025-03-01T00:00:00Z",
        "createBeforeTime": "2025-04-01T00:00:00Z",
    }
    assert wire(f("modified", "2025-03-01", Op.GT)) == {"modifiedAfterTime": "2025-03-02T00:00:00Z"}
    assert wire(f("due", "2025-03-01", Op.LT)) == {"dueBeforeTime": "2025-03-01T00:00:00Z"}


def test_time_concept_eq_with_a_date_is_that_whole_day() -> None:
    assert wire(f("time", "2025-02-28")) == {
        "fromTime": "2025-02-28T00:00:00Z",
        "untilTime": "2025-03-01T00:00:00Z",
    }


def test_date_times_are_sent_as_given() -> None:
    assert wire(f("event_time_frame", "2025-03-01T09:30:00Z", Op.GT)) == {
        "eventTimeFrameStart": "2025-03-01T09:30:00Z"
    }
    assert wire(f("created", "2025-03-01T09:30:00+02:00", Op.LTE)) == {
        "createBeforeTime": "2025-03-01T09:30:00+02:00"
    }


def test_raw_bound_fields_take_their_own_direction() -> None:
    assert wire(f("create_after_time", "2025-01-01", Op.GT)) == {
        "createAfterTime": "2025-01-02T00:00:00Z"
    }
    assert wire(f("dueBeforeTime", "2025-01-01", Op.LTE)) == {
        "dueBeforeTime": "2025-01-02T00:00:00Z"
    }
    assert wire(f("until_time", "2025-01-01T00:00:00Z")) == {"untilTime": "2025-01-01T00:00:00Z"}


def test_date_objects_work_when_given_without_validation() -> None:
    day: Any = dt.date(2025, 5, 1)  # not a declared value type: model_construct skips validation
    built = MetadataFilter.model_construct(key="created", value=day, operator=Op.GTE)
    assert search_filters_from_metadata(built).to_wire() == {
        "createAfterTime": "2025-05-01T00:00:00Z"
    }


# -- conditions ---------------------------------------------------------------------------


def test_or_on_one_list_field_unites_the_values() -> None:
    assert wire(
        f("app_id", "jira"), f("app_id", ["slack", "jira"], Op.IN), condition=FilterCondition.OR
    ) == {"appId": ["jira", "slack"]}


def test_or_of_single_labels_means_any_of_them() -> None:
    assert wire(f("label", "hr"), f("label", "eu"), condition=FilterCondition.OR) == {
        "anyLabel": ["hr", "eu"]
    }


def test_or_with_one_filter_is_that_filter() -> None:
    assert wire(f("is_starred", "true"), condition=FilterCondition.OR) == {"isStarred": True}


def test_nested_filters_combine() -> None:
    apps = MetadataFilters(
        filters=[f("app_id", "jira"), f("app_id", "github")], condition=FilterCondition.OR
    )
    assert wire(apps, f("created", "2025-01-01", Op.GTE), f("status", "open")) == {
        "appId": ["jira", "github"],
        "createAfterTime": "2025-01-01T00:00:00Z",
        "status": ["open"],
    }


def test_and_repeating_the_same_value_is_fine_and_empty_filters_are_none() -> None:
    assert wire(f("app_id", "jira"), f("appId", "jira")) == {"appId": ["jira"]}
    assert wire() == {}
    assert wire(condition=FilterCondition.OR) == {}
    assert to_search_filters(MetadataFilters(filters=[])) is None


def test_to_search_filters_takes_every_form() -> None:
    expected = SearchFilters(app_id=["jira"])
    assert to_search_filters(None) is None
    assert to_search_filters(expected) is expected
    assert to_search_filters({"appId": "jira"}) == expected
    assert to_search_filters(f("app_id", "jira")) == expected
    assert to_search_filters(MetadataFilters(filters=[f("app_id", "jira")])) == expected


# -- errors -------------------------------------------------------------------------------


def test_unknown_key_names_the_nearest_filters() -> None:
    exc = error(f("app_idd", "jira"))
    assert exc.field == "app_idd"
    assert "app_id" in exc.suggestions
    assert "not an Unleash filter" in exc.message


@pytest.mark.parametrize("op", [Op.NE, Op.NIN])
def test_exclusion_on_list_fields_cannot_be_expressed(op: FilterOperator) -> None:
    exc = error(f("app_id", ["jira"] if op == Op.NIN else "jira", op))
    assert "cannot exclude values" in exc.message
    assert exc.field == "app_id"


def test_all_on_other_list_fields_cannot_be_expressed() -> None:
    assert "only label needs all" in error(f("app_id", ["jira", "slack"], Op.ALL)).message


@pytest.mark.parametrize("op", [Op.TEXT_MATCH, Op.CONTAINS, Op.GT])
def test_other_operators_on_list_fields_cannot_be_expressed(op: FilterOperator) -> None:
    assert (
        f"operator {op.name} on 'app_id' cannot be expressed"
        in error(f("app_id", "jira", op)).message
    )


def test_is_empty_cannot_be_expressed() -> None:
    assert (
        "IS_EMPTY" in error(MetadataFilter(key="status", value=None, operator=Op.IS_EMPTY)).message
    )


def test_bool_field_takes_only_eq_and_ne_with_boolean_values() -> None:
    assert "only EQ and NE" in error(f("is_starred", ["true"], Op.IN)).message
    assert "expected true or false" in error(f("is_starred", "maybe")).message


def test_text_field_takes_only_eq() -> None:
    assert "only EQ" in error(f("working_on", "a", Op.NE)).message


def test_in_needs_a_non_empty_list() -> None:
    assert "needs a list" in error(f("app_id", "jira", Op.IN)).message
    assert "never match" in error(f("app_id", [], Op.IN)).message


def test_empty_text_values_are_refused() -> None:
    assert "expected a text value" in error(f("app_id", " ")).message


def test_time_errors_name_the_problem() -> None:
    assert "needs a date" in error(f("created", "2025-03-01T10:00:00Z")).message
    assert "ISO-8601" in error(f("created", "last week", Op.GT)).message
    assert "ISO-8601" in error(f("created", 1740787200, Op.GT)).message
    assert (
        "use EQ (a date), GT, GTE, LT or LTE" in error(f("created", ["2025-01-01"], Op.IN)).message
    )
    exc = error(f("create_after_time", "2025-01-01", Op.LT))
    assert "lower bound of 'created'" in exc.message
    assert "upper bound of 'due'" in error(f("due_before_time", "2025-01-01", Op.GTE)).message


def test_not_condition_cannot_be_expressed() -> None:
    assert "condition NOT" in error(f("app_id", "jira"), condition=FilterCondition.NOT).message


def test_or_across_fields_cannot_be_expressed() -> None:
    exc = error(f("app_id", "jira"), f("type", "page"), condition=FilterCondition.OR)
    assert "OR across several fields (app_id, type)" in exc.message


def test_or_on_non_list_fields_and_multi_label_parts_cannot_be_expressed() -> None:
    assert (
        "OR on bool field 'is_starred'"
        in error(
            f("is_starred", "true"), f("is_starred", "false"), condition=FilterCondition.OR
        ).message
    )
    assert (
        "OR on list field 'label'"
        in error(
            f("label", ["a", "b"], Op.ALL),
            f("label", ["c", "d"], Op.ALL),
            condition=FilterCondition.OR,
        ).message
    )
    nested = MetadataFilters(filters=[f("app_id", "a"), f("type", "b")])
    assert (
        "OR across several fields"
        in error(nested, f("app_id", "c"), condition=FilterCondition.OR).message
    )


def test_and_giving_one_field_two_values_cannot_be_expressed() -> None:
    exc = error(f("app_id", "jira"), f("app_id", "slack"))
    assert "AND gives 'app_id' two different values" in exc.message
    assert (
        "AND gives 'create_after_time'"
        in error(f("created", "2025-01-01", Op.GT), f("created", "2025-02-01", Op.GT)).message
    )
