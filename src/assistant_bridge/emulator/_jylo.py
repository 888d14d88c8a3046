"""The emulated Jylo API (served under ``/jylo``): assistants, messages, documents.

What seed 003 documents is served in both dialects; the ``extended`` dialect adds what no
Jylo document names (*extended* below). Routes (Bearer JWT from ``/jylo/oauth/token``):

- ``GET|POST /projects/{p}/assistants`` (API notes; no fields documented): list or
  create assistants (each project starts with "Company knowledge"). An assistant is
  ``{objectIdentifier}``; *extended* adds ``name``, ``description``, ``dateAdded``.
- ``GET|POST /projects/{p}/assistants/{a}/messages``: list (``pageNumber`` from 1, an
  assumed base; ``pageSize``, default 20; both 1 to 2**31 - 1, no invented cap;
  ``searchText``; ``sorting``, integers only, 0 = date added, 1 = text, our guess at the
  undocumented enum, others refused; ``desc``, default true) or post a message (``text``
  may be null). Posting stores the user's message and the reply, and answers the reply.
  With ``stream: true`` the ``jylo-stream`` variant frames it: as ``Accept`` prefers
  (q-values honoured; SSE when it prefers none) among SSE, NDJSON and one JSON body, or
  always one of them. Streamed events are pieces ``{objectIdentifier, isAssistant,
  modelIdentifier, stream, text: <delta>, addingCitations: true}``; the ``jylo-end``
  variant ``message`` (the default) sends the whole stored message (with
  ``textWithCitations``, ``addingCitations: false``) last, ``none`` just ends.
- ``GET|PUT|DELETE /projects/{p}/assistants/{a}/messages/{id}``.
- ``POST /projects/{p}/assistants/{a}/messages/document``: multipart upload; ``file``
  is optional: without one the record says ``uploadSuccessful: false``, nothing stored.

Validation errors are ASP.NET problem bodies (``errors`` by field; ASP.NET's
``traceId`` is *extended*). Unknown models and documents not uploaded to the assistant
are refused (assumptions). Answers are extractive, from the attached documents, else the
assistant's documents and the corpus; documents with no text get an outline of them
(`_jylo_documents`), and no text and no documents a prompt to ask something.
``textWithCitations`` puts ``[n](cite:<id> "<title>")`` after each cited paragraph (the
syntax is ours: it is undocumented); the ``jylo-cite`` variant ``mixed`` alternates a
numbered ``[n]`` before a paragraph's last full stop with a ``<cite id="<id>">`` tag
around the next paragraph's words. Either way the markers removed give the ``text``. A
logical clock keeps replies byte-identical.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ._composer import Answer, compose, question_of
from ._corpus import load_corpus
from ._dialect import Wire
from ._http import (
    EventStream,
    dumps,
    negotiate,
    plan_of,
    problem,
    read_json,
    reply,
    sse,
    stable_uuid,
    wire_of,
)
from ._jylo_auth import MODEL_IDS, bearer_problem, models_endpoint, token_endpoint
from ._jylo_documents import Document, new_document, no_file_record, summarise
from ._multipart import parse_files
from ._unleash_wire import chunk_text

__all__ = ["JyloStore", "routes", "text_with_citations"]

_MEDIA = {"sse": "text/event-stream", "ndjson": "application/x-ndjson", "json": "application/json"}
"""What each ``jylo-stream`` framing is sent as; the first is what an open ``Accept`` gets."""
MAX_INT32 = 2**31 - 1
"""The largest ``pageNumber`` / ``pageSize`` (int32; seed 003 documents no maximum)."""
SORTING = {0: "dateAdded", 1: "text"}
"""The ``sorting`` values understood: a guess (seed 003 says "integer, enum", no values)."""
Errors = dict[str, list[str]]


@dataclass
class Assistant:
    """An assistant: its description, its conversation and its documents."""

    wire: dict[str, Any]
    messages: list[dict[str, Any]] = field(default_factory=list)
    documents: dict[str, Document] = field(default_factory=dict)

    def shown(self, wire: Wire) -> dict[str, Any]:
        """The assistant as answered: only its id, unless the dialect is extended."""
        return (
            dict(self.wire)
            if wire.extended
            else {"objectIdentifier": self.wire["objectIdentifier"]}
        )

    def document(self, identifier: str) -> Document | None:
        """A document by its object or upload identifier."""
        for doc in self.documents.values():
            if identifier in (
                doc.wire["objectIdentifier"],
                doc.wire["documentUploadObjectIdentifier"],
            ):
                return doc
        return None


class JyloStore:
    """Jylo state: assistants per project, and a logical clock for ``dateAdded``."""

    def __init__(self, token_lifetime: int = 3600) -> None:
        self.token_lifetime = token_lifetime
        self.projects: dict[str, dict[str, Assistant]] = {}
        self.clock = 0

    def reset(self) -> None:
        """Forget every project and restart the clock."""
        self.projects.clear()
        self.clock = 0

    def tick(self) -> str:
        """The next logical time (one second after the last)."""
        self.clock += 1
        when = load_corpus().now + dt.timedelta(seconds=self.clock)
        return when.isoformat().replace("+00:00", "Z")

    def project(self, project: str) -> dict[str, Assistant]:
        """The project's assistants (a new project gets the default assistant)."""
        if project not in self.projects:
            self.projects[project] = {}
            self.add_assistant(project, "Company knowledge", "Answers from company documents.")
        return self.projects[project]

    def add_assistant(self, project: str, name: str | None, description: str | None) -> Assistant:
        """Create an assistant in the project."""
        assistants = self.projects.setdefault(project, {})
        identifier = stable_uuid("jylo-assistant", project, len(assistants), name)
        wire = {
            "objectIdentifier": identifier,
            "name": name,
            "description": description,
            "dateAdded": self.tick(),
        }
        assistants[identifier] = Assistant(wire)
        return assistants[identifier]


def _validation(errors: Errors, request: Request) -> Response:
    trace = {"traceId": stable_uuid("trace", request.url.path, sorted(errors))}
    return problem(
        400,
        "One or more validation errors occurred.",
        errors=errors,
        instance=request.url.path,
        extra=trace if wire_of(request).extended else None,
    )


def _not_found(what: str) -> Response:
    return problem(404, "Not Found", detail=f"{what} was not found.")


def _is_uuid(value: Any) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return isinstance(value, str)


def _check_message(body: Any, assistant: Assistant) -> Errors:
    if not isinstance(body, dict):
        return {"$": ["The request body must be a JSON object."]}
    errors: Errors = {}
    if "text" not in body:
        errors["text"] = ["The text field is required."]
    elif body["text"] is not None and not isinstance(body["text"], str):
        errors["text"] = ["The text field must be a string or null."]
    model = body.get("modelIdentifier")
    if not _is_uuid(model):
        errors["modelIdentifier"] = ["The modelIdentifier field is required and must be a UUID."]
    elif model not in MODEL_IDS:
        errors["modelIdentifier"] = [f"Unknown model {model}; see GET /models."]
    docs = body.get("messageDocumentIdentifiers")
    if docs is not None:
        if not isinstance(docs, list) or not all(_is_uuid(d) for d in docs):
            errors["messageDocumentIdentifiers"] = ["Must be an array of UUIDs or null."]
        elif any(assistant.document(d) is None for d in docs):
            errors["messageDocumentIdentifiers"] = [
                "A document was not uploaded to this assistant."
            ]
    if body.get("stream") is not None and not isinstance(body.get("stream"), bool):
        errors["stream"] = ["The stream field must be true, false or null."]
    return errors


_WORDS = re.compile(r"(?P<lead>\s*(?:[-*]\s+)?)(?P<words>.*?)(?P<stop>[.!?]?)", re.DOTALL)


def _mixed(text: str, cites: tuple[str, ...], numbers: dict[str, int], tag: bool) -> str:
    """A paragraph's words in a ``<cite>`` tag, or ``[n]`` markers before its full stop."""
    parts = _WORDS.fullmatch(text)
    if parts is None or not parts["words"].strip():
        return text
    lead, words, stop = parts["lead"], parts["words"], parts["stop"]
    if tag:
        return f'{lead}<cite id="{" ".join(cites)}">{words}</cite>{stop}'
    marks = "".join(f"[{numbers.setdefault(c, len(numbers) + 1)}]" for c in cites)
    return f"{lead}{words} {marks}{stop}"


def text_with_citations(answer: Answer, titles: dict[str, str], style: str = "link") -> str:
    """The answer text with its citation markers (``style``: the ``jylo-cite`` variant)."""
    numbers: dict[str, int] = {}
    out: list[str] = []
    for segment in answer.segments:
        if style == "mixed" and segment.cites:
            out.append(_mixed(segment.text, segment.cites, numbers, tag=len(out) % 2 == 1))
            continue
        out.append(segment.text)
        for cited in segment.cites:
            number = numbers.setdefault(cited, len(numbers) + 1)
            title = titles.get(cited, cited).replace('"', "'")
            out.append(f'[{number}](cite:{cited} "{title}")')
    return "".join(out)


def _answer(assistant: Assistant, body: dict[str, Any]) -> tuple[Answer, dict[str, str]]:
    corpus = load_corpus()
    attached = [assistant.document(d) for d in body.get("messageDocumentIdentifiers") or []]
    docs = [d.item() for d in attached if d is not None]
    history = [m["text"] or "" for m in assistant.messages if not m["isAssistant"]]
    question = (body.get("text") or "").strip()
    if not question:  # text may be null: outline the documents, else ask for a question
        found = summarise(docs) if docs else compose("", [], company=corpus.company)
        return found, {d.id: d.title for d in docs}
    query = question_of([*history, question], docs or list(corpus.items))
    answer = compose(query, docs, company=corpus.company) if docs else None
    if answer is None or not answer.cited:
        everything = [d.item() for d in assistant.documents.values()] + list(corpus.items)
        answer = compose(query, everything, company=corpus.company, cite_web=False)
    titles = {i.id: i.title for i in corpus.items}
    titles.update(
        {d.wire["objectIdentifier"]: d.wire["name"] for d in assistant.documents.values()}
    )
    return answer, titles


def _message(
    store: JyloStore, key: tuple[str, str], body: dict[str, Any], **extra: Any
) -> dict[str, Any]:
    project, assistant_id = key
    wire = {
        "text": body.get("text"),
        "messageDocumentIdentifiers": body.get("messageDocumentIdentifiers"),
        "modelIdentifier": body["modelIdentifier"],
        "stream": body.get("stream"),
        "objectIdentifier": "",
        "textWithCitations": None,
        "dateAdded": store.tick(),
        "messageResponseTypeId": None,
        "addingCitations": None,
        "isAssistant": False,
    }
    wire.update(extra)
    wire["objectIdentifier"] = stable_uuid("jylo-message", project, assistant_id, wire["dateAdded"])
    return wire


def _stream(request: Request, reply_wire: dict[str, Any]) -> Response:
    """The reply to a ``stream: true`` post, framed as the ``jylo-stream`` variant says."""
    wire = wire_of(request)
    framing = wire.variant("jylo-stream")
    media = _MEDIA.get(framing) or negotiate(request.headers.get("accept"), list(_MEDIA.values()))
    if media == _MEDIA["json"]:
        return reply(request, reply_wire)  # one body: the stored message
    partial = {
        k: reply_wire[k] for k in ("objectIdentifier", "isAssistant", "modelIdentifier", "stream")
    }
    pieces = chunk_text(reply_wire["text"] or "")
    objects = [{**partial, "text": p, "addingCitations": True} for p in pieces]
    if wire.variant("jylo-end") == "message":
        objects.append(reply_wire)
    plan = plan_of(request)
    if media == _MEDIA["ndjson"]:
        return EventStream([dumps(o) + b"\n" for o in objects], media_type=media, plan=plan)
    return EventStream([sse(o) for o in objects], media_type=media, plan=plan)


def _integer(raw: str | None) -> int | None:
    """A query value as ASP.NET reads an integer (digits, an optional sign), else None."""
    text = (raw or "").strip()
    return int(text) if re.fullmatch(r"[+-]?[0-9]+", text) else None


def _int_param(raw: str | None, default: int, name: str, errors: Errors) -> int:
    """A query integer from 1 to int32's maximum; missing or empty is the default."""
    if raw is None or not raw.strip():
        return default
    value = _integer(raw)
    if value is None or not 1 <= value <= MAX_INT32:
        errors[name] = [f"The value '{raw}' is not valid for {name} (1 to {MAX_INT32})."]
    return value or default


def _page(request: Request, messages: list[dict[str, Any]]) -> list[dict[str, Any]] | Errors:
    query = request.query_params
    errors: Errors = {}
    number = _int_param(query.get("pageNumber"), 1, "pageNumber", errors)
    size = _int_param(query.get("pageSize"), 20, "pageSize", errors)
    sorting = (query.get("sorting") or "").strip()
    value = _integer(sorting) if sorting else 0  # missing or empty: date added
    key = SORTING.get(value) if value is not None else None
    if key is None:  # a name such as "dateAdded" too: the documented type is an integer
        known = ", ".join(f"{k} ({v})" for k, v in SORTING.items())
        errors["sorting"] = [f"The value '{sorting}' is not valid for sorting: {known}."]
    desc_raw = (query.get("desc") or "true").lower()
    if desc_raw not in ("true", "false"):
        errors["desc"] = [f"The value '{desc_raw}' is not valid for desc."]
    if errors or key is None:
        return errors
    search = (query.get("searchText") or "").lower()
    found = [m for m in messages if search in (m["text"] or "").lower()]
    found.sort(key=lambda m: (str(m[key] or ""), m["dateAdded"]), reverse=desc_raw == "true")
    start = (number - 1) * size
    return found[start : start + size]


Endpoint = Callable[[Request], Awaitable[Response]]


def routes(store: JyloStore) -> list[BaseRoute]:
    """The Jylo routes, sharing ``store``."""

    def guarded(
        handler: Callable[[Request, Assistant | None], Awaitable[Response]],
        *,
        needs_assistant: bool = True,
    ) -> Endpoint:
        async def endpoint(request: Request) -> Response:
            denied = bearer_problem(request)
            if denied is not None:
                return denied
            assistants = store.project(request.path_params["project"])
            assistant = None
            if needs_assistant:
                assistant = assistants.get(request.path_params["assistant"])
                if assistant is None:
                    return _not_found("The assistant")
            return await handler(request, assistant)

        return endpoint

    async def assistants(request: Request, _: Assistant | None) -> Response:
        project, wire = request.path_params["project"], wire_of(request)
        if request.method == "GET":
            return reply(request, [a.shown(wire) for a in store.project(project).values()])
        body, ok = read_json(await request.body())
        if not ok or not isinstance(body, dict):
            return _validation({"$": ["The body must be a JSON object."]}, request)
        name, description = body.get("name"), body.get("description")
        created = store.add_assistant(
            project,
            name.strip() if isinstance(name, str) and name.strip() else None,
            description if isinstance(description, str) else None,
        )
        return reply(request, created.shown(wire))

    async def messages(request: Request, assistant: Assistant | None) -> Response:
        assert assistant is not None
        if request.method == "GET":
            page = _page(request, assistant.messages)
            return _validation(page, request) if isinstance(page, dict) else reply(request, page)
        body, ok = read_json(await request.body())
        errors = _check_message(body, assistant) if ok else {"$": ["The body is not valid JSON."]}
        if errors:
            return _validation(errors, request)
        key = (request.path_params["project"], request.path_params["assistant"])
        assistant.messages.append(_message(store, key, body))
        answer, titles = _answer(assistant, body)
        reply_wire = _message(
            store,
            key,
            {**body, "text": answer.text, "messageDocumentIdentifiers": None},
            textWithCitations=text_with_citations(
                answer, titles, wire_of(request).variant("jylo-cite")
            ),
            messageResponseTypeId=1,
            addingCitations=False,
            isAssistant=True,
        )
        assistant.messages.append(reply_wire)
        if body.get("stream") is True:
            return _stream(request, reply_wire)
        return reply(request, reply_wire)

    async def message(request: Request, assistant: Assistant | None) -> Response:
        assert assistant is not None
        wanted = request.path_params["message"]
        index = next(
            (i for i, m in enumerate(assistant.messages) if m["objectIdentifier"] == wanted), None
        )
        if index is None:
            return _not_found("The message")
        if request.method == "GET":
            return reply(request, assistant.messages[index])
        if request.method == "DELETE":
            del assistant.messages[index]
            return Response(status_code=204)
        body, ok = read_json(await request.body())
        errors = _check_message(body, assistant) if ok else {"$": ["The body is not valid JSON."]}
        if errors:
            return _validation(errors, request)
        updated = {**assistant.messages[index]}
        for name in ("text", "messageDocumentIdentifiers", "modelIdentifier", "stream"):
            updated[name] = body.get(name)
        assistant.messages[index] = updated
        return reply(request, updated)

    async def upload(request: Request, assistant: Assistant | None) -> Response:
        assert assistant is not None
        files = parse_files(request.headers.get("content-type", ""), await request.body())
        chosen = next((f for f in files or [] if f.field.lower() == "file"), None)
        if chosen is None:  # `file` is optional: nothing is stored, and the record says so
            return reply(request, no_file_record(store.tick()))
        doc = new_document(store.tick(), chosen.filename, chosen.content_type, chosen.data)
        assistant.documents[doc.wire["objectIdentifier"]] = doc
        return reply(request, doc.wire)

    base = "/projects/{project}/assistants"
    return [
        Route("/oauth/token", token_endpoint(lambda: store.token_lifetime), methods=["POST"]),
        Route("/settings/models", models_endpoint, methods=["GET"]),
        Route(base, guarded(assistants, needs_assistant=False), methods=["GET", "POST"]),
        Route(f"{base}/{{assistant}}/messages", guarded(messages), methods=["GET", "POST"]),
        Route(f"{base}/{{assistant}}/messages/document", guarded(upload), methods=["POST"]),
        Route(
            f"{base}/{{assistant}}/messages/{{message}}",
            guarded(message),
            methods=["GET", "PUT", "DELETE"],
        ),
    ]
