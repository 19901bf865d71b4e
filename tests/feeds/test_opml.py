"""The OPML subscription list parsed back with lxml."""

from __future__ import annotations

from lxml import etree

from feeds import FeedSpec, render_opml
from tests.feeds.sample import SPEC

ALL = FeedSpec("all", "All talks", "Every talk", "https://talks.example.edu/")
ODD = FeedSpec(
    "feeds/ml & systems",
    "ML &\n <Systems>\x0b",
    " ",
    "https://talks.example.edu/?a=1&b=2",
)


def _outlines(data: bytes) -> list[dict[str, str]]:
    root = etree.fromstring(data)
    assert root.tag == "opml"
    assert root.get("version") == "2.0"
    assert root.findtext("head/title") == "Talk feeds"
    return [{str(k): str(v) for k, v in outline.attrib.items()} for outline in root.iter("outline")]


def test_one_rss_outline_per_feed_with_absolute_urls() -> None:
    outlines = _outlines(render_opml([ALL, SPEC], "https://talks.example.edu/"))
    assert outlines == [
        {
            "type": "rss",
            "version": "RSS2",
            "text": "All talks",
            "title": "All talks",
            "description": "Every talk",
            "xmlUrl": "https://talks.example.edu/all.rss",
            "htmlUrl": "https://talks.example.edu/",
            "jsonFeedUrl": "https://talks.example.edu/all.feed.json",
        },
        {
            "type": "rss",
            "version": "RSS2",
            "text": "NYU Computer Science Colloquium",
            "title": "NYU Computer Science Colloquium",
            "description": "Talks at NYU's Courant Institute",
            "xmlUrl": "https://talks.example.edu/sites/nyu-cs-colloquium.rss",
            "htmlUrl": "https://cs.nyu.edu/dynamic/news/colloquium/",
            "jsonFeedUrl": "https://talks.example.edu/sites/nyu-cs-colloquium.feed.json",
        },
    ]


def test_base_url_without_a_trailing_slash() -> None:
    (outline,) = _outlines(render_opml([SPEC], "https://example.edu/talks"))
    assert outline["xmlUrl"] == "https://example.edu/talks/sites/nyu-cs-colloquium.rss"


def test_relative_urls_without_a_base_url() -> None:
    outlines = _outlines(render_opml([ALL, SPEC], None))
    # Relative to the OPML file, which lies in the output dir beside the feeds.
    assert [o["xmlUrl"] for o in outlines] == ["all.rss", "sites/nyu-cs-colloquium.rss"]
    assert [o["jsonFeedUrl"] for o in outlines] == [
        "all.feed.json",
        "sites/nyu-cs-colloquium.feed.json",
    ]


def test_text_is_escaped_and_cleaned() -> None:
    data = render_opml([ODD], "https://talks.example.edu/")
    (outline,) = _outlines(data)
    assert outline["text"] == outline["title"] == "ML & <Systems>"
    assert "description" not in outline, "an empty description is left out"
    assert outline["xmlUrl"] == "https://talks.example.edu/feeds/ml%20%26%20systems.rss"
    assert outline["jsonFeedUrl"] == "https://talks.example.edu/feeds/ml%20%26%20systems.feed.json"
    assert outline["htmlUrl"] == "https://talks.example.edu/?a=1&b=2"
    assert b"\x0b" not in data


def test_deterministic_bytes() -> None:
    data = render_opml([ALL, SPEC], "https://talks.example.edu/")
    assert data == render_opml([ALL, SPEC], "https://talks.example.edu/")
    assert data.startswith(b"<?xml version='1.0' encoding='UTF-8'?>\n<opml version=\"2.0\">")
    assert b"dateCreated" not in data


def test_no_feeds_is_still_a_valid_document() -> None:
    assert _outlines(render_opml([], None)) == []
