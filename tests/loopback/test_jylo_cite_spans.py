"""Cited spans are exact when ``textWithCitations`` mixes numbered markers and ``<cite>`` tags.

The emulator's ``jylo-cite=mixed`` variant (the marker syntax is undocumented, so any is
plausible) alternates ``[n]`` before a paragraph's full stop with a ``<cite id=...>`` tag
around the next paragraph's words: a numbered marker is removed (and the space before it
trimmed) right before a tag, the case whose span once came out one character late. Every
layer must give spans that slice its own text to exactly the cited words.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from langchain_core.messages import AIMessage
from llama_index.core.base.llms.types import ChatMessage, CitationBlock, TextBlock

from assistant_bridge.emulator import EMULATOR_KEYS, VARIANT_HEADER, EmulatorURL, run_emulator
from assistant_bridge.jylo import AsyncJyloClient, JyloClient, Message
from assistant_bridge.langchain import ChatJylo
from assistant_bridge.llama_index import Jylo

QUESTION = "What is our travel policy?"
MODEL = "0f8a6c2e-3b1d-4e5f-9a7b-1c2d3e4f5a6b"
TAG = re.compile(r"<cite id=\"([^\"]+)\">(.*?)</cite>", re.DOTALL)


@pytest.fixture(scope="module")
def url() -> Iterator[EmulatorURL]:
    with run_emulator() as base:
        yield base


def _kwargs(url: EmulatorURL) -> dict[str, Any]:
    return {
        "client_id": EMULATOR_KEYS["jylo_client_id"],
        "client_secret": EMULATOR_KEYS["jylo_client_secret"],
        "project_id": EMULATOR_KEYS["jylo_project_id"],
        "base_url": url.jylo,
        "token_url": url.jylo_token,
        "settings_url": url.jylo_settings,
    }


@pytest.fixture(scope="module")
def clients(url: EmulatorURL) -> Iterator[tuple[JyloClient, AsyncJyloClient]]:
    headers = {VARIANT_HEADER: "jylo-cite=mixed"}
    sync = JyloClient(**_kwargs(url), http_client=httpx.Client(headers=headers))
    aclient = AsyncJyloClient(**_kwargs(url), http_client=httpx.AsyncClient(headers=headers))
    yield sync, aclient
    sync.close()


def _assistant(client: JyloClient) -> str:
    return client.create_assistant(name="cite spans").object_identifier or ""


def _tag_words(message: Message) -> list[str]:
    """The words each ``<cite>`` tag wraps, in order."""
    return [words for _, words in TAG.findall(message.text_with_citations or "")]


def _check_message(message: Message) -> None:
    raw = message.text_with_citations or ""
    assert TAG.search(raw), raw
    assert re.search(r" \[\d+\]\.\n- <cite", raw), raw  # a numbered marker right before a tag
    cited = message.cited_text()
    assert cited.text == message.text
    for citation in cited.citations:
        assert cited.text[citation.start : citation.end] == citation.text
    tags = [c.text for c in cited.citations if c.marker.startswith("<cite")]
    assert tags == _tag_words(message)
    assert all(t == t.strip() and t[0].isupper() for t in tags)  # never a character late


def test_the_client_whole_and_streamed(clients: tuple[JyloClient, AsyncJyloClient]) -> None:
    sync, _ = clients
    assistant = _assistant(sync)
    _check_message(sync.create_message(assistant, QUESTION, model_identifier=MODEL))
    with sync.stream_message(assistant, QUESTION, model_identifier=MODEL) as stream:
        text = "".join(stream)
    assert stream.message is not None
    _check_message(stream.message)
    assert text == stream.message.text


async def test_the_async_client(clients: tuple[JyloClient, AsyncJyloClient]) -> None:
    sync, aclient = clients
    assistant = _assistant(sync)
    _check_message(await aclient.create_message(assistant, QUESTION, model_identifier=MODEL))
    await aclient.close()


def _lc_spans(message: AIMessage, words: list[str]) -> None:
    text = str(message.content)
    found = [
        a
        for block in message.content_blocks
        for a in block.get("annotations", [])  # type: ignore[union-attr]
        if a.get("type") == "citation"
    ]
    assert found
    for citation in found:
        assert (
            text[citation["start_index"] : citation["end_index"]].strip() == citation["cited_text"]
        )
    sliced = {text[c["start_index"] : c["end_index"]] for c in found}
    assert set(words) <= sliced  # every tag's words, exactly


def test_chat_jylo_invoke_and_stream(
    url: EmulatorURL, clients: tuple[JyloClient, AsyncJyloClient]
) -> None:
    sync, _ = clients
    assistant = _assistant(sync)
    chat = ChatJylo(assistant_id=assistant, model_identifier=MODEL, client=sync)
    answer = chat.invoke(QUESTION)
    stored = sync.list_messages(assistant, page_size=1).items[0]
    _lc_spans(answer, _tag_words(stored))
    chunks = list(chat.stream(QUESTION))
    whole = chunks[0]
    for chunk in chunks[1:]:
        whole = whole + chunk
    stored = sync.list_messages(assistant, page_size=1).items[0]
    _lc_spans(
        AIMessage(
            content=whole.content,
            additional_kwargs=whole.additional_kwargs,
            response_metadata=whole.response_metadata,
        ),
        _tag_words(stored),
    )


def test_llama_index_jylo_chat(
    url: EmulatorURL, clients: tuple[JyloClient, AsyncJyloClient]
) -> None:
    sync, _ = clients
    assistant = _assistant(sync)
    llm = Jylo(assistant_id=assistant, model_identifier=MODEL, client=sync)
    reply = llm.chat([ChatMessage(role="user", content=QUESTION)]).message
    text = reply.content or ""
    blocks = [b for b in reply.blocks if isinstance(b, CitationBlock)]
    assert blocks
    cited: set[str] = set()
    for block in blocks:
        info = block.additional_location_info
        assert isinstance(block.cited_content, TextBlock)
        assert text[info["start_index"] : info["end_index"]].strip() == block.cited_content.text
        cited.add(block.cited_content.text)
    stored = sync.list_messages(assistant, page_size=1).items[0]
    assert set(_tag_words(stored)) <= cited
