"""Client-side stop sequences: cut the answer before the first one (the APIs have none)."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["StopGuard"]


class StopGuard:
    """Cuts text at the first stop sequence, holding back a possible partial match."""

    def __init__(self, stop: Sequence[str] | None) -> None:
        self.stop = [s for s in (stop or []) if s]
        self._hold = max((len(s) for s in self.stop), default=1) - 1
        self._buffer = ""
        self.stopped = False

    def cut(self, text: str) -> tuple[str, bool]:
        """``text`` up to the first stop sequence, and whether one was found."""
        if not self.stop:
            return text, False
        ends = [i for i in (text.find(s) for s in self.stop) if i >= 0]
        return (text[: min(ends)], True) if ends else (text, False)

    def feed(self, delta: str) -> str:
        """The part of ``delta`` that is safe to emit now."""
        if not self.stop:
            return delta  # nothing to look for, nothing held back
        if self.stopped:
            return ""
        text, found = self.cut(self._buffer + delta)
        if found:
            self.stopped = True
            self._buffer = ""
            return text
        cut = max(len(text) - self._hold, 0)
        self._buffer = text[cut:]
        return text[:cut]

    def drop_held(self) -> None:
        """Forget the held-back text (the caller re-feeds everything not yet emitted)."""
        self._buffer = ""

    def flush(self) -> str:
        """What is held back, at the end of the stream."""
        text, self._buffer = self._buffer, ""
        return "" if self.stopped else text
