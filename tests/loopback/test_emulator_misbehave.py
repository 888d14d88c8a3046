"""The emulator's misbehaviour switches, seen on the wire with plain httpx (no client code).

Each switch must look to a client exactly like the failure it stands for, so the tests
that use it (``test_silent_answers``, the fault matrix, the resumable-write and redirect
tests) prove what they claim: an empty success, a stream that ends early but cleanly, a
body cut at the HTTP level, a drop after the server acted, a redirect elsewhere, and an
error that echoes the caller's credentials.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest

from assistant_bridge.emulator import EMULATOR_KEYS, FAULT_HEADER, EmulatorURL, run_emulator

KEY = EMULATOR_KEYS["unleash"]
CHAT = {"messages": [{"role": "User", "text": "What is our travel policy?"}]}


@pytest.fixture(scope="module")
def url() -> Iterator[EmulatorURL]:
    with run_emulator() as base:
        yield base


def _post(url: EmulatorURL, fault: str, path: str = "/chats", **extra: str) -> httpx.Response:
    headers = {"authorization": f"Bearer {KEY}", FAULT_HEADER: fault, **extra}
    return httpx.post(f"{url}{path}", json={**CHAT, "stream": True}, headers=headers)


@pytest.mark.parametrize(
    ("kind", "status", "body", "media"),
    [
        ("blank", 200, b"", "application/json"),
        ("object", 200, b"{}", "application/json"),
        ("array", 200, b"[]", "application/json"),
        ("null", 200, b"null", "application/json"),
        ("done", 200, b"data: [DONE]\n\n", "text/event-stream"),
        ("keepalive", 200, b": keep-alive\n\n: keep-alive\n\n", "text/event-stream"),
        ("204", 204, b"", None),
        ("3xx", 302, b"", None),
    ],
)
def test_empty_answers_carry_nothing(
    url: EmulatorURL, kind: str, status: int, body: bytes, media: str | None
) -> None:
    response = _post(url, f"empty:{kind}")
    assert response.status_code == status
    assert response.content == body
    assert "location" not in response.headers
    if media:
        assert response.headers["content-type"].startswith(media)


def test_an_html_sign_in_page(url: EmulatorURL) -> None:
    response = _post(url, "empty:html")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert b"Sign in" in response.content


def test_stop_after_ends_a_stream_cleanly_and_early(url: EmulatorURL) -> None:
    whole = _post(url, "").content.splitlines()
    stopped = _post(url, "stop-after:2")  # no exception: the HTTP framing is complete
    assert stopped.status_code == 200
    lines = stopped.content.splitlines()
    assert 0 < len(lines) < len(whole)
    assert lines == whole[: len(lines)]


def test_short_body_declares_more_than_it_sends(url: EmulatorURL) -> None:
    headers = {"authorization": f"Bearer {KEY}", FAULT_HEADER: "short-body"}
    with pytest.raises(httpx.RemoteProtocolError):
        httpx.post(f"{url}/search", json={"query": "travel"}, headers=headers)


def test_drop_after_acts_then_closes_unanswered(url: EmulatorURL) -> None:
    zaia = {"authorization": EMULATOR_KEYS["zaia"]}
    httpx.post(f"{url}/_emulator/reset")
    chat = httpx.get(f"{url.zaia}/api/v1/chats", headers=zaia).json()[0]["id"]

    def count() -> int:
        params = {"chatId": chat, "pagination.limit": 1000}
        listed = httpx.get(f"{url.zaia}/api/v1/chat-messages", params=params, headers=zaia)
        return len(listed.json())

    before = count()
    body = {
        "chatId": chat,
        "chatThreadId": None,
        "content": "stored, but never answered",
        "externalId": None,
        "senderId": "5b0f9a3c-1d2e-4f60-8a7b-9c0d1e2f3a4b",
        "role": "user",
    }
    with pytest.raises(httpx.RemoteProtocolError):
        httpx.post(
            f"{url.zaia}/api/v1/chat-messages",
            json=body,
            headers={**zaia, FAULT_HEADER: "drop-after"},
        )
    assert count() == before + 1


def test_redirect_points_elsewhere(url: EmulatorURL) -> None:
    response = _post(url, "redirect", "/search?page=2")
    assert response.status_code == 307
    assert response.headers["location"] == "http://elsewhere.invalid/search?page=2"
    chosen = _post(url, "redirect:http://127.0.0.1:9/there")
    assert chosen.headers["location"] == "http://127.0.0.1:9/there"


def test_echo_auth_repeats_every_credential(url: EmulatorURL) -> None:
    response = _post(url, "echo-auth:401", "/chats?key=q-secret", **{"x-api-key": "x-secret"})
    assert response.status_code == 401
    body = response.json()
    assert f"Bearer {KEY}" in body["detail"]
    assert "x-secret" in body["detail"]
    assert body["accessToken"] == KEY
    assert body["query"] == "key=q-secret"


def test_echo_auth_repeats_a_form_client_secret(url: EmulatorURL) -> None:
    response = httpx.post(
        url.jylo_token,
        data={"grant_type": "client_credentials", "client_id": "a", "client_secret": "s3cret!"},
        headers={FAULT_HEADER: "echo-auth"},
    )
    assert response.status_code == 400
    assert json.loads(response.content)["clientSecret"] == "s3cret!"
