"""`Jylo`: a Jylo assistant (which keeps its own conversation) as a LlamaIndex ``LLM``.

The LLM talks to Jylo only through `JyloClient` / `AsyncJyloClient` (created on first use
from the fields, or passed in), so it shares their OAuth2 login, retries, timeouts and
typed errors, which reach the caller unchanged. Each call posts the newest user message
(after uploading its document and image blocks), with the system messages and earlier
turns the assistant has not seen folded into the text (see `Jylo`), and returns the reply with
``CitationBlock`` s; async methods use the async client, streaming yields text as it
arrives, and every entry point has LlamaIndex's callback decorators.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

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
    AsyncJyloAnswerStream,
    JyloAnswer,
    JyloAnswerStream,
    JyloConnection,
    Once,
    Outgoing,
    OwnLazyState,
    StrictFields,
    UnseenTurns,
    aupload_all,
    jylo_call,
    upload_all,
)
from ..jylo import AsyncJyloClient, Document, JyloClient
from ._jylo_blocks import chat_response
from ._jylo_turns import outgoing
from ._llm_base import chat_callback, completion_callback
from ._settings import env_secret, env_str

__all__ = ["Jylo"]

DEFAULT_CONTEXT_WINDOW = 8192
"""Tokens assumed for prompt and answer when ``context_window`` is not set."""
_CALL_KWARGS = (
    "assistant_id",
    "model_identifier",
    "document_ids",
    "timeout",
    "max_retries",
    "allow_partial",
)


def _completion(response: ChatResponse) -> CompletionResponse:
    kwargs = dict(response.additional_kwargs)
    kwargs["citations"] = [
        {
            "source": b.source,
            "title": b.title,
            "cited_text": getattr(b.cited_content, "text", ""),
            **b.additional_location_info,
        }
        for b in response.message.blocks
        if b.block_type == "citation"
    ]
    return CompletionResponse(
        text=response.message.content or "",
        raw=response.raw,
        delta=response.delta,
        additional_kwargs=kwargs,
    )


class Jylo(OwnLazyState, StrictFields, LLM):
    """A Jylo assistant as a LlamaIndex LLM, with citation blocks and attached documents.

    Setup:
        ``pip install 'assistant-bridge[llama-index]'``; set ``JYLO_CLIENT_ID`` and
        ``JYLO_CLIENT_SECRET`` (or ``token``), ``JYLO_TENANT`` and ``JYLO_REGION`` (or
        ``JYLO_BASE_URL`` and ``JYLO_TOKEN_URL``), ``JYLO_PROJECT_ID``,
        ``JYLO_ASSISTANT_ID`` and ``JYLO_MODEL_IDENTIFIER``.

    A Jylo assistant *is* the conversation, so a call posts one message, built from the
    newest message, which must be a user message. Its ``DocumentBlock`` s and
    ``ImageBlock`` s (data, base64, a path or a ``data:`` URL) are uploaded and
    attached.

    Messages the assistant has not seen are never dropped silently. With
    ``unseen_turns="fold"`` (the default) they are sent inside the posted text:

    ```text
    System instructions:
    <each system message, separated by a blank line>

    Earlier conversation:
    User: <an earlier user message>
    Assistant: <an earlier assistant message>

    Question:
    <the newest user message>
    ```

    (a section without messages is left out; with none the text is the question alone).
    Which messages are unseen, decided without a request: every system message, with
    every call (a chat engine's system prompt and retrieved context are instructions for
    this call); and every user or assistant message after the newest one that carries the
    id of a message this assistant stores (a `Jylo` reply, a message read from
    `JyloChatStore`), or all of them when none does, so a chat memory holding this
    assistant's messages never sends a turn twice. Only an earlier message's text is sent
    (its ``CitationBlock`` s and ``ThinkingBlock`` s are left out on purpose); the files of
    an unseen user message are uploaded and attached too. With ``unseen_turns="raise"``
    such messages are an `InvalidRequestError` naming them (nothing is sent);
    ``unseen_turns="ignore"`` posts the newest message alone.

    When the conversation instead ends with a reply this assistant stores, right after
    its question (what `JyloChatStore` gives a chat engine after storing the question,
    since Jylo answers when a message is posted), that reply is returned and nothing is
    posted; system messages before it could not reach the assistant, so they are an
    `InvalidRequestError` unless ``unseen_turns="ignore"``.

    An answer's ``message.blocks`` hold a ``TextBlock`` with the text, then one
    ``CitationBlock`` per span ``textWithCitations`` cites (``source`` the document url
    or id, ``title``, the cited text, ``additional_location_info`` ``{start_index,
    end_index, source_index}``). Per-call keywords: ``assistant_id``,
    ``model_identifier``, ``document_ids`` (more uploaded documents to attach),
    ``timeout``, ``max_retries``, ``allow_partial``. Vendor errors pass through unchanged.

    A reply is whole or an error: a success with nothing in it raises `EmptyAnswerError`,
    a reply without text `IncompleteAnswerError` (unless ``allow_partial=True``: then it
    is returned with ``additional_kwargs`` ``finish_reason="incomplete"``,
    ``incomplete=True`` and ``incomplete_reason``). ``finish_reason`` is ``"stop"`` only
    for the stored message (its end seen), else ``"unconfirmed"``.

    The fields not listed below are the `JyloClient` arguments, with its ``JYLO_*`` defaults.

    Attributes:
        assistant_id: the assistant to post to (env ``JYLO_ASSISTANT_ID``).
        model_identifier: the model that answers (env ``JYLO_MODEL_IDENTIFIER``).
        context_window: tokens LlamaIndex may use (the model's ``contextLength`` from
            the settings API if you know it; default 8192).
        num_output: tokens LlamaIndex reserves for the answer (not sent).
        unseen_turns: system messages and earlier turns the assistant has not seen:
            ``"fold"`` them into the posted text (default), ``"raise"`` an
            `InvalidRequestError` naming them, or ``"ignore"`` them.
        allow_partial: return a reply that came without text (marked incomplete)
            instead of raising; also a per-call keyword.
        client: a ready `JyloClient`.
        async_client: a ready `AsyncJyloClient`.
    """

    client_id: str | None = Field(default_factory=lambda: env_str("JYLO_CLIENT_ID"))
    client_secret: SecretStr | None = Field(
        default_factory=lambda: env_secret("JYLO_CLIENT_SECRET"), exclude=True, repr=False
    )
    token: SecretStr | None = Field(
        default_factory=lambda: env_secret("JYLO_TOKEN"), exclude=True, repr=False
    )
    tenant: str | None = Field(default_factory=lambda: env_str("JYLO_TENANT"))
    region: str | None = Field(default_factory=lambda: env_str("JYLO_REGION"))
    project_id: str | None = Field(default_factory=lambda: env_str("JYLO_PROJECT_ID"))
    base_url: str | None = Field(default_factory=lambda: env_str("JYLO_BASE_URL"))
    token_url: str | None = Field(default_factory=lambda: env_str("JYLO_TOKEN_URL"))
    settings_url: str | None = Field(default_factory=lambda: env_str("JYLO_SETTINGS_URL"))
    audience: str | None = Field(default_factory=lambda: env_str("JYLO_AUDIENCE"))
    assistant_id: str | None = Field(default_factory=lambda: env_str("JYLO_ASSISTANT_ID"))
    model_identifier: str | None = Field(default_factory=lambda: env_str("JYLO_MODEL_IDENTIFIER"))
    timeout: float | None = None
    max_retries: int = Field(default=2, ge=0)
    unseen_turns: UnseenTurns = "fold"
    allow_partial: bool = False
    context_window: int = Field(default=DEFAULT_CONTEXT_WINDOW, gt=0)
    num_output: int = Field(default=1024, gt=0)
    client: JyloClient | None = Field(default=None, exclude=True, repr=False)
    async_client: AsyncJyloClient | None = Field(default=None, exclude=True, repr=False)

    _conn: Once[JyloConnection] = PrivateAttr(default_factory=Once)
    _lazy_state: ClassVar[tuple[str, ...]] = ("_conn",)

    @classmethod
    def class_name(cls) -> str:
        """The name LlamaIndex serialises this class under."""
        return "Jylo_LLM"

    @property
    def metadata(self) -> LLMMetadata:
        """A chat model named by its model identifier."""
        return LLMMetadata(
            context_window=self.context_window,
            num_output=self.num_output,
            is_chat_model=True,
            is_function_calling_model=False,
            model_name=self.model_identifier or "jylo-assistant",
            system_role=MessageRole.SYSTEM,
        )

    # -- clients and per-call arguments ---------------------------------------------------
    def _connection(self) -> JyloConnection:
        return self._conn.get(lambda: JyloConnection.from_fields(self))

    def _call(self, kwargs: Mapping[str, Any]) -> dict[str, Any]:
        return jylo_call(kwargs, self, _CALL_KWARGS)

    def _user(self, prompt: str, formatted: bool) -> list[ChatMessage]:
        convert = self.completion_to_prompt
        text = prompt if formatted or convert is None else convert(prompt)
        return [ChatMessage(role=MessageRole.USER, content=text)]

    @staticmethod
    def _post_args(call: dict[str, Any], docs: Sequence[Document]) -> dict[str, Any]:
        attached = [*call["document_ids"], *(d.id for d in docs if d.id)]
        return {
            "model_identifier": call["model"],
            "message_document_identifiers": attached or None,
            **call["options"],
            "allow_partial": call["allow_partial"],
        }

    def _stored(self, post: Outgoing[ChatMessage], call: dict[str, Any]) -> ChatResponse:
        reply = post.reply
        assert reply is not None
        text = reply.content or ""
        return ChatResponse(
            message=reply,
            delta=text,
            additional_kwargs={**reply.additional_kwargs, "model": call["model"], "stored": True},
        )

    def _ask(self, messages: Sequence[ChatMessage], kwargs: Mapping[str, Any]) -> ChatResponse:
        call = self._call(kwargs)
        post = outgoing(messages, call["assistant_id"], self.unseen_turns)
        if post.reply is not None:
            return self._stored(post, call)
        client = self._connection().get_sync()
        docs = upload_all(client, call["assistant_id"], post.attachments, call["options"])
        reply = client.create_message(
            call["assistant_id"], post.text, **self._post_args(call, docs)
        )
        answer = JyloAnswer.whole(reply, docs)
        return chat_response(answer, assistant_id=call["assistant_id"], model=call["model"])

    async def _aask(
        self, messages: Sequence[ChatMessage], kwargs: Mapping[str, Any]
    ) -> ChatResponse:
        call = self._call(kwargs)
        post = outgoing(messages, call["assistant_id"], self.unseen_turns)
        if post.reply is not None:
            return self._stored(post, call)
        client = self._connection().get_async()
        docs = await aupload_all(client, call["assistant_id"], post.attachments, call["options"])
        reply = await client.create_message(
            call["assistant_id"], post.text, **self._post_args(call, docs)
        )
        answer = JyloAnswer.whole(reply, docs)
        return chat_response(answer, assistant_id=call["assistant_id"], model=call["model"])

    def _steps(self, messages: Sequence[ChatMessage], kwargs: Mapping[str, Any]) -> ChatResponseGen:
        call = self._call(kwargs)  # input checked before the generator starts
        post = outgoing(messages, call["assistant_id"], self.unseen_turns)

        def gen() -> ChatResponseGen:
            if post.reply is not None:
                yield self._stored(post, call)
                return
            client = self._connection().get_sync()
            docs = upload_all(client, call["assistant_id"], post.attachments, call["options"])
            args = self._post_args(call, docs)
            with client.stream_message(call["assistant_id"], post.text, **args) as stream:
                reading = JyloAnswerStream(stream, None)
                for delta in reading:
                    message = ChatMessage(role=MessageRole.ASSISTANT, content=reading.text)
                    yield ChatResponse(message=message, delta=delta.text)
                answer = reading.final_answer(docs)
            yield chat_response(
                answer, assistant_id=call["assistant_id"], model=call["model"], delta=""
            )

        return gen()

    def _asteps(
        self, messages: Sequence[ChatMessage], kwargs: Mapping[str, Any]
    ) -> ChatResponseAsyncGen:
        call = self._call(kwargs)
        post = outgoing(messages, call["assistant_id"], self.unseen_turns)

        async def gen() -> ChatResponseAsyncGen:
            if post.reply is not None:
                yield self._stored(post, call)
                return
            client = self._connection().get_async()
            docs = await aupload_all(
                client, call["assistant_id"], post.attachments, call["options"]
            )
            args = self._post_args(call, docs)
            stream = await client.stream_message(call["assistant_id"], post.text, **args)
            async with stream:
                reading = AsyncJyloAnswerStream(stream, None)
                async for delta in reading:
                    message = ChatMessage(role=MessageRole.ASSISTANT, content=reading.text)
                    yield ChatResponse(message=message, delta=delta.text)
                answer = await reading.final_answer(docs)
            yield chat_response(
                answer, assistant_id=call["assistant_id"], model=call["model"], delta=""
            )

        return gen()

    # -- LlamaIndex entry points ----------------------------------------------------------
    @chat_callback
    def chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        """Post the newest user message and return the whole reply with citation blocks.

        Raises:
            InvalidRequestError: an unsupported message, block or keyword, or a missing
                assistant or model (before any request); vendor errors pass through.
        """
        return self._ask(messages, kwargs)

    @chat_callback
    def stream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponseGen:
        """Post the newest user message and yield the reply as it arrives.

        Each response has the text so far in ``message`` and the new text in ``delta``;
        the last one (``delta`` empty) is the whole reply with its citation blocks.
        """
        return self._steps(messages, kwargs)

    @completion_callback
    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        """Post ``prompt`` as a user message; ``additional_kwargs["citations"]`` has the spans."""
        return _completion(self._ask(self._user(prompt, formatted), kwargs))

    @completion_callback
    def stream_complete(
        self, prompt: str, formatted: bool = False, **kwargs: Any
    ) -> CompletionResponseGen:
        """Post ``prompt`` and yield the reply as it arrives (the last one is whole)."""
        steps = self._steps(self._user(prompt, formatted), kwargs)
        return (_completion(step) for step in steps)

    @chat_callback
    async def achat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        """Async `chat`, over the async client."""
        return await self._aask(messages, kwargs)

    @chat_callback
    async def astream_chat(
        self, messages: Sequence[ChatMessage], **kwargs: Any
    ) -> ChatResponseAsyncGen:
        """Async `stream_chat`, over the async client."""
        return self._asteps(messages, kwargs)

    @completion_callback
    async def acomplete(
        self, prompt: str, formatted: bool = False, **kwargs: Any
    ) -> CompletionResponse:
        """Async `complete`, over the async client."""
        return _completion(await self._aask(self._user(prompt, formatted), kwargs))

    @completion_callback
    async def astream_complete(
        self, prompt: str, formatted: bool = False, **kwargs: Any
    ) -> CompletionResponseAsyncGen:
        """Async `stream_complete`, over the async client."""
        steps = self._asteps(self._user(prompt, formatted), kwargs)

        async def gen() -> CompletionResponseAsyncGen:
            async for step in steps:
                yield _completion(step)

        return gen()
