"""How the benchmark rows are timed and reported: interleaved, with a spread.

How a row is timed (`paired`):

- both callables are first warmed up (a tenth of a batch each: imports, pools, caches);
- then, for each of ``plan.repeat`` repetitions, a batch of ``number`` calls of each side
  is timed with ``perf_counter``, the side that goes first alternating from one
  repetition to the next, so drift (frequency scaling, a neighbour on the machine, the
  heap growing) falls on both sides alike;
- before every batch `settle` runs ``gc.collect()`` then ``gc.freeze()``: no batch pays
  for the garbage the other side left behind, and everything alive so far (the imported
  frameworks, the bodies) moves to the permanent generation, so a collection inside a
  batch scans only what the batch itself allocated (a full collection over the whole
  heap costs about 0.3 s here and would land on one side at random). The collector stays
  enabled inside a batch, so each side pays for the collections its own allocations
  trigger, as it would in use. `main` unfreezes the heap when the run ends (the smoke
  test shares its process);
- the ratio ours / baseline is taken per repetition (both batches of a repetition ran
  back to back); a row shows each side's median time per call and the ratio's median
  with its min-max spread across repetitions, e.g. ``1.41 (1.35-1.52)``.

Measurements that time themselves (a stream's first chunk, a fresh interpreter's import,
a run of concurrent streams) go through `alternate`: ``runs`` of each side, the order
alternating, the ratio (or difference) taken per run.

Where a row has a numeric target, its note says ``within target`` or ``OVER TARGET``
(``UNDER TARGET`` for a throughput floor), judged by the median; when the median meets
the target but the worst repetition does not, the note says so. The header names the
machine and its load average at the start and end of the run: on a shared machine other
work widens every spread.
"""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Row:
    """One line of the table."""

    number: int
    name: str
    ours: str
    baseline: str
    ratio: str
    target: str
    note: str = ""


@dataclass(frozen=True)
class Plan:
    """How hard to measure.

    ``number`` calls per timed batch (rows divide it for slow calls), ``repeat``
    interleaved repetitions per row, ``concurrency`` streams in row 6, ``ttfc_runs``
    loopback streams per side in row 5, ``first_token_runs`` in-process streams per path
    and repetition in row 5, ``concurrency_runs`` runs per side in row 6,
    ``import_runs`` fresh interpreters per side in row 7.
    """

    number: int
    repeat: int
    concurrency: int
    ttfc_runs: int
    import_runs: int
    first_token_runs: int = 20
    concurrency_runs: int = 1


FULL = Plan(
    number=200,
    repeat=9,
    concurrency=200,
    ttfc_runs=601,
    import_runs=11,
    first_token_runs=30,
    concurrency_runs=3,
)
QUICK = Plan(number=5, repeat=2, concurrency=20, ttfc_runs=2, import_runs=1, first_token_runs=3)


# -- summaries and targets --------------------------------------------------------------------
def _two(value: float) -> str:
    return f"{value:.2f}"


@dataclass(frozen=True)
class Spread:
    """Values measured once per repetition, summarised as median and min-max."""

    values: tuple[float, ...]

    @property
    def median(self) -> float:
        """The median value."""
        return statistics.median(self.values)

    @property
    def low(self) -> float:
        """The smallest value."""
        return min(self.values)

    @property
    def high(self) -> float:
        """The largest value."""
        return max(self.values)

    def text(self, fmt: Callable[[float], str] = _two, sep: str = "-") -> str:
        """``"1.41 (1.35-1.52)"``: the median, then the min-max spread."""
        return f"{fmt(self.median)} ({fmt(self.low)}{sep}{fmt(self.high)})"


@dataclass(frozen=True)
class Target:
    """A numeric target: the value at most (or, ``at_least``, at least) ``limit``."""

    limit: float
    at_least: bool = False
    label: str = ""
    """How the table shows the target (default ``"<= 1.5"`` / ``">= 0.7"``)."""

    def __str__(self) -> str:
        return self.label or f"{'>=' if self.at_least else '<='} {self.limit:g}"

    def met(self, value: float) -> bool:
        """Whether ``value`` meets the target."""
        return value >= self.limit if self.at_least else value <= self.limit

    def note(self, spread: Spread, fmt: Callable[[float], str] = _two) -> str:
        """``within target`` / ``OVER TARGET`` / ``UNDER TARGET`` by the median."""
        if not self.met(spread.median):
            return "UNDER TARGET" if self.at_least else "OVER TARGET"
        worst = spread.low if self.at_least else spread.high
        if self.met(worst):
            return "within target"
        return f"within target (worst repetition {fmt(worst)})"


# -- timing ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Paired:
    """Seconds per call of ours and of the baseline, one value per repetition."""

    ours: tuple[float, ...]
    baseline: tuple[float, ...]

    @property
    def ours_median(self) -> float:
        """Ours: median seconds per call."""
        return statistics.median(self.ours)

    @property
    def baseline_median(self) -> float:
        """The baseline: median seconds per call."""
        return statistics.median(self.baseline)

    @property
    def ratio(self) -> Spread:
        """Ours / baseline (time), per repetition."""
        return Spread(tuple(a / b for a, b in zip(self.ours, self.baseline, strict=True)))

    @property
    def throughput_ratio(self) -> Spread:
        """Baseline / ours (time), i.e. our throughput over the baseline's, per repetition."""
        return Spread(tuple(b / a for a, b in zip(self.ours, self.baseline, strict=True)))


def settle() -> None:
    """Collect garbage, then freeze what is alive so later collections skip it."""
    gc.collect()
    gc.freeze()


def unfreezing(main: Callable[[list[str] | None], int], argv: list[str] | None) -> int:
    """``main(argv)``, then the heap `settle` froze is unfrozen.

    A caller in the same process (the smoke test) gets its heap back.
    """
    try:
        return main(argv)
    finally:
        gc.unfreeze()


def _batch(fn: Callable[[], Any], calls: int) -> float:
    """Seconds per call of ``calls`` calls of ``fn``, after `settle`."""
    settle()
    start = time.perf_counter()
    for _ in range(calls):
        fn()
    return (time.perf_counter() - start) / calls


def paired(
    ours: Callable[[], Any],
    baseline: Callable[[], Any],
    plan: Plan,
    number: int | None = None,
) -> Paired:
    """Time ``ours`` against ``baseline`` interleaved: ``plan.repeat`` batches of each.

    ``number`` calls per batch (default ``plan.number``). Both sides are warmed up first;
    the side timed first alternates from one repetition to the next.
    """
    calls = number or plan.number
    sides = (ours, baseline)
    for fn in sides:
        for _ in range(max(1, calls // 10)):
            fn()
    samples: tuple[list[float], list[float]] = ([], [])
    for rep in range(plan.repeat):
        for side in (0, 1) if rep % 2 == 0 else (1, 0):
            samples[side].append(_batch(sides[side], calls))
    return Paired(tuple(samples[0]), tuple(samples[1]))


def alternate(ours: Callable[[], float], baseline: Callable[[], float], runs: int) -> Paired:
    """Run two measurements that time themselves ``runs`` times each, alternating order."""
    samples: tuple[list[float], list[float]] = ([], [])
    sides = (ours, baseline)
    for run in range(runs):
        for side in (0, 1) if run % 2 == 0 else (1, 0):
            samples[side].append(sides[side]())
    return Paired(tuple(samples[0]), tuple(samples[1]))


def us(seconds: float) -> str:
    """Seconds as whole microseconds."""
    return f"{seconds * 1e6:,.0f} µs"


def ms(seconds: float) -> str:
    """Seconds as milliseconds, one decimal."""
    return f"{seconds * 1e3:,.1f} ms"


def timed_row(
    number: int,
    name: str,
    result: Paired,
    baseline: str,
    target: Target | None,
    *,
    unit: Callable[[float], str] = us,
    note: str = "",
) -> Row:
    """A row for a time ratio: medians, the ratio's median and spread, the verdict."""
    ratio = result.ratio
    verdict = target.note(ratio) if target else ""
    return Row(
        number,
        name,
        unit(result.ours_median),
        f"{unit(result.baseline_median)} ({baseline})",
        ratio.text(),
        str(target) if target else "(report)",
        "; ".join(part for part in (verdict, note) if part),
    )
