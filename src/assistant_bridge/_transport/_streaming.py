"""Typed iteration over a streamed response, with the response closed however it ends.

`Stream` / `AsyncStream` feed the response's bytes to an event decoder as they arrive,
turn each event into a typed item, and map a broken connection to `StreamError` (or
`APITimeoutError` when the read timed out). The response is closed in ``finally``: at
the end of the stream, on an error, on ``close()``, or when the consumer stops early.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from types import TracebackType
from typing import Generic, TypeVar

import httpx

from ._exceptions import APITimeoutError, StreamError
from ._sse import AutoDecoder, EventDecoder, ServerSentEvent

__all__ = ["AsyncStream", "Stream", "choose_decoder"]

T = TypeVar("T")
_HEAD = 200  # bytes of the body kept to quote when it held no event


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
    """The response, its decoder, and ``parse``: one event to zero or more typed items."""

    def __init__(
        self,
        response: httpx.Response,
        *,
        decoder: Callable[[], EventDecoder],
        parse: Callable[[ServerSentEvent], Iterable[T]],
        sniff: bool = True,
    ) -> None:
        self.response = response
        # ``sniff=False`` when the content type settles it (plain text that starts with "[").
        self._decoder = choose_decoder(decoder) if sniff else decoder()
        self._parse = parse

    @property
    def request_id(self) -> str | None:
        """The vendor's request id from the response headers, if it sent one."""
        headers = self.response.headers
        value = headers.get("requestid") or headers.get("x-request-id")
        return str(value) if value else None

    _head: bytes = b""
    _events: int = 0

    def _events_of(self, chunk: bytes) -> list[ServerSentEvent]:
        if len(self._head) < _HEAD:
            self._head += chunk[:_HEAD]
        events = self._decoder.feed(chunk)
        self._events += len(events)
        return events

    def _last_events(self) -> list[ServerSentEvent]:
        """What the decoder holds at the end; a non-blank body with no event is an error."""
        events = self._decoder.flush()
        self._events += len(events)
        if not self._events and self._head.strip():
            kind = self.response.headers.get("content-type", "no content type")
            text = self._head.decode("utf-8", "replace").strip()[:200]
            raise StreamError(f"the stream ({kind}) held no event: {text!r}", text=text)
        return events

    def _items(self, events: list[ServerSentEvent]) -> Iterator[T]:
        for event in events:
            yield from self._parse(event)


class Stream(_StreamBase[T]):
    """A blocking stream of typed items; iterate it once, or use it as a context manager."""

    def __iter__(self) -> Iterator[T]:
        request = self.response.request
        try:
            parse = self._parse
            for chunk in self.response.iter_bytes():
                for event in self._events_of(chunk):
                    yield from parse(event)
            yield from self._items(self._last_events())
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
