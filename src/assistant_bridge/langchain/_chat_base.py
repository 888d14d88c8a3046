"""What the chat models share: the standard fields, tracing parameters and chunk plumbing.

`VendorChatModel` holds the fields every chat model here takes (``timeout``,
``max_retries``, ``streaming``, the sampling fields the vendors do not take, client-side
``stop``) and reports them to tracing, and refuses ``bind_tools`` /
``with_structured_output`` with an `UnsupportedOperationError` that says why; `emit` / `aemit` pass a chunk to the callbacks,
and `result_from_chunks` merges a stream into one answer for ``invoke`` with
``streaming=True``.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, NoReturn

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LangSmithParams
from langchain_core.messages import AIMessage, AIMessageChunk
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import AliasChoices, ConfigDict, Field

from .._adapter_core import OwnLazyState, UnsupportedOperationError
from ._errors import InvalidRequestError, PostRetry
from ._strict import LangChainStrictFields

if TYPE_CHECKING:  # only named in bind_tools's signature; not imported with the model
    from langchain_core.tools import BaseTool

__all__ = ["VendorChatModel", "aemit", "emit", "result_from_chunks"]

_AGENT_TOOLS = {
    "unleash": "UnleashAssistantTool (questions) and UnleashSearchTool (filtered search)",
    "jylo": "JyloAssistantTool",
}
"""Per vendor: the tools of this package that bring it into an agent (for error messages)."""


class VendorChatModel(OwnLazyState, LangChainStrictFields, PostRetry, BaseChatModel):
    """Fields and tracing shared by `ChatUnleash` and `ChatJylo`.

    The vendors have no sampling or length controls: ``temperature``, ``max_tokens`` and
    ``top_p`` are accepted (and reported to tracing) but not sent. ``stop`` sequences are
    applied on the client side: the answer ends before the first one. An unknown
    constructor keyword raises `InvalidRequestError` with the nearest field names.

    ``bind_tools`` and ``with_structured_output`` raise `UnsupportedOperationError` (a
    ``NotImplementedError``): the vendor's assistant runs its own tools on the server,
    takes no tool definitions, returns no tool calls and has no JSON mode. In an agent
    the assistant is a tool (`UnleashAssistantTool`, `JyloAssistantTool`, and
    `UnleashSearchTool` for search) of a model that can call tools.
    """

    timeout: float | None = None
    """Read timeout in seconds (connect is 5 s); None: the client's default (120 s)."""
    max_retries: int = 2
    """Retries of a request that failed in a retryable way (a POST only when safe)."""
    streaming: bool = False
    """Whether ``invoke`` streams under the hood (callbacks then see each token)."""
    temperature: float | None = None
    """Accepted for compatibility; the vendor does not take it."""
    max_tokens: int | None = None
    """Accepted for compatibility; the vendor does not take it."""
    top_p: float | None = None
    """Accepted for compatibility; the vendor does not take it."""
    stop: list[str] | None = Field(
        default=None, validation_alias=AliasChoices("stop", "stop_sequences")
    )
    """Stop sequences, applied on the client side (also ``stop_sequences=``)."""

    model_config = ConfigDict(defer_build=True)

    _ls_provider: ClassVar[str] = ""

    def _tracing_name(self, kwargs: Mapping[str, Any]) -> str:
        """The model name a call reports (a per-call ``model`` wins)."""
        raise NotImplementedError

    def _unsupported(self, operation: str, what: str) -> NoReturn:
        vendor = self._ls_provider.capitalize()
        raise UnsupportedOperationError(
            f"{type(self).__name__}.{operation}: not supported: the {vendor} assistant runs "
            f"its own tools on the server; its API takes no tool definitions, returns no "
            f"tool calls and has no JSON or structured-output mode, so {what}. To use "
            f"{vendor} in an agent, give a tool-calling chat model these tools from "
            f"assistant_bridge.langchain: {_AGENT_TOOLS.get(self._ls_provider, '')}.",
            vendor=self._ls_provider,
            operation=operation,
        )

    def bind_tools(
        self,
        tools: Sequence[builtins.dict[str, Any] | type | Callable[..., Any] | BaseTool],
        *,
        tool_choice: str | None = None,
        **kwargs: Any,
    ) -> NoReturn:
        """Not supported: raises `UnsupportedOperationError` (see the class docstring)."""
        self._unsupported("bind_tools", "it cannot call client-side tools")

    def with_structured_output(
        self,
        schema: builtins.dict[str, Any] | type,
        *,
        include_raw: bool = False,
        **kwargs: Any,
    ) -> NoReturn:
        """Not supported: raises `UnsupportedOperationError` (see the class docstring)."""
        self._unsupported(
            "with_structured_output",
            "it cannot be held to a schema (parse its text yourself, or let a "
            "tool-calling model structure what the tools return)",
        )

    def _stop(self, stop: list[str] | None) -> list[str] | None:
        return stop if stop is not None else self.stop

    def _get_ls_params(self, stop: list[str] | None = None, **kwargs: Any) -> LangSmithParams:
        params = LangSmithParams(
            ls_provider=self._ls_provider,
            ls_model_name=self._tracing_name(kwargs),
            ls_model_type="chat",
        )
        if self.temperature is not None:
            params["ls_temperature"] = self.temperature
        if self.max_tokens is not None:
            params["ls_max_tokens"] = self.max_tokens
        if stop or self.stop:
            params["ls_stop"] = stop or self.stop
        return params


def emit(
    chunk: AIMessageChunk, run_manager: CallbackManagerForLLMRun | None
) -> ChatGenerationChunk:
    """The chunk as a generation, its text passed to the callbacks first."""
    generation = ChatGenerationChunk(message=chunk)
    if run_manager and chunk.content:
        run_manager.on_llm_new_token(str(chunk.content), chunk=generation)
    return generation


async def aemit(
    chunk: AIMessageChunk, run_manager: AsyncCallbackManagerForLLMRun | None
) -> ChatGenerationChunk:
    """Async `emit`."""
    generation = ChatGenerationChunk(message=chunk)
    if run_manager and chunk.content:
        await run_manager.on_llm_new_token(str(chunk.content), chunk=generation)
    return generation


def result_from_chunks(chunks: Iterable[ChatGenerationChunk]) -> ChatResult:
    """A stream's chunks merged into one ``AIMessage`` answer."""
    merged: ChatGenerationChunk | None = None
    for chunk in chunks:
        merged = chunk if merged is None else merged + chunk
    if merged is None:  # pragma: no cover - a stream always ends with its last chunk
        raise InvalidRequestError("the stream produced no answer")
    message = merged.message
    answer = AIMessage(
        content=message.content,
        additional_kwargs=message.additional_kwargs,
        response_metadata=message.response_metadata,
        id=message.id,
    )
    return ChatResult(generations=[ChatGeneration(message=answer)])
