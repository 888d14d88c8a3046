"""The lazily made vendor clients every adapter uses: one abstraction, one locking strategy.

An adapter (chat model, LLM, retriever, history, chat store) can be built without
credentials: its clients are made on first use from its settings, or are the ready ones
the caller passed in (``client=``, ``async_client=``; used as given, never closed here).

One locking strategy for all of them: `Once` makes a value at most once under its own
lock (never held during I/O: only constructors run under it), and `PerLoop` keeps one
async client per running event loop (an ``httpx.AsyncClient``'s connections belong to
the loop that opened them). A `Connection` is the pair (sync client, async clients) of
one vendor; `UnleashConnection` (here) and `JyloConnection` / `ZaiaConnection` (in
`_conversations`, so Unleash adapters never load Jylo or Zaia) only say how to make their
vendor's clients from the settings.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import Any, Generic, TypeVar, cast

from pydantic import SecretStr

from .._transport import InvalidRequestError
from ..unleash import AsyncUnleashClient, UnleashClient
from ._loops import PerLoop

__all__ = ["Connection", "Once", "UnleashConnection", "limits", "secret"]

_T = TypeVar("_T")
_S = TypeVar("_S")
_A = TypeVar("_A")
_C = TypeVar("_C", bound="Connection[Any, Any]")


class Once(Generic[_T]):
    """A value made on first use, at most once, thread-safe (the lock guards only ``make``)."""

    __slots__ = ("_lock", "_value")

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._value: _T | None = None

    def get(self, make: Callable[[], _T]) -> _T:
        """The value, made with ``make`` by the first caller."""
        value = self._value
        if value is not None:  # the usual case: made already, no lock taken
            return value
        with self._lock:
            if self._value is None:
                self._value = make()
            return self._value


def secret(value: SecretStr | str | None) -> SecretStr | None:
    """``value`` as a secret (a plain string is wrapped)."""
    return SecretStr(value) if isinstance(value, str) else value


def limits(timeout: float | None, max_retries: int | None) -> dict[str, Any]:
    """The client keywords of the two settings every connection has (None: the default)."""
    out: dict[str, Any] = {}
    if timeout is not None:
        out["timeout"] = timeout
    if max_retries is not None:
        out["max_retries"] = max_retries
    return out


@dataclass(kw_only=True)
class Connection(Generic[_S, _A]):
    """How to reach one vendor: ready clients, or the settings to make them on first use.

    Attributes:
        timeout: read timeout in seconds of the clients made here (None: the default).
        max_retries: retries of the clients made here (None: the default).
        client: a ready sync client, used as is for sync calls.
        async_client: a ready async client, used as is for async calls.
    """

    timeout: float | None = None
    max_retries: int | None = None
    client: _S | None = None
    async_client: _A | None = None
    _sync: Once[_S] = field(default_factory=Once, repr=False, compare=False)
    _async: PerLoop[_A] = field(default_factory=PerLoop, repr=False, compare=False)

    @classmethod
    def from_fields(cls: type[_C], owner: object) -> _C:
        """A connection from ``owner``'s attributes of the same names (absent: None)."""
        names = [f.name for f in fields(cls) if f.init and not f.name.startswith("_")]
        make = cast("Callable[..., _C]", cls)
        return make(**{name: getattr(owner, name, None) for name in names})

    def _make_sync(self) -> _S:
        raise NotImplementedError  # pragma: no cover - every vendor defines it

    def _make_async(self) -> _A:
        raise NotImplementedError  # pragma: no cover - every vendor defines it

    def get_sync(self) -> _S:
        """The ``client`` given, else one made from the settings on first use and kept.

        Raises:
            InvalidRequestError: a setting is missing (the message names the variable).
        """
        if self.client is not None:
            return self.client
        return self._sync.get(self._make_sync)

    def get_async(self) -> _A:
        """The ``async_client`` given, else one made from the settings (one per event loop)."""
        if self.async_client is not None:
            return self.async_client
        return self._async.get(self._make_async)


@dataclass(kw_only=True)
class UnleashConnection(Connection[UnleashClient, AsyncUnleashClient]):
    """How to reach Unleash (None: ``UNLEASH_API_KEY``, ``UNLEASH_BASE_URL``, ...)."""

    api_key: SecretStr | str | None = None
    base_url: str | None = None
    account: str | None = None

    def _settings(self) -> dict[str, Any]:
        return {
            "api_key": self.api_key,
            "base_url": self.base_url,
            "account": self.account,
            **limits(self.timeout, self.max_retries),
        }

    def _make_sync(self) -> UnleashClient:
        return UnleashClient(**self._settings())

    def _make_async(self) -> AsyncUnleashClient:
        try:
            return AsyncUnleashClient(**self._settings())
        except InvalidRequestError as exc:
            if self.client is None:
                raise
            raise InvalidRequestError(
                f"{exc.message}; async calls need async_client=AsyncUnleashClient(...) "
                "when only a sync client= is given",
                field="async_client",
            ) from None
