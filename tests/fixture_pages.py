"""The saved pages: the bundled sites' under tests/fixtures/, and the made-up example sites'
under examples/fixtures/ (see aggregator/commands/fixtures.py for the format, examples/README.md for
what the examples are). The examples' modules in examples/sites/ are registered for every test
run (conftest.py), as `TALKFEED_SITES_PATH` registers a folder of site modules."""

from __future__ import annotations

from pathlib import Path

from aggregator.commands import fixtures
from aggregator.commands.fixtures import FixturePage, mismatches, parse_page
from aggregator.config import bundled_parsers, load_config
from scrapers import SiteParser, all_sites

__all__ = [
    "EXAMPLES",
    "EXAMPLE_FIXTURES",
    "FIXTURES",
    "FixturePage",
    "fixture_pages",
    "mismatches",
    "parse_page",
    "parsers",
    "site_folders",
]

FIXTURES = Path(__file__).parent / "fixtures"
EXAMPLES = Path(__file__).parent.parent / "examples"
EXAMPLE_FIXTURES = EXAMPLES / "fixtures"
ROOTS = (FIXTURES, EXAMPLE_FIXTURES)


def fixture_pages() -> list[FixturePage]:
    """Every page of every saved site, bundled and example."""
    return [page for root in ROOTS for page in fixtures.fixture_pages(root)]


def site_folders() -> list[Path]:
    """Every saved site's folder."""
    return [folder for root in ROOTS for folder in fixtures.site_folders(root)]


def parsers() -> dict[str, SiteParser]:
    """Every site and declared source the saved pages belong to: the bundled default's and
    the examples' (examples/talkfeed.toml)."""
    registered = all_sites()
    examples = load_config(EXAMPLES / "talkfeed.toml", registered).parsers(registered)
    return {**bundled_parsers(), **examples}
