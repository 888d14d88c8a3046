"""The committed cassettes are exactly what the emulator records today (no drift)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
CASSETTES = ROOT / "cassettes"
RECORD_COMMAND = [
    sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:codspeed",
    "tests/replay", "--record-mode=all", "--benchmark-disable",
]


def interactions(path: Path) -> list[str]:
    """A cassette's interactions in a canonical order (concurrent calls record in any order)."""
    data: dict[str, Any] = yaml.safe_load(path.read_text())
    return sorted(json.dumps(i, sort_keys=True, default=str) for i in data["interactions"])


def test_re_recording_every_cassette_from_the_emulator_changes_nothing(tmp_path: Path) -> None:
    env = {**os.environ, "ASSISTANT_BRIDGE_CASSETTES": str(tmp_path)}
    run = subprocess.run(RECORD_COMMAND, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    committed = sorted(p.relative_to(CASSETTES) for p in CASSETTES.rglob("*.yaml"))
    fresh = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*.yaml"))
    assert committed, "no cassettes committed"
    assert fresh == committed, "re-recording made a different set of cassettes"
    drifted = [str(p) for p in committed if interactions(CASSETTES / p) != interactions(tmp_path / p)]
    assert not drifted, f"cassettes differ from a fresh recording (re-record them): {drifted}"
