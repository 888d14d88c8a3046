"""What the emulator answered when the cassettes were recorded: the exact values replay tests expect.

The emulator is deterministic (its corpus is ``emulator/corpus.json``), so a re-recorded
cassette gives these again; the drift test (``tests/loopback/test_cassette_drift.py``)
fails first if it would not.
"""

from __future__ import annotations

TRAVEL_SUMMARY = (
    "Here is what **Travel and Expense Policy** says:\n\n"
    "- This policy applies to every Brightwater employee and contractor who travels on company business.\n"
    "- Every business trip must be approved by your manager in Navan before you book anything.\n"
    "- Economy class is the standard for flights under six hours; premium economy is allowed for flights"
    " of six hours or more, and business class needs written approval from the CFO.\n"
    "- Hotels are capped at 180 EUR per night in most cities and at 250 EUR per night in London, New York and Zurich.\n"
    "- Submit your expense report in Expensify within 30 days of returning, with an itemised receipt for every"
    " expense over 25 EUR."
)
"""The extractive answer to "What is our travel policy?" from the travel policy page alone (Unleash v1 with filters)."""

TRAVEL_ANSWER = (
    TRAVEL_SUMMARY
    + "\n\nFrom 1 March the hotel cap rises to 250 EUR per night in London, New York and Zurich,"
    " and stays at 180 EUR everywhere else. A reminder that every trip needs manager approval in Navan before"
    " booking, and that receipts are due within 30 days."
)
"""The answer to "What is our travel policy?" that also cites the hotel-cap update e-mail."""

TRAVEL_CITED_SPANS = [
    ("conf-travel-policy", 50, 149),
    ("conf-travel-policy", 150, 239),
    ("conf-travel-policy", 240, 417),
    ("conf-travel-policy", 418, 530),
    ("conf-travel-policy", 531, 657),
    ("gmail-travel-update", 783, 899),
]
"""(source id, start, end) of each cited sentence of `TRAVEL_ANSWER`; the citation marks sit at the ends."""

TRAVEL_SOURCES = [
    "conf-travel-policy",
    "gmail-travel-update",
    "conf-onboarding",
    "gmail-q3-offsite",
    "jira-fin-142",
]
"""The enterprise resources the Unleash v2 answer's search tool found, in order."""

TRAVEL_WEB_SOURCES = ["web-per-diem", "web-rail-emissions"]
"""The web sources the Unleash v2 answer's web tool found, in order."""

POLICY_PAGE = (
    "This policy applies to every Brightwater employee and contractor who travels on company business.\n"
    "Every business trip must be approved by your manager in Navan before you book anything. Book flights,"
    " hotels and rail through Navan, so that Finance can track spend and locate travellers in an emergency.\n"
    "Economy class is the standard for flights under six hours; premium economy is allowed for flights of six"
    " hours or more, and business class needs written approval from the CFO. Rail is preferred over flying for"
    " trips under four hours.\n"
    "Hotels are capped at 180 EUR per night in most cities and at 250 EUR per night in London, New York and"
    " Zurich. The daily meal allowance is 60 EUR, and alcohol is not reimbursed.\n"
    "Submit your expense report in Expensify within 30 days of returning, with an itemised receipt for every"
    " expense over 25 EUR. Questions about this policy go to the Finance team in the #ask-finance Slack channel."
)
"""The content of the travel policy page (``conf-travel-policy``)."""

JYLO_ASSISTANT = "f6f4baa3-253d-417a-ba43-a242a6296c3e"
"""The emulator's first Jylo assistant."""

JYLO_MODEL = "0f8a6c2e-3b1d-4e5f-9a7b-1c2d3e4f5a6b"
"""The emulator's first Jylo model."""
