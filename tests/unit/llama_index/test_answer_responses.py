"""The LlamaIndex response of a whole answer: its ``tool_steps`` are each step's JSON dump."""

from __future__ import annotations

from typing import Any

from assistant_bridge._adapter_core import Answer
from assistant_bridge.llama_index._answer_responses import chat_response
from assistant_bridge.unleash import assemble_chat_v2


def _chunks() -> list[dict[str, Any]]:
    found = [{"id": "r1", "title": "R1", "data": {"when": "2025-01-01"}, "extra": [1, 2]}]
    return [
        {"tool": {"toolCallStatus": {"toolCallId": "c1", "status": "Start"}}},
        {
            "tool": {
                "toolCallStatus": {"toolCallId": "c1", "status": "End"},
                "toolStep": {"toolId": "search", "stepDescription": "Searching"},
                "response": {
                    "name": "search",
                    "resources": {
                        "enterprise": {"results": found},
                        "webSearch": {"sources": [{"url": "https://example.com", "title": "E"}]},
                        "custom": {"k": {"v": 1}},
                    },
                },
            }
        },
        {"tool": {"toolCallStatus": {"toolCallId": "c2", "status": "Failed"}}},
        {"text": "An answer."},
        {"reference": {"referenceIds": ["r1"], "position": 10}},
    ]


def test_tool_steps_are_each_steps_json_dump() -> None:
    answer = Answer.whole(assemble_chat_v2(_chunks()))
    steps = chat_response(answer, model="m").additional_kwargs["tool_steps"]
    assert steps == [
        step.model_dump(mode="json", by_alias=True, exclude_none=True) for step in answer.tool_steps
    ]
    assert [step["id"] for step in steps] == ["c1", "c2"]
    assert steps[0]["resources"][0]["extra"] == [1, 2]  # unknown fields are kept
