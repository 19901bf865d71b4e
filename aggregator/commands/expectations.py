"""Hand-written expectations of what a page lists, and how many of their fields a reading gets
right: the measure of `talkfeed extract` on real pages (tests, and `bench/real_pages.py`).

An expectation is a JSON list of records in page order, each with `title`, `speakers`
(`[{"name", "affiliation"}]`), `start` and `end` (ISO 8601 with an offset, or a plain date for a
talk with no time; a plain `end` is the last day, inclusive), `timezone`, `location`, `host`,
`url`, `abstract_startswith`, and free `notes`. The fields counted are the title, each
speaker's name and affiliation, the start instant, the end, the location and the url. A talk
read that no expectation has costs as many fields as an expected talk, so inventing talks
lowers the score as missing them does.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

__all__ = ["Score", "load_expectation", "score"]


@dataclass
class Score:
    """Fields right out of fields counted, and what was wrong."""

    right: int = 0
    total: int = 0
    wrong: list[str] = field(default_factory=list)

    @property
    def share(self) -> float:
        """The share of fields right (1.0 when nothing was expected or read)."""
        return self.right / self.total if self.total else 1.0

    def __str__(self) -> str:
        return f"{self.right}/{self.total} fields right ({self.share:.1%})"


def load_expectation(path: Path) -> list[dict[str, Any]]:
    """The expected records in `path`."""
    records: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
    return records


def score(records: Sequence[Mapping[str, Any]], expected: Sequence[Mapping[str, Any]]) -> Score:
    """How many of the expected fields the `records` (talk records as JSON) get right."""
    result = Score()
    unmatched = list(records)
    for want in expected:
        got = _match(want, unmatched)
        if got is not None:
            unmatched.remove(got)
        _compare(want, got, result)
    for extra in unmatched:
        size = _size(extra)
        result.total += size
        result.wrong.append(f"not expected: {_label(extra)} ({size} fields)")
    return result


def _size(record: Mapping[str, Any]) -> int:
    return 5 + 2 * len(record.get("speakers") or [])


def _label(record: Mapping[str, Any]) -> str:
    names = ", ".join(s.get("name", "?") for s in record.get("speakers") or [])
    return f"{record.get('start')} {record.get('title') or names or '?'}"


def _match(
    want: Mapping[str, Any], candidates: list[Mapping[str, Any]]
) -> Mapping[str, Any] | None:
    """The read record that is the expected talk: same start day, then the most fields alike."""
    day = str(want.get("start", ""))[:10]
    same_day = [c for c in candidates if _local_day(c) == day]
    if not same_day:
        return None

    def alike(record: Mapping[str, Any]) -> int:
        probe = Score()
        _compare(want, record, probe)
        return probe.right

    return max(same_day, key=alike)


def _local_day(record: Mapping[str, Any]) -> str:
    return str(record.get("start", ""))[:10]


def _compare(want: Mapping[str, Any], got: Mapping[str, Any] | None, result: Score) -> None:
    label = _label(want)
    checks: list[tuple[str, bool]] = []
    record = got or {}
    checks.append(("title", _text(want.get("title")) == _text(record.get("title"))))
    wanted = want.get("speakers") or []
    found = record.get("speakers") or []
    for number, speaker in enumerate(wanted):
        other = found[number] if number < len(found) else {}
        checks.append(
            (f"speaker {number + 1} name", _text(speaker.get("name")) == _text(other.get("name")))
        )
        checks.append(
            (
                f"speaker {number + 1} affiliation",
                _text(speaker.get("affiliation")) == _text(other.get("affiliation")),
            )
        )
    checks.append(("start", got is not None and _same_start(want.get("start"), record)))
    checks.append(("end", got is not None and _same_end(want.get("end"), record)))
    checks.append(("location", _text(want.get("location")) == _text(record.get("location"))))
    checks.append(("url", want.get("url") == record.get("url")))
    extra = len(found) - len(wanted)
    if extra > 0:
        checks += [(f"speaker {len(wanted) + n + 1} not expected", False) for n in range(extra)]
    for name, right in checks:
        result.total += 1
        if right:
            result.right += 1
        elif got is None:
            continue
        else:
            result.wrong.append(
                f"{label}: {name}: expected {_shown(want, name)}, got {_shown(record, name)}"
            )
    if got is None:
        result.wrong.append(f"{label}: missing")


def _shown(record: Mapping[str, Any], name: str) -> str:
    if name.startswith("speaker"):
        return repr([(s.get("name"), s.get("affiliation")) for s in record.get("speakers") or []])
    if name in ("start", "end"):
        return repr((record.get(name), record.get("all_day")))
    return repr(record.get(name))


def _text(value: Any) -> str | None:
    return " ".join(str(value).split()) if value is not None else None


def _instant(value: Any) -> datetime | None:
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _is_date(value: Any) -> bool:
    return isinstance(value, str) and len(value) == 10


def _same_start(want: Any, record: Mapping[str, Any]) -> bool:
    if _is_date(want):
        return bool(record.get("all_day")) and str(record.get("start", ""))[:10] == want
    expected, found = _instant(want), _instant(record.get("start"))
    return expected is not None and not record.get("all_day") and expected == found


def _same_end(want: Any, record: Mapping[str, Any]) -> bool:
    end = record.get("end")
    if want is None:
        return end is None
    if _is_date(want):
        if not record.get("all_day") or end is None:
            return False
        last = date.fromisoformat(str(end)[:10]) - timedelta(days=1)
        return bool(last.isoformat() == want)
    expected = _instant(want)
    return expected is not None and expected == _instant(end)
