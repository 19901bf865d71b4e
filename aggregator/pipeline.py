"""One run: crawl every source → normalize → store → publish. One source failing never stops
the others, and a failed source's talks stay published from the store. A run's files are
published together or not at all (`aggregator.publishing.publish`); a run that cannot publish
says so in health.json and the runs table, and ends with OutputError."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import pickle
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import httpx

from aggregator.config import Config, SourceConfig
from aggregator.errors import OutputError, RecordError
from aggregator.fetching.crawl import CrawlResult, crawl, read_settled
from aggregator.fetching.fetch import Fetcher, FetchStats
from aggregator.fetching.pagecache import PageCache
from aggregator.fetching.parsing import IN_PROCESS, ParsePool, Parsers, parse_workers
from aggregator.health import (
    HEALTH_FILE,
    HISTORY_RUNS,
    SourceHealth,
    fill_rates,
    health_json,
    past_runs,
    rot,
)
from aggregator.merging import merge_if_changed
from aggregator.publishing.entries import Workers
from aggregator.publishing.outputs import BASE_URL_NOTE, Output, Stored, holdings_files, horizon
from aggregator.publishing.publish import Publication, write_or_remove
from aggregator.records.limits import within_limits
from aggregator.records.normalize import draft_fingerprint, normalize, rules_digest, talk_id
from aggregator.store.database import Group, SeenAgain, Sighting, Store, group_name
from aggregator.warming import Warmer
from scrapers import SiteParser
from scrapers.read.text import scalar_text

__all__ = [
    "EXIT_CONFIG",
    "EXIT_LOCKED",
    "EXIT_OK",
    "EXIT_OUTPUT",
    "EXIT_SOURCES_FAILED",
    "RunReport",
    "SourceReport",
    "merged_files",
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
"""Another run holds the store's lock (see aggregator/store/lock.py); this one did nothing."""


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
    publish_error: str | None = None
    """Why this run's files could not be published (the last run's are still there)."""
    notes: list[str] = field(default_factory=list)
    """What the operator may want to know that is neither an error nor a flag."""
    worker_cpu: float = 0.0
    """CPU seconds worker processes spent on this run: parsing its pages (`ParsePool`),
    rendering its entries (`aggregator.warming`, `Prerender`)."""
    worker_rss: int = 0
    """Bytes: the highest peak resident set of a worker process."""

    @property
    def exit_code(self) -> int:
        """EXIT_OUTPUT when the files could not be published; else EXIT_OK, or
        EXIT_SOURCES_FAILED when a source had errors or was flagged."""
        if self.publish_error is not None:
            return EXIT_OUTPUT
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
        stored = partial(_stored, config, sites, store, report, started)
        stats, parsers = asyncio.run(
            _crawl_all(config, sites, transport, now, progress, (store, started), stored)
        )
        report.worker_cpu, report.worker_rss = parsers.worker_cpu, parsers.worker_rss
        report.requests, report.revalidated, report.bytes = (
            stats.requests,
            stats.revalidated,
            stats.bytes,
        )
        # A run for a fixed time (a demo, --now) is made later: the index page says both.
        made = None if now is None else datetime.now(UTC)
        workers = Workers(parse_workers(config.fetch.parse_workers))
        files = _files(config, sites, store, started, made, workers)
        if config.base_url is None:
            report.notes.append(BASE_URL_NOTE)
        try:
            report.written = _publish(config, files, report, started, clock)
        except OutputError as exc:
            report.publish_error = str(exc)
            _unpublished(config, store, report, started, now or datetime.now(UTC), clock)
            raise
        finally:
            report.worker_cpu += workers.cpu
            report.worker_rss = max(report.worker_rss, workers.rss)
        store.forget_entries(started)
        store.record_run(started, now or datetime.now(UTC), report.exit_code, asdict(report))
    return report


def _stored(
    config: Config,
    sites: Mapping[str, SiteParser],
    store: Store,
    report: RunReport,
    started: datetime,
    results: list[CrawlResult],
) -> None:
    """Review the sources' talks into `report`, store them, and merge the combined feeds'.
    What the crawl found is let go (`results` emptied) before the merge needs the memory."""
    _review_and_store(config, sites, store, report, started, results)
    results.clear()
    merge_if_changed(config, store, started)


def _review_and_store(
    config: Config,
    sites: Mapping[str, SiteParser],
    store: Store,
    report: RunReport,
    started: datetime,
    results: list[CrawlResult],
) -> None:
    sightings: list[Sighting | SeenAgain] = []
    # By the identity of each sighting: the report of the source that found it.
    owners: dict[int, SourceReport] = {}
    listed: dict[str, set[str]] = {}
    complete: dict[str, bool] = {}
    groups: list[Group] = []
    per_site = Counter(sites[source.site].id for source in config.sources)
    shared = {site for site, count in per_site.items() if count > 1}
    for source, result in zip(config.sources, results, strict=True):
        site = sites[source.site]
        source_report, found, ids, group = _reviewed(
            site, result, config, started, store, site.id in shared
        )
        _flag(source_report, result, store)
        if source_report.health.flags:
            # Probably broken: what it no longer gives is kept from the store, not erased.
            found = [_partial(sighting) for sighting in found]
        elif group is not None:
            groups.append(group)
        report.sources.append(source_report)
        sightings.extend(found)
        owners.update((id(sighting), source_report) for sighting in found)
        listed.setdefault(site.id, set()).update(ids)
        # A source that is probably broken cannot say a talk is gone either.
        complete[site.id] = (
            complete.get(site.id, True) and result.complete and not source_report.health.flags
        )
    counts = store.upsert(sightings, started, groups)
    report.new, report.changed = counts.new, counts.changed
    for sighting, problem in counts.rejected:
        # Its source lost a talk, as if its page had failed; the run goes on.
        owner = owners[id(sighting)]
        owner.errors.append(scalar_text(problem))
        owner.talks -= 1
    for source_report in report.sources:
        _settle(source_report, store, started)
    for source_id, seen in listed.items():
        # Only a source whose every listing was read can say a talk is gone.
        if complete[source_id]:
            store.mark_missing(source_id, seen, started, config.lifecycle.cancel_after)


def _publish(
    config: Config, files: Iterable[Output], report: RunReport, started: datetime, clock: float
) -> list[str]:
    """Publish the run's files and then its health.json, all together; the names that
    changed. OutputError when they cannot be, leaving the last run's files as they were."""
    with Publication(config.out) as publication:
        publication.stage(files)
        duration = time.monotonic() - clock
        health = health_json(report.sources, started, duration, report.exit_code)
        return publication.commit([(HEALTH_FILE, health)])


def _unpublished(
    config: Config,
    store: Store,
    report: RunReport,
    started: datetime,
    finished: datetime,
    clock: float,
) -> None:
    """Record a run whose files could not be published in health.json (or remove the last
    run's, rather than let it pass for this one) and in the runs table. Both may sit on the
    disk that just filled up: the error to report is the publishing one, whether or not they
    can still be written."""
    duration = time.monotonic() - clock
    health = health_json(report.sources, started, duration, report.exit_code, report.publish_error)
    with contextlib.suppress(OutputError):
        write_or_remove(config.out / HEALTH_FILE, health)
    with contextlib.suppress(OutputError):
        store.record_run(started, finished, report.exit_code, asdict(report))


def merged_files(
    config: Config,
    sites: Mapping[str, SiteParser],
    store: Store,
    now: datetime,
    made: datetime | None = None,
    workers: Workers | None = None,
) -> Iterator[Output]:
    """After the store took a run's talks: merge them into the combined feeds' talks, unless
    nothing they are merged from changed since the last merge, and every output file at `now`,
    each reading from the store only when it must be rendered (`aggregator.publishing.outputs`),
    entries rendered in `workers` (by default, as many as the config's parse workers) when many
    are to be rendered."""
    merge_if_changed(config, store, now)
    workers = workers or Workers(parse_workers(config.fetch.parse_workers))
    return _files(config, sites, store, now, made, workers)


def _files(
    config: Config,
    sites: Mapping[str, SiteParser],
    store: Store,
    now: datetime,
    made: datetime | None,
    workers: Workers,
) -> Iterator[Output]:
    holdings = Stored(store, horizon(config, now), now)
    return holdings_files(config, sites, holdings, now, made, workers)


async def _crawl_all(
    config: Config,
    sites: Mapping[str, SiteParser],
    transport: httpx.AsyncBaseTransport | None,
    now: datetime | None,
    progress: Callable[[str], None] | None,
    kept: tuple[Store, datetime],
    then: Callable[[list[CrawlResult]], None],
) -> tuple[FetchStats, Parsers]:
    """Crawl every source, and give what it found to `then`. The parse workers, when there
    are any, render the entries of the talks found meanwhile, and the ones left when the crawl
    ends while `then` runs; they are kept in the store (`aggregator.warming`), which the run
    publishes at `kept`'s time."""
    workers = parse_workers(config.fetch.parse_workers)
    with PageCache(config.db) as cache:
        async with (
            _parsers(config, workers) as parsers,
            Fetcher(
                config.fetch, transport=transport, validators=cache, robots_cache=cache
            ) as fetcher,
        ):
            # One worker is left to the pages, which a crawl waits for.
            warmer = Warmer(config, *kept, parsers, max(1, workers - 1))

            async def one(source: SourceConfig) -> CrawlResult:
                site = sites[source.site]
                start_urls = _start_urls(source, sites)
                found = partial(warmer.found, site) if isinstance(parsers, ParsePool) else None
                result = await crawl(site, start_urls, fetcher, now, cache, parsers, found)
                if progress is not None:
                    progress(source.site)
                return result

            results = await asyncio.gather(*(one(source) for source in config.sources))
            await warmer.drain()
            then(results)
            await warmer.finish()
    return fetcher.stats, parsers


def _parsers(config: Config, workers: int) -> contextlib.AbstractAsyncContextManager[Parsers]:
    """Worker processes for the pages, when there are several sources to parse them for. One
    source's crawl asks for one page after another, its host's delay apart, so it never has
    two pages to parse at once, and a pool would only make its first page wait for it (about
    a second when the fork server starts, 0.2 s after that)."""
    if workers > 1 and len(config.sources) > 1:
        return ParsePool(workers)
    return contextlib.nullcontext(IN_PROCESS)


def _start_urls(source: SourceConfig, sites: Mapping[str, SiteParser]) -> tuple[str, ...]:
    return (source.url,) if source.url else sites[source.site].entry_urls()


def _partial(sighting: Sighting | SeenAgain) -> Sighting | SeenAgain:
    # A record that is what its draft gives has nothing the draft lacks to keep.
    return replace(sighting, partial=True) if isinstance(sighting, Sighting) else sighting


def _reviewed(
    site: SiteParser,
    result: CrawlResult,
    config: Config,
    now: datetime,
    store: Store,
    shared: bool,
) -> tuple[SourceReport, list[Sighting | SeenAgain], list[str], Group | None]:
    """The source's report, its talks, the ids of every talk its listings gave, and the group
    its talks make when its review is kept.

    A source whose listings all gave whole talks (a feed, an API: `CrawlResult.outlined`) has
    its review kept in the store; when its listings all answer as they were, it gives what it
    gave last time, while what the review was made of (those pages, the site, the rules) is
    the same and the store still holds each talk as it was drafted. Its talks are then not
    read at all."""
    key = None
    whole = result.outlined and len(result.outlined) == result.listings_read
    if whole and not result.problems and not shared:
        key = _review_key(site, config, result.outlined)
    kept = store.note(_REVIEW + site.id) if key is not None else None
    if kept is not None:
        data = json.loads(kept)
        seen = data["seen"]
        if data["key"] == key and store.seen_whole(site.id, seen, data["group"]):
            report = _crawl_report(site, result, store)
            report.talks, report.warnings = len(seen), data["warnings"]
            report.health.fill = data["fill"]
            found: list[Sighting | SeenAgain] = [SeenAgain(site.id, site.name, seen, data["group"])]
            return report, found, data["listed"], None
    if result.settled:
        with PageCache(config.db) as cache:
            read_settled(result, site, cache)
    # Two sources of one site may give one talk differently: each draft is then normalized,
    # as the record stored may be the other source's.
    drafted = {} if shared else store.drafted(site.id)
    report, found, limited = _review(site, result, config, now, store, drafted)
    ids = [talk_id(site, draft.url, draft.key) for draft in result.drafts]
    if key is not None and not report.errors and not limited:
        seen = [
            pair
            for s in found
            for pair in (s.talks if isinstance(s, SeenAgain) else [(s.talk.id, s.drafted)])
        ]
        group = Group(site.id, seen, group_name(seen))
        data = {
            "key": key,
            "seen": seen,
            "group": group.name,
            "warnings": report.warnings,
            "fill": report.health.fill,
            "listed": ids,
        }
        store.keep(_REVIEW + site.id, json.dumps(data))
        return report, found, ids, group
    return report, found, ids, None


_REVIEW = "review "
"""Where the store keeps a source's last review (`_reviewed`), by the source's id."""


def _review_key(site: SiteParser, config: Config, outlined: list[tuple[str, str]]) -> str | None:
    """What a source's review is made of besides the store: the pages' parse results, the
    site (its settings and code), the limits, and the rules that review drafts. None for a
    site that cannot be named so (it cannot be pickled)."""
    try:
        named = pickle.dumps(site)
    except (pickle.PicklingError, TypeError, AttributeError):
        return None
    hashed = hashlib.blake2b(named, digest_size=16)
    for cls in type(site).__mro__:
        module = sys.modules.get(cls.__module__)
        path = getattr(module, "__file__", None)
        if path is not None and cls.__module__ != "builtins":
            hashed.update(Path(path).read_bytes())
    hashed.update(Path(__file__).read_bytes())
    hashed.update(rules_digest())
    hashed.update(repr((config.limits, outlined)).encode())
    return hashed.hexdigest()


def _crawl_report(site: SiteParser, result: CrawlResult, store: Store) -> SourceReport:
    """The source's report as its crawl leaves it, before its talks are reviewed."""
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
    for problem in result.problems:
        # Messages quote pages: health.json must be able to hold them.
        (report.warnings if problem.warning else report.errors).append(scalar_text(str(problem)))
    if result.failed:
        # On a first run there is nothing to keep: the message must not promise what never was.
        published = (
            "keeping the talks already published"
            if store.talks(site.id)
            else "none of its talks is published yet"
        )
        report.errors.insert(0, f"no listing could be read; {published}")
    return report


def _review(
    site: SiteParser,
    result: CrawlResult,
    config: Config,
    now: datetime,
    store: Store,
    drafted: Mapping[str, str],
) -> tuple[SourceReport, list[Sighting | SeenAgain], bool]:
    """The source's report and its talks, and whether its limits left talks out; a draft that
    is the one a stored record was made from (`drafted`: its fingerprint → the talk's id) is not
    normalized again."""
    report = _crawl_report(site, result, store)
    sightings: list[Sighting | SeenAgain] = []
    again: list[tuple[str, str]] = []
    seen: set[str] = set()
    wanted = [draft for draft in result.drafts if site.wants(draft)]
    report.health.fill = fill_rates(wanted)
    kept = within_limits(site, wanted, config.limits, now)
    report.warnings += kept.warnings
    for draft in kept.drafts:
        # A talk without a page has no detail page that could have failed: it is whole.
        partial = bool(draft.url) and draft.url in result.partial
        fingerprint = draft_fingerprint(draft, site)
        known = None if partial else drafted.get(fingerprint)
        if known is not None:
            if known not in seen:
                seen.add(known)
                again.append((known, fingerprint))
            continue
        try:
            talk = normalize(draft, site)
        except RecordError as exc:
            report.errors.append(scalar_text(str(exc)))
            continue
        if talk.id not in seen:
            seen.add(talk.id)
            sightings.append(Sighting(talk, site.name, partial=partial, drafted=fingerprint))
    report.talks = len(sightings) + len(again)
    if again:
        sightings.append(SeenAgain(site.id, site.name, again))
    report.errors, report.warnings = _tally(report.errors), _tally(report.warnings)
    return report, sightings, len(kept.drafts) < len(wanted)


def _tally(messages: list[str]) -> list[str]:
    """Each message once, in order, saying how often it came: a feed of thousands of events
    without a location is one line of the report, which every run keeps, not thousands."""
    counts = Counter(messages)
    return [m if counts[m] == 1 else f"{m} ({counts[m]} times)" for m in dict.fromkeys(messages)]


def _flag(report: SourceReport, result: CrawlResult, store: Store) -> None:
    """Flag the source if it looks broken next to its recent runs."""
    if not result.failed:  # with no listing read, its talks are unknown, not zero
        history = past_runs(store.source_reports(report.site, HISTORY_RUNS))
        report.health.flags = rot(report.talks, report.health.fill, history)


def _settle(report: SourceReport, store: Store, started: datetime) -> None:
    """Set the source's status and last success, once its talks are stored."""
    health = report.health
    health.status = "failed" if not report.ok else "flagged" if health.flags else "ok"
    last = started if health.status == "ok" else store.last_success(report.site)
    health.last_success = last.isoformat() if last else None
