"""The second run: every saved site served on 127.0.0.1 (with ETags, as real servers send),
crawled twice with nothing changed in between. Measures requests, bytes and time of each run."""

from __future__ import annotations

import statistics
import tempfile
import time
from datetime import datetime
from pathlib import Path

from aggregator import pipeline
from aggregator.config import Config, SourceConfig, bundled_parsers
from aggregator.fetching.fetch import FetchSettings
from aggregator.fetching.snapshot import RedirectTransport, load_snapshot, serve_snapshots
from aggregator.pipeline import RunReport
from bench import Section

FIXTURES = Path(__file__).parent.parent / "tests" / "fixtures"
NOW = datetime.fromisoformat("2026-03-01T09:00:00-05:00")
REPEATS = 5


def run_pair() -> tuple[tuple[RunReport, float], tuple[RunReport, float]]:
    """Two runs into a fresh store: their reports and wall-clock times."""
    folders = sorted(p for p in FIXTURES.iterdir() if p.is_dir() and not p.name.startswith("_"))
    snapshots = [load_snapshot(folder) for folder in folders]
    parsers = bundled_parsers()
    with tempfile.TemporaryDirectory() as scratch, serve_snapshots(snapshots) as origin:
        config = Config(
            out=Path(scratch) / "out",
            db=Path(scratch) / "talkfeed.db",
            base_url=None,
            fetch=FetchSettings(delay=0.0),
            sources=tuple(SourceConfig(s.folder.name) for s in snapshots),
            path=None,
        )
        timed = []
        for _ in range(2):
            began = time.perf_counter()
            report = pipeline.run(config, parsers, now=NOW, transport=RedirectTransport(origin))
            timed.append((report, time.perf_counter() - began))
    return timed[0], timed[1]


def run() -> Section:
    """Median figures of several pairs of runs."""
    pairs = [run_pair() for _ in range(REPEATS)]
    first = [pair[0] for pair in pairs]
    second = [pair[1] for pair in pairs]

    def median(values: list[float]) -> float:
        return statistics.median(values)

    rows = []
    for label, runs in (("first", first), ("second", second)):
        rows.append(
            (
                label,
                f"{median([r.requests for r, _ in runs]):.0f}",
                f"{median([r.revalidated for r, _ in runs]):.0f}",
                f"{median([r.bytes for r, _ in runs]) / 1024:.1f}",
                f"{median([t for _, t in runs]):.2f}",
            )
        )
    share = median([b[0].bytes / a[0].bytes for a, b in pairs])
    fresh = median([float(b[0].requests - b[0].revalidated) for _, b in pairs])
    reused = median([float(sum(s.health.pages_reused for s in b[0].sources)) for _, b in pairs])
    return Section(
        title="Second run: an unchanged site costs almost nothing",
        method=(
            f"Every saved site in tests/fixtures ({_count(len(first[0][0].sources))}) served on"
            " 127.0.0.1 with ETags, crawled twice into a fresh store with no delay; median of"
            f" {REPEATS} pairs. The second run asks again only conditionally, and not at all"
            " for pages of talks that are over."
        ),
        headers=("Run", "Requests", "Answered 304", "KiB received", "Time (s)"),
        rows=tuple(rows),
        finding=(
            f"The second run received {share:.2%} of the first run's bytes; {fresh:.0f} of its"
            f" requests (robots.txt included) were answered other than 304, and {reused:.0f}"
            " talk pages that are over were not requested."
        ),
    )


def _count(sources: int) -> str:
    return f"{sources} source" if sources == 1 else f"{sources} sources"
