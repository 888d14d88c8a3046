"""Zaia input rules: each one names the field and the limit, and nothing is sent."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from assistant_bridge import InvalidRequestError
from assistant_bridge.zaia import ZaiaClient, check_callback_url, split_content

KEY = "zaia-checks-key-0001"
CHAT = "3f2b8c1e-6d4a-4f0e-9b7c-2a1d5e8f9c0b"
SENDER = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"


class Resolver:
    def __init__(self, table: dict[str, list[str]]) -> None:
        self.table = table
        self.asked: list[str] = []

    def __call__(self, host: str) -> list[str]:
        self.asked.append(host)
        return self.table.get(host, [])


RESOLVER = Resolver(
    {
        "hooks.example.com": ["93.184.216.34"],
        "dual.example.com": ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"],
        "rebind.example.com": ["93.184.216.34", "127.0.0.1"],
        "private.example.com": ["192.168.1.10"],
        "metadata.example.com": ["169.254.169.254"],
        "v6local.example.com": ["fd00::1"],
        "mapped.example.com": ["::ffff:10.0.0.1"],
        "cgnat.example.com": ["100.64.0.1"],
    }
)


@pytest.fixture
def sent() -> list[httpx.Request]:
    return []


@pytest.fixture
def client(sent: list[httpx.Request]) -> ZaiaClient:
    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json={})

    return ZaiaClient(
        KEY, http_client=httpx.Client(transport=httpx.MockTransport(handler)), _resolver=RESOLVER
    )


def create(**overrides: Any) -> Callable[[ZaiaClient], Any]:
    args: dict[str, Any] = {
        "chat_id": CHAT,
        "content": "hello",
        "sender_id": SENDER,
        "role": "user",
    }
    args.update(overrides)
    return lambda c: c.create_chat_message(args.pop("chat_id"), args.pop("content"), **args)


@pytest.mark.parametrize(
    ("call", "field", "rule"),
    [
        (create(content="x" * 4001), "content", "at most 4000 characters, got 4001"),
        (create(content=None), "content", "must be a string, got NoneType"),
        (create(content=["a"]), "content", "must be a string"),
        (create(external_id="ab"), "external_id", "3 to 250 characters, got 2 characters"),
        (create(external_id="e" * 251), "external_id", "3 to 250 characters, got 251"),
        (create(external_id=12345), "external_id", "3 to 250"),
        (create(chat_id="chat-1"), "chat_id", "UUID"),
        (create(chat_thread_id="thread"), "chat_thread_id", "UUID"),
        (create(sender_id="me"), "sender_id", "UUID"),
        (create(role=""), "role", "non-empty"),
        (lambda c: c.list_chat_messages("nope"), "chat_id", "UUID"),
        (lambda c: c.list_chat_messages(CHAT, chat_thread_id="t"), "chat_thread_id", "UUID"),
        (lambda c: c.list_chat_messages(CHAT, ticket_ids=[CHAT, "t-2"]), "ticket_ids[1]", "UUID"),
        (lambda c: c.list_chat_messages(CHAT, joins=[""]), "joins[0]", "non-empty"),
        (
            lambda c: c.list_chat_messages(CHAT, joins="chat,chatThread"),
            "joins[0]",
            "one join name",
        ),
        (
            lambda c: c.list_chat_messages(CHAT, joins=["chat", "chat thread"]),
            "joins[1]",
            "one join name",
        ),
        (lambda c: c.list_chat_messages(CHAT, joins=["1chat"]), "joins[0]", "a letter, then"),
        (lambda c: c.list_chat_messages(CHAT, joins=[None]), "joins[0]", "non-empty"),
        (lambda c: c.list_chat_messages(CHAT, ticket_ids="not-a-ticket"), "ticket_ids[0]", "UUID"),
        (lambda c: c.list_chat_messages(CHAT, ticket_ids=[CHAT, None]), "ticket_ids[1]", "UUID"),
        (
            lambda c: c.list_chat_messages(CHAT, ticket_ids=[CHAT, "../chats"]),
            "ticket_ids[1]",
            "UUID",
        ),
        (lambda c: c.list_chat_messages(CHAT, offset=-1), "offset", ">= 0"),
        (lambda c: c.list_chat_messages(CHAT, limit=0), "limit", "from 1 to 1000"),
        (lambda c: c.list_chat_messages(CHAT, limit=1001), "limit", "from 1 to 1000"),
        (lambda c: c.list_chat_threads("x"), "chat_id", "UUID"),
        (lambda c: c.list_chats(limit=5000), "limit", "from 1 to 1000"),
    ],
)
def test_message_and_list_rules(
    client: ZaiaClient,
    sent: list[httpx.Request],
    call: Callable[[ZaiaClient], Any],
    field: str,
    rule: str,
) -> None:
    with pytest.raises(InvalidRequestError) as info:
        call(client)
    assert info.value.field == field
    assert str(info.value).startswith(f"{field}: ")
    assert rule in str(info.value)
    assert sent == []


def test_content_limit_error_points_at_the_splitter(client: ZaiaClient) -> None:
    with pytest.raises(InvalidRequestError, match="create_chat_messages"):
        client.create_chat_message(CHAT, "x" * 5000, sender_id=SENDER, role="user")


def test_empty_and_blank_content_are_sent_as_given(
    client: ZaiaClient, sent: list[httpx.Request]
) -> None:
    """Seed 004 sets ``content`` a maximum (4000) and no minimum: the client adds none."""
    client.create_chat_message(CHAT, "", sender_id=SENDER, role="user")
    client.create_chat_messages(CHAT, "  \n ", sender_id=SENDER, role="user")
    client.create_chat_messages(CHAT, "  padded text  ", sender_id=SENDER, role="user")
    assert [json.loads(r.content)["content"] for r in sent] == ["", "  \n ", "  padded text  "]


def test_whitespace_over_the_limit_cannot_be_split(
    client: ZaiaClient, sent: list[httpx.Request]
) -> None:
    with pytest.raises(InvalidRequestError, match="whitespace only") as info:
        client.create_chat_messages(CHAT, " " * 4001, sender_id=SENDER, role="user")
    assert info.value.field == "content"
    assert sent == []


def test_range_start_may_be_null(client: ZaiaClient, sent: list[httpx.Request]) -> None:
    """``rangeStart`` is "nullable, Required": None is sent as an explicit null."""
    client.export_chat_messages(None, "https://hooks.example.com/cb")
    client.export_chat_messages(None, "https://hooks.example.com/cb", range_end="2025-02-01")
    assert [json.loads(r.content) for r in sent] == [
        {"rangeStart": None, "callbackUrl": "https://hooks.example.com/cb"},
        {
            "rangeStart": None,
            "rangeEnd": "2025-02-01T00:00:00.000Z",
            "callbackUrl": "https://hooks.example.com/cb",
        },
    ]


def test_content_of_exactly_4000_and_external_id_bounds_pass(
    client: ZaiaClient, sent: list[httpx.Request]
) -> None:
    client.create_chat_message(CHAT, "x" * 4000, external_id="abc", sender_id=SENDER, role="user")
    client.create_chat_message(CHAT, "y", external_id="e" * 250, sender_id=SENDER, role="user")
    assert len(sent) == 2


@pytest.mark.parametrize(
    ("url", "rule"),
    [
        ("http://hooks.example.com/cb", "must use https://"),
        ("ftp://hooks.example.com/cb", "must use https://"),
        ("hooks.example.com/cb", "must use https://"),
        ("https:///path-only", "must have a host"),
        ("", "must be an https:// URL"),
        ("https://hooks.example.com:99999/", "not a valid URL"),
        ("https://localhost/cb", "local name"),
        ("https://printer.local/cb", "local name"),
        ("https://intranet/cb", "local name"),
        ("https://127.0.0.1/cb", "loopback"),
        ("https://[::1]/cb", "loopback"),
        ("https://10.1.2.3/cb", "private"),
        ("https://192.168.0.1/cb", "private"),
        ("https://172.16.5.4/cb", "private"),
        ("https://169.254.169.254/latest", "link-local"),
        ("https://[fe80::1]/cb", "link-local"),
        ("https://0.0.0.0/cb", "unspecified"),
        ("https://224.0.0.1/cb", "multicast"),
        ("https://[::ffff:127.0.0.1]/cb", "loopback"),
        ("https://2130706433/cb", "loopback"),
        ("https://0x7f.1/cb", "loopback"),
        ("https://100.64.0.1/cb", "not a public address"),
        ("https://private.example.com/cb", "resolves to 192.168.1.10"),
        ("https://rebind.example.com/cb", "resolves to 127.0.0.1"),
        ("https://metadata.example.com/cb", "link-local"),
        ("https://v6local.example.com/cb", "private"),
        ("https://mapped.example.com/cb", "private"),
        ("https://cgnat.example.com/cb", "resolves to 100.64.0.1"),
        ("https://unknown.example.com/cb", "does not resolve"),
    ],
)
def test_callback_url_rules(
    client: ZaiaClient, sent: list[httpx.Request], url: str, rule: str
) -> None:
    with pytest.raises(InvalidRequestError) as info:
        client.export_chat_messages("2025-01-01T00:00:00Z", url)
    assert info.value.field == "callback_url"
    assert rule in str(info.value)
    assert sent == []


@pytest.mark.parametrize(
    "url",
    [
        "https://hooks.example.com/cb",
        "HTTPS://Hooks.Example.com./cb?x=1",
        "https://dual.example.com:8443/cb",
        "https://93.184.216.34/cb",
        "https://[2606:2800:220:1:248:1893:25c8:1946]/cb",
    ],
)
def test_public_callback_urls_pass(url: str) -> None:
    assert check_callback_url(url, RESOLVER) == url


def test_literal_ip_is_not_resolved() -> None:
    resolver = Resolver({})
    check_callback_url("https://93.184.216.34/cb", resolver)
    assert resolver.asked == []


@pytest.mark.parametrize(
    ("start", "end", "field", "rule"),
    [
        (
            "2025-02-01T00:00:00Z",
            "2025-01-01T00:00:00Z",
            "range_start",
            "must not be after range_end",
        ),
        (
            "2025-01-01T12:00:00+00:00",
            "2025-01-01T13:00:00+02:00",
            "range_start",
            "must not be after",
        ),
        ("yesterday", None, "range_start", "ISO-8601"),
        ("2025-01-01", "soon", "range_end", "ISO-8601"),
        (12345, None, "range_start", "datetime"),
    ],
)
def test_range_rules(
    client: ZaiaClient, sent: list[httpx.Request], start: Any, end: Any, field: str, rule: str
) -> None:
    with pytest.raises(InvalidRequestError) as info:
        client.export_chat_messages(start, "https://hooks.example.com/cb", range_end=end)
    assert info.value.field == field
    assert rule in str(info.value)
    assert sent == []


def test_equal_range_and_unknown_language_pass(
    client: ZaiaClient, sent: list[httpx.Request]
) -> None:
    client.export_chat_messages(
        "2025-01-01", "https://hooks.example.com/cb", range_end="2025-01-01", language="ptBr"
    )
    assert b'"language":"ptBr"' in sent[0].content


def test_empty_language_is_refused(client: ZaiaClient, sent: list[httpx.Request]) -> None:
    with pytest.raises(InvalidRequestError, match="language"):
        client.export_chat_messages("2025-01-01", "https://hooks.example.com/cb", language=" ")
    assert sent == []


# -- split_content --------------------------------------------------------------------------


def test_split_prefers_paragraphs_then_sentences_then_words() -> None:
    text = "First paragraph here.\n\nSecond one. It has two sentences! And a third?"
    assert split_content(text, 30) == [
        "First paragraph here.",
        "Second one.",
        "It has two sentences!",
        "And a third?",
    ]
    assert split_content("alpha beta gamma delta", 11) == ["alpha beta", "gamma delta"]
    assert split_content("One. Two. Three.", 10) == ["One. Two.", "Three."]
    assert split_content("x" * 25, 10) == ["x" * 10, "x" * 10, "x" * 5]
    assert split_content("short", 4000) == ["short"]
    assert split_content("   ", 10) == []


def test_split_rejects_a_bad_limit() -> None:
    with pytest.raises(InvalidRequestError, match="max_length"):
        split_content("abc", 0)


@given(st.text(min_size=1, max_size=600), st.integers(min_value=1, max_value=80))
def test_split_parts_fit_and_keep_every_word(text: str, size: int) -> None:
    parts = split_content(text, size)
    assert all(0 < len(p) <= size for p in parts)
    assert "".join("".join(p.split()) for p in parts) == "".join(text.split())
