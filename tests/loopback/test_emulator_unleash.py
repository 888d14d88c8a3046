"""The emulated Unleash API over loopback HTTP, driven by the package's own UnleashClient."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from assistant_bridge import (
    AuthenticationError,
    BadRequestError,
    NotFoundError,
    PermissionDeniedError,
)
from assistant_bridge.emulator import EMULATOR_KEYS, EmulatorURL, run_emulator
from assistant_bridge.unleash import UnleashClient, assemble_chat, assemble_chat_v2

QUESTION = [{"role": "User", "text": "What is our travel policy?"}]
AUTH = {"authorization": f"Bearer {EMULATOR_KEYS['unleash']}"}


@pytest.fixture(scope="module")
def base_url() -> Iterator[EmulatorURL]:
    with run_emulator() as url:
        yield url


@pytest.fixture
def client(base_url: EmulatorURL) -> Iterator[UnleashClient]:
    httpx.post(f"{base_url}/_emulator/reset")
    with UnleashClient(EMULATOR_KEYS["unleash"], base_url=base_url.unleash, max_retries=0) as c:
        yield c


def test_chat_v1_answers_with_inline_references_to_the_travel_policy(client: UnleashClient) -> None:
    answer = client.chat(QUESTION)
    assert "Every business trip must be approved by your manager in Navan" in answer.text
    citations = answer.citations()
    assert citations, "the answer cites its sources"
    assert {r.id for c in citations for r in c.resources} >= {"conf-travel-policy"}
    assert answer.request_id
    assert answer.thread_id
    policy = next(r for r in answer.resources if r.id == "conf-travel-policy")
    assert policy.app_id == "confluence"
    assert policy.type == "page"
    assert policy.url


def test_v1_stream_assembles_to_the_same_answer_as_json(client: UnleashClient) -> None:
    with client.stream_chat(QUESTION) as stream:
        events = list(stream)
    kinds = [str(e.type) for e in events]
    assert kinds[:6] == ["Request", "Progress", "Progress", "Progress", "Resources", "References"]
    assert [str(e.code) for e in events[1:4]] == ["file_search", "web_search", "web_search_retry"]
    assert kinds[-1] == "Full"
    assert kinds.count("Message") > 5
    streamed = assemble_chat(events[:-1])  # without Full: the deltas alone
    whole = client.chat(QUESTION)
    assert streamed.text == whole.text
    assert [c.indices for c in streamed.citations()] == [c.indices for c in whole.citations()]


def test_v2_stream_has_tool_steps_references_and_sources(client: UnleashClient) -> None:
    with client.stream_chat_v2(QUESTION) as stream:
        chunks = list(stream)
    answer = assemble_chat_v2(chunks)
    steps = {s.tool_id: s for s in answer.tool_steps}
    assert str(steps["enterprise_search"].status) == "End"
    assert any(r.id == "conf-travel-policy" for r in steps["enterprise_search"].resources)
    assert steps["web_search"].web_sources, "the web-search tool found pages"
    assert answer.references
    assert answer.sources_ids == ["conf-travel-policy", "gmail-travel-update"]
    for citation in answer.citations():
        before = answer.text[: citation.position]
        assert before.endswith((".", "!", "?")), "a reference sits right after the text it cites"
        assert citation.resources
    assert answer.text == client.chat_v2(QUESTION).text


def test_v2_cites_web_sources_when_the_web_matches(client: UnleashClient) -> None:
    answer = client.chat_v2([{"role": "User", "text": "What does a 502 error mean for billing?"}])
    cited = [w.id for c in answer.citations() for w in c.web_sources]
    assert cited == ["web-502"]


def test_same_request_gives_the_same_bytes(base_url: EmulatorURL) -> None:
    body = {"messages": QUESTION, "stream": True}
    first = httpx.post(f"{base_url}/chats", json=body, headers=AUTH)
    second = httpx.post(f"{base_url}/chats", json=body, headers=AUTH)
    assert first.content == second.content
    assert first.status_code == 200
    sse = {**AUTH, "accept": "text/event-stream"}
    v2 = [
        httpx.post(f"{base_url}/chats/v2", json={"messages": QUESTION}, headers=sse)
        for _ in range(2)
    ]
    assert v2[0].content == v2[1].content
    assert v2[0].headers["content-type"].startswith("text/event-stream")


def test_v1_stream_is_framed_as_data_lines(base_url: EmulatorURL) -> None:
    response = httpx.post(
        f"{base_url}/chats", json={"messages": QUESTION, "stream": True}, headers=AUTH
    )
    blocks = [b for b in response.text.split("\n\n") if b]
    assert all(b.startswith("data: {") and "\n" not in b for b in blocks)


def test_a_thread_gives_context_to_a_follow_up(client: UnleashClient) -> None:
    first = client.chat([{"role": "User", "text": "Who owns the billing service?"}])
    follow = client.chat(
        [{"role": "User", "text": "and what happened on 12 May?"}], thread_id=first.thread_id
    )
    assert follow.thread_id == first.thread_id
    assert "Billing API returned 502 errors" in follow.text


def test_filters_narrow_what_chat_cites(client: UnleashClient) -> None:
    answer = client.chat(QUESTION, filters={"app_id": ["jira"]})
    assert answer.resources
    assert {r.app_id for r in answer.resources} == {"jira"}


def test_search_pages_with_next_token(client: UnleashClient) -> None:
    first = client.search("travel", page_size=3)
    assert first.total_results is not None
    assert first.total_results > 3
    seen = [r.resource.id for r in first.results if r.resource]
    token = first.next_token
    while token:
        page = client.search("travel", page_size=3, next_token=token)
        seen += [r.resource.id for r in page.results if r.resource]
        token = page.next_token
    assert len(seen) == len(set(seen)) == first.total_results
    assert first.results[0].highlights
    assert first.results[0].snippet


def test_search_sorts(client: UnleashClient) -> None:
    titles = [
        r.resource.title or ""
        for r in client.search("", sort="alphabetical", page_size=100).results
        if r.resource
    ]
    assert all(titles)
    assert titles == sorted(titles, key=str.lower)
    recent = client.search("", filters={"type": ["ticket"]}, sort=("recency", "ascending")).results
    times = [r.resource.data["modifiedTime"] for r in recent if r.resource and r.resource.data]
    assert times == sorted(times)


def test_search_token_from_another_query_is_rejected(client: UnleashClient) -> None:
    token = client.search("travel", page_size=2).next_token
    with pytest.raises(BadRequestError) as info:
        client.search("billing", page_size=2, next_token=token)
    assert "paging.nextToken" in info.value.errors


def test_filter_stats_and_resource_content(client: UnleashClient) -> None:
    stats = client.filter_stats()
    assert {"confluence", "jira", "gmail", "google-calendar", "google-drive", "slack"} <= set(
        stats.available_filters["appId"]
    )
    content = client.resource_content("conf-travel-policy")
    assert len(content.parts) == 5
    assert "180 EUR per night" in content.text
    with pytest.raises(NotFoundError):
        client.resource_content("no-such-resource")


def test_wrong_key_is_401(base_url: EmulatorURL) -> None:
    with (
        UnleashClient("not-the-key", base_url=base_url, max_retries=0) as bad,
        pytest.raises(AuthenticationError),
    ):
        bad.search("travel")


def test_impersonation_key_needs_the_account_header(base_url: EmulatorURL) -> None:
    key = EMULATOR_KEYS["unleash_impersonation"]
    with (
        UnleashClient(key, base_url=base_url, max_retries=0) as admin,
        pytest.raises(AuthenticationError) as info,
    ):
        admin.chat(QUESTION)
    assert info.value.problem.reason == "Missing impersonation header"
    assert "UNLEASH_ACCOUNT" in str(info.value)
    with UnleashClient(key, base_url=base_url, account="li.chen@brightwater.example") as admin:
        assert admin.chat(QUESTION).text
        starred = admin.search("", filters={"is_starred": True})
    assert starred.total_results == 0, "Li starred nothing; the default user did"
    stranger = UnleashClient(key, base_url=base_url, account="nobody@else.example", max_retries=0)
    with stranger, pytest.raises(PermissionDeniedError):
        stranger.search("travel")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"messages": []}, "messages"),
        ({}, "messages"),
        ({"messages": [{"role": "Robot", "text": "hi"}]}, "messages[0].role"),
        ({"messages": [{"role": "User", "text": 5}]}, "messages[0].text"),
        (
            {"messages": QUESTION, "enterpriseSearch": {"filters": {"appId": "jira"}}},
            "enterpriseSearch.filters.appId",
        ),
        (
            {"messages": QUESTION, "enterpriseSearch": {"filters": {"isStarred": "yes"}}},
            "enterpriseSearch.filters.isStarred",
        ),
        (
            {"messages": QUESTION, "enterpriseSearch": {"filters": {"fromTime": "last week"}}},
            "enterpriseSearch.filters.fromTime",
        ),
    ],
)
def test_invalid_chat_bodies_are_400_problems(
    base_url: EmulatorURL, body: dict[str, object], field: str
) -> None:
    response = httpx.post(f"{base_url}/chats", json=body, headers=AUTH)
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert field in problem["errors"]
    assert problem["status"] == 400
    assert problem["requestId"] == response.headers["requestid"]


@pytest.mark.parametrize(
    "body",
    [
        {"messages": [{"role": "User", "text": "  "}]},
        {"messages": [{"text": "What is our travel policy?"}]},
        {
            "messages": [
                {"role": "User", "text": None},
                {"role": "User", "text": "What is our travel policy?"},
            ]
        },
        {"messages": QUESTION, "enterpriseSearch": {"filters": {"appID": ["jira"]}}},
    ],
)
def test_what_the_documents_allow_is_answered(
    base_url: EmulatorURL, body: dict[str, object]
) -> None:
    """No `role` (not required), a null or blank `text`, an extra filter property (`property*`)."""
    response = httpx.post(f"{base_url}/chats", json=body, headers=AUTH)
    assert response.status_code == 200, response.text
    assert response.json()["message"]["parts"]


def test_lower_case_roles_are_accepted(base_url: EmulatorURL) -> None:
    body = {"messages": [{"role": "user", "text": "What is our travel policy?"}]}
    assert httpx.post(f"{base_url}/chats", json=body, headers=AUTH).status_code == 200


def test_answers_and_filter_options(base_url: EmulatorURL) -> None:
    answer = httpx.post(
        f"{base_url}/answers", json={"query": "Who owns the billing service?"}, headers=AUTH
    ).json()
    assert "[1]" in answer["answer"]
    assert answer["references"][0]["resource"]["id"] == "conf-billing-service"
    options = httpx.post(
        f"{base_url}/filters", json={"name": "status", "query": "pro"}, headers=AUTH
    ).json()
    assert [o["value"] for o in options["options"]] == ["In Progress"]


def test_unknown_path_is_a_problem(base_url: EmulatorURL) -> None:
    response = httpx.get(f"{base_url}/no/such/path", headers=AUTH)
    assert response.status_code == 404
    assert response.json()["title"] == "Not Found"
