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


@pytest.mark.parametrize("module", ["tests.benchmarks.bench", "tests.benchmarks.scaling"])
def test_help_prints_the_options_and_runs_nothing(
    module: str, capsys: pytest.CaptureFixture[str]
) -> None:
    main = importlib.import_module(module).main
    with pytest.raises(SystemExit) as exit_help:
        main(["--help"])
    assert exit_help.value.code == 0
    out = capsys.readouterr().out
    assert "--quick" in out
    assert "| # | what |" not in out  # no row was run
    with pytest.raises(SystemExit) as exit_unknown:
        main(["--quik"])
    assert exit_unknown.value.code == 2
    assert "unrecognized arguments: --quik" in capsys.readouterr().err


def test_import_timings_write_bytecode_caches() -> None:
    # A module edited since its cache was written is compiled on every import when
    # PYTHONDONTWRITEBYTECODE is set: the import rows' children must not inherit it.
    assert "PYTHONDONTWRITEBYTECODE" not in bench._IMPORT_ENV


def test_the_guide_shows_the_latest_results() -> None:
    # `--write` rewrites RESULTS.md and the guide's copy together; they must not drift.
    start, end = bench.GUIDE_MARKS
    guide = bench.GUIDE.read_text(encoding="utf-8")
    shown = guide.split(start, 1)[1].split(end, 1)[0].strip()
    assert shown == bench.guide_table(Path(bench.__file__).with_name("RESULTS.md"))


def test_writing_the_guide_table_replaces_only_the_marked_block(tmp_path: Path) -> None:
    results = tmp_path / "RESULTS.md"
    results.write_text(
        "# Benchmark results\n\nMachine: Box, 2 cores. At the start of the run: load 0.1.\n\n"
        "| # | what |\n|---|---|\n| 1 | x |\n",
        encoding="utf-8",
    )
    guide = tmp_path / "guide.md"
    start, end = bench.GUIDE_MARKS
    guide.write_text(f"# Title\n\n{start}\nold table\n{end}\n\nAfter.\n", encoding="utf-8")
    bench.write_guide_table(results, guide)
    assert guide.read_text(encoding="utf-8") == (
        f"# Title\n\n{start}\nThe latest run (Box, 2 cores):\n\n"
        f"| # | what |\n|---|---|\n| 1 | x |\n{end}\n\nAfter.\n"
    )
