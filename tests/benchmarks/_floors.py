"""The frameworks' own floor: chat models that do no I/O and no parsing.

A `FloorChatModel` (LangChain) or `FloorLLM` / `FloorChatLLM` (LlamaIndex) answers with a fixed text, or
streams fixed pieces of it, and does nothing else. Timing one of them through the
framework's public entry points (``invoke``/``stream``, ``chat``/``stream_chat``) gives
the cost the framework itself adds per call and per chunk (callbacks, run managers,
message and response objects). The benchmarks subtract that floor from, or compare it
with, the time of this package's adapters on the same text and the same number of
pieces, so what remains is the package's own cost.

`FloorLLM` is a completion model: its ``chat`` / ``stream_chat`` are `CustomLLM`'s
completion-to-chat wrappers, which run two callback layers per chunk (completion, then
chat) and build a `CompletionResponse` and a `ChatResponse` per piece. A chat model that
implements ``stream_chat`` itself (as this package's `Unleash` does) pays one layer, so
`FloorChatLLM` is that floor: ``chat`` / ``stream_chat`` under LlamaIndex's chat callback,
one `ChatResponse` per piece.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    ChatResponseGen,
    CompletionResponse,
    CompletionResponseGen,
    LLMMetadata,
    MessageRole,
)
from llama_index.core.llms.callbacks import llm_chat_callback, llm_completion_callback
from llama_index.core.llms.custom import CustomLLM
from pydantic import Field

__all__ = ["FloorChatLLM", "FloorChatModel", "FloorLLM"]


class FloorChatModel(BaseChatModel):
    """A LangChain chat model that answers ``text`` (or streams ``pieces``) and does nothing else.

    ``invoke`` returns one `AIMessage` with ``text``; ``stream`` yields one
    `AIMessageChunk` per piece, then an empty chunk marked ``chunk_position="last"``, as a
    partner model's final chunk (the one carrying usage and finish reason) would be.
    """

    text: str = ""
    """The whole answer ``invoke`` returns."""
    pieces: list[str] = Field(default_factory=list)
    """The text chunks ``stream`` yields, in order."""

    @property
    def _llm_type(self) -> str:
        return "floor"

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=self.text))])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        for piece in self.pieces:
            chunk = ChatGenerationChunk(message=AIMessageChunk(content=piece))
            if run_manager is not None:
                run_manager.on_llm_new_token(piece, chunk=chunk)
            yield chunk
        yield ChatGenerationChunk(message=AIMessageChunk(content="", chunk_position="last"))


class FloorLLM(CustomLLM):
    """A LlamaIndex LLM that completes with ``text`` (or streams ``pieces``) and does nothing else.

    ``complete`` returns ``text``; ``stream_complete`` yields one `CompletionResponse` per
    piece, with the text so far and the piece as ``delta``. ``chat`` and ``stream_chat``
    are `CustomLLM`'s completion-to-chat wrappers, so they are the framework's own floor
    for a chat model's ``chat`` / ``stream_chat``.
    """

    text: str = ""
    """The whole answer ``complete`` returns."""
    pieces: list[str] = Field(default_factory=list)
    """The deltas ``stream_complete`` yields, in order."""

    @property
    def metadata(self) -> LLMMetadata:
        """A completion model (chat goes through `CustomLLM`'s wrappers)."""
        return LLMMetadata(is_chat_model=False, model_name="floor")

    @llm_completion_callback()
    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        """The whole ``text`` in one response."""
        return CompletionResponse(text=self.text)

    @llm_completion_callback()
    def stream_complete(
        self, prompt: str, formatted: bool = False, **kwargs: Any
    ) -> CompletionResponseGen:
        """One response per piece: the text so far and the piece as ``delta``."""
        pieces = list(self.pieces)

        def gen() -> CompletionResponseGen:
            text = ""
            for piece in pieces:
                text += piece
                yield CompletionResponse(text=text, delta=piece)

        return gen()

    @classmethod
    def class_name(cls) -> str:
        """The name LlamaIndex serialises this class under."""
        return "floor_llm"


class FloorChatLLM(FloorLLM):
    """A LlamaIndex chat model (``is_chat_model=True``) with its own ``chat`` / ``stream_chat``.

    ``chat`` returns one `ChatResponse` with ``text``; ``stream_chat`` yields one per
    piece, the assistant message holding the text so far and the piece as ``delta``. Both
    run under LlamaIndex's chat callback once, as a chat model implementing them directly
    does; ``complete`` / ``stream_complete`` are `FloorLLM`'s.
    """

    @property
    def metadata(self) -> LLMMetadata:
        """A chat model."""
        return LLMMetadata(is_chat_model=True, model_name="floor-chat")

    @llm_chat_callback()
    def chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        """The whole ``text`` as the assistant's message."""
        return ChatResponse(message=ChatMessage(role=MessageRole.ASSISTANT, content=self.text))

    @llm_chat_callback()
    def stream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponseGen:
        """One response per piece: the assistant's text so far, and the piece as ``delta``."""
        pieces = list(self.pieces)

        def gen() -> ChatResponseGen:
            text = ""
            for piece in pieces:
                text += piece
                message = ChatMessage(role=MessageRole.ASSISTANT, content=text)
                yield ChatResponse(message=message, delta=piece)

        return gen()

    @classmethod
    def class_name(cls) -> str:
        """The name LlamaIndex serialises this class under."""
        return "floor_chat_llm"
