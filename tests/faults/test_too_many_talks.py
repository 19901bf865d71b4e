"""A source that gives far more talks than a seminar holds: a tiny iCal feed of hourly events
once became tens of thousands of talks and hundreds of megabytes of store and feeds. The run
now finishes at once, the source keeps the talks nearest to the run (`[limits]`), its health
warns, and the other source is published as ever."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from icalendar import Calendar

from aggregator.cli import main
from tests.faults import CALENDAR_ID, CALENDAR_PATH, NOW, NYU_TALKS, FaultySite, nyu_uid

ZONE = ZoneInfo("America/New_York")
START = datetime.fromisoformat(NOW)
HOSTILE_EVENTS = 200
WAIT = 120.0
"""Seconds the run may take before the test fails instead of hanging (it once took hours)."""


def feed(events: list[str]) -> str:
    return "\r\n".join(["BEGIN:VCALENDAR", "VERSION:2.0", *events, "END:VCALENDAR", ""])


def hourly(number: int) -> str:
    """An hourly event; the numbers' first starts are 18 s apart, so no two talks coincide."""
    first = datetime(2026, 3, 1, tzinfo=ZoneInfo("UTC")) + timedelta(seconds=18 * number)
    return "\r\n".join(
        [
            "BEGIN:VEVENT",
            f"UID:spam-{number}@example.edu",
            f"DTSTART:{first:%Y%m%dT%H%M%SZ}",
            "RRULE:FREQ=HOURLY",
            f"SUMMARY:Spam {number}",
            "END:VEVENT",
        ]
    )


def daily(day: int) -> str:
    """A talk `day` days from the run (before it, when negative), at 16:00 New York time."""
    start = (START + timedelta(days=day)).replace(hour=16)
    return "\r\n".join(
        [
            "BEGIN:VEVENT",
            f"UID:day{day}@example.edu",
            f"DTSTART;TZID=America/New_York:{start:%Y%m%dT%H%M%S}",
            f"SUMMARY:Talk of day {day}",
            "LOCATION:Room 101",
            "END:VEVENT",
        ]
    )


def with_limits(config: Path, per_source: int, per_day: int) -> None:
    text = config.read_text(encoding="utf-8")
    limits = f"[limits]\ntalks_per_source = {per_source}\ntalks_per_day = {per_day}\n"
    config.write_text(text.replace("[fetch]", f"{limits}[fetch]"), encoding="utf-8")


def calendar_starts(out: Path) -> list[datetime]:
    calendar = Calendar.from_ical((out / f"sites/{CALENDAR_ID}.ics").read_bytes())
    starts = [event.start for event in calendar.events]
    assert all(isinstance(start, datetime) for start in starts)
    return sorted(start for start in starts if isinstance(start, datetime))


def calendar_health(out: Path) -> dict[str, object]:
    document = json.loads((out / "health.json").read_text(encoding="utf-8"))
    (entry,) = [source for source in document["sources"] if source["source"] == CALENDAR_ID]
    assert isinstance(entry, dict)
    return entry


def test_a_tiny_feed_of_hourly_events_keeps_the_nearest_talks_and_warns(
    faulty: FaultySite, config: Path
) -> None:
    text = feed([hourly(number) for number in range(HOSTILE_EVENTS)])
    assert len(text) < 25_000
    faulty.pages[CALENDAR_PATH] = text
    out = config.parent / "public"

    # A process of its own, so that a run that never ends fails the test instead of hanging it.
    finished = subprocess.run(
        [sys.executable, "-m", "aggregator", "run", "--config", str(config), "--now", NOW],
        capture_output=True,
        text=True,
        timeout=WAIT,
        check=False,
    )

    assert finished.returncode == 0, finished.stderr
    # 200 talks an hour from 09:00: the 30 nearest of today and of tomorrow (the defaults).
    every = sorted(
        datetime(2026, 3, 1, tzinfo=ZoneInfo("UTC")) + timedelta(seconds=18 * n, hours=hour)
        for n in range(HOSTILE_EVENTS)
        for hour in range(48)
    )
    upcoming = [start for start in every if start >= START]
    today = [s for s in upcoming if s.astimezone(ZONE).day == 1][:30]
    tomorrow = [s for s in upcoming if s.astimezone(ZONE).day == 2][:30]
    assert calendar_starts(out) == today + tomorrow
    warnings = calendar_health(out)["warnings"]
    assert isinstance(warnings, list)
    assert warnings == [
        f"{faulty.calendar_url}: more than 5000 events and occurrences: only the 5000 nearest"
        " to 2026-03-01 are read, upcoming ones first",
        # One line for all of them, not 5,000: the report is kept for every run.
        f"{faulty.calendar_url}: no location (5000 times)",
        "more than 30 talks on 2 day(s) (on 2026-03-01: 3000): kept 30 of each day, the"
        " nearest to now ([limits] talks_per_day)",
    ]
    assert calendar_health(out)["status"] == "ok"
    # The other source is untouched; the feeds stay small.
    nyu = Calendar.from_ical((out / "sites/nyu-cs-colloquium.ics").read_bytes())
    assert {str(event.uid) for event in nyu.events} == {nyu_uid(talk) for talk in NYU_TALKS}
    assert (out / "all.ics").stat().st_size < 200_000


def test_over_its_limit_a_source_keeps_upcoming_talks_then_the_latest_past_ones(
    faulty: FaultySite, config: Path
) -> None:
    faulty.pages[CALENDAR_PATH] = feed([daily(day) for day in range(-40, 5)])
    with_limits(config, per_source=12, per_day=5)
    out = config.parent / "public"

    assert main(["run", "--config", str(config), "--now", NOW, "--quiet"]) == 0

    # The 5 upcoming ones (today's 16:00 among them), then the 7 latest before the run.
    kept = [START.replace(hour=16) + timedelta(days=day) for day in range(-7, 5)]
    assert calendar_starts(out) == kept
    assert calendar_health(out)["warnings"] == [
        "45 talks, more than 12: kept the 12 nearest to now, upcoming ones first"
        " ([limits] talks_per_source)"
    ]


def test_talks_a_lower_limit_leaves_out_are_not_taken_for_gone(
    faulty: FaultySite, config: Path
) -> None:
    faulty.pages[CALENDAR_PATH] = feed([daily(day) for day in range(1, 31)])
    out = config.parent / "public"
    assert main(["run", "--config", str(config), "--now", NOW, "--quiet"]) == 0
    assert len(calendar_starts(out)) == 30

    with_limits(config, per_source=10, per_day=5)
    for hour in ("10", "11", "12", "13"):
        later = NOW.replace("T09:", f"T{hour}:")
        assert main(["run", "--config", str(config), "--now", later, "--quiet"]) == 0

    # Still listed by the feed, so neither tentative nor cancelled, however many runs go by.
    calendar = Calendar.from_ical((out / f"sites/{CALENDAR_ID}.ics").read_bytes())
    assert {str(event.get("status")) for event in calendar.events} == {"CONFIRMED"}
    assert len(calendar.events) == 30
