"""Building LangChain messages from Unleash answers (``langchain/_answer_messages.py``): streamed and whole forms agree."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from assistant_bridge._adapter_core import Answer, AnswerBuilder, AnswerEvent, TextDelta
from assistant_bridge.langchain._answer_messages import answer_message, event_chunk, last_chunk
from assistant_bridge.langchain._content import _resource_output
from assistant_bridge.unleash import ChatEvent, ChatV2Chunk, Resource, WebSource, assemble_chat_v2


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


_JSON_LEAF = st.none() | st.booleans() | st.integers() | st.text(max_size=4)
_WIRE_RESOURCE = st.dictionaries(
    st.sampled_from(["id", "appId", "type", "externalId", "name", "title", "subtitle", "url"])
    | st.text(min_size=1, max_size=4),  # unknown keys are kept (extra fields)
    _JSON_LEAF,
    max_size=6,
)


@given(
    st.lists(_WIRE_RESOURCE, max_size=4),
    st.lists(
        st.dictionaries(st.sampled_from(["id", "url", "title", "siteName", "x"]), _JSON_LEAF),
        max_size=3,
    ),
)
def test_tool_outputs_are_each_items_model_dump(
    resources: list[dict[str, Any]], pages: list[dict[str, Any]]
) -> None:
    # A tool step's output dumps each list in one call; it must equal dumping item by item.
    found = [
        Resource.model_validate({k: v for k, v in r.items() if not _typed_mismatch(k, v)})
        for r in resources
    ]
    web = [
        WebSource.model_validate({k: v for k, v in p.items() if not _typed_mismatch(k, v)})
        for p in pages
    ]
    expected = [r.model_dump(by_alias=True, exclude_none=True) for r in found]
    expected += [w.model_dump(by_alias=True, exclude_none=True) for w in web]
    assert _resource_output(found, web, {}) == expected
    assert _resource_output(iter(found), iter(web), {"k": 1}) == [*expected, {"custom": {"k": 1}}]


def _typed_mismatch(key: str, value: Any) -> bool:
    """Whether a known string field got a value the model would refuse."""
    known = {"id", "appId", "type", "externalId", "name", "title", "subtitle", "url", "siteName"}
    return key in known and value is not None and not isinstance(value, str)
