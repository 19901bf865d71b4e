"""JSON Feed parsed back with json, checked against the JSON Feed 1.1 rules and field by field
against the RSS feed of the same talks."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import feedparser
import pytest
from bs4 import BeautifulSoup

from aggregator.model import Speaker, StoredTalk
from feeds import FeedSpec, render_json, render_rss
from feeds.jsonfeed import EXTENSION_DOCS
from tests.feeds.jsonfeed_rules import jsonfeed_problems
from tests.feeds.sample import DASH, NEWEST_FIRST, SPEC, lifecycle_talks

NO_BASE = FeedSpec("all", "All talks", "", "https://talks.example.edu/")


def _parse(data: bytes) -> dict[str, Any]:
    assert data.endswith(b"\n")
    feed = json.loads(data.decode("utf-8"))
    assert jsonfeed_problems(feed) == []
    assert isinstance(feed, dict)
    return feed


def _items(data: bytes) -> dict[str, dict[str, Any]]:
    return {item["id"]: item for item in _parse(data)["items"]}


def test_the_rules_checker_catches_what_it_should() -> None:
    """The checker the other tests trust finds each broken rule."""
    bad = {
        "version": "https://jsonfeed.org/version/1",
        "home_page_url": "/relative",
        "items": [
            {"id": 7, "date_published": "2026-03-10 14:00"},
            {"id": "a", "content_text": "x", "authors": [{"email": "a@b"}], "_x": "flat"},
            {"id": "a", "content_text": "x", "speaker": "unknown key"},
        ],
    }
    problems = jsonfeed_problems(bad)
    for expected in (
        "version is",
        "title is required",
        "home_page_url '/relative' is not an absolute URL",
        "item 0: id is required",
        "item 0: needs content_html or content_text",
        "date_published '2026-03-10 14:00' is not RFC 3339",
        "needs a name, url or avatar",
        "extension _x must be an object",
        "item 2: id 'a' is not unique",
        "unknown key 'speaker'",
    ):
        assert any(expected in problem for problem in problems), (expected, problems)


def test_feed_fields(talks: list[StoredTalk]) -> None:
    feed = _parse(render_json(talks, SPEC))
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["title"] == SPEC.title
    assert feed["description"] == SPEC.description
    assert feed["home_page_url"] == SPEC.link
    assert feed["feed_url"] == "https://talks.example.edu/sites/nyu-cs-colloquium.feed.json"


def test_no_feed_url_without_base_url(talks: list[StoredTalk]) -> None:
    feed = _parse(render_json(talks, NO_BASE))
    # The spec wants it absolute: without a base_url there is none to give.
    assert "feed_url" not in feed
    assert "description" not in feed, "an empty description is left out"


def test_same_entries_in_the_same_order_as_rss(talks: list[StoredTalk]) -> None:
    items = _parse(render_json(talks, SPEC))["items"]
    assert [item["id"] for item in items] == [f"urn:talkfeed:{i}" for i in NEWEST_FIRST]
    rss = feedparser.parse(render_rss(talks, SPEC))
    for item, entry in zip(items, rss.entries, strict=True):
        assert item["id"] == entry.id
        assert item["title"] == entry.title
        assert item["url"] == entry.link
        assert item["tags"] == [tag.term for tag in entry.tags]
        # The same HTML body, which feedparser hands back sanitized but with the same text.
        assert BeautifulSoup(item["content_html"], "lxml").get_text() == (
            BeautifulSoup(entry.description, "lxml").get_text()
        )


def test_item_fields(by_id: dict[str, StoredTalk]) -> None:
    (item,) = _parse(render_json([by_id["nyu-cs:1857"]], SPEC))["items"]
    assert item == {
        "id": "urn:talkfeed:nyu-cs:1857",
        "url": "https://cs.nyu.edu/dynamic/news/colloquium/1857/",
        "title": "Tue, Mar 10, 2026 · Building Efficient Systems for LLMs · Qinghao Hu",
        "content_html": item["content_html"],
        "summary": f"Tuesday, March 10, 2026, 2:00 PM {DASH} 3:00 PM EDT (America/New_York)"
        " · 60 Fifth Avenue, Room 150",
        # first_seen was given in New York time; written in UTC, as RSS and Atom write it.
        "date_published": "2026-02-20T10:00:00Z",
        "date_modified": "2026-03-02T10:00:00Z",
        "authors": [{"name": "Qinghao Hu"}],
        "tags": ["NYU Computer Science Colloquium"],
        "_talkfeed": {
            "about": EXTENSION_DOCS,
            "start": "2026-03-10T14:00:00-04:00",
            # The page gave no end: the source's usual hour, as calendars get it.
            "end": "2026-03-10T15:00:00-04:00",
            "timezone": "America/New_York",
            "all_day": False,
            "location": "60 Fifth Avenue, Room 150",
            "status": "scheduled",
        },
    }
    text = BeautifulSoup(item["content_html"], "lxml").get_text()
    assert "Speaker: Qinghao Hu (MIT)" in text


def test_authors_are_the_speakers(by_id: dict[str, StoredTalk]) -> None:
    items = _items(render_json(list(by_id.values()), SPEC))
    assert items["urn:talkfeed:tub-ml:42"]["authors"] == [
        {"name": "Anna Schmidt"},
        {"name": "Jonas Weber"},
    ]
    # No speaker known: no authors, rather than an empty or made-up one.
    assert "authors" not in items["urn:talkfeed:csail:77"]


def test_a_speaker_named_twice_is_one_author(by_id: dict[str, StoredTalk]) -> None:
    st = by_id["nyu-cs:1857"]
    twice = st.model_copy(
        update={
            "talk": st.talk.model_copy(
                update={"speakers": [Speaker(name="Ann Lee"), Speaker(name="Ann Lee\x0b")]}
            )
        }
    )
    (item,) = _parse(render_json([twice], SPEC))["items"]
    assert item["authors"] == [{"name": "Ann Lee"}]


def test_extension_carries_status_zone_and_times(by_id: dict[str, StoredTalk]) -> None:
    items = _items(render_json([*by_id.values(), *lifecycle_talks()], SPEC))
    extensions = {
        key.removeprefix("urn:talkfeed:"): item["_talkfeed"] for key, item in items.items()
    }
    assert extensions["nyu-cs:1860"]["status"] == "cancelled"
    assert extensions["csail:77"]["status"] == "postponed"
    assert extensions["life:tentative"]["status"] == "tentative"
    assert items["urn:talkfeed:nyu-cs:1860"]["title"].startswith("CANCELLED: ")
    berlin = extensions["tub-ml:42"]
    assert (berlin["start"], berlin["end"], berlin["timezone"]) == (
        "2026-03-12T16:15:00+01:00",
        "2026-03-12T17:45:00+01:00",
        "Europe/Berlin",
    )
    assert extensions["csail:77"]["location"] is None
    for extension in extensions.values():
        assert set(extension) == {
            "about", "start", "end", "timezone", "all_day", "location", "status"
        }  # fmt: skip
        start, end = (datetime.fromisoformat(extension[k]) for k in ("start", "end"))
        assert start.utcoffset() is not None and end >= start


def test_text_is_cleaned_and_html_escaped(by_id: dict[str, StoredTalk]) -> None:
    data = render_json([by_id["nyu-cs:1870"]], SPEC)
    assert b"\\u000b" not in data and b"\\u0000" not in data
    (item,) = _parse(data)["items"]
    assert item["title"] == "Fri, Mar 20, 2026 · Graphs & <Trees> · Eve O'Neil"
    assert item["url"] == "https://cs.nyu.edu/dynamic/news/colloquium/1870/?a=1&b=2"
    body = BeautifulSoup(item["content_html"], "lxml")
    assert body.find("script") is None and body.find("b") is None
    assert "<script>alert(1)</script> is not code here." in body.get_text()
    assert "Host: Bob <b>Bold</b>" in body.get_text()


def test_ids_stay_when_a_talk_moves_or_is_renamed(by_id: dict[str, StoredTalk]) -> None:
    st = by_id["nyu-cs:1857"]
    later = st.model_copy(
        update={
            "talk": st.talk.model_copy(
                update={"title": "Renamed", "start": st.talk.start + timedelta(days=2)}
            ),
            "last_changed": datetime(2026, 3, 5, tzinfo=UTC),
        }
    )
    before, after = (_parse(render_json([t], SPEC))["items"][0] for t in (st, later))
    assert before["id"] == after["id"] == "urn:talkfeed:nyu-cs:1857"
    assert after["date_modified"] == "2026-03-05T00:00:00Z"
    assert before["date_published"] == after["date_published"]


def test_empty_feed_is_valid() -> None:
    feed = _parse(render_json([], SPEC))
    assert feed["items"] == []


@pytest.mark.parametrize("spec", [SPEC, NO_BASE])
def test_same_bytes_for_the_same_talks(talks: list[StoredTalk], spec: FeedSpec) -> None:
    assert render_json(talks, spec) == render_json(list(reversed(talks)), spec)
