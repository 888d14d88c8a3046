"""Streaming a Jylo reply: text as it arrives, then the stored message.

The wire format of ``POST .../messages`` with ``stream: true`` is not documented, so
`MessageAssembler` reads every plausible form: server-sent events, newline-delimited
JSON, a whole JSON body, or plain text chunks. Each event may be

- the stored message: a message object (``objectIdentifier``, ``isAssistant``...) that
  carries ``textWithCitations`` or ``dateAdded``, or says ``addingCitations: false``. Its
  ``text`` is the whole reply; only what extends the text so far is yielded, and the last
  one is ``.message``. One with ``isAssistant: false`` (the user's message echoed back)
  adds no text;
- a piece of the reply: any other message object (``{objectIdentifier, text,
  addingCitations: true}``); its ``text`` is read like ``{"text": ...}`` below;
- a delta: ``{"delta": "..."}``, ``{"textDelta"|"token"|"content"|"chunk": "..."}``,
  ``{"delta": {"text": ...}}``, OpenAI-style ``choices[0].delta.content``, a JSON string,
  or a non-JSON ``data:`` line;
- ``{"text": "..."}`` alone: cumulative when it extends the text so far, else a delta;
- ``{"message": {...}}`` / ``{"data": {...}}`` wrapping either of the above;
- an error (``event: error`` or ``{"error": ...}``), raised as `StreamError`.

``[DONE]`` and events that carry none of these (progress, metadata) are skipped.
`MessageStream` / `AsyncMessageStream` yield the new text of each event and expose the
stored message as ``.message`` once the stream has ended. Whether a stream ends with the
stored message is not documented either: when it ends after the pieces alone, the stored
message (with ``textWithCitations``) is read back by the ``objectIdentifier`` the pieces
carried, and any text it has beyond what streamed is yielded last, so the text is never
short and ``.message`` is always the stored message when an id came. A stream that ends
with no text and no message is a `StreamError`, never an empty answer.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from types import TracebackType
from typing import Any

import httpx
from pydantic import ValidationError

from .._transport import AsyncStream, EventDecoder, ServerSentEvent, SSEDecoder, Stream, StreamError
from .._transport._sse import AutoDecoder
from ._citations import parse_citations
from ._types import Message

__all__ = [
    "AsyncMessageStream",
    "Fetch",
    "AsyncFetch",
    "MessageAssembler",
    "MessageStream",
    "assemble_body",
    "message_from_body",
]

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
"""The event name `_PlainTextDecoder` gives its chunks (no server can send it)."""
_DELTA_EVENTS = frozenset({"delta", "token", "chunk", "text", "message.delta", "content"})


class _PlainTextDecoder:
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
    return _PlainTextDecoder if is_plain_text(response) else SSEDecoder


def _error_text(value: Any) -> str:
    if isinstance(value, dict):
        for key in ("message", "detail", "title", "error"):
            if isinstance(value.get(key), str):
                return str(value[key])
    return value if isinstance(value, str) else json.dumps(value)[:300]


class MessageAssembler:
    """Turns decoded events into new text, and remembers the stored message.

    Attributes:
        text: all the text yielded so far.
        message: the last stored (final) assistant message the server sent; ``None``
            until one arrives. `final_message` fills in when none came.
    """

    def __init__(self) -> None:
        self.text = ""
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
            text = json.dumps(obj)[:200]
            raise StreamError(
                f"a message in the Jylo stream has fields of the wrong shape "
                f"({exc.error_count()} problem(s)): {text!r}",
                text=text,
            ) from None
        if message.is_assistant is False:
            self._echo = message
            return []
        if not (_FINAL_KEYS & obj.keys() or obj.get("addingCitations") is False):
            self._partial = message  # a piece of the reply: its text is a delta or the text so far
            return self._text(_plain(message) or "", name)
        return self.settle(message)

    def _text(self, text: str, name: str) -> list[str]:
        """``text`` that is either the reply so far (when it extends it) or a delta."""
        if name not in _DELTA_EVENTS and self.text and text.startswith(self.text):
            return self._delta(text[len(self.text) :])
        return self._delta(text)

    def _delta(self, piece: str) -> list[str]:
        if not piece:
            return []
        self.text += piece
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
        full = _plain(message)
        if not full or not full.startswith(self.text):
            return []
        return self._delta(full[len(self.text) :])

    def check_complete(self) -> None:
        """Raise `StreamError` if the stream ended without any text or message at all."""
        nothing = self.message is None and self._partial is None and self._echo is None
        if nothing and not self.text:
            raise StreamError(
                "the Jylo answer ended without a reply: no text and no message arrived"
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


def _plain(message: Message) -> str | None:
    """A message's text, else the text of its ``textWithCitations``, else None."""
    if message.text is None and message.text_with_citations is not None:
        return parse_citations(message.text_with_citations).text
    return message.text


def assemble_body(response: httpx.Response) -> MessageAssembler:
    """A read response's body (streamed or not) fed through a `MessageAssembler`.

    Raises:
        StreamError: the body carried no text and no message.
    """
    assembler = MessageAssembler()
    plain = is_plain_text(response)
    decoder = _PlainTextDecoder() if plain else AutoDecoder(decoder_for(response))
    for event in [*decoder.feed(response.content), *decoder.flush()]:
        assembler.feed(event)
    assembler.check_complete()
    return assembler


def message_from_body(response: httpx.Response) -> Message:
    """The message in a read response: a JSON object, or a streamed body assembled."""
    return assemble_body(response).final_message()


Fetch = Callable[[str], Message]
"""Reads a stored message back by its id (the sync client's ``get_message``)."""
AsyncFetch = Callable[[str], Awaitable[Message]]
"""Async `Fetch`."""


class _MessageStreamBase:
    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self._assembler = MessageAssembler()
        self._done = False

    @property
    def text(self) -> str:
        """The text received so far (all of it once the stream has ended)."""
        return self._assembler.text

    @property
    def message(self) -> Message | None:
        """The stored message once the stream has ended (``None`` before).

        It is the stored message the stream ended with or, when the stream ended after
        the text alone, the one read back by the id the text pieces carried. Only if no
        piece carried an id (a plain-text stream) is it built from the streamed text,
        with no ``object_identifier``.
        """
        return self._assembler.final_message() if self._done else None

    @property
    def request_id(self) -> str | None:
        """The vendor's request id from the response headers, if it sent one."""
        headers = self.response.headers
        value = headers.get("requestid") or headers.get("x-request-id")
        return str(value) if value else None


class MessageStream(_MessageStreamBase):
    """A streamed Jylo reply: iterate it for text chunks, then read ``.message``.

    Example:
        >>> with client.stream_message(assistant_id, "Hi", model_identifier=m) as stream:
        ...     for chunk in stream:
        ...         print(chunk, end="")
        >>> stream.message.object_identifier

    Iterate it once. The response is closed when the stream ends, on an error, or on
    ``close()`` / leaving the ``with`` block. When the stream ends without the stored
    message, ``fetch`` (given by the client) reads it back by id once the response is
    closed, and any text it has beyond what streamed is yielded last.
    """

    def __init__(self, response: httpx.Response, fetch: Fetch | None = None) -> None:
        super().__init__(response)
        self._fetch = fetch
        self._stream: Stream[str] = Stream(
            response,
            decoder=decoder_for(response),
            parse=self._assembler.feed,
            sniff=not is_plain_text(response),
        )
        self._chunks: Iterator[str] | None = None

    def __iter__(self) -> Iterator[str]:
        if self._chunks is None:
            self._chunks = self._run()
        return self._chunks  # one iteration, shared: `until_done` continues it

    def _run(self) -> Iterator[str]:
        yield from self._stream
        pending = self._assembler.pending_id
        if pending is not None and self._fetch is not None:
            yield from self._assembler.settle(self._fetch(pending))
        self._assembler.check_complete()
        self._done = True

    def until_done(self) -> Message:
        """Read the rest of the stream (if any) and return the stored message."""
        for _ in self:
            pass
        return self._assembler.final_message()

    def close(self) -> None:
        """Close the response without reading the rest."""
        self._stream.close()

    def __enter__(self) -> MessageStream:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class AsyncMessageStream(_MessageStreamBase):
    """An async streamed Jylo reply: ``async for`` text chunks, then read ``.message``.

    Like `MessageStream`, it reads the stored message back (``fetch``) when the stream
    ends without it.
    """

    def __init__(self, response: httpx.Response, fetch: AsyncFetch | None = None) -> None:
        super().__init__(response)
        self._fetch = fetch
        self._stream: AsyncStream[str] = AsyncStream(
            response,
            decoder=decoder_for(response),
            parse=self._assembler.feed,
            sniff=not is_plain_text(response),
        )
        self._chunks: AsyncIterator[str] | None = None

    def __aiter__(self) -> AsyncIterator[str]:
        if self._chunks is None:
            self._chunks = self._run()
        return self._chunks  # one iteration, shared: `until_done` continues it

    async def _run(self) -> AsyncIterator[str]:
        async for chunk in self._stream:
            yield chunk
        pending = self._assembler.pending_id
        if pending is not None and self._fetch is not None:
            for piece in self._assembler.settle(await self._fetch(pending)):
                yield piece
        self._assembler.check_complete()
        self._done = True

    async def until_done(self) -> Message:
        """Read the rest of the stream (if any) and return the stored message."""
        async for _ in self:
            pass
        return self._assembler.final_message()

    async def close(self) -> None:
        """Close the response without reading the rest."""
        await self._stream.close()

    async def __aenter__(self) -> AsyncMessageStream:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()
