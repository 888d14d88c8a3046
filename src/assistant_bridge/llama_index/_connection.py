"""Connection settings and lazily created Unleash clients, shared by the LLM and retriever.

`UnleashConnection` holds what the vendor clients take (key, base URL, account, timeout,
retries) or ready clients, and creates each client on first use, so an adapter can be
built without a key (the first call without one raises the client's
`InvalidRequestError`). Values left as None fall back to the clients' own environment
defaults (``UNLEASH_API_KEY``, ``UNLEASH_BASE_URL``, ``UNLEASH_ACCOUNT``).
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from typing import Any

from pydantic import SecretStr

from .._loops import PerLoop
from .._transport import InvalidRequestError
from ..unleash import AsyncUnleashClient, UnleashClient

__all__ = ["UnleashConnection", "env_str"]


def env_str(name: str) -> str | None:
    """The environment variable ``name``, or None when unset or blank."""
    value = os.environ.get(name, "").strip()
    return value or None


@dataclass
class UnleashConnection:
    """How to reach Unleash: settings for new clients, or ready clients.

    Attributes:
        api_key: the key (None: ``UNLEASH_API_KEY`` when a client is created).
        base_url: the API's base URL (None: ``UNLEASH_BASE_URL``, else the public API).
        account: the user to act as with an impersonation key (None: ``UNLEASH_ACCOUNT``).
        timeout: read timeout in seconds (None: the client's default).
        max_retries: retries of a failed request (None: the client's default).
        client: a ready sync client, used as is for sync calls.
        async_client: a ready async client, used as is for async calls.
    """

    api_key: SecretStr | str | None = None
    base_url: str | None = None
    account: str | None = None
    timeout: float | None = None
    max_retries: int | None = None
    client: UnleashClient | None = None
    async_client: AsyncUnleashClient | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)
    _sync: UnleashClient | None = field(default=None, repr=False, compare=False)
    _async: PerLoop[AsyncUnleashClient] = field(default_factory=PerLoop, repr=False, compare=False)

    def _kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = {
            "api_key": self.api_key,
            "base_url": self.base_url,
            "account": self.account,
        }
        if self.timeout is not None:
            kwargs["timeout"] = self.timeout
        if self.max_retries is not None:
            kwargs["max_retries"] = self.max_retries
        return kwargs

    def get_sync(self) -> UnleashClient:
        """The ``client`` given, else one made from the settings on first use and kept.

        Raises:
            InvalidRequestError: no API key in the settings or the environment.
        """
        if self.client is not None:
            return self.client
        with self._lock:
            if self._sync is None:
                self._sync = UnleashClient(**self._kwargs())
            return self._sync

    def get_async(self) -> AsyncUnleashClient:
        """The ``async_client`` given, else one made from the settings (one per event loop).

        Raises:
            InvalidRequestError: no API key in the settings or the environment (the
                message says to pass ``async_client=`` when only ``client=`` was given).
        """
        if self.async_client is not None:
            return self.async_client
        return self._async.get(self._new_async)

    def _new_async(self) -> AsyncUnleashClient:
        try:
            return AsyncUnleashClient(**self._kwargs())
        except InvalidRequestError as exc:
            if self.client is None:
                raise
            raise InvalidRequestError(
                f"{exc.message}; async calls need async_client=AsyncUnleashClient(...) "
                "when only a sync client= is given",
                field="async_client",
            ) from None
