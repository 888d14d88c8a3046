"""Assembling Unleash chat streams (or single bodies) into one answer.

`ChatAssembler` turns v1 events into a `ChatResponse`; `ChatV2Assembler` turns v2
chunks into a `ChatV2Response`. Each takes items one at a time with ``add`` (so a
streaming consumer can look at the answer so far with ``result``), and
`assemble_chat` / `assemble_chat_v2` run one over a whole iterable. A non-streaming body
is just one event or chunk (or a list of them), so both paths give the same result.

What the stream looks like is partly inferred, so assembly is tolerant: text may come as
deltas or cumulatively (a text that starts with what was accumulated replaces it, any
other text is appended; once a stream has shown deltas, only a long repeat replaces, see
`_merge_text`), tool-call arguments may come in pieces, events may come in any order,
and unknown v1 event types are kept rather than failing. Nothing here raises on odd input.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import TypeAdapter, ValidationError

from ._types_v1 import ChatEvent, ChatResponse, MessagePart, Reference, Resource, fold
from ._types_v2 import (
    ChatV2Chunk,
    ChatV2Response,
    ReferenceChatV2,
    Tool,
    ToolCall,
    ToolResources,
    ToolStepRecord,
    WebSource,
    web_source_key,
)

__all__ = ["ChatAssembler", "ChatV2Assembler", "assemble_chat", "assemble_chat_v2"]

_KNOWN_V1 = {"request", "resources", "message", "references", "progress", "full"}


SNAPSHOT_MIN = 8
"""Once a stream sends deltas, a text that repeats at least this much of the answer so far
before going on is taken for a whole-answer snapshot; a shorter repeat is a delta."""


def _merge_text(accumulated: str, new: str, *, deltas: bool = False) -> str:
    """Cumulative text (starting with what was accumulated) replaces it; a delta appends.

    Once a stream has shown it sends deltas (``deltas``), a short delta that repeats the
    answer so far ("ha", "!", "ha!") is appended, not mistaken for a snapshot; a text that
    starts with a longer answer so far (`SNAPSHOT_MIN` characters) still replaces it,
    since a final whole-message snapshot after deltas is far likelier than such a delta.
    (So a very short answer followed by a snapshot of itself is doubled: "Ye", "s.",
    "Yes." gives "Yes.Yes."; in v1, a ``Full`` event, when one comes, settles it.)
    """
    repeats = bool(accumulated) and new.startswith(accumulated)
    if repeats and (not deltas or len(accumulated) >= SNAPSHOT_MIN):
        return new
    return accumulated + new


def _is_delta(accumulated: str, new: str) -> bool:
    """Whether ``new`` shows the stream sends deltas (an empty text shows nothing)."""
    return bool(new) and bool(accumulated) and not new.startswith(accumulated)


def _add_resources(into: list[Resource], new: Iterable[Resource]) -> None:
    """Add resources, replacing an earlier one with the same id in place."""
    for resource in new:
        if resource.id is not None:
            for i, old in enumerate(into):
                if old.id == resource.id:
                    into[i] = resource
                    break
            else:
                into.append(resource)
        else:
            into.append(resource)


def _add_web_sources(into: list[WebSource], new: Iterable[WebSource]) -> None:
    """Add web sources, replacing an earlier one with the same id (else url) in place."""
    for source in new:
        key = web_source_key(source)
        for i, old in enumerate(into):
            if key is not None and web_source_key(old) == key:
                into[i] = source
                break
        else:
            into.append(source)


def _extends(old: MessagePart, new: MessagePart) -> bool:
    """Whether ``new`` is ``old`` or a cumulative continuation of it."""
    if old.is_text and new.is_text:
        return (new.text or "").startswith(old.text or "")
    return fold(old.type) == fold(new.type) and old.indices == new.indices


class ChatAssembler:
    """Builds a `ChatResponse` from v1 events, one `add` at a time.

    A ``Full`` event (or a typeless object with a ``message``, such as a non-streaming
    body) is the authority for the message, resources and references it carries; ids it lacks are
    kept from earlier events.
    """

    def __init__(self) -> None:
        self._request_id: str | None = None
        self._thread_id: str | None = None
        self._role: Any = None
        self._parts: list[MessagePart] = []
        self._resources: list[Resource] = []
        self._references: list[Reference] = []
        self._progress: list[Any] = []
        self._unknown: list[dict[str, Any]] = []
        self._full: list[ChatEvent] = []
        self._deltas = False  # latched once a text part is seen to be a delta

    def add(self, event: ChatEvent | Mapping[str, Any] | Iterable[Any]) -> None:
        """Take one event (a `ChatEvent`, its JSON dict, or a list of either).

        An object without ``type`` that carries ``message`` is a ``Full`` body; without
        ``message`` it is merged like a ``Message``. Anything unreadable is kept in
        `ChatResponse.events_unknown`.
        """
        if not isinstance(event, (ChatEvent, Mapping)):
            if isinstance(event, (str, bytes)) or not isinstance(event, Iterable):
                self._unknown.append({"value": event})
                return
            for item in event:
                self.add(item)
            return
        raw: dict[str, Any] | None = None
        if isinstance(event, Mapping):
            raw = dict(event)
            try:
                event = ChatEvent.model_validate(raw)
            except ValidationError:
                self._unknown.append(raw)
                return
        self._request_id = event.request_id or self._request_id
        self._thread_id = event.thread_id or self._thread_id
        kind = fold(event.type) or ("full" if event.message is not None else "message")
        if kind not in _KNOWN_V1:
            self._unknown.append(
                raw or event.model_dump(by_alias=True, exclude_unset=True, mode="json")
            )
            return
        if event.code is not None:
            self._progress.append(event.code)
        if kind == "full":
            self._full.append(event)
            return
        if event.role_value is not None:
            self._role = event.role_value
        if kind == "message":
            self._add_parts(event.parts_list)
        _add_resources(self._resources, event.resources)
        self._references.extend(event.references)

    def _add_parts(self, parts: list[MessagePart]) -> None:
        acc = self._parts
        if not self._deltas and len(parts) >= len(acc) and all(map(_extends, acc, parts)):
            self._parts = [p.model_copy() for p in parts]  # a cumulative snapshot
            return
        for i, part in enumerate(parts):
            last = acc[-1] if acc else None
            if i == 0 and last is not None and last.is_text and part.is_text:
                old, new = last.text or "", part.text or ""
                # Once a part has shown the stream sends deltas, a delta that happens to
                # repeat the answer so far is appended, not mistaken for a snapshot.
                self._deltas = self._deltas or _is_delta(old, new)
                merged = _merge_text(old, new, deltas=self._deltas)
                acc[-1] = last.model_copy(update={"text": merged})
            else:
                acc.append(part.model_copy())

    @property
    def text(self) -> str:
        """The streamed answer text so far (a ``Full`` event is applied by `result`)."""
        return "".join(p.text or "" for p in self._parts if p.is_text)

    def result(self) -> ChatResponse:
        """The answer so far (a new object each call)."""
        parts = self._parts
        resources = list(self._resources)
        references = self._references
        role = self._role
        request_id, thread_id = self._request_id, self._thread_id
        for full in self._full:
            if full.parts_list:
                parts = full.parts_list
            if full.resources:
                resources = []
                _add_resources(resources, full.resources)
            if full.references:
                references = full.references
            role = full.role_value if full.role_value is not None else role
            request_id = full.request_id or request_id
            thread_id = full.thread_id or thread_id
        return ChatResponse(
            request_id=request_id,
            thread_id=thread_id,
            role=role,
            parts=[p.model_copy() for p in parts],
            resources=resources,
            references=list(references),
            progress=list(self._progress),
            events_unknown=[dict(e) for e in self._unknown],
        )


def assemble_chat(
    events: Iterable[ChatEvent | Mapping[str, Any]] | ChatEvent | Mapping[str, Any],
) -> ChatResponse:
    """Assemble v1 events (a stream, a list, or one non-streaming body) into a `ChatResponse`."""
    assembler = ChatAssembler()
    assembler.add(events)
    return assembler.result()


_REFERENCES = TypeAdapter(list[ReferenceChatV2])


def _is_whole_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def _merge_arguments(old: str | dict[str, Any], new: str | dict[str, Any]) -> str | dict[str, Any]:
    """Arguments seen again for one call.

    A JSON string streamed in pieces is joined; a string that repeats what came so far,
    or that follows a complete JSON value (a placeholder ``"{}"``, the same arguments sent
    again), replaces it. Objects are merged.
    """
    if isinstance(old, str) and isinstance(new, str):
        if not new.strip():
            return old  # a blank piece (a header sent again, say) adds nothing
        if new.startswith(old) or _is_whole_json(old):
            return new
        return old + new
    if isinstance(old, dict) and isinstance(new, dict):
        return {**old, **new}
    return new


def _opens_call(call: ToolCall) -> bool:
    """Whether a piece at a finished call's index begins the next call there.

    A name (a new round's header) or arguments with content do; a blank piece does not.
    """
    arguments = call.arguments
    has_arguments = bool(arguments.strip()) if isinstance(arguments, str) else bool(arguments)
    return call.name is not None or has_arguments


def _index_of(call: ToolCall) -> int | None:
    """An OpenAI-style ``index``: later pieces of one call may carry only this."""
    index = (call.model_extra or {}).get("index")
    return index if isinstance(index, int) and not isinstance(index, bool) else None


def _chunk_references(chunk: ChatV2Chunk) -> list[ReferenceChatV2]:
    """The chunk's references: a plural ``references`` list when it has one, else ``reference``.

    One ``reference`` cannot carry several positions, so a whole (non-streamed) answer
    may list them all under ``references``; that list then includes the single one.
    """
    plural = (chunk.model_extra or {}).get("references")
    if isinstance(plural, list) and plural:
        try:
            return _REFERENCES.validate_python(plural)  # all at once: the usual case
        except ValidationError:
            pass
        found: list[ReferenceChatV2] = []
        for item in plural:  # keep the readable ones
            try:
                found.append(ReferenceChatV2.model_validate(item))
            except ValidationError:
                continue
        if found:
            return found
    return [chunk.reference] if chunk.reference is not None else []


class ChatV2Assembler:
    """Builds a `ChatV2Response` from v2 chunks, one `add` at a time."""

    def __init__(self) -> None:
        self._request_id: str | None = None
        self._thread_id: str | None = None
        self._text = ""
        self._deltas = False
        self._last_step: ToolStepRecord | None = None
        self._tool_calls: list[ToolCall] = []
        self._call_at_index: dict[int, int] = {}  # OpenAI-style index -> its latest call
        self._steps: dict[str, ToolStepRecord] = {}
        # Kept as plain fields: `ChatV2Response` validates them all in one step.
        self._references: list[dict[str, Any]] = []
        self._sources_ids: dict[str, None] = {}
        self._unknown: list[dict[str, Any]] = []

    def add(self, chunk: ChatV2Chunk | Mapping[str, Any] | Iterable[Any]) -> None:
        """Take one chunk (a `ChatV2Chunk`, its JSON dict, or a list of either).

        Anything unreadable is kept in `ChatV2Response.chunks_unknown`.
        """
        if not isinstance(chunk, ChatV2Chunk):  # checked first: the common case is cheap
            if isinstance(chunk, Mapping):
                try:
                    chunk = ChatV2Chunk.model_validate(dict(chunk))
                except ValidationError:
                    self._unknown.append(dict(chunk))
                    return
            elif isinstance(chunk, (str, bytes)) or not isinstance(chunk, Iterable):
                self._unknown.append({"value": chunk})
                return
            else:
                for item in chunk:
                    self.add(item)
                return
        self._request_id = chunk.request_id or self._request_id
        self._thread_id = chunk.thread_id or self._thread_id
        if chunk.text:
            self._deltas = self._deltas or _is_delta(self._text, chunk.text)
            self._text = _merge_text(self._text, chunk.text, deltas=self._deltas)
        for call in chunk.tool_calls:
            self._add_tool_call(call)
        for reference in _chunk_references(chunk):
            self._references.append(
                {"reference_ids": list(reference.reference_ids), "position": reference.position}
            )
        if chunk.sources is not None:
            self._sources_ids.update(dict.fromkeys(chunk.sources.sources_ids))
        if chunk.tool is not None:
            self._add_tool(chunk.tool)

    def _add_tool_call(self, call: ToolCall) -> None:
        """Merge a tool call into the one it continues, or add it.

        A call continues the one with its id; without an id, the latest one with its
        OpenAI-style ``index``, unless it names another tool or that call's arguments are
        already complete (then a new round has begun). Fields it sets replace the old
        ones, except ``arguments`` (see `_merge_arguments`).
        """
        calls, index = self._tool_calls, _index_of(call)
        at: int | None = None
        if call.id is not None:
            at = next((i for i, c in enumerate(calls) if c.id == call.id), None)
        elif index is not None and index in self._call_at_index:
            at = self._call_at_index[index]
            last = calls[at]
            renamed = call.name is not None and last.name not in (None, call.name)
            complete = isinstance(last.arguments, str) and _is_whole_json(last.arguments)
            if renamed or (complete and _opens_call(call)):
                at = None
        if at is None:
            calls.append(call)  # never changed in place: merges make new objects
            at = len(calls) - 1
        else:
            old = calls[at]
            update = call.model_dump(exclude_none=True)
            if old.arguments is not None and call.arguments is not None:
                update["arguments"] = _merge_arguments(old.arguments, call.arguments)
            calls[at] = old.model_copy(update=update)
        if index is not None:
            self._call_at_index[index] = at

    def _step(self, key: str | None, tool_id: str | None = None) -> ToolStepRecord:
        """The record of tool call ``key`` (created if new).

        Without a key: the latest record with this ``tool_id``, else the record whose
        tool call id is ``tool_id``, else the most recently started record, else a new one.
        """
        record = self._steps.get(key) if key is not None else None
        if record is None and key is None:
            if tool_id is not None:
                same = [r for r in self._steps.values() if r.tool_id == tool_id]
                record = same[-1] if same else self._steps.get(tool_id)
            record = record or next(reversed(self._steps.values()), None)
        if record is None:
            new_key = key or tool_id or f"step-{len(self._steps)}"
            record = self._steps.setdefault(new_key, ToolStepRecord(id=key or tool_id))
        return record

    def _add_tool(self, tool: Tool) -> None:
        status, step, response = tool.tool_call_status, tool.tool_step, tool.response
        record: ToolStepRecord | None = None
        if status is not None:
            record = self._step(status.tool_call_id, step.tool_id if step else None)
            if status.status is not None:
                record.status = status.status
        if step is not None:
            record = record or self._step(None, step.tool_id)
            record.description = step.step_description or record.description
            record.tool_id = step.tool_id or record.tool_id
        if response is not None:
            record = record or self._step(None, response.tool_id)
            record.name = response.name or record.name
            record.tool_id = record.tool_id or response.tool_id
            self._add_tool_resources(record, response.resources)
        self._last_step = record

    @property
    def last_step_id(self) -> str | None:
        """The id of the step the latest ``tool`` chunk went to, as the answer names it.

        The same id `ChatV2Response.tool_steps` gives that step: its tool call id, else
        its tool id, else ``step-<index>``.
        """
        record = self._last_step
        if record is None:
            return None
        index = next(i for i, r in enumerate(self._steps.values()) if r is record)
        return record.id or record.tool_id or f"step-{index}"

    @staticmethod
    def _add_tool_resources(record: ToolStepRecord, resources: ToolResources | None) -> None:
        if resources is None:
            return
        if resources.enterprise is not None:
            _add_resources(record.resources, resources.enterprise.results)
        if resources.web_search is not None:
            _add_web_sources(record.web_sources, resources.web_search.sources)
        record.custom.update(resources.custom)

    @property
    def text(self) -> str:
        """The answer text so far."""
        return self._text

    def result(self) -> ChatV2Response:
        """The answer so far (a new object each call)."""
        return self._result(copy=True)

    def _result(self, *, copy: bool) -> ChatV2Response:
        """The answer; ``copy=False`` hands over the assembler's own records (last use only)."""
        steps = list(self._steps.values())
        if copy:  # the assembler keeps changing these records as more chunks arrive
            steps = [s.model_copy(deep=True) for s in steps]
        return ChatV2Response(
            request_id=self._request_id,
            thread_id=self._thread_id,
            text=self._text,
            tool_calls=[c.model_copy() for c in self._tool_calls] if copy else self._tool_calls,
            tool_steps=steps,
            references=self._references,  # dicts: validated into models here
            sources_ids=list(self._sources_ids),
            chunks_unknown=[dict(c) for c in self._unknown],
        )


def assemble_chat_v2(
    chunks: Iterable[ChatV2Chunk | Mapping[str, Any]] | ChatV2Chunk | Mapping[str, Any],
) -> ChatV2Response:
    """Assemble v2 chunks (a stream, a list, or one non-streaming body) into a response."""
    assembler = ChatV2Assembler()
    assembler.add(chunks)
    return assembler._result(copy=False)  # the assembler is dropped: no copies needed
