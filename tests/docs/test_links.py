"""Links in the Markdown pages and notebooks point at files and headings that exist.

``mkdocs build --strict`` (run by .ci/run) checks the links between the site's Markdown
pages. This covers what it does not see: the top-level pages (README, CONTRIBUTING,
CHANGELOG), the markdown cells of the notebooks, and links into the repository by its
URL, which are checked offline against the working tree. Other web links are not
fetched (the tests never go online).
"""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path
from urllib.parse import unquote

import pytest
from markdown.extensions.toc import slugify

from ._blocks import ROOT, markdown_pages

REPO_URL = "https://github.com/assistant-bridge/assistant-bridge"
REFERENCE = ROOT / "docs" / "reference"
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
FENCE = re.compile(r"^(```|~~~).*?^\1", re.M | re.S)
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.M)
EXPLICIT_ID = re.compile(r"\{\s*#([\w-]+)\s*\}\s*$")


def notebooks() -> list[Path]:
    return sorted((ROOT / "docs").rglob("*.ipynb")) + sorted((ROOT / "examples").glob("*.ipynb"))


def markdown_text(path: Path) -> str:
    """A page's text without its code blocks (a link in code is not a link)."""
    if path.suffix == ".ipynb":
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        text = "\n\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    else:
        text = path.read_text(encoding="utf-8")
    return FENCE.sub("", text)


def documented(path: Path, anchor: str) -> bool:
    """Whether an API reference page renders ``anchor`` (mkdocstrings ids are dotted paths).

    The anchor must name a public object that exists, under one of the page's
    ``::: module`` directives.
    """
    roots = re.findall(r"^::: ([\w.]+)", path.read_text(encoding="utf-8"), re.M)
    if not any(anchor == root or anchor.startswith(root + ".") for root in roots):
        return False
    parts = anchor.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            target: object = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for name in parts[cut:]:
            if name.startswith("_") or not hasattr(target, name):
                return False
            target = getattr(target, name)
        return True
    return False


def anchors(path: Path) -> set[str]:
    """The heading ids python-markdown's toc gives a page (duplicates get ``_1``, ``_2``)."""
    found: set[str] = set()
    for heading in HEADING.findall(markdown_text(path)):
        explicit = EXPLICIT_ID.search(heading)
        if explicit:
            found.add(explicit.group(1))
            continue
        plain = re.sub(r"[`*_]|\[([^\]]*)\]\([^)]*\)", r"\1", heading)
        slug, n = slugify(plain, "-"), 1
        while slug in found:
            slug = f"{slugify(plain, '-')}_{n}"
            n += 1
        found.add(slug)
    return found


def targets(path: Path) -> list[tuple[Path, str, str]]:
    """(file, anchor, link as written) for each link into this repository."""
    out = []
    for link in LINK.findall(markdown_text(path)):
        if link.startswith(REPO_URL + "/"):
            rest = link[len(REPO_URL) + 1 :]
            match = re.match(r"(?:blob|tree)/main/([^#?]*)(?:#(.*))?$", rest)
            if match is None:
                if rest.split("#")[0] in ("issues", ""):
                    continue
                pytest.fail(f"{path.name}: {link} is not a blob/tree/main link")
            out.append((ROOT / unquote(match.group(1)), match.group(2) or "", link))
        elif re.match(r"^[a-z][a-z0-9+.-]*:", link):
            continue  # another site, or mailto:
        else:
            file, _, anchor = link.partition("#")
            resolved = (path.parent / unquote(file)).resolve() if file else path
            out.append((resolved, anchor, link))
    return out


PAGES = markdown_pages() + notebooks()


@pytest.mark.parametrize("path", PAGES, ids=[str(p.relative_to(ROOT)) for p in PAGES])
def test_links_point_at_files_and_headings_that_exist(path: Path) -> None:
    broken = []
    for target, anchor, link in targets(path):
        if not target.exists():
            broken.append(f"{link} (no such file)")
        elif not anchor or target.suffix not in (".md", ".ipynb") or anchor in anchors(target):
            continue
        elif target.parent != REFERENCE or not documented(target, anchor):
            broken.append(f"{link} (no heading with id {anchor!r})")
    assert broken == [], f"{path.relative_to(ROOT)}: broken links: {broken}"


def test_the_checker_finds_a_broken_link_and_a_broken_anchor(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    (tmp_path / "other.md").write_text("# Other\n\n## A `code` heading\n")
    page.write_text(
        "[ok](other.md#a-code-heading) [gone](missing.md) [bad](other.md#nope)\n"
        f"[repo]({REPO_URL}/blob/main/pyproject.toml) [web](https://example.org/x)\n"
        "```md\n[in code](nowhere.md)\n```\n"
    )
    found = {(t.name, a) for t, a, _ in targets(page)}
    assert found == {
        ("other.md", "a-code-heading"),
        ("missing.md", ""),
        ("other.md", "nope"),
        ("pyproject.toml", ""),
    }
    assert "a-code-heading" in anchors(tmp_path / "other.md")
    assert "nope" not in anchors(tmp_path / "other.md")


def test_reference_anchors_must_name_a_documented_public_object() -> None:
    page = REFERENCE / "langchain.md"
    assert documented(page, "assistant_bridge.langchain.ChatUnleash")
    assert documented(page, "assistant_bridge.langchain.ChatUnleash.invoke")
    assert not documented(page, "assistant_bridge.langchain.ChatUnleashh")
    assert not documented(page, "assistant_bridge.langchain.ChatUnleash._generate")
    assert not documented(page, "assistant_bridge.llama_index.Unleash"), "not on this page"
