"""Per-loop clients closed with their loop; one Jylo token for every loop and thread.

An adapter makes one async client per event loop. Each is closed while its loop shuts
down (``asyncio.run`` closes suspended async generators; one of them closes the client),
and the sockets of a loop closed without that step are closed when the next loop's client
is made: 100 ``asyncio.run`` calls leave no unclosed socket. The Jylo clients an adapter
makes share one token cache, so every loop uses the token the first one fetched, and
concurrent 401s for a stale token lead to exactly one new token request.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
from collections.abc import Iterator

import httpx
import pytest
from llama_index.core.base.llms.types import ChatMessage
from pydantic import SecretStr

from assistant_bridge.emulator import EMULATOR_KEYS, EmulatorURL, run_emulator
from assistant_bridge.jylo import AsyncJyloClient, JyloClient
from assistant_bridge.jylo._auth import _Token
from assistant_bridge.langchain import ChatJylo
from assistant_bridge.llama_index import Jylo

from ._token_counter import TokenCounter, counting_token_proxy

MODEL = "0f8a6c2e-3b1d-4e5f-9a7b-1c2d3e4f5a6b"

SCRIPT = r"""
import asyncio, gc, os, sys

found = []
sys.unraisablehook = lambda u: found.append(f"{u.exc_type.__name__}: {u.exc_value}")

from assistant_bridge.emulator import emulator_env, run_emulator
from assistant_bridge.langchain import ChatJylo, ChatUnleash, UnleashSearchRetriever
from assistant_bridge.llama_index import Jylo, Unleash
from llama_index.core.base.llms.types import ChatMessage

with run_emulator() as url:
    os.environ.update(emulator_env(url))
    ids = {"assistant_id": sys.argv[1], "model_identifier": sys.argv[2]}
    ask = [ChatMessage(role="user", content="What is our travel policy?")]
    chat_unleash, chat_jylo = ChatUnleash(), ChatJylo(**ids)
    li_unleash, li_jylo = Unleash(), Jylo(**ids)
    retriever = UnleashSearchRetriever(k=2)
    calls = [
        lambda: chat_unleash.ainvoke("What is our travel policy?"),
        lambda: chat_jylo.ainvoke("What is our travel policy?"),
        lambda: li_unleash.achat(ask),
        lambda: li_jylo.achat(ask),
        lambda: retriever.ainvoke("travel"),
    ]
    for _ in range(20):
        for call in calls:
            asyncio.run(call())
    for call in calls:  # loops closed without shutting down: sockets closed by the next
        loop = asyncio.new_event_loop()
        loop.run_until_complete(call())
        loop.close()
    for call in calls:
        asyncio.run(call())
    gc.collect()
    print(len(found))
    for line in found[:5]:
        print(line)
"""


@pytest.fixture(scope="module")
def url() -> Iterator[EmulatorURL]:
    with run_emulator() as base:
        yield base


def _ids(url: EmulatorURL) -> tuple[str, str]:
    with _jylo(url, url.jylo_token) as client:
        return client.list_assistants().items[0].object_identifier or "", MODEL


def _jylo(url: EmulatorURL, token_url: str, **kw: object) -> JyloClient:
    return JyloClient(
        client_id=EMULATOR_KEYS["jylo_client_id"],
        client_secret=EMULATOR_KEYS["jylo_client_secret"],
        project_id=EMULATOR_KEYS["jylo_project_id"],
        base_url=url.jylo,
        token_url=token_url,
        settings_url=url.jylo_settings,
        **kw,  # type: ignore[arg-type]
    )


def _settings(url: EmulatorURL, counter: TokenCounter) -> dict[str, str]:
    return {
        "client_id": EMULATOR_KEYS["jylo_client_id"],
        "client_secret": EMULATOR_KEYS["jylo_client_secret"],
        "project_id": EMULATOR_KEYS["jylo_project_id"],
        "base_url": url.jylo,
        "token_url": counter.url,
        "settings_url": url.jylo_settings,
    }


def test_a_hundred_asyncio_runs_leave_no_unclosed_socket(url: EmulatorURL) -> None:
    assistant, model = _ids(url)
    done = subprocess.run(
        [sys.executable, "-W", "error::ResourceWarning", "-c", SCRIPT, assistant, model],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.splitlines()[0] == "0", done.stdout + done.stderr[-2000:]


def test_chat_jylo_fetches_one_token_for_every_event_loop(url: EmulatorURL) -> None:
    assistant, model = _ids(url)
    with counting_token_proxy(url.jylo_token) as counter:
        chat = ChatJylo(assistant_id=assistant, model_identifier=model, **_settings(url, counter))
        answers = [asyncio.run(chat.ainvoke("What is our travel policy?")) for _ in range(4)]
        answers.append(chat.invoke("And the hotel budget?"))  # the sync client shares it too
        assert all(a.content for a in answers)
        assert counter.count == 1


def test_llama_index_jylo_fetches_one_token_for_every_event_loop(url: EmulatorURL) -> None:
    assistant, model = _ids(url)
    ask = [ChatMessage(role="user", content="What is our travel policy?")]
    with counting_token_proxy(url.jylo_token) as counter:
        llm = Jylo(assistant_id=assistant, model_identifier=model, **_settings(url, counter))
        answers = [asyncio.run(llm.achat(ask)) for _ in range(4)]
        assert all(a.message.content for a in answers)
        assert counter.count == 1


def _stale(client: JyloClient | AsyncJyloClient) -> None:
    """Cache a token the emulator rejects, as if it had been revoked."""
    client._auth._cache.token = _Token(SecretStr("stale-token"), refresh_at=float("inf"))  # type: ignore[union-attr]


def test_threads_that_all_get_a_401_fetch_one_new_token(url: EmulatorURL) -> None:
    threads_n = 8
    barrier = threading.Barrier(threads_n, timeout=10)
    rejected: list[int] = []

    def hold(request: httpx.Request) -> None:
        if request.headers.get("authorization") == "Bearer stale-token":
            barrier.wait()  # every thread sends the stale token before any 401 comes back

    def note(response: httpx.Response) -> None:
        if response.status_code == 401:
            rejected.append(1)

    assistant, _ = _ids(url)
    with counting_token_proxy(url.jylo_token) as counter:
        http = httpx.Client(event_hooks={"request": [hold], "response": [note]})
        with _jylo(url, counter.url, http_client=http) as client, http:
            _stale(client)
            errors: list[BaseException] = []

            def call() -> None:
                try:
                    client.list_messages(assistant, page_size=1)
                except BaseException as exc:
                    errors.append(exc)

            threads = [threading.Thread(target=call) for _ in range(threads_n)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(20)
        assert errors == []
        assert len(rejected) == threads_n
        assert counter.count == 1


async def test_concurrent_async_calls_that_all_get_a_401_fetch_one_new_token(
    url: EmulatorURL,
) -> None:
    calls_n = 8
    sent = 0
    all_sent = asyncio.Event()
    rejected: list[int] = []

    async def hold(request: httpx.Request) -> None:
        nonlocal sent
        if request.headers.get("authorization") == "Bearer stale-token":
            sent += 1
            if sent == calls_n:
                all_sent.set()
            await all_sent.wait()  # every call sends the stale token before any 401

    async def note(response: httpx.Response) -> None:
        if response.status_code == 401:
            rejected.append(1)

    assistant, _ = _ids(url)
    with counting_token_proxy(url.jylo_token) as counter:
        http = httpx.AsyncClient(event_hooks={"request": [hold], "response": [note]})
        client = AsyncJyloClient(
            client_id=EMULATOR_KEYS["jylo_client_id"],
            client_secret=EMULATOR_KEYS["jylo_client_secret"],
            project_id=EMULATOR_KEYS["jylo_project_id"],
            base_url=url.jylo,
            token_url=counter.url,
            http_client=http,
        )
        _stale(client)
        async with http:
            pages = await asyncio.wait_for(
                asyncio.gather(
                    *(client.list_messages(assistant, page_size=1) for _ in range(calls_n))
                ),
                20,
            )
        assert len(pages) == calls_n
        assert len(rejected) == calls_n
        assert counter.count == 1
