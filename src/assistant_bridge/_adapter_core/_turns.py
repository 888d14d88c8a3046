"""Earlier turns a Jylo assistant has not seen, folded into the text that is posted.

Framework-free; `ChatJylo` (LangChain) and `Jylo` (LlamaIndex) share it so both post the
same text for the same conversation. A Jylo assistant keeps its own conversation and
takes one message per post, so what it has not seen (system instructions, turns kept
elsewhere) must travel inside the posted text. `fold_turns` builds that text:

```text
System instructions:
<each system message, separated by a blank line>

Earlier conversation:
User: <an earlier human message>
Assistant: <an earlier AI message>

Question:
<the newest human message>
```

A section is left out when it has nothing; with neither instructions nor earlier turns
the text is the question alone, unchanged. `UnseenTurns` names what the adapters do with
such messages: ``"fold"`` (the default, as above), ``"raise"`` (an `InvalidRequestError`
naming them) or ``"ignore"`` (post the question alone, the caller's explicit choice).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal, TypeVar

from .._transport import InvalidRequestError

__all__ = ["Turn", "UnseenTurns", "fold_turns", "seen_until", "unseen", "unseen_error"]

UnseenTurns = Literal["fold", "raise", "ignore"]
"""The settings of ``unseen_turns`` (the adapters' fields validate against it)."""
SYSTEM = "System"
_T = TypeVar("_T")


def seen_until(earlier: Sequence[_T], stored: Callable[[_T], bool]) -> int:
    """How many leading messages the assistant has seen: up to its newest ``stored`` one."""
    for index in range(len(earlier) - 1, -1, -1):
        if stored(earlier[index]):
            return index + 1
    return 0


def unseen(
    earlier: Sequence[_T], stored: Callable[[_T], bool], is_system: Callable[[_T], bool]
) -> list[tuple[int, _T]]:
    """The earlier messages the assistant has not seen, with their index.

    Every system message (instructions for this call), and every message after the
    newest one the assistant stores (``stored``), or all of them when none is.
    """
    seen = seen_until(earlier, stored)
    return [(i, m) for i, m in enumerate(earlier) if i >= seen or is_system(m)]


@dataclass(frozen=True)
class Turn:
    """One message the assistant has not seen: its role, text and place in the list."""

    role: str  # "System", "User" or "Assistant"
    text: str
    where: str  # e.g. "messages[0]"
    kind: str  # the message's type name, for errors


def fold_turns(turns: Sequence[Turn], question: str) -> str:
    """The text to post: system instructions, earlier turns, then the question."""
    system = [t.text.strip("\n") for t in turns if t.role == SYSTEM]
    earlier = [f"{t.role}: {t.text.strip(chr(10))}" for t in turns if t.role != SYSTEM]
    if not system and not earlier:
        return question
    parts: list[str] = []
    if system:
        parts.append("System instructions:\n" + "\n\n".join(system))
    if earlier:
        parts.append("Earlier conversation:\n" + "\n".join(earlier))
    parts.append("Question:\n" + question)
    return "\n\n".join(parts)


def unseen_error(turns: Sequence[Turn], owner: str) -> InvalidRequestError:
    """The error of ``unseen_turns="raise"``: which messages would not reach the assistant."""
    named = ", ".join(f"{t.where} ({t.kind})" for t in turns)
    return InvalidRequestError(
        f"{turns[0].where}: {named} would not reach the Jylo assistant, which keeps its own "
        f"conversation and has not seen them; {owner}(unseen_turns='fold') sends them folded "
        "into the posted text, unseen_turns='ignore' posts the newest message alone",
        field=turns[0].where,
    )
