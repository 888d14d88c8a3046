"""The Unleash client against recorded emulator answers (cassettes; sockets blocked)."""

from __future__ import annotations

from typing import Any

import pytest

from assistant_bridge import (
    AsyncUnleashClient,
    AuthenticationError,
    PermissionDeniedError,
    SearchFilters,
    UnleashClient,
)
from assistant_bridge.unleash import assemble_chat, assemble_chat_v2

from ._recorded import (
    POLICY_PAGE,
    TRAVEL_ANSWER,
    TRAVEL_CITED_SPANS,
    TRAVEL_SOURCES,
    TRAVEL_SUMMARY,
    TRAVEL_WEB_SOURCES,
)

pytestmark = [pytest.mark.vcr, pytest.mark.block_network]

QUESTION = [{"role": "User", "text": "What is our travel policy?"}]


def test_chat_v2_answer_cites_the_resources_its_tools_found() -> None:
    with UnleashClient() as client:
        answer = client.chat_v2(QUESTION)
    assert answer.text == TRAVEL_ANSWER
    assert answer.request_id == "38b56d1abcd2075d"
    assert [(str(step.status), step.tool_id) for step in answer.tool_steps] == [
        ("End", "enterprise_search"),
        ("Failed", "web_search"),
        ("End", "web_search"),
    ]
    assert {str(step.status) for step in answer.tool_steps} <= {"Start", "End", "Failed"}
    assert [r.id for r in answer.resources] == TRAVEL_SOURCES
    assert [w.id for w in answer.web_sources] == TRAVEL_WEB_SOURCES
    citations = answer.citations()
    assert [(c.reference_ids, c.position) for c in citations] == [
        ([source], end) for source, _, end in TRAVEL_CITED_SPANS
    ]
    found = {r.id for r in answer.resources} | {w.id or w.url for w in answer.web_sources}
    for citation in citations:
        assert 0 <= citation.position <= len(answer.text)
        assert set(citation.reference_ids) <= found


def test_chat_v2_stream_assembles_to_the_same_answer() -> None:
    with UnleashClient() as client:
        whole = client.chat_v2(QUESTION)
        with client.stream_chat_v2(QUESTION) as stream:
            chunks = list(stream)
    assert len([c for c in chunks if c.text]) == 23  # the answer came in pieces
    streamed = assemble_chat_v2(chunks)
    assert whole.text == TRAVEL_ANSWER
    assert streamed.text == whole.text
    assert [r.id for r in whole.resources] == TRAVEL_SOURCES
    assert [c.position for c in streamed.citations()] == [c.position for c in whole.citations()]
    assert [r.id for r in streamed.resources] == [r.id for r in whole.resources]


def test_chat_v1_with_filters_streams_typed_events() -> None:
    filters = SearchFilters(app_id=["confluence", "google-drive"])
    with UnleashClient() as client:
        whole = client.chat(QUESTION, filters=filters)
        with client.stream_chat(QUESTION, filters=filters) as stream:
            events = list(stream)
    kinds = [str(e.type) for e in events]
    assert kinds[0] == "Request"
    assert "Message" in kinds
    assert kinds == [
        "Request",
        "Progress",
        "Progress",
        "Progress",
        "Resources",
        "References",
        *["Message"] * 22,
        "Full",
    ]
    streamed = assemble_chat(events)
    assert streamed.text == whole.text
    assert whole.text == TRAVEL_SUMMARY
    assert [(r.id, r.app_id) for r in whole.resources] == [
        ("conf-travel-policy", "confluence"),
        ("conf-onboarding", "confluence"),
    ]
    assert {r.app_id for r in whole.resources} <= {"confluence", "google-drive"}
    citations = whole.citations()
    assert [(c.offset, [r.id for r in c.resources]) for c in citations] == [
        (end, [source]) for source, _, end in TRAVEL_CITED_SPANS[:5]
    ]
    for citation in citations:
        assert citation.resources


def test_search_filters_and_pages() -> None:
    with UnleashClient() as client:
        everything = client.search("policy", page_size=50)
        jira = client.search("policy", filters={"appId": "jira"}, page_size=50)
        first = client.search("policy", page_size=2)
        second = client.search("policy", page_size=2, next_token=first.next_token)

    def ids(results: list[Any]) -> list[str | None]:
        return [r.resource.id if r.resource else None for r in results]

    assert ids(everything.results) == [
        "conf-travel-policy",
        "gmail-travel-update",
        "conf-onboarding",
        "person-maria-okafor",
        "jira-fin-142",
        "cal-travel-qa",
        "gmail-q3-offsite",
    ]
    assert ids(jira.results) == ["jira-fin-142"]
    assert {r.resource.app_id for r in jira.results if r.resource} <= {"jira"}
    assert len(jira.results) < len(everything.results)
    assert len(first.results) == 2
    assert ids(first.results) == ["conf-travel-policy", "gmail-travel-update"]
    assert first.next_token == "eyJvIjoyLCJrIjoiYTY0MTIwZDRkNmJhZWMwZCJ9"
    assert ids(second.results) == ["conf-onboarding", "person-maria-okafor"]
    assert {r.resource.id for r in first.results if r.resource}.isdisjoint(
        {r.resource.id for r in second.results if r.resource}
    )


def test_filter_stats_and_resource_content() -> None:
    with UnleashClient() as client:
        stats = client.filter_stats()
        hit = client.search("travel", page_size=1).results[0]
        assert hit.resource is not None
        assert hit.resource.id == "conf-travel-policy"
        content = client.resource_content(hit.resource.id)
    assert "appId" in stats.filter_names
    assert stats.filter_names == [
        "appId",
        "type",
        "class",
        "label",
        "status",
        "cycle",
        "createdBy",
        "assignedTo",
        "reporter",
        "topic",
        "department",
        "location",
        "jobTitle",
        "fileTypeGroup",
        "extension",
        "costCenter",
    ]
    assert content.text == POLICY_PAGE


def test_impersonation_key_without_account_says_what_to_set(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from assistant_bridge.emulator import EMULATOR_KEYS

    with (
        UnleashClient(EMULATOR_KEYS["unleash_impersonation"]) as client,
        pytest.raises((AuthenticationError, PermissionDeniedError), match="UNLEASH_ACCOUNT"),
    ):
        client.search("travel")


async def test_async_client_chat_v2_stream() -> None:
    async with AsyncUnleashClient() as client:
        stream = await client.stream_chat_v2(QUESTION)
        chunks = [chunk async for chunk in stream]
    assert assemble_chat_v2(chunks).text == TRAVEL_ANSWER
