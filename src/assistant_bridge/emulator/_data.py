"""Fixed credentials the emulator accepts (they are not secrets: they only open the emulator)."""

from __future__ import annotations

__all__ = ["EMULATOR_KEYS"]

EMULATOR_KEYS: dict[str, str] = {
    "unleash": "emulator-unleash-key",
    # An impersonation key: every call must name the user in the unleash-account header.
    "unleash_impersonation": "emulator-unleash-admin-key",
    "jylo_client_id": "emulator-jylo-client",
    "jylo_client_secret": "emulator-jylo-secret",
    "jylo_project_id": "b7e0c1a2-4d3f-4e5a-9b6c-7d8e9f0a1b2c",
    "zaia": "emulator-zaia-key",
}
