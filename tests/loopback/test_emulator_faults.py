"""Fault injection and incremental streaming, over loopback HTTP against the real server."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
import pytest

from assistant_bridge import (
    APIConnectionError,
    APITimeoutError,
    AsyncUnleashClient,
    InternalServerError,
    RateLimitError,
    StreamError,
)
from assistant_bridge.emulator import EMULATOR_KEYS, FAULT_HEADER, EmulatorURL, run_emulator
from assistant_bridge.unleash import UnleashClient

QUESTION = [{"role": "User", "text": "What is our travel policy?"}]


@pytest.fixture(scope="module")
def base_url() -> Iterator[EmulatorURL]:
    with run_emulator() as url:
        yield url


@pytest.fixture
def client(base_url: EmulatorURL) -> Iterator[UnleashClient]:
    httpx.post(f"{base_url}/_emulator/reset")
    sleeps: list[float] = []
    with UnleashClient(
        EMULATOR_KEYS["unleash"], base_url=base_url, max_retries=2, _sleep=sleeps.append
    ) as c:
        yield c


def fault(text: str) -> dict[str, str]:
    return {FAULT_HEADER: text}


def open_streams(base_url: str) -> int:
    return int(httpx.get(f"{base_url}/_emulator/status").json()["streams"]["open"])


def test_client_gets_the_first_event_while_the_server_is_still_sending(
    client: UnleashClient, base_url: EmulatorURL
) -> None:
    with client.stream_chat_v2(QUESTION, extra_headers=fault("pace:0.015")) as stream:
        chunks = iter(stream)
        first = next(chunks)
        assert first.request_id, "the first chunk is the request id"
        assert open_streams(base_url) == 1, "the server has not sent the last event yet"
        rest = list(chunks)
    assert len(rest) > 10
    deadline = time.monotonic() + 5
    while open_streams(base_url) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert open_streams(base_url) == 0


async def test_async_client_streams_incrementally_too(base_url: EmulatorURL) -> None:
    async with AsyncUnleashClient(EMULATOR_KEYS["unleash"], base_url=base_url) as client:
        stream = await client.stream_chat(QUESTION, extra_headers=fault("pace:0.015"))
        async with stream:
            events = aiter(stream)
            first = await anext(events)
            async with httpx.AsyncClient() as http:
                status = (await http.get(f"{base_url}/_emulator/status")).json()
            assert str(first.type) == "Request"
            assert status["streams"]["open"] == 1
            rest = [event async for event in events]
    assert str(rest[-1].type) == "Full"


def test_429_then_success_is_retried_with_retry_after(client: UnleashClient) -> None:
    result = client.search("travel", extra_headers=fault("429:0;times=1"))
    assert result.total_results


def test_429_carries_retry_after(base_url: EmulatorURL) -> None:
    response = httpx.post(f"{base_url}/search", json={}, headers=fault("429:7"))
    assert response.status_code == 429
    assert response.headers["retry-after"] == "7"
    assert response.headers["content-type"] == "application/problem+json"


def test_503_once_lets_a_chat_retry_succeed(client: UnleashClient) -> None:
    assert client.chat(QUESTION, extra_headers=fault("503;times=1")).text


def test_500_on_a_chat_is_raised_not_repeated(client: UnleashClient, base_url: EmulatorURL) -> None:
    with pytest.raises(InternalServerError):
        client.chat(QUESTION, extra_headers=fault("500;times=5"))
    counts = httpx.get(f"{base_url}/_emulator/status").json()["faultCounts"]
    assert counts == {"500;times=5": 1}


def test_rate_limit_that_never_ends_is_raised(client: UnleashClient) -> None:
    with pytest.raises(RateLimitError):
        client.search("travel", extra_headers=fault("429:0"))


def test_drop_closes_the_connection_before_any_byte(base_url: EmulatorURL) -> None:
    """Proves the transport close works on the installed uvicorn: EOF, no status line."""
    address = urlsplit(base_url)
    assert address.port is not None
    with socket.create_connection((address.hostname, address.port), timeout=5) as sock:
        request = (
            f"POST /search HTTP/1.1\r\nHost: {address.netloc}\r\n{FAULT_HEADER}: drop\r\n"
            "Content-Length: 2\r\n\r\n{}"
        )
        sock.sendall(request.encode())
        assert sock.recv(1024) == b""


def test_drop_on_a_read_is_retried_and_on_a_chat_is_raised(client: UnleashClient) -> None:
    assert client.search("travel", extra_headers=fault("drop;times=1")).total_results
    with pytest.raises(APIConnectionError):
        client.chat(QUESTION, extra_headers=fault("drop"))


def test_cut_after_breaks_the_stream(client: UnleashClient) -> None:
    with client.stream_chat(QUESTION, extra_headers=fault("cut-after:3")) as stream:
        seen = []
        with pytest.raises(StreamError):
            for event in stream:
                seen.append(event)
    assert [str(e.type) for e in seen] == ["Request", "Progress", "Progress"]


def test_malformed_event_is_a_stream_error(client: UnleashClient) -> None:
    with (
        pytest.raises(StreamError),
        client.stream_chat_v2(QUESTION, extra_headers=fault("malformed")) as stream,
    ):
        list(stream)
    with (
        pytest.raises(StreamError),
        client.stream_chat(QUESTION, extra_headers=fault("malformed")) as stream,
    ):
        list(stream)


def test_malformed_json_body(base_url: EmulatorURL) -> None:
    headers = {"authorization": f"Bearer {EMULATOR_KEYS['unleash']}", **fault("malformed")}
    response = httpx.post(f"{base_url}/search", json={"query": "travel"}, headers=headers)
    with pytest.raises(json.JSONDecodeError):
        response.json()


def test_slow_first_byte_trips_the_read_timeout(client: UnleashClient) -> None:
    with pytest.raises(APITimeoutError):
        client.search(
            "travel", timeout=0.2, max_retries=0, extra_headers=fault("slow-first-byte:1")
        )


def test_bad_fault_text_is_a_400(base_url: EmulatorURL) -> None:
    response = httpx.post(f"{base_url}/search", json={}, headers=fault("teapot"))
    assert response.status_code == 400
    assert "unknown fault" in response.json()["detail"]


def test_default_faults_apply_to_clients_without_headers() -> None:
    with run_emulator(faults="503;times=2") as url:
        first = httpx.post(f"{url}/search", json={})
        with UnleashClient(EMULATOR_KEYS["unleash"], base_url=url, _sleep=lambda _: None) as c:
            assert c.search("travel").total_results  # the second 503, then success
    assert first.status_code == 503
    assert first.headers["retry-after"] == "1"
