"""Replayed tests: cassettes under ``cassettes/``, recorded from the emulator.

By default (``--record-mode=none``) every test in ``tests/replay`` replays its cassette
with sockets blocked, and the clients are pointed at the canonical origin
``http://emulator.test`` by environment variables. With ``--record-mode=rewrite`` (see
"Re-recording cassettes" in CONTRIBUTING.md) the emulator is started on loopback, the clients are
pointed at it, and the cassettes are written again. ``ASSISTANT_BRIDGE_CASSETTES`` puts
them in another folder (the drift test uses that). ``ASSISTANT_BRIDGE_VENDORS=real``
records from the real vendors instead (the vendor env vars are left as they are), into
``ASSISTANT_BRIDGE_CASSETTES`` only.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from . import _vcr

ROOT = Path(__file__).resolve().parents[2]


def real_vendors() -> bool:
    """Whether a maintainer asked to record against the real vendors (their env vars kept)."""
    return os.environ.get("ASSISTANT_BRIDGE_VENDORS", "").strip().lower() == "real"


def recording(config: pytest.Config) -> bool:
    """Whether this run records cassettes (any record mode but ``none``)."""
    return config.getoption("--record-mode", default="none") not in (None, "none")


def pytest_recording_configure(config: pytest.Config, vcr: Any) -> None:
    """Register the body matcher that ignores secrets and multipart boundaries."""
    vcr.register_matcher("normalised_body", _vcr.body_matcher)


@pytest.fixture(scope="session", autouse=True)
def vendor_env(request: pytest.FixtureRequest) -> Iterator[str]:
    """Point every client at the emulator (recording) or the canonical origin (replay)."""
    from assistant_bridge.emulator import emulator_env, run_emulator

    patch = pytest.MonkeyPatch()
    try:
        if real_vendors():
            if not recording(request.config) or not os.environ.get("ASSISTANT_BRIDGE_CASSETTES"):
                pytest.exit(
                    "ASSISTANT_BRIDGE_VENDORS=real records only, into ASSISTANT_BRIDGE_CASSETTES "
                    "(never cassettes/): add --record-mode=rewrite and set that folder",
                    returncode=2,
                )
            yield ""
        elif recording(request.config):
            with run_emulator() as url:
                _vcr.origins.append(str(url))
                for key, value in emulator_env(url).items():
                    patch.setenv(key, value)
                yield str(url)
        else:
            for key, value in emulator_env(_vcr.CANONICAL_ORIGIN).items():
                patch.setenv(key, value)
            yield _vcr.CANONICAL_ORIGIN
    finally:
        patch.undo()


@pytest.fixture(autouse=True)
def fresh_emulator(request: pytest.FixtureRequest, vendor_env: str) -> None:
    """Reset the emulator's state before each recorded test (nothing to do on replay)."""
    if recording(request.config) and not real_vendors():
        import httpx

        httpx.post(f"{vendor_env}/_emulator/reset", timeout=5).raise_for_status()


_SET_ASIDE = pytest.StashKey[tuple[set[str], Any]]()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Set aside the secrets other tests registered process-wide while one replays.

    Redaction removes every registered secret from what the client reads, and vcrpy passes
    a cassette's responses through the scrubber when it loads them (before any fixture of
    the test runs): a word another test used as a token (``"ready"``) would be cut out of a
    recorded answer. The cassettes were recorded with only their own secrets registered.
    """
    from assistant_bridge._transport import _logging

    item.stash[_SET_ASIDE] = (_logging._secrets, _logging._pattern)
    _logging._secrets, _logging._pattern = set(), None


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item: pytest.Item) -> None:
    """Give back the secrets set aside for the test (after its fixtures are torn down)."""
    from assistant_bridge._transport import _logging

    saved = item.stash.get(_SET_ASIDE, None)
    if saved is not None:
        _logging._secrets, _logging._pattern = saved


@pytest.fixture(scope="module")
def vcr_config() -> dict[str, Any]:
    """Match on method, URI and normalised body; scrub before anything is written."""
    return {
        "match_on": ["method", "uri", "normalised_body"],
        "before_record_request": _vcr.scrub_request,
        "before_record_response": _vcr.scrub_response,
        "decode_compressed_response": True,
        "record_on_exception": False,
        "allow_playback_repeats": False,
    }


@pytest.fixture(scope="module")
def vcr_cassette_dir(request: pytest.FixtureRequest) -> str:
    """``cassettes/<test module>/`` (or under ``ASSISTANT_BRIDGE_CASSETTES``)."""
    base = Path(os.environ.get("ASSISTANT_BRIDGE_CASSETTES") or ROOT / "cassettes")
    return str(base / request.module.__name__.rsplit(".", 1)[-1])


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """langchain-tests' ``test_stream_time`` benchmarks one recorded stream many times."""
    for item in items:
        if item.name.startswith("test_stream_time") and "replay" in str(item.path):
            item.add_marker(pytest.mark.vcr(allow_playback_repeats=True))
