"""Feeds: pure renderers from stored talks to the bytes of RSS, Atom, JSON Feed, iCal, an HTML
index and OPML.

No network, no file writes, no clock: the same talks and spec always give the same bytes. Which
talks a feed holds at a given time is `select(talks, spec, ext, now)`, called before rendering.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from aggregator.model import StoredTalk
from feeds.atom import render_atom
from feeds.changes import ChangeEntry, render_changes
from feeds.html import calendar_talks, render_index
from feeds.ical import event_file, render_event, render_ical
from feeds.jsonfeed import render_json
from feeds.opml import render_opml
from feeds.rss import render_rss
from feeds.spec import Bodies, FeedFilter, FeedSpec, in_window, matches, select, window_start

__all__ = [
    "FORMATS",
    "ChangeEntry",
    "FeedFilter",
    "FeedSpec",
    "calendar_talks",
    "event_file",
    "in_window",
    "matches",
    "render_atom",
    "render_changes",
    "render_event",
    "render_ical",
    "render_index",
    "render_json",
    "render_opml",
    "render_rss",
    "select",
    "window_start",
]


class Renderer(Protocol):
    """A feed format: the talks as one document, their bodies shared through `bodies`."""

    def __call__(
        self, talks: Sequence[StoredTalk], spec: FeedSpec, bodies: Bodies | None = None
    ) -> bytes: ...


FORMATS: dict[str, Renderer] = {
    "rss": render_rss,
    "atom": render_atom,
    "feed.json": render_json,
    "ics": render_ical,
}
"""The feed renderers by file extension: `FORMATS[ext](select(talks, spec, ext, now), spec)` is
`<spec.path>.<ext>`. A JSON Feed is `.feed.json`, not `.json`: the name tells servers (`talkfeed
serve` among them) to send it as `application/feed+json`, while health.json stays plain JSON."""
