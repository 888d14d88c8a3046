"""The integration pages of ``docs/integrations/``: notebooks run against the emulator.

Each notebook is executed cell by cell (an error in any cell fails) in a kernel of this
interpreter with every vendor variable removed, so it starts the embedded emulator
itself, as in CI's ``mkdocs build``. The assertions check what each page promises on
what it printed: the cited sources, that filters reached the search, that streams came
in several chunks, that the unsupported features fail as the tables say.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests import notebooks

kernel_name = notebooks.kernel_name  # the fixture: this interpreter, no vendor variables

PAGES = Path(__file__).resolve().parents[2] / "docs" / "integrations"
NOTEBOOKS = [
    "langchain_provider.ipynb",
    "chat_unleash.ipynb",
    "unleash_search_retriever.ipynb",
    "llamaindex_unleash_llm.ipynb",
    "llamaindex_unleash_retriever.ipynb",
]
OFFLINE_NOTICE = "using the embedded emulator"

RUNBOOK = "Billing service: ownership and runbook"
POSTMORTEM = "Postmortem: Billing API outage on 12 May 2025"
BILL_311 = "BILL-311 Billing service returns 502 under month-end load"
TRAVEL_POLICY = "Travel and Expense Policy"


def run(name: str, kernel_name: str) -> str:
    out = notebooks.execute_notebook(PAGES / name, kernel_name)
    assert OFFLINE_NOTICE in out
    return out


def section(out: str, start: str, end: str | None = None) -> str:
    """The printed text from ``start`` (excluded) up to ``end`` (excluded) or the end."""
    assert start in out, start
    after = out.split(start, 1)[1]
    return after.split(end, 1)[0] if end else after


def test_the_index_links_every_notebook_once() -> None:
    index = (PAGES / "index.md").read_text()
    for name in NOTEBOOKS:
        assert index.count(f"]({name})") == 1, name
    assert sorted(p.name for p in PAGES.glob("*.ipynb")) == sorted(NOTEBOOKS)


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebooks_are_stored_without_outputs(name: str) -> None:
    notebooks.assert_stored_without_outputs(PAGES / name)


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebooks_install_nothing_and_close_the_emulator(name: str) -> None:
    """Their links are checked with every page's, in test_links.py."""
    import nbformat

    cells = nbformat.read(PAGES / name, as_version=4).cells
    code = [cell.source for cell in cells if cell.cell_type == "code"]
    assert not any(re.search(r"^\s*[%!]\s*pip", source, re.M) for source in code)
    assert "stack.close()" in code[-1]


def test_chat_unleash_page(kernel_name: str) -> None:
    out = run("chat_unleash.ipynb", kernel_name)
    assert out.count("search step: ") == 3, "the search steps are server_tool_call blocks"
    cites = re.findall(r"^cites '(.+)' for characters (\d+)-(\d+)$", out, re.M)
    assert [title for title, _, _ in cites] == [RUNBOOK, BILL_311, POSTMORTEM]
    sources = section(out, "Sources:\n", "\n\n").splitlines()
    assert sources[0].startswith(f"  [1] {RUNBOOK} - https://")
    assert "enterprise Li Chen (0 citation(s))" in out, "documents_from_message: cited first"
    assert "first check the connection pool dashboard" in out, "the follow-up used the history"
    assert "250 EUR per night in London" in section(out, "check the connection pool", "chunks")
    chunks = int(re.search(r"^(\d+) chunks$", out, re.M).group(1))  # type: ignore[union-attr]
    assert chunks > 1
    assert "cited: ['Travel and Expense Policy', 'Travel policy update" in out
    streamed = int(re.search(r"^astream: (\d+) chunks", out, re.M).group(1))  # type: ignore[union-attr]
    assert streamed > 1
    assert "bind_tools: not supported: the Unleash assistant runs its own tools" in out
    assert "with_structured_output: UnsupportedOperationError" in out
    assert "image input: messages[0].content[1]: a 'image' block cannot be sent" in out
    assert "usage_metadata: None" in out


def test_unleash_search_retriever_page(kernel_name: str) -> None:
    out = run("unleash_search_retriever.ipynb", kernel_name)
    assert re.search(rf"^1\.00 confluence +{re.escape(POSTMORTEM)}$", out, re.M)
    assert re.search(r"^0\.50 ", out, re.M), "scores are 1 / rank"
    filtered = section(out, "invoice requests failed.\n", "sent as:")
    assert filtered.splitlines()[-3:] == [
        f"jira | {BILL_311}",
        "",
        f"confluence | {POSTMORTEM} | ['postmortem', 'engineering', 'billing', 'incident']",
    ], "the per-call filters reached the search"
    assert "sent as: {'appId': ['jira', 'confluence'], 'createAfterTime': '2025-05-01'}" in out
    recent = section(out, "sent as:", "['Travel").splitlines()[1:]
    assert [line.split(" ", 2)[0] for line in recent] == ["confluence", "jira"]
    assert all(line.split(" ")[1] >= "2025-05-01" for line in recent)
    assert TRAVEL_POLICY in section(out, "jira 2025-05-12")
    assert "The cause was a database connection pool" in out, "the RAG chain answered"
    assert f"sources: ['{POSTMORTEM}', '{RUNBOOK}', '{BILL_311}']" in out


def test_llamaindex_unleash_llm_page(kernel_name: str) -> None:
    out = run("llamaindex_unleash_llm.ipynb", kernel_name)
    assert "unleash-assistant | chat model: True | function calling: False" in out
    assert out.count("The billing service is owned by the Payments team") >= 2
    assert re.search(r"^request: \S+$", out, re.M)
    assert "first check the connection pool dashboard" in out, "chat kept the history"
    assert int(re.search(r"stream_complete: (\d+) chunks", out).group(1)) > 1  # type: ignore[union-attr]
    assert int(re.search(r"stream_chat: (\d+) chunks", out).group(1)) > 1  # type: ignore[union-attr]
    assert "text of the last chunk == the joined deltas: True" in out
    assert "blocks of the last chunk: ['text', 'citation'," in out
    assert int(re.search(r"astream_chat: (\d+) chunks", out).group(1)) > 1  # type: ignore[union-attr]
    citations = section(out, "astream_chat:", "\n\n").splitlines()[1:]
    assert [line.split("  (")[0] for line in citations] == [RUNBOOK, BILL_311, POSTMORTEM]
    assert f"1.00 {RUNBOOK}" in out, "nodes_from_response: cited first"
    assert f"sources: [('jira', '{BILL_311}')]" in out, "the LLM's filters reached the search"
    assert f"per call: ['{POSTMORTEM}']" in out, "per-call filters win per field"
    assert "v2: filters: Unleash chat v2 takes no filters" in out


def test_llamaindex_unleash_retriever_page(kernel_name: str) -> None:
    out = run("llamaindex_unleash_retriever.ipynb", kernel_name)
    assert re.search(rf"^1\.00 confluence +{re.escape(POSTMORTEM)}$", out, re.M)
    assert (
        "sent to Unleash as: {'appId': ['jira', 'confluence'], "
        "'createAfterTime': '2025-05-01T00:00:00Z'}"
    ) in out
    filtered = section(out, "sent to Unleash as:", "['BILL").splitlines()[1:]
    assert [line.split()[0] for line in filtered] == ["confluence", "jira"]
    assert f"['{BILL_311}']\n['confluence']\n" in out, "with_filters and retrieve_with_filters"
    assert f"1.00 enterprise {RUNBOOK}  (1 citation(s))" in out, "chat mode: the cited sources"
    assert "v1 with filters: ['jira']" in out
    engine = section(out, "source nodes:\n", "Source 1").splitlines()
    assert [line.split()[0] for line in engine[:2]] == ["confluence", "jira"]
    assert f"Source 1: -> {BILL_311}" in out, "CitationQueryEngine numbered the jira-only node"


def test_langchain_provider_page(kernel_name: str) -> None:
    out = run("langchain_provider.ipynb", kernel_name)
    assert "No credentials for UNLEASH, JYLO, ZAIA" in out
    assert f"cited: ['{RUNBOOK}', '{BILL_311}', '{POSTMORTEM}']" in out
    assert "The Q3 planning offsite is on 12 and 13 June at the Lisbon office." in out, "ChatJylo"
    assert f"search: jira | {BILL_311}" in out
    assert f"chat:   {RUNBOOK} | cites: 'When the Billing API returns 502 errors" in out
    assert "jylo: [('human', 'Where is the Q3 offsite?'), ('ai', " in out, "the Jylo history"
    assert "zaia: 3 -> 5 messages; last: Yes, it was reissued." in out
    assert f"1 result(s) for 'billing outage':\n[1] {BILL_311}\n" in out, "UnleashSearchTool"
    assert f"  [1] {RUNBOOK} - https://" in out, "UnleashAssistantTool's sources"
    assert "\njylo_assistant\n" in out
    assert "42 attributes" in out
    assert f"jira 2025-05-12T10:05:00Z {BILL_311}" in out, "the self-query filters were applied"
