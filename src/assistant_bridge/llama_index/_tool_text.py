"""Text an agent's LLM reads from the LlamaIndex tools: the adapter core's, read from LlamaIndex types.

`search_results_text` renders nodes and `cited_answer_text` renders an `Unleash` or `Jylo`
``ChatResponse`` through the core's `search_hits_text` and `cited_answer_text`, so the
LlamaIndex tools give the same text as the LangChain ones (``[n]`` after each cited span,
sources numbered in the order they are first cited).
"""

from __future__ import annotations

from collections.abc import Sequence

from llama_index.core.base.llms.types import ChatResponse, TextBlock
from llama_index.core.schema import NodeWithScore

from .._adapter_core import cited_answer_text as core_cited_answer_text
from .._adapter_core import search_hits_text

__all__ = ["cited_answer_text", "search_results_text"]


def search_results_text(query: str, nodes: Sequence[NodeWithScore], *, snippet_chars: int) -> str:
    """Numbered search hits: ``[n] title``, then url, app / type and a snippet per hit.

    Args:
        query: the query searched (named in the heading).
        nodes: the hits, best first.
        snippet_chars: the longest snippet shown (longer ones are cut with ``...``).
    """
    hits = [(hit.node.metadata, hit.node.get_content()) for hit in nodes]
    return search_hits_text(query, hits, snippet_chars=snippet_chars)


def cited_answer_text(response: ChatResponse, *, include_uncited: bool = False) -> str:
    """The answer with ``[n]`` after each cited span, then the numbered sources.

    Args:
        response: a ``ChatResponse`` of `Unleash` or `Jylo` (its first ``TextBlock`` is
            the answer; ``additional_kwargs["sources"]`` carry the sources and the spans
            citing them).
        include_uncited: also list the sources cited nowhere, under
            ``Also consulted (not cited):``.
    """
    text = next((b.text for b in response.message.blocks if isinstance(b, TextBlock)), "")
    return core_cited_answer_text(
        text, response.additional_kwargs.get("sources"), include_uncited=include_uncited
    )
