"""Unleash chat v2 wire models (``POST /chats/v2``) and the assembled v2 answer.

`ChatV2Request` is what is sent. Each server-sent event (or the whole JSON body) is one
`ChatV2Chunk`: a ``text`` delta, tool calls, a ``reference`` with its position in the
answer, ``sources`` ids, and ``tool`` progress (status, step, response with the
resources the tool found). `ChatV2Response` is the answer assembled from the chunks by
`assistant_bridge.unleash._assemble`.

Nothing public shows a real v2 stream, so every response field is optional, unknown
fields are kept and enum-like values fall back to plain strings.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any

from pydantic import Field

from .._models import (
    LEFT_TO_RIGHT,
    CaseInsensitiveEnum,
    NullableDict,
    NullableList,
    RequestModel,
    ResponseModel,
    ResultModel,
)
from .._transport import finish_reason
from ._types_v1 import ChatMessageRequest, Resource

__all__ = [
    "ChatV2Chunk",
    "ChatV2Citation",
    "ChatV2Reference",
    "ChatV2Request",
    "ChatV2Response",
    "EnterpriseToolResources",
    "Sources",
    "Tool",
    "ToolCall",
    "ToolCallStatus",
    "ToolResources",
    "ToolResponse",
    "ToolStatus",
    "ToolStep",
    "ToolStepRecord",
    "WebSearchToolResources",
    "WebSource",
]


class ToolStatus(CaseInsensitiveEnum):
    """The ``status`` of a tool call."""

    START = "Start"
    END = "End"
    FAILED = "Failed"


ToolStatusValue = Annotated[ToolStatus | str | None, LEFT_TO_RIGHT]


class ToolCall(ResponseModel):
    """A tool call the assistant made; ``arguments`` is a JSON string (an object is kept)."""

    id: str | None = None
    name: str | None = None
    type: str | None = None
    call_id: str | None = None
    arguments: str | dict[str, Any] | None = None


class ChatV2Reference(ResponseModel):
    """A citation: the ids it cites and its position (inferred: a character offset).

    One model from the wire to the answer: the chunk's reference is the one
    `ChatV2Response.references` keeps (unknown fields included), not a copy.
    """

    reference_ids: NullableList[str] = Field(default_factory=list)
    position: int | None = None


class Sources(ResponseModel):
    """The ids of the sources the answer used."""

    sources_ids: NullableList[str] = Field(default_factory=list)


class ToolCallStatus(ResponseModel):
    """A tool call's progress: ``Start``, ``End`` or ``Failed``."""

    tool_call_id: str | None = None
    status: ToolStatusValue = None


class ToolStep(ResponseModel):
    """A description of what a tool is doing."""

    step_description: str | None = None
    tool_id: str | None = None


class WebSource(ResponseModel):
    """A web page found by the web-search tool."""

    id: str | None = None
    url: str | None = None
    icon: str | None = None
    title: str | None = None
    site_name: str | None = None
    description: str | None = None


class EnterpriseToolResources(ResponseModel):
    """Resources found in the organisation's apps."""

    results: NullableList[Resource] = Field(default_factory=list)


class WebSearchToolResources(ResponseModel):
    """Pages found on the web."""

    sources: NullableList[WebSource] = Field(default_factory=list)


class ToolResources(ResponseModel):
    """What a tool found: enterprise results, web sources, or a custom tool's free-form map."""

    enterprise: EnterpriseToolResources | None = None
    web_search: WebSearchToolResources | None = None
    custom: NullableDict[Any] = Field(default_factory=dict)


class ToolResponse(ResponseModel):
    """A tool's answer."""

    name: str | None = None
    tool_id: str | None = None
    resources: ToolResources | None = None


class Tool(ResponseModel):
    """Tool progress carried by a chunk: any of status, step and response."""

    tool_call_status: ToolCallStatus | None = None
    tool_step: ToolStep | None = None
    response: ToolResponse | None = None


class ChatV2Chunk(ResponseModel):
    """One v2 server-sent event, or the whole non-streaming ``POST /chats/v2`` body."""

    text: str | None = None
    tool_calls: NullableList[ToolCall] = Field(default_factory=list)
    reference: ChatV2Reference | None = None
    sources: Sources | None = None
    tool: Tool | None = None
    request_id: str | None = None

    @property
    def thread_id(self) -> str | None:
        """The thread id, if the server sends an (undocumented) ``threadId`` field."""
        extra = self.model_extra or {}
        value = extra.get("threadId", extra.get("thread_id"))
        return value if isinstance(value, str) and value else None


class ChatV2Request(RequestModel):
    """The body of ``POST /chats/v2``: no ``stream`` flag and no filters."""

    messages: list[ChatMessageRequest] = Field(min_length=1)
    assistant_id: str | None = None
    thread_id: str | None = None


class ToolStepRecord(ResultModel):
    """Everything seen about one tool call, keyed by its ``toolCallId``.

    Attributes:
        id: the ``toolCallId`` (else the ``toolId``) that identifies the step.
        status: the last status seen (``Start``, ``End``, ``Failed`` or unknown text).
        description: the last ``stepDescription`` seen.
        tool_id: the ``toolId`` from the step or the response.
        name: the tool's name from its response.
        resources: enterprise results, de-duplicated by id.
        web_sources: web sources, de-duplicated by id, else url.
        custom: a custom tool's resources, merged.
    """

    id: str | None = None
    status: ToolStatusValue = None
    description: str | None = None
    tool_id: str | None = None
    name: str | None = None
    resources: list[Resource] = Field(default_factory=list)
    web_sources: list[WebSource] = Field(default_factory=list)
    custom: dict[str, Any] = Field(default_factory=dict)


class ChatV2Citation(ResultModel):
    """A reference resolved against what the tools found.

    Attributes:
        position: character offset in `ChatV2Response.text`, clamped into the text
            (a missing position means the end of the text).
        reference_ids: the raw ids.
        resources: enterprise resources whose ``id`` is one of the ids.
        web_sources: web sources whose ``id`` (or ``url``) is one of the ids.
    """

    position: int
    reference_ids: list[str] = Field(default_factory=list)
    resources: list[Resource] = Field(default_factory=list)
    web_sources: list[WebSource] = Field(default_factory=list)


def web_source_key(source: WebSource) -> str | None:
    """The identity of a web source: its id, else its url."""
    return source.id or source.url


class ChatV2Response(ResultModel):
    """A whole v2 answer, the same whether assembled from a stream or a single body.

    Attributes:
        request_id: the server's request id.
        thread_id: the thread id, when the server sends one.
        text: the full answer (markdown).
        tool_calls: the tool calls, one per id.
        tool_steps: one record per tool call, in first-seen order.
        references: the references in arrival order: the chunks' own `ChatV2Reference`
            models (shared with the chunks, not copies; unknown fields kept).
        sources_ids: the union of all ``sourcesIds``, order kept.
        chunks_unknown: raw chunks that could not be read.
        end_seen: whether the end of the answer was positively seen: the SSE
            terminator ``[DONE]``, or a whole JSON body. v2 documents no end marker, so
            a stream without one is not an error; its `finish_reason` is
            ``"unconfirmed"``.
    """

    request_id: str | None = None
    thread_id: str | None = None
    text: str = ""
    tool_calls: list[ToolCall] = Field(default_factory=list)
    tool_steps: list[ToolStepRecord] = Field(default_factory=list)
    references: list[ChatV2Reference] = Field(default_factory=list)
    sources_ids: list[str] = Field(default_factory=list)
    chunks_unknown: list[dict[str, Any]] = Field(default_factory=list)
    end_seen: bool = False

    @property
    def incomplete_reason(self) -> str | None:
        """Why the answer is known to be unfinished, else None.

        No text at all; a tool step whose last status is ``Start`` (started, never
        ended or failed); a reference whose ``position`` lies past the end of the text.
        """
        if not self.text:
            return "no text"
        for index, step in enumerate(self.tool_steps):
            if str(step.status or "").lower() == "start":
                name = step.id or step.tool_id or f"step-{index}"
                return f"tool step {name!r} started and never ended"
        for reference in self.references:
            position = reference.position
            if isinstance(position, int) and position > len(self.text):
                return (
                    f"a reference at position {position} lies past the text "
                    f"({len(self.text)} characters)"
                )
        return None

    @property
    def finish_reason(self) -> str:
        """``"stop"`` (end seen), ``"unconfirmed"`` (no end marker) or ``"incomplete"``."""
        return finish_reason(end_seen=self.end_seen, incomplete=self.incomplete_reason)

    @property
    def resources(self) -> list[Resource]:
        """All enterprise results across steps, de-duplicated by id, order kept."""
        out: list[Resource] = []
        seen: set[str] = set()
        for step in self.tool_steps:
            for resource in step.resources:
                if resource.id is not None:
                    if resource.id in seen:
                        continue
                    seen.add(resource.id)
                out.append(resource)
        return out

    @property
    def web_sources(self) -> list[WebSource]:
        """All web sources across steps, de-duplicated by id (else url), order kept."""
        out: list[WebSource] = []
        seen: set[str] = set()
        for step in self.tool_steps:
            for source in step.web_sources:
                key = web_source_key(source)
                if key is not None:
                    if key in seen:
                        continue
                    seen.add(key)
                out.append(source)
        return out

    def citations(self) -> list[ChatV2Citation]:
        """One `ChatV2Citation` per reference, ids resolved; unknown ids are skipped."""
        return [
            ChatV2Citation(position=p, reference_ids=list(i), resources=r, web_sources=w)
            for p, i, r, w in self.resolved_references()
        ]

    def resolved_references(
        self,
    ) -> Iterator[tuple[int, list[str], list[Resource], list[WebSource]]]:
        """What `citations` holds, as plain tuples (for code that reads many citations).

        Yields ``(position, reference_ids, resources, web_sources)`` per reference, the
        fields of `ChatV2Citation`, without building a model for each. The lists are
        not copies (``reference_ids`` is the reference's own): read them, do not change
        them.
        """
        resources = {r.id: r for r in self.resources if r.id is not None}
        web: dict[str, WebSource] = {}
        for source in self.web_sources:
            for key in (source.id, source.url):
                if key is not None:
                    web.setdefault(key, source)
        length = len(self.text)
        for ref in self.references:
            position = length if ref.position is None else min(max(ref.position, 0), length)
            ids = ref.reference_ids
            unique = ids if len(ids) < 2 else dict.fromkeys(ids)  # one id: nothing to drop
            found = [resources[i] for i in unique if i in resources]
            sites: list[WebSource] = []
            if web:
                for i in ids:
                    site = web.get(i)
                    if (
                        site is not None
                        and i not in resources
                        and all(site is not s for s in sites)
                    ):
                        sites.append(site)
            yield position, ids, found, sites
