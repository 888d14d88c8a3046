"""The README's first command installs everything the examples import, and nothing more.

That command installs ``assistant-bridge[all]``. Every module an example or notebook
(``examples/`` and the integration pages in ``docs/``) imports unconditionally (at the top level of a script or a notebook cell) must come from
the standard library, from this package or a sibling example module, or from a
distribution that ``assistant-bridge[all]`` requires, directly or through its own
requirements. Imports that only run with a real model (``AGENT_MODEL``, inside a function,
an ``if`` or a ``try``) are the user's choice of provider and are not counted.
"""

from __future__ import annotations

import ast
import json
import re
import sys
from importlib.metadata import (
    PackageNotFoundError,
    distributions,
    metadata,
    requires,
)
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # the test dependency group brings tomli on Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
DOC_NOTEBOOKS = ROOT / "docs"
PROJECT = "assistant-bridge"


def _name(requirement: str) -> tuple[str, set[str]]:
    """A requirement's normalised distribution name and its extras."""
    match = re.match(r"\s*([A-Za-z0-9_.\-]+)\s*(?:\[([^\]]*)\])?", requirement)
    assert match, requirement
    extras = {e.strip() for e in (match.group(2) or "").split(",") if e.strip()}
    return re.sub(r"[-_.]+", "-", match.group(1)).lower(), extras


def _installed_closure(names: set[str]) -> set[str]:
    """``names`` and every distribution they require (unconditional requirements only)."""
    seen: set[str] = set()
    todo = list(names)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            reqs = requires(name) or []
        except PackageNotFoundError:
            continue
        todo.extend(_name(r)[0] for r in reqs if "extra ==" not in r)
    return seen


def all_extra_closure() -> set[str]:
    """The distributions ``pip install -e ".[all]"`` brings in (from the installed metadata).

    Build backends may flatten an extra's references to the project's other extras
    (hatchling does); both forms are followed.
    """
    requirements = requires(PROJECT) or []
    direct: set[str] = set()
    pending, expanded = ["all"], set()
    while pending:
        extra = pending.pop()
        if extra in expanded:
            continue
        expanded.add(extra)
        for requirement in requirements:
            marker = re.search(r"""extra\s*==\s*['"]([^'"]+)['"]""", requirement)
            if marker is None or marker.group(1) != extra:
                continue
            name, wanted = _name(requirement)
            if name == PROJECT:
                pending.extend(wanted)
            else:
                direct.add(name)
    direct |= {_name(r)[0] for r in requirements if "extra ==" not in r}
    assert "dev" not in expanded, "the user command must not install the development tools"
    return _installed_closure(direct)


def module_providers() -> dict[str, list[str]]:
    """Top-level module -> the distributions that install it, read from their file lists.

    ``importlib.metadata.packages_distributions`` reads only ``top_level.txt`` on Python
    3.10, which wheels built by hatchling or pdm (langchain-core's) do not carry.
    """
    found: dict[str, list[str]] = {}
    for dist in distributions():
        tops = {
            Path(str(file)).parts[0].removesuffix(".py")
            for file in dist.files or []
            if str(file).endswith(".py") and not str(file).startswith("..")
        }
        for top in tops:
            found.setdefault(top, []).append(dist.metadata["Name"])
    return found


def _top_level_imports(source: str) -> set[str]:
    modules: set[str] = set()
    for node in ast.parse(source).body:
        if isinstance(node, ast.Import):
            modules.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules.add(node.module.split(".")[0])
    return modules


def _notebook_code(path: Path) -> str:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    lines = []
    for cell in cells:
        if cell["cell_type"] == "code":
            source = "".join(cell["source"])
            lines.append("\n".join(x for x in source.splitlines() if not x.startswith(("%", "!"))))
    return "\n".join(lines)


def example_imports() -> dict[str, set[str]]:
    """Per example file: the top-level modules it imports."""
    found = {
        p.name: _top_level_imports(p.read_text(encoding="utf-8")) for p in EXAMPLES.glob("*.py")
    }
    notebooks = [*EXAMPLES.glob("*.ipynb"), *DOC_NOTEBOOKS.rglob("*.ipynb")]
    found.update({p.name: _top_level_imports(_notebook_code(p)) for p in notebooks})
    return found


def test_every_example_import_is_installed_by_the_readme_command() -> None:
    closure = all_extra_closure()
    local = {p.stem for p in EXAMPLES.glob("*.py")} | {"assistant_bridge", "__future__"}
    providers = module_providers()
    imports = example_imports()
    assert {"agent.ipynb", "llamaindex_agent.ipynb", "self_query.py"} <= imports.keys()
    assert "langchain" in imports["agent.ipynb"], "create_agent comes from langchain"
    missing = {}
    for example, modules in imports.items():
        for module in modules - local - set(sys.stdlib_module_names):
            dists = {_name(d)[0] for d in providers.get(module, [])}
            assert dists, f"{example}: {module} is not installed at all"
            if not dists & closure:
                missing[f"{example}: {module}"] = sorted(dists)
    assert missing == {}, "imported by an example but not installed by .[all]"


def test_the_dev_tools_are_not_in_the_user_command() -> None:
    closure = all_extra_closure()
    for tool in ("pytest", "ruff", "mypy", "vcrpy", "hypothesis", "mkdocs", "sybil"):
        assert tool not in closure, f"{tool} would be installed for users"


def test_only_user_extras_are_published() -> None:
    """Development tools are PEP 735 dependency groups, which the metadata never carries."""
    published = set(metadata(PROJECT).get_all("Provides-Extra") or [])
    assert published == {"langchain", "llama-index", "emulator", "agents", "all"}
    groups = tomllib.loads((ROOT / "pyproject.toml").read_text())["dependency-groups"]
    assert {"include-group": "test"} in groups["dev"], "the test command installs the test tools"
    assert {"include-group": "docs"} in groups["dev"], "... and the site's builder"
    assert {"include-group": "lint"} in groups["dev"], "... and the linters .ci/run uses"
