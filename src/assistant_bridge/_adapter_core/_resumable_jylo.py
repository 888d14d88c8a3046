"""Jylo posts that can be repeated: each user message posted (and answered) once.

Framework-free; the LangChain history and the LlamaIndex chat store call `post_jylo`
(or `apost_jylo`). Jylo's messages carry no reference of the caller's, so what is
stored is tracked on the caller's message objects, in place: after a post, a mark
(``{"assistant_id", "state": "stored", "reply_id"}``) is kept on the message (LangChain:
``response_metadata["jylo_post"]``, LlamaIndex: ``additional_kwargs["jylo_post"]``), and
a marked message is not posted again to that assistant.

When a post fails, the newest page of the conversation (one request) is read to learn
whether the server stored the message anyway (a connection dropped after it acted): a
user message with the same text newer than the conversation's newest message before the
post means it did. If that read fails too, the message is marked ``"unknown"`` with that
anchor, and the next call reads the newest page first to decide. Then
`PartialWriteError` lists what is stored (the original error is raised when nothing is).

Limits: a retry must pass the same message objects (new objects with the same text are
posted again); the check reads the newest 20 messages; the documents of a message are
uploaded again when its post is repeated.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from .._transport import AssistantBridgeError, InvalidRequestError, PartialWriteError
from ..jylo import AsyncJyloClient, JyloClient, Message
from ._conversations import Attachment, aupload_all, upload_all

__all__ = [
    "NEWEST",
    "JyloItem",
    "JyloWrite",
    "apost_jylo",
    "post_jylo",
    "post_mark",
    "posted",
    "resume_start",
]

NEWEST = 20
"""Messages read from the newest end of a conversation to check a post."""

Mark = dict[str, Any]
_MARK_KEY = "jylo_post"


def post_mark(message: Any, marks_in: str, assistant_id: str | None = None) -> Mark | None:
    """The post mark kept on ``message`` (for ``assistant_id`` only, when given), or None.

    Args:
        message: the caller's message object.
        marks_in: the name of the message's dict that holds the mark
            (``"response_metadata"`` on LangChain, ``"additional_kwargs"`` on LlamaIndex).
        assistant_id: only a mark of this assistant counts.
    """
    found = getattr(message, marks_in).get(_MARK_KEY)
    if not isinstance(found, dict):
        return None
    if assistant_id is not None and found.get("assistant_id") != assistant_id:
        return None
    return found


def posted(message: Any, marks_in: str, assistant_id: str) -> bool:
    """Whether ``message`` is marked stored on ``assistant_id`` (see `post_mark`)."""
    mark = post_mark(message, marks_in, assistant_id)
    return mark is not None and mark.get("state") == "stored"


@dataclass
class JyloItem:
    """One user message to post: its text, files and the caller's object (``source``)."""

    source: Any
    text: str
    attachments: Sequence[Attachment] = ()
    document_ids: Sequence[str] = ()


@dataclass
class JyloWrite:
    """What to post to one assistant; ``marks_in`` names the messages' dict of marks."""

    operation: str
    assistant_id: str
    model: str
    given: list[Any]
    items: list[JyloItem]
    marks_in: str

    def mark(self, item: JyloItem) -> Mark | None:
        """The item's mark for this assistant, if any."""
        return post_mark(item.source, self.marks_in, self.assistant_id)

    def is_stored(self, item: JyloItem) -> bool:
        """Whether the item is marked stored on this assistant."""
        return posted(item.source, self.marks_in, self.assistant_id)

    def keep(self, item: JyloItem, state: str, **more: Any) -> None:
        """Mark the item (in place)."""
        mark = {"assistant_id": self.assistant_id, "state": state, **more}
        getattr(item.source, self.marks_in)[_MARK_KEY] = mark

    def resolve(self, newest: list[Message]) -> None:
        """Decide the items marked ``unknown``: stored if the newest page shows them."""
        for item in self.items:
            mark = self.mark(item)
            unknown = mark is not None and mark.get("state") == "unknown"
            if unknown and found_after(newest, (mark or {}).get("anchor"), item.text):
                self.keep(item, "stored", reply_id=None)

    def failed(
        self, exc: AssistantBridgeError, problem: AssistantBridgeError | None
    ) -> Exception | None:
        """The error to raise once a post failed; None when every message is stored."""
        pending_ids = {id(it.source) for it in self.items if not self.is_stored(it)}
        stored = [m for m in self.given if id(m) not in pending_ids]
        pending = [m for m in self.given if id(m) in pending_ids]
        if not pending:
            return None
        if not stored:
            return exc
        doubt = (
            f"; the message being posted may have been stored too (reading the conversation "
            f"back failed: {problem}), the next call checks first"
            if problem is not None
            else ""
        )
        return PartialWriteError(
            f"{self.operation}: stored {len(stored)} of {len(self.given)} messages, "
            f"{len(pending)} not stored{doubt}; calling {self.operation} again with the same "
            f"message objects posts each remaining one once. Cause: {type(exc).__name__}: {exc}",
            stored=stored,
            pending=pending,
            cause=exc,
            uncertain=problem is not None,
            request=getattr(exc, "request", None),
        )


def found_after(newest: Sequence[Message], anchor: Any, text: str) -> bool:
    """Whether ``newest`` (newest first) holds a user message ``text`` newer than ``anchor``."""
    want = text.strip()
    for message in newest:
        if anchor is not None and message.id == anchor:
            return False
        if not message.is_assistant and (message.text or "").strip() == want:
            return True
    return False


def resume_start(
    stored: Sequence[Message], ids: Sequence[Any], texts: Sequence[str], marks: Sequence[bool]
) -> int | None:
    """Where a `set_messages` list continues the stored conversation, or None if it does not.

    The list starts with the stored messages (matched by id); after them, the stored
    conversation may hold messages of the list this package posted before a failure
    (``marks``): their user messages, with the same text, in order, and their replies.
    """
    n = 0
    while n < min(len(stored), len(ids)) and ids[n] is not None and ids[n] == stored[n].id:
        n += 1
    if n == len(stored):
        return n
    users = [m for m in stored[n:] if not m.is_assistant]
    end = n + len(users)
    if end > len(ids) or not all(marks[n:end]):
        return None
    same = all((m.text or "").strip() == texts[n + i].strip() for i, m in enumerate(users))
    return end if same else None


def _args(write: JyloWrite, item: JyloItem, docs: list[Any]) -> dict[str, Any]:
    ids = [*item.document_ids, *(d.id for d in docs if d.id)]
    return {"model_identifier": write.model, "message_document_identifiers": ids or None}


def _newest(client: JyloClient, write: JyloWrite) -> list[Message]:
    return list(client.list_messages(write.assistant_id, page_size=NEWEST, desc=True).items)


async def _anewest(client: AsyncJyloClient, write: JyloWrite) -> list[Message]:
    page = await client.list_messages(write.assistant_id, page_size=NEWEST, desc=True)
    return list(page.items)


def _after_failure(
    write: JyloWrite,
    item: JyloItem,
    anchor: Any,
    after: list[Message] | None,
) -> None:
    if after is None:
        write.keep(item, "unknown", anchor=anchor)
    elif found_after(after, anchor, item.text):
        write.keep(item, "stored", reply_id=None)


def post_jylo(client: JyloClient, write: JyloWrite) -> None:
    """Post the items not stored yet, in order (see the module)."""
    if not write.items:
        return
    newest = _newest(client, write)
    write.resolve(newest)
    anchor = newest[0].id if newest else None
    for item in [it for it in write.items if not write.is_stored(it)]:
        try:
            docs = upload_all(client, write.assistant_id, item.attachments, {})
            reply = client.create_message(write.assistant_id, item.text, **_args(write, item, docs))
        except InvalidRequestError:
            raise
        except AssistantBridgeError as exc:
            after, problem = _check(lambda: _newest(client, write))
            _after_failure(write, item, anchor, after)
            error = write.failed(exc, problem)
            if error is None:  # the read-back shows everything stored: done
                return
            if error is exc:
                raise
            raise error from exc
        write.keep(item, "stored", reply_id=reply.id)
        anchor = reply.id or anchor


async def apost_jylo(client: AsyncJyloClient, write: JyloWrite) -> None:
    """Async `post_jylo`."""
    if not write.items:
        return
    newest = await _anewest(client, write)
    write.resolve(newest)
    anchor = newest[0].id if newest else None
    for item in [it for it in write.items if not write.is_stored(it)]:
        try:
            docs = await aupload_all(client, write.assistant_id, item.attachments, {})
            reply = await client.create_message(
                write.assistant_id, item.text, **_args(write, item, docs)
            )
        except InvalidRequestError:
            raise
        except AssistantBridgeError as exc:
            after, problem = await _acheck(lambda: _anewest(client, write))
            _after_failure(write, item, anchor, after)
            error = write.failed(exc, problem)
            if error is None:  # the read-back shows everything stored: done
                return
            if error is exc:
                raise
            raise error from exc
        write.keep(item, "stored", reply_id=reply.id)
        anchor = reply.id or anchor


def _check(
    read: Callable[[], list[Message]],
) -> tuple[list[Message] | None, AssistantBridgeError | None]:
    try:
        return read(), None
    except AssistantBridgeError as exc:
        return None, exc


async def _acheck(
    read: Callable[[], Awaitable[list[Message]]],
) -> tuple[list[Message] | None, AssistantBridgeError | None]:
    try:
        return await read(), None
    except AssistantBridgeError as exc:
        return None, exc
