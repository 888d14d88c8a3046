"""Whether an assembled Unleash answer is whole, and how streamed text pieces are joined.

Text assembly never guesses. In ``"delta"`` mode (the default: the v2 schema documents
``text`` as a delta, and nothing documents v1 ``Message`` parts as cumulative) pieces are
joined exactly, so repeats, empty pieces and pieces that are prefixes of each other all
survive. In ``"snapshot"`` mode, chosen by the caller (``text_mode="snapshot"``) for a
server that sends the whole text so far, each piece replaces the text before it. A v1
``Full`` event, an explicit marker that it holds the whole answer, always wins.

Neither v1 nor v2 documents an end marker, so a stream that simply stops is not an error
by itself: its ``finish_reason`` is ``"unconfirmed"``. What *is* known to be unfinished
raises `IncompleteAnswerError` (`incomplete_reason` says why): no text at all, a v2 tool
step that started and never ended, a v2 reference positioned past the text. A body with
nothing of an answer in it raises `EmptyAnswerError`. ``allow_partial=True`` returns
the answer instead, its ``finish_reason`` ``"incomplete"``.
"""

from __future__ import annotations

from typing import Literal, TypeVar

from .._transport import EmptyAnswerError, IncompleteAnswerError, InvalidRequestError
from ._types_v1 import ChatResponse
from ._types_v2 import ChatV2Response

__all__ = ["TEXT_MODES", "TextMode", "check_text_mode", "ensure_complete"]

TextMode = Literal["delta", "snapshot"]
TEXT_MODES: tuple[TextMode, ...] = ("delta", "snapshot")
"""How streamed text pieces combine: appended exactly, or each the whole text so far."""

_R = TypeVar("_R", ChatResponse, ChatV2Response)


def check_text_mode(text_mode: str) -> TextMode:
    """``text_mode`` checked: ``"delta"`` or ``"snapshot"``, else `InvalidRequestError`."""
    if text_mode == "delta":
        return "delta"
    if text_mode == "snapshot":
        return "snapshot"
    raise InvalidRequestError(
        f"text_mode: must be 'delta' or 'snapshot', got {text_mode!r}", field="text_mode"
    )


def ensure_complete(
    response: _R, *, empty: bool, allow_partial: bool = False, what: str = "Unleash answer"
) -> _R:
    """``response`` if it is whole (or ``allow_partial``), else the error that says why.

    Args:
        response: the assembled answer.
        empty: nothing of an answer arrived (no item with any field): `EmptyAnswerError`
            whatever ``allow_partial`` says, since there is no partial answer to return.
        allow_partial: return an answer known to be unfinished instead of raising.
        what: how the error names the answer.

    Raises:
        EmptyAnswerError: nothing arrived.
        IncompleteAnswerError: the answer is known to be unfinished (see
            ``incomplete_reason``) and ``allow_partial`` is false.
    """
    if empty:
        raise EmptyAnswerError(
            f"the {what} held nothing: no text, part, tool call, reference or resource arrived",
            partial=response,
        )
    reason = response.incomplete_reason
    if reason is not None and not allow_partial:
        raise IncompleteAnswerError(
            f"the {what} is incomplete: {reason} (pass allow_partial=True to get what "
            f"arrived, marked incomplete; {len(response.text)} characters of text came)",
            reason=reason,
            partial=response,
        )
    return response
