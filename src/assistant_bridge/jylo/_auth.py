"""Jylo OAuth2 client-credentials auth: an ``httpx.Auth`` that fetches and caches a token.

`JyloAuth` asks the token endpoint for a bearer token (form fields ``grant_type=
client_credentials``, ``client_id``, ``client_secret``, ``audience``) through the same
``httpx`` client as the call it authorises, so proxies, transports and test mocks apply
to both. The token is reused until shortly before it expires; a 401 from the API drops
it and fetches a new one once. Concurrent calls on a cold cache, and concurrent calls
that all get a 401 for the same stale token, wait for one fetch (a ``threading.Lock``
guards the sync flow, an ``anyio.Lock`` per event loop the async flow).

The token lives in a `TokenCache`, one per `JyloAuth`; `share_token_cache` makes the auth of another client with the same credentials use it,
so the clients an adapter makes (a sync one and one per event loop) fetch one token
between them until it expires.

When the token endpoint refuses, its answer becomes the call's answer, so the caller sees
the usual typed error (`AuthenticationError` for a 401) and the client's retry policy
applies; a retryable failure (429, 5xx) is marked retryable even for a ``POST``, since
the API call itself was never sent. Client secret and tokens are registered with the log
redaction filter and never appear in ``repr``, ``str`` or error messages.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import threading
import time
import weakref
from collections.abc import AsyncGenerator, Callable, Generator
from dataclasses import dataclass
from typing import Any

import anyio
import httpx
from pydantic import SecretStr

from .._transport import (
    REDACTED,
    RETRYABLE_STATUSES,
    APIError,
    InvalidRequestError,
    logger,
    register_secret,
)

__all__ = [
    "DEFAULT_AUDIENCE",
    "DEFAULT_TOKEN_LIFETIME",
    "REFRESH_MARGIN",
    "JyloAuth",
    "TokenCache",
    "share_token_cache",
]

DEFAULT_AUDIENCE = "https://jga.jylo.ai/external/v2"
DEFAULT_TOKEN_LIFETIME = 300.0
"""Seconds a token is trusted when the server states no lifetime (a 401 still refreshes it)."""
REFRESH_MARGIN = 60.0
"""A token is replaced this many seconds before it expires (at most half its lifetime)."""


@dataclass(frozen=True)
class _Token:
    value: SecretStr
    refresh_at: float


class TokenCache:
    """A Jylo access token shared by the `JyloAuth` objects that hold this cache.

    Bound to one set of credentials (token URL, client id, audience, secret) by the first
    auth that uses it; `share_token_cache` refuses another set. The thread lock serialises
    sync fetches; each event loop gets its own async lock (a lock must not cross loops).
    """

    def __init__(self) -> None:
        self.token: _Token | None = None
        self.lock = threading.Lock()
        self.owner: str | None = None
        self._guard = threading.Lock()  # short sections only (``lock`` is held across fetches)
        self._alocks: weakref.WeakKeyDictionary[object, anyio.Lock] = weakref.WeakKeyDictionary()
        self._alock: anyio.Lock | None = None  # outside asyncio (trio, say)

    def async_lock(self) -> anyio.Lock:
        """The async lock of the running event loop."""
        try:
            loop: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        with self._guard:
            if loop is None:
                if self._alock is None:
                    self._alock = anyio.Lock()
                return self._alock
            found = self._alocks.get(loop)
            if found is None:
                found = self._alocks[loop] = anyio.Lock()
            return found


def share_token_cache(client: object, cache: TokenCache) -> bool:
    """Make ``client``'s `JyloAuth` (a Jylo client's, or the auth itself) use ``cache``.

    Returns:
        Whether it does: False for a client with a ready bearer token, or when ``cache``
        already holds the token of other credentials.
    """
    auth = client if isinstance(client, JyloAuth) else getattr(client, "_auth", None)
    if not isinstance(auth, JyloAuth):
        return False
    with cache._guard:
        if cache.owner is None:
            cache.owner = auth._fingerprint()
        if cache.owner != auth._fingerprint():
            return False
        if cache.token is None:
            cache.token = auth._cache.token
    auth._cache = cache
    return True


def jwt_expiry(token: str) -> float | None:
    """The ``exp`` claim of a JWT (seconds since the epoch), or None if it has none."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    payload = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload.encode("ascii")))
    except (ValueError, UnicodeError):
        return None
    exp = claims.get("exp") if isinstance(claims, dict) else None
    if isinstance(exp, (int, float)) and not isinstance(exp, bool):
        return float(exp)
    return None


def _seconds(value: Any) -> float | None:
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return None
    return seconds if seconds > 0 else None


class JyloAuth(httpx.Auth):
    """OAuth2 client-credentials auth for the Jylo API, with a cached, shared token.

    Args:
        client_id: the API client's id.
        client_secret: the API client's secret.
        token_url: the token endpoint, e.g. ``https://login.uk.jylo.ai/oauth/token``.
        audience: the ``audience`` form field (default ``https://jga.jylo.ai/external/v2``).
        refresh_margin: replace a token this many seconds before it expires.

    The token's expiry is the earlier of ``expires_in`` and the JWT's ``exp`` claim, when
    either is present; otherwise it is trusted for `DEFAULT_TOKEN_LIFETIME` seconds.
    """

    def __init__(
        self,
        client_id: str,
        *,
        client_secret: str | SecretStr,
        token_url: str,
        audience: str = DEFAULT_AUDIENCE,
        refresh_margin: float = REFRESH_MARGIN,
        _clock: Callable[[], float] = time.time,
    ) -> None:
        secret = (
            client_secret.get_secret_value()
            if isinstance(client_secret, SecretStr)
            else client_secret
        )
        if not client_id or not secret:
            raise InvalidRequestError(
                "client_id, client_secret: both are needed for the client-credentials grant",
                field="client_secret" if client_id else "client_id",
            )
        register_secret(secret)
        self.client_id = client_id
        self.token_url = token_url
        self.audience = audience
        self._secret = SecretStr(secret)
        self._clock = _clock
        self._margin = refresh_margin
        self._cache = TokenCache()

    def __repr__(self) -> str:
        return (
            f"JyloAuth(client_id={self.client_id!r}, token_url={self.token_url!r}, "
            "client_secret=SecretStr('**********'))"
        )

    def _fingerprint(self) -> str:
        """A digest of the credentials a token is issued for."""
        parts = (self.token_url, self.client_id, self.audience, self._secret.get_secret_value())
        return hashlib.sha256("\x00".join(parts).encode("utf-8", "surrogatepass")).hexdigest()

    # -- the cache -----------------------------------------------------------------
    def _current(self) -> _Token | None:
        token = self._cache.token
        if token is not None and self._clock() < token.refresh_at:
            return token
        return None

    def invalidate(self) -> None:
        """Forget the cached token; the next call fetches a new one."""
        self._cache.token = None

    # -- the token request ----------------------------------------------------------
    def _token_request(self, original: httpx.Request) -> httpx.Request:
        headers = {"Accept": "application/json"}
        agent = original.headers.get("user-agent")
        if agent:
            headers["User-Agent"] = agent
        request = httpx.Request(
            "POST",
            self.token_url,
            data={
                "grant_type": "client_credentials",
                "client_id": self.client_id,
                "client_secret": self._secret.get_secret_value(),
                "audience": self.audience,
            },
            headers=headers,
        )
        timeout = original.extensions.get("timeout")
        if timeout is not None:
            request.extensions["timeout"] = timeout
        return request

    def _without_secret(self, request: httpx.Request) -> httpx.Request:
        """A copy of a token request whose form body no longer holds the client secret."""
        form = {
            "grant_type": "client_credentials",
            "client_id": self.client_id,
            "client_secret": REDACTED,
            "audience": self.audience,
        }
        headers = {k: v for k, v in request.headers.items() if k.lower() != "content-length"}
        copy = httpx.Request(request.method, request.url, headers=headers, data=form)
        copy.extensions = dict(request.extensions)
        return copy

    def _accept(self, response: httpx.Response) -> _Token | None:
        """Store the token from a read token response; None if the endpoint refused."""
        if response.is_error:
            response.request = self._without_secret(response.request)  # the error keeps it
            if response.status_code in RETRYABLE_STATUSES:
                response.headers["x-should-retry"] = "true"  # the API call was never sent
            return None
        try:
            body = json.loads(response.content)
        except ValueError:
            body = None
        raw = body.get("access_token") if isinstance(body, dict) else None
        if not isinstance(raw, str) or not raw.strip():
            raise APIError(
                f"the Jylo token endpoint {self.token_url} answered "
                f"{response.status_code} without an access_token",
                request=response.request,
            )
        raw = raw.strip()
        register_secret(raw)
        now = self._clock()
        ends = [now + s for s in [_seconds(body.get("expires_in"))] if s is not None]
        exp = jwt_expiry(raw)
        if exp is not None:
            ends.append(exp)
        expires_at = min(ends) if ends else now + DEFAULT_TOKEN_LIFETIME
        lifetime = max(expires_at - now, 0.0)
        token = _Token(SecretStr(raw), expires_at - min(self._margin, lifetime / 2))
        self._cache.token = token
        logger.debug("fetched a Jylo access token valid for %.0fs", lifetime)
        return token

    @staticmethod
    def _apply(request: httpx.Request, token: _Token) -> None:
        request.headers["Authorization"] = f"Bearer {token.value.get_secret_value()}"

    def _stale(self, used: _Token) -> bool:
        """After a 401: whether ``used`` is still the cached token (so refresh it)."""
        current = self._current()
        if current is None or current.value == used.value:
            self._cache.token = None
            return True
        return False

    # -- the flows -----------------------------------------------------------------
    def sync_auth_flow(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, None]:
        """Authorise a blocking request: cached token, else one fetch under a thread lock."""
        token = self._current()
        fresh = False
        if token is None:
            with self._cache.lock:
                token = self._current()
                if token is None:
                    reply = yield self._token_request(request)
                    reply.read()
                    token, fresh = self._accept(reply), True
                    if token is None:
                        return
        self._apply(request, token)
        response = yield request
        if response.status_code != 401 or fresh:
            return
        with self._cache.lock:
            if self._stale(token):
                reply = yield self._token_request(request)
                reply.read()
                renewed = self._accept(reply)
                if renewed is None:
                    return
            else:
                renewed = self._current() or token
        self._apply(request, renewed)
        yield request

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        """Authorise an async request: cached token, else one fetch for all waiting calls."""
        token = self._current()
        fresh = False
        if token is None:
            async with self._cache.async_lock():
                token = self._current()
                if token is None:
                    reply = yield self._token_request(request)
                    await reply.aread()
                    token, fresh = self._accept(reply), True
                    if token is None:
                        return
        self._apply(request, token)
        response = yield request
        if response.status_code != 401 or fresh:
            return
        async with self._cache.async_lock():
            if self._stale(token):
                reply = yield self._token_request(request)
                await reply.aread()
                renewed = self._accept(reply)
                if renewed is None:
                    return
            else:
                renewed = self._current() or token
        self._apply(request, renewed)
        yield request
