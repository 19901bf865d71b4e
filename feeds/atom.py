"""Atom feeds via feedgen: one entry per talk, newest announcement first.

`atom_feed` and `add_talk_entry` are shared with the changes feed, which is Atom too.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from functools import partial

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
    source_links,
)

__all__ = ["add_talk_entry", "atom_feed", "render_atom"]


def render_atom(talks: Sequence[StoredTalk], spec: FeedSpec, bodies: Bodies | None = None) -> bytes:
    """The talks as an Atom document; the same input always gives the same bytes, those feedgen
    writes for the whole feed. `bodies` shares the entries with other feeds."""
    bodies = bodies or Bodies()
    ordered = newest_first(talks)
    updated = feed_updated(talks)
    head, tail = split_document(atom_feed(spec, updated).atom_str(pretty=True), _CLOSE)
    entries = bodies.entries(
        entry_kind("atom", spec), ordered, partial(_entries, spec, updated, bodies)
    )
    return head + "".join(entries).encode() + tail


def _entries(
    spec: FeedSpec, updated: datetime, bodies: Bodies, talks: list[StoredTalk]
) -> list[str]:
    """The talks' entries, as feedgen writes them in a feed."""
    fg = atom_feed(spec, updated)
    for st in talks:
        add_talk_entry(
            fg,
            st,
            entry_id=f"urn:talkfeed:{st.talk.id}",
            title=entry_title(st, spec),
            published=st.first_seen,
            updated=st.last_changed,
            content=bodies.html(st),
        )
    return split_entries(fg.atom_str(pretty=True), _OPEN, _CLOSE)


_OPEN = b"  <entry>\n"
_CLOSE = b"</feed>\n"


def atom_feed(spec: FeedSpec, updated: datetime) -> FeedGenerator:
    """A feedgen `FeedGenerator` with the feed-level Atom elements of `spec`, without entries."""
    fg = FeedGenerator()
    fg.id(clean(f"urn:talkfeed:feed:{spec.path}"))
    fg.title(clean(spec.title))
    if spec.description:
        fg.subtitle(clean(spec.description))
    # RFC 4287 wants an author on the feed unless every entry has one: a talk without known
    # speakers has none of its own.
    fg.author(name="talkfeed")
    self_url = spec.public_url("atom")
    if self_url is not None:
        fg.link(href=self_url, rel="self", type="application/atom+xml")
    fg.link(href=clean(spec.link), rel="alternate", type="text/html")
    fg.updated(updated.astimezone(UTC))
    fg.generator("talkfeed")
    return fg


def add_talk_entry(
    fg: FeedGenerator,
    st: StoredTalk,
    *,
    entry_id: str,
    title: str,
    published: datetime,
    updated: datetime,
    content: str,
) -> None:
    """Append an entry about the talk: its link (if it has a page), `content` (its
    `html_description`), speakers as authors and sources as categories."""
    fe = fg.add_entry(order="append")
    fe.id(clean(entry_id))
    fe.title(clean(title))
    if st.talk.url:
        fe.link(href=clean(st.talk.url))
    fe.content(content, type="html")
    fe.published(published.astimezone(UTC))
    fe.updated(updated.astimezone(UTC))
    for name in author_names(st.talk):
        fe.author(name=name)
    for link in source_links(st):
        fe.category(term=clean(link.source), label=clean(link.name))
