"""Assembling Unleash chat v2 chunks into a `ChatV2Response` (see `_assemble`).

Text pieces are joined by the ``text_mode`` (exactly, or each the whole text so far);
tool calls are merged by id or OpenAI-style index; tool status, step and response
chunks build one record per tool call; references and sources accumulate.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from pydantic import ConfigDict, TypeAdapter, ValidationError

from .._text_buffer import TextBuffer
from ._completeness import TextMode, check_text_mode, ensure_complete
from ._types_v1 import Resource
from ._types_v2 import (
    ChatV2Chunk,
    ChatV2Reference,
    ChatV2Response,
    Tool,
    ToolCall,
    ToolResources,
    ToolStepRecord,
    web_source_key,
)

__all__ = ["ChatV2Assembler", "assemble_chat_v2"]


_T = TypeVar("_T")


def _add_keyed(
    into: list[_T], new: Iterable[_T], key: Callable[[_T], str | None], index: dict[str, int]
) -> None:
    """Add items, replacing an earlier one with the same key in place.

    ``index`` maps each key in ``into`` to its position; the caller keeps it with the
    list, so adding stays linear however many items arrive. Items without a key are
    always added.
    """
    for item in new:
        name = key(item)
        at = index.get(name) if name is not None else None
        if at is not None:
            into[at] = item
            continue
        if name is not None:
            index[name] = len(into)
        into.append(item)


def _resource_key(resource: Resource) -> str | None:
    return resource.id


def _add_resources(
    into: list[Resource], new: Iterable[Resource], index: dict[str, int] | None = None
) -> None:
    """Add resources, replacing an earlier one with the same id in place.

    ``index`` (id -> position in ``into``) is kept by a caller that adds to one list
    many times; without it the index is built from ``into``.
    """
    if index is None:
        index = {}
        for at, resource in enumerate(into):
            if resource.id is not None:
                index.setdefault(resource.id, at)
    _add_keyed(into, new, _resource_key, index)


_TEXT_ONLY = {"text"}

_REFERENCES = TypeAdapter(list[ChatV2Reference], config=ConfigDict(defer_build=True))


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


def _chunk_references(chunk: ChatV2Chunk) -> list[ChatV2Reference]:
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
        found: list[ChatV2Reference] = []
        for item in plural:  # keep the readable ones
            try:
                found.append(ChatV2Reference.model_validate(item))
            except ValidationError:
                continue
        if found:
            return found
    return [chunk.reference] if chunk.reference is not None else []


class ChatV2Assembler:
    """Builds a `ChatV2Response` from v2 chunks, one `add` at a time.

    Args:
        text_mode: ``"delta"`` (default, as the v2 schema documents ``text``): texts are
            joined exactly; ``"snapshot"``: each text is the whole text so far.
    """

    def __init__(self, *, text_mode: TextMode = "delta") -> None:
        self._mode = check_text_mode(text_mode)
        self._shaped = False
        self._end = False
        self._request_id: str | None = None
        self._thread_id: str | None = None
        self._text = TextBuffer(self._mode)
        self._added: list[str] = []  # what the latest `add` appended (delta mode)
        self._last_step: ToolStepRecord | None = None
        self._tool_calls: list[ToolCall] = []
        self._call_at_index: dict[int, int] = {}  # OpenAI-style index -> its latest call
        self._call_at_id: dict[str, int] = {}
        self._steps: dict[str, ToolStepRecord] = {}
        # Per record (by identity; the records live as long as the assembler): its
        # position in `_steps` and the key -> position indexes of its resources and sites.
        self._step_index: dict[int, int] = {}
        self._found: dict[int, tuple[dict[str, int], dict[str, int]]] = {}
        self._references: list[ChatV2Reference] = []  # the chunks' own models, not copies
        self._sources_ids: dict[str, None] = {}
        self._unknown: list[dict[str, Any]] = []

    def add(self, chunk: ChatV2Chunk | Mapping[str, Any] | Iterable[Any]) -> None:
        """Take one chunk (a `ChatV2Chunk`, its JSON dict, or a list of either).

        Anything unreadable is kept in `ChatV2Response.chunks_unknown`.
        """
        self._added = []
        self._add(chunk)

    def _add(self, chunk: ChatV2Chunk | Mapping[str, Any] | Iterable[Any]) -> None:
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
                    self._add(item)
                return
        fields, extra = chunk.model_fields_set, chunk.__pydantic_extra__
        if fields == _TEXT_ONLY and not extra:
            self._shaped = True  # the usual streamed chunk, a piece of text: nothing else
            self._add_text(chunk.text)
            return
        self._shaped = self._shaped or bool(fields or extra)
        self._request_id = chunk.request_id or self._request_id
        if extra:  # the undocumented thread id and plural references are extra fields
            self._thread_id = chunk.thread_id or self._thread_id
        self._add_text(chunk.text)
        for call in chunk.tool_calls:
            self._add_tool_call(call)
        if extra or chunk.reference is not None:
            self._references.extend(_chunk_references(chunk))
        if chunk.sources is not None:
            self._sources_ids.update(dict.fromkeys(chunk.sources.sources_ids))
        if chunk.tool is not None:
            self._add_tool(chunk.tool)

    def _add_text(self, text: str | None) -> None:
        if text:
            self._text.add(text)
            if self._mode == "delta":
                self._added.append(text)

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
            at = self._call_at_id.get(call.id)
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
            if call.id is not None:
                self._call_at_id.setdefault(call.id, at)
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
            record = self._steps.get(new_key)
            if record is None:
                record = self._steps[new_key] = ToolStepRecord(id=key or tool_id)
                self._step_index[id(record)] = len(self._steps) - 1
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

    def mark_end(self) -> None:
        """Record that the end was positively seen (the SSE ``[DONE]``, a whole JSON body)."""
        self._end = True

    @property
    def last_step_id(self) -> str | None:
        """The id of the step the latest ``tool`` chunk went to, as the answer names it.

        The same id `ChatV2Response.tool_steps` gives that step: its tool call id, else
        its tool id, else ``step-<index>``.
        """
        record = self._last_step
        if record is None:
            return None
        return record.id or record.tool_id or f"step-{self._step_index[id(record)]}"

    def _add_tool_resources(self, record: ToolStepRecord, resources: ToolResources | None) -> None:
        if resources is None:
            return
        by_id, by_site = self._found.setdefault(id(record), ({}, {}))
        if resources.enterprise is not None:
            _add_keyed(record.resources, resources.enterprise.results, _resource_key, by_id)
        if resources.web_search is not None:
            _add_keyed(record.web_sources, resources.web_search.sources, web_source_key, by_site)
        record.custom.update(resources.custom)

    @property
    def text(self) -> str:
        """The answer text so far."""
        return self._text.text

    @property
    def text_mode(self) -> TextMode:
        """How text pieces join: ``"delta"`` or ``"snapshot"``."""
        return self._mode

    @property
    def added_text(self) -> str:
        """The text the latest `add` appended (delta mode; always "" in snapshot mode)."""
        added = self._added
        return added[0] if len(added) == 1 else "".join(added)

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
            text=self._text.text,
            tool_calls=[c.model_copy() for c in self._tool_calls] if copy else self._tool_calls,
            tool_steps=steps,
            references=(
                [r.model_copy(deep=True) for r in self._references] if copy else self._references
            ),
            sources_ids=list(self._sources_ids),
            chunks_unknown=[dict(c) for c in self._unknown],
            end_seen=self._end,
        )

    def complete(self, *, allow_partial: bool = False) -> ChatV2Response:
        """The whole answer, checked (see `ensure_complete`).

        Raises:
            EmptyAnswerError: no chunk carried anything.
            IncompleteAnswerError: no text, a tool step never ended, or a reference past
                the text, and ``allow_partial`` is false.
        """
        return ensure_complete(self.result(), empty=not self._shaped, allow_partial=allow_partial)

    def finish(self, *, allow_partial: bool = False) -> ChatV2Response:
        """`complete`, handing over the assembler's own records: call it last.

        The answer is built without copying the tool steps and calls (the assembler is
        not to be used afterwards), so finishing costs the same however large it is.
        """
        response = self._result(copy=False)
        return ensure_complete(response, empty=not self._shaped, allow_partial=allow_partial)


def assemble_chat_v2(
    chunks: Iterable[ChatV2Chunk | Mapping[str, Any]] | ChatV2Chunk | Mapping[str, Any],
    *,
    text_mode: TextMode = "delta",
    end_seen: bool = False,
    allow_partial: bool = False,
) -> ChatV2Response:
    """Assemble v2 chunks (a stream, a list, or one non-streaming body) into a response.

    Args:
        chunks: the chunks.
        text_mode: ``"delta"`` or ``"snapshot"`` (see `ChatV2Assembler`).
        end_seen: the caller saw the end (``Stream.terminated``, a whole JSON body).
        allow_partial: return an answer known to be unfinished instead of raising.

    Raises:
        EmptyAnswerError: nothing of an answer arrived.
        IncompleteAnswerError: the answer is known to be unfinished (unless
            ``allow_partial``).
    """
    assembler = ChatV2Assembler(text_mode=text_mode)
    assembler.add(chunks)
    if end_seen:
        assembler.mark_end()
    return assembler.finish(allow_partial=allow_partial)  # the assembler is dropped
