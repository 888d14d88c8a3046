"""Hypothesis fuzzing of everything that reads untrusted input: only documented errors come out.

Stream decoders take random bytes (in random chunks) and random valid-looking event
streams; the typed event parsers and the Jylo stream assembler take random events; the
``textWithCitations`` parser takes random strings; `SearchFilters.from_any` and the
LangChain / LlamaIndex filter translations take random dicts and filter trees. The only
errors allowed are `StreamError` (bad stream data) and `InvalidRequestError` (bad input).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from langchain_core.structured_query import (
    Comparator,
    Comparison,
    Operation,
    Operator,
    StructuredQuery,
)
from llama_index.core.vector_stores.types import (
    FilterCondition,
    FilterOperator,
    MetadataFilter,
    MetadataFilters,
)

from assistant_bridge import InvalidRequestError, SearchFilters, StreamError
from assistant_bridge._transport import (
    AutoDecoder,
    EventDecoder,
    JSONSequenceDecoder,
    ServerSentEvent,
    SSEDecoder,
    UnleashV1Decoder,
)
from assistant_bridge.jylo import parse_citations
from assistant_bridge.jylo._streaming import MessageAssembler
from assistant_bridge.langchain import UnleashTranslator
from assistant_bridge.llama_index import to_search_filters
from assistant_bridge.unleash._filters import FILTER_FIELDS, TIME_FIELD_PAIRS
from assistant_bridge.unleash._requests import parse_v1_event, parse_v2_chunk


def _examples(n: int) -> settings:
    return settings(max_examples=n, deadline=None, suppress_health_check=[HealthCheck.too_slow])


FAST = _examples(2000)
"""Per decoder (five of them): ten thousand random bodies in all."""
THOROUGH = _examples(3000)
"""The inputs issue 8 names: valid-looking events, citations, filter mappings."""
SLOWER = _examples(600)

DECODERS: dict[str, Callable[[], EventDecoder]] = {
    "sse": SSEDecoder,
    "unleash-v1": UnleashV1Decoder,
    "json-sequence": JSONSequenceDecoder,
    "auto-sse": lambda: AutoDecoder(SSEDecoder),
    "auto-v1": lambda: AutoDecoder(UnleashV1Decoder),
}


def split(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts})
    pieces, start = [], 0
    for point in points:
        pieces.append(data[start:point])
        start = point
    pieces.append(data[start:])
    return pieces


def decode(make: Callable[[], EventDecoder], pieces: list[bytes]) -> list[ServerSentEvent]:
    decoder = make()
    events: list[ServerSentEvent] = []
    for piece in pieces:
        events.extend(decoder.feed(piece))
    events.extend(decoder.flush())
    return events


# -- random input for the decoders -------------------------------------------------------
STREAM_BYTES = st.one_of(
    st.binary(max_size=300),
    st.lists(
        st.sampled_from(
            [
                b"data: ",
                b"data:",
                b"event: ",
                b"id: 1",
                b"retry: 5",
                b": ping",
                b"\n",
                b"\r\n",
                b"\r",
                b"{",
                b"}",
                b"[",
                b"]",
                b'"',
                b"\\",
                b"\xef\xbb\xbf",
                b"\xc3",
                b"\xa9",
                b"[DONE]",
                b"1",
                b"x",
                b" ",
                b",",
                b":",
            ]
        ),
        max_size=60,
    ).map(b"".join),
)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
OBJECTS = st.dictionaries(st.text(max_size=10), JSON_VALUES, max_size=5)
SCALARS = st.none() | st.booleans() | st.integers() | st.text(max_size=12)
SMALL_OBJECTS = st.dictionaries(
    st.text(max_size=6), SCALARS | st.lists(SCALARS, max_size=3), max_size=3
)


def sse_body(objects: list[Any], crlf: bool) -> bytes:
    end = "\r\n" if crlf else "\n"
    return "".join(f"data: {json.dumps(o)}{end}{end}" for o in objects).encode()


@pytest.mark.parametrize("name", list(DECODERS))
@FAST
@given(data=STREAM_BYTES, cuts=st.lists(st.integers(min_value=0, max_value=400), max_size=6))
def test_decoders_take_any_bytes(name: str, data: bytes, cuts: list[int]) -> None:
    events = decode(DECODERS[name], split(data, cuts))
    for event in events:
        assert isinstance(event.data, str)
        with contextlib.suppress(StreamError):
            event.json()


@pytest.mark.parametrize("name", list(DECODERS))
@FAST
@given(data=STREAM_BYTES, cuts=st.lists(st.integers(min_value=0, max_value=400), max_size=6))
def test_decoders_do_not_depend_on_how_the_body_is_chunked(
    name: str, data: bytes, cuts: list[int]
) -> None:
    assert decode(DECODERS[name], split(data, cuts)) == decode(DECODERS[name], [data])


@THOROUGH
@given(
    objects=st.lists(SMALL_OBJECTS, max_size=5),
    crlf=st.booleans(),
    cuts=st.lists(st.integers(min_value=0, max_value=2000), max_size=8),
)
def test_a_valid_event_stream_gives_back_every_object(
    objects: list[Any], crlf: bool, cuts: list[int]
) -> None:
    body = sse_body(objects, crlf)
    for make in (SSEDecoder, UnleashV1Decoder, lambda: AutoDecoder(SSEDecoder)):
        events = decode(make, split(body, cuts))
        assert [e.json() for e in events] == objects


@FAST
@given(values=st.lists(SMALL_OBJECTS, max_size=5), cuts=st.lists(st.integers(0, 2000), max_size=8))
def test_ndjson_gives_back_every_value(values: list[Any], cuts: list[int]) -> None:
    body = "".join(json.dumps(v) + "\n" for v in values).encode()
    events = decode(JSONSequenceDecoder, split(body, cuts))
    assert [e.json() for e in events] == values


# -- typed parsers -------------------------------------------------------------------------
V1_TYPES = ["Request", "Progress", "Resources", "Answer", "Delta", "Full", "Error", "Unknown"]
V1_EVENT = st.fixed_dictionaries(
    {"type": st.sampled_from(V1_TYPES)},
    optional={
        "text": JSON_VALUES,
        "requestId": JSON_VALUES,
        "resources": JSON_VALUES,
        "threadId": JSON_VALUES,
        "progress": JSON_VALUES,
        "answer": JSON_VALUES,
    },
)
V2_CHUNK = st.fixed_dictionaries(
    {},
    optional={
        "type": st.sampled_from(["text", "tool", "resources", "references", "done", "x"]),
        "text": JSON_VALUES,
        "requestId": JSON_VALUES,
        "threadId": JSON_VALUES,
        "resources": JSON_VALUES,
        "references": JSON_VALUES,
        "toolCall": JSON_VALUES,
        "finishReason": JSON_VALUES,
    },
)
EVENT_DATA = st.one_of(
    st.text(max_size=80),
    JSON_VALUES.map(json.dumps),
    V1_EVENT.map(json.dumps),
    V2_CHUNK.map(json.dumps),
    st.lists(V1_EVENT, max_size=3).map(json.dumps),
)


@THOROUGH
@given(data=EVENT_DATA, name=st.none() | st.sampled_from(["message", "delta", "error", "done"]))
def test_typed_parsers_raise_only_stream_errors(data: str, name: str | None) -> None:
    event = ServerSentEvent(data=data, event=name)
    for parse in (parse_v1_event, parse_v2_chunk):
        with contextlib.suppress(StreamError):
            list(parse(event))


JYLO_OBJECT = st.fixed_dictionaries(
    {},
    optional={
        "objectIdentifier": JSON_VALUES,
        "text": JSON_VALUES,
        "isAssistant": JSON_VALUES,
        "addingCitations": JSON_VALUES,
        "textWithCitations": JSON_VALUES,
        "dateAdded": JSON_VALUES,
        "delta": JSON_VALUES,
        "error": JSON_VALUES,
        "message": JSON_VALUES,
        "choices": JSON_VALUES,
    },
)
JYLO_DATA = st.one_of(
    st.text(max_size=60), JSON_VALUES.map(json.dumps), JYLO_OBJECT.map(json.dumps)
)


@SLOWER
@given(
    events=st.lists(
        st.tuples(JYLO_DATA, st.none() | st.sampled_from(["delta", "message", "error", "done"])),
        max_size=6,
    )
)
def test_jylo_stream_assembly_raises_only_stream_errors(
    events: list[tuple[str, str | None]],
) -> None:
    assembler = MessageAssembler()
    yielded = ""
    try:
        for data, name in events:
            yielded += "".join(assembler.feed(ServerSentEvent(data=data, event=name)))
    except StreamError:
        return
    assert assembler.text == yielded
    assembler.final_message()


# -- textWithCitations ------------------------------------------------------------------------
CITATION_TEXT = st.one_of(
    st.text(max_size=200),
    st.lists(
        st.sampled_from(
            [
                "Paris is the capital",
                ".",
                " ",
                "\n",
                "[1]",
                "[1, 2]",
                "[^3]",
                "[doc:a-1]",
                "[[source:x]]",
                "【4:0†Title】",
                '<cite id="a">',
                "</cite>",
                "<citation ids='b c'>",
                "</citation>",
                '[label](cite:abc "T")',
                "[",
                "]",
                "(",
                ")",
                "†",
                "【",
                "】",
                "0f8a6c2e-3b1d-4e5f-9a7b-1c2d3e4f5a6b",
                "Ünïcödé",
                "!",
            ]
        ),
        max_size=30,
    ).map("".join),
)


@THOROUGH
@given(text=CITATION_TEXT)
def test_parse_citations_never_raises_and_spans_fit_the_text(text: str) -> None:
    cited = parse_citations(text)
    assert cited.raw == text
    for citation in cited.citations:
        assert 0 <= citation.start <= citation.end <= len(cited.text)
        assert cited.text[citation.start : citation.end] == citation.text


# -- filters ---------------------------------------------------------------------------------
FIELD_NAMES = [f.name for f in FILTER_FIELDS] + [f.api_name for f in FILTER_FIELDS]
KEYS = st.one_of(
    st.sampled_from(FIELD_NAMES + list(TIME_FIELD_PAIRS) + ["extra"]), st.text(max_size=12)
)
VALUES = st.one_of(
    JSON_VALUES,
    st.dates(),
    st.datetimes(),
    st.datetimes(timezones=st.just(dt.timezone.utc)),
    st.dates().map(str),
    st.lists(st.text(max_size=8), max_size=3),
    st.frozensets(st.text(max_size=4), max_size=3),
)


@THOROUGH
@given(value=st.one_of(st.dictionaries(KEYS, VALUES, max_size=5), JSON_VALUES))
def test_search_filters_from_any_raises_only_invalid_request(value: Any) -> None:
    try:
        parsed = SearchFilters.from_any(value)
    except InvalidRequestError:
        return
    if parsed is not None:
        json.dumps(parsed.to_wire())  # what is accepted can be sent


LC_COMPARISON = st.builds(
    Comparison,
    comparator=st.sampled_from(
        [Comparator.EQ, Comparator.IN, Comparator.GT, Comparator.GTE, Comparator.LT, Comparator.LTE]
    ),
    attribute=KEYS,
    value=VALUES,
)
LC_FILTER = st.recursive(
    LC_COMPARISON,
    lambda inner: st.builds(
        Operation,
        operator=st.sampled_from([Operator.AND, Operator.OR, Operator.NOT]),
        arguments=st.lists(inner, min_size=1, max_size=3),
    ),
    max_leaves=5,
)


@THOROUGH
@given(directive=LC_FILTER)
def test_langchain_filter_translation_raises_only_invalid_request(directive: Any) -> None:
    query = StructuredQuery(query="q", filter=directive, limit=None)
    try:
        _, kwargs = UnleashTranslator().visit_structured_query(query)
    except InvalidRequestError:
        return
    json.dumps(kwargs["filters"].to_wire())


LI_VALUES = st.one_of(
    st.none(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=12),
    st.dates().map(str),
    st.lists(st.text(max_size=6), max_size=3),
    st.lists(st.integers(), max_size=3),
)
LI_FILTER = st.builds(
    MetadataFilter, key=KEYS, value=LI_VALUES, operator=st.sampled_from(list(FilterOperator))
)
LI_FILTERS = st.recursive(
    st.builds(
        MetadataFilters,
        filters=st.lists(LI_FILTER, max_size=3),
        condition=st.sampled_from(list(FilterCondition)),
    ),
    lambda inner: st.builds(
        MetadataFilters,
        filters=st.lists(st.one_of(LI_FILTER, inner), max_size=3),
        condition=st.sampled_from(list(FilterCondition)),
    ),
    max_leaves=6,
)


@THOROUGH
@given(value=st.one_of(LI_FILTERS, LI_FILTER, st.dictionaries(KEYS, VALUES, max_size=4)))
def test_llama_index_filter_translation_raises_only_invalid_request(value: Any) -> None:
    try:
        parsed = to_search_filters(value)
    except InvalidRequestError:
        return
    if parsed is not None:
        json.dumps(parsed.to_wire())
