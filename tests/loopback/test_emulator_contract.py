"""The emulated Unleash API against the vendor's documented contract (issue 12's fixes).

Each test pins one thing the documents say (or allow) and the emulator used to get
wrong: the dialects, the ``/e-api`` prefix of the JS SDK's tenant hosts, a ``RequestId``
on every response, extra ``SearchFilters`` properties, no invented page-size cap,
``unleash-account`` on any key, ``Accept`` q-values, the body-size limit, a client that
disconnects mid-stream, and the tool statuses, progress codes and resources the
documents name but the emulator never sent.
"""

from __future__ import annotations

import json
import logging
import socket
import struct
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from assistant_bridge import APIStatusError, SearchFilters
from assistant_bridge.emulator import (
    DIALECT_HEADER,
    EMULATOR_KEYS,
    VARIANT_HEADER,
    EmulatorURL,
    run_emulator,
)
from assistant_bridge.unleash import AsyncUnleashClient, UnleashClient

AUTH = {"authorization": f"Bearer {EMULATOR_KEYS['unleash']}"}
QUESTION = [{"role": "User", "text": "What is our travel policy?"}]
SSE = {"accept": "text/event-stream"}


@pytest.fixture(scope="module")
def url() -> Iterator[EmulatorURL]:
    with run_emulator(
        dialect="documented"
    ) as base:  # the documented contract, whatever the default
        yield base


@pytest.fixture
def client(url: EmulatorURL) -> Iterator[UnleashClient]:
    httpx.post(f"{url}/_emulator/reset")
    with UnleashClient(EMULATOR_KEYS["unleash"], base_url=url.unleash, max_retries=0) as c:
        yield c


def post(url: str, path: str, body: Any, **headers: str) -> httpx.Response:
    return httpx.post(f"{url}{path}", json=body, headers={**AUTH, **headers})


def sse_chunks(response: httpx.Response) -> list[dict[str, Any]]:
    return [
        json.loads(line[6:]) for line in response.text.splitlines() if line.startswith("data: {")
    ]


# -- dialects -----------------------------------------------------------------------------
def test_the_documented_dialect_sends_no_v2_thread_id_or_plural_references(
    url: EmulatorURL,
) -> None:
    chunks = sse_chunks(post(url, "/chats/v2", {"messages": QUESTION}, **SSE))
    assert all("threadId" not in c for c in chunks)
    whole = post(url, "/chats/v2", {"messages": QUESTION}).json()
    assert set(whole) == {
        "text",
        "toolCalls",
        "reference",
        "sources",
        "tool",
        "requestId",
    }  # seed 001


def test_the_extended_dialect_adds_the_inferred_fields(url: EmulatorURL) -> None:
    extended = {DIALECT_HEADER: "extended"}
    chunks = sse_chunks(post(url, "/chats/v2", {"messages": QUESTION}, **SSE, **extended))
    assert chunks[0]["threadId"]
    whole = post(url, "/chats/v2", {"messages": QUESTION}, **extended).json()
    assert whole["threadId"]
    assert len(whole["references"]) > 1
    assert whole["reference"] == whole["references"][0]


def test_a_dialect_chosen_at_start_applies_to_every_request() -> None:
    with run_emulator(dialect="extended") as base:
        assert httpx.get(f"{base}/_emulator/status").json()["dialect"] == "extended"
        with UnleashClient(EMULATOR_KEYS["unleash"], base_url=base) as client:
            assert client.chat_v2(QUESTION).thread_id
            documented = client.chat_v2(QUESTION, extra_headers={DIALECT_HEADER: "documented"})
    assert documented.thread_id is None


def test_unknown_dialects_and_variants_are_refused(url: EmulatorURL) -> None:
    bad = post(url, "/search", {"query": "x"}, **{DIALECT_HEADER: "chatty"})
    assert bad.status_code == 400
    assert "documented, extended" in bad.json()["detail"]
    bad = post(url, "/search", {"query": "x"}, **{VARIANT_HEADER: "v2-text=sometimes"})
    assert bad.status_code == 400
    assert "v2-text: must be one of delta, snapshot" in bad.json()["detail"]
    with pytest.raises(ValueError, match="unknown variant 'v9'"), run_emulator(variants="v9=x"):
        pass


# -- where the API is served, and what every answer carries -------------------------------
def test_the_api_is_also_served_under_e_api_as_the_js_sdk_addresses_a_tenant(
    url: EmulatorURL,
) -> None:
    """The SDK turns a tenant URL into ``<tenant>/e-api`` (its api-client.ts host rules)."""
    with UnleashClient(EMULATOR_KEYS["unleash"], base_url=url.unleash_tenant) as tenant:
        assert tenant.search("travel").total_results
        assert "Navan" in tenant.chat_v2(QUESTION).text


def test_every_unleash_response_has_a_request_id_header(url: EmulatorURL) -> None:
    answers = [
        post(url, "/chats", {"messages": QUESTION}),
        post(url, "/chats", {"messages": QUESTION, "stream": True}),
        post(url, "/chats/v2", {"messages": QUESTION}),
        post(url, "/chats/v2", {"messages": QUESTION}, **SSE),
        post(url, "/search", {"query": "travel"}),
        post(url, "/filters/stats", {}),
        post(url, "/filters", {"name": "appId"}),
        post(url, "/answers", {"query": "travel policy"}),
        httpx.get(f"{url}/resources/conf-travel-policy/content", headers=AUTH),
        httpx.get(f"{url}/resources/nothing-here/content", headers=AUTH),
        post(url, "/search", {"query": 5}),
        post(url, "/search", {"query": "x"}, authorization="Bearer wrong"),
        post(url, "/e-api/filters/stats", {}),
    ]
    assert [a.status_code for a in answers] == [200] * 9 + [404, 400, 401, 200]
    assert all(a.headers.get("requestid") for a in answers), [a.request.url for a in answers]


# -- SearchFilters and paging --------------------------------------------------------------
def test_extra_filter_properties_are_accepted_and_filter_where_the_corpus_has_them(
    client: UnleashClient,
) -> None:
    cost_center = client.search(
        "", filters=SearchFilters(extra={"costCenter": ["CC-410"]}), page_size=50
    )
    assert {h.resource.id for h in cost_center.results if h.resource} == {
        "conf-billing-service",
        "drive-headcount",
    }
    unknown = client.search("", filters=SearchFilters(extra={"regionCode": ["EU"]}))
    assert unknown.total_results == 0, "a property no resource has matches nothing, and is no error"


def test_no_page_size_cap_is_invented(client: UnleashClient) -> None:
    everything = client.search("", page_size=150)
    assert everything.total_results == len(everything.results) > 20
    assert everything.next_token is None


def test_search_retrievers_ask_for_more_than_a_hundred(url: EmulatorURL) -> None:
    from assistant_bridge.langchain import UnleashSearchRetriever
    from assistant_bridge.llama_index import UnleashRetriever

    key, base = EMULATOR_KEYS["unleash"], url.unleash
    docs = UnleashSearchRetriever(k=150, api_key=key, base_url=base).invoke("a")
    nodes = UnleashRetriever(similarity_top_k=150, api_key=key, base_url=base).retrieve("a")
    assert len(docs) == len(nodes) > 10


# -- auth ------------------------------------------------------------------------------------
def test_unleash_account_is_honoured_with_any_key(url: EmulatorURL) -> None:
    """Seed 000: the header names the user to act as; the emulator ignored it for normal keys."""
    starred = {"is_starred": True}
    with UnleashClient(EMULATOR_KEYS["unleash"], base_url=url) as own:
        assert (own.search("", filters=starred).total_results or 0) > 0, (
            "the key's own user starred some"
        )
    with UnleashClient(
        EMULATOR_KEYS["unleash"], base_url=url, account="li.chen@brightwater.example"
    ) as li:
        assert li.search("", filters=starred).total_results == 0, "Li starred nothing"
    stranger = UnleashClient(
        EMULATOR_KEYS["unleash"], base_url=url, account="nobody@else.example", max_retries=0
    )
    with stranger, pytest.raises(APIStatusError) as info:
        stranger.search("travel")
    assert info.value.status_code == 403


# -- negotiation ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("accept", "media"),
    [
        ("text/event-stream", "text/event-stream"),
        ("application/json", "application/json"),
        ("text/event-stream;q=0.1, application/json", "application/json"),
        ("application/json;q=0.5, text/event-stream", "text/event-stream"),
        ("text/event-stream, application/json;q=0.9", "text/event-stream"),
        ("text/*", "text/event-stream"),
        ("*/*", "application/json"),
        ("text/event-stream;q=0", "application/json"),
    ],
)
def test_v2_honours_accept_q_values(url: EmulatorURL, accept: str, media: str) -> None:
    response = post(url, "/chats/v2", {"messages": QUESTION}, accept=accept)
    assert response.headers["content-type"].split(";")[0] == media


@pytest.mark.parametrize(
    ("variant", "media"),
    [("v2-body=json", "application/json"), ("v2-body=sse", "text/event-stream")],
)
def test_the_v2_body_variant_overrides_accept(url: EmulatorURL, variant: str, media: str) -> None:
    for accept in ("text/event-stream", "application/json"):
        response = post(
            url, "/chats/v2", {"messages": QUESTION}, accept=accept, **{VARIANT_HEADER: variant}
        )
        assert response.headers["content-type"].split(";")[0] == media


# -- what the documents name, now sent ----------------------------------------------------
def test_web_search_fails_once_then_is_retried_in_its_own_tool(client: UnleashClient) -> None:
    answer = client.chat_v2(QUESTION)
    by_tool = [(s.tool_id, str(s.status)) for s in answer.tool_steps]
    assert by_tool == [
        ("enterprise_search", "End"),
        ("web_search", "Failed"),
        ("web_search", "End"),
    ]
    enterprise, failed, web = answer.tool_steps
    assert enterprise.resources
    assert not enterprise.web_sources, "web pages are not listed under the enterprise search"
    assert not failed.web_sources
    assert [w.id for w in web.web_sources] == ["web-per-diem", "web-rail-emissions"]
    assert not web.resources
    with client.stream_chat(QUESTION) as stream:
        codes = [str(e.code) for e in stream if str(e.type) == "Progress"]
    assert codes == ["file_search", "web_search", "web_search_retry"]


def test_a_custom_tool_sends_custom_resources(client: UnleashClient) -> None:
    answer = client.chat_v2([{"role": "User", "text": "Who owns the billing service?"}])
    [people] = [s for s in answer.tool_steps if s.tool_id == "people_directory"]
    assert str(people.status) == "End"
    assert [p["name"] for p in people.custom["people"]] == ["Li Chen"]
    assert not people.resources


def test_langchain_shows_the_failed_step_and_the_custom_resources(url: EmulatorURL) -> None:
    from assistant_bridge.langchain import ChatUnleash

    llm = ChatUnleash(api_key=EMULATOR_KEYS["unleash"], base_url=url.unleash)
    results = [
        b
        for b in llm.invoke("What is our travel policy?").content_blocks
        if b["type"] == "server_tool_result"
    ]
    assert [r["status"] for r in results] == ["success", "error", "success"]
    results = [
        b
        for b in llm.invoke("Who owns the billing service?").content_blocks
        if b["type"] == "server_tool_result"
    ]
    custom = [o for r in results for o in r["output"] if "custom" in o]
    assert custom == [
        {
            "custom": {
                "people": [
                    {
                        "id": "person-li-chen",
                        "name": "Li Chen",
                        "email": "li.chen@brightwater.example",
                        "jobTitle": "Staff Software Engineer",
                        "department": "Engineering",
                    }
                ]
            }
        }
    ]


# -- /filters and /answers ------------------------------------------------------------------
def test_filter_options_data_says_what_it_holds(client: UnleashClient) -> None:
    apps = client.filter_options("appId")
    jira = next(o for o in apps.options if o.value == "jira")
    assert jira.data == {"types": ["ticket"]}, "an app's option lists its types, keyed as such"
    status = client.filter_options("status", query="pro", limit=5)
    assert status.values == ["In Progress"]
    assert status.options[0].data == {"appIds": ["jira"]}
    assert status.request_id, "from the RequestId header when the body has none"


async def test_answers_sync_and_async(url: EmulatorURL, client: UnleashClient) -> None:
    answer = client.answer("Who owns the billing service?", filters={"app_id": ["confluence"]})
    assert "[1]" in (answer.answer or "")
    assert {r.app_id for r in answer.resources} == {"confluence"}
    assert answer.request_id
    async with AsyncUnleashClient(EMULATOR_KEYS["unleash"], base_url=url) as aclient:
        again = await aclient.answer(
            "Who owns the billing service?", filters={"app_id": ["confluence"]}
        )
        options = await aclient.filter_options("appId")
    assert again.answer == answer.answer
    assert options.values == client.filter_options("appId").values


# -- limits and disconnects -------------------------------------------------------------------
def test_a_body_over_the_limit_is_a_413_problem_and_not_retried() -> None:
    with run_emulator(max_body_bytes=2_000) as base:
        big = {"query": "x" * 5_000}
        too_large = post(base, "/search", big)
        assert too_large.status_code == 413
        assert too_large.headers["content-type"] == "application/problem+json"
        assert "2000 bytes" in too_large.json()["detail"]
        chunked = httpx.post(
            f"{base}/search", content=iter([b'{"query": "', b"x" * 5_000, b'"}']), headers=AUTH
        )
        assert chunked.status_code == 413, "a body without Content-Length is counted as it comes"
        with (
            UnleashClient(EMULATOR_KEYS["unleash"], base_url=base) as client,
            pytest.raises(APIStatusError) as info,
        ):
            client.search("x" * 5_000)
        assert info.value.status_code == 413
        counts = httpx.get(f"{base}/_emulator/status").json()
        assert post(base, "/search", {"query": "travel"}).status_code == 200
    assert counts["streams"]["started"] == 0


def test_a_client_that_resets_mid_stream_ends_it_quietly(
    url: EmulatorURL, caplog: pytest.LogCaptureFixture
) -> None:
    """The emulator used to log "socket.send() raised exception." for every event after a reset.

    Events sent without a pause never yield to the event loop, so only a failed write
    tells the server the client is gone.
    """
    host, port = url.removeprefix("http://").split(":")
    body = json.dumps({"messages": QUESTION}).encode()
    head = (
        f"POST /chats/v2 HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\naccept: text/event-stream\r\n"
        f"authorization: {AUTH['authorization']}\r\ncontent-length: {len(body)}\r\n\r\n"
    ).encode()
    with caplog.at_level(logging.WARNING):
        for _ in range(5):
            with socket.create_connection((host, int(port))) as sock:
                sock.sendall(head + body)
                assert sock.recv(64).startswith(b"HTTP/1.1 200")
                sock.setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                )  # reset, not FIN
        deadline = time.monotonic() + 5
        while (
            httpx.get(f"{url}/_emulator/status").json()["streams"]["open"]
            and time.monotonic() < deadline
        ):
            time.sleep(0.02)
    assert httpx.get(f"{url}/_emulator/status").json()["streams"]["open"] == 0, (
        "the streams stopped"
    )
    noise = [r for r in caplog.records if r.name in ("asyncio", "uvicorn.error")]
    assert not noise, [r.getMessage() for r in noise]
