"""The operations the fault matrix runs: every vendor client and adapter, sync and async.

Each `Op` knows how to run one call against the emulator with a fault set on every
request (the fault header is a default header of the ``httpx`` client handed to the
vendor client, so adapters, which take ready clients, carry it too), and what the call
does on the wire: whether it creates something (a non-idempotent POST), whether the
emulator answers it with an event stream, and which vendor store it writes to. Each
call returns a short summary of its answer, compared with the answer the same call gives
without a fault, so a partial answer cannot pass as a complete one.
"""

from __future__ import annotations

import ssl
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from langchain_core.messages import HumanMessage
from llama_index.core.base.llms.types import ChatMessage, MessageRole

from assistant_bridge.emulator import EMULATOR_KEYS, FAULT_HEADER, EmulatorURL
from assistant_bridge.jylo import AsyncJyloClient, JyloClient
from assistant_bridge.langchain import (
    ChatJylo,
    ChatUnleash,
    JyloChatMessageHistory,
    UnleashChatRetriever,
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
from assistant_bridge.unleash import (
    AsyncUnleashClient,
    UnleashClient,
    assemble_chat,
    assemble_chat_v2,
)
from assistant_bridge.zaia import AsyncZaiaClient, ZaiaClient

QUESTION = "What is our travel policy?"
UNLEASH_MESSAGES = [{"role": "User", "text": QUESTION}]
SENDER = str(uuid.UUID("5b0f9a3c-1d2e-4f60-8a7b-9c0d1e2f3a4b"))
TLS = ssl.create_default_context()
"""One TLS context for every client (httpx builds a new one per client otherwise, ~17 ms)."""


@dataclass(frozen=True)
class Ids:
    """What the calls need from the emulator: a Jylo token, assistant and model, a Zaia chat."""

    token: str
    assistant: str
    model: str
    chat: str


@dataclass
class Env:
    """One case's connection: the emulator, the fault set, the read timeout, recorded sleeps."""

    url: EmulatorURL
    ids: Ids
    fault: str
    timeout: float
    sleeps: list[float] = field(default_factory=list)
    posts_only: bool = False
    """Fault only the POSTs (a resumable write reads the conversation around its posts)."""

    def _headers(self) -> dict[str, str]:
        return {FAULT_HEADER: self.fault} if self.fault else {}

    def _common(self) -> dict[str, Any]:
        return {"timeout": self.timeout, "max_retries": 1, "_random": lambda: 0.0}

    def _http(self) -> httpx.Client:
        hooks = {"request": [self._posts_only]} if self.posts_only else {}
        return httpx.Client(headers=self._headers(), verify=TLS, event_hooks=hooks)

    def _ahttp(self) -> httpx.AsyncClient:
        async def hook(request: httpx.Request) -> None:
            self._posts_only(request)

        hooks = {"request": [hook]} if self.posts_only else {}
        return httpx.AsyncClient(headers=self._headers(), verify=TLS, event_hooks=hooks)

    @staticmethod
    def _posts_only(request: httpx.Request) -> None:
        if request.method != "POST":
            request.headers.pop(FAULT_HEADER, None)

    async def _asleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)

    def unleash(self) -> UnleashClient:
        return UnleashClient(
            EMULATOR_KEYS["unleash"],
            base_url=self.url.unleash,
            http_client=self._http(),
            _sleep=self.sleeps.append,
            **self._common(),
        )

    def aunleash(self) -> AsyncUnleashClient:
        return AsyncUnleashClient(
            EMULATOR_KEYS["unleash"],
            base_url=self.url.unleash,
            http_client=self._ahttp(),
            _sleep=self._asleep,
            **self._common(),
        )

    def _jylo_kwargs(self) -> dict[str, Any]:
        return {
            "token": self.ids.token,
            "project_id": EMULATOR_KEYS["jylo_project_id"],
            "base_url": self.url.jylo,
            **self._common(),
        }

    def jylo(self) -> JyloClient:
        return JyloClient(
            **self._jylo_kwargs(), http_client=self._http(), _sleep=self.sleeps.append
        )

    def ajylo(self) -> AsyncJyloClient:
        return AsyncJyloClient(
            **self._jylo_kwargs(), http_client=self._ahttp(), _sleep=self._asleep
        )

    def zaia(self) -> ZaiaClient:
        return ZaiaClient(
            EMULATOR_KEYS["zaia"],
            base_url=self.url.zaia,
            http_client=self._http(),
            _sleep=self.sleeps.append,
            **self._common(),
        )

    def azaia(self) -> AsyncZaiaClient:
        return AsyncZaiaClient(
            EMULATOR_KEYS["zaia"],
            base_url=self.url.zaia,
            http_client=self._ahttp(),
            _sleep=self._asleep,
            **self._common(),
        )


SyncCall = Callable[[Env], str]
AsyncCall = Callable[[Env], Awaitable[str]]


@dataclass(frozen=True)
class Op:
    """One call of the matrix.

    Attributes:
        name: ``layer.call``, the test id.
        run: the call (sync or async, see ``is_async``), returning a summary of the answer.
        creates: a non-idempotent POST (retried only when the server cannot have acted).
        streamed: the caller reads an event stream as it comes (``cut-after`` applies).
        event_body: a non-streaming call whose answer comes as an event stream read
            whole (chat v2 asks for SSE): a cut is a broken body.
        store: the vendor whose stored messages it adds to (``"jylo"``, ``"zaia"``), if any.
        requests: HTTP requests one clean call makes (0: not a fixed number).
        seed: post one Jylo message first (so a read has something to read).
        resumes: a resumable write: it reads the conversation before posting and again
            after a failed post, so it finds a message the server stored anyway; the
            matrix faults only its POSTs.
    """

    name: str
    run: SyncCall | AsyncCall
    is_async: bool
    creates: bool
    streamed: bool = False
    event_body: bool = False
    store: str | None = None
    requests: int = 1
    seed: bool = False
    resumes: bool = False


# -- vendor clients ------------------------------------------------------------------
def _unleash_chat(env: Env) -> str:
    with env.unleash() as c:
        return c.chat(UNLEASH_MESSAGES).text or ""


async def _aunleash_chat(env: Env) -> str:
    async with env.aunleash() as c:
        return (await c.chat(UNLEASH_MESSAGES)).text or ""


def _unleash_stream(env: Env) -> str:
    with env.unleash() as c, c.stream_chat(UNLEASH_MESSAGES) as s:
        return assemble_chat(list(s)).text or ""


async def _aunleash_stream(env: Env) -> str:
    async with env.aunleash() as c:
        stream = await c.stream_chat(UNLEASH_MESSAGES)
        async with stream:
            return assemble_chat([e async for e in stream]).text or ""


def _unleash_chat_v2(env: Env) -> str:
    with env.unleash() as c:
        return c.chat_v2(UNLEASH_MESSAGES).text or ""


async def _aunleash_chat_v2(env: Env) -> str:
    async with env.aunleash() as c:
        return (await c.chat_v2(UNLEASH_MESSAGES)).text or ""


def _unleash_stream_v2(env: Env) -> str:
    with env.unleash() as c, c.stream_chat_v2(UNLEASH_MESSAGES) as s:
        return assemble_chat_v2(list(s)).text or ""


async def _aunleash_stream_v2(env: Env) -> str:
    async with env.aunleash() as c:
        stream = await c.stream_chat_v2(UNLEASH_MESSAGES)
        async with stream:
            return assemble_chat_v2([e async for e in stream]).text or ""


def _hits(response: Any) -> str:
    ids = [r.resource.id if r.resource else None for r in response.results]
    return f"{response.total_results}:{ids}"


def _unleash_search(env: Env) -> str:
    with env.unleash() as c:
        return _hits(c.search("travel", page_size=5))


async def _aunleash_search(env: Env) -> str:
    async with env.aunleash() as c:
        return _hits(await c.search("travel", page_size=5))


def _jylo_create(env: Env) -> str:
    with env.jylo() as c:
        return (
            c.create_message(env.ids.assistant, QUESTION, model_identifier=env.ids.model).text or ""
        )


async def _ajylo_create(env: Env) -> str:
    async with env.ajylo() as c:
        reply = await c.create_message(env.ids.assistant, QUESTION, model_identifier=env.ids.model)
        return reply.text or ""


def _jylo_stream(env: Env) -> str:
    with env.jylo() as c:
        with c.stream_message(env.ids.assistant, QUESTION, model_identifier=env.ids.model) as s:
            text = "".join(s)
        assert s.message is not None
        assert s.message.text == text
        return text


async def _ajylo_stream(env: Env) -> str:
    async with env.ajylo() as c:
        stream = await c.stream_message(env.ids.assistant, QUESTION, model_identifier=env.ids.model)
        async with stream:
            text = "".join([piece async for piece in stream])
        assert stream.message is not None
        assert stream.message.text == text
        return text


def _jylo_list(env: Env) -> str:
    with env.jylo() as c:
        return str([m.text for m in c.list_messages(env.ids.assistant)])


async def _ajylo_list(env: Env) -> str:
    async with env.ajylo() as c:
        return str([m.text for m in await c.list_messages(env.ids.assistant)])


def _zaia_create(env: Env) -> str:
    with env.zaia() as c:
        made = c.create_chat_message(env.ids.chat, "Noted.", sender_id=SENDER, role="user")
        return made.content or ""


async def _azaia_create(env: Env) -> str:
    async with env.azaia() as c:
        made = await c.create_chat_message(env.ids.chat, "Noted.", sender_id=SENDER, role="user")
        return made.content or ""


def _zaia_list(env: Env) -> str:
    with env.zaia() as c:
        return str([m.content for m in c.list_chat_messages(env.ids.chat)])


async def _azaia_list(env: Env) -> str:
    async with env.azaia() as c:
        return str([m.content for m in await c.list_chat_messages(env.ids.chat)])


# -- LangChain -----------------------------------------------------------------------
def _lc_unleash(env: Env) -> ChatUnleash:
    return ChatUnleash(client=env.unleash(), async_client=env.aunleash())


def _lc_jylo(env: Env) -> ChatJylo:
    return ChatJylo(
        client=env.jylo(),
        async_client=env.ajylo(),
        assistant_id=env.ids.assistant,
        model_identifier=env.ids.model,
    )


def _lc_invoke(make: Callable[[Env], Any]) -> tuple[SyncCall, AsyncCall]:
    def run(env: Env) -> str:
        return str(make(env).invoke(QUESTION).text)

    async def arun(env: Env) -> str:
        return str((await make(env).ainvoke(QUESTION)).text)

    return run, arun


def _lc_stream(make: Callable[[Env], Any]) -> tuple[SyncCall, AsyncCall]:
    def run(env: Env) -> str:
        return "".join(str(chunk.text) for chunk in make(env).stream(QUESTION))

    async def arun(env: Env) -> str:
        return "".join([str(chunk.text) async for chunk in make(env).astream(QUESTION)])

    return run, arun


def _docs(documents: list[Any]) -> str:
    return str([d.page_content[:40] for d in documents])


def _lc_retriever(make: Callable[[Env], Any]) -> tuple[SyncCall, AsyncCall]:
    def run(env: Env) -> str:
        return _docs(make(env).invoke("travel"))

    async def arun(env: Env) -> str:
        return _docs(await make(env).ainvoke("travel"))

    return run, arun


def _lc_jylo_history(env: Env) -> JyloChatMessageHistory:
    return JyloChatMessageHistory(
        env.ids.assistant,
        model_identifier=env.ids.model,
        client=env.jylo(),
        async_client=env.ajylo(),
    )


def _lc_zaia_history(env: Env) -> ZaiaChatMessageHistory:
    return ZaiaChatMessageHistory(
        env.ids.chat, sender_id=SENDER, client=env.zaia(), async_client=env.azaia()
    )


def _lc_history_add(make: Callable[[Env], Any]) -> tuple[SyncCall, AsyncCall]:
    def run(env: Env) -> str:
        make(env).add_messages([HumanMessage(QUESTION)])
        return "added"

    async def arun(env: Env) -> str:
        await make(env).aadd_messages([HumanMessage(QUESTION)])
        return "added"

    return run, arun


def _lc_history_read(make: Callable[[Env], Any]) -> tuple[SyncCall, AsyncCall]:
    def run(env: Env) -> str:
        return str([m.text for m in make(env).messages])

    async def arun(env: Env) -> str:
        return str([m.text for m in await make(env).aget_messages()])

    return run, arun


# -- LlamaIndex ----------------------------------------------------------------------
def _li_unleash(env: Env) -> Unleash:
    return Unleash(client=env.unleash(), async_client=env.aunleash())


def _li_jylo(env: Env) -> Jylo:
    return Jylo(
        client=env.jylo(),
        async_client=env.ajylo(),
        assistant_id=env.ids.assistant,
        model_identifier=env.ids.model,
    )


def _li_user() -> list[ChatMessage]:
    return [ChatMessage(role=MessageRole.USER, content=QUESTION)]


def _li_chat(make: Callable[[Env], Any]) -> tuple[SyncCall, AsyncCall]:
    def run(env: Env) -> str:
        return str(make(env).chat(_li_user()).message.content)

    async def arun(env: Env) -> str:
        return str((await make(env).achat(_li_user())).message.content)

    return run, arun


def _li_stream(make: Callable[[Env], Any]) -> tuple[SyncCall, AsyncCall]:
    def run(env: Env) -> str:
        return "".join(r.delta or "" for r in make(env).stream_chat(_li_user()))

    async def arun(env: Env) -> str:
        gen = await make(env).astream_chat(_li_user())
        return "".join([r.delta or "" async for r in gen])

    return run, arun


def _li_retriever(env: Env) -> UnleashRetriever:
    return UnleashRetriever(client=env.unleash(), async_client=env.aunleash())


def _li_retrieve() -> tuple[SyncCall, AsyncCall]:
    def run(env: Env) -> str:
        return str([n.node.get_content()[:40] for n in _li_retriever(env).retrieve("travel")])

    async def arun(env: Env) -> str:
        nodes = await _li_retriever(env).aretrieve("travel")
        return str([n.node.get_content()[:40] for n in nodes])

    return run, arun


def _li_jylo_store(env: Env) -> JyloChatStore:
    return JyloChatStore(
        client=env.jylo(), async_client=env.ajylo(), model_identifier=env.ids.model
    )


def _li_zaia_store(env: Env) -> ZaiaChatStore:
    return ZaiaChatStore(client=env.zaia(), async_client=env.azaia(), sender_id=SENDER)


def _li_store_add(
    make: Callable[[Env], Any], key: Callable[[Env], str]
) -> tuple[SyncCall, AsyncCall]:
    def run(env: Env) -> str:
        make(env).add_message(key(env), _li_user()[0])
        return "added"

    async def arun(env: Env) -> str:
        await make(env).async_add_message(key(env), _li_user()[0])
        return "added"

    return run, arun


def _li_store_read(
    make: Callable[[Env], Any], key: Callable[[Env], str]
) -> tuple[SyncCall, AsyncCall]:
    def run(env: Env) -> str:
        return str([m.content for m in make(env).get_messages(key(env))])

    async def arun(env: Env) -> str:
        return str([m.content for m in await make(env).aget_messages(key(env))])

    return run, arun


def _assistant(env: Env) -> str:
    return env.ids.assistant


def _chat(env: Env) -> str:
    return env.ids.chat


def _pair(name: str, calls: tuple[SyncCall, AsyncCall], **kw: Any) -> list[Op]:
    run, arun = calls
    return [Op(name, run, False, **kw), Op(f"{name}.async", arun, True, **kw)]


def _ops() -> list[Op]:
    jylo_store = {"store": "jylo"}
    zaia_store = {"store": "zaia"}
    return [
        *_pair("unleash.chat", (_unleash_chat, _aunleash_chat), creates=True),
        *_pair(
            "unleash.stream_chat", (_unleash_stream, _aunleash_stream), creates=True, streamed=True
        ),
        *_pair(
            "unleash.chat_v2", (_unleash_chat_v2, _aunleash_chat_v2), creates=True, event_body=True
        ),
        *_pair(
            "unleash.stream_chat_v2",
            (_unleash_stream_v2, _aunleash_stream_v2),
            creates=True,
            streamed=True,
        ),
        *_pair("unleash.search", (_unleash_search, _aunleash_search), creates=False),
        *_pair("jylo.create_message", (_jylo_create, _ajylo_create), creates=True, **jylo_store),
        *_pair(
            "jylo.stream_message",
            (_jylo_stream, _ajylo_stream),
            creates=True,
            streamed=True,
            **jylo_store,
        ),
        *_pair("jylo.list_messages", (_jylo_list, _ajylo_list), creates=False, seed=True),
        *_pair(
            "zaia.create_chat_message", (_zaia_create, _azaia_create), creates=True, **zaia_store
        ),
        *_pair("zaia.list_chat_messages", (_zaia_list, _azaia_list), creates=False),
        *_pair("lc.ChatUnleash.invoke", _lc_invoke(_lc_unleash), creates=True, event_body=True),
        *_pair("lc.ChatUnleash.stream", _lc_stream(_lc_unleash), creates=True, streamed=True),
        *_pair("lc.ChatJylo.invoke", _lc_invoke(_lc_jylo), creates=True, **jylo_store),
        *_pair(
            "lc.ChatJylo.stream", _lc_stream(_lc_jylo), creates=True, streamed=True, **jylo_store
        ),
        *_pair(
            "lc.UnleashSearchRetriever",
            _lc_retriever(
                lambda e: UnleashSearchRetriever(client=e.unleash(), async_client=e.aunleash())
            ),
            creates=False,
        ),
        *_pair(
            "lc.UnleashChatRetriever",
            _lc_retriever(
                lambda e: UnleashChatRetriever(client=e.unleash(), async_client=e.aunleash())
            ),
            creates=True,
            event_body=True,
        ),
        *_pair(
            "lc.JyloHistory.add",
            _lc_history_add(_lc_jylo_history),
            creates=True,
            resumes=True,
            **jylo_store,
        ),
        *_pair(
            "lc.JyloHistory.read",
            _lc_history_read(_lc_jylo_history),
            creates=False,
            seed=True,
            requests=0,
        ),
        *_pair(
            "lc.ZaiaHistory.add",
            _lc_history_add(_lc_zaia_history),
            creates=True,
            resumes=True,
            **zaia_store,
        ),
        *_pair(
            "lc.ZaiaHistory.read", _lc_history_read(_lc_zaia_history), creates=False, requests=0
        ),
        *_pair("li.Unleash.chat", _li_chat(_li_unleash), creates=True, event_body=True),
        *_pair("li.Unleash.stream_chat", _li_stream(_li_unleash), creates=True, streamed=True),
        *_pair("li.Jylo.chat", _li_chat(_li_jylo), creates=True, **jylo_store),
        *_pair(
            "li.Jylo.stream_chat", _li_stream(_li_jylo), creates=True, streamed=True, **jylo_store
        ),
        *_pair("li.UnleashRetriever", _li_retrieve(), creates=False, requests=0),
        *_pair(
            "li.JyloChatStore.add",
            _li_store_add(_li_jylo_store, _assistant),
            creates=True,
            resumes=True,
            **jylo_store,
        ),
        *_pair(
            "li.JyloChatStore.read",
            _li_store_read(_li_jylo_store, _assistant),
            creates=False,
            seed=True,
            requests=0,
        ),
        *_pair(
            "li.ZaiaChatStore.add",
            _li_store_add(_li_zaia_store, _chat),
            creates=True,
            resumes=True,
            **zaia_store,
        ),
        *_pair(
            "li.ZaiaChatStore.read",
            _li_store_read(_li_zaia_store, _chat),
            creates=False,
            requests=0,
        ),
    ]


OPS = _ops()
PER_CALL = {"jylo": 2, "zaia": 1}
"""Messages one processed POST stores: Jylo keeps the question and its reply."""
