"""No turn is dropped: Jylo gets the turns it has not seen, and every answer can be sent back.

Against the emulator. A Jylo assistant keeps its own conversation, so `ChatJylo` and the
LlamaIndex `Jylo` fold system messages and unseen turns into the text they post (what the
emulator stores is checked). Every AI message this package produces, in every output
format (``ChatUnleash`` v0 and v1 output, invoked and stream-aggregated, ``ChatJylo``,
LlamaIndex ``Unleash`` and ``Jylo``), goes back as history to every chat model of its
framework, and into every history and chat store. And ``RunnableWithMessageHistory``
stores both messages of a turn in a Zaia thread.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from langchain_core.chat_history import BaseChatMessageHistory
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage
from langchain_core.prompts import ChatPromptTemplate, MessagesPlaceholder
from langchain_core.runnables.history import RunnableWithMessageHistory
from llama_index.core.base.llms.types import ChatMessage, MessageRole

from assistant_bridge import InvalidRequestError
from assistant_bridge._adapter_core import UnsupportedOperationError
from assistant_bridge.emulator import EMULATOR_KEYS, EmulatorURL, run_emulator
from assistant_bridge.jylo import AsyncJyloClient, JyloClient
from assistant_bridge.langchain import (
    ChatJylo,
    ChatUnleash,
    JyloChatMessageHistory,
    ZaiaChatMessageHistory,
)
from assistant_bridge.llama_index import Jylo, JyloChatStore, Unleash, ZaiaChatStore
from assistant_bridge.unleash import AsyncUnleashClient, UnleashClient
from assistant_bridge.zaia import AsyncZaiaClient, ZaiaClient

Q1 = "What is our travel policy?"
Q2 = "And what is the hotel cap in London?"
CONTEXT = "Hotels in Oslo are capped at 99 NOK."
SENDER = str(uuid.UUID("5b0f9a3c-1d2e-4f60-8a7b-9c0d1e2f3a4b"))


@pytest.fixture(scope="module")
def url() -> Iterator[EmulatorURL]:
    with run_emulator() as base:
        yield base


@dataclass
class World:
    """Clients on the emulator that record every request body, and the ids the calls need."""

    url: EmulatorURL
    sent: list[tuple[str, str, bytes]] = field(default_factory=list)
    assistant: str = ""
    model: str = ""
    chat: str = ""
    thread: str = ""
    token: str = ""
    made: list[httpx.Client] = field(default_factory=list)
    amade: list[httpx.AsyncClient] = field(default_factory=list)

    def http(self) -> httpx.Client:
        self.made.append(httpx.Client(event_hooks={"request": [self._hook]}))
        return self.made[-1]

    def ahttp(self) -> httpx.AsyncClient:
        self.amade.append(httpx.AsyncClient(event_hooks={"request": [self._ahook]}))
        return self.amade[-1]

    async def close(self) -> None:
        for client in self.made:
            client.close()
        for aclient in self.amade:
            await aclient.aclose()

    def _hook(self, request: httpx.Request) -> None:
        self.sent.append((request.method, request.url.path, request.content))

    async def _ahook(self, request: httpx.Request) -> None:
        self._hook(request)

    def _jylo_args(self) -> dict[str, Any]:
        login = {
            "client_id": EMULATOR_KEYS["jylo_client_id"],
            "client_secret": EMULATOR_KEYS["jylo_client_secret"],
            "token_url": self.url.jylo_token,
            "settings_url": self.url.jylo_settings,
        }
        return {
            **({"token": self.token} if self.token else login),
            "project_id": EMULATOR_KEYS["jylo_project_id"],
            "base_url": self.url.jylo,
        }

    def jylo(self) -> JyloClient:
        return JyloClient(**self._jylo_args(), http_client=self.http())

    def ajylo(self) -> AsyncJyloClient:
        return AsyncJyloClient(**self._jylo_args(), http_client=self.ahttp())

    def unleash(self) -> UnleashClient:
        return UnleashClient(
            EMULATOR_KEYS["unleash"], base_url=self.url.unleash, http_client=self.http()
        )

    def aunleash(self) -> AsyncUnleashClient:
        return AsyncUnleashClient(
            EMULATOR_KEYS["unleash"], base_url=self.url.unleash, http_client=self.ahttp()
        )

    def zaia(self) -> ZaiaClient:
        return ZaiaClient(EMULATOR_KEYS["zaia"], base_url=self.url.zaia, http_client=self.http())

    def azaia(self) -> AsyncZaiaClient:
        return AsyncZaiaClient(
            EMULATOR_KEYS["zaia"], base_url=self.url.zaia, http_client=self.ahttp()
        )

    # -- what the vendors hold and were sent ---------------------------------------------
    def jylo_texts(self) -> list[str]:
        """The texts the assistant's conversation stores, oldest first."""
        with self.jylo() as client:
            return [m.text or "" for m in client.iter_messages(self.assistant, desc=False)]

    def jylo_posts(self) -> list[str]:
        """The texts posted to the assistant, in order."""
        return [
            json.loads(body)["text"]
            for method, path, body in self.sent
            if method == "POST" and path.endswith("/messages") and "/assistants/" in path
        ]

    def unleash_messages(self) -> list[list[dict[str, str]]]:
        """The ``messages`` of each chat request sent to Unleash."""
        return [
            json.loads(body)["messages"]
            for method, path, body in self.sent
            if method == "POST" and "/chats" in path
        ]

    def zaia_thread(self) -> list[tuple[str, str]]:
        """The (role, content) of each message of the Zaia thread, oldest first."""
        with self.zaia() as client:
            found = client.list_chat_messages(self.chat, chat_thread_id=self.thread, limit=1000)
        rows = sorted(found.items, key=lambda m: (m.created_at is None, m.created_at))
        return [(str(getattr(m.role, "value", m.role)), m.content or "") for m in rows]

    # -- adapters ------------------------------------------------------------------------
    def chat_unleash(self, **kw: Any) -> ChatUnleash:
        return ChatUnleash(client=self.unleash(), async_client=self.aunleash(), **kw)

    def chat_jylo(self, **kw: Any) -> ChatJylo:
        return ChatJylo(
            client=self.jylo(),
            async_client=self.ajylo(),
            assistant_id=self.assistant,
            model=self.model,
            **kw,
        )

    def li_unleash(self) -> Unleash:
        return Unleash(client=self.unleash(), async_client=self.aunleash())

    def li_jylo(self, **kw: Any) -> Jylo:
        return Jylo(
            client=self.jylo(),
            async_client=self.ajylo(),
            assistant_id=self.assistant,
            model_identifier=self.model,
            **kw,
        )

    def zaia_history(self) -> ZaiaChatMessageHistory:
        return ZaiaChatMessageHistory(
            self.chat,
            chat_thread_id=self.thread,
            sender_id=SENDER,
            client=self.zaia(),
            async_client=self.azaia(),
        )

    def jylo_history(self) -> JyloChatMessageHistory:
        return JyloChatMessageHistory(
            self.assistant,
            model_identifier=self.model,
            client=self.jylo(),
            async_client=self.ajylo(),
        )


@pytest.fixture(scope="module")
def ids(url: EmulatorURL) -> dict[str, Any]:
    """The ids every test uses (the emulator's seed gives the same ones after a reset)."""
    world = World(url)
    with world.jylo() as jylo, world.zaia() as zaia:
        found = {
            "model": str(jylo.list_models()[0].object_identifier),
            "assistant": str(jylo.list_assistants().items[0].object_identifier),
            "chat": str(zaia.list_chats().items[0].id),
        }
        found["thread"] = str(zaia.list_chat_threads(found["chat"]).items[0].id)
    login = {
        "grant_type": "client_credentials",
        "client_id": EMULATOR_KEYS["jylo_client_id"],
        "client_secret": EMULATOR_KEYS["jylo_client_secret"],
        "audience": "https://jga.jylo.ai/external/v2",
    }
    found["token"] = httpx.post(url.jylo_token, data=login).json()["access_token"]
    for client in world.made:
        client.close()
    return found


@pytest.fixture
def fresh(url: EmulatorURL) -> None:
    assert httpx.post(f"{url}/_emulator/reset").status_code == 200


@pytest.fixture
async def w(url: EmulatorURL, ids: dict[str, Any], fresh: None) -> AsyncIterator[World]:
    world = World(url, **ids)
    yield world
    await world.close()


# -- ChatJylo / Jylo: system messages and unseen turns reach the assistant -------------------
PROMPT = ChatPromptTemplate([("system", "Use ONLY this context: {context}"), ("human", "{q}")])
FOLDED_PROMPT = f"System instructions:\nUse ONLY this context: {CONTEXT}\n\nQuestion:\n{Q1}"


def _aggregate(chunks: Iterator[Any]) -> Any:
    total = None
    for chunk in chunks:
        total = chunk if total is None else total + chunk
    return total


@pytest.mark.parametrize("how", ["invoke", "stream", "ainvoke", "astream"])
async def test_a_prompt_templates_system_context_reaches_chat_jylo(w: World, how: str) -> None:
    chain = PROMPT | w.chat_jylo()
    args = {"context": CONTEXT, "q": Q1}
    if how == "invoke":
        chain.invoke(args)
    elif how == "stream":
        _aggregate(chain.stream(args))
    elif how == "ainvoke":
        await chain.ainvoke(args)
    else:
        [c async for c in chain.astream(args)]
    stored = w.jylo_texts()
    assert stored[0] == FOLDED_PROMPT
    assert len(stored) == 2


@pytest.mark.parametrize("how", ["chat", "stream_chat", "achat", "astream_chat"])
async def test_a_system_context_reaches_the_llama_index_jylo(w: World, how: str) -> None:
    llm = w.li_jylo()
    messages = [
        ChatMessage(role=MessageRole.SYSTEM, content=f"Use ONLY this context: {CONTEXT}"),
        ChatMessage(role=MessageRole.USER, content=Q1),
    ]
    if how == "chat":
        llm.chat(messages)
    elif how == "stream_chat":
        list(llm.stream_chat(messages))
    elif how == "achat":
        await llm.achat(messages)
    else:
        [r async for r in await llm.astream_chat(messages)]
    assert w.jylo_texts()[0] == FOLDED_PROMPT


def test_raise_names_the_unseen_messages_and_sends_nothing(w: World) -> None:
    with pytest.raises(InvalidRequestError, match=r"messages\[0\] \(SystemMessage\)"):
        (PROMPT | w.chat_jylo(unseen_turns="raise")).invoke({"context": CONTEXT, "q": Q1})
    system = ChatMessage(role=MessageRole.SYSTEM, content="Be brief.")
    with pytest.raises(InvalidRequestError, match=r"messages\[0\] \(system message\)"):
        w.li_jylo(unseen_turns="raise").chat(
            [system, ChatMessage(role=MessageRole.USER, content=Q1)]
        )
    assert w.jylo_posts() == []
    assert w.jylo_texts() == []


def test_ignore_posts_the_question_alone(w: World) -> None:
    (PROMPT | w.chat_jylo(unseen_turns="ignore")).invoke({"context": CONTEXT, "q": Q1})
    assert w.jylo_posts() == [Q1]


def test_with_the_jylo_history_no_turn_is_sent_twice(w: World) -> None:
    prompt = ChatPromptTemplate(
        [("system", "Be brief."), MessagesPlaceholder("history"), ("human", "{q}")]
    )
    chain = RunnableWithMessageHistory(
        prompt | w.chat_jylo(),
        lambda _sid: w.jylo_history(),
        input_messages_key="q",
        history_messages_key="history",
    )
    config: Any = {"configurable": {"session_id": "s"}}
    chain.invoke({"q": Q1}, config=config)
    chain.invoke({"q": Q2}, config=config)
    folded = [f"System instructions:\nBe brief.\n\nQuestion:\n{q}" for q in (Q1, Q2)]
    assert w.jylo_posts() == folded  # the system prompt with each call, no earlier turn again
    assert len(w.jylo_texts()) == 4


def test_turns_kept_elsewhere_are_folded_once_the_answer_is_known(w: World) -> None:
    llm = w.chat_jylo()
    first = llm.invoke([HumanMessage(Q1)])
    # kept in a plain list: the earlier reply carries the Jylo id, so nothing is sent again
    llm.invoke([HumanMessage(Q1), first, HumanMessage(Q2)])
    # a conversation from elsewhere: its turns are folded
    llm.invoke([HumanMessage("Hi"), AIMessage("Hello! How can I help?"), HumanMessage(Q2)])
    assert w.jylo_posts() == [
        Q1,
        Q2,
        f"Earlier conversation:\nUser: Hi\nAssistant: Hello! How can I help?\n\nQuestion:\n{Q2}",
    ]


# -- every answer, in every format, goes back as history ------------------------------------
def _lc_unleash(version: str, stream: bool, api: str = "v2") -> Callable[[World], BaseMessage]:
    def make(w: World) -> BaseMessage:
        llm = w.chat_unleash(output_version=version, api_version=api)
        return _aggregate(llm.stream(Q1)) if stream else llm.invoke(Q1)

    return make


def _lc_jylo(version: str, stream: bool) -> Callable[[World], BaseMessage]:
    def make(w: World) -> BaseMessage:
        llm = w.chat_jylo(output_version=version)
        return _aggregate(llm.stream(Q1)) if stream else llm.invoke(Q1)

    return make


LC_PRODUCERS: dict[str, Callable[[World], BaseMessage]] = {
    "unleash-v0-invoke": _lc_unleash("v0", False),
    "unleash-v0-stream": _lc_unleash("v0", True),
    "unleash-v1-invoke": _lc_unleash("v1", False),
    "unleash-v1-stream": _lc_unleash("v1", True),
    "unleash-chat-v1-v1-stream": _lc_unleash("v1", True, api="v1"),
    "jylo-v0-invoke": _lc_jylo("v0", False),
    "jylo-v0-stream": _lc_jylo("v0", True),
    "jylo-v1-invoke": _lc_jylo("v1", False),
    "jylo-v1-stream": _lc_jylo("v1", True),
}


def _is_jylo(name: str) -> bool:
    return name.startswith("jylo")


@pytest.mark.parametrize("producer", list(LC_PRODUCERS))
@pytest.mark.parametrize("consumer", ["ChatUnleash", "ChatJylo", "ZaiaHistory", "JyloHistory"])
def test_every_langchain_answer_goes_back_as_history(
    w: World, producer: str, consumer: str
) -> None:
    answer = LC_PRODUCERS[producer](w)
    text = answer.text
    assert text.strip()
    conversation = [HumanMessage(Q1), answer, HumanMessage(Q2)]
    w.sent.clear()
    if consumer == "ChatUnleash":
        w.chat_unleash().invoke(conversation)
        [sent] = w.unleash_messages()
        assert sent == [
            {"role": "User", "text": Q1},
            {"role": "Assistant", "text": text},
            {"role": "User", "text": Q2},
        ]
    elif consumer == "ChatJylo":
        w.chat_jylo().invoke(conversation)
        expected = (
            Q2
            if _is_jylo(producer)
            else (f"Earlier conversation:\nUser: {Q1}\nAssistant: {text}\n\nQuestion:\n{Q2}")
        )
        assert w.jylo_posts() == [expected]
    elif consumer == "ZaiaHistory":
        before = w.zaia_thread()
        history: BaseChatMessageHistory = w.zaia_history()
        history.add_messages([HumanMessage(Q1), answer])
        assert w.zaia_thread()[len(before) :] == [("user", Q1), ("assistant", text)]
    else:
        history = w.jylo_history()
        if _is_jylo(producer):  # the assistant stores both already: nothing is posted
            history.add_messages([HumanMessage(Q1), answer])
            assert w.jylo_posts() == []
        else:  # Jylo writes its replies itself: a foreign reply is refused, never dropped
            with pytest.raises(UnsupportedOperationError, match="AIMessage"):
                history.add_messages([HumanMessage(Q1), answer])
            assert w.jylo_posts() == []


def _li_unleash(stream: bool) -> Callable[[World], ChatMessage]:
    def make(w: World) -> ChatMessage:
        llm, question = w.li_unleash(), [ChatMessage(role=MessageRole.USER, content=Q1)]
        return list(llm.stream_chat(question))[-1].message if stream else llm.chat(question).message

    return make


def _li_jylo(stream: bool) -> Callable[[World], ChatMessage]:
    def make(w: World) -> ChatMessage:
        llm, question = w.li_jylo(), [ChatMessage(role=MessageRole.USER, content=Q1)]
        return list(llm.stream_chat(question))[-1].message if stream else llm.chat(question).message

    return make


LI_PRODUCERS: dict[str, Callable[[World], ChatMessage]] = {
    "unleash-chat": _li_unleash(False),
    "unleash-stream": _li_unleash(True),
    "jylo-chat": _li_jylo(False),
    "jylo-stream": _li_jylo(True),
}


@pytest.mark.parametrize("producer", list(LI_PRODUCERS))
@pytest.mark.parametrize("consumer", ["Unleash", "Jylo", "ZaiaChatStore", "JyloChatStore"])
def test_every_llama_index_answer_goes_back_as_history(
    w: World, producer: str, consumer: str
) -> None:
    answer = LI_PRODUCERS[producer](w)
    text = answer.content or ""
    assert text.strip()
    assert any(b.block_type == "citation" for b in answer.blocks)
    question = ChatMessage(role=MessageRole.USER, content=Q1)
    conversation = [question, answer, ChatMessage(role=MessageRole.USER, content=Q2)]
    w.sent.clear()
    if consumer == "Unleash":
        w.li_unleash().chat(conversation)
        [sent] = w.unleash_messages()
        assert sent[1] == {"role": "Assistant", "text": text}
    elif consumer == "Jylo":
        w.li_jylo().chat(conversation)
        expected = (
            Q2
            if _is_jylo(producer)
            else (f"Earlier conversation:\nUser: {Q1}\nAssistant: {text}\n\nQuestion:\n{Q2}")
        )
        assert w.jylo_posts() == [expected]
    elif consumer == "ZaiaChatStore":
        before = w.zaia_thread()
        store = ZaiaChatStore(client=w.zaia(), async_client=w.azaia(), sender_id=SENDER)
        store.add_message(f"{w.chat}:{w.thread}", question)
        store.add_message(f"{w.chat}:{w.thread}", answer)
        assert w.zaia_thread()[len(before) :] == [("user", Q1), ("assistant", text)]
    else:
        jylo_store = JyloChatStore(
            client=w.jylo(), async_client=w.ajylo(), model_identifier=w.model
        )
        if _is_jylo(producer):
            jylo_store.add_message(w.assistant, answer)  # stored already: nothing is posted
        else:
            with pytest.raises(UnsupportedOperationError, match="'assistant' message"):
                jylo_store.add_message(w.assistant, answer)
        assert w.jylo_posts() == []


# -- RunnableWithMessageHistory stores the turn in a Zaia thread ------------------------------
@pytest.mark.parametrize(
    "model",
    ["unleash-v1", "unleash-v1-stream", "unleash-v1-async", "jylo", "jylo-v1-stream"],
)
async def test_runnable_with_message_history_stores_the_turn_in_zaia(w: World, model: str) -> None:
    llm: Any
    if model.startswith("unleash"):
        llm = w.chat_unleash(output_version="v1")
    else:
        llm = w.chat_jylo(output_version="v1" if "v1" in model else "v0")
    chain = RunnableWithMessageHistory(llm, lambda _sid: w.zaia_history())
    config: Any = {"configurable": {"session_id": "s"}}
    before = w.zaia_thread()
    if model.endswith("-stream"):
        answer = _aggregate(chain.stream(Q1, config=config))
    elif model.endswith("-async"):
        answer = await chain.ainvoke(Q1, config=config)
    else:
        answer = chain.invoke(Q1, config=config)
    assert answer.text.strip()
    assert w.zaia_thread()[len(before) :] == [("user", Q1), ("assistant", answer.text)]
