"""Merging and publishing 1,000 to 100,000 synthetic talks as a run of the pipeline does after
its crawl (`aggregator.pipeline.merged_files`, published by `write_changed`): from scratch, an
hour later with nothing changed, and an hour after that with 1 % of the talks changed.

Each size runs in a process of its own, so the peak resident memory it reports belongs to that
size alone: the records (as a run holds them, read from the store), the merge and the writing,
C libraries (lxml under feedgen) included.
"""

from __future__ import annotations

import contextlib
import json
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from aggregator.config import Config, SourceConfig
from aggregator.fetching.fetch import FetchSettings
from aggregator.fetching.parsing import parse_workers
from aggregator.model import Talk
from aggregator.pipeline import merged_files
from aggregator.publishing.entries import MIN_ENTRIES, Workers
from aggregator.publishing.publish import write_changed
from aggregator.store.database import Sighting, Store
from bench import Section
from bench.merge import FIRST_DAY, SEEN, SOURCES, synthetic
from scrapers import SiteParser

SIZES = (1_000, 10_000, 100_000)
RUNS = 3
SECONDS_TARGET = 20.0
BYTES_TARGET = 500 * 10**6
"""For the largest size: 500 MB."""
HISTORY_DAYS = 3 * 365
AHEAD_DAYS = 120
"""A store as years of cron runs leave it: three years of talks that are over, and the next four
months announced. Every size spans the same days, so only the density grows."""

CROWDED_RUNS = 1
"""The worst case takes minutes at 100,000 talks: one run, a stress figure beside the target."""

BEFORE = (
    ("crowded", "1,000", "1.2", "-"),
    ("crowded", "10,000", "15.3", "-"),
    ("crowded", "100,000", "189.2", "2,104"),
)
"""Measured at commit 8da4e3b, before the fixes the finding describes (single runs of the same
work with every file rendered into memory, peak RSS by /usr/bin/time)."""


@dataclass(frozen=True)
class Measure:
    """One size in one scenario, measured in its own process."""

    seconds: float
    """From scratch: every talk merged, every file rendered."""
    again: float
    """An hour later, nothing changed."""
    changed: float
    """An hour after that, 1 % of the talks changed: storing them, merging, publishing."""
    files: int
    written: int
    rss: int
    """Peak resident set size of the process, in bytes."""
    worker_rss: int
    """The highest peak resident set size of a worker process that rendered entries (0 when
    none did), in bytes."""
    worker_cpu: float
    """CPU seconds the worker processes spent rendering from scratch, median over the runs."""


UNCHANGED_TARGET = 2.0
CHANGED_TARGET = 5.0
CROWDED_TARGET = 60.0
CHANGED_SHARE = 0.01


def run() -> Section:
    """Time and peak memory of merging and publishing at each size, in both scenarios."""
    rows = []
    store: dict[int, Measure] = {}
    for size in SIZES:
        store[size] = _measure(size, "store")
        rows.append(_row("store", size, store[size]))
        print(f"  store, {size:,}: {store[size].seconds:.2f} s", flush=True)
    crowded: dict[int, Measure] = {}
    for size in SIZES:
        crowded[size] = _measure(size, "crowded")
        rows.append(_row("crowded", size, crowded[size]))
        print(f"  crowded, {size:,}: {crowded[size].seconds:.2f} s", flush=True)
    big = store[SIZES[-1]]
    worst = crowded[SIZES[-1]]
    rss = max(m.rss for m in (*store.values(), *crowded.values()))
    verdicts = [
        ("from scratch", big.seconds, SECONDS_TARGET),
        ("an hour on, nothing changed", big.again, UNCHANGED_TARGET),
        ("1 % changed", big.changed, CHANGED_TARGET),
        ("crowded, from scratch", worst.seconds, CROWDED_TARGET),
    ]
    said = "; ".join(
        f"{what} {seconds:.1f} s against {target:g} s ({'met' if seconds < target else 'NOT met'})"
        for what, seconds, target in verdicts
    )
    growth = {
        label: getattr(store[SIZES[-1]], field) / getattr(store[SIZES[0]], field)
        for label, field in (("from scratch", "seconds"), ("unchanged", "again"))
    }
    return Section(
        title="Scale: merge and publish",
        method=(
            f"Synthetic records from bench/merge.py ({SOURCES} sources, 30 % of talks listed "
            f"2-3 times) stored as a crawl leaves them; timed, what a run does next "
            f"(`aggregator.pipeline.merged_files`: the merge unless nothing it is merged from "
            f"changed, then every file for a config of the {SOURCES} sources, `all` and one "
            f"feed per source in RSS, Atom, JSON Feed and iCal, one `.ics` per upcoming talk for "
            f"the index page, changes.atom, feeds.opml, index.html, each read from the store "
            f"only when its fingerprint changed) published together by "
            f"`aggregator.publishing.publish.write_changed`: **from scratch** into an empty "
            f"directory; **an hour on**, with nothing changed; **1 % changed**, an hour after "
            f"that, with every hundredth talk retitled (stored by `Store.upsert`, timed too)."
            f" Two scenarios: **store**, the target, {HISTORY_DAYS // 365} years of "
            f"talks that are over and {AHEAD_DAYS} days ahead, so the feeds' windows (RSS and "
            f"Atom 30 days back, iCal 180) hold what they hold in use; **crowded**, the worst "
            f"case, every talk still ahead, so every feed holds every talk. Time: median of "
            f"{RUNS} runs (crowded: {CROWDED_RUNS}), records built beforehand. Peak memory: "
            f"the process's peak resident size, records and C libraries included (each size "
            f"runs in a process of its own). Entries of the combined feeds that the store does "
            f"not keep are rendered first in worker processes, one per core (`Prerender`, "
            f"when there are at least {MIN_ENTRIES:,}): their CPU time from scratch and their "
            f"peak resident size are in the last two columns; the run's own process is in the "
            f"others."
        ),
        headers=(
            "Scenario",
            "Records",
            "Files",
            "Written (MiB)",
            "From scratch (s)",
            "An hour on, unchanged (s)",
            "1 % changed (s)",
            "Peak RSS (MiB)",
            "Render workers: CPU from scratch (s)",
            "Peak RSS of a worker (MiB)",
        ),
        rows=tuple(rows),
        finding=(
            f"At {SIZES[-1]:,} talks: {said}; peak memory {rss / 10**6:.0f} MB against "
            f"{BYTES_TARGET // 10**6} MB ({'met' if rss < BYTES_TARGET else 'NOT met'}). "
            f"How cost grows: {SIZES[-1] // SIZES[0]} times the talks take "
            f"{growth['from scratch']:.0f} times as long from scratch, and "
            f"{growth['unchanged']:.0f} times as long an hour on with nothing changed. "
            f"Nothing changed, a run reads no talk: the merge is skipped (what it is merged from "
            f"is the same), each file's fingerprint is made of the store's revisions and its "
            f"window, which moves once a day, and only the index page is rendered, from the "
            f"talks not yet over. With 1 % changed (a thousand talks retitled over the three "
            f"years, a tenth of them within some window), profiled with cProfile at 9c8c09e "
            f"(17.3 s at 100,000): the merge took 6.9 s, reading the talks the windows reach, "
            f"those changed and what they could be merged with (80,000 records read and "
            f"validated, 1.9 s), merging them (2.0 s) and writing the merged talks back (1.9 s); "
            f"publishing took 9.7 s, as nearly every feed holds a changed talk and is assembled "
            f"again: its talks read from the store and each one's entry key digested, its kept "
            f"entries read (only the changed entries are rendered), the changes feed's cut (1.6 "
            f"s: the first run made every talk new at once) and the iCal documents' own work. "
            f"The merge would read less without the windows' talks (the talks that changed and "
            f"what they could be merged with suffice), and the feeds less with the talks kept "
            f"in a lighter form than pydantic models." + _history()
        ),
    )


def _history() -> str:
    before = "; ".join(f"{size}: {seconds} s" for _, size, seconds, _ in BEFORE)
    return (
        f" Profiled with pyinstrument (5,000 crowded talks), 72% of the time was iCal, and more "
        f"than half of that icalendar folding long lines one character at a time; the per-source "
        f"feeds scanned every record once per source; and every file was held in memory until "
        f"all were rendered, each calendar with the icalendar objects of all its events. Fixed: "
        f"lines are folded on their bytes (feeds/folding.py, the same output as icalendar's, "
        f"tested), records are grouped by source once, files are written one at a time as they "
        f"are rendered, and each event is serialized as soon as it is built. Crowded case before "
        f"(commit 8da4e3b, without the store's part, which the table now includes): {before}, "
        f"peak RSS {BEFORE[-1][3]} MiB at {BEFORE[-1][1]}. What is "
        f"left is icalendar's and feedgen's own work per entry (Event.add and content lines "
        f"about 0.25 ms per event), and for memory the talks themselves: each record as pydantic "
        f"models takes about 4 KB, half of it pydantic's per-instance field sets. Since commit "
        f"ee8f163 every feed has a JSON Feed beside it and every upcoming talk a calendar file of "
        f"its own (72,514 files instead of 156 for 100,000 crowded talks): the crowded case rose "
        f"from 160.7 s to 281.0 s and the store case from 53.4 s to 64.9 s, while a run with "
        f"nothing changed stayed where it was, since fingerprints spare the files too. Since "
        f"then (commits af0b84a to 9c8c09e) entries are rendered once and kept, publishing reads "
        f"from the store only what a file that must be rendered needs, the merge reads only what "
        f"can have changed, and the index page and the changes feed hold the next and newest "
        f"500: an hour on with nothing changed went from 25.1 s to 0.2 s at 100,000 talks. "
        f"Profiled with py-spy at de819f8 (from scratch at 100,000 talks), the iCal events "
        f"were a quarter of the time, most of it icalendar building each Event property by "
        f"property and its content-line objects, and rendering entries of all kinds 43 %, on "
        f"one core. Since then each VEVENT is written from icalendar's own value types in its "
        f"property order, without an Event (0.35 to 0.15 ms an event, the same bytes), the "
        f"combined feeds' entries that are not kept are rendered first in worker processes, "
        f"one per core, new combined talks are inserted in batches, and the changes feed reads "
        f"only the changes it can show (at 5900cca: from scratch 45.6 s, crowded 238.7 s)."
    )


def _row(scenario: str, size: int, measure: Measure) -> tuple[str, ...]:
    return (
        scenario,
        f"{size:,}",
        f"{measure.files:,}",
        f"{measure.written / 2**20:.1f}",
        f"{measure.seconds:.2f}",
        f"{measure.again:.2f}",
        f"{measure.changed:.2f}",
        f"{measure.rss / 2**20:.0f}",
        f"{measure.worker_cpu:.2f}",
        f"{measure.worker_rss / 2**20:.0f}",
    )


def _measure(size: int, scenario: str) -> Measure:
    done = subprocess.run(
        [sys.executable, "-m", "bench.scale", str(size), scenario],
        capture_output=True,
        text=True,
        check=True,
    )
    return Measure(**json.loads(done.stdout))


def _config(db: Path, out: Path) -> tuple[Config, dict[str, SiteParser]]:
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
        out=out,
        db=db,
        base_url="https://talks.example.edu/",
        fetch=FetchSettings(),
        sources=tuple(SourceConfig(source) for source in ids),
        path=None,
    )
    return config, sites


def _publish(
    db: Path, now: datetime, out: Path, workers: Workers, changed: Sequence[Talk] = ()
) -> int:
    """What a run does after its crawl, into the store `db` and the directory `out`: store the
    `changed` talks, merge if need be, and write every file that changed, entries rendered in
    `workers` when there are many. The number written."""
    config, sites = _config(db, out)
    with Store(db) as store:
        if changed:
            store.upsert([Sighting(talk, talk.source.upper()) for talk in changed], now)
        files = merged_files(config, sites, store, now, workers=workers)
        return len(write_changed(out, files))


def _retitled(db: Path) -> list[Talk]:
    """Every hundredth talk of the store, retitled."""
    with Store(db) as store:
        talks = [st.talk for st in store.talks()]
    step = round(1 / CHANGED_SHARE)
    return [t.model_copy(update={"title": f"{t.title} (revised)"}) for t in talks[::step]]


def _one(size: int, scenario: str) -> Measure:
    if scenario == "store":
        records = synthetic(size, random.Random(size), days=HISTORY_DAYS + AHEAD_DAYS)[0]
        now = FIRST_DAY + timedelta(days=HISTORY_DAYS)
    else:
        records = synthetic(size, random.Random(size))[0]
        now = FIRST_DAY
    cold, warm, changing, spent = [], [], [], []
    workers = Workers(parse_workers("auto"))
    files = written = 0
    with tempfile.TemporaryDirectory() as scratch:
        # As the crawl leaves it: every record stored, nothing merged or published yet. Built
        # once and copied for each run, so the records are not held beside the run's own.
        crawled = Path(scratch) / "crawled.db"
        with Store(crawled) as store:
            store.upsert([Sighting(st.talk, st.source_name) for st in records], SEEN)
        del records
        retitled = _retitled(crawled)
        _reset_peak_rss()
        for number in range(RUNS if scenario == "store" else CROWDED_RUNS):
            run = Path(scratch) / str(number)
            run.mkdir()
            db, out = run / "talkfeed.db", run / "out"
            shutil.copyfile(crawled, db)
            began = time.perf_counter()
            before = workers.cpu
            files = _publish(db, now, out, workers)
            cold.append(time.perf_counter() - began)
            spent.append(workers.cpu - before)
            written = sum(path.stat().st_size for path in out.rglob("*") if path.is_file())
            began = time.perf_counter()
            _publish(db, now + timedelta(hours=1), out, workers)
            warm.append(time.perf_counter() - began)
            began = time.perf_counter()
            _publish(db, now + timedelta(hours=2), out, workers, retitled)
            changing.append(time.perf_counter() - began)
    rss = _peak_rss()
    return Measure(
        seconds=statistics.median(cold),
        again=statistics.median(warm),
        changed=statistics.median(changing),
        files=files,
        written=written,
        rss=rss,
        worker_rss=workers.rss,
        worker_cpu=statistics.median(spent),
    )


def _reset_peak_rss() -> None:
    """Start the peak over (Linux: "5" to clear_refs), so building the records and the store
    beforehand does not count; where that is refused, the peak may include them."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5", encoding="ascii")


def _peak_rss() -> int:
    """The process's peak resident set size in bytes: VmHWM, which starts afresh at exec, unlike
    getrusage's ru_maxrss, which Linux carries over from the parent that forked the process."""
    for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


if __name__ == "__main__":
    measure = _one(int(sys.argv[1]), sys.argv[2])
    print(json.dumps(measure.__dict__))
