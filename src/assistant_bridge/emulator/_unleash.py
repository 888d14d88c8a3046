"""The emulated Unleash API (served at the emulator's root and under ``/e-api``).

``POST /chats`` (v1: JSON, or the event stream with ``stream: true``), ``POST /chats/v2``
(JSON or SSE, chosen by ``Accept`` with its q-values; the ``v2-body`` variant forces
one), ``POST /search`` (filters, sort, paging with ``paging.size``/``nextToken`` and
``paging.next``; no page-size cap, none being documented), ``POST /filters/stats``,
``POST /filters``, ``POST /answers`` and ``GET /resources/{id}/content``.

Auth: ``Authorization: Bearer <key>`` with `EMULATOR_KEYS` ``unleash`` (acts as the
corpus's default user, or as the user ``unleash-account`` names, as documented) or
``unleash_impersonation``, which needs ``unleash-account`` (an employee's email or id)
on every call, else a 401 whose body has ``reason: "Missing impersonation header"``.
Every response has a ``RequestId`` header; errors are problem+json with ``requestId``;
invalid bodies are 400s with ``errors{field: [messages]}``. Threads: a v1 answer carries
a ``threadId`` (a v2 one only in the ``extended`` dialect); sending it back continues
the thread. Without one, the conversation is the messages the request sends: earlier
questions give context to a short follow-up.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ._composer import compose, question_of
from ._corpus import Corpus, load_corpus, resource_wire
from ._data import EMULATOR_KEYS
from ._filtering import FilterSet, values_of
from ._http import (
    EventStream,
    negotiate,
    plan_of,
    problem,
    read_json,
    reply,
    stable_id,
    stable_uuid,
    validation_problem,
    wire_of,
)
from ._text import highlights, rank, snippet
from ._unleash_checks import (
    SORT_BY,
    SORT_ORDER,
    check_answers,
    check_chat,
    check_filter_options,
    check_search,
    check_stats,
)
from ._unleash_wire import v1_events, v1_full, v2_events, v2_json

__all__ = ["UnleashStore", "routes"]

DEFAULT_PAGE_SIZE = 10
_STATS_FILTERS = [
    "appId",
    "type",
    "class",
    "label",
    "status",
    "cycle",
    "createdBy",
    "assignedTo",
    "reporter",
    "topic",
    "department",
    "location",
    "jobTitle",
    "fileTypeGroup",
    "extension",
]


class UnleashStore:
    """Unleash state: the questions asked in each thread."""

    def __init__(self) -> None:
        self.threads: dict[str, list[str]] = {}

    def reset(self) -> None:
        """Forget every thread."""
        self.threads.clear()


class Call:
    """One authenticated Unleash call: its request, parsed body, user and request id."""

    def __init__(self, request: Request, body: Any, user: str, request_id: str) -> None:
        self.request = request
        self.body = body
        self.user = user
        self.request_id = request_id

    def invalid(self, errors: dict[str, list[str]]) -> Response:
        """The 400 for these validation errors."""
        return validation_problem(
            errors, request_id=self.request_id, instance=self.request.url.path
        )


Handler = Callable[[Call], Awaitable[Response]]


def _authenticate(request: Request, corpus: Corpus, request_id: str) -> str | Response:
    """The acting user's email, or the error response."""
    scheme, _, key = request.headers.get("authorization", "").partition(" ")
    path = request.url.path
    if scheme.lower() != "bearer" or key.strip() not in (
        EMULATOR_KEYS["unleash"],
        EMULATOR_KEYS["unleash_impersonation"],
    ):
        return problem(
            401,
            "Unauthorized",
            detail="A valid API key is required: Authorization: Bearer <key>.",
            request_id=request_id,
            instance=path,
            headers={"WWW-Authenticate": "Bearer"},
        )
    account = request.headers.get("unleash-account", "").strip()
    impersonating = key.strip() == EMULATOR_KEYS["unleash_impersonation"]
    if not account and not impersonating:
        return corpus.default_user  # the key acts as the user who made it
    if not account:
        return problem(
            401,
            "Unauthorized",
            detail="This API key impersonates users: send the unleash-account header.",
            request_id=request_id,
            instance=path,
            extra={"reason": "Missing impersonation header"},
        )
    if not corpus.knows_user(account):
        return problem(
            403,
            "Forbidden",
            detail=f"No user {account!r} in this organisation.",
            request_id=request_id,
            instance=path,
            extra={"reason": "Unknown impersonated account"},
        )
    return corpus.user_email(account)


def _endpoint(corpus: Corpus, handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        raw = await request.body()
        account = request.headers.get("unleash-account", "")
        request_id = stable_id("unleash", request.method, request.url.path, raw, account)
        user = _authenticate(request, corpus, request_id)
        if isinstance(user, Response):
            return user
        body, ok = read_json(raw)
        if not ok:
            errors = {"$": ["The request body is not valid JSON."]}
            return validation_problem(errors, request_id=request_id, instance=request.url.path)
        response = await handler(Call(request, body, user, request_id))
        response.headers.setdefault("RequestId", request_id)  # on every response, as documented
        return response

    return endpoint


def _filters(raw: Any, corpus: Corpus, user: str) -> FilterSet:
    return FilterSet(dict(raw or {}), corpus, user)


def _texts(body: dict[str, Any]) -> list[str]:
    """The user's questions, oldest first.

    A message without ``role`` counts as the user's: ``User`` is the enum's first value,
    what an ASP.NET service takes for a missing one.
    """
    return [
        m["text"]
        for m in body["messages"]
        if str(m.get("role") or "user").lower() == "user" and isinstance(m.get("text"), str)
    ]


_V2_MEDIA = ("application/json", "text/event-stream")


def _v2_streams(request: Request) -> bool:
    """Whether the v2 answer goes as SSE: by ``Accept`` (q-values honoured), or the variant."""
    forced = wire_of(request).variant("v2-body")
    if forced != "accept":
        return forced == "sse"
    return negotiate(request.headers.get("accept"), _V2_MEDIA) == "text/event-stream"


def routes(store: UnleashStore) -> list[BaseRoute]:
    """The Unleash routes, sharing ``store``."""
    corpus = load_corpus()

    def answer_for(call: Call, filters: Any, *, cite_web: bool) -> tuple[Any, str]:
        body = call.body
        thread_id = body.get("threadId") or stable_uuid("thread", call.request_id)
        history = store.threads.get(thread_id, [])
        selected = _filters(filters, corpus, call.user).select(corpus.items)
        texts = _texts(body)
        query = question_of([*history, *texts], selected)
        store.threads[thread_id] = [*history, *texts]
        answer = compose(query, selected, web=corpus.web, company=corpus.company, cite_web=cite_web)
        return answer, thread_id

    async def chats(call: Call) -> Response:
        errors = check_chat(call.body, corpus, v2=False)
        if errors:
            return call.invalid(errors)
        filters = (call.body.get("enterpriseSearch") or {}).get("filters")
        answer, thread_id = answer_for(call, filters, cite_web=False)
        wire = wire_of(call.request)
        if call.body.get("stream") is True:
            events = v1_events(answer, corpus, call.request_id, thread_id, wire)
            plan = plan_of(call.request)
            return EventStream(events, media_type="text/event-stream", plan=plan)
        return reply(call.request, v1_full(answer, corpus, call.request_id, thread_id, wire))

    async def chats_v2(call: Call) -> Response:
        errors = check_chat(call.body, corpus, v2=True)
        if errors:
            return call.invalid(errors)
        answer, thread_id = answer_for(call, None, cite_web=True)
        wire = wire_of(call.request)
        if _v2_streams(call.request):
            events = v2_events(answer, corpus, call.request_id, thread_id, wire)
            plan = plan_of(call.request)
            return EventStream(events, media_type="text/event-stream", plan=plan)
        return reply(call.request, v2_json(answer, corpus, call.request_id, thread_id, wire))

    async def search(call: Call) -> Response:
        errors = check_search(call.body, corpus)
        if errors:
            return call.invalid(errors)
        return _search(call, corpus)

    async def filter_stats(call: Call) -> Response:
        errors = check_stats(call.body)
        if errors:
            return call.invalid(errors)
        stats = _stats(corpus)
        return reply(call.request, {"availableFilters": stats, "requestId": call.request_id})

    async def filter_options(call: Call) -> Response:
        errors = check_filter_options(call.body)
        if errors:
            return call.invalid(errors)
        name, query = call.body["name"], (call.body.get("query") or "").lower()
        values = _stats(corpus).get(name, {})
        limit = call.body.get("limit") or 50
        # `data` is free-form in the OpenAPI document: an app's types, else a value's apps.
        key = "types" if name == "appId" else "appIds"
        options = [
            {"value": value, "data": {key: related}}
            for value, related in values.items()
            if query in value.lower()
        ][:limit]
        body: dict[str, Any] = {"options": options}
        if wire_of(call.request).extended:
            body["requestId"] = call.request_id  # the JS SDK types it; the OpenAPI does not
        return reply(call.request, body)

    async def answers(call: Call) -> Response:
        errors = check_answers(call.body, corpus)
        if errors:
            return call.invalid(errors)
        selected = _filters(call.body.get("filters"), corpus, call.user).select(corpus.items)
        answer = compose(call.body["query"], selected, company=corpus.company, cite_web=False)
        cited = answer.cited
        text = "".join(
            s.text + "".join(f"[{cited.index(c) + 1}]" for c in s.cites) for s in answer.segments
        )
        references = [{"resource": resource_wire(i)} for c in cited if (i := corpus.get(c))]
        body = {"answer": text, "references": references, "requestId": call.request_id}
        return reply(call.request, body)

    async def content(call: Call) -> Response:
        item = corpus.get(call.request.path_params["id"])
        if item is None:
            return problem(
                404,
                "Not Found",
                detail="No resource with this id.",
                request_id=call.request_id,
                instance=call.request.url.path,
            )
        parts = [{"content": p.strip()} for p in item.content.split("\n\n") if p.strip()]
        return reply(call.request, {"parts": parts})

    def route(path: str, handler: Handler, method: str = "POST") -> Route:
        return Route(path, _endpoint(corpus, handler), methods=[method])

    return [
        route("/chats", chats),
        route("/chats/v2", chats_v2),
        route("/search", search),
        route("/filters/stats", filter_stats),
        route("/filters", filter_options),
        route("/answers", answers),
        route("/resources/{id}/content", content, "GET"),
    ]


def _stats(corpus: Corpus) -> dict[str, dict[str, list[str]]]:
    """``appId`` -> the types each app holds; every other filter -> value -> its apps."""
    out: dict[str, dict[str, list[str]]] = {}
    for name in [*_STATS_FILTERS, *corpus.custom_properties]:
        values: dict[str, set[str]] = {}
        for item in corpus.items:
            if name == "appId":
                values.setdefault(item.app_id, set()).add(item.type)
                continue
            source = item.labels if name == "label" else values_of(item, name, corpus.default_user)
            for value in source:
                values.setdefault(value, set()).add(item.app_id)
        out[name] = {k: sorted(v) for k, v in sorted(values.items())}
    return out


def _token(offset: int, key: str) -> str:
    raw = json.dumps({"o": offset, "k": key}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _offset(token: str, key: str) -> int | None:
    try:
        raw = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (ValueError, binascii.Error):
        return None
    if not isinstance(raw, dict) or raw.get("k") != key or not isinstance(raw.get("o"), int):
        return None
    return int(raw["o"])


def _search(call: Call, corpus: Corpus) -> Response:
    body: dict[str, Any] = call.body or {}
    query = body.get("query") or ""
    selected = _filters(body.get("filters"), corpus, call.user).select(corpus.items)
    ranked = [s.item for s in rank(selected, query)]
    sort = body.get("sort") or {}
    by = SORT_BY[(sort.get("by") or "relevancy").lower()]
    default_order = "Ascending" if by == "Alphabetical" else "Descending"
    order = SORT_ORDER[(sort.get("order") or default_order).lower()]
    if by == "Alphabetical":
        ranked.sort(key=lambda i: (i.title.lower(), i.id))
    elif by == "Recency":
        ranked.sort(key=lambda i: (i.time, i.id))
    if (order == "Ascending") if by == "Relevancy" else (order == "Descending"):
        ranked.reverse()
    paging = body.get("paging") or {}
    size = paging.get("size") or DEFAULT_PAGE_SIZE
    key_source = {k: body.get(k) for k in ("query", "filters", "sort", "assistantId")}
    key = stable_id(json.dumps(key_source, sort_keys=True), size, call.user)
    offset = 0
    if paging.get("nextToken"):
        found = _offset(paging["nextToken"], key)
        if found is None:
            return call.invalid(
                {"paging.nextToken": ["The token is not valid for this search; start again."]}
            )
        offset = found
    page = ranked[offset : offset + size]
    results = [
        {
            "resource": resource_wire(item),
            "snippet": snippet(item, query),
            "highlights": highlights(f"{item.title} {item.content}", query),
        }
        for item in page
    ]
    after = offset + size
    out = {
        "totalResults": len(ranked),
        "results": results,
        "paging": {"next": _token(after, key) if after < len(ranked) else None},
        "requestId": call.request_id,
    }
    return reply(call.request, out)
