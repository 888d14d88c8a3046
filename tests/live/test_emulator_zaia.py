"""The emulated Zaia API over loopback HTTP, with plain httpx (the Zaia client is separate)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from assistant_bridge.emulator import EMULATOR_KEYS, EmulatorURL, run_emulator

SENDER = "3f2b1c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"


@pytest.fixture(scope="module")
def base_url() -> Iterator[EmulatorURL]:
    with run_emulator() as url:
        yield url


@pytest.fixture
def http(base_url: EmulatorURL) -> Iterator[httpx.Client]:
    httpx.post(f"{base_url}/_emulator/reset")
    with httpx.Client(base_url=base_url.zaia, headers={"authorization": EMULATOR_KEYS["zaia"]}) as client:
        yield client


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


def test_auth_with_or_without_bearer(base_url: EmulatorURL) -> None:
    url = f"{base_url.zaia}/api/v1/chats"
    assert httpx.get(url).status_code == 401
    assert httpx.get(url, headers={"authorization": "wrong"}).status_code == 401
    assert httpx.get(url, headers={"authorization": f"Bearer {EMULATOR_KEYS['zaia']}"}).status_code == 200


def test_chats_threads_and_messages_are_seeded(http: httpx.Client) -> None:
    chats = http.get("/api/v1/chats").json()
    assert [c["name"] for c in chats] == ["Brightwater website assistant", "People team helpdesk"]
    chat, thread = chat_and_thread(http)
    threads = http.get("/api/v1/chat-threads", params={"chatId": chat}).json()
    assert len(threads) == 2
    assert {t["chatId"] for t in threads} == {chat}
    everything = http.get("/api/v1/chat-messages", params={"chatId": chat}).json()
    in_thread = http.get("/api/v1/chat-messages", params={"chatId": chat, "chatThreadId": thread}).json()
    assert len(everything) == 5
    assert len(in_thread) == 3
    assert [m["createdAt"] for m in everything] == sorted(m["createdAt"] for m in everything)
    assert in_thread[1]["role"] == "assistant"
    assert in_thread[1]["rawContent"] == in_thread[1]["content"]


def test_posting_appends_to_the_thread(http: httpx.Client) -> None:
    chat, thread = chat_and_thread(http)
    created = http.post("/api/v1/chat-messages", json=new_message(chat, thread)).json()
    assert created["chatThreadId"] == thread
    assert created["rawContent"] is None
    assert created["id"]
    in_thread = http.get("/api/v1/chat-messages", params={"chatId": chat, "chatThreadId": thread}).json()
    assert in_thread[-1] == created
    other_chat = http.get("/api/v1/chats").json()[1]["id"]
    other = http.get("/api/v1/chat-messages", params={"chatId": other_chat}).json()
    assert created not in other, "state is per chat"
    outside = http.post("/api/v1/chat-messages", json=new_message(chat, None, content="No thread")).json()
    assert outside["chatThreadId"] is None


def test_pagination_limit(http: httpx.Client) -> None:
    chat, _ = chat_and_thread(http)
    page = http.get("/api/v1/chat-messages", params={"chatId": chat, "pagination.limit": 2}).json()
    following = http.get(
        "/api/v1/chat-messages", params={"chatId": chat, "pagination.limit": 2, "pagination.offset": 2}
    ).json()
    assert len(page) == 2
    assert len(following) == 2
    assert page[0] != following[0]
    too_big = http.get("/api/v1/chat-messages", params={"chatId": chat, "pagination.limit": 1001})
    assert too_big.status_code == 400
    assert "pagination.limit" in too_big.json()["errors"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"content": "x" * 4001}, "content"),
        ({"externalId": "ab"}, "externalId"),
        ({"role": "robot"}, "role"),
        ({"senderId": "not-a-uuid"}, "senderId"),
        ({"chatThreadId": "nope"}, "chatThreadId"),
    ],
)
def test_invalid_messages_are_400(http: httpx.Client, change: dict[str, Any], field: str) -> None:
    chat, thread = chat_and_thread(http)
    response = http.post("/api/v1/chat-messages", json=new_message(chat, thread, **change))
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_required_nullable_fields_must_be_present(http: httpx.Client) -> None:
    chat, thread = chat_and_thread(http)
    body = new_message(chat, thread)
    del body["externalId"]
    assert http.post("/api/v1/chat-messages", json=body).status_code == 400


def test_unknown_chat_or_thread_is_404(http: httpx.Client) -> None:
    chat, _ = chat_and_thread(http)
    missing = "00000000-0000-4000-8000-000000000000"
    assert http.post("/api/v1/chat-messages", json=new_message(missing, None)).status_code == 404
    assert http.post("/api/v1/chat-messages", json=new_message(chat, missing)).status_code == 404
    assert http.get("/api/v1/chat-messages", params={"chatId": missing}).status_code == 404
    assert http.get("/api/v1/chat-messages").status_code == 400


def test_export_records_the_callback_and_never_calls_it(http: httpx.Client, base_url: EmulatorURL) -> None:
    body = {"rangeStart": "2025-05-01T00:00:00Z", "callbackUrl": "https://hooks.customer.example/zaia-export"}
    response = http.post("/api/v1/chat-messages/export", json=body)
    assert response.status_code == 200
    assert "callbackUrl" in response.json()["message"]
    exports = httpx.get(f"{base_url}/_emulator/zaia/exports").json()
    assert [e["callbackUrl"] for e in exports] == [body["callbackUrl"]]
    assert exports[0]["language"] == "enUs"


@pytest.mark.parametrize(
    "change",
    [
        {"callbackUrl": "http://hooks.customer.example/x"},
        {"callbackUrl": "https://127.0.0.1/x"},
        {"callbackUrl": "https://localhost/x"},
        {"callbackUrl": "https://10.1.2.3/x"},
        {"rangeStart": None},
        {"rangeEnd": "2025-04-01T00:00:00Z"},
        {"language": "klingon"},
    ],
)
def test_export_rejects_unsafe_callbacks_and_bad_ranges(http: httpx.Client, change: dict[str, Any]) -> None:
    body = {"rangeStart": "2025-05-01T00:00:00Z", "callbackUrl": "https://hooks.customer.example/x", **change}
    assert http.post("/api/v1/chat-messages/export", json=body).status_code == 400
