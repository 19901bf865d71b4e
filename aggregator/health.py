"""Each source's health ledger, rot detection, and `health.json`.

Every run keeps, per source: what HTTP answered, how many pages were fetched, revalidated or
lost, how many talks were found and how often each key field was filled. A source that still
answers but suddenly yields nothing, far fewer talks, or talks missing a field they used to
have is "probably broken" (a redesigned page, a moved listing): it is flagged with the evidence,
which a bare error count would never show. The ledger goes into the run's report in the store,
and into `health.json` in the output directory, for monitoring and `talkfeed status`.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal, Protocol

from aggregator.errors import OutputError
from scrapers import TalkDraft

__all__ = [
    "HEALTH_FILE",
    "HISTORY_RUNS",
    "KEY_FIELDS",
    "MIN_HISTORY",
    "HealthStatus",
    "PastRun",
    "SourceHealth",
    "SourceLedger",
    "fill_rates",
    "health_json",
    "load_health",
    "past_runs",
    "rot",
    "status_lines",
]

HEALTH_FILE = "health.json"
"""Written into the output directory after every run."""
KEY_FIELDS = ("start", "speakers", "location", "abstract")
"""The fields whose fill rate is watched: what subscribers need of a talk."""
HISTORY_RUNS = 5
"""Rot detection compares a source with its last this-many runs that read it without error."""
MIN_HISTORY = 3
"""Fewer earlier runs than this say too little about what is normal: nothing is flagged."""
FEWER_MEDIAN = 4
""""Far fewer talks" is judged only for sources that usually list at least this many."""
FILL_MEDIAN = 0.6
"""A fill-rate collapse is judged only for fields usually filled at least this often."""

HealthStatus = Literal["ok", "failed", "flagged"]


@dataclass
class SourceHealth:
    """One source's ledger for one run (its talk count, errors and warnings are in its
    `SourceReport`)."""

    status: HealthStatus = "ok"
    """"failed": a page or talk was lost; "flagged": read, but probably broken (see `flags`)."""
    http: dict[str, int] = field(default_factory=dict)
    """HTTP outcomes by kind (see `fetching.fetch.outcome`), e.g. {"2xx": 9, "5xx": 1}."""
    pages_fetched: int = 0
    """Pages that got an answer, revalidated ones included."""
    pages_revalidated: int = 0
    """Pages the server said were unchanged (HTTP 304)."""
    pages_reused: int = 0
    """Pages of talks that are over, not asked for again."""
    pages_failed: int = 0
    """Listing and detail pages lost: not fetched, of the wrong type, or not parsed."""
    fill: dict[str, float | None] = field(default_factory=dict)
    """Share of this run's talks with each of `KEY_FIELDS` (None when there were no talks)."""
    flags: list[str] = field(default_factory=list)
    """Why the source is probably broken, as evidence a person can check."""
    last_success: str | None = None
    """When a run last read the source without error or flag (ISO 8601), if ever."""


@dataclass(frozen=True)
class PastRun:
    """What an earlier run saw of a source."""

    talks: int
    fill: Mapping[str, float | None]


class SourceLedger(Protocol):
    """A source's part of a run report, as `health.json` shows it."""

    @property
    def site(self) -> str: ...
    @property
    def talks(self) -> int: ...
    @property
    def errors(self) -> list[str]: ...
    @property
    def warnings(self) -> list[str]: ...
    @property
    def health(self) -> SourceHealth: ...


def fill_rates(drafts: Sequence[TalkDraft]) -> dict[str, float | None]:
    """How often each key field is filled among `drafts` (None for every field when empty)."""
    rates: dict[str, float | None] = {}
    for name in KEY_FIELDS:
        filled = sum(1 for draft in drafts if _filled(getattr(draft, name)))
        rates[name] = round(filled / len(drafts), 3) if drafts else None
    return rates


def _filled(value: object) -> bool:
    if isinstance(value, str):
        return bool(value.strip())
    return bool(value)


def past_runs(entries: Iterable[Mapping[str, Any]]) -> list[PastRun]:
    """Source entries of stored run reports (`Store.source_reports`) as `PastRun`s, in the
    same order; reports written before the ledger existed give talk counts only."""
    return [
        PastRun(int(entry.get("talks", 0)), dict((entry.get("health") or {}).get("fill") or {}))
        for entry in entries
    ]


def rot(talks: int, fill: Mapping[str, float | None], history: Sequence[PastRun]) -> list[str]:
    """Evidence that a source is probably broken, compared with `history` (its earlier runs,
    newest first); empty when it looks like its usual self or the history is too short."""
    recent = list(reversed(history[:HISTORY_RUNS]))
    if len(recent) < MIN_HISTORY:
        return []
    flags = []
    counts = [run.talks for run in recent]
    usual = statistics.median(counts)
    seen = f"the last {len(counts)} runs found {', '.join(map(str, counts))}"
    if talks == 0 and usual > 0:
        flags.append(f"0 talks; {seen}")
    elif usual >= FEWER_MEDIAN and talks < usual / 2:
        flags.append(f"{talks} talks, under half of the usual {usual:g}; {seen}")
    for name in KEY_FIELDS:
        rate = fill.get(name)
        rates = [r for r in (run.fill.get(name) for run in recent) if r is not None]
        if rate is None or len(rates) < MIN_HISTORY:
            continue
        usual_rate = statistics.median(rates)
        if usual_rate >= FILL_MEDIAN and rate < usual_rate / 2:
            flags.append(
                f"{name} filled in {_percent(rate)} of talks, under half of the usual"
                f" {_percent(usual_rate)}; the last {len(rates)} runs:"
                f" {', '.join(map(_percent, rates))}"
            )
    return flags


def _percent(rate: float) -> str:
    return f"{rate:.0%}"


def health_json(
    sources: Iterable[SourceLedger],
    started: datetime,
    duration: float,
    exit_code: int,
    publish_error: str | None = None,
) -> bytes:
    """`health.json`: the run (start, duration in seconds, exit code, and why its files could
    not be published, if they could not) and every source's ledger, in config order."""
    document = {
        "started": started.isoformat(),
        "duration_seconds": round(duration, 3),
        "exit_code": exit_code,
        "publish_error": publish_error,
        "sources": [
            {
                "source": source.site,
                "status": source.health.status,
                "last_success": source.health.last_success,
                "talks": source.talks,
                "pages": {
                    "fetched": source.health.pages_fetched,
                    "revalidated": source.health.pages_revalidated,
                    "reused": source.health.pages_reused,
                    "failed": source.health.pages_failed,
                },
                "http": source.health.http,
                "fill": source.health.fill,
                "errors": source.errors,
                "warnings": source.warnings,
                "flags": source.health.flags,
            }
            for source in sources
        ],
    }
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode()


def load_health(out: Path) -> dict[str, Any]:
    """The `health.json` the last run wrote into `out`; OutputError when there is none yet or
    it cannot be read."""
    path = out / HEALTH_FILE
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise OutputError(str(path), "no health report yet (run `talkfeed run` first)") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise OutputError(str(path), f"cannot read the health report: {exc}") from None
    if not isinstance(document, dict) or not isinstance(document.get("sources"), list):
        raise OutputError(str(path), "not a talkfeed health report")
    return document


def status_lines(document: Mapping[str, Any]) -> list[str]:
    """`health.json` as a table a person reads: one row per source, then a line on the run."""
    header = ("SOURCE", "STATUS", "TALKS", "LAST SUCCESS", "FLAG / EVIDENCE")
    rows = [header]
    for source in document["sources"]:
        problems = source.get("flags") or source.get("errors") or []
        note = problems[0] if problems else ""
        if len(problems) > 1:
            note += f" (and {len(problems) - 1} more)"
        rows.append(
            (
                str(source.get("source")),
                str(source.get("status")),
                str(source.get("talks")),
                _when(source.get("last_success")),
                note,
            )
        )
    widths = [max(len(row[column]) for row in rows) for column in range(len(header) - 1)]
    lines = []
    for *cells, note in rows:
        padded = [cell.ljust(width) for cell, width in zip(cells, widths, strict=True)]
        lines.append("  ".join([*padded, note]).rstrip())
    lines.append(
        f"run {_when(document.get('started'))}, {document.get('duration_seconds', 0):g} s,"
        f" exit code {document.get('exit_code')}"
    )
    if document.get("publish_error"):
        lines.append(f"not published (the feeds are the last run's): {document['publish_error']}")
    return lines


def _when(stamp: object) -> str:
    if not isinstance(stamp, str):
        return "never"
    try:
        return datetime.fromisoformat(stamp).strftime("%Y-%m-%d %H:%M %z")
    except ValueError:
        return stamp
