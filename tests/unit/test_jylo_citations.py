"""parse_citations: plain text, cited spans and source ids across marker syntaxes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assistant_bridge.jylo import Message, parse_citations

DOC = "123e4567-e89b-12d3-a456-426614174000"


def spans(text: str) -> list[tuple[str, str]]:
    return [(c.source_id, c.text) for c in parse_citations(text).citations]


@pytest.mark.parametrize(
    ("raw", "plain", "cited"),
    [
        ("Paris is the capital [1].", "Paris is the capital.", [("1", "Paris is the capital")]),
        ("Paris is the capital[^1].", "Paris is the capital.", [("1", "Paris is the capital")]),
        ("Tea is hot【4:0†source】.", "Tea is hot.", [("4:0", "Tea is hot")]),
        ("Tea is hot【7†policy.pdf】 today.", "Tea is hot today.", [("7", "Tea is hot")]),
        (f"See the memo [[doc:{DOC}]].", "See the memo.", [(DOC, "See the memo")]),
        (f"See the memo [[{DOC}]].", "See the memo.", [(DOC, "See the memo")]),
        (f"See the memo [{DOC}].", "See the memo.", [(DOC, "See the memo")]),
        ("Budget is fixed [source: fin-7].", "Budget is fixed.", [("fin-7", "Budget is fixed")]),
        (
            'Dinner is at Casa do Rio. [1](cite:doc-7 "offsite.md")',
            "Dinner is at Casa do Rio.",
            [("doc-7", "Dinner is at Casa do Rio.")],
        ),
        ("Owned by Ana [2](source:r-9).", "Owned by Ana.", [("r-9", "Owned by Ana")]),
        (
            'Rates <cite id="d1">rose by 2%</cite> in May.',
            "Rates rose by 2% in May.",
            [("d1", "rose by 2%")],
        ),
        (
            "<citation source='a, b'>Both agree</citation>.",
            "Both agree.",
            [("a", "Both agree"), ("b", "Both agree")],
        ),
    ],
)
def test_marker_syntaxes(raw: str, plain: str, cited: list[tuple[str, str]]) -> None:
    result = parse_citations(raw)
    assert result.text == plain
    assert [(c.source_id, c.text) for c in result.citations] == cited
    assert result.raw == raw
    for citation in result.citations:
        assert result.text[citation.start : citation.end] == citation.text
        assert citation.marker in raw


def test_several_sentences_and_adjacent_markers() -> None:
    result = parse_citations("A is b [1]. C is d [2][3]. E [1, 4].")
    assert result.text == "A is b. C is d. E."
    assert [(c.source_id, c.text) for c in result.citations] == [
        ("1", "A is b"),
        ("2", "C is d"),
        ("3", "C is d"),
        ("1", "E"),
        ("4", "E"),
    ]
    assert result.source_ids == ["1", "2", "3", "4"]


def test_two_markers_in_one_sentence_cite_their_own_parts() -> None:
    assert spans("Apples are red [1] and pears are green [2].") == [
        ("1", "Apples are red"),
        ("2", "and pears are green"),
    ]


def test_marker_followed_by_a_word_keeps_the_space() -> None:
    assert parse_citations("alpha [1]beta").text == "alpha beta"
    assert parse_citations("alpha [1] beta").text == "alpha beta"


@pytest.mark.parametrize(
    "raw",
    [
        "No markers at all.",
        "A markdown [link](https://example.com) and [1](https://x.test).",
        "Unknown {{ref:7}} syntax and <<3>>.",
        "A tag without a source <cite>text</cite>.",
        "Unclosed <cite id='x'>text",
        "[^1]: a footnote definition",
        "[ ] a checkbox and [x] done",
        "",
    ],
)
def test_unknown_syntax_leaves_text_untouched(raw: str) -> None:
    result = parse_citations(raw)
    assert result.text == raw
    assert result.citations == []


def test_none_reads_as_empty() -> None:
    assert parse_citations(None).text == ""


def test_message_cited_text_prefers_text_with_citations() -> None:
    message = Message.model_validate({"text": "Plain.", "textWithCitations": "Plain [2]."})
    cited = message.cited_text()
    assert cited.text == "Plain."
    assert cited.source_ids == ["2"]
    assert Message(text="Only text").cited_text().text == "Only text"


@given(st.text(max_size=200))
def test_never_raises_and_spans_are_consistent(raw: str) -> None:
    result = parse_citations(raw)
    for citation in result.citations:
        assert 0 <= citation.start <= citation.end <= len(result.text)
        assert result.text[citation.start : citation.end] == citation.text
    if not result.citations:
        assert result.text == raw


def test_titles_from_link_style_and_lenticular_markers() -> None:
    link = parse_citations('Policy applies. [1](cite:p-1 "Travel policy")').citations[0]
    assert (link.source_id, link.title) == ("p-1", "Travel policy")
    lent = parse_citations("Tea【7†policy.pdf】 and【8†source】.").citations
    assert [(c.source_id, c.title) for c in lent] == [("7", "policy.pdf"), ("8", None)]
    assert parse_citations("Plain [1].").citations[0].title is None
