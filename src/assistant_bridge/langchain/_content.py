"""Unleash answers as LangChain message parts, and the content-block translator for them.

An answer's ``AIMessage`` keeps the plain answer text as ``content`` and puts the rest in
``additional_kwargs``, in forms that survive LangChain's chunk merging (lists are
concatenated, so every item is emitted exactly once):

- ``sources``: ``[{"text", "metadata"}]``, one per resource or web page the assistant
  used, with the shared metadata of `assistant_bridge.sources` (its ``citations`` are
  spans of the answer text); emitted once, with the last chunk when streaming.
- ``tool_steps``: ``[{"id", "status", "name", "description", "output"}]``, one item per
  tool event as it happened (Start, End, Failed); the translator folds them per id. A
  step's ``output`` lists its enterprise results and web pages, and a custom tool's
  resources as one ``{"custom": {...}}`` item.
- ``progress``: v1 ``Progress`` codes.

`translate_content` (registered for ``model_provider == "unleash"``) turns that into
standard ``content_blocks``: ``server_tool_call`` / ``server_tool_result`` blocks for the
assistant's search steps, then a ``text`` block whose ``annotations`` are ``citation`` s.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache
from typing import TYPE_CHECKING, Any, cast

from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.messages import content as types
from langchain_core.messages.block_translators import register_translator
from pydantic import TypeAdapter

from .._adapter_core import source_item_parts
from .._models import fold
from ..unleash import Resource, Tool, ToolStepRecord, WebSource

if TYPE_CHECKING:
    from langchain_core.documents import Document

__all__ = [
    "PROVIDER",
    "documents_from_message",
    "tool_event",
    "tool_events_from_records",
    "translate_content",
]

PROVIDER = "unleash"


def _resource_output(
    resources: Iterable[Resource], web: Iterable[WebSource], custom: Mapping[str, Any]
) -> list[Any]:
    """What a tool found: its enterprise results, web pages, and a custom tool's map.

    Each list is dumped in one call (`Resource.model_dump` per item cost three times as
    much); the items are the same ``model_dump(by_alias=True, exclude_none=True)``.
    """
    out: list[Any] = _dump(_resource_list(), resources)
    out += _dump(_web_list(), web)
    if custom:
        out.append({"custom": dict(custom)})
    return out


@cache
def _resource_list() -> TypeAdapter[list[Resource]]:
    return TypeAdapter(list[Resource])  # built on first use: not at import


@cache
def _web_list() -> TypeAdapter[list[WebSource]]:
    return TypeAdapter(list[WebSource])


def _dump(adapter: TypeAdapter[Any], items: Iterable[Any]) -> list[Any]:
    items = items if isinstance(items, list) else list(items)
    return adapter.dump_python(items, by_alias=True, exclude_none=True) if items else []


def tool_event(tool: Tool, step_id: str) -> dict[str, Any]:
    """One streamed v2 ``tool`` object as a ``tool_steps`` item of step ``step_id``."""
    status = tool.tool_call_status
    step = tool.tool_step
    response = tool.response
    event: dict[str, Any] = {
        "id": step_id,
        "status": str(status.status) if status and status.status is not None else None,
        "name": (response.name if response else None) or (step.tool_id if step else None),
        "description": step.step_description if step else None,
    }
    resources = response.resources if response else None
    if resources is not None:
        enterprise = resources.enterprise.results if resources.enterprise else []
        web = resources.web_search.sources if resources.web_search else []
        event["output"] = _resource_output(enterprise, web, resources.custom)
    return {k: v for k, v in event.items() if v is not None}


def tool_events_from_records(records: Iterable[ToolStepRecord]) -> list[dict[str, Any]]:
    """The ``tool_steps`` items of an assembled answer, one per step."""
    out: list[dict[str, Any]] = []
    for index, record in enumerate(records):
        event: dict[str, Any] = {
            "id": record.id or record.tool_id or f"step-{index}",
            "status": str(record.status) if record.status is not None else None,
            "name": record.name or record.tool_id,
            "description": record.description,
            "output": _resource_output(record.resources, record.web_sources, record.custom) or None,
        }
        out.append({k: v for k, v in event.items() if v is not None})
    return out


def _output_key(item: Any) -> Any:
    """A hashable key that equal outputs share: the id (else url) of a mapping, else None.

    Repeats are then found by comparing only the outputs with the same key.
    """
    key = item.get("id", item.get("url")) if isinstance(item, Mapping) else None
    try:
        hash(key)
    except TypeError:
        return None
    return key


def _fold_steps(events: Iterable[Any]) -> dict[str, dict[str, Any]]:
    steps: dict[str, dict[str, Any]] = {}
    seen: dict[str, dict[Any, list[Any]]] = {}  # per step: output key -> outputs with it
    for event in events:
        if not isinstance(event, Mapping) or not event.get("id"):
            continue
        step_id = str(event["id"])
        step = steps.setdefault(step_id, {"output": []})
        for key in ("status", "name", "description"):
            if event.get(key):
                step[key] = event[key]
        output = event.get("output")
        if isinstance(output, list):
            kept = seen.setdefault(step_id, {})
            for item in output:
                same = kept.setdefault(_output_key(item), [])
                if item not in same:  # equal items always share a key
                    same.append(item)
                    step["output"].append(item)
    return steps


def _tool_blocks(events: Iterable[Any]) -> list[types.ContentBlock]:
    blocks: list[types.ContentBlock] = []
    for step_id, step in _fold_steps(events).items():
        args = {"description": step["description"]} if step.get("description") else {}
        call = {
            "type": "server_tool_call",
            "id": step_id,
            "name": str(step.get("name") or "search"),
            "args": args,
        }
        blocks.append(cast("types.ServerToolCall", call))
        status = fold(step.get("status"))
        if status in ("end", "failed"):
            result = {
                "type": "server_tool_result",
                "tool_call_id": step_id,
                "status": "success" if status == "end" else "error",
                "output": step["output"],
            }
            blocks.append(cast("types.ServerToolResult", result))
    return blocks


def _citations(items: Iterable[Any]) -> list[types.Citation]:
    found: list[tuple[int, int, dict[str, Any]]] = []
    for item in items:
        metadata = item.get("metadata") if isinstance(item, Mapping) else None
        if not isinstance(metadata, Mapping):
            continue
        for span in metadata.get("citations") or []:
            citation: dict[str, Any] = {"type": "citation"}
            if metadata.get("source"):
                citation["url"] = str(metadata["source"])
            if metadata.get("title"):
                citation["title"] = str(metadata["title"])
            citation["start_index"] = int(span.get("start_index", 0))
            citation["end_index"] = int(span.get("end_index", 0))
            if span.get("cited_text"):
                citation["cited_text"] = str(span["cited_text"])
            extras = {k: metadata[k] for k in ("id", "app_id", "type", "kind") if k in metadata}
            if extras:
                citation["extras"] = extras
            found.append((citation["end_index"], len(found), citation))
    return [cast("types.Citation", c) for _, _, c in sorted(found, key=lambda t: (t[0], t[1]))]


def translate_content(message: BaseMessage) -> list[types.ContentBlock]:
    """Standard content blocks of an Unleash ``AIMessage`` or ``AIMessageChunk``."""
    kwargs = message.additional_kwargs
    blocks = _tool_blocks(kwargs.get("tool_steps") or [])
    text = message.content if isinstance(message.content, str) else message.text
    citations = _citations(kwargs.get("sources") or [])
    if text or citations:
        block: dict[str, Any] = {"type": "text", "text": text}
        if citations:
            block["annotations"] = citations
        blocks.append(cast("types.TextContentBlock", block))
    return blocks


def _translate_message(message: AIMessage) -> list[types.ContentBlock]:
    return translate_content(message)


def _translate_chunk(message: AIMessageChunk) -> list[types.ContentBlock]:
    return translate_content(message)


def documents_from_message(message: BaseMessage) -> list[Document]:
    """The sources of an Unleash answer as ``Document`` s (cited ones first).

    Each Document's metadata has the shared keys (``source``, ``title``, ``id``,
    ``app_id``, ``type``, ``citations`` with spans into the answer, ``score`` and
    ``score_source``, ...), the same the retrievers and the LlamaIndex side use; the
    Document's ``id`` is the source's stable id (``metadata["id"]``).
    """
    from langchain_core.documents import Document  # on first use: not with the chat model

    items = message.additional_kwargs.get("sources")
    return [
        Document(id=_item_id(metadata), page_content=text, metadata=dict(metadata))
        for text, metadata in source_item_parts(items)
    ]


def _item_id(metadata: Mapping[str, Any]) -> str | None:
    value = metadata.get("id")
    return value if isinstance(value, str) and value else None


register_translator(PROVIDER, _translate_message, _translate_chunk)
