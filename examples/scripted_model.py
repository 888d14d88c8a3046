"""SCRIPTED stand-in for an agent's reasoning model, so the agent notebooks run offline.

`ScriptedToolCaller` is NOT a language model and makes no decisions: it replays a fixed
list of tool calls, one per turn, and then answers with what the tools returned. It
exists only so that ``examples/agent.ipynb`` runs end to end without a model provider;
set ``AGENT_MODEL`` (for example ``openai:gpt-4o-mini``) to use a real model instead.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.runnables import Runnable
from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import Field

__all__ = ["ScriptedToolCaller"]


class ScriptedToolCaller(BaseChatModel):
    """SCRIPTED, not an LLM: calls the tools of ``script`` in order, then reports their results.

    Each turn after the newest human message is counted by its tool results: while fewer
    results than scripted calls have come back, the next call of the script is emitted
    (with the id ``scripted-<n>``); then the final answer is the results' text, marked
    ``(scripted)``.

    Attributes:
        script: ``(tool name, arguments)`` pairs, called in this order.
        tool_names: the tools bound with ``bind_tools`` (a scripted call to a tool that
            was not bound is an error, as it would be for a real model).
    """

    script: list[tuple[str, dict[str, Any]]]
    tool_names: list[str] = Field(default_factory=list)

    @property
    def _llm_type(self) -> str:
        return "scripted-tool-caller"

    def bind_tools(
        self,
        tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool],
        *,
        tool_choice: str | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        """A copy that knows the bound tools' names; every scripted tool must be among them."""
        names = [convert_to_openai_tool(tool)["function"]["name"] for tool in tools]
        missing = sorted({name for name, _ in self.script} - set(names))
        if missing:
            raise ValueError(f"script: calls tools that were not bound: {', '.join(missing)}")
        return self.model_copy(update={"tool_names": names})

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        last_human = max(
            (i for i, m in enumerate(messages) if isinstance(m, HumanMessage)), default=-1
        )
        results = [m for m in messages[last_human + 1 :] if isinstance(m, ToolMessage)]
        if len(results) < len(self.script):
            name, args = self.script[len(results)]
            call = {
                "name": name,
                "args": args,
                "id": f"scripted-{len(results)}",
                "type": "tool_call",
            }
            reply = AIMessage(content="", tool_calls=[call])
        else:
            found = "\n\n".join(f"{r.name}:\n{r.text}" for r in results)
            reply = AIMessage(content=f"(scripted) What the tools returned:\n\n{found}")
        return ChatResult(generations=[ChatGeneration(message=reply)])
