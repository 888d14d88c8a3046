"""JyloAuth over httpx.MockTransport: token caching, expiry, 401 refresh, concurrency, secrets."""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import threading
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs

import httpx
import pytest

from assistant_bridge import APIError, AuthenticationError, InternalServerError, InvalidRequestError
from assistant_bridge.jylo import AsyncJyloClient, JyloAuth, JyloClient
from assistant_bridge.jylo._auth import TokenCache, share_token_cache

CLIENT_ID = "client-id-123"
SECRET = "jylo-client-secret-XYZ-987"
TOKEN_URL = "https://login.uk.jylo.ai/oauth/token"
PROJECT = "proj-1"
ASSISTANT = "3f2b8c1e-6d4a-4f0e-9b7c-2a1d5e8f9c0b"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("JYLO_BASE_URL", "JYLO_TOKEN_URL", "JYLO_SETTINGS_URL", "JYLO_AUDIENCE"):
        monkeypatch.delenv(name, raising=False)


def jwt(exp: float | None, tag: str = "a") -> str:
    def part(obj: object) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")

    claims: dict[str, object] = {"sub": tag}
    if exp is not None:
        claims["exp"] = exp
    return f"{part({'alg': 'none'})}.{part(claims)}.sig-{tag}"


class Clock:
    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class Server:
    """A token endpoint and an API; tokens are numbered, the API can reject some."""

    def __init__(self, *, expires_in: object = 3600, token_status: int = 200) -> None:
        self.expires_in = expires_in
        self.token_status = token_status
        self.issued: list[str] = []
        self.token_requests: list[httpx.Request] = []
        self.api_requests: list[httpx.Request] = []
        self.api_auth: list[str] = []
        self.rejected: set[str] = set()
        self.token_factory: Callable[[int], str] = lambda n: f"access-token-{n:04d}-secretish"

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.host.startswith("login."):
            self.token_requests.append(request)
            if self.token_status != 200:
                return httpx.Response(
                    self.token_status,
                    json={"error": "access_denied", "error_description": "bad client"},
                )
            token = self.token_factory(len(self.issued) + 1)
            self.issued.append(token)
            body: dict[str, object] = {"access_token": token, "token_type": "Bearer"}
            if self.expires_in is not None:
                body["expires_in"] = self.expires_in
            return httpx.Response(200, json=body)
        self.api_requests.append(request)
        auth = request.headers.get("authorization", "")
        self.api_auth.append(auth)  # the request object is re-sent with a new header
        if auth.removeprefix("Bearer ") in self.rejected:
            return httpx.Response(401, json={"title": "Unauthorized"})
        return httpx.Response(200, json=[])


def sync_client(server: Server, clock: Clock | None = None, **kw: object) -> JyloClient:
    return JyloClient(
        client_id=CLIENT_ID,
        client_secret=SECRET,
        tenant="acme",
        region="uk",
        project_id=PROJECT,
        http_client=httpx.Client(transport=httpx.MockTransport(server)),
        _sleep=lambda s: None,
        _clock=clock or Clock(),
        **kw,  # type: ignore[arg-type]
    )


def async_client(server: Server, clock: Clock | None = None) -> AsyncJyloClient:
    async def no_sleep(seconds: float) -> None:
        return None

    return AsyncJyloClient(
        client_id=CLIENT_ID,
        client_secret=SECRET,
        tenant="acme",
        region="uk",
        project_id=PROJECT,
        http_client=httpx.AsyncClient(transport=httpx.MockTransport(server)),
        _sleep=no_sleep,
        _clock=clock or Clock(),
    )


def test_token_request_form_and_bearer_header() -> None:
    server = Server()
    with sync_client(server) as client:
        client.list_messages(ASSISTANT)
    (token_req,) = server.token_requests
    assert str(token_req.url) == TOKEN_URL
    assert token_req.method == "POST"
    form = {k: v[0] for k, v in parse_qs(token_req.content.decode()).items()}
    assert form == {
        "grant_type": "client_credentials",
        "client_id": CLIENT_ID,
        "client_secret": SECRET,
        "audience": "https://jga.jylo.ai/external/v2",
    }
    assert token_req.headers["content-type"] == "application/x-www-form-urlencoded"
    (api_req,) = server.api_requests
    assert api_req.headers["authorization"] == f"Bearer {server.issued[0]}"
    assert api_req.url.host == "api.acme.uk.jylo.ai"


def test_one_token_for_many_calls() -> None:
    server = Server()
    with sync_client(server) as client:
        for _ in range(5):
            client.list_messages(ASSISTANT)
    assert len(server.token_requests) == 1
    assert len(server.api_requests) == 5
    assert {r.headers["authorization"] for r in server.api_requests} == {
        f"Bearer {server.issued[0]}"
    }


def test_refresh_after_expires_in() -> None:
    server, clock = Server(expires_in=600), Clock()
    with sync_client(server, clock) as client:
        client.list_messages(ASSISTANT)
        clock.now += 500  # inside the 60 s refresh margin? no: 100 s left
        client.list_messages(ASSISTANT)
        assert len(server.token_requests) == 1
        clock.now += 50  # 50 s left: inside the margin, refreshed early
        client.list_messages(ASSISTANT)
    assert len(server.token_requests) == 2
    assert server.api_requests[-1].headers["authorization"] == f"Bearer {server.issued[1]}"


def test_jwt_exp_claim_wins_when_earlier() -> None:
    clock = Clock()
    server = Server(expires_in=3600)
    server.token_factory = lambda n: jwt(clock.now + 120, tag=str(n))
    with sync_client(server, clock) as client:
        client.list_messages(ASSISTANT)
        clock.now += 30
        client.list_messages(ASSISTANT)
        assert len(server.token_requests) == 1
        clock.now += 40  # 50 s before exp: past the margin (min(60, 120/2) = 60)
        client.list_messages(ASSISTANT)
    assert len(server.token_requests) == 2


def test_no_lifetime_given_uses_default_then_refreshes() -> None:
    clock = Clock()
    server = Server(expires_in=None)
    with sync_client(server, clock) as client:
        client.list_messages(ASSISTANT)
        clock.now += 200
        client.list_messages(ASSISTANT)
        assert len(server.token_requests) == 1
        clock.now += 100
        client.list_messages(ASSISTANT)
    assert len(server.token_requests) == 2


def test_refresh_once_on_401_with_cached_token() -> None:
    server = Server()
    with sync_client(server) as client:
        client.list_messages(ASSISTANT)
        server.rejected.add(server.issued[0])  # revoked server-side
        client.list_messages(ASSISTANT)
    assert len(server.token_requests) == 2
    assert server.api_auth == [
        f"Bearer {server.issued[0]}",
        f"Bearer {server.issued[0]}",
        f"Bearer {server.issued[1]}",
    ]


def test_401_again_after_refresh_is_an_authentication_error() -> None:
    server = Server()
    with sync_client(server) as client:
        client.list_messages(ASSISTANT)
        server.token_factory = lambda n: "always-rejected-token"
        server.rejected.update({server.issued[0], "always-rejected-token"})
        with pytest.raises(AuthenticationError) as info:
            client.list_messages(ASSISTANT)
    assert len(server.token_requests) == 2  # refreshed once, not in a loop
    assert len(server.api_requests) == 3
    assert "refused" in str(info.value)


def test_fresh_token_rejected_is_not_fetched_again() -> None:
    server = Server()
    server.token_factory = lambda n: "rejected-fresh-token"
    server.rejected.add("rejected-fresh-token")
    with sync_client(server) as client, pytest.raises(AuthenticationError):
        client.list_messages(ASSISTANT)
    assert len(server.token_requests) == 1


def test_token_endpoint_refusal_is_typed_and_names_the_endpoint(
    caplog: pytest.LogCaptureFixture,
) -> None:
    server = Server(token_status=401)
    caplog.set_level(logging.DEBUG, logger="assistant_bridge")
    with sync_client(server) as client, pytest.raises(AuthenticationError) as info:
        client.list_messages(ASSISTANT)
    message = str(info.value)
    assert TOKEN_URL in message
    assert "JYLO_CLIENT_SECRET" in message
    assert SECRET not in message
    assert SECRET not in caplog.text
    assert server.api_requests == []  # the API call was never sent
    assert info.value.request is not None
    assert SECRET.encode() not in info.value.request.content  # the error's request too
    assert b"client_id=" in info.value.request.content


def test_token_endpoint_503_is_retried_even_for_a_post() -> None:
    token_calls: list[httpx.Request] = []
    api_calls: list[httpx.Request] = []
    stored = {"text": "hello", "objectIdentifier": ASSISTANT, "isAssistant": False}

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host.startswith("login."):
            token_calls.append(request)
            if len(token_calls) == 1:
                return httpx.Response(503, json={"error": "temporarily_unavailable"})
            return httpx.Response(200, json={"access_token": "tok-after-retry", "expires_in": 3600})
        api_calls.append(request)
        return httpx.Response(200, json=stored)

    delays: list[float] = []
    with JyloClient(
        client_id=CLIENT_ID,
        client_secret=SECRET,
        tenant="acme",
        region="uk",
        project_id=PROJECT,
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
        _sleep=delays.append,
    ) as client:
        message = client.create_message(ASSISTANT, "hello", model_identifier=ASSISTANT)
    assert message.text == "hello"
    assert len(token_calls) == 2
    assert len(delays) == 1
    assert len(api_calls) == 1  # the POST itself went out once
    assert api_calls[0].headers["authorization"] == "Bearer tok-after-retry"


def test_token_endpoint_500_exhausts_retries_as_internal_server_error() -> None:
    server = Server(token_status=500)
    with sync_client(server, max_retries=1) as client, pytest.raises(InternalServerError):
        client.create_message(ASSISTANT, "hello", model_identifier=ASSISTANT)
    assert len(server.token_requests) == 2
    assert server.api_requests == []


def test_token_response_without_access_token() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"token_type": "Bearer"})

    auth = JyloAuth(CLIENT_ID, client_secret=SECRET, token_url=TOKEN_URL)
    with (
        httpx.Client(transport=httpx.MockTransport(handler), auth=auth) as http,
        pytest.raises(APIError, match="without an access_token"),
    ):
        http.get("https://api.acme.uk.jylo.ai/x")


def test_auth_works_standalone_with_httpx() -> None:
    server = Server()
    auth = JyloAuth(CLIENT_ID, client_secret=SECRET, token_url=TOKEN_URL, _clock=Clock())
    with httpx.Client(transport=httpx.MockTransport(server), auth=auth) as http:
        assert http.get("https://api.acme.uk.jylo.ai/a").status_code == 200
        assert http.get("https://api.acme.uk.jylo.ai/b").status_code == 200
    assert len(server.token_requests) == 1
    auth.invalidate()
    with httpx.Client(transport=httpx.MockTransport(server), auth=auth) as http:
        http.get("https://api.acme.uk.jylo.ai/c")
    assert len(server.token_requests) == 2


def test_sync_threads_share_one_token_request() -> None:
    gate = threading.Event()
    server = Server()

    def slow(request: httpx.Request) -> httpx.Response:
        if request.url.host.startswith("login."):
            gate.wait(2)
        return server(request)

    client = JyloClient(
        client_id=CLIENT_ID,
        client_secret=SECRET,
        tenant="acme",
        region="uk",
        project_id=PROJECT,
        http_client=httpx.Client(transport=httpx.MockTransport(slow)),
    )
    threads = [threading.Thread(target=client.list_messages, args=(ASSISTANT,)) for _ in range(8)]
    for t in threads:
        t.start()
    gate.set()
    for t in threads:
        t.join(5)
    client.close()
    assert len(server.token_requests) == 1
    assert len(server.api_requests) == 8


async def test_async_concurrent_cold_cache_makes_one_token_request() -> None:
    server = Server()
    release = asyncio.Event()

    async def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host.startswith("login."):
            await release.wait()
        return server(request)

    async def no_sleep(seconds: float) -> None:
        return None

    client = AsyncJyloClient(
        client_id=CLIENT_ID,
        client_secret=SECRET,
        tenant="acme",
        region="uk",
        project_id=PROJECT,
        http_client=httpx.AsyncClient(transport=httpx.MockTransport(handler)),
        _sleep=no_sleep,
    )
    tasks = [asyncio.create_task(client.list_messages(ASSISTANT)) for _ in range(10)]
    for _ in range(20):  # let every task reach the token fetch (no real time passes)
        await asyncio.sleep(0)
    release.set()
    await asyncio.gather(*tasks)
    await client.close()
    assert len(server.token_requests) == 1
    assert len(server.api_requests) == 10


async def test_async_refresh_on_401_and_expiry() -> None:
    server, clock = Server(expires_in=600), Clock()
    client = async_client(server, clock)
    await client.list_messages(ASSISTANT)
    server.rejected.add(server.issued[0])
    await client.list_messages(ASSISTANT)
    assert len(server.token_requests) == 2
    clock.now += 590
    await client.list_messages(ASSISTANT)
    assert len(server.token_requests) == 3
    await client.close()


async def test_async_token_refusal_is_authentication_error() -> None:
    server = Server(token_status=401)
    client = async_client(server)
    with pytest.raises(AuthenticationError, match="token endpoint"):
        await client.list_messages(ASSISTANT)
    await client.close()
    assert server.api_requests == []


def test_ready_token_is_sent_and_never_fetched() -> None:
    server = Server()
    ready = "ready-bearer-token-abc123"
    with JyloClient(
        token=ready,
        base_url="https://api.acme.uk.jylo.ai",
        project_id=PROJECT,
        http_client=httpx.Client(transport=httpx.MockTransport(server)),
    ) as client:
        client.list_messages(ASSISTANT)
        assert ready not in repr(client)
        server.rejected.add(ready)
        with pytest.raises(AuthenticationError, match="fresh token") as info:
            client.list_messages(ASSISTANT)
        assert ready not in str(info.value)
    assert server.token_requests == []
    assert server.api_requests[0].headers["authorization"] == f"Bearer {ready}"


def test_secrets_absent_from_repr_str_and_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    server = Server()
    auth = JyloAuth(CLIENT_ID, client_secret=SECRET, token_url=TOKEN_URL)
    assert SECRET not in repr(auth)
    assert SECRET not in str(auth)
    with sync_client(server) as client:
        client.list_messages(ASSISTANT)
        text = repr(client) + str(client)
    assert SECRET not in text
    assert server.issued[0] not in text
    assert CLIENT_ID in text
    logging.getLogger("assistant_bridge").debug("leak? %s %s", SECRET, server.issued[0])
    assert SECRET not in caplog.text
    assert server.issued[0] not in caplog.text


def test_missing_secret_is_reported() -> None:
    with pytest.raises(InvalidRequestError, match="client_secret"):
        JyloAuth(CLIENT_ID, client_secret="", token_url=TOKEN_URL)


def test_upload_is_resent_whole_after_a_401_refresh(tmp_path: Path) -> None:
    path = tmp_path / "doc.txt"
    path.write_bytes(b"document body 123")
    bodies: list[bytes] = []
    server = Server()

    def handler(request: httpx.Request) -> httpx.Response:
        response = server(request)
        if not request.url.host.startswith("login."):
            bodies.append(request.read())
            if response.status_code == 200:
                return httpx.Response(
                    200, json={"objectIdentifier": ASSISTANT, "uploadSuccessful": True}
                )
        return response

    with JyloClient(
        client_id=CLIENT_ID,
        client_secret=SECRET,
        tenant="acme",
        region="uk",
        project_id=PROJECT,
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
        _clock=Clock(),
    ) as client:
        client.upload_document(ASSISTANT, path)
        server.rejected.add(server.issued[0])
        result = client.upload_document(ASSISTANT, path)
    assert result.upload_successful is True
    assert len(server.token_requests) == 2
    assert len(bodies) == 3
    assert all(b"document body 123" in body for body in bodies)


def test_threads_that_all_get_a_401_for_the_same_token_fetch_one_new_token() -> None:
    server = Server()
    barrier = threading.Barrier(8, timeout=10)

    def handler(request: httpx.Request) -> httpx.Response:
        if request.headers.get("authorization") == f"Bearer {server.issued[0]}":
            barrier.wait()  # all eight hold the revoked token before any 401 comes back
        return server(request)

    with sync_client(server) as warm:
        warm.list_messages(ASSISTANT)  # token 1 cached
        server.rejected.add(server.issued[0])  # then revoked server-side
        warm._http._transport = httpx.MockTransport(handler)
        errors: list[BaseException] = []

        def call() -> None:
            try:
                warm.list_messages(ASSISTANT)
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=call) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)
    assert errors == []
    assert len(server.token_requests) == 2  # the first token, then exactly one refresh
    assert server.api_auth.count(f"Bearer {server.issued[0]}") == 1 + 8
    assert server.api_auth.count(f"Bearer {server.issued[1]}") == 8


async def test_concurrent_async_calls_that_all_get_a_401_fetch_one_new_token() -> None:
    server = Server()
    arrived = 0
    all_in = asyncio.Event()

    async def handler(request: httpx.Request) -> httpx.Response:
        nonlocal arrived
        if request.headers.get("authorization", "").removeprefix("Bearer ") in server.rejected:
            arrived += 1
            if arrived == 8:
                all_in.set()
            await all_in.wait()  # all eight hold the revoked token before any 401
        return server(request)

    async def no_sleep(seconds: float) -> None:
        return None

    client = AsyncJyloClient(
        client_id=CLIENT_ID,
        client_secret=SECRET,
        tenant="acme",
        region="uk",
        project_id=PROJECT,
        http_client=httpx.AsyncClient(transport=httpx.MockTransport(handler)),
        _sleep=no_sleep,
        _clock=Clock(),
    )
    await client.list_messages(ASSISTANT)  # token 1 cached
    server.rejected.add(server.issued[0])
    await asyncio.wait_for(asyncio.gather(*(client.list_messages(ASSISTANT) for _ in range(8))), 10)
    await client.close()
    assert len(server.token_requests) == 2
    assert server.api_auth.count(f"Bearer {server.issued[1]}") == 8


def test_a_shared_token_cache_serves_every_client_with_the_same_credentials() -> None:
    server = Server()
    cache = TokenCache()
    clock = Clock()
    clients = [sync_client(server, clock) for _ in range(3)]
    assert all(share_token_cache(c, cache) for c in clients)
    for client in clients:
        client.list_messages(ASSISTANT)
        client.close()
    assert len(server.token_requests) == 1
    other = JyloClient(
        client_id="another-client",
        client_secret=SECRET,
        tenant="acme",
        region="uk",
        project_id=PROJECT,
        http_client=httpx.Client(transport=httpx.MockTransport(server)),
    )
    assert share_token_cache(other, cache) is False  # other credentials keep their own token
    ready = JyloClient(token="ready", tenant="acme", region="uk", project_id=PROJECT)
    assert share_token_cache(ready, cache) is False
    other.close()
    ready.close()


def test_one_token_cache_serves_async_clients_of_successive_event_loops() -> None:
    server = Server()
    cache = TokenCache()
    clock = Clock()

    async def once() -> None:
        client = async_client(server, clock)
        share_token_cache(client, cache)
        await client.list_messages(ASSISTANT)
        await client.close()

    for _ in range(3):
        asyncio.run(once())
    assert len(server.token_requests) == 1
