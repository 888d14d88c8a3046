"""Building LangChain messages from Unleash answers (``langchain/_answer.py``): streamed and whole forms agree."""

from __future__ import annotations

from assistant_bridge.langchain._answer import V1Chunks, V2Chunks, message_from_v2
from assistant_bridge.unleash import ChatEvent, ChatV2Chunk, assemble_chat_v2


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
    whole = message_from_v2(assemble_chat_v2(chunks), model="m", stop=None)
    builder = V2Chunks(model="m", stop=None)
    pieces = [m for c in chunks for m in builder.add(c)] + [builder.finish()]
    merged = pieces[0]
    for piece in pieces[1:]:
        merged = merged + piece
    assert merged.content_blocks == whole.content_blocks


def test_stop_guard_does_not_repeat_held_text_when_the_server_rewrites() -> None:
    builder = V1Chunks(model="m", stop=["\n\nSources:"])
    events = [
        ChatEvent.model_validate(
            {"type": "Message", "parts": [{"type": "Text", "text": "The answer is 42 (draft)."}]}
        ),
        ChatEvent.model_validate(
            {"type": "Full", "message": {"parts": [{"type": "Text", "text": "The answer is 42."}]}}
        ),
    ]
    text = "".join(str(m.content) for e in events for m in builder.add(e)) + str(
        builder.finish().content
    )
    assert text == "The answer is 42."
