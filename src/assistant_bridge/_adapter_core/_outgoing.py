"""What a Jylo adapter posts for one call: the text, files and documents, or a stored reply.

Both frameworks build an `Outgoing` from their newest message (and the unseen earlier
turns folded into its text, see `_turns`); the LlamaIndex LLM may instead return a reply
the assistant already stores (``reply``, its framework message).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from ._conversations import Attachment
from ._turns import Turn, fold_turns, unseen, unseen_error

__all__ = ["Outgoing", "with_unseen"]

_R = TypeVar("_R")
_M = TypeVar("_M")


@dataclass(frozen=True)
class Outgoing(Generic[_R]):
    """What to post: the text, files to upload first, documents already uploaded.

    Attributes:
        text: the text to post.
        attachments: files to upload and attach first.
        document_ids: documents already uploaded, attached as they are.
        reply: a stored reply to return instead of posting (nothing is posted then).
    """

    text: str = ""
    attachments: tuple[Attachment, ...] = ()
    document_ids: tuple[str, ...] = ()
    reply: _R | None = None


def with_unseen(
    question: Outgoing[_R],
    earlier: Sequence[_M],
    *,
    unseen_turns: str,
    owner: str,
    stored: Callable[[_M], bool],
    is_system: Callable[[_M], bool],
    turn: Callable[[_M, str], tuple[Turn, Outgoing[Any]]],
) -> Outgoing[_R]:
    """The ``question`` with the earlier messages the assistant has not seen.

    Args:
        question: what the newest message posts.
        earlier: the messages before it, oldest first.
        unseen_turns: ``"fold"`` (into the text, their files attached), ``"raise"`` or
            ``"ignore"``.
        owner: the adapter's name, for the error of ``"raise"``.
        stored: whether the assistant stores a message (those before it are seen).
        is_system: whether a message is a system message (never seen: sent every call).
        turn: a message and where it is to its `Turn` and its files and documents.

    Raises:
        InvalidRequestError: what ``turn`` raises; with ``"raise"``, any unseen message.
    """
    if unseen_turns == "ignore":
        return question
    turns: list[Turn] = []
    files: list[Attachment] = []
    ids: list[str] = []
    for index, message in unseen(earlier, stored, is_system):
        found, parts = turn(message, f"messages[{index}]")
        turns.append(found)
        files.extend(parts.attachments)
        ids.extend(parts.document_ids)
    if not turns:
        return question
    if unseen_turns == "raise":
        raise unseen_error(turns, owner)
    return Outgoing(
        fold_turns(turns, question.text),
        (*files, *question.attachments),
        (*ids, *question.document_ids),
    )
