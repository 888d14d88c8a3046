"""Strict constructors of the LlamaIndex adapters: typos rejected, framework fields kept.

The adapters get clients on the in-process emulator that record every request, so a
rejected constructor is shown to have sent nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from llama_index.core.callbacks import CallbackManager

from assistant_bridge import InvalidRequestError, UnleashClient
from assistant_bridge.emulator import EMULATOR_KEYS
from assistant_bridge.llama_index import (
    Jylo,
    JyloChatStore,
    Unleash,
    UnleashRetriever,
    ZaiaChatStore,
)

from .._vendor_emu import BASE, JYLO_MODEL, Emulator


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
    "Unleash": (lambda emu, kw: Unleash(client=unleash(emu), **kw), "api_versoin", "api_version"),
    "UnleashRetriever": (
        lambda emu, kw: UnleashRetriever(client=unleash(emu), **kw),
        "similarity_topk",
        "similarity_top_k",
    ),
    "Jylo": (lambda emu, kw: Jylo(client=emu.jylo(), **kw), "assistant", "assistant_id"),
    "JyloChatStore": (
        lambda emu, kw: JyloChatStore(client=emu.jylo(), **kw),
        "model_identifer",
        "model_identifier",
    ),
    "ZaiaChatStore": (
        lambda emu, kw: ZaiaChatStore(client=emu.zaia(), **kw),
        "sender",
        "sender_id",
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
    assert requests(emu) == []


def test_framework_fields_are_accepted(emu: Emulator) -> None:
    callbacks = CallbackManager([])
    llm = Unleash(
        client=unleash(emu),
        callback_manager=callbacks,
        system_prompt="Be brief",
        api_version="v1",
        filters={"app_id": "jira"},
    )
    assert llm.callback_manager is callbacks
    assert llm.system_prompt == "Be brief"
    jylo = Jylo(client=emu.jylo(), assistant_id="a", model_identifier=JYLO_MODEL, system_prompt="s")
    assert jylo.system_prompt == "s"
    assert requests(emu) == []


def test_to_dict_and_from_dict_round_trip() -> None:
    llm = Unleash(api_version="v1", filters={"app_id": "jira"}, context_window=4096)
    again = Unleash.from_dict(llm.to_dict())
    assert (again.api_version, again.context_window) == ("v1", 4096)
    assert again.filters is not None
    assert again.filters.app_id == ["jira"]
    jylo = Jylo(assistant_id="a", model_identifier=JYLO_MODEL)
    assert Jylo.from_dict(jylo.to_dict()).model_identifier == JYLO_MODEL
    store = ZaiaChatStore(sender_id="s", sender_ids={"user": "u"})
    assert ZaiaChatStore.from_dict(store.to_dict()).sender_ids == {"user": "u"}
    jylo_store = JyloChatStore(model_identifier=JYLO_MODEL)
    assert JyloChatStore.from_dict(jylo_store.to_dict()).model_identifier == JYLO_MODEL


def test_from_dict_with_a_typo_is_rejected_too() -> None:
    with pytest.raises(InvalidRequestError, match="did you mean num_output"):
        Unleash.from_dict({"num_outputs": 10})
