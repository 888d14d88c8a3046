"""Strict constructors of the LangChain adapters, and ``search_kwargs`` on the retrievers.

Each adapter is given clients on the in-process emulator that record every request, so a
rejected constructor is shown to have sent nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from langchain_core.exceptions import ModelInvalidRequestError
from langchain_core.load import dumpd
from langchain_core.runnables import RunnableLambda

from assistant_bridge import UnleashClient
from assistant_bridge.emulator import EMULATOR_KEYS
from assistant_bridge.langchain import (
    ChatJylo,
    ChatUnleash,
    InvalidRequestError,
    JyloAssistantTool,
    JyloChatMessageHistory,
    UnleashAssistantTool,
    UnleashChatRetriever,
    UnleashSearchRetriever,
    UnleashSearchTool,
    UnleashSelfQueryRetriever,
    ZaiaChatMessageHistory,
)

from .._vendor_emu import BASE, JYLO_MODEL, Emulator

QUERY = "travel policy"  # the emulator's corpus has more than four hits for it


@pytest.fixture
def emu() -> Emulator:
    return Emulator.start()


def unleash(emu: Emulator) -> UnleashClient:
    return UnleashClient(
        EMULATOR_KEYS["unleash"],
        base_url=f"{BASE}/e-api",
        max_retries=0,
        http_client=httpx.Client(transport=emu.sync_transport),
    )


def requests(emu: Emulator) -> list[httpx.Request]:
    return [*emu.sync_transport.requests, *emu.async_transport.requests]


Make = Callable[[Emulator, dict[str, Any]], object]

TYPOS: dict[str, tuple[Make, str, str]] = {
    "ChatUnleash": (
        lambda emu, kw: ChatUnleash(client=unleash(emu), **kw),
        "tempreature",
        "temperature",
    ),
    "ChatJylo": (
        lambda emu, kw: ChatJylo(client=emu.jylo(), assistant_id="a", **kw),
        "model_identifer",
        "model_identifier",
    ),
    "UnleashSearchRetriever": (
        lambda emu, kw: UnleashSearchRetriever(client=unleash(emu), **kw),
        "fetch_contents",
        "fetch_content",
    ),
    "UnleashChatRetriever": (
        lambda emu, kw: UnleashChatRetriever(client=unleash(emu), **kw),
        "include_answers",
        "include_answer",
    ),
    "JyloChatMessageHistory": (
        lambda emu, kw: JyloChatMessageHistory("a", client=emu.jylo(), **kw),
        "tenat",
        "tenant",
    ),
    "ZaiaChatMessageHistory": (
        lambda emu, kw: ZaiaChatMessageHistory("c", client=emu.zaia(), **kw),
        "base_ulr",
        "base_url",
    ),
    "UnleashSearchTool": (
        lambda emu, kw: UnleashSearchTool(
            retriever=UnleashSearchRetriever(client=unleash(emu)), **kw
        ),
        "retriver",
        "retriever",
    ),
    "UnleashAssistantTool": (
        lambda emu, kw: UnleashAssistantTool(llm=ChatUnleash(client=unleash(emu)), **kw),
        "descripton",
        "description",
    ),
    "JyloAssistantTool": (
        lambda emu, kw: JyloAssistantTool(llm=ChatJylo(client=emu.jylo(), assistant_id="a"), **kw),
        "lm",
        "llm",
    ),
    "UnleashSelfQueryRetriever": (
        lambda emu, kw: UnleashSelfQueryRetriever(
            query_constructor=RunnableLambda(lambda question: question),
            retriever=UnleashSearchRetriever(client=unleash(emu)),
            **kw,
        ),
        "use_orignal_query",
        "use_original_query",
    ),
}


@pytest.mark.parametrize("name", TYPOS)
def test_a_typo_is_rejected_with_the_nearest_name_before_any_request(
    emu: Emulator, name: str
) -> None:
    make, typo, meant = TYPOS[name]
    with pytest.raises(InvalidRequestError) as caught:
        make(emu, {typo: "x"})
    assert str(caught.value).startswith(f"{typo}: not a field of {name}; did you mean ")
    assert meant in caught.value.suggestions
    assert caught.value.field == typo
    assert isinstance(caught.value, ModelInvalidRequestError)  # LangChain's own class too
    assert requests(emu) == []


def test_chat_unleash_tempreature_is_no_longer_accepted(emu: Emulator) -> None:
    with pytest.raises(InvalidRequestError, match="did you mean temperature"):
        ChatUnleash(client=unleash(emu), tempreature=0.3)


def test_framework_fields_and_aliases_are_accepted(emu: Emulator) -> None:
    model = ChatUnleash(
        client=unleash(emu),
        model="tracing-name",
        stop_sequences=["END"],
        callbacks=None,
        tags=["t"],
        metadata={"m": 1},
        verbose=False,
        cache=False,
        rate_limiter=None,
        disable_streaming=False,
    )
    assert (model.model, model.stop, model.tags) == ("tracing-name", ["END"], ["t"])
    assert ChatUnleash(model_name="n", stop=["S"]).model == "n"
    jylo = ChatJylo(model=JYLO_MODEL, api_key="tok", assistant_id="a", callbacks=None)
    assert jylo.model_identifier == JYLO_MODEL
    assert ChatJylo(model_identifier="m", token="t").model_identifier == "m"
    retriever = UnleashSearchRetriever(client=unleash(emu), tags=["r"], metadata={"a": 1})
    assert retriever.tags == ["r"]
    assert requests(emu) == []


def test_copies_and_serialization_still_work(emu: Emulator) -> None:
    model = ChatUnleash(client=unleash(emu), temperature=0.2)
    assert model.model_copy(update={"temperature": 0.4}).temperature == 0.4
    assert dumpd(model)["id"][-1] == "ChatUnleash"
    retriever = UnleashSearchRetriever(search_kwargs={"k": 2})
    assert retriever.model_copy().k == 2
    assert "search_kwargs" not in retriever.model_dump()
    again = UnleashSearchRetriever.model_validate(retriever.model_dump())
    assert again.k == 2


def test_search_kwargs_k_sets_how_many_documents(emu: Emulator) -> None:
    client = unleash(emu)
    assert len(UnleashSearchRetriever(client=client).invoke(QUERY)) == 4
    retriever = UnleashSearchRetriever(client=client, search_kwargs={"k": 2})
    assert retriever.k == 2
    assert retriever.search_kwargs == {"k": 2}
    assert len(retriever.invoke(QUERY)) == 2


def test_search_kwargs_filter_sets_the_filters(emu: Emulator) -> None:
    retriever = UnleashSearchRetriever(
        client=unleash(emu), search_kwargs={"filter": {"app_id": ["jira"]}}
    )
    assert retriever.filters is not None
    assert retriever.filters.app_id == ["jira"]
    docs = retriever.invoke("billing")
    assert docs
    assert {d.metadata["app_id"] for d in docs} == {"jira"}


def test_search_kwargs_on_the_chat_retriever(emu: Emulator) -> None:
    retriever = UnleashChatRetriever(
        client=unleash(emu),
        api_version="v1",
        search_kwargs={"k": 1, "filters": {"app_id": "jira"}, "include_answer": True},
    )
    assert (retriever.k, retriever.include_answer) == (1, True)
    assert retriever.filters is not None
    assert retriever.filters.app_id == ["jira"]


def test_an_unknown_search_kwargs_key_is_rejected_with_hints(emu: Emulator) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        UnleashSearchRetriever(client=unleash(emu), search_kwargs={"kk": 2})
    assert str(caught.value).startswith(
        "search_kwargs: 'kk' is not an option of UnleashSearchRetriever; did you mean k?"
    )
    with pytest.raises(InvalidRequestError, match="'score_threshold' is not an option"):
        UnleashSearchRetriever(search_kwargs={"score_threshold": 0.5})
    assert requests(emu) == []


def test_search_kwargs_conflicting_with_a_field_is_an_error(emu: Emulator) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        UnleashSearchRetriever(client=unleash(emu), k=3, search_kwargs={"k": 2})
    assert caught.value.field == "k"
    assert "given twice with different values" in str(caught.value)
    with pytest.raises(InvalidRequestError, match="filters: given twice"):
        UnleashSearchRetriever(filters={"app_id": "a"}, search_kwargs={"filter": {"app_id": "b"}})
    same = UnleashSearchRetriever(
        filters={"app_id": "a"}, search_kwargs={"filters": {"app_id": ["a"]}}
    )
    assert same.filters is not None
    assert same.filters.app_id == ["a"]
    assert requests(emu) == []


def test_chat_retriever_v2_still_rejects_filters_from_search_kwargs() -> None:
    with pytest.raises(InvalidRequestError, match="chat v2"):
        UnleashChatRetriever(search_kwargs={"filter": {"app_id": "jira"}})
