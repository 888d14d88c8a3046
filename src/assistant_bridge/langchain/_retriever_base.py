"""What the Unleash retrievers share: connection fields, cached clients, per-call options.

`UnleashRetrieverBase` holds the connection arguments of the Unleash clients (or ready
clients) and maps the adapter core: its `UnleashConnection` makes each client lazily on
first use, `RetrievalOptions` are a call's keyword arguments (filters merged: constructor,
then ``filters=``, then single-field keywords, the later winning), `with_content` fetches
full resource text (concurrently, bounded, in async); `to_documents` turns `Source` s into
``Document`` s, each with a score and a stable id (`ranked`). The instance is never changed
by a call, so one retriever is safe under ``batch`` and concurrent use.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from langchain_core.utils import from_env, secret_from_env
from pydantic import Field, PrivateAttr, SecretStr, field_validator

from .._adapter_core import (
    NO_FILTERS,
    FiltersField,
    Once,
    OwnLazyState,
    RetrievalOptions,
    UnleashConnection,
    awith_content,
    ranked,
    spread_search_kwargs,
    with_content,
)
from ..sources import Source
from ..unleash import AsyncUnleashClient, SearchFilters, UnleashClient
from ._strict import LangChainStrictFields

__all__ = ["UnleashRetrieverBase", "to_documents"]

_IGNORED_KEYWORDS = frozenset({"verbose"})  # read (not removed) by BaseRetriever.invoke


def to_documents(sources: Iterable[Source]) -> list[Document]:
    """One ``Document`` per source: its text and the shared metadata (`Source.metadata`).

    The sources are `ranked` first (in the order given): ``metadata["score"]`` is the
    vendor's score, else ``1 / rank`` (``metadata["score_source"]`` says which), and
    ``Document.id`` is the source's stable id (also ``metadata["id"]``).
    """
    return [Document(id=s.id, page_content=s.text, metadata=s.metadata()) for s in ranked(sources)]


def _filters(value: Any) -> SearchFilters | None:
    parsed = SearchFilters.from_any(value)
    return None if parsed is None or parsed.is_empty() else parsed


def _same_form(name: str, value: Any) -> Any:
    return _filters(value) if name == "filters" else value


class UnleashRetrieverBase(OwnLazyState, LangChainStrictFields, BaseRetriever):
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
        search_kwargs: LangChain's way to set a retriever's options: each key sets the
            field it names (``k``, ``filters`` or ``filter``, ``fetch_content``,
            ``assistant_id`` and the retriever's own options). An unknown key, or a value
            other than the one given to that field itself, raises `InvalidRequestError`.

    An unknown constructor keyword raises `InvalidRequestError` with the nearest names.
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
    filters: FiltersField = NO_FILTERS
    fetch_content: bool = False
    max_concurrent_fetches: int = Field(default=4, ge=1)
    search_kwargs: Mapping[str, Any] | None = Field(default=None, exclude=True, repr=False)

    _call_keywords: ClassVar[frozenset[str]] = frozenset(
        {"k", "filters", "fetch_content", "assistant_id"}
    )
    _k_allows_none: ClassVar[bool] = False
    _conn: Once[UnleashConnection] = PrivateAttr(default_factory=Once)
    _lazy_state: ClassVar[tuple[str, ...]] = ("_conn",)

    @classmethod
    def _strict_input(cls, data: Mapping[str, Any]) -> dict[str, Any]:
        options = cls._call_keywords & cls.model_fields.keys()
        spread = spread_search_kwargs(
            data, options, cls.__name__, {"filter": "filters"}, _same_form
        )
        checked = super()._strict_input(spread)
        if "filters" in checked:
            checked["filters"] = _filters(checked["filters"])
        return checked

    @field_validator("filters", mode="before")
    @classmethod
    def _parse_filters(cls, value: Any) -> SearchFilters | None:
        return _filters(value)

    @property
    def lc_secrets(self) -> dict[str, str]:
        """The secret fields and their environment variables, for serialisation."""
        return {"api_key": "UNLEASH_API_KEY"}

    # -- clients ----------------------------------------------------------------------

    def _connection(self) -> UnleashConnection:
        """The clients given, else made from the connection fields on first use."""
        return self._conn.get(lambda: UnleashConnection.from_fields(self))

    # -- per-call options -------------------------------------------------------------

    def _call_options(self, kwargs: Mapping[str, Any]) -> RetrievalOptions:
        """The call's options: keywords checked, filters merged (per-call values win)."""
        return RetrievalOptions.of(
            kwargs,
            owner=type(self).__name__,
            options=self._call_keywords,
            ignored=_IGNORED_KEYWORDS,
            defaults={
                "k": self._default_k(),
                "filters": self.filters,
                "fetch_content": self.fetch_content,
                "assistant_id": self.assistant_id,
            },
            k_allows_none=self._k_allows_none,
            parse_filters=_filters,
        )

    def _default_k(self) -> int | None:
        raise NotImplementedError  # pragma: no cover - every retriever defines k

    # -- full content -----------------------------------------------------------------

    def _with_content(self, client: UnleashClient, sources: list[Source]) -> list[Source]:
        return with_content(client, sources)

    async def _awith_content(
        self, client: AsyncUnleashClient, sources: list[Source]
    ) -> list[Source]:
        return await awith_content(client, sources, limit=self.max_concurrent_fetches)
