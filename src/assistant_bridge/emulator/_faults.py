"""Fault injection: what the ``x-emulator-fault`` header (or the start-up default) asks for.

A fault set is a comma-separated list of faults, each ``name[:argument][;times=K]``:

| fault | effect |
|---|---|
| ``429[:SECONDS]`` | 429 problem+json with ``Retry-After`` (default 1 s) |
| ``500``, ``502``, ``503`` | that status with a problem+json body |
| ``drop`` | the connection is closed before any response |
| ``cut-after:N`` | a stream is closed abruptly after N events |
| ``malformed`` | one event of a stream (the second, or the only one) is broken JSON |
| ``slow-first-byte:SECONDS`` | the response starts after SECONDS |
| ``pace:SECONDS`` | a pause of SECONDS between streamed events |

``;times=K`` limits a fault to the first K requests that carry it (counted per fault
text), so ``503;times=1`` fails once and lets a retry succeed. Only the emulator reads
this header; the vendors never see it.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

__all__ = ["FAULT_HEADER", "Fault", "FaultBook", "FaultPlan", "parse_faults"]

FAULT_HEADER = "x-emulator-fault"
STATUS_FAULTS = frozenset({429, 500, 502, 503})
_NAMES = ("429", "500", "502", "503", "drop", "cut-after", "malformed", "slow-first-byte", "pace")


class FaultSyntaxError(ValueError):
    """A fault set that cannot be read; the emulator answers it with a 400."""


@dataclass(frozen=True)
class Fault:
    """One fault: its name, optional argument, optional limit, and its text (the counter key)."""

    name: str
    argument: float | None
    times: int | None
    text: str


def _number(text: str, fault: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise FaultSyntaxError(f"{fault}: {text!r} is not a number") from None
    if value < 0:
        raise FaultSyntaxError(f"{fault}: must not be negative")
    return value


def _parse_one(text: str) -> Fault:
    head, _, options = text.partition(";")
    name, _, argument = head.strip().partition(":")
    name = name.strip().lower()
    if name not in _NAMES:
        raise FaultSyntaxError(f"unknown fault {name!r}; known: {', '.join(_NAMES)}")
    times: int | None = None
    for option in filter(None, (o.strip() for o in options.split(";"))):
        key, _, count = option.partition("=")
        if key.strip() != "times" or not count.strip().isdigit():
            raise FaultSyntaxError(f"{text!r}: the only option is times=K (a whole number)")
        times = int(count)
    needs_argument = name in ("cut-after", "slow-first-byte", "pace")
    if needs_argument and not argument.strip():
        raise FaultSyntaxError(f"{name} needs an argument, e.g. {name}:1")
    value = _number(argument.strip(), name) if argument.strip() else None
    return Fault(name=name, argument=value, times=times, text=text.strip())


def parse_faults(header: str | None) -> tuple[Fault, ...]:
    """Read a fault set; an empty or missing one is no faults."""
    if not header or not header.strip():
        return ()
    return tuple(_parse_one(part) for part in header.split(",") if part.strip())


@dataclass
class FaultPlan:
    """The faults that apply to one request, after the ``times`` limits were counted."""

    status: int | None = None
    retry_after: float = 1.0
    drop: bool = False
    cut_after: int | None = None
    malformed: bool = False
    slow_first_byte: float = 0.0
    pace: float = 0.0

    @property
    def any(self) -> bool:
        """Whether any fault applies."""
        return self != FaultPlan()


@dataclass
class FaultBook:
    """The emulator's default faults and the per-fault request counters (thread-safe)."""

    default: tuple[Fault, ...] = ()
    counts: dict[str, int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def plan(self, header: str | None) -> FaultPlan:
        """Count this request against each fault it names and return what applies to it."""
        plan = FaultPlan()
        for fault in (*self.default, *parse_faults(header)):
            with self._lock:
                seen = self.counts.get(fault.text, 0)
                self.counts[fault.text] = seen + 1
            if fault.times is not None and seen >= fault.times:
                continue
            _apply(plan, fault)
        return plan

    def reset(self) -> None:
        """Forget every counter (a new test starts from zero)."""
        with self._lock:
            self.counts.clear()


def _apply(plan: FaultPlan, fault: Fault) -> None:
    if fault.name.isdigit():
        plan.status = int(fault.name)
        if fault.argument is not None:
            plan.retry_after = fault.argument
    elif fault.name == "drop":
        plan.drop = True
    elif fault.name == "cut-after":
        plan.cut_after = int(fault.argument or 0)
    elif fault.name == "malformed":
        plan.malformed = True
    elif fault.name == "slow-first-byte":
        plan.slow_first_byte = fault.argument or 0.0
    elif fault.name == "pace":
        plan.pace = fault.argument or 0.0
