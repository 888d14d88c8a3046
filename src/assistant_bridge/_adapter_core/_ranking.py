"""Scores and stable ids of retrieved sources, computed once for both frameworks.

A LangChain ``Document`` and a LlamaIndex ``NodeWithScore`` made from the same `Source`
carry the same score and id, because both adapters map the result of `ranked`:

- **score** (metadata ``score``, ``NodeWithScore.score``): the vendor's score when the
  response carries one (``score_source="vendor"``). None of the vendors' documents names
  a score or relevance field today; a ``score`` number that a search result sends anyway
  is kept as the vendor's. Otherwise the score is ``1 / rank`` (``score_source="rank"``),
  the rank counting the sources of the list from 1 in their order (search: relevance
  order across pages; the assistant's sources: cited ones first). It lies in (0, 1],
  falls with the rank and does not depend on how many sources were asked for, so the
  same hit keeps its score when ``k`` changes. The answer itself (kind ``"answer"``) is
  not ranked: it scores 1.0 (``score_source="answer"``).
- **id** (metadata ``id``, ``Document.id``, ``TextNode.id_``): the vendor's id of the
  source (resource id, web page id, Jylo document id, the answer's request id); else its
  url; else a UUID derived from its stable fields (vendor, kind, type, app, external id,
  title, subtitle; the text only when none of these is set). The same result gets the
  same id on every call.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from ..sources import Source

__all__ = ["RANK_SCORE", "ranked", "stable_id"]

RANK_SCORE = "1 / rank"
"""How a source's score is made when the vendor sends none (rank counted from 1)."""

_NAMESPACE = uuid.UUID("5d3c6f0e-8b1a-4c55-9a3e-2f6b7d0c1e48")
"""The fixed namespace of the derived ids (UUID version 5), so they never change."""

_STABLE_KEYS = ("vendor", "kind", "type", "app_id", "external_id", "title", "subtitle")
"""Metadata keys a derived id is made from: fields that do not change between calls."""


def stable_id(metadata: Mapping[str, Any], text: str = "") -> str:
    """A source's stable id: its ``id``, else its url (``source``), else a derived UUID.

    Args:
        metadata: the source's metadata (`Source.metadata` or an item's ``metadata``).
        text: the source's text, used only when no stable field is set.

    Returns:
        The same string for the same source on every call.
    """
    for key in ("id", "source"):
        value = metadata.get(key)
        if isinstance(value, str) and value:
            return value
    fields = [f"{key}={metadata.get(key) or ''}" for key in _STABLE_KEYS]
    if not any(metadata.get(key) for key in _STABLE_KEYS[2:]):
        fields.append(f"text={text}")
    return str(uuid.uuid5(_NAMESPACE, "\x1f".join(fields)))


def ranked(sources: Iterable[Source]) -> list[Source]:
    """The sources with a score, its ``score_source`` and a stable id, in the same order.

    A source scored already (``score_source`` set) keeps its score; one with a ``score``
    but no ``score_source`` has the vendor's. The others get ``1 / rank`` (rank from 1,
    counting every source but the answer), the answer 1.0. See the module docstring.

    Args:
        sources: the sources in rank order (the answer, if any, may be among them).
    """
    out: list[Source] = []
    rank = 0
    for source in sources:
        is_answer = source.kind == "answer"
        if not is_answer:
            rank += 1
        changes: dict[str, Any] = {}
        if source.score_source is None:
            if source.score is not None:
                changes["score_source"] = "vendor"
            elif is_answer:
                changes.update(score=1.0, score_source="answer")
            else:
                changes.update(score=1.0 / rank, score_source="rank")
        if not source.id:  # (the id is made from fields the score does not touch)
            changes["id"] = stable_id(source.metadata(), source.text)
        out.append(_with(source, changes) if changes else source)
    return out


def _with(source: Source, changes: dict[str, Any]) -> Source:
    """``dataclasses.replace(source, **changes)`` for the few fields `ranked` sets.

    `Source` is a frozen dataclass of plain fields with no ``__post_init__``, so a copy
    of its attributes with the changes applied is the same object ``replace`` would build,
    at a fifth of the cost (``replace`` re-reads every field and runs the frozen
    ``__init__``; a v2 answer's sources went through it once each, on every call).
    """
    copy = object.__new__(Source)
    attributes = copy.__dict__
    attributes.update(source.__dict__)
    attributes.update(changes)
    return copy
