"""A local emulator of the Unleash, Jylo and Zaia APIs (extra ``emulator``).

It is the package's offline default and the source of the recorded test cassettes:
deterministic, extractive answers built from a small bundled corpus (a fictional
company's pages, tickets, mails, events, files and people), the vendors' wire formats,
and fault injection. Unleash is served at the root, Jylo under ``/jylo``, Zaia under
``/zaia``; `EMULATOR_KEYS` holds the credentials it accepts.

    with run_emulator() as base_url:
        client = UnleashClient(EMULATOR_KEYS["unleash"], base_url=base_url)

What it says: by default only what the vendors document (the ``documented`` dialect);
``extended`` adds what the package infers the services also send. Choose it with
``run_emulator(dialect=...)``, ``assistant-bridge emulator --dialect ...`` or the
``x-emulator-dialect`` header; pick among shapes the documents leave open with
``x-emulator-variant`` (see `VARIANTS`). Unleash is also served under ``/e-api``.

Faults: send ``x-emulator-fault: 503;times=1`` (see `FAULT_HEADER` and `parse_faults`)
on a request, or start the emulator with ``run_emulator(faults=...)`` /
``assistant-bridge emulator --fault ...``. ``POST /_emulator/reset`` restores the
starting state; ``GET /_emulator/status`` reports open streams and fault counters.
"""

try:
    import starlette  # noqa: F401
    import uvicorn  # noqa: F401
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(
        "the emulator needs the 'emulator' extra: pip install 'assistant-bridge[emulator]'"
    ) from exc

from ._app import EmulatorConfig, create_app
from ._data import EMULATOR_KEYS
from ._dialect import DIALECT_ENV, DIALECT_HEADER, DIALECTS, VARIANT_HEADER, VARIANTS
from ._faults import FAULT_HEADER, parse_faults
from ._server import EmulatorURL, emulator_env, run_emulator, serve

__all__ = [
    "DIALECTS",
    "DIALECT_ENV",
    "DIALECT_HEADER",
    "EMULATOR_KEYS",
    "FAULT_HEADER",
    "VARIANTS",
    "VARIANT_HEADER",
    "EmulatorConfig",
    "EmulatorURL",
    "create_app",
    "emulator_env",
    "parse_faults",
    "run_emulator",
    "serve",
]
