"""What a Jylo adapter posts for one call: the text, files and documents, or a stored reply.

Both frameworks build an `Outgoing` from their newest message (and the unseen earlier
turns folded into its text, see `_turns`); the LlamaIndex LLM may instead return a reply
the assistant already stores (``reply``, its framework message).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from ._conversations import Attachment

__all__ = ["Outgoing"]

_R = TypeVar("_R")


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
