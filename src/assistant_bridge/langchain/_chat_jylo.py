"""`ChatJylo`: a Jylo assistant (which keeps its own conversation) as a LangChain chat model.

The model talks to Jylo only through `JyloClient` / `AsyncJyloClient` (created on first
use from the fields, or passed in), so it shares their OAuth2 login, retries, timeouts
and typed errors; errors reach LangChain as classes that are also ``ModelError`` s.
Each call posts the newest human message (after uploading its file blocks), with the
system messages and earlier turns the assistant has not seen folded into the text (see
`ChatJylo`), streams or reads the reply, and returns it with its citations as standard
content blocks.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from typing import Any, ClassVar

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.messages import BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.utils import from_env, secret_from_env
from pydantic import ConfigDict, Field, PrivateAttr, SecretStr

from .._adapter_core import (
    AsyncJyloAnswerStream,
    JyloAnswer,
    JyloAnswerStream,
    JyloConnection,
    Once,
    Outgoing,
    UnseenTurns,
    aupload_all,
    jylo_call,
    upload_all,
)
from ..jylo import AsyncJyloClient, JyloClient
from ._chat_base import VendorChatModel, aemit, emit, result_from_chunks
from ._errors import translated_errors
from ._jylo_parts import answer_message, delta_chunk, last_chunk
from ._jylo_turns import outgoing

__all__ = ["ChatJylo"]

_CALL_KWARGS = (
    "assistant_id",
    "model",
    "model_identifier",
    "document_ids",
    "timeout",
    "max_retries",
    "allow_partial",
)


class ChatJylo(VendorChatModel):
    """A Jylo assistant as a LangChain chat model, with citations and attached files.

    Setup:
        ``pip install 'assistant-bridge[langchain]'``; set ``JYLO_CLIENT_ID`` and
        ``JYLO_CLIENT_SECRET`` (or ``token=``), ``JYLO_TENANT`` and ``JYLO_REGION`` (or
        ``JYLO_BASE_URL`` and ``JYLO_TOKEN_URL``), ``JYLO_PROJECT_ID``,
        ``JYLO_ASSISTANT_ID`` and ``JYLO_MODEL_IDENTIFIER`` (see ``JyloClient.list_models``).

    Example:
        ```python
        from assistant_bridge import JyloClient
        from assistant_bridge.langchain import ChatJylo

        with JyloClient() as jylo:  # or set JYLO_ASSISTANT_ID and JYLO_MODEL_IDENTIFIER
            assistant_id = jylo.list_assistants().items[0].object_identifier
            model = jylo.list_models()[0].object_identifier
        llm = ChatJylo(assistant_id=assistant_id, model=model)
        msg = llm.invoke("What does the travel policy say about hotels?")
        for block in msg.content_blocks:  # a text block whose annotations are citations
            print(block["type"], [c["title"] for c in block.get("annotations", [])])
        ```

        ```text title="Output"
        text ['Travel and Expense Policy', 'FIN-142 Update Navan hotel caps for London, New York and Zurich', 'Travel policy update: new hotel caps from 1 March']
        ```

    A Jylo assistant *is* the conversation: each call posts one message, built from the
    newest message, which must be a human message. Its file and image blocks are
    uploaded as Jylo documents and attached via ``messageDocumentIdentifiers``: v1
    ``{"type": "file" | "image", "base64": ..., "mime_type": ...}`` and v0
    ``source_type="base64"`` blocks, OpenAI ``{"type": "file", "file": {"filename": ...,
    "file_data": "data:application/pdf;base64,..."}}`` and ``{"type": "image_url",
    "image_url": {"url": "data:image/png;base64,..."}}`` blocks, a ``path``, raw
    ``bytes``, or the ``file_id`` of an uploaded document. A link (Jylo cannot fetch
    one), malformed base64 or an image block without an ``image/*`` type is refused
    before any request.

    Messages the assistant has not seen are never dropped silently. With
    ``unseen_turns="fold"`` (the default) they are sent inside the posted text:

    ```text
    System instructions:
    <each system message, separated by a blank line>

    Earlier conversation:
    User: <an earlier human message>
    Assistant: <an earlier AI message>

    Question:
    <the newest human message>
    ```

    (a section without messages is left out; with none the text is the question alone).
    Which messages are unseen, decided without a request: every system message, with
    every call (they are instructions for this call, and a prompt template renders them
    anew each time); and every human or AI message after the newest one that carries the
    id of a message this assistant stores (a `ChatJylo` reply, a message read from
    `JyloChatMessageHistory`), or all of them when none does. So the usual loop, where
    the history holds this assistant's messages, never sends a turn twice. Only an earlier
    message's text is sent (its citation, server-tool and reasoning blocks are left out on
    purpose); the files of an unseen human message are uploaded and attached too. With
    ``unseen_turns="raise"`` such messages are an `InvalidRequestError` that names them
    (nothing is sent); ``unseen_turns="ignore"`` posts the newest message alone.

    Per-call keywords: ``assistant_id``,
    ``model`` / ``model_identifier``, ``document_ids`` (more documents to attach),
    ``timeout``, ``max_retries``, ``allow_partial``. The instance is never changed by a call.

    A reply is whole or an error: a success with nothing in it raises `EmptyAnswerError`,
    a reply without text `IncompleteAnswerError` (unless ``allow_partial=True``: then it
    is returned with ``finish_reason="incomplete"``, ``incomplete=True`` and
    ``incomplete_reason`` in ``response_metadata``). ``finish_reason`` is ``"stop"`` only
    for the stored message (its end seen; a stream that ended without it reads it back),
    else ``"unconfirmed"``.

    Jylo has no sampling or length controls: ``temperature``, ``max_tokens`` and
    ``top_p`` are accepted (and reported to tracing) but not sent. ``stop`` sequences are
    applied on the client side (the reply stored on the server stays whole).

    Tools and structured output: ``bind_tools`` and ``with_structured_output`` raise
    `UnsupportedOperationError` (a ``NotImplementedError``). The assistant runs its own
    tools on the server, and the API takes no tool definitions and has no JSON mode.
    In an agent, give a tool-calling model `JyloAssistantTool` instead;
    `format_citations` renders a reply with numbered sources.
    """

    model_config = ConfigDict(populate_by_name=True, arbitrary_types_allowed=True)

    client_id: str | None = Field(default_factory=from_env("JYLO_CLIENT_ID", default=None))
    """The API client's id for the client-credentials login (env ``JYLO_CLIENT_ID``)."""
    client_secret: SecretStr | None = Field(
        default_factory=secret_from_env("JYLO_CLIENT_SECRET", default=None)
    )
    """The API client's secret (env ``JYLO_CLIENT_SECRET``)."""
    token: SecretStr | None = Field(
        default_factory=secret_from_env("JYLO_TOKEN", default=None), alias="api_key"
    )
    """A ready bearer token instead of the login (env ``JYLO_TOKEN``; alias ``api_key``)."""
    tenant: str | None = Field(default_factory=from_env("JYLO_TENANT", default=None))
    """Your tenant name, for the derived API URL (env ``JYLO_TENANT``)."""
    region: str | None = Field(default_factory=from_env("JYLO_REGION", default=None))
    """``uk``, ``us``, ``eu``, ``au`` or ``jp`` (env ``JYLO_REGION``)."""
    project_id: str | None = Field(default_factory=from_env("JYLO_PROJECT_ID", default=None))
    """The project that holds the assistant (env ``JYLO_PROJECT_ID``)."""
    base_url: str | None = Field(default_factory=from_env("JYLO_BASE_URL", default=None))
    """The API URL (env ``JYLO_BASE_URL``; default from tenant and region)."""
    token_url: str | None = Field(default_factory=from_env("JYLO_TOKEN_URL", default=None))
    """The token endpoint (env ``JYLO_TOKEN_URL``; default from the region)."""
    settings_url: str | None = Field(default_factory=from_env("JYLO_SETTINGS_URL", default=None))
    """The settings API, for listing models (env ``JYLO_SETTINGS_URL``)."""
    audience: str | None = Field(default_factory=from_env("JYLO_AUDIENCE", default=None))
    """The token audience (env ``JYLO_AUDIENCE``; default the external v2 API)."""
    assistant_id: str | None = Field(default_factory=from_env("JYLO_ASSISTANT_ID", default=None))
    """The assistant (its conversation) to post to (env ``JYLO_ASSISTANT_ID``)."""
    model_identifier: str | None = Field(
        default_factory=from_env("JYLO_MODEL_IDENTIFIER", default=None), alias="model"
    )
    """The model that answers, a UUID from the settings API (env ``JYLO_MODEL_IDENTIFIER``)."""
    allow_partial: bool = False
    """Return a reply that came without text (marked ``incomplete`` in
    ``response_metadata``) instead of raising `IncompleteAnswerError`; also per call."""
    unseen_turns: UnseenTurns = "fold"
    """System messages and earlier turns the assistant has not seen: ``"fold"`` them into
    the posted text, ``"raise"`` an `InvalidRequestError` naming them, or ``"ignore"``
    them (post the newest human message alone)."""
    client: JyloClient | None = Field(default=None, exclude=True)
    """A ready sync client (then the connection fields are not used for sync calls)."""
    async_client: AsyncJyloClient | None = Field(default=None, exclude=True)
    """A ready async client."""

    _ls_provider: ClassVar[str] = "jylo"
    _conn: Once[JyloConnection] = PrivateAttr(default_factory=Once)
    _lazy_state: ClassVar[tuple[str, ...]] = ("_conn",)

    @property
    def _llm_type(self) -> str:
        return "jylo-chat"

    @property
    def lc_secrets(self) -> dict[str, str]:
        """Secrets by field, read from the environment when deserialised."""
        return {"client_secret": "JYLO_CLIENT_SECRET", "token": "JYLO_TOKEN"}

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {
            "model_identifier": self.model_identifier,
            "assistant_id": self.assistant_id,
            "project_id": self.project_id,
            "base_url": self.base_url,
        }

    def _tracing_name(self, kwargs: Mapping[str, Any]) -> str:
        name = kwargs.get("model") or kwargs.get("model_identifier") or self.model_identifier
        return str(name or "jylo-assistant")

    # -- clients and per-call arguments -------------------------------------------------
    def _connection(self) -> JyloConnection:
        return self._conn.get(lambda: JyloConnection.from_fields(self))

    def _call(self, kwargs: Mapping[str, Any]) -> dict[str, Any]:
        return jylo_call(kwargs, self, _CALL_KWARGS)

    def _prepare(
        self, messages: Sequence[BaseMessage], kwargs: Mapping[str, Any]
    ) -> tuple[dict[str, Any], Outgoing[None]]:
        call = self._call(kwargs)
        return call, outgoing(messages, call["assistant_id"], self.unseen_turns)

    @staticmethod
    def _post_args(call: dict[str, Any], docs: Sequence[Any], ids: Sequence[str]) -> dict[str, Any]:
        attached = [*ids, *call["document_ids"], *(d.id for d in docs)]
        return {
            "model_identifier": call["model"],
            "message_document_identifiers": attached or None,
            **call["options"],
            "allow_partial": call["allow_partial"],
        }

    # -- LangChain entry points ------------------------------------------------------------
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
            call, post = self._prepare(messages, kwargs)
            client = self._connection().get_sync()
            docs = upload_all(client, call["assistant_id"], post.attachments, call["options"])
            reply = client.create_message(
                call["assistant_id"], post.text, **self._post_args(call, docs, post.document_ids)
            )
        answer = JyloAnswer.whole(reply, docs, self._stop(stop))
        message = answer_message(answer, model=call["model"], assistant_id=call["assistant_id"])
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
            call, post = self._prepare(messages, kwargs)
            client = self._connection().get_async()
            docs = await aupload_all(
                client, call["assistant_id"], post.attachments, call["options"]
            )
            reply = await client.create_message(
                call["assistant_id"], post.text, **self._post_args(call, docs, post.document_ids)
            )
        answer = JyloAnswer.whole(reply, docs, self._stop(stop))
        message = answer_message(answer, model=call["model"], assistant_id=call["assistant_id"])
        return ChatResult(generations=[ChatGeneration(message=message)])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        with translated_errors():
            call, post = self._prepare(messages, kwargs)
            client = self._connection().get_sync()
            docs = upload_all(client, call["assistant_id"], post.attachments, call["options"])
        args = self._post_args(call, docs, post.document_ids)
        with (
            translated_errors(),
            client.stream_message(call["assistant_id"], post.text, **args) as stream,
        ):
            reading = JyloAnswerStream(stream, self._stop(stop))
            for delta in reading:
                yield emit(delta_chunk(delta), run_manager)
            answer = reading.final_answer(docs)  # the stored message: id and citations
        last = last_chunk(answer, model=call["model"], assistant_id=call["assistant_id"])
        yield emit(last, run_manager)

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        with translated_errors():
            call, post = self._prepare(messages, kwargs)
            client = self._connection().get_async()
            docs = await aupload_all(
                client, call["assistant_id"], post.attachments, call["options"]
            )
        args = self._post_args(call, docs, post.document_ids)
        with translated_errors():
            stream = await client.stream_message(call["assistant_id"], post.text, **args)
            async with stream:
                reading = AsyncJyloAnswerStream(stream, self._stop(stop))
                async for delta in reading:
                    yield await aemit(delta_chunk(delta), run_manager)
                answer = await reading.final_answer(docs)
        last = last_chunk(answer, model=call["model"], assistant_id=call["assistant_id"])
        yield await aemit(last, run_manager)
