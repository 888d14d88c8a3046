"""parse_citations: plain text, cited spans and source ids across marker syntaxes."""

from __future__ import annotations

from typing import Any

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


def test_a_numbered_marker_right_before_a_cite_tag() -> None:
    result = parse_citations('Paris is the capital [1]. <cite id="a">Lyon is big</cite>.')
    assert result.text == "Paris is the capital. Lyon is big."
    assert [(c.source_id, c.start, c.end, c.text) for c in result.citations] == [
        ("1", 0, 20, "Paris is the capital"),
        ("a", 22, 33, "Lyon is big"),
    ]
    assert result.text[22:33] == "Lyon is big"


# Whole segments: plain text (no character that could start or end a marker), numbered
# markers, and <cite> spans, in any order and number.
_PLAIN = st.text(alphabet="abcXYZ019 .,!?\t\n", min_size=1, max_size=12)
_NUMBERED = st.lists(st.integers(0, 9999), min_size=1, max_size=3).map(
    lambda ns: ("numbered", f"[{', '.join(map(str, ns))}]", [str(n) for n in ns])
)
_TAG = st.tuples(
    st.lists(st.from_regex(r"[a-z0-9]{1,5}", fullmatch=True), min_size=1, max_size=2),
    st.text(alphabet="abcXYZ019 .,!?\n", max_size=12),
).map(lambda t: ("tag", f'<cite id="{" ".join(t[0])}">{t[1]}</cite>', t[0], t[1]))
_SEGMENTS = st.lists(st.one_of(_PLAIN.map(lambda s: ("plain", s)), _NUMBERED, _TAG), max_size=12)


def _model(
    segments: list[tuple[Any, ...]],
) -> tuple[str, list[tuple[str, int | None, int, str | None]]]:
    """The plain text the module defines, and (id, start or None, end, text or None) per citation.

    Tags give their words; a numbered marker gives nothing and, unless a letter or digit
    follows it, drops the spaces and tabs just before it (since the previous marker).
    A numbered marker's span ends at the text before it (trailing whitespace left out);
    where it starts is the module's sentence heuristic, so only its end is modelled.
    """
    out = ""
    since_marker = 0  # where the text after the previous marker starts in ``out``
    expected: list[tuple[str, int | None, int, str | None]] = []
    raws = [s[1] for s in segments]
    for index, segment in enumerate(segments):
        kind = segment[0]
        if kind == "plain":
            out += segment[1]
            continue
        if kind == "tag":
            start = len(out)
            out += segment[3]
            expected += [(i, start, len(out), segment[3]) for i in segment[2]]
            since_marker = len(out)
            continue
        following = "".join(raws[index + 1 :])[:1]
        if not following.isalnum():
            out = out[:since_marker] + out[since_marker:].rstrip(" \t")
        expected += [(i, None, len(out.rstrip()), None) for i in segment[2]]
        since_marker = len(out)
    return out, expected


@given(_SEGMENTS)
def test_spans_are_exact_for_any_mix_of_numbered_markers_and_cite_tags(
    segments: list[tuple[Any, ...]],
) -> None:
    raw = "".join(s[1] for s in segments)
    result = parse_citations(raw)
    text, expected = _model(segments)
    assert result.text == text
    assert len(result.citations) == len(expected)
    for citation, (source, start, end, words) in zip(result.citations, expected, strict=True):
        assert citation.source_id == source
        assert citation.end == end
        assert 0 <= citation.start <= citation.end <= len(result.text)
        assert result.text[citation.start : citation.end] == citation.text
        if start is not None:  # a tag: exactly its words, where they are
            assert (citation.start, citation.text) == (start, words)
        else:  # a numbered marker: the text before it, within one line
            assert "\n" not in citation.text


def test_spans_found_again_in_other_text_take_the_nearest_repeat() -> None:
    """When the answer text differs from the parsed text, a span is found again by its
    words; the same words earlier in the text must not capture it."""
    from assistant_bridge.jylo import Message
    from assistant_bridge.sources import sources_from_jylo

    message = Message.model_validate(
        {
            "objectIdentifier": "m",
            "isAssistant": True,
            "text": "Lyon is big. Lyon is big.",
            "textWithCitations": 'Lyon is big [1]. <cite id="a">Lyon is big</cite>.',
        }
    )
    text = "Lyon is big . Lyon is big."  # e.g. the streamed text, spaced differently
    (span,) = next(s for s in sources_from_jylo(message, text=text) if s.id == "a").citations
    assert text[span.start_index : span.end_index] == "Lyon is big"
    assert span.start_index == 14
