"""Running notebooks in tests: a kernel of this interpreter, offline, and one executor.

Used by ``tests/examples`` (the notebooks of ``examples/``) and ``tests/docs`` (the
integration pages of ``docs/integrations/``). The kernel runs ``sys.executable`` (not
whatever "python3" means elsewhere) with every vendor variable and ``AGENT_MODEL``
removed, so each notebook starts the embedded emulator itself.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

VENDOR_PREFIXES = ("UNLEASH_", "JYLO_", "ZAIA_")


@pytest.fixture(scope="module")
def kernel_name(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A kernel spec that runs this interpreter, with no vendor variable set."""
    name = "assistant-bridge-tests"
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


def execute_notebook(path: Path, kernel_name: str, *, timeout: int = 60) -> str:
    """Run every cell of ``path`` in its folder (an error in any raises); return the text printed."""
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name=kernel_name,
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    texts = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            assert output.get("name") != "stderr" or "Traceback" not in output.get("text", "")
            texts.append(output.get("text", ""))
    return "".join(texts)


def assert_stored_without_outputs(path: Path) -> None:
    """Code cells have no outputs and no execution count; every cell has an id."""
    notebook = json.loads(path.read_text())
    assert notebook["metadata"]["kernelspec"]["name"] == "python3"
    for cell in notebook["cells"]:
        assert cell.get("id"), f"{path.name}: a cell without an id"
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [], f"{path.name}: {cell['id']} has outputs"
            assert cell["execution_count"] is None, f"{path.name}: {cell['id']} was run"
