"""Reading Jylo's ``textWithCitations``: plain text plus the cited spans and their sources.

The marker syntax is not documented, so `parse_citations` recognises the forms an
assistant API plausibly emits and leaves anything else exactly as it was:

- numbered markers ``[1]``, ``[1, 2]``, ``[^1]`` (a footnote definition ``[^1]: ...`` is
  left alone), and ``[<uuid>]``;
- prefixed ids ``[[doc:<id>]]``, ``[[<id>]]``, ``[doc:<id>]``, ``[source: <id>]``;
- ``【1†source】`` and ``【4:0†source】``;
- link-style markers ``[1](cite:<id> "Title")`` (also ``source:``, ``doc:``, ``ref:``;
  the title is optional);
- tags ``<cite id="...">text</cite>`` (also ``<citation>``, and ``source``/``ref``/``ids``
  attributes, several ids separated by commas or spaces).

A tag cites the text it wraps. A point marker cites the text before it, back to the
start of its sentence (or to the previous marker in the same sentence); markers side by
side (``[1][2]``) cite the same span. A markdown link ``[1](https://...)`` is not a
marker. Parsing never raises: text without recognised markers comes back unchanged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = ["Citation", "CitedText", "parse_citations"]

_UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_ID = r"[\w.:/#@-]+"
_MARKERS = re.compile(
    r"<(?P<tag>cite|citation)\b(?P<attrs>[^>]*)>(?P<inner>.*?)</(?P=tag)\s*>"
    r"|\[(?P<llabel>[^\[\]\n]{1,80})\]\(\s*(?:cite|citation|source|doc|ref)\s*:\s*"
    r"(?P<link>[^\s)\"]+)(?:\s+\"(?P<ltitle>[^\"]*)\")?\s*\)"
    r"|【(?P<lent>[^†】\s]+)(?:†(?P<ltag>[^】]*))?】"
    r"|\[\[(?:(?:doc|document|source|src|ref|cite)\s*:\s*)?(?P<dbl>" + _ID + r")\]\]"
    r"|\[\^(?P<foot>[\w.-]+)\](?!:)"
    r"|\[(?:doc|document|source|src|ref|cite)\s*:\s*(?P<pref>" + _ID + r")\](?!\()"
    r"|\[(?P<nums>\d{1,4}(?:\s*,\s*\d{1,4})*)\](?!\()"
    r"|\[(?P<uuid>" + _UUID + r")\](?!\()",
    re.DOTALL | re.IGNORECASE,
)
_ATTR = re.compile(
    r"\b(?:id|ids|source|sources|source_id|ref|doc)\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>]+))",
    re.IGNORECASE,
)
_BOUNDARY = re.compile(r"[.!?](?:[\"')\]]*)\s+|\n+")
_SPLIT_IDS = re.compile(r"[\s,;]+")


@dataclass(frozen=True)
class Citation:
    """One cited span of the plain text.

    Attributes:
        source_id: the id the marker names (``"1"``, a document UUID, ``"4:0"``...).
        start: where the span starts in `CitedText.text`.
        end: where it ends (exclusive); ``start == end`` when nothing precedes a marker.
        text: the cited span, ``CitedText.text[start:end]``.
        marker: the marker exactly as it appeared in the raw text.
        title: the source's title when the marker names one (``"Title"`` in a link-style
            marker, the label after ``†``).
    """

    source_id: str
    start: int
    end: int
    text: str
    marker: str
    title: str | None = None


@dataclass(frozen=True)
class CitedText:
    """Text with its citation markers removed, and what each marker cited.

    Attributes:
        text: the plain text.
        citations: the cited spans in the order their markers appear (a marker naming
            several sources gives one citation per source).
        raw: the text as the vendor sent it.
    """

    text: str
    citations: list[Citation] = field(default_factory=list)
    raw: str = ""

    @property
    def source_ids(self) -> list[str]:
        """Each cited source id once, in order of first appearance."""
        return list(dict.fromkeys(c.source_id for c in self.citations))


def _tag_ids(attrs: str) -> list[str]:
    match = _ATTR.search(attrs)
    if match is None:
        return []
    value = next(g for g in match.groups() if g is not None)
    return [part for part in _SPLIT_IDS.split(value.strip()) if part]


def _point_title(match: re.Match[str]) -> str | None:
    title = match.group("ltitle") or match.group("ltag")
    if title is None or not title.strip() or title.strip().lower() == "source":
        return None
    return title.strip()


def _point_ids(match: re.Match[str]) -> list[str]:
    for name in ("link", "lent", "dbl", "foot", "pref", "uuid"):
        value = match.group(name)
        if value:
            return [value]
    nums = match.group("nums") or ""
    return [part.strip() for part in nums.split(",") if part.strip()]


def _sentence_start(out: str, floor: int) -> int:
    """Where the sentence that ends at the end of ``out`` starts (never before ``floor``)."""
    probe = out.rstrip().rstrip(".!?;:,")
    start = 0
    for match in _BOUNDARY.finditer(probe):
        start = match.end()
    start = max(start, floor)
    while start < len(out) and out[start].isspace():
        start += 1
    return start


class _Builder:
    """Accumulates the plain text and the citations in one pass over the raw text."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.citations: list[Citation] = []
        self._last_point = -1
        self._last_span = (0, 0)

    def add_text(self, text: str) -> None:
        self.parts.append(text)
        self.length += len(text)

    def trim_before_point(self, next_char: str) -> None:
        """Drop the spaces before a removed marker unless a word follows it."""
        if next_char.isalnum() or not self.parts:
            return
        last = self.parts[-1]
        trimmed = last.rstrip(" \t")
        self.length -= len(last) - len(trimmed)
        self.parts[-1] = trimmed

    def add_point(self, ids: list[str], marker: str, title: str | None) -> None:
        out = "".join(self.parts)
        end = len(out.rstrip())
        if end == self._last_point:
            start, end = self._last_span
        else:
            floor = self._last_point if 0 <= self._last_point < end else 0
            start = min(_sentence_start(out[:end], floor), end)
        self._last_point, self._last_span = end, (start, end)
        text = out[start:end]
        self.citations.extend(Citation(i, start, end, text, marker, title) for i in ids)

    def add_span(self, ids: list[str], inner: str, marker: str) -> None:
        start = self.length
        self.add_text(inner)
        self.citations.extend(Citation(i, start, self.length, inner, marker) for i in ids)


def parse_citations(text: str | None) -> CitedText:
    """Split ``textWithCitations`` into plain text and cited spans.

    Args:
        text: the raw text with markers (``None`` is read as ``""``).

    Returns:
        The plain text, the citations (each with its source id and span), and the raw
        text. Text whose markers are not recognised is returned unchanged.

    Example:
        ```python
        from assistant_bridge.jylo import parse_citations

        cited = parse_citations("Paris is the capital [1].")
        print(cited.text, cited.citations[0].source_id, cited.citations[0].text, sep=" | ")
        ```

        ```text title="Output"
        Paris is the capital. | 1 | Paris is the capital
        ```
    """
    raw = text or ""
    builder = _Builder()
    pos = 0
    for match in _MARKERS.finditer(raw):
        builder.add_text(raw[pos : match.start()])
        pos = match.end()
        if match.group("tag"):
            ids = _tag_ids(match.group("attrs") or "")
            inner = match.group("inner") or ""
            if ids:
                builder.add_span(ids, inner, match.group(0))
            else:
                builder.add_text(match.group(0))  # a tag that names no source: keep it
            continue
        builder.trim_before_point(raw[pos : pos + 1])
        builder.add_point(_point_ids(match), match.group(0), _point_title(match))
    builder.add_text(raw[pos:])
    if not builder.citations:
        return CitedText(text=raw, citations=[], raw=raw)
    return CitedText(text="".join(builder.parts), citations=builder.citations, raw=raw)
