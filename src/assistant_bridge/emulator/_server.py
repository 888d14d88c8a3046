"""Serving the emulator: uvicorn on loopback, in the foreground or in a background thread.

``with run_emulator() as base_url:`` binds a free loopback port, starts uvicorn on it in
a daemon thread, waits until it serves, yields its base URL (Unleash at the root, Jylo
under ``/jylo``, Zaia under ``/zaia``; see `EmulatorURL`), and stops it on exit. The
thread is a daemon, so a forgotten emulator never keeps the process alive.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator

import uvicorn

from ._app import EmulatorConfig, create_app
from ._data import EMULATOR_KEYS
from ._middleware import DEFAULT_MAX_BODY, quiet_uvicorn_errors

__all__ = ["LOOPBACK", "EmulatorURL", "emulator_env", "run_emulator", "serve"]

LOOPBACK = "127.0.0.1"


class EmulatorURL(str):
    """The emulator's base URL (a ``str``), with each vendor's base URL as an attribute."""

    __slots__ = ()

    @property
    def unleash(self) -> str:
        """The Unleash base URL (the root)."""
        return str(self)

    @property
    def unleash_tenant(self) -> str:
        """The Unleash API under ``/e-api``, as the vendor's JS SDK reaches a tenant's host."""
        return f"{self}/e-api"

    @property
    def jylo(self) -> str:
        """The Jylo project API base URL."""
        return f"{self}/jylo"

    @property
    def jylo_token(self) -> str:
        """The Jylo OAuth2 token endpoint."""
        return f"{self}/jylo/oauth/token"

    @property
    def jylo_settings(self) -> str:
        """The Jylo settings API base URL (``GET {jylo_settings}/models``)."""
        return f"{self}/jylo/settings"

    @property
    def zaia(self) -> str:
        """The Zaia API base URL."""
        return f"{self}/zaia"


def emulator_env(url: str) -> dict[str, str]:
    """Environment variables that point every client of this package at the emulator."""
    base = EmulatorURL(url)
    return {
        "UNLEASH_BASE_URL": base.unleash,
        "UNLEASH_API_KEY": EMULATOR_KEYS["unleash"],
        "JYLO_BASE_URL": base.jylo,
        "JYLO_TOKEN_URL": base.jylo_token,
        "JYLO_SETTINGS_URL": base.jylo_settings,
        "JYLO_CLIENT_ID": EMULATOR_KEYS["jylo_client_id"],
        "JYLO_CLIENT_SECRET": EMULATOR_KEYS["jylo_client_secret"],
        "JYLO_PROJECT_ID": EMULATOR_KEYS["jylo_project_id"],
        "ZAIA_BASE_URL": base.zaia,
        "ZAIA_API_KEY": EMULATOR_KEYS["zaia"],
    }


def _config(config: EmulatorConfig, port: int, log_level: str) -> uvicorn.Config:
    quiet_uvicorn_errors()
    return uvicorn.Config(
        create_app(config),
        host=LOOPBACK,
        port=port,
        log_level=log_level,
        access_log=False,
        http="h11",
        lifespan="off",
        timeout_graceful_shutdown=1,
    )


@contextlib.contextmanager
def run_emulator(
    *,
    faults: str | None = None,
    port: int = 0,
    jylo_token_lifetime: int = 3600,
    dialect: str | None = None,
    variants: str | None = None,
    max_body_bytes: int = DEFAULT_MAX_BODY,
    startup_timeout: float = 10.0,
) -> Iterator[EmulatorURL]:
    """Run the emulator in a background thread for the ``with`` block; yield its base URL.

    Args:
        faults: a default fault set applied to every request, e.g. ``"503;times=1"``.
        port: a loopback port; 0 (the default) picks a free one.
        jylo_token_lifetime: seconds a Jylo access token stays valid.
        dialect: ``"documented"`` (only what the vendors document) or ``"extended"``
            (plus inferred extras); None reads ``ASSISTANT_BRIDGE_EMULATOR_DIALECT``,
            else ``"documented"``. A request's ``x-emulator-dialect`` header wins.
        variants: a default variant set, e.g. ``"v2-text=snapshot, jylo-stream=ndjson"``
            (see `VARIANTS`); a request's ``x-emulator-variant`` header adds to it.
        max_body_bytes: the largest request body read; a bigger one is a 413.
        startup_timeout: seconds to wait for the server to serve.

    Raises:
        RuntimeError: the server did not start (e.g. the port is taken).
        ValueError: an unknown dialect or variant.
    """
    config = EmulatorConfig(
        faults=faults,
        jylo_token_lifetime=jylo_token_lifetime,
        dialect=dialect,
        variants=variants,
        max_body_bytes=max_body_bytes,
    )
    config.wire()  # an unknown dialect or variant fails here, not on the first request
    # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY on accepted connections only then,
    # and without it every keep-alive response waits ~40 ms for a delayed ACK.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((LOOPBACK, port))
    except OSError as exc:
        sock.close()
        raise RuntimeError(f"the emulator cannot listen on {LOOPBACK}:{port}: {exc}") from exc
    bound = int(sock.getsockname()[1])
    server = uvicorn.Server(_config(config, bound, "warning"))
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="assistant-bridge-emulator", daemon=True
    )
    thread.start()
    try:
        deadline = time.monotonic() + startup_timeout
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the emulator did not start")
            time.sleep(0.01)
        yield EmulatorURL(f"http://{LOOPBACK}:{bound}")
    finally:
        server.should_exit = True
        thread.join(timeout=5)
        sock.close()


def serve(
    *,
    port: int = 8765,
    faults: str | None = None,
    dialect: str | None = None,
    variants: str | None = None,
) -> None:
    """Run the emulator in the foreground until interrupted (``assistant-bridge emulator``).

    Args:
        port: the loopback port to listen on.
        faults: a default fault set applied to every request, e.g. ``"503;times=1"``.
        dialect: ``"documented"`` or ``"extended"`` (see `run_emulator`).
        variants: a default variant set, e.g. ``"v2-text=snapshot"``.
    """
    config = EmulatorConfig(faults=faults, dialect=dialect, variants=variants)
    config.wire()
    uvicorn.Server(_config(config, port, "info")).run()
