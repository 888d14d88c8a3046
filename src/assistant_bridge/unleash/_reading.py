"""Reading a whole Unleash chat answer: its items typed, assembled, its end noted, checked.

Shared by `UnleashClient` and `AsyncUnleashClient`. A body is one JSON object (the usual
non-streaming answer, validated in one step), an event stream of plain ``data: {...}``
lines (split in C), or anything else the incremental decoders read. An answer whose body holds nothing
raises `EmptyAnswerError` naming the status, content type and first bytes; one known to
be unfinished raises `IncompleteAnswerError` unless ``allow_partial``. A whole JSON body
or an SSE ``[DONE]`` line marks the end as seen.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from .._transport import (
    APIResponseValidationError,
    AutoDecoder,
    EmptyAnswerError,
    EventDecoder,
    ServerSentEvent,
    SSEDecoder,
    StreamError,
    UnleashV1Decoder,
    empty_body_error,
    with_request_id,
    with_response,
)
from . import _requests as rq
from ._assemble import ChatAssembler, ChatV2Assembler
from ._completeness import TextMode
from ._types_v1 import ChatEvent, ChatResponse
from ._types_v2 import ChatV2Chunk, ChatV2Response

__all__ = ["read_chat", "read_chat_v2", "v1_body", "v2_body"]

_M = TypeVar("_M", bound=BaseModel)


_DONE_LINE = re.compile(rb"^data: ?\[DONE\]\s*$", re.MULTILINE)


def _end_in_body(response: httpx.Response) -> bool:
    """Whether a whole read answer shows its end: one JSON value, or an SSE ``[DONE]``.

    NDJSON (several values) shows no end: it may have stopped between two lines.
    """
    content = response.content.strip().removeprefix(b"\xef\xbb\xbf")
    if content[:1] in (b"{", b"["):
        try:
            json.loads(content)
        except ValueError:
            return False
        return True
    return b"[DONE]" in content and _DONE_LINE.search(content) is not None


def _whole_object(response: httpx.Response, model: type[_M]) -> _M | None:
    """The body as one ``model`` when it is one whole JSON object of that shape, else None.

    The usual non-streaming answer, parsed and validated in one step; anything else
    (a stream, a cut or odd body) is left to the careful path, which says what is wrong.
    """
    content = response.content
    if content[:1] == b"{":
        try:
            return model.__pydantic_validator__.validate_json(content)  # type: ignore[no-any-return]
        except ValidationError:
            pass
    return None


def _plain_event_data(content: bytes) -> list[bytes] | None:
    """The objects of a body made only of ``data: {...}`` lines and blank lines, else None.

    Such a body decodes the same in both framings (each line one event, each event one
    JSON object; ``data: [DONE]`` carries nothing), so its lines are split in C instead
    of going through the incremental decoders. Anything else (another field, a comment,
    a line continuing an event, CR line ends, a byte-order mark, a value that is not an
    object) returns None, for the decoders to read.
    """
    if b"\r" in content or content[:1] == b"\xef":
        return None
    found: list[bytes] = []
    open_event = False
    for line in content.split(b"\n"):
        if not line:
            open_event = False
            continue
        if open_event or not line.startswith(b"data: "):
            return None
        open_event = True
        data = line[6:]
        if data[:1] == b"{":
            found.append(data)
        elif data != b"[DONE]":  # empty data frames differently in the two framings
            return None
    return found


def _body(
    response: httpx.Response,
    expected: Callable[[], EventDecoder],
    model: type[_M],
    parse: Callable[[ServerSentEvent], list[_M]],
) -> tuple[list[_M], bool]:
    """The typed items of a whole read body, and whether it was one whole JSON object."""
    whole = _whole_object(response, model)
    if whole is not None:
        return [whole], True
    content = response.content
    plain = _plain_event_data(content)
    if plain is not None:  # the usual event stream: each object validated straight away
        validate_json = model.__pydantic_validator__.validate_json
        try:
            return [validate_json(data) for data in plain], False
        except ValidationError:
            pass  # the careful path below says what is wrong
    decoder = AutoDecoder(expected)
    events = [*decoder.feed(content), *decoder.flush()]
    if not events and content.strip():  # an HTML sign-in page, say: never an empty answer
        kind = response.headers.get("content-type", "no content type")
        text = response.text.strip()[:200]
        raise StreamError(f"the answer ({kind}) held no event and no JSON: {text!r}", text=text)
    try:
        return [item for event in events for item in parse(event)], False
    except APIResponseValidationError as exc:  # an item of the wrong shape
        raise with_response(exc, response) from None


def _v1_body(response: httpx.Response) -> tuple[list[ChatEvent], bool]:
    return _body(response, UnleashV1Decoder, ChatEvent, rq.parse_v1_event)


def _v2_body(response: httpx.Response) -> tuple[list[ChatV2Chunk], bool]:
    return _body(response, SSEDecoder, ChatV2Chunk, rq.parse_v2_chunk)


def v1_body(response: httpx.Response) -> list[ChatEvent]:
    """The v1 events of a non-streaming ``POST /chats`` answer (a body, or a whole stream)."""
    return _v1_body(response)[0]


def v2_body(response: httpx.Response) -> list[ChatV2Chunk]:
    """The v2 chunks of a non-streaming ``POST /chats/v2`` answer (a body, or a whole stream)."""
    return _v2_body(response)[0]


def _checked(
    assembler: ChatAssembler | ChatV2Assembler,
    response: httpx.Response,
    read: Callable[[httpx.Response], tuple[list[Any], bool]],
    allow: bool,
) -> Any:
    """The body's answer, assembled and checked; an empty one named by what the body held."""
    items, whole = read(response)
    assembler.add(items)
    if whole or _end_in_body(response):  # one whole JSON object shows its end by itself
        assembler.mark_end()
    try:
        return with_request_id(assembler.finish(allow_partial=allow), response)
    except EmptyAnswerError:
        raise EmptyAnswerError.from_response(response, "a body with no answer in it") from None


def read_chat(response: httpx.Response, text_mode: TextMode, allow_partial: bool) -> ChatResponse:
    """The checked `ChatResponse` of a read ``POST /chats`` answer.

    Raises:
        EmptyAnswerError: the body held no answer (204, blank, ``{}``, ``[DONE]`` only...).
        IncompleteAnswerError: no text (unless ``allow_partial``).
    """
    error = empty_body_error(response)
    if error is not None:
        raise error
    assembler = ChatAssembler(text_mode=text_mode)
    result: ChatResponse = _checked(assembler, response, _v1_body, allow_partial)
    return result


def read_chat_v2(
    response: httpx.Response, text_mode: TextMode, allow_partial: bool
) -> ChatV2Response:
    """The checked `ChatV2Response` of a read ``POST /chats/v2`` answer (see `read_chat`)."""
    error = empty_body_error(response)
    if error is not None:
        raise error
    assembler = ChatV2Assembler(text_mode=text_mode)
    result: ChatV2Response = _checked(assembler, response, _v2_body, allow_partial)
    return result
