"""Unleash search, filter and resource-content wire models (v1 OpenAPI).

``POST /search`` (`SearchRequest` -> `SearchResponse`), ``POST /filters/stats``
(`FilterStatsRequest` -> `FilterStatsResponse`), ``POST /filters``
(`FilterOptionsRequest` -> `FilterOptionsResponse`), ``POST /answers`` (`AskRequest` ->
`AskResponse`) and ``GET /resources/{id}/content`` (`ResourceContentResponse`).

Request models are strict; ``filters`` holds the already-serialised ``SearchFilters``
wire dict. Response models keep unknown fields and never require a field.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from .._models import (
    LEFT_TO_RIGHT,
    CaseInsensitiveEnum,
    NullableDict,
    NullableList,
    RequestModel,
    ResponseModel,
)
from ._types_v1 import Resource

__all__ = [
    "AnswerReference",
    "AskRequest",
    "AskResponse",
    "FilterOption",
    "FilterOptionsRequest",
    "FilterOptionsResponse",
    "FilterStatsRequest",
    "FilterStatsResponse",
    "ResourceContentPart",
    "ResourceContentResponse",
    "SearchPaging",
    "SearchPagingResponse",
    "SearchRequest",
    "SearchResponse",
    "SearchResult",
    "SearchSort",
    "SortBy",
    "SortOrder",
]


class SortBy(CaseInsensitiveEnum):
    """What search results are sorted by."""

    RELEVANCY = "Relevancy"
    ALPHABETICAL = "Alphabetical"
    RECENCY = "Recency"


class SortOrder(CaseInsensitiveEnum):
    """The direction of the sort."""

    ASCENDING = "Ascending"
    DESCENDING = "Descending"


class SearchSort(RequestModel):
    """The ``sort`` block of a search (``SearchSortRequest``); values in any case."""

    by: SortBy | None = None
    order: SortOrder | None = None


class SearchPaging(RequestModel):
    """The ``paging`` block of a search (``SearchPagingRequest``).

    ``size`` is the page size; ``next_token`` is `SearchResponse.next_token` from the
    previous page.
    """

    size: int | None = Field(default=None, ge=1)
    next_token: str | None = None


class SearchRequest(RequestModel):
    """The body of ``POST /search``."""

    query: str | None = None
    filters: dict[str, Any] | None = None
    assistant_id: str | None = None
    content_search: bool | None = None
    semantic_search: bool | None = None
    sort: SearchSort | None = None
    paging: SearchPaging | None = None


class SearchPagingResponse(ResponseModel):
    """The paging of a search answer: the token of the next page, if any."""

    next: str | None = None


class SearchResult(ResponseModel):
    """One search hit (``SearchResponseItem``)."""

    resource: Resource | None = None
    snippet: str | None = None
    highlights: NullableList[str] = Field(default_factory=list)


class SearchResponse(ResponseModel):
    """The answer of ``POST /search``."""

    total_results: int | None = None
    results: NullableList[SearchResult] = Field(default_factory=list)
    paging: SearchPagingResponse | None = None
    request_id: str | None = None

    @property
    def next_token(self) -> str | None:
        """The token for the next page (``paging.next``), or ``None`` on the last page."""
        return self.paging.next if self.paging is not None and self.paging.next else None


class FilterStatsRequest(RequestModel):
    """The body of ``POST /filters/stats`` (``GetFilterStatsRequest``)."""

    assistant_id: str | None = None


FilterValues = Annotated[dict[str, list[str]] | Any, LEFT_TO_RIGHT]


class FilterStatsResponse(ResponseModel):
    """The filters available to the caller: ``{filter name: {key: [values]}}``.

    A value that does not have the documented shape is kept as sent.
    """

    available_filters: NullableDict[FilterValues] = Field(default_factory=dict)
    request_id: str | None = None

    @property
    def filter_names(self) -> list[str]:
        """The names of the available filters (such as ``appId``), in the server's order."""
        return list(self.available_filters)


class FilterOptionsRequest(RequestModel):
    """The body of ``POST /filters``: the values of one filter, optionally matching a query."""

    name: str = Field(min_length=1)
    query: str | None = None
    limit: int | None = None
    assistant_id: str | None = None


class FilterOption(ResponseModel):
    """One value of a filter, with free-form ``data``."""

    value: str | None = None
    data: Any = None


class FilterOptionsResponse(ResponseModel):
    """The answer of ``POST /filters``.

    ``request_id`` is typed by the vendor's JS SDK, not by its OpenAPI document; it may
    be missing.
    """

    options: NullableList[FilterOption] = Field(default_factory=list)
    request_id: str | None = None

    @property
    def values(self) -> list[str]:
        """The options' values, in the server's order (options without one skipped)."""
        return [o.value for o in self.options if o.value is not None]


class AskRequest(RequestModel):
    """The body of ``POST /answers`` (``Requests.AskRequest``)."""

    query: str = Field(min_length=1)
    filters: dict[str, Any] | None = None
    assistant_id: str | None = None


class AnswerReference(ResponseModel):
    """A resource an answer cites."""

    resource: Resource | None = None


class AskResponse(ResponseModel):
    """The answer of ``POST /answers``: the text and the resources it cites.

    How the text marks its citations is not documented (the emulator writes ``[n]``,
    the n-th reference); the text is kept as sent.
    """

    answer: str | None = None
    references: NullableList[AnswerReference] = Field(default_factory=list)
    request_id: str | None = None

    @property
    def resources(self) -> list[Resource]:
        """The cited resources, in the order of ``references``."""
        return [r.resource for r in self.references if r.resource is not None]


class ResourceContentPart(ResponseModel):
    """One part of a resource's content."""

    content: str | None = None


class ResourceContentResponse(ResponseModel):
    """The answer of ``GET /resources/{id}/content``: the resource's text, in parts."""

    parts: NullableList[ResourceContentPart] = Field(default_factory=list)

    @property
    def text(self) -> str:
        """The parts' content joined with newlines (parts without content skipped)."""
        return "\n".join(p.content for p in self.parts if p.content)
