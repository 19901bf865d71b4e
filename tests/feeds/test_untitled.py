"""Talks without a title or a page of their own, in every format, parsed back: each shows one
made-up name ("Talk by …", else the series) and no link, and no filter takes that name for text
the page said."""

from __future__ import annotations

import warnings
from datetime import UTC, datetime
from typing import Any

import feedparser
import pytest
from bs4 import BeautifulSoup, Tag
from icalendar import Calendar, Event
from lxml import etree

from aggregator.model import SourceLink, Speaker, Status, StoredTalk, Talk
from feeds import (
    ChangeEntry,
    FeedFilter,
    FeedSpec,
    matches,
    render_atom,
    render_changes,
    render_ical,
    render_index,
    render_rss,
)
from feeds.spec import listed_by_html, plain_description, shown_title
from tests.feeds.sample import NEW_YORK, NOW, SPEC

ATOM = "{http://www.w3.org/2005/Atom}"
SERIES = "Theory Lunch"
START = datetime(2026, 9, 1, 12, 0, tzinfo=NEW_YORK)
CHANGES = FeedSpec("changes", "Talk changes", "Every change", "https://talks.example.edu/")


def _stored(talk_id: str, *names: str, **fields: Any) -> StoredTalk:
    talk = Talk(
        id=talk_id,
        source="lunch",
        speakers=[Speaker(name=name) for name in names],
        start=START,
        timezone="America/New_York",
        **fields,
    )
    return StoredTalk(
        talk=talk,
        source_name=SERIES,
        first_seen=datetime(2026, 8, 20, 10, 0, tzinfo=UTC),
        last_seen=NOW,
        last_changed=datetime(2026, 8, 25, 10, 0, tzinfo=UTC),
        change_count=1,
        sequence=1,
    )


ONE = _stored("lunch:1", "Jon Schneider")
TWO = _stored("lunch:2", "Ada Lovelace", "Alan Turing")
THREE = _stored("lunch:3", "Ada Lovelace", "Alan Turing", "Grace Hopper")
NOBODY = _stored("lunch:4")
CALLED_OFF = _stored("lunch:5", "Jon Schneider", status=Status.CANCELLED)
TITLED = _stored("lunch:6", "Jon Schneider", title="Lattices", url="https://example.edu/6")
UNTITLED = [ONE, TWO, THREE, NOBODY, CALLED_OFF]
SHOWN = {
    "lunch:1": "Talk by Jon Schneider",
    "lunch:2": "Talk by Ada Lovelace and Alan Turing",
    "lunch:3": "Talk by Ada Lovelace, Alan Turing and Grace Hopper",
    "lunch:4": SERIES,
    "lunch:5": "Talk by Jon Schneider",
}
"""What each title-less talk is called (before a status prefix)."""
DATE = "Tue, Sep 1, 2026"


def _feed(data: bytes) -> Any:
    parsed = feedparser.parse(data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


def _calendar(data: bytes) -> dict[str, Event]:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        calendar = Calendar.from_ical(data)
    assert [c.errors for c in calendar.walk() if c.errors] == []
    return {str(e["UID"]).removesuffix("@talkfeed"): e for e in calendar.events}


def test_shown_title() -> None:
    assert {st.talk.id: shown_title(st) for st in UNTITLED} == SHOWN
    assert shown_title(TITLED) == "Lattices"
    nameless = NOBODY.model_copy(update={"source_name": ""})
    assert shown_title(nameless) == "Talk"


def test_rss_items_show_the_made_up_title_and_no_link() -> None:
    data = render_rss([*UNTITLED, TITLED], SPEC)
    entries = {e.id.removeprefix("urn:talkfeed:"): e for e in _feed(data).entries}
    assert {i: entries[i].title for i in SHOWN} == {
        "lunch:1": f"{DATE} · Talk by Jon Schneider",
        "lunch:2": f"{DATE} · Talk by Ada Lovelace and Alan Turing",
        "lunch:3": f"{DATE} · Talk by Ada Lovelace, Alan Turing and Grace Hopper",
        "lunch:4": f"{DATE} · {SERIES}",
        "lunch:5": f"CANCELLED: {DATE} · Talk by Jon Schneider",
    }
    assert entries["lunch:6"].title == f"{DATE} · Lattices · Jon Schneider"
    assert all("link" not in entries[i] for i in SHOWN)
    assert entries["lunch:6"].link == "https://example.edu/6"
    items = {str(item.findtext("guid")): item for item in etree.fromstring(data).iter("item")}
    for talk_id in SHOWN:
        item = items[f"urn:talkfeed:{talk_id}"]
        assert item.find("link") is None
        guid = item.find("guid")
        assert guid is not None and guid.get("isPermaLink") == "false"


def test_atom_entries_show_the_made_up_title_and_no_alternate_link() -> None:
    data = render_atom([*UNTITLED, TITLED], SPEC)
    entries = {e.id.removeprefix("urn:talkfeed:"): e for e in _feed(data).entries}
    assert entries["lunch:2"].title == f"{DATE} · Talk by Ada Lovelace and Alan Turing"
    assert entries["lunch:5"].title == f"CANCELLED: {DATE} · Talk by Jon Schneider"
    assert all(entries[i].get("links", []) == [] for i in SHOWN)
    assert [link.href for link in entries["lunch:6"].links] == ["https://example.edu/6"]
    root = etree.fromstring(data)
    for entry in root.findall(f"{ATOM}entry"):
        talk_id = str(entry.findtext(f"{ATOM}id")).removeprefix("urn:talkfeed:")
        assert (entry.find(f"{ATOM}link") is None) == (talk_id in SHOWN)
        # RFC 4287: an entry without an alternate link must have content.
        assert entry.find(f"{ATOM}content") is not None


def test_ical_summary_and_no_url() -> None:
    events = _calendar(render_ical([*UNTITLED, TITLED], SPEC))
    assert {i: str(events[i]["SUMMARY"]) for i in SHOWN} == {
        **SHOWN,
        "lunch:5": "CANCELLED: Talk by Jon Schneider",
    }
    assert str(events["lunch:6"]["SUMMARY"]) == "Lattices — Jon Schneider"
    assert all("URL" not in events[i] for i in SHOWN)
    assert str(events["lunch:6"]["URL"]) == "https://example.edu/6"
    assert str(events["lunch:1"]["DESCRIPTION"]) == "Speaker: Jon Schneider"
    assert str(events["lunch:5"]["STATUS"]) == "CANCELLED"


def test_changes_feed_entries() -> None:
    at = datetime(2026, 8, 25, 10, 0, tzinfo=UTC)
    entries = [ChangeEntry("new", at, ONE), ChangeEntry("cancelled", at, CALLED_OFF)]
    parsed = {e.id: e for e in _feed(render_changes(entries, CHANGES)).entries}
    assert {e.title for e in parsed.values()} == {
        f"New: {DATE} · Talk by Jon Schneider",
        f"Cancelled: {DATE} · Talk by Jon Schneider",
    }
    assert all(e.get("links", []) == [] for e in parsed.values())


def _items(page: BeautifulSoup) -> dict[str, Tag]:
    items = {}
    for li in page.select("li.talk"):
        heading = li.find("h4")
        assert isinstance(heading, Tag)
        items[heading.get_text(" ", strip=True)] = li
    return items


def test_index_shows_the_talk_without_a_link() -> None:
    page = BeautifulSoup(render_index([SPEC], [ONE, NOBODY, CALLED_OFF, TITLED], NOW), "lxml")
    items = _items(page)
    assert set(items) == {
        "Talk by Jon Schneider",
        SERIES,
        "Cancelled Talk by Jon Schneider",
        "Lattices",
    }
    one = items["Talk by Jon Schneider"]
    assert one.select("h4 a") == []
    assert one.select_one("h4.untitled") is not None
    # The search reads `.title`: the made-up name is not one.
    assert one.select(".title") == []
    speakers = one.select_one(".speakers")
    assert speakers is not None and speakers.get_text() == "Jon Schneider"
    struck = items["Cancelled Talk by Jon Schneider"].select_one("h4 s")
    assert struck is not None and struck.get_text() == "Talk by Jon Schneider"
    assert items[SERIES].select("h4 a") == []
    titled = items["Lattices"].select_one("h4.title a")
    assert titled is not None and titled["href"] == "https://example.edu/6"


@pytest.mark.parametrize(
    ("keywords", "found"),
    [
        (("talk",), set()),
        (("talk by",), set()),
        (("theory lunch",), set()),
        (("Schneider",), {"lunch:1", "lunch:5", "lunch:6"}),
        (("lattices",), {"lunch:6"}),
    ],
)
def test_keywords_never_match_the_made_up_title(keywords: tuple[str, ...], found: set[str]) -> None:
    chosen = {
        st.talk.id for st in [*UNTITLED, TITLED] if matches(st, FeedFilter(keywords=keywords))
    }
    assert chosen == found


def test_exclusions_never_match_the_made_up_title() -> None:
    assert matches(ONE, FeedFilter(exclude=("talk",)))


def test_sources_without_a_page_are_listed_unlinked() -> None:
    merged = ONE.model_copy(
        update={
            "sources": (
                SourceLink(source="lunch", name=SERIES),
                SourceLink(source="dept", name="Dept Calendar", url="https://dept.example.edu/9"),
            )
        }
    )
    assert listed_by_html(merged) == (
        'Theory Lunch; <a href="https://dept.example.edu/9">Dept Calendar</a>'
    )
    assert plain_description(merged) == (
        "Speaker: Jon Schneider\nListed by: Theory Lunch; Dept Calendar <https://dept.example.edu/9>"
    )
