"""The linear rewrites of issue 14 give the same answers as the simple quadratic forms.

Each test states the plain definition (the code the rewrite replaced, kept here as the
oracle) and checks the fast path against it on generated inputs.
"""

from __future__ import annotations

import re

import httpx
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant_bridge._text_buffer import TextBuffer
from assistant_bridge._transport import _sse
from assistant_bridge.langchain._content import _fold_steps
from assistant_bridge.sources import CitationSpan, _Sentences, cited_span
from assistant_bridge.unleash import ChatAssembler, ChatV2Assembler, _reading
from assistant_bridge.unleash._assemble_v2 import _add_keyed, _resource_key
from assistant_bridge.unleash._types_v1 import Resource

_SENTENCE_END = re.compile(r"(?:[.!?](?:\s|$)|[\u3002\uff01\uff1f]|\n)")


def _span_by_scanning(text: str, position: int) -> CitationSpan:
    """The definition: scan from the start of the text for the last sentence end."""
    end = min(max(position, 0), len(text))
    start = 0
    for match in _SENTENCE_END.finditer(text, 0, max(end - 1, 0)):
        start = match.end()
    while start < end and text[start].isspace():
        start += 1
    return CitationSpan(start, end, text[start:end].strip() or None)


_TEXT = st.text(alphabet="ab .!?\n\t\r\x1c\u2028\u3002\uff01\uff1f\u00a0", max_size=60)


@settings(max_examples=400, deadline=None)
@given(_TEXT, st.lists(st.integers(min_value=-3, max_value=65), max_size=12))
def test_cited_spans_match_the_scanning_definition(text: str, positions: list[int]) -> None:
    sentences = _Sentences(text)
    for position in positions:
        expected = _span_by_scanning(text, position)
        assert sentences.span(position) == expected
        assert cited_span(text, position) == expected


def test_a_sentence_mark_right_before_the_position_ends_the_sentence() -> None:
    text = "Costs are 3.5 units. Lyon is big."
    assert cited_span(text, 12) == _span_by_scanning(text, 12)
    assert cited_span(text, len(text)).cited_text == "Lyon is big."


# -- text assembly: appended pieces, joined once --------------------------------------------

_PIECES = st.lists(st.text(alphabet="ab. ", max_size=4), max_size=200)


@settings(max_examples=100, deadline=None)
@given(_PIECES, st.sampled_from(["delta", "snapshot"]))
def test_a_text_buffer_is_the_pieces_joined_or_the_last_one(pieces: list[str], mode: str) -> None:
    buffer = TextBuffer(mode)  # type: ignore[arg-type]
    for index, piece in enumerate(pieces):
        buffer.add(piece)
        if index % 37 == 0:  # reading in between changes nothing
            _ = buffer.text
    nonempty = [p for p in pieces if p]
    expected = "".join(pieces) if mode == "delta" else (nonempty[-1] if nonempty else "")
    assert buffer.text == expected


@settings(max_examples=60, deadline=None)
@given(_PIECES)
def test_v2_added_text_is_exactly_what_each_chunk_appended(pieces: list[str]) -> None:
    assembler = ChatV2Assembler()
    deltas = []
    for piece in pieces:
        assembler.add({"text": piece})
        deltas.append(assembler.added_text)
    assert deltas == pieces
    assert assembler.text == "".join(pieces)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.lists(st.one_of(st.text(alphabet="ab ", max_size=3), st.none()), max_size=3),
        max_size=120,
    )
)
def test_v1_added_text_and_parts_match_the_merge_definition(events: list[list[str | None]]) -> None:
    assembler = ChatAssembler()
    parts: list[dict[str, str | None]] = []  # the definition: a text part continuing one merges
    for texts in events:
        assembler.add(
            {"type": "Message", "message": {"parts": [{"type": "Text", "text": t} for t in texts]}}
        )
        assert assembler.added_text == "".join(t or "" for t in texts)
        for index, text in enumerate(texts):
            if index == 0 and parts:
                parts[-1]["text"] = (parts[-1]["text"] or "") + (text or "")
            else:
                parts.append({"text": text})
    result = assembler.result()
    assert [p.text for p in result.parts] == [p["text"] for p in parts]
    assert assembler.text == "".join(p["text"] or "" for p in parts)


# -- resources replaced by id: an index instead of a search -----------------------------------
def _add_by_search(into: list[Resource], new: list[Resource]) -> None:
    """The definition: replace the first earlier resource with the same id, else append."""
    for resource in new:
        for i, old in enumerate(into):
            if resource.id is not None and old.id == resource.id:
                into[i] = resource
                break
        else:
            into.append(resource)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.lists(
            st.tuples(st.one_of(st.none(), st.sampled_from("abcd")), st.integers(0, 9)), max_size=6
        ),
        max_size=8,
    )
)
def test_keyed_adding_matches_the_search_definition(
    batches: list[list[tuple[str | None, int]]],
) -> None:
    fast: list[Resource] = []
    slow: list[Resource] = []
    index: dict[str, int] = {}
    for batch in batches:
        resources = [Resource(id=key, title=str(n)) for key, n in batch]
        _add_keyed(fast, resources, _resource_key, index)
        _add_by_search(slow, resources)
    assert fast == slow


# -- the v1 decoder's fast path for one-line events -------------------------------------------
_V1_LINES = st.lists(
    st.sampled_from(
        [
            'data: {"type":"Message","message":{"parts":[{"text":"a}b"}]}}',
            'data: {"type":"Progress",',
            '"code":"x\\"}"}',
            "data: [1, 2]",
            "data: {broken",
            "event: message",
            ": comment",
            "data: 7",
            "",
            '  {"type": "Full"}',
        ]
    ),
    max_size=30,
)


@settings(max_examples=150, deadline=None)
@given(_V1_LINES, st.integers(1, 40))
def test_the_v1_fast_path_finds_the_same_events_as_the_scanner(lines: list[str], size: int) -> None:
    body = "\n".join(lines).encode()

    def events(fast: bool) -> list[str]:
        original = _sse._whole_value
        if not fast:
            _sse._whole_value = lambda text: False
        try:
            decoder = _sse.UnleashV1Decoder()
            out = [
                e.data for i in range(0, len(body), size) for e in decoder.feed(body[i : i + size])
            ]
            return out + [e.data for e in decoder.flush()]
        finally:
            _sse._whole_value = original

    assert events(True) == events(False)


# -- a whole event-stream body: plain lines split in C ----------------------------------------
_BODY_LINES = st.lists(
    st.sampled_from(
        [
            'data: {"text": "a"}',
            'data: {"text": "b", "requestId": "r"}',
            "data: [DONE]",
            "data: ",
            "data: {}",
            'data: {"text": 5}',
            "data: null",
            "data: [1]",
            'data:{"text": "c"}',
            "event: error",
            ": keep-alive",
            'data: {"type": "Message", "message": {"parts": [{"text": "x"}]}}',
            'data: {"a": 1',
            "",
            "",
        ]
    ),
    max_size=12,
)


@settings(max_examples=200, deadline=None)
@given(_BODY_LINES, st.sampled_from(["\n", "\r\n"]))
def test_plain_bodies_read_the_same_as_through_the_decoders(lines: list[str], end: str) -> None:
    body = end.join(lines).encode()
    response = httpx.Response(200, content=body, headers={"content-type": "text/event-stream"})

    def read(fast: bool) -> list[object]:
        out: list[object] = []
        for reader in (_reading.v1_body, _reading.v2_body):
            original = _reading._plain_event_data
            if not fast:
                _reading._plain_event_data = lambda content: None
            try:
                out.append(reader(response))
            except Exception as exc:  # the same error either way
                out.append((type(exc), str(exc)))
            finally:
                _reading._plain_event_data = original
        return out

    assert read(True) == read(False)


# -- citations resolved without a model each; a finished answer without copies ----------------
def _v2_answer() -> list[dict[str, object]]:
    found = [{"id": f"r{i}", "title": f"doc {i}"} for i in range(4)]
    sites = [{"url": "https://example.com/a", "title": "A"}]
    return [
        {"tool": {"toolCallStatus": {"toolCallId": "c1", "status": "Start"}}},
        {
            "tool": {
                "toolCallStatus": {"toolCallId": "c1", "status": "End"},
                "response": {
                    "name": "search",
                    "resources": {
                        "enterprise": {"results": found},
                        "webSearch": {"sources": sites},
                    },
                },
            }
        },
        {"text": "One. Two three. "},
        {"reference": {"referenceIds": ["r1", "r9"], "position": 4}},
        {"text": "Four"},
        {"reference": {"referenceIds": ["https://example.com/a", "r2", "r2"]}},
        {"reference": {"referenceIds": ["r3"], "position": 99}},
    ]


def test_resolved_references_are_the_citations_fields() -> None:
    answer = ChatV2Assembler()
    answer.add(_v2_answer())
    response = answer.result()
    plain = list(response.resolved_references())
    models = response.citations()
    assert [(c.position, c.reference_ids, c.resources, c.web_sources) for c in models] == plain
    assert [p[0] for p in plain] == [4, len(response.text), len(response.text)]


def test_finishing_gives_the_same_answer_as_completing() -> None:
    chunks = _v2_answer()
    completed, finished = ChatV2Assembler(), ChatV2Assembler()
    completed.add(chunks)
    finished.add(chunks)
    whole = completed.complete(allow_partial=True)
    assert finished.finish(allow_partial=True) == whole
    assert completed.result() == whole  # `complete` left the assembler's records alone


# -- streamed tool outputs folded by key ----------------------------------------------------
_OUTPUT = st.one_of(
    st.fixed_dictionaries(
        {"id": st.sampled_from(["a", "b", 1, 1.0, True])}, optional={"t": st.integers(0, 2)}
    ),
    st.fixed_dictionaries({"url": st.sampled_from(["u", "v"])}, optional={"id": st.just(["x"])}),
    st.fixed_dictionaries({"custom": st.integers(0, 2)}),
    st.sampled_from(["s", 3]),
)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from(["s1", "s2"]), st.lists(_OUTPUT, max_size=5)), max_size=8)
)
def test_folded_tool_outputs_drop_exactly_the_repeats(
    events: list[tuple[str, list[object]]],
) -> None:
    folded = _fold_steps([{"id": step, "output": output} for step, output in events])
    for step in {step for step, _ in events}:
        expected: list[object] = []  # the definition: keep an output unless an equal one was kept
        for name, output in events:
            if name == step:
                expected.extend(o for o in output if o not in expected)
        assert folded[step]["output"] == expected
