"""Pages parsed in worker processes: the same run as parsing them in-process, byte for byte, and
a parser that raises or a worker that dies costs its page, never the run."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
from datetime import datetime
from pathlib import Path

import pytest

from aggregator.cli import main
from aggregator.config import load_config
from aggregator.fetching import parsing
from aggregator.pipeline import run
from scrapers import Link, Page, SiteParser, TalkDraft, all_sites
from scrapers.sites.nyu_cs_colloquium import NyuCsColloquium
from tests.faults import (
    CALENDAR_ID,
    NOW,
    NYU_TALKS,
    FaultySite,
    nyu_uid,
    outputs,
    published,
    stored_talks,
)

MADE_NOW = ("health.json", "index.html")
"""What says how long the run took, or when it was made."""
AGAIN = 6
"""Talks the declared source finds: it reads the current semester's listing only."""


def write_config(folder: Path, site: FaultySite, workers: int) -> Path:
    """The faults' two sources, and the NYU listing read once more by a declared `labels`
    source (whose label table cannot be pickled as it is), parsed by `workers` processes."""
    folder.mkdir()
    path = folder / "talkfeed.toml"
    path.write_text(
        f"""
out = "public"
db = "talkfeed.db"
[publish]
rss_days_back = 400
[fetch]
delay = 0.0
retries = 1
backoff = 0.01
parse_workers = {workers}
[[sources]]
site = "nyu-cs-colloquium"
url = "{site.listing_url}"
[[sources]]
kind = "ical"
id = "{CALENDAR_ID}"
name = "Math Seminar"
url = "{site.calendar_url}"
timezone = "America/New_York"
[[sources]]
kind = "labels"
id = "nyu-colloquium-again"
name = "NYU Colloquium, declared"
url = "{site.listing_url}"
timezone = "America/New_York"
talk_url = '/colloquium/(?P<key>[0-9]+)/$'
[sources.labels]
speaker = ["Speaker"]
""",
        encoding="utf-8",
    )
    return path


@pytest.fixture
def parsed_here(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The URLs of the pages parsed in the test's own process (a worker's `read` is its own)."""
    urls: list[str] = []
    read = parsing.read

    def counting(site: SiteParser, kind: parsing._Kind, page: Page) -> object:
        urls.append(page.url)
        return read(site, kind, page)

    monkeypatch.setattr(parsing, "read", counting)
    return urls


def feed_files(out: Path) -> dict[str, bytes]:
    files = {name: data for name, data in outputs(out).items() if name not in MADE_NOW}
    # Fingerprints name the store they were made from; the files they list must agree.
    manifest = json.loads(files[".fingerprints.json"])
    files[".fingerprints.json"] = json.dumps({n: e["digest"] for n, e in manifest.items()}).encode()
    return files


def test_workers_publish_what_one_process_does(
    faulty: FaultySite, tmp_path: Path, parsed_here: list[str]
) -> None:
    alone = write_config(tmp_path / "alone", faulty, workers=1)
    pooled = write_config(tmp_path / "pooled", faulty, workers=2)

    assert main(["run", "--config", str(alone), "--now", NOW, "--quiet"]) == 0
    in_process = len(parsed_here)
    assert main(["run", "--config", str(pooled), "--now", NOW, "--quiet"]) == 0

    assert in_process == (2 + len(NYU_TALKS)) + 1 + (1 + AGAIN), "every listing and talk page"
    assert len(parsed_here) == in_process, "with workers, no page is parsed in the run's process"
    talks = stored_talks(alone.parent / "talkfeed.db")
    assert len(talks) == len(NYU_TALKS) + 2 + AGAIN
    assert stored_talks(pooled.parent / "talkfeed.db") == talks
    files = feed_files(alone.parent / "public")
    assert {"all.ics", "all.rss", "all.atom", "all.feed.json", "changes.atom"} <= files.keys()
    assert feed_files(pooled.parent / "public") == files


class CrashingOn1857(NyuCsColloquium):
    """The NYU parser with a bug that one page triggers."""

    def talk(self, page: Page) -> TalkDraft:
        if page.url.endswith("/1857/"):
            raise ZeroDivisionError("parser bug")
        return super().talk(page)


class KilledOn1857(NyuCsColloquium):
    """The NYU parser in a worker that the OOM killer takes on one page."""

    def talk(self, page: Page) -> TalkDraft:
        # Never the test's own process, should this page ever be parsed in it.
        if page.url.endswith("/1857/") and multiprocessing.parent_process() is not None:
            os.kill(os.getpid(), signal.SIGKILL)
        return super().talk(page)


class ExitingOnListing(NyuCsColloquium):
    """A parser that ends its worker process on a listing page."""

    def listing(self, page: Page) -> list[Link]:
        if multiprocessing.parent_process() is not None:
            os._exit(3)
        return super().listing(page)


def run_with(config: Path, nyu: SiteParser) -> dict[str, list[str]]:
    """Run `config` with `nyu` for the NYU source; each source's errors."""
    settings = load_config(config, all_sites())
    sites = {**settings.parsers(all_sites()), "nyu-cs-colloquium": nyu}
    report = run(settings, sites, now=datetime.fromisoformat(NOW))
    return {source.site: source.errors for source in report.sources}


@pytest.mark.parametrize("nyu", [CrashingOn1857(), KilledOn1857()], ids=["raises", "killed"])
def test_a_page_that_fails_its_worker_is_its_sources_error(
    faulty: FaultySite, tmp_path: Path, parsed_here: list[str], nyu: SiteParser
) -> None:
    config = write_config(tmp_path / "run", faulty, workers=2)

    errors = run_with(config, nyu)

    detail = faulty.server.url_for(faulty.detail_path(1857))
    why = "ZeroDivisionError: parser bug" if isinstance(nyu, CrashingOn1857) else parsing.DIED
    assert errors == {
        "nyu-cs-colloquium": [f"{detail}: detail parser failed: {why}"],
        CALENDAR_ID: [],
        "nyu-colloquium-again": [],
    }
    assert parsed_here == []
    out = published(tmp_path / "run" / "public")
    # Talk 1857 is still published from what the listing shows; every other page was read.
    assert {nyu_uid(talk) for talk in NYU_TALKS} <= out.uids("sites/nyu-cs-colloquium.ics")
    assert len(out.uids(f"sites/{CALENDAR_ID}.ics")) == 2
    assert len(out.uids("sites/nyu-colloquium-again.ics")) == AGAIN


def test_a_worker_that_dies_on_every_listing_loses_only_its_source(
    faulty: FaultySite, tmp_path: Path
) -> None:
    config = write_config(tmp_path / "run", faulty, workers=2)

    errors = run_with(config, ExitingOnListing())

    listing = faulty.listing_url
    assert errors["nyu-cs-colloquium"] == [
        "no listing could be read; none of its talks is published yet",
        f"{listing}: listing parser failed: {parsing.DIED}",
    ]
    assert errors[CALENDAR_ID] == errors["nyu-colloquium-again"] == []
    out = published(tmp_path / "run" / "public")
    assert len(out.uids("sites/nyu-colloquium-again.ics")) == AGAIN


def test_a_site_that_cannot_be_sent_is_parsed_in_the_run(
    faulty: FaultySite, tmp_path: Path, parsed_here: list[str]
) -> None:
    class Local(NyuCsColloquium):
        """Made inside a function: no worker can find it by name."""

    config = write_config(tmp_path / "run", faulty, workers=2)

    errors = run_with(config, Local())

    assert errors == {"nyu-cs-colloquium": [], CALENDAR_ID: [], "nyu-colloquium-again": []}
    assert len(parsed_here) == 2 + len(NYU_TALKS)
    assert all("colloquium" in url for url in parsed_here)
