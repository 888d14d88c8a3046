"""The benchmark script still runs (a few repetitions; the numbers are not checked)."""

from __future__ import annotations

import pytest

from tests.benchmarks import bench


def test_the_benchmarks_run_end_to_end(capsys: pytest.CaptureFixture[str]) -> None:
    assert bench.main(["--quick"]) == 0
    out = capsys.readouterr().out
    for number in range(1, 8):
        assert f"| {number} |" in out, f"row {number} is missing"
    assert "FIRST CHUNK WAITED" not in out
