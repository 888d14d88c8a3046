"""A SCRIPTED stand-in for a function-calling LLM, so the agent examples run offline.

`ScriptedToolCaller` is a LlamaIndex ``FunctionCallingLLM`` that does no reasoning: it
asks for the tool calls of its script, one per turn, in order (the tool names and
arguments are fixed when it is made), then answers with every tool output it received
since the last user message, word for word, under a heading that says it is scripted.
It exists so ``FunctionAgent`` can run end to end without a model or network; everything
the tools return is real (from Unleash or the emulator). Use a real model for real work.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Generator, Sequence
from typing import Any

from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    ChatResponseAsyncGen,
    ChatResponseGen,
    CompletionResponse,
    CompletionResponseAsyncGen,
    CompletionResponseGen,
    LLMMetadata,
    MessageRole,
)
from llama_index.core.llms.function_calling import FunctionCallingLLM
from llama_index.core.llms.llm import ToolSelection
from llama_index.core.tools import BaseTool
from pydantic import Field

__all__ = ["SCRIPTED_HEADING", "ScriptedToolCaller"]

SCRIPTED_HEADING = "[SCRIPTED stand-in model: no reasoning; the tool output follows as is]"


class ScriptedToolCaller(FunctionCallingLLM):
    """Calls the scripted tools in order, then answers with their outputs (offline only).

    Attributes:
        script: ``(tool name, arguments)`` pairs, called one per turn in this order.
    """

    script: list[tuple[str, dict[str, Any]]] = Field(default_factory=list)

    @classmethod
    def class_name(cls) -> str:
        """The LlamaIndex class name."""
        return "ScriptedToolCaller"

    @property
    def metadata(self) -> LLMMetadata:
        """A function-calling model named ``scripted-stand-in``."""
        return LLMMetadata(model_name="scripted-stand-in", is_function_calling_model=True)

    # -- the script ------------------------------------------------------------------------

    def _reply(self, messages: Sequence[ChatMessage]) -> ChatResponse:
        turn: list[ChatMessage] = []
        for message in reversed(messages):
            if message.role == MessageRole.USER:
                break
            turn.insert(0, message)
        outputs = [m.content or "" for m in turn if m.role == MessageRole.TOOL]
        step = len(outputs)
        if step < len(self.script):
            name, kwargs = self.script[step]
            call = ToolSelection(tool_id=f"call-{step + 1}", tool_name=name, tool_kwargs=kwargs)
            message = ChatMessage(
                role=MessageRole.ASSISTANT, content="", additional_kwargs={"tool_calls": [call]}
            )
            return ChatResponse(message=message, delta="")
        text = "\n\n".join([SCRIPTED_HEADING, *outputs])
        return ChatResponse(
            message=ChatMessage(role=MessageRole.ASSISTANT, content=text), delta=text
        )

    def _prepare_chat_with_tools(
        self,
        tools: Sequence[BaseTool],
        user_msg: str | ChatMessage | None = None,
        chat_history: list[ChatMessage] | None = None,
        verbose: bool = False,
        allow_parallel_tool_calls: bool = False,
        tool_required: bool = False,
        **kwargs: Any,
    ) -> dict[str, Any]:
        messages = list(chat_history or [])
        if isinstance(user_msg, str):
            messages.append(ChatMessage(role=MessageRole.USER, content=user_msg))
        elif user_msg is not None:
            messages.append(user_msg)
        return {"messages": messages}

    def get_tool_calls_from_response(
        self, response: ChatResponse, error_on_no_tool_call: bool = True, **kwargs: Any
    ) -> list[ToolSelection]:
        """The tool calls of a scripted turn (none in the final answer)."""
        calls = response.message.additional_kwargs.get("tool_calls", [])
        if not calls and error_on_no_tool_call:
            raise ValueError("the scripted model asked for no tool call in this turn")
        return list(calls)

    # -- the LLM interface -----------------------------------------------------------------

    def chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        """The next scripted turn."""
        return self._reply(messages)

    async def achat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        """The next scripted turn."""
        return self._reply(messages)

    def stream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponseGen:
        """The next scripted turn as one chunk."""

        def one() -> Generator[ChatResponse, None, None]:
            yield self._reply(messages)

        return one()

    async def astream_chat(
        self, messages: Sequence[ChatMessage], **kwargs: Any
    ) -> ChatResponseAsyncGen:
        """The next scripted turn as one chunk."""

        async def one() -> AsyncGenerator[ChatResponse, None]:
            yield self._reply(messages)

        return one()

    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        """Completion is not scripted: the heading only."""
        return CompletionResponse(text=SCRIPTED_HEADING)

    async def acomplete(
        self, prompt: str, formatted: bool = False, **kwargs: Any
    ) -> CompletionResponse:
        """Completion is not scripted: the heading only."""
        return self.complete(prompt)

    def stream_complete(
        self, prompt: str, formatted: bool = False, **kwargs: Any
    ) -> CompletionResponseGen:
        """Completion is not scripted: the heading only, as one chunk."""

        def one() -> Generator[CompletionResponse, None, None]:
            yield CompletionResponse(text=SCRIPTED_HEADING, delta=SCRIPTED_HEADING)

        return one()

    async def astream_complete(
        self, prompt: str, formatted: bool = False, **kwargs: Any
    ) -> CompletionResponseAsyncGen:
        """Completion is not scripted: the heading only, as one chunk."""

        async def one() -> AsyncGenerator[CompletionResponse, None]:
            yield CompletionResponse(text=SCRIPTED_HEADING, delta=SCRIPTED_HEADING)

        return one()
