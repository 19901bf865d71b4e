"""What the readers find: spans of text with the day, time of day or term they print."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

__all__ = ["ClockMention", "DateParseError", "DayMention", "TermMention", "When"]


class DateParseError(ValueError):
    """The text holds no date and time in a form we read."""


@dataclass(frozen=True)
class DayMention:
    """A calendar day (or a range of days) printed in a text."""

    start: int
    end: int
    """The character span `text[start:end]`, weekday included."""
    year: int | None
    """None when not printed."""
    month: int
    day: int
    weekday: int | None
    """0 = Monday … 6 = Sunday, when printed; not checked against the date (a caller can use a
    disagreement to reject a guessed year)."""
    last: tuple[int | None, int, int] | None = None
    """(year, month, day) of the last day of a printed range ("March 17–20, 2026")."""

    def nearest_year(self, now: datetime.datetime) -> int:
        """The year that puts this day (printed without one) nearest to `now`."""
        today = now.date()

        def distance(year: int) -> int:
            try:
                return abs((datetime.date(year, self.month, self.day) - today).days)
            except ValueError:  # February 29 of a year without one
                return 1_000_000

        return min((today.year, today.year - 1, today.year + 1), key=distance)


@dataclass(frozen=True)
class ClockMention:
    """A time of day, or a range of times, printed in a text."""

    start: int
    end: int
    begin: datetime.time
    finish: datetime.time | None
    """The end of a printed range."""
    zone: str | None
    """IANA zone of a printed zone suffix ("EST" -> "America/New_York": a wall clock, not an
    offset, because people write "EST" in July too)."""


@dataclass(frozen=True)
class When:
    """A day and the time of day printed with it."""

    day: DayMention
    clock: ClockMention | None
    start: int
    end: int
    """The span covering both."""


@dataclass(frozen=True)
class TermMention:
    """An academic term or year ("Fall 2023", "WS 2025/26", "2025年度"): a stretch of months."""

    start: int
    end: int
    first: tuple[int, int]
    """(year, month) the term starts."""
    last: tuple[int, int]
    """(year, month) it ends."""

    def year_for(self, month: int) -> int:
        """The year that puts `month` inside the term or nearest to it (academic years cross
        January); on a tie, the earlier year."""
        first = self.first[0] * 12 + self.first[1] - 1
        last = self.last[0] * 12 + self.last[1] - 1

        def distance(year: int) -> int:
            index = year * 12 + month - 1
            return max(first - index, index - last, 0)

        return min(range(self.first[0] - 1, self.last[0] + 2), key=lambda y: (distance(y), y))
