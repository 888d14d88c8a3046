"""Which sources a chat v2 reference cites: resources first, then each web page once."""

from __future__ import annotations

from typing import Any

from assistant_bridge.sources import sources_from_chat_v2
from assistant_bridge.unleash import assemble_chat_v2


def _answer(*references: dict[str, Any]) -> list[dict[str, Any]]:
    sites = [
        {"id": "w1", "url": "https://example.com/a", "title": "A"},
        {"url": "https://example.com/b", "title": "B"},
    ]
    tool = {
        "toolCallStatus": {"toolCallId": "c1", "status": "End"},
        "response": {
            "name": "search",
            "resources": {
                "enterprise": {"results": [{"id": "r1", "title": "R1"}]},
                "webSearch": {"sources": sites},
            },
        },
    }
    return [{"tool": tool}, {"text": "One. Two."}, *({"reference": r} for r in references)]


def _cited(chunks: list[dict[str, Any]]) -> dict[str, list[tuple[int, int]]]:
    sources = sources_from_chat_v2(assemble_chat_v2(chunks))
    return {str(s.id): [(c.start_index, c.end_index) for c in s.citations] for s in sources}


def test_a_page_named_by_its_id_and_its_url_in_one_reference_is_cited_once() -> None:
    cited = _cited(_answer({"referenceIds": ["w1", "https://example.com/a"], "position": 4}))
    assert cited["w1"] == [(0, 4)]
    assert cited["https://example.com/b"] == []


def test_a_reference_cites_resources_and_pages_and_repeats_count_once() -> None:
    cited = _cited(
        _answer(
            {"referenceIds": ["https://example.com/b", "r1", "r1", "w1"], "position": 9},
            {"referenceIds": ["nobody"], "position": 4},
        )
    )
    assert cited == {"r1": [(5, 9)], "https://example.com/b": [(5, 9)], "w1": [(5, 9)]}
