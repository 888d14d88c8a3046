"""Every Unleash client and adapter gives the same answer in both dialects and every variant.

The emulator can send each plausible shape the code claims to accept (see
`assistant_bridge.emulator.VARIANTS`): v1 parts at the top level or under ``message``,
deltas or cumulative snapshots, lower-case part types, a stream with or without its end
marker, v2 text as deltas or snapshots, with or without a ``[DONE]``, the v2 answer as SSE
or JSON; and each in the ``documented`` and the ``extended`` dialect. For each setting,
every layer (the clients sync and async, streamed and whole; ``ChatUnleash`` invoke,
stream and their async forms; the LlamaIndex ``Unleash`` chat and stream_chat; the chat
retrievers of both frameworks) must give the text and the cited sources (ids and spans)
that the documented default gives. One exception is by the documents themselves: a
whole v2 JSON body has room for one ``reference`` and one ``tool``, so from it only the
citations it can carry survive (the clients ask for the stream, which carries them all).

The setting is chosen per client: each client's ``httpx`` client sends the
``x-emulator-dialect`` / ``x-emulator-variant`` headers, and the adapters are given those
clients, so one emulator serves the whole module.

Cumulative text is never guessed: for the ``v1-text=snapshot`` / ``v2-text=snapshot``
variants every layer is told so (``text_mode="snapshot"``), and without that setting
the snapshots are joined as deltas (nothing dropped, nothing passed off as the answer).
Each layer's ``finish_reason`` is ``"stop"`` exactly when the end was seen: a v1 ``Full``
event, a v2 ``[DONE]``, or a whole JSON body; else ``"unconfirmed"``.
"""

from __future__ import annotations

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
from assistant_bridge.sources import Source, sources_from_chat, sources_from_chat_v2
from assistant_bridge.unleash import (
    AsyncUnleashClient,
    UnleashClient,
    assemble_chat,
    assemble_chat_v2,
)

V2_QUESTION = "What is a per diem?"  # cites enterprise resources and a web page
V1_QUESTION = "What is our travel policy?"
V2_VARIANTS = [
    "",
    "v2-text=snapshot",
    "v2-end=done",
    "v2-body=sse",
    "v2-text=snapshot, v2-end=done",
    "v2-body=json",
]
V1_VARIANTS = [
    "",
    "v1-message=top",
    "v1-text=snapshot",
    "v1-case=lower",
    "v1-end=none",
    "v1-message=top, v1-text=snapshot, v1-case=lower, v1-end=none",
]
DIALECTS = ["documented", "extended"]

Cited = list[tuple[str, tuple[tuple[int, int], ...]]]
Summary = tuple[str, Cited]
Finish = dict[str, str]
"""Each adapter layer's ``finish_reason``."""


def text_mode(variants: str) -> str:
    """How the caller says this variant's text pieces join."""
    return "snapshot" if "text=snapshot" in variants else "delta"


@pytest.fixture(scope="module")
def url() -> Iterator[EmulatorURL]:
    with run_emulator() as base:
        yield base


def headers(dialect: str, variants: str) -> dict[str, str]:
    return {DIALECT_HEADER: dialect, VARIANT_HEADER: variants}


def clients(
    url: EmulatorURL, dialect: str, variants: str
) -> tuple[UnleashClient, AsyncUnleashClient]:
    """A sync and an async client whose every request asks for this wire."""
    wire = headers(dialect, variants)
    mode: Any = text_mode(variants)
    sync = UnleashClient(
        EMULATOR_KEYS["unleash"],
        base_url=url,
        http_client=httpx.Client(headers=wire),
        text_mode=mode,
    )
    aclient = AsyncUnleashClient(
        EMULATOR_KEYS["unleash"],
        base_url=url,
        http_client=httpx.AsyncClient(headers=wire),
        text_mode=mode,
    )
    return sync, aclient


def cited(sources: list[Source]) -> Cited:
    return [(s.id or "", tuple((c.start_index, c.end_index) for c in s.citations)) for s in sources]


def from_metadata(items: list[dict[str, Any]]) -> Cited:
    """The same, from the ``sources`` the adapters put in a message / response."""
    return [
        (
            m["metadata"].get("id", ""),
            tuple((c["start_index"], c["end_index"]) for c in m["metadata"].get("citations", [])),
        )
        for m in items
    ]


def only_cited(found: Cited) -> Cited:
    return [item for item in found if item[1]]


async def v2_answers(
    url: EmulatorURL, dialect: str, variants: str, finish: Finish
) -> dict[str, Summary]:
    from langchain_core.messages import AIMessageChunk
    from llama_index.core.llms import ChatMessage

    from assistant_bridge.langchain import ChatUnleash, UnleashChatRetriever
    from assistant_bridge.llama_index import Unleash, UnleashRetriever

    sync, aclient = clients(url, dialect, variants)
    mode: Any = text_mode(variants)
    question = [{"role": "User", "text": V2_QUESTION}]
    out: dict[str, Summary] = {}
    with sync:
        whole = sync.chat_v2(question)
        out["client.chat_v2"] = (whole.text, cited(sources_from_chat_v2(whole)))
        finish["client.chat_v2"] = whole.finish_reason
        with sync.stream_chat_v2(question) as stream:
            streamed = assemble_chat_v2(list(stream), text_mode=mode, end_seen=stream.terminated)
        out["client.stream_chat_v2"] = (streamed.text, cited(sources_from_chat_v2(streamed)))
        finish["client.stream_chat_v2"] = streamed.finish_reason
        llm = ChatUnleash(client=sync, async_client=aclient, text_mode=mode)
        message = llm.invoke(V2_QUESTION)
        out["ChatUnleash.invoke"] = (
            message.text,
            from_metadata(message.additional_kwargs["sources"]),
        )
        finish["ChatUnleash.invoke"] = message.response_metadata["finish_reason"]
        assert ("thread_id" in message.response_metadata) == (dialect == "extended")
        merged: AIMessageChunk | None = None
        for chunk in llm.stream(V2_QUESTION):
            merged = chunk if merged is None else merged + chunk
        assert merged is not None
        out["ChatUnleash.stream"] = (
            merged.text,
            from_metadata(merged.additional_kwargs["sources"]),
        )
        finish["ChatUnleash.stream"] = merged.response_metadata["finish_reason"]
        li = Unleash(client=sync, async_client=aclient, text_mode=mode)
        response = li.chat([ChatMessage(role="user", content=V2_QUESTION)])
        out["Unleash.chat"] = (
            response.message.content or "",
            from_metadata(response.additional_kwargs["sources"]),
        )
        finish["Unleash.chat"] = response.additional_kwargs["finish_reason"]
        last = list(li.stream_chat([ChatMessage(role="user", content=V2_QUESTION)]))[-1]
        out["Unleash.stream_chat"] = (
            last.message.content or "",
            from_metadata(last.additional_kwargs["sources"]),
        )
        finish["Unleash.stream_chat"] = last.additional_kwargs["finish_reason"]
        docs = UnleashChatRetriever(client=sync, async_client=aclient).invoke(V2_QUESTION)
        out["UnleashChatRetriever"] = (
            whole.text,
            from_metadata([{"metadata": d.metadata} for d in docs]),
        )
        nodes = UnleashRetriever(mode="chat", client=sync, async_client=aclient).retrieve(
            V2_QUESTION
        )
        out["UnleashRetriever(chat)"] = (
            whole.text,
            from_metadata([{"metadata": n.node.metadata} for n in nodes]),
        )
    async with aclient:
        awhole = await aclient.chat_v2(question)
        out["async client.chat_v2"] = (awhole.text, cited(sources_from_chat_v2(awhole)))
        astream = await aclient.stream_chat_v2(question)
        async with astream:
            astreamed = assemble_chat_v2(
                [c async for c in astream], text_mode=mode, end_seen=astream.terminated
            )
        finish["async client.stream_chat_v2"] = astreamed.finish_reason
        out["async client.stream_chat_v2"] = (
            astreamed.text,
            cited(sources_from_chat_v2(astreamed)),
        )
        amessage = await llm.ainvoke(V2_QUESTION)
        out["ChatUnleash.ainvoke"] = (
            amessage.text,
            from_metadata(amessage.additional_kwargs["sources"]),
        )
        amerged: AIMessageChunk | None = None
        async for chunk in llm.astream(V2_QUESTION):
            amerged = chunk if amerged is None else amerged + chunk
        assert amerged is not None
        out["ChatUnleash.astream"] = (
            amerged.text,
            from_metadata(amerged.additional_kwargs["sources"]),
        )
        aresponse = await li.achat([ChatMessage(role="user", content=V2_QUESTION)])
        out["Unleash.achat"] = (
            aresponse.message.content or "",
            from_metadata(aresponse.additional_kwargs["sources"]),
        )
        alast = [
            r async for r in await li.astream_chat([ChatMessage(role="user", content=V2_QUESTION)])
        ][-1]
        out["Unleash.astream_chat"] = (
            alast.message.content or "",
            from_metadata(alast.additional_kwargs["sources"]),
        )
        finish["ChatUnleash.astream"] = amerged.response_metadata["finish_reason"]
        finish["Unleash.astream_chat"] = alast.additional_kwargs["finish_reason"]
    return out


async def v1_answers(
    url: EmulatorURL, dialect: str, variants: str, finish: Finish
) -> dict[str, Summary]:
    from langchain_core.messages import AIMessageChunk
    from llama_index.core.llms import ChatMessage

    from assistant_bridge.langchain import ChatUnleash, UnleashChatRetriever
    from assistant_bridge.llama_index import Unleash

    sync, aclient = clients(url, dialect, variants)
    mode: Any = text_mode(variants)
    question = [{"role": "User", "text": V1_QUESTION}]
    out: dict[str, Summary] = {}
    with sync:
        whole = sync.chat(question)
        out["client.chat"] = (whole.text, cited(sources_from_chat(whole)))
        assert whole.finish_reason == "stop", "a whole JSON body"
        with sync.stream_chat(question) as stream:
            streamed = assemble_chat(list(stream), text_mode=mode)
        out["client.stream_chat"] = (streamed.text, cited(sources_from_chat(streamed)))
        finish["client.stream_chat"] = streamed.finish_reason
        llm = ChatUnleash(api_version="v1", client=sync, async_client=aclient, text_mode=mode)
        message = llm.invoke(V1_QUESTION)
        out["ChatUnleash.invoke"] = (
            message.text,
            from_metadata(message.additional_kwargs["sources"]),
        )
        assert message.response_metadata["thread_id"], "a documented field of the v1 answer"
        merged: AIMessageChunk | None = None
        for chunk in llm.stream(V1_QUESTION):
            merged = chunk if merged is None else merged + chunk
        assert merged is not None
        out["ChatUnleash.stream"] = (
            merged.text,
            from_metadata(merged.additional_kwargs["sources"]),
        )
        finish["ChatUnleash.stream"] = merged.response_metadata["finish_reason"]
        li = Unleash(api_version="v1", client=sync, async_client=aclient, text_mode=mode)
        last = list(li.stream_chat([ChatMessage(role="user", content=V1_QUESTION)]))[-1]
        out["Unleash.stream_chat"] = (
            last.message.content or "",
            from_metadata(last.additional_kwargs["sources"]),
        )
        finish["Unleash.stream_chat"] = last.additional_kwargs["finish_reason"]
        docs = UnleashChatRetriever(api_version="v1", client=sync, async_client=aclient).invoke(
            V1_QUESTION
        )
        out["UnleashChatRetriever"] = (
            whole.text,
            from_metadata([{"metadata": d.metadata} for d in docs]),
        )
    async with aclient:
        astream = await aclient.stream_chat(question)
        async with astream:
            astreamed = assemble_chat([e async for e in astream], text_mode=mode)
        finish["async client.stream_chat"] = astreamed.finish_reason
        out["async client.stream_chat"] = (astreamed.text, cited(sources_from_chat(astreamed)))
        amerged: AIMessageChunk | None = None
        async for chunk in llm.astream(V1_QUESTION):
            amerged = chunk if amerged is None else amerged + chunk
        assert amerged is not None
        out["ChatUnleash.astream"] = (
            amerged.text,
            from_metadata(amerged.additional_kwargs["sources"]),
        )
        finish["ChatUnleash.astream"] = amerged.response_metadata["finish_reason"]
        aresponse = await li.achat([ChatMessage(role="user", content=V1_QUESTION)])
        out["Unleash.achat"] = (
            aresponse.message.content or "",
            from_metadata(aresponse.additional_kwargs["sources"]),
        )
        assert aresponse.additional_kwargs["finish_reason"] == "stop", "a whole JSON body"
    return out


@pytest.mark.parametrize("variants", V2_VARIANTS)
@pytest.mark.parametrize("dialect", DIALECTS)
async def test_v2_layers_agree_in_every_dialect_and_variant(
    url: EmulatorURL, dialect: str, variants: str
) -> None:
    with (
        UnleashClient(EMULATOR_KEYS["unleash"], base_url=url) as client,
        client.stream_chat_v2([{"role": "User", "text": V2_QUESTION}]) as stream,
    ):
        baseline = assemble_chat_v2(list(stream))
    text, sources = baseline.text, cited(sources_from_chat_v2(baseline))
    assert len(only_cited(sources)) >= 3, "the baseline cites enterprise resources and a web page"
    assert any(s.startswith("web-") for s, spans in sources if spans)
    finish: Finish = {}
    answers = await v2_answers(url, dialect, variants, finish)
    seen = "v2-end=done" in variants or variants == "v2-body=json"
    assert finish == dict.fromkeys(finish, "stop" if seen else "unconfirmed")
    assert len(finish) == 9
    for layer, (got_text, got_sources) in answers.items():
        assert got_text == text, layer
        if variants == "v2-body=json":  # the documented JSON form: one reference, one tool
            assert set(only_cited(got_sources)) <= set(only_cited(sources)), layer
            assert only_cited(got_sources)[:1] == only_cited(sources)[:1], layer
            continue
        assert got_sources == sources, layer


@pytest.mark.parametrize("variants", V1_VARIANTS)
@pytest.mark.parametrize("dialect", DIALECTS)
async def test_v1_layers_agree_in_every_dialect_and_variant(
    url: EmulatorURL, dialect: str, variants: str
) -> None:
    with UnleashClient(EMULATOR_KEYS["unleash"], base_url=url) as client:
        baseline = client.chat([{"role": "User", "text": V1_QUESTION}])
    text, sources = baseline.text, cited(sources_from_chat(baseline))
    assert len(only_cited(sources)) >= 2
    finish: Finish = {}
    answers = await v1_answers(url, dialect, variants, finish)
    assert finish == dict.fromkeys(finish, "unconfirmed" if "v1-end=none" in variants else "stop")
    assert len(finish) == 5  # the streamed layers (a whole v1 body always shows its end)
    for layer, (got_text, got_sources) in answers.items():
        assert (layer, got_text) == (layer, text)
        assert (layer, got_sources) == (layer, sources)


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_snapshots_without_the_setting_lose_no_character(url: EmulatorURL, version: str) -> None:
    """Cumulative pieces read as deltas keep every character (nothing is guessed away)."""
    question = [{"role": "User", "text": V2_QUESTION if version == "v2" else V1_QUESTION}]
    wire = headers(
        "documented", f"{version}-text=snapshot" + (", v1-end=none" if version == "v1" else "")
    )
    with UnleashClient(
        EMULATOR_KEYS["unleash"], base_url=url, http_client=httpx.Client(headers=wire)
    ) as client:
        if version == "v2":
            with client.stream_chat_v2(question) as stream:
                items: list[Any] = list(stream)
            texts = [c.text for c in items if c.text]
            joined = assemble_chat_v2(items).text
            told = assemble_chat_v2(items, text_mode="snapshot").text
        else:
            with client.stream_chat(question) as stream:
                items = list(stream)
            texts = [
                p.text for e in items for p in e.parts_list[-1:] if e.has_message and p.is_text
            ]
            joined = assemble_chat(items).text
            told = assemble_chat(items, text_mode="snapshot").text
    assert len(texts) > 3
    assert len(joined) > len(told)
    assert told in joined
    assert told == client_answer(url, version)


def client_answer(url: EmulatorURL, version: str) -> str:
    """The answer of the documented default wire."""
    with UnleashClient(EMULATOR_KEYS["unleash"], base_url=url) as client:
        if version == "v2":
            return client.chat_v2([{"role": "User", "text": V2_QUESTION}]).text
        return client.chat([{"role": "User", "text": V1_QUESTION}]).text
