"""The adapter core's answer stream: deltas as they come, one final `Answer`, both frameworks.

Streamed and whole answers give the same `Answer` (text, sources with citation spans,
ids, finish reason); the async stream gives the same events; the LangChain message and
the LlamaIndex response are mapped from it, with the citations the adapters give.
"""

from __future__ import annotations

from typing import Any

import pytest
from llama_index.core.base.llms.types import ChatMessage as LIChatMessage
from llama_index.core.base.llms.types import MessageRole, TextBlock

from assistant_bridge._adapter_core import (
    Answer,
    AnswerBuilder,
    AnswerStream,
    AsyncAnswerStream,
    TextDelta,
    ToolEvent,
    UnleashChatCall,
    source_item_parts,
    source_items,
)
from assistant_bridge.langchain import ChatUnleash
from assistant_bridge.llama_index import Unleash, citation_blocks
from assistant_bridge.unleash import ChatEvent

from ..llama_index._unleash_mock import ANSWER, TEXT_1, TEXT_2, V1_TEXT, Server

QUESTION = [{"role": "User", "text": "Travel?"}]


def _call(api_version: Any) -> UnleashChatCall:
    return UnleashChatCall.plain(api_version, assistant_id=None, filters=None)


def _read(
    server: Server, api_version: Any, stop: list[str] | None = None
) -> tuple[list[Any], Answer]:
    call = _call(api_version)
    builder = AnswerBuilder(api_version, "delta", stop)
    with AnswerStream(call.open(server.sync(), QUESTION), builder, allow_partial=False) as stream:
        events = list(stream)
        return events, stream.final_answer()


async def _aread(server: Server, api_version: Any) -> tuple[list[Any], Answer]:
    call = _call(api_version)
    opened = await call.aopen(server.asyncio(), QUESTION)
    async with AsyncAnswerStream(opened, AnswerBuilder(api_version), allow_partial=False) as stream:
        events = [event async for event in stream]
        return events, await stream.final_answer()


def _text(events: list[Any], answer: Answer) -> str:
    return "".join(e.text for e in events if isinstance(e, TextDelta)) + answer.tail


def _spans(answer: Answer) -> dict[str | None, list[tuple[int, int, str | None]]]:
    return {
        s.id: [(c.start_index, c.end_index, c.cited_text) for c in s.citations]
        for s in answer.sources
    }


# -- streamed == whole -------------------------------------------------------------------


def test_v2_deltas_join_to_the_final_text_with_the_sources_and_spans_of_the_whole_answer() -> None:
    events, streamed = _read(Server(), "v2")
    assert _text(events, streamed) == streamed.text == ANSWER
    second = len(TEXT_1) + 1
    assert _spans(streamed) == {
        "r1": [(0, len(TEXT_1), TEXT_1), (second, len(ANSWER), TEXT_2.strip())],
        "w1": [(second, len(ANSWER), TEXT_2.strip())],
        "r2": [],
    }
    whole = Answer.whole(_call("v2").ask(Server().sync(), QUESTION))
    assert whole.text == streamed.text
    assert source_items(whole.sources) == source_items(streamed.sources)
    assert (streamed.api_version, streamed.finish_reason, streamed.incomplete_reason) == (
        "v2",
        "unconfirmed",
        None,
    )
    assert streamed.ids() == whole.ids() == {"request_id": "req-2"}
    answer_source = streamed.as_source()
    assert (answer_source.kind, answer_source.text) == ("answer", ANSWER)
    assert [c.source_ids for c in answer_source.citations] == [("r1",), ("r1", "w1")]


def test_v2_tool_events_carry_the_step_id_of_the_whole_answer() -> None:
    events, answer = _read(Server(), "v2")
    tools = [e for e in events if isinstance(e, ToolEvent)]
    assert [e.step_id for e in tools] == ["c1", "c1"]
    assert [step.id for step in answer.tool_steps] == ["c1"]
    deltas = [e for e in events if isinstance(e, TextDelta)]
    assert [d.text for d in deltas] == ["Book economy", " for short trips.", TEXT_2]
    assert all(d.item is not None for d in deltas)


def test_v1_stream_and_whole_answer_agree() -> None:
    events, streamed = _read(Server(), "v1")
    assert _text(events, streamed) == streamed.text == V1_TEXT
    whole = Answer.whole(_call("v1").ask(Server().sync(), QUESTION))
    assert source_items(whole.sources) == source_items(streamed.sources)
    assert _spans(streamed) == {"j1": [(0, len(V1_TEXT), V1_TEXT)]}
    assert streamed.finish_reason == whole.finish_reason == "stop"
    assert streamed.ids() == {"thread_id": "th-1", "request_id": "req-1"}


@pytest.mark.parametrize("api_version", ["v1", "v2"])
async def test_the_async_stream_gives_the_same_events_and_answer(api_version: str) -> None:
    sync_events, sync_answer = _read(Server(), api_version)
    async_events, async_answer = await _aread(Server(), api_version)
    assert [type(e) for e in async_events] == [type(e) for e in sync_events]
    assert _text(async_events, async_answer) == _text(sync_events, sync_answer)
    assert source_items(async_answer.sources) == source_items(sync_answer.sources)


# -- stop sequences ----------------------------------------------------------------------


def test_a_stop_sequence_ends_the_text_and_drops_the_citations_past_it() -> None:
    events, answer = _read(Server(), "v2", stop=[" Business"])
    assert _text(events, answer) == answer.text == TEXT_1
    assert (answer.stopped, answer.finish_reason, answer.incomplete_reason) == (
        True,
        "stop_sequence",
        None,
    )
    assert _spans(answer) == {"r1": [(0, len(TEXT_1), TEXT_1)], "w1": [], "r2": []}
    whole = Answer.whole(_call("v2").ask(Server().sync(), QUESTION), [" Business"])
    assert (whole.text, _spans(whole)) == (answer.text, _spans(answer))


def test_held_back_text_is_not_repeated_when_the_server_rewrites() -> None:
    builder = AnswerBuilder("v1", stop=["\n\nSources:"])
    items = [
        ChatEvent.model_validate(
            {"type": "Message", "parts": [{"type": "Text", "text": "Draft text."}]}
        ),
        ChatEvent.model_validate(
            {"type": "Full", "message": {"parts": [{"type": "Text", "text": "Final."}]}}
        ),
    ]
    text = "".join(builder.add(item)[1] for item in items)
    assert text == "Dr"  # the rest is held back: it could start a stop sequence
    # What was emitted stays; the rewritten text goes on after it.
    assert text + builder.finish().tail == "Dr" + "Final."[2:]


# -- the frameworks map the one answer ---------------------------------------------------


def test_langchain_sources_are_the_answers_source_items() -> None:
    answer = Answer.whole(_call("v2").ask(Server().sync(), QUESTION))
    message = ChatUnleash(client=Server().sync()).invoke("Travel?")
    assert message.additional_kwargs["sources"] == source_items(answer.sources)
    assert [(t, dict(m)) for t, m in source_item_parts(message.additional_kwargs["sources"])] == [
        (s.text, {**s.metadata(), "score": 1 / rank, "score_source": "rank"})
        for rank, s in enumerate(answer.sources, start=1)
    ]
    annotations = message.content_blocks[-1]["annotations"]  # type: ignore[typeddict-item]
    assert [(a["url"], a["start_index"], a["end_index"]) for a in annotations] == [
        ("https://wiki.example/travel", 0, len(TEXT_1)),
        ("https://wiki.example/travel", len(TEXT_1) + 1, len(ANSWER)),
        ("https://example.org/fares", len(TEXT_1) + 1, len(ANSWER)),
    ]


def test_llama_index_citation_blocks_are_built_from_the_answers_sources() -> None:
    answer = Answer.whole(_call("v2").ask(Server().sync(), QUESTION))
    question = LIChatMessage(role=MessageRole.USER, content="Travel?")
    response = Unleash(client=Server().sync()).chat([question])
    blocks = [b for b in response.message.blocks if b.block_type == "citation"]
    assert blocks == citation_blocks(answer.sources, answer.text)
    assert [(b.source, b.additional_location_info["source_index"]) for b in blocks] == [
        ("https://wiki.example/travel", 0),
        ("https://wiki.example/travel", 0),
        ("https://example.org/fares", 1),
    ]
    assert isinstance(response.message.blocks[0], TextBlock)
    assert response.additional_kwargs["sources"] == source_items(answer.sources)


def test_source_item_parts_skip_what_is_not_an_item() -> None:
    items = [{"text": "a", "metadata": {"id": "1"}}, "junk", {"text": None, "metadata": 3}]
    assert list(source_item_parts(items)) == [("a", {"id": "1"}), ("", {})]
    assert list(source_item_parts(None)) == []


def test_the_final_answer_reads_what_was_not_iterated() -> None:
    call = _call("v2")
    builder = AnswerBuilder("v2")
    with AnswerStream(call.open(Server().sync(), QUESTION), builder, allow_partial=False) as stream:
        answer = stream.final_answer()
    assert (answer.text, answer.tail) == (ANSWER, "")  # the deltas were read, not emitted again
    assert [step.id for step in answer.tool_steps] == ["c1"]
    assert answer.progress == []
