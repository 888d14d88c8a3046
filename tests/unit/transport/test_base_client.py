"""The base clients over httpx.MockTransport: retries, timeouts, errors, ownership."""

from __future__ import annotations

import asyncio
import gc
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from assistant_bridge import UnleashClient
from assistant_bridge._transport import (
    APIConnectionError,
    APITimeoutError,
    AsyncAPIClient,
    BadRequestError,
    InternalServerError,
    InvalidRequestError,
    RateLimitError,
    RequestOptions,
    SyncAPIClient,
)

Handler = Callable[[httpx.Request], httpx.Response]


class Script:
    """A MockTransport handler that plays a list of outcomes and records every request."""

    def __init__(self, *outcomes: httpx.Response | Exception | int) -> None:
        self.outcomes = list(outcomes)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        outcome = self.outcomes.pop(0) if len(self.outcomes) > 1 else self.outcomes[0]
        if isinstance(outcome, Exception):
            raise outcome
        if isinstance(outcome, int):
            return httpx.Response(outcome, json={"ok": outcome < 400})
        return outcome


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


class AsyncSleeps(list[float]):
    async def __call__(self, seconds: float) -> None:
        self.append(seconds)


def sync_client(script: Script, sleeps: Sleeps | None = None, **kw: object) -> SyncAPIClient:
    return SyncAPIClient(
        base_url="https://api.example.test/v1",
        http_client=httpx.Client(transport=httpx.MockTransport(script)),
        _sleep=sleeps if sleeps is not None else Sleeps(),
        _random=lambda: 0.0,
        **kw,  # type: ignore[arg-type]
    )


def async_client(script: Script, sleeps: AsyncSleeps | None = None, **kw: object) -> AsyncAPIClient:
    return AsyncAPIClient(
        base_url="https://api.example.test/v1",
        http_client=httpx.AsyncClient(transport=httpx.MockTransport(script)),
        _sleep=sleeps if sleeps is not None else AsyncSleeps(),
        _random=lambda: 0.0,
        **kw,  # type: ignore[arg-type]
    )


GET = RequestOptions("GET", "things")
POST = RequestOptions("POST", "things", json={"a": 1})


def test_url_join_and_default_headers() -> None:
    script = Script(200)
    client = sync_client(script)
    client.request(RequestOptions("GET", "/things", params={"q": "x"}, headers={"X-Extra": "1"}))
    request = script.requests[0]
    assert str(request.url) == "https://api.example.test/v1/things?q=x"
    assert request.headers["accept"] == "application/json"
    assert request.headers["user-agent"].startswith("assistant-bridge/")
    assert request.headers["x-extra"] == "1"


def test_reused_urls_and_headers_never_leak_between_calls() -> None:
    script = Script(200)
    client = sync_client(script, headers={"accept": "text/plain", "X-Team": "a"})
    client.request(RequestOptions("GET", "things", headers={"X-Extra": "1"}))
    client.request(RequestOptions("GET", "things", params={"page": "2"}))
    client.request(RequestOptions("GET", "things", headers={"ACCEPT": "application/xml"}))
    client.request(RequestOptions("GET", "https://other.example.test/x"))
    first, second, third, fourth = script.requests
    assert first.headers.get_list("accept") == ["text/plain"]  # the caller's, once
    assert (first.headers["x-extra"], first.headers["x-team"]) == ("1", "a")
    assert "x-extra" not in second.headers  # a header given to one call only
    assert str(second.url) == "https://api.example.test/v1/things?page=2"
    assert str(first.url) == "https://api.example.test/v1/things"
    assert third.headers.get_list("accept") == ["application/xml"]
    assert str(fourth.url) == "https://other.example.test/x"


def test_many_distinct_paths_and_headers_keep_the_memo_small() -> None:
    script = Script(200)
    client = sync_client(script)
    for i in range(1000):
        client.request(RequestOptions("GET", f"things/{i}", headers={"X-N": str(i)}))
    assert str(script.requests[-1].url) == "https://api.example.test/v1/things/999"
    assert script.requests[-1].headers["x-n"] == "999"
    assert len(client._urls) <= 256
    assert len(client._headers) <= 256


def test_json_body_is_sent() -> None:
    script = Script(200)
    sync_client(script).request(POST)
    assert json.loads(script.requests[0].content) == {"a": 1}
    assert script.requests[0].headers["content-type"] == "application/json"


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504])
def test_idempotent_request_retries_then_succeeds(status: int) -> None:
    script = Script(status, status, 200)
    sleeps = Sleeps()
    response = sync_client(script, sleeps).request(GET)
    assert response.status_code == 200
    assert len(script.requests) == 3
    assert sleeps == [0.5, 1.0]


def test_retries_exhausted_raise_the_last_error() -> None:
    script = Script(500)
    sleeps = Sleeps()
    with pytest.raises(InternalServerError) as info:
        sync_client(script, sleeps, max_retries=3).request(GET)
    assert info.value.status_code == 500
    assert len(script.requests) == 4
    assert len(sleeps) == 3


def test_per_call_max_retries_overrides_client() -> None:
    script = Script(503)
    with pytest.raises(InternalServerError):
        sync_client(script).request(RequestOptions("GET", "x", max_retries=0))
    assert len(script.requests) == 1


def test_post_is_not_repeated_after_500() -> None:
    script = Script(500, 200)
    with pytest.raises(InternalServerError):
        sync_client(script).request(POST)
    assert len(script.requests) == 1


@pytest.mark.parametrize("status", [429, 503, 408])
def test_post_is_repeated_when_server_did_not_process(status: int) -> None:
    script = Script(status, 200)
    assert sync_client(script).request(POST).status_code == 200
    assert len(script.requests) == 2


def test_retry_after_is_used_as_the_delay() -> None:
    script = Script(httpx.Response(429, headers={"Retry-After": "3"}), 200)
    sleeps = Sleeps()
    sync_client(script, sleeps).request(POST)
    assert sleeps == [3.0]


def test_retry_after_above_cap_raises_at_once() -> None:
    script = Script(
        httpx.Response(429, headers={"Retry-After": "3600"}, json={"title": "slow down"}), 200
    )
    sleeps = Sleeps()
    with pytest.raises(RateLimitError) as info:
        sync_client(script, sleeps).request(GET)
    assert info.value.retry_after == 3600.0
    assert sleeps == []
    assert len(script.requests) == 1


def test_client_errors_are_raised_without_retry() -> None:
    body = {
        "title": "Bad",
        "errors": {"messages": ["The messages field is required."]},
        "requestId": "r1",
    }
    script = Script(httpx.Response(400, json=body))
    with pytest.raises(
        BadRequestError, match=r"messages: The messages field is required\. \(request id r1\)"
    ):
        sync_client(script).request(POST)
    assert len(script.requests) == 1


def test_connect_error_is_retried_even_for_post() -> None:
    req = httpx.Request("POST", "https://x")
    script = Script(httpx.ConnectError("refused", request=req), 200)
    assert sync_client(script).request(POST).status_code == 200
    assert len(script.requests) == 2


def test_read_error_on_post_is_not_retried() -> None:
    req = httpx.Request("POST", "https://x")
    script = Script(httpx.ReadError("reset", request=req), 200)
    with pytest.raises(APIConnectionError) as info:
        sync_client(script).request(POST)
    assert not isinstance(info.value, APITimeoutError)
    assert len(script.requests) == 1
    assert isinstance(info.value.__cause__, httpx.ReadError)


def test_read_timeout_on_get_is_retried_then_typed() -> None:
    req = httpx.Request("GET", "https://x")
    script = Script(httpx.ReadTimeout("slow", request=req))
    with pytest.raises(APITimeoutError, match="read timed out"):
        sync_client(script).request(GET)
    assert len(script.requests) == 3


def test_timeouts_default_and_per_call() -> None:
    script = Script(200)
    client = sync_client(script)
    assert client.timeout.connect == 5.0
    assert client.timeout.read == 120.0
    client.request(GET)
    assert script.requests[0].extensions["timeout"]["read"] == 120.0
    client.request(RequestOptions("GET", "x", timeout=3.0))
    assert script.requests[1].extensions["timeout"] == {
        "connect": 5.0,
        "read": 3.0,
        "write": 3.0,
        "pool": 3.0,
    }
    client.request(RequestOptions("GET", "x", timeout=None))
    assert script.requests[2].extensions["timeout"]["read"] is None


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"timeout": -1}, "timeout"),
        ({"max_retries": -1}, "max_retries"),
        ({"max_retries": 1.5}, "max_retries"),
    ],
)
def test_bad_settings_are_invalid_requests(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidRequestError) as info:
        SyncAPIClient(base_url="https://x", **kwargs)  # type: ignore[arg-type]
    assert info.value.field == field


def test_relative_base_url_is_rejected() -> None:
    with pytest.raises(InvalidRequestError, match="base_url"):
        SyncAPIClient(base_url="e-api.unleash.so")


def test_wrong_kind_of_http_client_is_rejected() -> None:
    with pytest.raises(InvalidRequestError, match=r"httpx\.Client"):
        SyncAPIClient(base_url="https://x", http_client=httpx.AsyncClient())  # type: ignore[arg-type]


def test_owned_client_is_closed_but_a_given_one_is_not() -> None:
    given = httpx.Client(transport=httpx.MockTransport(Script(200)))
    with SyncAPIClient(base_url="https://x", http_client=given):
        pass
    assert not given.is_closed
    owned = SyncAPIClient(base_url="https://x")
    owned.close()
    assert owned._http.is_closed


def test_a_dropped_client_closes_its_own_connections_but_not_a_given_client() -> None:
    owned = SyncAPIClient(base_url="https://x")
    http = owned._http
    given = httpx.Client(transport=httpx.MockTransport(Script(200)))
    borrowing = SyncAPIClient(base_url="https://x", http_client=given)
    del owned, borrowing
    gc.collect()
    assert http.is_closed
    assert not given.is_closed


def test_streaming_send_leaves_the_body_unread() -> None:
    script = Script(httpx.Response(200, content=iter([b"data: 1\n\n"])))
    response = sync_client(script).send_streaming(POST)
    assert not response.is_closed
    assert response.read() == b"data: 1\n\n"
    response.close()


def test_streaming_send_reads_error_bodies() -> None:
    script = Script(httpx.Response(400, json={"detail": "nope"}))
    with pytest.raises(BadRequestError, match="nope"):
        sync_client(script).send_streaming(POST)


# -- async ----------------------------------------------------------------------------


async def test_async_retries_with_injected_sleep() -> None:
    script = Script(502, httpx.Response(503, headers={"Retry-After": "2"}), 200)
    sleeps = AsyncSleeps()
    async with async_client(script, sleeps) as client:
        response = await client.request(GET)
    assert response.status_code == 200
    assert sleeps == [0.5, 2.0]


async def test_async_post_not_repeated_after_read_error() -> None:
    req = httpx.Request("POST", "https://x")
    script = Script(httpx.ReadError("reset", request=req), 200)
    client = async_client(script)
    with pytest.raises(APIConnectionError):
        await client.request(POST)
    assert len(script.requests) == 1


async def test_async_connect_timeout_retried_then_typed() -> None:
    req = httpx.Request("POST", "https://x")
    script = Script(httpx.ConnectTimeout("slow", request=req))
    client = async_client(script)
    with pytest.raises(APITimeoutError, match="connect timed out"):
        await client.request(POST)
    assert len(script.requests) == 3


async def test_async_status_error_typed() -> None:
    script = Script(httpx.Response(429, json={"title": "Too Many Requests"}))
    client = async_client(script, max_retries=0)
    with pytest.raises(RateLimitError):
        await client.request(POST)


async def test_async_owned_client_closed() -> None:
    client = AsyncAPIClient(base_url="https://x")
    await client.close()
    assert client._http.is_closed


class _HangingBody(httpx.AsyncByteStream):
    """A body that sends one piece, then waits forever; it records that it was closed."""

    def __init__(self) -> None:
        self.closed = False

    async def __aiter__(self):  # type: ignore[no-untyped-def]
        yield b'{"partial": '
        await asyncio.Event().wait()

    async def aclose(self) -> None:
        self.closed = True


@pytest.mark.parametrize("status", [200, 500, 503])
async def test_async_cancellation_while_a_body_is_read_closes_the_response(status: int) -> None:
    bodies: list[_HangingBody] = []

    def handler(request: httpx.Request) -> httpx.Response:
        bodies.append(_HangingBody())
        return httpx.Response(status, stream=bodies[-1])

    client = AsyncAPIClient(
        base_url="https://api.example.test/v1",
        http_client=httpx.AsyncClient(transport=httpx.MockTransport(handler)),
        _sleep=AsyncSleeps(),
    )
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(client.request(POST), 0.05)
    assert len(bodies) == 1  # nothing was sent twice
    assert bodies[0].closed


class _Interrupted(BaseException):
    """Stands in for KeyboardInterrupt: not an Exception, raised while a body is read."""


class _InterruptedBody(httpx.SyncByteStream):
    def __init__(self) -> None:
        self.closed = False

    def __iter__(self):  # type: ignore[no-untyped-def]
        yield b'{"partial": '
        raise _Interrupted

    def close(self) -> None:
        self.closed = True


@pytest.mark.parametrize("status", [200, 500, 503])
def test_sync_interruption_while_a_body_is_read_closes_the_response(status: int) -> None:
    bodies: list[_InterruptedBody] = []

    def handler(request: httpx.Request) -> httpx.Response:
        bodies.append(_InterruptedBody())
        return httpx.Response(status, stream=bodies[-1])

    client = SyncAPIClient(
        base_url="https://api.example.test/v1",
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
        _sleep=Sleeps(),
    )
    with pytest.raises(_Interrupted):
        client.request(POST)
    assert len(bodies) == 1  # nothing was sent twice
    assert bodies[0].closed


# -- redirects: within the origin only --------------------------------------------------
class Hosts:
    """A MockTransport handler that answers by host: a redirect script, or a counter."""

    def __init__(self, *answers: httpx.Response) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]


def _redirect(status: int, location: str) -> httpx.Response:
    return httpx.Response(status, headers={"location": location})


def _client_for(hosts: Hosts, *, follow: bool) -> SyncAPIClient:
    return SyncAPIClient(
        base_url="https://api.example.test/v1",
        http_client=httpx.Client(transport=httpx.MockTransport(hosts), follow_redirects=follow),
        headers={"Authorization": "Bearer sk-live-redirect-0123456789"},
        max_retries=0,
    )


@pytest.mark.parametrize("follow", [False, True])
@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirect_to_another_origin_raises_and_sends_nothing_there(
    status: int, follow: bool
) -> None:
    from assistant_bridge import RedirectError

    hosts = Hosts(_redirect(status, "https://evil.example.test/collect?x=1"))
    with pytest.raises(RedirectError, match=r"evil\.example\.test/collect") as info:
        _client_for(hosts, follow=follow).request(POST)
    assert [r.url.host for r in hosts.requests] == ["api.example.test"]
    assert info.value.location == "https://evil.example.test/collect?x=1"
    assert info.value.status_code == status
    assert "sk-live-redirect" not in repr(dict(info.value.request.headers))  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "location",
    [
        "http://api.example.test/v1/x",
        "https://api.example.test:8443/v1/x",
        "https://example.test/v1/x",
    ],
)
def test_another_scheme_port_or_host_is_another_origin(location: str) -> None:
    from assistant_bridge import RedirectError

    hosts = Hosts(_redirect(307, location))
    with pytest.raises(RedirectError):
        _client_for(hosts, follow=True).request(GET)
    assert len(hosts.requests) == 1


@pytest.mark.parametrize(
    ("status", "method", "body"),
    [
        (307, "POST", b'{"a":1}'),
        (308, "POST", b'{"a":1}'),
        (303, "GET", b""),
        (302, "GET", b""),
        (301, "GET", b""),
    ],
)
def test_a_redirect_within_the_origin_is_followed_as_httpx_would(
    status: int, method: str, body: bytes
) -> None:
    hosts = Hosts(_redirect(status, "/v1/moved"), httpx.Response(200, json={"ok": True}))
    response = _client_for(hosts, follow=False).request(POST)
    assert response.json() == {"ok": True}
    second = hosts.requests[1]
    assert (second.method, second.url.path, second.content) == (method, "/v1/moved", body)
    assert second.headers["authorization"].startswith("Bearer ")  # same origin: still authorised


def test_too_many_redirects_within_the_origin_is_a_connection_error() -> None:
    hosts = Hosts(_redirect(302, "https://api.example.test/v1/things"))
    with pytest.raises(APIConnectionError, match="redirects"):
        _client_for(hosts, follow=False).request(GET)
    assert len(hosts.requests) == 21


@pytest.mark.parametrize("status", [300, 304, 305])
def test_a_redirect_status_that_is_not_followed_is_never_a_success(status: int) -> None:
    from assistant_bridge import EmptyAnswerError

    hosts = Hosts(_redirect(status, "/v1/elsewhere"))
    with pytest.raises(EmptyAnswerError, match=str(status)):
        _client_for(hosts, follow=True).request(GET)


async def test_async_redirect_to_another_origin_raises_and_sends_nothing_there() -> None:
    from assistant_bridge import RedirectError

    hosts = Hosts(_redirect(307, "https://evil.example.test/collect"), httpx.Response(200))
    client = AsyncAPIClient(
        base_url="https://api.example.test/v1",
        http_client=httpx.AsyncClient(transport=httpx.MockTransport(hosts), follow_redirects=True),
        max_retries=0,
    )
    with pytest.raises(RedirectError, match="evil"):
        await client.send_streaming(POST)
    assert len(hosts.requests) == 1


async def test_async_redirect_within_the_origin_keeps_the_body() -> None:
    hosts = Hosts(
        _redirect(307, "https://api.example.test/v1/moved"), httpx.Response(200, json={"ok": 1})
    )
    client = AsyncAPIClient(
        base_url="https://api.example.test/v1",
        http_client=httpx.AsyncClient(transport=httpx.MockTransport(hosts)),
        max_retries=0,
    )
    response = await client.request(POST)
    assert response.json() == {"ok": 1}
    assert hosts.requests[1].content == b'{"a":1}'


# -- bodies that cannot be encoded ------------------------------------------------------
@pytest.mark.parametrize(
    ("opts", "field"),
    [
        (
            RequestOptions("POST", "x", json={"messages": [{"text": "a\ud800b"}]}),
            "messages[0].text",
        ),
        (
            RequestOptions("POST", "x", json={"filters": {"extra": {"when": object()}}}),
            "filters.extra.when",
        ),
        (RequestOptions("POST", "x", json={"n": float("nan")}), "n"),
        (RequestOptions("GET", "x", params={"q": "\udc00"}), "params.q"),
        (RequestOptions("GET", "x", headers={"x-note": "caf\u00e9"}), "headers.x-note"),
    ],
)
def test_a_body_that_cannot_be_encoded_is_an_invalid_request_naming_the_field(
    opts: RequestOptions, field: str
) -> None:
    script = Script(200)
    with pytest.raises(InvalidRequestError) as info:
        sync_client(script).request(opts)
    assert info.value.field == field
    assert field in str(info.value)
    assert script.requests == []


def unleash_client(
    handler: Callable[[httpx.Request], httpx.Response], *, follow: bool = False, **kwargs: Any
) -> UnleashClient:
    http = httpx.Client(transport=httpx.MockTransport(handler), follow_redirects=follow)
    return UnleashClient(
        "key-123456", base_url="https://u.test", http_client=http, _sleep=lambda s: None, **kwargs
    )


def test_a_per_call_header_replaces_the_default_whatever_its_case() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"results": []})

    unleash_client(answer, account="alice@x.test").search(
        "q", extra_headers={"Unleash-Account": "bob@x.test", "accept": "application/json; v=2"}
    )
    assert seen[0].headers.get_list("unleash-account") == ["bob@x.test"]
    assert seen[0].headers.get_list("accept") == ["application/json; v=2"]


def test_undecodable_body_and_redirect_loops_are_typed_errors() -> None:
    bad_gzip = unleash_client(
        lambda r: httpx.Response(200, content=b"not gzip", headers={"content-encoding": "gzip"})
    )
    with pytest.raises(APIConnectionError):
        bad_gzip.chat_v2([{"role": "User", "text": "hi"}])
    looping = unleash_client(
        lambda r: httpx.Response(302, headers={"location": "https://u.test/search"}), follow=True
    )
    with pytest.raises(APIConnectionError):
        looping.search("q")
