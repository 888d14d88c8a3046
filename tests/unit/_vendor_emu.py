"""Jylo and Zaia clients wired to the in-process emulator (no sockets, no sleeps).

The async clients use ``httpx.ASGITransport``; the sync clients use `SyncASGITransport`,
which runs each request through the same ASGI app on a short-lived event loop (the body
is read whole, so this proves what is sent and parsed, not incremental delivery).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from dataclasses import dataclass
from typing import Any

import anyio
import httpx

from assistant_bridge.emulator import EMULATOR_KEYS, create_app
from assistant_bridge.jylo import AsyncJyloClient, JyloClient
from assistant_bridge.zaia import AsyncZaiaClient, ZaiaClient

BASE = "http://emulator.test"
JYLO_MODEL = "0f8a6c2e-3b1d-4e5f-9a7b-1c2d3e4f5a6b"


class SyncASGITransport(httpx.BaseTransport):
    """A sync transport over an ASGI app; records every request it passes on."""

    def __init__(self, app: Any) -> None:
        self._inner = httpx.ASGITransport(app=app)
        self.requests: list[httpx.Request] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        self.requests.append(request)

        async def run() -> httpx.Response:
            forwarded = httpx.Request(
                request.method, request.url, headers=request.headers, content=body
            )
            response = await self._inner.handle_async_request(forwarded)
            content = await response.aread()
            return httpx.Response(response.status_code, headers=response.headers, content=content)

        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return anyio.run(run)
        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:  # inside async tests
            return pool.submit(anyio.run, run).result()


class RecordingASGITransport(httpx.ASGITransport):
    """``httpx.ASGITransport`` that records every request."""

    def __init__(self, app: Any) -> None:
        super().__init__(app=app)
        self.requests: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        self.requests.append(request)
        return await super().handle_async_request(request)


@dataclass
class Emulator:
    """One emulator app with recording transports for sync and async clients."""

    app: Any
    sync_transport: SyncASGITransport
    async_transport: RecordingASGITransport

    @classmethod
    def start(cls) -> Emulator:
        app = create_app()
        return cls(app, SyncASGITransport(app), RecordingASGITransport(app))

    def jylo_kwargs(self) -> dict[str, Any]:
        return {
            "client_id": EMULATOR_KEYS["jylo_client_id"],
            "client_secret": EMULATOR_KEYS["jylo_client_secret"],
            "project_id": EMULATOR_KEYS["jylo_project_id"],
            "base_url": f"{BASE}/jylo",
            "token_url": f"{BASE}/jylo/oauth/token",
            "settings_url": f"{BASE}/jylo/settings",
            "max_retries": 0,
        }

    def jylo(self) -> JyloClient:
        return JyloClient(
            **self.jylo_kwargs(), http_client=httpx.Client(transport=self.sync_transport)
        )

    def ajylo(self) -> AsyncJyloClient:
        return AsyncJyloClient(
            **self.jylo_kwargs(), http_client=httpx.AsyncClient(transport=self.async_transport)
        )

    def zaia(self) -> ZaiaClient:
        return ZaiaClient(
            EMULATOR_KEYS["zaia"],
            base_url=f"{BASE}/zaia",
            max_retries=0,
            http_client=httpx.Client(transport=self.sync_transport),
        )

    def azaia(self) -> AsyncZaiaClient:
        return AsyncZaiaClient(
            EMULATOR_KEYS["zaia"],
            base_url=f"{BASE}/zaia",
            max_retries=0,
            http_client=httpx.AsyncClient(transport=self.async_transport),
        )

    def posts(self, path_end: str) -> list[httpx.Request]:
        """Every recorded POST (sync and async) whose path ends with ``path_end``."""
        every = [*self.sync_transport.requests, *self.async_transport.requests]
        return [r for r in every if r.method == "POST" and r.url.path.endswith(path_end)]
