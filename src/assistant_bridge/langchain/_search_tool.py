"""`UnleashSearchTool`: Unleash enterprise search as a LangChain tool an agent can filter.

The tool's arguments (`UnleashSearchInput`) are the query and a few typed filters a
language model can fill in (apps, resource types, created/updated dates, authors,
labels, a result count); each is mapped onto a `SearchFilters` field and passed to an
`UnleashSearchRetriever` as its per-call ``filters=``. The tool returns
``(content, artifact)``: a compact numbered list of the hits for the model to read, and
the hits as ``Document`` s for the program.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, ClassVar, Literal

from langchain_core.callbacks import AsyncCallbackManagerForToolRun, CallbackManagerForToolRun
from langchain_core.documents import Document
from langchain_core.runnables import RunnableConfig
from langchain_core.tools import ArgsSchema, BaseTool
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from .._validation import nearest_names
from ..unleash import TIME_FIELD_PAIRS
from ._retrievers import UnleashSearchRetriever

__all__ = ["UnleashSearchInput", "UnleashSearchTool", "search_results_text"]

_SNIPPET_CHARS = 300


def _one_or_many(value: Any) -> Any:
    """A lone string (models often send one) as a one-item list."""
    return [value] if isinstance(value, str) else value


Names = Annotated[list[str] | None, BeforeValidator(_one_or_many)]


class UnleashSearchInput(BaseModel):
    """The arguments of `UnleashSearchTool`: a query and optional filters.

    Every filter left out (or None) is not applied. List filters match any of the values
    given (``labels``: all of them); one string counts as a list of one. Dates are whole days (``YYYY-MM-DD``, midnight UTC). An unknown argument or a
    range whose start is after its end is refused (a pydantic ``ValidationError`` naming
    the argument, before any request; an agent's tool node reports it to the model).
    """

    model_config = ConfigDict(extra="forbid")

    query: str = Field(min_length=1, description="What to search for, in a few keywords.")
    app_id: Names = Field(
        default=None,
        description="Only results from these apps, by app id (for example jira, "
        "confluence, gmail, slack, google-drive).",
    )
    type: Names = Field(
        default=None,
        description="Only these kinds of resources (for example ticket, page, email, "
        "message, file, event, person).",
    )
    created_after: dt.date | None = Field(
        default=None, description="Only resources created after this day (YYYY-MM-DD)."
    )
    created_before: dt.date | None = Field(
        default=None, description="Only resources created before this day (YYYY-MM-DD)."
    )
    updated_after: dt.date | None = Field(
        default=None, description="Only resources last modified after this day (YYYY-MM-DD)."
    )
    updated_before: dt.date | None = Field(
        default=None, description="Only resources last modified before this day (YYYY-MM-DD)."
    )
    authors: Names = Field(
        default=None,
        description="Only resources created by these people, by email address.",
    )
    labels: Names = Field(default=None, description="Only resources carrying all of these labels.")
    max_results: int | None = Field(
        default=None,
        ge=1,
        le=25,
        description="How many results to return (1-25); leave out for the default.",
    )

    FILTERS: ClassVar[dict[str, str]] = {
        "app_id": "app_id",
        "type": "type",
        "created_after": TIME_FIELD_PAIRS["created"][0],
        "created_before": TIME_FIELD_PAIRS["created"][1],
        "updated_after": TIME_FIELD_PAIRS["modified"][0],
        "updated_before": TIME_FIELD_PAIRS["modified"][1],
        "authors": "created_by",
        "labels": "label",
    }
    """Each filter argument and the `SearchFilters` field it sets."""

    @model_validator(mode="before")
    @classmethod
    def _known_arguments(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for key in data:
                if key not in cls.model_fields:
                    hints = nearest_names(str(key), list(cls.model_fields))
                    hint = f"; did you mean {', '.join(hints)}?" if hints else ""
                    raise ValueError(f"{key}: is not an argument of unleash_search{hint}")
        return data

    @model_validator(mode="after")
    def _ranges_in_order(self) -> UnleashSearchInput:
        for start, end in (
            ("created_after", "created_before"),
            ("updated_after", "updated_before"),
        ):
            low, high = getattr(self, start), getattr(self, end)
            if low is not None and high is not None and low > high:
                raise ValueError(f"{start}: must not be later than {end} ({low} > {high})")
        return self

    def search_filters(self) -> dict[str, Any]:
        """The filters set, keyed by their `SearchFilters` field names."""
        return {
            field: getattr(self, argument)
            for argument, field in self.FILTERS.items()
            if getattr(self, argument) not in (None, [])
        }


def search_results_text(documents: list[Document]) -> str:
    """The numbered hits as the model reads them: ``[n] title (app, type) - url`` and snippet."""
    if not documents:
        return "No results matched this search and its filters."
    blocks = []
    for number, doc in enumerate(documents, start=1):
        meta = doc.metadata
        kind = ", ".join(str(meta[k]) for k in ("app_id", "type") if meta.get(k))
        head = f"[{number}] {meta.get('title') or 'untitled'}" + (f" ({kind})" if kind else "")
        if meta.get("source"):
            head += f" - {meta['source']}"
        snippet = " ".join(doc.page_content.split())
        if len(snippet) > _SNIPPET_CHARS:
            snippet = snippet[: _SNIPPET_CHARS - 3].rstrip() + "..."
        blocks.append(f"{head}\n    {snippet}" if snippet else head)
    return "\n".join(blocks)


class UnleashSearchTool(BaseTool):
    """Unleash enterprise search as a tool: a query plus filters an agent fills in.

    The arguments are `UnleashSearchInput`'s (``query``, ``app_id``, ``type``,
    ``created_after`` / ``created_before``, ``updated_after`` / ``updated_before``,
    ``authors``, ``labels``, ``max_results``). The filters are passed to the retriever as
    its per-call ``filters=``, so for each field they replace the retriever's own value,
    and the retriever's other filters still apply; ``max_results`` is the call's ``k``.

    ``response_format="content_and_artifact"``: called with a tool call, the tool returns
    a ``ToolMessage`` whose content is the numbered hits (title, app and type, URL,
    snippet) and whose ``artifact`` is the list of ``Document`` s (the retriever's
    metadata). Called with a plain dict of arguments it returns the content only.

    Attributes:
        retriever: the `UnleashSearchRetriever` that searches (default: one made from
            the environment, ``UNLEASH_API_KEY`` and ``UNLEASH_BASE_URL``).

    Example:
        .. code-block:: python

            from langchain.agents import create_agent

            tool = UnleashSearchTool(retriever=UnleashSearchRetriever(k=5))
            agent = create_agent("openai:gpt-4o-mini", tools=[tool])
    """

    name: str = "unleash_search"
    description: str = (
        "Search the company's documents, tickets, pages, mail, chat messages, files and "
        "people in Unleash enterprise search. Use the filters to narrow by app, kind, "
        "dates, author or label. Returns numbered results with title, URL and snippet."
    )
    args_schema: ArgsSchema | None = UnleashSearchInput
    response_format: Literal["content", "content_and_artifact"] = "content_and_artifact"
    retriever: UnleashSearchRetriever = Field(default_factory=UnleashSearchRetriever)

    @staticmethod
    def _call(query: str, arguments: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        """The query and the retriever's per-call keywords (``filters``, ``k``)."""
        args = UnleashSearchInput.model_validate({"query": query, **arguments})
        keywords: dict[str, Any] = {"filters": args.search_filters()}
        if args.max_results is not None:
            keywords["k"] = args.max_results
        return args.query, keywords

    def _run(
        self,
        query: str,
        run_manager: CallbackManagerForToolRun | None = None,
        **arguments: Any,
    ) -> tuple[str, list[Document]]:
        query, keywords = self._call(query, arguments)
        config = RunnableConfig(callbacks=run_manager.get_child()) if run_manager else None
        documents = self.retriever.invoke(query, config, **keywords)
        return search_results_text(documents), documents

    async def _arun(
        self,
        query: str,
        run_manager: AsyncCallbackManagerForToolRun | None = None,
        **arguments: Any,
    ) -> tuple[str, list[Document]]:
        query, keywords = self._call(query, arguments)
        config = RunnableConfig(callbacks=run_manager.get_child()) if run_manager else None
        documents = await self.retriever.ainvoke(query, config, **keywords)
        return search_results_text(documents), documents
