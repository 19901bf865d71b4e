from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from scrapers.when import DateParseError, parse_datetime, parse_datetime_range

NY = ZoneInfo("America/New_York")


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("March 10, 2026, 2 p.m.", "2026-03-10T14:00:00-04:00"),
        ("Sept. 22, 2026, noon", "2026-09-22T12:00:00-04:00"),
        ("Oct. 6, 2026, 11:30 a.m.", "2026-10-06T11:30:00-04:00"),
        ("Jan. 27, 2026, 11 a.m.", "2026-01-27T11:00:00-05:00"),
        ("Feb. 24, 2026, noon", "2026-02-24T12:00:00-05:00"),
        ("Aug. 3, 2026, 9 a.m.", "2026-08-03T09:00:00-04:00"),
        ("Nov. 30, 2026, 4:15 p.m.", "2026-11-30T16:15:00-05:00"),
        ("Dec. 1, 2026, midnight", "2026-12-01T00:00:00-05:00"),
        ("April 14, 2026, 2 p.m.", "2026-04-14T14:00:00-04:00"),
        ("May 5, 2026, 10 a.m.", "2026-05-05T10:00:00-04:00"),
        ("June 1, 2026, 1 p.m.", "2026-06-01T13:00:00-04:00"),
        ("July 4, 2026, 12:30 p.m.", "2026-07-04T12:30:00-04:00"),
        # Recent live pages spell months in full; older ones use AP abbreviations.
        ("February 26, 2024, 2 p.m.", "2024-02-26T14:00:00-05:00"),
        ("September 19, 2025, 11 a.m.", "2025-09-19T11:00:00-04:00"),
        ("Oct. 11, 2017, 12:30 p.m.", "2017-10-11T12:30:00-04:00"),
        ("12 a.m. is midnight: Jan. 5, 2026, 12 a.m.", "2026-01-05T00:00:00-05:00"),
        ("Tuesday, March 10, 2026 at 2:00pm", "2026-03-10T14:00:00-04:00"),
        ("March 10, 2026, 14:00", "2026-03-10T14:00:00-04:00"),
    ],
)
def test_django_dates(text: str, iso: str) -> None:
    parsed = parse_datetime(text, NY)
    assert parsed.isoformat() == iso
    assert parsed.tzinfo is NY


def test_spring_forward_on_both_sides() -> None:
    before = parse_datetime("March 7, 2026, 2 p.m.", NY)
    after = parse_datetime("March 8, 2026, 2 p.m.", NY)
    assert before.utcoffset() == timedelta(hours=-5)
    assert after.utcoffset() == timedelta(hours=-4)
    # Same wall time on consecutive days is 23 real hours apart across the change.
    assert after.astimezone(UTC) - before.astimezone(UTC) == timedelta(hours=23)


def test_fall_back_on_both_sides() -> None:
    before = parse_datetime("Oct. 31, 2026, 2 p.m.", NY)
    after = parse_datetime("Nov. 1, 2026, 2 p.m.", NY)
    assert before.utcoffset() == timedelta(hours=-4)
    assert after.utcoffset() == timedelta(hours=-5)
    assert after.astimezone(UTC) - before.astimezone(UTC) == timedelta(hours=25)


def test_nonexistent_wall_time_moves_forward() -> None:
    assert parse_datetime("March 8, 2026, 2:30 a.m.", NY).isoformat() == "2026-03-08T03:30:00-04:00"


def test_ambiguous_wall_time_takes_first_occurrence() -> None:
    assert parse_datetime("Nov. 1, 2026, 1:30 a.m.", NY).isoformat() == "2026-11-01T01:30:00-04:00"


def test_range_gives_end_and_shares_meridiem() -> None:
    start, end = parse_datetime_range("March 10, 2026, 2 p.m. – 3:30", NY)
    assert (start, end) == (
        datetime(2026, 3, 10, 14, tzinfo=NY),
        datetime(2026, 3, 10, 15, 30, tzinfo=NY),
    )


def test_no_end_when_none_printed() -> None:
    assert parse_datetime_range("March 10, 2026, 2 p.m.", NY)[1] is None


@pytest.mark.parametrize(
    "text",
    [
        "",
        "TBA",
        "March 10, 2026",
        "Smarch 10, 2026, 2 p.m.",
        "Feb. 30, 2026, 2 p.m.",
        "March 10, 2026, 13 p.m.",
    ],
)
def test_unreadable_dates_raise(text: str) -> None:
    with pytest.raises(DateParseError):
        parse_datetime(text, NY)
