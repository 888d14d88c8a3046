"""Self-query: a chat model turns each question into an Unleash search with filters.

`UnleashSelfQueryRetriever.from_llm(model)` shows the model the Unleash filters
(`unleash_attribute_info()`, generated from `SearchFilters`), lets it write the query,
the filter and the limit as JSON, translates them with `UnleashTranslator` and searches
with `UnleashSearchRetriever`.

Offline (no ``UNLEASH_API_KEY``) the search runs on the embedded emulator. Without
``AGENT_MODEL`` the model is a SCRIPTED STAND-IN (not an LLM): it answers each question with
a fixed structured query, printed so you can see what a real model would have to write.
With ``AGENT_MODEL`` set (any ``init_chat_model`` name, e.g. ``openai:gpt-4o-mini``, with
its provider package and key) and ``langchain`` installed, that model writes the queries.

    python examples/self_query.py
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult

from assistant_bridge.langchain import UnleashSelfQueryRetriever, unleash_attribute_info

QUESTIONS = {
    "Which Jira tickets about billing were created since May 2025? Three at most.": (
        '{"query": "billing", "filter": {"operator": "and", "arguments": ['
        '{"comparator": "eq", "attribute": "app_id", "value": "jira"}, '
        '{"comparator": "gte", "attribute": "created", "value": "2025-05-01"}]}, "limit": 3}'
    ),
    "Show me Confluence pages or Google Drive files labelled engineering or planning.": (
        '{"query": "engineering planning", "filter": {"operator": "and", "arguments": ['
        '{"comparator": "in", "attribute": "app_id", "value": ["confluence", "google-drive"]}, '
        '{"comparator": "in", "attribute": "label", "value": ["engineering", "planning"]}]}, '
        '"limit": null}'
    ),
}


class ScriptedQueryWriter(BaseChatModel):
    """OFFLINE STAND-IN, not an LLM: answers each known question with a fixed query."""

    @property
    def _llm_type(self) -> str:
        return "scripted-query-writer"

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        question = str(messages[-1].content)
        answer = QUESTIONS[question]
        print(f"  (scripted stand-in model wrote) {answer}")
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=answer))])


@contextlib.contextmanager
def unleash_or_emulator() -> Iterator[None]:
    """Use the real Unleash when ``UNLEASH_API_KEY`` is set, else the embedded emulator."""
    if os.environ.get("UNLEASH_API_KEY"):
        yield
        return
    from assistant_bridge.emulator import emulator_env, run_emulator

    with run_emulator() as url:
        os.environ.update({k: v for k, v in emulator_env(url).items() if k.startswith("UNLEASH_")})
        print("No UNLEASH_API_KEY set: using the embedded emulator (offline).", file=sys.stderr)
        yield


def choose_model() -> BaseChatModel:
    """``AGENT_MODEL`` through ``init_chat_model`` when set, else the scripted stand-in."""
    name = os.environ.get("AGENT_MODEL")
    if name:
        try:
            from langchain.chat_models import init_chat_model
        except ImportError:
            sys.exit("AGENT_MODEL is set but langchain is not installed: pip install langchain")
        print(f"Query writer: {name}")
        return init_chat_model(name)
    print("Query writer: SCRIPTED STAND-IN (no AGENT_MODEL set; fixed answers, not an LLM)")
    return ScriptedQueryWriter()


def main() -> None:
    """Asks each question through the self-query retriever and prints what it found."""
    print(f"The model may filter on {len(unleash_attribute_info())} attributes, e.g.:")
    for info in unleash_attribute_info(["app_id", "created"]):
        print(f"  {info.name} ({info.type}): {info.description}")
    with unleash_or_emulator():
        retriever = UnleashSelfQueryRetriever.from_llm(choose_model())
        for question in QUESTIONS:
            print(f"\nQuestion: {question}")
            for doc in retriever.invoke(question):
                data = doc.metadata.get("data", {})
                print(
                    f"  - {doc.metadata.get('title')} | app={doc.metadata.get('app_id')} "
                    f"| created={data.get('createdTime')} | labels={','.join(data.get('labels', []))}"
                )


if __name__ == "__main__":
    main()
