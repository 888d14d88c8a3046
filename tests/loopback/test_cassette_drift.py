"""The committed cassettes are exactly what the emulator records today (no drift)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
CASSETTES = ROOT / "cassettes"
RECORD_COMMAND = [
    sys.executable,
    "-m",
    "pytest",
    "-q",
    "-p",
    "no:cacheprovider",
    "-p",
    "no:codspeed",
    "tests/replay",
    "--record-mode=rewrite",
    "--benchmark-disable",
]


# These post two messages at once into one Jylo conversation (batch): the emulator orders
# them by arrival, so which reply gets which id and date may swap between recordings.
# For them the requests must match exactly and the replies' texts too, ids and dates aside.
ARRIVAL_ORDERED = {
    "test_lc_standard_integration/TestChatJyloIntegration.test_batch.yaml",
    "test_lc_standard_integration/TestChatJyloIntegration.test_abatch.yaml",
}
_ORDER_FIELDS = re.compile(r'(\\?"(?:objectIdentifier|dateAdded)\\?"\s*:\s*\\?")[^"\\]*')


def interactions(path: Path, *, arrival_ordered: bool = False) -> list[str]:
    """A cassette's interactions in a canonical order (concurrent calls record in any order)."""
    data: dict[str, Any] = yaml.safe_load(path.read_text())
    found = [json.dumps(i, sort_keys=True, default=str) for i in data["interactions"]]
    if arrival_ordered:
        found = [_ORDER_FIELDS.sub(r"\1*", i) for i in found]
    return sorted(found)


def test_re_recording_every_cassette_from_the_emulator_changes_nothing(tmp_path: Path) -> None:
    env = {**os.environ, "ASSISTANT_BRIDGE_CASSETTES": str(tmp_path)}
    run = subprocess.run(
        RECORD_COMMAND, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    committed = sorted(p.relative_to(CASSETTES) for p in CASSETTES.rglob("*.yaml"))
    fresh = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*.yaml"))
    assert committed, "no cassettes committed"
    assert fresh == committed, "re-recording made a different set of cassettes"
    drifted = [
        str(p)
        for p in committed
        if interactions(CASSETTES / p, arrival_ordered=p.as_posix() in ARRIVAL_ORDERED)
        != interactions(tmp_path / p, arrival_ordered=p.as_posix() in ARRIVAL_ORDERED)
    ]
    assert not drifted, f"cassettes differ from a fresh recording (re-record them): {drifted}"
