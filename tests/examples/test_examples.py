"""The examples, the notebooks and the README's Python blocks, run against the emulator.

Scripts run in a subprocess with every vendor variable removed, so each starts the
embedded emulator itself; notebooks are executed cell by cell with nbclient (an error in
any cell fails); the README's ``python`` blocks are executed against one emulator through
the vendor variables. A README block that cannot run there must be preceded by the
comment ``<!-- not-executable: reason -->``.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant_bridge.unleash import FILTER_FIELDS

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
README = ROOT / "README.md"
VENDOR_PREFIXES = ("UNLEASH_", "JYLO_", "ZAIA_")
NOT_EXECUTABLE = "<!-- not-executable"
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


@pytest.fixture(scope="module")
def kernel_name(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A kernel spec that runs this interpreter (not whatever "python3" means elsewhere)."""
    name = "assistant-bridge-examples"
    spec_dir = tmp_path_factory.mktemp("jupyter") / "kernels" / name
    spec_dir.mkdir(parents=True)
    spec = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": name,
        "language": "python",
    }
    (spec_dir / "kernel.json").write_text(json.dumps(spec))
    patch = pytest.MonkeyPatch()
    patch.setenv("JUPYTER_PATH", str(spec_dir.parent.parent))
    for key in list(os.environ):
        if key.startswith(VENDOR_PREFIXES) or key == "AGENT_MODEL":
            patch.delenv(key)
    try:
        yield name
    finally:
        patch.undo()


def execute_notebook(name: str, kernel_name: str) -> str:
    """Run every cell (an error in any raises); return the text the cells printed."""
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(EXAMPLES / name, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=60,
        kernel_name=kernel_name,
        resources={"metadata": {"path": str(EXAMPLES)}},
    )
    client.execute()
    texts = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            assert output.get("name") != "stderr" or "Traceback" not in output.get("text", "")
            texts.append(output.get("text", ""))
    return "".join(texts)


@pytest.mark.parametrize(
    "name", ["agent.ipynb", "llamaindex_citations.ipynb", "llamaindex_agent.ipynb"]
)
def test_notebooks_are_stored_without_outputs(name: str) -> None:
    notebook = json.loads((EXAMPLES / name).read_text())
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == []
            assert cell["execution_count"] is None


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


# -- README ----------------------------------------------------------------------------


def readme_python_blocks() -> list[tuple[int, str]]:
    """(line number, code) of each python block not marked as not executable."""
    lines = README.read_text(encoding="utf-8").splitlines()
    blocks: list[tuple[int, str]] = []
    index = 0
    while index < len(lines):
        if lines[index].strip() == "```python":
            start = index
            end = lines.index("```", start + 1)
            previous = next((lines[i] for i in range(start - 1, -1, -1) if lines[i].strip()), "")
            if not previous.strip().startswith(NOT_EXECUTABLE):
                blocks.append((start + 1, "\n".join(lines[start + 1 : end])))
            index = end
        index += 1
    return blocks


README_OUTPUT: list[list[str | re.Pattern[str]]] = [
    [  # LangChain quickstart: cited sources with their spans, then filtered search hits
        "Billing service: ownership and runbook https://wiki.brightwater.example/engineering/billing-service 218 342",
        "BILL-311 Billing service returns 502 under month-end load https://brightwater.atlassian.example/browse/BILL-311 416 520",
        "jira BILL-311 Billing service returns 502 under month-end load https://brightwater.atlassian.example/browse/BILL-311",
    ],
    [  # LlamaIndex quickstart: citation titles of the LLM's answer, then the query engine's sources
        "['Billing service: ownership and runbook', 'BILL-311 Billing service returns 502 under month-end load',"
        " 'Postmortem: Billing API outage on 12 May 2025']",
        "['Postmortem: Billing API outage on 12 May 2025', 'BILL-311 Billing service returns 502 under month-end load']",
    ],
    [  # the three vendor clients directly
        "1 ['Onboarding checklist for new employees']",
        "Read the Travel and Expense Policy before your first business trip.",
        "user Thanks, please send it to finance@customer.example too.",
        "assistant Open the dashboard, choose Share, then Export as PDF. Exports include every visible chart.",
    ],
    [  # async clients and streams
        "Here is what **Q3 plan (draft).pptx** says:",
        "Two days of Q3 planning for team leads at the Lisbon office. Day one: company Q3 plan and headcount.",
        "Request",
        "Full",
    ],
    [  # documents_from_message: cited sources first, each with its number of spans
        "Billing service: ownership and runbook 1",
        "Postmortem: Billing API outage on 12 May 2025 1",
        "What a 502 Bad Gateway error means 0",
    ],
    [  # agents and tools: filtered hits with scores and ids, a cited answer, LlamaIndex tool names
        "[1] BILL-311 Billing service returns 502 under month-end load",
        "[('jira', 1.0, True)]",
        "Sources:",
        "  [1] Billing service: ownership and runbook - https://wiki.brightwater.example/engineering/billing-service",
        "['unleash_search', 'unleash_ask']",
    ],
    [  # filters: a typo named, self-query and MetadataFilters translated
        "filters.app: is not a known filter; did you mean app_id? (custom properties go in extra={...})",
        "{'appId': ['jira', 'confluence'], 'createAfterTime': '2025-05-01T00:00:00Z'} 3",
        "{'anyLabel': ['finance', 'travel']}",
    ],
    [  # errors: retried, then typed with status, Retry-After and request id
        "9",
        "429 90.0 5a2a00db6a0fbbf8",
        "500 Internal Server Error: Injected by the emulator (x-emulator-fault). (request id f26c5db50ad01e72)",
    ],
    [  # the emulator: its URLs, its environment, a fault survived by a retry, the extended dialect
        re.compile(
            r"http://127\.0\.0\.1:\d+ http://127\.0\.0\.1:\d+/jylo http://127\.0\.0\.1:\d+/zaia"
        ),
        "3",
        "['JYLO_BASE_URL', 'JYLO_CLIENT_ID', 'JYLO_CLIENT_SECRET', 'JYLO_PROJECT_ID', 'JYLO_SETTINGS_URL',"
        " 'JYLO_TOKEN_URL', 'UNLEASH_API_KEY', 'UNLEASH_BASE_URL', 'ZAIA_API_KEY', 'ZAIA_BASE_URL']",
        "327e0d35-ee0b-4717-aaa4-3212ab1513c2",
    ],
]
"""Per executable README block, in order: lines (or line patterns) its output must contain."""


def test_readme_has_python_blocks_to_run() -> None:
    assert len(readme_python_blocks()) == len(README_OUTPUT), (
        "each README block needs its expected output"
    )


@pytest.fixture(scope="module")
def emulated_vendors() -> Iterator[str]:
    """One emulator for every README block; the vendor variables point at it."""
    from assistant_bridge.emulator import emulator_env, run_emulator

    patch = pytest.MonkeyPatch()
    try:
        with run_emulator() as url:
            for key in list(os.environ):
                if key.startswith(VENDOR_PREFIXES):
                    patch.delenv(key)
            for key, value in emulator_env(url).items():
                patch.setenv(key, value)
            yield str(url)
    finally:
        patch.undo()


@pytest.mark.parametrize(
    ("index", "line", "code"),
    [(index, line, code) for index, (line, code) in enumerate(readme_python_blocks())],
    ids=[str(line) for line, _ in readme_python_blocks()],
)
def test_readme_python_block_runs(
    index: int, line: int, code: str, emulated_vendors: str, capsys: pytest.CaptureFixture[str]
) -> None:
    exec(compile(code, f"README.md:{line}", "exec"), {"__name__": f"readme_block_{line}"})
    printed = capsys.readouterr().out.splitlines()
    expected = README_OUTPUT[index] if index < len(README_OUTPUT) else []
    assert expected, f"README.md:{line} has no expected output in README_OUTPUT"
    for want in expected:
        if isinstance(want, str):
            assert want in printed, f"README.md:{line} did not print the line {want!r}"
        else:
            assert any(want.fullmatch(p) for p in printed), (
                f"README.md:{line} printed no line like {want.pattern!r}"
            )


def test_readme_documents_every_search_filter() -> None:
    text = README.read_text(encoding="utf-8")
    rows = {
        line.split("|")[1].strip(): line for line in text.splitlines() if line.startswith("| `")
    }
    assert len(FILTER_FIELDS) == 47
    for field in FILTER_FIELDS:
        row = rows.get(f"`{field.name}`")
        assert row is not None, f"{field.name} is missing from the README's filter table"
        assert f"`{field.api_name}`" in row


def test_readme_keeps_the_ci_test_command() -> None:
    text = README.read_text(encoding="utf-8")
    marker = text.index("<!-- test-command -->\n```sh\n")
    command = text[marker:].split("\n")[2]
    assert (
        command
        == 'python3 -m venv .venv && .venv/bin/pip install -q -e ".[all,dev]" && .venv/bin/python -m pytest -q'
    )
