"""Reading one Jylo reply, event by event: `MessageAssembler` (see `_streaming`).

Decoded events in (SSE, NDJSON, JSON or plain-text chunks), new text out; the stored
message remembered. `is_final_message` tells the stored message from a piece of the reply.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Literal

import httpx
from pydantic import ValidationError

from .._text_buffer import TextBuffer
from .._transport import (
    EmptyAnswerError,
    EventDecoder,
    IncompleteAnswerError,
    InvalidRequestError,
    ServerSentEvent,
    SSEDecoder,
    StreamError,
    StreamValidationError,
    finish_reason,
    validation_error,
)
from ._citations import parse_citations
from ._types import Message

__all__ = [
    "MessageAssembler",
    "TextMode",
    "PlainTextDecoder",
    "decoder_for",
    "is_plain_text",
    "is_final_message",
    "reply_finish_reason",
    "reply_incomplete_reason",
    "plain_text",
]

TextMode = Literal["delta", "snapshot"]
"""How a reply's text pieces join: exactly (``delta``) or each the text so far (``snapshot``)."""

_MESSAGE_KEYS = frozenset(
    {
        "objectIdentifier",
        "isAssistant",
        "dateAdded",
        "textWithCitations",
        "modelIdentifier",
        "messageResponseTypeId",
        "addingCitations",
    }
)
_FINAL_KEYS = frozenset({"textWithCitations", "dateAdded"})
"""A message object with one of these is the stored message, not a piece of the reply."""
_DELTA_KEYS = ("delta", "textDelta", "token", "content", "chunk")
_PLAIN = "\x00plain-text"
"""The event name `PlainTextDecoder` gives its chunks (no server can send it)."""
_DELTA_EVENTS = frozenset({"delta", "token", "chunk", "text", "message.delta", "content"})


class PlainTextDecoder:
    """A ``text/plain`` body: every chunk of text is one delta."""

    def __init__(self) -> None:
        import codecs

        self._utf8 = codecs.getincrementaldecoder("utf-8")(errors="replace")

    def feed(self, chunk: bytes) -> list[ServerSentEvent]:
        text = self._utf8.decode(chunk)
        return [ServerSentEvent(data=text, event=_PLAIN)] if text else []

    def flush(self) -> list[ServerSentEvent]:
        text = self._utf8.decode(b"", final=True)
        return [ServerSentEvent(data=text, event=_PLAIN)] if text else []


def is_plain_text(response: httpx.Response) -> bool:
    """Whether the body is plain text (read as text whatever its first character)."""
    return str(response.headers.get("content-type", "")).lower().startswith("text/plain")


def decoder_for(response: httpx.Response) -> Callable[[], EventDecoder]:
    """The decoder for a non-JSON body: plain text for ``text/plain``, else SSE."""
    return PlainTextDecoder if is_plain_text(response) else SSEDecoder


def is_final_message(message: Message) -> bool:
    """Whether ``message`` is the stored message (the end of a reply positively seen).

    The stored message carries ``dateAdded`` or ``textWithCitations``, or says
    ``addingCitations: false``; a piece of a streamed reply, or a message built from
    streamed text, does not.
    """
    return (
        "date_added" in message.model_fields_set  # even when its value could not be read
        or message.text_with_citations is not None
        or message.adding_citations is False
    )


def reply_incomplete_reason(message: Message) -> str | None:
    """Why a reply is known to be unfinished: ``"no text"`` when it has none, else None.

    The clients raise `IncompleteAnswerError` for such a reply unless ``allow_partial``.
    """
    text = plain_text(message)
    return None if text else "no text"


def reply_finish_reason(message: Message) -> str:
    """A reply's ``finish_reason``: ``"stop"`` for the stored message, else ``"unconfirmed"``.

    ``"incomplete"`` for a reply without text (see `reply_incomplete_reason`).
    """
    return finish_reason(
        end_seen=is_final_message(message), incomplete=reply_incomplete_reason(message)
    )


def _error_text(value: Any) -> str:
    if isinstance(value, dict):
        for key in ("message", "detail", "title", "error"):
            if isinstance(value.get(key), str):
                return str(value[key])
    return value if isinstance(value, str) else json.dumps(value)[:300]


class MessageAssembler:
    """Turns decoded events into new text, and remembers the stored message.

    The text pieces of a reply are joined exactly (``text_mode="delta"``, the default):
    nothing in seed 003 says a piece repeats the text before it, and guessing so loses
    text (``"Ha"``, ``"Ha"``, ``"Ha!"``). ``text_mode="snapshot"`` takes each piece as the
    reply so far, for a server known to send that. A stored message is whole either way.

    Attributes:
        message: the last stored (final) assistant message the server sent; ``None``
            until one arrives. `final_message` fills in when none came.
    """

    def __init__(self, text_mode: TextMode = "delta") -> None:
        if text_mode not in ("delta", "snapshot"):
            raise InvalidRequestError(
                f"text_mode: must be 'delta' or 'snapshot', not {text_mode!r}"
            )
        self.text_mode = text_mode
        self._text_so_far = TextBuffer()  # joined when read: appending stays linear
        self.message: Message | None = None
        self._partial: Message | None = None
        self._echo: Message | None = None

    # -- one event ------------------------------------------------------------------
    def feed(self, event: ServerSentEvent) -> list[str]:
        """The new text in one decoded event (often one string, sometimes none)."""
        data = event.data
        name = (event.event or "").lower()
        if name == "error":
            raise StreamError(f"the Jylo stream reported an error: {data[:300]}", text=data[:200])
        if event.event == _PLAIN:  # plain-text body: keep every character, spaces included
            return self._delta(data)
        stripped = data.strip()
        if not stripped:  # a newline or spaces are text too
            return self._delta(data) if data else []
        if stripped == "[DONE]":
            return []
        if stripped[0] in '{["':
            try:
                value = json.loads(stripped)
            except ValueError:
                if stripped[0] != "{":  # "[1] ...", "[the docs](...)": text, not JSON
                    return self._delta(data)
                raise StreamError(
                    f"malformed JSON in the Jylo stream: {stripped[:200]!r}", text=stripped[:200]
                ) from None
            return self._value(value, name)
        return self._delta(data)

    def _value(self, value: Any, name: str) -> list[str]:
        if isinstance(value, str):
            return self._delta(value)
        if isinstance(value, list):
            return [piece for item in value for piece in self._value(item, name)]
        if isinstance(value, dict):
            return self._object(value, name)
        return []

    def _object(self, obj: dict[str, Any], name: str) -> list[str]:
        if obj.get("error") and not _MESSAGE_KEYS & obj.keys():
            message = _error_text(obj["error"])
            raise StreamError(f"the Jylo stream reported an error: {message}", text=message[:200])
        for wrapper in ("message", "data"):
            inner = obj.get(wrapper)
            if isinstance(inner, dict) and not _MESSAGE_KEYS & obj.keys():
                return self._object(inner, name)
        delta = self._delta_text(obj)
        if delta is not None:
            return self._delta(delta)
        if _MESSAGE_KEYS & obj.keys():
            return self._snapshot(obj, name)
        text = obj.get("text")
        return self._text(text, name) if isinstance(text, str) else []

    @staticmethod
    def _delta_text(obj: dict[str, Any]) -> str | None:
        for key in _DELTA_KEYS:
            value = obj.get(key)
            if isinstance(value, str):
                return value
            if isinstance(value, dict):
                inner = value.get("text", value.get("content"))
                if isinstance(inner, str):
                    return inner
        choices = obj.get("choices")
        if isinstance(choices, list) and choices and isinstance(choices[0], dict):
            delta = choices[0].get("delta")
            if isinstance(delta, dict) and isinstance(delta.get("content"), str):
                return str(delta["content"])
        return None

    def _snapshot(self, obj: dict[str, Any], name: str) -> list[str]:
        try:
            message = Message.model_validate(obj)
        except ValidationError as exc:
            raise validation_error(
                exc,
                None,
                model=Message,
                value=obj,
                what="a message in the Jylo stream",
                kind=StreamValidationError,
            ) from None
        if message.is_assistant is False:
            self._echo = message
            return []
        if not (_FINAL_KEYS & obj.keys() or obj.get("addingCitations") is False):
            self._partial = message  # a piece of the reply: its text is a delta or the text so far
            return self._text(plain_text(message) or "", name)
        return self.settle(message)

    @property
    def text(self) -> str:
        """All the text yielded so far."""
        return self._text_so_far.text

    def _text(self, text: str, name: str) -> list[str]:
        """``text`` as a delta, or in snapshot mode as the reply so far (when it extends it)."""
        snapshot = self.text_mode == "snapshot" and name not in _DELTA_EVENTS
        if snapshot:
            so_far = self.text
            if text.startswith(so_far):
                return self._delta(text[len(so_far) :])
        return self._delta(text)

    def _delta(self, piece: str) -> list[str]:
        if not piece:
            return []
        self._text_so_far.add(piece)
        return [piece]

    # -- the end ------------------------------------------------------------------
    @property
    def pending_id(self) -> str | None:
        """The id of a reply whose pieces came but whose stored message did not.

        A stream may end after the last piece without the whole stored message (and so
        without ``textWithCitations``); the clients then read the message back by this
        id (``GET .../messages/{id}``) and `settle` with it. None when the stored message
        came, or when no piece carried an id.
        """
        if self.message is not None or self._partial is None:
            return None
        return self._partial.object_identifier or None

    def settle(self, message: Message) -> list[str]:
        """Take ``message`` as the stored reply; the text it has beyond what came (if any).

        When its text extends the text so far, the rest is new text (nothing is
        dropped); when it was rewritten, what was yielded stands and ``message`` (the
        server's) is the final message.
        """
        self.message = message
        full, so_far = plain_text(message), self.text
        if not full or not full.startswith(so_far):
            return []
        return self._delta(full[len(so_far) :])

    @property
    def received(self) -> bool:
        """Whether anything of a reply arrived: text, a piece of it, or the stored message."""
        return bool(self._text_so_far) or self.message is not None or self._partial is not None

    @property
    def end_seen(self) -> bool:
        """Whether the stored message came (or was read back with `settle`)."""
        return self.message is not None

    def check_complete(self, *, allow_partial: bool = False) -> None:
        """Raise if the reply holds no text.

        Raises:
            EmptyAnswerError: no reply at all arrived (nothing, or only the user's
                message echoed back).
            IncompleteAnswerError: a reply arrived without any text (unless
                ``allow_partial``).
        """
        if self.text or (self.message is not None and plain_text(self.message)):
            return
        reply = self.message if self.message is not None else self._partial
        if reply is None or not (reply.object_identifier or plain_text(reply) is not None):
            raise EmptyAnswerError(
                "the Jylo answer held no reply: no text and no assistant message arrived",
                partial=reply,
            )
        if not allow_partial:
            raise IncompleteAnswerError(
                f"the Jylo reply {reply.object_identifier!r} has no text (pass "
                "allow_partial=True to get it anyway)",
                reason="no text",
                partial=reply,
            )

    def final_message(self) -> Message:
        """The stored message, completed with the streamed text where it lacks it.

        Without a final message from the server, the last partial one (with the whole
        streamed text) stands in; failing that, the echoed user message if no text came,
        else a message built from the text (``object_identifier=None``, ``is_assistant=True``).
        """
        if self.message is not None:
            if self.text and not (self.message.text or self.message.text_with_citations):
                return self.message.model_copy(update={"text": self.text})
            return self.message
        if self._partial is not None:
            return self._partial.model_copy(update={"text": self.text})
        if self._echo is not None and not self.text:
            return self._echo
        return Message(text=self.text, is_assistant=True)


def plain_text(message: Message) -> str | None:
    """A message's text, else the text of its ``textWithCitations``, else None."""
    if message.text is None and message.text_with_citations is not None:
        return parse_citations(message.text_with_citations).text
    return message.text
