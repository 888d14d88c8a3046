"""The LangChain tools, `format_citations` and the refused bind_tools, against the emulator.

Every client is wired to the in-process emulator (`tests.unit._vendor_emu`), whose
recording transports show what was sent: the filters an agent sets must reach
``POST /search`` and hold in the results, and bad arguments must fail before any request.
"""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
import pytest
from langchain_core.documents import Document
from langchain_core.messages import AIMessage, ToolMessage
from pydantic import BaseModel, ValidationError

from assistant_bridge.emulator import EMULATOR_KEYS
from assistant_bridge.langchain import (
    ChatJylo,
    ChatUnleash,
    JyloAssistantTool,
    UnleashAssistantTool,
    UnleashSearchRetriever,
    UnleashSearchTool,
    UnsupportedOperationError,
    format_citations,
)
from assistant_bridge.unleash import AsyncUnleashClient, UnleashClient

from .._vendor_emu import BASE, JYLO_MODEL, Emulator

POSTMORTEM = "Postmortem: Billing API outage on 12 May 2025"
POSTMORTEM_URL = "https://wiki.brightwater.example/engineering/postmortems/2025-05-12-billing"
RUNBOOK = "Billing service: ownership and runbook"
RUNBOOK_URL = "https://wiki.brightwater.example/engineering/billing-service"


@pytest.fixture
def emu() -> Emulator:
    return Emulator.start()


def unleash_clients(emu: Emulator) -> dict[str, Any]:
    key = EMULATOR_KEYS["unleash"]
    return {
        "client": UnleashClient(
            key,
            base_url=BASE,
            max_retries=0,
            http_client=httpx.Client(transport=emu.sync_transport),
        ),
        "async_client": AsyncUnleashClient(
            key,
            base_url=BASE,
            max_retries=0,
            http_client=httpx.AsyncClient(transport=emu.async_transport),
        ),
    }


def search_tool(emu: Emulator, **retriever: Any) -> UnleashSearchTool:
    return UnleashSearchTool(retriever=UnleashSearchRetriever(**unleash_clients(emu), **retriever))


def tool_call(name: str, args: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "args": args, "id": "call-1", "type": "tool_call"}


async def call(tool: Any, args: dict[str, Any], is_async: bool) -> ToolMessage:
    """The tool's ``ToolMessage`` for a tool call, through ``invoke`` or ``ainvoke``."""
    message = tool_call(tool.name, args)
    result = await tool.ainvoke(message) if is_async else tool.invoke(message)
    assert isinstance(result, ToolMessage)
    return result


def sent_filters(emu: Emulator) -> list[dict[str, Any]]:
    return [json.loads(r.content).get("filters", {}) for r in emu.posts("/search")]


# -- UnleashSearchTool ---------------------------------------------------------------------


@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
async def test_search_filters_reach_the_api_and_hold_in_the_documents(
    emu: Emulator, is_async: bool
) -> None:
    tool = search_tool(emu, k=4)
    args = {
        "query": "billing outage",
        "apps": ["jira", "confluence"],
        "created_after": "2025-05-01",
    }
    result = await call(tool, args, is_async)
    assert sent_filters(emu) == [{"appId": ["jira", "confluence"], "createAfterTime": "2025-05-01"}]
    docs = result.artifact
    assert [d.metadata["id"] for d in docs] == ["conf-postmortem-billing", "jira-bill-311"]
    assert all(isinstance(d, Document) for d in docs)
    lines = str(result.content).splitlines()
    assert lines[:4] == [
        "2 result(s) for 'billing outage':",
        f"[1] {POSTMORTEM}",
        f"    url: {POSTMORTEM_URL}",
        "    from: confluence / page",
    ]
    assert lines[4].startswith("    snippet: On 12 May the Billing API returned 502 errors")
    assert lines[5] == "[2] BILL-311 Billing service returns 502 under month-end load"
    assert "    from: jira / ticket" in lines[6:]


async def test_authors_labels_updated_and_count_map_onto_search_filters(emu: Emulator) -> None:
    tool = search_tool(emu)
    args = {
        "query": "billing",
        "authors": ["li.chen@brightwater.example"],
        "labels": ["billing", "engineering"],
        "updated_before": "2030-01-01",
        "types": "page",
        "max_results": 1,
    }
    result = await call(tool, args, is_async=False)
    assert sent_filters(emu) == [
        {
            "type": ["page"],
            "label": ["billing", "engineering"],
            "createdBy": ["li.chen@brightwater.example"],
            "modifiedBeforeTime": "2030-01-01",
        }
    ]
    assert len(result.artifact) == 1
    assert result.artifact[0].metadata["id"] in {"conf-billing-service", "conf-postmortem-billing"}


def test_the_retrievers_own_filters_stay_unless_the_agent_sets_that_field(emu: Emulator) -> None:
    tool = search_tool(emu, filters={"app_id": ["jira"], "label": ["billing"]})
    tool.invoke({"query": "billing", "apps": ["confluence"]})
    assert sent_filters(emu) == [{"appId": ["confluence"], "label": ["billing"]}]


def test_called_with_plain_arguments_it_returns_the_text_and_says_when_nothing_matched(
    emu: Emulator,
) -> None:
    tool = search_tool(emu)
    text = tool.invoke({"query": "billing", "apps": ["jira"], "created_before": "2000-01-01"})
    assert text == "No results for 'billing'; try other keywords or fewer filters."


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            {"query": "x", "app_id": ["jira"]},
            r"app_id: is not an argument of unleash_search; did you mean apps",
        ),
        ({"query": "x", "created_after": "yesterday"}, r"created_after\n.*ISO-8601"),
        ({"query": "x", "labels": ["ok", " "]}, r"labels\n.*list of non-empty strings"),
        (
            {"query": "x", "updated_after": "2025-06-01", "updated_before": "2025-05-01"},
            r"updated_after: must not be later than updated_before",
        ),
        ({"query": "x", "max_results": 0}, r"max_results\n.*from 1 to 25"),
        ({"query": ""}, r"query\n.*non-empty string"),
    ],
)
def test_bad_arguments_fail_naming_the_argument_before_any_request(
    emu: Emulator, args: dict[str, Any], message: str
) -> None:
    tool = search_tool(emu)
    with pytest.raises(ValidationError, match=message):
        tool.invoke(tool_call(tool.name, args))
    assert emu.posts("/search") == []


def test_the_schema_the_model_sees_describes_every_argument() -> None:
    schema = UnleashSearchTool(retriever=UnleashSearchRetriever(api_key="k")).tool_call_schema
    assert isinstance(schema, type)
    assert issubclass(schema, BaseModel)
    properties = schema.model_json_schema()["properties"]
    assert set(properties) >= {
        "query",
        "apps",
        "types",
        "created_after",
        "updated_before",
        "authors",
        "labels",
    }
    assert all(p.get("description") for p in properties.values())
    assert properties["created_after"]["anyOf"][0] == {"type": "string"}
    assert "ISO-8601" in properties["created_after"]["description"]


# -- the assistant tools -------------------------------------------------------------------


@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
async def test_unleash_assistant_tool_answers_with_numbered_sources(
    emu: Emulator, is_async: bool
) -> None:
    tool = UnleashAssistantTool(llm=ChatUnleash(**unleash_clients(emu)))
    result = await call(tool, {"question": "Who owns the billing service?"}, is_async)
    answer, _, sources = str(result.content).partition("\n\nSources:\n")
    assert re.search(r"\.\[1\]", answer)
    assert sources.splitlines()[0] == f"  [1] {RUNBOOK} - {RUNBOOK_URL}"
    numbers = {int(n) for n in re.findall(r"\[(\d+)\]", answer)}
    assert numbers == set(range(1, len(sources.splitlines()) + 1)), "every listed source is cited"
    docs = result.artifact
    assert docs[0].metadata["title"] == RUNBOOK
    assert docs[0].metadata["citations"], "the artifact keeps the citation spans"
    assert len(emu.posts("/chats/v2")) == 1


@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
async def test_jylo_assistant_tool_answers_with_numbered_sources(
    emu: Emulator, is_async: bool
) -> None:
    client = emu.jylo()
    assistant = client.list_assistants()[0].id
    llm = ChatJylo(
        client=client, async_client=emu.ajylo(), assistant_id=assistant, model=JYLO_MODEL
    )
    result = await call(
        JyloAssistantTool(llm=llm), {"question": "What is the hotel cap for Zurich?"}, is_async
    )
    text = str(result.content)
    assert "Zurich" in text
    assert (
        "\n\nSources:\n  [1] FIN-142 Update Navan hotel caps for London, New York and Zurich\n"
        in text
    )
    assert re.search(r"every trip\.\[1\]", text)
    assert [d.metadata["id"] for d in result.artifact][:1] == ["jira-fin-142"]
    assert [json.loads(p.content)["text"] for p in emu.posts("/messages")] == [
        "What is the hotel cap for Zurich?"
    ]


def test_an_empty_question_is_refused_before_any_request(emu: Emulator) -> None:
    tool = UnleashAssistantTool(llm=ChatUnleash(**unleash_clients(emu)))
    with pytest.raises(ValidationError, match="question"):
        tool.invoke(tool_call(tool.name, {"question": ""}))
    assert emu.posts("/chats/v2") == []


# -- bind_tools / with_structured_output ---------------------------------------------------


@pytest.mark.parametrize(
    ("model", "tools"),
    [
        (ChatUnleash(api_key="k"), "UnleashAssistantTool"),
        (ChatJylo(token="t", base_url="https://jylo.test"), "JyloAssistantTool"),
    ],
    ids=["unleash", "jylo"],
)
def test_bind_tools_and_structured_output_say_why_and_name_the_tools(
    model: Any, tools: str
) -> None:
    with pytest.raises(UnsupportedOperationError) as bound:
        model.bind_tools([UnleashSearchTool(retriever=UnleashSearchRetriever(api_key="k"))])
    assert isinstance(bound.value, NotImplementedError)
    assert bound.value.operation == "bind_tools"
    text = str(bound.value)
    assert "runs its own tools on the server" in text
    assert tools in text
    with pytest.raises(NotImplementedError) as structured:
        model.with_structured_output({"title": "Answer", "type": "object", "properties": {}})
    assert "no JSON or structured-output mode" in str(structured.value)
    assert tools in str(structured.value)


def test_an_agent_on_chat_unleash_fails_with_that_error_before_any_request(emu: Emulator) -> None:
    from langchain.agents import create_agent

    agent = create_agent(ChatUnleash(**unleash_clients(emu)), tools=[search_tool(emu)])
    with pytest.raises(UnsupportedOperationError, match="UnleashSearchTool"):
        agent.invoke({"messages": [{"role": "user", "content": "Billing incidents?"}]})
    assert emu.posts("") == []


# -- format_citations ----------------------------------------------------------------------


@pytest.mark.parametrize("api_version", ["v1", "v2"])
def test_format_citations_numbers_unleash_answers(emu: Emulator, api_version: str) -> None:
    message = ChatUnleash(**unleash_clients(emu), api_version=api_version).invoke(
        "Who owns the billing service?"
    )
    text = format_citations(message)
    answer, _, sources = text.partition("\n\nSources:\n")
    assert answer.replace("[1]", "").replace("[2]", "").replace("[3]", "") == message.text
    assert f"  [1] {RUNBOOK} - {RUNBOOK_URL}" == sources.splitlines()[0]
    first_cited = min(
        span["end_index"]
        for item in message.additional_kwargs["sources"]
        for span in item["metadata"].get("citations") or []
    )
    assert answer[first_cited : first_cited + 3] == "[1]", (
        "the first marker sits at the first span's end"
    )


def test_format_citations_lists_uncited_sources_only_when_asked(emu: Emulator) -> None:
    message = ChatUnleash(**unleash_clients(emu)).invoke("Who owns the billing service?")
    cited_only = format_citations(message)
    every = format_citations(message, include_uncited=True)
    assert "Also consulted" not in cited_only
    assert every.startswith(cited_only + "\n\nAlso consulted (not cited):\n")
    cited = cited_only.split("Sources:\n", 1)[1].splitlines()
    uncited = every.split("Also consulted (not cited):\n", 1)[1].splitlines()
    assert uncited[0].startswith(f"  [{len(cited) + 1}] ")
    assert len(cited) + len(uncited) == len(message.additional_kwargs["sources"])


def test_format_citations_on_a_jylo_reply_and_on_a_message_without_sources(emu: Emulator) -> None:
    client = emu.jylo()
    llm = ChatJylo(client=client, assistant_id=client.list_assistants()[0].id, model=JYLO_MODEL)
    reply = llm.invoke("What does the travel policy say?")
    assert format_citations(reply).endswith(
        "channel.[1]\n\nRead the Travel and Expense Policy before your first business trip.[2]\n\n"
        "Sources:\n  [1] Travel and Expense Policy\n  [2] Onboarding checklist for new employees"
    )
    assert format_citations(AIMessage(content="No sources here.")) == "No sources here."


def test_format_citations_gives_one_number_per_source_and_all_numbers_at_a_shared_span() -> None:
    def item(title: str, url: str, *ends: int) -> dict[str, Any]:
        spans = [{"start_index": 0, "end_index": e} for e in ends]
        return {"text": title, "metadata": {"title": title, "source": url, "citations": spans}}

    message = AIMessage(
        content="One. Two.",
        additional_kwargs={"sources": [item("B", "https://b", 9), item("A", "https://a", 4, 9)]},
    )
    assert format_citations(message) == (
        "One.[1] Two.[1][2]\n\nSources:\n  [1] A - https://a\n  [2] B - https://b"
    )


def test_snippet_chars_caps_each_snippet(emu: Emulator) -> None:
    tool = UnleashSearchTool(
        retriever=UnleashSearchRetriever(**unleash_clients(emu)), snippet_chars=40
    )
    text = tool.invoke({"query": "billing", "max_results": 3})
    snippets = [line for line in text.splitlines() if line.startswith("    snippet: ")]
    assert len(snippets) == 3
    assert all(len(line) <= len("    snippet: ") + 40 for line in snippets)
    assert any(line.endswith("...") for line in snippets)
    with pytest.raises(ValidationError, match="snippet_chars"):
        UnleashSearchTool(retriever=UnleashSearchRetriever(api_key="k"), snippet_chars=5)
