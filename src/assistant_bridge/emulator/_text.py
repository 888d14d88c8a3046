"""Deterministic text retrieval for the emulator: terms, ranking, sentences, snippets.

Terms are lower-cased words without stop words, with a light suffix stemmer, so
"policies" finds "policy" and "travelling" finds "travel". `rank` scores items with
BM25 over title (weighted double) and content; `best_sentences` picks the sentences of
an item that share the most terms with a question. Everything is pure and ordered, so
the same question always gives the same result.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ._corpus import Item

__all__ = ["Scored", "best_sentences", "highlights", "rank", "sentences", "terms"]

_WORD = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9#])|\n+")
_STOP = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "can",
        "do",
        "does",
        "for",
        "from",
        "has",
        "have",
        "how",
        "i",
        "if",
        "in",
        "is",
        "it",
        "its",
        "me",
        "my",
        "of",
        "on",
        "or",
        "our",
        "should",
        "so",
        "that",
        "the",
        "their",
        "them",
        "there",
        "these",
        "this",
        "to",
        "was",
        "we",
        "what",
        "when",
        "where",
        "which",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "you",
        "your",
        "about",
        "any",
        "all",
        "also",
        "into",
        "than",
        "then",
        "too",
        "us",
        "tell",
        "please",
        "give",
        "show",
        "find",
        "list",
        "summarise",
        "summarize",
        "explain",
        "did",
        "get",
    ]
)
_SUFFIXES = ("ational", "ations", "ation", "ies", "ing", "ers", "ed", "es", "er", "ly", "s")
_K1, _B, _TITLE_WEIGHT = 1.2, 0.5, 2
# Authoritative documents outrank the chatter about them (a prior per item class).
_CLASS_PRIOR = {"document": 1.25, "task": 1.0, "conversation": 0.9, "event": 0.8, "person": 0.8}


def _stem(word: str) -> str:
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            stem = word[: -len(suffix)]
            if suffix == "ies":
                return stem + "y"
            if len(stem) > 3 and stem[-1] == stem[-2]:  # travell -> travel
                stem = stem[:-1]
            return stem
    return word[:-1] if word.endswith("e") and len(word) > 4 else word  # service ~ servic


def terms(text: str) -> list[str]:
    """The search terms of a text, in order (duplicates kept)."""
    return [_stem(w) for w in _WORD.findall(text.lower()) if w not in _STOP]


_SYNONYMS = {"train": ("rail",), "rail": ("train",), "plane": ("fly", "flight"), "flight": ("fly",)}


def query_terms(query: str) -> list[str]:
    """The query's terms and a few synonyms ("train" also finds "rail"), without repeats."""
    found = terms(query)
    return list(dict.fromkeys([*found, *(s for t in found for s in _SYNONYMS.get(t, ()))]))


def sentences(text: str) -> list[str]:
    """The sentences (and separate lines) of a text, stripped, empty ones dropped."""
    return [s.strip() for s in _SENTENCE.split(text) if s.strip()]


@dataclass(frozen=True)
class Scored:
    """An item and its relevance to a query (0 when the query is empty)."""

    item: Item
    score: float


def _document(item: Item) -> list[str]:
    tags = " ".join((*item.labels, *item.topics))
    return terms(item.title) * _TITLE_WEIGHT + terms(tags) + terms(item.content)


def covers(item: Item, query: str) -> bool:
    """Whether the item's title holds every term of the query (the item is about it)."""
    wanted = set(terms(query))
    return bool(wanted) and wanted <= set(terms(item.title))


def rank(items: Sequence[Item], query: str) -> list[Scored]:
    """The items that contain a query term, best first; every item when the query is empty.

    Ties (and an empty query) are broken by recency, then id, so the order is stable.
    """
    wanted = query_terms(query)
    docs = {item.id: Counter(_document(item)) for item in items}
    if not wanted:
        ordered = sorted(items, key=lambda i: (-i.time.timestamp(), i.id))
        return [Scored(item, 0.0) for item in ordered]
    lengths = {key: sum(doc.values()) for key, doc in docs.items()}
    average = sum(lengths.values()) / max(len(lengths), 1)
    scored: list[Scored] = []
    for item in items:
        doc = docs[item.id]
        score = 0.0
        for term in wanted:
            tf = doc.get(term, 0)
            if not tf:
                continue
            df = sum(1 for d in docs.values() if term in d)
            idf = math.log(1 + (len(docs) - df + 0.5) / (df + 0.5))
            norm = tf + _K1 * (1 - _B + _B * lengths[item.id] / average)
            score += idf * tf * (_K1 + 1) / norm
        if score > 0:
            score *= _CLASS_PRIOR.get(item.class_, 1.0) * (1.5 if covers(item, query) else 1.0)
            scored.append(Scored(item, round(score, 6)))
    return sorted(scored, key=lambda s: (-s.score, -s.item.time.timestamp(), s.item.id))


def _overlap(sentence: str, wanted: set[str]) -> int:
    return len(wanted & set(terms(sentence)))


def best_sentences(item: Item, query: str, limit: int) -> list[str]:
    """Up to ``limit`` sentences of the item that best match the query, in text order.

    Lines that are only a greeting or a signature ("Hi all,", "Maria") are skipped.
    """
    wanted = set(query_terms(query))
    candidates = [s for s in sentences(item.content) if len(s.split()) >= 5]
    scores = [(_overlap(s, wanted), -i) for i, s in enumerate(candidates)]
    picked = sorted(range(len(candidates)), key=lambda i: scores[i], reverse=True)[:limit]
    return [candidates[i] for i in sorted(picked) if scores[i][0] > 0]


def summary(item: Item, limit: int) -> list[str]:
    """An item's own outline: the first sentence of each paragraph, then the second...

    Up to ``limit`` sentences, returned in text order.
    """
    paragraphs = [
        [s for s in sentences(p) if len(s.split()) >= 5] for p in item.content.split("\n\n")
    ]
    order = sorted(
        ((depth, para) for para, ss in enumerate(paragraphs) for depth in range(len(ss))),
    )[:limit]
    return [paragraphs[para][depth] for depth, para in sorted(order, key=lambda o: (o[1], o[0]))]


def highlights(text: str, query: str) -> list[str]:
    """The words of the text that matched a query term, in order of first appearance."""
    wanted = set(query_terms(query))
    found: dict[str, None] = {}
    for word in re.findall(r"[A-Za-z0-9]+(?:[-'][A-Za-z0-9]+)*", text):
        if word.lower() not in _STOP and _stem(word.lower()) in wanted:
            found.setdefault(word, None)
    return list(found)


def snippet(item: Item, query: str) -> str:
    """The item's best sentence for the query (its first sentence for an empty query)."""
    picked = best_sentences(item, query, 1) or summary(item, 1)
    return picked[0] if picked else item.content[:200]


def match_score(words: Iterable[str], query: str) -> int:
    """How many of the query's terms appear among ``words`` (for web pages)."""
    return len(set(terms(query)) & set(terms(" ".join(words))))


__all__ += ["covers", "match_score", "query_terms", "snippet", "summary"]
