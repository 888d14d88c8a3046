"""The search-filters guide documents every Unleash filter field in its table."""

from __future__ import annotations

from assistant_bridge.unleash import FILTER_FIELDS

from ._blocks import ROOT

PAGE = ROOT / "docs" / "guides" / "search-filters.md"


def test_search_filters_page_documents_every_filter_field() -> None:
    text = PAGE.read_text(encoding="utf-8")
    rows = {
        line.split("|")[1].strip(): line for line in text.splitlines() if line.startswith("| `")
    }
    assert len(FILTER_FIELDS) == 47
    for field in FILTER_FIELDS:
        row = rows.get(f"`{field.name}`")
        assert row is not None, f"{field.name} is missing from the search-filters table"
        assert f"`{field.api_name}`" in row
