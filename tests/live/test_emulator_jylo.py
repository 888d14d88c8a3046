"""The emulated Jylo API over loopback HTTP, with plain httpx (the Jylo client is separate)."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator

import httpx
import pytest

from assistant_bridge.emulator import EMULATOR_KEYS, EmulatorURL, run_emulator
from assistant_bridge.emulator._jylo_auth import AUDIENCE, issue_token

MODEL = "0f8a6c2e-3b1d-4e5f-9a7b-1c2d3e4f5a6b"
CITE = re.compile(r'\[(\d+)\]\(cite:([^\s)]+) "([^"]*)"\)')
FORM = {
    "grant_type": "client_credentials",
    "client_id": EMULATOR_KEYS["jylo_client_id"],
    "client_secret": EMULATOR_KEYS["jylo_client_secret"],
    "audience": AUDIENCE,
}


@pytest.fixture(scope="module")
def base_url() -> Iterator[EmulatorURL]:
    with run_emulator() as url:
        yield url


@pytest.fixture
def http(base_url: EmulatorURL) -> Iterator[httpx.Client]:
    httpx.post(f"{base_url}/_emulator/reset")
    token = httpx.post(base_url.jylo_token, data=FORM).json()["access_token"]
    with httpx.Client(base_url=base_url.jylo, headers={"authorization": f"Bearer {token}"}) as client:
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
def test_token_errors_follow_oauth(base_url: EmulatorURL, change: dict[str, str], status: int, error: str) -> None:
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
    assert [a["name"] for a in http.get(project_path()).json()] == ["Company knowledge"]
    created = http.post(project_path(), json={"name": "Finance helper"}).json()
    assert created["name"] == "Finance helper"
    assert len(http.get(project_path()).json()) == 2
    assert len(http.get(project_path("another-project")).json()) == 1, "state is per project"
    assert http.post(project_path(), json={}).status_code == 400


def test_posting_a_message_stores_it_and_the_cited_reply(http: httpx.Client) -> None:
    assistant = first_assistant(http)
    url = f"{project_path()}/{assistant}/messages"
    reply = http.post(url, json={"text": "What is our travel policy?", "modelIdentifier": MODEL}).json()
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
    assert CITE.findall(reply["textWithCitations"])[0][1:] == (doc["objectIdentifier"], "offsite.md")


def test_upload_without_a_file_and_unsupported_types(http: httpx.Client) -> None:
    url = f"{project_path()}/{first_assistant(http)}/messages/document"
    assert http.post(url, data={"other": "x"}).status_code == 400
    image = http.post(url, files={"file": ("chart.png", b"\x89PNG\r\n\x1a\n", "image/png")}).json()
    assert image["unsupportedFileType"] is True
    assert image["tokenCount"] == 0


def parse_events(response: httpx.Response) -> list[dict[str, object]]:
    if response.headers["content-type"].startswith("application/x-ndjson"):
        return [json.loads(line) for line in response.text.splitlines() if line]
    return [json.loads(b.removeprefix("data: ")) for b in response.text.split("\n\n") if b]


@pytest.mark.parametrize("accept", ["text/event-stream", "application/x-ndjson"])
def test_streaming_create(http: httpx.Client, accept: str) -> None:
    url = f"{project_path()}/{first_assistant(http)}/messages"
    body = {"text": "Who owns the billing service?", "modelIdentifier": MODEL, "stream": True}
    response = http.post(url, json=body, headers={"accept": accept})
    assert response.headers["content-type"].startswith(accept)
    events = parse_events(response)
    final = events[-1]
    assert "".join(str(e["text"]) for e in events[:-1]) == final["text"]
    assert all(e["addingCitations"] for e in events[:-1])
    assert final["addingCitations"] is False
    assert final["textWithCitations"]
    assert final["objectIdentifier"] == events[0]["objectIdentifier"]


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
    assert http.get(url, params={"pageSize": 0}).status_code == 400


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"modelIdentifier": MODEL}, "text"),
        ({"text": "hi"}, "modelIdentifier"),
        ({"text": "hi", "modelIdentifier": "11111111-1111-4111-8111-111111111111"}, "modelIdentifier"),
        ({"text": "hi", "modelIdentifier": MODEL, "messageDocumentIdentifiers": ["not-a-uuid"]}, "messageDocumentIdentifiers"),
        ({"text": "", "modelIdentifier": MODEL}, "text"),
    ],
)
def test_invalid_messages_are_400(http: httpx.Client, body: dict[str, object], field: str) -> None:
    response = http.post(f"{project_path()}/{first_assistant(http)}/messages", json=body)
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_unknown_assistant_is_404(http: httpx.Client) -> None:
    response = http.get(f"{project_path()}/00000000-0000-4000-8000-000000000000/messages")
    assert response.status_code == 404


def test_replies_are_deterministic_from_a_reset(base_url: EmulatorURL, http: httpx.Client) -> None:
    def run() -> bytes:
        httpx.post(f"{base_url}/_emulator/reset")
        url = f"{project_path()}/{first_assistant(http)}/messages"
        return http.post(url, json={"text": "What is our travel policy?", "modelIdentifier": MODEL}).content

    assert run() == run()
