"""`ChatUnleash`: the Unleash enterprise-search assistant as a LangChain chat model.

The model talks to Unleash only through `UnleashClient` / `AsyncUnleashClient` (created
on first use from the fields, or passed in), so it shares their retries, timeouts and
typed errors; errors reach LangChain as classes that are also ``ModelError`` s. Async
methods use the async client (no thread executor), and streaming yields text as the
server's events arrive.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from typing import Any, ClassVar, Literal

from langchain_core.callbacks import (
    AsyncCallbackManagerForLLMRun,
    CallbackManagerForLLMRun,
)
from langchain_core.messages import BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.utils import from_env, secret_from_env
from pydantic import ConfigDict, Field, PrivateAttr, SecretStr, model_validator

from .._loops import PerLoop
from .._validation import nearest_names
from ..unleash import AsyncUnleashClient, SearchFilters, UnleashClient
from ._answer import V1Chunks, V2Chunks, message_from_v1, message_from_v2
from ._chat_base import VendorChatModel, emit, result_from_chunks
from ._errors import InvalidRequestError, translated_errors
from ._messages import to_unleash_messages

__all__ = ["ChatUnleash"]

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
        .. code-block:: python

            from assistant_bridge.langchain import ChatUnleash

            llm = ChatUnleash()
            msg = llm.invoke("Who owns the billing service?")
            msg.content_blocks  # text with citation annotations, search steps
            llm.invoke([("human", "Who owns the billing service?"), msg, ("human", "And its on-call?")])

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
    model: str = Field(default="unleash-assistant", alias="model_name")
    """A name for tracing; Unleash has no model choice."""
    api_version: Literal["v1", "v2"] = "v2"
    """``"v2"`` (``POST /chats/v2``, tool steps) or ``"v1"`` (``POST /chats``, filters)."""
    filters: SearchFilters | None = None
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
    _sync: UnleashClient | None = PrivateAttr(default=None)
    _async: PerLoop[AsyncUnleashClient] = PrivateAttr(default_factory=PerLoop)
    _lazy_state: ClassVar[tuple[str, ...]] = ("_sync", "_async")

    @model_validator(mode="before")
    @classmethod
    def _check_filters(cls, values: Any) -> Any:
        if not isinstance(values, dict) or values.get("filters") is None:
            return values
        if values.get("api_version", "v2") == "v2":
            raise InvalidRequestError(
                "filters: Unleash chat v2 takes no filters; use api_version='v1' for "
                "filtered chat, or UnleashSearchRetriever",
                field="filters",
            )
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

    # -- clients --------------------------------------------------------------------
    def _connection(self) -> dict[str, Any]:
        conn: dict[str, Any] = {
            "api_key": self.api_key,
            "base_url": self.base_url,
            "account": self.account,
            "max_retries": self.max_retries,
        }
        if self.timeout is not None:
            conn["timeout"] = self.timeout
        return conn

    def _sync_client(self) -> UnleashClient:
        if self.client is not None:
            return self.client
        with self._lock:
            if self._sync is None:
                with translated_errors():
                    self._sync = UnleashClient(**self._connection())
            return self._sync

    def _async_client(self) -> AsyncUnleashClient:
        if self.async_client is not None:
            return self.async_client
        with translated_errors():  # one per event loop: its connections belong to that loop
            return self._async.get(lambda: AsyncUnleashClient(**self._connection()))

    # -- per-call arguments -----------------------------------------------------------
    def _call(self, messages: Sequence[BaseMessage], kwargs: Mapping[str, Any]) -> dict[str, Any]:
        unknown = [k for k in kwargs if k not in _CALL_KWARGS]
        if unknown:
            near = nearest_names(unknown[0], _CALL_KWARGS)
            hint = f"; did you mean {', '.join(near)}?" if near else ""
            raise InvalidRequestError(
                f"{unknown[0]}: not an argument of ChatUnleash calls{hint} "
                f"(known: {', '.join(_CALL_KWARGS)})",
                field=unknown[0],
                suggestions=near,
            )
        call: dict[str, Any] = {
            "assistant_id": kwargs.get("assistant_id", self.assistant_id),
            "thread_id": kwargs.get("thread_id"),
            "allow_partial": bool(kwargs.get("allow_partial", self.allow_partial)),
            "text_mode": self.text_mode,
        }
        for name in ("timeout", "max_retries"):
            if kwargs.get(name) is not None:
                call[name] = kwargs[name]
        filters = self.filters
        if kwargs.get("filters") is not None:
            if self.api_version == "v2":
                raise InvalidRequestError(
                    "filters: Unleash chat v2 takes no filters; use api_version='v1'",
                    field="filters",
                )
            extra = SearchFilters.from_any(kwargs["filters"])
            filters = filters.merged(extra) if filters is not None else extra
        if self.api_version == "v1":
            call["filters"] = filters
        call["messages"] = to_unleash_messages(messages)
        return call

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
            call = self._call(messages, kwargs)
            client = self._sync_client()
            if self.api_version == "v1":
                answer = message_from_v1(
                    client.chat(**call), model=self._tracing_name(kwargs), stop=self._stop(stop)
                )
            else:
                answer = message_from_v2(
                    client.chat_v2(**call), model=self._tracing_name(kwargs), stop=self._stop(stop)
                )
        return ChatResult(generations=[ChatGeneration(message=answer)])

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
            call = self._call(messages, kwargs)
            client = self._async_client()
            if self.api_version == "v1":
                answer = message_from_v1(
                    await client.chat(**call),
                    model=self._tracing_name(kwargs),
                    stop=self._stop(stop),
                )
            else:
                answer = message_from_v2(
                    await client.chat_v2(**call),
                    model=self._tracing_name(kwargs),
                    stop=self._stop(stop),
                )
        return ChatResult(generations=[ChatGeneration(message=answer)])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        with translated_errors():
            call = self._call(messages, kwargs)
            client = self._sync_client()
        allow = call.pop("allow_partial")
        builder = self._builder(kwargs, stop, call.pop("text_mode"))
        opened: Any = client.stream_chat if self.api_version == "v1" else client.stream_chat_v2
        with translated_errors(), opened(**call) as stream:
            for item in stream:
                for chunk in builder.add(item):
                    yield emit(chunk, run_manager)
                if builder.stopped:
                    break
            last = builder.finish(end_seen=stream.terminated, allow_partial=allow)
        yield emit(last, run_manager)

    def _builder(
        self, kwargs: Mapping[str, Any], stop: list[str] | None, text_mode: Any
    ) -> V1Chunks | V2Chunks:
        """The chunk builder of one streamed call."""
        cls = V1Chunks if self.api_version == "v1" else V2Chunks
        return cls(model=self._tracing_name(kwargs), stop=self._stop(stop), text_mode=text_mode)

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        with translated_errors():
            call = self._call(messages, kwargs)
            client = self._async_client()
        allow = call.pop("allow_partial")
        builder = self._builder(kwargs, stop, call.pop("text_mode"))
        with translated_errors():
            if self.api_version == "v1":
                stream: Any = await client.stream_chat(**call)
            else:
                stream = await client.stream_chat_v2(**call)
            async with stream:
                async for item in stream:
                    for chunk in builder.add(item):
                        generation = ChatGenerationChunk(message=chunk)
                        if run_manager and chunk.content:
                            await run_manager.on_llm_new_token(str(chunk.content), chunk=generation)
                        yield generation
                    if builder.stopped:
                        break
            message = builder.finish(end_seen=stream.terminated, allow_partial=allow)
        last = ChatGenerationChunk(message=message)
        if run_manager and last.message.content:
            await run_manager.on_llm_new_token(str(last.message.content), chunk=last)
        yield last
