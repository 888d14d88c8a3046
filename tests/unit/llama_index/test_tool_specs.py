"""UnleashToolSpec and JyloToolSpec on the in-process emulator: schemas, filters, agents."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from llama_index.core.agent.workflow import FunctionAgent, ReActAgent, ToolCallResult
from llama_index.core.base.llms.types import (
    CompletionResponse,
    CompletionResponseGen,
    LLMMetadata,
)
from llama_index.core.llms import CustomLLM
from pydantic import PrivateAttr

from assistant_bridge import InvalidRequestError
from assistant_bridge.emulator import EMULATOR_KEYS
from assistant_bridge.llama_index import (
    Jylo,
    JyloToolSpec,
    Unleash,
    UnleashRetriever,
    UnleashToolSpec,
)
from assistant_bridge.unleash import AsyncUnleashClient, UnleashClient

from .._vendor_emu import BASE, JYLO_MODEL, Emulator

FILTER_ARGS = [
    "apps",
    "types",
    "created_after",
    "created_before",
    "updated_after",
    "updated_before",
    "authors",
    "labels",
    "max_results",
]


@pytest.fixture
def emu() -> Emulator:
    return Emulator.start()


def unleash_spec(emu: Emulator, **kwargs: Any) -> UnleashToolSpec:
    sync = UnleashClient(
        EMULATOR_KEYS["unleash"],
        base_url=BASE,
        max_retries=0,
        http_client=httpx.Client(transport=emu.sync_transport),
    )
    async_ = AsyncUnleashClient(
        EMULATOR_KEYS["unleash"],
        base_url=BASE,
        max_retries=0,
        http_client=httpx.AsyncClient(transport=emu.async_transport),
    )
    return UnleashToolSpec(
        retriever=UnleashRetriever(client=sync, async_client=async_),
        llm=Unleash(client=sync, async_client=async_),
        **kwargs,
    )


def searches(emu: Emulator) -> list[dict[str, Any]]:
    return [json.loads(r.content) for r in emu.posts("/search")]


def numbered_sources(text: str) -> list[str]:
    return re.findall(r"^  \[(\d+)\] .+ - https://", text.split("\nSources:\n", 1)[1], re.M)


# -- tool list and schemas ----------------------------------------------------------------------


def test_tool_list_names_and_schemas_describe_every_argument(emu: Emulator) -> None:
    tools = unleash_spec(emu).to_tool_list()
    assert [t.metadata.name for t in tools] == ["unleash_search", "unleash_ask"]
    search = tools[0].metadata.get_parameters_dict()
    assert search["required"] == ["query"]
    assert list(search["properties"]) == ["query", *FILTER_ARGS]
    for name, prop in search["properties"].items():
        assert prop.get("description"), name
    assert "ISO-8601" in search["properties"]["created_after"]["description"]
    assert tools[1].metadata.get_parameters_dict()["required"] == ["question"]
    for tool in tools:  # OpenAI's limit on tool descriptions
        assert len(tool.metadata.to_openai_tool()["function"]["description"]) <= 1024
    jylo = JyloToolSpec(llm=Jylo(client=emu.jylo())).to_tool_list()
    assert [t.metadata.name for t in jylo] == ["jylo_ask"]


# -- search ---------------------------------------------------------------------------------------


def test_search_applies_filters_and_the_nodes_satisfy_them(emu: Emulator) -> None:
    spec = unleash_spec(emu)
    nodes = spec.search_nodes(
        "travel",
        apps=["confluence", "jira"],
        created_after="2025-02-01",
        updated_before="2025-06-01T00:00:00Z",
        max_results=10,
    )
    assert nodes
    for hit in nodes:
        meta = hit.node.metadata
        assert meta["app_id"] in {"confluence", "jira"}
        assert meta["data"]["createdTime"] >= "2025-02-01"
        assert meta["data"]["modifiedTime"] < "2025-06-01"
    sent = searches(emu)[0]
    assert sent["filters"] == {
        "appId": ["confluence", "jira"],
        "createAfterTime": "2025-02-01",
        "modifiedBeforeTime": "2025-06-01T00:00:00Z",
    }
    assert sent["paging"] == {"size": 10}


def test_search_tool_text_is_numbered_with_title_url_and_snippet(emu: Emulator) -> None:
    spec = unleash_spec(emu)
    tool = spec.to_tool_list()[0]
    out = tool.call(query="travel", types=["ticket"], max_results=2)
    text = out.content
    assert text.startswith("2 result(s) for 'travel':")
    assert re.findall(r"^\[(\d)\] FIN-\d+ ", text, re.M) == ["1", "2"]
    assert text.count("    url: https://brightwater.atlassian.example/browse/FIN-") == 2
    assert text.count("    from: jira / ticket") == 2
    assert text.count("    snippet: ") == 2


def test_labels_and_authors_filter_the_hits(emu: Emulator) -> None:
    spec = unleash_spec(emu)
    every = spec.search_nodes("travel", max_results=10)
    author = every[0].node.metadata["data"]["createdBy"]
    by_author = spec.search_nodes("travel", authors=[author], max_results=10)
    assert by_author
    assert all(n.node.metadata["data"]["createdBy"] == author for n in by_author)
    label = next(lab for n in every for lab in n.node.metadata["data"].get("labels", []))
    labelled = spec.search_nodes("travel", labels=[label], max_results=10)
    assert labelled
    assert all(label in n.node.metadata["data"]["labels"] for n in labelled)


def test_the_retriever_keeps_its_own_filters_and_is_not_changed(emu: Emulator) -> None:
    spec = unleash_spec(emu)
    spec.retriever.filters = None
    base = spec.retriever.with_filters({"type": ["page"]}, replace=True)
    scoped = UnleashToolSpec(retriever=base, llm=spec.llm)
    nodes = scoped.search_nodes("travel", apps=["confluence"], max_results=5)
    assert nodes
    assert all(n.node.metadata["type"] == "page" for n in nodes)
    assert base.filters is not None
    assert base.filters.app_id is None
    assert base.similarity_top_k == 4


async def test_async_search_uses_the_async_client(emu: Emulator) -> None:
    spec = unleash_spec(emu)
    tool = spec.to_tool_list()[0]
    out = await tool.acall(query="travel", apps=["gmail"], max_results=3)
    assert "from: gmail / email" in out.content
    assert emu.sync_transport.requests == []
    assert len(emu.async_transport.requests) >= 1


# -- ask ------------------------------------------------------------------------------------------


def test_ask_returns_the_answer_with_markers_and_numbered_sources(emu: Emulator) -> None:
    text = unleash_spec(emu).ask("What is the hotel cap in Zurich?")
    answer, _listed = text.split("\n\nSources:\n", 1)
    markers = [int(n) for n in re.findall(r"\[(\d+)\]", answer)]
    assert markers
    assert markers[0] == 1, "sources are numbered in the order they are first cited"
    listed = [int(n) for n in numbered_sources(text)]
    assert listed == list(range(1, len(listed) + 1))
    assert set(markers) == set(listed), "only cited sources are listed"
    assert "250 EUR" in answer


async def test_async_ask(emu: Emulator) -> None:
    spec = unleash_spec(emu)
    out = await spec.to_tool_list()[1].acall(question="What is the hotel cap in Zurich?")
    assert numbered_sources(out.content)
    assert emu.sync_transport.requests == []


def test_jylo_ask_returns_sources(emu: Emulator) -> None:
    client = emu.jylo()
    assistant = client.list_assistants()[0].id
    llm = Jylo(client=client, assistant_id=assistant, model_identifier=JYLO_MODEL)
    text = JyloToolSpec(llm=llm).ask("What is the hotel cap for Zurich?")
    assert "\n\nSources:" in text
    assert len(emu.posts("/messages")) == 1


async def test_jylo_async_ask(emu: Emulator) -> None:
    client = emu.jylo()
    assistant = client.list_assistants()[0].id
    llm = Jylo(async_client=emu.ajylo(), assistant_id=assistant, model_identifier=JYLO_MODEL)
    out = await JyloToolSpec(llm=llm).to_tool_list()[0].acall(question="Hotel cap in Zurich?")
    assert "\n\nSources:" in out.content
    assert len(emu.async_transport.requests) >= 1


# -- bad input ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "field", "rule"),
    [
        ({"created_after": "yesterday"}, "created_after", "ISO-8601"),
        ({"updated_before": "2025-13-45"}, "updated_before", "ISO-8601"),
        ({"apps": [1, 2]}, "apps", "list of non-empty strings"),
        ({"labels": [""]}, "labels", "list of non-empty strings"),
        ({"max_results": 0}, "max_results", "from 1 to 25"),
        ({"max_results": True}, "max_results", "from 1 to 25"),
    ],
)
def test_bad_filter_values_fail_before_any_request(
    emu: Emulator, kwargs: dict[str, Any], field: str, rule: str
) -> None:
    spec = unleash_spec(emu)
    with pytest.raises(InvalidRequestError, match=rf"^{field}: .*{rule}") as caught:
        spec.search("travel", **kwargs)
    assert caught.value.field == field
    assert emu.sync_transport.requests == []


def test_bad_query_question_and_names_fail_before_any_request(emu: Emulator) -> None:
    spec = unleash_spec(emu)
    with pytest.raises(InvalidRequestError, match=r"^query: must be a non-empty string"):
        spec.search("  ")
    with pytest.raises(InvalidRequestError, match=r"^question: must be a non-empty string"):
        spec.ask("")
    with pytest.raises(InvalidRequestError, match="did you mean created_after") as caught:
        spec.search_nodes("travel", create_after="2025-01-01")
    assert caught.value.suggestions[0] == "created_after"
    assert emu.sync_transport.requests == []


def test_constructor_checks(emu: Emulator) -> None:
    with pytest.raises(InvalidRequestError, match=r"^retriever: must be an UnleashRetriever"):
        UnleashToolSpec(retriever=UnleashRetriever(mode="chat", api_key="k"), llm=Unleash())
    with pytest.raises(InvalidRequestError, match=r"^max_results: "):
        unleash_spec(emu, max_results=26)
    with pytest.raises(InvalidRequestError, match=r"^snippet_chars: "):
        unleash_spec(emu, snippet_chars=5)


# -- agents ---------------------------------------------------------------------------------------


def scripted_llm_module() -> Any:
    path = Path(__file__).resolve().parents[3] / "examples" / "scripted_llm.py"
    spec = importlib.util.spec_from_file_location("scripted_llm", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("scripted_llm", module)
    spec.loader.exec_module(module)
    return module


async def test_function_agent_runs_the_search_tool_end_to_end(emu: Emulator) -> None:
    scripted = scripted_llm_module()
    args = {"query": "travel", "apps": ["jira"], "max_results": 2}
    llm = scripted.ScriptedToolCaller(script=[("unleash_search", args)])
    agent = FunctionAgent(tools=unleash_spec(emu).to_tool_list(), llm=llm)
    handler = agent.run("Which Jira tickets are about travel?")
    results = [ev async for ev in handler.stream_events() if isinstance(ev, ToolCallResult)]
    answer = str(await handler)
    assert [r.tool_name for r in results] == ["unleash_search"]
    assert results[0].tool_kwargs == args
    output = results[0].tool_output.content
    assert output.startswith("2 result(s) for 'travel':")
    assert "from: jira / ticket" in output
    assert answer.startswith(scripted.SCRIPTED_HEADING)
    assert output in answer
    assert [s["appId"] for s in (b.get("filters", {}) for b in searches(emu))] == [["jira"]]


class ReActScript(CustomLLM):
    """Scripted ReAct text: one search action, then an answer that quotes the observation."""

    _turn: int = PrivateAttr(default=0)

    @property
    def metadata(self) -> LLMMetadata:
        return LLMMetadata(model_name="react-script")

    def _text(self, prompt: str) -> str:
        self._turn += 1
        if self._turn == 1:
            args = json.dumps({"query": "travel", "types": ["email"], "max_results": 1})
            return f"Thought: I need to search.\nAction: unleash_search\nAction Input: {args}"
        return "Thought: I can answer without using any more tools.\nAnswer: see the search."

    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        return CompletionResponse(text=self._text(prompt))

    def stream_complete(
        self, prompt: str, formatted: bool = False, **kwargs: Any
    ) -> CompletionResponseGen:
        text = self._text(prompt)

        def one() -> CompletionResponseGen:
            yield CompletionResponse(text=text, delta=text)

        return one()


async def test_react_agent_runs_the_search_tool(emu: Emulator) -> None:
    agent = ReActAgent(tools=unleash_spec(emu).to_tool_list(), llm=ReActScript())
    handler = agent.run("Any travel emails?")
    results = [ev async for ev in handler.stream_events() if isinstance(ev, ToolCallResult)]
    await handler
    assert [r.tool_name for r in results] == ["unleash_search"]
    assert results[0].tool_output.content.startswith("1 result(s) for 'travel':")
    assert "from: gmail / email" in results[0].tool_output.content
    assert [b.get("filters") for b in searches(emu)] == [{"type": ["email"]}]
