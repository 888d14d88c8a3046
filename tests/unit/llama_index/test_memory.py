"""LlamaIndex's current ``Memory`` on the Jylo and Zaia stores, against the emulator.

What ``Memory`` puts is stored by the vendor and read back by a fresh store; its flush
archives in the store object only (the vendor keeps every message); what a vendor cannot
do raises `UnsupportedOperationError` and sends nothing; ``ChatMemoryBuffer`` still works.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from llama_index.core.base.llms.types import ChatMessage, MessageRole
from llama_index.core.memory import BaseMemoryBlock, ChatMemoryBuffer, Memory
from llama_index.core.storage.chat_store.base_db import MessageStatus
from pydantic import Field

from assistant_bridge import InvalidRequestError
from assistant_bridge.llama_index import (
    JyloChatStore,
    JyloDBChatStore,
    UnsupportedOperationError,
    ZaiaChatStore,
    ZaiaDBChatStore,
)

from .._vendor_emu import JYLO_MODEL, Emulator

SENDER = "5a5a5a5a-1111-4222-8333-444444444444"


@pytest.fixture
def emu() -> Emulator:
    return Emulator.start()


def jylo(emu: Emulator) -> tuple[JyloDBChatStore, str]:
    client = emu.jylo()
    assistant = client.list_assistants()[0].id
    assert assistant is not None
    store = JyloDBChatStore(client=client, async_client=emu.ajylo(), model_identifier=JYLO_MODEL)
    return store, assistant


def zaia(emu: Emulator) -> tuple[ZaiaDBChatStore, str]:
    client = emu.zaia()
    chat = client.list_chats()[0].id
    assert chat is not None
    return ZaiaDBChatStore(client=client, async_client=emu.azaia(), sender_id=SENDER), chat


def user(text: str) -> ChatMessage:
    return ChatMessage(role=MessageRole.USER, content=text)


def sent(emu: Emulator) -> int:
    return len(emu.sync_transport.requests) + len(emu.async_transport.requests)


class Collected(BaseMemoryBlock[str]):
    """A memory block that keeps what Memory flushes to it."""

    seen: list[ChatMessage] = Field(default_factory=list)

    async def _aget(self, messages: list[ChatMessage] | None = None, **kwargs: Any) -> str:
        return ""

    async def _aput(self, messages: list[ChatMessage]) -> None:
        self.seen.extend(messages)


# -- Jylo ------------------------------------------------------------------------------------


def test_jylo_memory_round_trip_and_a_fresh_memory_reads_what_jylo_keeps(emu: Emulator) -> None:
    store, assistant = jylo(emu)
    memory = Memory.from_defaults(session_id=assistant, chat_store=store)
    memory.put(user("What is the hotel cap for Zurich?"))
    stored = memory.get_all()
    assert [m.role for m in stored] == [MessageRole.USER, MessageRole.ASSISTANT]
    assert [m.content for m in memory.get()] == [m.content for m in stored]
    memory.put(stored[-1])  # Jylo's own reply: already stored, not posted
    assert [json.loads(p.content)["text"] for p in emu.posts("/messages")] == [
        "What is the hotel cap for Zurich?"
    ]
    vendor = emu.jylo().list_messages(assistant, desc=False)
    fresh, _ = jylo(emu)
    again = Memory.from_defaults(session_id=assistant, chat_store=fresh).get_all()
    assert [m.additional_kwargs["message_id"] for m in again] == [m.id for m in vendor]
    assert again[1].content == stored[1].content


async def test_jylo_memory_async_put_messages(emu: Emulator) -> None:
    store, assistant = jylo(emu)
    memory = Memory.from_defaults(session_id=assistant, chat_store=store)
    await memory.aput_messages([user("q1"), user("q2")])
    assert [m.content for m in await memory.aget_all()][::2] == ["q1", "q2"]
    assert await store.count_messages(assistant) == 4
    assert [m.content for m in await store.get_messages(assistant, limit=1, offset=2)] == ["q2"]


def test_flush_archives_in_the_store_object_and_jylo_keeps_everything(emu: Emulator) -> None:
    store, assistant = jylo(emu)
    block = Collected(name="collected")
    memory = Memory(session_id=assistant, sql_store=store, token_limit=200, memory_blocks=[block])
    for question in ("What is the hotel cap for Zurich?", "And Geneva?", "And Bern?"):
        memory.put(user(question))
    everything = memory.get_all()
    archived = memory.get_all(status=MessageStatus.ARCHIVED)
    active = memory.get_all(status=MessageStatus.ACTIVE)
    assert len(everything) == 6
    assert archived
    assert active
    assert [m.additional_kwargs["message_id"] for m in archived + active] == [
        m.additional_kwargs["message_id"] for m in everything
    ]
    assert [m.content for m in block.seen] == [m.content for m in archived]
    assert [m.content for m in memory.get()] == [m.content for m in active]
    assert store.archived_ids(assistant) == {m.additional_kwargs["message_id"] for m in archived}
    fresh, _ = jylo(emu)  # a new store object (a restart): Jylo kept all six, all active
    assert len(Memory.from_defaults(session_id=assistant, chat_store=fresh).get()) == 6


async def test_jylo_set_continues_after_the_archive(emu: Emulator) -> None:
    store, assistant = jylo(emu)
    memory = Memory.from_defaults(session_id=assistant, chat_store=store)
    await memory.aput(user("q1"))
    await memory.aput(user("q2"))
    first_turn = (await store.store.aget_messages(assistant))[:2]
    assert await store.archive_oldest_messages(assistant, 2) == first_turn
    active = await memory.aget_all(status=MessageStatus.ACTIVE)
    await memory.aset([*active, user("q3")])
    assert [m.content for m in await memory.aget_all()][::2] == ["q1", "q2", "q3"]
    assert len(emu.posts("/messages")) == 3


async def test_jylo_deletes_through_the_db_interface(emu: Emulator) -> None:
    store, assistant = jylo(emu)
    await store.add_messages(assistant, [user("q1"), user("q2")])
    oldest = await store.delete_oldest_messages(assistant, 2)
    assert [m.content for m in oldest][:1] == ["q1"]
    assert [m.content for m in await store.get_messages(assistant)][:1] == ["q2"]
    await store.archive_oldest_messages(assistant, 1)
    deleted = await store.delete_message(assistant, 0)
    assert deleted is not None
    assert store.archived_ids(assistant) == frozenset()
    assert await store.delete_message(assistant, 5) is None
    await Memory.from_defaults(session_id=assistant, chat_store=store).areset()
    assert await store.get_messages(assistant, status=None) == []
    assert assistant in await store.get_keys()


async def test_jylo_refusals_send_nothing(emu: Emulator) -> None:
    store, assistant = jylo(emu)
    memory = Memory.from_defaults(session_id=assistant, chat_store=store)
    before = sent(emu)
    elsewhere = ChatMessage(role=MessageRole.ASSISTANT, content="from another model")
    with pytest.raises(UnsupportedOperationError, match="'assistant' message cannot be stored"):
        await memory.aput(elsewhere)
    with pytest.raises(UnsupportedOperationError, match=r"add_message: .*'system' message"):
        await memory.aput_messages([user("q"), ChatMessage(role=MessageRole.SYSTEM, content="s")])
    with pytest.raises(UnsupportedOperationError, match=r"add_message: .*archive"):
        await store.add_message(assistant, user("q"), status=MessageStatus.ARCHIVED)
    assert sent(emu) == before


# -- Zaia ------------------------------------------------------------------------------------


def test_zaia_memory_round_trip_and_a_fresh_memory_reads_what_zaia_keeps(emu: Emulator) -> None:
    store, chat = zaia(emu)
    memory = Memory.from_defaults(session_id=chat, chat_store=store)
    assert len(memory.get_all()) == 5
    memory.put(user("Any update?"))
    memory.put(ChatMessage(role=MessageRole.ASSISTANT, content="Yes, it was sent."))
    bodies = [json.loads(p.content) for p in emu.posts("/chat-messages")]
    assert [(b["role"], b["content"], b["senderId"]) for b in bodies] == [
        ("user", "Any update?", SENDER),
        ("assistant", "Yes, it was sent.", SENDER),
    ]
    fresh, _ = zaia(emu)
    again = Memory.from_defaults(session_id=chat, chat_store=fresh).get_all()
    vendor = emu.zaia().list_chat_messages(chat)
    assert len(again) == 7
    assert {m.additional_kwargs["message_id"] for m in again} == {m.id for m in vendor}
    assert [m.content for m in again[-2:]] == ["Any update?", "Yes, it was sent."]


async def test_zaia_counts_windows_and_flushes(emu: Emulator) -> None:
    store, chat = zaia(emu)
    assert await store.count_messages(chat, status=None) == 5
    window = await store.get_messages(chat, status=None, limit=2, offset=1)
    assert window == (await store.get_messages(chat))[1:3]
    block = Collected(name="collected")
    memory = Memory(session_id=chat, sql_store=store, token_limit=60, memory_blocks=[block])
    await memory.aput(user("Thanks, that helps."))
    archived = await store.count_messages(chat, status=MessageStatus.ARCHIVED)
    assert archived == len(block.seen) > 0
    assert await store.count_messages(chat) + archived == 6
    assert await store.count_messages(chat, status=None) == 6


def test_zaia_history_from_defaults_appends_what_follows(emu: Emulator) -> None:
    store, chat = zaia(emu)
    stored = store.store.get_messages(chat)
    memory = Memory.from_defaults(
        session_id=chat, chat_store=store, chat_history=[*stored, user("Next step?")]
    )
    assert [m.content for m in memory.get_all()][-1] == "Next step?"
    assert len(emu.posts("/chat-messages")) == 1


async def test_zaia_refusals_name_the_operation_and_send_nothing(emu: Emulator) -> None:
    store, chat = zaia(emu)
    memory = Memory.from_defaults(session_id=chat, chat_store=store)
    before = sent(emu)
    with pytest.raises(UnsupportedOperationError, match="delete_messages: not supported by"):
        await memory.areset()
    with pytest.raises(UnsupportedOperationError, match="delete_oldest_messages"):
        await store.delete_oldest_messages(chat, 1)
    with pytest.raises(UnsupportedOperationError, match=r"delete_message: .*deletes"):
        await store.delete_message(chat, 0)
    with pytest.raises(UnsupportedOperationError, match="set_messages"):
        await store.set_messages(chat, [])
    with pytest.raises(UnsupportedOperationError, match=r"add_messages: .*archive"):
        await store.add_messages(chat, [user("x")], status=MessageStatus.ARCHIVED)
    with pytest.raises(UnsupportedOperationError, match="'tool' message"):
        await memory.aput(ChatMessage(role=MessageRole.TOOL, content="x"))
    assert sent(emu) == before
    with pytest.raises(UnsupportedOperationError, match="cannot replace"):
        await memory.aset([user("a different history")])
    assert emu.posts("/chat-messages") == []


# -- both ------------------------------------------------------------------------------------


async def test_bad_arguments_are_named_before_any_request(emu: Emulator) -> None:
    store, chat = zaia(emu)
    before = sent(emu)
    with pytest.raises(InvalidRequestError, match="status: 'archive'") as caught:
        await store.get_messages(chat, status="archive")  # type: ignore[arg-type]
    assert caught.value.suggestions[0] == "archived"
    with pytest.raises(InvalidRequestError, match="limit: must be a whole number"):
        await store.get_messages(chat, limit=-1)
    with pytest.raises(InvalidRequestError, match="n: must be a whole number"):
        await store.archive_oldest_messages(chat, n=-2)
    assert sent(emu) == before
    with pytest.raises(InvalidRequestError, match="sender_id: pass either store"):
        ZaiaDBChatStore(store=ZaiaChatStore(client=emu.zaia()), sender_id=SENDER)


def test_chat_memory_buffer_and_memory_share_the_conversation(emu: Emulator) -> None:
    base = JyloChatStore(client=emu.jylo(), async_client=emu.ajylo(), model_identifier=JYLO_MODEL)
    assistant = emu.jylo().list_assistants()[0].id
    assert assistant is not None
    buffer = ChatMemoryBuffer.from_defaults(
        chat_store=base, chat_store_key=assistant, token_limit=100_000
    )
    buffer.put(user("What is the hotel cap for Zurich?"))
    memory = Memory.from_defaults(session_id=assistant, chat_store=JyloDBChatStore(store=base))
    assert [m.content for m in memory.get_all()] == [m.content for m in buffer.get_all()]
    assert len(buffer.get_all()) == 2
