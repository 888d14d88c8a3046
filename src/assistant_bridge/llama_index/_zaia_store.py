"""`ZaiaChatStore`: Zaia chats (or threads) as a LlamaIndex chat store.

Imported and re-exported by `_chat_stores`, which explains the shared rules: reads give
the whole conversation oldest first, and what the API cannot do raises
`UnsupportedOperationError` before anything is sent. Zaia can read and append, not
delete or insert. Reads walk pages with ``pagination.offset`` (not in Zaia's documents)
and fail rather than return a partial list when a server ignores it.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from typing import Any

from llama_index.core.base.llms.types import ChatMessage, MessageRole, TextBlock
from llama_index.core.storage.chat_store.base import BaseChatStore
from pydantic import ConfigDict, Field, PrivateAttr, SecretStr

from .._adapter_core import (
    StrictFields,
    ZaiaConnection,
    ZaiaItem,
    ZaiaWrite,
    aread_zaia,
    aread_zaia_chats,
    awrite_zaia,
    external_id_for,
    read_zaia,
    read_zaia_chats,
    sender_for,
    split_key,
    stored_zaia_role,
    unsupported,
    write_zaia,
    zaia_metadata,
)
from ..zaia import AsyncZaiaClient, ZaiaClient
from ..zaia import ChatMessage as ZaiaMessage

__all__ = ["ZaiaChatStore"]


_ROLES = {
    MessageRole.USER: "user",
    MessageRole.ASSISTANT: "assistant",
    MessageRole.SYSTEM: "system",
    MessageRole.DEVELOPER: "system",
}
_FROM_ZAIA = {
    "user": MessageRole.USER,
    "assistant": MessageRole.ASSISTANT,
    "system": MessageRole.SYSTEM,
}


_ZAIA_KEYS = (
    "vendor",
    "message_id",
    "chat_id",
    "chat_thread_id",
    "sender_id",
    "role",
    "external_id",
)


def _from_zaia(message: ZaiaMessage) -> ChatMessage:
    role = stored_zaia_role(message)
    return ChatMessage(
        role=_FROM_ZAIA.get(role, MessageRole.USER if not role else MessageRole.CHATBOT),
        content=message.content or "",
        additional_kwargs=zaia_metadata(message, _ZAIA_KEYS),
    )


def _refs(
    message: ChatMessage, role: str, text: str, position: int | None
) -> tuple[str | None, str]:
    """The Zaia id of a message read from Zaia (else None) and the ``externalId`` to send.

    ``additional_kwargs["external_id"]`` when set; else for a message read from Zaia one
    derived from its id; else, in `set_messages` (``position`` given), one derived from
    the position, role and text; else a new one, set in place.
    """
    kwargs = message.additional_kwargs
    known = kwargs.get("message_id") if kwargs.get("vendor") == "zaia" else None
    ref = kwargs.get("external_id")
    if isinstance(ref, str) and ref:
        return known, ref
    if isinstance(known, str) and known:
        return known, external_id_for("zaia-", known)
    if position is not None:
        digest = hashlib.sha256(f"{position}\x1f{role}\x1f{text}".encode("utf-8", "replace"))
        return None, f"li-{digest.hexdigest()[:40]}"
    kwargs["external_id"] = f"li-{uuid.uuid4().hex}"
    return None, kwargs["external_id"]


class ZaiaChatStore(StrictFields, BaseChatStore):
    """Zaia chats as a chat store; the key is ``"<chat id>"`` or ``"<chat id>:<thread id>"``.

    Reading gives the chat's (or thread's) messages oldest first, all of them: pages after
    the first 1000 messages are asked for with ``pagination.offset``, which Zaia does not
    document; a server that ignores it makes a longer chat an `UnsupportedOperationError`,
    never a truncated one. `add_message` appends user, assistant and system messages (text
    only, no tool calls; over 4000 characters is split into several messages) as
    ``sender_id`` (or ``sender_ids[role]``). Zaia cannot delete or insert messages: those
    methods raise `UnsupportedOperationError`; `set_messages` can only append to the
    stored messages. Writes can be repeated after a failure (`PartialWriteError` says
    what is stored): each message carries an ``externalId`` and the thread is read first. `get_keys` lists every chat id of the workspace, paged the same way.

    Attributes:
        sender_id: who sends appended messages (a UUID).
        sender_ids: a sender per role (``"user"``, ``"assistant"``, ``"system"``).
        client / async_client: ready Zaia clients; otherwise they are made from
            ``api_key``, ``base_url``, ``auth_scheme`` (defaulting to ``ZAIA_*``).
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    sender_id: str | None = None
    sender_ids: dict[str, str] = Field(default_factory=dict)
    api_key: SecretStr | None = Field(default=None, exclude=True, repr=False)
    base_url: str | None = None
    auth_scheme: str | None = None
    timeout: float | None = None
    max_retries: int | None = None
    client: ZaiaClient | None = Field(default=None, exclude=True, repr=False)
    async_client: AsyncZaiaClient | None = Field(default=None, exclude=True, repr=False)

    _conn: ZaiaConnection = PrivateAttr()

    def model_post_init(self, context: Any) -> None:
        """Set up the lazily created clients."""
        self._conn = ZaiaConnection(
            api_key=self.api_key,
            base_url=self.base_url,
            auth_scheme=self.auth_scheme,
            timeout=self.timeout,
            max_retries=self.max_retries,
            client=self.client,
            async_client=self.async_client,
        )

    @classmethod
    def class_name(cls) -> str:
        """The name LlamaIndex serialises this class under."""
        return "ZaiaChatStore"

    def get_messages(self, key: str, **kwargs: Any) -> list[ChatMessage]:
        """The messages of the chat (or thread) ``key``, oldest first."""
        chat, thread = split_key(key)
        return [_from_zaia(m) for m in read_zaia(self._conn.get_sync(), chat, thread)]

    async def aget_messages(self, key: str, **kwargs: Any) -> list[ChatMessage]:
        """Async `get_messages`."""
        chat, thread = split_key(key)
        return [_from_zaia(m) for m in await aread_zaia(self._conn.get_async(), chat, thread)]

    def get_keys(self) -> list[str]:
        """Every chat id of the workspace (all pages, or `UnsupportedOperationError`)."""
        return [c.id for c in read_zaia_chats(self._conn.get_sync()) if c.id]

    async def aget_keys(self) -> list[str]:
        """Async `get_keys`."""
        return [c.id for c in await aread_zaia_chats(self._conn.get_async()) if c.id]

    def _item(self, message: ChatMessage, idx: int | None, position: int | None) -> ZaiaItem:
        """One message to write, checked; ``position``: its place in a `set_messages` list."""
        if idx is not None:
            raise unsupported("zaia", "add_message", "messages can only be appended, not inserted")
        role = _ROLES.get(message.role)
        if role is None:
            raise unsupported(
                "zaia",
                "add_message",
                f"a {message.role.value!r} message cannot be stored; Zaia stores user, "
                "assistant and system messages",
            )
        for block in message.blocks:
            if not isinstance(block, TextBlock) and block.block_type != "citation":
                raise unsupported(
                    "zaia", "add_message", f"a {block.block_type!r} block; Zaia stores text only"
                )
        if message.additional_kwargs.get("tool_calls"):
            raise unsupported(
                "zaia", "add_message", "a message with tool calls; Zaia stores text only"
            )
        sender = sender_for(role, self.sender_ids, self.sender_id, "ZaiaChatStore")
        text = "\n".join(b.text for b in message.blocks if isinstance(b, TextBlock))
        known, ref = _refs(message, role, text, position)
        return ZaiaItem(message, text, sender, role, ref, known_id=known)

    def add_message(self, key: str, message: ChatMessage, idx: int | None = None) -> None:
        """Append ``message`` to the chat (or thread) ``key``, unless it is stored already.

        The message is sent with an ``externalId`` (``additional_kwargs["external_id"]``;
        one is set there, in place, when it has none) and the thread is read first, so
        adding the same message object again after a failure stores it once.

        Raises:
            PartialWriteError: a long text (several messages) was stored in part.
        """
        chat, thread = split_key(key)
        items = [self._item(message, idx, None)]
        write_zaia(self._conn.get_sync(), ZaiaWrite.plan("add_message", chat, thread, items))

    async def async_add_message(
        self, key: str, message: ChatMessage, idx: int | None = None
    ) -> None:
        """Async `add_message`."""
        chat, thread = split_key(key)
        items = [self._item(message, idx, None)]
        write = ZaiaWrite.plan("add_message", chat, thread, items)
        await awrite_zaia(self._conn.get_async(), write)

    def _add(self, key: str, messages: Sequence[ChatMessage]) -> ZaiaWrite:
        chat, thread = split_key(key)
        items = [self._item(m, None, None) for m in messages]
        return ZaiaWrite.plan("add_messages", chat, thread, items)

    def add_messages(self, key: str, messages: Sequence[ChatMessage]) -> None:
        """Append several messages in order, each as `add_message` does; checked first.

        Raises:
            UnsupportedOperationError: a message Zaia cannot store (nothing is sent).
            PartialWriteError: a post failed after some messages were stored.
        """
        write_zaia(self._conn.get_sync(), self._add(key, messages))

    async def async_add_messages(self, key: str, messages: Sequence[ChatMessage]) -> None:
        """Async `add_messages`."""
        await awrite_zaia(self._conn.get_async(), self._add(key, messages))

    def _set(self, key: str, messages: list[ChatMessage]) -> ZaiaWrite:
        chat, thread = split_key(key)
        items = [self._item(m, None, i) for i, m in enumerate(messages)]
        return ZaiaWrite.plan("set_messages", chat, thread, items, mode="prefix")

    def set_messages(self, key: str, messages: list[ChatMessage]) -> None:
        """Append what follows the stored messages (Zaia cannot replace or delete).

        The stored thread must be the start of ``messages``: matched by
        ``additional_kwargs["message_id"]`` (messages read from this store) or by
        ``externalId`` (messages this store wrote). A message without either is sent
        with an ``externalId`` derived from its position, role and text, so calling
        `set_messages` again with the same list after a failure appends only the rest.

        Raises:
            UnsupportedOperationError: the stored thread is not the start of ``messages``.
            PartialWriteError: a post failed after some messages were stored.
        """
        write_zaia(self._conn.get_sync(), self._set(key, messages))

    async def aset_messages(self, key: str, messages: list[ChatMessage]) -> None:
        """Async `set_messages`."""
        await awrite_zaia(self._conn.get_async(), self._set(key, messages))

    def _no_delete(self, operation: str) -> None:
        raise unsupported(
            "zaia",
            operation,
            "it has no endpoint that deletes chat messages (read, append, export)",
        )

    def delete_messages(self, key: str) -> list[ChatMessage] | None:
        """Always raises: Zaia cannot delete messages."""
        self._no_delete("delete_messages")
        return None

    def delete_message(self, key: str, idx: int) -> ChatMessage | None:
        """Always raises: Zaia cannot delete messages."""
        self._no_delete("delete_message")
        return None

    def delete_last_message(self, key: str) -> ChatMessage | None:
        """Always raises: Zaia cannot delete messages."""
        self._no_delete("delete_last_message")
        return None

    async def adelete_messages(self, key: str) -> list[ChatMessage] | None:
        """Always raises: Zaia cannot delete messages."""
        return self.delete_messages(key)

    async def adelete_message(self, key: str, idx: int) -> ChatMessage | None:
        """Always raises: Zaia cannot delete messages."""
        return self.delete_message(key, idx)

    async def adelete_last_message(self, key: str) -> ChatMessage | None:
        """Always raises: Zaia cannot delete messages."""
        return self.delete_last_message(key)
