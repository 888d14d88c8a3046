"""LlamaIndex integration (extra ``llama-index``): LLMs, retriever, filters, chat stores.

`Unleash` is the Unleash assistant as a LlamaIndex ``LLM`` (answers with
``CitationBlock`` s, threads per call); `UnleashRetriever` returns Unleash search hits or
the assistant's sources as nodes with the same metadata as the LangChain side;
`search_filters_from_metadata` translates LlamaIndex ``MetadataFilters`` into Unleash
`SearchFilters`. `Jylo` is a Jylo assistant as an ``LLM``; `JyloChatStore` and
`ZaiaChatStore` keep ``ChatMemoryBuffer`` s on the vendors' stored conversations;
`JyloDBChatStore` and `ZaiaDBChatStore` are the same conversations as the async DB chat
stores LlamaIndex's ``Memory`` takes. `UnleashToolSpec` and `JyloToolSpec` are agent tool
specs (search and ask) for ``FunctionAgent`` / ``ReActAgent``. Nothing here speaks HTTP:
every class goes through the vendor clients, whose errors pass through unchanged.
"""

from typing import TYPE_CHECKING

try:
    import llama_index.core  # noqa: F401
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(
        "assistant_bridge.llama_index needs llama-index-core: "
        "pip install 'assistant-bridge[llama-index]'"
    ) from exc

from .._lazy_imports import lazy_exports

if TYPE_CHECKING:
    from .._adapter_core import UnsupportedOperationError
    from ._answer_responses import citation_blocks, nodes_from_response, to_nodes
    from ._chat_stores import JyloChatStore, ZaiaChatStore
    from ._jylo_llm import Jylo
    from ._memory_stores import JyloDBChatStore, ZaiaDBChatStore
    from ._metadata_filters import search_filters_from_metadata, to_search_filters
    from ._retriever import DEFAULT_SEARCH_TOP_K, UnleashRetriever
    from ._tool_specs import JyloToolSpec, UnleashToolSpec
    from ._unleash_llm import DEFAULT_CONTEXT_WINDOW, DEFAULT_NUM_OUTPUT, Unleash

__all__ = [
    "DEFAULT_CONTEXT_WINDOW",
    "DEFAULT_NUM_OUTPUT",
    "DEFAULT_SEARCH_TOP_K",
    "Jylo",
    "JyloChatStore",
    "JyloDBChatStore",
    "JyloToolSpec",
    "Unleash",
    "UnleashRetriever",
    "UnleashToolSpec",
    "UnsupportedOperationError",
    "ZaiaChatStore",
    "ZaiaDBChatStore",
    "citation_blocks",
    "nodes_from_response",
    "search_filters_from_metadata",
    "to_nodes",
    "to_search_filters",
]

if not TYPE_CHECKING:
    __getattr__, __dir__ = lazy_exports(
        __name__,
        globals(),
        {
            "assistant_bridge._adapter_core": ("UnsupportedOperationError",),
            "._answer_responses": (
                "citation_blocks",
                "nodes_from_response",
                "to_nodes",
            ),
            "._chat_stores": (
                "JyloChatStore",
                "ZaiaChatStore",
            ),
            "._jylo_llm": ("Jylo",),
            "._memory_stores": (
                "JyloDBChatStore",
                "ZaiaDBChatStore",
            ),
            "._unleash_llm": (
                "DEFAULT_CONTEXT_WINDOW",
                "DEFAULT_NUM_OUTPUT",
                "Unleash",
            ),
            "._metadata_filters": (
                "search_filters_from_metadata",
                "to_search_filters",
            ),
            "._retriever": (
                "DEFAULT_SEARCH_TOP_K",
                "UnleashRetriever",
            ),
            "._tool_specs": (
                "JyloToolSpec",
                "UnleashToolSpec",
            ),
        },
    )
