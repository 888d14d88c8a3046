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
| ``empty:KIND`` | a success with nothing in it, instead of the route (see `EMPTY_KINDS`) |
| ``stop-after:N`` | a stream ends cleanly, as if complete, after N events |
| ``short-body`` | the body is sent with a Content-Length longer than it, then cut |
| ``drop-after`` | the route runs (and stores), then the connection closes unanswered |
| ``redirect[:URL]`` | a 307 to URL (default: the same path on ``http://elsewhere.invalid``) |
| ``echo-auth[:STATUS]`` | an error (default 400) whose body echoes the request's credentials |

``;times=K`` limits a fault to the first K requests that carry it (counted per fault
text), so ``503;times=1`` fails once and lets a retry succeed; ``;after=K`` lets the
first K requests that carry it pass, so ``500;after=2;times=1`` fails only the third.
Only the emulator reads this header; the vendors never see it.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

__all__ = ["EMPTY_KINDS", "FAULT_HEADER", "Fault", "FaultBook", "FaultPlan", "parse_faults"]

FAULT_HEADER = "x-emulator-fault"
STATUS_FAULTS = frozenset({429, 500, 502, 503})
_NAMES = (
    "429",
    "500",
    "502",
    "503",
    "drop",
    "cut-after",
    "malformed",
    "slow-first-byte",
    "pace",
    "empty",
    "stop-after",
    "short-body",
    "drop-after",
    "redirect",
    "echo-auth",
)
_NUMERIC = ("429", "500", "502", "503", "cut-after", "slow-first-byte", "pace", "stop-after")
_NEEDS_ARGUMENT = ("cut-after", "slow-first-byte", "pace", "stop-after", "empty")
EMPTY_KINDS: dict[str, str] = {
    "blank": "200 application/json with an empty body",
    "object": "200 with the JSON body {}",
    "array": "200 with the JSON body []",
    "null": "200 with the JSON body null",
    "done": "200 text/event-stream holding only `data: [DONE]`",
    "keepalive": "200 text/event-stream holding only `: keep-alive` comments",
    "html": "200 text/html (a proxy's sign-in page)",
    "204": "204 No Content",
    "3xx": "302 Found without a Location header",
}
"""What ``empty:KIND`` answers, by KIND."""


class FaultSyntaxError(ValueError):
    """A fault set that cannot be read; the emulator answers it with a 400."""


@dataclass(frozen=True)
class Fault:
    """One fault: its name, argument (a number or a word), limits, and its text (the counter key)."""

    name: str
    argument: float | None
    times: int | None
    text: str
    word: str = ""
    after: int = 0


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
    limits: dict[str, int] = {}
    for option in filter(None, (o.strip() for o in options.split(";"))):
        key, _, count = (part.strip() for part in option.partition("="))
        if key not in ("times", "after") or not count.isdigit():
            raise FaultSyntaxError(f"{text!r}: the options are times=K and after=K (whole numbers)")
        limits[key] = int(count)
    argument = argument.strip()
    if name in _NEEDS_ARGUMENT and not argument:
        raise FaultSyntaxError(f"{name} needs an argument, e.g. {name}:1")
    if name == "empty" and argument not in EMPTY_KINDS:
        raise FaultSyntaxError(f"empty: must be one of {', '.join(EMPTY_KINDS)}")
    if name == "echo-auth" and argument and not (argument.isdigit() and 400 <= int(argument) < 600):
        raise FaultSyntaxError("echo-auth: the status must be a number from 400 to 599")
    if name in ("short-body", "drop-after") and argument:
        raise FaultSyntaxError(f"{name} takes no argument")
    number = _number(argument, name) if argument and name in _NUMERIC else None
    return Fault(
        name=name,
        argument=number,
        times=limits.get("times"),
        text=text.strip(),
        word="" if name in _NUMERIC else argument,
        after=limits.get("after", 0),
    )


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
    empty: str | None = None
    stop_after: int | None = None
    short_body: bool = False
    drop_after: bool = False
    redirect: str | None = None
    """The ``Location`` to send: a URL, or ``""`` for the default other origin."""
    echo_auth: int | None = None

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
            if seen < fault.after:
                continue
            if fault.times is not None and seen - fault.after >= fault.times:
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
    elif fault.name == "empty":
        plan.empty = fault.word
    elif fault.name == "stop-after":
        plan.stop_after = int(fault.argument or 0)
    elif fault.name == "short-body":
        plan.short_body = True
    elif fault.name == "drop-after":
        plan.drop_after = True
    elif fault.name == "redirect":
        plan.redirect = fault.word
    elif fault.name == "echo-auth":
        plan.echo_auth = int(fault.word or 400)
