"""A mock Unleash server for the LlamaIndex adapter tests (httpx.MockTransport based)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import httpx

from assistant_bridge import AsyncUnleashClient, UnleashClient

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
RESOURCE_2 = {
    "id": "r2",
    "appId": "jira",
    "type": "ticket",
    "title": "TRAVEL-9",
    "url": "https://jira.example/TRAVEL-9",
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
                    "enterprise": {"results": [RESOURCE, RESOURCE_2]},
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
V1_TEXT = "Use the portal."
V1_EVENTS: list[dict[str, Any]] = [
    {"type": "Request", "requestId": "req-1"},
    {
        "type": "Resources",
        "resources": [
            {
                "id": "j1",
                "appId": "jira",
                "type": "ticket",
                "name": "TRAVEL-1",
                "data": {"url": "https://jira.example/TRAVEL-1"},
            }
        ],
    },
    {"type": "Message", "role": "Assistant", "parts": [{"type": "Text", "text": V1_TEXT}]},
    {"type": "Message", "parts": [{"type": "InlineReference", "indices": [0]}]},
    {"type": "References", "references": [{"resourceId": "j1"}]},
    {"type": "Full", "threadId": "th-1", "requestId": "req-1"},
]


def hit(i: int, **extra: Any) -> dict[str, Any]:
    return {
        "resource": {
            "id": f"s{i}",
            "appId": "confluence",
            "type": "page",
            "title": f"Page {i}",
            "url": f"https://wiki.example/{i}",
        },
        "snippet": f"snippet {i}",
        **extra,
    }


def search_body(ids: list[int], next_token: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "totalResults": 10,
        "results": [hit(i, score=1.0 - i / 10) for i in ids],
        "requestId": "req-s",
    }
    if next_token:
        body["paging"] = {"next": next_token}
    return body


def sse_events(chunks: list[dict[str, Any]]) -> list[bytes]:
    return [f"data: {json.dumps(c)}\n\n".encode() for c in chunks]


def v1_events(events: list[dict[str, Any]]) -> list[bytes]:
    return [f"data: {json.dumps(e)}\n".encode() for e in events]


class Server:
    """A mock Unleash: answers by path, records every request, logs streamed chunks."""

    def __init__(self, answer: Callable[[httpx.Request], httpx.Response] | None = None) -> None:
        self.requests: list[httpx.Request] = []
        self.answer = answer or self.default
        self.sent: list[bytes] = []  # stream chunks in the order the client pulled them
        self.search_pages: list[dict[str, Any]] = [search_body([1, 2, 3, 4])]
        self.contents: dict[str, str] = {}

    def stream(self, parts: list[bytes]) -> httpx.Response:
        def body() -> Iterator[bytes]:
            for part in parts:
                self.sent.append(part)
                yield part

        return httpx.Response(200, content=body(), headers={"content-type": "text/event-stream"})

    def default(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == "/chats":
            return self.stream(v1_events(V1_EVENTS))
        if path == "/chats/v2":
            return self.stream(sse_events(V2_CHUNKS))
        if path == "/search":
            index = min(
                sum(1 for r in self.requests if r.url.path == "/search") - 1,
                len(self.search_pages) - 1,
            )
            return httpx.Response(200, json=self.search_pages[index])
        if path.startswith("/resources/"):
            rid = path.split("/")[2]
            if rid not in self.contents:
                return httpx.Response(404, json={"title": "Not found", "status": 404})
            return httpx.Response(200, json={"parts": [{"content": self.contents[rid]}]})
        return httpx.Response(404, json={"title": "no route", "status": 404})

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.answer(request)

    @property
    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(r.content) if r.content else {} for r in self.requests]

    def paths(self) -> list[str]:
        return [r.url.path for r in self.requests]

    def sync(self) -> UnleashClient:
        return UnleashClient(
            "key-123456",
            base_url="https://u.test",
            http_client=httpx.Client(transport=httpx.MockTransport(self)),
            _sleep=lambda s: None,
        )

    def asyncio(
        self, before: Callable[[httpx.Request], Awaitable[None]] | None = None
    ) -> AsyncUnleashClient:
        async def handler(request: httpx.Request) -> httpx.Response:
            if before is not None:
                await before(request)
            response = self(request)
            stream = response.stream

            async def body() -> AsyncIterator[bytes]:
                for part in stream:  # type: ignore[union-attr]
                    yield part

            return httpx.Response(response.status_code, content=body(), headers=response.headers)

        async def no_sleep(seconds: float) -> None:
            return None

        return AsyncUnleashClient(
            "key-123456",
            base_url="https://u.test",
            http_client=httpx.AsyncClient(transport=httpx.MockTransport(handler)),
            _sleep=no_sleep,
        )
