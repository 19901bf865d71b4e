"""One run: crawl every source → normalize → store → publish. One source failing never stops
the others, and a failed source's talks stay published from the store."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime

import httpx

from aggregator.config import Config, SourceConfig
from aggregator.crawl import CrawlResult, crawl
from aggregator.errors import RecordError
from aggregator.fetch import Fetcher
from aggregator.model import StoredTalk
from aggregator.normalize import normalize
from aggregator.publish import write_outputs
from aggregator.store import Sighting, Store
from feeds import FORMATS, FeedSpec, render_index
from scrapers import SiteParser

__all__ = [
    "EXIT_CONFIG",
    "EXIT_OK",
    "EXIT_OUTPUT",
    "EXIT_SOURCES_FAILED",
    "PROJECT_URL",
    "RunReport",
    "SourceReport",
    "feed_specs",
    "publish",
    "run",
]

EXIT_OK = 0
"""Every source was read without error."""
EXIT_SOURCES_FAILED = 1
"""Some source or page failed; feeds were still written from everything else."""
EXIT_CONFIG = 2
"""The config file or command line is wrong; nothing was fetched or written."""
EXIT_OUTPUT = 3
"""The store or the output directory cannot be used; what was published before is untouched."""

PROJECT_URL = "https://github.com/talkfeed/talkfeed"


@dataclass
class SourceReport:
    """How one source fared in a run."""

    site: str
    talks: int = 0
    listings: int = 0
    details: int = 0
    failed: bool = False
    errors: list[str] = field(default_factory=list)
    """Pages or talks lost or degraded this run: the operator should look."""
    warnings: list[str] = field(default_factory=list)
    """Optional fields the pages did not give."""

    @property
    def ok(self) -> bool:
        """The source was read without error (warnings allowed)."""
        return not self.failed and not self.errors


@dataclass
class RunReport:
    """What a run did, for the terminal and the runs table."""

    sources: list[SourceReport] = field(default_factory=list)
    requests: int = 0
    """HTTP requests sent, robots.txt and retries included."""
    new: int = 0
    changed: int = 0
    written: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        """EXIT_OK or EXIT_SOURCES_FAILED."""
        return EXIT_OK if all(source.ok for source in self.sources) else EXIT_SOURCES_FAILED


def run(
    config: Config,
    sites: Mapping[str, SiteParser],
    now: datetime | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> RunReport:
    """Crawl, store and publish. `now` is fixed by tests and demos, the clock otherwise;
    `transport` lets the demo send requests to a saved site."""
    report = RunReport()
    started = now or datetime.now(UTC)
    # The store opens first: a broken one fails the run before any site is bothered.
    with Store(config.db) as store:
        results, report.requests = asyncio.run(_crawl_all(config, sites, transport, now))
        sightings: list[Sighting] = []
        for source, result in zip(config.sources, results, strict=True):
            source_report, found = _review(sites[source.site], result)
            report.sources.append(source_report)
            sightings.extend(found)
        counts = store.upsert(sightings, started)
        report.new, report.changed = counts.new, counts.changed
        report.written = publish(config, sites, store.talks(), started)
        store.record_run(started, now or datetime.now(UTC), report.exit_code, asdict(report))
    return report


async def _crawl_all(
    config: Config,
    sites: Mapping[str, SiteParser],
    transport: httpx.AsyncBaseTransport | None,
    now: datetime | None,
) -> tuple[list[CrawlResult], int]:
    async with Fetcher(config.fetch, transport=transport) as fetcher:
        results = await asyncio.gather(
            *(crawl(sites[s.site], _start_urls(s, sites), fetcher, now) for s in config.sources)
        )
    return results, fetcher.stats.requests


def _start_urls(source: SourceConfig, sites: Mapping[str, SiteParser]) -> tuple[str, ...]:
    return (source.url,) if source.url else sites[source.site].entry_urls()


def _review(site: SiteParser, result: CrawlResult) -> tuple[SourceReport, list[Sighting]]:
    report = SourceReport(
        site.id, listings=result.listings_read, details=result.details_read, failed=result.failed
    )
    sightings: list[Sighting] = []
    for problem in result.problems:
        (report.warnings if problem.warning else report.errors).append(str(problem))
    if result.failed:
        report.errors.insert(0, "no listing could be read; keeping the talks already published")
    seen: set[str] = set()
    for draft in result.drafts:
        if not site.wants(draft):
            continue
        try:
            talk = normalize(draft, site)
        except RecordError as exc:
            report.errors.append(str(exc))
            continue
        if talk.id not in seen:
            seen.add(talk.id)
            sightings.append(Sighting(talk, site.name, partial=draft.url in result.partial))
    report.talks = len(sightings)
    return report, sightings


def feed_specs(
    config: Config, sites: Mapping[str, SiteParser], site_ids: list[str]
) -> list[FeedSpec]:
    """The combined feed, then one feed per site, in every format."""
    specs = [
        FeedSpec(
            path="all",
            title="All talks",
            description="Talks from every source talkfeed reads: "
            + ", ".join(sites[s].name for s in site_ids),
            link=config.base_url or PROJECT_URL,
            base_url=config.base_url,
        )
    ]
    for site_id in site_ids:
        site = sites[site_id]
        specs.append(
            FeedSpec(
                path=f"sites/{site_id}",
                title=site.name,
                description=f"Talks of the {site.name}",
                link=site.start_urls[0],
                base_url=config.base_url,
            )
        )
    return specs


def publish(
    config: Config, sites: Mapping[str, SiteParser], talks: list[StoredTalk], now: datetime
) -> list[str]:
    """Render every feed and the index from the store, then write them; the changed files.

    Everything is rendered before anything is written, so a renderer that fails leaves every
    published file as it was.
    """
    site_ids = sorted(
        {s.site for s in config.sources} | {t.talk.source for t in talks if t.talk.source in sites}
    )
    specs = feed_specs(config, sites, site_ids)
    files: dict[str, bytes] = {}
    for spec in specs:
        selected = (
            talks
            if spec.path == "all"
            else [t for t in talks if f"sites/{t.talk.source}" == spec.path]
        )
        for extension, render in FORMATS.items():
            files[f"{spec.path}.{extension}"] = render(selected, spec)
    files["index.html"] = render_index(specs, talks, now)
    return write_outputs(config.out, files)
