"""The LlamaIndex classes against recorded emulator answers (cassettes; sockets blocked)."""

from __future__ import annotations

import pytest
from llama_index.core.base.llms.types import ChatMessage, CitationBlock, MessageRole, TextBlock
from llama_index.core.llms import MockLLM
from llama_index.core.memory import ChatMemoryBuffer
from llama_index.core.query_engine import CitationQueryEngine
from llama_index.core.vector_stores.types import FilterOperator, MetadataFilter, MetadataFilters

from assistant_bridge import JyloClient
from assistant_bridge.langchain import UnleashSearchRetriever
from assistant_bridge.llama_index import Jylo, JyloChatStore, Unleash, UnleashRetriever

from ._recorded import (
    JYLO_ASSISTANT,
    JYLO_MODEL,
    TRAVEL_ANSWER,
    TRAVEL_CITED_SPANS,
    TRAVEL_SOURCES,
    TRAVEL_SUMMARY,
    TRAVEL_WEB_SOURCES,
)

pytestmark = [pytest.mark.vcr, pytest.mark.block_network]

QUESTION = [ChatMessage(role=MessageRole.USER, content="What is our travel policy?")]
URLS = {
    "conf-travel-policy": "https://wiki.brightwater.example/finance/travel-and-expense-policy",
    "gmail-travel-update": "https://mail.brightwater.example/mail/u/0/#inbox/18c2f7a9",
}
"""The links of the two cited sources, what a `CitationBlock` names as its source."""


def test_unleash_llm_chat_and_stream_carry_citations() -> None:
    llm = Unleash()
    answer = llm.chat(QUESTION)
    streamed = list(llm.stream_chat(QUESTION))
    text = "".join(b.text for b in answer.message.blocks if isinstance(b, TextBlock))
    citations = [b for b in answer.message.blocks if isinstance(b, CitationBlock)]
    assert text == TRAVEL_ANSWER
    assert [
        (
            c.source,
            c.additional_location_info["start_index"],
            c.additional_location_info["end_index"],
        )
        for c in citations
    ] == [(URLS[source], start, end) for source, start, end in TRAVEL_CITED_SPANS]
    for citation in citations:
        assert citation.source
        start = citation.additional_location_info["start_index"]
        end = citation.additional_location_info["end_index"]
        assert 0 <= start <= end <= len(text)
    assert answer.message.additional_kwargs["request_id"] == "38b56d1abcd2075d"
    assert "thread_id" not in answer.message.additional_kwargs, (
        "v2 documents none; none is invented"
    )
    assert "".join(r.delta or "" for r in streamed) == text
    assert len([r for r in streamed if r.delta]) > 1


async def test_unleash_llm_async_v1_with_filters() -> None:
    llm = Unleash(api_version="v1", filters={"app_id": "confluence"})
    answer = await llm.achat(QUESTION)
    assert answer.message.content == TRAVEL_SUMMARY
    sources = answer.additional_kwargs["sources"]
    assert [(s["metadata"].get("app_id"), s["metadata"].get("id")) for s in sources] == [
        ("confluence", "conf-travel-policy"),
        ("confluence", "conf-onboarding"),
    ]


def test_retriever_with_metadata_filters_matches_the_langchain_documents() -> None:
    filters = MetadataFilters(
        filters=[
            MetadataFilter(key="app_id", value=["confluence", "jira"], operator=FilterOperator.IN)
        ]
    )
    nodes = UnleashRetriever(mode="search", similarity_top_k=5, filters=filters).retrieve("policy")
    documents = UnleashSearchRetriever(k=5, filters={"app_id": ["confluence", "jira"]}).invoke(
        "policy"
    )
    assert [(n.node.metadata["app_id"], n.node.metadata["id"]) for n in nodes] == [
        ("confluence", "conf-travel-policy"),
        ("confluence", "conf-onboarding"),
        ("jira", "jira-fin-142"),
    ]
    assert {n.node.metadata["app_id"] for n in nodes} <= {"confluence", "jira"}
    assert [n.node.metadata for n in nodes] == [d.metadata for d in documents]
    assert [n.node.get_content() for n in nodes] == [d.page_content for d in documents]


def test_citation_query_engine_over_the_chat_retriever() -> None:
    engine = CitationQueryEngine(retriever=UnleashRetriever(mode="chat"), llm=MockLLM(max_tokens=8))
    response = engine.query("What is our travel policy?")
    assert [
        (n.node.metadata.get("kind"), n.node.metadata.get("id")) for n in response.source_nodes
    ] == [
        *[("enterprise", source) for source in TRAVEL_SOURCES],
        *[("web", source) for source in TRAVEL_WEB_SOURCES],
    ]


def test_jylo_llm_answers_with_citations_and_memory_on_the_store() -> None:
    with JyloClient() as client:
        assistant = client.list_assistants().items[0].object_identifier
        model = client.list_models()[0].object_identifier
    assert assistant == JYLO_ASSISTANT
    assert model == JYLO_MODEL
    llm = Jylo(assistant_id=assistant, model_identifier=model)
    store = JyloChatStore(model_identifier=model)
    memory = ChatMemoryBuffer.from_defaults(chat_store=store, chat_store_key=assistant)
    question = ChatMessage(role=MessageRole.USER, content="What is our travel policy?")
    memory.put(question)
    answer = llm.chat(memory.get())
    memory.put(answer.message)
    stored = store.get_messages(assistant)
    assert [m.role for m in stored] == [MessageRole.USER, MessageRole.ASSISTANT]
    assert [b.source for b in answer.message.blocks if isinstance(b, CitationBlock)] == [
        source for source, _, _ in TRAVEL_CITED_SPANS
    ]
    assert answer.message.content == TRAVEL_ANSWER
