"""The emulated Jylo API (served under ``/jylo``): assistants, messages, documents.

Routes (Bearer JWT from ``/jylo/oauth/token`` required; see `_jylo_auth`):

- ``GET|POST /projects/{p}/assistants``: list or create assistants (each project starts
  with one, "Company knowledge").
- ``GET|POST /projects/{p}/assistants/{a}/messages``: list (``pageNumber`` from 1,
  ``pageSize`` up to 100, ``searchText``, ``sorting`` 0 = date added / 1 = text,
  ``desc`` default true) or post a message. Posting stores the user's message and the
  assistant's reply, and answers the reply. With ``stream: true`` the reply streams as
  server-sent events, or as newline-delimited JSON when ``Accept`` asks for
  ``application/x-ndjson``: each event but the last is ``{objectIdentifier, text: <delta>,
  isAssistant, modelIdentifier, stream, addingCitations: true}``, and the last is the whole
  message (full ``text``, so a reader that treats a text starting with what it already
  has as cumulative gets it right).
- ``GET|PUT|DELETE /projects/{p}/assistants/{a}/messages/{id}``.
- ``POST /projects/{p}/assistants/{a}/messages/document``: multipart upload (``file``).

Answers are extractive: from the documents the message attaches, else from every
document uploaded to the assistant and the company corpus. ``textWithCitations`` is the
text with a marker after each cited paragraph: ``[n](cite:<id> "<title>")``, where ``id``
is an uploaded document's ``objectIdentifier`` or a corpus resource id. Times come from a
logical clock, so the same calls from a reset give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ._answer import Answer, compose, question_of
from ._corpus import Item, load_corpus
from ._http import EventStream, dumps, plan_of, problem, read_json, reply, sse, stable_uuid
from ._jylo_auth import MODEL_IDS, bearer_problem, models_endpoint, token_endpoint
from ._multipart import parse_files
from ._unleash_wire import chunk_text

__all__ = ["JyloStore", "routes"]

_TEXT_TYPES = ("text/", "application/json", "application/xml", "application/csv")
_TEXT_EXTENSIONS = (".txt", ".md", ".csv", ".json", ".html", ".xml")
Errors = dict[str, list[str]]


@dataclass
class Document:
    """An uploaded document and its extracted text."""

    wire: dict[str, Any]
    text: str

    def item(self) -> Item:
        """The document as a corpus item, so answers can cite it."""
        when = self.wire["dateAdded"]
        return Item(
            id=self.wire["objectIdentifier"],
            app_id="jylo",
            type="document",
            class_="document",
            external_id=self.wire["documentUploadObjectIdentifier"],
            title=self.wire["name"],
            url="",
            path=f"/{self.wire['name']}",
            created_by="",
            modified_by="",
            created_at=when,
            modified_at=when,
            content=self.text,
        )


@dataclass
class Assistant:
    """An assistant: its description, its conversation and its documents."""

    wire: dict[str, Any]
    messages: list[dict[str, Any]] = field(default_factory=list)
    documents: dict[str, Document] = field(default_factory=dict)

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

    def add_assistant(self, project: str, name: str, description: str | None) -> Assistant:
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
    return problem(
        400,
        "One or more validation errors occurred.",
        errors=errors,
        instance=request.url.path,
        extra={"traceId": stable_uuid("trace", request.url.path, sorted(errors))},
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
    if not errors and not (body.get("text") or "").strip() and not docs:
        errors["text"] = ["A message needs text or attached documents."]
    return errors


def text_with_citations(answer: Answer, titles: dict[str, str]) -> str:
    """The answer text with a ``[n](cite:<id> "<title>")`` marker after each cited paragraph."""
    numbers: dict[str, int] = {}
    out: list[str] = []
    for segment in answer.segments:
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
    question = (body.get("text") or "").strip() or "Summarise the attached documents."
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
    pieces = chunk_text(reply_wire["text"] or "")
    partial = {
        k: reply_wire[k] for k in ("objectIdentifier", "isAssistant", "modelIdentifier", "stream")
    }
    objects = [{**partial, "text": p, "addingCitations": True} for p in pieces] + [reply_wire]
    accept = request.headers.get("accept", "").lower()
    plan = plan_of(request)
    if "ndjson" in accept or "jsonl" in accept:
        lines = [dumps(o) + b"\n" for o in objects]
        return EventStream(lines, media_type="application/x-ndjson", plan=plan)
    return EventStream([sse(o) for o in objects], media_type="text/event-stream", plan=plan)


def _page(request: Request, messages: list[dict[str, Any]]) -> list[dict[str, Any]] | Errors:
    query = request.query_params
    errors: Errors = {}
    numbers: dict[str, int] = {}
    for name, default, low, high in (
        ("pageNumber", 1, 1, 10**6),
        ("pageSize", 20, 1, 100),
        ("sorting", 0, 0, 1),
    ):
        raw = query.get(name)
        try:
            numbers[name] = default if raw is None else int(raw)
        except ValueError:
            numbers[name] = low - 1
        if not low <= numbers[name] <= high:
            errors[name] = [f"The value '{raw}' is not valid for {name} ({low} to {high})."]
    desc_raw = (query.get("desc") or "true").lower()
    if desc_raw not in ("true", "false"):
        errors["desc"] = [f"The value '{desc_raw}' is not valid for desc."]
    if errors:
        return errors
    search = (query.get("searchText") or "").lower()
    found = [m for m in messages if search in (m["text"] or "").lower()]
    key = "dateAdded" if numbers["sorting"] == 0 else "text"
    found.sort(key=lambda m: (str(m[key] or ""), m["dateAdded"]), reverse=desc_raw == "true")
    start = (numbers["pageNumber"] - 1) * numbers["pageSize"]
    return found[start : start + numbers["pageSize"]]


def _document(store: JyloStore, filename: str, content_type: str, data: bytes) -> Document:
    name = filename.rsplit("/", 1)[-1] or "upload"
    supported = content_type.startswith(_TEXT_TYPES) or name.lower().endswith(_TEXT_EXTENSIONS)
    text = data.decode("utf-8", "replace") if supported else ""
    when = store.tick()
    object_id = stable_uuid("jylo-document", name, len(data), when)
    wire = {
        "name": name,
        "parentObjectIdentifier": None,
        "isDirectory": False,
        "documentUploadObjectIdentifier": stable_uuid("jylo-upload", object_id),
        "contentType": content_type,
        "size": len(data),
        "objectIdentifier": object_id,
        "dateAdded": when,
        "uploadSuccessful": True,
        "tokenCount": (len(text) + 3) // 4,
        "metadataTokenCount": 12,
        "unsupportedFileType": not supported,
        "unPackingComplete": supported,
        "unPackingFailed": not supported,
        "uploadInProgress": False,
        "url": None,
        "hasChildren": False,
    }
    return Document(wire, text)


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
        project = request.path_params["project"]
        if request.method == "GET":
            return reply(request, [a.wire for a in store.project(project).values()])
        body, ok = read_json(await request.body())
        name = body.get("name") if ok and isinstance(body, dict) else None
        if not isinstance(name, str) or not name.strip():
            return _validation({"name": ["The name field is required."]}, request)
        description = body.get("description")
        created = store.add_assistant(
            project, name.strip(), description if isinstance(description, str) else None
        )
        return reply(request, created.wire)

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
            textWithCitations=text_with_citations(answer, titles),
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
        chosen = next((f for f in files or [] if f.field == "file"), None)
        if chosen is None:
            return _validation(
                {"file": ["Send the file as multipart/form-data field 'file'."]}, request
            )
        doc = _document(store, chosen.filename, chosen.content_type, chosen.data)
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


__all__ += ["text_with_citations"]
