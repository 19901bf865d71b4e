"""The saved pages under tests/fixtures/ (see aggregator/fixtures.py for the format)."""

from __future__ import annotations

from pathlib import Path

from aggregator import fixtures
from aggregator.fixtures import FixturePage, mismatches, parse_page

__all__ = ["FIXTURES", "FixturePage", "fixture_pages", "mismatches", "parse_page", "site_folders"]

FIXTURES = Path(__file__).parent / "fixtures"


def fixture_pages() -> list[FixturePage]:
    """Every page of every saved site."""
    return fixtures.fixture_pages(FIXTURES)


def site_folders() -> list[Path]:
    """Every saved site's folder."""
    return fixtures.site_folders(FIXTURES)
