"""No committed cassette holds a key, token, client secret or a machine-specific address."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from assistant_bridge.emulator import EMULATOR_KEYS

CASSETTES = Path(__file__).resolve().parents[2] / "cassettes"
FILES = sorted(CASSETTES.rglob("*.yaml"))
PATTERNS = [
    re.compile(r"(?i)bearer\s+(?!<redacted>)[A-Za-z0-9._~+/-]{8,}"),
    re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"),  # a JWT
    re.compile(r"client_secret=(?!PLACEHOLDER\b)[^&'\s]+"),
    re.compile(
        r'(?i)"(?:access_?token|refresh_?token|id_?token|token|client_?secret|api_?key|password)"'
        r'\s*:\s*"(?!<redacted>)'
    ),
    re.compile(r"(?i)[?&](?:api_?key|access_?token|token|client_?secret)=(?!PLACEHOLDER\b)"),
    re.compile(r"127\.0\.0\.1|localhost:\d+"),
]


def test_there_are_cassettes() -> None:
    assert len(FILES) >= 50


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_cassette_holds_no_secret(path: Path) -> None:
    text = path.read_text()
    for key in EMULATOR_KEYS.values():
        if "-key" in key or "secret" in key:
            assert key not in text
    for pattern in PATTERNS:
        match = pattern.search(text)
        assert match is None, f"{pattern.pattern} matched {match.group()[:40]!r}"


@pytest.mark.parametrize(
    "leak",
    [
        "authorization: Bearer emulator-unleash-key",
        "access_token: eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.sig",
        "body: grant_type=client_credentials&client_secret=s3cr3t&audience=x",
        'string: \'{"access_token":"abc","expires_in":3600}\'',
        "host: 127.0.0.1:41067",
        'string: \'{"accessToken":"abc","token":"abc"}\'',
        'string: \'{"clientSecret":"abc"}\'',
        "uri: http://emulator.test/x?api_key=abc",
        "detail: These credentials were refused: authorization=Bearer abcdefgh123",
    ],
)
def test_the_checks_catch_a_leak(leak: str) -> None:
    assert any(p.search(leak) for p in PATTERNS)


def test_scrubbing_removes_secrets_from_requests_and_responses() -> None:
    from vcr.request import Request

    from tests.replay import _vcr

    request = Request(
        "POST",
        "http://127.0.0.1:5555/jylo/oauth/token",
        b"grant_type=client_credentials&client_id=c&client_secret=s3cr3t",
        {
            "Authorization": "Bearer tok",
            "content-type": "application/x-www-form-urlencoded",
            "host": "127.0.0.1:5555",
        },
    )
    _vcr.origins.append("http://127.0.0.1:5555")
    try:
        scrubbed = _vcr.scrub_request(request)
    finally:
        _vcr.origins.remove("http://127.0.0.1:5555")
    assert scrubbed.uri == "http://emulator.test/jylo/oauth/token"
    assert b"s3cr3t" not in scrubbed.body
    assert scrubbed.headers["Authorization"] == "<redacted>"
    response = {
        "status": {"code": 200},
        "headers": {"Content-Type": ["application/json"], "Date": ["x"], "Content-Length": ["40"]},
        "body": {"string": b'{"access_token":"tok-123","expires_in":3600}'},
    }
    cleaned = _vcr.scrub_response(response)
    assert b"tok-123" not in cleaned["body"]["string"]
    assert "Date" not in cleaned["headers"]
    assert cleaned["headers"]["Content-Length"] == [str(len(cleaned["body"]["string"]))]


# -- the scrubber, one shape at a time ----------------------------------------------------
LEAK = "s3cr3t-VALUE-0123456789"


def _scrub(body: str | bytes, content_type: str | None) -> str:
    from tests.replay import _vcr

    return _vcr.normalise_body(body, content_type).decode()


@pytest.mark.parametrize(
    "name",
    [
        "accessToken",
        "access_token",
        "token",
        "Token",
        "clientSecret",
        "client_secret",
        "password",
        "apiKey",
        "api_key",
        "API_KEY",
        "refreshToken",
        "x-auth-token",
        "sessionToken",
        "credentials",
    ],
)
def test_any_json_key_naming_a_credential_is_scrubbed_at_any_depth(name: str) -> None:
    body = json.dumps({"outer": [{"inner": {name: LEAK}}, {name: LEAK}], name: LEAK})
    cleaned = _scrub(body, "application/json")
    assert LEAK not in cleaned
    assert json.loads(cleaned)["outer"][0]["inner"][name] == "<redacted>"


@pytest.mark.parametrize(
    "name", ["nextToken", "maxOutputToken", "tokenCount", "token_type", "maxTokens"]
)
def test_paging_cursors_and_counts_named_like_tokens_are_kept(name: str) -> None:
    body = json.dumps({name: "keep-me-1234567"})
    assert "keep-me-1234567" in _scrub(body, "application/json")


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/problem+json", json.dumps({"title": "Bad", "clientSecret": LEAK})),
        ("text/plain", json.dumps({"accessToken": LEAK})),  # JSON labelled as text
        ("text/plain; charset=utf-8", f"refused: client_secret={LEAK}"),
        ("text/html", f"<p>Authorization: Bearer {LEAK}</p>"),
        ("text/event-stream", f'event: error\ndata: {{"token": "{LEAK}"}}\n\n'),
        ("text/event-stream", f"data: Bearer {LEAK}\n\n"),
        ("application/x-www-form-urlencoded", f"grant_type=client_credentials&clientSecret={LEAK}"),
        ("application/x-www-form-urlencoded", f"username=u&password={LEAK}"),
        (None, json.dumps({"nested": {"api_key": LEAK}})),
    ],
)
def test_every_content_type_is_scrubbed(content_type: str | None, body: str) -> None:
    assert LEAK not in _scrub(body, content_type)


def test_an_event_stream_keeps_its_clean_lines_as_they_were() -> None:
    body = 'event: message\ndata: {"text": "a"}\n\ndata: {"token":"' + LEAK + '"}\n\n'
    cleaned = _scrub(body, "text/event-stream")
    assert cleaned.startswith('event: message\ndata: {"text": "a"}\n\n')
    assert LEAK not in cleaned


def test_an_echoed_bearer_string_is_scrubbed_anywhere_in_a_body() -> None:
    body = json.dumps({"detail": f"These credentials were refused: authorization=Bearer {LEAK}"})
    cleaned = _scrub(body, "application/problem+json")
    assert LEAK not in cleaned
    assert "refused" in cleaned


def test_secrets_in_a_query_string_are_scrubbed() -> None:
    from tests.replay import _vcr

    uri = f"http://emulator.test/x?api_key={LEAK}&pageSize=10&access_token={LEAK}&nextToken=n1"
    cleaned = _vcr.scrub_uri(uri)
    assert LEAK not in cleaned
    assert "pageSize=10" in cleaned
    assert "nextToken=n1" in cleaned
    assert (
        _vcr.scrub_uri("http://emulator.test/x?pageNumber=1")
        == "http://emulator.test/x?pageNumber=1"
    )


@pytest.mark.parametrize(
    "header",
    [
        "Authorization",
        "x-api-key",
        "X-Auth-Token",
        "api-key",
        "Cookie",
        "Proxy-Authorization",
        "x-access-token",
    ],
)
def test_the_usual_auth_headers_are_scrubbed(header: str) -> None:
    from vcr.request import Request

    from tests.replay import _vcr

    request = Request(
        "GET", "http://emulator.test/x", b"", {header: LEAK, "accept": "application/json"}
    )
    assert _vcr.scrub_request(request).headers[header] == "<redacted>"
    response = {"headers": {header: [LEAK], "Set-Cookie": [LEAK]}, "body": {"string": b""}}
    cleaned = _vcr.scrub_response(response)
    assert cleaned["headers"].get(header) == ["<redacted>"]
    assert "Set-Cookie" not in cleaned["headers"]


def test_the_scrubber_leaves_the_recorded_cassettes_as_they_are(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Scrubbing is idempotent on what was recorded: the cassettes replay unchanged.

    Secrets other tests registered process-wide (a Jylo token literally named ``"ready"``)
    are set aside: they were not registered when the cassettes were recorded.
    """
    import yaml

    from assistant_bridge._transport import _logging
    from tests.replay import _vcr

    monkeypatch.setattr(_logging, "_secrets", set())
    monkeypatch.setattr(_logging, "_pattern", None)

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    for path in FILES:
        for item in yaml.load(path.read_text(), Loader=loader).get("interactions", []):
            request, response = item["request"], item["response"]
            assert _vcr.scrub_uri(request["uri"]) == request["uri"]
            for part in (request, response):
                body = part.get("body")
                raw = body.get("string") if isinstance(body, dict) else body
                if raw is None:
                    continue
                expected = raw.encode() if isinstance(raw, str) else bytes(raw)
                content_type = _vcr._header(part.get("headers", {}), "content-type")
                assert _vcr.normalise_body(raw, content_type) == expected, path.name
