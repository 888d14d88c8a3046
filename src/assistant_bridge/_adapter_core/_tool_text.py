"""The text an agent reads from the tools: cited answers and search hits (no framework, no I/O).

`cited_answer_text` renders an answer and its ``additional_kwargs["sources"]`` items (the
`source_items` shape, each with the spans citing it in ``metadata["citations"]``) as the
text with ``[n]`` markers and numbered sources; LangChain's `format_citations` and the
LlamaIndex ``ask`` tools both use it. `search_hits_text` renders search hits from their
metadata and content; both frameworks' ``unleash_search`` tools use it. So an agent reads
the same text whichever framework it runs in.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ._answers import source_item_parts

__all__ = ["DEFAULT_SNIPPET_CHARS", "cited_answer_text", "search_hits_text"]

DEFAULT_SNIPPET_CHARS = 400
"""The longest snippet `search_hits_text` shows per hit, unless told otherwise."""


def _key(metadata: Mapping[str, Any], index: int) -> str:
    """What makes two source items the same source: its id, else its URL, else its title."""
    for name in ("id", "source", "title"):
        value = metadata.get(name)
        if value:
            return f"{name}:{value}"
    return f"item:{index}"


def _ends(metadata: Mapping[str, Any], length: int) -> list[int]:
    """The end offsets of the spans citing a source, kept inside the text."""
    ends: list[int] = []
    for span in metadata.get("citations") or []:
        if isinstance(span, Mapping) and isinstance(span.get("end_index"), int):
            ends.append(min(max(span["end_index"], 0), length))
    return ends


def _line(number: int, metadata: Mapping[str, Any]) -> str:
    url = str(metadata.get("source") or "")
    title = str(metadata.get("title") or url or metadata.get("id") or "untitled source")
    return f"  [{number}] {title} - {url}" if url and url != title else f"  [{number}] {title}"


def _with_markers(text: str, cited: list[tuple[Mapping[str, Any], list[int]]]) -> str:
    marks: dict[int, list[int]] = {}
    for number, (_, ends) in enumerate(cited, start=1):
        for end in ends:
            numbers = marks.setdefault(end, [])
            if number not in numbers:
                numbers.append(number)
    for end in sorted(marks, reverse=True):  # right to left keeps the offsets valid
        label = "".join(f"[{n}]" for n in sorted(marks[end]))
        text = f"{text[:end]}{label}{text[end:]}"
    return text


def cited_answer_text(text: str, sources: Any, *, include_uncited: bool = False) -> str:
    """The answer with a ``[n]`` after each cited span, then its numbered sources.

    Sources are numbered in the order they are first cited in the text; a span cited by
    several sources gets every number (``[1][2]``), and a source listed twice (same id,
    URL or title) keeps one number. The list follows a blank line:

    ```text
    The billing service is owned by the Payments team.[1]

    Sources:
      [1] Billing service: ownership and runbook - https://wiki.example/billing
    ```

    With ``include_uncited``, the sources the answer used but cites nowhere follow under
    ``Also consulted (not cited):``, numbered after the cited ones.

    Args:
        text: the answer text the citation spans index into.
        sources: the answer's ``additional_kwargs["sources"]`` (None: no sources; an item
            that is no mapping is skipped).
        include_uncited: also list the uncited sources.

    Returns:
        The text alone when no source is listed.
    """
    merged: dict[str, tuple[Mapping[str, Any], list[int]]] = {}
    for index, (_, metadata) in enumerate(source_item_parts(sources)):
        key = _key(metadata, index)
        first, ends = merged.get(key, (metadata, []))
        merged[key] = (first, ends + _ends(metadata, len(text)))
    cited = sorted(
        (item for item in merged.values() if item[1]), key=lambda item: min(item[1])
    )  # stable: sources first cited at the same place keep the order the vendor gave
    uncited = [item for item in merged.values() if not item[1]] if include_uncited else []
    parts = [_with_markers(text, cited)]
    if cited:
        lines = [_line(n, meta) for n, (meta, _) in enumerate(cited, start=1)]
        parts.append("\n".join(["Sources:", *lines]))
    if uncited:
        after = len(cited) + 1
        lines = [_line(n, meta) for n, (meta, _) in enumerate(uncited, start=after)]
        parts.append("\n".join(["Also consulted (not cited):", *lines]))
    return "\n\n".join(parts)


def _one_line(text: str, limit: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: max(limit - 3, 0)].rstrip() + "..."


def search_hits_text(
    query: str,
    hits: Iterable[tuple[Mapping[str, Any], str]],
    *,
    snippet_chars: int = DEFAULT_SNIPPET_CHARS,
) -> str:
    """Numbered search hits: ``[n] title``, then its url, app / type and a snippet.

    For example:

    ```text
    2 result(s) for 'billing outage':
    [1] Postmortem: Billing API outage on 12 May 2025
        url: https://wiki.example/postmortems/billing
        from: confluence / page
        snippet: On 12 May the Billing API returned 502 errors ...
    ```

    Args:
        query: the query searched (named in the heading).
        hits: each hit's metadata (`assistant_bridge.sources` keys: ``title``, ``id``,
            ``source``, ``app_id``, ``type``) and content, best first.
        snippet_chars: the longest snippet shown (longer ones end with ``...``).
    """
    found = list(hits)
    if not found:
        return f"No results for {query!r}; try other keywords or fewer filters."
    lines = [f"{len(found)} result(s) for {query!r}:"]
    for number, (meta, content) in enumerate(found, start=1):
        lines.append(f"[{number}] {meta.get('title') or meta.get('id') or '(untitled)'}")
        if meta.get("source"):
            lines.append(f"    url: {meta['source']}")
        kind = " / ".join(str(meta[k]) for k in ("app_id", "type") if meta.get(k))
        if kind:
            lines.append(f"    from: {kind}")
        snippet = _one_line(content, snippet_chars)
        if snippet:
            lines.append(f"    snippet: {snippet}")
    return "\n".join(lines)
