"""``assistant-bridge ask``: offline it starts the emulator, streams a cited answer, exits 0."""

from __future__ import annotations

import io
import os
import subprocess
import sys

import pytest

from assistant_bridge.cli import main
from assistant_bridge.emulator import emulator_env, run_emulator

QUESTION = "What is our travel policy?"


@pytest.fixture(autouse=True)
def no_unleash_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("UNLEASH_API_KEY", "UNLEASH_BASE_URL", "UNLEASH_ACCOUNT"):
        monkeypatch.delenv(name, raising=False)


def ask(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(["ask", *args], out=out, err=err)
    return status, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("api", ["v2", "v1"])
def test_offline_ask_streams_a_cited_answer(api: str) -> None:
    status, out, err = ask(QUESTION, "--api", api)
    assert status == 0
    notices = [line for line in err.splitlines() if "emulator" in line]
    assert notices == [
        "No UNLEASH_API_KEY set: answering from the built-in emulator (offline, fictional data)."
    ]
    answer, _, sources = out.partition("\n\nSources:\n")
    assert "Every business trip must be approved by your manager in Navan" in answer
    assert answer.count("[1]") == 5
    assert "[2]" in answer
    lines = sources.splitlines()
    assert (
        lines[0]
        == "  [1] Travel and Expense Policy — https://wiki.brightwater.example/finance/travel-and-expense-policy"
    )
    assert lines[1].startswith("  [2] Travel policy update: new hotel caps from 1 March")


def test_with_a_key_it_asks_the_configured_server(monkeypatch: pytest.MonkeyPatch) -> None:
    with run_emulator() as url:
        for name, value in emulator_env(url).items():
            monkeypatch.setenv(name, value)
        status, out, err = ask("Who owns the billing service?")
    assert status == 0
    assert "emulator" not in err
    assert "Li Chen is the technical owner" in out
    assert "Sources:" in out


def test_errors_exit_1(monkeypatch: pytest.MonkeyPatch) -> None:
    with run_emulator() as url:
        monkeypatch.setenv("UNLEASH_BASE_URL", url)
        monkeypatch.setenv("UNLEASH_API_KEY", "wrong-key")
        status, _, err = ask(QUESTION)
    assert status == 1
    assert err.startswith("error: 401")


def test_the_command_runs_as_a_program() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("UNLEASH_")}
    done = subprocess.run(
        [sys.executable, "-m", "assistant_bridge.cli", "ask", QUESTION],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Sources:" in done.stdout
    assert done.stderr.startswith("No UNLEASH_API_KEY set")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--variant", "v2-text=maybe"], "v2-text: must be one of delta, snapshot"),
        (["--variant", "nope=1"], "unknown variant 'nope'"),
    ],
)
def test_the_emulator_command_refuses_unknown_variants(args: list[str], message: str) -> None:
    out, err = io.StringIO(), io.StringIO()
    assert main(["emulator", "--port", "0", *args], out=out, err=err) == 2
    assert message in err.getvalue()


def test_the_emulator_command_takes_a_dialect() -> None:
    with pytest.raises(SystemExit):
        main(["emulator", "--dialect", "chatty"], out=io.StringIO(), err=io.StringIO())
