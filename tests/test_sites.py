"""Every saved page in tests/fixtures/ and examples/fixtures/ parses to its .expected.json:
adding a site's fixtures adds its tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from aggregator.commands.fixtures import FixturePage
from tests.fixture_pages import fixture_pages, mismatches, parse_page, parsers, site_folders

PAGES = fixture_pages()
PARSERS = parsers()


@pytest.mark.parametrize("fixture", PAGES, ids=[p.name for p in PAGES])
def test_page_matches_expected(fixture: FixturePage) -> None:
    assert fixture.expected_path.is_file(), f"write {fixture.expected_path.name} for this page"
    assert fixture.site_id in PARSERS, "the folder must be named after a site or bundled source"
    parsed = parse_page(PARSERS[fixture.site_id], fixture.page)
    assert mismatches(parsed, fixture.expected()) == []


@pytest.mark.parametrize("folder", site_folders(), ids=lambda p: p.name)
def test_every_saved_page_is_listed(folder: Path) -> None:
    listed = {p.path.name for p in PAGES if p.path.parent == folder}
    on_disk = {p.name for p in folder.iterdir() if p.is_file()} - {"pages.toml"}
    on_disk = {name for name in on_disk if not name.endswith(".expected.json")}
    assert on_disk == listed, "every saved page needs its URL in pages.toml, and vice versa"
