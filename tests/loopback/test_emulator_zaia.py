"""The emulated Zaia API over loopback HTTP, with plain httpx (the Zaia client is separate).

The emulator runs in its default, ``documented`` dialect (only what seed 004 and API-NOTES
name); a test that needs an inferred extra asks for it with ``x-emulator-dialect:
extended`` on the request.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from assistant_bridge.emulator import DIALECT_HEADER, EMULATOR_KEYS, EmulatorURL, run_emulator

SENDER = "3f2b1c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
EXTENDED = {DIALECT_HEADER: "extended"}
SEED_FIELDS = {
    "createdAt", "id", "updatedAt", "chatId", "chatThreadId", "content", "externalId", "rawContent", "role", "senderId",
}  # fmt: skip


@pytest.fixture(scope="module")
def base_url() -> Iterator[EmulatorURL]:
    with run_emulator(dialect="documented") as url:
        yield url


@pytest.fixture(scope="module")
def shared(base_url: EmulatorURL) -> Iterator[httpx.Client]:
    """One client for the module (making one costs more than the requests of a test)."""
    with httpx.Client(
        base_url=base_url.zaia, headers={"authorization": EMULATOR_KEYS["zaia"]}
    ) as client:
        yield client


@pytest.fixture
def http(shared: httpx.Client, base_url: EmulatorURL) -> httpx.Client:
    shared.post(f"{base_url}/_emulator/reset").raise_for_status()
    return shared


def chat_and_thread(http: httpx.Client) -> tuple[str, str]:
    chat = http.get("/api/v1/chats").json()[0]["id"]
    thread = http.get("/api/v1/chat-threads", params={"chatId": chat}).json()[0]["id"]
    return chat, thread


def new_message(chat: str, thread: str | None, **change: Any) -> dict[str, Any]:
    body = {
        "chatId": chat,
        "chatThreadId": thread,
        "content": "Is the reissued invoice on its way?",
        "externalId": "crm-4711",
        "senderId": SENDER,
        "role": "user",
    }
    return {**body, **change}


def listing(http: httpx.Client, query: str | dict[str, Any], **kw: Any) -> httpx.Response:
    return http.get("/api/v1/chat-messages", params=query, **kw)


def test_auth_with_or_without_bearer(http: httpx.Client) -> None:
    request = http.build_request("GET", "/api/v1/chats")
    del request.headers["authorization"]
    assert http.send(request).status_code == 401
    assert http.get("/api/v1/chats", headers={"authorization": "wrong"}).status_code == 401
    assert (
        http.get(
            "/api/v1/chats", headers={"authorization": f"Bearer {EMULATOR_KEYS['zaia']}"}
        ).status_code
        == 200
    )


def test_documented_chats_and_threads_carry_only_their_ids(http: httpx.Client) -> None:
    chats = http.get("/api/v1/chats").json()
    assert [set(c) for c in chats] == [{"id"}, {"id"}]
    chat, _ = chat_and_thread(http)
    threads = http.get("/api/v1/chat-threads", params={"chatId": chat}).json()
    assert [set(t) for t in threads] == [{"id"}, {"id"}]


def test_extended_chats_and_threads_add_names_times_and_ticket_ids(http: httpx.Client) -> None:
    chats = http.get("/api/v1/chats", headers=EXTENDED).json()
    assert [c["name"] for c in chats] == ["Brightwater website assistant", "People team helpdesk"]
    threads = http.get(
        "/api/v1/chat-threads", params={"chatId": chats[0]["id"]}, headers=EXTENDED
    ).json()
    assert {t["chatId"] for t in threads} == {chats[0]["id"]}
    assert set(threads[0]) == {"id", "chatId", "name", "ticketId", "createdAt", "updatedAt"}
    assert len({t["ticketId"] for t in threads}) == 2


def test_every_emulator_id_is_a_uuid_v4(http: httpx.Client) -> None:
    chat, thread = chat_and_thread(http)
    created = http.post("/api/v1/chat-messages", json=new_message(chat, thread)).json()
    threads = http.get("/api/v1/chat-threads", params={"chatId": chat}, headers=EXTENDED).json()
    ids = [chat, created["id"], *(t["id"] for t in threads), *(t["ticketId"] for t in threads)]
    ids += [m["id"] for m in listing(http, {"chatId": chat}).json()]
    ids += [m["senderId"] for m in listing(http, {"chatId": chat}).json()]
    for value in ids:
        parsed = uuid.UUID(value)
        assert parsed.version == 4
        assert parsed.variant == uuid.RFC_4122
        assert str(parsed) == value


def test_messages_are_seeded_with_exactly_the_seed_fields(http: httpx.Client) -> None:
    chat, thread = chat_and_thread(http)
    everything = listing(http, {"chatId": chat}).json()
    in_thread = listing(http, {"chatId": chat, "chatThreadId": thread}).json()
    assert len(everything) == 5
    assert len(in_thread) == 3
    assert all(set(m) == SEED_FIELDS for m in everything)
    assert [m["createdAt"] for m in everything] == sorted(m["createdAt"] for m in everything)
    assert in_thread[1]["role"] == "assistant"
    assert in_thread[1]["rawContent"] == in_thread[1]["content"]


def test_posting_appends_to_the_thread(http: httpx.Client) -> None:
    chat, thread = chat_and_thread(http)
    created = http.post("/api/v1/chat-messages", json=new_message(chat, thread)).json()
    assert created["chatThreadId"] == thread
    assert created["rawContent"] is None
    assert set(created) == SEED_FIELDS
    in_thread = listing(http, {"chatId": chat, "chatThreadId": thread}).json()
    assert in_thread[-1] == created
    other_chat = http.get("/api/v1/chats").json()[1]["id"]
    assert created not in listing(http, {"chatId": other_chat}).json(), "state is per chat"
    outside = http.post(
        "/api/v1/chat-messages", json=new_message(chat, None, content="No thread")
    ).json()
    assert outside["chatThreadId"] is None


def test_pagination_limit_in_both_dialects(http: httpx.Client) -> None:
    chat, _ = chat_and_thread(http)
    for headers in ({}, EXTENDED):
        assert (
            len(listing(http, {"chatId": chat, "pagination.limit": 2}, headers=headers).json()) == 2
        )
        assert (
            len(listing(http, {"chatId": chat, "pagination[limit]": 1}, headers=headers).json())
            == 1
        )
        for bad in (0, 1001, "ten"):
            too_big = listing(http, {"chatId": chat, "pagination.limit": bad}, headers=headers)
            assert too_big.status_code == 400
            assert "pagination.limit" in too_big.json()["errors"]


def test_the_offset_is_ignored_when_documented_and_honoured_when_extended(
    http: httpx.Client,
) -> None:
    chat, _ = chat_and_thread(http)
    first = listing(http, {"chatId": chat, "pagination.limit": 2}).json()
    again = listing(http, {"chatId": chat, "pagination.limit": 2, "pagination.offset": 2}).json()
    assert again == first, "pagination.offset is not in Zaia's documents"
    assert listing(http, {"chatId": chat, "pagination.offset": "junk"}).status_code == 200
    following = listing(
        http, {"chatId": chat, "pagination.limit": 2, "pagination.offset": 2}, headers=EXTENDED
    ).json()
    assert [m["id"] for m in following] == [
        m["id"] for m in listing(http, {"chatId": chat}).json()[2:4]
    ]
    bad = listing(http, {"chatId": chat, "pagination.offset": -1}, headers=EXTENDED)
    assert bad.status_code == 400
    assert "pagination.offset" in bad.json()["errors"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"content": "x" * 4001}, "content"),
        ({"content": None}, "content"),
        ({"externalId": "ab"}, "externalId"),
        ({"role": ""}, "role"),
        ({"role": 3}, "role"),
        ({"senderId": "not-a-uuid"}, "senderId"),
        ({"senderId": None}, "senderId"),
        ({"chatThreadId": "nope"}, "chatThreadId"),
    ],
)
def test_invalid_messages_are_400(http: httpx.Client, change: dict[str, Any], field: str) -> None:
    chat, thread = chat_and_thread(http)
    response = http.post("/api/v1/chat-messages", json=new_message(chat, thread, **change))
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert field in response.json()["errors"]


def test_what_the_seed_allows_is_accepted_and_the_inferred_rules_are_extended(
    http: httpx.Client,
) -> None:
    chat, thread = chat_and_thread(http)
    for change in (
        {"content": ""},
        {"content": "   "},
        {"content": "x" * 4000},
        {"role": "agent"},
        {"role": "User"},
    ):
        response = http.post("/api/v1/chat-messages", json=new_message(chat, thread, **change))
        assert response.status_code == 200, change
    refused = http.post(
        "/api/v1/chat-messages", json=new_message(chat, thread, role="agent"), headers=EXTENDED
    )
    assert refused.status_code == 400
    assert refused.json()["errors"]["role"] == ["Must be one of user, assistant, system."]
    blank = http.post(
        "/api/v1/chat-messages", json=new_message(chat, thread, content=""), headers=EXTENDED
    )
    assert blank.status_code == 200, "the extended dialect adds no non-empty rule either"


def test_required_nullable_fields_must_be_present(http: httpx.Client) -> None:
    chat, thread = chat_and_thread(http)
    for name in ("externalId", "chatThreadId"):
        body = new_message(chat, thread)
        del body[name]
        response = http.post("/api/v1/chat-messages", json=body)
        assert response.status_code == 400
        assert name in response.json()["errors"]


def test_unknown_chat_or_thread_is_404(http: httpx.Client) -> None:
    chat, _ = chat_and_thread(http)
    missing = "00000000-0000-4000-8000-000000000000"
    assert http.post("/api/v1/chat-messages", json=new_message(missing, None)).status_code == 404
    assert http.post("/api/v1/chat-messages", json=new_message(chat, missing)).status_code == 404
    assert listing(http, {"chatId": missing}).status_code == 404
    assert http.get("/api/v1/chat-messages").json()["errors"] == {
        "chatId": ["Required: a UUID v4 string."]
    }
    bad_thread = listing(http, {"chatId": chat, "chatThreadId": "t-1"})
    assert set(bad_thread.json()["errors"]) == {"chatThreadId"}


# -- joins and ticketIds ---------------------------------------------------------------------


def tickets(http: httpx.Client, chat: str) -> dict[str, str]:
    """Thread id -> ticket id (only the extended dialect tells them)."""
    threads = http.get("/api/v1/chat-threads", params={"chatId": chat}, headers=EXTENDED).json()
    return {t["id"]: t["ticketId"] for t in threads}


@pytest.mark.parametrize(
    "encode",
    [
        lambda chat, a, b: f"chatId={chat}&ticketIds={a}&ticketIds={b}",
        lambda chat, a, b: f"chatId={chat}&ticketIds[]={a}&ticketIds[]={b}",
        lambda chat, a, b: f"chatId={chat}&ticketIds[0]={a}&ticketIds[1]={b}",
        lambda chat, a, b: f"chatId={chat}&ticketIds={a},{b}",
    ],
    ids=["repeated", "brackets", "indexed", "commas"],
)
def test_ticket_ids_filter_in_every_encoding(http: httpx.Client, encode: Any) -> None:
    chat, thread = chat_and_thread(http)
    by_thread = tickets(http, chat)
    other = next(t for t in by_thread if t != thread)
    http.post("/api/v1/chat-messages", json=new_message(chat, None, content="No ticket"))
    one = listing(http, f"chatId={chat}&ticketIds={by_thread[thread]}").json()
    assert [m["chatThreadId"] for m in one] == [thread] * 3
    both = listing(http, encode(chat, by_thread[thread], by_thread[other].upper())).json()
    assert len(both) == 5, "the two threads' messages, not the one outside a thread"
    unknown = listing(http, {"chatId": chat, "ticketIds": str(uuid.uuid4())}).json()
    assert unknown == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("ticketIds=abc", "ticketIds"),
        ("ticketIds=", "ticketIds"),
        ("ticketIds[]=00000000-0000-4000-8000-00000000000", "ticketIds"),
        ("joins=", "joins"),
        ("joins=chat,,chatThread", "joins"),
        ("joins[]=chat%20thread", "joins"),
        ("joins=1st", "joins"),
    ],
)
def test_malformed_joins_and_ticket_ids_are_400_naming_the_field(
    http: httpx.Client, query: str, field: str
) -> None:
    chat, _ = chat_and_thread(http)
    for headers in ({}, EXTENDED):
        response = listing(http, f"chatId={chat}&{query}", headers=headers)
        assert response.status_code == 400
        assert response.headers["content-type"] == "application/problem+json"
        assert list(response.json()["errors"]) == [field]
        assert re.search(field, response.json()["detail"])


def test_documented_joins_are_accepted_and_send_nothing_undocumented(http: httpx.Client) -> None:
    chat, _ = chat_and_thread(http)
    plain = listing(http, {"chatId": chat}).json()
    for query in (
        "joins=chat&joins=chatThread",
        "joins[]=chat",
        "joins=anyName",
        "joins=chat,chatThread",
    ):
        response = listing(http, f"chatId={chat}&{query}")
        assert response.status_code == 200, query
        assert response.json() == plain


def test_extended_joins_attach_the_chat_and_the_thread(http: httpx.Client) -> None:
    chat, thread = chat_and_thread(http)
    outside = http.post(
        "/api/v1/chat-messages", json=new_message(chat, None, content="No thread")
    ).json()
    joined = listing(http, f"chatId={chat}&joins=chat&joins[]=chatThread", headers=EXTENDED).json()
    assert set(joined[0]) == SEED_FIELDS | {"chat", "chatThread"}
    assert joined[0]["chat"]["id"] == chat
    assert joined[0]["chat"]["name"] == "Brightwater website assistant"
    assert joined[0]["chatThread"]["id"] == thread
    assert joined[0]["chatThread"]["ticketId"] == tickets(http, chat)[thread]
    assert joined[-1]["id"] == outside["id"]
    assert joined[-1]["chatThread"] is None
    only_chat = listing(http, {"chatId": chat, "joins": "chat"}, headers=EXTENDED).json()
    assert set(only_chat[0]) == SEED_FIELDS | {"chat"}
    unknown = listing(http, {"chatId": chat, "joins": "sender"}, headers=EXTENDED)
    assert unknown.status_code == 400
    assert unknown.json()["errors"]["joins"] == ["Must be one of chat, chatThread, got 'sender'."]


# -- export ------------------------------------------------------------------------------------


def test_export_records_the_callback_and_never_calls_it(
    http: httpx.Client, base_url: EmulatorURL
) -> None:
    body = {
        "rangeStart": "2025-05-01T00:00:00Z",
        "callbackUrl": "https://hooks.customer.example/zaia-export",
    }
    response = http.post("/api/v1/chat-messages/export", json=body)
    assert response.status_code == 200
    assert "callbackUrl" in response.json()["message"]
    exports = http.get(f"{base_url}/_emulator/zaia/exports").json()
    assert [e["callbackUrl"] for e in exports] == [body["callbackUrl"]]
    assert exports[0]["language"] == "enUs"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"callbackUrl": "http://hooks.customer.example/x"}, "callbackUrl"),
        ({"callbackUrl": "https://127.0.0.1/x"}, "callbackUrl"),
        ({"callbackUrl": "https://localhost/x"}, "callbackUrl"),
        ({"callbackUrl": "https://10.1.2.3/x"}, "callbackUrl"),
        ({"callbackUrl": None}, "callbackUrl"),
        ({"rangeStart": "yesterday"}, "rangeStart"),
        ({"rangeStart": 20250101}, "rangeStart"),
        ({"rangeEnd": "soon"}, "rangeEnd"),
        ({"language": ""}, "language"),
        ({"language": None}, "language"),
    ],
)
def test_export_rejects_unsafe_callbacks_and_bad_values(
    http: httpx.Client, change: dict[str, Any], field: str
) -> None:
    body = {
        "rangeStart": "2025-05-01T00:00:00Z",
        "callbackUrl": "https://hooks.customer.example/x",
        **change,
    }
    response = http.post("/api/v1/chat-messages/export", json=body)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]


def test_export_range_start_must_be_present_but_may_be_null(http: httpx.Client) -> None:
    callback = {"callbackUrl": "https://hooks.customer.example/x"}
    missing = http.post("/api/v1/chat-messages/export", json=callback)
    assert missing.status_code == 400
    assert list(missing.json()["errors"]) == ["rangeStart"]
    assert (
        http.post("/api/v1/chat-messages/export", json={"rangeStart": None, **callback}).status_code
        == 200
    )
    assert (
        http.post(
            "/api/v1/chat-messages/export", json={"rangeStart": None, "rangeEnd": None, **callback}
        ).status_code
        == 200
    )


def test_export_language_and_range_order_are_checked_only_when_extended(http: httpx.Client) -> None:
    body = {"rangeStart": "2025-05-01T00:00:00Z", "callbackUrl": "https://hooks.customer.example/x"}
    for change, field in (
        ({"language": "klingon"}, "language"),
        ({"rangeEnd": "2025-04-01T00:00:00Z"}, "rangeEnd"),
    ):
        assert http.post("/api/v1/chat-messages/export", json={**body, **change}).status_code == 200
        refused = http.post(
            "/api/v1/chat-messages/export", json={**body, **change}, headers=EXTENDED
        )
        assert refused.status_code == 400
        assert list(refused.json()["errors"]) == [field]
    ok = http.post(
        "/api/v1/chat-messages/export", json={**body, "language": "ptBr"}, headers=EXTENDED
    )
    assert ok.status_code == 200
