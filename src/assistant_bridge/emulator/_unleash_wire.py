"""Rendering an `Answer` in Unleash's wire formats: chat v1 events and chat v2 chunks.

Chat v1 (``POST /chats``): the stream is ``Request``, ``Progress`` (file_search),
``Resources``, ``References``, then ``Message`` events carrying new parts (text deltas and
``InlineReference`` parts whose ``indices`` point into ``references``), and last a
``Full`` event with the whole answer. A ``Message`` event has ``role`` and ``parts`` at
the top level (where the vendor's JS SDK reads them); ``Full`` and the non-streaming
body nest them under ``message`` (as the OpenAPI document does). Each event is one
``data: <json>`` line followed by a blank line.

Chat v2 (``POST /chats/v2``): the first chunk carries ``requestId`` (and ``threadId``),
then each tool (enterprise search, and web search when pages matched) sends its
``toolCalls`` entry, a ``Start`` step and an ``End`` step whose ``response.resources``
hold what it found; then ``text`` deltas, a ``reference`` after each cited paragraph
(``position`` = the character offset in the answer text where the citation sits), and
last ``sources`` with every cited id. The JSON form is one object with the whole text,
``reference`` (the first) and ``references`` (all of them).
"""

from __future__ import annotations

import json
import re
from typing import Any

from ._answer import Answer
from ._corpus import Corpus, resource_wire

__all__ = ["chunk_text", "v1_events", "v1_full", "v2_chunks", "v2_json"]

_PIECE = re.compile(r"\S+\s*|\s+")


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


def _text_part(text: str) -> dict[str, Any]:
    return {"type": "Text", "format": "markdown", "text": text}


def _v1_parts(answer: Answer, references: list[str]) -> list[dict[str, Any]]:
    parts: list[dict[str, Any]] = []
    for segment in answer.segments:
        parts.append(_text_part(segment.text))
        if segment.cites:
            parts.append(
                {"type": "InlineReference", "indices": [references.index(c) for c in segment.cites]}
            )
    return parts


def _v1_resources(answer: Answer, corpus: Corpus) -> list[dict[str, Any]]:
    found = [resource_wire(item) for item in answer.found]
    known = {r["id"] for r in found}
    for cited in answer.cited:
        item = corpus.get(cited)
        if item is not None and cited not in known:
            found.append(resource_wire(item))
    return found


def v1_full(answer: Answer, corpus: Corpus, request_id: str, thread_id: str) -> dict[str, Any]:
    """The whole v1 answer: the non-streaming body, and the stream's ``Full`` event."""
    references = [c for c in answer.cited if corpus.get(c) is not None]
    return {
        "type": "Full",
        "requestId": request_id,
        "message": {"role": "Assistant", "parts": _v1_parts(answer, references)},
        "resources": _v1_resources(answer, corpus),
        "references": [{"resourceId": r} for r in references],
        "threadId": thread_id,
    }


def _line(event: dict[str, Any]) -> bytes:
    return (
        b"data: " + json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode() + b"\n\n"
    )


def v1_events(answer: Answer, corpus: Corpus, request_id: str, thread_id: str) -> list[bytes]:
    """The v1 event stream, one framed event per item."""
    full = v1_full(answer, corpus, request_id, thread_id)
    references = [r["resourceId"] for r in full["references"]]
    events: list[dict[str, Any]] = [
        {"type": "Request", "requestId": request_id, "threadId": thread_id},
        {"type": "Progress", "code": "file_search"},
        {"type": "Resources", "resources": full["resources"]},
        {"type": "References", "references": full["references"]},
    ]
    for segment in answer.segments:
        for piece in chunk_text(segment.text):
            events.append({"type": "Message", "role": "Assistant", "parts": [_text_part(piece)]})
        if segment.cites:
            indices = [references.index(c) for c in segment.cites]
            part = {"type": "InlineReference", "indices": indices}
            events.append({"type": "Message", "role": "Assistant", "parts": [part]})
    events.append(full)
    return [_line(event) for event in events]


def _tools(answer: Answer, corpus: Corpus, request_id: str) -> list[dict[str, Any]]:
    """One record per tool call: its id, name, description and resources."""
    tools = [
        {
            "id": f"call_{request_id[:12]}_es",
            "toolId": "enterprise_search",
            "name": "Enterprise search",
            "description": f"Searching {corpus.company} apps for “{answer.query.strip()}”",
            "resources": {"enterprise": {"results": _v1_resources(answer, corpus)}},
        }
    ]
    if answer.web:
        tools.append(
            {
                "id": f"call_{request_id[:12]}_web",
                "toolId": "web_search",
                "name": "Web search",
                "description": f"Searching the web for “{answer.query.strip()}”",
                "resources": {"webSearch": {"sources": [p.wire() for p in answer.web]}},
            }
        )
    return tools


def _tool_call(tool: dict[str, Any], query: str) -> dict[str, Any]:
    return {
        "id": tool["id"],
        "name": tool["toolId"],
        "type": "function",
        "callId": tool["id"],
        "arguments": json.dumps({"query": query}, ensure_ascii=False),
    }


def _end(tool: dict[str, Any], resources: dict[str, Any]) -> dict[str, Any]:
    return {
        "toolCallStatus": {"toolCallId": tool["id"], "status": "End"},
        "response": {"name": tool["name"], "toolId": tool["toolId"], "resources": resources},
    }


def _references(answer: Answer) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    position = 0
    for segment in answer.segments:
        position += len(segment.text)
        if segment.cites:
            out.append({"referenceIds": list(segment.cites), "position": position})
    return out


def v2_chunks(
    answer: Answer, corpus: Corpus, request_id: str, thread_id: str
) -> list[dict[str, Any]]:
    """The v2 chunks, in stream order."""
    chunks: list[dict[str, Any]] = [{"requestId": request_id, "threadId": thread_id}]
    for tool in _tools(answer, corpus, request_id):
        chunks.append({"toolCalls": [_tool_call(tool, answer.query)]})
        status = {"toolCallId": tool["id"], "status": "Start"}
        step = {"stepDescription": tool["description"], "toolId": tool["toolId"]}
        chunks.append({"tool": {"toolCallStatus": status, "toolStep": step}})
        chunks.append({"tool": _end(tool, tool["resources"])})
    references = iter(_references(answer))
    for segment in answer.segments:
        chunks.extend({"text": piece} for piece in chunk_text(segment.text))
        if segment.cites:
            chunks.append({"reference": next(references)})
    if answer.cited:
        chunks.append({"sources": {"sourcesIds": answer.cited}})
    return chunks


def v2_json(answer: Answer, corpus: Corpus, request_id: str, thread_id: str) -> dict[str, Any]:
    """The whole v2 answer as one JSON object."""
    tools = _tools(answer, corpus, request_id)
    merged: dict[str, Any] = {}
    for tool in tools:
        merged.update(tool["resources"])
    references = _references(answer)
    body: dict[str, Any] = {
        "text": answer.text,
        "toolCalls": [_tool_call(tool, answer.query) for tool in tools],
        "tool": _end(tools[0], merged),
        "sources": {"sourcesIds": answer.cited},
        "requestId": request_id,
        "threadId": thread_id,
    }
    if references:
        body["reference"] = references[0]
        body["references"] = references
    return body
