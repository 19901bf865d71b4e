"""Days with the time printed with them, and what they mean once the year is known."""

from __future__ import annotations

import datetime
import re
from datetime import UTC, tzinfo
from zoneinfo import ZoneInfo

from scrapers.when.clocks import find_clocks_in
from scrapers.when.days import find_days_in
from scrapers.when.mentions import ClockMention, DateParseError, DayMention, When
from scrapers.when.patterns import fold
from scrapers.when.style import DateStyle

__all__ = ["find_whens", "parse_datetime", "parse_datetime_range", "resolve"]

# What may stand between a day and the time after it: "Fri, Sep 19, 2025 , 4:00 pm",
# "12. Mai 2025, 16:15 Uhr", "mardi 3 juin 2025 à 14h", "7 avril 2026 (10h-12h", "… Time: 2pm".
# A period may close the year or the day first ("21. listopada 2025. 14:30", "2025. 10. 21. 오후
# 2:30"); right-to-left marks stand beside Persian and Arabic commas.
_AFTER = re.compile(
    r"\.?[\s,;:|/·•@(（，、،\u200e\u200f\-–—]*"
    # Up to two short words ("at", "à", "um", "ore", "om", "kl.", "godz.", "г. в", "ora") or
    # a longer one that announces a time.
    r"(?:(?:[^\W\d_]{1,5}\.?\s*[:,]?\s*){1,2}"
    r"|(?:starting|desde|dalle|vanaf|heure|horario|uhrzeit|orario)\s*[:,]?\s*"
    # ISO 8601: "2025-05-12T14:00".
    r"|t)?"
)
# What may stand between a time and the day after it: "14:00, 12 May 2025", "4pm Tuesday".
_BEFORE = re.compile(r"[\s,;|·•，、،\-–—]*(?:(?:on|le|am|el|il|op|den)\s+)?")
# What may stand between a day and a dotted time that is its time ("21. oktober 2025 14.30").
_STUCK = re.compile(r"\.?[\s,]*")
_LONGEST_GAP = 24
_LONGEST_TIME = 48


def find_whens(text: str, style: DateStyle = DateStyle()) -> list[When]:
    """Each day with the time printed with it: after it ("Fri, Sep 19, 2025, 4:00 pm – 6:00 pm",
    "12. Mai 2025, 16:15 Uhr", "mardi 3 juin 2025 à 14h") or right before it ("14:00, 12 May
    2025", "4pm Tuesday 3 June"), never a time that belongs to the next day."""
    folded = fold(text)
    days = find_days_in(text, folded, style)
    if not days:
        return []
    # Only times near a day can be its time: a time before a day ends at most _LONGEST_GAP
    # before it, and no time is longer than _LONGEST_TIME.
    near = [(day.start - _LONGEST_GAP - _LONGEST_TIME, day.end + _LONGEST_GAP + 1) for day in days]
    after_days = {_stuck(folded, day.end) for day in days}
    clocks = [
        clock
        for clock in find_clocks_in(text, folded, style, near, after_days)
        if not any(day.start < clock.end and clock.start < day.end for day in days)
    ]
    whens: list[When] = []
    taken: set[int] = set()
    for index, day in enumerate(days):
        following = days[index + 1] if index + 1 < len(days) else None
        clock = _clock_for(day, following, clocks, taken, folded)
        if clock is None:
            whens.append(When(day, None, day.start, day.end))
        else:
            taken.add(clock.start)
            whens.append(When(day, clock, min(day.start, clock.start), max(day.end, clock.end)))
    return whens


def _stuck(folded: str, end: int) -> int:
    """Where a time stuck to a day that ends at `end` would start."""
    match = _STUCK.match(folded, end)
    return match.end() if match else end


def _clock_for(
    day: DayMention,
    following: DayMention | None,
    clocks: list[ClockMention],
    taken: set[int],
    folded: str,
) -> ClockMention | None:
    before = next(
        (
            clock
            for clock in clocks
            if clock.end <= day.start
            and clock.start not in taken
            and _gap(_BEFORE, folded, clock.end, day.start)
        ),
        None,
    )
    after = next(
        (
            clock
            for clock in clocks
            if clock.start >= day.end and _gap(_AFTER, folded, day.end, clock.start)
        ),
        None,
    )
    # "14:00, 12 May; 15:00, 13 May": times come first here, so the one after this day belongs
    # to the next.
    if (
        after is not None
        and before is not None
        and following is not None
        and _gap(_BEFORE, folded, after.end, following.start)
    ):
        return before
    return after or before


def _gap(pattern: re.Pattern[str], folded: str, start: int, end: int) -> bool:
    return end - start <= _LONGEST_GAP and pattern.fullmatch(folded, start, end) is not None


def resolve(
    when: When, year: int, zone: ZoneInfo
) -> tuple[datetime.datetime, datetime.datetime | None, bool]:
    """(start, end, all_day) of a mention once its year is known (the printed year wins over
    `year`): aware datetimes in the time's printed zone if any, else `zone`. Without a time the
    mention is all-day: start is local midnight, end the midnight after the last day of a
    range, or None for one day. An end before the start is None. DateParseError when the day
    does not exist in that year (February 29)."""
    return _resolve(when, year, zone)


def _resolve(
    when: When, year: int, zone: tzinfo
) -> tuple[datetime.datetime, datetime.datetime | None, bool]:
    day = when.day
    try:
        first = datetime.date(day.year or year, day.month, day.day)
        last = _last_day(day, first)
    except ValueError:
        raise DateParseError(f"{day.month}/{day.day} is no date in {day.year or year}") from None
    clock = when.clock
    if clock is None:
        start = _localize(datetime.datetime.combine(first, datetime.time()), zone)
        if last is None:
            return start, None, True
        after = datetime.datetime.combine(last + datetime.timedelta(days=1), datetime.time())
        return start, _localize(after, zone), True
    if clock.zone is not None:
        zone = ZoneInfo(clock.zone)
    start = _localize(datetime.datetime.combine(first, clock.begin), zone)
    if clock.finish is None:
        return start, None, False
    end = _localize(datetime.datetime.combine(last or first, clock.finish), zone)
    return start, end if end > start else None, False


def _last_day(day: DayMention, first: datetime.date) -> datetime.date | None:
    if day.last is None:
        return None
    last_year, month, last_day = day.last
    if last_year is None:
        # "Dec 30 – Jan 2": the range runs into the next year.
        last_year = first.year + ((month, last_day) < (first.month, first.day))
    return datetime.date(last_year, month, last_day)


def _localize(naive: datetime.datetime, zone: tzinfo) -> datetime.datetime:
    # A wall time skipped by a spring-forward change does not exist; a round trip through UTC
    # moves it to the real instant the clocks showed (2:30 becomes 3:30 daylight time).
    # An ambiguous fall-back time takes its first occurrence (fold=0), the one printed first.
    return naive.replace(tzinfo=zone).astimezone(UTC).astimezone(zone)


def parse_datetime_range(
    text: str, zone: tzinfo, style: DateStyle = DateStyle()
) -> tuple[datetime.datetime, datetime.datetime | None]:
    """The start and (if printed) end of the first date with a year in `text` and its time, in
    `zone` unless the text prints a zone."""
    when = next((when for when in find_whens(text, style) if when.day.year is not None), None)
    if when is None:
        raise DateParseError(f"no date with a year in {text!r}")
    if when.clock is None:
        raise DateParseError(f"no time of day with the date in {text!r}")
    start, end, _ = _resolve(when, when.day.year or 0, zone)
    return start, end


def parse_datetime(text: str, zone: tzinfo, style: DateStyle = DateStyle()) -> datetime.datetime:
    """The start of the first date and time in `text`, as a local time in `zone`."""
    return parse_datetime_range(text, zone, style)[0]
