"""`UnleashAssistantTool` and `JyloAssistantTool`: a vendor assistant as an agent's tool.

Each takes one argument, ``question``, asks the assistant through its chat model
(`ChatUnleash` or `ChatJylo`), and returns ``(content, artifact)``: the answer with
numbered citations and its sources (`format_citations`), and the sources as
``Document`` s (`documents_from_message`). This is how the vendors' assistants join an
agent: they run their own search tools on the server, so they are tools themselves
rather than the agent's reasoning model.
"""

from __future__ import annotations

from typing import Any, Literal

from langchain_core.callbacks import AsyncCallbackManagerForToolRun, CallbackManagerForToolRun
from langchain_core.documents import Document
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage
from langchain_core.runnables import RunnableConfig
from langchain_core.tools import ArgsSchema, BaseTool
from pydantic import BaseModel, ConfigDict, Field

from ._chat_jylo import ChatJylo
from ._chat_unleash import ChatUnleash
from ._citations import format_citations
from ._content import documents_from_message
from ._strict import LangChainStrictFields

__all__ = ["AssistantQuestion", "JyloAssistantTool", "UnleashAssistantTool"]


class AssistantQuestion(BaseModel):
    """The argument of the assistant tools: one self-contained question."""

    model_config = ConfigDict(extra="forbid")

    question: str = Field(
        min_length=1,
        description="The question for the assistant, complete in itself (it does not see "
        "the rest of this conversation).",
    )


class _AssistantTool(LangChainStrictFields, BaseTool):
    """Asks a chat model one question; the cited answer as content, its sources as artifact."""

    args_schema: ArgsSchema | None = AssistantQuestion
    response_format: Literal["content", "content_and_artifact"] = "content_and_artifact"

    def _model(self) -> BaseChatModel:
        raise NotImplementedError  # pragma: no cover - each tool names its model

    @staticmethod
    def _result(message: BaseMessage) -> tuple[str, list[Document]]:
        return format_citations(message), documents_from_message(message)

    def _run(
        self,
        question: str,
        run_manager: CallbackManagerForToolRun | None = None,
        **kwargs: Any,
    ) -> tuple[str, list[Document]]:
        AssistantQuestion(question=question, **kwargs)
        config = RunnableConfig(callbacks=run_manager.get_child()) if run_manager else None
        return self._result(self._model().invoke(question, config))

    async def _arun(
        self,
        question: str,
        run_manager: AsyncCallbackManagerForToolRun | None = None,
        **kwargs: Any,
    ) -> tuple[str, list[Document]]:
        AssistantQuestion(question=question, **kwargs)
        config = RunnableConfig(callbacks=run_manager.get_child()) if run_manager else None
        return self._result(await self._model().ainvoke(question, config))


class UnleashAssistantTool(_AssistantTool):
    """The Unleash assistant as a tool: a question in, the cited answer out.

    The assistant searches the company's sources by itself and answers with citations.
    The tool's content is the answer with a ``[n]`` after each cited span and a numbered
    ``Sources:`` list (`format_citations`); with a tool call, the ``ToolMessage``'s
    ``artifact`` is the sources as ``Document`` s, cited ones first
    (`documents_from_message`). Each call is a new conversation.

    Attributes:
        llm: the `ChatUnleash` that answers (default: one made from the environment,
            ``UNLEASH_API_KEY`` and ``UNLEASH_BASE_URL``).

    Example:
        ```python
        from assistant_bridge.langchain import UnleashAssistantTool

        tool = UnleashAssistantTool()
        answer = tool.invoke({"question": "Who owns the billing service?"})
        print(answer[answer.index("Sources:"):])
        ```

        ```text title="Output"
        Sources:
          [1] Billing service: ownership and runbook - https://wiki.brightwater.example/engineering/billing-service
          [2] BILL-311 Billing service returns 502 under month-end load - https://brightwater.atlassian.example/browse/BILL-311
          [3] Postmortem: Billing API outage on 12 May 2025 - https://wiki.brightwater.example/engineering/postmortems/2025-05-12-billing
        ```
    """

    name: str = "unleash_assistant"
    description: str = (
        "Ask the company's Unleash assistant a question. It searches the company's "
        "documents itself and answers with numbered citations and a list of sources. "
        "Use it for explanations and summaries; keep the citations in your answer."
    )
    llm: ChatUnleash = Field(default_factory=ChatUnleash)

    def _model(self) -> BaseChatModel:
        return self.llm


class JyloAssistantTool(_AssistantTool):
    """A Jylo assistant as a tool: a question in, the cited answer out.

    The content is the reply with numbered citations and sources (`format_citations`);
    the artifact is its cited sources as ``Document`` s. A Jylo assistant keeps its own
    conversation: every call posts the question as a new message of that assistant's
    conversation (see `ChatJylo`).

    Attributes:
        llm: the `ChatJylo` that answers (default: one made from the ``JYLO_*``
            environment variables, which must then name the assistant and the model).

    Example:
        ```python
        from assistant_bridge import JyloClient
        from assistant_bridge.langchain import ChatJylo, JyloAssistantTool

        with JyloClient() as jylo:  # an assistant and a model of your Jylo project
            assistant_id = jylo.list_assistants().items[0].object_identifier
            model = jylo.list_models()[0].object_identifier
        tool = JyloAssistantTool(llm=ChatJylo(assistant_id=assistant_id, model=model))
        answer = tool.invoke({"question": "Who approves business travel?"})
        print(answer[answer.index("Sources:"):])
        ```

        ```text title="Output"
        Sources:
          [1] Travel and Expense Policy
          [2] Onboarding checklist for new employees
        ```
    """

    name: str = "jylo_assistant"
    description: str = (
        "Ask the Jylo assistant, which answers from the documents it holds, a question. "
        "It answers with numbered citations and a list of sources; keep the citations "
        "in your answer."
    )
    llm: ChatJylo = Field(default_factory=ChatJylo)

    def _model(self) -> BaseChatModel:
        return self.llm
