"""Every registered site keeps the contract: metadata, a module and a fixture folder named after
its id, patterns that match their examples, and at least one fixture page with expectations."""

from __future__ import annotations

import inspect
import tomllib
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from scrapers import SiteParser, all_sites, site_for_url
from tests.fixture_pages import FixturePage, fixture_pages, parsers, site_folders

SITES = list(all_sites().values())
REAL_PAGES: dict[str, dict[str, Any]] = tomllib.loads(
    (Path(__file__).parent / "real" / "pages.toml").read_text(encoding="utf-8")
)


@pytest.mark.parametrize("site", SITES, ids=lambda s: s.id)
def test_site_metadata(site: SiteParser) -> None:
    assert site.name.strip()
    assert site.start_urls and all(u.startswith(("http://", "https://")) for u in site.start_urls)
    assert ZoneInfo(site.timezone).key == site.timezone
    assert site.default_duration > 0
    if site.talk_url is not None:
        assert site.example_urls, "give example talk URLs for the talk_url pattern"
        assert all(site.key(url) for url in site.example_urls)
        assert not any(site.is_talk(url) for url in site.start_urls)
    module = Path(inspect.getfile(type(site)))
    assert module.stem == site.id.replace("-", "_")
    assert module.parent.name == "sites"
    assert (type(site).__doc__ or inspect.getmodule(type(site)).__doc__ or "").strip()


@pytest.mark.parametrize("site", SITES, ids=lambda s: s.id)
def test_site_has_fixtures(site: SiteParser) -> None:
    folders = [f for f in site_folders() if f.name == site.id]
    pages = [p for p in fixture_pages() if p.site_id == site.id]
    assert len(folders) == 1, "one folder of saved pages, named after the site"
    assert pages, "save at least one page with its expected records"
    if site.talk_url is not None:
        assert any(site.is_talk(p.url) for p in pages), "save at least one talk page"
    assert all(p.expected_path.is_file() for p in pages)


def test_no_orphan_fixture_folders() -> None:
    assert {f.name for f in site_folders()} <= set(parsers())


@pytest.mark.parametrize("source_id", sorted(set(parsers()) - {s.id for s in SITES}))
def test_every_bundled_declared_source_has_fixtures(source_id: str) -> None:
    pages = [p for p in fixture_pages() if p.site_id == source_id]
    # A bundled source read from a real page in ../shared is tested on that page in place.
    real = {entry.get("source") for entry in REAL_PAGES.values()}
    assert pages or source_id in real, (
        f"add tests/fixtures/{source_id}/ with pages.toml and expectations"
    )
    assert all(p.expected_path.is_file() for p in pages)


@pytest.mark.parametrize("page", fixture_pages(), ids=lambda p: f"{p.site_id}/{p.path.stem}")
def test_each_talk_url_routes_to_its_own_site(page: FixturePage) -> None:
    claimed = [s.id for s in SITES if s.is_talk(page.url)]
    assert claimed in ([], [page.site_id]), "a talk URL must belong to exactly its own site"
    if claimed:
        owner = site_for_url(page.url)
        assert owner is not None and owner.id == page.site_id
