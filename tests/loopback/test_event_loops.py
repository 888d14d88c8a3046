"""Adapters that make their own async client work from one event loop to the next.

An ``httpx.AsyncClient``'s pooled connections belong to the loop that opened them; a
second ``asyncio.run`` (or pytest-asyncio's loop per test, or a notebook) on the same
adapter used to fail with "Event loop is closed". Each adapter below is built from the
environment, so it makes its own async client, and is called from three loops in turn.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Iterator
from typing import Any

import pytest
from langchain_core.messages import HumanMessage
from llama_index.core.base.llms.types import ChatMessage

from assistant_bridge import JyloClient, ZaiaClient
from assistant_bridge.emulator import emulator_env, run_emulator
from assistant_bridge.langchain import (
    ChatJylo,
    ChatUnleash,
    JyloChatMessageHistory,
    UnleashSearchRetriever,
    ZaiaChatMessageHistory,
)
from assistant_bridge.llama_index import (
    Jylo,
    JyloChatStore,
    Unleash,
    UnleashRetriever,
    ZaiaChatStore,
)

QUESTION = "What is our travel policy?"
SENDER = "5b1f0c3e-2a47-4c9d-8e61-0f3a9d2b7c14"


@pytest.fixture(scope="module")
def ids() -> Iterator[dict[str, str]]:
    with run_emulator() as url, pytest.MonkeyPatch.context() as env:
        for name, value in emulator_env(url).items():
            env.setenv(name, value)
        with JyloClient() as jylo, ZaiaClient() as zaia:
            yield {
                "assistant": str(jylo.list_assistants().items[0].object_identifier),
                "model": str(jylo.list_models()[0].object_identifier),
                "chat": str(zaia.list_chats().items[0].id),
            }


Call = Callable[[dict[str, str]], Callable[[], Coroutine[Any, Any, str]]]


def _lc_chat_unleash(ids: dict[str, str]) -> Callable[[], Coroutine[Any, Any, str]]:
    model = ChatUnleash()

    async def call() -> str:
        return str((await model.ainvoke(QUESTION)).content)

    return call


def _lc_chat_unleash_stream(ids: dict[str, str]) -> Callable[[], Coroutine[Any, Any, str]]:
    model = ChatUnleash()

    async def call() -> str:
        return "".join([str(c.content) async for c in model.astream(QUESTION)])

    return call


def _lc_chat_jylo(ids: dict[str, str]) -> Callable[[], Coroutine[Any, Any, str]]:
    model = ChatJylo(assistant_id=ids["assistant"], model_identifier=ids["model"])

    async def call() -> str:
        return str((await model.ainvoke(QUESTION)).content)

    return call


def _lc_retriever(ids: dict[str, str]) -> Callable[[], Coroutine[Any, Any, str]]:
    retriever = UnleashSearchRetriever(k=3)

    async def call() -> str:
        return " ".join(d.page_content[:20] for d in await retriever.ainvoke("travel"))

    return call


def _lc_jylo_history(ids: dict[str, str]) -> Callable[[], Coroutine[Any, Any, str]]:
    history = JyloChatMessageHistory(ids["assistant"], model_identifier=ids["model"])

    async def call() -> str:
        await history.aadd_messages([HumanMessage(QUESTION)])
        return str(len(await history.aget_messages()))

    return call


def _lc_zaia_history(ids: dict[str, str]) -> Callable[[], Coroutine[Any, Any, str]]:
    history = ZaiaChatMessageHistory(ids["chat"], sender_id=SENDER)

    async def call() -> str:
        await history.aadd_messages([HumanMessage(QUESTION)])
        return str(len(await history.aget_messages()))

    return call


def _li_unleash(ids: dict[str, str]) -> Callable[[], Coroutine[Any, Any, str]]:
    llm = Unleash()

    async def call() -> str:
        return str((await llm.achat([ChatMessage(role="user", content=QUESTION)])).message.content)

    return call


def _li_jylo(ids: dict[str, str]) -> Callable[[], Coroutine[Any, Any, str]]:
    llm = Jylo(assistant_id=ids["assistant"], model_identifier=ids["model"])

    async def call() -> str:
        return str((await llm.achat([ChatMessage(role="user", content=QUESTION)])).message.content)

    return call


def _li_retriever(ids: dict[str, str]) -> Callable[[], Coroutine[Any, Any, str]]:
    retriever = UnleashRetriever()

    async def call() -> str:
        return " ".join(n.node.get_content()[:20] for n in await retriever.aretrieve("travel"))

    return call


def _li_jylo_store(ids: dict[str, str]) -> Callable[[], Coroutine[Any, Any, str]]:
    store = JyloChatStore(model_identifier=ids["model"])

    async def call() -> str:
        return str(len(await store.aget_messages(ids["assistant"])))

    return call


def _li_zaia_store(ids: dict[str, str]) -> Callable[[], Coroutine[Any, Any, str]]:
    store = ZaiaChatStore(sender_id=SENDER)

    async def call() -> str:
        await store.async_add_message(ids["chat"], ChatMessage(role="user", content=QUESTION))
        return str(len(await store.aget_messages(ids["chat"])))

    return call


ADAPTERS: dict[str, Call] = {
    "lc.ChatUnleash.ainvoke": _lc_chat_unleash,
    "lc.ChatUnleash.astream": _lc_chat_unleash_stream,
    "lc.ChatJylo.ainvoke": _lc_chat_jylo,
    "lc.UnleashSearchRetriever": _lc_retriever,
    "lc.JyloChatMessageHistory": _lc_jylo_history,
    "lc.ZaiaChatMessageHistory": _lc_zaia_history,
    "li.Unleash.achat": _li_unleash,
    "li.Jylo.achat": _li_jylo,
    "li.UnleashRetriever": _li_retriever,
    "li.JyloChatStore": _li_jylo_store,
    "li.ZaiaChatStore": _li_zaia_store,
}


@pytest.mark.parametrize("name", list(ADAPTERS))
def test_one_adapter_answers_from_three_event_loops_in_turn(name: str, ids: dict[str, str]) -> None:
    call = ADAPTERS[name](ids)
    answers = [asyncio.run(asyncio.wait_for(call(), 10)) for _ in range(3)]
    assert all(answers), answers
    if name.endswith(("ainvoke", "astream", "achat")) and "Unleash" in name:
        assert len(set(answers)) == 1  # the same question, the same emulated answer
