"""JSON Feed 1.1 (https://jsonfeed.org/version/1.1), written with the standard library's json.

The same entries as the RSS feed, in the same order, under the same ids; each item's authors are
the talk's speakers. What a reader of talks needs beyond a blog post's fields (when, where, in
which zone, whether it still takes place) is in the item's `_talkfeed` extension object:

    "_talkfeed": {"about": EXTENSION_DOCS, "start": "2026-03-10T14:00:00-04:00",
                  "end": "2026-03-10T15:00:00-04:00", "timezone": "America/New_York",
                  "all_day": false, "location": "60 Fifth Avenue, Room 150" | null,
                  "status": "scheduled" | "cancelled" | "postponed" | "tentative"}

`start` and `end` are RFC 3339 in the talk's own zone; `end` is the one calendars get (the page's,
or the start plus the source's usual length).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import partial
from typing import Any

from aggregator.model import StoredTalk
from feeds.spec import (
    Bodies,
    FeedSpec,
    author_names,
    clean,
    entry_kind,
    entry_title,
    newest_first,
    source_names,
    when,
)

__all__ = ["EXTENSION_DOCS", "VERSION", "render_json"]

VERSION = "https://jsonfeed.org/version/1.1"
EXTENSION_DOCS = "https://github.com/talkfeed/talkfeed#json-feed"
"""Where the `_talkfeed` object is described: the spec asks extensions to say so in `about`."""


def render_json(talks: Sequence[StoredTalk], spec: FeedSpec, bodies: Bodies | None = None) -> bytes:
    """The talks as a JSON Feed 1.1 document; the same input always gives the same bytes.
    `bodies` shares the items' bodies with other feeds."""
    bodies = bodies or Bodies()
    feed: dict[str, Any] = {
        "version": VERSION,
        "title": clean(spec.title),
        "home_page_url": clean(spec.link),
    }
    # The spec wants feed_url absolute, so it is there only with a base_url.
    self_url = spec.public_url("feed.json")
    if self_url is not None:
        feed["feed_url"] = self_url
    if spec.description.strip():
        feed["description"] = clean(spec.description)
    # Key order is the insertion order above, so the bytes never depend on a dict's history.
    head = json.dumps(feed, ensure_ascii=False, indent=2).removesuffix("\n}")
    ordered = newest_first(talks)
    items = bodies.entries(entry_kind("feed.json", spec), ordered, partial(_items, spec, bodies))
    # What json.dumps writes for the whole feed, "items" last, each item two levels in.
    listed = "[\n" + ",\n".join(items) + "\n  ]" if items else "[]"
    return f'{head},\n  "items": {listed}\n}}\n'.encode()


def _items(spec: FeedSpec, bodies: Bodies, talks: list[StoredTalk]) -> list[str]:
    return [
        _INDENT.sub("    ", json.dumps(_item(st, spec, bodies), ensure_ascii=False, indent=2))
        for st in talks
    ]


# JSON strings hold no raw line breaks, so every line of an item starts here.
_INDENT = re.compile("^", re.MULTILINE)


def _item(st: StoredTalk, spec: FeedSpec, bodies: Bodies) -> dict[str, Any]:
    talk = st.talk
    item: dict[str, Any] = {"id": clean(f"urn:talkfeed:{talk.id}")}
    if talk.url:
        item["url"] = clean(talk.url)
    item["title"] = entry_title(st, spec)
    item["content_html"] = bodies.html(st)
    summary = when(talk)
    if talk.location:
        summary += f" · {clean(talk.location)}"
    item["summary"] = summary
    item["date_published"] = _rfc3339(st.first_seen)
    item["date_modified"] = _rfc3339(st.last_changed)
    authors = author_names(talk)
    if authors:
        item["authors"] = [{"name": name} for name in authors]
    item["tags"] = source_names(st)
    item["_talkfeed"] = {
        "about": EXTENSION_DOCS,
        "start": talk.start.isoformat(),
        "end": talk.effective_end.isoformat(),
        "timezone": talk.timezone,
        "all_day": talk.all_day,
        "location": clean(talk.location) if talk.location else None,
        "status": talk.status.value,
    }
    return item


def _rfc3339(moment: datetime) -> str:
    """UTC with a "Z", as RSS and Atom write these dates in UTC too."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
