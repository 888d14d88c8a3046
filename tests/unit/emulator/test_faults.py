"""Reading the emulator's fault sets and counting their ``times`` limits."""

from __future__ import annotations

import pytest

from assistant_bridge.emulator._faults import FaultBook, FaultPlan, FaultSyntaxError, parse_faults


def test_empty_header_is_no_fault() -> None:
    assert parse_faults(None) == ()
    assert parse_faults("  ") == ()
    assert not FaultBook().plan(None).any


def test_each_fault_sets_its_part_of_the_plan() -> None:
    plan = FaultBook().plan("429:3, cut-after:2, malformed, slow-first-byte:0.5, pace:0.1")
    assert plan == FaultPlan(
        status=429, retry_after=3.0, cut_after=2, malformed=True, slow_first_byte=0.5, pace=0.1
    )
    assert FaultBook().plan("drop").drop
    assert FaultBook().plan("502").status == 502


def test_times_limits_a_fault_to_the_first_requests() -> None:
    book = FaultBook()
    statuses = [book.plan("503;times=2").status for _ in range(4)]
    assert statuses == [503, 503, None, None]
    book.reset()
    assert book.plan("503;times=2").status == 503


def test_default_faults_apply_to_every_request_and_count_too() -> None:
    book = FaultBook(default=parse_faults("500;times=1"))
    assert book.plan(None).status == 500
    assert book.plan(None).status is None


def test_header_faults_combine_with_defaults() -> None:
    book = FaultBook(default=parse_faults("pace:0.2"))
    plan = book.plan("cut-after:1")
    assert plan.pace == 0.2
    assert plan.cut_after == 1


@pytest.mark.parametrize(
    "text", ["teapot", "cut-after", "pace:fast", "503;times=x", "503;every=2", "pace:-1"]
)
def test_bad_fault_sets_are_rejected(text: str) -> None:
    with pytest.raises(FaultSyntaxError):
        parse_faults(text)


def test_after_lets_the_first_requests_pass() -> None:
    book = FaultBook()
    statuses = [book.plan("500;after=2;times=1").status for _ in range(5)]
    assert statuses == [None, None, 500, None, None]
    book.reset()
    assert [book.plan("drop;after=1").drop for _ in range(3)] == [False, True, True]


def test_the_new_faults_set_their_part_of_the_plan() -> None:
    assert FaultBook().plan("empty:null").empty == "null"
    assert FaultBook().plan("stop-after:3").stop_after == 3
    assert FaultBook().plan("short-body").short_body
    assert FaultBook().plan("drop-after").drop_after
    assert FaultBook().plan("redirect").redirect == ""
    assert FaultBook().plan("redirect:http://127.0.0.1:9/x").redirect == "http://127.0.0.1:9/x"
    assert FaultBook().plan("echo-auth").echo_auth == 400
    assert FaultBook().plan("echo-auth:401").echo_auth == 401


@pytest.mark.parametrize(
    "text",
    [
        "empty",
        "empty:nothing",
        "stop-after",
        "short-body:1",
        "drop-after:2",
        "echo-auth:200",
        "500;after=x",
    ],
)
def test_bad_new_fault_sets_are_rejected(text: str) -> None:
    with pytest.raises(FaultSyntaxError):
        parse_faults(text)
