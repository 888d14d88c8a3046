"""Rendering answers on each vendor's wire, and the emulator's small helpers (no I/O)."""

from __future__ import annotations

import json
import logging
import sys

import pytest

from assistant_bridge.emulator._composer import Answer, Segment, compose
from assistant_bridge.emulator._corpus import load_corpus
from assistant_bridge.emulator._dialect import Wire
from assistant_bridge.emulator._http import StreamCut, _break, sse, stable_uuid
from assistant_bridge.emulator._jylo import text_with_citations
from assistant_bridge.emulator._jylo_auth import AUDIENCE, issue_token, verify
from assistant_bridge.emulator._middleware import quiet_uvicorn_errors
from assistant_bridge.emulator._multipart import parse_files
from assistant_bridge.emulator._unleash_wire import (
    chunk_text,
    v1_events,
    v1_full,
    v2_chunks,
    v2_json,
)
from assistant_bridge.unleash import assemble_chat, assemble_chat_v2

CORPUS = load_corpus()
ANSWER = compose("What is our travel policy?", CORPUS.items, web=CORPUS.web, company=CORPUS.company)


def test_chunks_join_back_to_the_text() -> None:
    text = ANSWER.text
    pieces = chunk_text(text)
    assert "".join(pieces) == text
    assert len(pieces) > 10
    assert all(len(p) <= 60 for p in pieces)


def test_v1_events_are_data_lines_and_assemble_to_full() -> None:
    events = v1_events(ANSWER, CORPUS, "req", "thread")
    assert all(e.startswith(b"data: {") and e.endswith(b"}\n\n") for e in events)
    parsed = [json.loads(e[6:]) for e in events]
    full = v1_full(ANSWER, CORPUS, "req", "thread")
    assert parsed[-1] == full
    streamed = assemble_chat(parsed[:-1])
    assert streamed.text == ANSWER.text
    resource_ids = {r["id"] for r in full["resources"]}
    for part in full["message"]["parts"]:
        for index in part.get("indices", []):
            assert full["references"][index]["resourceId"] in resource_ids


def test_v2_reference_positions_are_offsets_after_the_cited_text() -> None:
    chunks = v2_chunks(ANSWER, CORPUS, "req", "thread")
    text = ""
    for chunk in chunks:
        text += chunk.get("text") or ""
        if "reference" in chunk:
            assert chunk["reference"]["position"] == len(text)
    streamed = [c.position for c in assemble_chat_v2(chunks).citations()]
    assert len(streamed) > 1
    # The documented JSON form has room for one `reference`: the first.
    whole = assemble_chat_v2(v2_json(ANSWER, CORPUS, "req", "thread"))
    assert whole.text == text
    assert [c.position for c in whole.citations()] == streamed[:1]
    # The extended dialect adds a plural `references` with all of them.
    extended = assemble_chat_v2(v2_json(ANSWER, CORPUS, "req", "thread", Wire(dialect="extended")))
    assert [c.position for c in extended.citations()] == streamed


def test_jylo_markers() -> None:
    answer = Answer(
        (Segment("A.", ("x",)), Segment(" B.", ("y", "x")), Segment(" C.")), (), (), "q"
    )
    assert (
        text_with_citations(answer, {"x": 'The "X"'})
        == 'A.[1](cite:x "The \'X\'") B.[2](cite:y "y")[1](cite:x "The \'X\'") C.'
    )


def test_broken_event_keeps_its_framing() -> None:
    event = sse({"text": "hello world"})
    broken = _break(event)
    assert broken.startswith(b"data: {")
    assert broken.endswith(b"\n\n")
    with pytest.raises(json.JSONDecodeError):
        json.loads(broken[6:])


def test_jwt_round_trip_and_expiry() -> None:
    token = issue_token("client", AUDIENCE, now=1000, lifetime=60)
    assert verify(token, now=1059) is None
    assert "expired" in (verify(token, now=1060) or "")
    head, payload, _ = token.split(".")
    assert "signature" in (verify(f"{head}.{payload}.AAAA", now=1000) or "")
    assert verify("not-a-jwt") is not None


def test_multipart_files_are_read() -> None:
    boundary = "XyZ"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="note"\r\n\r\nignored\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n'
        f"Content-Type: text/plain\r\n\r\nline one\r\nline two\r\n--{boundary}--\r\n"
    ).encode()
    files = parse_files(f"multipart/form-data; boundary={boundary}", body)
    assert files is not None
    assert len(files) == 1
    assert (files[0].field, files[0].filename, files[0].content_type) == (
        "file",
        "a.txt",
        "text/plain",
    )
    assert files[0].data == b"line one\r\nline two"
    assert parse_files("application/json", b"{}") is None


def test_stable_ids_depend_only_on_their_parts() -> None:
    assert stable_uuid("a", 1) == stable_uuid("a", 1) != stable_uuid("a", 2)


def test_stream_cuts_are_kept_out_of_the_server_log() -> None:
    quiet_uvicorn_errors()
    quiet_uvicorn_errors()
    logger = logging.getLogger("uvicorn.error")
    assert len([f for f in logger.filters if type(f).__name__ == "_HideStreamCuts"]) == 1
    try:
        raise StreamCut("cut")
    except StreamCut:
        cut = logging.LogRecord(
            "uvicorn.error", logging.ERROR, __file__, 1, "boom", None, sys.exc_info()
        )
    other = logging.LogRecord("uvicorn.error", logging.ERROR, __file__, 1, "boom", None, None)
    hide = logger.filters[-1]
    assert isinstance(hide, logging.Filter)
    assert not hide.filter(cut)
    assert hide.filter(other)
