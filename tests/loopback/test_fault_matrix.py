"""The fault matrix: every client and adapter call, sync and async, under every fault.

For each call in `_fault_ops.OPS` and each fault the emulator injects (429 with
Retry-After, 500, 502, 503 once; 429 and 503 on every attempt; a connection dropped
before the response; a stream cut after two events (a chat v2 answer is an event stream
even when read whole); a malformed event or body; a first
byte slower than the read timeout; a success with nothing in it (an empty body, a sign-in
page, a 204, a 302 without ``Location``); a body shorter than its ``Content-Length``; a
drop after the server acted; a redirect to another origin), the call must end within
`BOUND` seconds in either

- a successful retry whose answer equals the answer the same call gives without a fault
  (no partial answer passes as complete), or
- the documented typed error,

and the emulator must have seen exactly the attempts the retry policy allows: a POST that
creates something is repeated only after 429 or 503 (the server did not act on it), and
the vendor stores hold exactly one copy of what it created, or nothing when the server
never processed it. Retries do not really wait: each client records its sleeps, which
also prove ``Retry-After`` was honoured.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import anyio
import httpx
import pytest

from assistant_bridge import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    InternalServerError,
    JyloClient,
    RateLimitError,
    StreamError,
    ZaiaClient,
)
from assistant_bridge.emulator import EMULATOR_KEYS, EmulatorURL, run_emulator

from ._fault_ops import OPS, PER_CALL, QUESTION, TLS, Env, Ids, Op

CONTROL = httpx.Client(verify=TLS, timeout=10)
"""Resets and counts, never faulted (one client for the module: cheap requests)."""

BOUND = 10.0
"""No case may take longer than this (seconds); a hang fails the case instead of the run."""
SLOW = 0.2
"""The slow first byte: the emulator waits this long before it answers."""
SLOW_READ_TIMEOUT = 0.05
"""The clients' read timeout in the slow-first-byte cases (well below `SLOW`)."""

FAULTS = {
    "429": "429:1;times=1",
    "429-always": "429:0",
    "503-always": "503:0",
    "500": "500;times=1",
    "502": "502;times=1",
    "503": "503;times=1",
    "drop": "drop;times=1",
    "cut": "cut-after:2",
    "malformed": "malformed",
    "slow": f"slow-first-byte:{SLOW}",
    "empty-blank": "empty:blank",
    "empty-html": "empty:html",
    "empty-204": "empty:204",
    "empty-3xx": "empty:3xx",
    "short-body": "short-body;times=1",
    "drop-after": "drop-after;times=1",
    "redirect": "redirect",
}

Outcome = tuple[tuple[type[BaseException], ...] | None, int | None, bool | None]


def expected(op: Op, kind: str) -> Outcome:
    """(error classes or None for success, attempts the server sees, whether it acted).

    Whether the server acted on a request whose client timed out depends on when it
    notices the client left (None: either, but at most once). Attempts None: a read may
    or may not be tried again after an answer with nothing in it.
    """
    if kind.startswith("empty-"):  # a success with nothing in it is never an answer
        return (APIError, StreamError), 1 if op.creates else None, False
    if kind == "redirect":  # never followed to another origin, never repeated
        return (APIError,), 1, False
    if kind in ("short-body", "drop-after", "malformed") and op.resumes:
        return None, 1, True  # the write reads back what the server stored: done, once
    if kind in ("short-body", "drop-after"):  # the server acted; only a read may be repeated
        if not op.creates:
            return None, 2, True
        return (APIConnectionError, StreamError), 1, True
    if kind in ("429", "503"):  # the server says it did not act: even a POST is repeated
        return None, 2, True
    if kind == "429-always":  # the retry budget (1) spent, the rate limit is raised
        return (RateLimitError,), 2, False
    if kind == "503-always":
        return (InternalServerError,), 2, False
    if kind in ("500", "502"):
        return (None, 2, True) if not op.creates else ((InternalServerError,), 1, False)
    if kind == "drop":
        return (None, 2, True) if not op.creates else ((APIConnectionError,), 1, False)
    if kind == "cut":  # a stream read as it comes, or read whole, breaks; a JSON body ignores it
        if op.streamed:
            return (StreamError,), 1, True
        return ((APIConnectionError,), 1, True) if op.event_body else (None, 1, True)
    if kind == "malformed":  # an event stream's bad event, or a bad JSON body
        return (StreamError, APIError), 1, True
    assert kind == "slow"  # a read is retried after a timeout, a POST never
    return (APITimeoutError,), 1 if op.creates else 2, None


# -- the emulator and what the calls need from it --------------------------------------
@pytest.fixture(scope="module")
def url() -> Iterator[EmulatorURL]:
    with run_emulator() as base:
        yield base


@pytest.fixture(scope="module")
def ids(url: EmulatorURL) -> Ids:
    jylo = JyloClient(
        client_id=EMULATOR_KEYS["jylo_client_id"],
        client_secret=EMULATOR_KEYS["jylo_client_secret"],
        project_id=EMULATOR_KEYS["jylo_project_id"],
        base_url=url.jylo,
        token_url=url.jylo_token,
        settings_url=url.jylo_settings,
    )
    with jylo, ZaiaClient(EMULATOR_KEYS["zaia"], base_url=url.zaia) as zaia:
        model = jylo.list_models()[0].object_identifier
        assistant = jylo.list_assistants().items[0].object_identifier
        chat = zaia.list_chats().items[0].id
    token = CONTROL.post(
        url.jylo_token,
        data={
            "grant_type": "client_credentials",
            "client_id": EMULATOR_KEYS["jylo_client_id"],
            "client_secret": EMULATOR_KEYS["jylo_client_secret"],
            "audience": "https://jga.jylo.ai/external/v2",
        },
    ).json()["access_token"]
    assert model
    assert assistant
    assert chat
    return Ids(token=token, assistant=assistant, model=model, chat=str(chat))


def reset(url: EmulatorURL, ids: Ids, op: Op) -> None:
    assert CONTROL.post(f"{url}/_emulator/reset").status_code == 200
    if op.seed:
        with Env(url, ids, "", 30.0).jylo() as client:
            client.create_message(ids.assistant, "Seed question", model_identifier=ids.model)


def stored(url: EmulatorURL, ids: Ids) -> dict[str, int]:
    """How many messages each vendor store holds (read without faults)."""
    project = EMULATOR_KEYS["jylo_project_id"]
    jylo = CONTROL.get(
        f"{url.jylo}/projects/{project}/assistants/{ids.assistant}/messages",
        params={"pageSize": 100},
        headers={"authorization": f"Bearer {ids.token}"},
    )
    zaia = CONTROL.get(
        f"{url.zaia}/api/v1/chat-messages",
        params={"chatId": ids.chat, "pagination.limit": 1000},
        headers={"authorization": EMULATOR_KEYS["zaia"]},
    )
    return {"jylo": len(jylo.json()), "zaia": len(zaia.json())}


def attempts(url: EmulatorURL, fault: str) -> int:
    counts = CONTROL.get(f"{url}/_emulator/status").json()["faultCounts"]
    return int(counts.get(fault, 0))


# -- running one call within the bound ---------------------------------------------------
def run_sync(op: Op, env: Env) -> tuple[str | None, BaseException | None]:
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = op.run(env)
        except BaseException as exc:
            box["error"] = exc

    worker = threading.Thread(target=target, daemon=True)
    worker.start()
    worker.join(BOUND)
    assert not worker.is_alive(), f"{op.name} under {env.fault!r} did not end within {BOUND}s"
    return box.get("value"), box.get("error")


async def run_async(op: Op, env: Env) -> tuple[str | None, BaseException | None]:
    try:
        with anyio.fail_after(BOUND):
            return await op.run(env), None  # type: ignore[misc]
    except TimeoutError:
        pytest.fail(f"{op.name} under {env.fault!r} did not end within {BOUND}s")
    except Exception as exc:
        return None, exc


_BASELINES: dict[str, str] = {}


async def baseline(op: Op, url: EmulatorURL, ids: Ids) -> str:
    """The answer of the call without any fault (from the same starting state)."""
    if op.name not in _BASELINES:
        reset(url, ids, op)
        env = Env(url, ids, "", 30.0)
        value, error = await run_async(op, env) if op.is_async else run_sync(op, env)
        assert error is None, f"{op.name} fails without a fault: {error!r}"
        assert value is not None
        _BASELINES[op.name] = value
    return _BASELINES[op.name]


# -- the matrix --------------------------------------------------------------------------
@pytest.mark.parametrize("kind", list(FAULTS))
@pytest.mark.parametrize("op", OPS, ids=[op.name for op in OPS])
async def test_fault_ends_in_a_retry_or_a_typed_error(
    op: Op, kind: str, url: EmulatorURL, ids: Ids
) -> None:
    clean = await baseline(op, url, ids)
    fault = FAULTS[kind]
    reset(url, ids, op)
    before = stored(url, ids)
    env = Env(url, ids, fault, SLOW_READ_TIMEOUT if kind == "slow" else 30.0, posts_only=op.resumes)

    value, error = await run_async(op, env) if op.is_async else run_sync(op, env)

    errors, tries, acted = expected(op, kind)
    if errors is None:
        assert error is None, f"expected a successful retry, got {error!r}"
        assert value == clean, "the answer differs from the answer without a fault"
    else:
        assert isinstance(error, errors), f"expected {errors}, got {error!r}"
        assert value is None
    if kind == "429":
        assert env.sleeps == [1.0], "Retry-After: 1 was not honoured"
    if kind in ("503", "500", "502", "drop") and errors is None:
        assert len(env.sleeps) == 1
    if op.requests == 1 and tries is not None:
        assert attempts(url, fault) == tries, "the emulator saw the wrong number of attempts"
    elif op.creates and tries is not None:
        assert attempts(url, fault) <= tries

    if kind == "slow" and op.store is not None:
        await anyio.sleep(SLOW)  # let the server finish with the request before counting
    after = stored(url, ids)
    created = {name: after[name] - before[name] for name in after}
    want = {name: 0 for name in after}
    if op.store is not None and acted is not False:
        want[op.store] = PER_CALL[op.store]
    if acted is None and op.store is not None and created[op.store] == 0:
        want[op.store] = 0  # the server saw the client leave before it stored anything
    assert created == want, "a POST was repeated, or lost"


def test_a_clean_call_stores_one_question_and_one_reply(url: EmulatorURL, ids: Ids) -> None:
    """The store count the matrix relies on: Jylo keeps the question and its reply."""
    op = next(o for o in OPS if o.name == "jylo.create_message")
    reset(url, ids, op)
    with Env(url, ids, "", 30.0).jylo() as client:
        reply = client.create_message(ids.assistant, QUESTION, model_identifier=ids.model)
        listed = client.list_messages(ids.assistant, desc=False)
    assert [m.is_assistant for m in listed] == [False, True]
    assert listed.items[-1].text == reply.text
    assert stored(url, ids)["jylo"] == 2


def test_a_slow_first_byte_within_the_timeout_is_not_an_error(url: EmulatorURL, ids: Ids) -> None:
    op = next(o for o in OPS if o.name == "unleash.search")
    reset(url, ids, op)
    started = time.monotonic()
    assert op.run(Env(url, ids, "slow-first-byte:0.05", 5.0))
    assert time.monotonic() - started >= 0.05
