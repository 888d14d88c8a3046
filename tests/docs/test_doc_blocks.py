"""Every python and sh block of the Markdown pages runs against one emulator.

The vendor variables point at an emulator started for this module, so the pages' code
reads its configuration from the environment as a user's would. See ``_blocks`` for what
a block means and how output blocks are checked.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ._blocks import OUTPUT_INFO, ROOT, SKIP_DIRECTIVE, markdown_pages, run_page

PAGES = markdown_pages()


@pytest.mark.parametrize("path", PAGES, ids=[str(p.relative_to(ROOT)) for p in PAGES])
def test_page_blocks_run_and_print_what_the_page_shows(path: Path, emulated_vendors: str) -> None:
    run_page(path)


@pytest.mark.parametrize("path", PAGES, ids=[str(p.relative_to(ROOT)) for p in PAGES])
def test_every_skip_says_why(path: Path) -> None:
    for match in SKIP_DIRECTIVE.finditer(path.read_text(encoding="utf-8")):
        action, reason = match.group(1), match.group(2).strip()
        if action in ("next", "start"):
            assert re.fullmatch(r'"[^"]{8,}"', reason), (
                f"{path.name}: {match.group(0)!r} needs a quoted reason"
            )


def test_code_pages_have_blocks_that_run() -> None:
    """The guides are made of code that runs: a page of only skipped blocks is a defect."""
    for path in PAGES:
        text = path.read_text(encoding="utf-8")
        if "```python" in text and f"```{OUTPUT_INFO}" not in text:
            pytest.fail(f"{path.relative_to(ROOT)} has python blocks but shows no output")
