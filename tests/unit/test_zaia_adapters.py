"""The Zaia adapters on the in-process emulator: what cannot be stored is refused, keys are all read."""

from __future__ import annotations

import httpx
import pytest
from langchain_core.messages import AIMessage, HumanMessage
from llama_index.core.base.llms.types import ChatMessage, MessageRole

from assistant_bridge._adapter_core import UnsupportedOperationError
from assistant_bridge.langchain import ZaiaChatMessageHistory
from assistant_bridge.llama_index import ZaiaChatStore
from assistant_bridge.zaia import ZaiaClient

from ._vendor_emu import Emulator

SENDER = "5a5a5a5a-1111-4222-8333-444444444444"
TOOL_CALL = {"name": "search", "args": {"q": "cap"}, "id": "call-1"}


@pytest.fixture
def emu() -> Emulator:
    return Emulator.start()


def test_langchain_tool_calls_are_refused_before_anything_is_sent(emu: Emulator) -> None:
    client = emu.zaia()
    chat = client.list_chats()[0].id
    assert chat is not None
    history = ZaiaChatMessageHistory(chat, sender_id=SENDER, client=client)
    with pytest.raises(UnsupportedOperationError, match=r"messages\[1\] has tool calls"):
        history.add_messages(
            [HumanMessage("cap?"), AIMessage("Searching.", tool_calls=[TOOL_CALL])]
        )
    assert emu.posts("/chat-messages") == []
    history.add_messages([AIMessage("")])
    assert history.messages[-1].content == "", (
        "an empty message is stored: seed 004 sets no minimum"
    )


async def test_llama_index_tool_calls_are_refused_before_anything_is_sent(emu: Emulator) -> None:
    client = emu.zaia()
    chat = client.list_chats()[0].id
    assert chat is not None
    store = ZaiaChatStore(client=client, async_client=emu.azaia(), sender_id=SENDER)
    calling = ChatMessage(
        role=MessageRole.ASSISTANT, content="", additional_kwargs={"tool_calls": [TOOL_CALL]}
    )
    with pytest.raises(UnsupportedOperationError, match="tool calls"):
        store.add_message(chat, calling)
    with pytest.raises(UnsupportedOperationError, match="tool calls"):
        await store.async_add_message(chat, calling)
    assert emu.posts("/chat-messages") == []


def test_get_keys_reads_every_page_of_chats() -> None:
    ids = [f"00000000-0000-4000-9000-{i:012d}" for i in range(1500)]
    asked: list[dict[str, str]] = []

    def answer(request: httpx.Request) -> httpx.Response:
        asked.append(dict(request.url.params))
        start = int(request.url.params.get("pagination.offset", 0))
        return httpx.Response(200, json=[{"id": i} for i in ids[start : start + 1000]])

    client = ZaiaClient(
        "key",
        base_url="https://zaia.test",
        http_client=httpx.Client(transport=httpx.MockTransport(answer)),
    )
    assert ZaiaChatStore(client=client).get_keys() == ids
    assert asked == [
        {"pagination.limit": "1000"},
        {"pagination.limit": "1000", "pagination.offset": "1000"},
    ]


def test_get_keys_fails_rather_than_cut_the_list() -> None:
    full_page = [{"id": f"00000000-0000-4000-9000-{i:012d}"} for i in range(1000)]
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json=full_page))
    client = ZaiaClient(
        "key", base_url="https://zaia.test", http_client=httpx.Client(transport=transport)
    )
    with pytest.raises(UnsupportedOperationError, match="get_keys: not supported by the Zaia API"):
        ZaiaChatStore(client=client).get_keys()
