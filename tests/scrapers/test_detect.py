"""`detect` names the kind that fits each kind of fixture page, with the options it needs."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from scrapers import Page
from scrapers.detect import detect, talk_pattern
from tests.fixture_pages import FixturePage, fixture_pages

NOW = datetime(2026, 11, 25, tzinfo=UTC)
PAGES = {p.name: p for p in fixture_pages()}


def fixture(name: str) -> FixturePage:
    return PAGES[name]


def kinds(page: Page, detail: Page | None = None) -> list[str]:
    return [c.kind for c in detect(page, detail)]


def test_label_listing_with_its_talk_page() -> None:
    listing = fixture("nyu-cs-colloquium/listing-spring_2026").page
    detail = fixture("nyu-cs-colloquium/1857").page
    (candidate,) = detect(listing, detail)
    assert candidate.kind == "labels"
    assert candidate.options == {"talk_url": r"/dynamic/news/colloquium/(?P<key>\d+)/?$"}
    assert any("Speaker" in e or "speaker" in e for e in candidate.evidence)


def test_labels_need_a_date_on_the_talk_page() -> None:
    listing = fixture("nyu-cs-colloquium/listing-spring_2026").page
    bare = Page(
        "https://cs.nyu.edu/dynamic/news/colloquium/1857/", "<main><h1>T</h1><p>x</p></main>", NOW
    )
    assert kinds(listing, bare) == []


def test_schema_org_events_on_a_listing() -> None:
    candidates = detect(fixture("waterloo-cs-seminars/listing").page)
    assert candidates[0].kind == "jsonld"
    assert "schema.org Event" in candidates[0].evidence[0]


def test_ical_link_beats_labels() -> None:
    candidates = detect(fixture("oxford-strachey-lectures/series").page)
    assert candidates[0].kind == "ical"
    assert candidates[0].url.startswith("https://talks.ox.ac.uk/api/series/")


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
)
def test_every_way_of_linking_a_calendar(html: str, url: str) -> None:
    page = Page(
        "https://x.edu/events/", f"<html><head>{html}</head><body>{html}</body></html>", NOW
    )
    (candidate,) = [c for c in detect(page) if c.kind == "ical"]
    assert candidate.url == url


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
def test_platform_fingerprints(url: str, html: str, kind: str, options: dict[str, object]) -> None:
    candidates = detect(Page(url, f"<html><head>{html}</head><body></body></html>", NOW))
    assert candidates[0].kind == kind
    assert candidates[0].options == options


def test_talk_pattern_ignores_navigation_and_prefers_numbered_links() -> None:
    page = Page(
        "https://x.edu/talks/",
        """<nav><a href="/people/a">A</a><a href="/people/b">B</a><a href="/people/c">C</a></nav>
        <main><a href="/talks/2024/17/">A long talk title</a><a href="/talks/2024/18/">Another</a>
        <a href="/about/">About</a></main>""",
        NOW,
    )
    assert talk_pattern(page) == r"/talks/\d+/(?P<key>\d+)/?$"


def test_nothing_recognisable() -> None:
    assert detect(Page("https://x.edu/", "<html><body><p>Hello</p></body></html>", NOW)) == []
