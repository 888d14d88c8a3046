"""Every emulator response has the vendors' published shapes.

Unleash v1 responses are validated against the vendor's OpenAPI document
(tests/data/unleash-openapi-v1.json, OpenAPI 3.0: ``nullable`` is turned into a JSON
Schema type union). The generated document omits what the vendor's own JS SDK reads, so
a small, explicit overlay adds exactly that: the ``Text``/``InlineReference`` fields of a
message part (``format``, ``text``, ``indices``; the document's ``IChatMessagePart`` only
has ``type``) and a ``Progress`` event's ``code``. The SDK also reads a ``Message``
event's ``role``/``parts`` at the top level: the emulator sends them there only in the
``v1-message=top`` variant, checked with that one more overlay. Everything else stays as
strict as the document (``additionalProperties: false``). Chat v2, Jylo and Zaia have no
published schema: their bodies are checked against the fields of seeds 001/002, 003 and
004; in the ``extended`` dialect, against those plus the extras it may add.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from jsonschema import Draft202012Validator

from assistant_bridge.emulator import EMULATOR_KEYS, EmulatorURL, run_emulator

OPENAPI = json.loads((Path(__file__).parents[1] / "data" / "unleash-openapi-v1.json").read_text())
AUTH = {"authorization": f"Bearer {EMULATOR_KEYS['unleash']}"}
QUESTIONS = [
    "What is our travel policy?",
    "Who owns the billing service?",
    "Summarise the Q3 plan",
    "zzz",
]
OVERLAY: dict[str, dict[str, Any]] = {
    "IChatMessagePart": {
        "format": {"type": "string"},
        "text": {"type": "string"},
        "indices": {"type": "array", "items": {"type": "integer", "minimum": 0}},
    },
    "ChatCompletionResponse": {"code": {"enum": ["web_search", "file_search", "web_search_retry"]}},
}
SDK_MESSAGE_OVERLAY: dict[str, dict[str, Any]] = {
    "ChatCompletionResponse": {
        "role": {"$ref": "#/components/schemas/MessageRole"},
        "parts": {"type": "array", "items": {"$ref": "#/components/schemas/IChatMessagePart"}},
    },
}


def _json_schema(node: Any) -> Any:
    """OpenAPI 3.0 schema objects -> JSON Schema (``nullable`` becomes a type union)."""
    if isinstance(node, list):
        return [_json_schema(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: _json_schema(v) for k, v in node.items() if k != "nullable"}
    if node.get("nullable") and "type" in out:
        out["type"] = [out["type"], "null"]
    return out


def _validator(
    name: str, *, overlay: bool = True, sdk_message: bool = False
) -> Draft202012Validator:
    schemas = copy.deepcopy(OPENAPI["components"]["schemas"])
    overlays = ([OVERLAY] if overlay else []) + ([SDK_MESSAGE_OVERLAY] if sdk_message else [])
    for extra in overlays:
        for schema_name, properties in extra.items():
            schemas[schema_name]["properties"].update(properties)
    root = {
        "$ref": f"#/components/schemas/{name}",
        "components": {"schemas": _json_schema(schemas)},
    }
    return Draft202012Validator(root)


def _valid(name: str, body: Any, *, sdk_message: bool = False) -> None:
    validator = _validator(name, sdk_message=sdk_message)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(body)]
    assert not errors, errors


@pytest.fixture(scope="module")
def base_url() -> Iterator[EmulatorURL]:
    with run_emulator(dialect="documented") as url:  # the documented contract, whatever the default
        yield url


def post(base_url: str, path: str, body: Any, **headers: str) -> httpx.Response:
    response = httpx.post(f"{base_url}{path}", json=body, headers={**AUTH, **headers})
    return response


def test_the_overlay_is_needed_and_nothing_more_is_added() -> None:
    part = {"type": "Text", "format": "markdown", "text": "hi"}
    assert list(_validator("IChatMessagePart", overlay=False).iter_errors(part))
    assert not list(_validator("IChatMessagePart").iter_errors(part))
    assert list(_validator("ChatCompletionResponse").iter_errors({"type": "Message", "extra": 1}))
    top = {"type": "Message", "role": "Assistant", "parts": [part]}
    assert list(_validator("ChatCompletionResponse").iter_errors(top))
    assert not list(_validator("ChatCompletionResponse", sdk_message=True).iter_errors(top))


@pytest.mark.parametrize("question", QUESTIONS)
def test_chat_json_and_every_stream_event_match_the_openapi(base_url: str, question: str) -> None:
    messages = [{"role": "User", "text": question}]
    _valid("ChatCompletionResponse", post(base_url, "/chats", {"messages": messages}).json())
    stream = post(base_url, "/chats", {"messages": messages, "stream": True})
    events = [json.loads(b.removeprefix("data: ")) for b in stream.text.split("\n\n") if b]
    assert len(events) > 4
    for event in events:
        _valid("ChatCompletionResponse", event)


@pytest.mark.parametrize(
    "variants", ["v1-message=top", "v1-text=snapshot, v1-case=lower, v1-end=none"]
)
def test_v1_variants_match_the_openapi_or_the_sdk(base_url: str, variants: str) -> None:
    messages = [{"role": "User", "text": QUESTIONS[0]}]
    stream = post(
        base_url,
        "/chats",
        {"messages": messages, "stream": True},
        **{"x-emulator-variant": variants},
    )
    events = [json.loads(b.removeprefix("data: ")) for b in stream.text.split("\n\n") if b]
    names = {
        n.lower(): n
        for n in (
            "Request",
            "Resources",
            "Message",
            "References",
            "Progress",
            "Full",
            "Text",
            "InlineReference",
        )
    }
    for event in events:
        if "lower" in variants:  # lower-case type names: otherwise the document's shape
            event["type"] = names[event["type"]]
            for part in (event.get("message") or {}).get("parts") or []:
                part["type"] = names[part["type"]]
        _valid("ChatCompletionResponse", event, sdk_message="top" in variants)


@pytest.mark.parametrize(
    "body",
    [
        {"query": "travel"},
        {"query": "", "paging": {"size": 4}},
        {
            "query": "billing",
            "filters": {"appId": ["jira", "confluence"]},
            "sort": {"by": "Recency"},
        },
        {"query": "nothing-matches-this"},
    ],
)
def test_search_matches_the_openapi(base_url: str, body: dict[str, Any]) -> None:
    page = post(base_url, "/search", body).json()
    _valid("SearchResponse", page)
    if page["paging"]["next"]:
        following = {
            **body,
            "paging": {**body.get("paging", {}), "nextToken": page["paging"]["next"]},
        }
        _valid("SearchResponse", post(base_url, "/search", following).json())


def test_other_v1_endpoints_match_the_openapi(base_url: str) -> None:
    _valid("FilterStatsResponse", post(base_url, "/filters/stats", {}).json())
    _valid("FilterOptionsResponse", post(base_url, "/filters", {"name": "appId"}).json())
    _valid("Responses.AskResponse", post(base_url, "/answers", {"query": "travel policy"}).json())
    content = httpx.get(f"{base_url}/resources/conf-travel-policy/content", headers=AUTH).json()
    _valid("GetResourceContentResponse", content)


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/chats", {"messages": []}),
        ("/search", {"filters": {"nope": ["x"]}, "paging": {"size": 0}}),
        ("/filters", {}),
        ("/answers", {"query": ""}),
    ],
)
def test_400s_are_validation_problem_details(base_url: str, path: str, body: Any) -> None:
    response = post(base_url, path, body)
    assert response.status_code == 400
    _valid("ValidationProblemDetails", response.json())


# Chat v2, from seeds 001/002 (ToolCall, ReferenceChatv2, Sources, Tool, Resource, WebSource).
def _obj(properties: dict[str, Any], required: tuple[str, ...] = ()) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
        "required": list(required),
    }


S, INT = {"type": "string"}, {"type": "integer"}
RESOURCE = _obj(
    {
        k: {"type": ["string", "null"]}
        for k in ("id", "appId", "type", "externalId", "name", "title", "subtitle", "url")
    }
    | {"data": {"type": ["object", "null"]}}
)
WEB = _obj({k: S for k in ("id", "url", "icon", "title", "siteName", "description")})
REFERENCE = _obj(
    {"referenceIds": {"type": "array", "items": S}, "position": INT}, ("referenceIds", "position")
)
V2_CHUNK = {
    **_obj(
        {
            "text": {"type": ["string", "null"]},
            "toolCalls": {
                "type": "array",
                "items": _obj({k: S for k in ("id", "name", "type", "callId", "arguments")}),
            },
            "reference": REFERENCE,
            "sources": _obj({"sourcesIds": {"type": "array", "items": S}}),
            "tool": _obj(
                {
                    "toolCallStatus": _obj(
                        {"toolCallId": S, "status": {"enum": ["Start", "End", "Failed"]}}
                    ),
                    "toolStep": _obj({"stepDescription": S, "toolId": S}),
                    "response": _obj(
                        {
                            "name": S,
                            "toolId": S,
                            "resources": _obj(
                                {
                                    "enterprise": _obj(
                                        {"results": {"type": "array", "items": RESOURCE}}
                                    ),
                                    "webSearch": _obj({"sources": {"type": "array", "items": WEB}}),
                                    "custom": {"type": "object"},
                                }
                            ),
                        }
                    ),
                }
            ),
            "requestId": {"type": ["string", "null"]},
        }
    )
}
V2_EXTENDED = copy.deepcopy(V2_CHUNK)
# The extended dialect's extras (see emulator._dialect): the thread to continue, and (JSON
# form only) every reference, since one ``reference`` cannot hold them all.
V2_EXTENDED["properties"].update(
    {"threadId": S, "references": {"type": "array", "items": REFERENCE}}
)


@pytest.mark.parametrize("dialect", ["documented", "extended"])
@pytest.mark.parametrize("question", QUESTIONS)
def test_chat_v2_chunks_have_the_seed_fields(base_url: str, question: str, dialect: str) -> None:
    body = {"messages": [{"role": "User", "text": question}]}
    validator = Draft202012Validator(V2_CHUNK if dialect == "documented" else V2_EXTENDED)
    wire = {"x-emulator-dialect": dialect}
    whole = post(base_url, "/chats/v2", body, **wire).json()
    assert not list(validator.iter_errors(whole))
    stream = post(base_url, "/chats/v2", body, accept="text/event-stream", **wire)
    chunks = [json.loads(b.removeprefix("data: ")) for b in stream.text.split("\n\n") if b]
    for chunk in chunks:
        assert not list(validator.iter_errors(chunk)), chunk
    text = "".join(c.get("text") or "" for c in chunks)
    assert text == whole["text"]
    for chunk in chunks:
        if "reference" in chunk:
            assert 0 < chunk["reference"]["position"] <= len(text)


JYLO_MESSAGE = {
    "text",
    "messageDocumentIdentifiers",
    "modelIdentifier",
    "stream",
    "objectIdentifier",
    "textWithCitations",
    "dateAdded",
    "messageResponseTypeId",
    "addingCitations",
    "isAssistant",
}
JYLO_DOCUMENT = {
    "name",
    "parentObjectIdentifier",
    "isDirectory",
    "documentUploadObjectIdentifier",
    "contentType",
    "size",
    "objectIdentifier",
    "dateAdded",
    "uploadSuccessful",
    "tokenCount",
    "metadataTokenCount",
    "unsupportedFileType",
    "unPackingComplete",
    "unPackingFailed",
    "uploadInProgress",
    "url",
    "hasChildren",
}
ZAIA_MESSAGE = {
    "createdAt",
    "id",
    "updatedAt",
    "chatId",
    "chatThreadId",
    "content",
    "externalId",
    "rawContent",
    "role",
    "senderId",
}


def test_jylo_bodies_have_the_seed_fields(base_url: EmulatorURL) -> None:
    token = httpx.post(
        base_url.jylo_token,
        data={
            "grant_type": "client_credentials",
            "client_id": EMULATOR_KEYS["jylo_client_id"],
            "client_secret": EMULATOR_KEYS["jylo_client_secret"],
            "audience": "https://jga.jylo.ai/external/v2",
        },
    ).json()["access_token"]
    headers = {"authorization": f"Bearer {token}"}
    models = httpx.get(f"{base_url.jylo_settings}/models", headers=headers).json()
    # The fields the API notes confirm, and no others (the extended dialect adds some).
    assert all(
        set(m) == {"name", "description", "objectIdentifier", "maxOutputToken", "contextLength"}
        for m in models
    )
    project = f"{base_url.jylo}/projects/{EMULATOR_KEYS['jylo_project_id']}"
    assistant = httpx.get(f"{project}/assistants", headers=headers).json()[0]["objectIdentifier"]
    doc = httpx.post(
        f"{project}/assistants/{assistant}/messages/document",
        files={
            "file": (
                "notes.txt",
                b"Travel notes: the hotel cap in Zurich is 250 EUR.",
                "text/plain",
            )
        },
        headers=headers,
    ).json()
    assert set(doc) == JYLO_DOCUMENT
    body = {
        "text": "What is the hotel cap in Zurich?",
        "modelIdentifier": models[0]["objectIdentifier"],
    }
    reply = httpx.post(
        f"{project}/assistants/{assistant}/messages", json=body, headers=headers
    ).json()
    assert set(reply) == JYLO_MESSAGE
    assert reply["isAssistant"] is True
    listed = httpx.get(f"{project}/assistants/{assistant}/messages", headers=headers).json()
    assert all(set(m) == JYLO_MESSAGE for m in listed)
    no_file = httpx.post(
        f"{project}/assistants/{assistant}/messages/document", headers=headers
    ).json()
    assert set(no_file) == JYLO_DOCUMENT
    streamed = httpx.post(
        f"{project}/assistants/{assistant}/messages", json={**body, "stream": True}, headers=headers
    )
    events = [json.loads(b.removeprefix("data: ")) for b in streamed.text.split("\n\n") if b]
    assert all(set(e) <= JYLO_MESSAGE for e in events)  # pieces carry seed fields only
    assert set(events[-1]) == JYLO_MESSAGE


def test_zaia_messages_have_the_seed_fields(base_url: EmulatorURL) -> None:
    headers = {"authorization": EMULATOR_KEYS["zaia"]}
    chat = httpx.get(f"{base_url.zaia}/api/v1/chats", headers=headers).json()[0]["id"]
    messages = httpx.get(
        f"{base_url.zaia}/api/v1/chat-messages", params={"chatId": chat}, headers=headers
    ).json()
    assert messages
    assert all(set(m) == ZAIA_MESSAGE for m in messages)
