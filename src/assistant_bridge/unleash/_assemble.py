"""Assembling Unleash chat streams (or single bodies) into one answer.

`ChatAssembler` turns v1 events into a `ChatResponse`; `ChatV2Assembler` turns v2
chunks into a `ChatV2Response`. Each takes items one at a time with ``add`` (so a
streaming consumer can look at the answer so far with ``result``), and
`assemble_chat` / `assemble_chat_v2` run one over a whole iterable. A non-streaming body
is just one event or chunk (or a list of them), so both paths give the same result.

Text is never guessed at: with ``text_mode="delta"`` (the default) streamed text pieces
are joined exactly, with ``text_mode="snapshot"`` (for a server that sends the whole text
so far; the caller says so) each replaces the text before it; a v1 ``Full`` event, which
says it holds the whole answer, wins in either mode (see `_completeness`). Otherwise
assembly is tolerant: tool-call arguments may come in pieces, events may come in any
order, and unknown v1 event types are kept rather than failing. ``add`` and ``result``
never raise on odd input.

Whether the answer is whole is checked once, at the end: `ChatAssembler.complete` /
`ChatV2Assembler.complete` (and `assemble_chat` / `assemble_chat_v2`) raise
`EmptyAnswerError` when nothing of an answer came and `IncompleteAnswerError` when the
answer is known to be unfinished, unless ``allow_partial=True``. ``end_seen`` on the
result says whether the end was positively seen (a v1 ``Full`` event; the SSE ``[DONE]``
or a whole JSON body, told with `mark_end`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import ValidationError

from .._models import fold
from .._text_buffer import TextBuffer
from ._assemble_v2 import ChatV2Assembler, _add_resources, assemble_chat_v2
from ._completeness import TextMode, check_text_mode, ensure_complete
from ._types_v1 import ChatEvent, ChatResponse, MessagePart, Reference, Resource

__all__ = ["ChatAssembler", "ChatV2Assembler", "assemble_chat", "assemble_chat_v2"]

_KNOWN_V1 = {"request", "resources", "message", "references", "progress", "full"}


class ChatAssembler:
    """Builds a `ChatResponse` from v1 events, one `add` at a time.

    A ``Full`` event (or a typeless object with a ``message``, such as a non-streaming
    body) is the authority for the message, resources and references it carries; ids it lacks are
    kept from earlier events, and it marks the end as seen.

    Args:
        text_mode: ``"delta"`` (default): each ``Message`` event carries new parts, and a
            text part continuing a text part is appended exactly; ``"snapshot"``: each
            ``Message`` event carries every part so far and replaces them.
    """

    def __init__(self, *, text_mode: TextMode = "delta") -> None:
        self._mode = check_text_mode(text_mode)
        self._shaped = False  # an event with any field arrived
        self._end = False
        self._request_id: str | None = None
        self._thread_id: str | None = None
        self._role: Any = None
        self._parts: list[MessagePart] = []
        # Text continuing the last part, joined into it when read (`_settle`): appending
        # stays linear however many pieces arrive. None: nothing pending.
        self._tail: TextBuffer | None = None
        self._added: list[str] = []  # what the latest `add` appended to the text
        self._resources: list[Resource] = []
        self._resource_index: dict[str, int] = {}
        self._references: list[Reference] = []
        self._progress: list[Any] = []
        self._unknown: list[dict[str, Any]] = []
        self._full: list[ChatEvent] = []

    def add(self, event: ChatEvent | Mapping[str, Any] | Iterable[Any]) -> None:
        """Take one event (a `ChatEvent`, its JSON dict, or a list of either).

        An object without ``type`` that carries ``message`` is a ``Full`` body; without
        ``message`` it is merged like a ``Message``. Anything unreadable is kept in
        `ChatResponse.events_unknown`.
        """
        self._added = []
        self._add(event)

    def _add(self, event: ChatEvent | Mapping[str, Any] | Iterable[Any]) -> None:
        if not isinstance(event, (ChatEvent, Mapping)):
            if isinstance(event, (str, bytes)) or not isinstance(event, Iterable):
                self._unknown.append({"value": event})
                return
            for item in event:
                self._add(item)
            return
        raw: dict[str, Any] | None = None
        if isinstance(event, Mapping):
            raw = dict(event)
            try:
                event = ChatEvent.model_validate(raw)
            except ValidationError:
                self._unknown.append(raw)
                return
        if not self._shaped:
            self._shaped = bool(event.model_fields_set or event.model_extra)
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
        if event.resources:
            _add_resources(self._resources, event.resources, self._resource_index)
        if event.references:
            self._references.extend(event.references)

    def _add_parts(self, parts: list[MessagePart]) -> None:
        if self._mode == "snapshot":  # every part so far; an empty event carries nothing
            if any(p.text or not p.is_text for p in parts):
                self._tail = None
                self._parts = [p.model_copy() for p in parts]
            return
        acc = self._parts
        for i, part in enumerate(parts):
            is_text = part.is_text  # a property (case-folds the type): read it once
            if is_text and part.text:
                self._added.append(part.text)
            # text already pending continues a text part: no need to read that part again
            if i == 0 and is_text and (self._tail is not None or (acc and acc[-1].is_text)):
                if self._tail is None:
                    self._tail = TextBuffer("delta")
                self._tail.add(part.text or "")
            else:
                self._settle()
                acc.append(part.model_copy())

    def _settle(self) -> None:
        """Join the pending text into the last part (a new part object, as before)."""
        if self._tail is not None:
            last = self._parts[-1]
            text = (last.text or "") + self._tail.text
            self._parts[-1] = last.model_copy(update={"text": text})
            self._tail = None

    @property
    def text_mode(self) -> TextMode:
        """How ``Message`` events combine: ``"delta"`` or ``"snapshot"``."""
        return self._mode

    @property
    def added_text(self) -> str:
        """The text the latest `add` appended (delta mode; always "" in snapshot mode)."""
        added = self._added
        return added[0] if len(added) == 1 else "".join(added)

    def mark_end(self) -> None:
        """Record that the end of the answer was positively seen (a whole JSON body)."""
        self._end = True

    @property
    def text(self) -> str:
        """The streamed answer text so far (a ``Full`` event is applied by `result`)."""
        self._settle()
        return "".join(p.text or "" for p in self._parts if p.is_text)

    def result(self) -> ChatResponse:
        """The answer so far (a new object each call)."""
        self._settle()
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
            end_seen=self._end or bool(self._full),
        )

    def complete(self, *, allow_partial: bool = False) -> ChatResponse:
        """The whole answer, checked (see `ensure_complete`).

        Raises:
            EmptyAnswerError: no event carried anything.
            IncompleteAnswerError: no text came, and ``allow_partial`` is false.
        """
        return ensure_complete(self.result(), empty=not self._shaped, allow_partial=allow_partial)

    def finish(self, *, allow_partial: bool = False) -> ChatResponse:
        """`complete`, called last (the same as `complete` here: nothing large is copied)."""
        return self.complete(allow_partial=allow_partial)


def assemble_chat(
    events: Iterable[ChatEvent | Mapping[str, Any]] | ChatEvent | Mapping[str, Any],
    *,
    text_mode: TextMode = "delta",
    end_seen: bool = False,
    allow_partial: bool = False,
) -> ChatResponse:
    """Assemble v1 events (a stream, a list, or one non-streaming body) into a `ChatResponse`.

    Args:
        events: the events.
        text_mode: ``"delta"`` or ``"snapshot"`` (see `ChatAssembler`).
        end_seen: the caller saw the end of the answer (a ``Full`` event sets it too).
        allow_partial: return an answer known to be unfinished instead of raising.

    Raises:
        EmptyAnswerError: nothing of an answer arrived.
        IncompleteAnswerError: no text arrived (unless ``allow_partial``).
    """
    assembler = ChatAssembler(text_mode=text_mode)
    assembler.add(events)
    if end_seen:
        assembler.mark_end()
    return assembler.complete(allow_partial=allow_partial)
