"""The emulator's corpus, filters, ranking and extractive answers (pure functions, no I/O)."""

from __future__ import annotations

from typing import Any

import pytest

from assistant_bridge.emulator._composer import compose, question_of
from assistant_bridge.emulator._corpus import load_corpus
from assistant_bridge.emulator._filtering import FILTERS, FilterSet, check_filters
from assistant_bridge.emulator._text import best_sentences, rank, summary, terms
from assistant_bridge.unleash import FILTER_FIELDS

CORPUS = load_corpus()
ALEX = "alex.morgan@brightwater.example"
LI = "li.chen@brightwater.example"
MARIA = "maria.okafor@brightwater.example"

# One value per documented filter, and the ids it must select (exactly).
SAMPLES: dict[str, tuple[Any, set[str] | None]] = {
    "resourceId": (["jira-eng-88", "nope"], {"jira-eng-88"}),
    "isStarred": (True, {"conf-travel-policy", "conf-billing-service", "gmail-q3-offsite"}),
    "hasAttachments": (True, {"gmail-q3-offsite", "gmail-phishing-test"}),
    "rsvp": (["declined", "tentative"], set()),
    "appId": (["slack"], {"slack-ask-finance-rail", "slack-incidents-502"}),
    "type": (["event"], {"cal-travel-qa", "cal-q3-offsite", "cal-eng-sync"}),
    "label": (["finance", "travel"], {"conf-travel-policy", "jira-fin-142", "jira-fin-151"}),
    "anyLabel": (["ci", "p1"], {"jira-eng-88", "jira-bill-311"}),
    "sentTo": (["leads@brightwater.example"], {"gmail-q3-offsite"}),
    "sentFrom": (["PRIYA.NAIR@brightwater.example"], {"gmail-phishing-test"}),
    "createdBy": (
        ["dana.whitfield@brightwater.example"],
        {"gmail-q3-offsite", "cal-q3-offsite", "drive-q3-plan"},
    ),
    "modifiedBy": (["sam.patel@brightwater.example"], None),
    "reporter": (["priya.nair@brightwater.example"], {"jira-bill-311", "jira-sec-19"}),
    "assignedTo": ([ALEX], {"jira-sec-19"}),
    "reviewer": (["dana.whitfield@brightwater.example"], {"jira-fin-142", "jira-fin-151"}),
    "fromTime": (
        "2025-05-29T00:00:00Z",
        {"drive-q3-plan", "jira-bill-311", "cal-eng-sync", "cal-q3-offsite"},
    ),
    "untilTime": ("2025-01-20", {i.id for i in CORPUS.items if i.app_id == "bamboohr"}),
    "createBeforeTime": ("2020-01-01T00:00:00Z", {"person-dana-whitfield"}),
    "createAfterTime": ("2025-05-26T07:52:00Z", {"cal-q3-offsite", "slack-ask-finance-rail"}),
    "modifiedBeforeTime": ("2024-01-01T00:00:00Z", set()),
    "modifiedAfterTime": ("2025-05-30T00:00:00Z", {"jira-bill-311", "cal-eng-sync"}),
    "dueBeforeTime": ("2025-03-01T00:00:00Z", {"jira-fin-142"}),
    "dueAfterTime": ("2025-06-10T00:00:00Z", {"jira-fin-151", "jira-sec-19"}),
    "class": (
        ["task"],
        {"jira-fin-142", "jira-fin-151", "jira-bill-311", "jira-eng-88", "jira-sec-19"},
    ),
    "sharedBy": (["sam.patel@brightwater.example"], {"drive-headcount"}),
    "sharedWith": (["maria.okafor@brightwater.example"], {"drive-headcount"}),
    "linkId": (["https://grafana.brightwater.example/d/billing"], {"conf-billing-service"}),
    "eventTimeFrameStart": ("2025-06-01T00:00:00Z", {"cal-q3-offsite", "cal-eng-sync"}),
    "eventTimeFrameEnd": ("2025-03-31T00:00:00Z", {"cal-travel-qa"}),
    "status": (["in progress"], {"jira-fin-151", "jira-bill-311"}),
    "cycle": (["Sprint 24"], {"jira-bill-311", "jira-sec-19"}),
    "extension": (["pdf"], {"drive-expense-checklist"}),
    "jobTitle": (["Finance Director"], {"person-maria-okafor"}),
    "location": (["Berlin"], {"person-li-chen"}),
    "department": (["Engineering"], {"person-alex-morgan", "person-li-chen", "person-priya-nair"}),
    "managedBy": ([ALEX], {"person-li-chen", "person-priya-nair"}),
    "isManager": (False, {"person-li-chen", "person-priya-nair", "person-sam-patel"}),
    "participants": (
        [LI],
        {"slack-ask-finance-rail", "cal-travel-qa", "cal-eng-sync", "slack-incidents-502"},
    ),
    "topic": (["hiring"], {"drive-headcount"}),
    "hasLinks": (True, None),
    "mentioned": (["priya.nair@brightwater.example"], {"conf-billing-service", "conf-onboarding"}),
    "pathPrefix": (["/engineering/"], {"conf-billing-service", "conf-postmortem-billing"}),
    "path": (["/FIN"], {"jira-fin-142", "jira-fin-151"}),
    "fileTypeGroup": (["spreadsheet", "presentation"], {"drive-headcount", "drive-q3-plan"}),
    "relatedContacts": ([MARIA], {"person-sam-patel", "person-dana-whitfield"}),
    "recentActivityFor": (
        LI,
        {
            "jira-bill-311",
            "jira-eng-88",
            "slack-ask-finance-rail",
            "slack-incidents-502",
            "cal-eng-sync",
            "conf-billing-service",
            "conf-postmortem-billing",
        },
    ),
    "workingOn": (ALEX, {"jira-bill-311", "jira-sec-19"}),
}


def select(filters: dict[str, Any], user: str = ALEX) -> set[str]:
    return {item.id for item in FilterSet(filters, CORPUS, user).select(CORPUS.items)}


def test_every_client_filter_is_understood_by_the_emulator() -> None:
    assert {f.api_name for f in FILTER_FIELDS} == set(FILTERS)
    kinds = {f.api_name: f.kind for f in FILTER_FIELDS}
    assert kinds == FILTERS


@pytest.mark.parametrize("name", sorted(FILTERS))
def test_each_filter_selects_a_proper_subset(name: str) -> None:
    value, expected = SAMPLES[name]
    assert not check_filters({name: value}, CORPUS, "filters")
    found = select({name: value})
    if name == "rsvp":
        assert select({name: ["accepted"]}) == {"cal-travel-qa", "cal-q3-offsite", "cal-eng-sync"}
        assert select({name: ["declined"]}, user=LI) == {"cal-travel-qa"}
    if expected is None:
        assert found
        assert len(found) < len(CORPUS.items)
    else:
        assert found == expected


def test_filters_combine_with_and_and_null_means_unset() -> None:
    assert select({"appId": ["jira"], "status": ["Done"], "topic": None}) == {
        "jira-fin-142",
        "jira-eng-88",
    }
    assert select({"appId": []}) == {i.id for i in CORPUS.items}


def test_custom_properties_of_the_tenant_are_filters() -> None:
    assert select({"costCenter": ["CC-410"]}) == {"conf-billing-service", "drive-headcount"}


@pytest.mark.parametrize(
    ("filters", "key", "fragment"),
    [
        ({"appId": "jira"}, "filters.appId", "array of strings"),
        ({"appId": [1]}, "filters.appId", "array of strings"),
        ({"isStarred": "true"}, "filters.isStarred", "true, false or null"),
        ({"fromTime": "yesterday"}, "filters.fromTime", "ISO-8601"),
        ({"workingOn": ["x"]}, "filters.workingOn", "a string"),
    ],
)
def test_bad_filters_are_reported_per_field(
    filters: dict[str, Any], key: str, fragment: str
) -> None:
    errors = check_filters(filters, CORPUS, "filters")
    assert list(errors) == [key]
    assert fragment in errors[key][0]


@pytest.mark.parametrize("value", [["x"], "x", True, 3, {"a": 1}, None, []])
def test_extra_filter_properties_are_never_errors(value: Any) -> None:
    """SearchFilters ends in `property*`: any other key is allowed, whatever its value."""
    assert check_filters({"appID": value, "regionCode": value}, CORPUS, "filters") == {}


def test_extra_properties_filter_where_the_corpus_has_them() -> None:
    assert select({"costCenter": "CC-410"}) == {"conf-billing-service", "drive-headcount"}
    assert select({"regionCode": ["EU"]}) == set(), "a property no item has matches nothing"
    assert select({"costCenter": [1]}) == set(), "a value that is not strings matches nothing"
    assert select({"regionCode": []}) == select({}), "an empty list filters nothing"


def test_terms_stem_and_drop_stop_words() -> None:
    assert terms("What are our travelling policies?") == ["travel", "policy"]
    assert terms("services") == terms("service")


def test_ranking_is_deterministic_and_prefers_the_policy_page() -> None:
    first = rank(CORPUS.items, "What is our travel policy?")
    assert first == rank(CORPUS.items, "What is our travel policy?")
    assert first[0].item.id == "conf-travel-policy"
    assert rank(CORPUS.items, "quantum chromodynamics") == []


def test_summary_and_best_sentences() -> None:
    policy = CORPUS.get("conf-travel-policy")
    assert policy is not None
    outline = summary(policy, 5)
    assert outline[0].startswith("This policy applies")
    assert len(outline) == 5
    assert best_sentences(policy, "hotel cap London", 1) == [
        "Hotels are capped at 180 EUR per night in most cities and at 250 EUR per night in London, "
        "New York and Zurich."
    ]


def test_travel_answer_is_extractive_and_cited() -> None:
    answer = compose(
        "What is our travel policy?", CORPUS.items, web=CORPUS.web, company=CORPUS.company
    )
    policy = CORPUS.get("conf-travel-policy")
    assert policy is not None
    cited = [s for s in answer.segments if s.cites]
    assert answer.cited[0] == "conf-travel-policy"
    for segment in cited:
        source = CORPUS.get(segment.cites[0])
        assert source is not None
        body = segment.text.strip().removeprefix("- ")
        assert all(part in source.content for part in body.split(". ") if part), (
            "every sentence is quoted"
        )
    assert [p.id for p in answer.web] == ["web-per-diem", "web-rail-emissions"]


def test_no_match_and_empty_questions() -> None:
    nothing = compose("quantum chromodynamics", CORPUS.items, company=CORPUS.company)
    assert not nothing.cited
    assert "could not find" in nothing.text
    assert not compose("?", CORPUS.items, company=CORPUS.company).cited


def test_a_short_follow_up_borrows_the_earlier_question() -> None:
    assert (
        question_of(["Who owns billing?", "and the runbook?"], CORPUS.items) == "and the runbook?"
    )
    assert (
        question_of(["Who owns billing?", "and then?"], CORPUS.items)
        == "Who owns billing? and then?"
    )
