"""The bundled sources declared with `kind = "auto"` (aggregator/default.toml), each read from
its real start page in ../shared as a run reads it: its talks, or the feed it leads to."""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from aggregator.commands.expectations import load_expectation, score
from aggregator.config import bundled_parsers
from aggregator.records.normalize import normalize
from scrapers import Page
from scrapers.generic.auto import AutoSite
from scrapers.ladder.feeds import linked_feeds
from scrapers.ladder.signatures import signatures
from tests.shared_real import SHARED_REAL, require_shared

PAGES: dict[str, dict[str, Any]] = tomllib.loads(
    (Path(__file__).parent / "pages.toml").read_text(encoding="utf-8")
)
BUNDLED = {entry["source"]: name for name, entry in PAGES.items() if "source" in entry}
NOW = datetime(2026, 12, 1, tzinfo=UTC)


def test_every_bundled_auto_source_has_its_real_page() -> None:
    declared = {key for key, parser in bundled_parsers().items() if isinstance(parser, AutoSite)}
    assert declared == set(BUNDLED)


@pytest.mark.parametrize(("source_id", "name"), sorted(BUNDLED.items()))
def test_a_bundled_source_reads_its_real_page(source_id: str, name: str) -> None:
    require_shared()
    entry = PAGES[name]
    source = bundled_parsers()[source_id]
    assert source.start_urls == (entry["url"],)
    path = SHARED_REAL / "pages" / name
    page = Page(entry["url"], path.read_text(encoding="utf-8"), NOW)
    links = source.listing(page)
    feeds = [feed.url for feed in linked_feeds(page)]
    feeds += [api for found in signatures(page) if (api := found.api(source.timezone))]
    if feeds:
        # The page's own feed is read in its place: the run fetches it next.
        assert [(link.url, link.kind) for link in links] == [(feeds[0], "listing")]
        return
    records = [normalize(link.seed, source).model_dump(mode="json") for link in links if link.seed]
    result = score(records, load_expectation(path.with_name(path.stem + ".expected.json")))
    assert result.share >= 0.95, f"{result}: " + "; ".join(result.wrong)
