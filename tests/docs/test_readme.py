"""The README keeps the command CI runs, and stays a newcomer's page."""

from __future__ import annotations

from ._blocks import ROOT

README = ROOT / "README.md"


def test_readme_keeps_the_ci_test_command() -> None:
    text = README.read_text(encoding="utf-8")
    marker = text.index("<!-- test-command -->\n```sh\n")
    command = text[marker:].split("\n")[2]
    assert (
        command == "python3 -m venv --upgrade-deps .venv"
        ' && .venv/bin/pip install -q -e ".[all]" --group dev && .venv/bin/python -m pytest -q'
    )


def test_readme_is_a_newcomers_page() -> None:
    """What it is, the two commands, the three quickstarts, the coverage table, links."""
    text = README.read_text(encoding="utf-8")
    assert len(text.encode()) <= 12 * 1024, "reference material belongs in docs/"
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert headings == [
        "## Set up (fresh machine, Python 3.10+)",
        "## Quickstart: LangChain",
        "## Quickstart: LlamaIndex",
        "## Quickstart: the vendor clients",
        "## What is covered",
        "## Where to go next",
    ]
    for page in sorted((ROOT / "docs" / "guides").glob("*.md")):
        assert f"](docs/guides/{page.name})" in text, f"the README links {page.name}"
