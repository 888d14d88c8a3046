"""`UnleashRetriever`: Unleash enterprise search, or the assistant's sources, as nodes.

``mode="search"`` returns ``POST /search`` hits; ``mode="chat"`` asks the assistant (chat
v2 or v1) and returns the resources and web pages it used, cited ones first. Both give
``NodeWithScore(TextNode(text=source.text, metadata=source.metadata()))`` from the shared
`assistant_bridge.sources` model, so the metadata is the LangChain Documents' exactly
(the score and stable id too: both are computed once, in the adapter core).

LlamaIndex's ``retrieve`` takes only a query, so filters live on the instance; for
filters chosen per query, `with_filters` returns a copy with more filters (sharing the
clients) and `retrieve_with_filters` / `aretrieve_with_filters` retrieve through one.
The instance itself is never changed by a call.
"""

from __future__ import annotations

import copy
import inspect
from typing import Any, Literal, NoReturn

from llama_index.core.base.base_retriever import BaseRetriever
from llama_index.core.callbacks import CallbackManager
from llama_index.core.schema import NodeWithScore, QueryBundle, QueryType
from pydantic import SecretStr

from .. import InvalidRequestError
from .._adapter_core import (
    Answer,
    UnleashChatCall,
    UnleashConnection,
    awith_content,
    check_flag,
    reject_unknown_fields,
    with_content,
)
from ..sources import (
    Source,
    sources_from_search,
)
from ..unleash import AsyncUnleashClient, SearchFilters, SearchResponse, UnleashClient
from ._answer_responses import to_nodes
from ._metadata_filters import FiltersArg, to_search_filters
from ._settings import env_str

__all__ = ["DEFAULT_SEARCH_TOP_K", "UnleashRetriever"]

DEFAULT_SEARCH_TOP_K = 4
"""Hits returned in search mode when ``similarity_top_k`` is not given."""

_CONTENT_KINDS = frozenset({"search", "enterprise"})
_SEARCH_ONLY = ("sort", "content_search", "semantic_search")


def _check_top_k(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidRequestError(
            f"similarity_top_k: must be a whole number >= 1 or None, got {value!r}",
            field="similarity_top_k",
        )
    return value


def _check_choice(name: str, value: Any, choices: tuple[str, ...]) -> Any:
    if value not in choices:
        raise InvalidRequestError(
            f"{name}: must be one of {', '.join(map(repr, choices))}, got {value!r}", field=name
        )
    return value


class UnleashRetriever(BaseRetriever):
    """Nodes from Unleash: search hits, or the sources the assistant used to answer.

    Search mode (``POST /search``): a node's text is the hit's snippet (its highlights,
    else its title), or the full text with ``fetch_content=True``; pages are followed
    until ``similarity_top_k`` hits are found. Chat mode: the query is asked as one user
    message; the nodes are the enterprise results and web pages of the assistant's tool
    calls (v2) or the resources of its answer (v1), cited ones first, each with the
    ``citations`` spans of the answer that cite it. Chat v2 takes no filters.

    Metadata has the shared keys of `assistant_bridge.sources.Source.metadata`
    (``source``, ``title``, ``id``, ``app_id``, ``type``, ``external_id``, ``subtitle``,
    ``score``, ``score_source``, ``kind``, ``vendor``, ``citations``, ``data``). Every
    node has a score and a stable id: ``NodeWithScore.score`` is the vendor's score when
    the response carries one, else ``1 / rank`` (rank from 1 in the order returned; the
    answer itself scores 1.0), and ``metadata["score_source"]`` says which (``"vendor"``,
    ``"rank"``, ``"answer"``), so ``SimilarityPostprocessor(similarity_cutoff=0.5)``
    keeps the two best nodes. ``TextNode.id_`` (also ``metadata["id"]``) is the
    source's vendor id, else its url, else a UUID derived from its fields: the same hit
    has the same id on every call. Vendor errors pass through unchanged; bad arguments
    raise `InvalidRequestError` when constructed.

    Args:
        mode: ``"search"`` or ``"chat"``.
        api_key: the API key (default ``UNLEASH_API_KEY``); needed by the first call only.
        base_url: default ``UNLEASH_BASE_URL``, else the public API.
        account: the user to act as with an impersonation key (default ``UNLEASH_ACCOUNT``).
        assistant_id: the assistant (default ``UNLEASH_ASSISTANT_ID``, else the default).
        timeout: read timeout in seconds for the clients made here (None: the default).
        max_retries: retries for the clients made here (None: the default).
        client: a ready `UnleashClient` for sync calls.
        async_client: a ready `AsyncUnleashClient` for async calls.
        filters: `SearchFilters`, a dict of filter names, or LlamaIndex ``MetadataFilters``
            (translated by `search_filters_from_metadata`).
        similarity_top_k: how many nodes (None: 4 in search mode, all in chat mode).
        fetch_content: replace each resource's snippet or title with its full text
            (``GET /resources/{id}/content``; concurrent in async).
        max_concurrent_fetches: how many contents are fetched at once in async.
        api_version: chat mode's ``"v2"`` (default) or ``"v1"`` (takes filters).
        sort: search mode: ``"relevancy"``, ``"alphabetical"`` or ``"recency"``, a
            ``(by, order)`` pair or ``{"by": ..., "order": ...}``.
        content_search: search mode: search inside contents (``contentSearch``).
        semantic_search: search mode: semantic rather than keyword search.
        include_answer: chat mode: put the answer itself first (``type="answer"``).
        callback_manager: LlamaIndex callbacks.
        verbose: LlamaIndex's verbose flag.

    Example:
        ```python
        from llama_index.core.query_engine import RetrieverQueryEngine

        from assistant_bridge.llama_index import Unleash, UnleashRetriever

        retriever = UnleashRetriever(similarity_top_k=3, filters={"app_id": "jira"})
        engine = RetrieverQueryEngine.from_args(retriever, llm=Unleash())
        response = engine.query("Which tickets are about billing?")
        print([hit.node.metadata["title"] for hit in response.source_nodes])
        ```

        ```text title="Output"
        ['BILL-311 Billing service returns 502 under month-end load']
        ```
    """

    def __init__(
        self,
        *,
        mode: Literal["search", "chat"] = "search",
        api_key: str | SecretStr | None = None,
        base_url: str | None = None,
        account: str | None = None,
        assistant_id: str | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        client: UnleashClient | None = None,
        async_client: AsyncUnleashClient | None = None,
        filters: FiltersArg = None,
        similarity_top_k: int | None = None,
        fetch_content: bool = False,
        max_concurrent_fetches: int = 4,
        api_version: Literal["v1", "v2"] = "v2",
        sort: str | dict[str, str] | tuple[str, str] | None = None,
        content_search: bool | None = None,
        semantic_search: bool | None = None,
        include_answer: bool = False,
        callback_manager: CallbackManager | None = None,
        verbose: bool = False,
        **unknown: NoReturn,
    ) -> None:
        if unknown:  # typed NoReturn: a type checker flags any, and here it gets a hint
            known = [n for n in inspect.signature(UnleashRetriever).parameters if n != "unknown"]
            reject_unknown_fields(unknown, known, type(self).__name__)
        self.mode: Literal["search", "chat"] = _check_choice("mode", mode, ("search", "chat"))
        self.api_version: Literal["v1", "v2"] = _check_choice(
            "api_version", api_version, ("v1", "v2")
        )
        self.assistant_id = assistant_id or env_str("UNLEASH_ASSISTANT_ID")
        top_k = _check_top_k(similarity_top_k)
        self.similarity_top_k = top_k if top_k or mode == "chat" else DEFAULT_SEARCH_TOP_K
        self.fetch_content = check_flag("fetch_content", fetch_content)
        if isinstance(max_concurrent_fetches, bool) or not (
            isinstance(max_concurrent_fetches, int) and max_concurrent_fetches >= 1
        ):
            raise InvalidRequestError(
                f"max_concurrent_fetches: must be a whole number >= 1, got "
                f"{max_concurrent_fetches!r}",
                field="max_concurrent_fetches",
            )
        self.max_concurrent_fetches = max_concurrent_fetches
        self.sort = sort
        self.content_search = content_search
        self.semantic_search = semantic_search
        self.include_answer = check_flag("include_answer", include_answer)
        self._check_mode_options()
        self.filters: SearchFilters | None = None
        self._set_filters(to_search_filters(filters))
        self._connection = UnleashConnection(
            api_key=api_key,
            base_url=base_url,
            account=account,
            timeout=timeout,
            max_retries=max_retries,
            client=client,
            async_client=async_client,
        )
        super().__init__(callback_manager=callback_manager, verbose=verbose)

    def _check_mode_options(self) -> None:
        if self.mode == "chat":
            for name in _SEARCH_ONLY:
                if getattr(self, name) is not None:
                    raise InvalidRequestError(
                        f"{name}: is an option of mode='search' only", field=name
                    )
        elif self.include_answer:
            raise InvalidRequestError(
                "include_answer: is an option of mode='chat' only", field="include_answer"
            )

    def _set_filters(self, filters: SearchFilters | None) -> None:
        if filters is not None and self.mode == "chat" and self.api_version == "v2":
            raise InvalidRequestError(
                "filters: chat v2 (POST /chats/v2) takes no filters; use "
                "UnleashRetriever(mode='chat', api_version='v1', ...) to filter the "
                "assistant's sources, or mode='search' to filter search results",
                field="filters",
            )
        self.filters = filters

    # -- filters per query ---------------------------------------------------------------

    def with_filters(self, filters: FiltersArg, *, replace: bool = False) -> UnleashRetriever:
        """A copy of this retriever with ``filters`` added (or, with ``replace``, instead).

        Added filters win per field over the instance's. The copy shares this
        retriever's clients and callback manager; this retriever is not changed.

        Args:
            filters: `SearchFilters`, a dict of filter names, or LlamaIndex
                ``MetadataFilters``.
            replace: use ``filters`` instead of the instance's filters.

        Raises:
            InvalidRequestError: filters that cannot be expressed, or filters in chat v2.
        """
        extra = to_search_filters(filters)
        merged = extra
        if not replace and self.filters is not None:
            merged = self.filters.merged(extra) if extra is not None else self.filters
        clone = copy.copy(self)
        clone._set_filters(merged)
        return clone

    def retrieve_with_filters(self, query: QueryType, filters: FiltersArg) -> list[NodeWithScore]:
        """`retrieve` with ``filters`` added for this query only (see `with_filters`)."""
        return self.with_filters(filters).retrieve(query)

    async def aretrieve_with_filters(
        self, query: QueryType, filters: FiltersArg
    ) -> list[NodeWithScore]:
        """`aretrieve` with ``filters`` added for this query only (see `with_filters`)."""
        return await self.with_filters(filters).aretrieve(query)

    # -- search mode ---------------------------------------------------------------------

    def _search_kwargs(self, k: int) -> dict[str, Any]:
        return {
            "filters": self.filters,
            "page_size": k,
            "sort": self.sort,
            "assistant_id": self.assistant_id,
            "content_search": self.content_search,
            "semantic_search": self.semantic_search,
        }

    @staticmethod
    def _next(found: list[Source], response: SearchResponse, k: int) -> str | None:
        """The token of the page to fetch next, or None when done."""
        if len(found) >= k or not response.results:
            return None
        return response.next_token

    def _search(self, client: UnleashClient, query: str) -> list[Source]:
        k = self.similarity_top_k or DEFAULT_SEARCH_TOP_K
        found: list[Source] = []
        token: str | None = None
        for _ in range(k):  # every page but the last adds a hit: k pages at most
            response = client.search(query, next_token=token, **self._search_kwargs(k))
            found += sources_from_search(response)
            token = self._next(found, response, k)
            if token is None:
                break
        return found[:k]

    async def _asearch(self, client: AsyncUnleashClient, query: str) -> list[Source]:
        k = self.similarity_top_k or DEFAULT_SEARCH_TOP_K
        found: list[Source] = []
        token: str | None = None
        for _ in range(k):
            response = await client.search(query, next_token=token, **self._search_kwargs(k))
            found += sources_from_search(response)
            token = self._next(found, response, k)
            if token is None:
                break
        return found[:k]

    # -- chat mode -----------------------------------------------------------------------

    def _chat(self, client: UnleashClient, query: str) -> tuple[list[Source], Source]:
        call = UnleashChatCall.plain(
            self.api_version, assistant_id=self.assistant_id, filters=self.filters
        )
        answer = Answer.whole(call.ask(client, [{"role": "User", "text": query}]))
        return answer.sources, answer.as_source()

    async def _achat(self, client: AsyncUnleashClient, query: str) -> tuple[list[Source], Source]:
        call = UnleashChatCall.plain(
            self.api_version, assistant_id=self.assistant_id, filters=self.filters
        )
        answer = Answer.whole(await call.aask(client, [{"role": "User", "text": query}]))
        return answer.sources, answer.as_source()

    # -- LlamaIndex entry points ---------------------------------------------------------

    def _nodes(self, sources: list[Source], answer: Source | None) -> list[NodeWithScore]:
        return to_nodes(([answer] if answer is not None and self.include_answer else []) + sources)

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        client = self._connection.get_sync()
        answer: Source | None = None
        if self.mode == "search":
            sources = self._search(client, query_bundle.query_str)
        else:
            sources, answer = self._chat(client, query_bundle.query_str)
            sources = sources[: self.similarity_top_k]
        if self.fetch_content:
            sources = with_content(client, sources)
        return self._nodes(sources, answer)

    async def _aretrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        client = self._connection.get_async()
        answer: Source | None = None
        if self.mode == "search":
            sources = await self._asearch(client, query_bundle.query_str)
        else:
            sources, answer = await self._achat(client, query_bundle.query_str)
            sources = sources[: self.similarity_top_k]
        if self.fetch_content:
            sources = await awith_content(client, sources, limit=self.max_concurrent_fetches)
        return self._nodes(sources, answer)
