"""Scores and stable ids on every retrieved Document and node, against the emulator.

The emulator sends no score (no vendor document names a score field), so every source
here gets the rank score ``1 / rank``; the vendor-score case is covered by the adapter
core's tests and the mock-transport retriever tests.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import pairwise
from typing import Any

import httpx
import pytest
from llama_index.core.postprocessor import SimilarityPostprocessor
from llama_index.core.schema import NodeWithScore

from assistant_bridge.emulator import EMULATOR_KEYS
from assistant_bridge.langchain import (
    ChatUnleash,
    UnleashChatRetriever,
    UnleashSearchRetriever,
    documents_from_message,
)
from assistant_bridge.llama_index import Unleash, UnleashRetriever, nodes_from_response
from assistant_bridge.unleash import AsyncUnleashClient, UnleashClient

from ._vendor_emu import BASE, Emulator

QUERY = "travel policy"
QUESTION = "What is our travel policy?"


@pytest.fixture
def clients() -> Iterator[dict[str, Any]]:
    emu = Emulator.start()
    key = EMULATOR_KEYS["unleash"]
    sync = UnleashClient(
        key, base_url=BASE, max_retries=0, http_client=httpx.Client(transport=emu.sync_transport)
    )
    async_ = AsyncUnleashClient(
        key,
        base_url=BASE,
        max_retries=0,
        http_client=httpx.AsyncClient(transport=emu.async_transport),
    )
    yield {"client": sync, "async_client": async_}
    sync.close()


def assert_ranked(scores: list[float | None], sources: list[Any]) -> None:
    """Scores ``1 / rank`` for rank 1, 2, ...: in (0, 1] and falling."""
    assert len(scores) >= 3
    assert scores == pytest.approx([1 / rank for rank in range(1, len(scores) + 1)])
    assert all(s is not None and 0 < s <= 1 for s in scores)
    assert all(a > b for a, b in pairwise(scores))  # type: ignore[operator]
    assert set(sources) == {"rank"}


def assert_ids(first: list[str | None], second: list[str | None]) -> None:
    """Every result has an id, the same on both calls, and no two results share one."""
    assert all(first)
    assert first == second
    assert len(set(first)) == len(first)


# -- LangChain -----------------------------------------------------------------------------


def test_search_documents_have_rank_scores_and_stable_ids(clients: dict[str, Any]) -> None:
    retriever = UnleashSearchRetriever(k=5, **clients)
    docs, again = retriever.invoke(QUERY), retriever.invoke(QUERY)
    assert_ids([d.id for d in docs], [d.id for d in again])
    assert [d.id for d in docs] == [d.metadata["id"] for d in docs]
    assert_ranked([d.metadata["score"] for d in docs], [d.metadata["score_source"] for d in docs])


async def test_async_search_documents_match_the_sync_ones(clients: dict[str, Any]) -> None:
    retriever = UnleashSearchRetriever(k=5, **clients)
    docs = await retriever.ainvoke(QUERY)
    assert [(d.id, d.metadata["score"]) for d in docs] == [
        (d.id, d.metadata["score"]) for d in retriever.invoke(QUERY)
    ]


def test_a_hit_keeps_its_score_and_id_when_k_changes(clients: dict[str, Any]) -> None:
    five = UnleashSearchRetriever(k=5, **clients).invoke(QUERY)
    two = UnleashSearchRetriever(k=2, **clients).invoke(QUERY)
    assert [(d.id, d.metadata["score"]) for d in two] == [
        (d.id, d.metadata["score"]) for d in five[:2]
    ]


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_chat_documents_have_rank_scores_and_stable_ids(
    clients: dict[str, Any], version: str
) -> None:
    retriever = UnleashChatRetriever(api_version=version, include_answer=True, **clients)
    docs, again = retriever.invoke(QUESTION), retriever.invoke(QUESTION)
    answer, sources = docs[0], docs[1:]
    assert answer.metadata["kind"] == "answer"
    assert (answer.metadata["score"], answer.metadata["score_source"]) == (1.0, "answer")
    assert answer.id == answer.metadata["id"]
    assert_ids([d.id for d in sources], [d.id for d in again[1:]])
    assert_ranked(
        [d.metadata["score"] for d in sources], [d.metadata["score_source"] for d in sources]
    )


def test_documents_from_a_chat_message_match_the_retriever(clients: dict[str, Any]) -> None:
    message = ChatUnleash(**clients).invoke(QUESTION)
    docs = documents_from_message(message)
    assert_ids([d.id for d in docs], [d.id for d in documents_from_message(message)])
    assert_ranked([d.metadata["score"] for d in docs], [d.metadata["score_source"] for d in docs])
    retrieved = UnleashChatRetriever(**clients).invoke(QUESTION)
    assert [(d.id, d.metadata["score"]) for d in docs] == [
        (d.id, d.metadata["score"]) for d in retrieved
    ]


# -- LlamaIndex ----------------------------------------------------------------------------


def node_ids(nodes: list[NodeWithScore]) -> list[str | None]:
    return [n.node.node_id for n in nodes]


@pytest.mark.parametrize("mode", ["search", "chat"])
def test_nodes_have_rank_scores_and_stable_ids(clients: dict[str, Any], mode: str) -> None:
    retriever = UnleashRetriever(mode=mode, similarity_top_k=5, **clients)  # type: ignore[arg-type]
    query = QUERY if mode == "search" else QUESTION
    nodes, again = retriever.retrieve(query), retriever.retrieve(query)
    assert_ids(node_ids(nodes), node_ids(again))
    assert node_ids(nodes) == [n.node.metadata["id"] for n in nodes]
    assert_ranked([n.score for n in nodes], [n.node.metadata["score_source"] for n in nodes])


async def test_async_nodes_match_the_sync_ones(clients: dict[str, Any]) -> None:
    retriever = UnleashRetriever(mode="chat", **clients)
    nodes = await retriever.aretrieve(QUESTION)
    assert [(n.node.node_id, n.score) for n in nodes] == [
        (n.node.node_id, n.score) for n in retriever.retrieve(QUESTION)
    ]


@pytest.mark.parametrize("mode", ["search", "chat"])
def test_similarity_cutoff_keeps_the_top_nodes(clients: dict[str, Any], mode: str) -> None:
    retriever = UnleashRetriever(mode=mode, similarity_top_k=5, **clients)  # type: ignore[arg-type]
    nodes = retriever.retrieve(QUERY if mode == "search" else QUESTION)
    kept = SimilarityPostprocessor(similarity_cutoff=0.5).postprocess_nodes(nodes)
    assert node_ids(kept) == node_ids(nodes[:2])  # scores 1 and 1/2; 1/3 and below dropped


def test_nodes_and_documents_carry_the_same_scores_and_ids(clients: dict[str, Any]) -> None:
    nodes = UnleashRetriever(similarity_top_k=5, **clients).retrieve(QUERY)
    docs = UnleashSearchRetriever(k=5, **clients).invoke(QUERY)
    assert [(n.node.node_id, n.score) for n in nodes] == [(d.id, d.metadata["score"]) for d in docs]
    assert [n.node.metadata for n in nodes] == [d.metadata for d in docs]


def test_nodes_from_an_answer_match_the_retriever(clients: dict[str, Any]) -> None:
    response = Unleash(**clients).complete(QUESTION)
    nodes = nodes_from_response(response)
    retrieved = UnleashRetriever(mode="chat", **clients).retrieve(QUESTION)
    assert [(n.node.node_id, n.score) for n in nodes] == [
        (n.node.node_id, n.score) for n in retrieved
    ]
    assert_ranked([n.score for n in nodes], [n.node.metadata["score_source"] for n in nodes])
