"""LangChain retrievers over Unleash: enterprise search and the assistant's cited sources.

`UnleashSearchRetriever` returns ``POST /search`` hits; `UnleashChatRetriever` asks the
assistant (chat v2 or v1) and returns the resources and web pages it used, cited ones
first, each with the spans of the answer that cite it. Both produce
``Document(page_content=source.text, metadata=source.metadata())`` from the shared
`assistant_bridge.sources` model, so the metadata keys are the ones the LlamaIndex side
uses. Filters, ``k`` and the other options can be set on the instance or per call::

    retriever = UnleashSearchRetriever(k=5, filters={"app_id": ["confluence"]})
    retriever.invoke("travel policy", app_id=["jira"], from_time=datetime(2025, 1, 1))
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from langchain_core.callbacks import (
    AsyncCallbackManagerForRetrieverRun,
    CallbackManagerForRetrieverRun,
)
from langchain_core.documents import Document
from langchain_core.retrievers import LangSmithRetrieverParams
from pydantic import Field

from .._adapter_core import (
    NO_FILTERS,
    Answer,
    FiltersField,
    RetrievalOptions,
    UnleashChatCall,
    check_flag,
)
from ..sources import (
    Source,
    sources_from_search,
)
from ..unleash import SearchResponse
from ._errors import InvalidRequestError, translated_errors
from ._retriever_base import UnleashRetrieverBase, to_documents

__all__ = ["UnleashChatRetriever", "UnleashSearchRetriever"]

SortArg = str | dict[str, str] | tuple[str, str] | None


class UnleashSearchRetriever(UnleashRetrieverBase):
    """Documents from Unleash enterprise search (``POST /search``).

    ``page_content`` is the hit's snippet (its highlights, else its title), or the full
    text with ``fetch_content=True``. Metadata has the shared keys of
    `assistant_bridge.sources.Source.metadata` (``source``, ``title``, ``id``,
    ``app_id``, ``type``, ``external_id``, ``subtitle``, ``score``, ``score_source``,
    ``kind``, ``vendor``, ``data``).

    ``metadata["score"]`` is the vendor's score when the response carries one (none of
    the API documents names one), else ``1 / rank`` with rank 1 the first hit, so in
    (0, 1] and falling; ``metadata["score_source"]`` is ``"vendor"`` or ``"rank"``.
    ``Document.id`` (also ``metadata["id"]``) is the resource's id, else its url, else
    a UUID derived from its fields: the same hit has the same id on every call.

    Every call may override ``k``, ``filters``, ``sort``, ``fetch_content``,
    ``assistant_id``, ``content_search`` and ``semantic_search``, and may set single
    filters by name (``app_id=["jira"]``, ``create_after_time=datetime(...)``, snake_case
    or camelCase). Filters merge in this order, later values winning per field: the
    constructor's ``filters``, the call's ``filters=``, the call's single-filter keywords.
    An unknown keyword raises `InvalidRequestError` naming the nearest valid ones.

    Attributes:
        k: how many documents to return; pages are followed until ``k`` are found.
        sort: ``"relevancy"``, ``"alphabetical"`` or ``"recency"``, a ``(by, order)``
            pair or ``{"by": ..., "order": ...}``.
        content_search: search inside resource contents (the API's ``contentSearch``).
        semantic_search: semantic rather than keyword search (``semanticSearch``).

    Example:
        ```python
        from assistant_bridge.langchain import UnleashSearchRetriever

        retriever = UnleashSearchRetriever(k=3, sort="recency")
        docs = retriever.invoke("onboarding checklist", app_id="confluence")
        print([doc.metadata["title"] for doc in docs])
        ```

        ```text title="Output"
        ['Onboarding checklist for new employees']
        ```
    """

    filters: FiltersField = NO_FILTERS  # declared here too: the pydantic mypy plugin reads
    # an inherited descriptor-typed field as what it accepts, not as what it gives
    k: int = Field(default=4, ge=1)
    sort: SortArg = None
    content_search: bool | None = None
    semantic_search: bool | None = None

    _call_keywords: ClassVar[frozenset[str]] = UnleashRetrieverBase._call_keywords | {
        "sort",
        "content_search",
        "semantic_search",
    }

    def _default_k(self) -> int | None:
        return self.k

    def _get_ls_params(self, **kwargs: Any) -> LangSmithRetrieverParams:
        params = super()._get_ls_params(**kwargs)
        params["ls_retriever_name"] = "unleash_search"
        return params

    def _search_kwargs(self, call: RetrievalOptions) -> dict[str, Any]:
        return {
            "filters": call.filters,
            "page_size": call.k,
            "sort": call.extra.get("sort", self.sort),
            "assistant_id": call.assistant_id,
            "content_search": call.extra.get("content_search", self.content_search),
            "semantic_search": call.extra.get("semantic_search", self.semantic_search),
        }

    @staticmethod
    def _next_token(found: list[Source], response: SearchResponse, k: int) -> str | None:
        """The token of the page to fetch next, or None when done."""
        if len(found) >= k or not response.results:
            return None
        return response.next_token

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, **kwargs: Any
    ) -> list[Document]:
        with translated_errors():
            call = self._call_options(kwargs)
            k = call.k or self.k
            search = self._search_kwargs(call)
            client = self._connection().get_sync()
            found: list[Source] = []
            token: str | None = None
            for _ in range(k):  # every page but the last adds a result: k pages at most
                response = client.search(query, next_token=token, **search)
                found += sources_from_search(response)
                token = self._next_token(found, response, k)
                if token is None:
                    break
            found = found[:k]
            if call.fetch_content:
                found = self._with_content(client, found)
        return to_documents(found)

    async def _aget_relevant_documents(
        self, query: str, *, run_manager: AsyncCallbackManagerForRetrieverRun, **kwargs: Any
    ) -> list[Document]:
        with translated_errors():
            call = self._call_options(kwargs)
            k = call.k or self.k
            search = self._search_kwargs(call)
            client = self._connection().get_async()
            found: list[Source] = []
            token: str | None = None
            for _ in range(k):
                response = await client.search(query, next_token=token, **search)
                found += sources_from_search(response)
                token = self._next_token(found, response, k)
                if token is None:
                    break
            found = found[:k]
            if call.fetch_content:
                found = await self._awith_content(client, found)
        return to_documents(found)


class UnleashChatRetriever(UnleashRetrieverBase):
    """The sources the Unleash assistant used to answer, as Documents with citations.

    The query is asked as one user message. With ``api_version="v2"`` (``POST
    /chats/v2``) the documents are the enterprise results and web pages of the
    assistant's tool calls; with ``"v1"`` (``POST /chats``) the resources of its
    ``Resources`` / ``References`` events, and ``filters`` apply (chat v2 takes no
    filters: filters with v2 raise `InvalidRequestError`). Cited sources come first;
    each Document's ``citations`` metadata lists the spans of the answer citing it
    (``{start_index, end_index, cited_text}``). ``page_content`` is the resource's
    title (or a web page's description), or its full text with ``fetch_content=True``.

    Each Document has ``metadata["score"]`` ``1 / rank`` in this order (cited first;
    ``score_source="rank"``) and ``Document.id`` the resource's or web page's id (else
    its url, else a UUID derived from its fields), the same on every call.

    ``include_answer=True`` puts the answer itself first: metadata ``type="answer"``,
    ``citations`` with positions and the ``source_ids`` cited at each, and ``data``
    with the ``request_id`` and ``thread_id``; its id is the request id, its score 1.0
    (``score_source="answer"``; the sources' ranks do not count it).

    Every call may override ``k``, ``filters`` (v1), ``fetch_content``,
    ``assistant_id`` and ``include_answer``, set single filters by name (v1), and pass
    ``thread_id`` to ask within an existing thread.

    Attributes:
        api_version: ``"v2"`` (default) or ``"v1"``.
        k: how many sources to return (None: all); the answer is not counted.
        include_answer: add the answer as the first Document.

    Example:
        ```python
        from assistant_bridge.langchain import UnleashChatRetriever

        retriever = UnleashChatRetriever(api_version="v1", filters={"app_id": "jira"})
        docs = retriever.invoke("Which tickets are about billing?")
        print([doc.metadata["title"] for doc in docs])
        ```

        ```text title="Output"
        ['BILL-311 Billing service returns 502 under month-end load']
        ```
    """

    filters: FiltersField = NO_FILTERS  # declared here too: the pydantic mypy plugin reads
    # an inherited descriptor-typed field as what it accepts, not as what it gives
    api_version: Literal["v1", "v2"] = "v2"
    k: int | None = Field(default=None, ge=1)
    include_answer: bool = False

    _call_keywords: ClassVar[frozenset[str]] = UnleashRetrieverBase._call_keywords | {
        "thread_id",
        "include_answer",
    }
    _k_allows_none: ClassVar[bool] = True

    def __init__(self, /, **data: Any) -> None:
        super().__init__(**data)
        if self.api_version == "v2" and self.filters is not None:
            raise self._v2_filters_error()

    @staticmethod
    def _v2_filters_error() -> InvalidRequestError:
        return InvalidRequestError(
            "filters: chat v2 (POST /chats/v2) takes no filters; use "
            "UnleashChatRetriever(api_version='v1', ...) to filter the assistant's sources, "
            "or UnleashSearchRetriever to filter search results",
            field="filters",
        )

    def _default_k(self) -> int | None:
        return self.k

    def _get_ls_params(self, **kwargs: Any) -> LangSmithRetrieverParams:
        params = super()._get_ls_params(**kwargs)
        params["ls_retriever_name"] = "unleash_chat"
        return params

    def _checked(self, kwargs: dict[str, Any]) -> tuple[RetrievalOptions, bool]:
        """The call's options and whether to include the answer; bad input raises."""
        call = self._call_options(kwargs)
        if self.api_version == "v2" and call.filters is not None:
            raise self._v2_filters_error()
        include = check_flag(
            "include_answer", call.extra.get("include_answer", self.include_answer)
        )
        return call, include

    def _chat_call(self, call: RetrievalOptions) -> UnleashChatCall:
        return UnleashChatCall.plain(
            self.api_version,
            assistant_id=call.assistant_id,
            filters=call.filters,
            thread_id=call.extra.get("thread_id"),
        )

    @staticmethod
    def _documents(sources: list[Source], answer: Answer, include: bool) -> list[Document]:
        return to_documents(([answer.as_source()] if include else []) + sources)

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, **kwargs: Any
    ) -> list[Document]:
        with translated_errors():
            call, include = self._checked(kwargs)
            client = self._connection().get_sync()
            chat = self._chat_call(call)
            answer = Answer.whole(chat.ask(client, [{"role": "User", "text": query}]))
            sources = answer.sources
            sources = sources[: call.k]
            if call.fetch_content:
                sources = self._with_content(client, sources)
        return self._documents(sources, answer, include)

    async def _aget_relevant_documents(
        self, query: str, *, run_manager: AsyncCallbackManagerForRetrieverRun, **kwargs: Any
    ) -> list[Document]:
        with translated_errors():
            call, include = self._checked(kwargs)
            client = self._connection().get_async()
            chat = self._chat_call(call)
            answer = Answer.whole(await chat.aask(client, [{"role": "User", "text": query}]))
            sources = answer.sources
            sources = sources[: call.k]
            if call.fetch_content:
                sources = await self._awith_content(client, sources)
        return self._documents(sources, answer, include)
