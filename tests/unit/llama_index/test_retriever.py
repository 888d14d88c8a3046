"""UnleashRetriever over mock transports: search and chat modes, filters, content, engines."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from llama_index.core.llms import MockLLM
from llama_index.core.query_engine import CitationQueryEngine, RetrieverQueryEngine
from llama_index.core.schema import QueryBundle
from llama_index.core.vector_stores.types import FilterOperator, MetadataFilter, MetadataFilters

from assistant_bridge import AuthenticationError, InvalidRequestError, SearchFilters
from assistant_bridge.llama_index import Unleash, UnleashRetriever

from ._unleash_mock import ANSWER, TEXT_1, Server, search_body


def retriever_for(server: Server, **kwargs: Any) -> UnleashRetriever:
    return UnleashRetriever(client=server.sync(), async_client=server.asyncio(), **kwargs)


def async_only(server: Server, **kwargs: Any) -> UnleashRetriever:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise AssertionError("the sync client must not be used by async retrieval")

    return UnleashRetriever(client=Server(refuse).sync(), async_client=server.asyncio(), **kwargs)


# -- search mode --------------------------------------------------------------------------------


def test_search_returns_nodes_with_shared_metadata_and_scores() -> None:
    server = Server()
    nodes = retriever_for(
        server, assistant_id="asst-1", sort="recency", semantic_search=True
    ).retrieve("travel")
    assert server.bodies[0] == {
        "query": "travel",
        "assistantId": "asst-1",
        "semanticSearch": True,
        "sort": {"by": "Recency"},
        "paging": {"size": 4},
    }
    assert [n.node.get_content() for n in nodes] == [
        "snippet 1",
        "snippet 2",
        "snippet 3",
        "snippet 4",
    ]
    assert [n.score for n in nodes] == pytest.approx([0.9, 0.8, 0.7, 0.6])
    assert nodes[0].node.node_id == "s1"
    assert nodes[0].node.metadata == {
        "source": "https://wiki.example/1",
        "title": "Page 1",
        "id": "s1",
        "app_id": "confluence",
        "type": "page",
        "score": 0.9,
        "score_source": "vendor",
        "kind": "search",
        "vendor": "unleash",
    }


def test_search_follows_pages_until_top_k() -> None:
    server = Server()
    server.search_pages = [
        search_body([1, 2], next_token="p2"),
        search_body([3, 4], next_token="p3"),
    ]
    nodes = retriever_for(server, similarity_top_k=3).retrieve("travel")
    assert [n.node.node_id for n in nodes] == ["s1", "s2", "s3"]
    assert [b.get("paging") for b in server.bodies] == [{"size": 3}, {"size": 3, "nextToken": "p2"}]


def test_search_stops_on_the_last_page() -> None:
    server = Server()
    server.search_pages = [search_body([1])]
    assert len(retriever_for(server, similarity_top_k=5).retrieve("travel")) == 1
    assert len(server.requests) == 1


@pytest.mark.parametrize(
    "filters",
    [
        SearchFilters(app_id="jira", create_after_time="2025-01-01T00:00:00Z"),
        {"appId": ["jira"], "create_after_time": "2025-01-01T00:00:00Z"},
        MetadataFilters(
            filters=[
                MetadataFilter(key="app_id", value="jira"),
                MetadataFilter(key="created", value="2025-01-01", operator=FilterOperator.GTE),
            ]
        ),
    ],
)
def test_search_filters_in_every_form(filters: Any) -> None:
    server = Server()
    retriever_for(server, filters=filters).retrieve("travel")
    assert server.bodies[0]["filters"] == {
        "appId": ["jira"],
        "createAfterTime": "2025-01-01T00:00:00Z",
    }


def test_untranslatable_metadata_filters_fail_at_construction() -> None:
    meta = MetadataFilters(
        filters=[MetadataFilter(key="app_id", value="jira", operator=FilterOperator.NE)]
    )
    with pytest.raises(InvalidRequestError, match="cannot exclude values"):
        UnleashRetriever(api_key="k-123456", filters=meta)


def test_filters_per_query_through_a_copy() -> None:
    server = Server()
    retriever = retriever_for(server, filters={"app_id": "jira"})
    meta = MetadataFilters(
        filters=[MetadataFilter(key="type", value=["page", "ticket"], operator=FilterOperator.IN)]
    )
    retriever.retrieve_with_filters("travel", meta)
    retriever.retrieve_with_filters("travel", {"app_id": "slack"})
    retriever.with_filters({"type": "page"}, replace=True).retrieve("travel")
    retriever.retrieve("travel")
    assert [b.get("filters") for b in server.bodies] == [
        {"appId": ["jira"], "type": ["page", "ticket"]},
        {"appId": ["slack"]},
        {"type": ["page"]},
        {"appId": ["jira"]},
    ]
    assert retriever.filters == SearchFilters(app_id="jira")


async def test_async_search_with_filters_per_query() -> None:
    server = Server()
    server.search_pages = [search_body([1, 2], next_token="p2"), search_body([3])]
    retriever = async_only(server, similarity_top_k=3)
    nodes = await retriever.aretrieve_with_filters("travel", {"status": "open"})
    assert [n.node.node_id for n in nodes] == ["s1", "s2", "s3"]
    assert [b["filters"] for b in server.bodies] == [{"status": ["open"]}, {"status": ["open"]}]


def test_fetch_content_replaces_snippets_and_keeps_them_when_not_found() -> None:
    server = Server()
    server.search_pages = [search_body([1, 2])]
    server.contents = {"s1": "The whole page one."}
    nodes = retriever_for(server, fetch_content=True).retrieve("travel")
    assert [n.node.get_content() for n in nodes] == ["The whole page one.", "snippet 2"]
    assert server.paths() == ["/search", "/resources/s1/content", "/resources/s2/content"]


async def test_async_fetch_content_runs_concurrently_within_the_limit() -> None:
    server = Server()
    server.search_pages = [search_body([1, 2, 3, 4])]
    server.contents = {f"s{i}": f"full {i}" for i in range(1, 5)}
    state = {"now": 0, "most": 0}

    async def before(request: httpx.Request) -> None:
        if request.url.path.startswith("/resources/"):
            state["now"] += 1
            state["most"] = max(state["most"], state["now"])
            for _ in range(5):
                await asyncio.sleep(0)  # let the other fetches start
            state["now"] -= 1

    client = server.asyncio(before)
    retriever = UnleashRetriever(async_client=client, fetch_content=True, max_concurrent_fetches=2)
    nodes = await retriever.aretrieve("travel")
    assert [n.node.get_content() for n in nodes] == ["full 1", "full 2", "full 3", "full 4"]
    assert state["most"] == 2


def test_vendor_errors_pass_through_unchanged() -> None:
    server = Server(lambda r: httpx.Response(401, json={"title": "Unauthorized", "status": 401}))
    with pytest.raises(AuthenticationError):
        retriever_for(server).retrieve("travel")


def test_construction_needs_no_key_and_the_first_call_names_the_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("UNLEASH_API_KEY", raising=False)
    retriever = UnleashRetriever()
    with pytest.raises(InvalidRequestError, match="UNLEASH_API_KEY"):
        retriever.retrieve("travel")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"mode": "vector"}, "mode: must be one of"),
        ({"api_version": "v3"}, "api_version: must be one of"),
        ({"similarity_top_k": 0}, "similarity_top_k"),
        ({"fetch_content": "yes"}, "fetch_content: must be True or False"),
        ({"max_concurrent_fetches": 0}, "max_concurrent_fetches"),
        ({"mode": "chat", "sort": "recency"}, "sort: is an option of mode='search' only"),
        ({"include_answer": True}, "include_answer: is an option of mode='chat' only"),
        ({"mode": "chat", "filters": {"app_id": "jira"}}, "chat v2 .* takes no filters"),
        ({"filters": {"appid": "jira"}}, "not a known filter"),
    ],
)
def test_bad_arguments_fail_at_construction(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidRequestError, match=message):
        UnleashRetriever(api_key="k-123456", **kwargs)


# -- chat mode ------------------------------------------------------------------------------------


def test_chat_mode_v2_returns_the_tool_resources_cited_first() -> None:
    server = Server()
    nodes = retriever_for(server, mode="chat", assistant_id="asst-1").retrieve(
        QueryBundle("Travel?")
    )
    assert server.bodies[0] == {
        "messages": [{"role": "User", "text": "Travel?"}],
        "assistantId": "asst-1",
    }
    assert [n.node.node_id for n in nodes] == ["r1", "w1", "r2"]
    assert [n.score for n in nodes] == pytest.approx([1, 1 / 2, 1 / 3])  # no vendor score
    assert {n.node.metadata["score_source"] for n in nodes} == {"rank"}
    r1 = nodes[0].node.metadata
    assert r1["citations"] == [
        {"start_index": 0, "end_index": len(TEXT_1), "cited_text": TEXT_1},
        {
            "start_index": len(TEXT_1) + 1,
            "end_index": len(ANSWER),
            "cited_text": ANSWER[len(TEXT_1) + 1 :],
        },
    ]
    assert nodes[1].node.metadata["kind"] == "web"
    assert "citations" not in nodes[2].node.metadata


def test_chat_mode_top_k_and_the_answer_first() -> None:
    server = Server()
    nodes = retriever_for(server, mode="chat", similarity_top_k=1, include_answer=True).retrieve(
        "Travel?"
    )
    assert [n.node.metadata["type"] for n in nodes] == ["answer", "page"]
    answer = nodes[0].node
    assert answer.get_content() == ANSWER
    assert answer.metadata["data"] == {"request_id": "req-2"}
    assert answer.metadata["citations"][1]["source_ids"] == ["r1", "w1"]


def test_chat_mode_v1_sends_filters_and_fetches_content() -> None:
    server = Server()
    server.contents = {"j1": "Full ticket text."}
    retriever = retriever_for(
        server, mode="chat", api_version="v1", filters={"app_id": "jira"}, fetch_content=True
    )
    nodes = retriever.retrieve("Travel?")
    assert server.paths() == ["/chats", "/resources/j1/content"]
    assert server.bodies[0]["enterpriseSearch"] == {"filters": {"appId": ["jira"]}}
    [node] = nodes
    assert node.node.get_content() == "Full ticket text."
    assert node.node.metadata["source"] == "https://jira.example/TRAVEL-1"


async def test_async_chat_mode_both_versions() -> None:
    server = Server()
    v2 = await async_only(server, mode="chat").aretrieve("Travel?")
    v1 = await async_only(server, mode="chat", api_version="v1").aretrieve("Travel?")
    assert [n.node.node_id for n in v2] == ["r1", "w1", "r2"]
    assert [n.node.node_id for n in v1] == ["j1"]
    assert server.paths() == ["/chats/v2", "/chats"]


def test_chat_v2_refuses_filters_per_query() -> None:
    with pytest.raises(InvalidRequestError, match="takes no filters"):
        UnleashRetriever(api_key="k-123456", mode="chat").with_filters({"app_id": "jira"})


# -- query engines --------------------------------------------------------------------------------


def test_retriever_query_engine_with_a_mock_llm() -> None:
    server = Server()
    engine = RetrieverQueryEngine.from_args(
        retriever_for(server, similarity_top_k=2), llm=MockLLM()
    )
    response = engine.query("travel")
    assert [n.node.node_id for n in response.source_nodes] == ["s1", "s2"]
    prompt = str(response)  # MockLLM echoes the prompt
    assert "snippet 1" in prompt
    assert "title: Page 1" in prompt
    assert "vendor" not in prompt


async def test_retriever_query_engine_async() -> None:
    server = Server()
    engine = RetrieverQueryEngine.from_args(async_only(server, mode="chat"), llm=MockLLM())
    response = await engine.aquery("travel")
    assert [n.node.node_id for n in response.source_nodes] == ["r1", "w1", "r2"]


def test_citation_query_engine_numbers_the_sources() -> None:
    server = Server()
    engine = CitationQueryEngine(retriever=retriever_for(server, similarity_top_k=2), llm=MockLLM())
    response = engine.query("travel")
    texts = [n.node.get_content().strip() for n in response.source_nodes]
    assert texts == ["Source 1:\nsnippet 1", "Source 2:\nsnippet 2"]
    assert response.source_nodes[0].node.metadata["id"] == "s1"
    assert "Source 2:\nsnippet 2" in str(response)  # MockLLM echoes the numbered prompt


def test_the_unleash_llm_answers_over_the_retriever() -> None:
    server = Server()
    llm = Unleash(client=server.sync(), async_client=server.asyncio())
    engine = RetrieverQueryEngine.from_args(retriever_for(server, similarity_top_k=1), llm=llm)
    response = engine.query("travel")
    assert str(response) == ANSWER
    assert server.paths() == ["/search", "/chats/v2"]
    assert "snippet 1" in server.bodies[1]["messages"][-1]["text"]
