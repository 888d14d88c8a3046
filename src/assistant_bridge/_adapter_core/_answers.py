"""One Unleash answer, streamed or whole, in the shape of anthropic's ``MessageStream``.

`AnswerStream` / `AsyncAnswerStream` read a vendor stream and yield `TextDelta` s (and
`ToolEvent` s: a v2 tool step as it happens) as they come; `final_answer` gives the
`Answer` at the end. `Answer.whole` builds the same object from a non-streamed response,
so ``invoke`` and ``stream`` share one final form, which both frameworks map.

Text deltas are derived from the assembled answer (so cumulative and delta streams both
work) and pass a `StopGuard` (client-side stop sequences: the answer ends before the
first one; citations past that point are dropped). Per streamed item the work is O(1)
beyond the item itself: the assembler's added text is emitted as is in delta mode.

An `Answer` keeps the folded forms: the vendor response (tool steps as one record per
call) and, computed once on first use, the `Source` s with their `CitationSpan` s, from
which framework blocks are built directly.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any, TypeAlias

from .._text_buffer import TextBuffer
from ..sources import (
    Source,
    answer_from_chat,
    answer_from_chat_v2,
    sources_from_chat,
    sources_from_chat_v2,
)
from ..unleash import (
    ChatAssembler,
    ChatResponse,
    ChatV2Assembler,
    ChatV2Response,
    TextMode,
    Tool,
    ToolStepRecord,
)
from ._options import ApiVersion
from ._ranking import ranked
from ._stop import StopGuard

__all__ = [
    "Answer",
    "AnswerBuilder",
    "AnswerEvent",
    "AnswerStream",
    "AsyncAnswerStream",
    "TextDelta",
    "ToolEvent",
    "VendorResponse",
    "clip_sources",
    "source_item_parts",
    "source_items",
]

VendorResponse: TypeAlias = ChatResponse | ChatV2Response
"""An assembled Unleash answer: chat v1's `ChatResponse` or chat v2's `ChatV2Response`."""


def source_items(sources: Iterable[Source]) -> list[dict[str, Any]]:
    """The ``sources`` of ``additional_kwargs``: ``[{"text", "metadata"}]``, one per source.

    The metadata is `Source.metadata` of the `ranked` sources (each with a score, its
    ``score_source`` and a stable ``id``); both frameworks emit these same items.
    """
    return [{"text": s.text, "metadata": s.metadata()} for s in ranked(sources)]


def source_item_parts(items: Any) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """The text and metadata of each `source_items` item (an item that is no mapping: skipped).

    Args:
        items: an answer's ``additional_kwargs["sources"]`` (None: no items).
    """
    for item in items or []:
        if isinstance(item, Mapping):
            metadata = item.get("metadata")
            yield str(item.get("text") or ""), metadata if isinstance(metadata, Mapping) else {}


def clip_sources(sources: list[Source], length: int) -> list[Source]:
    """Drop citation spans that end past ``length`` (text cut by a stop sequence)."""
    return [
        replace(s, citations=tuple(c for c in s.citations if c.end_index <= length))
        if any(c.end_index > length for c in s.citations)
        else s  # the usual case: nothing was cut
        for s in sources
    ]


class Answer:
    """A whole Unleash answer: its text, sources with citation spans, ids and end.

    Attributes:
        response: the vendor's assembled answer (kept whole, e.g. as LlamaIndex's ``raw``).
        api_version: ``"v1"`` or ``"v2"``.
        text: the answer text, cut before the first stop sequence.
        stopped: whether a stop sequence ended it.
        tail: the text a stream had not yet emitted when it ended ("" for a whole answer).
    """

    def __init__(
        self,
        response: VendorResponse,
        *,
        api_version: ApiVersion,
        text: str,
        stopped: bool = False,
        tail: str = "",
    ) -> None:
        self.response = response
        self.api_version = api_version
        self.text = text
        self.stopped = stopped
        self.tail = tail

    @classmethod
    def whole(cls, response: VendorResponse, stop: Sequence[str] | None = None) -> Answer:
        """The answer of a non-streamed response (``stop``: client-side stop sequences)."""
        text, stopped = StopGuard(stop).cut(response.text)
        version: ApiVersion = "v2" if isinstance(response, ChatV2Response) else "v1"
        return cls(response, api_version=version, text=text, stopped=stopped)

    @cached_property
    def sources(self) -> list[Source]:
        """The resources and web pages used, cited ones first, spans within `text`."""
        response = self.response
        if isinstance(response, ChatV2Response):
            found = sources_from_chat_v2(response)
        else:
            found = sources_from_chat(response)
        # Spans never run past the response's text; only a stop sequence makes it shorter.
        return clip_sources(found, len(self.text)) if self.stopped else found

    def as_source(self) -> Source:
        """The answer itself as a source (kind ``"answer"``), with every citation."""
        response = self.response
        if isinstance(response, ChatV2Response):
            return answer_from_chat_v2(response)
        return answer_from_chat(response)

    @property
    def tool_steps(self) -> list[ToolStepRecord]:
        """A v2 answer's tool calls, one folded record each (v1: none)."""
        response = self.response
        return response.tool_steps if isinstance(response, ChatV2Response) else []

    @property
    def progress(self) -> list[str]:
        """A v1 answer's ``Progress`` codes, in order (v2: none)."""
        response = self.response
        return (
            [str(code) for code in response.progress] if isinstance(response, ChatResponse) else []
        )

    @property
    def finish_reason(self) -> str:
        """``"stop_sequence"``, else the response's (``"stop"``, ``"unconfirmed"``, ...)."""
        return "stop_sequence" if self.stopped else self.response.finish_reason

    @property
    def incomplete_reason(self) -> str | None:
        """Why the answer is known to be unfinished (None: it is not, or a stop ended it)."""
        return None if self.stopped else self.response.incomplete_reason

    def ids(self) -> dict[str, str]:
        """``thread_id`` and ``request_id``, those the vendor sent."""
        ids = {"thread_id": self.response.thread_id, "request_id": self.response.request_id}
        return {key: value for key, value in ids.items() if value is not None}


@dataclass(frozen=True, slots=True)
class TextDelta:
    """New answer text, safe to show (past any stop sequence nothing comes)."""

    text: str
    item: Any
    """The streamed vendor item that carried it."""


@dataclass(frozen=True, slots=True)
class ToolEvent:
    """A v2 tool object as it streamed, with the id its step has in the whole answer."""

    tool: Tool
    step_id: str


AnswerEvent: TypeAlias = TextDelta | ToolEvent


class AnswerBuilder:
    """Streamed Unleash items to answer events, one `add` at a time (no I/O).

    Args:
        api_version: ``"v2"`` for chat v2 chunks, ``"v1"`` for v1 events.
        text_mode: how text pieces join (``"delta"`` or None: exactly; ``"snapshot"``:
            each is the whole text so far).
        stop: client-side stop sequences.
    """

    def __init__(
        self,
        api_version: ApiVersion,
        text_mode: TextMode | None = "delta",
        stop: Sequence[str] | None = None,
    ) -> None:
        self.api_version = api_version
        mode: TextMode = text_mode or "delta"
        self.assembler: ChatAssembler | ChatV2Assembler = (
            ChatV2Assembler(text_mode=mode)
            if api_version == "v2"
            else ChatAssembler(text_mode=mode)
        )
        self.guard = StopGuard(stop)
        self._seen = ""  # the last whole text compared (snapshot mode, the final answer)
        self._emitted = TextBuffer()  # the safe deltas so far

    @property
    def stopped(self) -> bool:
        """Whether a stop sequence ended the answer (stop reading the stream)."""
        return self.guard.stopped

    @property
    def text(self) -> str:
        """The text emitted so far (the deltas joined)."""
        return self._emitted.text

    def _emit(self, delta: str) -> str:
        safe = self.guard.feed(delta)
        self._emitted.add(safe)
        return safe

    def _delta(self, text: str, seen: str | None = None) -> str:
        """The safe delta when the whole text is now ``text`` (snapshots, the final answer).

        ``seen``: the text seen before, when the caller knows it better than the last
        text compared (in delta mode, the assembler's streamed text).
        """
        seen = self._seen if seen is None else seen
        if text.startswith(seen):
            delta = text[len(seen) :]
        else:  # the server rewrote earlier text: nothing already emitted can change
            self.guard.drop_held()
            done = len(self.text)  # rare: read the emitted text only here
            delta = text[done:] if len(text) > done else ""
        self._seen = text
        return self._emit(delta)

    def add(self, item: Any) -> tuple[ToolEvent | None, str]:
        """Take one streamed item: its tool event (v2) and the safe new text ("": none).

        Args:
            item: a `ChatV2Chunk` (v2) or `ChatEvent` (v1), its JSON dict, or a list of
                either; an unreadable item is kept by the assembler, not raised.
        """
        assembler = self.assembler
        assembler.add(item)
        event = None
        # v2 only: a v1 event has no ``tool``, and asking pydantic for a missing
        # attribute takes its slow path
        if isinstance(assembler, ChatV2Assembler):
            tool = getattr(item, "tool", None)
            step_id = assembler.last_step_id
            if tool is not None and step_id is not None:  # the id the whole answer gives it
                event = ToolEvent(tool, step_id)
        if assembler.text_mode == "delta":  # the text grew by exactly what was added
            return event, self._emit(assembler.added_text)
        return event, self._delta(assembler.text)

    def finish(self, *, end_seen: bool = False, allow_partial: bool = False) -> Answer:
        """The whole answer, with the text not yet emitted as its `Answer.tail`.

        Args:
            end_seen: the stream showed its end (``Stream.terminated``: ``[DONE]``).
            allow_partial: return an answer known to be unfinished instead of raising.

        Raises:
            EmptyAnswerError, IncompleteAnswerError: see the assemblers' ``complete``
                (not when a stop sequence ended the answer).
        """
        assembler = self.assembler
        if end_seen:
            assembler.mark_end()
        response = assembler.finish(allow_partial=allow_partial or self.stopped)
        seen = assembler.text if assembler.text_mode == "delta" else None
        tail = self._delta(response.text, seen) + self.guard.flush()
        text, _ = self.guard.cut(response.text)
        return Answer(
            response,
            api_version=self.api_version,
            text=text,
            stopped=self.stopped,
            tail=tail,
        )


class AnswerStream:
    """A vendor stream read as answer events; `final_answer` gives the whole `Answer`.

    Use it as a context manager (the vendor stream is closed on exit); iterating yields
    the events as items arrive and ends early when a stop sequence ended the answer.

    Args:
        stream: the vendor's ``Stream`` of chat items (not yet read).
        builder: the `AnswerBuilder` of the call.
        allow_partial: return an answer known to be unfinished instead of raising.
    """

    def __init__(self, stream: Any, builder: AnswerBuilder, *, allow_partial: bool) -> None:
        self._stream = stream
        self.builder = builder
        self._allow_partial = allow_partial
        self._done = False  # iterated to the end (or to a stop sequence)

    def __enter__(self) -> AnswerStream:
        self._stream.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stream.__exit__(*exc)

    def __iter__(self) -> Iterator[AnswerEvent]:
        builder = self.builder
        for item in self._stream:
            tool, delta = builder.add(item)
            if tool is not None:
                yield tool
            if delta:
                yield TextDelta(delta, item)
            if builder.stopped:
                break
        self._done = True

    def final_answer(self) -> Answer:
        """The whole answer; the events not yet read are read (and dropped) first.

        Raises:
            EmptyAnswerError, IncompleteAnswerError: see `AnswerBuilder.finish`.
        """
        if not self._done:
            for _ in self:
                pass
        return self.builder.finish(
            end_seen=self._stream.terminated, allow_partial=self._allow_partial
        )


class AsyncAnswerStream:
    """Async `AnswerStream`: the same events and final `Answer`, over an async stream."""

    def __init__(self, stream: Any, builder: AnswerBuilder, *, allow_partial: bool) -> None:
        self._stream = stream
        self.builder = builder
        self._allow_partial = allow_partial
        self._done = False  # iterated to the end (or to a stop sequence)

    async def __aenter__(self) -> AsyncAnswerStream:
        await self._stream.__aenter__()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._stream.__aexit__(*exc)

    async def __aiter__(self) -> AsyncIterator[AnswerEvent]:
        builder = self.builder
        async for item in self._stream:
            tool, delta = builder.add(item)
            if tool is not None:
                yield tool
            if delta:
                yield TextDelta(delta, item)
            if builder.stopped:
                break
        self._done = True

    async def final_answer(self) -> Answer:
        """The whole answer; the events not yet read are read (and dropped) first.

        Raises:
            EmptyAnswerError, IncompleteAnswerError: see `AnswerBuilder.finish`.
        """
        if not self._done:
            async for _ in self:
                pass
        return self.builder.finish(
            end_seen=self._stream.terminated, allow_partial=self._allow_partial
        )
