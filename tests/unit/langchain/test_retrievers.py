"""UnleashSearchRetriever / UnleashChatRetriever over httpx.MockTransport-backed clients."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from langchain_core.documents import Document
from langchain_core.exceptions import (
    ModelAuthenticationError,
    ModelInvalidRequestError,
    ModelRateLimitError,
)
from pydantic import SecretStr

import assistant_bridge
from assistant_bridge.langchain._errors import InvalidRequestError
from assistant_bridge.langchain._retrievers import UnleashChatRetriever, UnleashSearchRetriever
from assistant_bridge.sources import (
    answer_from_chat,
    answer_from_chat_v2,
    sources_from_chat,
    sources_from_chat_v2,
    sources_from_search,
)
from assistant_bridge.unleash import (
    AsyncUnleashClient,
    ChatEvent,
    ChatV2Chunk,
    SearchResponse,
    UnleashClient,
    assemble_chat,
    assemble_chat_v2,
)

KEY = "unleash-test-key-0001"
BASE = "https://unleash.test"

HITS: list[dict[str, Any]] = [
    {
        "resource": {
            "id": f"r{i}",
            "appId": "confluence",
            "type": "page",
            "title": f"Doc {i}",
            "url": f"https://wiki.test/r{i}",
            "externalId": f"ext-{i}",
            "subtitle": "HR space",
            "data": {"space": "HR"},
        },
        "snippet": f"snippet {i}",
        "score": round(1 - i / 10, 2),
    }
    for i in range(1, 8)
]

V1_FULL: dict[str, Any] = {
    "type": "Full",
    "requestId": "req-1",
    "threadId": "th-1",
    "message": {
        "role": "Assistant",
        "parts": [
            {"type": "Text", "text": "Book economy for short trips."},
            {"type": "InlineReference", "indices": [0]},
            {"type": "Text", "text": " Ask your manager first."},
            {"type": "InlineReference", "indices": [1]},
        ],
    },
    "resources": [
        {"id": "u1", "appId": "confluence", "type": "page", "name": "Travel policy"},
        {
            "id": "u2",
            "appId": "jira",
            "type": "issue",
            "name": "HR-12",
            "data": {"url": "https://jira.test/HR-12"},
        },
        {"id": "u3", "appId": "slack", "type": "message", "name": "uncited"},
    ],
    "references": [{"resourceId": "u2"}, {"resourceId": "u1"}],
}

V2_CHUNKS: list[dict[str, Any]] = [
    {"requestId": "req-2"},
    {"tool": {"toolCallStatus": {"toolCallId": "c1", "status": "Start"}}},
    {
        "tool": {
            "toolCallStatus": {"toolCallId": "c1", "status": "End"},
            "response": {
                "name": "search",
                "resources": {
                    "enterprise": {
                        "results": [
                            {"id": "e1", "title": "Uncited page", "url": "https://x.test/e1"},
                            {
                                "id": "e2",
                                "title": "Travel policy",
                                "url": "https://x.test/e2",
                                "appId": "confluence",
                            },
                        ]
                    },
                    "webSearch": {
                        "sources": [
                            {
                                "id": "w1",
                                "url": "https://web.test/a",
                                "title": "A",
                                "description": "About A",
                            }
                        ]
                    },
                },
            },
        }
    },
    {"text": "Book economy."},
    {"reference": {"referenceIds": ["e2", "w1"], "position": 13}},
    {"text": " Done."},
]


def sse(chunks: list[dict[str, Any]]) -> bytes:
    return "".join(f"data: {json.dumps(c)}\n\n" for c in chunks).encode()


class FakeUnleash:
    """An in-memory Unleash: paged search, chat v1/v2, resource content; keeps requests."""

    def __init__(
        self,
        *,
        hits: list[dict[str, Any]] | None = None,
        page_cap: int | None = None,
        contents: dict[str, str] | None = None,
        status: int | None = None,
    ) -> None:
        self.hits = HITS if hits is None else hits
        self.page_cap = page_cap
        self.contents = contents or {}
        self.status = status
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.status is not None:
            return httpx.Response(self.status, json={"title": "nope", "status": self.status})
        path = request.url.path
        if path == "/search":
            return self._search(json.loads(request.content))
        if path == "/chats":
            return httpx.Response(200, json=V1_FULL)
        if path == "/chats/v2":
            return httpx.Response(
                200, content=sse(V2_CHUNKS), headers={"content-type": "text/event-stream"}
            )
        if path.startswith("/resources/") and path.endswith("/content"):
            resource_id = path.split("/")[2]
            if resource_id in self.contents:
                parts = [{"content": line} for line in self.contents[resource_id].split("\n")]
                return httpx.Response(200, json={"parts": parts})
            return httpx.Response(404, json={"title": "Not Found", "status": 404})
        return httpx.Response(500)

    def _search(self, body: dict[str, Any]) -> httpx.Response:
        paging = body.get("paging") or {}
        size = paging.get("size", 10)
        if self.page_cap is not None:
            size = min(size, self.page_cap)
        start = int(paging.get("nextToken") or 0)
        page = self.hits[start : start + size]
        nxt = str(start + size) if start + size < len(self.hits) else None
        return httpx.Response(
            200, json={"totalResults": len(self.hits), "results": page, "paging": {"next": nxt}}
        )

    @property
    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(r.content) for r in self.requests if r.content]

    def paths(self) -> list[str]:
        return [r.url.path for r in self.requests]


def sync_client(handler: Callable[[httpx.Request], Any], **kw: Any) -> UnleashClient:
    transport = httpx.MockTransport(handler)
    return UnleashClient(
        KEY,
        base_url=BASE,
        http_client=httpx.Client(transport=transport),
        _sleep=lambda s: None,
        **kw,
    )


def async_client(handler: Callable[[httpx.Request], Any], **kw: Any) -> AsyncUnleashClient:
    async def no_sleep(seconds: float) -> None:
        return None

    transport = httpx.MockTransport(handler)
    return AsyncUnleashClient(
        KEY,
        base_url=BASE,
        http_client=httpx.AsyncClient(transport=transport),
        _sleep=no_sleep,
        **kw,
    )


def search_retriever(fake: FakeUnleash, **kw: Any) -> UnleashSearchRetriever:
    return UnleashSearchRetriever(client=sync_client(fake), async_client=async_client(fake), **kw)


def chat_retriever(fake: FakeUnleash, **kw: Any) -> UnleashChatRetriever:
    return UnleashChatRetriever(client=sync_client(fake), async_client=async_client(fake), **kw)


def expected_search_docs(hits: list[dict[str, Any]]) -> list[Document]:
    response = SearchResponse.model_validate({"results": hits})
    return [
        Document(id=s.id, page_content=s.text, metadata=s.metadata())
        for s in sources_from_search(response)
    ]


def rank_score(rank: int) -> dict[str, Any]:
    """The metadata a source without a vendor score gets at ``rank`` (from 1)."""
    return {"score": 1 / rank, "score_source": "rank"}


def v1_response() -> Any:
    return assemble_chat([ChatEvent.model_validate(V1_FULL)])


def v2_response() -> Any:
    return assemble_chat_v2([ChatV2Chunk.model_validate(c) for c in V2_CHUNKS])


@pytest.fixture(autouse=True)
def _no_unleash_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("UNLEASH_API_KEY", "UNLEASH_BASE_URL", "UNLEASH_ACCOUNT", "UNLEASH_ASSISTANT_ID"):
        monkeypatch.delenv(name, raising=False)


# -- construction and connection ---------------------------------------------------------


@pytest.mark.parametrize("cls", [UnleashSearchRetriever, UnleashChatRetriever])
def test_construction_without_key_works_and_first_call_says_what_is_missing(cls: type[Any]) -> None:
    retriever = cls()
    assert retriever._conn._value is None  # nothing made yet: no connection, no client
    with pytest.raises(InvalidRequestError, match="UNLEASH_API_KEY") as info:
        retriever.invoke("anything")
    assert isinstance(info.value, assistant_bridge.InvalidRequestError)
    assert isinstance(info.value, ModelInvalidRequestError)


async def test_async_call_without_key_raises_the_same_clear_error() -> None:
    with pytest.raises(InvalidRequestError, match="UNLEASH_API_KEY"):
        await UnleashSearchRetriever().ainvoke("anything")


async def test_sync_client_only_async_call_points_to_async_client() -> None:
    retriever = UnleashSearchRetriever(client=sync_client(FakeUnleash()))
    with pytest.raises(InvalidRequestError, match="async_client="):
        await retriever.ainvoke("q")


def test_env_defaults_and_lazy_cached_clients(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UNLEASH_API_KEY", KEY)
    monkeypatch.setenv("UNLEASH_BASE_URL", "https://tenant.unleash.test/api")
    monkeypatch.setenv("UNLEASH_ACCOUNT", "ana@example.com")
    monkeypatch.setenv("UNLEASH_ASSISTANT_ID", "asst-env")
    retriever = UnleashSearchRetriever(timeout=12.0, max_retries=0)
    assert isinstance(retriever.api_key, SecretStr)
    assert retriever.api_key.get_secret_value() == KEY
    assert KEY not in repr(retriever)
    assert retriever.assistant_id == "asst-env"
    client = retriever._connection().get_sync()
    assert client is retriever._connection().get_sync()
    assert str(client.base_url) == "https://tenant.unleash.test/api/"
    assert client.account == "ana@example.com"
    assert client.max_retries == 0
    aclient = retriever._connection().get_async()
    assert aclient is retriever._connection().get_async()
    assert isinstance(aclient, AsyncUnleashClient)


def test_ls_params_name_the_retriever() -> None:
    assert UnleashSearchRetriever()._get_ls_params()["ls_retriever_name"] == "unleash_search"
    assert UnleashChatRetriever()._get_ls_params()["ls_retriever_name"] == "unleash_chat"


def test_constructor_filters_are_checked_with_suggestions() -> None:
    with pytest.raises(InvalidRequestError, match="app_id") as info:
        UnleashSearchRetriever(filters={"app_idd": "jira"})
    assert info.value.suggestions[0] == "app_id"


# -- search: requests --------------------------------------------------------------------


def test_filters_merge_constructor_then_call_filters_then_single_fields() -> None:
    fake = FakeUnleash()
    retriever = search_retriever(
        fake,
        filters={"app_id": ["confluence"], "type": "page", "is_starred": True},
        sort="recency",
        assistant_id="asst-1",
    )
    retriever.invoke(
        "travel",
        filters={"type": ["issue"], "label": ["hr"]},
        label=["finance"],
        create_after_time=dt.datetime(2025, 3, 1, 12, 30),
        appId=["jira"],
    )
    assert fake.bodies[0] == {
        "query": "travel",
        "filters": {
            "appId": ["jira"],
            "type": ["issue"],
            "label": ["finance"],
            "isStarred": True,
            "createAfterTime": "2025-03-01T12:30:00Z",
        },
        "assistantId": "asst-1",
        "sort": {"by": "Recency"},
        "paging": {"size": 4},
    }


CLASS_DOC: dict[str, Any] = {"class": ["doc"]}
"""``class`` is a Python keyword: passed as ``**{"class": ...}``."""


def test_per_call_options_override_the_instance() -> None:
    fake = FakeUnleash()
    retriever = search_retriever(fake, sort="recency", content_search=False)
    retriever.invoke(
        "q",
        k=2,
        sort=("alphabetical", "desc"),
        content_search=True,
        semantic_search=True,
        assistant_id="asst-9",
        **CLASS_DOC,
    )
    assert fake.bodies[0] == {
        "query": "q",
        "filters": {"class": ["doc"]},
        "assistantId": "asst-9",
        "contentSearch": True,
        "semanticSearch": True,
        "sort": {"by": "Alphabetical", "order": "Descending"},
        "paging": {"size": 2},
    }


def test_no_filters_sends_none() -> None:
    fake = FakeUnleash()
    search_retriever(fake).invoke("q", filters={})
    assert "filters" not in fake.bodies[0]


@pytest.mark.parametrize(
    ("kwargs", "field", "suggestion"),
    [
        ({"app_idd": ["jira"]}, "app_idd", "app_id"),
        ({"created_after": "2025-01-01"}, "created_after", None),
        ({"kk": 3}, "kk", "k"),
        ({"thread_id": "t"}, "thread_id", None),  # a chat option, not a search one
    ],
)
def test_unknown_keyword_is_invalid_request_with_nearest_names(
    kwargs: dict[str, Any], field: str, suggestion: str | None
) -> None:
    fake = FakeUnleash()
    with pytest.raises(InvalidRequestError) as info:
        search_retriever(fake).invoke("q", **kwargs)
    assert info.value.field == field
    assert isinstance(info.value, ModelInvalidRequestError)
    if suggestion is not None:
        assert info.value.suggestions[0] == suggestion
        assert suggestion in str(info.value)
    assert fake.requests == []


def test_nearest_names_for_a_misspelt_time_filter() -> None:
    with pytest.raises(InvalidRequestError) as info:
        search_retriever(FakeUnleash()).invoke("q", create_afer_time="2025-01-01")
    assert "create_after_time" in info.value.suggestions


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"k": 0}, "k"),
        ({"k": True}, "k"),
        ({"k": "3"}, "k"),
        ({"fetch_content": "yes"}, "fetch_content"),
        ({"is_starred": "maybe"}, "filters.is_starred"),
        ({"filters": {"appIdd": "x"}}, "filters.appIdd"),
        ({"filters": ["app_id"]}, "filters"),
        ({"sort": "newest"}, "sort.by"),
    ],
)
def test_bad_call_values_fail_before_any_request(kwargs: dict[str, Any], field: str) -> None:
    fake = FakeUnleash()
    with pytest.raises(InvalidRequestError) as info:
        search_retriever(fake).invoke("q", **kwargs)
    assert info.value.field == field
    assert fake.requests == []


def test_verbose_keyword_read_by_langchain_is_tolerated() -> None:
    fake = FakeUnleash()
    assert len(search_retriever(fake).invoke("q", verbose=False)) == 4


# -- search: documents -------------------------------------------------------------------


def test_documents_and_metadata_follow_the_shared_source_model() -> None:
    docs = search_retriever(FakeUnleash()).invoke("q", k=3)
    assert docs == expected_search_docs(HITS[:3])
    assert docs[0].page_content == "snippet 1"
    assert docs[0].metadata == {
        "source": "https://wiki.test/r1",
        "title": "Doc 1",
        "id": "r1",
        "app_id": "confluence",
        "type": "page",
        "external_id": "ext-1",
        "subtitle": "HR space",
        "score": 0.9,
        "score_source": "vendor",
        "kind": "search",
        "vendor": "unleash",
        "data": {"space": "HR"},
    }
    assert docs[0].id == "r1"


def test_k_from_constructor_and_call() -> None:
    fake = FakeUnleash()
    retriever = search_retriever(fake, k=2)
    assert [d.metadata["id"] for d in retriever.invoke("q")] == ["r1", "r2"]
    assert [d.metadata["id"] for d in retriever.invoke("q", k=5)] == ["r1", "r2", "r3", "r4", "r5"]
    assert [b["paging"] for b in fake.bodies] == [{"size": 2}, {"size": 5}]


def test_pages_are_followed_until_k_when_the_server_caps_page_size() -> None:
    fake = FakeUnleash(page_cap=2)
    docs = search_retriever(fake, k=5).invoke("q")
    assert [d.metadata["id"] for d in docs] == ["r1", "r2", "r3", "r4", "r5"]
    assert [b["paging"] for b in fake.bodies] == [
        {"size": 5},
        {"size": 5, "nextToken": "2"},
        {"size": 5, "nextToken": "4"},
    ]


def test_paging_stops_at_the_last_page() -> None:
    fake = FakeUnleash(page_cap=3)
    docs = search_retriever(fake, k=50).invoke("q")
    assert len(docs) == 7
    assert len(fake.requests) == 3


def test_no_results_is_an_empty_list() -> None:
    assert search_retriever(FakeUnleash(hits=[])).invoke("q") == []


def test_fetch_content_sync_uses_full_text_and_keeps_snippet_when_none() -> None:
    fake = FakeUnleash(contents={"r1": "Full text one\nsecond line", "r2": ""})
    docs = search_retriever(fake, fetch_content=True).invoke("q", k=3)
    assert [d.page_content for d in docs] == [
        "Full text one\nsecond line",
        "snippet 2",
        "snippet 3",
    ]
    assert fake.paths()[1:] == [
        "/resources/r1/content",
        "/resources/r2/content",
        "/resources/r3/content",
    ]
    assert docs[0].metadata == expected_search_docs(HITS[:1])[0].metadata


def test_fetch_content_can_be_turned_on_per_call() -> None:
    fake = FakeUnleash(contents={"r1": "Full"})
    retriever = search_retriever(fake)
    assert retriever.invoke("q", k=1)[0].page_content == "snippet 1"
    assert retriever.invoke("q", k=1, fetch_content=True)[0].page_content == "Full"
    assert retriever.fetch_content is False


class ConcurrentContent(FakeUnleash):
    """Content requests yield to the loop a few times; records the peak in flight."""

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        self.in_flight = 0
        self.peak = 0

    async def __call__(self, request: httpx.Request) -> httpx.Response:  # type: ignore[override]
        if request.url.path.endswith("/content"):
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)
            for _ in range(5):
                await asyncio.sleep(0)
            self.in_flight -= 1
        return super().__call__(request)


async def test_fetch_content_async_is_concurrent_and_bounded() -> None:
    fake = ConcurrentContent(contents={f"r{i}": f"full {i}" for i in range(1, 8)})
    retriever = UnleashSearchRetriever(
        async_client=async_client(fake), fetch_content=True, k=6, max_concurrent_fetches=3
    )
    docs = await retriever.ainvoke("q")
    assert [d.page_content for d in docs] == [f"full {i}" for i in range(1, 7)]
    assert fake.peak == 3
    fake.peak = 0
    docs = await retriever.ainvoke("q", k=2)
    assert fake.peak == 2  # both at once, not one after the other


async def test_async_content_error_propagates_translated() -> None:
    fake = FakeUnleash(contents={"r1": "x"})

    def failing(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/resources/r2/content":
            return httpx.Response(401, json={"title": "Unauthorized", "status": 401})
        return fake(request)

    retriever = UnleashSearchRetriever(
        async_client=async_client(failing, max_retries=0), fetch_content=True, k=3
    )
    with pytest.raises(assistant_bridge.AuthenticationError) as info:
        await retriever.ainvoke("q")
    assert isinstance(info.value, ModelAuthenticationError)


async def test_async_search_matches_sync() -> None:
    fake = FakeUnleash(page_cap=2)
    retriever = search_retriever(fake, filters={"app_id": "confluence"})
    sync_docs = retriever.invoke("q", k=3, from_time=dt.date(2025, 1, 1))
    async_docs = await retriever.ainvoke("q", k=3, from_time=dt.date(2025, 1, 1))
    assert sync_docs == async_docs == expected_search_docs(HITS[:3])
    assert fake.bodies[:2] == fake.bodies[2:]
    assert fake.bodies[0]["filters"] == {
        "appId": ["confluence"],
        "fromTime": "2025-01-01T00:00:00Z",
    }


# -- errors ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "client_error", "model_error"),
    [
        (401, assistant_bridge.AuthenticationError, ModelAuthenticationError),
        (429, assistant_bridge.RateLimitError, ModelRateLimitError),
    ],
)
async def test_http_errors_are_client_and_model_errors(
    status: int, client_error: type[Exception], model_error: type[Exception]
) -> None:
    fake = FakeUnleash(status=status)
    search = UnleashSearchRetriever(
        client=sync_client(fake, max_retries=0), async_client=async_client(fake, max_retries=0)
    )
    chat = UnleashChatRetriever(
        client=sync_client(fake, max_retries=0), async_client=async_client(fake, max_retries=0)
    )
    calls: list[Callable[[], object]] = [lambda: search.invoke("q"), lambda: chat.invoke("q")]
    for call in calls:
        with pytest.raises(client_error) as info:
            call()
        assert isinstance(info.value, model_error)
        assert getattr(info.value, "status_code", None) == status
    for acall in (search.ainvoke, chat.ainvoke):
        with pytest.raises(client_error) as ainfo:
            await acall("q")
        assert isinstance(ainfo.value, model_error)


# -- no mutation -------------------------------------------------------------------------


def test_batch_and_concurrent_calls_never_change_the_instance() -> None:
    fake = FakeUnleash()
    retriever = search_retriever(fake, filters={"type": "page"}, k=2)
    before = retriever.model_dump()
    results = retriever.batch(["a", "b", "c"], app_id="jira", k=1)
    assert [len(r) for r in results] == [1, 1, 1]
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda i: retriever.invoke(f"q{i}", app_id=[f"app{i}"], k=i + 1), range(8)))
    for body in fake.bodies[3:]:
        i = int(body["query"][1:])
        assert body["filters"] == {"appId": [f"app{i}"], "type": ["page"]}
        assert body["paging"] == {"size": i + 1}
    assert retriever.model_dump() == before
    retriever.invoke("after")
    assert fake.bodies[-1]["filters"] == {"type": ["page"]}
    assert fake.bodies[-1]["paging"] == {"size": 2}


async def test_abatch_does_not_change_the_instance() -> None:
    fake = FakeUnleash()
    retriever = chat_retriever(fake, api_version="v1", filters={"type": "page"})
    before = retriever.model_dump()
    await retriever.abatch(["a", "b"], app_id="jira", include_answer=True, thread_id="th-x")
    assert retriever.model_dump() == before
    assert all(
        b["enterpriseSearch"]["filters"] == {"appId": ["jira"], "type": ["page"]}
        for b in fake.bodies
    )
    await retriever.ainvoke("c")
    assert fake.bodies[-1]["enterpriseSearch"]["filters"] == {"type": ["page"]}
    assert "threadId" not in fake.bodies[-1]


# -- chat retriever ----------------------------------------------------------------------


def test_chat_v2_documents_are_tool_resources_with_citations() -> None:
    fake = FakeUnleash()
    retriever = chat_retriever(fake, assistant_id="asst-1")
    docs = retriever.invoke("How do I book travel?", thread_id="th-2")
    assert fake.requests[0].url.path == "/chats/v2"
    assert fake.bodies[0] == {
        "messages": [{"role": "User", "text": "How do I book travel?"}],
        "assistantId": "asst-1",
        "threadId": "th-2",
    }
    expected = [
        Document(id=s.id, page_content=s.text, metadata={**s.metadata(), **rank_score(rank)})
        for rank, s in enumerate(sources_from_chat_v2(v2_response()), start=1)
    ]
    assert docs == expected
    assert [d.metadata["id"] for d in docs] == ["e2", "w1", "e1"]  # cited first
    span = {"start_index": 0, "end_index": 13, "cited_text": "Book economy."}
    assert docs[0].metadata["citations"] == [span]
    assert docs[0].metadata["source"] == "https://x.test/e2"
    assert docs[1].metadata["citations"] == [span]
    assert docs[1].metadata["kind"] == "web"
    assert docs[1].page_content == "About A"
    assert "citations" not in docs[2].metadata


def test_chat_v1_documents_with_filters_and_citations() -> None:
    fake = FakeUnleash()
    retriever = chat_retriever(fake, api_version="v1", filters={"app_id": ["confluence", "jira"]})
    docs = retriever.invoke("travel?", modified_after_time="2025-02-01T00:00:00Z")
    assert fake.requests[0].url.path == "/chats"
    assert fake.bodies[0]["enterpriseSearch"] == {
        "filters": {"appId": ["confluence", "jira"], "modifiedAfterTime": "2025-02-01T00:00:00Z"}
    }
    expected = [
        Document(id=s.id, page_content=s.text, metadata={**s.metadata(), **rank_score(rank)})
        for rank, s in enumerate(sources_from_chat(v1_response()), start=1)
    ]
    assert docs == expected
    assert [d.metadata["id"] for d in docs] == ["u2", "u1", "u3"]
    text = v1_response().text
    first, second = docs[0].metadata["citations"][0], docs[1].metadata["citations"][0]
    assert text[first["start_index"] : first["end_index"]] == "Book economy for short trips."
    assert text[second["start_index"] : second["end_index"]] == "Ask your manager first."
    assert docs[0].metadata["source"] == "https://jira.test/HR-12"


@pytest.mark.parametrize("version", ["v1", "v2"])
async def test_include_answer_puts_the_answer_first(version: str) -> None:
    fake = FakeUnleash()
    retriever = chat_retriever(fake, api_version=version, include_answer=True, k=1)
    docs = retriever.invoke("q")
    adocs = await retriever.ainvoke("q")
    assert docs == adocs
    assert len(docs) == 2  # the answer is not counted in k
    answer = docs[0]
    if version == "v1":
        source = answer_from_chat(v1_response())
        assert answer.page_content == "Book economy for short trips. Ask your manager first."
        assert [c["source_ids"] for c in answer.metadata["citations"]] == [["u2"], ["u1"]]
        assert answer.metadata["data"] == {"request_id": "req-1", "thread_id": "th-1"}
    else:
        source = answer_from_chat_v2(v2_response())
        assert answer.page_content == "Book economy. Done."
        assert answer.metadata["citations"] == [
            {
                "start_index": 0,
                "end_index": 13,
                "cited_text": "Book economy.",
                "source_ids": ["e2", "w1"],
            }
        ]
        assert answer.metadata["data"] == {"request_id": "req-2"}  # v2 documents no thread id
    assert answer.metadata == {**source.metadata(), "score": 1.0, "score_source": "answer"}
    assert answer.id == source.id
    assert answer.metadata["type"] == "answer"
    assert docs[1].metadata["score"] == 1.0  # the sources' ranks do not count the answer
    assert answer.metadata["kind"] == "answer"


def test_include_answer_per_call_and_checked() -> None:
    retriever = chat_retriever(FakeUnleash())
    assert retriever.invoke("q", include_answer=True)[0].metadata["type"] == "answer"
    assert all(d.metadata.get("kind") != "answer" for d in retriever.invoke("q"))
    with pytest.raises(InvalidRequestError, match="include_answer"):
        retriever.invoke("q", include_answer="yes")


def test_chat_k_limits_sources() -> None:
    retriever = chat_retriever(FakeUnleash(), k=2)
    assert [d.metadata["id"] for d in retriever.invoke("q")] == ["e2", "w1"]
    assert [d.metadata["id"] for d in retriever.invoke("q", k=1)] == ["e2"]
    assert len(retriever.invoke("q", k=None)) == 3


def test_filters_with_v2_chat_point_to_v1_or_search() -> None:
    with pytest.raises(InvalidRequestError, match=r"api_version='v1'.*UnleashSearchRetriever"):
        UnleashChatRetriever(filters={"app_id": "jira"})
    fake = FakeUnleash()
    retriever = chat_retriever(fake)
    for kwargs in ({"app_id": ["jira"]}, {"filters": {"type": "page"}}):
        with pytest.raises(InvalidRequestError, match="chat v2") as info:
            retriever.invoke("q", **kwargs)
        assert info.value.field == "filters"
    assert fake.requests == []


def test_chat_unknown_keyword() -> None:
    with pytest.raises(InvalidRequestError) as info:
        chat_retriever(FakeUnleash(), api_version="v1").invoke("q", thread="t")
    assert "thread_id" in info.value.suggestions


def test_chat_fetch_content_fetches_enterprise_resources_only() -> None:
    fake = FakeUnleash(contents={"e2": "Travel policy full text"})
    docs = chat_retriever(fake, fetch_content=True).invoke("q")
    assert [d.page_content for d in docs] == ["Travel policy full text", "About A", "Uncited page"]
    assert fake.paths() == ["/chats/v2", "/resources/e2/content", "/resources/e1/content"]


@pytest.mark.parametrize("version", ["v1", "v2"])
async def test_async_chat_matches_sync(version: str) -> None:
    fake = FakeUnleash()
    retriever = chat_retriever(fake, api_version=version)
    assert await retriever.ainvoke("q", thread_id="th-7") == retriever.invoke("q", thread_id="th-7")
    assert fake.bodies[0] == fake.bodies[1]
    assert fake.bodies[0]["threadId"] == "th-7"


async def test_async_chat_fetch_content_is_concurrent() -> None:
    fake = ConcurrentContent(contents={"e1": "one", "e2": "two"})
    retriever = UnleashChatRetriever(async_client=async_client(fake), fetch_content=True)
    docs = await retriever.ainvoke("q")
    assert [d.page_content for d in docs] == ["two", "About A", "one"]
    assert fake.peak == 2
