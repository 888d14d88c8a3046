"""Loopback emulators for the rows that use a real socket (rows 5 and 6).

Rows 5 and 6 talk to the emulator over a real socket. `emulator_thread` serves it from a
thread of this process (row 6, where both sides share it alike). `emulator_process`
serves it from a process of its own and stamps when each response's first body bytes
left it (row 5, time to first chunk): a server in the
client's process shares the GIL with it, so the client, woken by the first bytes, waits
until the server's thread lets the GIL go, and the row would time the server's scheduling
more than the client. A vendor's server is never in the client's process.

Run as ``python -m tests.benchmarks._servers STAMP_FILE``, this module is that process:
it prints its port once it listens, writes each first-body time into ``STAMP_FILE`` (a
shared mapping, read by the parent), and stops when its standard input closes.
"""

from __future__ import annotations

import contextlib
import logging
import mmap
import select
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import uvicorn

from assistant_bridge.emulator import create_app

_ROOT = Path(__file__).resolve().parents[2]
"""The project root: the child runs from it, so ``tests.benchmarks`` imports there."""
_STAMP = struct.Struct("d")
_START_TIMEOUT = 30.0


def system_clock() -> float:
    """Seconds on ``CLOCK_MONOTONIC``, one clock for every process of the machine (Unix)."""
    return time.clock_gettime(time.CLOCK_MONOTONIC)


class _RecordFirstBody:
    """The app, calling ``record`` when a response sends its first body bytes."""

    def __init__(self, app: Any, record: Callable[[], None]) -> None:
        self.app = app
        self.record = record

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        sent = False

        async def timed_send(message: Any) -> None:
            nonlocal sent
            if message["type"] == "http.response.body" and message.get("body") and not sent:
                sent = True
                self.record()
            await send(message)

        await self.app(scope, receive, timed_send)


@contextlib.contextmanager
def _serving(record: Callable[[], None] | None = None) -> Iterator[int]:
    """The emulator on a free loopback port, in a thread; yields the port once it listens.

    ``record`` (optional) is called when a response sends its first body bytes.
    """
    # Streams left mid-pause are cancelled at shutdown; that is expected here, not news.
    quiet = logging.Filter("nothing")  # a filter naming no logger drops every record
    logging.getLogger("uvicorn.error").addFilter(quiet)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    app = create_app()
    config = uvicorn.Config(
        app if record is None else _RecordFirstBody(app, record),
        log_level="warning",
        access_log=False,
        http="h11",
        lifespan="off",
        timeout_graceful_shutdown=1,
        backlog=1024,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the emulator did not start")
            time.sleep(0.01)
        yield int(sock.getsockname()[1])
    finally:
        server.should_exit = True
        thread.join(timeout=5)
        sock.close()
        logging.getLogger("uvicorn.error").removeFilter(quiet)


@contextlib.contextmanager
def emulator_thread() -> Iterator[str]:
    """The emulator in a thread of this process on a free loopback port; yields its URL."""
    with _serving() as port:
        yield f"http://127.0.0.1:{port}"


@contextlib.contextmanager
def emulator_process() -> Iterator[tuple[str, Callable[[], float]]]:
    """The emulator in a process of its own on a free loopback port.

    Yields its URL and a function giving the `system_clock` time at which the latest
    response sent its first body bytes. The process stops when the block ends.
    """
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "first-body"
        path.write_bytes(bytes(_STAMP.size))
        child = subprocess.Popen(
            [sys.executable, "-m", __name__, str(path)],
            cwd=_ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert child.stdin is not None
        assert child.stdout is not None
        try:
            ready, _, _ = select.select([child.stdout], [], [], _START_TIMEOUT)
            line = child.stdout.readline() if ready else ""
            if not line.strip().isdigit():
                raise RuntimeError(f"the emulator process did not start (it said {line!r})")
            with path.open("r+b") as file, mmap.mmap(file.fileno(), _STAMP.size) as shared:
                yield f"http://127.0.0.1:{int(line)}", lambda: float(_STAMP.unpack_from(shared)[0])
        finally:
            child.stdin.close()  # the child stops at the end of its input
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
            child.stdout.close()


def _serve(path: str) -> None:
    """The child of `emulator_process`: serve until standard input closes."""
    with open(path, "r+b") as file, mmap.mmap(file.fileno(), _STAMP.size) as shared:

        def record() -> None:
            _STAMP.pack_into(shared, 0, system_clock())

        with _serving(record) as port:
            print(port, flush=True)
            sys.stdin.read()


if __name__ == "__main__":
    _serve(sys.argv[1])
