"""The ladder: which rung reads a page, what each rung says when it does not, and what the
rungs that read through another document (a feed, an API) hand on to be fetched."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from scrapers import Page
from scrapers.ladder import RUNGS, climb
from tests.fixture_pages import EXAMPLE_FIXTURES, FIXTURES

ZONE = ZoneInfo("America/New_York")
NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
LISTING_URL = "https://math.example.edu/seminar/"


def page(body: str, url: str = LISTING_URL, head: str = "") -> Page:
    return Page(
        url, f"<html lang=en><head>{head}</head><body><main>{body}</main></body></html>", NOW
    )


SCHEDULE = """
<h1>Analysis Seminar</h1>
<table><tr><th>Date</th><th>Speaker</th><th>Title</th></tr>
<tr><td>March 3, 2026, 4pm</td><td>Ann Lee (MIT)</td><td><a href="/seminar/lee">On heat flow</a></td></tr>
<tr><td>March 10, 2026, 4pm</td><td>Bo Chen (Yale)</td><td><a href="/seminar/chen">Sharp bounds</a></td></tr>
</table>
"""
JSON_LD = """<script type="application/ld+json">
[{"@context": "https://schema.org", "@type": "Event", "name": "On heat flow",
  "startDate": "2026-03-03T16:00:00-05:00", "url": "https://math.example.edu/seminar/lee",
  "performer": {"@type": "Person", "name": "Ann Lee"}}]
</script>"""
RDFA = """
<div vocab="https://schema.org/" typeof="Event">
  <a property="url" href="/seminar/lee"><span property="name">On heat flow</span></a>
  <time property="startDate" datetime="2026-03-03T16:00:00-05:00">March 3</time>
  <span property="performer" typeof="Person"><span property="name">Ann Lee</span></span>
  <span property="location" typeof="Place"><span property="name">Room 101</span></span>
</div>
"""


def notes(result_notes: list[tuple[str, str]]) -> dict[str, str]:
    return dict(result_notes)


def test_the_rungs_are_in_the_issues_order() -> None:
    assert RUNGS == ("document", "schema.org", "iCal feed", "platform", "listing", "talk page")


def test_json_ld_events_are_read_first() -> None:
    result = climb(page(JSON_LD + SCHEDULE), ZONE, fetch=False)
    assert result.rung == "schema.org"
    (talk,) = result.talks
    assert (talk.title, talk.url) == ("On heat flow", "https://math.example.edu/seminar/lee")
    assert talk.start == datetime(2026, 3, 3, 21, tzinfo=UTC)


def test_rdfa_events_are_schema_org_too() -> None:
    result = climb(page(RDFA), ZONE, fetch=False)
    assert result.rung == "schema.org"
    (talk,) = result.talks
    assert talk.title == "On heat flow"
    assert [s.name for s in talk.speakers] == ["Ann Lee"]
    assert talk.location == "Room 101"
    assert talk.url == "https://math.example.edu/seminar/lee"


@pytest.mark.parametrize(
    ("head", "body", "feed"),
    [
        ('<link rel="alternate" type="text/calendar" href="/seminar.ics">', "", "https://math.example.edu/seminar.ics"),
        ("", '<p><a href="webcal://math.example.edu/cal/seminar.ics">Subscribe</a></p>', "https://math.example.edu/cal/seminar.ics"),
        ("", '<p><a href="/events/?ical=1">Export events</a></p>', "https://math.example.edu/events/?ical=1"),
        ("", '<iframe src="https://calendar.google.com/calendar/embed?src=abc123%40group.calendar.google.com&ctz=America/New_York"></iframe>', "https://calendar.google.com/calendar/ical/abc123@group.calendar.google.com/public/basic.ics"),
        ("", '<script>$Trumba.addSpud({ webName: "math-seminars", spudType: "main" });</script><script src="https://www.trumba.com/scripts/spuds.js"></script>', "https://www.trumba.com/calendars/math-seminars.ics"),
    ],
)  # fmt: skip
def test_a_linked_feed_is_fetched_when_the_page_is_live(head: str, body: str, feed: str) -> None:
    result = climb(page(body + SCHEDULE, head=head), ZONE, fetch=True)
    assert result.rung == "iCal feed"
    assert [(link.url, link.kind) for link in result.links] == [(feed, "listing")]


def test_a_linked_feed_is_only_named_on_a_saved_page_and_the_ladder_goes_on() -> None:
    head = '<link rel="alternate" type="text/calendar" href="/seminar.ics">'
    result = climb(page(SCHEDULE, head=head), ZONE, fetch=False)
    assert result.rung == "listing"
    assert "https://math.example.edu/seminar.ics" in notes(result.notes)["iCal feed"]
    assert [t.title for t in result.talks] == ["On heat flow", "Sharp bounds"]


def test_an_add_to_calendar_link_per_talk_is_no_feed() -> None:
    rows = "".join(
        f"<tr><td>March {d}, 2026, 4pm</td><td>Ann Lee (MIT)</td><td>Talk {d}</td>"
        f'<td><a href="/seminar/{d}.ics">Add to calendar</a></td></tr>'
        for d in (3, 10, 17)
    )
    result = climb(page(f"<h1>Seminar</h1><table>{rows}</table>"), ZONE, fetch=True)
    assert result.rung == "listing"
    assert notes(result.notes)["iCal feed"] == "the page links none"


def test_an_api_platform_is_read_through_its_api_when_live() -> None:
    head = '<link rel="https://api.w.org/" href="https://cs.example.edu/wp-json/">'
    body = '<div class="tribe-events-calendar-list">' + SCHEDULE + "</div>"
    live = climb(
        page(body, "https://cs.example.edu/events/category/colloquium/", head), ZONE, fetch=True
    )
    assert live.rung == "platform"
    (link,) = live.links
    assert link.kind == "listing"
    assert link.url.startswith("https://cs.example.edu/wp-json/tribe/events/v1/events?")
    assert "categories=colloquium" in link.url
    saved = climb(
        page(body, "https://cs.example.edu/events/category/colloquium/", head), ZONE, fetch=False
    )
    assert saved.rung == "listing"
    assert "not fetched from a saved page" in notes(saved.notes)["platform"]


def test_drupal_event_cards_are_read_by_their_cards() -> None:
    cards = "".join(
        f'<div class="views-row"><h3><a href="/events/talk-{d}">Talk {d}</a></h3>'
        f'<div class="field--name-field-event-date">March {d}, 2026, 4:00 pm</div>'
        f'<div class="field--name-field-speaker">Ann Lee (MIT)</div></div>'
        for d in (3, 10)
    )
    result = climb(page(f'<div data-drupal-selector="x">{cards}</div>'), ZONE, fetch=False)
    assert result.rung == "listing"
    assert "Drupal event view" in notes(result.notes)["platform"]
    assert [t.url for t in result.talks] == [
        "https://math.example.edu/events/talk-3",
        "https://math.example.edu/events/talk-10",
    ]


def test_a_feed_itself_is_read_by_the_document_rung() -> None:
    ics = (EXAMPLE_FIXTURES / "uw-theory-seminar" / "basic.ics").read_text(encoding="utf-8")
    result = climb(Page("https://calendar.example.edu/basic.ics", ics, NOW), ZONE, fetch=False)
    assert result.rung == "document"
    assert notes(result.notes)["document"] == "an iCalendar feed"
    assert result.talks and all(link.complete for link in result.links)


@pytest.mark.parametrize(
    ("folder", "file", "what"),
    [
        ("cornell-cs-events", "events-page-1.json", "a Localist API answer"),
        ("uchicago-cs-events", "events-page-1.json", "an Events Calendar API answer"),
        ("cern-computing-seminar", "categ-82.json", "an Indico export"),
        ("cam-cl-talks", "list-6330.xml", "a talks.cam list"),
        ("sfu-operations-research", "search-talks.json", "a researchseminars.org answer"),
    ],
)
def test_platform_answers_are_read_by_their_shape(folder: str, file: str, what: str) -> None:
    text = (EXAMPLE_FIXTURES / folder / file).read_text(encoding="utf-8")
    result = climb(Page(f"https://api.example.org/{file}", text, NOW), ZONE, fetch=False)
    assert (result.rung, notes(result.notes)["document"]) == ("document", what)
    assert result.talks


def test_a_feed_of_pages_is_read_as_no_talks() -> None:
    rss = '<?xml version="1.0"?><rss version="2.0"><channel><title>Site</title></channel></rss>'
    result = climb(Page("https://example.edu/index.xml", rss, NOW), ZONE, fetch=False)
    assert result.rung == "document"
    assert result.talks == []


def test_a_talk_page_is_read_by_its_labels() -> None:
    text = (FIXTURES / "nyu-cs-colloquium" / "1857.html").read_text(encoding="utf-8")
    url = "https://cs.nyu.edu/dynamic/news/colloquium/1857/"
    result = climb(Page(url, text, NOW), ZONE, fetch=False)
    assert result.rung == "talk page"
    (talk,) = result.talks
    assert talk.title == "Building Efficient and Scalable Machine Learning Systems"
    assert talk.start == datetime(2026, 3, 10, 14, tzinfo=ZONE)


def test_a_page_no_rung_reads_says_why_for_each() -> None:
    text = (FIXTURES / "_listings" / "none-en-gb-department-home.html").read_text(encoding="utf-8")
    result = climb(
        Page("https://www.maths.example.ac.uk/", text, NOW), ZoneInfo("Europe/London"), fetch=False
    )
    assert result.rung is None
    assert result.links == []
    assert [rung for rung, _ in result.notes] == [
        "schema.org", "iCal feed", "platform", "listing", "talk page",
    ]  # fmt: skip


def test_talks_missing_an_abstract_are_completed_from_their_own_pages_when_following() -> None:
    followed = climb(page(SCHEDULE), ZONE, fetch=True, follow=True)
    assert [(link.url, link.complete) for link in followed.links] == [
        ("https://math.example.edu/seminar/lee", False),
        ("https://math.example.edu/seminar/chen", False),
    ]
    whole = climb(page(SCHEDULE), ZONE, fetch=True, follow=False)
    assert all(link.complete for link in whole.links)


def test_talks_without_a_page_of_their_own_are_complete() -> None:
    body = SCHEDULE.replace('<a href="/seminar/lee">On heat flow</a>', "On heat flow")
    body = body.replace('<a href="/seminar/chen">Sharp bounds</a>', "Sharp bounds")
    result = climb(page(body), ZONE, fetch=True, follow=True)
    assert [link.complete for link in result.links] == [True, True]
    # They share the listing's URL; the listing and their day tell them apart.
    assert [t.key for t in result.talks] == [
        "https://math.example.edu/seminar/#2026-03-03",
        "https://math.example.edu/seminar/#2026-03-10",
    ]


def test_json_ld_on_a_talk_page_names_the_page_itself() -> None:
    text = json.dumps({"@type": "Event", "name": "X", "startDate": "2026-03-03T16:00:00-05:00"})
    result = climb(page(f'<script type="application/ld+json">{text}</script>'), ZONE, fetch=False)
    (talk,) = result.talks
    assert talk.url == LISTING_URL


def test_a_fullcalendar_feed_is_read_by_the_document_rung() -> None:
    feed = json.dumps(
        [
            {"id": "41", "title": "Colloquium: Dark matter", "start": "2026-03-05T16:00:00",
             "end": "2026-03-05T17:00:00", "url": "/events/dark-matter",
             "extendedProps": {"location": "Jadwin A10"}},
            {"title": "Spring recess", "start": "2026-03-16", "end": "2026-03-21", "allDay": True},
        ]
    )  # fmt: skip
    result = climb(
        Page("https://phy.example.edu/feeds/events/calendar.json", feed, NOW), ZONE, fetch=False
    )
    assert (result.rung, notes(result.notes)["document"]) == (
        "document",
        "a FullCalendar event feed",
    )
    talk, recess = result.talks
    assert (talk.title, talk.location) == ("Colloquium: Dark matter", "Jadwin A10")
    assert talk.url == "https://phy.example.edu/events/dark-matter"
    assert (talk.start, talk.end) == (
        datetime(2026, 3, 5, 16, tzinfo=ZONE),
        datetime(2026, 3, 5, 17, tzinfo=ZONE),
    )
    # Whole days, the end exclusive as FullCalendar gives it.
    assert recess.all_day and (recess.start, recess.end) == (
        datetime(2026, 3, 16, tzinfo=ZONE),
        datetime(2026, 3, 21, tzinfo=ZONE),
    )
    assert recess.url == ""


def test_a_fullcalendar_widget_leads_to_its_feed() -> None:
    settings = '<script>var s = {"fullcalendar":{"jsonFeedUrl":"\\/feeds\\/events\\/calendar.json"}};</script>'
    live = climb(page("<h1>Events</h1>", head=settings), ZONE, fetch=True)
    assert live.rung == "platform"
    assert [link.url for link in live.links] == [
        "https://math.example.edu/feeds/events/calendar.json"
    ]
