"""Running the code blocks of the Markdown pages (README, docs/, CONTRIBUTING) with Sybil.

Sybil finds the fenced blocks and the skip directives; this module says what a block
means. Per page, in order and in one namespace (as a reader runs them):

- a ``python`` block is executed, and what it prints is kept;
- a ``sh`` block is run with bash from the project root, and what it prints is kept, so
  a command that installs, downloads, rewrites files or needs real keys must be skipped;
- an output block (fenced as ``text title="Output"``) must show exactly what the blocks
  before it printed since the previous output block; ``...`` in it stands for any text
  (doctest's ELLIPSIS), and trailing spaces are ignored;
- output that no output block shows fails the page, so a page never hides what its code
  prints;
- ``<!-- skip: next "reason" -->`` before a block skips it (Sybil's directive); the reason
  is required.

Any other fenced block (toml, json, text without the title, ...) is not code and is left
alone.
"""

from __future__ import annotations

import contextlib
import doctest
import io
import os
import re
import signal
import subprocess
import sys
import unittest
from collections.abc import Iterable
from pathlib import Path

from sybil import Document, Example, Region, Sybil
from sybil.parsers.markdown import SkipParser
from sybil.parsers.markdown.lexers import FencedCodeBlockLexer

ROOT = Path(__file__).resolve().parents[2]
OUTPUT_INFO = 'text title="Output"'
PYTHON_INFO = "python"
SHELL_INFO = "sh"
SHELL_TIMEOUT = 120
PRINTED = "__printed__"
"""Namespace key holding what the page's blocks printed since the last output block."""


def _keep(example: Example, text: str) -> None:
    example.namespace[PRINTED] = example.namespace.get(PRINTED, "") + text


def run_python(example: Example) -> None:
    """Execute a python block in the page's namespace; keep what it prints."""
    source = example.parsed
    code = compile("\n" * (example.line) + source, example.path, "exec")
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        exec(code, example.namespace)
    _keep(example, buffer.getvalue())


def run_shell(example: Example) -> None:
    """Run a sh block with bash from the project root, the venv's scripts first on PATH."""
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    with subprocess.Popen(
        ["bash", "-euo", "pipefail", "-c", example.parsed],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # on a timeout the whole group is killed, children too
    ) as run:
        try:
            stdout, stderr = run.communicate(timeout=SHELL_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(run.pid, signal.SIGKILL)
            run.communicate()
            raise AssertionError(
                f"{example.path}:{example.line}: still running after {SHELL_TIMEOUT} s"
            ) from None
    if run.returncode != 0:
        raise AssertionError(
            f"{example.path}:{example.line}: exit status {run.returncode}\n{stderr[-3000:]}"
        )
    _keep(example, stdout)


def _normalise(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip("\n").splitlines()) + "\n"


def check_output(example: Example) -> str | None:
    """Compare an output block with what was printed since the previous one."""
    got = _normalise(example.namespace.pop(PRINTED, ""))
    want = _normalise(example.parsed)
    if doctest.OutputChecker().check_output(want, got, doctest.ELLIPSIS):
        return None
    return f"the output block shows:\n{want}\nbut the blocks printed:\n{got}"


EVALUATORS = {PYTHON_INFO: run_python, SHELL_INFO: run_shell, OUTPUT_INFO: check_output}
"""What each fence's info string means; other blocks are not code."""


class FencedBlockParser:
    """Yields a region, with its evaluator, for each python, sh and output block."""

    def __init__(self) -> None:
        self.lexer = FencedCodeBlockLexer(
            language=r".+", mapping={"language": "info", "source": "source"}
        )

    def __call__(self, document: Document) -> Iterable[Region]:
        for region in self.lexer(document):
            evaluator = EVALUATORS.get(str(region.lexemes["info"]).strip())
            if evaluator is not None:
                region.parsed = str(region.lexemes["source"])
                region.evaluator = evaluator
                yield region


SYBIL = Sybil(parsers=[SkipParser(), FencedBlockParser()])

SKIP_DIRECTIVE = re.compile(r"<!--\s*skip:\s*(\w+)(.*?)-->")


def markdown_pages() -> list[Path]:
    """Every Markdown page whose blocks run: the top-level files and the docs."""
    top = [ROOT / name for name in ("README.md", "CONTRIBUTING.md", "CHANGELOG.md")]
    return [p for p in top if p.exists()] + sorted((ROOT / "docs").rglob("*.md"))


def run_page(path: Path) -> None:
    """Run every block of one page in order."""
    run_document(SYBIL.parse(path), path)


def run_document(document: Document, path: Path) -> None:
    """Run a parsed document's blocks in order (a skipped block is passed over)."""
    for example in document:
        with contextlib.suppress(unittest.SkipTest):
            example.evaluate()
    leftover = document.namespace.get(PRINTED, "")
    if leftover.strip():
        raise AssertionError(
            f"{path}: the last blocks printed text that no output block"
            f" (```{OUTPUT_INFO}) shows:\n{leftover}"
        )
