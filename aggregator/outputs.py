"""What the output directory holds, and which talks go in each file.

- `all.*`: one entry per real talk (merged across sources), from the `published` table;
- `feeds/<name>.*`: the same talks through a named feed's filter;
- `sites/<source>.*`: each source's own records;
- `changes.atom`: new, moved, cancelled and restored talks of the last days;
- `index.html`: upcoming talks and the subscribe links to all of the above;
- `feeds.opml`: the RSS feeds as one subscription list for feed readers.

RSS and Atom hold talks from `rss_days_back` days ago onward, iCal from `ical_days_back`, so a
feed means the same thing in every format. Rendering is pure; writing is `publish.py`'s job.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Literal

from aggregator.config import Config
from aggregator.model import Change, StoredTalk
from feeds import (
    FORMATS,
    ChangeEntry,
    FeedFilter,
    FeedSpec,
    in_window,
    matches,
    render_changes,
    render_index,
    render_opml,
)
from scrapers import SiteParser

__all__ = ["PROJECT_URL", "change_entries", "feed_files", "feed_specs"]

PROJECT_URL = "https://github.com/talkfeed/talkfeed"
_CHANGE_KINDS: dict[str, Literal["new", "moved", "cancelled", "restored"]] = {
    "new": "new",
    "moved": "moved",
    "cancelled": "cancelled",
    "restored": "restored",
}
"""The kinds of change a subscriber follows (a retyped abstract is not news)."""


def feed_specs(
    config: Config, sites: Mapping[str, SiteParser], source_ids: Sequence[str]
) -> list[tuple[FeedSpec, FeedFilter | None]]:
    """Every feed: the combined one, the named ones with their filters, then one per source
    (whose talks are chosen by source, not by a filter)."""
    publish = config.publish
    names = ", ".join(sites[s].name for s in source_ids)
    combined = FeedSpec(
        path="all",
        title="All talks",
        description=f"Talks from every source talkfeed reads: {names}",
        link=config.base_url or PROJECT_URL,
        base_url=config.base_url,
        cancel_prefix=publish.cancel_prefix,
        postpone_prefix=publish.postpone_prefix,
        ttl_minutes=publish.ttl_minutes,
        rss_days_back=publish.rss_days_back,
        ical_days_back=publish.ical_days_back,
    )
    specs: list[tuple[FeedSpec, FeedFilter | None]] = [(combined, FeedFilter())]
    for feed in config.feeds:
        named = replace(
            combined,
            path=f"feeds/{feed.name}",
            title=feed.title,
            description=feed.title,
            rss_days_back=_either(feed.rss_days_back, publish.rss_days_back),
            ical_days_back=_either(feed.ical_days_back, publish.ical_days_back),
        )
        selection = FeedFilter(sources=feed.sources, keywords=feed.keywords, exclude=feed.exclude)
        specs.append((named, selection))
    for source_id in source_ids:
        site = sites[source_id]
        own = replace(
            combined,
            path=f"sites/{source_id}",
            title=site.name,
            description=f"Talks of the {site.name}",
            link=site.start_urls[0],
        )
        specs.append((own, None))
    return specs


def _either(value: int | None, default: int) -> int:
    return default if value is None else value


def change_entries(changes: Sequence[Change], talks: Sequence[StoredTalk]) -> list[ChangeEntry]:
    """The changes subscribers care about, each with the talk as it is now."""
    by_id = {st.talk.id: st for st in talks}
    entries = []
    for change in changes:
        talk = by_id.get(change.talk_id)
        if talk is None or change.kind not in _CHANGE_KINDS:
            continue
        moved_from = None
        if change.kind == "moved" and change.old is not None:
            moved_from = datetime.fromisoformat(json.loads(change.old))
        kind = _CHANGE_KINDS[change.kind]
        entries.append(ChangeEntry(kind=kind, at=change.run_at, talk=talk, moved_from=moved_from))
    return entries


def feed_files(
    config: Config,
    sites: Mapping[str, SiteParser],
    records: Sequence[StoredTalk],
    combined: Sequence[StoredTalk],
    changes: Sequence[Change],
    now: datetime,
) -> Iterator[tuple[str, bytes]]:
    """Every output file's name and bytes, rendered from the store's talks and changes one file
    at a time, so only one is held in memory while it is written."""
    source_ids = sorted({source.site for source in config.sources})
    specs = feed_specs(config, sites, source_ids)
    own: dict[str, list[StoredTalk]] = {}
    for record in records:
        own.setdefault(f"sites/{record.talk.source}", []).append(record)
    for spec, selection in specs:
        if selection is None:
            chosen = own.get(spec.path, [])
        else:
            chosen = [t for t in combined if matches(t, selection)]
        for extension, render in FORMATS.items():
            yield f"{spec.path}.{extension}", render(in_window(chosen, spec, extension, now), spec)
    changes_spec = FeedSpec(
        path="changes",
        title="Talk changes",
        description=f"Talks new, moved or cancelled in the last {config.publish.changes_days} days",
        link=config.base_url or PROJECT_URL,
        base_url=config.base_url,
        cancel_prefix=config.publish.cancel_prefix,
        postpone_prefix=config.publish.postpone_prefix,
    )
    yield "changes.atom", render_changes(change_entries(changes, combined), changes_spec)
    yield "feeds.opml", render_opml([spec for spec, _ in specs], config.base_url)
    yield (
        "index.html",
        render_index([spec for spec, _ in specs], combined, now, changes=changes_spec),
    )
