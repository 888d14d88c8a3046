"""The adapter core's one form of a Jylo reply (``_adapter_core/_jylo_answers.py``)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

from assistant_bridge._adapter_core import (
    AsyncJyloAnswerStream,
    JyloAnswer,
    JyloAnswerStream,
    plain_text,
)
from assistant_bridge.jylo import Document, Message

REPLY = Message.model_validate(
    {
        "objectIdentifier": "m-1",
        "isAssistant": True,
        "modelIdentifier": "model-a",
        "textWithCitations": '<cite id="doc-1">Zurich caps hotels at 300</cite>. Sources follow.',
        "messageDocumentIdentifiers": ["doc-9"],
    }
)
PIECES = ["Zurich caps ", "hotels at 300. ", "Sources follow."]


class FakeStream:
    """A Jylo ``MessageStream`` stand-in: the pieces, then the stored message."""

    def __init__(self) -> None:
        self.read: list[str] = []

    def __iter__(self) -> Iterator[str]:
        for piece in PIECES[len(self.read) :]:
            self.read.append(piece)
            yield piece

    def until_done(self) -> Message:
        for _ in self:
            pass
        return REPLY


class AsyncFakeStream(FakeStream):
    async def __aiter__(self) -> AsyncIterator[str]:
        for piece in PIECES[len(self.read) :]:
            self.read.append(piece)
            yield piece

    async def until_done(self) -> Message:  # type: ignore[override]
        async for _ in self:
            pass
        return REPLY


def test_a_whole_reply_reads_its_text_sources_and_end() -> None:
    answer = JyloAnswer.whole(REPLY)
    assert answer.text == plain_text(REPLY) == "Zurich caps hotels at 300. Sources follow."
    assert (answer.stopped, answer.tail) == (False, "")
    assert answer.finish_reason == "stop"
    assert answer.incomplete_reason is None
    assert answer.document_ids == ["doc-9"]
    assert answer.model(None) == "model-a"
    assert answer.model("configured") == "configured"
    (cited,) = [s for s in answer.sources if s.id == "doc-1"]
    (span,) = cited.citations
    assert answer.text[span.start_index : span.end_index] == "Zurich caps hotels at 300"


def test_uploaded_documents_are_the_document_ids_when_there_are_some() -> None:
    uploaded = Document.model_validate({"objectIdentifier": "up-1", "name": "a.pdf"})
    assert JyloAnswer.whole(REPLY, [uploaded]).document_ids == ["up-1"]


def test_a_stop_sequence_cuts_the_text_and_drops_the_spans_past_it() -> None:
    answer = JyloAnswer.whole(REPLY, stop=["hotels"])
    assert answer.text == "Zurich caps "
    assert answer.stopped is True
    assert answer.finish_reason == "stop_sequence"
    assert all(c.end_index <= len(answer.text) for s in answer.sources for c in s.citations)


def test_the_stream_s_deltas_and_tail_are_the_final_text() -> None:
    stream = FakeStream()
    reading = JyloAnswerStream(stream, None)
    deltas = [d.text for d in reading]
    assert deltas == PIECES
    answer = reading.final_answer()
    assert "".join(deltas) + answer.tail == answer.text == "".join(PIECES)
    assert answer.message is REPLY
    assert answer.sources == JyloAnswer.whole(REPLY).sources


def test_a_stop_sequence_ends_the_stream_early_and_holds_nothing_back() -> None:
    stream = FakeStream()
    reading = JyloAnswerStream(stream, ["300."])
    deltas = [d.text for d in reading]
    assert stream.read == PIECES[:2]  # the third piece was never read by the iteration
    answer = reading.final_answer()
    assert "".join(deltas) + answer.tail == answer.text == "Zurich caps hotels at "
    assert answer.finish_reason == "stop_sequence"


async def test_the_async_stream_gives_the_same_deltas_and_answer() -> None:
    reading = AsyncJyloAnswerStream(AsyncFakeStream(), ["300."])
    deltas = [d.text async for d in reading]
    answer = await reading.final_answer()
    sync = JyloAnswerStream(FakeStream(), ["300."])
    assert deltas == [d.text for d in sync]
    expected = sync.final_answer()
    assert (answer.text, answer.tail, answer.finish_reason) == (
        expected.text,
        expected.tail,
        expected.finish_reason,
    )
    assert answer.sources == expected.sources
