"""The examples in the docstrings run, as the API reference shows them.

mkdocstrings renders the docstrings as Markdown, so their examples are fenced
``python`` blocks, with ``text title="Output"`` blocks for what they print: the same
rules as the pages (see ``_blocks``), per source file, against one emulator through the
vendor variables. Each example imports what it uses, as a reader copying it would.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sybil import Document, Sybil
from sybil.document import PythonDocStringDocument
from sybil.parsers.markdown import SkipParser

from ._blocks import ROOT, FencedBlockParser, run_document

SRC = ROOT / "src" / "assistant_bridge"


class DocstringDocument(PythonDocStringDocument):
    """The docstrings of a source file, without importing it into the namespace."""

    def __init__(self, text: str, path: str) -> None:
        Document.__init__(self, text, path)


DOCSTRINGS = Sybil(
    parsers=[SkipParser(), FencedBlockParser()], document_types={".py": DocstringDocument}
)
FILES = sorted(p for p in SRC.rglob("*.py") if "```" in p.read_text(encoding="utf-8"))


def test_docstring_examples_are_markdown() -> None:
    """reST directives and doctest prompts would show as plain text on the site."""
    for path in SRC.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert ".. code-block::" not in text, path.relative_to(ROOT)
        assert ">>> " not in text, path.relative_to(ROOT)
    assert len(FILES) >= 10


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(SRC)) for p in FILES])
def test_docstring_examples_run(path: Path, emulated_vendors: str) -> None:
    run_document(DOCSTRINGS.parse(path), path)
