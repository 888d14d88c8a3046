"""Typed iteration over a streamed response, with the response closed however it ends.

`Stream` / `AsyncStream` feed the response's bytes to an event decoder as they arrive,
turn each event into a typed item, and map a broken connection to `StreamError` (or
`APITimeoutError` when the read timed out). The response is closed in ``finally``: at
the end of the stream, on an error, on ``close()``, or when the consumer stops early.

A stream is an answer, so it is never empty: a 204, or a body that ends without one
item (blank, only ``[DONE]`` or keep-alive comments, ``{}``, ``[]``, ``null``, an HTML
page), raises `EmptyAnswerError` naming what arrived. Events that carry nothing
(``{}``, ``[]``, ``null``, ``[DONE]``) are skipped; ``terminated`` tells whether the
SSE terminator ``[DONE]`` came (the only end marker a stream can show by itself).

`finish_reason` is the one vocabulary every chat layer reports: ``"stop"`` (the end was
seen), ``"unconfirmed"`` (the stream ended without an end marker; nothing shows it is
short, nothing shows it is whole) and ``"incomplete"`` (known to be unfinished, returned
only with ``allow_partial=True``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from types import TracebackType
from typing import Generic, TypeVar

import httpx

from ._exceptions import (
    APIResponseValidationError,
    APITimeoutError,
    EmptyAnswerError,
    StreamError,
)
from ._response import request_id_of, with_response
from ._sse import AutoDecoder, EventDecoder, ServerSentEvent

__all__ = [
    "END_CONFIRMED",
    "END_INCOMPLETE",
    "END_UNCONFIRMED",
    "AsyncStream",
    "Stream",
    "choose_decoder",
    "empty_body_error",
    "finish_reason",
]

T = TypeVar("T")
_HEAD = 200  # bytes of the body kept to quote when it held no event

END_CONFIRMED = "stop"
"""``finish_reason`` when the end of the answer was positively seen (a v1 ``Full`` event,
the SSE ``[DONE]`` terminator, a whole JSON body, Jylo's stored message)."""
END_UNCONFIRMED = "unconfirmed"
"""``finish_reason`` when the answer ended without an end marker: the vendors document
none, so this is not an error, but the answer may be shorter than the server's."""
END_INCOMPLETE = "incomplete"
"""``finish_reason`` of an answer known to be unfinished (only with ``allow_partial``)."""

_NOTHING = frozenset({"{}", "[]", "null", "[DONE]"})
"""Event data that carries nothing (skipped, never parsed); so is an empty ``data``."""
_EMPTY_BODIES = frozenset({b"", b"{}", b"[]", b"null"})
_EMPTY_DATA = frozenset({b"", b"{}", b"[]", b"null", b"[DONE]"})


def _only_nothing(content: bytes) -> bool:
    """Whether an event-stream body holds only comments, blank lines and empty ``data``."""
    for raw in content.splitlines():
        line = raw.strip()
        if not line or line.startswith(b":"):
            continue
        if not line.startswith(b"data:") or line[5:].strip() not in _EMPTY_DATA:
            return False
    return True


def finish_reason(*, end_seen: bool, incomplete: str | None = None) -> str:
    """The ``finish_reason`` of an answer: `END_INCOMPLETE`, `END_CONFIRMED` or `END_UNCONFIRMED`."""
    if incomplete:
        return END_INCOMPLETE
    return END_CONFIRMED if end_seen else END_UNCONFIRMED


def empty_body_error(response: httpx.Response) -> EmptyAnswerError | None:
    """The error for a read chat answer that holds nothing, else None.

    A 204, an HTML page (a sign-in page, say), a body that is blank, ``{}``, ``[]`` or
    ``null`` (whitespace around it allowed), and an event stream of only comments
    (keep-alives), ``[DONE]`` and empty ``data`` are empty.
    """
    if response.status_code == 204:
        return EmptyAnswerError.from_response(response, "a 204 (no content) answer")
    kind = str(response.headers.get("content-type", "")).lower()
    if kind.startswith("text/html"):
        return EmptyAnswerError.from_response(response, "an HTML page instead of an answer")
    content = response.content.strip().removeprefix(b"\xef\xbb\xbf").strip()
    if content in _EMPTY_BODIES:
        return EmptyAnswerError.from_response(response, "an empty answer body")
    if content[:1] not in (b"{", b"[") and _only_nothing(content):
        return EmptyAnswerError.from_response(response, "an event stream with no answer in it")
    return None


def choose_decoder(expected: Callable[[], EventDecoder]) -> EventDecoder:
    """The decoder for a response body: JSON (whole or NDJSON) by its first byte, else ``expected``.

    The body decides, not the content type: a server that ignores
    ``Accept: text/event-stream`` and answers one JSON body is read correctly, and so is
    an event stream labelled ``application/json``.
    """
    return AutoDecoder(expected)


def _broken(exc: httpx.HTTPError, request: httpx.Request) -> Exception:
    if isinstance(exc, httpx.TimeoutException):
        return APITimeoutError(
            f"{request.method} {request.url}: the stream stalled past the read timeout",
            request=request,
        )
    return StreamError(f"the stream broke off before it ended: {exc or type(exc).__name__}")


class _StreamBase(Generic[T]):
    """The response, its decoder, and ``parse``: one event to zero or more typed items.

    ``answered`` (optional) tells whether an answer arrived although no item was yielded
    (a Jylo reply stored without text, say: the caller judges it); without it, a stream
    that yielded no item is empty.
    """

    def __init__(
        self,
        response: httpx.Response,
        *,
        decoder: Callable[[], EventDecoder],
        parse: Callable[[ServerSentEvent], Iterable[T]],
        sniff: bool = True,
        answered: Callable[[], bool] | None = None,
    ) -> None:
        self.response = response
        self._answered = answered
        kind = str(response.headers.get("content-type", "")).lower()
        self._html = kind.startswith("text/html")
        # ``sniff=False`` when the content type settles it (plain text that starts with "[").
        self._decoder = choose_decoder(decoder) if sniff else decoder()
        self._parse = parse

    @property
    def request_id(self) -> str | None:
        """The vendor's request id from the response headers, if it sent one."""
        return request_id_of(self.response)

    _head: bytes = b""
    _events: int = 0
    _count: int = 0
    terminated: bool = False
    """Whether the end was positively seen: the SSE terminator ``data: [DONE]`` arrived,
    or the body was one JSON value (a server that answered one whole body) read to its end."""

    @property
    def items(self) -> int:
        """How many typed items the stream has yielded so far."""
        return self._count

    def _events_of(self, chunk: bytes) -> list[ServerSentEvent]:
        if len(self._head) < _HEAD:
            self._head += chunk[:_HEAD]
        if self._html:
            return []  # a sign-in page, say: never decoded as events
        events = self._decoder.feed(chunk)
        self._events += len(events)
        return events

    def _last_events(self) -> list[ServerSentEvent]:
        """What the decoder holds at the end."""
        events = self._decoder.flush()
        self._events += len(events)
        return events

    def _check_not_empty(self) -> None:
        """At the end: a stream that yielded no item is an `EmptyAnswerError`.

        One JSON body read to its end (never a stream cut short: that raised) is whole;
        NDJSON (more than one value) shows no end, like an event stream without ``[DONE]``.
        """
        done_only = self.terminated
        decoder = self._decoder
        if isinstance(decoder, AutoDecoder) and decoder.chose_json and self._events == 1:
            self.terminated = True
        if self._count or (self._answered is not None and self._answered()):
            return
        if self.response.status_code == 204:
            what = "a 204 (no content) answer"
        elif self._html:
            what = "an HTML page instead of an answer"
        elif not self._events and self._head.strip():
            what = "a body with no event in it"
        elif done_only:
            what = "a stream of only [DONE]"
        else:
            what = "a stream with no answer in it"
        raise EmptyAnswerError.from_response(self.response, what, head=self._head)

    def _items(self, events: list[ServerSentEvent]) -> Iterator[T]:
        for event in events:
            data = event.data
            if len(data) < 16 and event.event is None and (not data or data.strip() in _NOTHING):
                self.terminated = self.terminated or data.strip() == "[DONE]"
                continue
            try:
                items = self._parse(event)
            except APIResponseValidationError as exc:  # an event of the wrong shape
                raise with_response(exc, self.response) from exc.__cause__
            for item in items:
                self._count += 1
                yield item


class Stream(_StreamBase[T]):
    """A blocking stream of typed items; iterate it once, or use it as a context manager."""

    def __iter__(self) -> Iterator[T]:
        request = self.response.request
        try:
            for chunk in self.response.iter_bytes():
                yield from self._items(self._events_of(chunk))
            yield from self._items(self._last_events())
            self._check_not_empty()
        except (httpx.TransportError, httpx.DecodingError) as exc:
            raise _broken(exc, request) from exc
        except httpx.StreamError as exc:  # iterated twice, or after close
            raise StreamError(f"the stream cannot be read again: {exc}") from exc
        finally:
            self.response.close()

    def close(self) -> None:
        """Close the response (and its connection) without reading the rest."""
        self.response.close()

    def __enter__(self) -> Stream[T]:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class AsyncStream(_StreamBase[T]):
    """An async stream of typed items; iterate it once, or use it as an async context manager."""

    def __aiter__(self) -> AsyncIterator[T]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[T]:
        request = self.response.request
        try:
            async for chunk in self.response.aiter_bytes():
                for item in self._items(self._events_of(chunk)):
                    yield item
            for item in self._items(self._last_events()):
                yield item
            self._check_not_empty()
        except (httpx.TransportError, httpx.DecodingError) as exc:
            raise _broken(exc, request) from exc
        except httpx.StreamError as exc:  # iterated twice, or after close
            raise StreamError(f"the stream cannot be read again: {exc}") from exc
        finally:
            await self.response.aclose()

    async def close(self) -> None:
        """Close the response (and its connection) without reading the rest."""
        await self.response.aclose()

    async def __aenter__(self) -> AsyncStream[T]:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()
