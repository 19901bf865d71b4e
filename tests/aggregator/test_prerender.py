"""Entries rendered in worker processes before the combined feeds are assembled (`Prerender`):
the files are those a run renders alone, byte for byte; the run's own process then renders
none of the entries the pool gave; and a pool that cannot start, or whose workers die, leaves
the entries to the run's process, with the same files."""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from aggregator.config import Config, SourceConfig
from aggregator.fetching.fetch import FetchSettings
from aggregator.model import Speaker, Status, Talk
from aggregator.pipeline import merged_files
from aggregator.publishing import entries
from aggregator.publishing.entries import MIN_ENTRIES, Workers
from aggregator.publishing.publish import FINGERPRINTS, write_changed
from aggregator.store.database import Sighting, Store
from scrapers import SiteParser

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
SOURCES = ("alpha", "beta", "gamma")
ZONES = ("America/New_York", "Europe/Berlin", "Asia/Tokyo")


def _sites() -> dict[str, SiteParser]:
    return {
        source: SiteParser.configured(
            id=source,
            name=source.title(),
            start_urls=(f"https://{source}.example.edu/events/",),
            timezone=ZONES[number],
        )
        for number, source in enumerate(SOURCES)
    }


def _config(folder: Path) -> Config:
    return Config(
        out=folder / "public",
        db=folder / "talkfeed.db",
        base_url="https://talks.example.edu/",
        fetch=FetchSettings(),
        sources=tuple(SourceConfig(source) for source in SOURCES),
        path=None,
    )


def _talks(count: int) -> list[Sighting]:
    """`count` talks of the three sources, from 60 days back to 90 ahead, of every status, some
    whole-day, some with text to escape; each source lists its own, so each talk's entries
    serve its source's feeds and the combined ones alike."""
    sightings = []
    for number in range(count):
        source = SOURCES[number % len(SOURCES)]
        zone = ZoneInfo(ZONES[number % len(ZONES)])
        start = (NOW + timedelta(hours=number * 9 - 60 * 24)).astimezone(zone)
        talk = Talk(
            id=f"{source}:{number}",
            source=source,
            url=f"https://{source}.example.edu/talks/{number}",
            title=f"Talk {number}: graphs, <b>bold</b> & “quotes”; a\\b",
            speakers=[Speaker(name=f"Speaker {number}", affiliation="Example U")],
            start=start.replace(minute=0, second=0, microsecond=0),
            timezone=ZONES[number % len(ZONES)],
            location=None if number % 5 == 0 else f"Room {number}",
            abstract="An abstract long enough to be folded. " * (number % 7),
            status=list(Status)[number % len(Status)],
            all_day=number % 11 == 0,
        )
        sightings.append(Sighting(talk, source.title()))
    return sightings


def _published(folder: Path, workers: Workers, now: datetime = NOW) -> dict[str, bytes]:
    """Store the talks (the first time), merge and publish them at `now` as a run does after
    its crawl; every file but the fingerprints, which name the store they were made from."""
    folder.mkdir(exist_ok=True)
    config = _config(folder)
    with Store(config.db) as store:
        if now == NOW:
            store.upsert(_talks(TALKS), NOW)
        write_changed(config.out, merged_files(config, _sites(), store, now, workers=workers))
    return {
        str(path.relative_to(config.out)): path.read_bytes()
        for path in sorted(config.out.rglob("*"))
        if path.is_file() and path.name != FINGERPRINTS
    }


TALKS = 450
"""Enough for more than `MIN_ENTRIES` entries in the windows of the combined feeds."""


def test_entries_rendered_by_workers_make_the_same_files(
    tmp_path: Path, rendered: list[int]
) -> None:
    alone = _published(tmp_path / "alone", Workers(1))
    in_process = sum(rendered)
    assert in_process > MIN_ENTRIES
    rendered.clear()
    workers = Workers(2)
    pooled = _published(tmp_path / "pooled", workers)
    assert pooled == alone
    assert len(alone) > 50
    # The pool rendered every entry: this process rendered none.
    assert sum(rendered) == 0
    assert workers.cpu > 0
    assert workers.rss > 0


def _dying_pool(workers: int, preload: str) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(workers, initializer=os._exit, initargs=(3,))


def _no_pool(workers: int, preload: str) -> ProcessPoolExecutor:
    raise OSError("no processes here")


@pytest.mark.parametrize("pool", [_dying_pool, _no_pool], ids=["workers die", "none starts"])
def test_without_the_pool_the_run_renders_the_same_files(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    rendered: list[int],
    pool: Callable[[int, str], ProcessPoolExecutor],
) -> None:
    alone = _published(tmp_path / "alone", Workers(1))
    expected = sum(rendered)
    rendered.clear()
    monkeypatch.setattr(entries, "new_pool", pool)
    assert _published(tmp_path / "failing", Workers(2)) == alone
    assert sum(rendered) == expected


def test_few_entries_start_no_pool(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[int] = []

    def counted(workers: int, preload: str) -> ProcessPoolExecutor:
        started.append(workers)
        return _dying_pool(workers, preload)

    monkeypatch.setattr(entries, "new_pool", counted)
    monkeypatch.setattr(entries, "MIN_ENTRIES", 10**6)
    folder = tmp_path / "few"
    assert _published(folder, Workers(2))
    assert started == []


def test_entries_kept_are_not_rendered_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rendered: list[int]
) -> None:
    pooled = tmp_path / "pooled"
    first = _published(pooled, Workers(2))
    started: list[int] = []

    def counted(workers: int, preload: str) -> ProcessPoolExecutor:
        started.append(workers)
        return _dying_pool(workers, preload)

    monkeypatch.setattr(entries, "new_pool", counted)
    monkeypatch.setattr(entries, "MIN_ENTRIES", 1)
    rendered.clear()
    # A day on, the feeds' windows moved: the feeds are assembled again (talks left the RSS
    # window), each entry in every format found kept, as the workers kept it, and none is
    # rendered again anywhere.
    again = _published(pooled, Workers(2), NOW + timedelta(days=1))
    assert again["all.rss"] != first["all.rss"]
    assert started == []
    assert sum(rendered) == 0
    alone = tmp_path / "alone"
    _published(alone, Workers(1))
    assert again == _published(alone, Workers(1), NOW + timedelta(days=1))
