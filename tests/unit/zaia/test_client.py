"""ZaiaClient / AsyncZaiaClient over httpx.MockTransport: every endpoint, auth header, secrets."""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable, Iterable
from typing import Any

import httpx
import pytest

from assistant_bridge import APIError, AuthenticationError, InvalidRequestError, RateLimitError
from assistant_bridge.zaia import AsyncZaiaClient, ChatMessage, ChatRole, ZaiaClient
from tests.unit.conftest import Twin

KEY = "zaia-workspace-key-0123456789"
CHAT = "3f2b8c1e-6d4a-4f0e-9b7c-2a1d5e8f9c0b"
THREAD = "11111111-2222-4333-8444-555555555555"
SENDER = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"
TICKET = "99999999-8888-4777-8666-555555555555"
MSG = {
    "createdAt": "2025-03-01T10:00:00.000Z",
    "id": "00000000-0000-4000-8000-000000000001",
    "updatedAt": "2025-03-01T10:00:00.000Z",
    "chatId": CHAT,
    "chatThreadId": THREAD,
    "content": "Hello",
    "externalId": "ext-1",
    "rawContent": None,
    "role": "User",
    "senderId": SENDER,
    "ticket": {"id": TICKET},
}


def public_resolver(host: str) -> list[str]:
    return ["93.184.216.34"]


class Recorder:
    def __init__(self, handler: Callable[[httpx.Request], httpx.Response]) -> None:
        self.handler = handler
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.requests.append(request)
        return self.handler(request)


def route(request: httpx.Request) -> httpx.Response:
    path = request.url.path
    if path == "/api/v1/chat-messages/export":
        return httpx.Response(200, json={"message": "Export started"})
    if path == "/api/v1/chat-messages" and request.method == "POST":
        body = json.loads(request.content)
        return httpx.Response(
            200, json={**MSG, "content": body["content"], "externalId": body["externalId"]}
        )
    if path == "/api/v1/chat-messages":
        return httpx.Response(200, json=[MSG])
    if path == "/api/v1/chats":
        return httpx.Response(
            200,
            json={
                "data": [{"id": CHAT, "name": "Support", "agentId": "x"}],
                "pagination": {"limit": 250, "total": 1},
            },
        )
    if path == "/api/v1/chat-threads":
        return httpx.Response(200, json=[{"id": THREAD, "chatId": CHAT}])
    return httpx.Response(404)


def client_for(recorder: Recorder, **kw: Any) -> ZaiaClient:
    kw.setdefault("_resolver", public_resolver)
    return ZaiaClient(
        KEY,
        http_client=httpx.Client(transport=httpx.MockTransport(recorder)),
        _sleep=lambda s: None,
        **kw,
    )


def async_client_for(
    recorder: Recorder, resolver: Callable[[str], Iterable[str]] = public_resolver
) -> AsyncZaiaClient:
    async def no_sleep(seconds: float) -> None:
        return None

    return AsyncZaiaClient(
        KEY,
        http_client=httpx.AsyncClient(transport=httpx.MockTransport(recorder)),
        _sleep=no_sleep,
        _resolver=resolver,
    )


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("ZAIA_API_KEY", "ZAIA_BASE_URL", "ZAIA_AUTH_SCHEME"):
        monkeypatch.delenv(name, raising=False)


# -- configuration ---------------------------------------------------------------------


def test_missing_key_names_the_env_var() -> None:
    with pytest.raises(InvalidRequestError, match="ZAIA_API_KEY"):
        ZaiaClient()


def test_default_base_url_and_bare_key_in_authorization_header() -> None:
    recorder = Recorder(route)
    with client_for(recorder) as client:
        assert str(client.base_url) == "https://api.endless.zaia.app/"
        client.list_chats()
    assert recorder.requests[0].headers["authorization"] == KEY
    assert str(recorder.requests[0].url) == "https://api.endless.zaia.app/api/v1/chats"


def test_bearer_scheme_by_argument_and_env(monkeypatch: pytest.MonkeyPatch) -> None:
    recorder = Recorder(route)
    with client_for(recorder, auth_scheme="Bearer") as client:
        client.list_chats()
    monkeypatch.setenv("ZAIA_AUTH_SCHEME", "Bearer")
    monkeypatch.setenv("ZAIA_API_KEY", "env-key-value-1")
    monkeypatch.setenv("ZAIA_BASE_URL", "https://zaia.test")
    with ZaiaClient(http_client=httpx.Client(transport=httpx.MockTransport(recorder))) as client:
        client.list_chats()
    assert recorder.requests[0].headers["authorization"] == f"Bearer {KEY}"
    assert recorder.requests[1].headers["authorization"] == "Bearer env-key-value-1"
    assert recorder.requests[1].url.host == "zaia.test"


def test_key_that_already_has_a_scheme_is_sent_as_is() -> None:
    recorder = Recorder(route)
    with ZaiaClient(
        "Bearer abc-def-123",
        auth_scheme="Bearer",
        http_client=httpx.Client(transport=httpx.MockTransport(recorder)),
    ) as client:
        client.list_chats()
    assert recorder.requests[0].headers["authorization"] == "Bearer abc-def-123"


def test_bad_auth_scheme() -> None:
    with pytest.raises(InvalidRequestError, match="auth_scheme"):
        ZaiaClient(KEY, auth_scheme="Bear er")


def test_key_absent_from_repr_errors_and_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    recorder = Recorder(lambda r: httpx.Response(401, json={"message": f"invalid key {KEY}"}))
    with client_for(recorder) as client:
        assert KEY not in repr(client)
        assert KEY not in str(client)
        with pytest.raises(AuthenticationError) as info:
            client.list_chats()
    assert KEY not in str(info.value)
    assert KEY not in repr(info.value)
    assert KEY not in caplog.text


# -- endpoints (sync) -------------------------------------------------------------------


def test_list_chat_messages_query_and_typed_result() -> None:
    recorder = Recorder(route)
    with client_for(recorder) as client:
        result = client.list_chat_messages(
            CHAT, chat_thread_id=THREAD, joins=["ticket", "sender"], ticket_ids=[TICKET], limit=100
        )
    (request,) = recorder.requests
    assert request.method == "GET"
    assert request.url.path == "/api/v1/chat-messages"
    assert request.url.params["chatId"] == CHAT
    assert request.url.params["chatThreadId"] == THREAD
    assert request.url.params.get_list("joins") == ["ticket", "sender"]
    assert request.url.params.get_list("ticketIds") == [TICKET]
    assert request.url.params["pagination.limit"] == "100"
    message = result[0]
    assert isinstance(message, ChatMessage)
    assert message.created_at == dt.datetime(2025, 3, 1, 10, tzinfo=dt.timezone.utc)
    assert message.role is ChatRole.USER
    assert message.raw_content is None
    assert message.model_extra == {"ticket": {"id": TICKET}}


def test_single_join_and_ticket_id_as_strings() -> None:
    recorder = Recorder(route)
    with client_for(recorder) as client:
        client.list_chat_messages(CHAT, joins="ticket", ticket_ids=TICKET)
    assert recorder.requests[0].url.params.get_list("joins") == ["ticket"]
    assert recorder.requests[0].url.params.get_list("ticketIds") == [TICKET]


def test_create_chat_message_body_and_no_blind_retry() -> None:
    recorder = Recorder(route)
    with client_for(recorder) as client:
        created = client.create_chat_message(
            CHAT, "Hello", chat_thread_id=THREAD, external_id="ext-1", sender_id=SENDER, role="user"
        )
        client.create_chat_message(CHAT, "Hi", sender_id=SENDER, role="assistant")
    first, second = recorder.requests
    assert first.method == "POST"
    assert first.url.path == "/api/v1/chat-messages"
    assert json.loads(first.content) == {
        "chatId": CHAT, "chatThreadId": THREAD, "content": "Hello", "externalId": "ext-1",
        "senderId": SENDER, "role": "user",
    }  # fmt: skip
    assert json.loads(second.content)["chatThreadId"] is None
    assert json.loads(second.content)["externalId"] is None
    assert created.content == "Hello"

    failing = Recorder(lambda r: httpx.Response(500, json={"message": "boom"}))
    with client_for(failing) as client, pytest.raises(APIError):
        client.create_chat_message(CHAT, "Hello", sender_id=SENDER, role="user")
    assert len(failing.requests) == 1  # a POST that may have been processed is not repeated


def test_create_chat_message_retried_on_429() -> None:
    answers = iter(
        [httpx.Response(429, headers={"retry-after": "0"}), httpx.Response(200, json=MSG)]
    )
    recorder = Recorder(lambda r: next(answers))
    with client_for(recorder) as client:
        client.create_chat_message(CHAT, "Hello", sender_id=SENDER, role="user")
    assert len(recorder.requests) == 2


def test_rate_limit_error_after_budget() -> None:
    recorder = Recorder(lambda r: httpx.Response(429, headers={"retry-after": "1"}))
    with client_for(recorder, max_retries=1) as client, pytest.raises(RateLimitError):
        client.list_chats()
    assert len(recorder.requests) == 2


def test_create_chat_messages_splits_long_content() -> None:
    recorder = Recorder(route)
    paragraph = ("word " * 700).strip()  # 3499 characters
    content = f"{paragraph}\n\n{paragraph}\n\n{paragraph}"
    with client_for(recorder) as client:
        created = client.create_chat_messages(
            CHAT, content, external_id="long-1", sender_id=SENDER, role="user"
        )
        single = client.create_chat_messages(
            CHAT, "short", external_id="only", sender_id=SENDER, role="user"
        )
    bodies = [json.loads(r.content) for r in recorder.requests]
    assert [b["content"] for b in bodies[:3]] == [paragraph] * 3
    assert [b["externalId"] for b in bodies] == ["long-1-1", "long-1-2", "long-1-3", "only"]
    assert len(created) == 3
    assert len(single) == 1


def test_create_chat_messages_checks_every_part_first() -> None:
    recorder = Recorder(route)
    with client_for(recorder) as client, pytest.raises(InvalidRequestError, match="external_id"):
        client.create_chat_messages(
            CHAT, "x " * 3000, external_id="e" * 249, sender_id=SENDER, role="user"
        )
    with client_for(recorder) as client, pytest.raises(InvalidRequestError, match="max_length"):
        client.create_chat_messages(CHAT, "x", sender_id=SENDER, role="user", max_length=5000)
    assert recorder.requests == []


def test_export_body() -> None:
    recorder = Recorder(route)
    with client_for(recorder) as client:
        result = client.export_chat_messages(
            dt.datetime(2025, 1, 1),
            "https://hooks.example.com/zaia",
            range_end="2025-02-01T00:00:00Z",
            language="ENUS",
        )
        client.export_chat_messages(dt.date(2025, 1, 1), "https://93.184.216.34/cb")
    first, second = recorder.requests
    assert first.method == "POST"
    assert first.url.path == "/api/v1/chat-messages/export"
    assert json.loads(first.content) == {
        "rangeStart": "2025-01-01T00:00:00.000Z",
        "rangeEnd": "2025-02-01T00:00:00.000Z",
        "language": "enUs",
        "callbackUrl": "https://hooks.example.com/zaia",
    }
    assert json.loads(second.content) == {
        "rangeStart": "2025-01-01T00:00:00.000Z",
        "callbackUrl": "https://93.184.216.34/cb",
    }
    assert result.message == "Export started"


def test_export_is_not_retried_after_a_500() -> None:
    recorder = Recorder(lambda r: httpx.Response(502))
    with client_for(recorder) as client, pytest.raises(APIError):
        client.export_chat_messages("2025-01-01", "https://hooks.example.com/zaia")
    assert len(recorder.requests) == 1


def test_list_chats_and_threads() -> None:
    recorder = Recorder(route)
    with client_for(recorder) as client:
        chats = client.list_chats(limit=10, params={"status": "open"})
        threads = client.list_chat_threads(CHAT)
    chats_req, threads_req = recorder.requests
    assert dict(chats_req.url.params) == {"status": "open", "pagination.limit": "10"}
    assert threads_req.url.path == "/api/v1/chat-threads"
    assert threads_req.url.params["chatId"] == CHAT
    assert chats[0].id == CHAT
    assert chats[0].name == "Support"
    assert chats.pagination == {"limit": 250, "total": 1}
    assert threads[0].chat_id == CHAT
    assert len(threads) == 1


def test_answer_of_the_wrong_shape_is_an_api_error() -> None:
    recorder = Recorder(lambda r: httpx.Response(200, json={"content": ["not", "a", "string"]}))
    with client_for(recorder) as client, pytest.raises(APIError, match="does not fit ChatMessage"):
        client.create_chat_message(CHAT, "hi", sender_id=SENDER, role="user")


# -- async ------------------------------------------------------------------------------


async def test_async_every_endpoint() -> None:
    recorder = Recorder(route)
    async with async_client_for(recorder) as client:
        messages = await client.list_chat_messages(CHAT, limit=5)
        created = await client.create_chat_message(
            CHAT, "Hello", external_id="abc", sender_id=SENDER, role="user"
        )
        parts = await client.create_chat_messages(
            CHAT, "a. " * 10, sender_id=SENDER, role="user", max_length=10
        )
        export = await client.export_chat_messages(
            "2025-01-01T00:00:00+02:00", "https://hooks.example.com/x"
        )
        chats = await client.list_chats()
        threads = await client.list_chat_threads(CHAT)
    assert messages[0].chat_id == CHAT
    assert created.external_id == "abc"
    assert [p.content for p in parts] == ["a. a. a.", "a. a. a.", "a. a. a.", "a."]
    assert export.message == "Export started"
    assert chats[0].id == CHAT
    assert threads[0].id == THREAD
    export_body = json.loads(recorder.requests[6].content)
    assert export_body["rangeStart"] == "2024-12-31T22:00:00.000Z"
    assert [r.method for r in recorder.requests] == ["GET", *["POST"] * 6, "GET", "GET"]


async def test_callback_resolving_to_private_address_sends_nothing(twin: Twin) -> None:
    recorder = Recorder(route)

    def private(host: str) -> list[str]:
        return ["10.0.0.5"]

    sync, async_ = (
        (lambda: client_for(recorder, _resolver=private)),
        (lambda: async_client_for(recorder, resolver=private)),
    )
    async with twin(sync, async_) as client:
        with pytest.raises(InvalidRequestError, match="private"):
            await client.export_chat_messages("2025-01-01", "https://intranet.example.com/cb")
        with pytest.raises(InvalidRequestError, match="content"):
            await client.create_chat_message(CHAT, "x" * 4001, sender_id=SENDER, role="user")
    assert recorder.requests == []


def test_a_role_string_is_sent_as_given_and_a_chat_role_as_its_value() -> None:
    """The role enum is not public: a string is the caller's choice, sent unchanged."""
    recorder = Recorder(route)
    with client_for(recorder) as client:
        client.create_chat_message(CHAT, "a", sender_id=SENDER, role="ASSISTANT")
        client.create_chat_message(CHAT, "b", sender_id=SENDER, role=ChatRole.SYSTEM)
        client.create_chat_message(CHAT, "c", sender_id=SENDER, role=" agent ")
        client.create_chat_message(CHAT, "d", sender_id=SENDER, role=ChatRole("USER"))
    assert [json.loads(r.content)["role"] for r in recorder.requests] == [
        "ASSISTANT",
        "system",
        "agent",
        "user",
    ]
    assert ChatMessage.model_validate({"role": "Bot"}).role == "Bot"
    assert ChatMessage.model_validate({"role": "ASSISTANT"}).role is ChatRole.ASSISTANT
