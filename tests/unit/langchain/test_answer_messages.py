"""Building LangChain messages from Unleash answers (``langchain/_answer_messages.py``): streamed and whole forms agree."""

from __future__ import annotations

from typing import Any

from assistant_bridge._adapter_core import Answer, AnswerBuilder, AnswerEvent, TextDelta
from assistant_bridge.langchain._answer_messages import answer_message, event_chunk, last_chunk
from assistant_bridge.unleash import ChatEvent, ChatV2Chunk, assemble_chat_v2


def _events(builder: AnswerBuilder, item: Any) -> list[AnswerEvent]:
    """The events `AnswerStream` yields for one item."""
    tool, delta = builder.add(item)
    return [*([tool] if tool is not None else []), *([TextDelta(delta, item)] if delta else [])]


def test_streamed_tool_steps_fold_into_the_same_blocks_as_the_whole_answer() -> None:
    raw = [
        {
            "tool": {
                "toolCallStatus": {"toolCallId": "c1", "status": "Start"},
                "toolStep": {"toolId": "search", "stepDescription": "Searching"},
            }
        },
        {
            "tool": {
                "response": {
                    "name": "Enterprise search",
                    "toolId": "search",
                    "resources": {"enterprise": {"results": [{"id": "r1", "title": "Doc"}]}},
                }
            }
        },
        {"tool": {"toolCallStatus": {"toolCallId": "c1", "status": "End"}}},
        {"text": "Answer."},
    ]
    chunks = [ChatV2Chunk.model_validate(c) for c in raw]
    whole = answer_message(Answer.whole(assemble_chat_v2(chunks)), model="m")
    builder = AnswerBuilder("v2")
    pieces = [event_chunk(e) for c in chunks for e in _events(builder, c)]
    pieces.append(last_chunk(builder.finish(), model="m"))
    merged = pieces[0]
    for piece in pieces[1:]:
        merged = merged + piece
    assert merged.content_blocks == whole.content_blocks


def test_stop_guard_does_not_repeat_held_text_when_the_server_rewrites() -> None:
    builder = AnswerBuilder("v1", stop=["\n\nSources:"])
    events = [
        ChatEvent.model_validate(
            {"type": "Message", "parts": [{"type": "Text", "text": "The answer is 42 (draft)."}]}
        ),
        ChatEvent.model_validate(
            {"type": "Full", "message": {"parts": [{"type": "Text", "text": "The answer is 42."}]}}
        ),
    ]
    text = "".join(builder.add(e)[1] for e in events) + builder.finish().tail
    assert text == "The answer is 42."
