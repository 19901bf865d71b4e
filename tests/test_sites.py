"""Every saved page in tests/fixtures/ parses to its .expected.json: adding a site's fixtures
adds its tests."""

from __future__ import annotations

from typing import Any

import pytest

from scrapers import get_site
from tests.fixture_pages import (
    FixturePage,
    fixture_pages,
    load_expected,
    parse_page,
    record_mismatches,
    site_folders,
)

PAGES = fixture_pages()


@pytest.mark.parametrize("fixture", PAGES, ids=[f"{p.site_id}/{p.path.stem}" for p in PAGES])
def test_page_matches_expected(fixture: FixturePage) -> None:
    assert fixture.expected_path.is_file(), f"write {fixture.expected_path.name} for this page"
    expected = load_expected(fixture.expected_path)
    assert expected.get("reviewed", True) is True, "a generated expectation needs a human review"
    expected.pop("reviewed", None)
    parsed = parse_page(get_site(fixture.site_id), fixture.page)
    if "talk" in parsed:
        assert record_mismatches(parsed["talk"], expected) == []
        return
    assert set(expected) == {"listings", "talks"}
    assert parsed["listings"] == expected["listings"]
    assert [t["url"] for t in parsed["talks"]] == [t["url"] for t in expected["talks"]]
    mismatches: list[Any] = [
        (want["url"], record_mismatches(got, want))
        for got, want in zip(parsed["talks"], expected["talks"], strict=True)
    ]
    assert [m for m in mismatches if m[1]] == []


@pytest.mark.parametrize("folder", site_folders(), ids=lambda p: p.name)
def test_every_saved_page_is_listed(folder: Any) -> None:
    listed = set(load_expected_names(folder))
    on_disk = {p.name for p in folder.glob("*.html")}
    assert on_disk == listed, "every .html file needs its URL in pages.toml, and vice versa"


def load_expected_names(folder: Any) -> list[str]:
    return [p.path.name for p in PAGES if p.path.parent == folder]
