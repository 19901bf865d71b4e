"""A second run against unchanged sites transfers almost nothing: every page it asks for again
is a conditional request answered 304, and pages of talks that are over are not asked for. A run
that reuses what earlier runs parsed and normalized publishes what one without it would."""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from aggregator import merging
from aggregator.cli import main
from aggregator.config import Config, SourceConfig
from aggregator.fetching.fetch import FetchSettings
from aggregator.fetching.snapshot import RedirectTransport, load_snapshot, serve_snapshots
from aggregator.pipeline import RunReport, run
from aggregator.records.merge import merge as real_merge
from tests.conftest import FixtureSite
from tests.fixture_pages import parsers as saved_parsers
from tests.fixture_pages import site_folders
from tests.test_lifecycle import FALL, ITEM_1875

NOW = datetime.fromisoformat("2026-03-01T09:00:00-05:00")


def test_second_run_is_conditional_and_small(tmp_path: Path) -> None:
    snapshots = [load_snapshot(folder) for folder in site_folders()]
    hosts = {urlsplit(url).netloc for s in snapshots for url in s.pages.values()}
    parsers = saved_parsers()
    config = Config(
        out=tmp_path / "out",
        db=tmp_path / "talkfeed.db",
        base_url=None,
        fetch=FetchSettings(delay=0.0),
        sources=tuple(SourceConfig(s.folder.name) for s in snapshots),
        path=None,
    )
    reports: list[RunReport] = []
    with serve_snapshots(snapshots) as origin:
        for _ in range(2):
            reports.append(run(config, parsers, now=NOW, transport=RedirectTransport(origin)))
    first, second = reports
    assert first.exit_code == second.exit_code == 0
    assert first.revalidated == 0
    # Everything, robots.txt (once per host) included, was asked for conditionally and was
    # unchanged.
    assert second.requests == second.revalidated
    assert second.requests > len(hosts)
    assert second.bytes < 0.05 * first.bytes
    nyu = next(s for s in second.sources if s.site == "nyu-cs-colloquium")
    assert nyu.health.pages_reused == 3, "1841, 1849 and 1852 are over: not asked for again"
    assert nyu.health.pages_revalidated == 2 + 5
    assert second.new == second.changed == 0


_MADE = re.compile(rb'<p class="updated">Updated [^,<]*,')


def _published(out: Path) -> dict[str, bytes]:
    files = {
        path.relative_to(out).as_posix(): path.read_bytes()
        for path in sorted(out.rglob("*"))
        if path.is_file() and path.name != "health.json"  # it says how long the run took
    }
    # The index page says when it was made, which differs between any two runs.
    files["index.html"] = _MADE.sub(b"", files["index.html"])
    # Fingerprints name the store they were made from; the files they list must agree.
    manifest = json.loads(files[".fingerprints.json"])
    files[".fingerprints.json"] = json.dumps({n: e["digest"] for n, e in manifest.items()}).encode()
    return files


def _forget_what_was_drafted(db: Path) -> None:
    """The store without the page cache, without the drafts its records were made from,
    without what they were last merged from and without kept feed entries: every page is
    fetched and parsed, every talk normalized, stored, merged and rendered as on a first run."""
    with contextlib.closing(sqlite3.connect(db)) as connection, connection:
        connection.execute("DELETE FROM pages")
        connection.execute("UPDATE sightings SET drafted = NULL")
        connection.execute("DELETE FROM meta WHERE key = 'merged'")
        connection.execute("DELETE FROM entries")


def test_a_run_that_reuses_what_it_drafted_publishes_what_a_full_one_does(
    site: FixtureSite, config_file: Path
) -> None:
    full_config = config_file.parent / "full" / "talkfeed.toml"
    full_config.parent.mkdir()
    full_config.write_text(config_file.read_text(encoding="utf-8"), encoding="utf-8")
    incremental, full = config_file.parent / "public", full_config.parent / "public"
    fall, listing = FALL, site.pages[FALL]
    days = iter(range(1, 10))

    def both() -> None:
        now = f"2026-03-0{next(days)}T09:00:00-05:00"
        assert main(["run", "--config", str(config_file), "--now", now, "--quiet"]) == 0
        if (full_config.parent / "talkfeed.db").exists():
            _forget_what_was_drafted(full_config.parent / "talkfeed.db")
        shutil.rmtree(full, ignore_errors=True)
        assert main(["run", "--config", str(full_config), "--now", now, "--quiet"]) == 0
        assert _published(incremental) == _published(full)

    both()
    both()  # nothing changed
    site.edit(site.detail_path(1866), "Large quantum computers", "Big quantum computers")
    for path in (site.detail_path(1875), fall):  # a reschedule
        site.edit(path, "Oct. 6, 2026, 11:30 a.m.", "Oct. 8, 2026, 2 p.m.")
    both()
    site.edit(  # a cancellation
        site.detail_path(1872),
        '<h3 class="colloq-heading">Synopsis:</h3>',
        '<h3 class="colloq-heading">Notes:</h3><p>This talk has been cancelled.</p>'
        '<h3 class="colloq-heading">Synopsis:</h3>',
    )
    site.pages[fall] = ITEM_1875.sub("", listing)  # a talk that vanishes
    site.status[site.detail_path(1875)] = 404
    both()
    both()
    site.pages[fall] = listing.replace("Oct. 6, 2026, 11:30 a.m.", "Oct. 8, 2026, 2 p.m.")
    del site.status[site.detail_path(1875)]  # and comes back
    both()
    both()
    changes = (incremental / "changes.atom").read_text(encoding="utf-8")
    for kind in ("Moved: ", "Cancelled: ", "Restored: "):
        assert kind in changes


def test_an_hourly_run_that_finds_nothing_new_merges_and_renders_nothing(
    site: FixtureSite, config_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The run operators run most: every page answers 304 and no talk changed. It merges
    nothing again and renders no file but the index page, which says when it was made."""
    merges: list[int] = []

    def counted(*args: Any, **kwargs: Any) -> Any:
        merges.append(1)
        return real_merge(*args, **kwargs)

    monkeypatch.setattr(merging, "merge", counted)
    out = config_file.parent / "public"

    def hourly(hour: int) -> dict[str, int]:
        now = f"2026-03-02T{hour:02d}:00:00-05:00"
        assert main(["run", "--config", str(config_file), "--now", now, "--quiet"]) == 0
        return {p.relative_to(out).as_posix(): p.stat().st_mtime_ns for p in out.rglob("*")}

    first = hourly(9)
    assert merges == [1]
    second = hourly(10)
    assert merges == [1], "nothing changed: the merged talks in the store are still right"
    rewritten = {name for name, mtime in second.items() if first.get(name) != mtime}
    assert rewritten == {"index.html", "health.json", ".fingerprints.json"}
    site.edit(site.detail_path(1866), "Large quantum computers", "Big quantum computers")
    third = hourly(11)
    assert merges == [1, 1]
    rewritten = {name for name, mtime in third.items() if second.get(name) != mtime}
    assert {"all.rss", "sites/nyu-cs-colloquium.rss", "changes.atom"} <= rewritten
    assert "Big quantum computers" in (out / "all.rss").read_text(encoding="utf-8")
