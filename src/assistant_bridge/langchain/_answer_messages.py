"""Unleash answers (the core's `Answer` and answer events) as LangChain messages.

`answer_message` maps a whole `Answer` to an ``AIMessage``; `event_chunk` maps one
streamed event to an ``AIMessageChunk`` and `last_chunk` the stream's final `Answer` to
the last one. Merging a stream's chunks gives the same content, sources and content
blocks as the whole answer: the text is the same (the core derives deltas from the
assembled answer), and the sources are computed from the assembled answer once, in the
last chunk. ``stop`` sequences are applied by the core, on the client side.

``response_metadata["finish_reason"]`` is ``"stop"`` only when the end of the answer was
positively seen (a v1 ``Full`` event, the SSE ``[DONE]``, a whole JSON body),
``"stop_sequence"`` when a stop sequence ended it, ``"unconfirmed"`` when the stream
ended without an end marker (the vendors document none), and ``"incomplete"`` for an
answer known to be unfinished, returned only with ``allow_partial=True`` (then
``response_metadata`` also has ``incomplete: True`` and ``incomplete_reason``).
"""

from __future__ import annotations

from typing import Any

from langchain_core.messages import AIMessage, AIMessageChunk

from .._adapter_core import Answer, AnswerEvent, TextDelta, source_items
from ._content import PROVIDER, tool_event, tool_events_from_records

__all__ = ["answer_message", "event_chunk", "last_chunk"]


def _metadata(answer: Answer, model: str) -> dict[str, Any]:
    response = answer.response
    values: dict[str, Any] = {
        "model_provider": PROVIDER,
        "model_name": model,
        "api_version": answer.api_version,
        "thread_id": response.thread_id,
        "request_id": response.request_id,
        "finish_reason": answer.finish_reason,
    }
    reason = answer.incomplete_reason
    if reason is not None:
        values.update(incomplete=True, incomplete_reason=reason)
    return {k: v for k, v in values.items() if v is not None}


def _kwargs(answer: Answer, *, steps: bool) -> dict[str, Any]:
    """``sources``, then v1 ``progress`` or (``steps``: not streamed) v2 ``tool_steps``."""
    kwargs: dict[str, Any] = {"sources": source_items(answer.sources)}
    if answer.progress:
        kwargs["progress"] = answer.progress
    elif steps and answer.tool_steps:
        kwargs["tool_steps"] = tool_events_from_records(answer.tool_steps)
    return kwargs


def answer_message(answer: Answer, *, model: str) -> AIMessage:
    """The ``AIMessage`` of a whole answer (``model``: the name reported to tracing)."""
    return AIMessage(
        content=answer.text,
        additional_kwargs=_kwargs(answer, steps=True),
        response_metadata=_metadata(answer, model),
    )


def event_chunk(event: AnswerEvent) -> AIMessageChunk:
    """The chunk of one streamed event: its text delta, or its ``tool_steps`` item."""
    if isinstance(event, TextDelta):
        return AIMessageChunk(content=event.text, response_metadata={"model_provider": PROVIDER})
    return AIMessageChunk(
        content="",
        additional_kwargs={"tool_steps": [tool_event(event.tool, event.step_id)]},
        response_metadata={"model_provider": PROVIDER},
    )


def last_chunk(answer: Answer, *, model: str) -> AIMessageChunk:
    """The last chunk of a stream: the held-back text, the sources, the metadata.

    (The v2 tool steps were emitted as they streamed; v1 ``progress`` comes here.)
    """
    return AIMessageChunk(
        content=answer.tail,
        additional_kwargs=_kwargs(answer, steps=False),
        response_metadata=_metadata(answer, model),
        chunk_position="last",
    )
