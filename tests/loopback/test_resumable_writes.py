"""Batch writes that fail partway say what was stored, and a repeat stores each message once.

Through every layer that writes a batch: the LangChain histories and the LlamaIndex chat
stores, for Zaia and Jylo, sync and async, against the emulator. The fault header is put
on POST requests only (an httpx request hook), so ``500;after=2;times=1`` fails exactly
the third post of a five-message write: the emulator does not run the route for ``500``
and ``drop`` (2 stored) and runs it for ``drop-after`` (3 stored, the client is not told).
Also: ``ChatJylo().with_retry()`` posts exactly once under ``500`` and ``drop-after``.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage
from llama_index.core.base.llms.types import ChatMessage, MessageRole

import assistant_bridge
from assistant_bridge.emulator import EMULATOR_KEYS, FAULT_HEADER, EmulatorURL, run_emulator
from assistant_bridge.jylo import AsyncJyloClient, JyloClient
from assistant_bridge.langchain import ChatJylo, JyloChatMessageHistory, ZaiaChatMessageHistory
from assistant_bridge.llama_index import JyloChatStore, ZaiaChatStore
from assistant_bridge.zaia import AsyncZaiaClient, ZaiaClient

SENDER = str(uuid.UUID("5b0f9a3c-1d2e-4f60-8a7b-9c0d1e2f3a4b"))
FAULTS = {  # fault on the third post -> messages stored when the error is raised
    "500": ("500;after=2;times=1", 2),
    "drop": ("drop;after=2;times=1", 2),
    "drop-after": ("drop-after;after=2;times=1", 3),
}
CONTROL = httpx.Client(timeout=30.0)


@pytest.fixture(scope="module")
def url() -> Iterator[EmulatorURL]:
    with run_emulator() as base:
        yield base


@pytest.fixture(scope="module")
def ids(url: EmulatorURL) -> dict[str, str]:
    token = CONTROL.post(
        url.jylo_token,
        data={
            "grant_type": "client_credentials",
            "client_id": EMULATOR_KEYS["jylo_client_id"],
            "client_secret": EMULATOR_KEYS["jylo_client_secret"],
            "audience": "https://jga.jylo.ai/external/v2",
        },
    ).json()["access_token"]
    with clients(url, token, "")[0] as jylo, clients(url, token, "")[2] as zaia:
        return {
            "token": token,
            "model": str(jylo.list_models()[0].object_identifier),
            "assistant": str(jylo.list_assistants().items[0].object_identifier),
            "chat": str(zaia.list_chats().items[0].id),
        }


def _on_posts(fault: str) -> dict[str, Any]:
    """httpx client arguments that put the fault header on POST requests only."""

    def hook(request: httpx.Request) -> None:
        if fault and request.method == "POST":
            request.headers[FAULT_HEADER] = fault

    async def ahook(request: httpx.Request) -> None:
        hook(request)

    return {"sync": {"request": [hook]}, "async": {"request": [ahook]}}


def clients(url: EmulatorURL, token: str, fault: str) -> tuple[Any, Any, Any, Any]:
    """Jylo and Zaia clients (sync, async) whose POSTs carry ``fault``."""
    hooks = _on_posts(fault)
    common: dict[str, Any] = {"max_retries": 1, "_random": lambda: 0.0}
    jylo_kw: dict[str, Any] = {
        "token": token,
        "project_id": EMULATOR_KEYS["jylo_project_id"],
        "base_url": url.jylo,
        "settings_url": url.jylo_settings,
    }

    async def asleep(_: float) -> None:
        return None

    return (
        JyloClient(**jylo_kw, http_client=httpx.Client(event_hooks=hooks["sync"]), **common),
        AsyncJyloClient(
            **jylo_kw,
            http_client=httpx.AsyncClient(event_hooks=hooks["async"]),
            _sleep=asleep,
            **common,
        ),
        ZaiaClient(
            EMULATOR_KEYS["zaia"],
            base_url=url.zaia,
            http_client=httpx.Client(event_hooks=hooks["sync"]),
            **common,
        ),
        AsyncZaiaClient(
            EMULATOR_KEYS["zaia"],
            base_url=url.zaia,
            http_client=httpx.AsyncClient(event_hooks=hooks["async"]),
            _sleep=asleep,
            **common,
        ),
    )


def reset(url: EmulatorURL) -> None:
    assert CONTROL.post(f"{url}/_emulator/reset").status_code == 200


def zaia_texts(url: EmulatorURL, ids: dict[str, str]) -> list[str]:
    found = CONTROL.get(
        f"{url.zaia}/api/v1/chat-messages",
        params={"chatId": ids["chat"], "pagination.limit": 1000},
        headers={"authorization": EMULATOR_KEYS["zaia"]},
    ).json()
    return [m["content"] for m in found]


def jylo_user_texts(url: EmulatorURL, ids: dict[str, str]) -> list[str]:
    project = EMULATOR_KEYS["jylo_project_id"]
    found = CONTROL.get(
        f"{url.jylo}/projects/{project}/assistants/{ids['assistant']}/messages",
        params={"pageSize": 1000, "desc": "false"},
        headers={"authorization": f"Bearer {ids['token']}"},
    ).json()
    return [m["text"] for m in found if not m.get("isAssistant")]


_LOOP: list[asyncio.AbstractEventLoop] = []


@pytest.fixture(autouse=True)
def loop() -> Iterator[None]:
    """One event loop per test: the async clients of a test belong to it."""
    _LOOP.append(asyncio.new_event_loop())
    yield
    _LOOP.pop().close()


def run(call: Callable[[], Any], is_async: bool) -> Any:
    return _LOOP[-1].run_until_complete(call()) if is_async else call()


TEXTS = [f"Resumable message {i}" for i in range(5)]


def lc_batch() -> list[BaseMessage]:
    return [HumanMessage(t) if i % 2 == 0 else AIMessage(t) for i, t in enumerate(TEXTS)]


def li_batch(role: Callable[[int], MessageRole]) -> list[ChatMessage]:
    return [ChatMessage(role=role(i), content=t) for i, t in enumerate(TEXTS)]


def _check_partial(error: BaseException, given: list[Any], stored: int) -> None:
    assert isinstance(error, assistant_bridge.PartialWriteError)
    assert f"stored {stored} of 5 messages" in str(error)
    assert [id(m) for m in error.stored] == [id(m) for m in given[:stored]]
    assert [id(m) for m in error.pending] == [id(m) for m in given[stored:]]
    assert isinstance(error.__cause__, assistant_bridge.APIError)
    assert error.cause is error.__cause__


# -- Zaia: LangChain history, LlamaIndex store ----------------------------------------
@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
@pytest.mark.parametrize("fault", list(FAULTS))
def test_zaia_history_partial_write_then_retry_stores_each_once(
    url: EmulatorURL, ids: dict[str, str], fault: str, is_async: bool
) -> None:
    reset(url)
    before = zaia_texts(url, ids)
    header, stored = FAULTS[fault]
    _, _, zaia, azaia = clients(url, ids["token"], header)
    history = ZaiaChatMessageHistory(ids["chat"], sender_id=SENDER, client=zaia, async_client=azaia)
    batch = lc_batch()
    add = history.aadd_messages if is_async else history.add_messages
    with pytest.raises(assistant_bridge.PartialWriteError) as caught:
        run(lambda: add(batch), is_async)
    _check_partial(caught.value, batch, stored)
    assert zaia_texts(url, ids) == before + TEXTS[:stored]
    run(lambda: add(batch), is_async)  # the same messages again: only the others are posted
    assert zaia_texts(url, ids) == before + TEXTS
    run(lambda: add(batch), is_async)  # and once more: nothing
    assert zaia_texts(url, ids) == before + TEXTS


@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
@pytest.mark.parametrize("fault", list(FAULTS))
def test_zaia_store_set_messages_partial_then_retry_stores_each_once(
    url: EmulatorURL, ids: dict[str, str], fault: str, is_async: bool
) -> None:
    reset(url)
    header, stored = FAULTS[fault]
    _, _, zaia, azaia = clients(url, ids["token"], header)
    store = ZaiaChatStore(sender_id=SENDER, client=zaia, async_client=azaia)
    key = ids["chat"]
    before_msgs = ZaiaChatStore(client=clients(url, ids["token"], "")[2]).get_messages(key)
    before = [m.content for m in before_msgs]
    wanted = [*before_msgs, *li_batch(lambda i: MessageRole.USER)]
    put = store.aset_messages if is_async else store.set_messages
    with pytest.raises(assistant_bridge.PartialWriteError) as caught:
        run(lambda: put(key, wanted), is_async)
    assert f"stored {len(before) + stored} of {len(wanted)} messages" in str(caught.value)
    assert zaia_texts(url, ids) == before + TEXTS[:stored]
    run(lambda: put(key, wanted), is_async)  # no "cannot replace or reorder": it resumes
    assert zaia_texts(url, ids) == before + TEXTS
    rebuilt = [*before_msgs, *li_batch(lambda i: MessageRole.USER)]  # new objects, same list
    run(lambda: put(key, rebuilt), is_async)
    assert zaia_texts(url, ids) == before + TEXTS


@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
def test_zaia_store_add_message_after_drop_after_is_stored_once(
    url: EmulatorURL, ids: dict[str, str], is_async: bool
) -> None:
    reset(url)
    before = zaia_texts(url, ids)
    _, _, zaia, azaia = clients(url, ids["token"], "drop-after;times=1")
    store = ZaiaChatStore(sender_id=SENDER, client=zaia, async_client=azaia)
    message = ChatMessage(role=MessageRole.USER, content="Stored once")
    add = store.async_add_message if is_async else store.add_message
    run(lambda: add(ids["chat"], message), is_async)  # the read-back finds it stored: no error
    assert zaia_texts(url, ids) == [*before, "Stored once"]
    run(lambda: add(ids["chat"], message), is_async)  # the same message again: nothing posted
    assert zaia_texts(url, ids) == [*before, "Stored once"]


# -- Jylo: LangChain history, LlamaIndex store ----------------------------------------
@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
@pytest.mark.parametrize("fault", list(FAULTS))
def test_jylo_history_partial_write_then_retry_posts_each_once(
    url: EmulatorURL, ids: dict[str, str], fault: str, is_async: bool
) -> None:
    reset(url)
    before = jylo_user_texts(url, ids)
    header, stored = FAULTS[fault]
    jylo, ajylo, _, _ = clients(url, ids["token"], header)
    history = JyloChatMessageHistory(
        ids["assistant"], model_identifier=ids["model"], client=jylo, async_client=ajylo
    )
    batch: list[BaseMessage] = [HumanMessage(t) for t in TEXTS]
    add = history.aadd_messages if is_async else history.add_messages
    with pytest.raises(assistant_bridge.PartialWriteError) as caught:
        run(lambda: add(batch), is_async)
    _check_partial(caught.value, batch, stored)
    assert jylo_user_texts(url, ids) == before + TEXTS[:stored]
    run(lambda: add(batch), is_async)
    assert jylo_user_texts(url, ids) == before + TEXTS


@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
@pytest.mark.parametrize("fault", list(FAULTS))
def test_jylo_store_set_messages_partial_then_retry_posts_each_once(
    url: EmulatorURL, ids: dict[str, str], fault: str, is_async: bool
) -> None:
    reset(url)
    header, stored = FAULTS[fault]
    jylo, ajylo, _, _ = clients(url, ids["token"], header)
    store = JyloChatStore(client=jylo, async_client=ajylo, model_identifier=ids["model"])
    key = ids["assistant"]
    before = jylo_user_texts(url, ids)
    wanted = [*store.get_messages(key), *li_batch(lambda i: MessageRole.USER)]
    put = store.aset_messages if is_async else store.set_messages
    with pytest.raises(assistant_bridge.PartialWriteError) as caught:
        run(lambda: put(key, wanted), is_async)
    assert f"stored {len(wanted) - 5 + stored} of {len(wanted)} messages" in str(caught.value)
    assert jylo_user_texts(url, ids) == before + TEXTS[:stored]
    run(lambda: put(key, wanted), is_async)
    assert jylo_user_texts(url, ids) == before + TEXTS


# -- a chat model's with_retry never posts twice ------------------------------------------
@pytest.mark.parametrize("fault", ["500;times=1", "drop-after;times=1"])
def test_chat_jylo_with_retry_posts_exactly_once(
    url: EmulatorURL, ids: dict[str, str], fault: str
) -> None:
    reset(url)
    before = jylo_user_texts(url, ids)
    jylo, ajylo, _, _ = clients(url, ids["token"], fault)
    model = ChatJylo(
        client=jylo,
        async_client=ajylo,
        assistant_id=ids["assistant"],
        model_identifier=ids["model"],
    )
    chain = model.with_retry(stop_after_attempt=3, wait_exponential_jitter=False)
    with pytest.raises(assistant_bridge.APIError) as caught:
        chain.invoke("Posted once?")
    assert getattr(caught.value, "is_retryable", None) is False
    assert jylo_user_texts(url, ids) == before + (["Posted once?"] if "after" in fault else [])


def test_with_retry_still_retries_what_cannot_have_posted(
    url: EmulatorURL, ids: dict[str, str]
) -> None:
    reset(url)
    before = jylo_user_texts(url, ids)
    jylo, ajylo, _, _ = clients(url, ids["token"], "429:0;times=2")  # client retries once
    model = ChatJylo(
        client=jylo,
        async_client=ajylo,
        assistant_id=ids["assistant"],
        model_identifier=ids["model"],
    )
    answer = model.with_retry(wait_exponential_jitter=False).invoke("Rate limited first")
    assert answer.content
    assert jylo_user_texts(url, ids) == [*before, "Rate limited first"]
