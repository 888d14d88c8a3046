"""The emulated Zaia API (served under ``/zaia``): chats, threads and their messages.

Routes (``authorization: <workspace key>``, with or without ``Bearer ``):

- ``GET /api/v1/chats``, ``GET /api/v1/chat-threads?chatId=``: the workspace's chats and a
  chat's threads.
- ``GET /api/v1/chat-messages?chatId=[&chatThreadId=]``: a chat's messages, oldest first.
- ``POST /api/v1/chat-messages``: append a message (seed 004 fields; ``role`` one of
  `ROLES`). Zaia stores conversations; it does not answer them.
- ``POST /api/v1/chat-messages/export``: validates the period and the callback URL (HTTPS,
  public host), records the export and answers ``{message}``; it never calls out. The
  recorded exports are listed at ``GET /_emulator/zaia/exports``.

Lists are JSON arrays paged with ``pagination.limit`` (1 to 1000, default 250) and
``pagination.offset`` (``pagination[limit]`` is read too). The workspace starts with two
chats of seeded conversations; times come from a logical clock, so the same calls from
a reset give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import uuid
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ._corpus import load_corpus, parse_time
from ._data import EMULATOR_KEYS
from ._http import problem, read_json, reply, stable_uuid

__all__ = ["ROLES", "ZaiaStore", "routes"]

ROLES = ("user", "assistant", "system")
LANGUAGES = ("enUs", "ptBr", "esEs")
DEFAULT_LIMIT, MAX_LIMIT = 250, 1000
Errors = dict[str, list[str]]

_SEED: list[tuple[str, list[tuple[str, list[tuple[str, str, str]]]]]] = [
    (
        "Brightwater website assistant",
        [
            (
                "Invoice shows the wrong VAT number",
                [
                    (
                        "user",
                        "Customer",
                        "Our May invoice shows last year's VAT number. Can you fix it?",
                    ),
                    (
                        "assistant",
                        "Assistant",
                        "I have asked Billing to reissue the May invoice with your current VAT number; you will get it by email within two working days.",
                    ),
                    ("user", "Customer", "Thanks, please send it to finance@customer.example too."),
                ],
            ),
            (
                "How do I export a dashboard?",
                [
                    ("user", "Customer", "How do I export a dashboard to PDF?"),
                    (
                        "assistant",
                        "Assistant",
                        "Open the dashboard, choose Share, then Export as PDF. Exports include every visible chart.",
                    ),
                ],
            ),
        ],
    ),
    (
        "People team helpdesk",
        [
            (
                "Travel policy question",
                [
                    (
                        "user",
                        "Jonas Berg",
                        "Does the 250 EUR hotel cap apply to Zurich trips booked in February?",
                    ),
                    (
                        "assistant",
                        "People helpdesk",
                        "No: trips booked before 1 March keep the old 180 EUR cap. From 1 March, Zurich is capped at 250 EUR per night.",
                    ),
                ],
            ),
        ],
    ),
]


class ZaiaStore:
    """Zaia state: chats, threads, messages, recorded exports, and a logical clock."""

    def __init__(self) -> None:
        self.chats: list[dict[str, Any]] = []
        self.threads: list[dict[str, Any]] = []
        self.messages: list[dict[str, Any]] = []
        self.exports: list[dict[str, Any]] = []
        self.clock = 0
        self.reset()

    def reset(self) -> None:
        """Back to the seeded workspace (no exports, the clock restarted)."""
        for rows in (self.chats, self.threads, self.messages, self.exports):
            rows.clear()
        self.clock = 0
        self._seed()

    def tick(self) -> str:
        """The next logical time (one second after the last)."""
        self.clock += 1
        when = load_corpus().now + dt.timedelta(seconds=self.clock)
        return when.isoformat().replace("+00:00", "Z")

    def _seed(self) -> None:
        for chat_name, threads in _SEED:
            when = self.tick()
            chat_id = stable_uuid("zaia-chat", chat_name)
            self.chats.append(
                {"id": chat_id, "name": chat_name, "createdAt": when, "updatedAt": when}
            )
            for thread_name, messages in threads:
                thread_id = stable_uuid("zaia-thread", chat_id, thread_name)
                when = self.tick()
                self.threads.append(
                    {
                        "id": thread_id,
                        "chatId": chat_id,
                        "name": thread_name,
                        "createdAt": when,
                        "updatedAt": when,
                    }
                )
                for role, sender, content in messages:
                    self.add_message(
                        {
                            "chatId": chat_id,
                            "chatThreadId": thread_id,
                            "content": content,
                            "externalId": None,
                            "senderId": stable_uuid("zaia-sender", sender),
                            "role": role,
                        }
                    )

    def add_message(self, body: dict[str, Any]) -> dict[str, Any]:
        """Store a message (fields already checked) and return it."""
        when = self.tick()
        message = {
            "createdAt": when,
            "id": stable_uuid("zaia-message", body["chatId"], when),
            "updatedAt": when,
            "chatId": body["chatId"],
            "chatThreadId": body["chatThreadId"],
            "content": body["content"],
            "externalId": body["externalId"],
            "rawContent": body["content"] if body["role"] == "assistant" else None,
            "role": body["role"],
            "senderId": body["senderId"],
        }
        self.messages.append(message)
        return message


def _is_uuid(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _invalid(errors: Errors, request: Request) -> Response:
    return problem(
        400,
        "Validation failed",
        errors=errors,
        instance=request.url.path,
        detail="; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()),
    )


def _page(request: Request, rows: list[dict[str, Any]]) -> list[dict[str, Any]] | Errors:
    query = request.query_params
    values: dict[str, int] = {}
    for name, default, low, high in (
        ("limit", DEFAULT_LIMIT, 1, MAX_LIMIT),
        ("offset", 0, 0, 10**9),
    ):
        raw = query.get(f"pagination.{name}") or query.get(f"pagination[{name}]")
        try:
            values[name] = default if raw is None else int(raw)
        except ValueError:
            values[name] = low - 1
        if not low <= values[name] <= high:
            return {f"pagination.{name}": [f"Must be a whole number from {low} to {high}."]}
    return rows[values["offset"] : values["offset"] + values["limit"]]


def _check_message(body: Any, store: ZaiaStore) -> Errors | Response:
    if not isinstance(body, dict):
        return {"body": ["Must be a JSON object."]}
    errors: Errors = {}
    for name in ("chatId", "senderId"):
        if not _is_uuid(body.get(name)):
            errors[name] = ["Required: a UUID v4 string."]
    thread = body.get("chatThreadId", "missing")
    if thread == "missing" or (thread is not None and not _is_uuid(thread)):
        errors["chatThreadId"] = ["Required: a UUID v4 string or null."]
    content = body.get("content")
    if not isinstance(content, str) or not content.strip() or len(content) > 4000:
        errors["content"] = ["Required: a non-empty string of at most 4000 characters."]
    external = body.get("externalId", "missing")
    if external == "missing" or (
        external is not None and (not isinstance(external, str) or not 3 <= len(external) <= 250)
    ):
        errors["externalId"] = ["Required: a string of 3 to 250 characters, or null."]
    if body.get("role") not in ROLES:
        errors["role"] = [f"Must be one of {', '.join(ROLES)}."]
    if errors:
        return errors
    if not any(c["id"] == body["chatId"] for c in store.chats):
        return problem(404, "Not Found", detail="No chat with this chatId.")
    if thread is not None and not any(
        t["id"] == thread and t["chatId"] == body["chatId"] for t in store.threads
    ):
        return problem(404, "Not Found", detail="No thread with this chatThreadId in the chat.")
    return {}


def _public_https(url: Any) -> bool:
    if not isinstance(url, str):
        return False
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme != "https" or not host or "." not in host:
        return False
    if host == "localhost" or host.endswith((".localhost", ".local", ".internal", ".lan")):
        return False
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return True
    return address.is_global


def _check_export(body: Any) -> Errors:
    if not isinstance(body, dict):
        return {"body": ["Must be a JSON object."]}
    errors: Errors = {}
    times: dict[str, dt.datetime] = {}
    for name, required in (("rangeStart", True), ("rangeEnd", False)):
        value = body.get(name)
        if value is None:
            if required:
                errors[name] = ["Required: an ISO-8601 date-time."]
            continue
        try:
            times[name] = parse_time(str(value))
        except ValueError:
            errors[name] = ["Must be an ISO-8601 date-time."]
    if len(times) == 2 and times["rangeEnd"] < times["rangeStart"]:
        errors["rangeEnd"] = ["Must not be before rangeStart."]
    if not _public_https(body.get("callbackUrl")):
        errors["callbackUrl"] = ["Required: an HTTPS URL of a public server."]
    if body.get("language", "enUs") not in LANGUAGES:
        errors["language"] = [f"Must be one of {', '.join(LANGUAGES)}."]
    return errors


Handler = Callable[[Request], Awaitable[Response]]


def _authorized(request: Request) -> bool:
    value = request.headers.get("authorization", "").strip()
    key = value[7:].strip() if value.lower().startswith("bearer ") else value
    return key == EMULATOR_KEYS["zaia"]


def routes(store: ZaiaStore) -> list[BaseRoute]:
    """The Zaia routes, sharing ``store``."""

    def guarded(handler: Handler) -> Handler:
        async def endpoint(request: Request) -> Response:
            if not _authorized(request):
                return problem(401, "Unauthorized", detail="A valid workspace API key is required.")
            return await handler(request)

        return endpoint

    def listed(request: Request, rows: list[dict[str, Any]]) -> Response:
        page = _page(request, rows)
        return _invalid(page, request) if isinstance(page, dict) else reply(request, page)

    async def chats(request: Request) -> Response:
        return listed(request, store.chats)

    async def threads(request: Request) -> Response:
        chat_id = request.query_params.get("chatId")
        if not _is_uuid(chat_id):
            return _invalid({"chatId": ["Required: a UUID v4 string."]}, request)
        return listed(request, [t for t in store.threads if t["chatId"] == chat_id])

    async def messages(request: Request) -> Response:
        if request.method == "POST":
            body, ok = read_json(await request.body())
            checked = _check_message(body, store) if ok else {"body": ["Not valid JSON."]}
            if isinstance(checked, Response):
                return checked
            if checked:
                return _invalid(checked, request)
            return reply(request, store.add_message(body))
        chat_id = request.query_params.get("chatId")
        thread_id = request.query_params.get("chatThreadId")
        if not _is_uuid(chat_id) or (thread_id is not None and not _is_uuid(thread_id)):
            return _invalid(
                {"chatId": ["Required: a UUID v4 string (chatThreadId too, if sent)."]}, request
            )
        if not any(c["id"] == chat_id for c in store.chats):
            return problem(404, "Not Found", detail="No chat with this chatId.")
        rows = [
            m
            for m in store.messages
            if m["chatId"] == chat_id and (thread_id is None or m["chatThreadId"] == thread_id)
        ]
        return listed(request, rows)

    async def export(request: Request) -> Response:
        body, ok = read_json(await request.body())
        errors = _check_export(body) if ok else {"body": ["Not valid JSON."]}
        if errors:
            return _invalid(errors, request)
        store.exports.append(
            {
                "id": stable_uuid("zaia-export", len(store.exports), body["callbackUrl"]),
                "rangeStart": body["rangeStart"],
                "rangeEnd": body.get("rangeEnd"),
                "callbackUrl": body["callbackUrl"],
                "language": body.get("language", "enUs"),
                "requestedAt": store.tick(),
            }
        )
        message = "Export started. A POST will be made to callbackUrl when ready."
        return reply(request, {"message": message})

    return [
        Route("/api/v1/chats", guarded(chats), methods=["GET"]),
        Route("/api/v1/chat-threads", guarded(threads), methods=["GET"]),
        Route("/api/v1/chat-messages", guarded(messages), methods=["GET", "POST"]),
        Route("/api/v1/chat-messages/export", guarded(export), methods=["POST"]),
    ]
