"""The examples and the notebooks of ``examples/``, run against the emulator.

Scripts run in a subprocess with every vendor variable removed, so each starts the
embedded emulator itself; notebooks are executed cell by cell with nbclient (an error in
any cell fails). The code blocks of the README and of ``docs/`` run in ``tests/docs``.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests import notebooks

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
VENDOR_PREFIXES = notebooks.VENDOR_PREFIXES
OFFLINE_NOTICE = "using the embedded emulator"


def offline_env() -> dict[str, str]:
    """This process's environment without any vendor variable or agent model."""
    return {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(VENDOR_PREFIXES) and k != "AGENT_MODEL"
    }


def run_script(name: str) -> subprocess.CompletedProcess[str]:
    run = subprocess.run(
        [sys.executable, str(EXAMPLES / name)],
        cwd=ROOT,
        env=offline_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-3000:]
    assert OFFLINE_NOTICE in run.stderr
    return run


# -- scripts ---------------------------------------------------------------------------


def test_quickstart_prints_numbered_citations_and_sources() -> None:
    out = run_script("quickstart.py").stdout
    answer, _, rest = out.partition("\nSources:\n")
    assert re.search(r"\.\[1\]", answer), "a [1] marker right after a cited sentence"
    assert re.search(r"^  \[1\] Billing service: ownership and runbook - https://", rest, re.M)
    assert "Follow-up in the same conversation:" in out
    assert "on-call" in out.lower()
    assert re.search(r"\((\d+) search step\(s\)", out)
    streamed = out.split("Streaming:\n", 1)[1]
    assert "Travel and Expense Policy" in streamed
    assert re.search(r"^  \[2\] .+ - https://", streamed, re.M)


def test_rag_chain_retries_then_falls_back_and_lists_sources() -> None:
    out = run_script("rag_chain.py").stdout
    first = out.split("Question 2", 1)[0]
    assert first.index("/search -> HTTP 503") < first.index("/search -> HTTP 200"), "with_retry"
    assert "/chats/v2 -> HTTP 500" in first
    assert "Answer (chat v1):" in first, "with_fallbacks answered with the v1 model"
    assert re.search(r"\[1\] BILL-311 .* \(jira\) - https://", first)
    second = out.split("Question 2", 1)[1]
    assert "HTTP 503" not in second, "the injected 503 was a one-off"
    sources = re.findall(r"^  \[\d\] .* \((\w+)\) - https://", second, re.M)
    assert sources
    assert set(sources) == {"confluence"}, "the per-call filters reached the search"


def test_memory_zaia_stores_every_turn_in_the_thread() -> None:
    out = run_script("memory_zaia.py").stdout
    before = int(re.search(r"holds (\d+) message\(s\) before", out).group(1))  # type: ignore[union-attr]
    after = int(re.search(r"now holds (\d+) message\(s\)", out).group(1))  # type: ignore[union-attr]
    assert after == before + 4, "two questions and two answers were appended"
    tail = out.rsplit("the last four:", 1)[1].splitlines()
    assert [line.split(":")[0].strip() for line in tail if line.strip()] == [
        "human",
        "ai",
        "human",
        "ai",
    ]
    assert "human: What should on-call check first?" in out


def test_jylo_answers_from_the_uploaded_document_with_citations() -> None:
    out = run_script("jylo_documents.py").stdout
    assert "Lisbon" in out
    assert "[1] offsite-brief.txt:" in out
    assert "Priya Nair by 1 September" in out
    assert re.search(r"uploaded as document [0-9a-f-]{36}", out)


def test_self_query_finds_only_documents_matching_the_model_written_filters() -> None:
    out = run_script("self_query.py").stdout
    assert "SCRIPTED STAND-IN" in out
    assert "(scripted stand-in model wrote)" in out
    line = re.compile(r"^  - (.+) \| app=(\S+) \| created=(\S+) \| labels=(\S*)$", re.M)
    first, second = out.split("\nQuestion: ")[1:3]
    jira = line.findall(first)
    assert 1 <= len(jira) <= 3, first
    for _title, app, created, _labels in jira:
        assert app == "jira", first
        assert created >= "2025-05-01", first
    pages = line.findall(second)
    assert pages, second
    for _title, app, _created, labels in pages:
        assert app in ("confluence", "google-drive"), second
        assert {"engineering", "planning"} & set(labels.split(",")), second


# -- notebooks -------------------------------------------------------------------------
# The kernel fixture and the executor are shared with tests/docs (tests/notebooks.py).

kernel_name = notebooks.kernel_name  # the fixture: this interpreter, no vendor variables


def execute_notebook(name: str, kernel_name: str) -> str:
    """Run every cell of ``examples/<name>`` (an error in any raises); return what it printed."""
    return notebooks.execute_notebook(EXAMPLES / name, kernel_name)


@pytest.mark.parametrize(
    "name", ["agent.ipynb", "llamaindex_citations.ipynb", "llamaindex_agent.ipynb"]
)
def test_notebooks_are_stored_without_outputs(name: str) -> None:
    notebooks.assert_stored_without_outputs(EXAMPLES / name)


POSTMORTEM = "Postmortem: Billing API outage on 12 May 2025"
POSTMORTEM_URL = "https://wiki.brightwater.example/engineering/postmortems/2025-05-12-billing"
BILL_311 = "BILL-311 Billing service returns 502 under month-end load"
BILL_311_URL = "https://brightwater.atlassian.example/browse/BILL-311"


def tool_output(out: str, name: str) -> list[str]:
    """The non-empty lines a tool's message printed (``pretty_print``), up to the next message."""
    body = out.split(f"Name: {name}\n", 1)[1].split("=====", 1)[0]
    return [line for line in body.splitlines() if line.strip()]


def test_agent_notebook_calls_both_tools_and_keeps_citations(kernel_name: str) -> None:
    """What the tools returned: the scripted model's own arguments and echo prove nothing."""
    out = execute_notebook("agent.ipynb", kernel_name)
    assert OFFLINE_NOTICE in out
    assert "SCRIPTED" in out, "the offline reasoning model says it is scripted"
    assert "Name: unleash_search" in out
    assert "Name: unleash_assistant" in out
    assert tool_output(out, "unleash_search") == [
        "2 result(s) for 'billing outage':",
        f"[1] {POSTMORTEM}",
        f"    url: {POSTMORTEM_URL}",
        "    from: confluence / page",
        "    snippet: On 12 May the Billing API returned 502 errors for 47 minutes and about 1,900"
        " invoice requests failed.",
        f"[2] {BILL_311}",
        f"    url: {BILL_311_URL}",
        "    from: jira / ticket",
        "    snippet: The billing service returns 502 errors when month-end invoicing starts.",
    ], "the filters (jira and confluence, from 1 May) reached the search"
    assert tool_output(out, "unleash_assistant") == [
        "On 12 May the Billing API returned 502 errors for 47 minutes and about 1,900 invoice requests"
        " failed. The cause was a database connection pool that was too small for the month-end load.[1]",
        "The Q3 plan has three goals: grow annual recurring revenue by 12%, launch usage-based billing for"
        " the Analytics Pro plan, and cut the time to onboard a new customer from three weeks to one."
        " Engineering will prioritise the billing work and the reliability fixes from the May outage.[2]",
        "Sources:",
        f"  [1] {POSTMORTEM} - {POSTMORTEM_URL}",
        "  [2] Q3 plan (draft).pptx - https://drive.brightwater.example/file/d/1Qp3PlanDeck",
    ]
    artifacts = out.split("Artifact of unleash_search:\n", 1)[1]
    searched, _, sourced = artifacts.partition("Artifact of unleash_assistant:\n")
    assert searched.splitlines() == [
        f"conf-postmortem-billing | {POSTMORTEM} | {POSTMORTEM_URL}",
        f"jira-bill-311 | {BILL_311} | {BILL_311_URL}",
    ], "the search artifact holds the filtered Documents"
    assert sourced.splitlines()[:2] == [
        f"conf-postmortem-billing | {POSTMORTEM} | {POSTMORTEM_URL}",
        "drive-q3-plan | Q3 plan (draft).pptx | https://drive.brightwater.example/file/d/1Qp3PlanDeck",
    ], "the assistant's artifact lists its cited sources first"


def load_scripted_model() -> Any:
    """The ``ScriptedToolCaller`` class of ``examples/scripted_model.py``."""
    spec = importlib.util.spec_from_file_location("scripted_model", EXAMPLES / "scripted_model.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("scripted_model", module)  # pydantic resolves its annotations there
    spec.loader.exec_module(module)
    return module.ScriptedToolCaller


def test_create_agent_on_the_scripted_model_runs_the_search_tool_end_to_end() -> None:
    from langchain.agents import create_agent
    from langchain_core.messages import ToolMessage

    from assistant_bridge.emulator import EMULATOR_KEYS, run_emulator
    from assistant_bridge.langchain import UnleashSearchRetriever, UnleashSearchTool

    scripted = load_scripted_model()
    args = {"query": "billing", "apps": "jira", "labels": ["incident"]}
    with run_emulator() as url:
        retriever = UnleashSearchRetriever(api_key=EMULATOR_KEYS["unleash"], base_url=str(url))
        agent = create_agent(
            scripted(script=[("unleash_search", args)]),
            tools=[UnleashSearchTool(retriever=retriever)],
        )
        result = agent.invoke({"messages": [{"role": "user", "content": "Billing incidents?"}]})
    call, tool, final = result["messages"][1:]
    assert call.tool_calls[0]["name"] == "unleash_search"
    assert isinstance(tool, ToolMessage)
    assert tool.status == "success"
    assert [d.metadata["id"] for d in tool.artifact] == ["jira-bill-311"]
    assert tool.text.startswith(
        f"1 result(s) for 'billing':\n[1] {BILL_311}\n    url: {BILL_311_URL}\n    from: jira / ticket"
    )
    assert final.text.startswith("(scripted) What the tools returned:")
    assert tool.text in final.text


def test_the_scripted_model_refuses_a_script_calling_an_unbound_tool() -> None:
    from assistant_bridge.langchain import UnleashSearchRetriever, UnleashSearchTool

    model = load_scripted_model()(script=[("unleash_assistant", {"question": "?"})])
    with pytest.raises(ValueError, match="not bound: unleash_assistant"):
        model.bind_tools([UnleashSearchTool(retriever=UnleashSearchRetriever(api_key="k"))])


def test_llamaindex_notebook_filters_engines_and_streamed_citations(kernel_name: str) -> None:
    out = execute_notebook("llamaindex_citations.ipynb", kernel_name)
    assert OFFLINE_NOTICE in out
    assert (
        "sent to Unleash as: {'appId': ['jira', 'confluence'], 'createAfterTime': '2025-05-01T00:00:00Z'}"
        in out
    )
    hits = re.findall(r"^(jira|confluence|\w[\w-]*) +\S.*\(https://", out, re.M)
    assert hits
    assert set(hits) <= {"jira", "confluence"}
    assert "Source 1:" in out, "CitationQueryEngine numbered its sources"
    assert "With numbered citations:" in out
    marked = out.split("With numbered citations:", 1)[1]
    assert re.search(r"\.\[1\]", marked)
    assert re.search(r"^  \[1\] .+ - https://", marked, re.M)


def test_llamaindex_agent_notebook_calls_the_tools_and_keeps_sources(kernel_name: str) -> None:
    """What the tools printed comes from the emulator: the scripted model only chose the calls."""
    out = execute_notebook("llamaindex_agent.ipynb", kernel_name)
    assert OFFLINE_NOTICE in out
    assert "SCRIPTED stand-in model" in out
    assert "unleash_search: query, apps, types, created_after" in out
    search = out.split("== tool unleash_search ", 1)[1].split("== tool unleash_ask", 1)[0]
    assert search.splitlines()[1:] == [
        "2 result(s) for 'billing outage':",
        f"[1] {POSTMORTEM}",
        f"    url: {POSTMORTEM_URL}",
        "    from: confluence / page",
        "    snippet: On 12 May the Billing API returned 502 errors for 47 minutes and about 1,900"
        " invoice requests failed.",
        f"[2] {BILL_311}",
        "    url: https://brightwater.atlassian.example/browse/BILL-311",
        "    from: jira / ticket",
        "    snippet: The billing service returns 502 errors when month-end invoicing starts.",
        "",
    ], "the filters (jira and confluence, from 1 May) reached the search"
    ask = out.split("== tool unleash_ask ", 1)[1].split("== answer", 1)[0]
    assert "too small for the month-end load.[1]" in ask
    cited = ask.split("\nSources:\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert cited == [
        f"  [1] {POSTMORTEM} - {POSTMORTEM_URL}",
        "  [2] Q3 plan (draft).pptx - https://drive.brightwater.example/file/d/1Qp3PlanDeck",
    ]
    answer = out.split("== answer\n", 1)[1]
    assert answer.startswith("[SCRIPTED stand-in model")
    assert all(line in answer for line in cited), "the answer keeps the sources"
    assert f"[1] {POSTMORTEM}" in answer
