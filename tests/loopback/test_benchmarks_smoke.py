"""The benchmark script still runs (a few repetitions; the numbers are not checked).

Rows 1-8 come from ``bench.py``; rows 9-11 from ``scaling.py``, checked only when that
module exists and defines ``rows``.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from tests.benchmarks import bench


def _has_scaling_rows() -> bool:
    if not Path(bench.__file__).with_name("scaling.py").exists():
        return False
    return callable(getattr(importlib.import_module("tests.benchmarks.scaling"), "rows", None))


def test_the_benchmarks_run_end_to_end(capsys: pytest.CaptureFixture[str]) -> None:
    assert bench.main(["--quick"]) == 0
    out = capsys.readouterr().out
    table = out[out.index("| # | what |") :]
    last = 11 if _has_scaling_rows() else 8
    for number in range(1, last + 1):
        assert f"\n| {number} |" in table, f"row {number} is missing"
    assert "FIRST CHUNK WAITED" not in out
