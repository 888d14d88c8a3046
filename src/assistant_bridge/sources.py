"""One vendor-neutral model of a cited source, shared by the LangChain and LlamaIndex adapters.

A `Source` is something an answer was built from: an enterprise resource Unleash found, a
web page, a search hit, or the answer itself. `Source.metadata()` gives the metadata both
frameworks attach (LangChain ``Document.metadata``, LlamaIndex ``TextNode.metadata``),
so the keys are identical on both sides:

``source`` (url), ``title``, ``id``, ``app_id``, ``type``, ``external_id``,
``subtitle``, ``score``, ``score_source``, ``kind``, ``vendor``, ``citations`` (``[{start_index,
end_index, cited_text}]`` into the answer text; an answer's own citations also carry
``source_ids``, the ``id`` s of the sources each one cites) and ``data`` (the vendor's raw
data). Keys without a value are left out. The adapters give every source a score and a
stable id (the adapter core's ``ranked``): the vendor's score, else ``1 / rank``, with
``score_source`` saying which (``"vendor"``, ``"rank"``, ``"answer"``).

`answer_from_chat` / `answer_from_chat_v2` give the answer itself as a source (kind and
type ``"answer"``), with every citation of the answer. `sources_from_jylo` gives the
sources a Jylo message cites in its ``textWithCitations`` (kind ``"document"``).

Where the API gives only a position (Unleash v2 ``reference.position``, a v1
``InlineReference`` part), the cited span is inferred: it runs from the start of the
sentence that ends at the position up to the position.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal

from .unleash import Resource

if TYPE_CHECKING:  # Jylo's models load with its client, on first use
    from .jylo import Citation as JyloCitation
    from .jylo import Document as JyloDocument
    from .jylo import Message as JyloMessage
    from .unleash import ChatResponse, ChatV2Response, SearchResponse, WebSource

__all__ = [
    "CitationSpan",
    "Source",
    "SourceKind",
    "answer_from_chat",
    "answer_from_chat_v2",
    "cited_span",
    "sources_from_chat",
    "sources_from_chat_v2",
    "sources_from_jylo",
    "sources_from_search",
]

SourceKind = Literal["enterprise", "web", "search", "document", "answer"]

_MARKS = ".!?"
"""Sentence marks that end a sentence when whitespace (or the end of the text) follows."""
_STOPS = "\n\u3002\uff01\uff1f"
"""A line end and the CJK full stop, exclamation and question marks: always an end."""
_URL_KEYS = ("url", "webUrl", "link", "href", "permalink")
_TITLE_KEYS = ("title", "name", "subject", "summary")


@dataclass(frozen=True)
class CitationSpan:
    """Where a source is cited in the answer text: ``text[start_index:end_index]``.

    ``source_ids`` is set on an answer's own citations: the ids of the sources cited there.
    """

    start_index: int
    end_index: int
    cited_text: str | None = None
    source_ids: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """The span as metadata: ``{start_index, end_index, cited_text, source_ids}``."""
        out: dict[str, Any] = {"start_index": self.start_index, "end_index": self.end_index}
        if self.cited_text:
            out["cited_text"] = self.cited_text
        if self.source_ids:
            out["source_ids"] = list(self.source_ids)
        return out


@dataclass(frozen=True)
class Source:
    """A cited source, independent of vendor and framework.

    Attributes:
        text: the content a framework shows (a snippet, the full text, or the answer).
        id: the vendor's id of the source (the adapters fill a missing one with a
            stable id derived from the url or the source's fields).
        url: where a person can open it (metadata key ``source``).
        score: the vendor's score, or the rank score the adapters give (see
            ``score_source``).
        score_source: where ``score`` comes from: ``"vendor"`` (the response),
            ``"rank"`` (``1 / rank`` in the list) or ``"answer"`` (the answer itself, 1.0).
        citations: where the answer cites it, in order.
        data: the vendor's raw, app-specific data.
    """

    text: str
    kind: SourceKind
    vendor: str
    id: str | None = None
    title: str | None = None
    url: str | None = None
    app_id: str | None = None
    type: str | None = None
    external_id: str | None = None
    subtitle: str | None = None
    score: float | None = None
    score_source: Literal["vendor", "rank", "answer"] | None = None
    citations: tuple[CitationSpan, ...] = ()
    data: Mapping[str, Any] | None = field(default=None, compare=False)

    def metadata(self) -> dict[str, Any]:
        """The framework metadata; the same keys for LangChain and LlamaIndex."""
        values: dict[str, Any] = {
            "source": self.url,
            "title": self.title,
            "id": self.id,
            "app_id": self.app_id,
            "type": self.type,
            "external_id": self.external_id,
            "subtitle": self.subtitle,
            "score": self.score,
            "score_source": self.score_source,
            "kind": self.kind,
            "vendor": self.vendor,
            "citations": [c.as_dict() for c in self.citations] or None,
            "data": dict(self.data) if self.data else None,
        }
        return {key: value for key, value in values.items() if value is not None}


def cited_span(text: str, position: int) -> CitationSpan:
    """The span a citation at ``position`` refers to: its sentence, up to the position."""
    return _Sentences(text).span(position)


class _Sentences:
    """Cited spans of one text: the sentence ends are found once, then each span is a lookup.

    A span runs from the last sentence end before ``position - 1`` (a sentence mark right
    before that point counts too, as if the text stopped there) to ``position``. Finding
    the ends once keeps an answer with many citations linear in its length.
    """

    __slots__ = ("_ends", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self._ends: list[int] | None = None

    def span(self, position: int) -> CitationSpan:
        text = self.text
        end = min(max(position, 0), len(text))
        limit = max(end - 1, 0)
        if limit and text[limit - 1] in _MARKS:
            start = limit  # a sentence mark just before the limit ends a sentence there
        else:
            if self._ends is None:
                self._ends = _sentence_ends(text)
            found = bisect_right(self._ends, limit)
            start = self._ends[found - 1] if found else 0
        while start < end and text[start].isspace():
            start += 1
        return CitationSpan(start, end, text[start:end].strip() or None)


def _sentence_ends(text: str) -> list[int]:
    """Where sentences end in ``text``, in order: just past a mark (and the space after it).

    A ``.``, ``!`` or ``?`` ends a sentence when whitespace or the end of the text follows
    (the end then includes that whitespace); a line end or a CJK full stop, exclamation
    or question mark always does. Found with ``str.find``: a regular expression trying
    these alternatives at every character is four times slower.
    """
    size = len(text)
    ends: set[int] = set()
    for mark in _MARKS:
        at = text.find(mark)
        while at >= 0:
            after = at + 1
            if after == size:
                ends.add(after)
            elif text[after].isspace():
                ends.add(after + 1)
            at = text.find(mark, after)
    for mark in _STOPS:
        at = text.find(mark)
        while at >= 0:
            ends.add(at + 1)
            at = text.find(mark, at + 1)
    return sorted(ends)


def _first_str(data: Mapping[str, Any] | None, keys: Sequence[str]) -> str | None:
    for key in keys:
        value = (data or {}).get(key)
        if isinstance(value, str) and value.strip():
            return value
    return None


def _from_resource(
    resource: Resource, *, kind: SourceKind, text: str | None, spans: Iterable[CitationSpan] = ()
) -> Source:
    data = resource.data or None
    title = resource.title or resource.name or _first_str(data, _TITLE_KEYS)
    return Source(
        text=text if text is not None else (title or resource.subtitle or ""),
        kind=kind,
        vendor="unleash",
        id=resource.id,
        title=title,
        url=resource.url or _first_str(data, _URL_KEYS),
        app_id=resource.app_id,
        type=resource.type,
        external_id=resource.external_id,
        subtitle=resource.subtitle,
        citations=tuple(spans),
        data=data,
    )


def _from_web(source: WebSource, spans: Iterable[CitationSpan] = ()) -> Source:
    return Source(
        text=source.description or source.title or source.url or "",
        kind="web",
        vendor="unleash",
        id=source.id or source.url,
        title=source.title,
        url=source.url,
        type="web",
        subtitle=source.site_name,
        citations=tuple(spans),
    )


def sources_from_search(response: SearchResponse) -> list[Source]:
    """One source per search hit, in rank order; the text is the snippet."""
    out: list[Source] = []
    for result in response.results:
        resource = result.resource or Resource()
        snippet = result.snippet or " … ".join(result.highlights) or None
        source = _from_resource(resource, kind="search", text=snippet)
        score = (result.model_extra or {}).get("score")
        if isinstance(score, (int, float)) and not isinstance(score, bool):
            source = replace(source, score=float(score), score_source="vendor")
        out.append(source)
    return out


def _v2_citations(
    response: ChatV2Response, found: Sequence[Resource], pages: Sequence[WebSource]
) -> Iterator[tuple[CitationSpan, list[str]]]:
    """Each reference's span and the keys of what it cites (resource ids, web ids or urls).

    Read straight from the references (no intermediate citation objects): a reference's
    ids name enterprise resources first; an id that names no resource names a web page
    (by id, else url), each page once per reference. ``found`` and ``pages`` are the
    response's resources and web pages (each property walks every tool step).
    """
    resources = {r.id for r in found if r.id is not None}
    web: dict[str, WebSource] = {}
    for source in pages:
        for key in (source.id, source.url):
            if key is not None:
                web.setdefault(key, source)
    sentences = _Sentences(response.text)
    length = len(response.text)
    for ref in response.references:
        position = length if ref.position is None else min(max(ref.position, 0), length)
        ids = ref.reference_ids
        unique = ids if len(ids) < 2 else dict.fromkeys(ids)  # one id: nothing to drop
        keys = [i for i in unique if i in resources]
        if web:
            sites: dict[int, WebSource] = {}  # each page once, by identity
            for i in ids:
                site = web.get(i)
                if site is not None and i not in resources:
                    sites.setdefault(id(site), site)
            keys += [site.id or site.url or "" for site in sites.values()]
        yield sentences.span(position), keys


def sources_from_chat_v2(response: ChatV2Response) -> list[Source]:
    """The enterprise resources and web pages a v2 answer's tools found, cited ones first.

    Each source carries the spans where a reference cites it.
    """
    resources, pages = response.resources, response.web_sources
    spans: dict[str, list[CitationSpan]] = {}
    for span, keys in _v2_citations(response, resources, pages):
        for key in keys:
            spans.setdefault(key, []).append(span)
    found = [
        _from_resource(r, kind="enterprise", text=None, spans=spans.get(r.id or "", ()))
        for r in resources
    ]
    found += [_from_web(w, spans.get(w.id or w.url or "", ())) for w in pages]
    return _cited_first(found)


def sources_from_chat(response: ChatResponse) -> list[Source]:
    """The resources of a v1 answer, cited ones first, with the spans that cite them."""
    spans: dict[str, list[CitationSpan]] = {}
    sentences = _Sentences(response.text)
    for citation in response.citations():
        span = sentences.span(citation.offset)
        for resource in citation.resources:
            if resource.id is not None:
                spans.setdefault(resource.id, []).append(span)
    found = [
        _from_resource(r, kind="enterprise", text=None, spans=spans.get(r.id or "", ()))
        for r in response.resources
    ]
    return _cited_first(found)


def _cited_first(sources: list[Source]) -> list[Source]:
    """Cited sources first (in order of first citation), then the rest in found order."""
    cited = sorted((s for s in sources if s.citations), key=lambda s: s.citations[0].end_index)
    return cited + [s for s in sources if not s.citations]


def _answer(
    text: str, spans: list[CitationSpan], request_id: str | None, thread_id: str | None
) -> Source:
    ids = {"request_id": request_id, "thread_id": thread_id}
    return Source(
        text=text,
        kind="answer",
        vendor="unleash",
        id=request_id,
        type="answer",
        citations=tuple(spans),
        data={key: value for key, value in ids.items() if value} or None,
    )


def answer_from_chat_v2(response: ChatV2Response) -> Source:
    """A v2 answer as a source: its text, every citation with the ids it cites.

    ``data`` holds the ``request_id`` and ``thread_id`` (to continue the thread).
    """
    spans = [
        CitationSpan(span.start_index, span.end_index, span.cited_text, tuple(dict.fromkeys(keys)))
        for span, keys in _v2_citations(response, response.resources, response.web_sources)
    ]
    return _answer(response.text, spans, response.request_id, response.thread_id)


def answer_from_chat(response: ChatResponse) -> Source:
    """A v1 answer as a source: its text, every citation with the ids it cites.

    ``data`` holds the ``request_id`` and ``thread_id`` (to continue the thread).
    """
    spans: list[CitationSpan] = []
    text = response.text
    sentences = _Sentences(text)
    for citation in response.citations():
        ids = [r.id for r in citation.resources if r.id is not None]
        span = sentences.span(citation.offset)
        spans.append(
            CitationSpan(
                span.start_index, span.end_index, span.cited_text, tuple(dict.fromkeys(ids))
            )
        )
    return _answer(text, spans, response.request_id, response.thread_id)


def _jylo_span(citation: JyloCitation, parsed: str, text: str) -> CitationSpan | None:
    """A Jylo citation as a span of ``text`` (found again by its words if ``text`` differs)."""
    if text == parsed or text[citation.start : citation.end] == citation.text:
        start, end = citation.start, citation.end
    else:
        found = _nearest(text, citation.text, citation.start)
        if found is None:
            return None
        start, end = found, found + len(citation.text)
    return CitationSpan(start, end, citation.text.strip() or None)


def _nearest(text: str, words: str, near: int) -> int | None:
    """Where ``words`` occur in ``text`` closest to ``near`` (the same words may recur)."""
    best: int | None = None
    at = text.find(words) if words else -1
    while at >= 0:
        if best is None or abs(at - near) < abs(best - near):
            best = at
        elif at > near:
            break  # further occurrences are only further away
        at = text.find(words, at + 1)
    return best


def _jylo_documents(
    message: JyloMessage, documents: Iterable[JyloDocument] | Mapping[str, JyloDocument]
) -> dict[str, JyloDocument]:
    given = documents.values() if isinstance(documents, Mapping) else documents
    known: dict[str, JyloDocument] = {}
    for doc in [*message.documents, *given]:
        for key in (doc.object_identifier, doc.document_upload_object_identifier):
            if key:
                known[key] = doc
    return known


def _jylo_source(
    source_id: str, doc: JyloDocument | None, title: str | None, spans: Iterable[CitationSpan]
) -> Source:
    name = title or (doc.name if doc else None)
    data = doc.model_dump(mode="json", by_alias=True, exclude_none=True) if doc else None
    return Source(
        text=name or source_id,
        kind="document",
        vendor="jylo",
        id=source_id,
        title=name,
        url=doc.url if doc else None,
        type="document",
        citations=tuple(spans),
        data=data,
    )


def sources_from_jylo(
    message: JyloMessage,
    documents: Iterable[JyloDocument] | Mapping[str, JyloDocument] = (),
    *,
    text: str | None = None,
) -> list[Source]:
    """The sources a Jylo message cites, then the attached documents it does not cite.

    The citations are read from ``textWithCitations`` (`Message.cited_text`); each cited
    source id becomes one source (kind and type ``"document"``) with the spans that cite
    it, in order of first citation. A source's title is the marker's title, else the
    document's name; its url and ``data`` come from the matching document, looked up by
    id in ``documents`` and ``message.documents``.

    Args:
        message: the assistant's message.
        documents: documents that may be cited (e.g. the ones uploaded and attached).
        text: the answer text the spans must index into, when it is not the plain text
            parsed from ``textWithCitations`` (e.g. the streamed text); spans are then
            found again by their cited words, and dropped if not found.
    """
    cited = message.cited_text()
    plain = cited.text if text is None else text
    known = _jylo_documents(message, documents)
    spans: dict[str, dict[CitationSpan, None]] = {}  # per source, its spans in order, once
    titles: dict[str, str] = {}
    for citation in cited.citations:
        span = _jylo_span(citation, cited.text, plain)
        listed = spans.setdefault(citation.source_id, {})
        if span is not None:
            listed.setdefault(span)
        if citation.title and citation.source_id not in titles:
            titles[citation.source_id] = citation.title
    out = [
        _jylo_source(sid, known.get(sid), titles.get(sid), found) for sid, found in spans.items()
    ]
    cited_docs = {id(known[sid]) for sid in spans if sid in known}
    uncited: dict[int, JyloDocument] = {}
    for key, doc in known.items():
        if key not in spans and id(doc) not in cited_docs:
            uncited.setdefault(id(doc), doc)
    out += [_jylo_source(doc.id or "", doc, None, ()) for doc in uncited.values()]
    return out
