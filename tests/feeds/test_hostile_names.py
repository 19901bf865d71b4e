"""A source's configured name is text, whatever it holds: markup, ampersands, quotes and control
characters come back from every format as the same text, never as markup, and never break it.

The feeds are the ones a run writes for such a source (`feed_specs`), parsed back by feedparser,
json, icalendar, lxml and BeautifulSoup."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import feedparser
from bs4 import BeautifulSoup
from icalendar import Calendar
from lxml import etree

from aggregator.config import Config, SourceConfig
from aggregator.fetching.fetch import FetchSettings
from aggregator.model import Speaker, StoredTalk, Talk
from aggregator.publishing.outputs import feed_specs
from feeds import (
    FeedSpec,
    render_atom,
    render_ical,
    render_index,
    render_json,
    render_opml,
    render_rss,
)
from scrapers import SiteParser

RAW = "Evil <script>alert(\"x\")</script> & <b>Co</b>\x01\x7f 'Seminar'"
NAME = "Evil <script>alert(\"x\")</script> & <b>Co</b> 'Seminar'"
"""What every format must say: RAW without the control characters XML and iCal forbid."""
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _spec() -> FeedSpec:
    site = SiteParser.configured(
        id="evil", name=RAW, start_urls=("https://evil.example/",), timezone="UTC"
    )
    config = Config(
        out=Path("public"),
        db=Path("talkfeed.db"),
        base_url="https://talks.example.edu/",
        fetch=FetchSettings(),
        sources=(SourceConfig("evil"),),
        path=None,
    )
    (_, _), (own, _) = feed_specs(config, {"evil": site}, ["evil"])
    assert own.title == RAW and NAME in own.description.replace("\x01\x7f", "")
    return own


def _talk() -> StoredTalk:
    return StoredTalk(
        talk=Talk(
            id="evil:1",
            source="evil",
            url="https://evil.example/1",
            title="A talk",
            speakers=[Speaker(name="Ann")],
            start=datetime(2026, 3, 2, 15, 0, tzinfo=UTC),
            timezone="UTC",
        ),
        source_name=RAW,
        first_seen=NOW,
        last_seen=NOW,
        last_changed=NOW,
    )


def test_rss_channel_title_description_and_category() -> None:
    data = render_rss([_talk()], _spec())
    parsed = feedparser.parse(data)
    assert not parsed.bozo
    assert parsed.feed.title == NAME
    # Readers take the channel description for HTML: it must be escaped HTML of the name.
    assert parsed.feed.subtitle_detail.type == "text/html"
    description = BeautifulSoup(parsed.feed.subtitle, "lxml")
    assert description.find(["script", "b"]) is None
    assert description.get_text() == f"Talks of the {NAME}"
    (entry,) = parsed.entries
    assert [tag.term for tag in entry.tags] == [NAME]
    root = etree.fromstring(data)
    assert root.findtext("channel/category") is None
    assert root.findtext("channel/item/category") == NAME


def test_atom_title_subtitle_and_category_label() -> None:
    data = render_atom([_talk()], _spec())
    parsed = feedparser.parse(data)
    assert not parsed.bozo
    assert parsed.feed.title == NAME
    # Atom's subtitle is a text construct: the name as text, with its type saying so.
    assert parsed.feed.subtitle_detail.type == "text/plain"
    assert parsed.feed.subtitle == f"Talks of the {NAME}"
    (entry,) = parsed.entries
    assert [(tag.term, tag.label) for tag in entry.tags] == [("evil", NAME)]
    root = etree.fromstring(data)
    subtitle = root.find("{http://www.w3.org/2005/Atom}subtitle")
    assert subtitle is not None and subtitle.get("type") in (None, "text")
    assert len(subtitle) == 0, "no child elements: the markup stayed text"


def test_json_feed_title_description_and_tags() -> None:
    feed = json.loads(render_json([_talk()], _spec()))
    assert feed["title"] == NAME
    assert feed["description"] == f"Talks of the {NAME}"
    assert feed["items"][0]["tags"] == [NAME]


def test_ical_calendar_name_and_categories() -> None:
    calendar = Calendar.from_ical(render_ical([_talk()], _spec()))
    assert str(calendar["X-WR-CALNAME"]) == NAME
    assert str(calendar["X-WR-CALDESC"]) == f"Talks of the {NAME}"
    (event,) = calendar.events
    assert [str(c) for c in event.categories] == [NAME]


def test_opml_outline() -> None:
    root = etree.fromstring(render_opml([_spec()], "https://talks.example.edu/"))
    (outline,) = root.iter("outline")
    assert outline.get("text") == outline.get("title") == NAME
    assert outline.get("description") == f"Talks of the {NAME}"


def test_index_page() -> None:
    page = BeautifulSoup(render_index([_spec()], [_talk()], NOW), "lxml")
    assert len(page.find_all("script")) == 1, "only the page's own script"
    assert page.find("b") is None
    card = page.select_one("li.feed")
    assert card is not None
    heading = card.find("h3")
    assert heading is not None and heading.get_text() == NAME
    assert f"Talks of the {NAME}" in card.get_text()
    assert [o.get_text() for o in page.select("#source option")][1] == f"{NAME} (1)"
    assert f"From: {NAME}" in page.select_one("li.talk").get_text()  # type: ignore[union-attr]
