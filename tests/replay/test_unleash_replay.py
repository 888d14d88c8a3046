"""The Unleash client against recorded emulator answers (cassettes; sockets blocked)."""

from __future__ import annotations

import pytest

from assistant_bridge import (
    AsyncUnleashClient,
    AuthenticationError,
    PermissionDeniedError,
    SearchFilters,
    UnleashClient,
)
from assistant_bridge.unleash import assemble_chat, assemble_chat_v2

pytestmark = [pytest.mark.vcr, pytest.mark.block_network]

QUESTION = [{"role": "User", "text": "What is our travel policy?"}]


def test_chat_v2_answer_cites_the_resources_its_tools_found() -> None:
    with UnleashClient() as client:
        answer = client.chat_v2(QUESTION)
    assert answer.text.strip()
    assert answer.request_id
    assert answer.tool_steps
    assert {str(step.status) for step in answer.tool_steps} <= {"Start", "End", "Failed"}
    citations = answer.citations()
    assert citations
    found = {r.id for r in answer.resources} | {w.id or w.url for w in answer.web_sources}
    for citation in citations:
        assert 0 <= citation.position <= len(answer.text)
        assert set(citation.reference_ids) <= found


def test_chat_v2_stream_assembles_to_the_same_answer() -> None:
    with UnleashClient() as client:
        whole = client.chat_v2(QUESTION)
        with client.stream_chat_v2(QUESTION) as stream:
            chunks = list(stream)
    assert len([c for c in chunks if c.text]) > 1  # the answer came in pieces
    streamed = assemble_chat_v2(chunks)
    assert streamed.text == whole.text
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
    streamed = assemble_chat(events)
    assert streamed.text == whole.text
    assert whole.text.strip()
    assert {r.app_id for r in whole.resources} <= {"confluence", "google-drive"}
    for citation in whole.citations():
        assert citation.resources


def test_search_filters_and_pages() -> None:
    with UnleashClient() as client:
        everything = client.search("policy", page_size=50)
        jira = client.search("policy", filters={"appId": "jira"}, page_size=50)
        first = client.search("policy", page_size=2)
        second = client.search("policy", page_size=2, next_token=first.next_token)
    assert everything.results
    assert {r.resource.app_id for r in jira.results if r.resource} <= {"jira"}
    assert len(jira.results) < len(everything.results)
    assert len(first.results) == 2
    assert first.next_token
    assert {r.resource.id for r in first.results if r.resource}.isdisjoint(
        {r.resource.id for r in second.results if r.resource}
    )


def test_filter_stats_and_resource_content() -> None:
    with UnleashClient() as client:
        stats = client.filter_stats()
        hit = client.search("travel", page_size=1).results[0]
        assert hit.resource is not None
        assert hit.resource.id
        content = client.resource_content(hit.resource.id)
    assert "appId" in stats.filter_names
    assert content.text.strip()


def test_impersonation_key_without_account_says_what_to_set(monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant_bridge.emulator import EMULATOR_KEYS

    with UnleashClient(EMULATOR_KEYS["unleash_impersonation"]) as client, pytest.raises(
        (AuthenticationError, PermissionDeniedError), match="UNLEASH_ACCOUNT"
    ):
        client.search("travel")


async def test_async_client_chat_v2_stream() -> None:
    async with AsyncUnleashClient() as client:
        stream = await client.stream_chat_v2(QUESTION)
        chunks = [chunk async for chunk in stream]
    assert assemble_chat_v2(chunks).text.strip()
