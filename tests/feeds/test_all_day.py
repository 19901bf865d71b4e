"""Whole-day events (from iCal feeds with DATE values) stay whole days in every format."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import feedparser
from icalendar import Calendar

from aggregator.model import StoredTalk, Talk
from feeds import render_ical, render_rss
from tests.feeds.sample import BERLIN, SPEC

SEEN = datetime(2026, 3, 1, tzinfo=UTC)


def workshop(days: int | None) -> StoredTalk:
    talk = Talk(
        id="ics:workshop",
        source="ics",
        url="https://example.edu/workshop",
        title="Theory Day",
        start=datetime(2026, 3, 30, tzinfo=BERLIN),
        end=None if days is None else datetime(2026, 3, 30, tzinfo=BERLIN) + timedelta(days=days),
        timezone="Europe/Berlin",
        all_day=True,
    )
    return StoredTalk(
        talk=talk, source_name="Ics", first_seen=SEEN, last_seen=SEEN, last_changed=SEEN
    )


def test_ical_uses_date_values_and_no_timezone() -> None:
    calendar = Calendar.from_ical(render_ical([workshop(None)], SPEC))
    (event,) = calendar.events
    assert event.start == date(2026, 3, 30)
    assert event.end == date(2026, 3, 31)
    assert calendar.timezones == []
    assert b"DTSTART;VALUE=DATE:20260330" in render_ical([workshop(None)], SPEC)


def test_multi_day_event_keeps_its_exclusive_end() -> None:
    (event,) = Calendar.from_ical(render_ical([workshop(2)], SPEC)).events
    assert (event.start, event.end) == (date(2026, 3, 30), date(2026, 4, 1))


def test_feed_titles_say_all_day() -> None:
    (entry,) = feedparser.parse(render_rss([workshop(2)], SPEC)).entries
    assert entry.title == "Mon, Mar 30, 2026 \N{MIDDLE DOT} Theory Day"
    assert "Monday, March 30, 2026 \N{EN DASH} Tuesday, March 31, 2026, all day" in entry.summary
