"""Every Jylo client and adapter gives the same answer in both dialects and every variant.

Seed 003 does not say how a ``stream: true`` reply is framed, nor whether the stream ends
with the whole stored message. The emulator can send each plausible shape (see
`assistant_bridge.emulator.VARIANTS`): ``jylo-stream`` frames it as ``Accept`` asks, or
always as SSE, NDJSON or one JSON body; ``jylo-end`` ends it with the stored message or
just after the text pieces. For each setting, in the ``documented`` and the ``extended``
dialect, every layer (the clients sync and async, streamed and whole; ``ChatJylo``
invoke, stream and astream; the LlamaIndex ``Jylo`` chat, stream_chat and astream_chat;
the LangChain history and the LlamaIndex chat store) must give the text and the cited
sources (ids and spans) the documented default gives. Where a stream ends without the
stored message, the clients read it back by id (``GET .../messages/{id}``): the test
checks that they do exactly then.

Each setting is chosen per client: its ``httpx`` client sends the ``x-emulator-dialect``
and ``x-emulator-variant`` headers, so one emulator serves the whole module, and each
setting posts to an assistant of its own.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from assistant_bridge.emulator import (
    DIALECT_HEADER,
    EMULATOR_KEYS,
    VARIANT_HEADER,
    EmulatorURL,
    run_emulator,
)
from assistant_bridge.jylo import AsyncJyloClient, JyloClient, Message
from assistant_bridge.sources import Source, sources_from_jylo

QUESTION = "What is our travel policy?"
MODEL = "0f8a6c2e-3b1d-4e5f-9a7b-1c2d3e4f5a6b"
DIALECTS = ["documented", "extended"]
SETTINGS = [
    ", ".join(
        p
        for p in (
            f"jylo-stream={s}" if s != "accept" else "",
            f"jylo-end={e}" if e != "message" else "",
        )
        if p
    )
    for s, e in itertools.product(["accept", "sse", "ndjson", "json"], ["message", "none"])
]
READ_BACK = re.compile(r"/messages/[0-9a-f-]{36}$")

Cited = list[tuple[str, tuple[tuple[int, int], ...]]]
Summary = tuple[str, Cited]


@pytest.fixture(scope="module")
def url() -> Iterator[EmulatorURL]:
    with run_emulator() as base:
        yield base


class Wire:
    """Clients whose every request asks for one dialect and variant set, and what they sent."""

    def __init__(self, url: EmulatorURL, dialect: str, variants: str) -> None:
        self.headers = {DIALECT_HEADER: dialect, VARIANT_HEADER: variants}
        self.sent: list[tuple[str, str]] = []
        kwargs: dict[str, Any] = {
            "client_id": EMULATOR_KEYS["jylo_client_id"],
            "client_secret": EMULATOR_KEYS["jylo_client_secret"],
            "project_id": EMULATOR_KEYS["jylo_project_id"],
            "base_url": url.jylo,
            "token_url": url.jylo_token,
            "settings_url": url.jylo_settings,
        }

        def note(request: httpx.Request) -> None:
            self.sent.append((request.method, request.url.path))

        async def anote(request: httpx.Request) -> None:
            note(request)

        hooks: Any = {"request": [note]}
        ahooks: Any = {"request": [anote]}
        self.sync = JyloClient(
            **kwargs, http_client=httpx.Client(headers=self.headers, event_hooks=hooks)
        )
        self.aclient = AsyncJyloClient(
            **kwargs, http_client=httpx.AsyncClient(headers=self.headers, event_hooks=ahooks)
        )

    def read_backs(self) -> int:
        """How many messages were read back by id (GET .../messages/{id})."""
        return sum(1 for method, path in self.sent if method == "GET" and READ_BACK.search(path))


def cited(sources: list[Source]) -> Cited:
    return [(s.id or "", tuple((c.start_index, c.end_index) for c in s.citations)) for s in sources]


def of_message(message: Message, text: str | None = None) -> Summary:
    return (
        text if text is not None else message.text or "",
        cited(sources_from_jylo(message, text=text)),
    )


def from_metadata(items: list[dict[str, Any]]) -> Cited:
    """The same, from the ``sources`` the adapters put in a message / response."""
    return [
        (
            m["metadata"].get("id", ""),
            tuple((c["start_index"], c["end_index"]) for c in m["metadata"].get("citations", [])),
        )
        for m in items
    ]


def from_blocks(message: Any) -> list[tuple[str, int, int]]:
    """A LlamaIndex message's citation blocks as (source, start, end)."""
    return [
        (
            b.source,
            b.additional_location_info["start_index"],
            b.additional_location_info["end_index"],
        )
        for b in message.blocks
        if b.block_type == "citation"
    ]


def client_answers(wire: Wire, assistant: str) -> dict[str, Summary]:
    out: dict[str, Summary] = {}
    whole = wire.sync.create_message(assistant, QUESTION, model_identifier=MODEL)
    out["client.create_message"] = of_message(whole)
    with wire.sync.stream_message(assistant, QUESTION, model_identifier=MODEL) as stream:
        text = "".join(stream)
    assert stream.message is not None
    assert stream.message.object_identifier, "the stored message, not one built from the text"
    assert stream.message.text == text
    assert stream.message.text_with_citations
    out["client.stream_message"] = of_message(stream.message, text)
    return out


async def async_client_answers(wire: Wire, assistant: str) -> dict[str, Summary]:
    out: dict[str, Summary] = {}
    whole = await wire.aclient.create_message(assistant, QUESTION, model_identifier=MODEL)
    out["async client.create_message"] = of_message(whole)
    stream = await wire.aclient.stream_message(assistant, QUESTION, model_identifier=MODEL)
    async with stream:
        text = "".join([piece async for piece in stream])
    assert stream.message is not None
    assert stream.message.object_identifier
    assert stream.message.text_with_citations
    out["async client.stream_message"] = of_message(stream.message, text)
    return out


async def langchain_answers(wire: Wire, assistant: str) -> dict[str, Summary]:
    from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage

    from assistant_bridge.langchain import ChatJylo, JyloChatMessageHistory

    llm = ChatJylo(client=wire.sync, async_client=wire.aclient, assistant_id=assistant, model=MODEL)
    out: dict[str, Summary] = {}
    message = llm.invoke(QUESTION)
    out["ChatJylo.invoke"] = (message.text, from_metadata(message.additional_kwargs["sources"]))
    merged: AIMessageChunk | None = None
    for chunk in llm.stream(QUESTION):
        merged = chunk if merged is None else merged + chunk
    assert merged is not None
    assert merged.id, "the stored message's id"
    out["ChatJylo.stream"] = (merged.text, from_metadata(merged.additional_kwargs["sources"]))
    amerged: AIMessageChunk | None = None
    async for chunk in llm.astream(QUESTION):
        amerged = chunk if amerged is None else amerged + chunk
    assert amerged is not None
    out["ChatJylo.astream"] = (amerged.text, from_metadata(amerged.additional_kwargs["sources"]))
    # The stored message came (or was read back): the end of the reply was seen.
    for got in (message, merged, amerged):
        assert got.response_metadata["finish_reason"] == "stop"
    history = JyloChatMessageHistory(
        assistant, model_identifier=MODEL, client=wire.sync, async_client=wire.aclient
    )
    history.add_messages([HumanMessage(QUESTION)])
    last = history.messages[-1]
    assert isinstance(last, AIMessage)
    out["JyloChatMessageHistory"] = (last.text, from_metadata(last.additional_kwargs["sources"]))
    await history.aadd_messages([HumanMessage(QUESTION)])
    alast = (await history.aget_messages())[-1]
    assert isinstance(alast, AIMessage)
    out["JyloChatMessageHistory async"] = (
        alast.text,
        from_metadata(alast.additional_kwargs["sources"]),
    )
    return out


async def llama_index_answers(
    wire: Wire, assistant: str
) -> tuple[dict[str, Summary], dict[str, Any]]:
    from llama_index.core.llms import ChatMessage

    from assistant_bridge.llama_index import Jylo, JyloChatStore

    llm = Jylo(
        client=wire.sync, async_client=wire.aclient, assistant_id=assistant, model_identifier=MODEL
    )
    ask = [ChatMessage(role="user", content=QUESTION)]
    out: dict[str, Summary] = {}
    blocks: dict[str, Any] = {}
    response = llm.chat(ask)
    out["Jylo.chat"] = (
        response.message.content or "",
        from_metadata(response.additional_kwargs["sources"]),
    )
    blocks["Jylo.chat"] = from_blocks(response.message)
    *_, last = llm.stream_chat(ask)
    out["Jylo.stream_chat"] = (
        last.message.content or "",
        from_metadata(last.additional_kwargs["sources"]),
    )
    blocks["Jylo.stream_chat"] = from_blocks(last.message)
    alast = [step async for step in await llm.astream_chat(ask)][-1]
    out["Jylo.astream_chat"] = (
        alast.message.content or "",
        from_metadata(alast.additional_kwargs["sources"]),
    )
    blocks["Jylo.astream_chat"] = from_blocks(alast.message)
    for got in (response, last, alast):
        assert got.additional_kwargs["finish_reason"] == "stop"
    store = JyloChatStore(model_identifier=MODEL, client=wire.sync, async_client=wire.aclient)
    store.add_message(assistant, ChatMessage(role="user", content=QUESTION))
    stored = store.get_messages(assistant)[-1]
    blocks["JyloChatStore"] = (stored.content, from_blocks(stored))
    await store.async_add_message(assistant, ChatMessage(role="user", content=QUESTION))
    astored = (await store.aget_messages(assistant))[-1]
    blocks["JyloChatStore async"] = (astored.content, from_blocks(astored))
    return out, blocks


@pytest.fixture(scope="module")
def baseline(url: EmulatorURL) -> tuple[Summary, list[tuple[str, int, int]]]:
    """The documented default's answer: text and cited sources, and LlamaIndex's blocks."""
    from llama_index.core.llms import ChatMessage

    from assistant_bridge.llama_index import Jylo

    wire = Wire(url, "documented", "")
    with wire.sync:
        assistant = wire.sync.create_assistant("baseline").id
        assert assistant
        answer = of_message(wire.sync.create_message(assistant, QUESTION, model_identifier=MODEL))
        llm = Jylo(client=wire.sync, assistant_id=assistant, model_identifier=MODEL)
        blocks = from_blocks(llm.chat([ChatMessage(role="user", content=QUESTION)]).message)
    assert len([c for c in answer[1] if c[1]]) >= 2, "the baseline cites several sources"
    assert blocks
    return answer, blocks


@pytest.mark.parametrize("variants", SETTINGS)
@pytest.mark.parametrize("dialect", DIALECTS)
async def test_every_layer_agrees_in_every_dialect_and_variant(
    url: EmulatorURL,
    baseline: tuple[Summary, list[tuple[str, int, int]]],
    dialect: str,
    variants: str,
) -> None:
    (text, sources), blocks = baseline
    wire = Wire(url, dialect, variants)
    with wire.sync:
        assistant = wire.sync.create_assistant(f"{dialect} {variants}").id
        assert assistant
        answers = client_answers(wire, assistant)
        async with wire.aclient:
            answers |= await async_client_answers(wire, assistant)
            answers |= await langchain_answers(wire, assistant)
            li_answers, li_blocks = await llama_index_answers(wire, assistant)
    answers |= li_answers
    for layer, (got_text, got_sources) in answers.items():
        assert got_text == text, layer
        assert got_sources == sources, layer
    for layer, got in li_blocks.items():
        if layer.startswith("JyloChatStore"):
            assert got == (text, blocks), layer
        else:
            assert got == blocks, layer
    # Streams that end without the stored message are completed by reading it back, once per
    # stream (sync and async client, ChatJylo stream/astream, Jylo stream_chat/astream_chat).
    streams_without_the_message = "jylo-end=none" in variants and "jylo-stream=json" not in variants
    assert wire.read_backs() == (6 if streams_without_the_message else 0)
