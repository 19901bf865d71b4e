"""What `talkfeed detect` and `new-site` learn from the ladder: the rung that reads each kind of
fixture page, the feeds and platforms it names, and the label pages behind a listing."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from scrapers import Page
from scrapers.ladder import climb, read_talk
from scrapers.ladder.feeds import linked_feeds
from scrapers.ladder.labels import talk_links, talk_pattern
from scrapers.ladder.signatures import signatures
from tests.fixture_pages import FixturePage, fixture_pages

NOW = datetime(2026, 11, 25, tzinfo=UTC)
ZONE = ZoneInfo("America/New_York")
PAGES = {p.name: p for p in fixture_pages()}


def fixture(name: str) -> FixturePage:
    return PAGES[name]


def test_a_label_listing_and_its_talk_page() -> None:
    listing = fixture("nyu-cs-colloquium/listing-spring_2026").page
    pattern = talk_pattern(listing)
    assert pattern == r"/dynamic/news/colloquium/(?P<key>\d+)/?$"
    links = talk_links(listing, pattern)
    assert links[0] == "https://cs.nyu.edu/dynamic/news/colloquium/1857/"
    draft, why = read_talk(fixture("nyu-cs-colloquium/1857").page, ZONE)
    assert draft is not None and draft.start is not None
    assert why == "one talk, by its labels"


def test_label_pages_need_a_date() -> None:
    bare = Page(
        "https://cs.nyu.edu/dynamic/news/colloquium/1857/", "<main><h1>T</h1><p>x</p></main>", NOW
    )
    draft, why = read_talk(bare, ZONE)
    assert draft is None
    assert why.startswith("no talk date on the page")


def test_schema_org_events_on_a_listing() -> None:
    result = climb(fixture("waterloo-cs-seminars/listing").page, ZONE, fetch=False)
    assert result.rung == "schema.org"
    assert result.notes[-1] == ("schema.org", "4 schema.org Event(s)")


def test_a_linked_ical_feed_is_named_from_a_file_and_read_from_a_url() -> None:
    page = fixture("oxford-strachey-lectures/series").page
    named = climb(page, ZONE, fetch=False)
    assert named.rung == "listing"
    (note,) = [note for rung, note in named.notes if rung == "iCal feed"]
    assert "https://talks.ox.ac.uk/api/series/" in note and "not fetched" in note
    fetched = climb(page, ZONE, fetch=True)
    assert fetched.rung == "iCal feed"
    (link,) = fetched.links
    assert link.kind == "listing" and link.url.startswith("https://talks.ox.ac.uk/api/series/")


@pytest.mark.parametrize(
    ("html", "url"),
    [
        (
            '<link rel="alternate" type="text/calendar" href="/cal/talks.ics">',
            "https://x.edu/cal/talks.ics",
        ),
        ('<a href="webcal://x.edu/feeds/seminar">Subscribe</a>', "https://x.edu/feeds/seminar"),
        (
            '<a href="/events/?ical=1&amp;format=ics">iCal</a>',
            "https://x.edu/events/?ical=1&format=ics",
        ),
    ],
)  # fmt: skip
def test_every_way_of_linking_a_calendar(html: str, url: str) -> None:
    page = Page(
        "https://x.edu/events/", f"<html><head>{html}</head><body>{html}</body></html>", NOW
    )
    assert [feed.url for feed in linked_feeds(page)] == [url]


@pytest.mark.parametrize(
    ("url", "html", "kind", "options"),
    [
        ("https://events.cornell.edu/group/cs", '<script src="https://cdn.localist.com/x.js"></script>', "localist", {"group": "cs"}),
        ("https://cs.example.edu/events/category/colloquium/", '<div class="tribe-events-calendar"></div>', "tribe-events", {"category": "colloquium"}),
        ("https://indico.cern.ch/category/82/", '<meta name="generator" content="Indico 3.3">', "indico", {"category": 82}),
        ("https://talks.cam.ac.uk/show/index/6330", "<h1>CL talks</h1>", "talks-cam", {"list": "6330"}),
        ("https://researchseminars.org/seminar/SFUOR", "<h1>SFU OR</h1>", "researchseminars", {"series": "SFUOR"}),
    ],
)  # fmt: skip
def test_platform_signatures(url: str, html: str, kind: str, options: dict[str, object]) -> None:
    page = Page(url, f"<html><head>{html}</head><body></body></html>", NOW)
    (signature,) = signatures(page)
    assert (signature.kind, signature.options) == (kind, options)
    result = climb(page, ZONE, fetch=True)
    assert result.rung == "platform"
    assert result.links[0].url == signature.api(ZONE.key)


def test_talk_pattern_ignores_navigation_and_prefers_numbered_links() -> None:
    page = Page(
        "https://x.edu/talks/",
        """<nav><a href="/people/a">A</a><a href="/people/b">B</a><a href="/people/c">C</a></nav>
        <main><a href="/talks/2024/17/">A long talk title</a><a href="/talks/2024/18/">Another</a>
        <a href="/about/">About</a></main>""",
        NOW,
    )
    pattern = talk_pattern(page)
    assert pattern == r"/talks/\d+/(?P<key>\d+)/?$"
    assert talk_links(page, pattern) == [
        "https://x.edu/talks/2024/17/",
        "https://x.edu/talks/2024/18/",
    ]


def test_nothing_recognisable() -> None:
    page = Page("https://x.edu/", "<html><body><p>Hello</p></body></html>", NOW)
    result = climb(page, ZONE, fetch=True)
    assert result.rung is None
    assert [rung for rung, _ in result.notes] == [
        "schema.org", "iCal feed", "platform", "listing", "talk page",
    ]  # fmt: skip
    assert talk_pattern(page) is None
