"""What the Unleash retrievers share: connection fields, cached clients, per-call options.

`UnleashRetrieverBase` holds the connection arguments of the Unleash clients (or ready
clients), creates each client lazily on first use and keeps it, turns a call's keyword
arguments into a frozen `CallOptions` (filters merged: constructor, then ``filters=``,
then single-field keywords, the later winning), fetches full resource text (concurrently,
bounded, in async) and turns `Source` s into ``Document`` s. The instance is never changed
by a call, so one retriever is safe under ``batch`` and concurrent use.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar

from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from langchain_core.utils import from_env, secret_from_env
from pydantic import Field, PrivateAttr, SecretStr, field_validator

from .. import _transport as t
from .._lazy_state import OwnLazyState
from .._loops import PerLoop
from .._validation import nearest_names
from ..sources import Source
from ..unleash import FILTER_FIELDS, AsyncUnleashClient, SearchFilters, UnleashClient
from ._errors import InvalidRequestError, translated_errors

__all__ = ["FILTER_KEYWORDS", "CallOptions", "UnleashRetrieverBase", "check_flag", "to_documents"]

FILTER_KEYWORDS: frozenset[str] = frozenset(
    {f.name for f in FILTER_FIELDS} | {f.api_name for f in FILTER_FIELDS}
)
"""Every filter name a call accepts as a keyword: snake_case and the API's camelCase."""

_CLIENT_LOCK = threading.Lock()  # guards lazy client creation (rare; never held on I/O)
_IGNORED_KEYWORDS = frozenset({"verbose"})  # read (not removed) by BaseRetriever.invoke
_CONTENT_KINDS = frozenset({"search", "enterprise"})


@dataclass(frozen=True)
class CallOptions:
    """One call's settings: the instance's, overridden by the call's keywords."""

    k: int | None
    filters: SearchFilters | None
    fetch_content: bool
    assistant_id: str | None
    extra: Mapping[str, Any] = field(default_factory=dict)


def to_documents(sources: Iterable[Source]) -> list[Document]:
    """One ``Document`` per source: its text and the shared metadata (`Source.metadata`)."""
    return [Document(page_content=s.text, metadata=s.metadata()) for s in sources]


def _filters(value: Any) -> SearchFilters | None:
    parsed = SearchFilters.from_any(value)
    return None if parsed is None or parsed.is_empty() else parsed


def _check_k(value: Any, *, allow_none: bool) -> int | None:
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        allowed = "a whole number >= 1" + (" or None (all)" if allow_none else "")
        raise InvalidRequestError(f"k: must be {allowed}, got {value!r}", field="k")
    return value


def check_flag(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise InvalidRequestError(f"{name}: must be True or False, got {value!r}", field=name)
    return value


class UnleashRetrieverBase(OwnLazyState, BaseRetriever):
    """Connection fields and per-call option handling shared by the Unleash retrievers.

    Attributes:
        api_key: the API key; defaults to ``UNLEASH_API_KEY``. Not needed to construct
            the retriever: the first call without one raises a clear error.
        base_url: defaults to ``UNLEASH_BASE_URL``, else the public API.
        account: the user to act as with an impersonation key; defaults to
            ``UNLEASH_ACCOUNT``.
        assistant_id: the assistant whose sources are used; defaults to
            ``UNLEASH_ASSISTANT_ID``, else the organisation's default assistant.
        timeout: read timeout in seconds for the clients this retriever creates
            (None: the client's default).
        max_retries: retries for the clients this retriever creates (None: the default).
        client: a ready `UnleashClient` for sync calls (the connection fields are then
            not used for sync calls).
        async_client: a ready `AsyncUnleashClient` for async calls.
        filters: `SearchFilters` (or a dict of filter names) applied to every call.
        fetch_content: replace each resource's snippet with its full text
            (``GET /resources/{id}/content``; concurrent in async).
        max_concurrent_fetches: how many contents are fetched at once in async.
    """

    api_key: SecretStr | None = Field(
        default_factory=secret_from_env("UNLEASH_API_KEY", default=None), repr=False
    )
    base_url: str | None = Field(default_factory=from_env("UNLEASH_BASE_URL", default=None))
    account: str | None = Field(default_factory=from_env("UNLEASH_ACCOUNT", default=None))
    assistant_id: str | None = Field(default_factory=from_env("UNLEASH_ASSISTANT_ID", default=None))
    timeout: float | None = None
    max_retries: int | None = Field(default=None, ge=0)
    client: UnleashClient | None = Field(default=None, exclude=True, repr=False)
    async_client: AsyncUnleashClient | None = Field(default=None, exclude=True, repr=False)
    filters: SearchFilters | None = None
    fetch_content: bool = False
    max_concurrent_fetches: int = Field(default=4, ge=1)

    _call_keywords: ClassVar[frozenset[str]] = frozenset(
        {"k", "filters", "fetch_content", "assistant_id"}
    )
    _k_allows_none: ClassVar[bool] = False
    _sync_cache: UnleashClient | None = PrivateAttr(default=None)
    _async_cache: PerLoop[AsyncUnleashClient] = PrivateAttr(default_factory=PerLoop)
    _lazy_state: ClassVar[tuple[str, ...]] = ("_sync_cache", "_async_cache")

    def __init__(self, **data: Any) -> None:
        if "filters" in data:
            with translated_errors():
                data["filters"] = _filters(data["filters"])
        super().__init__(**data)

    @field_validator("filters", mode="before")
    @classmethod
    def _parse_filters(cls, value: Any) -> SearchFilters | None:
        return _filters(value)

    @property
    def lc_secrets(self) -> dict[str, str]:
        """The secret fields and their environment variables, for serialisation."""
        return {"api_key": "UNLEASH_API_KEY"}

    # -- clients ----------------------------------------------------------------------

    def _client_kwargs(self) -> dict[str, Any]:
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

    def _sync_client(self) -> UnleashClient:
        """The ``client`` given, else one made from the connection fields on first use."""
        if self.client is not None:
            return self.client
        with _CLIENT_LOCK:
            if self._sync_cache is None:
                self._sync_cache = UnleashClient(**self._client_kwargs())
            return self._sync_cache

    def _async_client(self) -> AsyncUnleashClient:
        """The ``async_client`` given, else one made from the connection fields (one per loop)."""
        if self.async_client is not None:
            return self.async_client
        return self._async_cache.get(self._new_async_client)

    def _new_async_client(self) -> AsyncUnleashClient:
        try:
            return AsyncUnleashClient(**self._client_kwargs())
        except t.InvalidRequestError as exc:
            if self.client is None:
                raise
            raise t.InvalidRequestError(
                f"{exc.message}; async calls need async_client=AsyncUnleashClient(...) "
                "when only a sync client= is given",
                field="async_client",
            ) from None

    # -- per-call options -------------------------------------------------------------

    def _call_options(self, kwargs: Mapping[str, Any]) -> CallOptions:
        """The call's options: keywords checked, filters merged (per-call values win)."""
        options: dict[str, Any] = {}
        single: dict[str, Any] = {}
        for name, value in kwargs.items():
            if name in self._call_keywords:
                options[name] = value
            elif name in FILTER_KEYWORDS:
                single[name] = value
            elif name not in _IGNORED_KEYWORDS:
                self._unknown_keyword(name)
        merged = self.filters
        for layer in (options.pop("filters", None), single or None):
            parsed = _filters(layer)
            if parsed is not None:
                merged = parsed if merged is None else merged.merged(parsed)
        return CallOptions(
            k=_check_k(options.pop("k", self._default_k()), allow_none=self._k_allows_none),
            filters=merged,
            fetch_content=check_flag(
                "fetch_content", options.pop("fetch_content", self.fetch_content)
            ),
            assistant_id=options.pop("assistant_id", self.assistant_id),
            extra=options,
        )

    def _default_k(self) -> int | None:
        raise NotImplementedError  # pragma: no cover - every retriever defines k

    def _unknown_keyword(self, name: str) -> None:
        valid = sorted(self._call_keywords) + sorted(f.name for f in FILTER_FIELDS)
        suggestions = nearest_names(name, valid)
        hint = f"; did you mean {', '.join(suggestions)}?" if suggestions else ""
        raise InvalidRequestError(
            f"{name}: is not an option of {type(self).__name__} nor a search filter{hint} "
            f"(options: {', '.join(sorted(self._call_keywords))}; filters: any "
            "SearchFilters field name)",
            field=name,
            suggestions=suggestions,
        )

    # -- full content -----------------------------------------------------------------

    @staticmethod
    def _wants_content(source: Source) -> bool:
        return source.kind in _CONTENT_KINDS and bool(source.id)

    def _with_content(self, client: UnleashClient, sources: list[Source]) -> list[Source]:
        out: list[Source] = []
        for source in sources:
            if not self._wants_content(source):
                out.append(source)
                continue
            try:
                text = client.resource_content(str(source.id)).text
            except t.NotFoundError:
                text = ""
            out.append(replace(source, text=text) if text else source)
        return out

    async def _awith_content(
        self, client: AsyncUnleashClient, sources: list[Source]
    ) -> list[Source]:
        limit = asyncio.Semaphore(self.max_concurrent_fetches)

        async def one(source: Source) -> Source:
            if not self._wants_content(source):
                return source
            async with limit:
                try:
                    text = (await client.resource_content(str(source.id))).text
                except t.NotFoundError:
                    text = ""
            return replace(source, text=text) if text else source

        tasks = [asyncio.ensure_future(one(s)) for s in sources]
        try:
            return list(await asyncio.gather(*tasks))
        except BaseException:
            for task in tasks:
                task.cancel()
            raise
