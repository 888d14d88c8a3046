"""The sync and async base clients: the only code that sends HTTP requests.

A vendor client subclasses `SyncAPIClient` or `AsyncAPIClient`, builds `RequestOptions`
and calls `request` (body read, JSON decoded by the caller) or `send_streaming` (an open
response for a `Stream`). The base client owns one pooled ``httpx`` client per vendor
client (or uses the caller's), applies timeouts, retries by the pure policy in `_retry`,
and turns failures into the error tree of `_exceptions`.
"""

from __future__ import annotations

import platform
import random as _random
import time
from collections.abc import Awaitable, Callable, Mapping
from types import TracebackType
from typing import TypeVar

import anyio
import httpx

from .._version import __version__
from ._encoding import request_input_error
from ._exceptions import (
    APIConnectionError,
    APIStatusError,
    EmptyAnswerError,
    InvalidRequestError,
)
from ._logging import logger, redact_headers
from ._options import (
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_LIMITS,
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    IDEMPOTENT_METHODS,
    NOT_GIVEN,
    NotGiven,
    RequestOptions,
    TimeoutTypes,
    check_retries,
    make_timeout,
    merge_headers,
    remember,
)
from ._problem import Problem, connection_error, status_error
from ._redirects import is_followable, redirect_request, unfollowed, unfollowed_reason
from ._retry import retry_delay, transport_error_is_retryable

__all__ = [
    "DEFAULT_CONNECT_TIMEOUT",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_TIMEOUT",
    "IDEMPOTENT_EXTENSION",
    "AsyncAPIClient",
    "RequestOptions",
    "SyncAPIClient",
    "NOT_GIVEN",
    "NotGiven",
    "TimeoutTypes",
    "make_timeout",
    "merge_headers",
    "request_is_idempotent",
]

_Self = TypeVar("_Self", bound="_BaseClient")
IDEMPOTENT_EXTENSION = "assistant_bridge.idempotent"
"""The request extension that says whether a request may be repeated (see `RequestOptions`)."""


def request_is_idempotent(request: object) -> bool | None:
    """Whether a failed request may be repeated, as the base client marked it.

    A request the base client did not send is judged by its method; None: no request.
    """
    if request is None:
        return None
    marked = getattr(request, "extensions", {}).get(IDEMPOTENT_EXTENSION)
    if isinstance(marked, bool):
        return marked
    return str(getattr(request, "method", "")).upper() in IDEMPOTENT_METHODS


class _BaseClient:
    """What the sync and async clients share: configuration, requests, errors, retries."""

    def __init__(
        self,
        *,
        base_url: str,
        timeout: TimeoutTypes,
        max_retries: int,
        headers: Mapping[str, str] | None,
        auth: httpx.Auth | None,
        random: Callable[[], float] | None,
    ) -> None:
        if not base_url or "://" not in base_url:
            raise InvalidRequestError(
                f"base_url: must be an absolute http(s) URL, got {base_url!r}", field="base_url"
            )
        self.base_url = httpx.URL(base_url.rstrip("/") + "/")
        self._base = str(self.base_url)
        self.timeout = make_timeout(timeout)
        self.max_retries = check_retries(max_retries)
        self._auth = auth
        self._random = random or _random.random
        self._default_headers = merge_headers(
            {
                "User-Agent": f"assistant-bridge/{__version__} python/{platform.python_version()}",
                "Accept": "application/json",
            },
            headers,
        )
        # Built once and reused: ``httpx`` parses a string URL and normalises a header
        # dict on every request, which costs more than the rest of building one.
        self._urls: dict[str, httpx.URL] = {}
        self._headers: dict[tuple[tuple[str, str], ...], httpx.Headers] = {}

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={str(self.base_url)!r})"

    # -- requests -------------------------------------------------------------------
    def _url(self, path: str) -> httpx.URL:
        url = self._urls.get(path)
        if url is None:
            # Plain concatenation: the base URL ends with "/" and ``URL.join`` costs a
            # full RFC 3986 resolution.
            url = httpx.URL(path if "://" in path else self._base + path.lstrip("/"))
            remember(self._urls, path, url)
        return url

    def _request_headers(self, extra: Mapping[str, str] | None) -> httpx.Headers:
        """The default headers with a call's own (case-insensitively replacing ours)."""
        key = tuple(extra.items()) if extra else ()
        headers = self._headers.get(key)
        if headers is None:
            headers = httpx.Headers(merge_headers(self._default_headers, extra))
            remember(self._headers, key, headers)
        return headers

    def _build_request(
        self, http: httpx.Client | httpx.AsyncClient, opts: RequestOptions
    ) -> httpx.Request:
        timeout = self.timeout if isinstance(opts.timeout, NotGiven) else make_timeout(opts.timeout)
        try:
            request = http.build_request(
                opts.method,
                self._url(opts.path),
                params=opts.params,
                json=opts.json,
                content=opts.content,
                data=opts.data,
                files=opts.files,
                headers=self._request_headers(opts.headers),
                timeout=timeout,
            )
        except (UnicodeEncodeError, TypeError, ValueError) as exc:
            # A lone surrogate, a NaN, an object that is not JSON: name the part at fault.
            error = request_input_error(
                json=opts.json,
                params=opts.params,
                headers=opts.headers,
                data=opts.data,
            )
            if error is None:
                raise
            raise error from exc
        request.extensions[IDEMPOTENT_EXTENSION] = opts.is_idempotent()  # read by the adapters
        if logger.isEnabledFor(10):
            logger.debug(
                "request %s %s headers=%s",
                request.method,
                request.url,
                redact_headers(request.headers),
            )
        return request

    def _retry_budget(self, opts: RequestOptions) -> int:
        if opts.max_retries is None:
            return self.max_retries
        return check_retries(opts.max_retries)

    # -- retries --------------------------------------------------------------------
    def _status_retry_delay(
        self, response: httpx.Response, attempt: int, budget: int, opts: RequestOptions
    ) -> float | None:
        if response.status_code < 400 or attempt >= budget:
            return None
        return retry_delay(
            response.status_code,
            response.headers,
            attempt=attempt,
            idempotent=opts.is_idempotent(),
            random=self._random,
        )

    def _transport_retry_delay(
        self, exc: Exception, attempt: int, budget: int, opts: RequestOptions
    ) -> float | None:
        if attempt >= budget or not transport_error_is_retryable(
            exc, idempotent=opts.is_idempotent()
        ):
            return None
        return retry_delay(503, {}, attempt=attempt, idempotent=True, random=self._random)

    @staticmethod
    def _log_retry(request: httpx.Request, reason: str, delay: float, attempt: int) -> None:
        logger.info(
            "retrying %s %s in %.2fs after %s (retry %d)",
            request.method,
            request.url,
            delay,
            reason,
            attempt + 1,
        )

    # -- errors ---------------------------------------------------------------------
    @staticmethod
    def _connection_error(exc: Exception, request: httpx.Request) -> APIConnectionError:
        return connection_error(exc, request)

    def _status_hint(self, response: httpx.Response, problem: Problem) -> str | None:
        """A vendor client's advice to add to a status error's message (none by default)."""
        return None

    def _make_status_error(self, response: httpx.Response) -> APIStatusError:
        """The typed error for a read 4xx/5xx response (see `status_error`)."""
        return status_error(response, self._status_hint)


class SyncAPIClient(_BaseClient):
    """A blocking vendor client over one pooled ``httpx.Client``."""

    def __init__(
        self,
        *,
        base_url: str,
        timeout: TimeoutTypes = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        headers: Mapping[str, str] | None = None,
        auth: httpx.Auth | None = None,
        http_client: httpx.Client | None = None,
        _sleep: Callable[[float], None] | None = None,
        _random: Callable[[], float] | None = None,
    ) -> None:
        super().__init__(
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            headers=headers,
            auth=auth,
            random=_random,
        )
        if http_client is not None and not isinstance(http_client, httpx.Client):
            raise InvalidRequestError(
                "http_client: must be an httpx.Client (use the async client for httpx.AsyncClient)",
                field="http_client",
            )
        self._owns_http = http_client is None
        self._http = http_client or httpx.Client(timeout=self.timeout, limits=DEFAULT_LIMITS)
        self._sleep = _sleep if _sleep is not None else time.sleep

    def _send(self, opts: RequestOptions, *, stream: bool) -> httpx.Response:
        budget = self._retry_budget(opts)
        attempt = 0
        while True:
            request = self._build_request(self._http, opts)
            response: httpx.Response | None = None
            try:
                response = self._http.send(
                    request, auth=self._auth, stream=True, follow_redirects=False
                )
                hops = 0
                while is_followable(response):  # within the origin only (see _redirects)
                    response.read()
                    response.close()
                    request = redirect_request(response, hops=hops, http=self._http)
                    response = self._http.send(
                        request, auth=self._auth, stream=True, follow_redirects=False
                    )
                    hops += 1
                delay = self._status_retry_delay(response, attempt, budget, opts)
                if delay is None:
                    if response.is_error or not stream or unfollowed(response):
                        response.read()
                        response.close()
                    if response.is_error:
                        raise self._make_status_error(response)
                    if unfollowed(response):
                        raise EmptyAnswerError.from_response(response, unfollowed_reason(response))
                    return response
                reason = f"status {response.status_code}"
                response.read()  # drain, so the connection goes back to the pool
                response.close()
            except httpx.TransportError as exc:
                if response is not None:
                    response.close()
                delay = self._transport_retry_delay(exc, attempt, budget, opts)
                if delay is None:
                    raise self._connection_error(exc, request) from exc
                reason = type(exc).__name__
            except httpx.HTTPError as exc:  # decoding, redirects: not a transport failure
                if response is not None:
                    response.close()
                raise self._connection_error(exc, request) from exc
            except BaseException:  # KeyboardInterrupt (or a status error): never leak it
                if response is not None:
                    response.close()
                raise
            self._log_retry(request, reason, delay, attempt)
            self._sleep(delay)
            attempt += 1

    def request(self, opts: RequestOptions) -> httpx.Response:
        """Send a request (with retries) and return its read response, or raise."""
        return self._send(opts, stream=False)

    def send_streaming(self, opts: RequestOptions) -> httpx.Response:
        """Send a request (with retries) and return the open response; the caller closes it."""
        return self._send(opts, stream=True)

    def close(self) -> None:
        """Close the pooled connections (not those of an ``http_client`` the caller gave)."""
        if self._owns_http:
            self._http.close()

    def __del__(self) -> None:
        # A client dropped without close() (an adapter's own, say) still closes its
        # sockets; a caller's http_client is left alone. Nothing may raise here, even
        # while the interpreter shuts down.
        try:
            if self.__dict__.get("_owns_http") and not self._http.is_closed:
                self._http.close()
        except Exception:
            pass

    def __enter__(self: _Self) -> _Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


async def _anyio_sleep(seconds: float) -> None:
    await anyio.sleep(seconds)


class AsyncAPIClient(_BaseClient):
    """An async vendor client over one pooled ``httpx.AsyncClient``."""

    def __init__(
        self,
        *,
        base_url: str,
        timeout: TimeoutTypes = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        headers: Mapping[str, str] | None = None,
        auth: httpx.Auth | None = None,
        http_client: httpx.AsyncClient | None = None,
        _sleep: Callable[[float], Awaitable[None]] | None = None,
        _random: Callable[[], float] | None = None,
    ) -> None:
        super().__init__(
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            headers=headers,
            auth=auth,
            random=_random,
        )
        if http_client is not None and not isinstance(http_client, httpx.AsyncClient):
            raise InvalidRequestError(
                "http_client: must be an httpx.AsyncClient (use the sync client for httpx.Client)",
                field="http_client",
            )
        self._owns_http = http_client is None
        self._http = http_client or httpx.AsyncClient(timeout=self.timeout, limits=DEFAULT_LIMITS)
        self._sleep = _sleep if _sleep is not None else _anyio_sleep

    async def _send(self, opts: RequestOptions, *, stream: bool) -> httpx.Response:
        budget = self._retry_budget(opts)
        attempt = 0
        while True:
            request = self._build_request(self._http, opts)
            response: httpx.Response | None = None
            try:
                response = await self._http.send(
                    request, auth=self._auth, stream=True, follow_redirects=False
                )
                hops = 0
                while is_followable(response):  # within the origin only (see _redirects)
                    await response.aread()
                    await response.aclose()
                    request = redirect_request(response, hops=hops, http=self._http)
                    response = await self._http.send(
                        request, auth=self._auth, stream=True, follow_redirects=False
                    )
                    hops += 1
                delay = self._status_retry_delay(response, attempt, budget, opts)
                if delay is None:
                    if response.is_error or not stream or unfollowed(response):
                        await response.aread()
                        await response.aclose()
                    if response.is_error:
                        raise self._make_status_error(response)
                    if unfollowed(response):
                        raise EmptyAnswerError.from_response(response, unfollowed_reason(response))
                    return response
                reason = f"status {response.status_code}"
                await response.aread()
                await response.aclose()
            except httpx.TransportError as exc:
                if response is not None:
                    await response.aclose()
                delay = self._transport_retry_delay(exc, attempt, budget, opts)
                if delay is None:
                    raise self._connection_error(exc, request) from exc
                reason = type(exc).__name__
            except httpx.HTTPError as exc:  # decoding, redirects: not a transport failure
                if response is not None:
                    await response.aclose()
                raise self._connection_error(exc, request) from exc
            except BaseException:  # a cancellation (or a status error): never leak the connection
                if response is not None:
                    await response.aclose()
                raise
            self._log_retry(request, reason, delay, attempt)
            await self._sleep(delay)
            attempt += 1

    async def request(self, opts: RequestOptions) -> httpx.Response:
        """Send a request (with retries) and return its read response, or raise."""
        return await self._send(opts, stream=False)

    async def send_streaming(self, opts: RequestOptions) -> httpx.Response:
        """Send a request (with retries) and return the open response; the caller closes it."""
        return await self._send(opts, stream=True)

    async def close(self) -> None:
        """Close the pooled connections (not those of an ``http_client`` the caller gave)."""
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self: _Self) -> _Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()
