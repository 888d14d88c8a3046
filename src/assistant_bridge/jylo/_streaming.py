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
short and ``.message`` is always the stored message when an id came. A stream or body
with nothing of a reply in it is an `EmptyAnswerError` (a `StreamError`), never an empty
answer; a reply that arrived without any text is an `IncompleteAnswerError` unless
``allow_partial``. ``end_seen`` says whether the stored message came (or was read
back): only then is the end of the reply positively seen (see `is_final_message`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from types import TracebackType

import httpx

from .._transport import (
    APIResponseValidationError,
    AsyncStream,
    AutoDecoder,
    EmptyAnswerError,
    Stream,
    empty_body_error,
    request_id_of,
    with_response,
)
from ._reply import (
    MessageAssembler,
    PlainTextDecoder,
    TextMode,
    decoder_for,
    is_final_message,
    is_plain_text,
)
from ._types import Message

__all__ = [
    "AsyncMessageStream",
    "Fetch",
    "AsyncFetch",
    "MessageAssembler",
    "MessageStream",
    "assemble_body",
    "is_final_message",
    "message_from_body",
]


def assemble_body(response: httpx.Response) -> MessageAssembler:
    """A read response's body (streamed or not) fed through a `MessageAssembler`.

    The caller checks it (`MessageAssembler.check_complete`) once any read-back is done.

    Raises:
        EmptyAnswerError: the body holds nothing (204, blank, ``{}``, HTML...).
    """
    error = empty_body_error(response)
    if error is not None:
        raise error
    assembler = MessageAssembler()
    plain = is_plain_text(response)
    decoder = PlainTextDecoder() if plain else AutoDecoder(decoder_for(response))
    try:
        for event in [*decoder.feed(response.content), *decoder.flush()]:
            assembler.feed(event)
    except APIResponseValidationError as exc:  # a message of the wrong shape
        raise with_response(exc, response) from None
    return assembler


def message_from_body(response: httpx.Response) -> Message:
    """The message in a read response: a JSON object, or a streamed body assembled.

    Raises:
        EmptyAnswerError: the body holds no message.
    """
    assembler = assemble_body(response)
    try:
        assembler.check_complete(allow_partial=True)
    except EmptyAnswerError:
        raise EmptyAnswerError.from_response(response, "a body with no message in it") from None
    return assembler.final_message()


Fetch = Callable[[str], Message]
"""Reads a stored message back by its id (the sync client's ``get_message``)."""
AsyncFetch = Callable[[str], Awaitable[Message]]
"""Async `Fetch`."""


class _MessageStreamBase:
    def __init__(
        self, response: httpx.Response, allow_partial: bool, text_mode: TextMode = "delta"
    ) -> None:
        self.response = response
        self._assembler = MessageAssembler(text_mode)
        self._allow_partial = allow_partial
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
        return request_id_of(self.response)

    @property
    def end_seen(self) -> bool:
        """Whether the stored message came (or was read back): the reply's end was seen."""
        return self._done and self._assembler.end_seen


class MessageStream(_MessageStreamBase):
    """A streamed Jylo reply: iterate it for text chunks, then read ``.message``.

    Example:
        ```python
        from assistant_bridge import JyloClient

        with JyloClient() as client:
            assistant_id = client.list_assistants().items[0].object_identifier
            model = client.list_models()[0].object_identifier
            with client.stream_message(assistant_id, "Who approves travel?", model_identifier=model) as stream:
                streamed = "".join(stream)
        print(streamed[:60])
        print(stream.end_seen, stream.message.text == streamed)
        ```

        ```text title="Output"
        This policy applies to every Brightwater employee and contra
        True True
        ```

    Iterate it once. The response is closed when the stream ends, on an error, or on
    ``close()`` / leaving the ``with`` block. When the stream ends without the stored
    message, ``fetch`` (given by the client) reads it back by id once the response is
    closed, and any text it has beyond what streamed is yielded last.

    At the end, a stream with nothing of a reply in it raises `EmptyAnswerError`, and a
    reply without any text raises `IncompleteAnswerError` unless ``allow_partial``
    (then ``.message`` is the reply as it came). ``end_seen`` says whether the stored
    message came or was read back.
    """

    def __init__(
        self,
        response: httpx.Response,
        fetch: Fetch | None = None,
        *,
        allow_partial: bool = False,
        text_mode: TextMode = "delta",
    ) -> None:
        super().__init__(response, allow_partial, text_mode)
        self._fetch = fetch
        self._stream: Stream[str] = Stream(
            response,
            decoder=decoder_for(response),
            parse=self._assembler.feed,
            sniff=not is_plain_text(response),
            answered=lambda: self._assembler.received,
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
        self._assembler.check_complete(allow_partial=self._allow_partial)
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

    def __init__(
        self,
        response: httpx.Response,
        fetch: AsyncFetch | None = None,
        *,
        allow_partial: bool = False,
        text_mode: TextMode = "delta",
    ) -> None:
        super().__init__(response, allow_partial, text_mode)
        self._fetch = fetch
        self._stream: AsyncStream[str] = AsyncStream(
            response,
            decoder=decoder_for(response),
            parse=self._assembler.feed,
            sniff=not is_plain_text(response),
            answered=lambda: self._assembler.received,
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
        self._assembler.check_complete(allow_partial=self._allow_partial)
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
