"""Copies of an adapter make their own clients; the caller's clients are shared.

Each adapter makes its vendor clients on first use. A copy (``model_copy`` with other
settings, ``copy.copy``, ``copy.deepcopy``) or an unpickled adapter must not go on using
the original's clients (another base URL or key), and deep copies and pickles must work.
"""

from __future__ import annotations

import asyncio
import copy
import pickle
from collections.abc import Callable
from typing import Any, ClassVar

import pytest
from pydantic import PrivateAttr

from assistant_bridge import UnleashClient
from assistant_bridge.emulator import EMULATOR_KEYS
from assistant_bridge.langchain import (
    ChatJylo,
    ChatUnleash,
    UnleashChatRetriever,
    UnleashSearchRetriever,
)
from assistant_bridge.llama_index import Jylo, Unleash

A, B = "https://a.example.test", "https://b.example.test"
JYLO = {
    "client_id": EMULATOR_KEYS["jylo_client_id"],
    "client_secret": EMULATOR_KEYS["jylo_client_secret"],
    "project_id": EMULATOR_KEYS["jylo_project_id"],
    "token_url": "https://auth.example.test/oauth/token",
    "settings_url": "https://settings.example.test",
}


def _unleash(cls: type[Any]) -> Callable[[str], Any]:
    return lambda url: cls(api_key=EMULATOR_KEYS["unleash"], base_url=url)


def _jylo(cls: type[Any]) -> Callable[[str], Any]:
    return lambda url: cls(base_url=url, assistant_id="a1", model_identifier="m1", **JYLO)


def _conn_clients(adapter: Any) -> tuple[Any, Any]:
    conn = adapter._connection()
    return conn.get_sync(), asyncio.run(_in_loop(conn.get_async))


async def _in_loop(get: Callable[[], Any]) -> Any:
    return get()


ADAPTERS: dict[str, tuple[Callable[[str], Any], Callable[[Any], tuple[Any, Any]]]] = {
    "ChatUnleash": (_unleash(ChatUnleash), _conn_clients),
    "UnleashSearchRetriever": (_unleash(UnleashSearchRetriever), _conn_clients),
    "UnleashChatRetriever": (_unleash(UnleashChatRetriever), _conn_clients),
    "ChatJylo": (_jylo(ChatJylo), _conn_clients),
    "llama_index.Unleash": (_unleash(Unleash), _conn_clients),
    "llama_index.Jylo": (_jylo(Jylo), _conn_clients),
}


def _hosts(clients: tuple[Any, Any]) -> list[str]:
    return [str(c.base_url).split("/")[2] for c in clients]


@pytest.mark.parametrize("name", list(ADAPTERS))
def test_a_copy_with_other_settings_makes_its_own_clients(name: str) -> None:
    make, clients_of = ADAPTERS[name]
    original = make(A)
    before = clients_of(original)  # made, and cached, before the copy
    changed = original.model_copy(update={"base_url": B})
    assert _hosts(clients_of(changed)) == ["b.example.test"] * 2
    assert _hosts(clients_of(original)) == ["a.example.test"] * 2
    assert clients_of(original)[0] is before[0]  # the original keeps its own
    plain = copy.copy(original)
    assert clients_of(plain)[0] is not before[0]  # (async clients: one per loop anyway)


@pytest.mark.parametrize("name", list(ADAPTERS))
def test_deep_copies_and_pickles_work_and_make_their_own_clients(name: str) -> None:
    make, clients_of = ADAPTERS[name]
    original = make(A)
    before = clients_of(original)
    for twin in (copy.deepcopy(original), pickle.loads(pickle.dumps(original))):
        assert twin.base_url == original.base_url
        made = clients_of(twin)
        assert _hosts(made) == ["a.example.test"] * 2
        assert made[0] is not before[0]


def test_clients_the_caller_gave_are_shared_by_copies_and_deep_copies() -> None:
    given = UnleashClient(EMULATOR_KEYS["unleash"], base_url=A)
    model = ChatUnleash(client=given)
    assert model.model_copy()._connection().get_sync() is given
    assert copy.deepcopy(model)._connection().get_sync() is given
    retriever = UnleashSearchRetriever(client=given)
    assert copy.deepcopy(retriever)._connection().get_sync() is given


@pytest.mark.parametrize("name", list(ADAPTERS))
def test_a_deep_copy_with_an_update_makes_its_own_clients(name: str) -> None:
    make, clients_of = ADAPTERS[name]
    original = make(A)
    before = clients_of(original)
    twin = original.model_copy(update={"base_url": B}, deep=True)
    assert _hosts(clients_of(twin)) == ["b.example.test"] * 2
    assert clients_of(original)[0] is before[0]


def test_a_subclass_adds_its_lazy_state_to_its_bases() -> None:
    class Traced(ChatUnleash):
        _seen: list[str] | None = PrivateAttr(default=None)
        _lazy_state: ClassVar[tuple[str, ...]] = ("_seen",)

    model = Traced(api_key=EMULATOR_KEYS["unleash"], base_url=A)
    model._seen = ["x"]
    first = model._connection().get_sync()
    for twin in (copy.copy(model), copy.deepcopy(model), model.model_copy(deep=True)):
        assert twin._seen is None
        assert twin._connection().get_sync() is not first
