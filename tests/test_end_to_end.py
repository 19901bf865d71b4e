"""The whole job against the NYU fixture site on 127.0.0.1, with the feeds parsed back."""

from __future__ import annotations

import json
import re
import socket
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import feedparser
import pytest
from icalendar import Calendar, Event

from aggregator.cli import main
from aggregator.health import HEALTH_FILE
from tests.conftest import LISTING_PATH, FixtureSite
from tests.fixture_pages import FIXTURES

NOW = "2026-03-01T09:00:00-05:00"
LATER = "2026-03-01T10:00:00-05:00"
TALKS = [1841, 1849, 1852, 1857, 1861, 1866, 1872, 1875]


def run(config: Path, now: str = NOW) -> int:
    return main(["run", "--config", str(config), "--now", now, "--quiet"])


def events(out: Path, name: str = "all") -> dict[str, Event]:
    calendar = Calendar.from_ical((out / f"{name}.ics").read_bytes())
    return {str(e.uid): e for e in calendar.events}


def zone_of(event: Event) -> str:
    start = event.start
    assert isinstance(start, datetime) and isinstance(start.tzinfo, ZoneInfo)
    return start.tzinfo.key


def uid(talk: int) -> str:
    return f"nyu-cs-colloquium:{talk}@talkfeed"


UPDATED = re.compile(rb'<p class="updated">Updated .*?</p>\n')


def outputs(out: Path) -> dict[str, bytes]:
    """What subscribers read, but what says when the run was: health.json, which reports on
    each run, the index page's "Updated …" line, and the publisher's own dot files (the
    manifest holds the index page's digest)."""
    return {
        str(p.relative_to(out)): UPDATED.sub(b"", p.read_bytes(), count=1)
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.name != HEALTH_FILE and not p.name.startswith(".")
    }


def expected_start(talk: int) -> datetime:
    path = FIXTURES / "nyu-cs-colloquium" / f"{talk}.expected.json"
    record: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return datetime.fromisoformat(record["start"])


def test_two_runs_then_a_move(site: FixtureSite, config_file: Path) -> None:
    out = config_file.parent / "public"
    site.edit(
        site.detail_path(1866),
        "Cryptography for a Post-Quantum Internet</h2>",
        "CANCELLED: Cryptography for a Post-Quantum Internet</h2>",
    )
    assert run(config_file) == 0

    first = events(out)
    assert sorted(first) == sorted(uid(t) for t in TALKS)
    for talk in TALKS:
        event = first[uid(talk)]
        assert zone_of(event) == "America/New_York"
        assert event.start == expected_start(talk)
        assert event.sequence == 0
        assert event.status == ("CANCELLED" if talk == 1866 else "CONFIRMED")
    assert (out / "all.ics").read_text().count("DTSTART;TZID=America/New_York:") == len(TALKS)
    assert str(first[uid(1866)].summary).startswith("CANCELLED: Cryptography")
    timezones = Calendar.from_ical((out / "all.ics").read_bytes()).timezones
    assert [tz.tz_name for tz in timezones] == ["America/New_York"]

    rss = feedparser.parse((out / "all.rss").read_bytes())
    atom = feedparser.parse((out / "all.atom").read_bytes())
    assert not rss.bozo and not atom.bozo
    guids = {e.id for e in rss.entries}
    atom_ids = {e.id for e in atom.entries}
    assert guids == atom_ids == {f"urn:talkfeed:nyu-cs-colloquium:{t}" for t in TALKS}
    assert {Path(p).name for p in outputs(out)} >= {
        "all.rss", "all.atom", "all.ics", "index.html",
        "nyu-cs-colloquium.rss", "nyu-cs-colloquium.atom", "nyu-cs-colloquium.ics",
    }  # fmt: skip
    assert len(events(out, "sites/nyu-cs-colloquium")) == len(TALKS)

    published = outputs(out)
    assert run(config_file, now=LATER) == 0
    assert outputs(out) == published, "a run where nothing changed must change no feed"
    # The page says when it was made: the clock's time, and the run's --now as "as of".
    (updated,) = UPDATED.findall((out / "index.html").read_bytes())
    assert b'as of <time datetime="2026-03-01T15:00:00Z">2026-03-01 15:00 UTC</time>' in updated

    for path in (site.detail_path(1875), f"{LISTING_PATH}?semester=fall_2026"):
        site.edit(path, "Oct. 6, 2026, 11:30 a.m.", "Oct. 8, 2026, 2 p.m.")
    site.edit(site.detail_path(1875), "60 Fifth Avenue 150", "60 Fifth Avenue 7th floor open space")
    assert run(config_file, now="2026-03-02T09:00:00-05:00") == 0

    moved = events(out)
    assert sorted(moved) == sorted(first), "UIDs are stable across runs and reschedules"
    assert moved[uid(1875)].start == datetime.fromisoformat("2026-10-08T14:00:00-04:00")
    assert zone_of(moved[uid(1875)]) == "America/New_York"
    assert moved[uid(1875)].location == "60 Fifth Avenue 7th floor open space"
    assert {u: e.sequence for u, e in moved.items()} == {
        uid(t): (1 if t == 1875 else 0) for t in TALKS
    }
    assert moved[uid(1866)].status == "CANCELLED"
    rss_after = feedparser.parse((out / "all.rss").read_bytes())
    assert {e.id for e in rss_after.entries} == guids
    atom_after = {e.id: e for e in feedparser.parse((out / "all.atom").read_bytes()).entries}
    changed = atom_after["urn:talkfeed:nyu-cs-colloquium:1875"]
    assert changed.updated_parsed > changed.published_parsed
    assert "Oct 8, 2026" in changed.title


def test_a_rescheduled_and_retitled_talk_keeps_its_ids_in_every_format(
    site: FixtureSite, config_file: Path
) -> None:
    out = config_file.parent / "public"
    assert run(config_file) == 0
    talk = 1875
    guid = f"urn:talkfeed:nyu-cs-colloquium:{talk}"
    before = events(out)[uid(talk)]
    for path in (site.detail_path(talk), f"{LISTING_PATH}?semester=fall_2026"):
        site.edit(path, "Oct. 6, 2026, 11:30 a.m.", "Oct. 9, 2026, 3 p.m.")
    site.edit(
        site.detail_path(talk),
        "Formal Foundations for Smart Contract Upgrades</h2>",
        "A New Title for the Same Talk</h2>",
    )
    assert run(config_file, now=LATER) == 0

    after = events(out)[uid(talk)]
    assert str(after.summary).startswith("A New Title for the Same Talk")
    assert after.start == datetime.fromisoformat("2026-10-09T15:00:00-04:00")
    assert after.sequence == before.sequence + 1
    rss = {e.id: e for e in feedparser.parse((out / "all.rss").read_bytes()).entries}
    atom = {e.id: e for e in feedparser.parse((out / "all.atom").read_bytes()).entries}
    assert "A New Title for the Same Talk" in rss[guid].title
    assert "A New Title for the Same Talk" in atom[guid].title
    assert len([e for e in rss.values() if "Same Talk" in e.title]) == 1


def test_failed_detail_page_publishes_the_listing_and_keeps_stored_fields(
    site: FixtureSite, config_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = config_file.parent / "public"
    assert run(config_file) == 0
    site.status[site.detail_path(1857)] = 500
    site.status[site.detail_path(1872)] = 404
    assert run(config_file, now=LATER) == 1
    errors = capsys.readouterr().err
    assert "1857/: HTTP 500" in errors
    assert "1872/: HTTP 404" in errors
    published = events(out)
    assert sorted(published) == sorted(uid(t) for t in TALKS)
    # The stored abstract survives a run that could read only the listing.
    assert "The rapid evolution of foundation models" in str(published[uid(1857)].description)


def test_talk_seen_only_on_the_listing_is_still_published(
    site: FixtureSite, config_file: Path
) -> None:
    site.status[site.detail_path(1861)] = 503
    assert run(config_file) == 1
    event = events(config_file.parent / "public")[uid(1861)]
    assert str(event.summary).startswith("Robots That Ask for Help")
    assert event.start == expected_start(1861)


def test_a_site_that_is_down_keeps_its_published_talks(
    site: FixtureSite, config_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = config_file.parent / "public"
    assert run(config_file) == 0
    before = outputs(out)
    site.status[LISTING_PATH] = 503
    assert run(config_file, now=LATER) == 1
    assert "no listing could be read" in capsys.readouterr().err
    assert outputs(out) == before


def test_robots_txt_is_obeyed(site: FixtureSite, config_file: Path) -> None:
    site.robots = "User-agent: *\nDisallow: /dynamic/news/colloquium/18\n"
    assert run(config_file) == 1
    assert not [r for r in site.requests if r.startswith("/dynamic/news/colloquium/18")]
    # Listing-only records are still published.
    assert len(events(config_file.parent / "public")) == len(TALKS)


def test_one_failing_source_never_stops_the_others(
    site: FixtureSite, config_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{probe.getsockname()[1]}/dynamic/news/colloquium/"
    config_file.write_text(
        config_file.read_text(encoding="utf-8")
        + f'\n[[sources]]\nsite = "nyu-cs-colloquium"\nurl = "{dead}"\n',
        encoding="utf-8",
    )
    assert main(["run", "--config", str(config_file), "--now", NOW]) == 1
    errors = capsys.readouterr().err
    assert f"error: {dead}: ConnectError: " in errors
    assert len(events(config_file.parent / "public")) == len(TALKS)
