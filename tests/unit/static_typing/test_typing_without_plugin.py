"""mypy --strict WITHOUT the pydantic plugin accepts the documented constructor calls.

Users who do not enable ``pydantic.mypy`` see the adapters through ``dataclass_transform``
only: ``model=`` must be a parameter name, and ``filters=`` must take a mapping. One mypy
run checks the documented calls (``readme_constructors.py``, which must pass) and a file of
typos (which the typing must catch).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent
SRC = HERE.parents[2] / "src"

TYPOS = """\
from assistant_bridge.langchain import ChatUnleash, UnleashSearchRetriever
from assistant_bridge.llama_index import UnleashRetriever

ChatUnleash(tempreature=0.3)
UnleashSearchRetriever(filters=["app_id"])
UnleashRetriever(similarity_topk=3)
"""


def test_mypy_without_the_pydantic_plugin(tmp_path: Path) -> None:
    config = tmp_path / "mypy.ini"
    config.write_text("[mypy]\nstrict = True\npython_version = 3.10\n")  # no plugins
    typos = tmp_path / "typos.py"
    typos.write_text(TYPOS)
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--config-file",
            str(config),
            "--cache-dir",
            str(tmp_path / "cache"),
            "--no-error-summary",
            str(HERE / "readme_constructors.py"),
            str(typos),
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=False,
        timeout=300,
    )
    errors = [line for line in done.stdout.splitlines() if ": error:" in line]
    assert [e for e in errors if "readme_constructors.py" in e] == [], done.stdout
    assert len(errors) == 3, done.stdout + done.stderr
    assert (
        'Unexpected keyword argument "tempreature" for "ChatUnleash"; did you mean "temperature"?'
        in errors[0]
    )
    assert (
        'Argument "filters" to "UnleashSearchRetriever" has incompatible type "list[str]"'
        in errors[1]
    )
    assert 'Argument "similarity_topk" to "UnleashRetriever"' in errors[2]
