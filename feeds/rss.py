"""RSS 2.0 feeds via feedgen: one item per talk, newest announcement first.

RSS's own `<author>` must be an e-mail address, which speakers are not given; each speaker is a
Dublin Core `<dc:creator>` instead, which feed readers show as the item's author.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC
from functools import partial
from html import escape

from feedgen.feed import FeedGenerator

from aggregator.model import StoredTalk
from feeds.fragments import split_document, split_entries
from feeds.spec import (
    Bodies,
    FeedSpec,
    author_names,
    clean,
    entry_kind,
    entry_title,
    feed_updated,
    newest_first,
    source_names,
)

__all__ = ["render_rss"]


def render_rss(talks: Sequence[StoredTalk], spec: FeedSpec, bodies: Bodies | None = None) -> bytes:
    """The talks as an RSS 2.0 document; the same input always gives the same bytes, those
    feedgen writes for the whole feed. `bodies` shares the items with other feeds."""
    bodies = bodies or Bodies()
    ordered = newest_first(talks)
    head, tail = split_document(_channel(spec, talks).rss_str(pretty=True), _CLOSE)
    items = bodies.entries(entry_kind("rss", spec), ordered, partial(_items, spec, bodies))
    return head + "".join(items).encode() + tail


def _channel(spec: FeedSpec, talks: Sequence[StoredTalk]) -> FeedGenerator:
    fg = FeedGenerator()
    fg.title(clean(spec.title))
    # RSS requires a channel description; an empty one makes feedgen refuse to render. Readers
    # take it for HTML (feedparser strips a "<script>" in it and obeys a "<b>"), so a source's
    # name in it is escaped to stay the text it is.
    fg.description(escape(clean(spec.description) or clean(spec.title), quote=False))
    self_url = spec.public_url("rss")
    if self_url is not None:
        fg.link(href=self_url, rel="self", type="application/rss+xml")
    # feedgen takes the channel <link> from the last link added, so the page goes after self.
    fg.link(href=clean(spec.link), rel="alternate")
    fg.lastBuildDate(feed_updated(talks))
    fg.generator("talkfeed")
    fg.ttl(spec.ttl_minutes)
    fg.load_extension("dc", atom=False)
    return fg


def _items(spec: FeedSpec, bodies: Bodies, talks: list[StoredTalk]) -> list[str]:
    """The talks' items, as feedgen writes them in a channel."""
    fg = _channel(spec, talks)
    for st in talks:
        talk = st.talk
        fe = fg.add_entry(order="append")
        fe.guid(clean(f"urn:talkfeed:{talk.id}"), permalink=False)
        fe.title(entry_title(st, spec))
        if talk.url:
            fe.link(href=clean(talk.url))
        fe.description(bodies.html(st))
        fe.pubDate(st.first_seen.astimezone(UTC))
        authors = author_names(talk)
        if authors:
            fe.dc.dc_creator(authors)
        for name in source_names(st):
            fe.category(term=name)
    return split_entries(fg.rss_str(pretty=True), _OPEN, _CLOSE)


_OPEN = b"    <item>\n"
_CLOSE = b"  </channel>\n"
