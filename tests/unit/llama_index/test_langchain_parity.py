"""The LangChain and LlamaIndex sides give identical metadata for the same Unleash response."""

from __future__ import annotations

from typing import Any, Literal

import pytest
from llama_index.core.base.llms.types import ChatMessage, MessageRole

from assistant_bridge.llama_index import Unleash, UnleashRetriever, nodes_from_response

from ._unleash_mock import Server, search_body

USER = ChatMessage(role=MessageRole.USER, content="Travel?")


SOURCES = {
    "v2": [("Travel policy", "r1"), ("Fare classes", "w1"), ("TRAVEL-9", "r2")],
    "v1": [("TRAVEL-1", "j1")],
}
"""The (content, id) of each source the mock server's answer cites, in order."""
ANSWERS = {
    "v2": ("Book economy for short trips. Business class is allowed over six hours.", "req-2"),
    "v1": ("Use the portal.", "req-1"),
}
"""The (text, request id) of the mock server's answer, the chat retrievers' first item."""


def _pairs(
    documents: list[Any], nodes: list[Any], expected: list[tuple[str, str]]
) -> list[tuple[Any, Any]]:
    """Both sides, after checking each gives exactly ``expected`` (content, id) items in order."""
    assert expected, "an empty expectation would let two empty results pass"
    assert [(d.page_content, d.metadata["id"]) for d in documents] == expected
    assert [(n.node.get_content(), n.node.metadata["id"]) for n in nodes] == expected
    return [
        ((d.page_content, d.metadata), (n.node.get_content(), n.node.metadata))
        for d, n in zip(documents, nodes, strict=True)
    ]


@pytest.mark.parametrize("api_version", ["v2", "v1"])
def test_answer_sources_match_documents_from_message(api_version: Literal["v1", "v2"]) -> None:
    pytest.importorskip("langchain_core")
    from assistant_bridge.langchain import ChatUnleash, documents_from_message

    server = Server()
    lc = ChatUnleash(client=server.sync(), async_client=server.asyncio(), api_version=api_version)
    li = Unleash(client=server.sync(), async_client=server.asyncio(), api_version=api_version)
    documents = documents_from_message(lc.invoke("Travel?"))
    nodes = nodes_from_response(li.chat([USER]))
    for document, node in _pairs(documents, nodes, SOURCES[api_version]):
        assert document == node


@pytest.mark.parametrize("api_version", ["v2", "v1"])
def test_chat_retrievers_match(api_version: Literal["v1", "v2"]) -> None:
    pytest.importorskip("langchain_core")
    retrievers = pytest.importorskip("assistant_bridge.langchain._retrievers")
    server = Server()
    lc = retrievers.UnleashChatRetriever(
        client=server.sync(), api_version=api_version, include_answer=True
    )
    li = UnleashRetriever(
        client=server.sync(), mode="chat", api_version=api_version, include_answer=True
    )
    expected = [ANSWERS[api_version], *SOURCES[api_version]]
    for document, node in _pairs(lc.invoke("Travel?"), li.retrieve("Travel?"), expected):
        assert document == node


def test_search_retrievers_match() -> None:
    pytest.importorskip("langchain_core")
    retrievers = pytest.importorskip("assistant_bridge.langchain._retrievers")
    server = Server()
    server.search_pages = [search_body([1, 2, 3])]
    lc = retrievers.UnleashSearchRetriever(client=server.sync(), k=3)
    li = UnleashRetriever(client=server.sync(), similarity_top_k=3)
    expected = [("snippet 1", "s1"), ("snippet 2", "s2"), ("snippet 3", "s3")]
    for document, node in _pairs(lc.invoke("travel"), li.retrieve("travel"), expected):
        assert document == node
