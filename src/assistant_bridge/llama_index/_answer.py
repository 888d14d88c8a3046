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

`AnswerStream` turns streamed items into text deltas derived from the assembled answer (so
cumulative and delta streams both work); its ``finish`` gives the remaining delta and the
assembled response. `to_nodes` / `nodes_from_response` give ``NodeWithScore(TextNode)``
with the same metadata as the LangChain ``Document`` s.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal, TypeAlias

from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    CitationBlock,
    CompletionResponse,
    MessageRole,
    TextBlock,
)
from llama_index.core.schema import NodeWithScore, TextNode

from .._text_buffer import TextBuffer
from ..sources import Source, sources_from_chat, sources_from_chat_v2
from ..unleash import ChatAssembler, ChatV2Assembler, ChatV2Response, TextMode
from ..unleash import ChatResponse as V1Response

__all__ = [
    "AnswerStream",
    "ApiVersion",
    "VendorResponse",
    "chat_response",
    "citation_blocks",
    "completion_response",
    "nodes_from_response",
    "source_items",
    "to_nodes",
]

ApiVersion: TypeAlias = Literal["v1", "v2"]
VendorResponse: TypeAlias = V1Response | ChatV2Response

_LLM_KEYS = ("source", "title", "app_id", "type", "subtitle")
"""Metadata keys a prompt shows with a node's text; the rest (raw data, spans) is hidden."""


def source_items(sources: Iterable[Source]) -> list[dict[str, Any]]:
    """The ``sources`` of ``additional_kwargs``: each source's text and shared metadata.

    Args:
        sources: the sources of an answer.

    Returns:
        ``[{"text": ..., "metadata": ...}]``, one per source, in order (the metadata is
        `Source.metadata`).
    """
    return [{"text": s.text, "metadata": s.metadata()} for s in sources]


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

    The node id is the source's id when it has one; the score is the vendor's (None when
    the API gives none). Only ``source``, ``title``, ``app_id``, ``type`` and
    ``subtitle`` are shown to an LLM with the text; every key stays in ``metadata``.

    Args:
        sources: the sources to turn into nodes, in order.
    """
    return [_node(s.text, s.metadata()) for s in sources]


def nodes_from_response(response: ChatResponse | CompletionResponse) -> list[NodeWithScore]:
    """The sources of an `Unleash` answer as nodes (cited ones first).

    The same nodes `UnleashRetriever` gives in chat mode, with the same metadata as the
    LangChain side's ``documents_from_message``.

    Args:
        response: a response of `chat_response` / `completion_response` (its
            ``additional_kwargs["sources"]`` are read; an entry that is not a mapping is
            skipped).
    """
    out: list[NodeWithScore] = []
    for item in response.additional_kwargs.get("sources") or []:
        if isinstance(item, Mapping):
            metadata = item.get("metadata")
            out.append(
                _node(
                    str(item.get("text") or ""),
                    metadata if isinstance(metadata, Mapping) else {},
                )
            )
    return out


def _sources(response: VendorResponse) -> list[Source]:
    if isinstance(response, ChatV2Response):
        return sources_from_chat_v2(response)
    return sources_from_chat(response)


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


def _ids(response: VendorResponse) -> dict[str, Any]:
    ids = {"thread_id": response.thread_id, "request_id": response.request_id}
    return {key: value for key, value in ids.items() if value is not None}


def _kwargs(
    response: VendorResponse, sources: Sequence[Source], *, model: str, api_version: ApiVersion
) -> dict[str, Any]:
    kwargs: dict[str, Any] = {
        **_ids(response),
        "model": model,
        "api_version": api_version,
        "sources": source_items(sources),
        "finish_reason": response.finish_reason,
    }
    reason = response.incomplete_reason
    if reason is not None:
        kwargs.update(incomplete=True, incomplete_reason=reason)
    if isinstance(response, ChatV2Response):
        if response.tool_steps:
            kwargs["tool_steps"] = [
                step.model_dump(mode="json", by_alias=True, exclude_none=True)
                for step in response.tool_steps
            ]
    elif response.progress:
        kwargs["progress"] = [str(code) for code in response.progress]
    return kwargs


def chat_response(
    response: VendorResponse,
    *,
    model: str,
    api_version: ApiVersion,
    delta: str | None = None,
) -> ChatResponse:
    """The LlamaIndex ``ChatResponse`` of a whole answer (``delta`` set when streaming).

    Args:
        response: the vendor's assembled answer (`ChatV2Response` or v1 `ChatResponse`);
            kept as ``raw``.
        model: the model name for ``additional_kwargs["model"]``.
        api_version: ``"v1"`` or ``"v2"``, for ``additional_kwargs["api_version"]``.
        delta: the response's ``delta`` (the new text, when streaming).
    """
    sources = _sources(response)
    text = response.text
    message = ChatMessage(
        role=MessageRole.ASSISTANT,
        blocks=[TextBlock(text=text), *citation_blocks(sources, text)],
        additional_kwargs=_ids(response),
    )
    return ChatResponse(
        message=message,
        raw=response,
        delta=delta,
        additional_kwargs=_kwargs(response, sources, model=model, api_version=api_version),
    )


def completion_response(
    response: VendorResponse,
    *,
    model: str,
    api_version: ApiVersion,
    delta: str | None = None,
) -> CompletionResponse:
    """The ``CompletionResponse`` of a whole answer; citations in ``additional_kwargs``.

    Args:
        response: the vendor's assembled answer (`ChatV2Response` or v1 `ChatResponse`);
            kept as ``raw``.
        model: the model name for ``additional_kwargs["model"]``.
        api_version: ``"v1"`` or ``"v2"``, for ``additional_kwargs["api_version"]``.
        delta: the response's ``delta`` (the new text, when streaming).
    """
    sources = _sources(response)
    kwargs = _kwargs(response, sources, model=model, api_version=api_version)
    kwargs["citations"] = [
        {
            "source": block.source,
            "title": block.title,
            "cited_text": block.cited_content.text
            if isinstance(block.cited_content, TextBlock)
            else "",
            **block.additional_location_info,
        }
        for block in citation_blocks(sources, response.text)
    ]
    return CompletionResponse(
        text=response.text, raw=response, delta=delta, additional_kwargs=kwargs
    )


class AnswerStream:
    """Streamed Unleash items (v2 chunks or v1 events) to text deltas, one `add` at a time.

    Args:
        api_version: ``"v2"`` for chat v2 chunks, ``"v1"`` for v1 events.
        text_mode: how text pieces join (``"delta"``: exactly; ``"snapshot"``: each is
            the whole text so far).
    """

    def __init__(self, api_version: ApiVersion, text_mode: TextMode = "delta") -> None:
        self._assembler: ChatAssembler | ChatV2Assembler = (
            ChatV2Assembler(text_mode=text_mode)
            if api_version == "v2"
            else ChatAssembler(text_mode=text_mode)
        )
        self._seen = ""  # the last whole text compared (snapshot mode)
        self._emitted = TextBuffer()  # the deltas so far, joined when `text` is read

    @property
    def text(self) -> str:
        """The text emitted so far (the deltas joined)."""
        return self._emitted.text

    def _emit(self, delta: str) -> str:
        self._emitted.add(delta)
        return delta

    def _delta(self, current: str, seen: str | None = None) -> str:
        seen = self._seen if seen is None else seen
        if current.startswith(seen):
            delta = current[len(seen) :]
        else:  # the server rewrote earlier text: what was emitted cannot change
            done = len(self.text)  # rare: read the emitted text only here
            delta = current[done:] if len(current) > done else ""
        self._seen = current
        return self._emit(delta)

    def add(self, item: Any) -> str:
        """Take one streamed item; the new text it adds ("" when none).

        Args:
            item: a `ChatV2Chunk` (v2) or `ChatEvent` (v1), its JSON dict, or a list of
                either; an unreadable item is kept by the assembler, not raised.
        """
        assembler = self._assembler
        assembler.add(item)
        if assembler.text_mode == "delta":  # the text grew by exactly what was added
            return self._emit(assembler.added_text)
        return self._delta(assembler.text)

    def finish(
        self, *, end_seen: bool = False, allow_partial: bool = False
    ) -> tuple[str, VendorResponse]:
        """The text not yet emitted (e.g. from a v1 ``Full`` event) and the whole answer.

        Args:
            end_seen: the stream showed its end (``Stream.terminated``: ``[DONE]``).
            allow_partial: return an answer known to be unfinished instead of raising.

        Raises:
            EmptyAnswerError: nothing of an answer arrived.
            IncompleteAnswerError: the answer is known to be unfinished (unless
                ``allow_partial``).
        """
        if end_seen:
            self._assembler.mark_end()
        assembler = self._assembler
        result = assembler.finish(allow_partial=allow_partial)
        seen = assembler.text if assembler.text_mode == "delta" else None
        return self._delta(result.text, seen), result
