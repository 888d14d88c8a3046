"""What the emulator says: the vendors' documented contract, or that plus inferred extras.

A *dialect* decides which fields and behaviours the emulator may use:

- ``documented`` (the default): only what the vendors' documents name (seeds 000-004,
  the Unleash OpenAPI document, the Unleash JS SDK's types). A client that works here
  works against a vendor that follows its own documents.
- ``extended``: the documented contract plus what the package infers the real services
  also send (a chat v2 ``threadId``, a plural ``references`` list in a whole v2 body,
  Zaia ``joins`` objects, ...). The clients must work with and without these.

*Variants* choose among shapes the documents leave open, one per key, so a test can
send each plausible shape the clients claim to accept (`VARIANTS` lists them, the first
value of each being the default). Both are chosen per request with the
``x-emulator-dialect`` and ``x-emulator-variant`` headers, or for every request with
``run_emulator(dialect=..., variants=...)`` / ``assistant-bridge emulator --dialect ...
--variant ...``. A variant set is a comma-separated list of ``key=value``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Literal

__all__ = [
    "DEFAULT_DIALECT",
    "DIALECTS",
    "DIALECT_ENV",
    "DIALECT_HEADER",
    "VARIANTS",
    "VARIANT_HEADER",
    "Dialect",
    "Wire",
    "WireSyntaxError",
    "default_dialect",
    "parse_dialect",
    "parse_variants",
]

Dialect = Literal["documented", "extended"]
DIALECTS: tuple[Dialect, ...] = ("documented", "extended")
DEFAULT_DIALECT: Dialect = "documented"
DIALECT_HEADER = "x-emulator-dialect"
VARIANT_HEADER = "x-emulator-variant"
DIALECT_ENV = "ASSISTANT_BRIDGE_EMULATOR_DIALECT"
"""An environment variable that sets the dialect `run_emulator` uses when given none."""

VARIANTS: dict[str, tuple[str, ...]] = {
    # Unleash chat v1 (POST /chats): where Message events carry role and parts (the
    # OpenAPI nests them under `message`, the JS SDK reads them at the top level).
    "v1-message": ("nested", "top"),
    # Streamed v1 text parts: new text only, or the whole text so far.
    "v1-text": ("delta", "snapshot"),
    # Part and event type names: as documented ("Text"), or lower case ("text").
    "v1-case": ("exact", "lower"),
    # The v1 stream's end: a closing `Full` event with the whole answer, or none.
    "v1-end": ("full", "none"),
    # Unleash chat v2 (POST /chats/v2) text chunks: deltas, or the whole text so far.
    "v2-text": ("delta", "snapshot"),
    # The v2 stream's end: nothing (the body ends), or a `data: [DONE]` sentinel.
    "v2-end": ("none", "done"),
    # The v2 answer's form: as the request's Accept asks, or always SSE, or always JSON.
    "v2-body": ("accept", "sse", "json"),
    # Jylo's streamed reply (stream: true): as Accept asks, or SSE, NDJSON, one JSON body.
    "jylo-stream": ("accept", "sse", "ndjson", "json"),
    # The Jylo stream's end: the whole stored message as the last event, or none.
    "jylo-end": ("message", "none"),
    # Jylo `textWithCitations` markers: `[n](cite:<id> "<title>")`, or `[n]` and `<cite>` mixed.
    "jylo-cite": ("link", "mixed"),
    # Zaia list answers: a bare JSON array, or the array wrapped in {"items"} or {"data"}.
    "zaia-list": ("array", "items", "data"),
}
"""Every variant key and its values; the first value is what the emulator does by default."""


class WireSyntaxError(ValueError):
    """A dialect or variant set that cannot be read; the emulator answers it with a 400."""


def parse_dialect(value: str | None) -> Dialect | None:
    """A dialect name (any case), or None for an empty value."""
    text = (value or "").strip().lower()
    if not text:
        return None
    for dialect in DIALECTS:
        if text == dialect:
            return dialect
    raise WireSyntaxError(f"unknown dialect {text!r}; known: {', '.join(DIALECTS)}")


def parse_variants(value: str | None) -> dict[str, str]:
    """A variant set ``key=value, ...`` as a dict (checked against `VARIANTS`)."""
    chosen: dict[str, str] = {}
    for part in (value or "").split(","):
        if not part.strip():
            continue
        key, sep, choice = (s.strip().lower() for s in part.partition("="))
        if key not in VARIANTS:
            raise WireSyntaxError(f"unknown variant {key!r}; known: {', '.join(VARIANTS)}")
        if not sep or choice not in VARIANTS[key]:
            raise WireSyntaxError(f"{key}: must be one of {', '.join(VARIANTS[key])}")
        chosen[key] = choice
    return chosen


def default_dialect(dialect: str | None) -> Dialect:
    """The dialect given, else `DIALECT_ENV`, else ``documented``."""
    return parse_dialect(dialect) or parse_dialect(os.environ.get(DIALECT_ENV)) or DEFAULT_DIALECT


@dataclass(frozen=True)
class Wire:
    """The dialect and variants that apply to one request."""

    dialect: Dialect = DEFAULT_DIALECT
    variants: dict[str, str] = field(default_factory=dict)

    @property
    def extended(self) -> bool:
        """Whether inferred extras may be sent."""
        return self.dialect == "extended"

    def variant(self, key: str) -> str:
        """The chosen value of a variant key (its default when not chosen)."""
        return self.variants.get(key, VARIANTS[key][0])

    def overridden(self, dialect: str | None, variants: str | None) -> Wire:
        """The wire with a request's headers applied over it."""
        return Wire(
            dialect=parse_dialect(dialect) or self.dialect,
            variants={**self.variants, **parse_variants(variants)},
        )
