"""The assumptions table (docs/assumptions.md) names only switches the emulator has, and all of them."""

from __future__ import annotations

import re
from pathlib import Path

from assistant_bridge.emulator import VARIANTS
from assistant_bridge.emulator._dialect import parse_variants

ROOT = Path(__file__).resolve().parents[3]
TABLE = (ROOT / "docs" / "assumptions.md").read_text()
SWITCH = re.compile(r"`([a-z0-9-]+=[a-z]+)`")


def rows() -> list[list[str]]:
    """The rows of the assumption tables (those whose first cell is an id like U1)."""
    found = []
    for line in TABLE.splitlines():
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip().strip("|"))]
        if cells and re.fullmatch(r"[A-Z]\d+", cells[0]):
            found.append(cells)
    return found


def test_every_row_says_where_it_comes_from_what_happens_and_which_switch() -> None:
    assert len(rows()) > 20
    for row in rows():
        assert len(row) == 5, row
        assert all(row), f"an empty cell in {row[0]}"


def test_every_switch_a_row_names_exists() -> None:
    for row in rows():
        for token in SWITCH.findall(row[4]):
            assert parse_variants(token), token


def test_every_variant_is_listed_and_exercised_by_some_row() -> None:
    named = {token for row in rows() for token in SWITCH.findall(row[4])}
    for key, values in VARIANTS.items():
        assert f"`{key}`" in TABLE, key
        for value in values[1:]:
            assert f"{key}={value}" in named, f"no assumption is exercised by {key}={value}"


def test_the_known_limits_guide_links_to_the_table() -> None:
    guide = (ROOT / "docs" / "guides" / "known-limits.md").read_text()
    assert "](../assumptions.md" in guide
