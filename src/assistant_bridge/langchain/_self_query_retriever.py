"""`UnleashSelfQueryRetriever`: a question -> a model-written structured query -> Unleash search.

langchain-classic's ``SelfQueryRetriever`` needs a ``VectorStore``; this one wraps an
`UnleashSearchRetriever`. Its query constructor (prompt | any chat model | a strict
parser, see `_self_query_prompt`) writes the query, the filter and the limit;
`UnleashTranslator` turns them into `SearchFilters` and ``k``; the wrapped retriever
searches. Sync and async.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from langchain_core.callbacks import (
    AsyncCallbackManagerForRetrieverRun,
    CallbackManagerForRetrieverRun,
)
from langchain_core.documents import Document
from langchain_core.language_models import BaseLanguageModel
from langchain_core.retrievers import BaseRetriever
from langchain_core.runnables import Runnable
from langchain_core.structured_query import StructuredQuery
from pydantic import ConfigDict, Field

from ._errors import InvalidRequestError
from ._retrievers import UnleashSearchRetriever
from ._self_query import UnleashTranslator
from ._self_query_prompt import (
    StructuredQueryOutputParser,
    UnleashAttributeInfo,
    query_constructor_prompt,
    unleash_attribute_info,
)
from ._strict import LangChainStrictFields

__all__ = ["DEFAULT_DOCUMENT_CONTENTS", "UnleashSelfQueryRetriever"]

logger = logging.getLogger(__name__)

DEFAULT_DOCUMENT_CONTENTS = (
    "the documents, tickets, messages, events, files and people of a company's work apps"
)
"""What the prompt says the searched documents are, unless ``document_contents`` is given."""


class UnleashSelfQueryRetriever(LangChainStrictFields, BaseRetriever):
    """Lets a chat model write the Unleash search (query, filters, limit) for each question.

    Build it with `from_llm`. For each question the query constructor returns a
    ``StructuredQuery``; `UnleashTranslator` turns its filter into `SearchFilters` and
    its limit into ``k``; the wrapped `UnleashSearchRetriever` searches with them (its
    own constructor filters still apply, merged as for any call). When the model leaves
    the query blank (the question was all filter), the question itself is searched for.
    Malformed model output raises langchain-core's ``OutputParserException`` and a filter
    Unleash cannot express raises `InvalidRequestError`, both before any search.

    Attributes:
        query_constructor: a runnable from ``{"query": question}`` to a ``StructuredQuery``.
        retriever: the `UnleashSearchRetriever` that searches.
        translator: the `UnleashTranslator` (or a subclass) used.
        drop_unsupported_filters: when the model writes a filter Unleash cannot express
            (``ne``, ``or`` across fields, an unknown attribute...), search without the
            filter (logged as a warning) instead of raising `InvalidRequestError`.
        use_original_query: search for the user's question itself instead of the
            model's rewritten query (the filter and limit still apply).

    Example:
        <!-- skip: next "needs a real chat model (an OpenAI key)" -->
        ```python
        from langchain_openai import ChatOpenAI

        from assistant_bridge.langchain import UnleashSelfQueryRetriever

        retriever = UnleashSelfQueryRetriever.from_llm(ChatOpenAI(model="gpt-4o-mini"))
        docs = retriever.invoke("jira tickets about billing since May 2025")
        ```
    """

    model_config = ConfigDict(arbitrary_types_allowed=True, extra="forbid")

    query_constructor: Runnable[dict[str, Any], StructuredQuery]
    retriever: UnleashSearchRetriever
    translator: UnleashTranslator = Field(default_factory=UnleashTranslator)
    drop_unsupported_filters: bool = False
    use_original_query: bool = False

    @classmethod
    def from_llm(
        cls,
        llm: BaseLanguageModel[Any],
        retriever: UnleashSearchRetriever | None = None,
        *,
        document_contents: str = DEFAULT_DOCUMENT_CONTENTS,
        attribute_info: Sequence[UnleashAttributeInfo | Mapping[str, Any]] | None = None,
        drop_unsupported_filters: bool = False,
        use_original_query: bool = False,
    ) -> UnleashSelfQueryRetriever:
        """A self-query retriever whose query constructor is ``llm`` (any chat model).

        Args:
            llm: the model that writes the structured query (a chat model or an LLM; it
                needs no tool calling or JSON mode: the answer is parsed from text).
            retriever: the search retriever; None: ``UnleashSearchRetriever()``
                configured from the environment (``UNLEASH_API_KEY``...).
            document_contents: what the searched documents are, for the prompt.
            attribute_info: the attributes the model may filter on; None:
                `unleash_attribute_info()` (every filter).
            drop_unsupported_filters: search without a filter Unleash cannot express
                instead of raising.
            use_original_query: search for the question itself, not the rewritten query.

        Returns:
            The retriever.
        """
        infos = unleash_attribute_info() if attribute_info is None else attribute_info
        prompt = query_constructor_prompt(infos, document_contents)
        constructor = prompt | llm | StructuredQueryOutputParser()
        return cls(
            query_constructor=constructor,
            retriever=UnleashSearchRetriever() if retriever is None else retriever,
            drop_unsupported_filters=drop_unsupported_filters,
            use_original_query=use_original_query,
        )

    def _search_args(
        self, question: str, structured: StructuredQuery
    ) -> tuple[str, dict[str, Any]]:
        """The search query and keywords; an inexpressible filter raises or is dropped."""
        try:
            query, kwargs = self.translator.visit_structured_query(structured)
        except InvalidRequestError as exc:
            if not self.drop_unsupported_filters:
                raise
            logger.warning("self-query: searching without the model's filter: %s", exc)
            unfiltered = StructuredQuery(
                query=structured.query, filter=None, limit=structured.limit
            )
            query, kwargs = self.translator.visit_structured_query(unfiltered)
        if self.use_original_query or not query.strip():
            query = question
        return query, kwargs

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        structured = self.query_constructor.invoke(
            {"query": query}, config={"callbacks": run_manager.get_child("query_constructor")}
        )
        logger.info("self-query: generated %r", structured)
        search, kwargs = self._search_args(query, structured)
        return self.retriever.invoke(
            search, config={"callbacks": run_manager.get_child()}, **kwargs
        )

    async def _aget_relevant_documents(
        self, query: str, *, run_manager: AsyncCallbackManagerForRetrieverRun
    ) -> list[Document]:
        structured = await self.query_constructor.ainvoke(
            {"query": query}, config={"callbacks": run_manager.get_child("query_constructor")}
        )
        logger.info("self-query: generated %r", structured)
        search, kwargs = self._search_args(query, structured)
        return await self.retriever.ainvoke(
            search, config={"callbacks": run_manager.get_child()}, **kwargs
        )
