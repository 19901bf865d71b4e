"""A page that nests tens of thousands of elements (legal HTML, and only a few hundred kilobytes)
is read like any other: the talks it lists are found, and memory stays small. Each element keeps
the text of all it holds, which without a bound on depth costs memory by the square of it."""

from __future__ import annotations

import tracemalloc
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from scrapers import Page
from scrapers.ladder import climb

DEPTH = 20_000
LISTING = (
    "<!doctype html><html lang=en><body><main><h1>Logic Seminar</h1><ul>"
    '<li>March 10, 2026, 3:00 pm: <a href="/t/1">On engines</a>, Ada Byron</li>'
    '<li>March 17, 2026, 3:00 pm: <a href="/t/2">On stones</a>, Bob Stone</li>'
    "</ul>{nested}</main></body></html>"
)


def test_deep_nesting_costs_little_memory_and_hides_no_talk() -> None:
    nested = "<div>x" * DEPTH + "</div>" * DEPTH
    page = Page(
        "https://example.edu/seminar/",
        LISTING.format(nested=nested),
        datetime(2026, 3, 1, tzinfo=UTC),
    )
    tracemalloc.start()
    try:
        result = climb(page, ZoneInfo("America/New_York"), fetch=False)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [draft.title for draft in result.talks] == ["On engines", "On stones"]
    # Unbounded, the texts alone would take DEPTH² / 2 characters: 200 MB here.
    assert peak < 60_000_000, f"{peak / 1e6:.0f} MB"
