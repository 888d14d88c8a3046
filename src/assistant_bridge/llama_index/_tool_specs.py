"""LlamaIndex tool specs: Unleash search and ask, Jylo ask, ready for agents.

`UnleashToolSpec(...).to_tool_list()` gives ``unleash_search`` (enterprise search with
filters an agent can fill) and ``unleash_ask`` (the assistant's cited answer);
`JyloToolSpec` gives ``jylo_ask``. Each tool has a sync and an async function (LlamaIndex
``spec_functions`` pairs), so ``FunctionAgent`` and ``ReActAgent`` call the async one.
The tools return plain text an LLM can read (see `._tool_text`); `UnleashToolSpec.search_nodes`
gives the nodes themselves. The search arguments' names, descriptions and checks and the
text of both tools are the adapter core's (`SearchToolArguments`, `cited_answer_text`,
`search_hits_text`), the same as the LangChain tools'. Arguments are checked before any
request: a bad one raises `InvalidRequestError` naming the argument, which an agent sees as
the tool's error.

This module must not use ``from __future__ import annotations``: LlamaIndex builds each
tool's JSON schema from the evaluated ``Annotated`` signature of its function.
"""

from typing import Annotated, Any, ClassVar

from llama_index.core.base.llms.types import ChatMessage, ChatResponse, MessageRole
from llama_index.core.llms import LLM
from llama_index.core.schema import NodeWithScore
from llama_index.core.tools.tool_spec.base import SPEC_FUNCTION_TYPE, BaseToolSpec
from llama_index.core.tools.types import ToolMetadata
from llama_index.core.tools.utils import create_schema_from_function
from pydantic import Field

from .. import InvalidRequestError
from .._adapter_core import (
    DEFAULT_SNIPPET_CHARS,
    MAX_SEARCH_RESULTS,
    SEARCH_ARGUMENT_DESCRIPTIONS,
    SearchToolArguments,
    search_tool_arguments,
)
from .._validation import check_int, check_text
from ._jylo_llm import Jylo
from ._retriever import UnleashRetriever
from ._tool_text import cited_answer_text, search_results_text
from ._unleash_llm import Unleash

__all__ = ["DEFAULT_TOOL_RESULTS", "MAX_TOOL_RESULTS", "JyloToolSpec", "UnleashToolSpec"]

DEFAULT_TOOL_RESULTS = 5
"""Hits the search tool returns when the agent gives no ``max_results``."""
MAX_TOOL_RESULTS = MAX_SEARCH_RESULTS
"""The most hits the search tool returns in one call."""

_DESCRIPTIONS = {
    "search": (
        "Search the company's workplace apps (wiki pages, tickets, email, calendar, chat, "
        "files) through Unleash. Returns numbered results with title, url, app, type and "
        "a snippet. Narrow the search with the optional filters."
    ),
    "unleash_ask": (
        "Ask the Unleash enterprise assistant a question about company knowledge. Returns "
        "its answer with [n] citation markers and the numbered sources they refer to; "
        "keep those sources when you answer."
    ),
    "jylo_ask": (
        "Ask the Jylo assistant a question (it answers from its knowledge and the "
        "documents attached to it). Returns its answer with [n] citation markers and the "
        "numbered sources they refer to; keep those sources when you answer."
    ),
}


def _described(name: str) -> Any:
    """The core's description of search argument ``name``, for an ``Annotated`` parameter."""
    return Field(description=SEARCH_ARGUMENT_DESCRIPTIONS[name])


# The search parameters: LlamaIndex builds the schema from these annotations; the names,
# descriptions and checks are the adapter core's (`SearchToolArguments`), as in LangChain.
Question = Annotated[str, Field(description="The question to ask, in full sentences.")]
Query = Annotated[str, _described("query")]
Apps = Annotated[list[str] | None, _described("apps")]
Types = Annotated[list[str] | None, _described("types")]
CreatedAfter = Annotated[str | None, _described("created_after")]
CreatedBefore = Annotated[str | None, _described("created_before")]
UpdatedAfter = Annotated[str | None, _described("updated_after")]
UpdatedBefore = Annotated[str | None, _described("updated_before")]
Authors = Annotated[list[str] | None, _described("authors")]
Labels = Annotated[list[str] | None, _described("labels")]
MaxResults = Annotated[int | None, _described("max_results")]


class _AskSpec(BaseToolSpec):
    """The ``ask`` tool over a vendor LLM and the tool metadata of every spec."""

    prefix: ClassVar[str]

    def _answerer(self) -> LLM:
        raise NotImplementedError

    def get_metadata_from_fn_name(
        self, fn_name: str, spec_functions: list[SPEC_FUNCTION_TYPE] | None = None
    ) -> ToolMetadata | None:
        """The tool's name (``<vendor>_<function>``), short description and schema."""
        name = f"{self.prefix}_{fn_name}"
        description = _DESCRIPTIONS.get(name) or _DESCRIPTIONS[fn_name]
        schema = create_schema_from_function(name, getattr(self, fn_name))
        return ToolMetadata(name=name, description=description, fn_schema=schema)

    @staticmethod
    def _question(question: Any) -> list[ChatMessage]:
        text = check_text(question, "question").strip()
        return [ChatMessage(role=MessageRole.USER, content=text)]

    def ask_response(self, question: str) -> ChatResponse:
        """The LLM's whole ``ChatResponse`` to ``question`` (what `ask` renders)."""
        return self._answerer().chat(self._question(question))

    async def aask_response(self, question: str) -> ChatResponse:
        """Async `ask_response`."""
        return await self._answerer().achat(self._question(question))

    def ask(self, question: Question) -> str:
        """Ask the assistant; its answer with [n] markers and the numbered sources.

        Args:
            question (str): the question to ask.
        """
        return cited_answer_text(self.ask_response(question))

    async def aask(self, question: Question) -> str:
        """Async `ask`.

        Args:
            question (str): the question to ask.
        """
        return cited_answer_text(await self.aask_response(question))


class UnleashToolSpec(_AskSpec):
    """Unleash search and the Unleash assistant as LlamaIndex agent tools.

    ``to_tool_list()`` gives ``unleash_search`` (a query and optional filters: apps,
    types, created/updated after/before, authors, labels, max_results) and
    ``unleash_ask`` (a question; the answer with ``[n]`` markers and numbered sources).
    Each tool has a sync and an async function. The instance is not changed by calls.

    Args:
        retriever: a search-mode `UnleashRetriever` (default: ``UnleashRetriever()``,
            configured from ``UNLEASH_*``); its own filters apply to every search, the
            agent's filters are added per call.
        llm: the `Unleash` LLM that answers ``ask`` (default: ``Unleash()``).
        max_results: hits returned when the agent gives none (1 to 25, default 5).
        snippet_chars: the longest snippet shown per hit (default 400).

    Raises:
        InvalidRequestError: a chat-mode retriever or a bad number, when constructed.

    Example:
        ```python
        from assistant_bridge.llama_index import UnleashToolSpec

        tools = UnleashToolSpec().to_tool_list()
        print([tool.metadata.name for tool in tools])
        print(tools[0].call(query="billing outage", apps=["jira"], max_results=1))
        ```

        ```text title="Output"
        ['unleash_search', 'unleash_ask']
        1 result(s) for 'billing outage':
        [1] BILL-311 Billing service returns 502 under month-end load
            url: https://brightwater.atlassian.example/browse/BILL-311
            from: jira / ticket
            snippet: The billing service returns 502 errors when month-end invoicing starts.
        ```

        Given to an agent (``llm`` is any LlamaIndex LLM that calls tools):

        <!-- skip: next "needs a tool-calling LLM, such as OpenAI with a key" -->
        ```python
        from llama_index.core.agent.workflow import FunctionAgent

        agent = FunctionAgent(tools=tools, llm=llm)
        await agent.run("Who approves hotel exceptions?")
        ```
    """

    spec_functions: ClassVar[list[SPEC_FUNCTION_TYPE]] = [("search", "asearch"), ("ask", "aask")]  # type: ignore[misc]
    prefix = "unleash"

    def __init__(
        self,
        *,
        retriever: UnleashRetriever | None = None,
        llm: Unleash | None = None,
        max_results: int = DEFAULT_TOOL_RESULTS,
        snippet_chars: int = DEFAULT_SNIPPET_CHARS,
    ) -> None:
        self.retriever = retriever if retriever is not None else UnleashRetriever()
        if not isinstance(self.retriever, UnleashRetriever) or self.retriever.mode != "search":
            raise InvalidRequestError(
                "retriever: must be an UnleashRetriever in mode='search' (the ask tool "
                "covers the assistant)",
                field="retriever",
            )
        self.llm = llm if llm is not None else Unleash()
        self.max_results = check_int(
            max_results, "max_results", minimum=1, maximum=MAX_TOOL_RESULTS
        )
        self.snippet_chars = check_int(snippet_chars, "snippet_chars", minimum=20)

    def _answerer(self) -> LLM:
        return self.llm

    def _scoped(self, args: SearchToolArguments) -> UnleashRetriever:
        scoped = self.retriever.with_filters(args.search_filters())
        scoped.similarity_top_k = args.max_results or self.max_results
        return scoped

    def search_nodes(
        self, query: str, max_results: int | None = None, **filters: Any
    ) -> list[NodeWithScore]:
        """The hits of `search` as nodes (the retriever's), for code rather than agents.

        Args:
            query: what to search for.
            max_results: how many hits (default: the spec's ``max_results``).
            **filters: the filter arguments of `search` (``apps``, ``types``, ...).

        Raises:
            InvalidRequestError: a bad or unknown argument, naming it, before any request.
        """
        args = search_tool_arguments({"query": query, "max_results": max_results, **filters})
        return self._scoped(args).retrieve(args.query)

    async def asearch_nodes(
        self, query: str, max_results: int | None = None, **filters: Any
    ) -> list[NodeWithScore]:
        """Async `search_nodes`."""
        args = search_tool_arguments({"query": query, "max_results": max_results, **filters})
        return await self._scoped(args).aretrieve(args.query)

    def search(
        self,
        query: Query,
        apps: Apps = None,
        types: Types = None,
        created_after: CreatedAfter = None,
        created_before: CreatedBefore = None,
        updated_after: UpdatedAfter = None,
        updated_before: UpdatedBefore = None,
        authors: Authors = None,
        labels: Labels = None,
        max_results: MaxResults = None,
    ) -> str:
        """Search Unleash; numbered results with title, url, app/type and a snippet."""
        nodes = self.search_nodes(query, max_results, **_filter_args(locals()))
        return search_results_text(query.strip(), nodes, snippet_chars=self.snippet_chars)

    async def asearch(
        self,
        query: Query,
        apps: Apps = None,
        types: Types = None,
        created_after: CreatedAfter = None,
        created_before: CreatedBefore = None,
        updated_after: UpdatedAfter = None,
        updated_before: UpdatedBefore = None,
        authors: Authors = None,
        labels: Labels = None,
        max_results: MaxResults = None,
    ) -> str:
        """Async `search`."""
        nodes = await self.asearch_nodes(query, max_results, **_filter_args(locals()))
        return search_results_text(query.strip(), nodes, snippet_chars=self.snippet_chars)


def _filter_args(names: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in names.items() if k not in ("self", "query", "max_results")}


class JyloToolSpec(_AskSpec):
    """A Jylo assistant as a LlamaIndex agent tool: ``jylo_ask`` (sync and async).

    The answer comes back with ``[n]`` markers after each cited span and the numbered
    sources (documents) they refer to. Each question is posted to the assistant's stored
    conversation, as `Jylo` does.

    Args:
        llm: the `Jylo` LLM that answers (default: ``Jylo()``, configured from ``JYLO_*``).

    Example:
        ```python
        from assistant_bridge import JyloClient
        from assistant_bridge.llama_index import Jylo, JyloToolSpec

        with JyloClient() as jylo:  # an assistant and a model of your Jylo project
            assistant_id = jylo.list_assistants().items[0].object_identifier
            model = jylo.list_models()[0].object_identifier
        tools = JyloToolSpec(llm=Jylo(assistant_id=assistant_id, model_identifier=model)).to_tool_list()
        print([tool.metadata.name for tool in tools])
        ```

        ```text title="Output"
        ['jylo_ask']
        ```
    """

    spec_functions: ClassVar[list[SPEC_FUNCTION_TYPE]] = [("ask", "aask")]  # type: ignore[misc]
    prefix = "jylo"

    def __init__(self, *, llm: Jylo | None = None) -> None:
        self.llm = llm if llm is not None else Jylo()

    def _answerer(self) -> LLM:
        return self.llm
