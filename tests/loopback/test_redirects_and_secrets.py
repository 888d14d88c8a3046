"""Redirects to another host are refused, and echoed credentials never reach an error.

Against the emulator's ``redirect[:URL]`` and ``echo-auth`` switches, through every vendor
client (sync and async) and one adapter per framework: a 307 to a second loopback server
raises `RedirectError` naming the ``Location`` and that server sees no request at all;
an error body that repeats the key, token or client secret leaves no trace of them in
``str``, ``repr``, ``body``, ``problem``, ``response`` or ``request``.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from dataclasses import asdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from assistant_bridge import APIStatusError, RedirectError
from assistant_bridge import langchain as lc
from assistant_bridge.emulator import EMULATOR_KEYS, EmulatorURL, run_emulator
from assistant_bridge.jylo import JyloClient
from tests.loopback._fault_ops import OPS, Env, Ids, Op

REDIRECT_OPS = [
    op
    for op in OPS
    if op.name.split(".")[0] in ("unleash", "jylo", "zaia")
    or op.name.startswith(
        ("lc.ChatUnleash.invoke", "lc.ChatJylo.stream", "li.Jylo.chat", "li.UnleashRetriever")
    )
]
ECHO_OPS = [
    op
    for op in OPS
    if op.name
    in (
        "unleash.chat",
        "unleash.search.async",
        "unleash.stream_chat_v2",
        "jylo.create_message",
        "jylo.list_messages.async",
        "zaia.create_chat_message",
        "zaia.list_chat_messages.async",
        "lc.ChatUnleash.invoke",
        "li.Jylo.chat.async",
    )
]


SEEN: list[str] = []
"""Every request the second server got."""


class _Counter(BaseHTTPRequestHandler):
    def handle_one_request(self) -> None:
        self.raw_requestline = self.rfile.readline(65537)
        if not self.raw_requestline or not self.parse_request():
            return
        SEEN.append(f"{self.command} {self.path}")
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, format: str, *args: object) -> None:
        return None


@pytest.fixture(scope="module")
def elsewhere() -> Iterator[str]:
    """A second loopback server that counts every request it gets (it must get none)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Counter)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def url() -> Iterator[EmulatorURL]:
    with run_emulator() as base:
        yield base


@pytest.fixture(scope="module")
def ids(url: EmulatorURL) -> Ids:
    jylo = JyloClient(
        client_id=EMULATOR_KEYS["jylo_client_id"],
        client_secret=EMULATOR_KEYS["jylo_client_secret"],
        project_id=EMULATOR_KEYS["jylo_project_id"],
        base_url=url.jylo,
        token_url=url.jylo_token,
        settings_url=url.jylo_settings,
    )
    from assistant_bridge.zaia import ZaiaClient

    with jylo, ZaiaClient(EMULATOR_KEYS["zaia"], base_url=url.zaia) as zaia:
        model = jylo.list_models()[0].object_identifier
        assistant = jylo.list_assistants().items[0].object_identifier
        chat = str(zaia.list_chats().items[0].id)
        token = httpx.post(
            url.jylo_token,
            data={
                "grant_type": "client_credentials",
                "client_id": EMULATOR_KEYS["jylo_client_id"],
                "client_secret": EMULATOR_KEYS["jylo_client_secret"],
                "audience": "https://jga.jylo.ai/external/v2",
            },
        ).json()["access_token"]
    assert model
    assert assistant
    return Ids(token=token, assistant=assistant, model=model, chat=chat)


def _raised(op: Op, env: Env) -> BaseException:
    try:
        if op.is_async:
            asyncio.run(op.run(env))  # type: ignore[arg-type]
        else:
            op.run(env)
    except Exception as exc:
        return exc
    raise AssertionError(f"{op.name}: no error")


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: BaseException | None = exc
    while seen is not None:
        yield seen
        seen = seen.__cause__ or seen.__context__


def _find(exc: BaseException, kind: type[BaseException]) -> BaseException:
    for item in _chain(exc):
        if isinstance(item, kind):
            return item
    raise AssertionError(f"no {kind.__name__} in {exc!r}")


def test_the_second_server_counts_what_reaches_it(elsewhere: str) -> None:
    before = len(SEEN)
    assert httpx.post(f"{elsewhere}/probe", json={}).status_code == 200
    assert SEEN[before:] == ["POST /probe"]


def test_a_redirect_within_the_origin_is_followed(url: EmulatorURL, ids: Ids) -> None:
    """A same-origin 307 keeps the method and body (the search answers as without it)."""
    from assistant_bridge.unleash import UnleashClient

    plain = Env(url, ids, "", 30.0)
    with plain.unleash() as client:
        expected = client.search("travel", page_size=5).total_results
    target = f"{url.unleash}/search"
    with Env(url, ids, f"redirect:{target};times=1", 30.0).unleash() as client:
        assert isinstance(client, UnleashClient)
        assert client.search("travel", page_size=5).total_results == expected


@pytest.mark.parametrize("op", REDIRECT_OPS, ids=lambda op: op.name)
def test_a_redirect_to_another_host_is_refused(
    op: Op, url: EmulatorURL, ids: Ids, elsewhere: str
) -> None:
    before = len(SEEN)
    target = f"{elsewhere}/stolen"
    error = _find(_raised(op, Env(url, ids, f"redirect:{target}", 30.0)), RedirectError)
    assert isinstance(error, RedirectError)
    assert error.location == target
    assert target in str(error)
    assert error.status_code == 307
    assert SEEN[before:] == []  # nothing reached the other host
    if op.name.startswith("lc."):  # LangChain's twin: same class family, never retried
        raised = _raised(op, Env(url, ids, f"redirect:{target}", 30.0))
        assert isinstance(raised, lc.RedirectError)
        assert raised.is_retryable is False


@pytest.mark.parametrize(
    "op",
    [op for op in REDIRECT_OPS if op.name.split(".")[0] in ("unleash", "zaia")][:4],
    ids=lambda op: op.name,
)
def test_the_default_redirect_elsewhere_is_refused(op: Op, url: EmulatorURL, ids: Ids) -> None:
    error = _find(_raised(op, Env(url, ids, "redirect", 30.0)), RedirectError)
    assert isinstance(error, RedirectError)
    assert (error.location or "").startswith("http://elsewhere.invalid/")


def _secrets(ids: Ids) -> list[str]:
    keys = [
        EMULATOR_KEYS["unleash"],
        EMULATOR_KEYS["zaia"],
        EMULATOR_KEYS["jylo_client_secret"],
        ids.token,
    ]
    return [k for k in keys if k]


def _printable(error: APIStatusError) -> list[str]:
    response = error.response
    return [
        str(error),
        repr(error),
        error.message,
        repr(error.body),
        repr(asdict(error.problem)),
        response.text,
        response.content.decode("utf-8", "replace"),
        repr(response.json()) if response.content.strip() else "",
        repr(dict(response.headers)),
        repr(dict(error.request.headers)) if error.request is not None else "",
        error.request.content.decode("utf-8", "replace") if error.request is not None else "",
        str(error.request.url) if error.request is not None else "",
        repr(dict(response.request.headers)),
    ]


@pytest.mark.parametrize("op", ECHO_OPS, ids=lambda op: op.name)
def test_an_echoed_credential_is_nowhere_in_the_error(op: Op, url: EmulatorURL, ids: Ids) -> None:
    error = _find(_raised(op, Env(url, ids, "echo-auth", 30.0)), APIStatusError)
    assert isinstance(error, APIStatusError)
    assert error.status_code == 400
    assert "Rejected credentials" in str(error.problem.title)
    for text in _printable(error):
        for secret in _secrets(ids):
            assert secret not in text, f"{op.name}: a secret in {text[:120]!r}"


def test_a_token_endpoint_echoing_the_client_secret_hides_it() -> None:
    with run_emulator(faults="echo-auth:401") as base:
        client = JyloClient(
            client_id=EMULATOR_KEYS["jylo_client_id"],
            client_secret=EMULATOR_KEYS["jylo_client_secret"],
            project_id=EMULATOR_KEYS["jylo_project_id"],
            base_url=base.jylo,
            token_url=base.jylo_token,
            settings_url=base.jylo_settings,
            max_retries=0,
        )
        with client, pytest.raises(APIStatusError) as info:
            client.list_assistants()
    error = info.value
    assert str(error.response.request.url).startswith(base.jylo_token)
    assert "client_secret" in error.response.request.content.decode()  # the form, redacted
    for text in _printable(error):
        assert EMULATOR_KEYS["jylo_client_secret"] not in text
