"""`Unleash`: the Unleash enterprise-search assistant as a LlamaIndex ``LLM``.

The LLM talks to Unleash only through `UnleashClient` / `AsyncUnleashClient` (created on
first use from the fields, or passed in), so it shares their retries, timeouts and typed
errors, which reach the caller unchanged. Async methods use the async client, streaming
yields text as the server's events arrive, and every entry point is wrapped with
LlamaIndex's callback decorators so instrumentation and callback handlers see it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from typing import Any, ClassVar, Literal

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
from llama_index.core.llms import LLM
from pydantic import Field, PrivateAttr, SecretStr

from .._adapter_core import (
    Answer,
    AnswerBuilder,
    AnswerStream,
    AsyncAnswerStream,
    Once,
    OwnLazyState,
    StrictFields,
    TextDelta,
    UnleashChatCall,
    UnleashConnection,
    check_v2_filters,
)
from ..unleash import AsyncUnleashClient, SearchFilters, UnleashClient
from ._answer_responses import chat_response, completion_response
from ._llm_base import chat_callback, completion_callback
from ._messages import to_unleash_messages
from ._metadata_filters import to_search_filters
from ._settings import env_secret, env_str

__all__ = ["DEFAULT_CONTEXT_WINDOW", "DEFAULT_NUM_OUTPUT", "Unleash"]

DEFAULT_CONTEXT_WINDOW = 8192
"""Tokens assumed for prompt and answer together: Unleash does not publish its limit."""
DEFAULT_NUM_OUTPUT = 1024
"""Tokens reserved for the answer when LlamaIndex packs a prompt (not sent to Unleash)."""

_CALL_KWARGS = ("thread_id", "assistant_id", "filters", "timeout", "max_retries", "allow_partial")
_ALTERNATIVE = "UnleashRetriever(mode='search')"


class Unleash(OwnLazyState, StrictFields, LLM):
    """The Unleash assistant as a LlamaIndex LLM, with citations and threads.

    Setup:
        ``pip install 'assistant-bridge[llama-index]'`` and set ``UNLEASH_API_KEY`` (and
        ``UNLEASH_BASE_URL`` for a tenant host, ``UNLEASH_ACCOUNT`` for an impersonation
        key, ``UNLEASH_ASSISTANT_ID`` for an assistant other than the default).

    An answer's ``message.blocks`` hold a ``TextBlock`` with the text, then one
    ``CitationBlock`` per cited span (``source`` url, ``title``, the cited text,
    ``additional_location_info`` ``{start_index, end_index, source_index}`` into the
    answer and ``additional_kwargs["sources"]``). ``message.additional_kwargs`` and the
    response's ``additional_kwargs`` hold the ``request_id``, and the ``thread_id`` when
    Unleash sent one (v1 answers carry it; v2 answers document none); ``raw`` is the
    vendor's response. `nodes_from_response` gives the sources as nodes.

    Conversation state is per call: the messages given are the conversation (LlamaIndex
    chat engines and memory pass the history), and ``thread_id=...`` on ``chat`` /
    ``stream_chat`` (and their async forms) continues an Unleash thread as well; the
    instance never changes, so it is safe for concurrent use. Other per-call keywords: ``assistant_id``, ``filters`` (v1),
    ``timeout``, ``max_retries``, ``allow_partial``; any other keyword raises
    `InvalidRequestError`. Vendor errors (``AuthenticationError``, ``RateLimitError``,
    ...) pass through unchanged.

    An answer is whole or an error: a success with nothing in it raises
    `EmptyAnswerError`, one known to be unfinished `IncompleteAnswerError`; with
    ``allow_partial=True`` it is returned, ``additional_kwargs["finish_reason"]`` being
    ``"incomplete"`` (else ``"stop"`` when the end was seen, ``"unconfirmed"`` when not).

    Attributes:
        api_key: the API key (env ``UNLEASH_API_KEY``); only needed by the first call.
        base_url: the API's base URL (env ``UNLEASH_BASE_URL``, else the public API).
        account: the user to act as with an impersonation key (env ``UNLEASH_ACCOUNT``).
        assistant_id: the assistant (env ``UNLEASH_ASSISTANT_ID``; none: the default).
        model: a name for metadata and tracing; Unleash has no model choice.
        api_version: ``"v2"`` (``POST /chats/v2``, tool steps) or ``"v1"``
            (``POST /chats``, filters).
        filters: v1 search filters: `SearchFilters`, a dict of filter names, or LlamaIndex
            ``MetadataFilters`` (translated; see `search_filters_from_metadata`).
        timeout: read timeout in seconds (None: the client's default).
        max_retries: retries of a request that failed in a retryable way.
        text_mode: how streamed text pieces join: ``"delta"`` (exactly, the default) or
            ``"snapshot"`` (each piece is the whole text so far).
        allow_partial: return an answer known to be unfinished (marked incomplete)
            instead of raising; also a per-call keyword.
        context_window: tokens LlamaIndex may use for prompt and answer; Unleash does not
            publish a limit, so this is an assumption (default 8192).
        num_output: tokens LlamaIndex reserves for the answer (default 1024).
        client: a ready `UnleashClient` (then the connection fields are not used for
            sync calls).
        async_client: a ready `AsyncUnleashClient` for async calls.

    Example:
        ```python
        from llama_index.core.llms import ChatMessage

        from assistant_bridge.llama_index import Unleash

        llm = Unleash()
        question = ChatMessage(role="user", content="Who owns the billing service?")
        first = llm.chat([question])
        follow_up = ChatMessage(role="user", content="And its on-call?")
        print(llm.chat([question, first.message, follow_up]).message.content[:60])
        ```

        ```text title="Output"
        On-call rotates weekly among the Payments team, and pages go
        ```
    """

    api_key: SecretStr | None = Field(
        default_factory=lambda: env_secret("UNLEASH_API_KEY"), exclude=True, repr=False
    )
    base_url: str | None = Field(default_factory=lambda: env_str("UNLEASH_BASE_URL"))
    account: str | None = Field(default_factory=lambda: env_str("UNLEASH_ACCOUNT"))
    assistant_id: str | None = Field(default_factory=lambda: env_str("UNLEASH_ASSISTANT_ID"))
    model: str = "unleash-assistant"
    api_version: Literal["v1", "v2"] = "v2"
    filters: SearchFilters | None = None
    timeout: float | None = None
    max_retries: int = Field(default=2, ge=0)
    text_mode: Literal["delta", "snapshot"] = "delta"
    allow_partial: bool = False
    context_window: int = Field(default=DEFAULT_CONTEXT_WINDOW, gt=0)
    num_output: int = Field(default=DEFAULT_NUM_OUTPUT, gt=0)
    client: UnleashClient | None = Field(default=None, exclude=True, repr=False)
    async_client: AsyncUnleashClient | None = Field(default=None, exclude=True, repr=False)

    _conn: Once[UnleashConnection] = PrivateAttr(default_factory=Once)
    _lazy_state: ClassVar[tuple[str, ...]] = ("_conn",)

    def __init__(self, /, **data: Any) -> None:
        # Checked here, not in a validator, so the error stays an InvalidRequestError.
        if data.get("filters") is not None:
            data["filters"] = to_search_filters(data["filters"])
            check_v2_filters(data.get("api_version", "v2"), data["filters"], _ALTERNATIVE)
        super().__init__(**data)

    @classmethod
    def class_name(cls) -> str:
        """The name LlamaIndex serialises this class under."""
        return "Unleash_LLM"

    @property
    def metadata(self) -> LLMMetadata:
        """A chat model named `model`, with the assumed context window."""
        return LLMMetadata(
            context_window=self.context_window,
            num_output=self.num_output,
            is_chat_model=True,
            is_function_calling_model=False,
            model_name=self.model,
            system_role=MessageRole.SYSTEM,
        )

    # -- clients and per-call arguments ------------------------------------------------

    def _connection(self) -> UnleashConnection:
        return self._conn.get(lambda: UnleashConnection.from_fields(self))

    def _call(
        self, messages: Sequence[ChatMessage], kwargs: Mapping[str, Any]
    ) -> tuple[UnleashChatCall, list[dict[str, str]]]:
        """The call and its wire messages; bad input raises before any request."""
        if not kwargs.get("assistant_id"):  # None or "" here means the instance's
            kwargs = {k: v for k, v in kwargs.items() if k != "assistant_id"}
        call = UnleashChatCall.of(kwargs, self, _CALL_KWARGS, parse_filters=to_search_filters)
        return call, to_unleash_messages(messages)

    def _prompt_messages(self, prompt: str, formatted: bool) -> list[ChatMessage]:
        convert = self.completion_to_prompt
        text = prompt if formatted or convert is None else convert(prompt)
        return [ChatMessage(role=MessageRole.USER, content=text)]

    def _steps(
        self, client: UnleashClient, call: UnleashChatCall, wire: list[dict[str, str]]
    ) -> Iterator[tuple[TextDelta | Answer, str]]:
        """Each text delta with the text so far, then the whole answer with its text."""
        builder = AnswerBuilder(call.api_version, call.text_mode)
        stream = AnswerStream(call.open(client, wire), builder, allow_partial=call.allow_partial)
        with stream:
            for event in stream:
                if isinstance(event, TextDelta):
                    yield event, builder.text
        answer = stream.final_answer()
        yield answer, answer.text

    async def _asteps(
        self, client: AsyncUnleashClient, call: UnleashChatCall, wire: list[dict[str, str]]
    ) -> AsyncIterator[tuple[TextDelta | Answer, str]]:
        """Async `_steps`."""
        builder = AnswerBuilder(call.api_version, call.text_mode)
        opened = await call.aopen(client, wire)
        stream = AsyncAnswerStream(opened, builder, allow_partial=call.allow_partial)
        async with stream:
            async for event in stream:
                if isinstance(event, TextDelta):
                    yield event, builder.text
        answer = await stream.final_answer()
        yield answer, answer.text

    def _chat_step(self, step: TextDelta | Answer, text: str) -> ChatResponse:
        if isinstance(step, Answer):
            return chat_response(step, model=self.model, delta=step.tail)
        message = ChatMessage(role=MessageRole.ASSISTANT, content=text)
        return ChatResponse(message=message, delta=step.text, raw=step.item)

    def _completion_step(self, step: TextDelta | Answer, text: str) -> CompletionResponse:
        if isinstance(step, Answer):
            return completion_response(step, model=self.model, delta=step.tail)
        return CompletionResponse(text=text, delta=step.text, raw=step.item)

    # -- LlamaIndex entry points ---------------------------------------------------------

    @chat_callback
    def chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        """Ask the assistant and return its whole answer with citation blocks.

        Args:
            messages: the conversation, oldest first (system, user and assistant).
            **kwargs: ``thread_id``, ``assistant_id``, ``filters`` (v1), ``timeout``,
                ``max_retries``.

        Raises:
            InvalidRequestError: an unsupported message, block or keyword (before any
                request); vendor errors pass through unchanged.
        """
        call, wire = self._call(messages, kwargs)
        answer = Answer.whole(call.ask(self._connection().get_sync(), wire))
        return chat_response(answer, model=self.model)

    @chat_callback
    def stream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponseGen:
        """Ask the assistant and yield its answer as it arrives.

        Each response has the text so far in ``message`` and the new text in ``delta``;
        the last one (its ``delta`` possibly empty) is the whole answer, with citation
        blocks, ``thread_id`` and ``raw``. Input is checked before this returns; the
        request is sent when iteration starts.
        """
        call, wire = self._call(messages, kwargs)
        client = self._connection().get_sync()

        def gen() -> ChatResponseGen:
            for step, text in self._steps(client, call, wire):
                yield self._chat_step(step, text)

        return gen()

    @completion_callback
    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        """Ask the assistant one question (a user message) and return the whole answer.

        ``additional_kwargs`` holds ``citations`` (the citation blocks' fields),
        ``sources`` and ``thread_id``. Keywords as for `chat`.
        """
        call, wire = self._call(self._prompt_messages(prompt, formatted), kwargs)
        answer = Answer.whole(call.ask(self._connection().get_sync(), wire))
        return completion_response(answer, model=self.model)

    @completion_callback
    def stream_complete(
        self, prompt: str, formatted: bool = False, **kwargs: Any
    ) -> CompletionResponseGen:
        """Ask one question and yield the answer as it arrives (the last one is whole)."""
        call, wire = self._call(self._prompt_messages(prompt, formatted), kwargs)
        client = self._connection().get_sync()

        def gen() -> CompletionResponseGen:
            for step, text in self._steps(client, call, wire):
                yield self._completion_step(step, text)

        return gen()

    @chat_callback
    async def achat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        """Async `chat`, over the async client."""
        call, wire = self._call(messages, kwargs)
        answer = Answer.whole(await call.aask(self._connection().get_async(), wire))
        return chat_response(answer, model=self.model)

    @chat_callback
    async def astream_chat(
        self, messages: Sequence[ChatMessage], **kwargs: Any
    ) -> ChatResponseAsyncGen:
        """Async `stream_chat`, over the async client."""
        call, wire = self._call(messages, kwargs)
        client = self._connection().get_async()

        async def gen() -> ChatResponseAsyncGen:
            async for step, text in self._asteps(client, call, wire):
                yield self._chat_step(step, text)

        return gen()

    @completion_callback
    async def acomplete(
        self, prompt: str, formatted: bool = False, **kwargs: Any
    ) -> CompletionResponse:
        """Async `complete`, over the async client."""
        call, wire = self._call(self._prompt_messages(prompt, formatted), kwargs)
        answer = Answer.whole(await call.aask(self._connection().get_async(), wire))
        return completion_response(answer, model=self.model)

    @completion_callback
    async def astream_complete(
        self, prompt: str, formatted: bool = False, **kwargs: Any
    ) -> CompletionResponseAsyncGen:
        """Async `stream_complete`, over the async client."""
        call, wire = self._call(self._prompt_messages(prompt, formatted), kwargs)
        client = self._connection().get_async()

        async def gen() -> CompletionResponseAsyncGen:
            async for step, text in self._asteps(client, call, wire):
                yield self._completion_step(step, text)

        return gen()
