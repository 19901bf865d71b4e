"""An OPML 2.0 subscription list of the RSS feeds, so a feed reader can import them all at once.

Format: http://opml.org/spec2.opml (an outline of type "rss" needs text and xmlUrl; title,
htmlUrl, description and version are optional). No dateCreated: the same feeds give the same bytes.

Each outline also names the feed's JSON Feed in a `jsonFeedUrl` attribute, which OPML allows
and readers that do not know it ignore. Not an outline of its own: a reader importing the list
would then subscribe to every feed twice.
"""

from __future__ import annotations

from collections.abc import Sequence

from lxml import etree

from feeds.spec import FeedSpec, clean

__all__ = ["OPML_FILE", "render_opml"]

OPML_FILE = "feeds.opml"
"""Where the OPML file goes in the output dir; the index page links to it."""


def render_opml(feeds: Sequence[FeedSpec], base_url: str | None) -> bytes:
    """OPML 2.0 with one `rss` outline per feed, in the given order.

    Each outline's xmlUrl is the feed's RSS file and jsonFeedUrl its JSON Feed: absolute under
    `base_url` when it is set, else relative to the output dir (where the OPML file itself
    lies); htmlUrl is `spec.link`.
    """
    root = etree.Element("opml", version="2.0")
    head = etree.SubElement(root, "head")
    etree.SubElement(head, "title").text = "Talk feeds"
    etree.SubElement(head, "docs").text = "http://opml.org/spec2.opml"
    body = etree.SubElement(root, "body")
    for spec in feeds:
        xml_url, json_url = (
            href if base_url is None else f"{base_url.rstrip('/')}/{href}"
            for href in (spec.href("rss"), spec.href("feed.json"))
        )
        outline = etree.SubElement(body, "outline")
        # lxml writes attributes in the order they are set: the bytes stay the same.
        outline.set("type", "rss")
        outline.set("version", "RSS2")
        outline.set("text", _one_line(spec.title))
        outline.set("title", _one_line(spec.title))
        if spec.description.strip():
            outline.set("description", _one_line(spec.description))
        outline.set("xmlUrl", xml_url)
        outline.set("htmlUrl", spec.link)
        outline.set("jsonFeedUrl", json_url)
    return etree.tostring(root, encoding="UTF-8", xml_declaration=True, pretty_print=True)


def _one_line(text: str) -> str:
    # Readers show these in a one-line list; an attribute would keep a line break as "&#10;".
    return " ".join(clean(text).split())
