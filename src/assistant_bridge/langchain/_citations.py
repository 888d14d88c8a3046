"""`format_citations`: an answer of `ChatUnleash` or `ChatJylo` as text with numbered sources.

Both chat models put the sources they used in ``additional_kwargs["sources"]``
(``[{"text", "metadata"}]``, the metadata of `assistant_bridge.sources`), each with the
spans of the answer that cite it (``metadata["citations"]``: ``start_index``,
``end_index``, ``cited_text``). This module turns that into plain text for people, logs
and tools: a ``[n]`` marker after each cited span, then a numbered ``Sources:`` list.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from langchain_core.messages import BaseMessage

from .._adapter_core import source_item_parts

__all__ = ["format_citations"]


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
    title = str(metadata.get("title") or url or "untitled source")
    return f"  [{number}] {title} - {url}" if url and url != title else f"  [{number}] {title}"


def format_citations(message: BaseMessage, *, include_uncited: bool = False) -> str:
    """The answer text with a ``[n]`` after each cited span, then its numbered sources.

    Sources are numbered in the order they are first cited in the text; a span cited by
    several sources gets every number (``[1][2]``), and a source cited twice keeps one
    number. The list follows a blank line::

        The billing service is owned by the Payments team.[1]

        Sources:
          [1] Billing service: ownership and runbook - https://wiki.example/billing

    Args:
        message: an ``AIMessage`` (or merged stream chunk) from `ChatUnleash` or
            `ChatJylo`; any message with ``additional_kwargs["sources"]`` in that shape.
        include_uncited: also list the sources the answer used but cites nowhere
            (numbered after the cited ones, without markers in the text).

    Returns:
        The text alone when no source is listed (a message without sources, or one
        whose sources are all uncited while ``include_uncited`` is False).
    """
    text = str(message.text)
    merged: dict[str, tuple[Mapping[str, Any], list[int]]] = {}
    for index, (_, metadata) in enumerate(
        source_item_parts(message.additional_kwargs.get("sources"))
    ):
        key = _key(metadata, index)
        first, ends = merged.get(key, (metadata, []))
        merged[key] = (first, ends + _ends(metadata, len(text)))
    cited = sorted(
        (item for item in merged.values() if item[1]), key=lambda item: min(item[1])
    )  # stable: sources first cited at the same place keep the order the vendor gave
    listed = cited + ([item for item in merged.values() if not item[1]] if include_uncited else [])
    if not listed:
        return text
    marks: dict[int, list[int]] = {}
    for number, (_, ends) in enumerate(cited, start=1):
        for end in ends:
            numbers = marks.setdefault(end, [])
            if number not in numbers:
                numbers.append(number)
    for end in sorted(marks, reverse=True):  # right to left keeps the offsets valid
        label = "".join(f"[{n}]" for n in sorted(marks[end]))
        text = f"{text[:end]}{label}{text[end:]}"
    lines = [_line(number, metadata) for number, (metadata, _) in enumerate(listed, start=1)]
    return "\n".join([text, "", "Sources:", *lines])
