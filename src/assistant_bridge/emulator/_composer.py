"""Extractive, deterministic answers: the sentences of the best items, each paragraph cited.

`compose` ranks the items a question can see, takes the best sentences of the top few
(one paragraph per item, the citation at its end), and finds web pages for the
web-search tool. Every vendor renders the same `Answer`: Unleash v1 as Text and
InlineReference parts, v2 as text deltas and positioned references, Jylo as
``textWithCitations``. Nothing is generated, so an answer only says what its sources say.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ._corpus import Item, WebPage
from ._text import best_sentences, covers, match_score, rank, summary, terms

__all__ = ["Answer", "Segment", "compose", "question_of"]

_TOP_ITEMS = 3
_RELATIVE_CUTOFF = 0.45
_WEB_RESULTS = 2


@dataclass(frozen=True)
class Segment:
    """A piece of the answer text and the ids it cites right after it (maybe none)."""

    text: str
    cites: tuple[str, ...] = ()


@dataclass(frozen=True)
class Answer:
    """An answer: its segments, the items it searched up, and the web pages found."""

    segments: tuple[Segment, ...]
    found: tuple[Item, ...]
    web: tuple[WebPage, ...]
    query: str

    @property
    def text(self) -> str:
        """The whole answer text (markdown), without citation marks."""
        return "".join(s.text for s in self.segments)

    @property
    def cited(self) -> list[str]:
        """The cited ids, in order of first citation."""
        return list(dict.fromkeys(c for s in self.segments for c in s.cites))


def question_of(texts: Sequence[str], items: Sequence[Item]) -> str:
    """The query to answer: the last message, with earlier ones added if it finds nothing."""
    if not texts:
        return ""
    last = texts[-1]
    if (rank(items, last) and terms(last)) or len(texts) == 1:
        return last
    return " ".join(texts)


def _web(pages: Sequence[WebPage], query: str) -> list[WebPage]:
    scored = [(match_score([p.title, p.description], query), p) for p in pages]
    hits = sorted((s for s in scored if s[0] > 0), key=lambda s: (-s[0], s[1].id))
    return [page for _, page in hits[:_WEB_RESULTS]]


def compose(
    query: str,
    items: Sequence[Item],
    *,
    web: Sequence[WebPage] = (),
    company: str,
    cite_web: bool = True,
) -> Answer:
    """Answer ``query`` from ``items`` (already filtered) and optionally ``web`` pages."""
    if not terms(query):
        text = "Ask me a question about your company's documents, tickets, mail or calendar."
        return Answer((Segment(text),), (), (), query)
    ranked = rank(items, query)
    best = ranked[0].score if ranked else 0.0
    top = [s.item for s in ranked[:_TOP_ITEMS] if s.score >= best * _RELATIVE_CUTOFF]
    pages = _web(web, query)
    segments: list[Segment] = []
    used: set[str] = set()
    for index, item in enumerate(top):
        if index == 0 and covers(item, query):
            outline = summary(item, 5)
            used.update(outline)
            segments.append(Segment(f"Here is what **{item.title}** says:\n"))
            segments.extend(Segment(f"\n- {sentence}", (item.id,)) for sentence in outline)
            continue
        chosen = best_sentences(item, query, 3 if index == 0 else 2)
        if not chosen and covers(item, query):
            chosen = summary(item, 2)
        picked = [s for s in chosen if s not in used]
        if not picked:
            continue
        used.update(picked)
        lead = "" if not segments else "\n\n"
        segments.append(Segment(lead + " ".join(picked), (item.id,)))
    cite = [p for p in pages if match_score([p.title, p.description], query) >= 2]
    if cite_web and cite:
        lead = "\n\n" if segments else ""
        segments.append(Segment(f"{lead}On the web: {cite[0].description}", (cite[0].id,)))
    if not segments:
        text = f"I could not find anything about that in {company}'s workspace."
        segments.append(Segment(text))
    return Answer(tuple(segments), tuple(s.item for s in ranked[:5]), tuple(pages), query)
