"""Saved listings of sources whose talks are completed from their own pages (an auto source's
talks without an abstract, a room or a time; a label site's links): the fixture comparison
expects of them what the listing says, and leaves the rest to the talk's page, as a run does."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aggregator.commands.fixtures import expectation, mismatches, parse_page
from scrapers import Page, SiteParser
from scrapers.kinds import build_source
from tests.fixture_pages import FIXTURES

NYU_URL = "https://cs.nyu.edu/dynamic/news/colloquium/"
NYU_LISTING = Page(
    NYU_URL,
    (FIXTURES / "nyu-cs-colloquium" / "listing-spring_2026.html").read_text(encoding="utf-8"),
    datetime(2026, 3, 1, 14, 0, tzinfo=UTC),
)
HUGO_URL = "https://stat.eastbrook.edu/probability-seminar/fall2023/"
HUGO_LISTING = Page(
    HUGO_URL,
    (FIXTURES / "_listings" / "en-us-hugo-table-fall2023.html").read_text(encoding="utf-8"),
    datetime(2023, 9, 20, 15, 0, tzinfo=UTC),
)


def source(kind: str, url: str, **options: Any) -> SiteParser:
    table = {"kind": kind, "id": "example-talks", "name": "Example", "url": url}
    return build_source({**table, "timezone": "America/New_York", **options})


def test_talks_to_complete_are_marked_and_expected_only_as_the_listing_shows_them() -> None:
    parsed = parse_page(source("auto", NYU_URL), NYU_LISTING)
    assert len(parsed["talks"]) == 6
    assert all(talk["completed_from_page"] is True for talk in parsed["talks"])
    written = expectation(parsed, reviewed=True)
    first = written["talks"][0]
    assert first["title"] == "Building Efficient and Scalable Machine Learning Systems"
    assert first["start"] == "2026-03-10T14:00:00-04:00"
    assert "abstract" not in first and "location" not in first, "the talk's page gives them"
    assert mismatches(parsed, written) == []


def test_talks_read_whole_are_not_marked() -> None:
    parsed = parse_page(source("auto", HUGO_URL), HUGO_LISTING)
    assert parsed["talks"]
    assert not any("completed_from_page" in talk for talk in parsed["talks"])
    assert "host" in expectation(parsed, reviewed=True)["talks"][0], "every field, null or not"


def test_a_listed_talk_without_a_date_is_no_invalid_talk_when_its_page_has_one() -> None:
    page = Page(
        "https://x.edu/seminar/",
        '<main><a href="/seminar/talks/first-talk/">First Talk</a>'
        '<a href="/seminar/talks/second-talk/">Second Talk</a></main>',
        datetime(2026, 3, 1, tzinfo=UTC),
    )
    labels = source("labels", page.url, talk_url=r"/seminar/talks/(?P<key>[^/]+)/$")
    parsed = parse_page(labels, page)
    assert parsed["invalid"] == []
    written = expectation(parsed, reviewed=True)
    assert written["talks"][0] == {
        "id": "example-talks:first-talk",
        "source": "example-talks",
        "url": "https://x.edu/seminar/talks/first-talk/",
        "title": "First Talk",
        "default_duration_minutes": 60,
        "status": "scheduled",
        "completed_from_page": True,
    }
    assert mismatches(parsed, written) == []


def test_a_talk_no_longer_completed_from_its_page_is_a_difference() -> None:
    parsed = parse_page(source("auto", NYU_URL), NYU_LISTING)
    written = expectation(parsed, reviewed=True)
    for talk in parsed["talks"]:
        del talk["completed_from_page"]
    assert mismatches(parsed, written)[0].endswith("completed_from_page: expected True, got None")
