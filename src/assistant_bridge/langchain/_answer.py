"""Unleash answers as ``AIMessage`` s and streams of ``AIMessageChunk`` s (no I/O here).

`message_from_v2` / `message_from_v1` build the message of a whole answer; `V2Chunks` and
`V1Chunks` turn streamed items into chunks, one ``add`` at a time, and ``finish`` gives
the last chunk. Merging a stream's chunks gives the same content, sources and content
blocks as the whole answer: the text is the same (deltas are derived from the assembled
answer, so cumulative and delta streams both work), and the sources are computed from the
assembled answer once, in the last chunk.

``stop`` sequences are applied here, on the client side (the API has no such option): the
answer ends before the first one, and citations past that point are dropped.

``response_metadata["finish_reason"]`` is ``"stop"`` only when the end of the answer was
positively seen (a v1 ``Full`` event, the SSE ``[DONE]``, a whole JSON body),
``"stop_sequence"`` when a stop sequence ended it, ``"unconfirmed"`` when the stream
ended without an end marker (the vendors document none), and ``"incomplete"`` for an
answer known to be unfinished, returned only with ``allow_partial=True`` (then
``response_metadata`` also has ``incomplete: True`` and ``incomplete_reason``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from langchain_core.messages import AIMessage, AIMessageChunk

from ..sources import Source, sources_from_chat, sources_from_chat_v2
from ..unleash import (
    ChatAssembler,
    ChatEvent,
    ChatResponse,
    ChatV2Assembler,
    ChatV2Chunk,
    ChatV2Response,
    TextMode,
)
from ._content import PROVIDER, source_items, tool_event, tool_events_from_records

__all__ = ["StopGuard", "V1Chunks", "V2Chunks", "message_from_v1", "message_from_v2"]


class StopGuard:
    """Cuts text at the first stop sequence, holding back a possible partial match."""

    def __init__(self, stop: Sequence[str] | None) -> None:
        self.stop = [s for s in (stop or []) if s]
        self._hold = max((len(s) for s in self.stop), default=1) - 1
        self._buffer = ""
        self.stopped = False

    def cut(self, text: str) -> tuple[str, bool]:
        """``text`` up to the first stop sequence, and whether one was found."""
        ends = [i for i in (text.find(s) for s in self.stop) if i >= 0]
        return (text[: min(ends)], True) if ends else (text, False)

    def feed(self, delta: str) -> str:
        """The part of ``delta`` that is safe to emit now."""
        if not self.stop:
            return delta  # nothing to look for, nothing held back
        if self.stopped:
            return ""
        text, found = self.cut(self._buffer + delta)
        if found:
            self.stopped = True
            self._buffer = ""
            return text
        cut = max(len(text) - self._hold, 0)
        self._buffer = text[cut:]
        return text[:cut]

    def drop_held(self) -> None:
        """Forget the held-back text (the caller re-feeds everything not yet emitted)."""
        self._buffer = ""

    def flush(self) -> str:
        """What is held back, at the end of the stream."""
        text, self._buffer = self._buffer, ""
        return "" if self.stopped else text


def _clip(sources: list[Source], length: int) -> list[Source]:
    """Drop citation spans that end past ``length`` (text cut by a stop sequence)."""
    return [
        replace(s, citations=tuple(c for c in s.citations if c.end_index <= length))
        if any(c.end_index > length for c in s.citations)
        else s  # the usual case: nothing was cut
        for s in sources
    ]


def _metadata(
    model: str, api_version: str, response: ChatResponse | ChatV2Response, stopped: bool
) -> dict[str, Any]:
    reason = None if stopped else response.incomplete_reason
    values: dict[str, Any] = {
        "model_provider": PROVIDER,
        "model_name": model,
        "api_version": api_version,
        "thread_id": response.thread_id,
        "request_id": response.request_id,
        "finish_reason": "stop_sequence" if stopped else response.finish_reason,
    }
    if reason is not None:
        values.update(incomplete=True, incomplete_reason=reason)
    return {k: v for k, v in values.items() if v is not None}


def _v2_kwargs(response: ChatV2Response, text_length: int) -> dict[str, Any]:
    sources = _clip(sources_from_chat_v2(response), text_length)
    kwargs: dict[str, Any] = {"sources": source_items(sources)}
    steps = tool_events_from_records(response.tool_steps)
    if steps:
        kwargs["tool_steps"] = steps
    return kwargs


def _v1_kwargs(response: ChatResponse, text_length: int) -> dict[str, Any]:
    kwargs: dict[str, Any] = {
        "sources": source_items(_clip(sources_from_chat(response), text_length))
    }
    if response.progress:
        kwargs["progress"] = [str(p) for p in response.progress]
    return kwargs


def message_from_v2(
    response: ChatV2Response, *, model: str, stop: Sequence[str] | None
) -> AIMessage:
    """The ``AIMessage`` of a whole v2 answer."""
    text, stopped = StopGuard(stop).cut(response.text)
    return AIMessage(
        content=text,
        additional_kwargs=_v2_kwargs(response, len(text)),
        response_metadata=_metadata(model, "v2", response, stopped),
    )


def message_from_v1(response: ChatResponse, *, model: str, stop: Sequence[str] | None) -> AIMessage:
    """The ``AIMessage`` of a whole v1 answer."""
    text, stopped = StopGuard(stop).cut(response.text)
    return AIMessage(
        content=text,
        additional_kwargs=_v1_kwargs(response, len(text)),
        response_metadata=_metadata(model, "v1", response, stopped),
    )


class _Chunks:
    """What the v1 and v2 chunk builders share: text deltas through the stop guard."""

    def __init__(self, *, model: str, stop: Sequence[str] | None) -> None:
        self.model = model
        self.guard = StopGuard(stop)
        self._seen = ""  # the last whole text compared (snapshot mode, the final answer)
        self._emitted = 0

    @property
    def stopped(self) -> bool:
        """Whether a stop sequence ended the answer (stop reading the stream)."""
        return self.guard.stopped

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
            delta = text[self._emitted :] if len(text) > self._emitted else ""
        self._seen = text
        return self._emit(delta)

    def _emit(self, delta: str) -> str:
        safe = self.guard.feed(delta)
        self._emitted += len(safe)
        return safe

    def _advance(self, assembler: ChatAssembler | ChatV2Assembler, carried_text: bool) -> str:
        """The safe delta after ``assembler`` took an item (``carried_text``: it had text)."""
        if assembler.text_mode == "delta":  # the text grew by exactly what was added
            return self._emit(assembler.added_text)
        return self._delta(assembler.text) if carried_text else ""

    def _final_delta(self, assembler: ChatAssembler | ChatV2Assembler, text: str) -> str:
        """The safe delta of the whole answer ``text`` (read before the assembler finishes)."""
        return self._delta(text, assembler.text if assembler.text_mode == "delta" else None)

    def _chunk(self, text: str = "", **kwargs: Any) -> AIMessageChunk:
        return AIMessageChunk(
            content=text,
            additional_kwargs=kwargs,
            response_metadata={"model_provider": PROVIDER},
        )


class V2Chunks(_Chunks):
    """Streamed v2 chunks to ``AIMessageChunk`` s."""

    def __init__(
        self, *, model: str, stop: Sequence[str] | None, text_mode: TextMode = "delta"
    ) -> None:
        super().__init__(model=model, stop=stop)
        self.assembler = ChatV2Assembler(text_mode=text_mode)

    def add(self, chunk: ChatV2Chunk) -> list[AIMessageChunk]:
        """The message chunks for one streamed chunk (text delta, tool step)."""
        self.assembler.add(chunk)
        out: list[AIMessageChunk] = []
        if chunk.tool is not None:
            step_id = self.assembler.last_step_id
            if step_id is not None:
                # The id the whole answer gives this step, so merged chunks fold into it.
                out.append(self._chunk(tool_steps=[tool_event(chunk.tool, step_id)]))
        delta = self._advance(self.assembler, bool(chunk.text))
        if delta:
            out.append(self._chunk(delta))
        return out

    def finish(self, *, end_seen: bool = False, allow_partial: bool = False) -> AIMessageChunk:
        """The last chunk: held-back text, the sources, and the response metadata.

        Args:
            end_seen: the stream showed its end (``Stream.terminated``: ``[DONE]``).
            allow_partial: return an answer known to be unfinished instead of raising.

        Raises:
            EmptyAnswerError, IncompleteAnswerError: see `ChatV2Assembler.complete`
                (not when a stop sequence ended the answer).
        """
        if end_seen:
            self.assembler.mark_end()
        response = self.assembler.finish(allow_partial=allow_partial or self.stopped)
        tail = self._final_delta(self.assembler, response.text) + self.guard.flush()
        text, _ = self.guard.cut(response.text)
        kwargs = {"sources": source_items(_clip(sources_from_chat_v2(response), len(text)))}
        return AIMessageChunk(
            content=tail,
            additional_kwargs=kwargs,
            response_metadata=_metadata(self.model, "v2", response, self.stopped),
            chunk_position="last",
        )


class V1Chunks(_Chunks):
    """Streamed v1 events to ``AIMessageChunk`` s."""

    def __init__(
        self, *, model: str, stop: Sequence[str] | None, text_mode: TextMode = "delta"
    ) -> None:
        super().__init__(model=model, stop=stop)
        self.assembler = ChatAssembler(text_mode=text_mode)

    def add(self, event: ChatEvent) -> list[AIMessageChunk]:
        """The message chunks for one streamed event (text delta)."""
        self.assembler.add(event)
        delta = self._advance(self.assembler, event.has_message)
        return [self._chunk(delta)] if delta else []

    def finish(self, *, end_seen: bool = False, allow_partial: bool = False) -> AIMessageChunk:
        """The last chunk: held-back text, sources, progress and the response metadata.

        Args:
            end_seen: the stream showed its end (a ``Full`` event shows it too).
            allow_partial: return an answer known to be unfinished instead of raising.

        Raises:
            EmptyAnswerError, IncompleteAnswerError: see `ChatAssembler.complete` (not
                when a stop sequence ended the answer).
        """
        if end_seen:
            self.assembler.mark_end()
        response = self.assembler.finish(allow_partial=allow_partial or self.stopped)
        tail = self._final_delta(self.assembler, response.text) + self.guard.flush()
        text, _ = self.guard.cut(response.text)
        return AIMessageChunk(
            content=tail,
            additional_kwargs=_v1_kwargs(response, len(text)),
            response_metadata=_metadata(self.model, "v1", response, self.stopped),
            chunk_position="last",
        )
