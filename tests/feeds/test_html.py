"""The index page parsed back with BeautifulSoup (lxml)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from bs4 import BeautifulSoup, Tag

from aggregator.model import StoredTalk
from feeds import FeedSpec, render_index
from tests.feeds.sample import DASH, NOW, SPEC, UPCOMING_AT_NOW

ALL = FeedSpec("all", "All talks", "", "https://talks.example.edu/")


def _page(talks: list[StoredTalk], now: datetime = NOW) -> BeautifulSoup:
    return BeautifulSoup(render_index([SPEC, ALL], talks, now), "lxml")


def _items(page: BeautifulSoup) -> list[Tag]:
    talks = page.find("ol", class_="talks")
    assert isinstance(talks, Tag)
    return talks.find_all("li", recursive=False)


def _href(item: Tag) -> str:
    link = item.select_one("h3 a")
    assert link is not None
    return str(link["href"])


def test_document_skeleton(talks: list[StoredTalk]) -> None:
    data = render_index([SPEC], talks, NOW)
    assert data.startswith(b"<!DOCTYPE html>\n")
    page = BeautifulSoup(data, "lxml")
    html = page.find("html")
    assert isinstance(html, Tag)
    assert html["lang"] == "en"
    assert page.find("meta", attrs={"name": "viewport"}) is not None
    assert page.find("meta", attrs={"charset": "utf-8"}) is not None
    assert [h.get_text() for h in page.find_all(["h1", "h2"])] == [
        "Talks",
        "Upcoming talks",
        "Subscribe",
    ]
    assert page.find("script") is None


def test_upcoming_talks_only_in_start_order(
    talks: list[StoredTalk], by_id: dict[str, StoredTalk]
) -> None:
    hrefs = [_href(item) for item in _items(_page(talks))]
    # The running talk (14:00-15:00 EDT at 14:30 EDT) is still listed; February's is not.
    assert hrefs == [by_id[i].talk.url for i in UPCOMING_AT_NOW]


def test_talk_details(talks: list[StoredTalk]) -> None:
    first = _items(_page(talks))[0]
    time = first.find("time")
    assert isinstance(time, Tag)
    assert time.get_text() == f"Tue, Mar 10, 2026, 2:00 PM {DASH} 3:00 PM EDT"
    assert time["datetime"] == "2026-03-10T14:00:00-04:00"
    text = [p.get_text() for p in first.find_all("p")]
    assert "Qinghao Hu (MIT)" in text
    assert "Where: 60 Fifth Avenue, Room 150" in text
    assert "Host: Jinyang Li" in text
    assert "From: NYU Computer Science Colloquium" in text
    berlin = _items(_page(talks))[2]
    assert f"Thu, Mar 12, 2026, 4:15 PM {DASH} 5:45 PM CET" in berlin.get_text()
    assert "Anna Schmidt (TU Berlin, BIFOLD); Jonas Weber" in berlin.get_text()


def test_called_off_talks_are_struck_and_labelled(talks: list[StoredTalk]) -> None:
    items = {_href(item): item for item in _items(_page(talks))}
    cancelled = items["https://cs.nyu.edu/dynamic/news/colloquium/1860/"]
    postponed = items["https://www.csail.mit.edu/event/77"]
    scheduled = items["https://cs.nyu.edu/dynamic/news/colloquium/1857/"]
    for item, label in ((cancelled, "Cancelled"), (postponed, "Postponed")):
        assert item.select_one("h3 s a") is not None
        status = item.select_one(".status")
        assert status is not None
        assert status.get_text() == label
    assert scheduled.find("s") is None
    assert scheduled.select_one(".status") is None


def test_text_is_escaped(talks: list[StoredTalk]) -> None:
    page = _page(talks)
    assert page.find("script") is None
    assert page.find("b") is None
    nasty = next(i for i in _items(page) if "1870" in _href(i))
    assert _href(nasty) == "https://cs.nyu.edu/dynamic/news/colloquium/1870/?a=1&b=2"
    heading = nasty.find("h3")
    assert heading is not None
    assert heading.get_text() == "Graphs & <Trees>"
    details = nasty.find("details")
    assert isinstance(details, Tag)
    assert [p.get_text() for p in details.find_all("p")] == [
        "Trees & graphs.\nA soft break.",
        "<script>alert(1)</script> is not code here.",
        "Third paragraph.",
    ]
    assert "Host: Bob <b>Bold</b>" in nasty.get_text()


def test_subscribe_links(talks: list[StoredTalk]) -> None:
    section = _page(talks).find("section", attrs={"aria-labelledby": "subscribe"})
    assert isinstance(section, Tag)
    feeds = section.find_all("li")
    assert [[str(a["href"]) for a in li.find_all("a")] for li in feeds] == [
        [
            "sites/nyu-cs-colloquium.rss",
            "sites/nyu-cs-colloquium.atom",
            "sites/nyu-cs-colloquium.ics",
            "webcal://talks.example.edu/sites/nyu-cs-colloquium.ics",
        ],
        ["all.rss", "all.atom", "all.ics"],
    ]
    assert [li.h3.get_text() if li.h3 else None for li in feeds] == [SPEC.title, ALL.title]


def test_feeds_are_discoverable(talks: list[StoredTalk]) -> None:
    links = _page(talks).find_all("link", rel="alternate")
    assert [(link["type"], link["href"]) for link in links] == [
        ("application/rss+xml", "sites/nyu-cs-colloquium.rss"),
        ("application/atom+xml", "sites/nyu-cs-colloquium.atom"),
        ("application/rss+xml", "all.rss"),
        ("application/atom+xml", "all.atom"),
    ]


def test_nothing_upcoming(talks: list[StoredTalk]) -> None:
    page = _page(talks, now=datetime(2030, 1, 1, tzinfo=UTC))
    assert page.find("ol", class_="talks") is None
    assert "No upcoming talks." in page.get_text()


def test_now_must_be_aware(talks: list[StoredTalk]) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        render_index([SPEC], talks, datetime(2026, 3, 10, 18, 30))


ML = FeedSpec(
    "feeds/ml-systems",
    "ML & Systems",
    "Talks on <machine learning> systems",
    "https://talks.example.edu/",
    base_url="https://talks.example.edu/",
)
CHANGES = FeedSpec("changes", "Talk changes", "Every change", "https://talks.example.edu/")


def _subscribe(page: BeautifulSoup) -> list[Tag]:
    section = page.find("section", attrs={"aria-labelledby": "subscribe"})
    assert isinstance(section, Tag)
    return section.find_all("li")


def test_named_feed_is_listed_under_its_title(talks: list[StoredTalk]) -> None:
    page = BeautifulSoup(render_index([ML], talks, NOW), "lxml")
    (item,) = _subscribe(page)
    assert item.h3 is not None
    assert item.h3.get_text() == "ML & Systems"
    assert "Talks on <machine learning> systems" in item.get_text()
    assert [str(a["href"]) for a in item.find_all("a")] == [
        "feeds/ml-systems.rss",
        "feeds/ml-systems.atom",
        "feeds/ml-systems.ics",
        "webcal://talks.example.edu/feeds/ml-systems.ics",
    ]
    titles = [link["title"] for link in page.find_all("link", rel="alternate")]
    assert titles == ["ML & Systems", "ML & Systems"]


def test_changes_feed_is_listed_last_as_atom_only(talks: list[StoredTalk]) -> None:
    page = BeautifulSoup(render_index([SPEC, ML], talks, NOW, changes=CHANGES), "lxml")
    items = _subscribe(page)
    assert [li.h3.get_text() if li.h3 else None for li in items] == [
        SPEC.title,
        "ML & Systems",
        "Talk changes",
    ]
    assert [(str(a["href"]), a.get_text()) for a in items[-1].find_all("a")] == [
        ("changes.atom", "Atom")
    ]
    links = page.find_all("link", rel="alternate")
    assert (links[-1]["type"], links[-1]["href"], links[-1]["title"]) == (
        "application/atom+xml",
        "changes.atom",
        "Talk changes",
    )
    assert len(links) == 5


def test_no_changes_feed_unless_given(talks: list[StoredTalk]) -> None:
    assert b"changes.atom" not in render_index([SPEC, ML], talks, NOW)
