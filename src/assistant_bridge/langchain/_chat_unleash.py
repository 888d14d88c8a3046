"""`ChatUnleash`: the Unleash enterprise-search assistant as a LangChain chat model.

The model talks to Unleash only through `UnleashClient` / `AsyncUnleashClient` (created
on first use from the fields, or passed in), so it shares their retries, timeouts and
typed errors; errors reach LangChain as classes that are also ``ModelError`` s. Async
methods use the async client (no thread executor), and streaming yields text as the
server's events arrive.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping
from typing import Any, ClassVar, Literal

from langchain_core.callbacks import (
    AsyncCallbackManagerForLLMRun,
    CallbackManagerForLLMRun,
)
from langchain_core.messages import BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.utils import from_env, secret_from_env
from pydantic import AliasChoices, ConfigDict, Field, PrivateAttr, SecretStr, model_validator

from .._adapter_core import (
    NO_FILTERS,
    Answer,
    AnswerBuilder,
    AnswerStream,
    AsyncAnswerStream,
    FiltersField,
    Once,
    UnleashChatCall,
    UnleashConnection,
    check_v2_filters,
)
from ..unleash import AsyncUnleashClient, SearchFilters, UnleashClient
from ._answer_messages import answer_message, event_chunk, last_chunk
from ._chat_base import VendorChatModel, aemit, emit, result_from_chunks
from ._errors import translated_errors
from ._messages import to_unleash_messages

__all__ = ["ChatUnleash"]

_ALTERNATIVE = "UnleashSearchRetriever"

_CALL_KWARGS = (
    "thread_id",
    "assistant_id",
    "filters",
    "timeout",
    "max_retries",
    "model",
    "allow_partial",
)


class ChatUnleash(VendorChatModel):
    """The Unleash assistant as a LangChain chat model, with citations and search steps.

    Setup:
        ``pip install 'assistant-bridge[langchain]'`` and set ``UNLEASH_API_KEY`` (and
        ``UNLEASH_BASE_URL`` for a tenant host, ``UNLEASH_ACCOUNT`` for an impersonation
        key, ``UNLEASH_ASSISTANT_ID`` for an assistant other than the default).

    Example:
        ```python
        from assistant_bridge.langchain import ChatUnleash

        llm = ChatUnleash()
        msg = llm.invoke("Who owns the billing service?")
        print([block["type"] for block in msg.content_blocks])  # search steps, then cited text
        again = llm.invoke([("human", "Who owns the billing service?"), msg, ("human", "And its on-call?")])
        print(again.text[:60])
        ```

        ```text title="Output"
        ['server_tool_call', 'server_tool_result', 'server_tool_call', 'server_tool_result', 'server_tool_call', 'server_tool_result', 'text']
        On-call rotates weekly among the Payments team, and pages go
        ```

    Conversation state is per call: the messages given are the conversation (as with any
    chat model), and ``thread_id=...`` on ``invoke``/``stream`` continues an Unleash thread
    as well. ``response_metadata["thread_id"]`` is there only when Unleash sent one (v1
    answers carry it; v2 answers document none). The instance itself never changes, so
    it is safe under ``batch`` and concurrent use. Other per-call keywords:
    ``assistant_id``, ``filters`` (v1), ``timeout``, ``max_retries``, ``allow_partial``.

    An answer is whole or an error: a success with nothing in it raises
    `EmptyAnswerError`, one known to be unfinished (no text, a tool step never ended, a
    reference past the text) `IncompleteAnswerError`. ``response_metadata["finish_reason"]``
    is ``"stop"`` only when the end was seen (a v1 ``Full`` event, the SSE ``[DONE]``, a
    whole JSON body), else ``"unconfirmed"``. With ``allow_partial=True`` an unfinished
    answer is returned with ``finish_reason="incomplete"``, ``incomplete=True`` and
    ``incomplete_reason`` in ``response_metadata``.

    Unleash has no sampling or length controls: ``temperature``, ``max_tokens`` and
    ``top_p`` are accepted (and reported to tracing) but not sent. ``stop`` sequences
    are applied on the client side: the answer ends before the first one.

    Tools and structured output: ``bind_tools`` and ``with_structured_output`` raise
    `UnsupportedOperationError` (a ``NotImplementedError``). The assistant runs its own
    search tools on the server, and the API takes no tool definitions and has no JSON
    mode, so ``create_agent(ChatUnleash(), ...)`` cannot work. Give a tool-calling model
    `UnleashAssistantTool` and `UnleashSearchTool` instead; `format_citations` renders an
    answer with numbered sources.
    """

    model_config = ConfigDict(populate_by_name=True, arbitrary_types_allowed=True)

    api_key: SecretStr | None = Field(
        default_factory=secret_from_env("UNLEASH_API_KEY", default=None)
    )
    """The Unleash API key (env ``UNLEASH_API_KEY``)."""
    base_url: str | None = Field(default_factory=from_env("UNLEASH_BASE_URL", default=None))
    """The API's base URL (env ``UNLEASH_BASE_URL``, else ``https://e-api.unleash.so``)."""
    account: str | None = Field(default_factory=from_env("UNLEASH_ACCOUNT", default=None))
    """The user to act as with an impersonation key (env ``UNLEASH_ACCOUNT``)."""
    assistant_id: str | None = Field(default_factory=from_env("UNLEASH_ASSISTANT_ID", default=None))
    """The assistant to ask (env ``UNLEASH_ASSISTANT_ID``; none: the default assistant)."""
    model: str = Field(
        default="unleash-assistant", validation_alias=AliasChoices("model", "model_name")
    )
    """A name for tracing (also ``model_name=``); Unleash has no model choice."""
    api_version: Literal["v1", "v2"] = "v2"
    """``"v2"`` (``POST /chats/v2``, tool steps) or ``"v1"`` (``POST /chats``, filters)."""
    filters: FiltersField = NO_FILTERS
    """Search filters for v1 (a `SearchFilters` or a dict of filter names)."""
    text_mode: Literal["delta", "snapshot"] = "delta"
    """How streamed text pieces join: exactly (``"delta"``), or each the whole text so far."""
    allow_partial: bool = False
    """Return an answer known to be unfinished (marked incomplete) instead of raising."""
    client: UnleashClient | None = Field(default=None, exclude=True)
    """A ready sync client (then the connection fields are not used for sync calls)."""
    async_client: AsyncUnleashClient | None = Field(default=None, exclude=True)
    """A ready async client."""

    _ls_provider: ClassVar[str] = "unleash"
    _conn: Once[UnleashConnection] = PrivateAttr(default_factory=Once)
    _lazy_state: ClassVar[tuple[str, ...]] = ("_conn",)

    @model_validator(mode="before")
    @classmethod
    def _check_filters(cls, values: Any) -> Any:
        if not isinstance(values, dict) or values.get("filters") is None:
            return values
        with translated_errors():
            check_v2_filters(values.get("api_version", "v2"), values["filters"], _ALTERNATIVE)
        return {**values, "filters": SearchFilters.from_any(values["filters"])}

    @property
    def _llm_type(self) -> str:
        return "unleash-chat"

    @property
    def lc_secrets(self) -> dict[str, str]:
        """Secrets by field, read from the environment when deserialised."""
        return {"api_key": "UNLEASH_API_KEY"}

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "api_version": self.api_version,
            "assistant_id": self.assistant_id,
            "base_url": self.base_url,
        }

    # -- clients and per-call arguments -------------------------------------------------
    def _connection(self) -> UnleashConnection:
        return self._conn.get(lambda: UnleashConnection.from_fields(self))

    def _call(self, kwargs: Mapping[str, Any]) -> UnleashChatCall:
        return UnleashChatCall.of(kwargs, self, _CALL_KWARGS)

    def _builder(self, call: UnleashChatCall, stop: list[str] | None) -> AnswerBuilder:
        return AnswerBuilder(call.api_version, call.text_mode, self._stop(stop))

    def _tracing_name(self, kwargs: Mapping[str, Any]) -> str:
        """The model name for this call's metadata (a per-call ``model`` is a tracing name)."""
        return str(kwargs.get("model") or self.model)

    # -- LangChain entry points --------------------------------------------------------
    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        if self.streaming:
            return result_from_chunks(self._stream(messages, stop, run_manager, **kwargs))
        with translated_errors():
            call = self._call(kwargs)
            wire = to_unleash_messages(messages)
            response = call.ask(self._connection().get_sync(), wire)
        answer = Answer.whole(response, self._stop(stop))
        message = answer_message(answer, model=self._tracing_name(kwargs))
        return ChatResult(generations=[ChatGeneration(message=message)])

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        if self.streaming:
            chunks = [c async for c in self._astream(messages, stop, run_manager, **kwargs)]
            return result_from_chunks(iter(chunks))
        with translated_errors():
            call = self._call(kwargs)
            wire = to_unleash_messages(messages)
            response = await call.aask(self._connection().get_async(), wire)
        answer = Answer.whole(response, self._stop(stop))
        message = answer_message(answer, model=self._tracing_name(kwargs))
        return ChatResult(generations=[ChatGeneration(message=message)])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        with translated_errors():
            call = self._call(kwargs)
            wire = to_unleash_messages(messages)
            client = self._connection().get_sync()
        builder = self._builder(call, stop)
        with translated_errors():
            opened = AnswerStream(
                call.open(client, wire), builder, allow_partial=call.allow_partial
            )
            with opened as stream:
                for event in stream:
                    yield emit(event_chunk(event), run_manager)
                answer = stream.final_answer()
        yield emit(last_chunk(answer, model=self._tracing_name(kwargs)), run_manager)

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        with translated_errors():
            call = self._call(kwargs)
            wire = to_unleash_messages(messages)
            client = self._connection().get_async()
        builder = self._builder(call, stop)
        with translated_errors():
            opened = AsyncAnswerStream(
                await call.aopen(client, wire), builder, allow_partial=call.allow_partial
            )
            async with opened as stream:
                async for event in stream:
                    yield await aemit(event_chunk(event), run_manager)
                answer = await stream.final_answer()
        yield await aemit(last_chunk(answer, model=self._tracing_name(kwargs)), run_manager)
