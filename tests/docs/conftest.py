"""Fixtures of the documentation tests."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.notebooks import VENDOR_PREFIXES


@pytest.fixture(scope="module")
def emulated_vendors() -> Iterator[str]:
    """One emulator for every page; the vendor variables point at it."""
    from assistant_bridge.emulator import emulator_env, run_emulator

    patch = pytest.MonkeyPatch()
    try:
        with run_emulator() as url:
            for key in list(os.environ):
                if key.startswith(VENDOR_PREFIXES) or key == "AGENT_MODEL":
                    patch.delenv(key)
            for key, value in emulator_env(url).items():
                patch.setenv(key, value)
            yield str(url)
    finally:
        patch.undo()
