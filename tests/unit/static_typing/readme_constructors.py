"""The documented constructor calls, type-checked by ``test_typing_without_plugin.py``.

Never run: mypy checks this file with and without the pydantic plugin (the project's
own run uses the plugin; the test runs mypy on it without).
"""

from __future__ import annotations

from llama_index.core.vector_stores import FilterOperator, MetadataFilter, MetadataFilters

from assistant_bridge import SearchFilters
from assistant_bridge.langchain import (
    ChatJylo,
    ChatUnleash,
    JyloChatMessageHistory,
    UnleashChatRetriever,
    UnleashSearchRetriever,
    ZaiaChatMessageHistory,
)
from assistant_bridge.llama_index import (
    Jylo,
    JyloChatStore,
    Unleash,
    UnleashRetriever,
    ZaiaChatStore,
)


def langchain_constructors() -> None:
    """The LangChain adapters as the docs and LangChain users build them."""
    ChatUnleash()
    ChatUnleash(model="x", temperature=0.3, stop=["END"], api_version="v1")
    ChatUnleash(api_version="v1", filters={"app_id": ["jira"]})
    retriever = UnleashSearchRetriever(k=3, filters={"app_id": ["jira", "confluence"]})
    filters: SearchFilters | None = retriever.filters  # reads back as SearchFilters
    UnleashSearchRetriever(filters=filters, sort="recency")
    UnleashSearchRetriever(search_kwargs={"k": 2})
    UnleashChatRetriever(api_version="v1", filters={"app_id": "jira"}, include_answer=True)
    ChatJylo(model="model-id", assistant_id="assistant-id")
    JyloChatMessageHistory("assistant-id", model_identifier="model-id")
    ZaiaChatMessageHistory("chat-id", chat_thread_id="thread-id", sender_id="sender")


def llama_index_constructors() -> None:
    """The LlamaIndex adapters as the docs build them."""
    Unleash()
    Unleash(api_version="v1", filters={"app_id": ["jira"]})
    filters = MetadataFilters(
        filters=[MetadataFilter(key="app_id", operator=FilterOperator.IN, value=["jira"])]
    )
    UnleashRetriever(similarity_top_k=3, filters=filters)
    UnleashRetriever(mode="chat")
    Jylo(assistant_id="assistant-id", model_identifier="model-id")
    JyloChatStore(model_identifier="model-id")
    ZaiaChatStore(sender_id="sender")
