"""Assembling Unleash chat streams and bodies into one answer."""

from __future__ import annotations

import copy
from typing import Any

from assistant_bridge.unleash._assemble import (
    ChatAssembler,
    ChatV2Assembler,
    assemble_chat,
    assemble_chat_v2,
)
from assistant_bridge.unleash._types_v1 import (
    ChatEvent,
    MessageRole,
    ProgressCode,
    Reference,
    Resource,
)
from assistant_bridge.unleash._types_v2 import ChatV2Chunk, ToolStatus

R1 = {"id": "r1", "appId": "confluence", "name": "Vacation policy"}


def partial_v1(events: Any) -> Any:
    """`assemble_chat` for fragments without text (known incomplete, so allowed here)."""
    return assemble_chat(events, allow_partial=True)


def partial_v2(chunks: Any) -> Any:
    """`assemble_chat_v2` for fragments without text or with references past it."""
    return assemble_chat_v2(chunks, allow_partial=True)


R2 = {"id": "r2", "appId": "slack", "name": "#hr thread"}


def text(value: str) -> dict[str, Any]:
    return {"type": "Text", "format": "markdown", "text": value}


def ref(*indices: int) -> dict[str, Any]:
    return {"type": "InlineReference", "indices": list(indices)}


def message(*parts: dict[str, Any], nested: bool = False) -> dict[str, Any]:
    if nested:
        return {"type": "Message", "message": {"role": "Assistant", "parts": list(parts)}}
    return {"type": "Message", "role": "Assistant", "parts": list(parts)}


FULL_BODY: dict[str, Any] = {
    "requestId": "req-1",
    "message": {
        "role": "Assistant",
        "parts": [text("You get 25 days"), ref(0), text(", plus holidays"), ref(0, 1), text(".")],
    },
    "resources": [R1, R2],
    "references": [{"resourceId": "r1"}, {"resourceId": "r2"}],
    "threadId": "thr-1",
}

DELTA_STREAM: list[dict[str, Any]] = [
    {"type": "Request", "requestId": "req-1"},
    {"type": "Resources", "resources": [R1, R2]},
    {"type": "References", "references": [{"resourceId": "r1"}, {"resourceId": "r2"}]},
    message(text("You get ")),
    message(text("25 days")),
    message(ref(0)),
    message(text(", plus ")),
    message(text("holidays")),
    message(ref(0, 1)),
    message(text(".")),
    {"type": "Full", "threadId": "thr-1"},
]


# --- v1 ----------------------------------------------------------------------------


def test_v1_delta_message_events() -> None:
    result = assemble_chat(DELTA_STREAM)
    assert result.request_id == "req-1"
    assert result.thread_id == "thr-1"
    assert result.role is MessageRole.ASSISTANT
    assert result.text == "You get 25 days, plus holidays."
    assert [p.text if p.is_text else p.indices for p in result.parts] == [
        "You get 25 days",
        [0],
        ", plus holidays",
        [0, 1],
        ".",
    ]
    assert [r.id for r in result.resources] == ["r1", "r2"]
    assert result.references == [Reference(resource_id="r1"), Reference(resource_id="r2")]
    assert result.events_unknown == []


def test_v1_cumulative_message_events() -> None:
    events = [
        {"type": "Request", "requestId": "req-1"},
        message(text("You get"), nested=True),
        message(text("You get 25 days"), nested=True),
        message(text("You get 25 days"), ref(0), nested=True),
        message(text("You get 25 days"), ref(0), text(", plus"), nested=True),
        message(
            text("You get 25 days"),
            ref(0),
            text(", plus holidays"),
            ref(0, 1),
            text("."),
            nested=True,
        ),
        {"type": "Resources", "resources": [R1, R2]},
        {"type": "References", "references": [{"resourceId": "r1"}, {"resourceId": "r2"}]},
    ]
    result = assemble_chat(events, text_mode="snapshot")  # the caller says so
    assert result.text == "You get 25 days, plus holidays."
    assert len(result.parts) == 5
    assert result.role == "Assistant"


def test_v1_pieces_that_repeat_the_last_part_are_joined_exactly() -> None:
    # Neither deltas nor every part so far: nothing says so, so nothing is dropped.
    events = [
        message(text("Hel")),
        message(text("Hello")),
        message(ref(0)),
        message(text(" Bye")),
        message(text(" Bye now")),
    ]
    result = assemble_chat(events)
    assert result.text == "HelHello Bye Bye now"
    assert len(result.parts) == 3
    assert assemble_chat(events, text_mode="snapshot").text == " Bye now"  # the last event


def test_v1_top_level_and_nested_parts_give_the_same_answer() -> None:
    top = assemble_chat([message(text("a")), message(text("b"))])
    nested = assemble_chat([message(text("a"), nested=True), message(text("b"), nested=True)])
    assert top == nested
    assert top.text == "ab"


def test_v1_full_event_overrides_streamed_message() -> None:
    events: list[dict[str, Any]] = [
        {"type": "Request", "requestId": "req-early"},
        {"type": "Resources", "resources": [{"id": "stale"}]},
        message(text("draft answer")),
        {"type": "Full", **{k: v for k, v in FULL_BODY.items() if k != "requestId"}},
        message(text(" late delta")),
    ]
    result = assemble_chat(events)
    assert result.text == "You get 25 days, plus holidays."
    assert [r.id for r in result.resources] == ["r1", "r2"]
    assert result.request_id == "req-early"  # Full lacked it: the earlier id is kept
    assert result.thread_id == "thr-1"


def test_v1_full_without_lists_keeps_streamed_ones() -> None:
    events = [*DELTA_STREAM[:-1], {"type": "Full", "requestId": "req-1", "resources": None}]
    result = assemble_chat(events)
    assert result.text == "You get 25 days, plus holidays."
    assert [r.id for r in result.resources] == ["r1", "r2"]


def test_v1_out_of_order_events_and_repeated_resources() -> None:
    events = [
        message(text("See ")),
        {"type": "References", "references": [{"resourceId": "r2"}]},
        message(ref(0)),
        {"type": "Resources", "resources": [R1]},
        {"type": "Resources", "resources": [{**R2, "name": "old"}, R1]},
        {"type": "Resources", "resources": [R2]},
        {"type": "References", "references": [{"resourceId": "r1"}]},
        {"type": "Request", "requestId": "late-id"},
    ]
    result = assemble_chat(events)
    assert result.request_id == "late-id"
    assert [r.id for r in result.resources] == ["r1", "r2"]
    assert result.resources[1].name == "#hr thread"  # the later copy replaces the earlier
    assert [r.resource_id for r in result.references] == ["r2", "r1"]
    (citation,) = result.citations()
    assert citation.offset == 4
    assert [r.id for r in citation.resources] == ["r2"]


def test_v1_unknown_event_types_are_kept() -> None:
    odd = {"type": "Thinking", "text": "hmm", "requestId": "req-x"}
    broken = {"type": "Message", "parts": "not a list"}
    result = partial_v1([odd, message(text("ok")), broken, "garbage"])
    assert result.text == "ok"
    assert result.events_unknown == [odd, broken, {"value": "garbage"}]
    assert result.request_id == "req-x"
    typed = partial_v1([ChatEvent.model_validate({"type": "Ping", "seq": 1})])
    assert typed.events_unknown == [{"type": "Ping", "seq": 1}]


def test_v1_progress_codes() -> None:
    result = assemble_chat(
        [
            {"type": "Progress", "code": "web_search"},
            {"type": "Progress", "code": "Web_Search_Retry"},
            {"type": "Progress", "code": "thinking_hard"},
            message(text("done")),
        ]
    )
    assert result.progress == [
        ProgressCode.WEB_SEARCH,
        ProgressCode.WEB_SEARCH_RETRY,
        "thinking_hard",
    ]


def test_v1_non_streaming_single_body() -> None:
    for body in (FULL_BODY, {**FULL_BODY, "type": "Full"}, ChatEvent.model_validate(FULL_BODY)):
        result = assemble_chat(body)
        assert result.text == "You get 25 days, plus holidays."
        assert result.request_id == "req-1"
        assert result.thread_id == "thr-1"
        assert len(result.parts) == 5
    assert assemble_chat([FULL_BODY]) == assemble_chat(FULL_BODY)


def test_v1_body_keeps_adjacent_text_parts_apart() -> None:
    body = {"message": {"role": "Assistant", "parts": [text("a"), text("b"), ref(0), text("c")]}}
    result = assemble_chat(body)
    assert [p.text for p in result.parts] == ["a", "b", None, "c"]
    assert result.text == "abc"
    assert result.citations()[0].offset == 2


def test_v1_streaming_equals_non_streaming() -> None:
    streamed = assemble_chat(DELTA_STREAM)
    whole = assemble_chat(copy.deepcopy(FULL_BODY))
    assert streamed == whole
    assert streamed.model_dump() == whole.model_dump()


def test_v1_citations_offsets_and_resolution() -> None:
    result = assemble_chat(FULL_BODY)
    first, second = result.citations()
    assert first.offset == len("You get 25 days")
    assert first.part_index == 1
    assert result.text[: first.offset].endswith("25 days")
    assert [r.id for r in first.resources] == ["r1"]
    assert second.offset == len("You get 25 days, plus holidays")
    assert [r.id for r in second.resources] == ["r1", "r2"]
    assert second.indices == [0, 1]


def test_v1_citations_skip_bad_indices_and_missing_ids() -> None:
    body = {
        "message": {"parts": [text("x"), ref(5, -1, 0, 1, 2, 0), text("y"), ref()]},
        "resources": [R1],
        "references": [{"resourceId": "r1"}, {"resourceId": "missing"}, {"resourceId": None}],
    }
    result = assemble_chat(body)
    first, empty = result.citations()
    assert first.offset == 1
    assert first.resources == [Resource.model_validate(R1)]
    assert empty.offset == 2
    assert empty.resources == []


def test_v1_incremental_assembler_shows_answer_so_far() -> None:
    assembler = ChatAssembler()
    assembler.add(message(text("Hel")))
    snapshot = assembler.result()
    assembler.add(message(text("lo")))
    assert snapshot.text == "Hel"
    assert assembler.result().text == "Hello"


# --- v2 ----------------------------------------------------------------------------

WEB1 = {"id": "w1", "url": "https://example.com/a", "title": "A"}
WEB2 = {"url": "https://example.com/b", "title": "B"}

V2_STREAM: list[dict[str, Any]] = [
    {"requestId": "req-2", "threadId": "thr-2"},
    {
        "tool": {
            "toolCallStatus": {"toolCallId": "tc1", "status": "Start"},
            "toolStep": {"stepDescription": "Searching your apps", "toolId": "enterprise"},
        }
    },
    {"toolCalls": [{"id": "tc1", "name": "search", "callId": "c1", "arguments": '{"q": "pto"}'}]},
    {
        "tool": {
            "response": {
                "name": "search",
                "toolId": "enterprise",
                "resources": {"enterprise": {"results": [R1, R2]}},
            }
        }
    },
    {"tool": {"toolCallStatus": {"toolCallId": "tc1", "status": "end"}}},
    {
        "tool": {
            "toolCallStatus": {"toolCallId": "tc2", "status": "Start"},
            "toolStep": {"stepDescription": "Searching the web", "toolId": "web"},
        }
    },
    {
        "tool": {
            "response": {
                "name": "web_search",
                "toolId": "web",
                "resources": {"webSearch": {"sources": [WEB1, WEB2]}, "custom": {"engine": "bing"}},
            }
        }
    },
    {"tool": {"toolCallStatus": {"toolCallId": "tc2", "status": "End"}}},
    {"text": "You get "},
    {"text": "25 days"},
    {"reference": {"referenceIds": ["r1"], "position": 15}},
    {"text": " off."},
    {"reference": {"referenceIds": ["w1", "https://example.com/b", "nope"], "position": 999}},
    {"sources": {"sourcesIds": ["r1", "w1"]}},
    {"sources": {"sourcesIds": ["w1", "r2"]}},
]


def test_v2_text_deltas_tools_and_ids() -> None:
    result = partial_v2(V2_STREAM)
    assert result.request_id == "req-2"
    assert result.thread_id == "thr-2"
    assert result.text == "You get 25 days off."
    assert [c.id for c in result.tool_calls] == ["tc1"]
    first, second = result.tool_steps
    assert (first.id, first.status, first.description, first.tool_id, first.name) == (
        "tc1",
        ToolStatus.END,
        "Searching your apps",
        "enterprise",
        "search",
    )
    assert [r.id for r in first.resources] == ["r1", "r2"]
    assert first.web_sources == []
    assert (second.id, second.status, second.name) == ("tc2", ToolStatus.END, "web_search")
    assert [s.title for s in second.web_sources] == ["A", "B"]
    assert second.custom == {"engine": "bing"}
    assert [r.id for r in result.resources] == ["r1", "r2"]
    assert [s.title for s in result.web_sources] == ["A", "B"]
    assert result.sources_ids == ["r1", "w1", "r2"]
    assert result.chunks_unknown == []


def test_v2_references_and_citations() -> None:
    result = partial_v2(V2_STREAM)
    assert [(r.reference_ids, r.position) for r in result.references] == [
        (["r1"], 15),
        (["w1", "https://example.com/b", "nope"], 999),
    ]
    first, second = result.citations()
    assert first.position == 15
    assert result.text[: first.position] == "You get 25 days"
    assert [r.id for r in first.resources] == ["r1"]
    assert first.web_sources == []
    assert second.position == len(result.text)  # clamped
    assert second.resources == []
    assert [s.title for s in second.web_sources] == ["A", "B"]


def test_v2_citation_position_clamped_below_and_missing() -> None:
    result = assemble_chat_v2(
        [
            {"text": "abc"},
            {"reference": {"referenceIds": [], "position": -4}},
            {"reference": {"referenceIds": ["x"]}},
        ]
    )
    low, missing = result.citations()
    assert low.position == 0
    assert missing.position == 3
    assert missing.resources == []
    assert missing.web_sources == []


def test_v2_failed_step() -> None:
    result = assemble_chat_v2(
        [
            {
                "tool": {
                    "toolCallStatus": {"toolCallId": "a", "status": "Start"},
                    "toolStep": {"stepDescription": "Browsing", "toolId": "web"},
                }
            },
            {"tool": {"toolCallStatus": {"toolCallId": "a", "status": "FAILED"}}},
            {
                "tool": {
                    "toolCallStatus": {"toolCallId": "b", "status": "Start"},
                    "toolStep": {"stepDescription": "Retrying", "toolId": "web"},
                }
            },
            {"tool": {"toolCallStatus": {"toolCallId": "b", "status": "Timeout"}}},
            {"text": "Sorry."},
        ]
    )
    assert [(s.id, s.status, s.description) for s in result.tool_steps] == [
        ("a", ToolStatus.FAILED, "Browsing"),
        ("b", "Timeout", "Retrying"),
    ]
    assert result.text == "Sorry."


def test_v2_response_matched_by_tool_id_else_most_recent() -> None:
    result = partial_v2(
        [
            {
                "tool": {
                    "toolCallStatus": {"toolCallId": "a", "status": "Start"},
                    "toolStep": {"toolId": "enterprise"},
                }
            },
            {
                "tool": {
                    "toolCallStatus": {"toolCallId": "b", "status": "Start"},
                    "toolStep": {"toolId": "web"},
                }
            },
            {
                "tool": {
                    "response": {
                        "toolId": "enterprise",
                        "resources": {"enterprise": {"results": [R1]}},
                    }
                }
            },
            {
                "tool": {
                    "response": {
                        "toolId": "unknown-tool",
                        "resources": {"webSearch": {"sources": [WEB1]}},
                    }
                }
            },
            {"tool": {"response": {"toolId": "a", "resources": {"enterprise": {"results": [R2]}}}}},
        ]
    )
    a, b = result.tool_steps
    assert [r.id for r in a.resources] == ["r1", "r2"]  # by toolId, then by toolCallId
    assert [s.id for s in b.web_sources] == ["w1"]  # no match: the most recent step


def test_v2_response_before_any_step_creates_one() -> None:
    result = partial_v2(
        {
            "tool": {
                "response": {
                    "name": "web",
                    "toolId": "t",
                    "resources": {"webSearch": {"sources": [WEB1]}},
                }
            }
        }
    )
    (step,) = result.tool_steps
    assert (step.id, step.tool_id, step.name) == ("t", "t", "web")
    assert [s.id for s in result.web_sources] == ["w1"]


def test_v2_cumulative_text() -> None:
    chunks = [{"text": "You"}, {"text": "You get"}, {"text": "You get 25 days."}]
    result = assemble_chat_v2(chunks, text_mode="snapshot")
    assert result.text == "You get 25 days."
    # Without the setting, nothing is guessed: every character is kept.
    assert assemble_chat_v2(chunks).text == "YouYou getYou get 25 days."


def test_v2_non_streaming_body_and_list_body() -> None:
    body = {
        "text": "You get 25 days off.",
        "requestId": "req-2",
        "toolCalls": [{"id": "tc1", "name": "search"}],
        "reference": {"referenceIds": ["r1"], "position": 15},
        "sources": {"sourcesIds": ["r1"]},
        "tool": {
            "toolCallStatus": {"toolCallId": "tc1", "status": "End"},
            "toolStep": {"stepDescription": "Searching", "toolId": "enterprise"},
            "response": {
                "name": "search",
                "toolId": "enterprise",
                "resources": {"enterprise": {"results": [R1]}},
            },
        },
    }
    single = assemble_chat_v2(body)
    assert single.text == "You get 25 days off."
    assert single.request_id == "req-2"
    assert [r.id for r in single.resources] == ["r1"]
    assert single.citations()[0].resources[0].id == "r1"
    assert assemble_chat_v2([body]) == single
    assert assemble_chat_v2(ChatV2Chunk.model_validate(body)) == single
    listed = assemble_chat_v2([{"text": "A", "requestId": "x"}, {"text": "B"}])
    assert listed.text == "AB"
    assert listed.request_id == "x"


def test_v2_streaming_equals_non_streaming() -> None:
    stream: list[dict[str, Any]] = [
        {"requestId": "req-2"},
        {"tool": {"toolCallStatus": {"toolCallId": "tc1", "status": "Start"}}},
        {"tool": {"toolStep": {"stepDescription": "Searching", "toolId": "enterprise"}}},
        {
            "tool": {
                "response": {
                    "name": "search",
                    "toolId": "enterprise",
                    "resources": {"enterprise": {"results": [R1]}},
                }
            }
        },
        {"tool": {"toolCallStatus": {"toolCallId": "tc1", "status": "End"}}},
        {"text": "You get "},
        {"text": "25 days"},
        {"reference": {"referenceIds": ["r1"], "position": 15}},
        {"sources": {"sourcesIds": ["r1"]}},
    ]
    body = {
        "requestId": "req-2",
        "text": "You get 25 days",
        "reference": {"referenceIds": ["r1"], "position": 15},
        "sources": {"sourcesIds": ["r1"]},
        "tool": {
            "toolCallStatus": {"toolCallId": "tc1", "status": "End"},
            "toolStep": {"stepDescription": "Searching", "toolId": "enterprise"},
            "response": {
                "name": "search",
                "toolId": "enterprise",
                "resources": {"enterprise": {"results": [R1]}},
            },
        },
    }
    assert assemble_chat_v2(stream) == assemble_chat_v2(body)


def test_v2_tool_calls_merged_by_id_and_unreadable_chunks_kept() -> None:
    bad = {"tool": 5}
    result = partial_v2(
        [
            {"toolCalls": [{"id": "a", "name": "search"}]},
            bad,
            {"toolCalls": [{"id": "a", "arguments": "{}"}, {"id": "b", "name": "web"}]},
            {"toolCalls": None},
        ]
    )
    assert [(c.id, c.name, c.arguments) for c in result.tool_calls] == [
        ("a", "search", "{}"),
        ("b", "web", None),
    ]
    assert result.chunks_unknown == [bad]


def test_v2_incremental_assembler_snapshots_are_independent() -> None:
    assembler = ChatV2Assembler()
    assembler.add({"tool": {"toolCallStatus": {"toolCallId": "a", "status": "Start"}}})
    before = assembler.result()
    assembler.add(
        {
            "tool": {
                "toolCallStatus": {"toolCallId": "a", "status": "End"},
                "response": {"resources": {"enterprise": {"results": [R1]}}},
            }
        }
    )
    assert before.tool_steps[0].status is ToolStatus.START
    assert before.resources == []
    after = assembler.result()
    assert after.tool_steps[0].status is ToolStatus.END
    assert [r.id for r in after.resources] == ["r1"]


def test_v2_a_delta_repeating_the_text_so_far_is_appended_once_deltas_were_seen() -> None:
    chunks = [{"text": "ha"}, {"text": "!"}, {"text": "ha!"}]
    assert assemble_chat_v2(chunks).text == "ha!ha!"


def test_v2_plural_references_keep_every_position_and_skip_unreadable_ones() -> None:
    single = {"referenceIds": ["r1"], "position": 3}
    good = [single, {"referenceIds": ["r1", "w1"], "position": 9}, {"referenceIds": None}]
    result = partial_v2({"text": "abcdefghij", "reference": single, "references": good})
    assert [(r.reference_ids, r.position) for r in result.references] == [
        (["r1"], 3),
        (["r1", "w1"], 9),
        ([], None),
    ]
    mixed = [{"referenceIds": "not a list"}, {"referenceIds": ["r2"], "position": 1}, 7]
    result = partial_v2({"text": "ab", "reference": single, "references": mixed})
    assert [(r.reference_ids, r.position) for r in result.references] == [(["r2"], 1)]
    unreadable = [{"position": "far"}, "x"]
    result = partial_v2({"text": "ab", "reference": single, "references": unreadable})
    assert [(r.reference_ids, r.position) for r in result.references] == [(["r1"], 3)]


def test_v2_result_snapshots_do_not_share_references_with_the_assembler() -> None:
    assembler = ChatV2Assembler()
    assembler.add({"text": "ab", "reference": {"referenceIds": ["r1"], "position": 1}})
    first = assembler.result()
    first.references[0].reference_ids.append("changed")
    assembler.add({"reference": {"referenceIds": ["r2"], "position": 2}})
    second = assembler.result()
    assert [r.reference_ids for r in second.references] == [["r1"], ["r2"]]
    assert [r.reference_ids for r in first.references] == [["r1", "changed"]]


def test_v2_tool_call_arguments_streamed_in_pieces_are_joined() -> None:
    result = partial_v2(
        [
            {"toolCalls": [{"id": "a", "name": "search", "arguments": '{"qu'}]},
            {"toolCalls": [{"id": "a", "arguments": 'ery": "pto"}'}]},
            {"toolCalls": [{"index": 1, "id": None, "name": "web", "arguments": '{"q": '}]},
            {"toolCalls": [{"index": 1, "arguments": '"x"}'}]},
        ]
    )
    assert [(c.id, c.name, c.arguments) for c in result.tool_calls] == [
        ("a", "search", '{"query": "pto"}'),
        (None, "web", '{"q": "x"}'),
    ]


def test_v2_tool_call_arguments_repeated_whole_or_as_objects_are_not_doubled() -> None:
    whole = '{"query": "pto"}'
    result = partial_v2(
        [
            {"toolCalls": [{"id": "a", "arguments": '{"query"'}]},
            {"toolCalls": [{"id": "a", "arguments": whole}]},  # cumulative: replaces
            {"toolCalls": [{"id": "a", "arguments": whole}]},  # the same again
            {"toolCalls": [{"id": "b", "arguments": {"q": "x"}}]},
            {"toolCalls": [{"id": "b", "arguments": {"k": 3}}]},
            {"toolCalls": [{"name": "no id, no index"}, {"name": "another"}]},
        ]
    )
    assert [c.arguments for c in result.tool_calls] == [whole, {"q": "x", "k": 3}, None, None]


def test_v1_text_pieces_are_joined_exactly_and_snapshots_only_when_told() -> None:
    def message(text: str) -> dict[str, Any]:
        return {"type": "Message", "parts": [{"type": "Text", "text": text}]}

    deltas = assemble_chat([message("a"), message("b"), message("abc"), message("d")])
    assert deltas.text == "ababcd"
    repeats = assemble_chat([message("a"), message("ab"), message("abc")])
    assert repeats.text == "aababc"
    snapshots = [message("a"), message("ab"), message("abc")]
    assert assemble_chat(snapshots, text_mode="snapshot").text == "abc"


def test_v1_empty_or_null_text_events_carry_nothing_in_either_mode() -> None:
    def message(text: str | None) -> dict[str, Any]:
        return {"type": "Message", "parts": [{"type": "Text", "text": text}]}

    empty = [message("Hello"), message(""), message(" world"), message("!")]
    assert assemble_chat(empty).text == "Hello world!"
    null = [message("Hello"), message(None), message(" world")]
    assert assemble_chat(null).text == "Hello world"
    cumulative = [message("Hello"), message(None), message("Hello world")]
    assert assemble_chat(cumulative, text_mode="snapshot").text == "Hello world"


def test_a_repeat_of_the_answer_so_far_is_text_not_a_snapshot_in_v1_and_v2() -> None:
    # The old guess took "Hello world" after "Hel", "lo", " world" for a snapshot; no
    # vendor document says so, so it is text (a v1 Full event is the way to say "whole").
    pieces = ("Hel", "lo", " world", "Hello world")
    v1 = [{"type": "Message", "parts": [{"type": "Text", "text": t}]} for t in pieces]
    assert assemble_chat(v1).text == "Hello worldHello world"
    full = {"type": "Full", "message": {"parts": [{"type": "Text", "text": "Hello world"}]}}
    assert assemble_chat([*v1, full]).text == "Hello world"
    assert assemble_chat_v2([{"text": t} for t in pieces]).text == "Hello worldHello world"
    short = [{"text": t} for t in ("a", "b", "abc")]
    assert assemble_chat_v2(short).text == "ababc"


def test_v2_tool_call_arguments_after_a_complete_value_replace_it() -> None:
    def arguments(*values: str) -> list[Any]:
        chunks = [{"toolCalls": [{"id": "a", "name": "search", "arguments": v}]} for v in values]
        return [c.arguments for c in partial_v2(chunks).tool_calls]

    assert arguments("{}", '{"q": "x"}') == ['{"q": "x"}']  # a placeholder, then the real ones
    assert arguments('{"q": "x"}', '{"q":"x"}') == ['{"q":"x"}']  # the same, re-serialised
    assert arguments("", '{"q', '": 1}') == ['{"q": 1}']


def test_v2_openai_style_tool_call_pieces_follow_their_index() -> None:
    first_round = partial_v2(
        [
            {"toolCalls": [{"index": 0, "id": "call_1", "name": "search", "arguments": ""}]},
            {"toolCalls": [{"index": 1, "id": "call_2", "name": "web", "arguments": '{"u'}]},
            {"toolCalls": [{"index": 0, "arguments": '{"qu'}]},
            {"toolCalls": [{"index": 1, "arguments": '": 1}'}]},
            {"toolCalls": [{"index": 0, "arguments": 'ery": "pto"}'}]},
        ]
    )
    assert [(c.id, c.name, c.arguments) for c in first_round.tool_calls] == [
        ("call_1", "search", '{"query": "pto"}'),
        ("call_2", "web", '{"u": 1}'),
    ]
    rounds = partial_v2(
        [
            {"toolCalls": [{"index": 0, "name": "search", "arguments": '{"q": "a"}'}]},
            {"text": "Looking further..."},
            {"toolCalls": [{"index": 0, "name": "web", "arguments": '{"q": "b"}'}]},
            {"toolCalls": [{"index": 0, "arguments": '{"q": "c"}'}]},  # after a complete value
        ]
    )
    assert [(c.name, c.arguments) for c in rounds.tool_calls] == [
        ("search", '{"q": "a"}'),
        ("web", '{"q": "b"}'),
        (None, '{"q": "c"}'),
    ]


def test_v2_blank_or_header_pieces_after_complete_arguments() -> None:
    repeated_header = partial_v2(
        [
            {"toolCalls": [{"id": "a", "name": "search", "arguments": ""}]},
            {"toolCalls": [{"id": "a", "arguments": '{"q": "pto"}'}]},
            {"toolCalls": [{"id": "a", "name": "search", "arguments": ""}]},  # sent again
        ]
    )
    assert [c.arguments for c in repeated_header.tool_calls] == ['{"q": "pto"}']
    rounds = partial_v2(
        [
            {"toolCalls": [{"index": 0, "name": "search", "arguments": '{"q": "a"}'}]},
            {"toolCalls": [{"index": 0, "arguments": "\n"}]},  # blank: no new call
            {"toolCalls": [{"index": 0, "name": "web"}]},  # the next round's header
            {"toolCalls": [{"index": 0, "arguments": '{"q": "b"}'}]},
        ]
    )
    assert [(c.name, c.arguments) for c in rounds.tool_calls] == [
        ("search", '{"q": "a"}'),
        ("web", '{"q": "b"}'),
    ]


def test_a_reference_is_one_object_from_the_chunk_to_the_answer() -> None:
    chunk = ChatV2Chunk.model_validate_json(
        '{"text": "A.", "reference": {"referenceIds": ["r1"], "position": 2, "kind": "x"}}'
    )
    assembler = ChatV2Assembler()
    assembler.add(chunk)
    copied = assembler.result()  # a snapshot mid-stream: its own copies
    assert copied.references[0] is not chunk.reference
    assert copied.references[0] == chunk.reference
    answer = assembler.finish()
    assert answer.references[0] is chunk.reference  # kept, not re-validated or copied
    assert answer.references[0].reference_ids == ["r1"]
    assert answer.references[0].position == 2
    assert answer.references[0].model_extra == {"kind": "x"}  # unknown fields kept
