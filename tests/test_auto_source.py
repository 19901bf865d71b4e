"""A source declared with `kind = "auto"` and only its URL and zone, run by `talkfeed run`
against a site on 127.0.0.1: the listing read by the ladder, each talk completed from its own
page when the listing lacks its abstract or room, and a linked feed followed."""

from __future__ import annotations

from pathlib import Path

import feedparser
from icalendar import Calendar
from pytest_httpserver import HTTPServer

from aggregator.cli import main
from tests.served import serve_pages

LISTING = """<!doctype html><html lang=en><head><title>Topology Seminar</title></head><body>
<nav><a href="/">Home</a> <a href="/news/">News 2026</a></nav>
<main><h1>Topology Seminar</h1>
<p>Talks are on Mondays at 3:30pm unless noted.</p>
<ul class="talks">
<li>Monday, March 2, 2026 &ndash; <a href="/talks/knots">Knots and quandles</a>, Ann Lee (MIT)</li>
<li>Monday, March 9, 2026 &ndash; <a href="/talks/braids">Braids in the plane</a>, Bo Chen (Yale)</li>
<li>Monday, March 16, 2026 &ndash; No seminar (spring break)</li>
</ul></main></body></html>"""
TALK = """<!doctype html><html lang=en><head><title>{title}</title></head><body><main>
<h1>{title}</h1>
<p><strong>Speaker:</strong> {speaker}</p>
<p><strong>Date:</strong> {date}</p>
<p><strong>Location:</strong> Room 101, Hilbert Hall</p>
<p><strong>Abstract:</strong> {abstract}</p>
</main></body></html>"""
PAGES = {
    "/talks/knots": TALK.format(
        title="Knots and quandles", speaker="Ann Lee, MIT", date="March 2, 2026, 3:30 p.m.",
        abstract="Quandles classify knots up to orientation.",
    ),
    "/talks/braids": TALK.format(
        title="Braids in the plane", speaker="Bo Chen, Yale", date="March 9, 2026, 3:30 p.m.",
        abstract="Braid groups act on the punctured plane.",
    ),
}  # fmt: skip


def config(tmp_path: Path, url: str, zone: str = "America/New_York") -> Path:
    path = tmp_path / "talkfeed.toml"
    path.write_text(
        f"""
out = "public"
db = "talkfeed.db"
[publish]
rss_days_back = 400
[fetch]
delay = 0.0
[[sources]]
kind = "auto"
id = "topology-seminar"
name = "Topology Seminar"
url = "{url}"
timezone = "{zone}"
""",
        encoding="utf-8",
    )
    return path


def run(path: Path) -> int:
    return main(["run", "--config", str(path), "--now", "2026-03-01T09:00:00-05:00", "--quiet"])


def test_talks_are_completed_from_their_own_pages(httpserver: HTTPServer, tmp_path: Path) -> None:
    pages = {path: (text, "text/html") for path, text in PAGES.items()}
    asked = serve_pages(httpserver, {"/seminar/": (LISTING, "text/html"), **pages})
    assert run(config(tmp_path, httpserver.url_for("/seminar/"))) == 0
    assert {"/seminar/", "/talks/knots", "/talks/braids"} <= set(asked)

    calendar = Calendar.from_ical((tmp_path / "public" / "all.ics").read_bytes())
    events = sorted(calendar.events, key=lambda e: e.decoded("dtstart"))
    assert [str(e["summary"]) for e in events] == [
        "Knots and quandles — Ann Lee",
        "Braids in the plane — Bo Chen",
    ]
    knots = events[0]
    assert knots.decoded("dtstart").isoformat() == "2026-03-02T15:30:00-05:00"
    assert str(knots["location"]) == "Room 101, Hilbert Hall"
    assert "Quandles classify knots" in str(knots["description"])
    assert str(knots["url"]) == httpserver.url_for("/talks/knots")
    feed = feedparser.parse((tmp_path / "public" / "all.rss").read_bytes())
    assert {e.title for e in feed.entries} == {
        "Mon, Mar 2, 2026 · Knots and quandles · Ann Lee",
        "Mon, Mar 9, 2026 · Braids in the plane · Bo Chen",
    }


def test_a_talk_whose_page_fails_is_kept_from_the_listing(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    pages = {"/talks/knots": (PAGES["/talks/knots"], "text/html")}
    serve_pages(httpserver, {"/seminar/": (LISTING, "text/html"), **pages})
    # The braids page answers 404: that talk is published from the listing, and reported.
    assert run(config(tmp_path, httpserver.url_for("/seminar/"))) == 1
    calendar = Calendar.from_ical((tmp_path / "public" / "all.ics").read_bytes())
    braids = next(e for e in calendar.events if str(e["summary"]).startswith("Braids"))
    # The series' usual time, announced once above the list.
    assert braids.decoded("dtstart").isoformat() == "2026-03-09T15:30:00-04:00"
    assert "description" not in braids or "Braid groups" not in str(braids["description"])


def test_a_linked_feed_is_read_in_place_of_the_page(httpserver: HTTPServer, tmp_path: Path) -> None:
    feed = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//T//EN\r\nBEGIN:VEVENT\r\n"
        "UID:q1@example.edu\r\nDTSTAMP:20260101T000000Z\r\n"
        "DTSTART;TZID=America/New_York:20260302T153000\r\nSUMMARY:Knots and quandles\r\n"
        "LOCATION:Room 101\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    listing = LISTING.replace(
        "<title>", '<link rel="alternate" type="text/calendar" href="/seminar.ics"><title>'
    )
    asked = serve_pages(
        httpserver,
        {"/seminar/": (listing, "text/html"), "/seminar.ics": (feed, "text/calendar")},
    )
    assert run(config(tmp_path, httpserver.url_for("/seminar/"))) == 0
    assert "/seminar.ics" in asked and "/talks/knots" not in asked
    calendar = Calendar.from_ical((tmp_path / "public" / "all.ics").read_bytes())
    (event,) = calendar.events
    assert str(event["summary"]) == "Knots and quandles"
    assert event.decoded("dtstart").isoformat() == "2026-03-02T15:30:00-05:00"
    assert str(event["location"]) == "Room 101"
