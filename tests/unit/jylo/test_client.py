"""JyloClient / AsyncJyloClient over httpx.MockTransport: settings, endpoints, paging, input checks."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from assistant_bridge import APIError, InvalidRequestError, NotFoundError
from assistant_bridge.jylo import (
    Assistant,
    AsyncJyloClient,
    Document,
    ItemSorting,
    JyloClient,
    Message,
    ModelInfo,
)

TOKEN = "ready-token-for-client-tests"
PROJECT = "proj-42"
ASSISTANT = "3f2b8c1e-6d4a-4f0e-9b7c-2a1d5e8f9c0b"
MESSAGE = "11111111-2222-4333-8444-555555555555"
MODEL = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"
DOC = "99999999-8888-4777-8666-555555555555"
BASE = "https://api.acme.uk.jylo.ai"
MSG_PATH = f"/projects/{PROJECT}/assistants/{ASSISTANT}/messages"

STORED = {
    "text": "Hello there",
    "messageDocumentIdentifiers": None,
    "modelIdentifier": MODEL,
    "stream": False,
    "objectIdentifier": MESSAGE,
    "textWithCitations": "Hello there [1]",
    "dateAdded": "2025-12-06T03:43:35.8841234Z",
    "messageResponseTypeId": 1,
    "addingCitations": False,
    "isAssistant": True,
    "futureField": {"x": 1},
}
UPLOADED = {
    "name": "notes.txt",
    "parentObjectIdentifier": None,
    "isDirectory": False,
    "documentUploadObjectIdentifier": DOC,
    "contentType": "text/plain",
    "size": 11,
    "objectIdentifier": DOC,
    "dateAdded": "2025-01-01T00:00:00Z",
    "uploadSuccessful": True,
    "tokenCount": 3,
    "metadataTokenCount": 1,
    "unsupportedFileType": False,
    "unPackingComplete": True,
    "unPackingFailed": False,
    "uploadInProgress": False,
    "url": None,
    "hasChildren": False,
}


class Recorder:
    def __init__(self, handler: Callable[[httpx.Request], httpx.Response]) -> None:
        self.handler = handler
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.requests.append(request)
        return self.handler(request)


def ok(body: Any) -> Callable[[httpx.Request], httpx.Response]:
    return lambda request: httpx.Response(200, json=body)


def client_for(recorder: Recorder, **kw: Any) -> JyloClient:
    kw.setdefault("project_id", PROJECT)
    return JyloClient(
        token=TOKEN,
        tenant="acme",
        region="uk",
        http_client=httpx.Client(transport=httpx.MockTransport(recorder)),
        _sleep=lambda s: None,
        **kw,
    )


def async_client_for(recorder: Recorder) -> AsyncJyloClient:
    async def no_sleep(seconds: float) -> None:
        return None

    return AsyncJyloClient(
        token=TOKEN,
        tenant="acme",
        region="uk",
        project_id=PROJECT,
        http_client=httpx.AsyncClient(transport=httpx.MockTransport(recorder)),
        _sleep=no_sleep,
    )


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "JYLO_CLIENT_ID", "JYLO_CLIENT_SECRET", "JYLO_TENANT", "JYLO_REGION", "JYLO_PROJECT_ID",
        "JYLO_BASE_URL", "JYLO_TOKEN_URL", "JYLO_SETTINGS_URL", "JYLO_AUDIENCE",
    ):  # fmt: skip
        monkeypatch.delenv(name, raising=False)


# -- settings ----------------------------------------------------------------------------


def test_urls_derived_from_tenant_and_region() -> None:
    client = JyloClient(client_id="id", client_secret="secret-value", tenant="Acme", region="EU")
    assert str(client.base_url) == "https://api.acme.eu.jylo.ai/"
    assert client._settings.token_url == "https://login.eu.jylo.ai/oauth/token"
    assert client._settings.settings_url == "https://settings.eu.jylo.ai"


@pytest.mark.parametrize("region", ["au", "jp"])
def test_regions_without_login_host_fall_back_to_uk(region: str) -> None:
    client = JyloClient(client_id="id", client_secret="secret-value", tenant="acme", region=region)
    assert client._settings.token_url == "https://login.uk.jylo.ai/oauth/token"
    assert str(client.base_url) == f"https://api.acme.{region}.jylo.ai/"


def test_settings_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JYLO_CLIENT_ID", "env-id")
    monkeypatch.setenv("JYLO_CLIENT_SECRET", "env-secret-value")
    monkeypatch.setenv("JYLO_BASE_URL", "https://jylo.internal.test")
    monkeypatch.setenv("JYLO_TOKEN_URL", "https://login.test/oauth/token")
    monkeypatch.setenv("JYLO_SETTINGS_URL", "https://settings.test/")
    monkeypatch.setenv("JYLO_PROJECT_ID", "env-project")
    client = JyloClient()
    assert str(client.base_url) == "https://jylo.internal.test/"
    assert client._settings.token_url == "https://login.test/oauth/token"
    assert client._settings.client_id == "env-id"
    assert client.project_id == "env-project"
    assert client._models_url() == "https://settings.test/models"


def test_arguments_win_over_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JYLO_BASE_URL", "https://env.test")
    monkeypatch.setenv("JYLO_PROJECT_ID", "env-project")
    client = JyloClient(token="t0ken-value", base_url="https://arg.test", project_id="arg-project")
    assert str(client.base_url) == "https://arg.test/"
    assert client.project_id == "arg-project"


@pytest.mark.parametrize(
    ("kwargs", "env_var"),
    [
        ({"client_secret": "s3cret", "region": "uk"}, "JYLO_TENANT"),
        ({"client_secret": "s3cret", "tenant": "acme"}, "JYLO_REGION"),
        ({"client_secret": "s3cret", "tenant": "acme", "region": "uk"}, "JYLO_CLIENT_ID"),
        ({"client_id": "id", "tenant": "acme", "region": "uk"}, "JYLO_CLIENT_SECRET"),
        (
            {"client_id": "id", "client_secret": "s3cret", "base_url": "https://x.test"},
            "JYLO_TOKEN_URL",
        ),
    ],
)
def test_missing_configuration_names_the_env_var(kwargs: dict[str, str], env_var: str) -> None:
    with pytest.raises(InvalidRequestError, match=env_var):
        JyloClient(**kwargs)  # type: ignore[arg-type]


def test_unknown_region_suggests() -> None:
    with pytest.raises(InvalidRequestError, match="did you mean 'uk'") as info:
        JyloClient(token="t0ken-value", tenant="acme", region="ukk")
    assert info.value.field == "region"


def test_missing_project_and_settings_url_fail_at_use_without_a_request() -> None:
    recorder = Recorder(ok([]))
    client = JyloClient(
        token=TOKEN,
        base_url=BASE,
        http_client=httpx.Client(transport=httpx.MockTransport(recorder)),
    )
    with pytest.raises(InvalidRequestError, match="JYLO_PROJECT_ID"):
        client.list_messages(ASSISTANT)
    with pytest.raises(InvalidRequestError, match="JYLO_SETTINGS_URL"):
        client.list_models()
    assert recorder.requests == []


def test_repr_hides_token() -> None:
    client = client_for(Recorder(ok([])))
    assert TOKEN not in repr(client)
    assert "proj-42" in repr(client)


# -- endpoints (sync) -------------------------------------------------------------------


def test_list_messages_query_and_typed_page() -> None:
    recorder = Recorder(ok([STORED, {**STORED, "isAssistant": False, "objectIdentifier": DOC}]))
    with client_for(recorder) as client:
        page = client.list_messages(
            ASSISTANT.upper(),
            page_number=2,
            page_size=10,
            search_text="hello",
            sorting=ItemSorting.TEXT,
            desc=False,
        )
    (request,) = recorder.requests
    assert request.method == "GET"
    assert request.url.path == MSG_PATH
    assert dict(request.url.params) == {
        "pageNumber": "2", "pageSize": "10", "searchText": "hello", "sorting": "1", "desc": "false",
    }  # fmt: skip
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    assert len(page) == 2
    first = page[0]
    assert isinstance(first, Message)
    assert first.object_identifier == MESSAGE
    assert first.is_assistant is True
    assert first.date_added is not None
    assert first.date_added.year == 2025
    assert first.message_document_identifiers == []
    assert first.model_extra == {"futureField": {"x": 1}}
    assert first.cited_text().citations[0].source_id == "1"
    assert [m.is_assistant for m in page] == [True, False]


def test_list_messages_reads_a_wrapped_page_and_integer_sorting() -> None:
    recorder = Recorder(ok({"items": [STORED], "totalCount": 1, "pageNumber": 1, "pageSize": 5}))
    with client_for(recorder) as client:
        page = client.list_messages(ASSISTANT, sorting=0)
    assert page.total_count == 1
    assert page.page_number == 1
    assert page.page_size == 5
    assert recorder.requests[0].url.params["sorting"] == "0"


def test_create_get_update_delete_message() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "DELETE":
            return httpx.Response(204)
        return httpx.Response(200, json=STORED)

    recorder = Recorder(handler)
    with client_for(recorder) as client:
        created = client.create_message(
            ASSISTANT, "Hi", model_identifier=MODEL, message_document_identifiers=[DOC]
        )
        got = client.get_message(ASSISTANT, MESSAGE)
        updated = client.update_message(ASSISTANT, MESSAGE, "Hi again", model_identifier=MODEL)
        client.delete_message(ASSISTANT, MESSAGE)
    assert created.text == got.text == updated.text == "Hello there"
    post, get, put, delete = recorder.requests
    assert (post.method, post.url.path) == ("POST", MSG_PATH)
    assert json.loads(post.content) == {
        "text": "Hi", "modelIdentifier": MODEL, "stream": False, "messageDocumentIdentifiers": [DOC],
    }  # fmt: skip
    assert post.headers["accept"] == "application/json"
    assert (get.method, get.url.path) == ("GET", f"{MSG_PATH}/{MESSAGE}")
    assert (put.method, put.url.path) == ("PUT", f"{MSG_PATH}/{MESSAGE}")
    assert json.loads(put.content) == {
        "text": "Hi again",
        "modelIdentifier": MODEL,
        "stream": False,
    }
    assert (delete.method, delete.url.path) == ("DELETE", f"{MSG_PATH}/{MESSAGE}")


def test_create_message_is_not_retried_after_a_500() -> None:
    recorder = Recorder(lambda r: httpx.Response(500, json={"title": "boom"}))
    with client_for(recorder) as client, pytest.raises(APIError):
        client.create_message(ASSISTANT, "Hi", model_identifier=MODEL)
    assert len(recorder.requests) == 1


def test_get_message_404_is_typed() -> None:
    recorder = Recorder(
        lambda r: httpx.Response(404, json={"title": "Not Found", "detail": "no message"})
    )
    with client_for(recorder) as client, pytest.raises(NotFoundError, match="no message"):
        client.get_message(ASSISTANT, MESSAGE)


def test_upload_document_from_path_and_file_object(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes(b"hello world")
    recorder = Recorder(ok(UPLOADED))
    with client_for(recorder) as client:
        result = client.upload_document(ASSISTANT, path)
        handle = io.BytesIO(b"%PDF-1.4 data")
        client.upload_document(ASSISTANT, handle, filename="report.pdf")
        assert not handle.closed
    assert isinstance(result, Document)
    assert result.id == DOC
    assert result.upload_successful is True
    assert result.un_packing_complete is True
    first, second = recorder.requests
    assert first.method == "POST"
    assert first.url.path == f"{MSG_PATH}/document"
    assert first.headers["content-type"].startswith("multipart/form-data; boundary=")
    assert b'name="file"; filename="notes.txt"' in first.content
    assert b"Content-Type: text/plain" in first.content
    assert b"hello world" in first.content
    assert b'filename="report.pdf"' in second.content
    assert b"application/pdf" in second.content


def test_upload_document_attaches_to_a_message(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_text("# doc")
    recorder = Recorder(
        lambda r: httpx.Response(200, json=UPLOADED if r.url.path.endswith("/document") else STORED)
    )
    with client_for(recorder) as client:
        doc = client.upload_document(ASSISTANT, str(path))
        client.create_message(
            ASSISTANT, "see doc", model_identifier=MODEL, message_document_identifiers=[doc]
        )
    assert json.loads(recorder.requests[1].content)["messageDocumentIdentifiers"] == [DOC]


def test_list_models_uses_the_settings_api() -> None:
    models = [
        {
            "name": "GPT",
            "description": "d",
            "objectIdentifier": MODEL,
            "maxOutputToken": 4096,
            "contextLength": 128000,
            "vendor": "x",
        }
    ]
    recorder = Recorder(ok(models))
    with client_for(recorder) as client:
        result = client.list_models()
    assert str(recorder.requests[0].url) == "https://settings.uk.jylo.ai/models"
    assert recorder.requests[0].headers["authorization"] == f"Bearer {TOKEN}"
    assert isinstance(result[0], ModelInfo)
    assert result[0].id == MODEL
    assert result[0].context_length == 128000
    assert result[0].model_extra == {"vendor": "x"}


def test_list_and_create_assistants() -> None:
    assistant = {
        "objectIdentifier": ASSISTANT,
        "name": "Research",
        "description": None,
        "documents": None,
        "dateAdded": "not a date",
    }
    recorder = Recorder(
        lambda r: httpx.Response(200, json=[assistant] if r.method == "GET" else assistant)
    )
    with client_for(recorder) as client:
        page = client.list_assistants(
            page_size=5, search_text="res", sorting=ItemSorting.DATE_ADDED
        )
        created = client.create_assistant(
            "Research", description="desk", document_identifiers=[DOC]
        )
    get, post = recorder.requests
    assert get.url.path == f"/projects/{PROJECT}/assistants"
    assert dict(get.url.params) == {"pageSize": "5", "searchText": "res", "sorting": "0"}
    assert isinstance(page[0], Assistant)
    assert page[0].id == ASSISTANT
    assert page[0].date_added is None
    assert page[0].documents == []
    assert json.loads(post.content) == {
        "name": "Research",
        "description": "desk",
        "documentObjectIdentifiers": [DOC],
    }
    assert created.name == "Research"


def test_malformed_answer_is_an_api_error() -> None:
    recorder = Recorder(ok({"isAssistant": {"not": "a bool"}}))
    with client_for(recorder) as client, pytest.raises(APIError, match="does not fit Message"):
        client.get_message(ASSISTANT, MESSAGE)


# -- pagination -------------------------------------------------------------------------


def paged(pages: list[list[dict[str, Any]]]) -> Callable[[httpx.Request], httpx.Response]:
    def handler(request: httpx.Request) -> httpx.Response:
        number = int(request.url.params["pageNumber"])
        return httpx.Response(200, json=pages[number - 1] if number <= len(pages) else [])

    return handler


def msgs(start: int, count: int) -> list[dict[str, Any]]:
    return [
        {"text": f"m{i}", "objectIdentifier": f"00000000-0000-4000-8000-{i:012d}"}
        for i in range(start, start + count)
    ]


def test_iter_messages_walks_until_a_short_page() -> None:
    recorder = Recorder(paged([msgs(0, 3), msgs(3, 3), msgs(6, 1)]))
    with client_for(recorder) as client:
        texts = [m.text for m in client.iter_messages(ASSISTANT, page_size=3, desc=True)]
    assert texts == [f"m{i}" for i in range(7)]
    assert [r.url.params["pageNumber"] for r in recorder.requests] == ["1", "2", "3"]
    assert all(
        r.url.params["pageSize"] == "3" and r.url.params["desc"] == "true"
        for r in recorder.requests
    )


def test_iter_messages_stops_on_an_empty_page() -> None:
    recorder = Recorder(paged([msgs(0, 2), msgs(2, 2)]))
    with client_for(recorder) as client:
        assert len(list(client.iter_messages(ASSISTANT, page_size=2))) == 4
    assert len(recorder.requests) == 3


def test_iter_messages_stops_when_the_server_ignores_page_number() -> None:
    recorder = Recorder(ok(msgs(0, 2)))
    with client_for(recorder) as client:
        assert len(list(client.iter_messages(ASSISTANT, page_size=2))) == 2
    assert len(recorder.requests) == 2


def test_iter_messages_stops_at_total_count() -> None:
    recorder = Recorder(lambda r: httpx.Response(200, json={"items": msgs(0, 2), "totalCount": 2}))
    with client_for(recorder) as client:
        assert len(list(client.iter_messages(ASSISTANT, page_size=2))) == 2
    assert len(recorder.requests) == 1


def test_iter_messages_is_lazy_and_checks_input_first() -> None:
    recorder = Recorder(paged([msgs(0, 2)]))
    with client_for(recorder) as client:
        iterator = client.iter_messages(ASSISTANT, page_size=2)
        assert recorder.requests == []
        next(iterator)
        assert len(recorder.requests) == 1
        with pytest.raises(InvalidRequestError, match="page_size"):
            client.iter_messages(ASSISTANT, page_size=0)


# -- input checks: nothing is sent ----------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda c: c.list_messages("not-a-uuid"), "assistant_id"),
        (lambda c: c.list_messages(ASSISTANT, page_size=0), "page_size"),
        (lambda c: c.list_messages(ASSISTANT, page_number=-1), "page_number"),
        (lambda c: c.list_messages(ASSISTANT, page_number=0), "page_number"),
        (lambda c: c.list_messages(ASSISTANT, page_size=2**31), "page_size"),
        (lambda c: c.list_messages(ASSISTANT, sorting="dateAdded"), "sorting"),
        (lambda c: c.list_messages(ASSISTANT, sorting=1.0), "sorting"),
        (lambda c: c.list_messages(ASSISTANT, desc="yes"), "desc"),
        (lambda c: c.list_messages(ASSISTANT, sorting=True), "sorting"),
        (lambda c: c.create_message(ASSISTANT, "", model_identifier=MODEL), "text"),
        (lambda c: c.create_message(ASSISTANT, "   ", model_identifier=MODEL), "text"),
        (lambda c: c.create_message(ASSISTANT, "hi", model_identifier="gpt-4"), "model_identifier"),
        (
            lambda c: c.create_message(
                ASSISTANT, "hi", model_identifier=MODEL, message_document_identifiers=["x"]
            ),
            "message_document_identifiers[0]",
        ),
        (lambda c: c.stream_message(ASSISTANT, "", model_identifier=MODEL), "text"),
        (lambda c: c.get_message(ASSISTANT, "123"), "message_id"),
        (lambda c: c.update_message(ASSISTANT, MESSAGE, "", model_identifier=MODEL), "text"),
        (lambda c: c.delete_message("x", MESSAGE), "assistant_id"),
        (lambda c: c.upload_document(ASSISTANT, "/no/such/file.pdf"), "file"),
        (lambda c: c.upload_document(ASSISTANT, io.StringIO("text mode")), "file"),
        (lambda c: c.create_assistant(""), "name"),
    ],
)
def test_bad_input_fails_before_any_request(call: Callable[[JyloClient], Any], field: str) -> None:
    recorder = Recorder(ok(STORED))
    with client_for(recorder) as client, pytest.raises(InvalidRequestError) as info:
        call(client)
    assert info.value.field == field
    assert field.split("[")[0] in str(info.value)
    assert recorder.requests == []


def test_upload_of_a_directory_is_refused(tmp_path: Path) -> None:
    recorder = Recorder(ok(UPLOADED))
    with (
        client_for(recorder) as client,
        pytest.raises(InvalidRequestError, match="not a regular file"),
    ):
        client.upload_document(ASSISTANT, tmp_path)
    assert recorder.requests == []


# -- async ------------------------------------------------------------------------------


async def test_async_every_endpoint(tmp_path: Path) -> None:
    path = tmp_path / "n.txt"
    path.write_bytes(b"abc")

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host.startswith("settings."):
            return httpx.Response(200, json=[{"name": "m", "objectIdentifier": MODEL}])
        if request.url.path.endswith("/document"):
            return httpx.Response(200, json=UPLOADED)
        if request.url.path.endswith("/assistants"):
            return httpx.Response(
                200, json=[{"name": "A"}] if request.method == "GET" else {"name": "A"}
            )
        if request.method == "DELETE":
            return httpx.Response(204)
        if request.method == "GET" and request.url.path == MSG_PATH:
            number = int(request.url.params.get("pageNumber", "1"))
            return httpx.Response(200, json=msgs(0, 2) if number == 1 else msgs(2, 1))
        return httpx.Response(200, json=STORED)

    recorder = Recorder(handler)
    async with async_client_for(recorder) as client:
        page = await client.list_messages(ASSISTANT, page_size=2)
        walked = [m.text async for m in client.iter_messages(ASSISTANT, page_size=2)]
        created = await client.create_message(ASSISTANT, "Hi", model_identifier=MODEL)
        got = await client.get_message(ASSISTANT, MESSAGE)
        updated = await client.update_message(ASSISTANT, MESSAGE, "x", model_identifier=MODEL)
        await client.delete_message(ASSISTANT, MESSAGE)
        doc = await client.upload_document(ASSISTANT, path)
        models = await client.list_models()
        assistants = await client.list_assistants()
        assistant = await client.create_assistant("A")
        with pytest.raises(InvalidRequestError):
            await client.create_message(ASSISTANT, "", model_identifier=MODEL)
    assert len(page) == 2
    assert walked == ["m0", "m1", "m2"]
    assert created.id == got.id == updated.id == MESSAGE
    assert doc.id == DOC
    assert b"abc" in recorder.requests[7].content
    assert models[0].id == MODEL
    assert assistants[0].name == assistant.name == "A"
    methods = [(r.method, r.url.path) for r in recorder.requests]
    assert ("DELETE", f"{MSG_PATH}/{MESSAGE}") in methods
    assert ("PUT", f"{MSG_PATH}/{MESSAGE}") in methods
    assert ("POST", f"/projects/{PROJECT}/assistants") in methods
    assert len(recorder.requests) == 11  # the bad call sent nothing
