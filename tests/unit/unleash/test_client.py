"""UnleashClient / AsyncUnleashClient over httpx.MockTransport: requests sent, results typed."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
import pytest

from assistant_bridge import (
    AsyncUnleashClient,
    AuthenticationError,
    BadRequestError,
    InvalidRequestError,
    SearchFilters,
    StreamError,
    UnleashClient,
)
from assistant_bridge.unleash import ChatEvent, ChatV2Chunk, assemble_chat, assemble_chat_v2
from tests.unit.conftest import Twin

KEY = "unleash-test-key-0001"

V1_EVENTS = [
    {"type": "Request", "requestId": "req-1"},
    {"type": "Progress", "code": "file_search"},
    {
        "type": "Resources",
        "resources": [{"id": "r1", "appId": "confluence", "type": "page", "name": "Travel policy"}],
    },
    {
        "type": "Message",
        "role": "Assistant",
        "parts": [{"type": "Text", "format": "markdown", "text": "Book economy "}],
    },
    {
        "type": "Message",
        "role": "Assistant",
        "parts": [{"type": "Text", "format": "markdown", "text": "for short trips."}],
    },
    {
        "type": "Message",
        "role": "Assistant",
        "parts": [{"type": "InlineReference", "indices": [0]}],
    },
    {"type": "References", "references": [{"resourceId": "r1"}]},
]
FULL = {
    "type": "Full",
    "requestId": "req-1",
    "message": {
        "role": "Assistant",
        "parts": [
            {"type": "Text", "format": "markdown", "text": "Book economy for short trips."},
            {"type": "InlineReference", "indices": [0]},
        ],
    },
    "resources": [{"id": "r1", "appId": "confluence", "type": "page", "name": "Travel policy"}],
    "references": [{"resourceId": "r1"}],
    "threadId": "th-9",
}


def v1_stream_body(*, pretty_full: bool = True) -> bytes:
    lines = [f"data: {json.dumps(e)}\n\n" for e in V1_EVENTS]
    full = json.dumps(FULL, indent=2) if pretty_full else json.dumps(FULL)
    lines.append(f"data: {full}\n\n")
    return "".join(lines).encode()


V2_CHUNKS: list[dict[str, Any]] = [
    {"requestId": "req-2", "threadId": "th-2"},
    {
        "tool": {
            "toolCallStatus": {"toolCallId": "c1", "status": "Start"},
            "toolStep": {"stepDescription": "Searching", "toolId": "search"},
        }
    },
    {
        "tool": {
            "toolCallStatus": {"toolCallId": "c1", "status": "End"},
            "response": {
                "name": "search",
                "toolId": "search",
                "resources": {
                    "enterprise": {
                        "results": [
                            {"id": "r1", "title": "Travel policy", "url": "https://x.example/r1"}
                        ]
                    },
                    "webSearch": {
                        "sources": [{"id": "w1", "url": "https://web.example/a", "title": "A"}]
                    },
                },
            },
        }
    },
    {"text": "Book economy"},
    {"text": " for short trips."},
    {"reference": {"referenceIds": ["r1"], "position": 29}},
    {"sources": {"sourcesIds": ["r1", "w1"]}},
]


def sse_body(chunks: list[dict[str, object]]) -> bytes:
    return "".join(f"data: {json.dumps(c)}\n\n" for c in chunks).encode()


class Recorder:
    """Answers each request with the handler's response and keeps the requests."""

    def __init__(self, handler: Callable[[httpx.Request], httpx.Response]) -> None:
        self.handler = handler
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.handler(request)

    @property
    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(r.content) for r in self.requests]


def client_for(recorder: Recorder, **kw: object) -> UnleashClient:
    return UnleashClient(
        KEY,
        base_url="https://unleash.test",
        http_client=httpx.Client(transport=httpx.MockTransport(recorder)),
        _sleep=lambda s: None,
        **kw,  # type: ignore[arg-type]
    )


def async_client_for(recorder: Recorder, **kw: object) -> AsyncUnleashClient:
    async def no_sleep(seconds: float) -> None:
        return None

    return AsyncUnleashClient(
        KEY,
        base_url="https://unleash.test",
        http_client=httpx.AsyncClient(transport=httpx.MockTransport(recorder)),
        _sleep=no_sleep,
        **kw,  # type: ignore[arg-type]
    )


def stream_response(
    body: bytes, content_type: str = "text/event-stream", chunk: int = 7
) -> httpx.Response:
    def pieces() -> Iterator[bytes]:
        for i in range(0, len(body), chunk):
            yield body[i : i + chunk]

    return httpx.Response(
        200, content=pieces(), headers={"content-type": content_type, "RequestId": "hdr-req"}
    )


def astream_response(
    body: bytes, content_type: str = "text/event-stream", chunk: int = 7
) -> httpx.Response:
    async def pieces() -> AsyncIterator[bytes]:
        for i in range(0, len(body), chunk):
            yield body[i : i + chunk]

    return httpx.Response(
        200, content=pieces(), headers={"content-type": content_type, "RequestId": "hdr-req"}
    )


MESSAGES = [{"role": "user", "text": "What is the travel policy?"}]


# -- configuration ---------------------------------------------------------------------


def test_missing_key_names_the_env_var(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("UNLEASH_API_KEY", raising=False)
    with pytest.raises(InvalidRequestError, match="UNLEASH_API_KEY"):
        UnleashClient()


def test_env_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UNLEASH_API_KEY", KEY)
    monkeypatch.setenv("UNLEASH_BASE_URL", "https://tenant.unleash.test/e-api")
    monkeypatch.setenv("UNLEASH_ACCOUNT", "ana@example.com")
    recorder = Recorder(lambda r: httpx.Response(200, json={"availableFilters": {}}))
    client = UnleashClient(http_client=httpx.Client(transport=httpx.MockTransport(recorder)))
    client.filter_stats()
    request = recorder.requests[0]
    assert str(request.url) == "https://tenant.unleash.test/e-api/filters/stats"
    assert request.headers["authorization"] == f"Bearer {KEY}"
    assert request.headers["unleash-account"] == "ana@example.com"
    assert client.account == "ana@example.com"


def test_default_base_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("UNLEASH_BASE_URL", raising=False)
    assert str(UnleashClient(KEY).base_url) == "https://e-api.unleash.so/"


def test_key_is_not_in_repr() -> None:
    client = UnleashClient(KEY, account="ana@example.com")
    assert KEY not in repr(client)
    assert "ana@example.com" in repr(client)


# -- chat v1 ---------------------------------------------------------------------------


def test_chat_v1_request_body_and_result() -> None:
    recorder = Recorder(lambda r: httpx.Response(200, json=FULL))
    client = client_for(recorder)
    result = client.chat(
        MESSAGES,
        assistant_id="asst-1",
        filters={"app_id": "confluence", "createAfterTime": "2025-01-01T00:00:00Z"},
        thread_id="th-9",
    )
    body = recorder.bodies[0]
    assert body == {
        "messages": [{"role": "User", "text": "What is the travel policy?"}],
        "stream": False,
        "assistantId": "asst-1",
        "enterpriseSearch": {
            "filters": {
                "appId": ["confluence"],
                "createAfterTime": body["enterpriseSearch"]["filters"]["createAfterTime"],
            }
        },
        "threadId": "th-9",
    }
    assert body["enterpriseSearch"]["filters"]["createAfterTime"].startswith("2025-01-01T00:00:00")
    assert recorder.requests[0].url.path == "/chats"
    assert recorder.requests[0].headers["accept"] == "application/json"
    assert result.text == "Book economy for short trips."
    assert result.thread_id == "th-9"
    assert result.request_id == "req-1"
    assert [r.id for r in result.resources] == ["r1"]
    citations = result.citations()
    assert len(citations) == 1
    assert citations[0].offset == len("Book economy for short trips.")
    assert citations[0].resources[0].name == "Travel policy"


def test_stream_chat_yields_typed_events_incrementally() -> None:
    recorder = Recorder(lambda r: stream_response(v1_stream_body()))
    client = client_for(recorder)
    stream = client.stream_chat(MESSAGES, filters=SearchFilters(type="page"))
    assert recorder.bodies[0]["stream"] is True
    assert recorder.bodies[0]["enterpriseSearch"] == {"filters": {"type": ["page"]}}
    assert "text/event-stream" in recorder.requests[0].headers["accept"]
    events = list(stream)
    assert all(isinstance(e, ChatEvent) for e in events)
    assert [str(e.type) for e in events] == [
        "Request",
        "Progress",
        "Resources",
        "Message",
        "Message",
        "Message",
        "References",
        "Full",
    ]
    assert stream.response.is_closed
    assembled = assemble_chat(events)
    assert assembled.text == "Book economy for short trips."
    assert assembled.thread_id == "th-9"


def test_stream_chat_from_deltas_only_matches_full() -> None:
    body = "".join(f"data: {json.dumps(e)}\n" for e in V1_EVENTS).encode()  # no blank lines at all
    recorder = Recorder(lambda r: stream_response(body, chunk=3))
    events = list(client_for(recorder).stream_chat(MESSAGES))
    assert len(events) == len(V1_EVENTS)
    assert assemble_chat(events).text == "Book economy for short trips."


def test_chat_v1_accepts_an_event_stream_answer() -> None:
    recorder = Recorder(lambda r: stream_response(v1_stream_body()))
    result = client_for(recorder).chat(MESSAGES)
    assert result.text == "Book economy for short trips."
    assert result.request_id == "req-1"


def test_malformed_v1_event_raises_stream_error_and_closes() -> None:
    body = b'data: {"type": "Request", "requestId": "r"}\n\ndata: {"type": "Mess\n\ndata: {"type": "Full"}\n\n'
    recorder = Recorder(lambda r: stream_response(body))
    stream = client_for(recorder).stream_chat(MESSAGES)
    with pytest.raises(StreamError) as info:
        list(stream)
    assert '{"type": "Mess' in str(info.value)
    assert stream.response.is_closed


def test_stream_broken_mid_body_is_stream_error() -> None:
    def pieces() -> Iterator[bytes]:
        yield b'data: {"text": "partial"}\n\n'
        raise httpx.RemoteProtocolError(
            "peer closed connection without sending complete message body"
        )

    recorder = Recorder(
        lambda r: httpx.Response(
            200, content=pieces(), headers={"content-type": "text/event-stream"}
        )
    )
    stream = client_for(recorder).stream_chat_v2(MESSAGES)
    received = []
    with pytest.raises(StreamError, match="broke off"):
        for chunk in stream:
            received.append(chunk)
    assert [c.text for c in received] == ["partial"]


@pytest.mark.parametrize(
    ("messages", "field"),
    [
        ([], "messages"),
        ([{"role": "Robot", "text": "hi"}], "messages[0].role"),
        ([{"role": "User", "text": ""}], "messages[0].text"),
        ([{"role": "User"}], "messages[0].text"),
        ([{"role": "User", "text": "ok"}, {"role": "User", "txt": "typo"}], "messages[1].role"),
        ("just a string", "messages"),
    ],
)
def test_bad_messages_fail_before_any_request(messages: object, field: str) -> None:
    recorder = Recorder(lambda r: httpx.Response(200, json=FULL))
    client = client_for(recorder)
    with pytest.raises(InvalidRequestError) as info:
        client.chat(messages)  # type: ignore[arg-type]
    assert info.value.field == field
    with pytest.raises(InvalidRequestError):
        client.chat_v2(messages)  # type: ignore[arg-type]
    assert recorder.requests == []


def test_bad_filters_fail_before_any_request() -> None:
    recorder = Recorder(lambda r: httpx.Response(200, json=FULL))
    with pytest.raises(InvalidRequestError, match="app_id"):
        client_for(recorder).chat(MESSAGES, filters={"app_ids": ["jira"]})
    assert recorder.requests == []


def test_message_objects_and_pairs_are_accepted() -> None:
    from assistant_bridge.unleash import ChatMessageRequest

    recorder = Recorder(lambda r: httpx.Response(200, json=FULL))
    client_for(recorder).chat(
        [
            ChatMessageRequest(role="system", text="Be brief"),
            ("assistant", "Hello"),
            {"role": "USER", "content": "Hi"},
        ]
    )
    assert recorder.bodies[0]["messages"] == [
        {"role": "System", "text": "Be brief"},
        {"role": "Assistant", "text": "Hello"},
        {"role": "User", "text": "Hi"},
    ]


# -- chat v2 ---------------------------------------------------------------------------


def test_stream_chat_v2() -> None:
    recorder = Recorder(lambda r: stream_response(sse_body(V2_CHUNKS)))
    stream = client_for(recorder).stream_chat_v2(MESSAGES, assistant_id="a1", thread_id="th-2")
    assert recorder.requests[0].url.path == "/chats/v2"
    assert recorder.bodies[0] == {
        "messages": [{"role": "User", "text": "What is the travel policy?"}],
        "assistantId": "a1",
        "threadId": "th-2",
    }
    chunks = list(stream)
    assert all(isinstance(c, ChatV2Chunk) for c in chunks)
    result = assemble_chat_v2(chunks)
    assert result.text == "Book economy for short trips."
    assert result.thread_id == "th-2"
    assert [s.status for s in result.tool_steps] == ["End"]
    assert [r.id for r in result.resources] == ["r1"]
    assert [w.url for w in result.web_sources] == ["https://web.example/a"]
    (citation,) = result.citations()
    assert citation.position == 29
    assert citation.resources[0].title == "Travel policy"


def test_chat_v2_json_and_sse_answers_assemble_alike() -> None:
    json_body = {
        "text": "Book economy for short trips.",
        "requestId": "req-2",
        "threadId": "th-2",
        "tool": V2_CHUNKS[2]["tool"],
        "reference": {"referenceIds": ["r1"], "position": 29},
        "sources": {"sourcesIds": ["r1", "w1"]},
    }
    from_json = client_for(Recorder(lambda r: httpx.Response(200, json=json_body))).chat_v2(
        MESSAGES
    )
    from_sse = client_for(Recorder(lambda r: stream_response(sse_body(V2_CHUNKS)))).chat_v2(
        MESSAGES
    )
    assert from_json.text == from_sse.text
    assert from_json.citations()[0].position == from_sse.citations()[0].position
    assert [r.id for r in from_json.resources] == [r.id for r in from_sse.resources]
    assert from_json.sources_ids == from_sse.sources_ids


def test_done_sentinel_and_heartbeats_are_skipped() -> None:
    body = b": keep-alive\n\n" + sse_body(V2_CHUNKS[3:5]) + b"data: [DONE]\n\n"
    chunks = list(client_for(Recorder(lambda r: stream_response(body))).stream_chat_v2(MESSAGES))
    assert [c.text for c in chunks] == ["Book economy", " for short trips."]


def test_request_id_falls_back_to_header() -> None:
    body = sse_body([{"text": "hi"}])
    result = client_for(Recorder(lambda r: stream_response(body))).chat_v2(MESSAGES)
    assert result.request_id == "hdr-req"


# -- errors ----------------------------------------------------------------------------


def test_validation_problem_is_typed() -> None:
    problem = {
        "title": "One or more validation errors occurred.",
        "status": 400,
        "errors": {"messages": ["The messages field is required."]},
        "requestId": "7f3",
    }
    recorder = Recorder(lambda r: httpx.Response(400, json=problem))
    with pytest.raises(BadRequestError) as info:
        client_for(recorder).chat(MESSAGES)
    assert (
        str(info.value)
        == "400 Bad Request: messages: The messages field is required. (request id 7f3)"
    )


def test_impersonation_error_says_to_set_the_account() -> None:
    recorder = Recorder(
        lambda r: httpx.Response(
            401, json={"title": "Unauthorized", "reason": "Missing impersonation header"}
        )
    )
    with pytest.raises(AuthenticationError) as info:
        client_for(recorder).chat_v2(MESSAGES)
    message = str(info.value)
    assert "Missing impersonation header" in message
    assert "UNLEASH_ACCOUNT" in message
    assert KEY not in message


def test_impersonation_error_with_account_says_to_check_it() -> None:
    recorder = Recorder(
        lambda r: httpx.Response(403, json={"reason": "Missing impersonation header"})
    )
    with pytest.raises(Exception, match=r"ana@example\.com") as info:
        client_for(recorder, account="ana@example.com").search("x")
    assert info.value.status_code == 403  # type: ignore[attr-defined]


def test_chat_is_not_retried_after_500_but_search_is() -> None:
    calls = {"n": 0}

    def flaky(request: httpx.Request) -> httpx.Response:
        calls["n"] += 1
        if calls["n"] == 1:
            return httpx.Response(500, json={"title": "boom"})
        return httpx.Response(200, json={"totalResults": 0, "results": []})

    recorder = Recorder(flaky)
    client = client_for(recorder)
    assert client.search("policy").total_results == 0
    assert len(recorder.requests) == 2
    calls["n"] = 0
    with pytest.raises(Exception, match="500"):
        client.chat(MESSAGES)
    assert len(recorder.requests) == 3


def test_non_json_success_body_is_a_clear_error() -> None:
    from assistant_bridge import APIError

    recorder = Recorder(
        lambda r: httpx.Response(
            200, text="<html>login</html>", headers={"content-type": "text/html"}
        )
    )
    with pytest.raises(APIError, match="expected a JSON body"):
        client_for(recorder).search("x")


# -- search, stats, content ------------------------------------------------------------


def test_search_request_and_response() -> None:
    answer = {
        "totalResults": 2,
        "results": [
            {
                "resource": {"id": "r1", "appId": "jira", "type": "ticket", "name": "BILL-1"},
                "snippet": "billing",
                "highlights": ["billing"],
            }
        ],
        "paging": {"next": "tok2"},
        "requestId": "s1",
    }
    recorder = Recorder(lambda r: httpx.Response(200, json=answer))
    result = client_for(recorder).search(
        "billing outage",
        filters=SearchFilters(app_id="jira", is_starred=True),
        page_size=1,
        next_token="tok1",
        sort=("recency", "desc"),
        assistant_id="a1",
        content_search=True,
        semantic_search=False,
    )
    assert recorder.bodies[0] == {
        "query": "billing outage",
        "filters": {"appId": ["jira"], "isStarred": True},
        "assistantId": "a1",
        "contentSearch": True,
        "semanticSearch": False,
        "sort": {"by": "Recency", "order": "Descending"},
        "paging": {"size": 1, "nextToken": "tok1"},
    }
    assert result.total_results == 2
    assert result.results[0].resource is not None
    assert result.results[0].resource.app_id == "jira"
    assert result.paging is not None
    assert result.paging.next == "tok2"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"page_size": 0}, "page_size"),
        ({"sort": "newest"}, "sort.by"),
        ({"sort": ("recency", "sideways")}, "sort.order"),
        ({"sort": 5}, "sort"),
        ({"content_search": "yes"}, "content_search"),
        ({"assistant_id": ""}, "assistant_id"),
    ],
)
def test_search_input_errors(kwargs: dict[str, object], field: str) -> None:
    recorder = Recorder(lambda r: httpx.Response(200, json={}))
    with pytest.raises(InvalidRequestError) as info:
        client_for(recorder).search("q", **kwargs)  # type: ignore[arg-type]
    assert info.value.field == field
    assert recorder.requests == []


def test_filter_stats_and_resource_content() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/filters/stats":
            return httpx.Response(
                200, json={"availableFilters": {"appId": {"jira": ["ticket"]}}, "requestId": "f"}
            )
        assert request.method == "GET"
        return httpx.Response(
            200, json={"parts": [{"content": "Line one."}, {"content": "Line two."}]}
        )

    recorder = Recorder(handler)
    client = client_for(recorder)
    stats = client.filter_stats(assistant_id="a1")
    assert recorder.bodies[0] == {"assistantId": "a1"}
    assert stats.available_filters == {"appId": {"jira": ["ticket"]}}
    content = client.resource_content("doc/with space")
    assert recorder.requests[1].url.raw_path == b"/resources/doc%2Fwith%20space/content"
    assert content.text == "Line one.\nLine two."
    with pytest.raises(InvalidRequestError, match="resource_id"):
        client.resource_content("")


def test_per_call_options_reach_the_request() -> None:
    recorder = Recorder(lambda r: httpx.Response(200, json={"totalResults": 0}))
    client_for(recorder).search("x", timeout=2.5, extra_headers={"X-Trace": "t1"})
    request = recorder.requests[0]
    assert request.extensions["timeout"]["read"] == 2.5
    assert request.headers["x-trace"] == "t1"


# -- both clients ----------------------------------------------------------------------


async def test_chat_v1_and_v2_on_both_clients(twin: Twin) -> None:
    respond = astream_response if twin.is_async else stream_response

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/chats":
            return respond(v1_stream_body())
        return respond(sse_body(V2_CHUNKS))

    recorder = Recorder(handler)
    async with twin(lambda: client_for(recorder), lambda: async_client_for(recorder)) as client:
        v1 = await client.chat(MESSAGES)
        v2 = await client.chat_v2(MESSAGES)
        stream = await client.stream_chat_v2(MESSAGES)
        texts = [chunk.text for chunk in await twin.collect(stream) if chunk.text]
        events = await twin.collect(await client.stream_chat(MESSAGES))
    assert v1.text == v2.text == "Book economy for short trips."
    assert texts == ["Book economy", " for short trips."]
    assert len(events) == len(V1_EVENTS) + 1
    assert stream.response.is_closed


async def test_search_stats_content_and_errors_on_both_clients(twin: Twin) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/search":
            return httpx.Response(200, json={"totalResults": 1, "results": [{"snippet": "s"}]})
        if request.url.path == "/filters/stats":
            return httpx.Response(200, json={"availableFilters": None})
        return httpx.Response(404, json={"title": "Not Found", "detail": "no such resource"})

    recorder = Recorder(handler)
    client = twin(lambda: client_for(recorder), lambda: async_client_for(recorder))
    assert (await client.search("x")).results[0].snippet == "s"
    assert (await client.filter_stats()).request_id is None
    with pytest.raises(Exception, match="no such resource"):
        await client.resource_content("missing")
    with pytest.raises(InvalidRequestError):
        await client.chat([])
    assert len(recorder.requests) == 3
