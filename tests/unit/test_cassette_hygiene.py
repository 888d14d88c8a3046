"""No committed cassette holds a key, token, client secret or a machine-specific address."""

from __future__ import annotations

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
    re.compile(r'"access_token"\s*:\s*"(?!<redacted>)'),
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
        {"Authorization": "Bearer tok", "content-type": "application/x-www-form-urlencoded", "host": "127.0.0.1:5555"},
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
