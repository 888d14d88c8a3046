"""Reading a whole Zaia list: complete, or an UnsupportedOperationError; never duplicated or cut.

Each case is a MockTransport server that pages the way a real one might: honouring
``pagination.limit`` and ``pagination.offset`` or ignoring either (only the limit is in
Zaia's documents; its query encoding is inferred, so a server may ignore it too).
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from assistant_bridge._adapter_core import (
    UnsupportedOperationError,
    aread_zaia,
    aread_zaia_chats,
    read_zaia,
    read_zaia_chats,
)
from assistant_bridge.zaia import AsyncZaiaClient, ChatMessage, ZaiaClient
from assistant_bridge.zaia._paging import PageRequest, PageWalk, item_key

CHAT = "6c6c6c6c-1111-4222-8333-444444444444"


def rows(count: int, *, ids: bool = True) -> list[dict[str, Any]]:
    out = []
    for i in range(count):
        row: dict[str, Any] = {"content": f"m{i}", "role": "user"}
        row["createdAt"] = f"2025-01-01T{i // 3600:02d}:{i // 60 % 60:02d}:{i % 60:02d}Z"
        if ids:
            row["id"] = f"00000000-0000-4000-8000-{i:012d}"
        out.append(row)
    return out


class Server:
    """A list endpoint over ``data``; records the (limit, offset) of every request."""

    def __init__(
        self,
        data: list[dict[str, Any]],
        *,
        limit: bool = True,
        offset: bool = True,
        page: int = 250,
        newest_first: bool = False,
    ) -> None:
        self.data = list(reversed(data)) if newest_first else data
        self.honour_limit, self.honour_offset, self.page = limit, offset, page
        self.asked: list[tuple[str | None, str | None]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        params = request.url.params
        self.asked.append((params.get("pagination.limit"), params.get("pagination.offset")))
        size = int(params.get("pagination.limit", self.page)) if self.honour_limit else self.page
        start = int(params.get("pagination.offset", 0)) if self.honour_offset else 0
        return httpx.Response(200, json=self.data[start : start + size])

    def client(self) -> ZaiaClient:
        transport = httpx.MockTransport(self)
        return ZaiaClient(
            "key", base_url="https://zaia.test", http_client=httpx.Client(transport=transport)
        )

    def async_client(self) -> AsyncZaiaClient:
        transport = httpx.MockTransport(self)
        return AsyncZaiaClient(
            "key", base_url="https://zaia.test", http_client=httpx.AsyncClient(transport=transport)
        )


def contents(messages: list[ChatMessage]) -> list[str | None]:
    return [m.content for m in messages]


@pytest.mark.parametrize(
    ("count", "asked"),
    [
        (0, [("1000", None)]),
        (5, [("1000", None)]),
        (999, [("1000", None)]),
        (1000, [("1000", None), ("1000", "1000")]),
        (2100, [("1000", None), ("1000", "1000"), ("1000", "2000")]),
    ],
)
def test_a_server_that_pages_as_asked_is_read_in_full(
    count: int, asked: list[tuple[str | None, str | None]]
) -> None:
    server = Server(rows(count))
    messages = read_zaia(server.client(), CHAT, None)
    assert contents(messages) == [f"m{i}" for i in range(count)]
    assert server.asked == asked, "the first request sends only the documented limit"


@pytest.mark.parametrize("count", [1000, 1001, 2500])
def test_a_server_that_ignores_the_offset_is_an_error_not_a_duplicate(count: int) -> None:
    server = Server(rows(count), offset=False)
    with pytest.raises(UnsupportedOperationError) as info:
        read_zaia(server.client(), CHAT, None)
    message = str(info.value)
    assert message.startswith(f"read history: not supported by the Zaia API: chat {CHAT} cannot")
    assert "the first 1000 items were read" in message
    assert "pagination.offset=1000 repeated items already read" in message
    assert "which Zaia does not document" in message
    assert len(server.asked) == 2, "it stops at the first repeat"


def test_a_thread_is_named_in_the_error() -> None:
    thread = "7d7d7d7d-1111-4222-8333-444444444444"
    with pytest.raises(UnsupportedOperationError, match=f"chat {CHAT} \\(thread {thread}\\)"):
        read_zaia(Server(rows(1200), offset=False).client(), CHAT, thread)


def test_messages_without_ids_are_compared_whole() -> None:
    with pytest.raises(UnsupportedOperationError, match="repeated items"):
        read_zaia(Server(rows(1500, ids=False), offset=False).client(), CHAT, None)
    messages = read_zaia(Server(rows(1500, ids=False)).client(), CHAT, None)
    assert len(messages) == 1500


def test_a_first_page_of_exactly_the_default_size_is_probed_once() -> None:
    """250 answers to limit=1000: a chat of 250, or a server that ignored the limit?"""
    server = Server(rows(250))
    assert len(read_zaia(server.client(), CHAT, None)) == 250
    assert server.asked == [("1000", None), ("1", None)]


def test_a_server_that_ignores_the_limit_is_read_in_its_own_pages() -> None:
    server = Server(rows(600), limit=False)
    messages = read_zaia(server.client(), CHAT, None)
    assert contents(messages) == [f"m{i}" for i in range(600)]
    assert server.asked == [("1000", None), ("1", None), ("1000", "250"), ("1000", "500")]


def test_a_server_that_ignores_limit_and_offset_is_an_error() -> None:
    server = Server(rows(600), limit=False, offset=False)
    with pytest.raises(UnsupportedOperationError) as info:
        read_zaia(server.client(), CHAT, None)
    assert "nor pagination.limit=1000: its pages hold 250" in str(info.value)
    assert "the first 250 items were read" in str(info.value)


def test_a_server_that_sends_more_than_the_limit_is_asked_once_more() -> None:
    server = Server(rows(1200), limit=False, page=5000)
    assert len(read_zaia(server.client(), CHAT, None)) == 1200
    assert server.asked == [("1000", None), ("1000", "1200")]


def test_newest_first_pages_are_put_oldest_first() -> None:
    server = Server(rows(1500), newest_first=True)
    assert contents(read_zaia(server.client(), CHAT, None)) == [f"m{i}" for i in range(1500)]


def test_a_smaller_page_size_walks_more_pages() -> None:
    server = Server(rows(7))
    assert len(read_zaia(server.client(), CHAT, None, limit=2)) == 7
    assert [offset for _, offset in server.asked] == [None, "2", "4", "6"]


async def test_async_reads_in_full_or_fails_the_same_way() -> None:
    server = Server(rows(2100))
    messages = await aread_zaia(server.async_client(), CHAT, None)
    assert contents(messages) == [f"m{i}" for i in range(2100)]
    assert [offset for _, offset in server.asked] == [None, "1000", "2000"]
    with pytest.raises(UnsupportedOperationError, match="repeated items already read"):
        await aread_zaia(Server(rows(1001), offset=False).async_client(), CHAT, None)
    probed = Server(rows(600), limit=False)
    assert len(await aread_zaia(probed.async_client(), CHAT, None)) == 600


def chats(count: int) -> list[dict[str, Any]]:
    return [{"id": f"00000000-0000-4000-9000-{i:012d}"} for i in range(count)]


def test_every_chat_is_listed_or_the_listing_fails() -> None:
    server = Server(chats(1001))
    assert len(read_zaia_chats(server.client())) == 1001
    assert server.asked == [("1000", None), ("1000", "1000")]
    with pytest.raises(UnsupportedOperationError, match=r"get_keys: .* the workspace's chats"):
        read_zaia_chats(Server(chats(1001), offset=False).client())


async def test_async_chat_listing() -> None:
    assert len(await aread_zaia_chats(Server(chats(3)).async_client())) == 3
    with pytest.raises(UnsupportedOperationError, match="cannot be read in full"):
        await aread_zaia_chats(Server(chats(1000), offset=False).async_client())


def test_the_walk_refuses_an_answer_nobody_asked_for() -> None:
    walk: PageWalk[ChatMessage] = PageWalk(10, item_key)
    assert walk.next == PageRequest(10)
    walk.add([ChatMessage(id="a")])
    assert walk.next is None
    assert walk.problem is None
    with pytest.raises(RuntimeError, match="the walk is over"):
        walk.add([])
