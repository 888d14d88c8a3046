"""Streamed text joined once: the buffer behind every assembler of streamed text.

Shared by the Unleash and Jylo assemblers and the LlamaIndex answer stream, which all
receive an answer in many small pieces and must stay linear in its length.
"""

from __future__ import annotations

from typing import Literal

__all__ = ["TextBuffer"]


class TextBuffer:
    """Streamed text pieces in one mode, joined only when the text is read.

    Appending a piece costs the piece, not the text so far, so a stream of many small
    pieces assembles in linear time; reading `text` joins what is pending once. Pieces
    are joined in groups as they arrive, so thousands of small strings are not all kept
    alive at once.
    """

    __slots__ = ("_joined", "_recent", "mode")

    _GROUP = 64
    """Recent pieces are joined into one string when this many have arrived."""

    def __init__(self, mode: Literal["delta", "snapshot"] = "delta") -> None:
        self.mode = mode
        self._joined: list[str] = []  # groups of pieces, each joined once
        self._recent: list[str] = []

    def add(self, piece: str) -> None:
        """Apply ``piece``: appended in delta mode, replacing in snapshot mode.

        An empty piece carries nothing in either mode (a chunk of another kind).
        """
        if not piece:
            return
        if self.mode == "delta":
            recent = self._recent
            recent.append(piece)
            if len(recent) == self._GROUP:
                self._joined.append("".join(recent))
                recent.clear()
        else:
            self._joined, self._recent = [piece], []

    def __bool__(self) -> bool:
        """Whether any text arrived."""
        return bool(self._joined or self._recent)

    @property
    def text(self) -> str:
        """The whole text."""
        if self._recent:
            self._joined.append("".join(self._recent))
            self._recent.clear()
        joined = self._joined
        if len(joined) > 1:
            self._joined = joined = ["".join(joined)]
        return joined[0] if joined else ""
