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
from ._sse import EventDecoder, JSONSequenceDecoder, ServerSentEvent

__all__ = ["AsyncStream", "Stream", "choose_decoder"]

T = TypeVar("T")


def choose_decoder(response: httpx.Response, preferred: Callable[[], EventDecoder]) -> EventDecoder:
    """The decoder for a response: JSON bodies (whole or NDJSON) by their content type.

    A server that ignores ``Accept: text/event-stream`` and answers ``application/json``
    is still read correctly: its body becomes one event.
    """
    content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type in ("application/json", "text/json", "application/x-ndjson") or (
        content_type.endswith("+json")
        or content_type in ("application/jsonl", "application/ndjson")
    ):
        return JSONSequenceDecoder()
    return preferred()


def _broken(exc: httpx.TransportError, request: httpx.Request) -> Exception:
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
    ) -> None:
        self.response = response
        self._decoder = choose_decoder(response, decoder)
        self._parse = parse

    @property
    def request_id(self) -> str | None:
        """The vendor's request id from the response headers, if it sent one."""
        headers = self.response.headers
        return headers.get("requestid") or headers.get("x-request-id")

    def _items(self, events: list[ServerSentEvent]) -> Iterator[T]:
        for event in events:
            yield from self._parse(event)


class Stream(_StreamBase[T]):
    """A blocking stream of typed items; iterate it once, or use it as a context manager."""

    def __iter__(self) -> Iterator[T]:
        request = self.response.request
        try:
            for chunk in self.response.iter_bytes():
                yield from self._items(self._decoder.feed(chunk))
            yield from self._items(self._decoder.flush())
        except httpx.TransportError as exc:
            raise _broken(exc, request) from exc
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
                for item in self._items(self._decoder.feed(chunk)):
                    yield item
            for item in self._items(self._decoder.flush()):
                yield item
        except httpx.TransportError as exc:
            raise _broken(exc, request) from exc
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
