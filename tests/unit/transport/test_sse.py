"""The event-stream decoders: SSE, Unleash v1 framing, JSON sequences, and auto-detection."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant_bridge import StreamError
from assistant_bridge._transport import (
    AutoDecoder,
    EventDecoder,
    JSONSequenceDecoder,
    ServerSentEvent,
    SSEDecoder,
    UnleashV1Decoder,
)


def decode(decoder: EventDecoder, chunks: list[bytes]) -> list[ServerSentEvent]:
    events: list[ServerSentEvent] = []
    for chunk in chunks:
        events.extend(decoder.feed(chunk))
    events.extend(decoder.flush())
    return events


def bytewise(body: bytes) -> list[bytes]:
    return [body[i : i + 1] for i in range(len(body))]


def split_at(body: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(body) + 1) for c in cuts})
    pieces, start = [], 0
    for point in points:
        pieces.append(body[start:point])
        start = point
    pieces.append(body[start:])
    return pieces


# -- SSE ---------------------------------------------------------------------------------


def test_sse_fields_multiline_data_and_comments() -> None:
    body = (
        b": heartbeat\n"
        b'event: delta\nid: 7\nretry: 1500\ndata: {"a":\ndata: 1}\n\n'
        b"data:no-space\n\n"
        b"data\n\n"  # a field with no colon: empty data
        b"event: lonely\n\n"  # no data: nothing dispatched
        b"unknown: field\ndata: x\n\n"
    )
    events = decode(SSEDecoder(), [body])
    assert events == [
        ServerSentEvent(data='{"a":\n1}', event="delta", id="7", retry=1500),
        ServerSentEvent(data="no-space", id="7", retry=1500),
        ServerSentEvent(data="", id="7", retry=1500),
        ServerSentEvent(data="x", id="7", retry=1500),
    ]
    assert events[0].json() == {"a": 1}


@pytest.mark.parametrize("newline", [b"\n", b"\r\n", b"\r"])
def test_sse_line_endings(newline: bytes) -> None:
    body = (
        b"data: one" + newline + newline + b"data: two" + newline + b"data: 2" + newline + newline
    )
    assert [e.data for e in decode(SSEDecoder(), [body])] == ["one", "two\n2"]
    assert [e.data for e in decode(SSEDecoder(), bytewise(body))] == ["one", "two\n2"]


def test_sse_crlf_split_across_chunks_is_one_line_end() -> None:
    events = decode(SSEDecoder(), [b"data: a\r", b"\n", b"\r", b"\ndata: b\r\n\r\n"])
    assert [e.data for e in events] == ["a", "b"]


def test_sse_utf8_character_split_across_chunks() -> None:
    body = 'data: {"text": "Zürich – 東京 🚀"}\n\n'.encode()
    snowman = body.index("🚀".encode())
    chunks = [body[: snowman + 1], body[snowman + 1 : snowman + 3], body[snowman + 3 :]]
    assert decode(SSEDecoder(), chunks)[0].json() == {"text": "Zürich – 東京 🚀"}


def test_sse_chunk_boundary_inside_data_line_and_field_name() -> None:
    body = b"da"
    rest = b'ta: {"x": 1}\n\n'
    decoder = SSEDecoder()
    assert decoder.feed(body) == []
    assert decoder.feed(rest[:5]) == []
    assert [e.json() for e in decoder.feed(rest[5:])] == [{"x": 1}]


def test_sse_is_incremental() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"data: 1\n") == []
    assert [e.data for e in decoder.feed(b"\ndata: 2")] == ["1"]
    assert [e.data for e in decoder.flush()] == ["2"]  # an unterminated last event still counts


def test_sse_bom_is_ignored() -> None:
    assert decode(SSEDecoder(), [b"\xef\xbb\xbfdata: x\n\n"])[0].data == "x"


def test_malformed_json_names_the_text_truncated() -> None:
    event = ServerSentEvent(data='{"text": "' + "x" * 500)
    with pytest.raises(StreamError, match="malformed event") as info:
        event.json()
    assert info.value.text is not None
    assert info.value.text.startswith('{"text": "xxx')
    assert len(info.value.text) <= 200
    assert len(str(info.value)) < 400


events_strategy = st.lists(
    st.dictionaries(
        st.text(min_size=1, max_size=5),
        st.one_of(st.text(max_size=20), st.integers(), st.booleans()),
        max_size=3,
    ),
    min_size=1,
    max_size=5,
)


@settings(max_examples=150, deadline=None)
@given(
    events=events_strategy, cuts=st.lists(st.integers(min_value=0), max_size=8), crlf=st.booleans()
)
def test_sse_any_chunking_gives_the_same_events(
    events: list[dict[str, object]], cuts: list[int], crlf: bool
) -> None:
    newline = "\r\n" if crlf else "\n"
    body = "".join(
        f"data: {json.dumps(e, ensure_ascii=False)}{newline}{newline}" for e in events
    ).encode()
    decoded = decode(SSEDecoder(), split_at(body, cuts))
    assert [e.json() for e in decoded] == events


# -- Unleash v1 framing ------------------------------------------------------------------


def test_v1_pretty_printed_event_continues_over_lines() -> None:
    full = json.dumps(
        {"type": "Full", "message": {"parts": [{"type": "Text", "text": "a\nb"}]}}, indent=2
    )
    body = f"data: {json.dumps({'type': 'Request', 'requestId': 'r'})}\n\ndata: {full}\n".encode()
    events = decode(UnleashV1Decoder(), bytewise(body))
    assert [e.json()["type"] for e in events] == ["Request", "Full"]
    assert events[1].json()["message"]["parts"][0]["text"] == "a\nb"


def test_v1_event_is_yielded_as_soon_as_its_json_is_complete() -> None:
    decoder = UnleashV1Decoder()
    assert decoder.feed(b'data: {"type": "Message",\n') == []
    assert [e.json()["type"] for e in decoder.feed(b'  "parts": []}\n')] == ["Message"]
    assert decoder.flush() == []


def test_v1_without_blank_lines_and_with_braces_in_strings() -> None:
    body = (
        b'data: {"type": "Message", "parts": [{"text": "a } ] \\" {"}]}\ndata: {"type": "Full"}\n'
    )
    events = decode(UnleashV1Decoder(), [body])
    assert [e.json()["type"] for e in events] == ["Message", "Full"]
    assert events[0].json()["parts"][0]["text"] == 'a } ] " {'


def test_v1_truncated_last_event_is_malformed() -> None:
    events = decode(UnleashV1Decoder(), [b'data: {"type": "Message", "parts": [\n'])
    assert len(events) == 1
    with pytest.raises(StreamError):
        events[0].json()


def test_v1_next_data_line_closes_an_incomplete_event() -> None:
    events = decode(UnleashV1Decoder(), [b'data: {"broken": \ndata: {"type": "Full"}\n'])
    assert [e.data for e in events] == ['{"broken":', '{"type": "Full"}']


@settings(max_examples=100, deadline=None)
@given(
    events=events_strategy,
    cuts=st.lists(st.integers(min_value=0), max_size=8),
    indent=st.sampled_from([None, 2]),
)
def test_v1_any_chunking_gives_the_same_events(
    events: list[dict[str, object]], cuts: list[int], indent: int | None
) -> None:
    body = "".join(f"data: {json.dumps(e, indent=indent)}\n" for e in events).encode()
    decoded = decode(UnleashV1Decoder(), split_at(body, cuts))
    assert [e.json() for e in decoded] == events


# -- JSON sequences and auto-detection ------------------------------------------------


def test_json_sequence_ndjson_concatenated_and_whole_body() -> None:
    ndjson = b'{"a": 1}\n{"a": 2}\n\n{"a": "}"}\n'
    assert [e.json() for e in decode(JSONSequenceDecoder(), bytewise(ndjson))] == [
        {"a": 1},
        {"a": 2},
        {"a": "}"},
    ]
    assert [e.json() for e in decode(JSONSequenceDecoder(), [b'{"a":1}{"b":2}'])] == [
        {"a": 1},
        {"b": 2},
    ]
    whole = json.dumps({"text": "x", "list": [1, 2]}, indent=2).encode()
    assert [e.json() for e in decode(JSONSequenceDecoder(), bytewise(whole))] == [
        {"text": "x", "list": [1, 2]}
    ]
    assert [e.json() for e in decode(JSONSequenceDecoder(), [b"[1, 2]"])] == [[1, 2]]


def test_json_sequence_is_incremental_and_keeps_bare_scalars() -> None:
    decoder = JSONSequenceDecoder()
    assert [e.data for e in decoder.feed(b'{"a": 1}\n{"b"')] == ['{"a": 1}']
    assert [e.data for e in decoder.feed(b': 2}\n42\n"s"\n')] == ['{"b": 2}', "42", '"s"']
    assert decoder.flush() == []


def test_json_sequence_truncated_body_is_malformed() -> None:
    events = decode(JSONSequenceDecoder(), [b'{"text": "cut off'])
    assert len(events) == 1
    with pytest.raises(StreamError):
        events[0].json()


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b'  \n{"a": 1}', [{"a": 1}]),
        (b"\xef\xbb\xbf[1]", [[1]]),
        (b'data: {"a": 1}\n\n', [{"a": 1}]),
        (b': ping\n\ndata: {"a": 1}\n\n', [{"a": 1}]),
    ],
)
def test_auto_decoder_chooses_by_the_first_byte(body: bytes, expected: list[object]) -> None:
    assert [e.json() for e in decode(AutoDecoder(SSEDecoder), bytewise(body))] == expected


def test_auto_decoder_on_empty_body() -> None:
    assert decode(AutoDecoder(SSEDecoder), [b"", b"  "]) == []


def test_v1_decoder_ignores_standard_sse_field_lines_between_events() -> None:
    decoder = UnleashV1Decoder()
    body = b'event: message\nid: 1\nretry: 3000\ndata: {"type": "Request"}\n\nevent: message\ndata: {"type": "Full"}\n'
    events = [*decoder.feed(body), *decoder.flush()]
    assert [e.json()["type"] for e in events] == ["Request", "Full"]
