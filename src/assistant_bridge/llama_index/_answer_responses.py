"""Unleash answers as LlamaIndex responses, citation blocks and nodes (no I/O here).

A whole answer (`chat_response` / `completion_response`) carries:

- ``message.blocks``: a ``TextBlock`` with the answer, then one ``CitationBlock`` per cited
  span, in order of position: ``source`` (the url, else the id), ``title``,
  ``cited_content`` (the cited text of the answer) and ``additional_location_info``
  ``{"start_index", "end_index", "source_index"}``: the span ``text[start:end]`` of the
  answer, and the index of the cited source in ``additional_kwargs["sources"]``.
- ``message.additional_kwargs``: ``request_id``, and ``thread_id`` when the vendor sent
  one (pass it as ``thread_id=`` to continue the thread).
- ``additional_kwargs``: the same ids, ``model``, ``api_version``, ``sources``
  (``[{"text", "metadata"}]``, the shared metadata of `assistant_bridge.sources`, the
  LangChain side's ``sources`` exactly), ``tool_steps`` (v2) or ``progress`` (v1), and for
  completions ``citations`` (the blocks' fields as dicts).
- ``raw``: the vendor's assembled response (`ChatV2Response` / v1 `ChatResponse`).
- ``additional_kwargs["finish_reason"]``: ``"stop"`` only when the end of the answer was
  positively seen (a v1 ``Full`` event, the SSE ``[DONE]``, a whole JSON body),
  ``"unconfirmed"`` when it ended without an end marker, ``"incomplete"`` for an answer
  known to be unfinished (returned only with ``allow_partial=True``; then
  ``incomplete: True`` and ``incomplete_reason`` too). The same values as LangChain's
  ``response_metadata``.

Both map the core's `Answer` (streamed or whole). `to_nodes` / `nodes_from_response` give ``NodeWithScore(TextNode)``
with the same metadata as the LangChain ``Document`` s.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from typing import Any

from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    CitationBlock,
    CompletionResponse,
    MessageRole,
    TextBlock,
)
from llama_index.core.schema import NodeWithScore, TextNode
from pydantic import TypeAdapter

from .._adapter_core import Answer, ranked, source_item_parts, source_items
from ..sources import Source
from ..unleash import ToolStepRecord

__all__ = [
    "chat_response",
    "citation_blocks",
    "completion_response",
    "nodes_from_response",
    "to_nodes",
]

_LLM_KEYS = ("source", "title", "app_id", "type", "subtitle")
"""Metadata keys a prompt shows with a node's text; the rest (raw data, spans) is hidden."""


def _node(text: str, metadata: Mapping[str, Any]) -> NodeWithScore:
    hidden = [key for key in metadata if key not in _LLM_KEYS]
    node = TextNode(
        text=text,
        metadata=dict(metadata),
        excluded_llm_metadata_keys=hidden,
        excluded_embed_metadata_keys=hidden,
    )
    if isinstance(metadata.get("id"), str) and metadata["id"]:
        node.id_ = metadata["id"]
    score = metadata.get("score")
    return NodeWithScore(node=node, score=float(score) if isinstance(score, (int, float)) else None)


def to_nodes(sources: Iterable[Source]) -> list[NodeWithScore]:
    """One ``NodeWithScore(TextNode)`` per source, with `Source.metadata` as metadata.

    The sources are `ranked` first, in the order given: the node id is the source's
    stable id (its vendor id, else its url, else one derived from its fields); the score
    is the vendor's, else ``1 / rank`` (``metadata["score_source"]`` says which; the
    answer itself scores 1.0). Only ``source``, ``title``, ``app_id``, ``type`` and
    ``subtitle`` are shown to an LLM with the text; every key stays in ``metadata``.

    Args:
        sources: the sources to turn into nodes, in order.
    """
    return [_node(s.text, s.metadata()) for s in ranked(sources)]


def nodes_from_response(response: ChatResponse | CompletionResponse) -> list[NodeWithScore]:
    """The sources of an `Unleash` answer as nodes (cited ones first).

    The same nodes `UnleashRetriever` gives in chat mode, with the same metadata as the
    LangChain side's ``documents_from_message``.

    Args:
        response: a response of `chat_response` / `completion_response` (its
            ``additional_kwargs["sources"]`` are read; an entry that is not a mapping is
            skipped).
    """
    items = response.additional_kwargs.get("sources")
    return [_node(text, metadata) for text, metadata in source_item_parts(items)]


def citation_blocks(sources: Sequence[Source], text: str) -> list[CitationBlock]:
    """One block per cited span of ``text``, ordered by where the span ends.

    Args:
        sources: the sources of the answer; a block's ``source_index`` is the index of
            its source here.
        text: the answer text the spans index into (the cited text is taken from it
            when a span carries none).

    Returns:
        A ``CitationBlock`` per span of every source's ``citations`` (spans that end at
        the same place keep the order of ``sources``).
    """
    found: list[tuple[int, int, CitationBlock]] = []
    for index, source in enumerate(sources):
        for span in source.citations:
            cited = span.cited_text or text[span.start_index : span.end_index]
            block = CitationBlock(
                cited_content=TextBlock(text=cited),
                source=source.url or source.id or "",
                title=source.title or source.url or source.id or "",
                additional_location_info={
                    "start_index": span.start_index,
                    "end_index": span.end_index,
                    "source_index": index,
                },
            )
            found.append((span.end_index, len(found), block))
    return [block for _, _, block in sorted(found, key=lambda t: (t[0], t[1]))]


def _kwargs(answer: Answer, *, model: str) -> dict[str, Any]:
    kwargs: dict[str, Any] = {
        **answer.ids(),
        "model": model,
        "api_version": answer.api_version,
        "sources": source_items(answer.sources),
        "finish_reason": answer.finish_reason,
    }
    reason = answer.incomplete_reason
    if reason is not None:
        kwargs.update(incomplete=True, incomplete_reason=reason)
    steps = answer.tool_steps
    if steps:  # dumped in one call: each step's model_dump(mode="json", ...) cost 2x more
        kwargs["tool_steps"] = _steps_adapter().dump_python(
            steps, mode="json", by_alias=True, exclude_none=True
        )
    elif answer.progress:
        kwargs["progress"] = answer.progress
    return kwargs


@cache
def _steps_adapter() -> TypeAdapter[list[ToolStepRecord]]:
    return TypeAdapter(list[ToolStepRecord])  # built on first use: not at import


def chat_response(answer: Answer, *, model: str, delta: str | None = None) -> ChatResponse:
    """The LlamaIndex ``ChatResponse`` of a whole answer (``delta`` set when streaming).

    Args:
        answer: the core's answer; its vendor response is kept as ``raw``.
        model: the model name for ``additional_kwargs["model"]``.
        delta: the response's ``delta`` (the new text, when streaming).
    """
    text = answer.text
    message = ChatMessage(
        role=MessageRole.ASSISTANT,
        blocks=[TextBlock(text=text), *citation_blocks(answer.sources, text)],
        additional_kwargs=answer.ids(),
    )
    return ChatResponse(
        message=message,
        raw=answer.response,
        delta=delta,
        additional_kwargs=_kwargs(answer, model=model),
    )


def completion_response(
    answer: Answer, *, model: str, delta: str | None = None
) -> CompletionResponse:
    """The ``CompletionResponse`` of a whole answer; citations in ``additional_kwargs``.

    Args:
        answer: the core's answer; its vendor response is kept as ``raw``.
        model: the model name for ``additional_kwargs["model"]``.
        delta: the response's ``delta`` (the new text, when streaming).
    """
    kwargs = _kwargs(answer, model=model)
    kwargs["citations"] = [
        {
            "source": block.source,
            "title": block.title,
            "cited_text": block.cited_content.text
            if isinstance(block.cited_content, TextBlock)
            else "",
            **block.additional_location_info,
        }
        for block in citation_blocks(answer.sources, answer.text)
    ]
    return CompletionResponse(
        text=answer.text, raw=answer.response, delta=delta, additional_kwargs=kwargs
    )
