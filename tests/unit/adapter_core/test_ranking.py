"""The adapter core's scores and stable ids (`ranked`, `stable_id`), without a framework."""

from __future__ import annotations

import uuid
from dataclasses import FrozenInstanceError, replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assistant_bridge._adapter_core import ranked, stable_id
from assistant_bridge.sources import CitationSpan, Source


def hit(text: str, **fields: object) -> Source:
    return Source(text=text, kind="search", vendor="unleash", **fields)  # type: ignore[arg-type]


def test_without_a_vendor_score_the_score_is_one_over_the_rank() -> None:
    sources = ranked([hit(f"snippet {i}", id=f"r{i}") for i in range(1, 6)])
    scores = [s.score for s in sources]
    assert scores == pytest.approx([1, 1 / 2, 1 / 3, 1 / 4, 1 / 5])
    assert all(score is not None and 0 < score <= 1 for score in scores)
    assert scores == sorted(scores, reverse=True)  # type: ignore[type-var]
    assert {s.score_source for s in sources} == {"rank"}
    assert [s.metadata()["score_source"] for s in sources] == ["rank"] * 5


def test_the_rank_score_does_not_depend_on_how_many_were_asked_for() -> None:
    five = ranked([hit(f"snippet {i}", id=f"r{i}") for i in range(1, 6)])
    two = ranked([hit(f"snippet {i}", id=f"r{i}") for i in range(1, 3)])
    assert [s.score for s in two] == [s.score for s in five[:2]]


def test_a_vendor_score_is_kept() -> None:
    sources = ranked([hit("a", id="r1", score=0.42), hit("b", id="r2", score=0.97)])
    assert [(s.score, s.score_source) for s in sources] == [(0.42, "vendor"), (0.97, "vendor")]


def test_the_answer_scores_one_and_does_not_take_a_rank() -> None:
    answer = Source(text="The answer.", kind="answer", vendor="unleash", id="req-1")
    sources = ranked([answer, hit("a", id="r1"), hit("b", id="r2")])
    assert [(s.id, s.score, s.score_source) for s in sources] == [
        ("req-1", 1.0, "answer"),
        ("r1", 1.0, "rank"),
        ("r2", 0.5, "rank"),
    ]


def test_ranking_twice_changes_nothing() -> None:
    once = ranked([hit("a", id="r1"), hit("b", url="https://x.test/b"), hit("c", title="C")])
    assert ranked(once) == once
    assert ranked(once[1:]) == once[1:]  # scored sources keep their score in a shorter list


def test_the_vendor_id_is_the_id_else_the_url() -> None:
    sources = ranked([hit("a", id="r1", url="https://x.test/a"), hit("b", url="https://x.test/b")])
    assert [s.id for s in sources] == ["r1", "https://x.test/b"]
    assert [s.metadata()["id"] for s in sources] == ["r1", "https://x.test/b"]


def test_an_empty_vendor_id_is_replaced() -> None:
    (source,) = ranked([Source(text="Policy", kind="document", vendor="jylo", id="", title="P")])
    assert source.id
    assert uuid.UUID(source.id).version == 5


def test_a_derived_id_is_stable_and_tells_results_apart() -> None:
    def make() -> list[Source]:
        return [
            hit("snippet", title="Travel policy", app_id="confluence"),
            hit("snippet", title="Expense policy", app_id="confluence"),
            hit("snippet", title="Travel policy", app_id="jira"),
            hit("only text"),
            hit("other text"),
        ]

    ids = [s.id for s in ranked(make())]
    assert ids == [s.id for s in ranked(make())]
    assert len(set(ids)) == len(ids)
    assert all(i is not None and uuid.UUID(i).version == 5 for i in ids)


def test_a_derived_id_ignores_the_text_when_stable_fields_are_set() -> None:
    snippet, full = (
        hit("snippet", title="Travel policy"),
        hit("the full text", title="Travel policy"),
    )
    assert ranked([snippet])[0].id == ranked([full])[0].id  # fetch_content keeps the id


def test_stable_id_reads_metadata() -> None:
    assert stable_id({"id": "r1", "source": "https://x.test"}) == "r1"
    assert stable_id({"source": "https://x.test"}) == "https://x.test"
    derived = stable_id({"vendor": "unleash", "kind": "web", "title": "A"})
    assert derived == stable_id({"vendor": "unleash", "kind": "web", "title": "A"})
    assert derived != stable_id({"vendor": "unleash", "kind": "web", "title": "B"})


def _ranked_by_replace(sources: list[Source]) -> list[Source]:
    """`ranked` as first written, with `dataclasses.replace`: the definition it must match."""
    out, rank = [], 0
    for source in sources:
        is_answer = source.kind == "answer"
        rank += not is_answer
        if source.score_source is None:
            if source.score is not None:
                source = replace(source, score_source="vendor")
            elif is_answer:
                source = replace(source, score=1.0, score_source="answer")
            else:
                source = replace(source, score=1.0 / rank, score_source="rank")
        if not source.id:
            source = replace(source, id=stable_id(source.metadata(), source.text))
        out.append(source)
    return out


_OPTIONAL_TEXT = st.none() | st.text(max_size=8)
_SOURCES = st.lists(
    st.builds(
        Source,
        text=st.text(max_size=12),
        kind=st.sampled_from(["search", "enterprise", "web", "answer"]),
        vendor=st.sampled_from(["unleash", "jylo"]),
        id=_OPTIONAL_TEXT,
        title=_OPTIONAL_TEXT,
        url=_OPTIONAL_TEXT,
        app_id=_OPTIONAL_TEXT,
        score=st.none() | st.floats(0, 1),
        score_source=st.none() | st.sampled_from(["vendor", "rank", "answer"]),
        citations=st.lists(st.builds(CitationSpan, st.integers(0, 9), st.integers(0, 9))).map(
            tuple
        ),
        data=st.none() | st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    ),
    max_size=8,
)


@given(_SOURCES)
def test_ranked_builds_what_replace_would(sources: list[Source]) -> None:
    got, expected = ranked(sources), _ranked_by_replace(sources)
    assert got == expected
    assert [s.metadata() for s in got] == [s.metadata() for s in expected]
    assert all(type(s) is Source for s in got)
    for source in got:  # the copies are as frozen as the originals
        with pytest.raises(FrozenInstanceError):
            source.score = 0.5  # type: ignore[misc]
