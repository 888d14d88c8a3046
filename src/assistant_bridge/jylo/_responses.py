"""Reading a Jylo message or reply (a JSON object or a streamed body), and error advice.

Shared by the sync and async clients; plain JSON answers go through the transport's
`parse_response`. A message whose fields have the wrong shape raises
`APIResponseValidationError` naming the field, never a bare pydantic error.
"""

from __future__ import annotations

import json

import httpx

from .._transport import EmptyAnswerError, Problem, empty_body_error, validate_as
from ._settings import JyloSettings
from ._streaming import MessageAssembler, assemble_body, message_from_body
from ._types import Message

__all__ = [
    "parse_message",
    "parse_reply",
    "status_hint",
]


def _json_message(response: httpx.Response) -> Message | None:
    """The message of a body that is one JSON object, else None."""
    body = response.content.lstrip()
    if body[:1] == b"{":
        try:
            value = json.loads(body)
        except ValueError:
            value = None
        if isinstance(value, dict):
            return validate_as(value, Message, response)
    return None


def _shapeless(message: Message) -> bool:
    """A JSON message with nothing of a message in it (``{}``, unknown keys only)."""
    return not (message.model_fields_set - {"documents", "message_document_identifiers"})


def parse_message(response: httpx.Response) -> Message:
    """A message from a read response: a JSON object, or a streamed body assembled.

    Raises:
        EmptyAnswerError: the body holds no message (204, blank, ``{}``, HTML...).
    """
    error = empty_body_error(response)
    if error is not None:
        raise error
    message = _json_message(response)
    if message is not None and _shapeless(message):
        raise EmptyAnswerError.from_response(response, "a message with no field in it")
    return message or message_from_body(response)


def parse_reply(response: httpx.Response) -> MessageAssembler:
    """A posted message's answer, read: check ``pending_id``, then `check_complete`.

    A JSON object is the stored message; a streamed body (some servers stream even when
    not asked) is assembled, and if it ended without the stored message, ``pending_id``
    names the message to read back (see `MessageAssembler.settle`). Call
    ``check_complete`` after any read-back, before ``final_message()``.

    Raises:
        EmptyAnswerError: the body holds no answer (204, blank, ``{}``, ``null``, HTML,
            a stream of only ``[DONE]``...).
    """
    error = empty_body_error(response)
    if error is not None:
        raise error
    message = _json_message(response)
    if message is None:
        assembler = assemble_body(response)
        if assembler.message is None and assembler.pending_id is None and not assembler.text:
            raise EmptyAnswerError.from_response(response, "a body with no reply in it")
        return assembler
    if _shapeless(message):
        raise EmptyAnswerError.from_response(response, "a reply with no field in it")
    assembler = MessageAssembler()
    assembler.settle(message)
    return assembler


def status_hint(settings: JyloSettings, response: httpx.Response, problem: Problem) -> str | None:
    """Advice to add to an error: where a token failure came from and what to check."""
    url = response.request.url
    if settings.token_url and url == httpx.URL(settings.token_url):
        return (
            f"(from the Jylo token endpoint {settings.token_url}: check JYLO_CLIENT_ID, "
            "JYLO_CLIENT_SECRET and JYLO_TOKEN_URL)"
        )
    if response.status_code == 401:
        if settings.token is not None:
            return "The bearer token was refused; it may have expired: pass a fresh token=..."
        return (
            "The API refused a freshly fetched token; check the API client's audience and access."
        )
    if response.status_code == 403:
        return f"These credentials may not use project {settings.project_id!r} or this assistant."
    return None
