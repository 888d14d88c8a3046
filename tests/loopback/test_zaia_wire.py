"""Zaia clients and adapters against the loopback emulator, in both of its dialects.

Every test runs twice: against ``documented`` (only what seed 004 and API-NOTES name:
``pagination.offset`` ignored, no joined objects, chats and threads with only ids) and
against ``extended`` (the inferred extras). The clients must be correct against both:
``joins`` and ``ticketIds`` checked, sent and applied; a history complete or an
`UnsupportedOperationError`, never duplicated or truncated.
"""

from __future__ import annotations

import ssl
import uuid
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from langchain_core.messages import AIMessage, HumanMessage
from llama_index.core.base.llms.types import ChatMessage as LIMessage
from llama_index.core.base.llms.types import MessageRole

from assistant_bridge import BadRequestError, InvalidRequestError
from assistant_bridge._adapter_core import aread_zaia, read_zaia
from assistant_bridge.emulator import (
    DIALECT_HEADER,
    DIALECTS,
    EMULATOR_KEYS,
    EmulatorURL,
    run_emulator,
)
from assistant_bridge.langchain import UnsupportedOperationError, ZaiaChatMessageHistory
from assistant_bridge.llama_index import ZaiaChatStore
from assistant_bridge.zaia import AsyncZaiaClient, ChatMessage, ZaiaClient

SENDER = "8d3c2b1a-0f9e-4d8c-b7a6-5e4d3c2b1a09"
TLS = ssl.create_default_context()
"""One TLS context for every client (httpx builds one per client otherwise)."""
EXTENDED = {DIALECT_HEADER: "extended"}


@pytest.fixture(scope="module", params=DIALECTS)
def served(request: pytest.FixtureRequest) -> Iterator[tuple[str, EmulatorURL]]:
    with run_emulator(dialect=request.param) as url:
        yield request.param, url


@dataclass
class Env:
    """One test's emulator (reset), its dialect, and the requests the clients sent."""

    dialect: str
    url: EmulatorURL
    sent: list[httpx.Request] = field(default_factory=list)

    @property
    def extended(self) -> bool:
        return self.dialect == "extended"

    def client(self) -> ZaiaClient:
        http = httpx.Client(verify=TLS, event_hooks={"request": [self.sent.append]})
        return ZaiaClient(
            EMULATOR_KEYS["zaia"], base_url=self.url.zaia, max_retries=0, http_client=http
        )

    def async_client(self) -> AsyncZaiaClient:
        async def record(request: httpx.Request) -> None:
            self.sent.append(request)

        http = httpx.AsyncClient(verify=TLS, event_hooks={"request": [record]})
        return AsyncZaiaClient(
            EMULATOR_KEYS["zaia"], base_url=self.url.zaia, max_retries=0, http_client=http
        )


@pytest.fixture(scope="module")
def control() -> Iterator[httpx.Client]:
    with httpx.Client(verify=TLS) as client:
        yield client


@pytest.fixture
def env(served: tuple[str, EmulatorURL], control: httpx.Client) -> Env:
    dialect, url = served
    control.post(f"{url}/_emulator/reset").raise_for_status()
    return Env(dialect, url)


def first_chat(client: ZaiaClient) -> tuple[str, list[str], dict[str, str]]:
    """The first chat, its thread ids, and each thread's ticket (learnt from the extended dialect)."""
    chat = client.list_chats()[0].id
    assert chat is not None
    threads = client.list_chat_threads(chat, extra_headers=EXTENDED)
    tickets = {t.id: t.ticket_id for t in threads if t.id and t.ticket_id}
    return chat, [t.id for t in threads if t.id], tickets


def fill(client: ZaiaClient, chat: str, count: int) -> None:
    for index in range(count):
        client.create_chat_message(chat, f"note {index}", sender_id=SENDER, role="user")


# -- joins and ticketIds ------------------------------------------------------------------


def test_ticket_ids_filter_and_joins_are_sent_and_applied(env: Env) -> None:
    with env.client() as client:
        chat, threads, tickets = first_chat(client)
        everything = client.list_chat_messages(chat)
        first = client.list_chat_messages(chat, ticket_ids=tickets[threads[0]])
        both = client.list_chat_messages(chat, ticket_ids=[tickets[t] for t in threads])
        none = client.list_chat_messages(chat, ticket_ids=[str(uuid.uuid4())])
        joined = client.list_chat_messages(
            chat, joins=["chat", "chatThread"], ticket_ids=[tickets[threads[1]]]
        )
    assert len(everything) == 5
    assert {m.chat_thread_id for m in first} == {threads[0]}
    assert len(first) == 3
    assert [m.id for m in both] == [m.id for m in everything]
    assert len(none) == 0
    assert [m.chat_thread_id for m in joined] == [threads[1]] * 2
    if env.extended:
        assert all(m.model_extra and m.model_extra["chat"]["id"] == chat for m in joined)
        assert all(
            m.model_extra and m.model_extra["chatThread"]["ticketId"] == tickets[threads[1]]
            for m in joined
        )
    else:
        assert all(m.model_extra == {} for m in joined), (
            "documented: joins accepted, nothing undocumented sent"
        )
    query = env.sent[-1].url.params
    assert query.get_list("joins") == ["chat", "chatThread"]
    assert query.get_list("ticketIds") == [tickets[threads[1]]]


async def test_async_client_sends_and_applies_them_too(env: Env) -> None:
    with env.client() as client:
        chat, threads, tickets = first_chat(client)
    async with env.async_client() as client:
        found = await client.list_chat_messages(
            chat, joins="chatThread", ticket_ids=[tickets[threads[0]]] * 2
        )
        with pytest.raises(InvalidRequestError) as info:
            await client.list_chat_messages(chat, ticket_ids=[tickets[threads[0]], "TICKET-42"])
    assert info.value.field == "ticket_ids[1]"
    assert env.sent[-1].url.params.get_list("ticketIds") == [tickets[threads[0]]], (
        "the bad call sent nothing"
    )
    assert {m.chat_thread_id for m in found} == {threads[0]}
    assert all(("chatThread" in (m.model_extra or {})) is env.extended for m in found)


def test_a_join_name_the_dialect_does_not_know(env: Env) -> None:
    with env.client() as client:
        chat, _, _ = first_chat(client)
        if env.extended:
            with pytest.raises(BadRequestError) as info:
                client.list_chat_messages(chat, joins="sender")
            assert info.value.problem.errors == {
                "joins": ["Must be one of chat, chatThread, got 'sender'."]
            }
        else:
            assert len(client.list_chat_messages(chat, joins="sender")) == 5


# -- paging -----------------------------------------------------------------------------------


def test_small_pages_are_read_in_full_or_refused(env: Env) -> None:
    with env.client() as client:
        chat, _, _ = first_chat(client)
        if env.extended:
            messages = read_zaia(client, chat, None, limit=2)
            assert [m.id for m in messages] == [m.id for m in client.list_chat_messages(chat)]
        else:
            with pytest.raises(
                UnsupportedOperationError, match=r"pagination\.offset=2 repeated items"
            ):
                read_zaia(client, chat, None, limit=2)


async def test_async_small_pages(env: Env) -> None:
    with env.client() as client:
        chat, _, _ = first_chat(client)
    async with env.async_client() as client:
        if env.extended:
            assert len(await aread_zaia(client, chat, None, limit=2)) == 5
        else:
            with pytest.raises(UnsupportedOperationError, match="does not honour the offset"):
                await aread_zaia(client, chat, None, limit=2)


def test_a_chat_of_exactly_the_default_page_is_probed_and_read(env: Env) -> None:
    with env.client() as client:
        chat = client.list_chats()[1].id
        assert chat is not None
        fill(client, chat, 248)
        env.sent.clear()
        messages = read_zaia(client, chat, None)
    assert len(messages) == 250
    assert [dict(r.url.params).get("pagination.limit") for r in env.sent] == ["1000", "1"]


async def test_a_chat_longer_than_a_page_through_every_reader(env: Env) -> None:
    """1001 messages: complete when extended (the offset works), an error when documented."""
    with env.client() as client:
        chat = client.list_chats()[1].id
        assert chat is not None
        fill(client, chat, 999)
    readers: dict[str, Callable[[], Sequence[Any]]] = {
        "lc.messages": lambda: ZaiaChatMessageHistory(chat, client=env.client()).messages,
        "li.get_messages": lambda: ZaiaChatStore(client=env.client()).get_messages(chat),
    }
    async_readers: dict[str, Callable[[], Awaitable[Sequence[Any]]]] = {
        "lc.aget_messages": lambda: ZaiaChatMessageHistory(
            chat, async_client=env.async_client()
        ).aget_messages(),
        "li.aget_messages": lambda: ZaiaChatStore(async_client=env.async_client()).aget_messages(
            chat
        ),
    }
    results: dict[str, list[str]] = {}
    for name, read in readers.items():
        if env.extended:
            results[name] = [str(m.content) for m in read()]
        else:
            with pytest.raises(UnsupportedOperationError, match="the first 1000 items were read"):
                read()
    for name, aread in async_readers.items():
        if env.extended:
            results[name] = [str(m.content) for m in await aread()]
        else:
            with pytest.raises(UnsupportedOperationError, match="which Zaia does not document"):
                await aread()
    if env.extended:
        expected = results["lc.messages"]
        assert len(expected) == 1001
        assert expected[2:] == [f"note {i}" for i in range(999)], "oldest first, nothing twice"
        assert all(texts == expected for texts in results.values())


# -- the adapters, both dialects ------------------------------------------------------------------


async def test_langchain_history_appends_and_reads_back(env: Env) -> None:
    with env.client() as client:
        chat, threads, _ = first_chat(client)
    history = ZaiaChatMessageHistory(
        chat,
        chat_thread_id=threads[1],
        sender_id=SENDER,
        client=env.client(),
        async_client=env.async_client(),
    )
    history.add_messages([HumanMessage("Can I export to CSV?"), AIMessage("")])
    await history.aadd_messages([AIMessage("Yes: choose Export as CSV.")])
    messages = await history.aget_messages()
    assert [type(m).__name__ for m in messages] == [
        "HumanMessage",
        "AIMessage",
        "HumanMessage",
        "AIMessage",
        "AIMessage",
    ]
    assert [m.content for m in messages[2:]] == [
        "Can I export to CSV?",
        "",
        "Yes: choose Export as CSV.",
    ]
    assert [m.content for m in history.messages] == [m.content for m in messages]
    with pytest.raises(UnsupportedOperationError, match="tool calls"):
        history.add_messages(
            [AIMessage("", tool_calls=[{"name": "search", "args": {}, "id": "c1"}])]
        )


async def test_llama_index_store_keys_appends_and_reads_back(env: Env) -> None:
    store = ZaiaChatStore(client=env.client(), async_client=env.async_client(), sender_id=SENDER)
    keys = store.get_keys()
    assert keys == await store.aget_keys()
    assert len(keys) == 2
    store.add_message(
        keys[1], LIMessage(role=MessageRole.USER, content="Is Zurich capped at 250 EUR?")
    )
    await store.async_add_message(
        keys[1], LIMessage(role=MessageRole.ASSISTANT, content="Yes, from 1 March.")
    )
    stored = await store.aget_messages(keys[1])
    assert [m.role for m in stored] == [MessageRole.USER, MessageRole.ASSISTANT] * 2
    assert stored[-1].content == "Yes, from 1 March."
    assert [m.content for m in store.get_messages(keys[1])] == [m.content for m in stored]


# -- writes and ids --------------------------------------------------------------------------------


def test_empty_content_and_unknown_roles_are_written_unless_extended_refuses_the_role(
    env: Env,
) -> None:
    with env.client() as client:
        chat, threads, _ = first_chat(client)
        empty = client.create_chat_message(
            chat, "", chat_thread_id=threads[0], sender_id=SENDER, role="user"
        )
        assert empty.content == ""
        if env.extended:
            with pytest.raises(BadRequestError) as info:
                client.create_chat_message(chat, "hi", sender_id=SENDER, role="agent")
            assert set(info.value.problem.errors) == {"role"}
        else:
            assert (
                client.create_chat_message(chat, "hi", sender_id=SENDER, role="agent").role
                == "agent"
            )


def test_exports_in_both_dialects(env: Env) -> None:
    with env.client() as client:
        assert client.export_chat_messages(None, "https://93.184.216.34/zaia").message
        assert client.export_chat_messages(
            "2025-05-01", "https://93.184.216.34/zaia", language="ptBr"
        ).message
        if env.extended:
            with pytest.raises(BadRequestError) as info:
                client.export_chat_messages(
                    "2025-05-01", "https://93.184.216.34/zaia", language="klingon"
                )
            assert set(info.value.problem.errors) == {"language"}
        else:
            assert client.export_chat_messages(
                "2025-05-01", "https://93.184.216.34/zaia", language="klingon"
            ).message
    sent = [r for r in env.sent if r.method == "POST"]
    assert sent[0].content == b'{"rangeStart":null,"callbackUrl":"https://93.184.216.34/zaia"}'


def test_every_id_the_emulator_gives_is_a_uuid_v4(env: Env) -> None:
    with env.client() as client:
        chat, threads, tickets = first_chat(client)
        created = client.create_chat_message(chat, "hello", sender_id=SENDER, role="user")
        messages: list[ChatMessage] = list(client.list_chat_messages(chat))
    ids = [chat, *threads, *tickets.values(), created.id, *(m.id for m in messages)]
    ids += [m.sender_id for m in messages]
    assert len(ids) == 1 + 2 + 2 + 1 + 6 + 6
    for value in ids:
        assert value is not None
        parsed = uuid.UUID(value)
        assert (parsed.version, parsed.variant, str(parsed)) == (4, uuid.RFC_4122, value)


@pytest.mark.parametrize("wrapper", ["items", "data"])
def test_wrapped_list_answers_read_the_same(env: Env, wrapper: str) -> None:
    """Seed 004 does not show a list answer's shape: the `zaia-list` variant wraps it."""
    with env.client() as plain:
        chats = plain.list_chats()
        chat = chats.items[0].id
        assert chat is not None
        messages = plain.list_chat_messages(chat)
    wrapped = httpx.Client(headers={"x-emulator-variant": f"zaia-list={wrapper}"}, verify=TLS)
    with ZaiaClient(EMULATOR_KEYS["zaia"], base_url=env.url.zaia, http_client=wrapped) as client:
        assert [c.id for c in client.list_chats().items] == [c.id for c in chats.items]
        assert [m.id for m in client.list_chat_messages(chat)] == [m.id for m in messages]
        history = ZaiaChatMessageHistory(chat, client=client)
        assert [m.content for m in history.messages] == [m.content for m in messages]
