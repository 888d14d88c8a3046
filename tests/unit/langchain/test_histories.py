"""Jylo and Zaia chat message histories: order across pages, appends, no duplicate posts, errors."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from langchain_core.chat_history import BaseChatMessageHistory
from langchain_core.language_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_core.prompts import ChatPromptTemplate, MessagesPlaceholder
from langchain_core.runnables import RunnableConfig
from langchain_core.runnables.history import RunnableWithMessageHistory

from assistant_bridge._adapter_core import UnsupportedOperationError
from assistant_bridge.langchain._chat_jylo import ChatJylo
from assistant_bridge.langchain._histories import JyloChatMessageHistory, ZaiaChatMessageHistory
from assistant_bridge.zaia import ZaiaClient

from .._jylo_mock import ASSISTANT, MODEL, JyloServer, stored_message
from .._vendor_emu import JYLO_MODEL, Emulator

SENDER = "5a5a5a5a-1111-4222-8333-444444444444"
QUIET = pytest.mark.filterwarnings("ignore:RunnableWithMessageHistory is deprecated")


@pytest.fixture
def emu() -> Emulator:
    return Emulator.start()


def jylo_history(emu: Emulator) -> JyloChatMessageHistory:
    client = emu.jylo()
    assistant = client.list_assistants()[0].id
    assert assistant is not None
    return JyloChatMessageHistory(
        assistant, model_identifier=JYLO_MODEL, client=client, async_client=emu.ajylo()
    )


def zaia_history(emu: Emulator, **kw: Any) -> ZaiaChatMessageHistory:
    client = emu.zaia()
    chat = client.list_chats()[0].id
    assert chat is not None
    return ZaiaChatMessageHistory(chat, client=client, async_client=emu.azaia(), **kw)


# -- Jylo ---------------------------------------------------------------------------------------


def test_jylo_messages_read_every_page_oldest_first() -> None:
    stored = [stored_message(i, assistant=i % 2 == 1) for i in range(230)]
    server = JyloServer(stored=stored)
    history = JyloChatMessageHistory(ASSISTANT, client=server.client())
    messages = history.messages
    assert [m.content for m in messages] == [m["text"] for m in stored]
    assert [type(m) for m in messages[:2]] == [HumanMessage, AIMessage]
    pages = [r.url.params for r in server.requests]
    assert [p["pageNumber"] for p in pages] == ["1", "2", "3"]
    assert all(p["desc"] == "false" and p["pageSize"] == "100" for p in pages)


def test_jylo_messages_sorted_by_date_when_the_server_sends_newest_first() -> None:
    stored = [stored_message(i, assistant=False) for i in range(5)][::-1]
    history = JyloChatMessageHistory(ASSISTANT, client=JyloServer(stored=stored).client())
    assert [m.content for m in history.messages] == [f"question {i}" for i in range(5)]


@QUIET
def test_runnable_with_message_history_posts_each_question_once(emu: Emulator) -> None:
    history = jylo_history(emu)
    llm = ChatJylo(client=emu.jylo(), assistant_id=history.assistant_id, model=JYLO_MODEL)
    prompt = ChatPromptTemplate.from_messages(
        [MessagesPlaceholder("history"), ("human", "{question}")]
    )
    chain = RunnableWithMessageHistory(
        prompt | llm,
        lambda session_id: history,
        input_messages_key="question",
        history_messages_key="history",
    )
    config: RunnableConfig = {"configurable": {"session_id": "s"}}
    first = chain.invoke({"question": "What is the hotel cap for Zurich?"}, config=config)
    second = chain.invoke({"question": "And for Geneva?"}, config=config)
    posts = emu.posts("/messages")
    assert [json.loads(p.content)["text"] for p in posts] == [
        "What is the hotel cap for Zurich?",
        "And for Geneva?",
    ]
    stored = history.messages
    assert [type(m).__name__ for m in stored] == ["HumanMessage", "AIMessage"] * 2
    assert [m.id for m in stored if isinstance(m, AIMessage)] == [first.id, second.id]
    assert stored[1].content_blocks[0].get("annotations")


def test_jylo_add_messages_posts_new_human_messages(emu: Emulator) -> None:
    history = jylo_history(emu)
    history.add_messages([HumanMessage("What is the hotel cap for Zurich?")])
    (post,) = emu.posts("/messages")
    assert json.loads(post.content) == {
        "text": "What is the hotel cap for Zurich?",
        "modelIdentifier": JYLO_MODEL,
        "stream": False,
    }
    stored = history.messages
    assert [type(m) for m in stored] == [HumanMessage, AIMessage]  # Jylo answered it
    history.add_messages(stored)  # already stored: nothing is posted again
    assert len(emu.posts("/messages")) == 1


@pytest.mark.parametrize(
    "message",
    [AIMessage("written elsewhere"), SystemMessage("be brief"), ToolMessage("x", tool_call_id="1")],
)
def test_jylo_cannot_store_other_messages(emu: Emulator, message: Any) -> None:
    history = jylo_history(emu)
    with pytest.raises(UnsupportedOperationError, match="Jylo stores only") as info:
        history.add_messages([HumanMessage("q"), message])
    assert isinstance(info.value, NotImplementedError)
    assert emu.posts("/messages") == []  # checked before anything is posted


def test_jylo_adding_needs_a_model_identifier() -> None:
    server = JyloServer()
    history = JyloChatMessageHistory(ASSISTANT, client=server.client())
    with pytest.raises(ValueError, match="model_identifier"):
        history.add_messages([HumanMessage("q")])
    assert server.requests == []


def test_jylo_clear_deletes_every_message(emu: Emulator) -> None:
    history = jylo_history(emu)
    history.add_messages([HumanMessage("q1")])
    history.add_messages([HumanMessage("q2")])
    assert len(history.messages) == 4
    history.clear()
    assert history.messages == []
    deletes = [r for r in emu.sync_transport.requests if r.method == "DELETE"]
    assert len(deletes) == 4


async def test_jylo_async_variants(emu: Emulator) -> None:
    history = jylo_history(emu)
    await history.aadd_messages([HumanMessage("What is the hotel cap for Zurich?")])
    stored = await history.aget_messages()
    assert [type(m) for m in stored] == [HumanMessage, AIMessage]
    await history.aclear()
    assert await history.aget_messages() == []
    assert all(r.method != "DELETE" for r in emu.sync_transport.requests)  # async client only


# -- Zaia -----------------------------------------------------------------------------------------


def test_zaia_messages_in_order_with_roles(emu: Emulator) -> None:
    history = zaia_history(emu)
    messages = history.messages
    assert [type(m).__name__ for m in messages] == [
        "HumanMessage",
        "AIMessage",
        "HumanMessage",
        "HumanMessage",
        "AIMessage",
    ]
    assert isinstance(messages[0].content, str)
    assert messages[0].content.startswith("Our May invoice")
    assert all(m.id for m in messages)


def test_zaia_add_messages_posts_each_with_its_role(emu: Emulator) -> None:
    assistant_sender = "6b6b6b6b-1111-4222-8333-444444444444"
    history = zaia_history(emu, sender_id=SENDER, sender_ids={"assistant": assistant_sender})
    history.add_messages([SystemMessage("Be brief."), HumanMessage("Hi"), AIMessage("Hello!")])
    bodies = [json.loads(p.content) for p in emu.posts("/chat-messages")]
    assert [(b["role"], b["content"], b["senderId"]) for b in bodies] == [
        ("system", "Be brief.", SENDER),
        ("user", "Hi", SENDER),
        ("assistant", "Hello!", assistant_sender),
    ]
    assert all(b["chatId"] == history.chat_id and b["chatThreadId"] is None for b in bodies)
    assert [m.content for m in history.messages[-3:]] == ["Be brief.", "Hi", "Hello!"]


def test_zaia_thread_history_reads_and_appends_to_the_thread(emu: Emulator) -> None:
    client = emu.zaia()
    chat = client.list_chats()[0].id
    assert chat is not None
    thread = client.list_chat_threads(chat)[1].id
    history = ZaiaChatMessageHistory(chat, chat_thread_id=thread, sender_id=SENDER, client=client)
    assert [m.content[:10] for m in history.messages] == ["How do I e", "Open the d"]
    history.add_messages([HumanMessage("Thanks!")])
    assert [m.content for m in history.messages][-1] == "Thanks!"
    assert json.loads(emu.posts("/chat-messages")[0].content)["chatThreadId"] == thread


@QUIET
def test_zaia_runnable_with_message_history(emu: Emulator) -> None:
    history = zaia_history(emu, sender_id=SENDER)
    before = len(history.messages)
    model = GenericFakeChatModel(messages=iter([AIMessage("Noted.")]))
    chain = RunnableWithMessageHistory(model, lambda session_id: history)
    chain.invoke(
        [HumanMessage("Please call me back.")], config={"configurable": {"session_id": "s"}}
    )
    after = history.messages
    assert len(after) == before + 2
    assert [(type(m).__name__, m.content) for m in after[-2:]] == [
        ("HumanMessage", "Please call me back."),
        ("AIMessage", "Noted."),
    ]


def test_zaia_clear_says_the_api_cannot_delete(emu: Emulator) -> None:
    history = zaia_history(emu)
    with pytest.raises(UnsupportedOperationError, match="clear: not supported by the Zaia API"):
        history.clear()
    assert emu.sync_transport.requests == [
        r for r in emu.sync_transport.requests if r.method == "GET"
    ]


async def test_zaia_aclear_raises_too(emu: Emulator) -> None:
    with pytest.raises(NotImplementedError, match="deletes chat messages"):
        await zaia_history(emu).aclear()


def test_zaia_tool_messages_and_missing_sender_are_refused(emu: Emulator) -> None:
    with pytest.raises(UnsupportedOperationError, match="ToolMessage"):
        zaia_history(emu, sender_id=SENDER).add_messages(
            [HumanMessage("a"), ToolMessage("x", tool_call_id="1")]
        )
    with pytest.raises(ValueError, match="sender_id"):
        zaia_history(emu).add_messages([HumanMessage("a")])
    assert emu.posts("/chat-messages") == []


def test_zaia_a_full_page_is_an_error_not_a_silent_truncation() -> None:
    rows = [{"id": f"m{i}", "content": str(i), "role": "user"} for i in range(1000)]
    client = ZaiaClient(
        "key",
        base_url="https://zaia.test",
        http_client=httpx.Client(
            transport=httpx.MockTransport(lambda r: httpx.Response(200, json=rows))
        ),
    )
    history = ZaiaChatMessageHistory("6c6c6c6c-1111-4222-8333-444444444444", client=client)
    with pytest.raises(UnsupportedOperationError, match="already read"):
        _ = history.messages  # the mock ignores pagination.offset: an error, not a truncation


def test_zaia_history_walks_pages_with_the_offset() -> None:
    rows = [
        {
            "id": f"m{i:04d}",
            "content": str(i),
            "role": "user",
            "createdAt": f"2025-01-01T00:{i // 60:02d}:{i % 60:02d}Z",
        }
        for i in range(2100)
    ]
    seen: list[dict[str, str]] = []

    def page(request: httpx.Request) -> httpx.Response:
        seen.append(dict(request.url.params))
        start = int(request.url.params.get("pagination.offset", "0"))
        limit = int(request.url.params["pagination.limit"])
        return httpx.Response(200, json=rows[start : start + limit])

    client = ZaiaClient(
        "key",
        base_url="https://zaia.test",
        http_client=httpx.Client(transport=httpx.MockTransport(page)),
    )
    messages = ZaiaChatMessageHistory(
        "6c6c6c6c-1111-4222-8333-444444444444", client=client
    ).messages
    assert [m.content for m in messages] == [str(i) for i in range(2100)]
    assert [p.get("pagination.offset") for p in seen] == [None, "1000", "2000"]


async def test_zaia_async_variants(emu: Emulator) -> None:
    history = zaia_history(emu, sender_id=SENDER)
    await history.aadd_messages([HumanMessage("async hello")])
    messages = await history.aget_messages()
    assert messages[-1].content == "async hello"
    assert emu.sync_transport.requests[-1].method == "GET"  # only the setup used the sync client


def test_histories_are_base_chat_message_histories() -> None:
    assert issubclass(JyloChatMessageHistory, BaseChatMessageHistory)
    assert issubclass(ZaiaChatMessageHistory, BaseChatMessageHistory)
    assert MODEL
