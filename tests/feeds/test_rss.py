"""RSS parsed back with feedparser (what readers see) and lxml (the exact XML)."""

from __future__ import annotations

import calendar
from datetime import UTC, datetime
from typing import Any

import feedparser
from bs4 import BeautifulSoup
from lxml import etree

from aggregator.model import StoredTalk
from feeds import FeedSpec, render_rss
from tests.feeds.sample import DASH, NEWEST_FIRST, SPEC

ATOM_NS = "http://www.w3.org/2005/Atom"


def _parse(data: bytes) -> Any:
    parsed = feedparser.parse(data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


def _instant(parsed_time: Any) -> datetime:
    return datetime.fromtimestamp(calendar.timegm(parsed_time), UTC)


def test_one_item_per_talk_newest_announcement_first(talks: list[StoredTalk]) -> None:
    parsed = _parse(render_rss(talks, SPEC))
    assert [e.id for e in parsed.entries] == [f"urn:talkfeed:{i}" for i in NEWEST_FIRST]


def test_guid_is_a_urn_and_not_a_permalink(talks: list[StoredTalk]) -> None:
    root = etree.fromstring(render_rss(talks, SPEC))
    guids = root.findall("channel/item/guid")
    assert [g.text for g in guids] == [f"urn:talkfeed:{i}" for i in NEWEST_FIRST]
    assert {g.get("isPermaLink") for g in guids} == {"false"}
    assert not any(e.guidislink for e in _parse(render_rss(talks, SPEC)).entries)


def test_item_fields(by_id: dict[str, StoredTalk]) -> None:
    st = by_id["nyu-cs:1857"]
    (entry,) = _parse(render_rss([st], SPEC)).entries
    assert entry.title == "Tue, Mar 10, 2026 · Building Efficient Systems for LLMs · Qinghao Hu"
    assert entry.link == "https://cs.nyu.edu/dynamic/news/colloquium/1857/"
    assert _instant(entry.published_parsed) == datetime(2026, 2, 20, 10, 0, tzinfo=UTC)
    assert [t.term for t in entry.tags] == ["NYU Computer Science Colloquium"]


def test_pub_date_is_written_in_utc(by_id: dict[str, StoredTalk]) -> None:
    root = etree.fromstring(render_rss([by_id["nyu-cs:1857"]], SPEC))
    assert root.findtext("channel/item/pubDate") == "Fri, 20 Feb 2026 10:00:00 +0000"


def test_titles_carry_status_prefix_date_and_speakers(by_id: dict[str, StoredTalk]) -> None:
    ids = ["nyu-cs:1860", "csail:77", "tub-ml:42", "nyu-cs:1870"]
    parsed = _parse(render_rss([by_id[i] for i in ids], SPEC))
    assert {e.id.removeprefix("urn:talkfeed:"): e.title for e in parsed.entries} == {
        "nyu-cs:1860": "CANCELLED: Wed, Mar 11, 2026 · Robust Robot Learning · Chelsea Finn",
        "csail:77": "POSTPONED: Tue, Jun 15, 2027 · Quantum Advantage, Carefully",
        "tub-ml:42": "Thu, Mar 12, 2026 · Kernel Methods, Revisited · Anna Schmidt, Jonas Weber",
        "nyu-cs:1870": "Fri, Mar 20, 2026 · Graphs & <Trees> · Eve O'Neil",
    }


def test_cancel_prefix_comes_from_the_spec(by_id: dict[str, StoredTalk]) -> None:
    spec = FeedSpec("all", "All", "All talks", "https://talks.example.edu/", cancel_prefix="[X] ")
    (entry,) = _parse(render_rss([by_id["nyu-cs:1860"]], spec)).entries
    assert entry.title.startswith("[X] Wed, Mar 11, 2026 · ")


def test_description_is_escaped_html_with_local_time(by_id: dict[str, StoredTalk]) -> None:
    root = etree.fromstring(render_rss([by_id["nyu-cs:1870"]], SPEC))
    body = BeautifulSoup(root.findtext("channel/item/description") or "", "lxml")
    assert body.find("script") is None
    assert body.find("b") is None
    text = body.get_text()
    assert f"Friday, March 20, 2026, 12:00 PM {DASH} 1:00 PM EDT (America/New_York)" in text
    assert "Eve O'Neil (AT&T Labs)" in text
    assert "Host: Bob <b>Bold</b>" in text
    paras = [p.get_text() for p in body.find_all("p")]
    assert "<script>alert(1)</script> is not code here." in paras
    assert "Third paragraph." in paras
    assert "Trees & graphs.\nA soft break." in paras
    assert "Pizza & drinks after." in paras


def test_description_states_status(by_id: dict[str, StoredTalk]) -> None:
    root = etree.fromstring(render_rss([by_id["csail:77"], by_id["nyu-cs:1857"]], SPEC))
    postponed, scheduled = (d.text or "" for d in root.findall("channel/item/description"))
    assert "This talk has been postponed." in postponed
    assert "This talk has been" not in scheduled


def test_channel_dates_come_from_the_data(talks: list[StoredTalk]) -> None:
    parsed = _parse(render_rss(talks, SPEC))
    assert _instant(parsed.feed.updated_parsed) == datetime(2026, 3, 9, 15, 0, tzinfo=UTC)


def test_empty_feed_is_dated_at_the_epoch() -> None:
    parsed = _parse(render_rss([], SPEC))
    assert parsed.entries == []
    assert _instant(parsed.feed.updated_parsed) == datetime(1970, 1, 1, tzinfo=UTC)


def test_channel_links_and_generator(talks: list[StoredTalk]) -> None:
    root = etree.fromstring(render_rss(talks, SPEC))
    # With a self link present, the channel <link> must still be the page, not the feed.
    assert root.findtext("channel/link") == SPEC.link
    self_links = root.findall(f"channel/{{{ATOM_NS}}}link")
    assert [(a.get("rel"), a.get("href")) for a in self_links] == [
        ("self", "https://talks.example.edu/sites/nyu-cs-colloquium.rss")
    ]
    assert root.findtext("channel/generator") == "talkfeed"
    assert root.findtext("channel/title") == SPEC.title
    assert root.findtext("channel/description") == SPEC.description


def test_no_self_link_without_base_url(talks: list[StoredTalk]) -> None:
    spec = FeedSpec("all", "All talks", "", "https://talks.example.edu/")
    root = etree.fromstring(render_rss(talks, spec))
    assert root.findall(f"channel/{{{ATOM_NS}}}link") == []
    # RSS requires a description, so an empty one falls back to the title.
    assert root.findtext("channel/description") == "All talks"


def test_ttl_comes_from_the_spec(talks: list[StoredTalk]) -> None:
    assert _parse(render_rss(talks, SPEC)).feed.ttl == "60"
    spec = FeedSpec("all", "All", "", "https://talks.example.edu/", ttl_minutes=90)
    assert etree.fromstring(render_rss(talks, spec)).findtext("channel/ttl") == "90"


DC = "{http://purl.org/dc/elements/1.1/}"


def test_speakers_are_the_items_creators(by_id: dict[str, StoredTalk]) -> None:
    talks = [by_id["tub-ml:42"], by_id["nyu-cs:1857"], by_id["csail:77"]]
    root = etree.fromstring(render_rss(talks, SPEC))
    creators = {
        item.findtext("guid"): [c.text for c in item.findall(f"{DC}creator")]
        for item in root.iter("item")
    }
    assert creators == {
        "urn:talkfeed:tub-ml:42": ["Anna Schmidt", "Jonas Weber"],
        "urn:talkfeed:nyu-cs:1857": ["Qinghao Hu"],
        # No speaker known, no creator: RSS's own <author> would need an e-mail address.
        "urn:talkfeed:csail:77": [],
    }
    assert root.findall("channel/item/author") == []
    entries = {e.id: e for e in _parse(render_rss(talks, SPEC)).entries}
    assert entries["urn:talkfeed:nyu-cs:1857"].author == "Qinghao Hu"
    assert [a.name for a in entries["urn:talkfeed:tub-ml:42"].authors] == [
        "Anna Schmidt",
        "Jonas Weber",
    ]
    assert "author" not in entries["urn:talkfeed:csail:77"]
