"""The emulated Zaia API (served under ``/zaia``): chats, threads and their messages.

Routes (``authorization: <workspace key>``, with or without ``Bearer ``). What seed 004
documents is served in both dialects; *extended* marks what the ``extended`` dialect
adds (see `_dialect`), which the clients must work without:

- ``GET /api/v1/chat-messages?chatId=`` (seed 004): a chat's messages, oldest first, as a
  JSON array of objects with exactly the seed's fields. ``chatThreadId`` keeps one
  thread's; ``ticketIds`` (UUIDs) keeps the messages about those tickets; ``joins``
  (names) is checked and accepted. A list parameter may repeat its key (``joins=a&joins=b``,
  what the clients send), use ``joins[]=`` or ``joins[0]=``, or separate values with
  commas. A malformed value is a 400 naming the parameter. Extended: ``joins`` must be
  one of `JOINS` and attaches the joined objects (``chat``, ``chatThread``) to each message.
- ``POST /api/v1/chat-messages`` (seed 004): append a message. Checked as the seed says
  (``content`` a string of at most 4000 characters, possibly empty; ``externalId`` 3 to 250
  characters or null; ``role`` a non-empty string, since its enum values are not public).
  Extended: ``role`` must be one of `ROLES`. Zaia stores conversations; it does not answer.
- ``POST /api/v1/chat-messages/export`` (seed 004): ``rangeStart`` must be present (a
  date-time or null), ``rangeEnd`` is optional, ``callbackUrl`` must be an HTTPS URL of a
  public host, ``language`` a non-empty string. Extended: ``language`` must be one of
  `LANGUAGES` and ``rangeEnd`` not before ``rangeStart``. The export is recorded (listed at
  ``GET /_emulator/zaia/exports``) and answered ``{message}``; nothing is ever called.
- ``GET /api/v1/chats``, ``GET /api/v1/chat-threads?chatId=`` (API-NOTES names them, no
  fields): objects with only ``id``. Extended: chats add ``name, createdAt, updatedAt``;
  threads add ``chatId, name, ticketId, createdAt, updatedAt`` (``ticketId`` is how a
  caller learns a ticket id here; how the real service tells it is not documented).

Lists are paged with ``pagination.limit`` (1 to 1000, default 250; ``pagination[limit]``
is read too). ``pagination.offset`` is not in the documents: the documented dialect
ignores it (a second page is the first again); extended honours it. Inside the emulator
each thread is about one ticket and its messages carry that ticket; messages outside a
thread are about none. Ids are UUID v4; times come from a logical clock, so the same
calls from a reset give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ._corpus import load_corpus, parse_time
from ._data import EMULATOR_KEYS
from ._dialect import Wire
from ._http import problem, read_json, reply, stable_uuid, wire_of

__all__ = ["JOINS", "LANGUAGES", "ROLES", "ZaiaStore", "routes"]

ROLES = ("user", "assistant", "system")
"""The role values the extended dialect accepts (inferred: the enum is not public)."""
LANGUAGES = ("enUs", "ptBr", "esEs")
"""Export languages the extended dialect accepts (only ``enUs``, the default, is public)."""
JOINS = ("chat", "chatThread")
"""Join names the extended dialect knows (inferred: the enum values are not published)."""
DEFAULT_LIMIT, MAX_LIMIT = 250, 1000
Errors = dict[str, list[str]]

_UUID = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_.-]*")
Seed = list[tuple[str, list[tuple[str, list[tuple[str, str, str]]]]]]
_U, _A = "user", "assistant"
_SEED: Seed = [
    (
        "Brightwater website assistant",
        [
            (
                "Invoice shows the wrong VAT number",
                [
                    (
                        _U,
                        "Customer",
                        "Our May invoice shows last year's VAT number. Can you fix it?",
                    ),
                    (
                        _A,
                        "Assistant",
                        "I have asked Billing to reissue the May invoice with your current VAT "
                        "number; you will get it by email within two working days.",
                    ),
                    (_U, "Customer", "Thanks, please send it to finance@customer.example too."),
                ],
            ),
            (
                "How do I export a dashboard?",
                [
                    (_U, "Customer", "How do I export a dashboard to PDF?"),
                    (
                        _A,
                        "Assistant",
                        "Open the dashboard, choose Share, then Export as PDF. Exports include "
                        "every visible chart.",
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
                        _U,
                        "Jonas Berg",
                        "Does the 250 EUR hotel cap apply to Zurich trips booked in February?",
                    ),
                    (
                        _A,
                        "People helpdesk",
                        "No: trips booked before 1 March keep the old 180 EUR cap. From 1 March, "
                        "Zurich is capped at 250 EUR per night.",
                    ),
                ],
            ),
        ],
    ),
]


class ZaiaStore:
    """Zaia state: chats, threads (each about one ticket), messages, exports, a clock."""

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
                        "ticketId": stable_uuid("zaia-ticket", thread_id),
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

    def chat(self, chat_id: Any) -> dict[str, Any] | None:
        """The chat with this id, if there is one."""
        return next((c for c in self.chats if c["id"] == chat_id), None)

    def thread(self, thread_id: Any) -> dict[str, Any] | None:
        """The thread with this id, if there is one."""
        return next((t for t in self.threads if t["id"] == thread_id), None)

    def ticket_of(self, message: dict[str, Any]) -> str | None:
        """The ticket a message is about: its thread's, or none outside a thread."""
        thread = self.thread(message["chatThreadId"])
        return None if thread is None else str(thread["ticketId"])


def _is_uuid(value: Any) -> bool:
    return isinstance(value, str) and _UUID.fullmatch(value) is not None


def _view(row: dict[str, Any], wire: Wire) -> dict[str, Any]:
    """A chat or thread as the dialect shows it: only ``id`` when documented."""
    return dict(row) if wire.extended else {"id": row["id"]}


def _invalid(errors: Errors, request: Request) -> Response:
    return problem(
        400,
        "Validation failed",
        errors=errors,
        instance=request.url.path,
        detail="; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()),
    )


def _number(request: Request, name: str, default: int, low: int, high: int) -> int | Errors:
    query = request.query_params
    raw = query.get(f"pagination.{name}") or query.get(f"pagination[{name}]")
    try:
        value = default if raw is None else int(raw)
    except ValueError:
        value = low - 1
    if not low <= value <= high:
        return {f"pagination.{name}": [f"Must be a whole number from {low} to {high}."]}
    return value


def _page(request: Request, rows: list[dict[str, Any]]) -> list[dict[str, Any]] | Errors:
    """One page: ``pagination.limit`` always, ``pagination.offset`` only when extended."""
    limit = _number(request, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
    if isinstance(limit, dict):
        return limit
    offset = _number(request, "offset", 0, 0, 10**9) if wire_of(request).extended else 0
    if isinstance(offset, dict):
        return offset
    return rows[offset : offset + limit]


def _many(request: Request, name: str) -> list[str]:
    """Every value of a list parameter: ``name=a&name=b``, ``name[]=``, ``name[0]=``, ``a,b``."""
    indexed = re.compile(rf"{re.escape(name)}\[\d*\]")
    values: list[str] = []
    for key, value in request.query_params.multi_items():
        if key == name or indexed.fullmatch(key):
            values.extend(part.strip() for part in value.split(","))
    return values


def _list_filters(request: Request, wire: Wire) -> tuple[list[str], set[str]] | Errors:
    """The checked ``joins`` and ``ticketIds`` of a message listing."""
    errors: Errors = {}
    joins = _many(request, "joins")
    bad = next((j for j in joins if not _NAME.fullmatch(j)), None)
    if bad is not None:
        errors["joins"] = [f"Each value must be a join name (letters first), got {bad!r}."]
    elif wire.extended and any(j not in JOINS for j in joins):
        unknown = next(j for j in joins if j not in JOINS)
        errors["joins"] = [f"Must be one of {', '.join(JOINS)}, got {unknown!r}."]
    tickets = _many(request, "ticketIds")
    bad = next((t for t in tickets if not _is_uuid(t)), None)
    if bad is not None:
        errors["ticketIds"] = [f"Each value must be a UUID, got {bad!r}."]
    if errors:
        return errors
    return list(dict.fromkeys(joins)), {t.lower() for t in tickets}


def _check_message(body: Any, store: ZaiaStore, wire: Wire) -> Errors | Response:
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
    if not isinstance(content, str) or len(content) > 4000:
        errors["content"] = ["Required: a string of at most 4000 characters."]
    external = body.get("externalId", "missing")
    if external == "missing" or (
        external is not None and (not isinstance(external, str) or not 3 <= len(external) <= 250)
    ):
        errors["externalId"] = ["Required: a string of 3 to 250 characters, or null."]
    role = body.get("role")
    if not isinstance(role, str) or not role:
        errors["role"] = ["Required: the role's name."]
    elif wire.extended and role not in ROLES:
        errors["role"] = [f"Must be one of {', '.join(ROLES)}."]
    if errors:
        return errors
    if store.chat(body["chatId"]) is None:
        return problem(404, "Not Found", detail="No chat with this chatId.")
    found = store.thread(thread) if thread is not None else None
    if thread is not None and (found is None or found["chatId"] != body["chatId"]):
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


def _check_export(body: Any, wire: Wire) -> Errors:
    if not isinstance(body, dict):
        return {"body": ["Must be a JSON object."]}
    errors: Errors = {}
    times: dict[str, dt.datetime] = {}
    for name, required in (("rangeStart", True), ("rangeEnd", False)):
        if name not in body:
            if required:
                errors[name] = ["Required: an ISO-8601 date-time, or null."]
            continue
        value = body[name]
        if value is None:
            continue
        try:
            times[name] = parse_time(value if isinstance(value, str) else "?")
        except ValueError:
            errors[name] = ["Must be an ISO-8601 date-time, or null."]
    if wire.extended and len(times) == 2 and times["rangeEnd"] < times["rangeStart"]:
        errors["rangeEnd"] = ["Must not be before rangeStart."]
    if not _public_https(body.get("callbackUrl")):
        errors["callbackUrl"] = ["Required: an HTTPS URL of a public server."]
    language = body.get("language", "enUs")
    if not isinstance(language, str) or not language:
        errors["language"] = ["Must be a language name such as enUs."]
    elif wire.extended and language not in LANGUAGES:
        errors["language"] = [f"Must be one of {', '.join(LANGUAGES)}."]
    return errors


Handler = Callable[[Request], Awaitable[Response]]


def _authorized(request: Request) -> bool:
    value = request.headers.get("authorization", "").strip()
    key = value[7:].strip() if value.lower().startswith("bearer ") else value
    return key == EMULATOR_KEYS["zaia"]


def _joined(store: ZaiaStore, message: dict[str, Any], joins: list[str]) -> dict[str, Any]:
    """The message with the joined objects attached (extended dialect only)."""
    found = {
        "chat": store.chat(message["chatId"]),
        "chatThread": store.thread(message["chatThreadId"]),
    }
    out = dict(message)
    for name in joins:
        if name in found:
            row = found[name]
            out[name] = dict(row) if row is not None else None
    return out


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
        if isinstance(page, dict):
            return _invalid(page, request)
        wrapper = wire_of(request).variant("zaia-list")  # the seed does not show the shape
        return reply(request, page if wrapper == "array" else {wrapper: page})

    async def chats(request: Request) -> Response:
        wire = wire_of(request)
        return listed(request, [_view(c, wire) for c in store.chats])

    async def threads(request: Request) -> Response:
        chat_id = request.query_params.get("chatId")
        if not _is_uuid(chat_id):
            return _invalid({"chatId": ["Required: a UUID v4 string."]}, request)
        wire = wire_of(request)
        return listed(request, [_view(t, wire) for t in store.threads if t["chatId"] == chat_id])

    async def create(request: Request) -> Response:
        body, ok = read_json(await request.body())
        checked = _check_message(body, store, wire_of(request)) if ok else {"body": ["Not JSON."]}
        if isinstance(checked, Response):
            return checked
        if checked:
            return _invalid(checked, request)
        return reply(request, store.add_message(body))

    async def messages(request: Request) -> Response:
        if request.method == "POST":
            return await create(request)
        query, wire = request.query_params, wire_of(request)
        chat_id, thread_id = query.get("chatId"), query.get("chatThreadId")
        errors: Errors = {}
        if not _is_uuid(chat_id):
            errors["chatId"] = ["Required: a UUID v4 string."]
        if thread_id is not None and not _is_uuid(thread_id):
            errors["chatThreadId"] = ["Must be a UUID v4 string."]
        filters = _list_filters(request, wire)
        if errors or isinstance(filters, dict):
            return _invalid({**errors, **(filters if isinstance(filters, dict) else {})}, request)
        if store.chat(chat_id) is None:
            return problem(404, "Not Found", detail="No chat with this chatId.")
        joins, tickets = filters
        rows = [
            m
            for m in store.messages
            if m["chatId"] == chat_id
            and (thread_id is None or m["chatThreadId"] == thread_id)
            and (not tickets or store.ticket_of(m) in tickets)
        ]
        if wire.extended and joins:
            rows = [_joined(store, m, joins) for m in rows]
        return listed(request, rows)

    async def export(request: Request) -> Response:
        body, ok = read_json(await request.body())
        errors = _check_export(body, wire_of(request)) if ok else {"body": ["Not valid JSON."]}
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
