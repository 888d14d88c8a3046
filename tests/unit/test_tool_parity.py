"""The LangChain tools and the LlamaIndex tool specs say the same things, on the emulator.

One definition in the adapter core (`SearchToolArguments`, `cited_answer_text`,
`search_hits_text`) serves both frameworks: the same emulator answer gives the same cited
text, the same search gives the same hits text, the schemas name and describe the same
arguments, and a bad argument is refused with the same rule.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from langchain_core.messages import ToolMessage
from pydantic import BaseModel, ValidationError

from assistant_bridge import InvalidRequestError
from assistant_bridge.emulator import EMULATOR_KEYS
from assistant_bridge.langchain import (
    ChatJylo,
    ChatUnleash,
    JyloAssistantTool,
    UnleashAssistantTool,
    UnleashSearchRetriever,
    UnleashSearchTool,
    format_citations,
)
from assistant_bridge.llama_index import (
    Jylo,
    JyloToolSpec,
    Unleash,
    UnleashRetriever,
    UnleashToolSpec,
)
from assistant_bridge.unleash import AsyncUnleashClient, UnleashClient

from ._vendor_emu import BASE, JYLO_MODEL, Emulator

QUESTION = "What caused the billing outage in May?"


def clients(emu: Emulator) -> dict[str, Any]:
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


def spec(emu: Emulator, api_version: Any = "v2") -> UnleashToolSpec:
    return UnleashToolSpec(
        retriever=UnleashRetriever(**clients(emu)),
        llm=Unleash(**clients(emu), api_version=api_version),
    )


@pytest.mark.parametrize("api_version", ["v1", "v2"])
def test_the_same_unleash_answer_gives_the_same_cited_text(api_version: str) -> None:
    emu = Emulator.start()
    message = ChatUnleash(**clients(emu), api_version=api_version).invoke(QUESTION)
    langchain_text = format_citations(message)
    assert "\n\nSources:\n  [1] " in langchain_text
    assert spec(emu, api_version).ask(QUESTION) == langchain_text
    tool = UnleashAssistantTool(llm=ChatUnleash(**clients(emu), api_version=api_version))
    assert tool.invoke({"question": QUESTION}) == langchain_text


async def test_the_assistant_tools_of_both_frameworks_give_the_same_content() -> None:
    emu = Emulator.start()
    call = {"name": "unleash_assistant", "args": {"question": QUESTION}, "id": "c1"}
    message = await UnleashAssistantTool(llm=ChatUnleash(**clients(emu))).ainvoke(
        {**call, "type": "tool_call"}
    )
    assert isinstance(message, ToolMessage)
    output = await spec(emu).to_tool_list()[1].acall(question=QUESTION)
    assert output.content == message.content


def test_the_same_jylo_reply_gives_the_same_cited_text() -> None:
    texts = []
    for framework in ("langchain", "llama_index"):
        emu = Emulator.start()  # a fresh conversation for each
        client = emu.jylo()
        assistant = client.list_assistants()[0].id
        if framework == "langchain":
            llm = ChatJylo(client=client, assistant_id=assistant, model=JYLO_MODEL)
            texts.append(JyloAssistantTool(llm=llm).invoke({"question": "Hotel cap for Zurich?"}))
        else:
            li = Jylo(client=client, assistant_id=assistant, model_identifier=JYLO_MODEL)
            texts.append(JyloToolSpec(llm=li).ask("Hotel cap for Zurich?"))
    assert "\n\nSources:\n  [1] " in texts[0]
    assert texts[0] == texts[1]


@pytest.mark.parametrize(
    "args",
    [
        {"query": "billing outage", "apps": ["jira", "confluence"], "created_after": "2025-05-01"},
        {"query": "travel", "types": "ticket", "max_results": 2},
        {"query": "billing", "apps": ["jira"], "created_before": "2000-01-01"},
    ],
    ids=["filters", "count", "nothing"],
)
def test_the_same_search_gives_the_same_hits_text(args: dict[str, Any]) -> None:
    emu = Emulator.start()
    tool = UnleashSearchTool(retriever=UnleashSearchRetriever(**clients(emu), k=5))
    langchain_text = tool.invoke(args)
    assert spec(emu).search(**args) == langchain_text
    sent = [r.content for r in emu.posts("/search")]
    assert len(sent) == 2
    assert sent[0] == sent[1], "both tools sent the same search"


def test_both_schemas_name_and_describe_the_same_arguments() -> None:
    langchain = UnleashSearchTool(retriever=UnleashSearchRetriever(api_key="k")).tool_call_schema
    assert isinstance(langchain, type)
    assert issubclass(langchain, BaseModel)
    lc = langchain.model_json_schema()["properties"]
    li_tool = UnleashToolSpec(retriever=UnleashRetriever(api_key="k"), llm=Unleash(api_key="k"))
    li = li_tool.to_tool_list()[0].metadata.get_parameters_dict()["properties"]
    assert list(lc) == list(li)
    assert {k: v["description"] for k, v in lc.items()} == {
        k: v["description"] for k, v in li.items()
    }


@pytest.mark.parametrize(
    ("args", "argument"),
    [
        ({"query": "x", "created_after": "yesterday"}, "created_after"),
        ({"query": "x", "labels": [""]}, "labels"),
        ({"query": "x", "max_results": 30}, "max_results"),
        (
            {"query": "x", "updated_after": "2025-06-01", "updated_before": "2025-05-01"},
            "updated_after",
        ),
    ],
)
def test_a_bad_argument_is_refused_with_the_same_rule_in_both(
    args: dict[str, Any], argument: str
) -> None:
    emu = Emulator.start()
    with pytest.raises(InvalidRequestError) as li_error:
        spec(emu).search(**args)
    assert li_error.value.field == argument
    rule = li_error.value.message.split(": ", 1)[1]
    tool = UnleashSearchTool(retriever=UnleashSearchRetriever(**clients(emu)))
    with pytest.raises(ValidationError) as lc_error:
        tool.invoke({"name": tool.name, "args": args, "id": "c1", "type": "tool_call"})
    assert rule in str(lc_error.value)
    assert emu.posts("/search") == []
