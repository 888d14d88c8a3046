"""Text an agent's LLM reads: search hits and cited answers as numbered plain text (no I/O).

`search_results_text` renders nodes as a numbered list (title, url, app and type, a
snippet); `cited_answer_text` renders an `Unleash` or `Jylo` ``ChatResponse`` as its
answer with ``[n]`` markers after each cited span, then the numbered sources (cited ones,
then the others consulted), ``n`` being the source's place in
``additional_kwargs["sources"]`` (so the markers, the list and `nodes_from_response`
agree).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from llama_index.core.base.llms.types import ChatResponse, CitationBlock, TextBlock
from llama_index.core.schema import NodeWithScore

__all__ = ["cited_answer_text", "search_results_text"]


def _one_line(text: str, limit: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: max(limit - 3, 0)].rstrip() + "..."


def search_results_text(query: str, nodes: Sequence[NodeWithScore], *, snippet_chars: int) -> str:
    """Numbered search hits: ``[n] title``, then url, app/type and a snippet per hit.

    Args:
        query: the query searched (named in the heading).
        nodes: the hits, best first.
        snippet_chars: the longest snippet shown (longer ones are cut with ``...``).
    """
    if not nodes:
        return f"No results for {query!r}."
    lines = [f"{len(nodes)} result(s) for {query!r}:"]
    for number, hit in enumerate(nodes, start=1):
        meta = hit.node.metadata
        lines.append(f"[{number}] {meta.get('title') or meta.get('id') or '(untitled)'}")
        if meta.get("source"):
            lines.append(f"    url: {meta['source']}")
        kind = " / ".join(str(meta[k]) for k in ("app_id", "type") if meta.get(k))
        if kind:
            lines.append(f"    from: {kind}")
        snippet = _one_line(hit.node.get_content(), snippet_chars)
        if snippet:
            lines.append(f"    snippet: {snippet}")
    return "\n".join(lines)


def _markers(blocks: Sequence[Any], length: int) -> dict[int, list[int]]:
    """Source numbers to show after each position of the answer text."""
    at: dict[int, list[int]] = {}
    for block in blocks:
        if not isinstance(block, CitationBlock):
            continue
        info = block.additional_location_info
        end, index = info.get("end_index"), info.get("source_index")
        if not (isinstance(end, int) and isinstance(index, int)) or not 0 <= end <= length:
            continue
        numbers = at.setdefault(end, [])
        if index + 1 not in numbers:
            numbers.append(index + 1)
    return at


def _with_markers(text: str, blocks: Sequence[Any]) -> str:
    out = text
    for end, numbers in sorted(_markers(blocks, len(text)).items(), reverse=True):
        out = out[:end] + "".join(f" [{n}]" for n in numbers) + out[end:]
    return out


def _source_line(number: int, item: Any) -> str:
    meta: Mapping[str, Any] = item.get("metadata", {}) if isinstance(item, Mapping) else {}
    meta = meta if isinstance(meta, Mapping) else {}
    title = meta.get("title") or meta.get("id") or "(untitled)"
    url = meta.get("source")
    return f"[{number}] {title}" + (f" - {url}" if url else "")


def cited_answer_text(response: ChatResponse) -> str:
    """The answer with ``[n]`` after each cited span, then the numbered sources.

    ``Sources:`` lists the cited sources; the others the assistant used follow under
    ``Also consulted (not cited):`` with the next numbers (all under ``Sources:`` when
    nothing is cited). A source's number is its place in ``additional_kwargs["sources"]``.

    Args:
        response: a ``ChatResponse`` of `Unleash` or `Jylo` (its first ``TextBlock`` is
            the answer, its ``CitationBlock`` s place the markers, and
            ``additional_kwargs["sources"]`` are listed).
    """
    blocks = response.message.blocks
    text = next((b.text for b in blocks if isinstance(b, TextBlock)), "")
    answer = _with_markers(text, blocks)
    items = response.additional_kwargs.get("sources")
    sources = list(items) if isinstance(items, list) else []
    if not sources:
        return f"{answer}\n\nSources: none given."
    cited = {n for numbers in _markers(blocks, len(text)).values() for n in numbers}
    lines = [_source_line(n, item) for n, item in enumerate(sources, start=1) if n in cited]
    rest = [_source_line(n, item) for n, item in enumerate(sources, start=1) if n not in cited]
    if not lines:
        lines, rest = rest, []
    out = f"{answer}\n\nSources:\n" + "\n".join(lines)
    if rest:
        out += "\n\nAlso consulted (not cited):\n" + "\n".join(rest)
    return out
