"""One run: crawl every source → normalize → store → publish. One source failing never stops
the others, and a failed source's talks stay published from the store."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime, timedelta

import httpx

from aggregator.config import Config, SourceConfig
from aggregator.crawl import CrawlResult, crawl
from aggregator.errors import RecordError
from aggregator.fetch import Fetcher, FetchStats
from aggregator.health import (
    HEALTH_FILE,
    HISTORY_RUNS,
    SourceHealth,
    fill_rates,
    health_json,
    past_runs,
    rot,
)
from aggregator.merge import MergeSettings, Overrides, merge
from aggregator.model import StoredTalk
from aggregator.normalize import normalize, talk_id
from aggregator.outputs import feed_files
from aggregator.pagecache import PageCache
from aggregator.publish import write_changed, write_outputs
from aggregator.store import Published, Sighting, Store
from scrapers import SiteParser

__all__ = [
    "EXIT_CONFIG",
    "EXIT_LOCKED",
    "EXIT_OK",
    "EXIT_OUTPUT",
    "EXIT_SOURCES_FAILED",
    "RunReport",
    "SourceReport",
    "run",
]

EXIT_OK = 0
"""Every source was read without error."""
EXIT_SOURCES_FAILED = 1
"""Some source or page failed, or a source was flagged as probably broken; feeds were still
written from everything else."""
EXIT_CONFIG = 2
"""The config file or command line is wrong; nothing was fetched or written."""
EXIT_OUTPUT = 3
"""The store or the output directory cannot be used; what was published before is untouched."""
EXIT_LOCKED = 4
"""Another run holds the store's lock (see aggregator/lock.py); this one did nothing."""


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
    health: SourceHealth = field(default_factory=SourceHealth)

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
    revalidated: int = 0
    """Requests answered 304 Not Modified."""
    bytes: int = 0
    """Response body bytes received."""
    new: int = 0
    changed: int = 0
    written: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        """EXIT_OK, or EXIT_SOURCES_FAILED when a source had errors or was flagged."""
        healthy = all(source.ok and not source.health.flags for source in self.sources)
        return EXIT_OK if healthy else EXIT_SOURCES_FAILED


def run(
    config: Config,
    sites: Mapping[str, SiteParser],
    now: datetime | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    progress: Callable[[str], None] | None = None,
) -> RunReport:
    """Crawl, store, merge and publish. `now` is fixed by tests and demos, the clock
    otherwise; `transport` lets the demo send requests to a saved site."""
    report = RunReport()
    started = now or datetime.now(UTC)
    clock = time.monotonic()
    # The store opens first: a broken one fails the run before any site is bothered.
    with Store(config.db) as store:
        results, stats = asyncio.run(_crawl_all(config, sites, transport, now, progress))
        report.requests, report.revalidated, report.bytes = (
            stats.requests,
            stats.revalidated,
            stats.bytes,
        )
        sightings: list[Sighting] = []
        listed: dict[str, set[str]] = {}
        complete: dict[str, bool] = {}
        for source, result in zip(config.sources, results, strict=True):
            site = sites[source.site]
            source_report, found = _review(site, result, store)
            _assess(source_report, result, store, started)
            if source_report.health.flags:
                # Probably broken: what it no longer gives is kept from the store, not erased.
                found = [replace(sighting, partial=True) for sighting in found]
            report.sources.append(source_report)
            sightings.extend(found)
            listed.setdefault(site.id, set()).update(
                talk_id(site, draft.url, draft.key) for draft in result.drafts
            )
            # A source that is probably broken cannot say a talk is gone either.
            complete[site.id] = (
                complete.get(site.id, True) and result.complete and not source_report.health.flags
            )
        counts = store.upsert(sightings, started)
        report.new, report.changed = counts.new, counts.changed
        for source_id, seen in listed.items():
            # Only a source whose every listing was read can say a talk is gone.
            if complete[source_id]:
                store.mark_missing(source_id, seen, started, config.lifecycle.cancel_after)
        # A source taken out of the config leaves the feeds; its records stay in the store.
        configured = {source.site for source in config.sources}
        records = [record for record in store.talks() if record.talk.source in configured]
        store.publish(_merged(config, records, store.cluster_ids()), started)
        combined = store.published()
        since = started - timedelta(days=config.publish.changes_days)
        changes = store.changes(since=since, scope="published")
        files = feed_files(config, sites, records, combined, changes, started)
        report.written = write_changed(config.out, files)
        health = health_json(report.sources, started, time.monotonic() - clock, report.exit_code)
        write_outputs(config.out, [(HEALTH_FILE, health)])
        store.record_run(started, now or datetime.now(UTC), report.exit_code, asdict(report))
    return report


def _merged(
    config: Config, records: list[StoredTalk], previous: Mapping[str, str]
) -> list[Published]:
    settings = MergeSettings(
        tolerance=timedelta(minutes=config.merge.tolerance_minutes),
        title_ratio=config.merge.title_ratio,
    )
    overrides = Overrides(together=config.merge.together, apart=config.merge.apart)
    return [
        Published(
            talk=cluster.talk,
            members=tuple(member.talk.id for member in cluster.members),
            sources=cluster.sources,
            provenance=cluster.provenance,
        )
        for cluster in merge(records, settings, overrides, previous)
    ]


async def _crawl_all(
    config: Config,
    sites: Mapping[str, SiteParser],
    transport: httpx.AsyncBaseTransport | None,
    now: datetime | None,
    progress: Callable[[str], None] | None,
) -> tuple[list[CrawlResult], FetchStats]:
    with PageCache(config.db) as cache:
        async with Fetcher(
            config.fetch, transport=transport, validators=cache, robots_cache=cache
        ) as fetcher:

            async def one(source: SourceConfig) -> CrawlResult:
                site = sites[source.site]
                result = await crawl(site, _start_urls(source, sites), fetcher, now, cache)
                if progress is not None:
                    progress(source.site)
                return result

            results = await asyncio.gather(*(one(source) for source in config.sources))
    return results, fetcher.stats


def _start_urls(source: SourceConfig, sites: Mapping[str, SiteParser]) -> tuple[str, ...]:
    return (source.url,) if source.url else sites[source.site].entry_urls()


def _review(
    site: SiteParser, result: CrawlResult, store: Store
) -> tuple[SourceReport, list[Sighting]]:
    report = SourceReport(
        site.id, listings=result.listings_read, details=result.details_read, failed=result.failed
    )
    report.health = SourceHealth(
        http=dict(sorted(result.http.items())),
        pages_fetched=result.pages_fetched,
        pages_revalidated=result.pages_revalidated,
        pages_reused=result.pages_reused,
        pages_failed=result.listings_failed + len(result.partial),
    )
    sightings: list[Sighting] = []
    for problem in result.problems:
        (report.warnings if problem.warning else report.errors).append(str(problem))
    if result.failed:
        # On a first run there is nothing to keep: the message must not promise what never was.
        kept = (
            "keeping the talks already published"
            if store.talks(site.id)
            else "none of its talks is published yet"
        )
        report.errors.insert(0, f"no listing could be read; {kept}")
    seen: set[str] = set()
    wanted = [draft for draft in result.drafts if site.wants(draft)]
    report.health.fill = fill_rates(wanted)
    for draft in wanted:
        try:
            talk = normalize(draft, site)
        except RecordError as exc:
            report.errors.append(str(exc))
            continue
        if talk.id not in seen:
            seen.add(talk.id)
            # A talk without a page has no detail page that could have failed: it is whole.
            partial = bool(draft.url) and draft.url in result.partial
            sightings.append(Sighting(talk, site.name, partial=partial))
    report.talks = len(sightings)
    return report, sightings


def _assess(report: SourceReport, result: CrawlResult, store: Store, started: datetime) -> None:
    """Flag the source if it looks broken next to its recent runs, and set its status."""
    health = report.health
    if not result.failed:  # with no listing read, its talks are unknown, not zero
        history = past_runs(store.source_reports(report.site, HISTORY_RUNS))
        health.flags = rot(report.talks, health.fill, history)
    health.status = "failed" if not report.ok else "flagged" if health.flags else "ok"
    last = started if health.status == "ok" else store.last_success(report.site)
    health.last_success = last.isoformat() if last else None
