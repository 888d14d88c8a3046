"""The emulated Jylo API over loopback HTTP, with plain httpx (the Jylo client is separate).

The emulator speaks seed 003 by default (the ``documented`` dialect); tests that rely on
something no Jylo document names ask for the ``extended`` dialect explicitly.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator

import httpx
import pytest

from assistant_bridge.emulator import (
    DIALECT_HEADER,
    EMULATOR_KEYS,
    VARIANT_HEADER,
    EmulatorURL,
    run_emulator,
)
from assistant_bridge.emulator._jylo_auth import AUDIENCE, MODEL_FIELDS, issue_token

MODEL = "0f8a6c2e-3b1d-4e5f-9a7b-1c2d3e4f5a6b"
CITE = re.compile(r'\[(\d+)\]\(cite:([^\s)]+) "([^"]*)"\)')
EXTENDED = {DIALECT_HEADER: "extended"}
FORM = {
    "grant_type": "client_credentials",
    "client_id": EMULATOR_KEYS["jylo_client_id"],
    "client_secret": EMULATOR_KEYS["jylo_client_secret"],
    "audience": AUDIENCE,
}


@pytest.fixture(scope="module")
def base_url() -> Iterator[EmulatorURL]:
    with run_emulator(dialect="documented") as url:  # the documented contract, whatever the default
        yield url


@pytest.fixture
def http(base_url: EmulatorURL) -> Iterator[httpx.Client]:
    httpx.post(f"{base_url}/_emulator/reset")
    token = httpx.post(base_url.jylo_token, data=FORM).json()["access_token"]
    with httpx.Client(
        base_url=base_url.jylo, headers={"authorization": f"Bearer {token}"}
    ) as client:
        yield client


def project_path(project: str = EMULATOR_KEYS["jylo_project_id"]) -> str:
    return f"/projects/{project}/assistants"


def first_assistant(http: httpx.Client) -> str:
    return str(http.get(project_path()).json()[0]["objectIdentifier"])


def test_token_is_a_jwt_with_exp(base_url: EmulatorURL) -> None:
    response = httpx.post(base_url.jylo_token, data=FORM)
    body = response.json()
    assert response.status_code == 200
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    _header, payload, signature = body["access_token"].split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert claims["exp"] - claims["iat"] == 3600
    assert claims["aud"] == AUDIENCE
    assert signature


def test_basic_client_auth_is_accepted(base_url: EmulatorURL) -> None:
    form = {"grant_type": "client_credentials", "audience": AUDIENCE}
    auth = (EMULATOR_KEYS["jylo_client_id"], EMULATOR_KEYS["jylo_client_secret"])
    assert httpx.post(base_url.jylo_token, data=form, auth=auth).status_code == 200


@pytest.mark.parametrize(
    ("change", "status", "error"),
    [
        ({"client_secret": "wrong"}, 401, "access_denied"),
        ({"grant_type": "password"}, 400, "unsupported_grant_type"),
        ({"audience": "https://elsewhere.example"}, 403, "access_denied"),
        ({"client_id": ""}, 400, "invalid_request"),
    ],
)
def test_token_errors_follow_oauth(
    base_url: EmulatorURL, change: dict[str, str], status: int, error: str
) -> None:
    response = httpx.post(base_url.jylo_token, data={**FORM, **change})
    assert response.status_code == status
    assert response.json()["error"] == error


def test_api_needs_a_valid_unexpired_token(base_url: EmulatorURL) -> None:
    models = f"{base_url.jylo_settings}/models"
    assert httpx.get(models).status_code == 401
    expired = issue_token("x", AUDIENCE, now=1_000_000, lifetime=60)
    response = httpx.get(models, headers={"authorization": f"Bearer {expired}"})
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]
    assert 'error="invalid_token"' in response.headers["www-authenticate"]
    forged = issue_token("x", AUDIENCE, now=2_000_000_000, lifetime=60)[:-2] + "xx"
    assert httpx.get(models, headers={"authorization": f"Bearer {forged}"}).status_code == 401


def test_short_token_lifetime_is_configurable() -> None:
    with run_emulator(jylo_token_lifetime=5) as url:
        assert httpx.post(url.jylo_token, data=FORM).json()["expires_in"] == 5


def test_models_and_assistants(http: httpx.Client) -> None:
    models = http.get("/settings/models").json()
    assert MODEL in [m["objectIdentifier"] for m in models]
    assert all(tuple(m) == MODEL_FIELDS for m in models), "documented: the confirmed fields only"
    assert {"provider", "isDefault"} <= set(
        http.get("/settings/models", headers=EXTENDED).json()[0]
    )
    # The assistants endpoint documents no fields: only the id is sent unless extended.
    listed = http.get(project_path()).json()
    assert [set(a) for a in listed] == [{"objectIdentifier"}]
    assert [a["name"] for a in http.get(project_path(), headers=EXTENDED).json()] == [
        "Company knowledge"
    ]
    created = http.post(project_path(), json={"name": "Finance helper"}, headers=EXTENDED).json()
    assert created["name"] == "Finance helper"
    assert set(http.post(project_path(), json={"name": "Other"}).json()) == {"objectIdentifier"}
    assert len(http.get(project_path()).json()) == 3
    assert len(http.get(project_path("another-project")).json()) == 1, "state is per project"
    assert http.post(project_path(), json={}).status_code == 200, "no document requires a name"
    assert http.post(project_path(), content=b"[1]").status_code == 400


def test_posting_a_message_stores_it_and_the_cited_reply(http: httpx.Client) -> None:
    assistant = first_assistant(http)
    url = f"{project_path()}/{assistant}/messages"
    reply = http.post(
        url, json={"text": "What is our travel policy?", "modelIdentifier": MODEL}
    ).json()
    assert reply["isAssistant"] is True
    assert "Navan" in reply["text"]
    markers = CITE.findall(reply["textWithCitations"])
    assert ("1", "conf-travel-policy", "Travel and Expense Policy") in markers
    assert CITE.sub("", reply["textWithCitations"]) == reply["text"]
    listed = http.get(url, params={"desc": "false"}).json()
    assert [m["isAssistant"] for m in listed] == [False, True]
    assert listed[1] == reply
    other = http.post(project_path(), json={"name": "Empty"}).json()["objectIdentifier"]
    assert http.get(f"{project_path()}/{other}/messages").json() == [], "state is per assistant"


def test_uploaded_documents_are_cited(http: httpx.Client) -> None:
    assistant = first_assistant(http)
    text = b"Offsite logistics. The Lisbon offsite dinner is at Casa do Rio at 19:30 on 12 June."
    doc = http.post(
        f"{project_path()}/{assistant}/messages/document",
        files={"file": ("offsite.md", text, "text/markdown")},
    ).json()
    assert doc["uploadSuccessful"]
    assert not doc["unsupportedFileType"]
    assert doc["size"] == len(text)
    body = {
        "text": "Where is the offsite dinner?",
        "modelIdentifier": MODEL,
        "messageDocumentIdentifiers": [doc["objectIdentifier"]],
    }
    reply = http.post(f"{project_path()}/{assistant}/messages", json=body).json()
    assert "Casa do Rio" in reply["text"]
    assert CITE.findall(reply["textWithCitations"])[0][1:] == (
        doc["objectIdentifier"],
        "offsite.md",
    )


def test_upload_without_a_file_and_unsupported_types(http: httpx.Client) -> None:
    url = f"{project_path()}/{first_assistant(http)}/messages/document"
    # seed 003: `file` is Optional, so no file is no 400: the record says nothing was uploaded.
    empty = http.post(url, data={"other": "x"})
    assert empty.status_code == 200
    record = empty.json()
    assert record["uploadSuccessful"] is False
    assert record["name"] is None
    assert record["documentUploadObjectIdentifier"]
    assert http.post(url).json()["uploadSuccessful"] is False, "not even a multipart body"
    image = http.post(url, files={"file": ("chart.png", b"\x89PNG\r\n\x1a\n", "image/png")}).json()
    assert image["unsupportedFileType"] is True
    assert image["tokenCount"] == 0
    assert image["uploadSuccessful"] is True


def parse_events(response: httpx.Response) -> list[dict[str, object]]:
    kind = response.headers["content-type"]
    if kind.startswith("application/x-ndjson"):
        return [json.loads(line) for line in response.text.splitlines() if line]
    if kind.startswith("application/json"):
        return [response.json()]
    assert kind.startswith("text/event-stream")
    return [json.loads(b.removeprefix("data: ")) for b in response.text.split("\n\n") if b]


STREAM_BODY = {"text": "Who owns the billing service?", "modelIdentifier": MODEL, "stream": True}


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        ("text/event-stream", "text/event-stream"),
        ("application/x-ndjson", "application/x-ndjson"),
        ("application/json", "application/json"),
        # q-values decide, not the order or a substring (the client's own Accept is the first).
        (
            "text/event-stream, application/x-ndjson;q=0.9, application/json;q=0.8",
            "text/event-stream",
        ),
        ("application/x-ndjson;q=0.5, text/event-stream", "text/event-stream"),
        ("text/event-stream;q=0.4, application/x-ndjson", "application/x-ndjson"),
        ("application/json;q=0.9, text/event-stream;q=0.1", "application/json"),
        ("text/event-stream;q=0, application/x-ndjson;q=0.2", "application/x-ndjson"),
        ("*/*", "text/event-stream"),
        ("image/png", "text/event-stream"),  # nothing acceptable: the first offer, not a 406
    ],
)
def test_streaming_create_honours_accept_q_values(
    http: httpx.Client, accept: str, media: str
) -> None:
    url = f"{project_path()}/{first_assistant(http)}/messages"
    response = http.post(url, json=STREAM_BODY, headers={"accept": accept})
    assert response.headers["content-type"].startswith(media)
    events = parse_events(response)
    final = events[-1]
    assert "".join(str(e["text"]) for e in events[:-1]) == final["text"] or len(events) == 1
    assert all(e["addingCitations"] for e in events[:-1])
    assert final["addingCitations"] is False
    assert final["textWithCitations"]
    assert final["objectIdentifier"] == events[0]["objectIdentifier"]


@pytest.mark.parametrize(
    ("variant", "accept", "media", "ends_with_message"),
    [
        # A forced framing ignores Accept.
        ("jylo-stream=sse", "application/json", "text/event-stream", True),
        ("jylo-stream=ndjson", "text/event-stream", "application/x-ndjson", True),
        ("jylo-stream=json", "text/event-stream", "application/json", True),
        ("jylo-end=none", "text/event-stream", "text/event-stream", False),
        ("jylo-end=none", "application/x-ndjson", "application/x-ndjson", False),
        ("jylo-end=none", "application/json", "application/json", True),  # one body is whole
        ("jylo-stream=ndjson, jylo-end=none", "*/*", "application/x-ndjson", False),
        ("jylo-stream=sse, jylo-end=none", "application/json", "text/event-stream", False),
    ],
)
def test_stream_variants_frame_and_end_the_reply(
    http: httpx.Client, variant: str, accept: str, media: str, ends_with_message: bool
) -> None:
    url = f"{project_path()}/{first_assistant(http)}/messages"
    response = http.post(url, json=STREAM_BODY, headers={VARIANT_HEADER: variant, "accept": accept})
    assert response.headers["content-type"].startswith(media)
    events = parse_events(response)
    stored = http.get(f"{url}/{events[0]['objectIdentifier']}").json()
    assert stored["isAssistant"] is True
    assert stored["textWithCitations"]
    if media == "application/json":
        assert events == [stored]
    elif ends_with_message:
        assert events[-1] == stored
        assert "".join(str(e["text"]) for e in events[:-1]) == stored["text"]
    else:  # only the pieces: the text is whole, the citations are in the stored message
        assert all(e["addingCitations"] is True and "textWithCitations" not in e for e in events)
        assert "".join(str(e["text"]) for e in events) == stored["text"]
    assert all(e["objectIdentifier"] == stored["objectIdentifier"] for e in events)


def test_a_non_streamed_post_is_json_whatever_the_variant(http: httpx.Client) -> None:
    url = f"{project_path()}/{first_assistant(http)}/messages"
    body = {**STREAM_BODY, "stream": False}
    response = http.post(url, json=body, headers={VARIANT_HEADER: "jylo-stream=sse, jylo-end=none"})
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["textWithCitations"]


def test_get_update_delete_a_message(http: httpx.Client) -> None:
    url = f"{project_path()}/{first_assistant(http)}/messages"
    reply = http.post(url, json={"text": "Summarise the Q3 plan", "modelIdentifier": MODEL}).json()
    one = f"{url}/{reply['objectIdentifier']}"
    assert http.get(one).json() == reply
    updated = http.put(one, json={"text": "Edited", "modelIdentifier": MODEL}).json()
    assert updated["text"] == "Edited"
    assert http.get(one).json()["text"] == "Edited"
    assert http.delete(one).status_code == 204
    assert http.get(one).status_code == 404


def test_listing_pages_searches_and_sorts(http: httpx.Client) -> None:
    url = f"{project_path()}/{first_assistant(http)}/messages"
    for question in ("What is our travel policy?", "Who owns the billing service?"):
        http.post(url, json={"text": question, "modelIdentifier": MODEL})
    newest = http.get(url, params={"pageSize": 1}).json()
    assert len(newest) == 1
    assert newest[0]["isAssistant"]
    oldest = http.get(url, params={"pageSize": 1, "desc": "false"}).json()
    assert oldest[0]["text"] == "What is our travel policy?"
    assert [m["text"] for m in http.get(url, params={"searchText": "BILLING SERVICE?"}).json()] == [
        "Who owns the billing service?"
    ]
    by_text = http.get(url, params={"sorting": 1, "desc": "false"}).json()
    assert [m["text"] for m in by_text] == sorted(m["text"] for m in by_text)
    by_date = http.get(url, params={"sorting": 0, "desc": "false"}).json()
    assert [m["dateAdded"] for m in by_date] == sorted(m["dateAdded"] for m in by_date)
    assert http.get(url, params={"pageSize": 0}).status_code == 400
    assert http.get(url, params={"pageSize": "1_0"}).status_code == 400, "digits only, as ASP.NET"
    assert http.get(url, params={"pageSize": "", "pageNumber": " "}).status_code == 200, (
        "empty: the default"
    )
    assert http.get(url, params={"pageSize": 150}).status_code == 200, "no cap at 100"


@pytest.mark.parametrize("sorting", ["dateAdded", "text", "2", "-1", "1.5", "1_0", ""])
def test_sorting_takes_the_integers_it_knows(http: httpx.Client, sorting: str) -> None:
    url = f"{project_path()}/{first_assistant(http)}/messages"
    response = http.get(url, params={"sorting": sorting})
    if sorting == "":
        assert response.status_code == 200, "an empty value is no value"
        return
    assert response.status_code == 400
    assert "sorting" in response.json()["errors"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"modelIdentifier": MODEL}, "text"),
        ({"text": 5, "modelIdentifier": MODEL}, "text"),
        ({"text": "hi"}, "modelIdentifier"),
        (
            {"text": "hi", "modelIdentifier": "11111111-1111-4111-8111-111111111111"},
            "modelIdentifier",
        ),
        (
            {"text": "hi", "modelIdentifier": MODEL, "messageDocumentIdentifiers": ["not-a-uuid"]},
            "messageDocumentIdentifiers",
        ),
        ({"text": "hi", "modelIdentifier": MODEL, "stream": "yes"}, "stream"),
    ],
)
def test_invalid_messages_are_400(http: httpx.Client, body: dict[str, object], field: str) -> None:
    url = f"{project_path()}/{first_assistant(http)}/messages"
    response = http.post(url, json=body)
    assert response.status_code == 400
    problem = response.json()
    assert field in problem["errors"]
    assert "traceId" not in problem, "no Jylo document names a traceId"
    extended = http.post(url, json=body, headers=EXTENDED).json()
    assert extended["errors"] == problem["errors"]
    assert extended["traceId"]


@pytest.mark.parametrize("text", [None, "", "   "])
def test_a_message_may_have_no_text(http: httpx.Client, text: str | None) -> None:
    """seed 003: ``text`` is "string, nullable, Required": present, and may be null."""
    url = f"{project_path()}/{first_assistant(http)}/messages"
    http.post(url, json={"text": "What is our travel policy?", "modelIdentifier": MODEL})
    response = http.post(url, json={"text": text, "modelIdentifier": MODEL})
    assert response.status_code == 200
    reply = response.json()
    assert reply["isAssistant"] is True
    assert reply["text"].startswith("Ask me a question"), "not the previous question again"
    stored = http.get(url, params={"pageSize": 2}).json()
    assert [m["text"] for m in stored] == [reply["text"], text]


def test_a_message_with_only_documents_summarises_them(http: httpx.Client) -> None:
    assistant = first_assistant(http)
    text = b"Offsite logistics. The Lisbon offsite dinner is at Casa do Rio at 19:30 on 12 June."
    doc = http.post(
        f"{project_path()}/{assistant}/messages/document",
        files={"file": ("offsite.md", text, "text/markdown")},
    ).json()
    body = {
        "text": None,
        "modelIdentifier": MODEL,
        "messageDocumentIdentifiers": [doc["objectIdentifier"]],
    }
    reply = http.post(f"{project_path()}/{assistant}/messages", json=body).json()
    assert "Casa do Rio" in reply["text"]
    assert [m[1:] for m in CITE.findall(reply["textWithCitations"])] == [
        (doc["objectIdentifier"], "offsite.md")
    ]


def test_unknown_assistant_is_404(http: httpx.Client) -> None:
    response = http.get(f"{project_path()}/00000000-0000-4000-8000-000000000000/messages")
    assert response.status_code == 404


def test_replies_are_deterministic_from_a_reset(base_url: EmulatorURL, http: httpx.Client) -> None:
    def run() -> bytes:
        httpx.post(f"{base_url}/_emulator/reset")
        url = f"{project_path()}/{first_assistant(http)}/messages"
        return http.post(
            url, json={"text": "What is our travel policy?", "modelIdentifier": MODEL}
        ).content

    assert run() == run()
