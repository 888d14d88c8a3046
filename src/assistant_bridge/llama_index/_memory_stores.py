"""`JyloDBChatStore` and `ZaiaDBChatStore`: the vendors' conversations for ``Memory``.

LlamaIndex's current ``Memory`` takes an ``AsyncDBChatStore`` (``sql_store=`` or
``Memory.from_defaults(chat_store=...)``), whose async methods have the same names as
the sync ``BaseChatStore`` ones ``ChatMemoryBuffer`` calls; so these are separate classes
that wrap a `JyloChatStore` / `ZaiaChatStore` (made from the same arguments, or given as
``store=``) and keep its rules. Statuses and the per-object archive are explained in
`_memory_store_base`.
"""

from __future__ import annotations

from typing import Any

from llama_index.core.base.llms.types import ChatMessage

from .. import InvalidRequestError
from .._adapter_core import unsupported
from ._chat_stores import JyloChatStore, ZaiaChatStore
from ._memory_store_base import VendorDBChatStore

__all__ = ["JyloDBChatStore", "ZaiaDBChatStore"]


def _one_of(name: str, store: Any, kwargs: dict[str, Any]) -> None:
    if store is not None and kwargs:
        raise InvalidRequestError(
            f"{', '.join(sorted(kwargs))}: pass either store=... or the {name} arguments, not both",
            field=sorted(kwargs)[0],
        )


class JyloDBChatStore(VendorDBChatStore):
    """Jylo assistants' conversations as LlamaIndex ``Memory``'s chat store.

    The key (``Memory``'s ``session_id``) is an assistant id. Built from the
    `JyloChatStore` arguments (``model_identifier``, ``client``, ...) or from
    ``store=JyloChatStore(...)``, and follows its rules: a user message put into memory
    is posted and Jylo answers it at once (both are stored, so ``Memory.get`` returns the
    reply too); a reply this assistant stores is not posted again; other assistant, system
    or tool messages raise `UnsupportedOperationError`. Deleting works (message by
    message); ``set_messages`` only appends to the stored conversation.

    Archiving (what ``Memory`` does when it passes its token limit) marks messages in this
    object only; Jylo keeps them (see `VendorDBChatStore`).

    Example:
        ```python
        from llama_index.core.llms import ChatMessage
        from llama_index.core.memory import Memory

        from assistant_bridge import JyloClient
        from assistant_bridge.llama_index import JyloDBChatStore

        with JyloClient() as jylo:  # an assistant and a model of your Jylo project
            assistant_id = jylo.list_assistants().items[0].object_identifier
            model = jylo.list_models()[0].object_identifier
        store = JyloDBChatStore(model_identifier=model)
        memory = Memory.from_defaults(session_id=assistant_id, chat_store=store)
        memory.put(ChatMessage(role="user", content="Who approves business travel?"))
        print([message.role.value for message in memory.get_all()[-2:]])
        ```

        ```text title="Output"
        ['user', 'assistant']
        ```

    Attributes:
        store: the `JyloChatStore` that speaks to Jylo.
    """

    vendor = "jylo"
    store: JyloChatStore

    def __init__(self, store: JyloChatStore | None = None, **kwargs: Any) -> None:
        """Wrap ``store``, or a `JyloChatStore` made from ``kwargs``."""
        _one_of("JyloChatStore", store, kwargs)
        super().__init__(store=store if store is not None else JyloChatStore(**kwargs))

    @classmethod
    def class_name(cls) -> str:
        """The name LlamaIndex serialises this class under."""
        return "JyloDBChatStore"

    async def _append(self, key: str, messages: list[ChatMessage], operation: str) -> None:
        if operation == "add_message":
            await self.store.async_add_message(key, messages[0])
        else:
            await self.store.async_add_messages(key, messages)

    async def _remove(self, key: str, picked: list[ChatMessage]) -> None:
        await self.store._adelete(key, picked)


class ZaiaDBChatStore(VendorDBChatStore):
    """Zaia chats (or threads) as LlamaIndex ``Memory``'s chat store.

    The key is ``"<chat id>"`` or ``"<chat id>:<thread id>"``. Built from the
    `ZaiaChatStore` arguments (``sender_id``, ``client``, ...) or from
    ``store=ZaiaChatStore(...)``, and follows its rules: user, assistant and system text
    messages are appended; ``set_messages`` only appends to the stored messages. Zaia
    cannot delete messages: ``delete_message``, ``delete_messages``,
    ``delete_oldest_messages``, ``set_messages([])`` (and so ``Memory.reset``) raise
    `UnsupportedOperationError` before sending anything.

    Archiving (what ``Memory`` does when it passes its token limit) works: it marks
    messages in this object only, and Zaia keeps them (see `VendorDBChatStore`).

    Attributes:
        store: the `ZaiaChatStore` that speaks to Zaia.
    """

    vendor = "zaia"
    store: ZaiaChatStore

    def __init__(self, store: ZaiaChatStore | None = None, **kwargs: Any) -> None:
        """Wrap ``store``, or a `ZaiaChatStore` made from ``kwargs``."""
        _one_of("ZaiaChatStore", store, kwargs)
        super().__init__(store=store if store is not None else ZaiaChatStore(**kwargs))

    @classmethod
    def class_name(cls) -> str:
        """The name LlamaIndex serialises this class under."""
        return "ZaiaDBChatStore"

    async def _append(self, key: str, messages: list[ChatMessage], operation: str) -> None:
        if operation == "add_message":
            await self.store.async_add_message(key, messages[0])
        else:
            await self.store.async_add_messages(key, messages)

    def _deletable(self, operation: str) -> None:
        raise unsupported(
            "zaia",
            operation,
            "it has no endpoint that deletes chat messages (read, append, export)",
        )

    async def _remove(self, key: str, picked: list[ChatMessage]) -> None:
        self._deletable("delete_messages")
