"""JyloChatStore and ZaiaChatStore on the in-process emulator: ChatMemoryBuffer, order, errors."""

from __future__ import annotations

import json

import pytest
from llama_index.core.base.llms.types import ChatMessage, ImageBlock, MessageRole
from llama_index.core.chat_engine import SimpleChatEngine
from llama_index.core.memory import ChatMemoryBuffer

from assistant_bridge._adapter_core import UnsupportedOperationError
from assistant_bridge.langchain._jylo_parts import from_jylo as lc_from_jylo
from assistant_bridge.llama_index._chat_stores import JyloChatStore, ZaiaChatStore
from assistant_bridge.llama_index._jylo_llm import Jylo

from .._vendor_emu import JYLO_MODEL, Emulator

SENDER = "5a5a5a5a-1111-4222-8333-444444444444"


@pytest.fixture
def emu() -> Emulator:
    return Emulator.start()


def jylo_setup(emu: Emulator) -> tuple[JyloChatStore, str]:
    client = emu.jylo()
    assistant = client.list_assistants()[0].id
    assert assistant is not None
    return JyloChatStore(
        client=client, async_client=emu.ajylo(), model_identifier=JYLO_MODEL
    ), assistant


def zaia_setup(emu: Emulator) -> tuple[ZaiaChatStore, str]:
    client = emu.zaia()
    chat = client.list_chats()[0].id
    assert chat is not None
    return ZaiaChatStore(client=client, async_client=emu.azaia(), sender_id=SENDER), chat


def user(text: str) -> ChatMessage:
    return ChatMessage(role=MessageRole.USER, content=text)


# -- Jylo -------------------------------------------------------------------------------------


def test_chat_engine_over_the_store_posts_each_question_once(emu: Emulator) -> None:
    store, assistant = jylo_setup(emu)
    llm = Jylo(client=emu.jylo(), assistant_id=assistant, model_identifier=JYLO_MODEL)
    memory = ChatMemoryBuffer.from_defaults(
        chat_store=store, chat_store_key=assistant, token_limit=100_000
    )
    engine = SimpleChatEngine.from_defaults(llm=llm, memory=memory)
    first = engine.chat("What is the hotel cap for Zurich?")
    engine.chat("And for Geneva?")
    texts = [json.loads(p.content)["text"] for p in emu.posts("/messages")]
    assert texts == ["What is the hotel cap for Zurich?", "And for Geneva?"]
    stored = store.get_messages(assistant)
    assert [m.role for m in stored] == [MessageRole.USER, MessageRole.ASSISTANT] * 2
    assert stored[1].content == first.response
    assert any(b.block_type == "citation" for b in stored[1].blocks)


async def test_async_chat_engine_over_the_store(emu: Emulator) -> None:
    store, assistant = jylo_setup(emu)
    llm = Jylo(async_client=emu.ajylo(), assistant_id=assistant, model_identifier=JYLO_MODEL)
    memory = ChatMemoryBuffer.from_defaults(
        chat_store=store, chat_store_key=assistant, token_limit=100_000
    )
    engine = SimpleChatEngine.from_defaults(llm=llm, memory=memory)
    await engine.achat("What is the hotel cap for Zurich?")
    assert len(emu.posts("/messages")) == 1
    assert [m.role for m in await store.aget_messages(assistant)] == [
        MessageRole.USER,
        MessageRole.ASSISTANT,
    ]
    sync_posts = [
        r
        for r in emu.sync_transport.requests
        if r.url.path.endswith("/messages") and r.method == "POST"
    ]
    assert sync_posts == []  # the engine and the store used the async client


def test_jylo_store_refuses_what_the_api_cannot_do(emu: Emulator) -> None:
    store, assistant = jylo_setup(emu)
    with pytest.raises(UnsupportedOperationError, match="'assistant' message cannot be stored"):
        store.add_message(
            assistant, ChatMessage(role=MessageRole.ASSISTANT, content="from elsewhere")
        )
    with pytest.raises(UnsupportedOperationError, match="not inserted"):
        store.add_message(assistant, user("q"), idx=0)
    store.add_message(assistant, user("What is the hotel cap for Zurich?"))
    with pytest.raises(UnsupportedOperationError, match="cannot replace or reorder"):
        store.set_messages(assistant, [user("a different history")])
    assert len(emu.posts("/messages")) == 1


def test_jylo_set_messages_appends_after_the_stored_ones(emu: Emulator) -> None:
    store, assistant = jylo_setup(emu)
    store.add_message(assistant, user("q1"))
    stored = store.get_messages(assistant)
    store.set_messages(assistant, [*stored, user("q2")])
    assert [m.content for m in store.get_messages(assistant)][::2] == ["q1", "q2"]
    assert len(emu.posts("/messages")) == 2


def test_jylo_deletes(emu: Emulator) -> None:
    store, assistant = jylo_setup(emu)
    store.add_message(assistant, user("q1"))
    store.add_message(assistant, user("q2"))
    last = store.delete_last_message(assistant)
    assert last is not None
    assert last.role == MessageRole.ASSISTANT
    first = store.delete_message(assistant, 0)
    assert first is not None
    assert first.content == "q1"
    assert store.delete_message(assistant, 10) is None
    assert [m.content for m in store.get_messages(assistant)][1] == "q2"
    assert len(store.delete_messages(assistant) or []) == 2
    assert store.get_messages(assistant) == []
    assert assistant in store.get_keys()


async def test_jylo_async_deletes_and_adds(emu: Emulator) -> None:
    store, assistant = jylo_setup(emu)
    await store.async_add_message(assistant, user("q1"))
    assert len(await store.aget_messages(assistant)) == 2
    assert (await store.adelete_last_message(assistant)) is not None
    await store.aset_messages(assistant, [])
    assert await store.aget_messages(assistant) == []
    assert assistant in await store.aget_keys()


def test_jylo_image_blocks_are_uploaded(emu: Emulator) -> None:
    store, assistant = jylo_setup(emu)
    message = ChatMessage(
        role=MessageRole.USER,
        blocks=[ImageBlock(image=b"\x89PNG\r\n\x1a\n", image_mimetype="image/png")],
    )
    message.blocks.insert(0, ChatMessage(content="Describe this.").blocks[0])
    store.add_message(assistant, message)
    (upload,) = emu.posts("/messages/document")
    assert b'filename="attachment-1.png"' in upload.content
    assert len(json.loads(emu.posts("/messages")[0].content)["messageDocumentIdentifiers"]) == 1


def test_langchain_and_llama_index_give_identical_source_metadata(emu: Emulator) -> None:
    store, assistant = jylo_setup(emu)
    store.add_message(assistant, user("What is the hotel cap for Zurich?"))
    client = emu.jylo()
    reply = next(m for m in client.list_messages(assistant, desc=False) if m.is_assistant)
    lc = lc_from_jylo(reply, assistant)
    llm = Jylo(client=client, assistant_id=assistant, model_identifier=JYLO_MODEL)
    from assistant_bridge._adapter_core import JyloAnswer
    from assistant_bridge.llama_index._jylo_blocks import chat_response

    li = chat_response(JyloAnswer.whole(reply), assistant_id=assistant, model=JYLO_MODEL)
    assert lc.additional_kwargs["sources"] == li.additional_kwargs["sources"]
    assert lc.additional_kwargs["sources"][0]["metadata"]["citations"]
    assert llm.metadata.model_name == JYLO_MODEL


# -- Zaia ---------------------------------------------------------------------------------------


def test_zaia_memory_reads_and_appends(emu: Emulator) -> None:
    store, chat = zaia_setup(emu)
    memory = ChatMemoryBuffer.from_defaults(
        chat_store=store, chat_store_key=chat, token_limit=100_000
    )
    roles = [m.role for m in memory.get_all()]
    assert roles == [
        MessageRole.USER,
        MessageRole.ASSISTANT,
        MessageRole.USER,
        MessageRole.USER,
        MessageRole.ASSISTANT,
    ]
    memory.put(user("Any update?"))
    memory.put(ChatMessage(role=MessageRole.ASSISTANT, content="Yes, it was sent."))
    bodies = [json.loads(p.content) for p in emu.posts("/chat-messages")]
    assert [(b["role"], b["content"], b["senderId"], b["chatId"]) for b in bodies] == [
        ("user", "Any update?", SENDER, chat),
        ("assistant", "Yes, it was sent.", SENDER, chat),
    ]
    assert [m.content for m in memory.get_all()[-2:]] == ["Any update?", "Yes, it was sent."]


def test_zaia_thread_keys(emu: Emulator) -> None:
    store, chat = zaia_setup(emu)
    thread = emu.zaia().list_chat_threads(chat)[1].id
    key = f"{chat}:{thread}"
    assert [(m.content or "")[:10] for m in store.get_messages(key)] == ["How do I e", "Open the d"]
    store.add_message(key, user("Thanks"))
    assert json.loads(emu.posts("/chat-messages")[0].content)["chatThreadId"] == thread
    assert store.get_messages(key)[-1].content == "Thanks"
    with pytest.raises(ValueError, match="<chat id>:<thread id>"):
        store.get_messages(f"{chat}:")


@pytest.mark.parametrize("method", ["delete_messages", "delete_last_message"])
def test_zaia_cannot_delete(emu: Emulator, method: str) -> None:
    store, chat = zaia_setup(emu)
    with pytest.raises(UnsupportedOperationError, match=f"{method}: not supported by the Zaia API"):
        getattr(store, method)(chat)
    with pytest.raises(NotImplementedError):
        store.delete_message(chat, 0)


async def test_zaia_async_methods(emu: Emulator) -> None:
    store, chat = zaia_setup(emu)
    await store.async_add_message(chat, user("async hi"))
    assert (await store.aget_messages(chat))[-1].content == "async hi"
    with pytest.raises(UnsupportedOperationError):
        await store.adelete_messages(chat)
    assert chat in await store.aget_keys()


def test_zaia_refuses_tool_messages_and_missing_sender(emu: Emulator) -> None:
    store, chat = zaia_setup(emu)
    with pytest.raises(UnsupportedOperationError, match="'tool' message"):
        store.add_message(chat, ChatMessage(role=MessageRole.TOOL, content="x"))
    with pytest.raises(ValueError, match="sender_id"):
        ZaiaChatStore(client=emu.zaia()).add_message(chat, user("x"))
    with pytest.raises(UnsupportedOperationError, match="cannot replace"):
        store.set_messages(chat, [user("new")])
    assert emu.posts("/chat-messages") == []
