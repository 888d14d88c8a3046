"""ChatUnleash over mock transports: messages, citations in content_blocks, streams, errors."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Generator, Iterator
from typing import Any

import httpx
import pytest
from langchain_core.exceptions import (
    ModelAuthenticationError,
    ModelInvalidRequestError,
    ModelRateLimitError,
)
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)

import assistant_bridge
from assistant_bridge import AsyncUnleashClient, UnleashClient
from assistant_bridge.langchain import ChatUnleash, documents_from_message

TEXT_1 = "Book economy for short trips."
TEXT_2 = " Business class is allowed over six hours."
ANSWER = TEXT_1 + TEXT_2
RESOURCE = {
    "id": "r1",
    "appId": "confluence",
    "type": "page",
    "title": "Travel policy",
    "url": "https://wiki.example/travel",
}
WEB = {
    "id": "w1",
    "url": "https://example.org/fares",
    "title": "Fare classes",
    "siteName": "example.org",
}
V2_CHUNKS: list[dict[str, Any]] = [  # the documented fields only (seed 001): no threadId
    {"requestId": "req-2"},
    {
        "tool": {
            "toolCallStatus": {"toolCallId": "c1", "status": "Start"},
            "toolStep": {"stepDescription": "Searching the wiki", "toolId": "search"},
        }
    },
    {
        "tool": {
            "toolCallStatus": {"toolCallId": "c1", "status": "End"},
            "response": {
                "name": "search",
                "toolId": "search",
                "resources": {
                    "enterprise": {"results": [RESOURCE]},
                    "webSearch": {"sources": [WEB]},
                },
            },
        }
    },
    {"text": "Book economy"},
    {"text": " for short trips."},
    {"reference": {"referenceIds": ["r1"], "position": len(TEXT_1)}},
    {"text": TEXT_2},
    {"reference": {"referenceIds": ["w1", "r1"], "position": len(ANSWER)}},
    {"sources": {"sourcesIds": ["r1", "w1"]}},
]
V1_EVENTS: list[dict[str, Any]] = [
    {"type": "Request", "requestId": "req-1"},
    {
        "type": "Resources",
        "resources": [
            {
                "id": "r1",
                "appId": "jira",
                "type": "ticket",
                "name": "TRAVEL-1",
                "data": {"url": "https://jira.example/TRAVEL-1"},
            }
        ],
    },
    {
        "type": "Message",
        "role": "Assistant",
        "parts": [{"type": "Text", "text": "Use the portal."}],
    },
    {"type": "Message", "parts": [{"type": "InlineReference", "indices": [0]}]},
    {"type": "References", "references": [{"resourceId": "r1"}]},
    {"type": "Full", "threadId": "th-1", "requestId": "req-1"},
]


def sse(chunks: list[dict[str, Any]]) -> bytes:
    return "".join(f"data: {json.dumps(c)}\n\n" for c in chunks).encode()


def v1_body() -> bytes:
    return "".join(f"data: {json.dumps(e)}\n" for e in V1_EVENTS).encode()


class Server:
    """A mock Unleash: answers by path, records every request body."""

    def __init__(self, answer: Callable[[httpx.Request], httpx.Response] | None = None) -> None:
        self.requests: list[httpx.Request] = []
        self.answer = answer or self.default

    @staticmethod
    def default(request: httpx.Request) -> httpx.Response:
        body = v1_body() if request.url.path == "/chats" else sse(V2_CHUNKS)
        return httpx.Response(200, content=body, headers={"content-type": "text/event-stream"})

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.answer(request)

    @property
    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(r.content) for r in self.requests]

    def sync(self) -> UnleashClient:
        return UnleashClient(
            "key-123456",
            base_url="https://u.test",
            http_client=httpx.Client(transport=httpx.MockTransport(self)),
            _sleep=lambda s: None,
        )

    def asyncio(self) -> AsyncUnleashClient:
        async def handler(request: httpx.Request) -> httpx.Response:
            response = self(request)

            async def body() -> AsyncIterator[bytes]:
                yield response.content

            return httpx.Response(response.status_code, content=body(), headers=response.headers)

        async def no_sleep(seconds: float) -> None:
            return None

        return AsyncUnleashClient(
            "key-123456",
            base_url="https://u.test",
            http_client=httpx.AsyncClient(transport=httpx.MockTransport(handler)),
            _sleep=no_sleep,
        )


def model(server: Server, **kwargs: Any) -> ChatUnleash:
    return ChatUnleash(client=server.sync(), async_client=server.asyncio(), **kwargs)


def blocks_of(message: AIMessage) -> dict[str, list[dict[str, Any]]]:
    by_type: dict[str, list[dict[str, Any]]] = {}
    for block in message.content_blocks:
        by_type.setdefault(block["type"], []).append(dict(block))
    return by_type


def test_invoke_maps_messages_and_returns_text_with_citations() -> None:
    server = Server()
    llm = model(server)
    message = llm.invoke(
        [
            SystemMessage("Be brief"),
            HumanMessage("Travel?"),
            AIMessage("Which part?"),
            HumanMessage("Class"),
        ]
    )
    assert server.bodies[0]["messages"] == [
        {"role": "System", "text": "Be brief"},
        {"role": "User", "text": "Travel?"},
        {"role": "Assistant", "text": "Which part?"},
        {"role": "User", "text": "Class"},
    ]
    assert (
        server.requests[0].headers["accept"] == "text/event-stream, application/json;q=0.9"
    )  # the stream carries every reference
    assert message.content == ANSWER
    assert message.response_metadata == {
        "model_provider": "unleash",
        "model_name": "unleash-assistant",
        "api_version": "v2",
        "request_id": "req-2",
        "finish_reason": "unconfirmed",  # an SSE body without [DONE]: no end marker seen
    }
    blocks = blocks_of(message)
    assert blocks["server_tool_call"] == [
        {
            "type": "server_tool_call",
            "id": "c1",
            "name": "search",
            "args": {"description": "Searching the wiki"},
        }
    ]
    [result] = blocks["server_tool_result"]
    assert result["status"] == "success"
    assert result["tool_call_id"] == "c1"
    assert [o.get("id") for o in result["output"]] == ["r1", "w1"]
    [text] = blocks["text"]
    assert text["text"] == ANSWER
    citations = text["annotations"]
    assert [(c["url"], c["start_index"], c["end_index"]) for c in citations] == [
        ("https://wiki.example/travel", 0, len(TEXT_1)),
        ("https://wiki.example/travel", len(TEXT_1) + 1, len(ANSWER)),
        ("https://example.org/fares", len(TEXT_1) + 1, len(ANSWER)),
    ]
    assert citations[0]["cited_text"] == TEXT_1
    assert citations[0]["title"] == "Travel policy"
    assert ANSWER[citations[1]["start_index"] : citations[1]["end_index"]] == TEXT_2.strip()


def test_stream_is_incremental_and_merges_to_the_invoke_answer() -> None:
    server = Server()
    llm = model(server)
    chunks = list(llm.stream("Travel?"))
    assert "text/event-stream" in server.requests[0].headers["accept"]
    texts = [c.content for c in chunks if c.content]
    assert texts == ["Book economy", " for short trips.", TEXT_2]
    assert chunks[-1].chunk_position == "last"
    merged = chunks[0]
    for chunk in chunks[1:]:
        merged = merged + chunk
    assert isinstance(merged, AIMessageChunk)
    invoked = llm.invoke("Travel?")
    assert merged.content == invoked.content
    assert merged.content_blocks == invoked.content_blocks  # each citation exactly once
    assert "thread_id" not in merged.response_metadata, "none is documented, none is invented"
    assert len(merged.additional_kwargs["sources"]) == 2


def test_a_thread_id_the_vendor_sends_is_reported() -> None:
    """An inferred extra (the emulator's extended dialect): read when it comes."""
    extended = [{"requestId": "req-2", "threadId": "th-2"}, *V2_CHUNKS[1:]]
    server = Server(
        lambda request: httpx.Response(
            200, content=sse(extended), headers={"content-type": "text/event-stream"}
        )
    )
    llm = model(server)
    assert llm.invoke("Travel?").response_metadata["thread_id"] == "th-2"
    merged = None
    for chunk in llm.stream("Travel?"):
        merged = chunk if merged is None else merged + chunk
    assert merged is not None
    assert merged.response_metadata["thread_id"] == "th-2"


def test_streaming_flag_makes_invoke_stream_under_the_hood() -> None:
    server = Server()
    message = model(server, streaming=True).invoke("Travel?")
    assert "text/event-stream" in server.requests[0].headers["accept"]
    assert message.content == ANSWER
    assert len(blocks_of(message)["text"][0]["annotations"]) == 3


async def test_async_invoke_and_stream_use_the_async_client() -> None:
    server = Server()
    llm = ChatUnleash(async_client=server.asyncio())  # no sync client, no key: sync would fail
    message = await llm.ainvoke("Travel?")
    chunks = [c async for c in llm.astream("Travel?")]
    assert message.content == ANSWER
    assert "".join(str(c.content) for c in chunks) == ANSWER
    assert len(server.requests) == 2


def test_v1_with_filters_merged_per_call() -> None:
    server = Server()
    llm = model(server, api_version="v1", filters={"app_id": "jira", "type": "ticket"})
    message = llm.invoke("Travel?", filters={"type": "page", "created_by": "ana"}, thread_id="th-0")
    body = server.bodies[0]
    assert server.requests[0].url.path == "/chats"
    assert body["enterpriseSearch"] == {
        "filters": {"appId": ["jira"], "type": ["page"], "createdBy": ["ana"]}
    }
    assert body["threadId"] == "th-0"
    assert message.content == "Use the portal."
    [text] = blocks_of(message)["text"]
    assert text["annotations"][0]["url"] == "https://jira.example/TRAVEL-1"
    assert text["annotations"][0]["title"] == "TRAVEL-1"
    assert message.response_metadata["api_version"] == "v1"
    streamed = "".join(str(c.content) for c in llm.stream("Travel?"))
    assert streamed == "Use the portal."


def test_filters_with_v2_are_refused_clearly() -> None:
    with pytest.raises(
        ValueError, match="v2 takes no filters"
    ):  # pydantic wraps it at construction
        ChatUnleash(api_key="k", filters={"app_id": "jira"})
    server = Server()
    with pytest.raises(ModelInvalidRequestError, match="api_version='v1'"):
        model(server).invoke("x", filters={"app_id": "jira"})
    assert server.requests == []


def test_stop_sequences_cut_the_answer_on_the_client() -> None:
    server = Server()
    llm = model(server)
    message = llm.invoke("Travel?", stop=[" for short"])
    assert message.content == "Book economy"
    assert message.response_metadata["finish_reason"] == "stop_sequence"
    assert "annotations" not in blocks_of(message)["text"][0]  # both citations were past the cut
    streamed = "".join(str(c.content) for c in llm.stream("Travel?", stop=[" for short"]))
    assert streamed == "Book economy"
    across_chunks = "".join(str(c.content) for c in llm.stream("Travel?", stop=["economy for"]))
    assert across_chunks == "Book "


def test_thread_id_is_per_call_and_batch_does_not_mutate_the_instance() -> None:
    server = Server()
    llm = model(server)
    before = llm.model_dump()
    llm.batch(["a", "b", "c"], config={"max_concurrency": 3}, thread_id="shared")
    results = llm.batch(["x"], thread_id="th-x")
    assert llm.model_dump() == before
    assert [b.get("threadId") for b in server.bodies[:3]] == ["shared"] * 3
    assert server.bodies[3]["threadId"] == "th-x"
    assert results[0].content == ANSWER


@pytest.mark.parametrize(
    ("messages", "match"),
    [
        (
            [HumanMessage("hi"), ToolMessage("42", tool_call_id="t1")],
            r"messages\[1\]: a ToolMessage",
        ),
        (
            [HumanMessage(content=[{"type": "image", "url": "https://x/y.png"}])],
            r"messages\[0\]\.content\[0\]: a 'image' block",
        ),
        ([HumanMessage("  ")], "has no text"),
    ],
)
def test_unsupported_messages_fail_before_any_request(messages: list[Any], match: str) -> None:
    server = Server()
    with pytest.raises(ModelInvalidRequestError, match=match) as info:
        model(server).invoke(messages)
    assert isinstance(info.value, assistant_bridge.InvalidRequestError)
    assert server.requests == []


def test_text_blocks_are_joined() -> None:
    server = Server()
    model(server).invoke([HumanMessage(content=[{"type": "text", "text": "Hello "}, "world"])])
    assert server.bodies[0]["messages"] == [{"role": "User", "text": "Hello world"}]


def test_unknown_call_keyword_names_the_nearest() -> None:
    server = Server()
    with pytest.raises(ModelInvalidRequestError, match="did you mean thread_id"):
        model(server).invoke("x", thread="t")
    assert server.requests == []


def test_errors_are_both_client_and_langchain_errors() -> None:
    limited = Server(
        lambda r: httpx.Response(
            429, headers={"Retry-After": "120"}, json={"title": "Too Many Requests"}
        )
    )
    with pytest.raises(ModelRateLimitError) as info:
        model(limited).invoke("x")
    assert isinstance(info.value, assistant_bridge.RateLimitError)
    assert info.value.retry_after == 120
    assert info.value.status_code == 429
    assert info.value.is_retryable
    denied = Server(lambda r: httpx.Response(401, json={"title": "Unauthorized"}))
    with pytest.raises(ModelAuthenticationError, match="401"):
        list(model(denied).stream("x"))


def test_missing_key_is_reported_at_the_first_call_not_at_construction(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("UNLEASH_API_KEY", raising=False)
    llm = ChatUnleash()
    with pytest.raises(ModelInvalidRequestError, match="UNLEASH_API_KEY"):
        llm.invoke("x")


def test_env_defaults_and_secret_hidden(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UNLEASH_API_KEY", "env-secret-key-42")
    monkeypatch.setenv("UNLEASH_ASSISTANT_ID", "asst-9")
    llm = ChatUnleash()
    assert llm.assistant_id == "asst-9"
    assert llm.api_key is not None
    assert llm.api_key.get_secret_value() == "env-secret-key-42"
    assert "env-secret-key-42" not in repr(llm)
    assert "env-secret-key-42" not in str(llm.model_dump())


def test_documents_from_message_share_the_source_metadata() -> None:
    server = Server()
    docs = documents_from_message(model(server).invoke("Travel?"))
    assert [d.metadata["id"] for d in docs] == ["r1", "w1"]
    assert docs[0].metadata["source"] == "https://wiki.example/travel"
    assert docs[0].metadata["app_id"] == "confluence"
    assert docs[0].metadata["citations"][0] == {
        "start_index": 0,
        "end_index": len(TEXT_1),
        "cited_text": TEXT_1,
    }
    assert docs[1].metadata["kind"] == "web"
    assert docs[1].page_content == "Fare classes"


def test_tracing_params() -> None:
    llm = ChatUnleash(api_key="k", temperature=0.2, max_tokens=10, stop=["END"])
    params = llm._get_ls_params()
    assert params == {
        "ls_provider": "unleash",
        "ls_model_name": "unleash-assistant",
        "ls_model_type": "chat",
        "ls_temperature": 0.2,
        "ls_max_tokens": 10,
        "ls_stop": ["END"],
    }


def test_stream_closes_the_response_when_the_consumer_stops() -> None:
    closed: list[bool] = []

    class Body(httpx.SyncByteStream):
        def __iter__(self) -> Iterator[bytes]:
            yield from (sse([c]) for c in V2_CHUNKS)

        def close(self) -> None:
            closed.append(True)

    server = Server(
        lambda r: httpx.Response(200, stream=Body(), headers={"content-type": "text/event-stream"})
    )
    stream = model(server).stream("Travel?")
    assert isinstance(stream, Generator)
    first = next(c for c in stream if c.content)
    stream.close()
    assert first.content == "Book economy"
    assert closed == [True]


async def test_a_client_assigned_after_first_use_serves_the_next_calls() -> None:
    first, second = Server(), Server()
    chat = model(first, api_version="v2")
    chat.invoke("What is the travel policy?")
    await chat.ainvoke("What is the travel policy?")
    chat.client = second.sync()
    chat.async_client = second.asyncio()
    chat.invoke("What is the travel policy?")
    await chat.ainvoke("What is the travel policy?")
    assert (len(first.requests), len(second.requests)) == (2, 2)
