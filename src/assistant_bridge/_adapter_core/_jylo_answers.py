"""One Jylo reply, streamed or whole: the `_answers` shape for an assistant's message.

`JyloAnswerStream` / `AsyncJyloAnswerStream` read a Jylo ``MessageStream`` and yield the
reply's new text as `TextDelta` s, past client-side stop sequences (`StopGuard`);
`final_answer` waits for the stored message and gives the `JyloAnswer`.
`JyloAnswer.whole` builds the same object from a reply that was not streamed, so both
frameworks map one final form: the text, the sources with citation spans in that text,
the finish (or incomplete) reason, the marked-up text and the attached documents.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Sequence
from functools import cached_property
from typing import Any

from .._text_buffer import TextBuffer
from ..jylo import Document, Message, reply_finish_reason, reply_incomplete_reason
from ..sources import Source, sources_from_jylo
from ._answers import TextDelta, clip_sources
from ._stop import StopGuard

__all__ = ["AsyncJyloAnswerStream", "JyloAnswer", "JyloAnswerStream", "plain_text"]


def plain_text(message: Message) -> str:
    """A reply's text: ``text``, else ``textWithCitations`` without its markers."""
    return message.text if message.text is not None else message.cited_text().text


class JyloAnswer:
    """A whole Jylo reply: its text, sources with citation spans, documents and end.

    Attributes:
        message: the stored Jylo message (kept whole, e.g. as LlamaIndex's ``raw``).
        documents: the documents uploaded with the question.
        text: the reply text (streamed: what was emitted), cut before a stop sequence.
        stopped: whether a stop sequence ended it.
        tail: the text a stream had not yet emitted when it ended ("" for a whole reply).
    """

    def __init__(
        self,
        message: Message,
        *,
        documents: Sequence[Document] = (),
        text: str,
        stopped: bool = False,
        tail: str = "",
    ) -> None:
        self.message = message
        self.documents = documents
        self.text = text
        self.stopped = stopped
        self.tail = tail

    @classmethod
    def whole(
        cls,
        message: Message,
        documents: Sequence[Document] = (),
        stop: Sequence[str] | None = None,
    ) -> JyloAnswer:
        """The answer of a reply that was not streamed (``stop``: client-side stops)."""
        text, stopped = StopGuard(stop).cut(plain_text(message))
        return cls(message, documents=documents, text=text, stopped=stopped)

    @cached_property
    def sources(self) -> list[Source]:
        """The cited sources, then the attached documents not cited; spans within `text`."""
        found = sources_from_jylo(self.message, self.documents, text=self.text)
        return clip_sources(found, len(self.text))

    @property
    def finish_reason(self) -> str:
        """``"stop_sequence"``, else the reply's (``"stop"``, ``"unconfirmed"``, ...)."""
        return "stop_sequence" if self.stopped else reply_finish_reason(self.message)

    @property
    def incomplete_reason(self) -> str | None:
        """Why the reply is known to be unfinished (None: it is not, or a stop ended it)."""
        return None if self.stopped else reply_incomplete_reason(self.message)

    @property
    def document_ids(self) -> list[str]:
        """The ids of the documents attached to the question (uploaded, else the reply's)."""
        return [d.id for d in self.documents if d.id] or list(
            self.message.message_document_identifiers
        )

    def model(self, configured: str | None) -> str | None:
        """The model to report: the configured one, else the reply's model identifier."""
        return configured or self.message.model_identifier


class _Reading:
    """What the sync and async streams share: the stop guard and the emitted text."""

    def __init__(self, stream: Any, stop: Sequence[str] | None) -> None:
        self._stream = stream
        self.guard = StopGuard(stop)
        self._emitted = TextBuffer()

    @property
    def text(self) -> str:
        """The text emitted so far (the deltas joined)."""
        return self._emitted.text

    def _safe(self, piece: str) -> str:
        safe = self.guard.feed(piece)
        self._emitted.add(safe)
        return safe

    def _answer(self, message: Message, documents: Sequence[Document]) -> JyloAnswer:
        tail = self.guard.flush()
        self._emitted.add(tail)
        return JyloAnswer(
            message,
            documents=documents,
            text=self._emitted.text,
            stopped=self.guard.stopped,
            tail=tail,
        )


class JyloAnswerStream(_Reading):
    """A Jylo ``MessageStream`` read as text deltas; `final_answer` gives the `JyloAnswer`.

    Iterating yields each safe piece of new text and ends early when a stop sequence
    ended the reply. The caller opens and closes the vendor stream.

    Args:
        stream: the vendor's ``MessageStream`` (entered, not yet read).
        stop: client-side stop sequences.
    """

    def __iter__(self) -> Iterator[TextDelta]:
        guard = self.guard
        for piece in self._stream:
            safe = self._safe(piece)
            if safe:
                yield TextDelta(safe, piece)
            if guard.stopped:
                break

    def final_answer(self, documents: Sequence[Document] = ()) -> JyloAnswer:
        """The whole answer: the stored message (id, citations), text as emitted plus tail.

        Args:
            documents: the documents uploaded with the question.
        """
        return self._answer(self._stream.until_done(), documents)


class AsyncJyloAnswerStream(_Reading):
    """Async `JyloAnswerStream`: the same deltas and final `JyloAnswer`, over an async stream."""

    async def __aiter__(self) -> AsyncIterator[TextDelta]:
        guard = self.guard
        async for piece in self._stream:
            safe = self._safe(piece)
            if safe:
                yield TextDelta(safe, piece)
            if guard.stopped:
                break

    async def final_answer(self, documents: Sequence[Document] = ()) -> JyloAnswer:
        """The whole answer: the stored message (id, citations), text as emitted plus tail.

        Args:
            documents: the documents uploaded with the question.
        """
        return self._answer(await self._stream.until_done(), documents)
