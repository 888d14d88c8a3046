"""Reading a whole Unleash chat answer: assembled, its end noted, checked.

Shared by `UnleashClient` and `AsyncUnleashClient`. An answer whose body holds nothing
raises `EmptyAnswerError` naming the status, content type and first bytes; one known to
be unfinished raises `IncompleteAnswerError` unless ``allow_partial``. A whole JSON body
or an SSE ``[DONE]`` line marks the end as seen.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import httpx

from .._transport import EmptyAnswerError
from .._transport._streaming import empty_body_error
from . import _requests as rq
from ._assemble import ChatAssembler, ChatV2Assembler
from ._completeness import TextMode
from ._types_v1 import ChatEvent, ChatResponse
from ._types_v2 import ChatV2Chunk, ChatV2Response

__all__ = ["read_chat", "read_chat_v2", "with_request_id"]


def with_request_id(result: Any, response: httpx.Response) -> Any:
    """``result`` with the ``RequestId`` header as its ``request_id`` when its body had none."""
    if getattr(result, "request_id", None) is None:
        header = response.headers.get("requestid") or response.headers.get("x-request-id")
        if header:
            result.request_id = header
    return result


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


def _checked(
    assembler: ChatAssembler | ChatV2Assembler,
    response: httpx.Response,
    model: type[ChatEvent] | type[ChatV2Chunk],
    items: Callable[[httpx.Response], list[Any]],
    allow: bool,
) -> Any:
    """The body's answer, assembled and checked; an empty one named by what the body held."""
    whole = rq.whole_body(response, model)
    if whole is not None:  # one whole JSON object: its end is seen
        assembler.add(whole)
        assembler.mark_end()
    else:
        assembler.add(items(response))
        if _end_in_body(response):
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
    result: ChatResponse = _checked(assembler, response, ChatEvent, rq.v1_body, allow_partial)
    return result


def read_chat_v2(
    response: httpx.Response, text_mode: TextMode, allow_partial: bool
) -> ChatV2Response:
    """The checked `ChatV2Response` of a read ``POST /chats/v2`` answer (see `read_chat`)."""
    error = empty_body_error(response)
    if error is not None:
        raise error
    assembler = ChatV2Assembler(text_mode=text_mode)
    result: ChatV2Response = _checked(assembler, response, ChatV2Chunk, rq.v2_body, allow_partial)
    return result
