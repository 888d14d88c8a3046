"""Zaia list calls over httpx.MockTransport: the query sent, and every list shape read.

The query: ``joins`` and ``ticketIds`` repeat their key (OpenAPI's default for a query
array), once per distinct value, checked before anything is sent; ``pagination.offset``
only when asked for. The answer: a JSON array, or an object that wraps one (seed 004
shows the list's media type as "application/json or or or"); joined objects and wrapper
fields the models do not know are kept; an answer with no list is an error, not [].
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from assistant_bridge import APIError, InvalidRequestError
from assistant_bridge.zaia import AsyncZaiaClient, Chat, ChatMessage, ZaiaClient
from tests.unit.conftest import Twin

CHAT = "3f2b8c1e-6d4a-4f0e-9b7c-2a1d5e8f9c0b"
THREAD = "11111111-2222-4333-8444-555555555555"
TICKET_A = "99999999-8888-4777-8666-555555555555"
TICKET_B = "0b7e0c5a-3d2f-4e1a-9c8b-7a6f5e4d3c2b"
MESSAGE = {
    "createdAt": "2025-03-01T10:00:00.000Z",
    "id": "00000000-0000-4000-8000-000000000001",
    "updatedAt": "2025-03-01T10:00:00.000Z",
    "chatId": CHAT,
    "chatThreadId": THREAD,
    "content": "Hello",
    "externalId": None,
    "rawContent": None,
    "role": "user",
    "senderId": None,
}
Answer = Callable[[httpx.Request], httpx.Response]


def recording(answer: Answer) -> tuple[list[httpx.Request], Answer]:
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return answer(request)

    return sent, handler


def sync_client(handler: Answer) -> ZaiaClient:
    return ZaiaClient(
        "key-0123456789", base_url="https://zaia.test", max_retries=0,
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
    )  # fmt: skip


def async_client(handler: Answer) -> AsyncZaiaClient:
    return AsyncZaiaClient(
        "key-0123456789", base_url="https://zaia.test", max_retries=0,
        http_client=httpx.AsyncClient(transport=httpx.MockTransport(handler)),
    )  # fmt: skip


def json_answer(body: Any) -> Answer:
    content = json.dumps(body).encode()  # json=None would send an empty body, not null
    return lambda request: httpx.Response(
        200, content=content, headers={"content-type": "application/json"}
    )


# -- the query ----------------------------------------------------------------------------


def test_joins_and_ticket_ids_repeat_their_key_once_per_distinct_value() -> None:
    sent, handler = recording(json_answer([MESSAGE]))
    with sync_client(handler) as client:
        client.list_chat_messages(
            CHAT,
            joins=["chat", "chatThread", "chat"],
            ticket_ids=[TICKET_A, uuid.UUID(TICKET_B), TICKET_A.upper()],  # type: ignore[list-item]  # a UUID is read as its str()
        )
    (request,) = sent
    assert request.url.params.get_list("joins") == ["chat", "chatThread"]
    assert request.url.params.get_list("ticketIds") == [TICKET_A, TICKET_B]
    assert "pagination.offset" not in request.url.params
    query = request.url.query.decode()
    assert "joins=chat&joins=chatThread" in query
    assert "[" not in query, "no bracket keys: repeated plain keys are sent"


def test_one_join_and_one_ticket_are_sent_as_one_value() -> None:
    sent, handler = recording(json_answer([]))
    with sync_client(handler) as client:
        client.list_chat_messages(CHAT, joins="chatThread", ticket_ids=uuid.UUID(TICKET_A))  # type: ignore[arg-type]  # a UUID is read as its str()
        client.list_chat_messages(CHAT, joins=[], ticket_ids=[])
    first, second = sent
    assert first.url.params.get_list("joins") == ["chatThread"]
    assert first.url.params.get_list("ticketIds") == [TICKET_A]
    assert dict(second.url.params) == {"chatId": CHAT}, "empty lists are the default: not sent"


def test_offset_is_sent_only_when_asked_for() -> None:
    sent, handler = recording(json_answer([]))
    with sync_client(handler) as client:
        client.list_chat_messages(CHAT, limit=10)
        client.list_chat_messages(CHAT, limit=10, offset=0)
        client.list_chat_messages(CHAT, offset=20)
    assert [dict(r.url.params) for r in sent] == [
        {"chatId": CHAT, "pagination.limit": "10"},
        {"chatId": CHAT, "pagination.limit": "10", "pagination.offset": "0"},
        {"chatId": CHAT, "pagination.offset": "20"},
    ]


async def test_both_clients_build_the_same_query_and_check_first(twin: Twin) -> None:
    sent, handler = recording(json_answer([MESSAGE]))
    async with twin(lambda: sync_client(handler), lambda: async_client(handler)) as client:
        await client.list_chat_messages(
            CHAT, chat_thread_id=THREAD, joins=("chat", "chat"), ticket_ids=[TICKET_B], limit=3
        )
        with pytest.raises(InvalidRequestError) as info:
            await client.list_chat_messages(CHAT, ticket_ids=[TICKET_A, "ticket-7"])
        with pytest.raises(InvalidRequestError, match="one join name"):
            await client.list_chat_messages(CHAT, joins="chat chatThread")
    assert info.value.field == "ticket_ids[1]"
    (request,) = sent
    assert request.url.params.get_list("joins") == ["chat"]
    assert request.url.params.get_list("ticketIds") == [TICKET_B]
    assert request.url.params["chatThreadId"] == THREAD
    assert request.url.params["pagination.limit"] == "3"


# -- the answer ----------------------------------------------------------------------------


def test_joined_objects_are_kept_on_each_message() -> None:
    joined = {
        **MESSAGE,
        "chat": {"id": CHAT, "name": "Support"},
        "chatThread": {"id": THREAD, "ticketId": TICKET_A},
        "sender": None,
    }
    _, handler = recording(json_answer([joined]))
    with sync_client(handler) as client:
        (message,) = client.list_chat_messages(CHAT, joins=["chat", "chatThread", "sender"])
    assert message.content == "Hello"
    assert message.model_extra == {
        "chat": {"id": CHAT, "name": "Support"},
        "chatThread": {"id": THREAD, "ticketId": TICKET_A},
        "sender": None,
    }
    assert message.model_dump(by_alias=True)["chatThread"]["ticketId"] == TICKET_A


@pytest.mark.parametrize(
    ("body", "extra"),
    [
        ([MESSAGE], {}),
        ({"items": [MESSAGE], "pagination": {"limit": 250}}, {}),
        ({"data": [MESSAGE], "meta": {"total": 1}}, {"meta": {"total": 1}}),
        ({"results": [MESSAGE], "next": None}, {"next": None}),
        ({"chatMessages": [MESSAGE]}, {}),
        ({"data": {"items": [MESSAGE], "total": 1}}, {"data": {"total": 1}}),
        ({"hits": [MESSAGE], "took": 3}, {"took": 3}),
        ({"items": "see data", "data": [MESSAGE]}, {"wrapped_items": "see data"}),
    ],
)
def test_a_list_is_read_bare_or_wrapped_and_the_wrapper_is_kept(
    body: Any, extra: dict[str, Any]
) -> None:
    _, handler = recording(json_answer(body))
    with sync_client(handler) as client:
        result = client.list_chat_messages(CHAT)
    assert [m.id for m in result] == [MESSAGE["id"]]
    assert isinstance(result[0], ChatMessage)
    assert dict(result.model_extra or {}) == extra
    if isinstance(body, dict) and "pagination" in body:
        assert result.pagination == {"limit": 250}


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (None, "expected a JSON array of items, got NoneType"),
        ({}, "with keys []"),
        ({"messages": None, "total": 0}, "0 of them lists"),
        ({"a": [MESSAGE], "b": [MESSAGE]}, "2 of them lists"),
        ("done", "got str"),
    ],
)
def test_an_answer_without_one_list_is_an_error_not_an_empty_result(body: Any, says: str) -> None:
    _, handler = recording(json_answer(body))
    with sync_client(handler) as client, pytest.raises(APIError) as info:
        client.list_chat_messages(CHAT)
    assert "does not fit ListResult[ChatMessage]" in str(info.value)
    assert says in str(info.value)


async def test_both_clients_read_wrapped_lists_of_chats_and_threads(twin: Twin) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/chats"):
            return httpx.Response(200, json={"data": [{"id": CHAT, "agentId": "a-1"}]})
        return httpx.Response(200, json={"items": [{"id": THREAD, "ticketId": TICKET_A}]})

    async with twin(lambda: sync_client(answer), lambda: async_client(answer)) as client:
        chats = await client.list_chats()
        threads = await client.list_chat_threads(CHAT)
    assert isinstance(chats[0], Chat)
    assert chats[0].model_extra == {"agentId": "a-1"}
    assert threads[0].ticket_id == TICKET_A
    assert threads[0].chat_id is None, "only the id is relied on"


def test_a_message_with_only_its_id_is_read() -> None:
    """Nothing of the seed's required fields is required when reading (servers vary)."""
    _, handler = recording(json_answer([{"id": "m-1"}]))
    with sync_client(handler) as client:
        (message,) = client.list_chat_messages(CHAT)
    assert message.id == "m-1"
    assert message.content is None
    assert json.loads(message.model_dump_json(by_alias=True, exclude_none=True)) == {"id": "m-1"}
