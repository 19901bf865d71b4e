"""NYU specifics beyond the fixture expectations: semesters, URL shapes, exact field text."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from scrapers import Page, get_site
from tests.fixture_pages import FIXTURES

SITE = get_site("nyu-cs-colloquium")
PAGES = FIXTURES / "nyu-cs-colloquium"
LISTING = "https://cs.nyu.edu/dynamic/news/colloquium/"


def page(name: str, url: str, fetched_at: datetime = datetime(2026, 3, 1, tzinfo=UTC)) -> Page:
    return Page(url, (PAGES / name).read_text(encoding="utf-8"), fetched_at)


def later_listings(html: str, url: str, fetched_at: datetime) -> list[str]:
    return [
        link.url for link in SITE.listing(Page(url, html, fetched_at)) if link.kind == "listing"
    ]


SELECTOR = """<form action="/dynamic/news/colloquium/"><select name="semester">
<option value="fall_2025">Fall 2025</option><option value="spring_2026">Spring 2026</option>
<option value="fall_2026">Fall 2026</option><option value="spring_2027">Spring 2027</option>
</select></form>"""


@pytest.mark.parametrize(
    ("fetched_at", "expected"),
    [
        (datetime(2026, 2, 1, tzinfo=UTC), ["fall_2026", "spring_2027"]),
        (datetime(2026, 10, 1, tzinfo=UTC), ["spring_2027"]),
        (datetime(2027, 3, 1, tzinfo=UTC), []),
    ],
)
def test_without_a_selection_the_current_semester_is_the_fetch_date(
    fetched_at: datetime, expected: list[str]
) -> None:
    urls = later_listings(SELECTOR, LISTING, fetched_at)
    assert urls == [f"{LISTING}?semester={value}" for value in expected]


def test_semester_in_the_url_beats_the_fetch_date() -> None:
    urls = later_listings(
        SELECTOR, f"{LISTING}?semester=fall_2026", datetime(2026, 2, 1, tzinfo=UTC)
    )
    assert urls == [f"{LISTING}?semester=spring_2027"]


def test_listing_links_resolve_against_the_page_url() -> None:
    links = SITE.listing(
        page("listing-spring_2026.html", "http://127.0.0.1:9999/dynamic/news/colloquium/")
    )
    assert {link.url.split("/dynamic")[0] for link in links} == {"http://127.0.0.1:9999"}


@pytest.mark.parametrize(
    "url",
    [
        "https://cs.nyu.edu/dynamic/news/colloquium/1401/",
        "https://cs.nyu.edu/dynamic/about/news/colloquium/1401/",
        "https://cs.nyu.edu/dynamic/news/colloquium/1401",
    ],
)
def test_both_detail_url_shapes_are_talks_with_the_same_key(url: str) -> None:
    assert SITE.key(url) == "1401"


@pytest.mark.parametrize(
    "url",
    [LISTING, f"{LISTING}?semester=fall_2026", "https://cs.nyu.edu/dynamic/news/seminars/1401/"],
)
def test_other_pages_are_not_talks(url: str) -> None:
    assert not SITE.is_talk(url)


def test_detail_fields_hold_exactly_their_text() -> None:
    draft = SITE.talk(page("1857.html", f"{LISTING}1857/"))
    assert draft.notes == "In-person attendance only available to those with active NYU ID cards."
    assert draft.bio is not None and draft.bio.endswith("visiting scholar at ETH Zürich.")
    for text in (draft.abstract, draft.bio, draft.notes):
        assert text is not None
        assert "Subscribe" not in text and "mailing list" not in text and "Courant" not in text
    assert draft.problems == []


def test_abstract_keeps_paragraphs_and_inline_text() -> None:
    draft = SITE.talk(page("1861.html", f"{LISTING}1861/"))
    assert draft.abstract is not None
    first, second = draft.abstract.split("\n\n")
    assert first.endswith("uncertain & ask a person for help.")
    assert "how conformal prediction gives" in second
    assert "ask for help only when needed." in second


def test_absent_labels_give_null_fields() -> None:
    draft = SITE.talk(page("1866.html", f"{LISTING}1866/"))
    assert draft.host is None and draft.bio is None
    assert draft.start is not None
