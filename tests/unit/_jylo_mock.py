"""A mock Jylo API over ``httpx.MockTransport`` for the adapter tests: records every request."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx

from assistant_bridge.jylo import AsyncJyloClient, JyloClient

PROJECT = "proj-1"
ASSISTANT = "3f2b8c1e-6d4a-4f0e-9b7c-2a1d5e8f9c0b"
MODEL = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"
REPLY_ID = "11111111-2222-4333-8444-555555555555"
DOC_ID = "99999999-8888-4777-8666-555555555555"
BASE = "https://api.acme.uk.jylo.ai"
MESSAGES = f"/projects/{PROJECT}/assistants/{ASSISTANT}/messages"

SENTENCE_1 = "Hotels are capped at 180 EUR."
SENTENCE_2 = " Zurich allows 250 EUR."
TEXT = SENTENCE_1 + SENTENCE_2
MARKED = (
    'Hotels are capped at 180 EUR[1](cite:doc-policy "Travel policy").'
    f' Zurich allows 250 EUR[2](cite:{DOC_ID} "notes.txt")[1](cite:doc-policy "Travel policy").'
)
REPLY: dict[str, Any] = {
    "text": TEXT,
    "textWithCitations": MARKED,
    "modelIdentifier": MODEL,
    "objectIdentifier": REPLY_ID,
    "dateAdded": "2025-06-02T09:00:02Z",
    "addingCitations": False,
    "isAssistant": True,
}
UPLOADED: dict[str, Any] = {
    "name": "notes.txt",
    "objectIdentifier": DOC_ID,
    "documentUploadObjectIdentifier": "77777777-8888-4777-8666-555555555555",
    "url": "https://files.jylo.test/notes.txt",
    "uploadSuccessful": True,
}


def sse_reply(pieces: list[str], final: dict[str, Any] = REPLY) -> bytes:
    events = [
        {"objectIdentifier": REPLY_ID, "text": p, "isAssistant": True, "addingCitations": True}
        for p in pieces
    ]
    return "".join(f"data: {json.dumps(e)}\n\n" for e in [*events, final]).encode()


class JyloServer:
    """Answers message posts (JSON, or SSE when ``stream`` is true), uploads, lists, deletes."""

    def __init__(
        self, pieces: list[str] | None = None, stored: list[dict[str, Any]] | None = None
    ) -> None:
        self.pieces = pieces or ["Hotels are capped", " at 180 EUR.", SENTENCE_2]
        self.stored = stored if stored is not None else []
        self.requests: list[httpx.Request] = []
        self.override: Callable[[httpx.Request], httpx.Response | None] | None = None
        self.upload_count = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.requests.append(request)
        if self.override is not None:
            answer = self.override(request)
            if answer is not None:
                return answer
        path = request.url.path
        if path.endswith("/messages/document"):
            self.upload_count += 1
            doc = dict(UPLOADED)
            if self.upload_count > 1:
                doc["objectIdentifier"] = f"{self.upload_count:08d}-8888-4777-8666-555555555555"
            return httpx.Response(200, json=doc)
        if path.endswith("/messages") and request.method == "POST":
            if json.loads(request.content).get("stream"):
                return httpx.Response(
                    200,
                    content=sse_reply(self.pieces),
                    headers={"content-type": "text/event-stream"},
                )
            return httpx.Response(200, json=REPLY)
        if path.endswith("/messages") and request.method == "GET":
            number = int(request.url.params.get("pageNumber", "1"))
            size = int(request.url.params.get("pageSize", "20"))
            return httpx.Response(200, json=self.stored[(number - 1) * size : number * size])
        if request.method == "DELETE":
            wanted = path.rsplit("/", 1)[-1]
            self.stored = [m for m in self.stored if m["objectIdentifier"] != wanted]
            return httpx.Response(204)
        return httpx.Response(404, json={"title": "Not Found"})

    def posts(self, suffix: str = "/messages") -> list[httpx.Request]:
        return [r for r in self.requests if r.method == "POST" and r.url.path.endswith(suffix)]

    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(r.content) for r in self.posts()]

    def client(self, **kw: Any) -> JyloClient:
        return JyloClient(
            token="test-token",
            project_id=PROJECT,
            base_url=BASE,
            _sleep=lambda s: None,
            http_client=httpx.Client(transport=httpx.MockTransport(self)),
            **kw,
        )

    def async_client(self, **kw: Any) -> AsyncJyloClient:
        async def no_sleep(seconds: float) -> None:
            return None

        return AsyncJyloClient(
            token="test-token",
            project_id=PROJECT,
            base_url=BASE,
            _sleep=no_sleep,
            http_client=httpx.AsyncClient(transport=httpx.MockTransport(self)),
            **kw,
        )


def stored_message(index: int, *, assistant: bool) -> dict[str, Any]:
    """A stored message dated ``index`` seconds after a fixed time."""
    return {
        "text": f"{'reply' if assistant else 'question'} {index}",
        "objectIdentifier": f"{index:08d}-0000-4000-8000-000000000000",
        "dateAdded": f"2025-06-02T10:{index // 60:02d}:{index % 60:02d}Z",
        "isAssistant": assistant,
        "modelIdentifier": MODEL,
    }
