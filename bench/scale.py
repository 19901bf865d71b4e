"""Merging and publishing 1,000 to 100,000 synthetic talks: `merge`, then every file
`feed_files` renders, as one run of the pipeline does after its crawl (without the store)."""

from __future__ import annotations

import random
from collections.abc import Sequence
from functools import partial
from pathlib import Path

from aggregator.config import Config, SourceConfig
from aggregator.fetch import FetchSettings
from aggregator.merge import merge
from aggregator.model import StoredTalk
from aggregator.outputs import feed_files
from bench import Section, median_seconds, peak_bytes
from bench.merge import FIRST_DAY, SOURCES, synthetic
from scrapers import SiteParser

SIZES = (1_000, 10_000, 100_000)
RUNS = 3
SECONDS_TARGET = 20.0
BYTES_TARGET = 500 * 10**6
"""For the largest size: 500 MB."""


def run() -> Section:
    """Time and peak memory of merging and rendering at each size."""
    ids = [f"src{n:02d}" for n in range(SOURCES)]
    sites: dict[str, SiteParser] = {
        source: SiteParser.configured(
            id=source,
            name=source.upper(),
            start_urls=(f"https://{source}.example.edu/events/",),
            timezone="America/New_York",
        )
        for source in ids
    }
    config = Config(
        out=Path("out"),
        db=Path("talkfeed.db"),
        base_url="https://talks.example.edu/",
        fetch=FetchSettings(),
        sources=tuple(SourceConfig(source) for source in ids),
        path=None,
    )

    def publish(records: Sequence[StoredTalk]) -> dict[str, bytes]:
        combined = [
            StoredTalk(
                talk=cluster.talk,
                source_name=" · ".join(link.name for link in cluster.sources),
                sources=cluster.sources,
                provenance=cluster.provenance,
                first_seen=cluster.members[0].first_seen,
                last_seen=cluster.members[0].last_seen,
                last_changed=cluster.members[0].last_changed,
            )
            for cluster in merge(records)
        ]
        combined.sort(key=lambda s: (s.talk.start, s.talk.id))
        # Every talk starts on or after FIRST_DAY, so every one is inside every feed's window:
        # the most a feed can hold.
        return feed_files(config, sites, records, combined, [], FIRST_DAY)

    rows = []
    last = (0.0, 0)
    for size in SIZES:
        records, _ = synthetic(size, random.Random(size))
        files = publish(records)
        seconds = median_seconds(partial(publish, records), RUNS)
        peak, _ = peak_bytes(partial(publish, records))
        written = sum(len(body) for body in files.values())
        rows.append(
            (
                f"{size:,}",
                f"{len(files):,}",
                f"{written / 2**20:.1f}",
                f"{seconds:.2f}",
                f"{peak / 2**20:.0f}",
            )
        )
        last = (seconds, peak)
        print(f"  {size:,} records: {seconds:.2f} s, peak {peak / 2**20:.0f} MiB", flush=True)
    seconds, peak = last
    met = seconds < SECONDS_TARGET and peak < BYTES_TARGET
    return Section(
        title="Scale: merge and publish",
        method=(
            f"Synthetic records from bench/merge.py ({SOURCES} sources, 30 % of talks listed "
            f"2-3 times): `aggregator.merge.merge`, one `StoredTalk` per cluster (first seen "
            f"from its earliest member), then `aggregator.outputs.feed_files` for a config "
            f"holding the {SOURCES} sources: `all` and one feed per source in every format, "
            f"changes.atom (no changes), feeds.opml and index.html, rendered to bytes (not "
            f'written). "Now" is the first day, so every talk is inside every window. Time: '
            f"median of {RUNS} runs, records built beforehand; peak memory: one more run under "
            f"tracemalloc (Python allocations beyond the records)."
        ),
        headers=("Records", "Files", "Output (MiB)", "Median time (s)", "Peak memory (MiB)"),
        rows=tuple(rows),
        finding=(
            f"{SIZES[-1]:,} records merged and every file rendered in {seconds:.1f} s with a "
            f"peak of {peak / 10**6:.0f} MB: the target (under {SECONDS_TARGET:.0f} s and "
            f"{BYTES_TARGET // 10**6} MB) is {'met' if met else 'NOT met'}."
        ),
    )
