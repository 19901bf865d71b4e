"""Dates and times as academic pages print them, read into aware datetimes.

The main format is Django's default `N j, Y, P`: "March 10, 2026, 2 p.m.", "Sept. 22, 2026, noon",
"Oct. 6, 2026, 11:30 a.m.", "midnight", with AP month abbreviations. Full month names, a leading
weekday, "at", 24-hour times and a time range ("2 p.m. – 3:30 p.m.") are accepted too.
`dateutil` is no help here: it reads "noon" as 00:00 and a range as its end.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, tzinfo

__all__ = ["DateParseError", "parse_datetime", "parse_datetime_range"]

_MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4,
    "april": 4, "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8,
    "sep": 9, "sept": 9, "september": 9, "oct": 10, "october": 10, "nov": 11,
    "november": 11, "dec": 12, "december": 12,
}  # fmt: skip

_DATE = re.compile(
    r"\b(?P<month>[A-Za-z]{3,9})\.?\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<year>\d{4})\b"
)
# One clock reading, with group names prefixed "s" (start) or "e" (end): "2 p.m.", "11:30 a.m.",
# "14:00", "noon", "midnight".
_CLOCK = (
    r"(?:(?P<{p}h>\d{{1,2}})(?:[:.](?P<{p}m>\d{{2}}))?\s*(?P<{p}ap>[ap])\.?\s*m\b\.?"
    r"|(?P<{p}h24>\d{{1,2}}):(?P<{p}m24>\d{{2}})"
    r"|(?P<{p}word>noon|midnight))"
)
_TIME = re.compile(
    r"^[\s,]*(?:at\s+)?"
    + _CLOCK.format(p="s")
    + r"(?:\s*(?:-|–|—|to|until)\s*"
    + _CLOCK.format(p="e")
    + r")?",
    re.IGNORECASE,
)


class DateParseError(ValueError):
    """The text holds no date and time in a form we read."""


def parse_datetime(text: str, zone: tzinfo) -> datetime:
    """The start of the first date and time in `text`, as a local time in `zone`."""
    return parse_datetime_range(text, zone)[0]


def parse_datetime_range(text: str, zone: tzinfo) -> tuple[datetime, datetime | None]:
    """The start and (if printed) end of the first date-and-time in `text`, in `zone`."""
    day = _find_date(text)
    if day is None:
        raise DateParseError(f"no date in {text!r}")
    found, rest = day
    match = _TIME.match(rest)
    if match is None:
        raise DateParseError(f"no time of day after the date in {text!r}")
    start_time = _clock(match, "s", None)
    if start_time is None:
        raise DateParseError(f"no time of day after the date in {text!r}")
    start = _localize(datetime.combine(found, start_time), zone)
    end_time = _clock(match, "e", match.group("sap"))
    if end_time is None:
        return start, None
    end = _localize(datetime.combine(found, end_time), zone)
    return start, end if end > start else None


def _find_date(text: str) -> tuple[date, str] | None:
    for match in _DATE.finditer(text):
        month = _MONTHS.get(match.group("month").lower())
        if month is None:
            continue
        try:
            found = date(int(match.group("year")), month, int(match.group("day")))
        except ValueError as exc:
            raise DateParseError(f"impossible date in {text!r}: {exc}") from None
        return found, text[match.end() :]
    return None


def _clock(match: re.Match[str], prefix: str, start_meridiem: str | None) -> time | None:
    word = match.group(f"{prefix}word")
    if word:
        return time(12) if word.lower() == "noon" else time(0)
    if match.group(f"{prefix}h24"):
        hour, minute = int(match.group(f"{prefix}h24")), int(match.group(f"{prefix}m24"))
        if start_meridiem and 1 <= hour <= 12:
            # "2 p.m. – 3:30": the end shares the start's a.m./p.m.
            return time(hour % 12 + (12 if start_meridiem.lower() == "p" else 0), minute)
        if hour > 23 or minute > 59:
            raise DateParseError(f"impossible time {hour}:{minute:02d}")
        return time(hour, minute)
    if not match.group(f"{prefix}h"):
        return None
    hour, minute = int(match.group(f"{prefix}h")), int(match.group(f"{prefix}m") or 0)
    meridiem = (match.group(f"{prefix}ap") or start_meridiem or "").lower()
    if not 1 <= hour <= 12 or minute > 59:
        raise DateParseError(f"impossible time {hour}:{minute:02d} {meridiem}m")
    hour %= 12
    if meridiem == "p":
        hour += 12
    return time(hour, minute)


def _localize(naive: datetime, zone: tzinfo) -> datetime:
    # A wall time skipped by a spring-forward change does not exist; a round trip through UTC
    # moves it to the real instant the clocks showed (2:30 becomes 3:30 daylight time).
    # An ambiguous fall-back time takes its first occurrence (fold=0), the one printed first.
    return naive.replace(tzinfo=zone).astimezone(UTC).astimezone(zone)
