"""The tools' text, rendered once in the adapter core: cited answers and search hits."""

from __future__ import annotations

from typing import Any

from assistant_bridge._adapter_core import cited_answer_text, search_hits_text


def item(title: str, url: str, *ends: int, id: str | None = None) -> dict[str, Any]:
    spans = [{"start_index": 0, "end_index": end, "cited_text": "x"} for end in ends]
    metadata: dict[str, Any] = {"title": title, "source": url, "citations": spans}
    if id is not None:
        metadata["id"] = id
    return {"text": title, "metadata": metadata}


def test_sources_are_numbered_by_first_citation_with_markers_right_after_the_span() -> None:
    text = "One. Two. Three."
    sources = [item("C", "https://c"), item("B", "https://b", 9), item("A", "https://a", 4, 16)]
    assert cited_answer_text(text, sources) == (
        "One.[1] Two.[2] Three.[1]\n\nSources:\n  [1] A - https://a\n  [2] B - https://b"
    )


def test_uncited_sources_follow_in_their_own_section_only_when_asked() -> None:
    sources = [item("C", "https://c"), item("A", "https://a", 4), item("D", "")]
    assert cited_answer_text("One.", sources, include_uncited=True) == (
        "One.[1]\n\nSources:\n  [1] A - https://a\n\n"
        "Also consulted (not cited):\n  [2] C - https://c\n  [3] D"
    )
    assert cited_answer_text("One.", [item("C", "https://c")]) == "One."
    assert cited_answer_text("One.", [item("C", "https://c")], include_uncited=True) == (
        "One.\n\nAlso consulted (not cited):\n  [1] C - https://c"
    )


def test_one_source_listed_twice_keeps_one_number_and_bad_items_are_skipped() -> None:
    sources: list[Any] = [
        item("A", "https://a", 4, id="r1"),
        "not an item",
        item("A again", "https://a2", 9, id="r1"),
        item("B", "https://b", 9, 9),
    ]
    assert cited_answer_text("One. Two.", sources) == (
        "One.[1] Two.[1][2]\n\nSources:\n  [1] A - https://a\n  [2] B - https://b"
    )
    assert cited_answer_text("Text.", None) == "Text."


def test_a_span_past_the_end_is_marked_at_the_end_and_an_untitled_source_shows_its_url() -> None:
    sources = [item("", "https://only-url", 99)]
    assert cited_answer_text("Short.", sources) == "Short.[1]\n\nSources:\n  [1] https://only-url"


def test_search_hits_are_numbered_with_url_kind_and_a_cut_snippet() -> None:
    hits = [
        (
            {
                "title": "Runbook",
                "source": "https://wiki/r",
                "app_id": "confluence",
                "type": "page",
            },
            "Line one.\n\n  Line   two " + "word " * 20,
        ),
        ({"id": "jira-1"}, ""),
    ]
    text = search_hits_text("billing", hits, snippet_chars=30)
    assert text.splitlines() == [
        "2 result(s) for 'billing':",
        "[1] Runbook",
        "    url: https://wiki/r",
        "    from: confluence / page",
        "    snippet: Line one. Line two word wor...",  # 30 characters
        "[2] jira-1",
    ]
    assert search_hits_text("x", []) == "No results for 'x'; try other keywords or fewer filters."
