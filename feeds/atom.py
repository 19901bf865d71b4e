"""Atom feeds via feedgen: one entry per talk, newest announcement first."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC

from feedgen.feed import FeedGenerator

from aggregator.model import StoredTalk
from feeds.spec import FeedSpec, clean, entry_title, feed_updated, html_description, newest_first

__all__ = ["render_atom"]


def render_atom(talks: Sequence[StoredTalk], spec: FeedSpec) -> bytes:
    """The talks as an Atom document; the same input always gives the same bytes."""
    fg = FeedGenerator()
    fg.id(clean(f"urn:talkfeed:feed:{spec.path}"))
    fg.title(clean(spec.title))
    if spec.description:
        fg.subtitle(clean(spec.description))
    # RFC 4287 wants an author on the feed unless every entry has one.
    fg.author(name="talkfeed")
    self_url = spec.public_url("atom")
    if self_url is not None:
        fg.link(href=self_url, rel="self", type="application/atom+xml")
    fg.link(href=clean(spec.link), rel="alternate", type="text/html")
    fg.updated(feed_updated(talks))
    fg.generator("talkfeed")
    for st in newest_first(talks):
        talk = st.talk
        fe = fg.add_entry(order="append")
        fe.id(clean(f"urn:talkfeed:{talk.id}"))
        fe.title(entry_title(st, spec))
        fe.link(href=clean(talk.url))
        fe.content(html_description(st), type="html")
        fe.published(st.first_seen.astimezone(UTC))
        fe.updated(st.last_changed.astimezone(UTC))
        fe.category(term=clean(talk.source), label=clean(st.source_name))
    result: bytes = fg.atom_str(pretty=True)
    return result
