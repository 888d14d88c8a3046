"""Chat message histories over the conversations Jylo and Zaia store.

`JyloChatMessageHistory` and `ZaiaChatMessageHistory` are ``BaseChatMessageHistory`` s, so
``RunnableWithMessageHistory`` can keep its history in the vendor: ``messages`` reads the
whole stored conversation oldest first (every page), ``add_messages`` appends where the
API can, ``clear`` deletes where the API can. An operation the API cannot do raises
`UnsupportedOperationError` (also a ``NotImplementedError``) saying so, before anything is
sent; it is never a silent no-op. The async methods use the async clients.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from langchain_core.chat_history import BaseChatMessageHistory
from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    ChatMessage,
    HumanMessage,
    SystemMessage,
)
from pydantic import SecretStr

from .. import InvalidRequestError
from .._adapter_core import (
    JyloConnection,
    JyloItem,
    JyloWrite,
    ZaiaConnection,
    ZaiaItem,
    ZaiaWrite,
    apost_jylo,
    aread_jylo,
    aread_zaia,
    awrite_zaia,
    check_connection,
    external_id_for,
    post_jylo,
    posted,
    read_jylo,
    read_zaia,
    sender_for,
    stored_zaia_role,
    unsupported,
    write_zaia,
    zaia_metadata,
)
from ..jylo import AsyncJyloClient, JyloClient
from ..zaia import AsyncZaiaClient, ChatRole, ZaiaClient
from ..zaia import ChatMessage as ZaiaMessage
from ._errors import translated_errors
from ._jylo_parts import from_jylo, human_parts, is_stored
from ._messages import zaia_role, zaia_text

__all__ = ["JyloChatMessageHistory", "ZaiaChatMessageHistory"]


_MARKS = "response_metadata"
"""Where a posted message's mark is kept (see `JyloWrite`)."""


class JyloChatMessageHistory(BaseChatMessageHistory):
    """The conversation of one Jylo assistant, as a LangChain chat message history.

    Args:
        assistant_id: the assistant (an assistant *is* one conversation).
        model_identifier: the model that answers posted messages (needed to add one).
        client: a ready `JyloClient`; else one is made from ``**connection``.
        async_client: a ready `AsyncJyloClient` for the async methods.
        **connection: `JyloClient` arguments (``client_id``, ``client_secret``, ``token``,
            ``tenant``, ``region``, ``project_id``, ``base_url``, ``token_url``, ...);
            unset ones come from the ``JYLO_*`` environment variables.

    What the API allows:

    - reading: every message, oldest first; replies are ``AIMessage`` s with their
      citations (as `ChatJylo` returns them), questions ``HumanMessage`` s.
    - adding a ``HumanMessage`` posts it (its file blocks uploaded and attached), and
      Jylo answers it: the assistant's reply is stored too. A message the assistant
      already stores (a `ChatJylo` reply, or a message read from this history) is skipped,
      and so is the human message just before such a reply in the same call, since
      `ChatJylo` posted it; this is what ``RunnableWithMessageHistory`` adds after each
      run. Any other AI, system or tool message cannot be stored (Jylo writes replies
      itself): `UnsupportedOperationError`, before anything is posted.
    - ``clear()`` deletes every message of the conversation, one by one.
    """

    def __init__(
        self,
        assistant_id: str,
        *,
        model_identifier: str | None = None,
        client: JyloClient | None = None,
        async_client: AsyncJyloClient | None = None,
        **connection: Any,
    ) -> None:
        with translated_errors():
            check_connection(connection, JyloConnection, type(self).__name__)
        for key in ("client_secret", "token"):
            if isinstance(connection.get(key), str):
                connection[key] = SecretStr(connection[key])
        self.assistant_id = assistant_id
        self.model_identifier = model_identifier
        self._conn = JyloConnection(client=client, async_client=async_client, **connection)

    # -- reading ------------------------------------------------------------------------
    @property
    def messages(self) -> list[BaseMessage]:  # type: ignore[override]
        """Every stored message, oldest first (all pages)."""
        with translated_errors():
            found = read_jylo(self._conn.get_sync(), self.assistant_id)
        return [from_jylo(m, self.assistant_id) for m in found]

    async def aget_messages(self) -> list[BaseMessage]:
        """Async `messages`, over the async client."""
        with translated_errors():
            found = await aread_jylo(self._conn.get_async(), self.assistant_id)
        return [from_jylo(m, self.assistant_id) for m in found]

    # -- adding -------------------------------------------------------------------------
    def _to_post(self, messages: Sequence[BaseMessage]) -> list[BaseMessage]:
        """The messages to post; checked in full before anything is sent."""
        skip: set[int] = set()
        for index, message in enumerate(messages):
            if posted(message, _MARKS, self.assistant_id):
                skip.add(index)
                continue
            if is_stored(message, self.assistant_id):
                skip.add(index)
                previous = messages[index - 1] if index else None
                if isinstance(message, AIMessage) and isinstance(previous, HumanMessage):
                    skip.add(index - 1)
        out: list[BaseMessage] = []
        for index, message in enumerate(messages):
            if index in skip:
                continue
            if not isinstance(message, HumanMessage):
                raise unsupported(
                    "jylo",
                    "add_messages",
                    f"messages[{index}] is a {type(message).__name__}; Jylo stores only "
                    "the user's messages (which it answers) and its own replies, so only "
                    "human messages and replies it already stores can be added",
                )
            human_parts(message, f"messages[{index}]")  # bad blocks fail before any post
            out.append(message)
        if out and not self.model_identifier:
            raise InvalidRequestError(
                "model_identifier: posting a message to Jylo needs the model that answers "
                "it; pass model_identifier=... to JyloChatMessageHistory",
                field="model_identifier",
            )
        return out

    def _write(self, messages: Sequence[BaseMessage]) -> JyloWrite:
        items = []
        for message in self._to_post(messages):
            parts = human_parts(message, "message")
            items.append(JyloItem(message, parts.text, parts.attachments, parts.document_ids))
        return JyloWrite(
            "add_messages",
            self.assistant_id,
            str(self.model_identifier),
            list(messages),
            items,
            _MARKS,
        )

    def add_messages(self, messages: Sequence[BaseMessage]) -> None:
        """Post the human messages Jylo does not store yet (it answers each one).

        A posted message is marked in place (``response_metadata["jylo_post"]``), so
        calling again with the same message objects after a failure posts only the
        others; the newest page of the conversation is read first (one request), and
        after a failed post, to learn whether the server stored it anyway.

        Raises:
            UnsupportedOperationError: an AI, system or tool message Jylo does not store.
            PartialWriteError: a post failed after some messages were stored.
        """
        with translated_errors():
            post_jylo(self._conn.get_sync(), self._write(messages))

    async def aadd_messages(self, messages: Sequence[BaseMessage]) -> None:
        """Async `add_messages`, over the async client."""
        with translated_errors():
            write = self._write(messages)
            if write.items:
                await apost_jylo(self._conn.get_async(), write)

    # -- clearing -----------------------------------------------------------------------
    def clear(self) -> None:
        """Delete every message of the conversation (the assistant itself stays)."""
        with translated_errors():
            client = self._conn.get_sync()
            for message in read_jylo(client, self.assistant_id):
                if message.id:
                    client.delete_message(self.assistant_id, message.id)

    async def aclear(self) -> None:
        """Async `clear`, over the async client."""
        with translated_errors():
            client = self._conn.get_async()
            for message in await aread_jylo(client, self.assistant_id):
                if message.id:
                    await client.delete_message(self.assistant_id, message.id)


_ZAIA_KEYS = ("vendor", "chat_id", "chat_thread_id", "sender_id", "external_id", "created_at")


def _from_zaia(message: ZaiaMessage) -> BaseMessage:
    role = stored_zaia_role(message)
    fields: dict[str, Any] = {
        "content": message.content or "",
        "id": message.id,
        "response_metadata": zaia_metadata(message, _ZAIA_KEYS),
    }
    if role == ChatRole.USER.value:
        return HumanMessage(**fields)
    if role == ChatRole.ASSISTANT.value:
        return AIMessage(**fields)
    if role == ChatRole.SYSTEM.value:
        return SystemMessage(**fields)
    return ChatMessage(role=role or "unknown", **fields)


def _zaia_refs(message: BaseMessage) -> tuple[str | None, str]:
    """The Zaia id of a message read from Zaia (else None) and the ``externalId`` to send.

    A message without an ``id`` is given a new UUID ``id`` in place, so writing the same
    message objects again finds them stored (the ``externalId`` is ``lc-<id>``).
    """
    meta = message.response_metadata
    if meta.get("vendor") == "zaia" and message.id:
        ref = meta.get("external_id")
        return message.id, ref if isinstance(ref, str) else external_id_for("zaia-", message.id)
    if not message.id:
        message.id = str(uuid.uuid4())
    return None, external_id_for("lc-", str(message.id))


class ZaiaChatMessageHistory(BaseChatMessageHistory):
    """The messages of one Zaia chat (or one thread of it), as a chat message history.

    Args:
        chat_id: the chat (a UUID; see ``ZaiaClient.list_chats``).
        chat_thread_id: only this thread: read its messages, append to it.
        sender_id: who sends appended messages (a UUID; needed to add messages).
        sender_ids: a sender per role (``"user"``, ``"assistant"``, ``"system"``),
            overriding ``sender_id``.
        client: a ready `ZaiaClient`; else one is made from ``**connection``.
        async_client: a ready `AsyncZaiaClient` for the async methods.
        **connection: `ZaiaClient` arguments (``api_key``, ``base_url``,
            ``auth_scheme``, ``timeout``, ``max_retries``); unset ones come from the
            ``ZAIA_*`` environment variables.

    What the API allows: reading every message oldest first (pages after the first 1000
    messages are asked for with ``pagination.offset``, which Zaia does not document; a
    server that ignores it makes a longer chat an `UnsupportedOperationError`, never a
    truncated history); appending human, AI and system messages (roles ``user``,
    ``assistant``, ``system``, inferred; text over 4000 characters is split into several
    messages). Appending can be repeated: each message carries an ``externalId``
    (``lc-<message id>``; a message without ``id`` gets a UUID one, in place) and the
    thread is read first, so what it already holds is skipped; a failed append raises
    `PartialWriteError` (``stored``, ``pending``).
    Tool messages, tool calls and non-text blocks cannot be stored, and
    ``clear()`` raises `UnsupportedOperationError`: Zaia's API cannot delete messages.
    """

    def __init__(
        self,
        chat_id: str,
        *,
        chat_thread_id: str | None = None,
        sender_id: str | None = None,
        sender_ids: dict[str, str] | None = None,
        client: ZaiaClient | None = None,
        async_client: AsyncZaiaClient | None = None,
        **connection: Any,
    ) -> None:
        with translated_errors():
            check_connection(connection, ZaiaConnection, type(self).__name__)
        if isinstance(connection.get("api_key"), str):
            connection["api_key"] = SecretStr(connection["api_key"])
        self.chat_id = chat_id
        self.chat_thread_id = chat_thread_id
        self.sender_id = sender_id
        self.sender_ids = dict(sender_ids or {})
        self._conn = ZaiaConnection(client=client, async_client=async_client, **connection)

    @property
    def messages(self) -> list[BaseMessage]:  # type: ignore[override]
        """Every message of the chat (or thread), oldest first."""
        with translated_errors():
            found = read_zaia(self._conn.get_sync(), self.chat_id, self.chat_thread_id)
        return [_from_zaia(m) for m in found]

    async def aget_messages(self) -> list[BaseMessage]:
        """Async `messages`, over the async client."""
        with translated_errors():
            found = await aread_zaia(self._conn.get_async(), self.chat_id, self.chat_thread_id)
        return [_from_zaia(m) for m in found]

    def _write(self, messages: Sequence[BaseMessage]) -> ZaiaWrite:
        """The checked batch (every message and part checked before anything is sent)."""
        items: list[ZaiaItem] = []
        for index, message in enumerate(messages):
            where = f"messages[{index}]"
            role = zaia_role(message, where)  # conversion: langchain/_messages.py
            if isinstance(message, AIMessage) and message.tool_calls:
                raise unsupported(
                    "zaia",
                    "add_messages",
                    f"{where} has tool calls; Zaia stores text only (they would be lost)",
                )
            sender = sender_for(role, self.sender_ids, self.sender_id, "ZaiaChatMessageHistory")
            text = zaia_text(message, where)
            known, ref = _zaia_refs(message)
            items.append(ZaiaItem(message, text, sender, role, ref, known_id=known))
        return ZaiaWrite.plan("add_messages", self.chat_id, self.chat_thread_id, items)

    def add_messages(self, messages: Sequence[BaseMessage]) -> None:
        """Append the messages the chat (or thread) does not hold yet, in order.

        Each message is sent with an ``externalId`` derived from its ``id`` (a message
        without one is given a new UUID ``id``, in place), and the thread is read first
        (one request up to 1000 messages): messages it already holds are skipped, so a
        repeated call stores each message once. Text over 4000 characters is stored as
        several messages.

        Raises:
            UnsupportedOperationError: a tool or function message.
            InvalidRequestError: no sender id, or a non-text block.
            PartialWriteError: a post failed after some messages were stored; it lists
                them (``stored``) and the others (``pending``). Call again to finish.
        """
        with translated_errors():
            write = self._write(messages)
            if write.items:
                write_zaia(self._conn.get_sync(), write)

    async def aadd_messages(self, messages: Sequence[BaseMessage]) -> None:
        """Async `add_messages`, over the async client."""
        with translated_errors():
            write = self._write(messages)
            if write.items:
                await awrite_zaia(self._conn.get_async(), write)

    def clear(self) -> None:
        """Always raises: Zaia's API has no way to delete chat messages.

        Raises:
            UnsupportedOperationError: always (nothing is sent).
        """
        raise unsupported(
            "zaia",
            "clear",
            "it has no endpoint that deletes chat messages (only read, append, export)",
        )

    async def aclear(self) -> None:
        """Always raises, like `clear`."""
        self.clear()
