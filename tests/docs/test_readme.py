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
