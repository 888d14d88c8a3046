"""SearchFilters: every documented field, its wire name and type, and bad names caught early."""

from __future__ import annotations

import datetime as dt

import pytest

from assistant_bridge import InvalidRequestError, SearchFilters
from assistant_bridge.unleash import FILTER_FIELDS, TIME_FIELD_PAIRS

# The SearchFilters properties of seed 000 (and the v1 OpenAPI), in the vendor's order.
API_LISTS = [
    "resourceId",
    "rsvp",
    "appId",
    "type",
    "label",
    "anyLabel",
    "sentTo",
    "sentFrom",
    "createdBy",
    "modifiedBy",
    "reporter",
    "assignedTo",
    "reviewer",
    "class",
    "sharedBy",
    "sharedWith",
    "linkId",
    "status",
    "cycle",
    "extension",
    "jobTitle",
    "location",
    "department",
    "managedBy",
    "participants",
    "topic",
    "mentioned",
    "pathPrefix",
    "path",
    "fileTypeGroup",
    "relatedContacts",
]
API_BOOLS = ["isStarred", "hasAttachments", "isManager", "hasLinks"]
API_TIMES = [
    "fromTime",
    "untilTime",
    "createBeforeTime",
    "createAfterTime",
    "modifiedBeforeTime",
    "modifiedAfterTime",
    "dueBeforeTime",
    "dueAfterTime",
    "eventTimeFrameStart",
    "eventTimeFrameEnd",
]
API_STRINGS = ["recentActivityFor", "workingOn"]


def test_every_documented_filter_is_a_field_of_the_right_kind() -> None:
    by_api = {f.api_name: f for f in FILTER_FIELDS}
    assert len(FILTER_FIELDS) == 47
    assert set(by_api) == {*API_LISTS, *API_BOOLS, *API_TIMES, *API_STRINGS}
    assert {by_api[n].kind for n in API_LISTS} == {"list"}
    assert {by_api[n].kind for n in API_BOOLS} == {"bool"}
    assert {by_api[n].kind for n in API_TIMES} == {"time"}
    assert {by_api[n].kind for n in API_STRINGS} == {"str"}
    assert by_api["class"].name == "class_"
    assert by_api["fileTypeGroup"].name == "file_type_group"


@pytest.mark.parametrize("field", FILTER_FIELDS, ids=lambda f: f.name)
def test_each_field_serialises_to_its_api_name(field: object) -> None:
    from assistant_bridge.unleash import FilterField

    assert isinstance(field, FilterField)
    value: object = {
        "list": ["v1", "v2"],
        "bool": True,
        "time": "2025-03-01T00:00:00Z",
        "str": "me",
    }[field.kind]
    expected = value
    assert SearchFilters(**{field.name: value}).to_wire() == {field.api_name: expected}
    # the camelCase name is accepted too, in the constructor and in a dict
    assert SearchFilters(**{field.api_name: value}).to_wire() == {field.api_name: expected}
    parsed = SearchFilters.from_any({field.api_name: value})
    assert parsed is not None
    assert parsed.to_wire() == {field.api_name: expected}


def test_a_single_string_is_a_one_item_list_and_iterables_become_lists() -> None:
    filters = SearchFilters(app_id="jira", label=("a", "b"), class_="x")
    assert filters.to_wire() == {"appId": ["jira"], "label": ["a", "b"], "class": ["x"]}


def test_datetimes_and_dates_become_iso_8601_with_a_zone() -> None:
    berlin = dt.timezone(dt.timedelta(hours=2))
    filters = SearchFilters(
        create_after_time=dt.datetime(2025, 3, 1, 9, 30),
        create_before_time=dt.datetime(2025, 3, 2, 9, 30, tzinfo=berlin),
        due_before_time=dt.date(2025, 4, 1),
        from_time=" 2025-01-01T00:00:00Z ",
    )
    assert filters.to_wire() == {
        "createAfterTime": "2025-03-01T09:30:00Z",
        "createBeforeTime": "2025-03-02T09:30:00+02:00",
        "dueBeforeTime": "2025-04-01T00:00:00Z",
        "fromTime": "2025-01-01T00:00:00Z",
    }


def test_extra_custom_properties_are_sent_as_given() -> None:
    filters = SearchFilters(app_id="jira", extra={"customerTier": ["gold"]})
    assert filters.to_wire() == {"appId": ["jira"], "customerTier": ["gold"]}
    assert SearchFilters.from_any({"extra": {"x": 1}}).to_wire() == {"x": 1}  # type: ignore[union-attr]
    with pytest.raises(InvalidRequestError, match="pass it as app_id") as info:
        SearchFilters(extra={"appId": ["jira"]})
    assert info.value.field == "filters.extra.appId"


def test_unknown_name_lists_the_nearest_valid_names() -> None:
    with pytest.raises(InvalidRequestError) as info:
        SearchFilters(app_ids=["jira"])
    assert info.value.field == "filters.app_ids"
    assert "app_id" in info.value.suggestions
    assert "did you mean app_id" in str(info.value)
    with pytest.raises(InvalidRequestError, match="created_by"):
        SearchFilters.from_any({"createdBY": "ana"})


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"app_id": 5}, "filters.app_id"),
        ({"app_id": [1, 2]}, "filters.app_id.0"),
        ({"is_starred": "maybe"}, "filters.is_starred"),
        ({"from_time": "  "}, "filters.from_time"),
        ({"recent_activity_for": ["a"]}, "filters.recent_activity_for"),
    ],
)
def test_wrong_value_types_name_the_field(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidRequestError) as info:
        SearchFilters(**kwargs)
    assert info.value.field == field
    assert field in str(info.value)


def test_from_any_rejects_non_mappings_and_passes_none_and_instances() -> None:
    assert SearchFilters.from_any(None) is None
    filters = SearchFilters(type="page")
    assert SearchFilters.from_any(filters) is filters
    with pytest.raises(InvalidRequestError, match="filters: must be SearchFilters or a dict"):
        SearchFilters.from_any(["app_id"])  # type: ignore[arg-type]


def test_is_empty_and_merged() -> None:
    assert SearchFilters().is_empty()
    assert not SearchFilters(is_starred=False).is_empty()
    base = SearchFilters(app_id="jira", type="ticket", extra={"a": 1})
    merged = base.merged({"type": "page", "extra": {"b": 2}})
    assert merged.to_wire() == {"appId": ["jira"], "type": ["page"], "a": 1, "b": 2}
    assert base.to_wire() == {"appId": ["jira"], "type": ["ticket"], "a": 1}  # unchanged
    assert base.merged(None) is base


def test_time_field_pairs_name_real_fields() -> None:
    names = {f.name for f in FILTER_FIELDS if f.kind == "time"}
    paired = {name for pair in TIME_FIELD_PAIRS.values() for name in pair}
    assert paired == names


def test_class_and_class_underscore_together_are_refused() -> None:
    with pytest.raises(InvalidRequestError, match="given twice"):
        SearchFilters(**{"class": ["a"], "class_": ["b"]})
