"""LlamaIndex chat stores over the conversations Jylo and Zaia keep.

`JyloChatStore` (key: an assistant id; an assistant *is* one conversation) and
`ZaiaChatStore` (key: ``"<chat id>"`` or ``"<chat id>:<thread id>"``) are
``BaseChatStore`` s, so ``ChatMemoryBuffer`` can sit on a vendor's stored conversation.
Reads give the whole conversation oldest first; every method the vendor API cannot do
raises `UnsupportedOperationError` (also a ``NotImplementedError``) saying so, before
anything is sent. The async methods use the async clients (no thread executor).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from llama_index.core.base.llms.types import ChatMessage, MessageRole, TextBlock
from llama_index.core.storage.chat_store.base import BaseChatStore
from pydantic import ConfigDict, Field, PrivateAttr, SecretStr

from .. import InvalidRequestError
from .._adapter_core import (
    JyloConnection,
    JyloItem,
    JyloWrite,
    StrictFields,
    apost_jylo,
    aread_jylo,
    check_prefix,
    post_jylo,
    post_mark,
    posted,
    read_jylo,
    resume_start,
    unsupported,
)
from ..jylo import AsyncJyloClient, JyloClient, Message
from ._jylo_blocks import from_jylo, is_stored, user_parts
from ._zaia_store import ZaiaChatStore  # defined there to keep modules small; re-exported

__all__ = ["JyloChatStore", "ZaiaChatStore"]


def _ids(messages: Sequence[ChatMessage]) -> list[Any]:
    return [m.additional_kwargs.get("message_id") for m in messages]


_MARKS = "additional_kwargs"
"""Where a posted message's mark is kept (see `JyloWrite`)."""


def _raw(message: ChatMessage) -> Message:
    """The Jylo fields `resume_start` compares, from a message read from this store."""
    kw = message.additional_kwargs
    text = "\n".join(b.text for b in message.blocks if isinstance(b, TextBlock))
    return Message(
        object_identifier=kw.get("message_id"),
        is_assistant=message.role != MessageRole.USER,
        text=text,
    )


class JyloChatStore(StrictFields, BaseChatStore):
    """The conversations of Jylo assistants; the key is an assistant id.

    Reading gives every message oldest first (replies with their ``CitationBlock`` s).
    `add_message` of a user message posts it, and Jylo answers it at once: the reply is
    stored too, and the `Jylo` LLM returns that reply instead of posting again when the
    conversation it is given ends with it. Adding a reply this assistant already stores
    (``additional_kwargs`` ``vendor``, ``assistant_id``, ``message_id``, as `Jylo`
    answers carry) does nothing, since it is stored; any other assistant, system or tool
    message raises `UnsupportedOperationError` (Jylo writes replies itself). Deleting
    works message by message. `set_messages` can only append to the stored conversation
    (or, given ``[]``, clear it). `get_keys` lists the project's assistants.

    Attributes:
        model_identifier: the model that answers posted messages (needed to add one).
        client / async_client: ready Jylo clients; otherwise they are made from the
            other fields (the `JyloClient` arguments, defaulting to ``JYLO_*``).
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    model_identifier: str | None = None
    client_id: str | None = None
    client_secret: SecretStr | None = Field(default=None, exclude=True, repr=False)
    token: SecretStr | None = Field(default=None, exclude=True, repr=False)
    tenant: str | None = None
    region: str | None = None
    project_id: str | None = None
    base_url: str | None = None
    token_url: str | None = None
    settings_url: str | None = None
    timeout: float | None = None
    max_retries: int | None = None
    client: JyloClient | None = Field(default=None, exclude=True, repr=False)
    async_client: AsyncJyloClient | None = Field(default=None, exclude=True, repr=False)

    _conn: JyloConnection = PrivateAttr()

    def model_post_init(self, context: Any) -> None:
        """Set up the lazily created clients."""
        names = ("client_id", "client_secret", "token", "tenant", "region", "project_id")
        more = ("base_url", "token_url", "settings_url", "timeout", "max_retries")
        self._conn = JyloConnection(
            **{n: getattr(self, n) for n in (*names, *more)},
            client=self.client,
            async_client=self.async_client,
        )

    @classmethod
    def class_name(cls) -> str:
        """The name LlamaIndex serialises this class under."""
        return "JyloChatStore"

    # -- reading ------------------------------------------------------------------------
    def get_messages(self, key: str, **kwargs: Any) -> list[ChatMessage]:
        """Every message of assistant ``key``'s conversation, oldest first."""
        return [from_jylo(m, key) for m in read_jylo(self._conn.get_sync(), key)]

    async def aget_messages(self, key: str, **kwargs: Any) -> list[ChatMessage]:
        """Async `get_messages`."""
        return [from_jylo(m, key) for m in await aread_jylo(self._conn.get_async(), key)]

    def get_keys(self) -> list[str]:
        """The ids of the project's assistants (one page of up to 100)."""
        return [a.id for a in self._conn.get_sync().list_assistants(page_size=100) if a.id]

    async def aget_keys(self) -> list[str]:
        """Async `get_keys`."""
        found = await self._conn.get_async().list_assistants(page_size=100)
        return [a.id for a in found if a.id]

    # -- adding -------------------------------------------------------------------------
    def _to_post(self, key: str, message: ChatMessage) -> bool:
        """Whether ``message`` must be posted (False: already stored); raises if it cannot."""
        if is_stored(message, key) or posted(message, _MARKS, key):
            return False
        if message.role != MessageRole.USER:
            raise unsupported(
                "jylo",
                "add_message",
                f"a {message.role.value!r} message cannot be stored: Jylo stores the user's "
                "messages (which it answers) and its own replies only",
            )
        if not self.model_identifier:
            raise InvalidRequestError(
                "model_identifier: posting a message to Jylo needs the model that answers "
                "it; pass model_identifier=... to JyloChatStore",
                field="model_identifier",
            )
        return True

    def _write(self, key: str, given: list[ChatMessage], operation: str) -> JyloWrite:
        """The user messages of ``given`` to post (all checked before anything is sent)."""
        posting = [m for m in given if self._to_post(key, m)]
        items = []
        for message in posting:
            parts = user_parts(message, "message")
            items.append(JyloItem(message, parts.text, parts.attachments))
        model = str(self.model_identifier)
        return JyloWrite(operation, key, model, list(given), items, _MARKS)

    def add_message(self, key: str, message: ChatMessage, idx: int | None = None) -> None:
        """Post a user message to assistant ``key`` (Jylo answers it; both are stored).

        The posted message is marked in place (``additional_kwargs["jylo_post"]``): adding
        the same object again does nothing. If the post fails, the newest page of the
        conversation is read to learn whether the server stored it anyway.
        """
        if idx is not None:
            raise unsupported("jylo", "add_message", "messages can only be appended, not inserted")
        post_jylo(self._conn.get_sync(), self._write(key, [message], "add_message"))

    async def async_add_message(
        self, key: str, message: ChatMessage, idx: int | None = None
    ) -> None:
        """Async `add_message`."""
        if idx is not None:
            raise unsupported("jylo", "add_message", "messages can only be appended, not inserted")
        await apost_jylo(self._conn.get_async(), self._write(key, [message], "add_message"))

    def add_messages(self, key: str, messages: Sequence[ChatMessage]) -> None:
        """Post several user messages in order (each is answered); checked before sending.

        Raises:
            UnsupportedOperationError: a message that is neither a user message nor a
                reply this assistant stores (nothing is sent).
            PartialWriteError: a post failed after some messages were stored.
        """
        post_jylo(self._conn.get_sync(), self._write(key, list(messages), "add_messages"))

    async def async_add_messages(self, key: str, messages: Sequence[ChatMessage]) -> None:
        """Async `add_messages`."""
        write = self._write(key, list(messages), "add_messages")
        await apost_jylo(self._conn.get_async(), write)

    def _start(self, key: str, stored: list[ChatMessage], messages: list[ChatMessage]) -> int:
        """Where ``messages`` continue the stored conversation (see `resume_start`)."""
        raw = [_raw(m) for m in stored]
        texts = ["\n".join(b.text for b in m.blocks if isinstance(b, TextBlock)) for m in messages]
        marks = [post_mark(m, _MARKS, key) is not None for m in messages]
        start = resume_start(raw, _ids(messages), texts, marks)
        if start is None:
            return check_prefix("jylo", _ids(stored), _ids(messages))  # raises
        return start

    def set_messages(self, key: str, messages: list[ChatMessage]) -> None:
        """Append what follows the stored conversation; ``[]`` clears it.

        After a failed `set_messages`, calling it again with the same list (the same
        message objects) appends only what was not stored.

        Raises:
            UnsupportedOperationError: the stored conversation is not the start of the list.
            PartialWriteError: a post failed after some messages were stored.
        """
        if not messages:
            self.delete_messages(key)
            return
        start = self._start(key, self.get_messages(key), messages)
        post_jylo(self._conn.get_sync(), self._write(key, messages[start:], "set_messages"))

    async def aset_messages(self, key: str, messages: list[ChatMessage]) -> None:
        """Async `set_messages`."""
        if not messages:
            await self.adelete_messages(key)
            return
        start = self._start(key, await self.aget_messages(key), messages)
        write = self._write(key, messages[start:], "set_messages")
        await apost_jylo(self._conn.get_async(), write)

    # -- deleting -----------------------------------------------------------------------
    def _delete(self, key: str, picked: list[ChatMessage]) -> None:
        client = self._conn.get_sync()
        for message in picked:
            client.delete_message(key, str(message.additional_kwargs["message_id"]))

    async def _adelete(self, key: str, picked: list[ChatMessage]) -> None:
        client = self._conn.get_async()
        for message in picked:
            await client.delete_message(key, str(message.additional_kwargs["message_id"]))

    def delete_messages(self, key: str) -> list[ChatMessage] | None:
        """Delete every message of the conversation; the deleted messages."""
        found = self.get_messages(key)
        self._delete(key, found)
        return found

    async def adelete_messages(self, key: str) -> list[ChatMessage] | None:
        """Async `delete_messages`."""
        found = await self.aget_messages(key)
        await self._adelete(key, found)
        return found

    def delete_message(self, key: str, idx: int) -> ChatMessage | None:
        """Delete the message at ``idx`` (oldest first); None if there is none."""
        found = self.get_messages(key)
        if not -len(found) <= idx < len(found):
            return None
        self._delete(key, [found[idx]])
        return found[idx]

    async def adelete_message(self, key: str, idx: int) -> ChatMessage | None:
        """Async `delete_message`."""
        found = await self.aget_messages(key)
        if not -len(found) <= idx < len(found):
            return None
        await self._adelete(key, [found[idx]])
        return found[idx]

    def delete_last_message(self, key: str) -> ChatMessage | None:
        """Delete the newest message; None if the conversation is empty."""
        return self.delete_message(key, -1)

    async def adelete_last_message(self, key: str) -> ChatMessage | None:
        """Async `delete_last_message`."""
        return await self.adelete_message(key, -1)
