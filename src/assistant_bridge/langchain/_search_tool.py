"""`UnleashSearchTool`: Unleash enterprise search as a LangChain tool an agent can filter.

The tool's arguments (`UnleashSearchInput`) are the adapter core's `SearchToolArguments`,
shared with the LlamaIndex ``unleash_search`` tool: the query and a few typed filters a
language model can fill in (apps, types, created/updated dates, authors, labels, a result
count), each mapped onto a `SearchFilters` field and passed to an `UnleashSearchRetriever`
as its per-call ``filters=``. The tool returns ``(content, artifact)``: the numbered hits
for the model to read (the core's `search_hits_text`, as in LlamaIndex), and the hits as
``Document`` s for the program.
"""

from __future__ import annotations

from typing import Any, Literal

from langchain_core.callbacks import AsyncCallbackManagerForToolRun, CallbackManagerForToolRun
from langchain_core.documents import Document
from langchain_core.runnables import RunnableConfig
from langchain_core.tools import ArgsSchema, BaseTool
from pydantic import Field

from .._adapter_core import DEFAULT_SNIPPET_CHARS, SearchToolArguments, search_hits_text
from ._retrievers import UnleashSearchRetriever
from ._strict import LangChainStrictFields

__all__ = ["UnleashSearchInput", "UnleashSearchTool"]


class UnleashSearchInput(SearchToolArguments):
    """The arguments of `UnleashSearchTool`: a query and optional filters.

    The same arguments, descriptions and checks as the LlamaIndex ``unleash_search``
    tool (``query``, ``apps``, ``types``, ``created_after`` / ``created_before``,
    ``updated_after`` / ``updated_before``, ``authors``, ``labels``, ``max_results``).
    A filter left out is not applied; one string counts as a list of one; dates are
    ISO-8601 dates or date-times. A bad argument is a pydantic ``ValidationError`` naming
    it, before any request (an agent's tool node reports it to the model).
    """


class UnleashSearchTool(LangChainStrictFields, BaseTool):
    """Unleash enterprise search as a tool: a query plus filters an agent fills in.

    The arguments are `UnleashSearchInput`'s (``query``, ``apps``, ``types``,
    ``created_after`` / ``created_before``, ``updated_after`` / ``updated_before``,
    ``authors``, ``labels``, ``max_results``), the same as LlamaIndex's
    ``unleash_search``. The filters are passed to the retriever as its per-call
    ``filters=``, so for each field they replace the retriever's own value, and the
    retriever's other filters still apply; ``max_results`` is the call's ``k``.

    ``response_format="content_and_artifact"``: called with a tool call, the tool returns
    a ``ToolMessage`` whose content is the numbered hits (title, URL, app and type,
    snippet) and whose ``artifact`` is the list of ``Document`` s (the retriever's
    metadata). Called with a plain dict of arguments it returns the content only.

    Attributes:
        retriever: the `UnleashSearchRetriever` that searches (default: one made from
            the environment, ``UNLEASH_API_KEY`` and ``UNLEASH_BASE_URL``).
        snippet_chars: the longest snippet shown per hit (default 400).

    Example:
        ```python
        from assistant_bridge.langchain import UnleashSearchRetriever, UnleashSearchTool

        tool = UnleashSearchTool(retriever=UnleashSearchRetriever(k=5))
        print(tool.invoke({"query": "billing outage", "apps": ["jira"], "max_results": 1}))
        ```

        ```text title="Output"
        1 result(s) for 'billing outage':
        [1] BILL-311 Billing service returns 502 under month-end load
            url: https://brightwater.atlassian.example/browse/BILL-311
            from: jira / ticket
            snippet: The billing service returns 502 errors when month-end invoicing starts.
        ```

        In an agent, with a tool-calling model:

        <!-- skip: next "needs a tool-calling model (an OpenAI key)" -->
        ```python
        from langchain.agents import create_agent

        agent = create_agent("openai:gpt-4o-mini", tools=[tool])
        ```
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
    snippet_chars: int = Field(default=DEFAULT_SNIPPET_CHARS, ge=20)

    @staticmethod
    def _call(query: str, arguments: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        """The query and the retriever's per-call keywords (``filters``, ``k``)."""
        args = UnleashSearchInput.model_validate({"query": query, **arguments})
        keywords: dict[str, Any] = {}
        filters = args.search_filters()
        if filters is not None:
            keywords["filters"] = filters
        if args.max_results is not None:
            keywords["k"] = args.max_results
        return args.query, keywords

    def _text(self, query: str, documents: list[Document]) -> str:
        hits = [(doc.metadata, doc.page_content) for doc in documents]
        return search_hits_text(query, hits, snippet_chars=self.snippet_chars)

    def _run(
        self,
        query: str,
        run_manager: CallbackManagerForToolRun | None = None,
        **arguments: Any,
    ) -> tuple[str, list[Document]]:
        query, keywords = self._call(query, arguments)
        config = RunnableConfig(callbacks=run_manager.get_child()) if run_manager else None
        documents = self.retriever.invoke(query, config, **keywords)
        return self._text(query, documents), documents

    async def _arun(
        self,
        query: str,
        run_manager: AsyncCallbackManagerForToolRun | None = None,
        **arguments: Any,
    ) -> tuple[str, list[Document]]:
        query, keywords = self._call(query, arguments)
        config = RunnableConfig(callbacks=run_manager.get_child()) if run_manager else None
        documents = await self.retriever.ainvoke(query, config, **keywords)
        return self._text(query, documents), documents
