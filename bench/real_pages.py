"""Real pages: `talkfeed extract FILE --url URL --timezone ZONE` on every page with hand-written
expectations, field by field, and how long it takes to read a page.

The pages: the real captures in ../shared/real/pages/ (read as a user runs the command, with no
`--now`), and the listing pages written for the tests in tests/fixtures/_listings/ and
tests/fixtures/_holdout/ (with the capture time their pages.toml gives). The fields counted
are those of `aggregator.commands.expectations`: the title, each speaker's name and
affiliation, the start instant, the end, the location and the url; a talk read that is not
expected costs as many fields as a missed one. Time: the median of several readings of each
page, the page parsed afresh each time (as the command does), after one reading to warm the
date patterns. The held-out pages were written in batches without looking at the extractor;
tests/fixtures/_holdout/first_reading.toml keeps what the extractor read of each batch the
first time it ran on it, before any change made because of it, which is the fairest figure for
pages it has never seen.
"""

from __future__ import annotations

import asyncio
import statistics
import time
import tomllib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from aggregator.commands.expectations import Score, load_expectation, score
from aggregator.commands.extract import extract_page, page_source
from aggregator.records.normalize import normalize
from bench import Section
from scrapers import Page

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "real" / "pages"
REAL = ROOT / "tests" / "real" / "pages.toml"
WRITTEN = (ROOT / "tests" / "fixtures" / "_listings", ROOT / "tests" / "fixtures" / "_holdout")
FIRST_READING = ROOT / "tests" / "fixtures" / "_holdout" / "first_reading.toml"
RUNS = 7
TARGET_SHARE = 0.95
TARGET_MS = 50.0
"""A typical listing page: one of at most 25 KB, the size of most pages here."""
TYPICAL_BYTES = 25_000


_Row = tuple[str, str, str, str, str, str]


@dataclass(frozen=True)
class _Case:
    group: str
    name: str
    path: Path
    url: str
    zone: str
    now: datetime | None


def run() -> Section:
    """Fields right and milliseconds per page, page by page."""
    cases = _cases()
    rows: list[_Row] = []
    typical: list[float] = []
    real_shares: list[float] = []
    totals = {group: Score() for group in ("real", "written", "held out")}
    measured = [_measure(case) for case in cases]
    for case, (result, seconds) in zip(cases, measured, strict=True):
        total = totals[case.group]
        total.right += result.right
        total.total += result.total
        size = case.path.stat().st_size
        if size <= TYPICAL_BYTES:
            typical.append(seconds)
        if case.group == "real":
            real_shares.append(result.share)
        rows.append(
            (
                case.group,
                case.name,
                f"{size / 1024:.0f}",
                f"{result.right}/{result.total}",
                f"{result.share:.1%}",
                f"{seconds * 1000:.1f}",
            )
        )
    rows += [
        (group, "all pages", "", f"{s.right}/{s.total}", f"{s.share:.1%}", "")
        for group, s in totals.items()
        if s.total
    ]
    batches = _batches({case.name: score for case, (score, _) in zip(cases, measured, strict=True)})
    rows += _batch_rows(batches)
    return Section(
        title="Real pages: what `talkfeed extract` reads right",
        method=(__doc__ or "").strip().split("\n\n", 1)[1].replace("\n", " "),
        headers=("Set", "Page", "KB", "Fields right", "Share", "ms"),
        rows=tuple(rows),
        finding=_finding(real_shares, typical, batches),
    )


@dataclass(frozen=True)
class _Batch:
    name: str
    commit: str
    first: Score
    now: Score


def _batches(now: dict[str, Score]) -> list[_Batch]:
    """Per held-out batch: the fields right the first time, and now, on the same pages."""
    batches = []
    for name, batch in tomllib.loads(FIRST_READING.read_text(encoding="utf-8")).items():
        pages: dict[str, list[int]] = batch["pages"]
        first = Score(sum(r for r, _ in pages.values()), sum(t for _, t in pages.values()))
        today = Score(
            sum(now[p].right for p in pages if p in now),
            sum(now[p].total for p in pages if p in now),
        )
        batches.append(_Batch(name, batch["commit"], first, today))
    return batches


def _batch_rows(batches: list[_Batch]) -> list[_Row]:
    rows: list[_Row] = []
    for batch in batches:
        for label, result in (
            (f"first reading (commit {batch.commit})", batch.first),
            ("now", batch.now),
        ):
            share = f"{result.share:.1%}"
            rows.append((f"held out, {batch.name}", label, "", f"{result.right}/{result.total}",
                         share, ""))  # fmt: skip
    return rows


def _finding(real_shares: list[float], typical: list[float], batches: list[_Batch]) -> str:
    lowest = min(real_shares, default=1.0)
    median = statistics.median(typical) * 1000 if typical else 0.0
    slowest = max(typical, default=0.0) * 1000
    met = "met" if lowest >= TARGET_SHARE else "NOT met"
    fast = "met" if slowest < TARGET_MS else "NOT met"
    return (
        f"Every real page with expectations at least {TARGET_SHARE:.0%} right: {met} (lowest "
        f"{lowest:.1%}). A typical listing page (up to {TYPICAL_BYTES // 1000} KB) read in "
        f"{median:.1f} ms at the median and {slowest:.1f} ms at most; the target of under "
        f"{TARGET_MS:.0f} ms: {fast}. Pages of layouts it had never seen (the held-out "
        "batches, read the first time): "
        + "; ".join(f"{b.name} {b.first.share:.1%} right" for b in batches)
        + ", and after the general fixes they led to: "
        + "; ".join(f"{b.name} {b.now.share:.1%}" for b in batches)
        + "."
    )


def _cases() -> list[_Case]:
    cases = []
    if SHARED.is_dir():
        for name, entry in tomllib.loads(REAL.read_text(encoding="utf-8")).items():
            path = SHARED / name
            if path.with_name(path.stem + ".expected.json").is_file():
                cases.append(_Case("real", name, path, entry["url"], entry["timezone"], None))
    for folder in WRITTEN:
        manifest = folder / "pages.toml"
        if not manifest.is_file():
            continue
        group = "written" if folder.name == "_listings" else "held out"
        for name, entry in sorted(tomllib.loads(manifest.read_text(encoding="utf-8")).items()):
            now = entry["captured_at"]
            cases.append(_Case(group, name, folder / name, entry["url"], entry["timezone"], now))
    return cases


def _measure(case: _Case) -> tuple[Score, float]:
    text = case.path.read_text(encoding="utf-8")
    zone = ZoneInfo(case.zone)
    now = case.now or datetime.fromtimestamp(case.path.stat().st_mtime).astimezone()

    def read() -> list[dict[str, object]]:
        page = Page(case.url, text, now)
        extraction = asyncio.run(extract_page(page, zone, fetch=False))
        site = page_source(page, zone)
        return [normalize(draft, site).model_dump(mode="json") for draft in extraction.talks]

    records = read()
    times = []
    for _ in range(RUNS):
        began = time.perf_counter()
        read()
        times.append(time.perf_counter() - began)
    expected = load_expectation(case.path.with_name(case.path.stem + ".expected.json"))
    return score(records, expected), statistics.median(times)
