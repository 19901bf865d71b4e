"""RSS 2.0 feeds via feedgen: one item per talk, newest announcement first.

RSS's own `<author>` must be an e-mail address, which speakers are not given; each speaker is a
Dublin Core `<dc:creator>` instead, which feed readers show as the item's author.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC
from html import escape

from feedgen.feed import FeedGenerator

from aggregator.model import StoredTalk
from feeds.spec import (
    Bodies,
    FeedSpec,
    author_names,
    clean,
    entry_title,
    feed_updated,
    newest_first,
    source_names,
)

__all__ = ["render_rss"]


def render_rss(talks: Sequence[StoredTalk], spec: FeedSpec, bodies: Bodies | None = None) -> bytes:
    """The talks as an RSS 2.0 document; the same input always gives the same bytes. `bodies`
    shares the entries' bodies with other feeds."""
    bodies = bodies or Bodies()
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
    for st in newest_first(talks):
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
    result: bytes = fg.rss_str(pretty=True)
    return result
