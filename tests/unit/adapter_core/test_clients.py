"""The adapter core's lazily made clients: `Once`, and one connection per vendor, per loop."""

from __future__ import annotations

import asyncio
import threading
from types import SimpleNamespace
from typing import Any

import pytest

from assistant_bridge import InvalidRequestError, UnleashClient
from assistant_bridge._adapter_core import JyloConnection, Once, UnleashConnection, ZaiaConnection

KEY = "unleash-test-key-0001"


@pytest.fixture(autouse=True)
def _no_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("UNLEASH_API_KEY", "UNLEASH_BASE_URL", "UNLEASH_ACCOUNT"):
        monkeypatch.delenv(name, raising=False)


def test_once_makes_its_value_once_across_threads() -> None:
    once: Once[object] = Once()
    made: list[object] = []
    gate = threading.Barrier(8)

    def make() -> object:
        made.append(object())
        return made[-1]

    def worker(out: list[object]) -> None:
        gate.wait()
        out.append(once.get(make))

    out: list[object] = []
    threads = [threading.Thread(target=worker, args=(out,)) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(made) == 1
    assert out == made * 8


def test_the_sync_client_is_made_on_first_use_and_kept() -> None:
    conn = UnleashConnection(api_key=KEY, base_url="https://a.test", timeout=7, max_retries=1)
    client = conn.get_sync()
    assert client is conn.get_sync()
    assert str(client.base_url).startswith("https://a.test")


def test_given_clients_are_used_as_they_are() -> None:
    given = UnleashClient(KEY, base_url="https://given.test")
    conn = UnleashConnection(client=given)
    assert conn.get_sync() is given


def test_one_async_client_per_event_loop() -> None:
    conn = UnleashConnection(api_key=KEY, base_url="https://a.test")

    async def twice() -> tuple[Any, Any]:
        return conn.get_async(), conn.get_async()

    first, again = asyncio.run(twice())
    assert first is again  # one loop: one client
    other, _ = asyncio.run(twice())
    assert other is not first  # another loop: its own


def test_no_key_says_what_is_missing_and_what_to_pass_for_async() -> None:
    with pytest.raises(InvalidRequestError, match="UNLEASH_API_KEY"):
        UnleashConnection().get_sync()
    conn = UnleashConnection(client=UnleashClient(KEY, base_url="https://given.test"))
    with pytest.raises(
        InvalidRequestError, match=r"async_client=AsyncUnleashClient\(\.\.\.\)"
    ) as info:
        asyncio.run(_in_loop(conn.get_async))
    assert info.value.field == "async_client"


async def _in_loop(get: Any) -> Any:
    return get()


def test_a_connection_reads_its_settings_from_an_adapters_fields() -> None:
    adapter = SimpleNamespace(api_key=KEY, base_url="https://a.test", timeout=3.0, other=1)
    conn = UnleashConnection.from_fields(adapter)
    assert (conn.api_key, conn.base_url, conn.timeout) == (KEY, "https://a.test", 3.0)
    assert (conn.account, conn.max_retries, conn.client, conn.async_client) == (None,) * 4
    jylo = JyloConnection.from_fields(SimpleNamespace(tenant="acme", region="uk"))
    assert (jylo.tenant, jylo.region, jylo.client_id) == ("acme", "uk", None)
    zaia = ZaiaConnection.from_fields(SimpleNamespace(api_key="z", auth_scheme="Bearer"))
    assert (zaia.api_key, zaia.auth_scheme, zaia.base_url) == ("z", "Bearer", None)
