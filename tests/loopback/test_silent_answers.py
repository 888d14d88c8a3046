"""Never a silent wrong answer: every chat layer against the emulator's empty and early ends.

Every chat layer (the Unleash clients v1 and v2, whole and streamed, sync and async;
``ChatUnleash`` v1 and v2 invoke, stream, ainvoke, astream; the LlamaIndex ``Unleash``
chat, stream_chat and their async forms; both chat retrievers; the Jylo client, whole and
streamed, sync and async; ``ChatJylo`` invoke, ainvoke, stream, astream; the LlamaIndex
``Jylo`` chat, achat, stream_chat, astream_chat) is run

- under ``empty:KIND`` for every KIND the emulator has: each raises `EmptyAnswerError`
  (``allow_partial`` does not change that: there is nothing to return);
- under ``stop-after:N`` (a stream that ends cleanly after N events) for a range of N:
  none returns ``finish_reason="stop"`` with a text shorter than the clean answer; a text
  shorter than the clean answer is marked ``"unconfirmed"`` or ``"incomplete"``, or the
  call raises `IncompleteAnswerError`; with ``allow_partial=True`` no
  `IncompleteAnswerError` other than an empty answer is raised and what is returned is
  marked.
"""

from __future__ import annotations

import ssl
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from assistant_bridge import (
    APIConnectionError,
    EmptyAnswerError,
    IncompleteAnswerError,
    JyloClient,
    StreamError,
)
from assistant_bridge.emulator import EMULATOR_KEYS, FAULT_HEADER, EmulatorURL, run_emulator
from assistant_bridge.emulator._faults import EMPTY_KINDS
from assistant_bridge.jylo import AsyncJyloClient
from assistant_bridge.unleash import (
    AsyncUnleashClient,
    UnleashClient,
    assemble_chat,
    assemble_chat_v2,
)

QUESTION = "What is a per diem?"
TLS = ssl.create_default_context()
Result = tuple[str, str | None]
"""A layer's answer text and its finish_reason (None: the layer reports none)."""


@dataclass
class Conn:
    """One case's clients: the emulator, the fault set, whether partial answers are allowed."""

    url: EmulatorURL
    fault: str
    assistant: str
    model: str
    token: str
    allow: bool = False

    def _headers(self) -> dict[str, str]:
        return {FAULT_HEADER: self.fault} if self.fault else {}

    def unleash(self) -> UnleashClient:
        http = httpx.Client(headers=self._headers(), verify=TLS)
        return UnleashClient(
            EMULATOR_KEYS["unleash"], base_url=self.url.unleash, http_client=http, max_retries=0
        )

    def aunleash(self) -> AsyncUnleashClient:
        http = httpx.AsyncClient(headers=self._headers(), verify=TLS)
        return AsyncUnleashClient(
            EMULATOR_KEYS["unleash"], base_url=self.url.unleash, http_client=http, max_retries=0
        )

    def _jylo(self) -> dict[str, Any]:
        return {
            "token": self.token,
            "project_id": EMULATOR_KEYS["jylo_project_id"],
            "base_url": self.url.jylo,
            "max_retries": 0,
        }

    def jylo(self) -> JyloClient:
        return JyloClient(
            **self._jylo(), http_client=httpx.Client(headers=self._headers(), verify=TLS)
        )

    def ajylo(self) -> AsyncJyloClient:
        return AsyncJyloClient(
            **self._jylo(), http_client=httpx.AsyncClient(headers=self._headers(), verify=TLS)
        )


Layer = Callable[[Conn], Result | Awaitable[Result]]
LAYERS: dict[str, Layer] = {}
STREAMED: set[str] = set()
"""The layers that read an event stream (``stop-after`` applies to them)."""


def layer(name: str, *, streamed: bool = False) -> Callable[[Layer], Layer]:
    def register(run: Layer) -> Layer:
        LAYERS[name] = run
        if streamed:
            STREAMED.add(name)
        return run

    return register


MESSAGES = [{"role": "User", "text": QUESTION}]


# -- the Unleash clients ----------------------------------------------------------------
@layer("client.chat")
def _chat(c: Conn) -> Result:
    with c.unleash() as client:
        answer = client.chat(MESSAGES, allow_partial=c.allow)
    return answer.text, answer.finish_reason


@layer("client.stream_chat", streamed=True)
def _stream_chat(c: Conn) -> Result:
    with c.unleash() as client, client.stream_chat(MESSAGES) as stream:
        answer = assemble_chat(list(stream), end_seen=stream.terminated, allow_partial=c.allow)
    return answer.text, answer.finish_reason


@layer("client.chat_v2", streamed=True)
def _chat_v2(c: Conn) -> Result:
    with c.unleash() as client:
        answer = client.chat_v2(MESSAGES, allow_partial=c.allow)
    return answer.text, answer.finish_reason


@layer("client.stream_chat_v2", streamed=True)
def _stream_chat_v2(c: Conn) -> Result:
    with c.unleash() as client, client.stream_chat_v2(MESSAGES) as stream:
        answer = assemble_chat_v2(list(stream), end_seen=stream.terminated, allow_partial=c.allow)
    return answer.text, answer.finish_reason


@layer("async client.chat")
async def _achat(c: Conn) -> Result:
    async with c.aunleash() as client:
        answer = await client.chat(MESSAGES, allow_partial=c.allow)
    return answer.text, answer.finish_reason


@layer("async client.stream_chat", streamed=True)
async def _astream_chat(c: Conn) -> Result:
    async with c.aunleash() as client:
        stream = await client.stream_chat(MESSAGES)
        async with stream:
            answer = assemble_chat(
                [e async for e in stream], end_seen=stream.terminated, allow_partial=c.allow
            )
    return answer.text, answer.finish_reason


@layer("async client.chat_v2", streamed=True)
async def _achat_v2(c: Conn) -> Result:
    async with c.aunleash() as client:
        answer = await client.chat_v2(MESSAGES, allow_partial=c.allow)
    return answer.text, answer.finish_reason


@layer("async client.stream_chat_v2", streamed=True)
async def _astream_chat_v2(c: Conn) -> Result:
    async with c.aunleash() as client:
        stream = await client.stream_chat_v2(MESSAGES)
        async with stream:
            answer = assemble_chat_v2(
                [x async for x in stream], end_seen=stream.terminated, allow_partial=c.allow
            )
    return answer.text, answer.finish_reason


# -- LangChain ----------------------------------------------------------------------------
def _lc(c: Conn, version: str) -> Any:
    from assistant_bridge.langchain import ChatUnleash

    return ChatUnleash(
        api_version=version, client=c.unleash(), async_client=c.aunleash(), allow_partial=c.allow
    )


def _merged(chunks: list[Any]) -> Result:
    merged = chunks[0]
    for chunk in chunks[1:]:
        merged = merged + chunk
    return str(merged.text), merged.response_metadata.get("finish_reason")


for _version in ("v1", "v2"):

    def _make(version: str) -> None:
        @layer(f"ChatUnleash({version}).invoke", streamed=version == "v2")
        def invoke(c: Conn) -> Result:
            message = _lc(c, version).invoke(QUESTION)
            return str(message.text), message.response_metadata.get("finish_reason")

        @layer(f"ChatUnleash({version}).stream", streamed=True)
        def stream(c: Conn) -> Result:
            return _merged(list(_lc(c, version).stream(QUESTION)))

        @layer(f"ChatUnleash({version}).ainvoke", streamed=version == "v2")
        async def ainvoke(c: Conn) -> Result:
            message = await _lc(c, version).ainvoke(QUESTION)
            return str(message.text), message.response_metadata.get("finish_reason")

        @layer(f"ChatUnleash({version}).astream", streamed=True)
        async def astream(c: Conn) -> Result:
            return _merged([chunk async for chunk in _lc(c, version).astream(QUESTION)])

        @layer(f"Unleash({version}).chat", streamed=version == "v2")
        def li_chat(c: Conn) -> Result:
            response = _li(c, version).chat(_li_question())
            return response.message.content or "", response.additional_kwargs.get("finish_reason")

        @layer(f"Unleash({version}).stream_chat", streamed=True)
        def li_stream(c: Conn) -> Result:
            last = list(_li(c, version).stream_chat(_li_question()))[-1]
            return last.message.content or "", last.additional_kwargs.get("finish_reason")

        @layer(f"Unleash({version}).achat", streamed=version == "v2")
        async def li_achat(c: Conn) -> Result:
            response = await _li(c, version).achat(_li_question())
            return response.message.content or "", response.additional_kwargs.get("finish_reason")

        @layer(f"Unleash({version}).astream_chat", streamed=True)
        async def li_astream(c: Conn) -> Result:
            last = [r async for r in await _li(c, version).astream_chat(_li_question())][-1]
            return last.message.content or "", last.additional_kwargs.get("finish_reason")

    _make(_version)


def _li(c: Conn, version: str) -> Any:
    from assistant_bridge.llama_index import Unleash

    return Unleash(
        api_version=version, client=c.unleash(), async_client=c.aunleash(), allow_partial=c.allow
    )


def _li_question() -> list[Any]:
    from llama_index.core.llms import ChatMessage

    return [ChatMessage(role="user", content=QUESTION)]


@layer("UnleashChatRetriever", streamed=True)
def _lc_retriever(c: Conn) -> Result:
    from assistant_bridge.langchain import UnleashChatRetriever

    docs = UnleashChatRetriever(client=c.unleash(), async_client=c.aunleash()).invoke(QUESTION)
    return str([d.page_content[:20] for d in docs]), None


@layer("UnleashRetriever(chat)", streamed=True)
async def _li_retriever(c: Conn) -> Result:
    from assistant_bridge.llama_index import UnleashRetriever

    nodes = await UnleashRetriever(
        mode="chat", client=c.unleash(), async_client=c.aunleash()
    ).aretrieve(QUESTION)
    return str([n.node.get_content()[:20] for n in nodes]), None


# -- Jylo ---------------------------------------------------------------------------------
def _jylo_finish(message: Any) -> str:
    from assistant_bridge.jylo._reply import reply_finish_reason

    return reply_finish_reason(message)


@layer("jylo.create_message")
def _jylo_create(c: Conn) -> Result:
    with c.jylo() as client:
        reply = client.create_message(
            c.assistant, QUESTION, model_identifier=c.model, allow_partial=c.allow
        )
    return reply.text or "", _jylo_finish(reply)


@layer("async jylo.create_message")
async def _ajylo_create(c: Conn) -> Result:
    async with c.ajylo() as client:
        reply = await client.create_message(
            c.assistant, QUESTION, model_identifier=c.model, allow_partial=c.allow
        )
    return reply.text or "", _jylo_finish(reply)


@layer("jylo.stream_message", streamed=True)
def _jylo_stream(c: Conn) -> Result:
    with (
        c.jylo() as client,
        client.stream_message(
            c.assistant, QUESTION, model_identifier=c.model, allow_partial=c.allow
        ) as stream,
    ):
        text = "".join(stream)
    return text, "stop" if stream.end_seen else "unconfirmed"


@layer("async jylo.stream_message", streamed=True)
async def _ajylo_stream(c: Conn) -> Result:
    async with c.ajylo() as client:
        stream = await client.stream_message(
            c.assistant, QUESTION, model_identifier=c.model, allow_partial=c.allow
        )
        async with stream:
            text = "".join([piece async for piece in stream])
    return text, "stop" if stream.end_seen else "unconfirmed"


def _chat_jylo(c: Conn) -> Any:
    from assistant_bridge.langchain import ChatJylo

    return ChatJylo(
        client=c.jylo(),
        async_client=c.ajylo(),
        assistant_id=c.assistant,
        model_identifier=c.model,
        allow_partial=c.allow,
    )


@layer("ChatJylo.invoke")
def _chat_jylo_invoke(c: Conn) -> Result:
    message = _chat_jylo(c).invoke(QUESTION)
    return str(message.text), message.response_metadata.get("finish_reason")


@layer("ChatJylo.ainvoke")
async def _chat_jylo_ainvoke(c: Conn) -> Result:
    message = await _chat_jylo(c).ainvoke(QUESTION)
    return str(message.text), message.response_metadata.get("finish_reason")


@layer("ChatJylo.stream", streamed=True)
def _chat_jylo_stream(c: Conn) -> Result:
    return _merged(list(_chat_jylo(c).stream(QUESTION)))


@layer("ChatJylo.astream", streamed=True)
async def _chat_jylo_astream(c: Conn) -> Result:
    return _merged([chunk async for chunk in _chat_jylo(c).astream(QUESTION)])


def _li_jylo(c: Conn) -> Any:
    from assistant_bridge.llama_index import Jylo

    return Jylo(
        client=c.jylo(),
        async_client=c.ajylo(),
        assistant_id=c.assistant,
        model_identifier=c.model,
        allow_partial=c.allow,
    )


@layer("Jylo.chat")
def _li_jylo_chat(c: Conn) -> Result:
    response = _li_jylo(c).chat(_li_question())
    return response.message.content or "", response.additional_kwargs.get("finish_reason")


@layer("Jylo.achat")
async def _li_jylo_achat(c: Conn) -> Result:
    response = await _li_jylo(c).achat(_li_question())
    return response.message.content or "", response.additional_kwargs.get("finish_reason")


@layer("Jylo.stream_chat", streamed=True)
def _li_jylo_stream(c: Conn) -> Result:
    last = list(_li_jylo(c).stream_chat(_li_question()))[-1]
    return last.message.content or "", last.additional_kwargs.get("finish_reason")


@layer("Jylo.astream_chat", streamed=True)
async def _li_jylo_astream(c: Conn) -> Result:
    last = [r async for r in await _li_jylo(c).astream_chat(_li_question())][-1]
    return last.message.content or "", last.additional_kwargs.get("finish_reason")


# -- running ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Setup:
    url: EmulatorURL
    assistant: str
    model: str
    token: str

    def conn(self, fault: str, allow: bool = False) -> Conn:
        return Conn(self.url, fault, self.assistant, self.model, self.token, allow)


@pytest.fixture(scope="module")
def setup() -> Iterator[Setup]:
    with run_emulator() as url:
        jylo = JyloClient(
            client_id=EMULATOR_KEYS["jylo_client_id"],
            client_secret=EMULATOR_KEYS["jylo_client_secret"],
            project_id=EMULATOR_KEYS["jylo_project_id"],
            base_url=url.jylo,
            token_url=url.jylo_token,
            settings_url=url.jylo_settings,
        )
        with jylo:
            model = jylo.list_models()[0].object_identifier
            assistant = jylo.list_assistants().items[0].object_identifier
            token = jylo._settings_token() if hasattr(jylo, "_settings_token") else None
        token = (
            token
            or httpx.post(
                url.jylo_token,
                data={
                    "grant_type": "client_credentials",
                    "client_id": EMULATOR_KEYS["jylo_client_id"],
                    "client_secret": EMULATOR_KEYS["jylo_client_secret"],
                    "audience": "https://jga.jylo.ai/external/v2",
                },
                verify=TLS,
            ).json()["access_token"]
        )
        assert model
        assert assistant
        yield Setup(url, str(assistant), str(model), str(token))


async def run(name: str, conn: Conn) -> tuple[Result | None, BaseException | None]:
    try:
        value = LAYERS[name](conn)
        if isinstance(value, Awaitable):
            value = await value
        return value, None
    except Exception as exc:
        return None, exc


_CLEAN: dict[str, str] = {}


async def clean(name: str, setup: Setup) -> str:
    if name not in _CLEAN:
        value, error = await run(name, setup.conn(""))
        assert error is None, f"{name} fails without a fault: {error!r}"
        assert value is not None
        assert value[0]
        if value[1] is not None:
            assert value[1] in ("stop", "unconfirmed"), (name, value)
        _CLEAN[name] = value[0]
    return _CLEAN[name]


@pytest.mark.parametrize("kind", list(EMPTY_KINDS))
@pytest.mark.parametrize("name", list(LAYERS))
async def test_an_empty_success_is_an_error_in_every_layer(
    name: str, kind: str, setup: Setup
) -> None:
    for allow in (False, True):
        value, error = await run(name, setup.conn(f"empty:{kind}", allow))
        assert isinstance(error, EmptyAnswerError), (
            f"{name} under empty:{kind} gave {value!r} / {error!r}"
        )
        assert value is None


STOPS = [0, 1, 2, 3, 5, 8, 12, 17, 23, 30]


@pytest.mark.parametrize("name", sorted(STREAMED))
async def test_an_early_end_is_never_a_complete_answer(name: str, setup: Setup) -> None:
    whole = await clean(name, setup)
    retriever = LAYERS[name] in (_lc_retriever, _li_retriever)  # no allow_partial: raise or whole
    marked = 0
    for stop in STOPS:
        for allow in (False,) if retriever else (False, True):
            value, error = await run(name, setup.conn(f"stop-after:{stop}", allow))
            if error is not None:
                assert isinstance(error, IncompleteAnswerError), (
                    f"{name} stop-after:{stop}: {error!r}"
                )
                if allow:
                    assert isinstance(error, EmptyAnswerError), (
                        f"{name}: allow_partial still raised {error!r}"
                    )
                continue
            assert value is not None
            text, finish = value
            if text != whole:
                assert finish != "stop", (
                    f"{name} stop-after:{stop}: {len(text)} of {len(whole)} chars marked stop"
                )
                marked += finish is not None
            if finish == "incomplete":
                assert allow, f"{name}: an incomplete answer returned without allow_partial"
    if retriever:
        return
    assert marked or name.startswith(("jylo", "async jylo", "ChatJylo", "Jylo")), (
        f"{name}: no early end seen"
    )


@pytest.mark.parametrize("fault", ["cut-after:3", "short-body"])
@pytest.mark.parametrize("name", list(LAYERS))
async def test_a_body_cut_at_the_http_level_raises_in_every_layer(
    name: str, fault: str, setup: Setup
) -> None:
    if fault.startswith("cut-after") and name not in STREAMED:
        pytest.skip("a JSON body is not an event stream: cut-after does not apply")
    value, error = await run(name, setup.conn(fault))
    assert isinstance(error, (StreamError, APIConnectionError)), (
        f"{name} under {fault}: {value!r} / {error!r}"
    )
