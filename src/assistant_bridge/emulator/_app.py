"""The emulator's ASGI app: the three vendor APIs behind one middleware (wire, size, faults).

Unleash is served at the root and under ``/e-api`` (where the vendor's JS SDK puts it on
a tenant's own host), Jylo under ``/jylo`` (its token endpoint at
``/jylo/oauth/token`` and its settings API under ``/jylo/settings``), Zaia under
``/zaia``. Emulator-only routes live under ``/_emulator/`` (never faulted):
``POST /_emulator/reset`` forgets all state and fault counters, so a test can start from
the same state every time (the emulator is deterministic from a reset);
``GET /_emulator/zaia/exports`` lists the exports Zaia recorded; ``GET /_emulator/status``
tells how many event streams are open (a test can see a stream is still being sent). Unknown paths and
methods answer problem+json, like the vendors.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.types import ASGIApp

from . import _jylo, _unleash, _zaia
from ._dialect import Wire, default_dialect, parse_variants
from ._faults import FaultBook, parse_faults
from ._http import StreamCounter, json_response, problem
from ._middleware import DEFAULT_MAX_BODY, EmulatorMiddleware

__all__ = ["EmulatorConfig", "EmulatorState", "create_app"]


@dataclass(frozen=True)
class EmulatorConfig:
    """How to start the emulator.

    Attributes:
        faults: a fault set applied to every request (see `_faults`), for clients a
            test cannot add headers to.
        jylo_token_lifetime: seconds a Jylo access token stays valid (``expires_in``).
        dialect: ``"documented"`` or ``"extended"`` (see `_dialect`); None reads
            ``ASSISTANT_BRIDGE_EMULATOR_DIALECT``, else ``"documented"``.
        variants: a variant set applied to every request, e.g. ``"v2-text=snapshot"``.
        max_body_bytes: the largest request body read; a bigger one is a 413.
    """

    faults: str | None = None
    jylo_token_lifetime: int = 3600
    dialect: str | None = None
    variants: str | None = None
    max_body_bytes: int = DEFAULT_MAX_BODY

    def wire(self) -> Wire:
        """The default dialect and variants (requests may override them by header)."""
        return Wire(dialect=default_dialect(self.dialect), variants=parse_variants(self.variants))


class EmulatorState:
    """Everything the emulator remembers: each vendor's store and the fault counters."""

    def __init__(self, config: EmulatorConfig) -> None:
        self.faults = FaultBook(default=parse_faults(config.faults))
        self.streams = StreamCounter()
        self.unleash = _unleash.UnleashStore()
        self.jylo = _jylo.JyloStore(token_lifetime=config.jylo_token_lifetime)
        self.zaia = _zaia.ZaiaStore()

    def reset(self) -> None:
        """Forget every stored message, thread, document, export and fault counter."""
        self.faults.reset()
        self.unleash.reset()
        self.jylo.reset()
        self.zaia.reset()


async def _http_error(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    titles = {404: "Not Found", 405: "Method Not Allowed"}
    detail = f"{request.method} {request.url.path} is not part of the emulated APIs."
    return problem(status, titles.get(status, "Error"), detail=detail, instance=request.url.path)


def create_app(config: EmulatorConfig | None = None) -> ASGIApp:
    """Build the emulator app (serve it with uvicorn, or call `run_emulator`)."""
    config = config or EmulatorConfig()
    state = EmulatorState(config)
    wire = config.wire()

    async def reset(request: Request) -> Response:
        state.reset()
        return json_response({"reset": True})

    async def exports(request: Request) -> Response:
        return json_response(state.zaia.exports)

    async def status(request: Request) -> Response:
        streams = {"open": state.streams.open, "started": state.streams.started}
        return json_response(
            {
                "streams": streams,
                "faultCounts": dict(state.faults.counts),
                "dialect": wire.dialect,
                "variants": wire.variants,
            }
        )

    unleash = _unleash.routes(state.unleash)
    routes: list[BaseRoute] = [
        Route("/_emulator/reset", reset, methods=["POST"]),
        Route("/_emulator/zaia/exports", exports, methods=["GET"]),
        Route("/_emulator/status", status, methods=["GET"]),
        Mount("/jylo", routes=_jylo.routes(state.jylo)),
        Mount("/zaia", routes=_zaia.routes(state.zaia)),
        Mount("/e-api", routes=unleash),
        *unleash,
    ]
    app = Starlette(routes=routes, exception_handlers={404: _http_error, 405: _http_error})
    app.state.emulator = state
    return EmulatorMiddleware(
        app, book=state.faults, streams=state.streams, wire=wire, max_body=config.max_body_bytes
    )
