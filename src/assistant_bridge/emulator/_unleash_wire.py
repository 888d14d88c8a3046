"""Rendering an `Answer` in Unleash's wire formats: chat v1 events and chat v2 chunks.

Every renderer takes the request's `Wire`: the ``documented`` dialect sends only fields
seeds 000-002, the OpenAPI document and the JS SDK name; ``extended`` adds the inferred
ones (a v2 ``threadId``, a plural ``references`` list in a whole v2 body). Variants pick
among shapes the documents leave open (see `_dialect.VARIANTS`).

Chat v1 (``POST /chats``): ``Request``, ``Progress`` (``file_search``; ``web_search`` when
the web has pages on the question, and ``web_search_retry`` when its first try failed),
``Resources``, ``References``, then ``Message`` events carrying new parts (text deltas and
``InlineReference`` parts whose ``indices`` point into ``references``), and last a
``Full`` event with the whole answer. A ``Message`` nests ``role`` and ``parts`` under
``message`` as the OpenAPI document does (``v1-message=top``: at the top level, where
the JS SDK reads them). Each event is one ``data: <json>`` line and a blank line.

Chat v2 (``POST /chats/v2``): the first chunk carries ``requestId``; then each tool sends
its ``toolCalls`` entry, a ``Start`` step and an ``End`` step whose ``response.resources``
hold what it found: enterprise search always; web search when pages match (its first
call ``Failed`` and is retried when several match); a custom "people directory" tool
with ``custom`` resources when people are among the results. Then ``text`` deltas, a
``reference`` after each cited paragraph (``position`` = the character offset in the
answer where the citation sits), and last ``sources`` with every cited id. The JSON form
is one object: the whole text, every tool call, the first ``reference`` and the
enterprise tool's ``End`` (the documented schema has room for one of each).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from ._composer import Answer
from ._corpus import Corpus, Item, resource_wire
from ._dialect import Wire

__all__ = ["chunk_text", "v1_events", "v1_full", "v2_chunks", "v2_events", "v2_json"]

_PIECE = re.compile(r"\S+\s*|\s+")
_DOCUMENTED = Wire()
_RETRY_AT = 2
"""The web-search tool's first call fails (and is retried) when this many pages match."""


def chunk_text(text: str, size: int = 48) -> list[str]:
    """The text in pieces of about ``size`` characters, split after whitespace."""
    pieces: list[str] = []
    current = ""
    for word in _PIECE.findall(text):
        if current and len(current) + len(word) > size:
            pieces.append(current)
            current = ""
        current += word
    if current:
        pieces.append(current)
    return pieces


def _cased(name: str, wire: Wire) -> str:
    return name.lower() if wire.variant("v1-case") == "lower" else name


def _text_part(text: str, wire: Wire) -> dict[str, Any]:
    return {"type": _cased("Text", wire), "format": "markdown", "text": text}


def _reference_part(indices: list[int], wire: Wire) -> dict[str, Any]:
    return {"type": _cased("InlineReference", wire), "indices": indices}


def _v1_parts(answer: Answer, references: list[str], wire: Wire) -> list[dict[str, Any]]:
    parts: list[dict[str, Any]] = []
    for segment in answer.segments:
        parts.append(_text_part(segment.text, wire))
        if segment.cites:
            parts.append(_reference_part([references.index(c) for c in segment.cites], wire))
    return parts


def _v1_resources(answer: Answer, corpus: Corpus) -> list[dict[str, Any]]:
    found = [resource_wire(item) for item in answer.found]
    known = {r["id"] for r in found}
    for cited in answer.cited:
        item = corpus.get(cited)
        if item is not None and cited not in known:
            found.append(resource_wire(item))
    return found


def v1_full(
    answer: Answer, corpus: Corpus, request_id: str, thread_id: str, wire: Wire = _DOCUMENTED
) -> dict[str, Any]:
    """The whole v1 answer: the non-streaming body, and the stream's ``Full`` event."""
    references = [c for c in answer.cited if corpus.get(c) is not None]
    return {
        "type": _cased("Full", wire),
        "requestId": request_id,
        "message": {"role": "Assistant", "parts": _v1_parts(answer, references, wire)},
        "resources": _v1_resources(answer, corpus),
        "references": [{"resourceId": r} for r in references],
        "threadId": thread_id,
    }


def _line(event: dict[str, Any]) -> bytes:
    return (
        b"data: " + json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode() + b"\n\n"
    )


def _message(parts: list[dict[str, Any]], wire: Wire) -> dict[str, Any]:
    kind = _cased("Message", wire)
    if wire.variant("v1-message") == "top":
        return {"type": kind, "role": "Assistant", "parts": parts}
    return {"type": kind, "message": {"role": "Assistant", "parts": parts}}


def _v1_messages(answer: Answer, references: list[str], wire: Wire) -> list[dict[str, Any]]:
    """One ``Message`` per text piece and per inline reference (new parts, or all so far)."""
    snapshot = wire.variant("v1-text") == "snapshot"
    done: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    for segment in answer.segments:
        text = ""
        for piece in chunk_text(segment.text):
            text += piece
            part = _text_part(text if snapshot else piece, wire)
            events.append(_message([*done, part] if snapshot else [part], wire))
        done.append(_text_part(segment.text, wire))
        if segment.cites:
            part = _reference_part([references.index(c) for c in segment.cites], wire)
            done.append(part)
            events.append(_message(list(done) if snapshot else [part], wire))
    return events


def _progress(answer: Answer, wire: Wire) -> list[dict[str, Any]]:
    codes = ["file_search"]
    if answer.web:
        codes.append("web_search")
        if len(answer.web) >= _RETRY_AT:
            codes.append("web_search_retry")
    return [{"type": _cased("Progress", wire), "code": code} for code in codes]


def v1_events(
    answer: Answer, corpus: Corpus, request_id: str, thread_id: str, wire: Wire = _DOCUMENTED
) -> list[bytes]:
    """The v1 event stream, one framed event per item."""
    full = v1_full(answer, corpus, request_id, thread_id, wire)
    references = [r["resourceId"] for r in full["references"]]
    events: list[dict[str, Any]] = [
        {"type": _cased("Request", wire), "requestId": request_id, "threadId": thread_id},
        *_progress(answer, wire),
        {"type": _cased("Resources", wire), "resources": full["resources"]},
        {"type": _cased("References", wire), "references": full["references"]},
        *_v1_messages(answer, references, wire),
    ]
    if wire.variant("v1-end") == "full":
        events.append(full)
    return [_line(event) for event in events]


@dataclass(frozen=True)
class _ToolRun:
    """One tool call of a v2 answer: what it is, what it found, whether it failed."""

    call_id: str
    tool_id: str
    name: str
    description: str
    resources: dict[str, Any] | None
    failed: bool = False


def _person(item: Item) -> dict[str, Any]:
    found = {"id": item.id, "name": item.title, "email": item.email}
    found.update({"jobTitle": item.job_title, "department": item.department})
    return {k: v for k, v in found.items() if v is not None}


def _tools(answer: Answer, corpus: Corpus, request_id: str) -> list[_ToolRun]:
    """The tool calls of an answer, in the order they ran."""
    query = answer.query.strip()
    prefix = f"call_{request_id[:12]}"
    runs = [
        _ToolRun(
            f"{prefix}_es",
            "enterprise_search",
            "Enterprise search",
            f"Searching {corpus.company} apps for “{query}”",
            {"enterprise": {"results": _v1_resources(answer, corpus)}},
        )
    ]
    if answer.web:
        web = {"webSearch": {"sources": [p.wire() for p in answer.web]}}
        describe = f"Searching the web for “{query}”"
        if len(answer.web) >= _RETRY_AT:
            runs.append(
                _ToolRun(f"{prefix}_web0", "web_search", "Web search", describe, None, True)
            )
        runs.append(_ToolRun(f"{prefix}_web", "web_search", "Web search", describe, web))
    people = [_person(item) for item in answer.found if item.email]
    if people:
        custom = {"custom": {"people": people}}
        describe = f"Looking up people in the {corpus.company} directory"
        runs.append(
            _ToolRun(f"{prefix}_people", "people_directory", "People directory", describe, custom)
        )
    return runs


def _tool_call(run: _ToolRun, query: str) -> dict[str, Any]:
    return {
        "id": run.call_id,
        "name": run.tool_id,
        "type": "function",
        "callId": run.call_id,
        "arguments": json.dumps({"query": query}, ensure_ascii=False),
    }


def _end(run: _ToolRun) -> dict[str, Any]:
    status = {"toolCallId": run.call_id, "status": "Failed" if run.failed else "End"}
    response: dict[str, Any] = {"name": run.name, "toolId": run.tool_id}
    if run.resources is not None:
        response["resources"] = run.resources
    return {"toolCallStatus": status, "response": response}


def _references(answer: Answer) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    position = 0
    for segment in answer.segments:
        position += len(segment.text)
        if segment.cites:
            out.append({"referenceIds": list(segment.cites), "position": position})
    return out


def v2_chunks(
    answer: Answer, corpus: Corpus, request_id: str, thread_id: str, wire: Wire = _DOCUMENTED
) -> list[dict[str, Any]]:
    """The v2 chunks, in stream order."""
    first: dict[str, Any] = {"requestId": request_id}
    if wire.extended:
        first["threadId"] = thread_id
    chunks: list[dict[str, Any]] = [first]
    for run in _tools(answer, corpus, request_id):
        chunks.append({"toolCalls": [_tool_call(run, answer.query)]})
        status = {"toolCallId": run.call_id, "status": "Start"}
        step = {"stepDescription": run.description, "toolId": run.tool_id}
        chunks.append({"tool": {"toolCallStatus": status, "toolStep": step}})
        chunks.append({"tool": _end(run)})
    snapshot = wire.variant("v2-text") == "snapshot"
    references = iter(_references(answer))
    text = ""
    for segment in answer.segments:
        for piece in chunk_text(segment.text):
            text += piece
            chunks.append({"text": text if snapshot else piece})
        if segment.cites:
            chunks.append({"reference": next(references)})
    if answer.cited:
        chunks.append({"sources": {"sourcesIds": answer.cited}})
    return chunks


def v2_events(
    answer: Answer, corpus: Corpus, request_id: str, thread_id: str, wire: Wire = _DOCUMENTED
) -> list[bytes]:
    """The v2 event stream: one SSE event per chunk (and ``[DONE]`` with ``v2-end=done``)."""
    events = [_line(chunk) for chunk in v2_chunks(answer, corpus, request_id, thread_id, wire)]
    if wire.variant("v2-end") == "done":
        events.append(b"data: [DONE]\n\n")
    return events


def v2_json(
    answer: Answer, corpus: Corpus, request_id: str, thread_id: str, wire: Wire = _DOCUMENTED
) -> dict[str, Any]:
    """The whole v2 answer as one JSON object."""
    runs = _tools(answer, corpus, request_id)
    references = _references(answer)
    body: dict[str, Any] = {
        "text": answer.text,
        "toolCalls": [_tool_call(run, answer.query) for run in runs],
        "tool": _end(runs[0]),
        "sources": {"sourcesIds": answer.cited},
        "requestId": request_id,
    }
    if references:
        body["reference"] = references[0]
    if wire.extended:
        body["threadId"] = thread_id
        if references:
            body["references"] = references
    return body
