"""Saved pages under tests/fixtures/ and the comparison of records with their expectations."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aggregator.model import Talk
from aggregator.normalize import normalize
from aggregator.snapshot import load_snapshot
from scrapers import Page, SiteParser

FIXTURES = Path(__file__).parent / "fixtures"
_TEXT_FIELDS = ("title", "location", "host", "abstract", "bio", "notes")


@dataclass(frozen=True)
class FixturePage:
    """One saved page, its original URL, and the file of its expected records."""

    site_id: str
    path: Path
    url: str
    page: Page

    @property
    def expected_path(self) -> Path:
        return self.path.with_name(self.path.stem + ".expected.json")


def site_folders() -> list[Path]:
    """Every saved site: the folders of tests/fixtures/ not starting with "_"."""
    return sorted(p for p in FIXTURES.iterdir() if p.is_dir() and not p.name.startswith("_"))


def fixture_pages() -> list[FixturePage]:
    """Every page listed in a site folder's pages.toml."""
    pages = []
    for folder in site_folders():
        snapshot = load_snapshot(folder)
        for name, url in sorted(snapshot.pages.items()):
            path = folder / name
            page = Page(url, path.read_text(encoding="utf-8"), snapshot.captured_at)
            pages.append(FixturePage(folder.name, path, url, page))
    return pages


def parse_page(site: SiteParser, page: Page) -> dict[str, Any]:
    """What a page yields: a talk page its record; a listing its records and listing links."""
    if site.is_talk(page.url):
        return {"talk": normalize(site.talk(page), site).model_dump(mode="json")}
    links = site.listing(page)
    return {
        "listings": [link.url for link in links if link.kind == "listing"],
        "talks": [
            normalize(link.seed, site).model_dump(mode="json")
            for link in links
            if link.kind == "talk" and link.seed is not None
        ],
    }


def record_mismatches(actual: dict[str, Any], expected: dict[str, Any]) -> list[str]:
    """Every way `actual` differs from `expected`: keys present are compared, `<field>_startswith`
    compares a prefix (or null), unknown keys and missing mandatory keys are errors."""
    problems = []
    known = set(Talk.model_fields) | {f"{name}_startswith" for name in _TEXT_FIELDS}
    problems += [f"unknown key {key!r} in the expectation" for key in sorted(set(expected) - known)]
    problems += [
        f"mandatory key {key!r} missing from the expectation"
        for key in ("title", "url", "start")
        if key not in expected
    ]
    for key, want in expected.items():
        if key.endswith("_startswith") and key in known:
            name = key.removesuffix("_startswith")
            got = actual.get(name)
            if want is None and got is not None:
                problems.append(f"{name}: expected null, got {got[:60]!r}")
            elif want is not None and not (isinstance(got, str) and got.startswith(want)):
                problems.append(f"{name}: expected to start with {want!r}, got {got!r}")
        elif key in known and actual.get(key) != want:
            problems.append(f"{key}: expected {want!r}, got {actual.get(key)!r}")
    return problems


def load_expected(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))
