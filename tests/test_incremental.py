"""A second run against unchanged sites transfers almost nothing: every page it asks for again
is a conditional request answered 304, and pages of talks that are over are not asked for."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from aggregator.config import Config, SourceConfig
from aggregator.fetching.fetch import FetchSettings
from aggregator.fetching.snapshot import RedirectTransport, load_snapshot, serve_snapshots
from aggregator.pipeline import RunReport, run
from tests.fixture_pages import parsers as saved_parsers
from tests.fixture_pages import site_folders

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
