"""Atom parsed back with feedparser and lxml."""

from __future__ import annotations

import calendar
from datetime import UTC, datetime
from typing import Any

import feedparser
from bs4 import BeautifulSoup

from aggregator.model import StoredTalk
from feeds import FeedSpec, render_atom
from tests.feeds.sample import DASH, NEWEST_FIRST, SPEC


def _parse(data: bytes) -> Any:
    parsed = feedparser.parse(data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


def _instant(parsed_time: Any) -> datetime:
    return datetime.fromtimestamp(calendar.timegm(parsed_time), UTC)


def test_feed_metadata(talks: list[StoredTalk]) -> None:
    feed = _parse(render_atom(talks, SPEC)).feed
    assert feed.id == "urn:talkfeed:feed:sites/nyu-cs-colloquium"
    assert feed.title == SPEC.title
    assert feed.subtitle == SPEC.description
    assert feed.generator == "talkfeed"
    assert feed.author == "talkfeed"
    assert _instant(feed.updated_parsed) == datetime(2026, 3, 9, 15, 0, tzinfo=UTC)
    assert sorted((link.rel, link.href) for link in feed.links) == [
        ("alternate", SPEC.link),
        ("self", "https://talks.example.edu/sites/nyu-cs-colloquium.atom"),
    ]


def test_no_self_link_without_base_url(talks: list[StoredTalk]) -> None:
    spec = FeedSpec("all", "All talks", "", "https://talks.example.edu/")
    feed = _parse(render_atom(talks, spec)).feed
    assert [link.rel for link in feed.links] == ["alternate"]
    assert "subtitle" not in feed


def test_entries_newest_announcement_first(talks: list[StoredTalk]) -> None:
    entries = _parse(render_atom(talks, SPEC)).entries
    assert [e.id for e in entries] == [f"urn:talkfeed:{i}" for i in NEWEST_FIRST]


def test_entry_fields(by_id: dict[str, StoredTalk]) -> None:
    (entry,) = _parse(render_atom([by_id["nyu-cs:1860"]], SPEC)).entries
    assert entry.id == "urn:talkfeed:nyu-cs:1860"
    assert entry.title == "CANCELLED: Wed, Mar 11, 2026 · Robust Robot Learning · Chelsea Finn"
    assert entry.link == "https://cs.nyu.edu/dynamic/news/colloquium/1860/"
    assert _instant(entry.published_parsed) == datetime(2026, 2, 10, 10, 0, tzinfo=UTC)
    assert _instant(entry.updated_parsed) == datetime(2026, 3, 9, 15, 0, tzinfo=UTC)
    assert [(t.term, t.label) for t in entry.tags] == [
        ("nyu-cs", "NYU Computer Science Colloquium")
    ]


def test_published_is_first_seen_in_utc(by_id: dict[str, StoredTalk]) -> None:
    data = render_atom([by_id["nyu-cs:1857"]], SPEC)
    assert b"<published>2026-02-20T10:00:00+00:00</published>" in data


def test_content_is_html_with_everything_escaped(by_id: dict[str, StoredTalk]) -> None:
    (entry,) = _parse(render_atom([by_id["nyu-cs:1870"]], SPEC)).entries
    (content,) = entry.content
    assert content.type == "text/html"
    # feedparser sanitizes HTML, which would hide a live <script>: read the raw document too.
    raw = render_atom([by_id["nyu-cs:1870"]], SPEC)
    assert b"&amp;lt;script&amp;gt;alert(1)&amp;lt;/script&amp;gt;" in raw
    body = BeautifulSoup(content.value, "lxml")
    assert body.find("script") is None
    assert "<script>alert(1)</script> is not code here." in body.get_text()
    assert (
        f"Friday, March 20, 2026, 12:00 PM {DASH} 1:00 PM EDT (America/New_York)" in body.get_text()
    )


def test_speakers_are_the_entries_authors(by_id: dict[str, StoredTalk]) -> None:
    talks = [by_id["tub-ml:42"], by_id["nyu-cs:1870"], by_id["csail:77"]]
    entries = {e.id: e for e in _parse(render_atom(talks, SPEC)).entries}
    assert [a.name for a in entries["urn:talkfeed:tub-ml:42"].authors] == [
        "Anna Schmidt",
        "Jonas Weber",
    ]
    assert entries["urn:talkfeed:nyu-cs:1870"].author == "Eve O'Neil"
    # Without a speaker the entry falls back to the feed's author, as RFC 4287 has it.
    assert "authors" not in entries["urn:talkfeed:csail:77"]
    assert _parse(render_atom(talks, SPEC)).feed.author == "talkfeed"
