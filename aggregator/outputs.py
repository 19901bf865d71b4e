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

import hashlib
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cache, partial
from importlib import metadata
from pathlib import Path
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

__all__ = ["PROJECT_URL", "Output", "change_entries", "feed_files", "feed_specs"]

PROJECT_URL = "https://github.com/talkfeed/talkfeed"
_CHANGE_KINDS: dict[str, Literal["new", "moved", "cancelled", "restored"]] = {
    "new": "new",
    "moved": "moved",
    "cancelled": "cancelled",
    "restored": "restored",
}
"""The kinds of change a subscriber follows (a retyped abstract is not news)."""
_RENDERING_LIBRARIES = ("feedgen", "icalendar", "lxml", "nh3", "pydantic", "tzdata")
"""Their versions are in every fingerprint. tzdata stands for the zone rules the VTIMEZONEs and
local times come from; a system zone database updated in place is not noticed."""
_UNSHOWN = frozenset({"last_seen", "change_count"})
"""Fields of a stored talk that no file shows: every run updates `last_seen`, so fingerprints
that included it would never match (tests/aggregator/test_outputs.py checks they are unshown)."""


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


@dataclass(frozen=True)
class Output:
    """One output file: its name, how to render it, and a fingerprint of everything its bytes
    depend on (None: rendered every run), so that a file whose inputs did not change since it
    was written need not be rendered again."""

    name: str
    render: Callable[[], bytes]
    fingerprint: str | None = None


def feed_files(
    config: Config,
    sites: Mapping[str, SiteParser],
    records: Sequence[StoredTalk],
    combined: Sequence[StoredTalk],
    changes: Sequence[Change],
    now: datetime,
) -> Iterator[Output]:
    """Every output file, from the store's talks and changes, each rendered only when asked
    (one at a time, so only one is held in memory while it is written).

    The feeds carry fingerprints: the rendering code and library versions, the feed's spec and
    format, and every field of every talk it holds, in order. The index page and changes.atom
    depend on "now" in ways a fingerprint would have to copy, and are always rendered.
    """
    source_ids = sorted({source.site for source in config.sources})
    specs = feed_specs(config, sites, source_ids)
    own: dict[str, list[StoredTalk]] = {}
    for record in records:
        own.setdefault(f"sites/{record.talk.source}", []).append(record)
    digests: dict[int, bytes] = {}

    def digest(st: StoredTalk) -> bytes:
        # By identity: every talk is alive for the whole call, and appears in several feeds.
        key = id(st)
        if key not in digests:
            data = st.model_dump_json(exclude=set(_UNSHOWN))
            digests[key] = hashlib.blake2b(data.encode(), digest_size=16).digest()
        return digests[key]

    for spec, selection in specs:
        if selection is None:
            chosen = own.get(spec.path, [])
        else:
            chosen = [t for t in combined if matches(t, selection)]
        for extension, render in FORMATS.items():
            talks = in_window(chosen, spec, extension, now)
            name = f"{spec.path}.{extension}"
            fingerprint = hashlib.blake2b(digest_size=16)
            fingerprint.update(_code_fingerprint())
            fingerprint.update(f"{name}\n{spec!r}\n".encode())
            for st in talks:
                fingerprint.update(digest(st))
            yield Output(name, partial(render, talks, spec), fingerprint.hexdigest())
    changes_spec = FeedSpec(
        path="changes",
        title="Talk changes",
        description=f"Talks new, moved or cancelled in the last {config.publish.changes_days} days",
        link=config.base_url or PROJECT_URL,
        base_url=config.base_url,
        cancel_prefix=config.publish.cancel_prefix,
        postpone_prefix=config.publish.postpone_prefix,
    )
    entries = change_entries(changes, combined)
    yield Output("changes.atom", partial(render_changes, entries, changes_spec))
    all_specs = [spec for spec, _ in specs]
    yield Output("feeds.opml", partial(render_opml, all_specs, config.base_url))
    yield Output(
        "index.html", partial(render_index, all_specs, combined, now, changes=changes_spec)
    )


@cache
def _code_fingerprint() -> bytes:
    """What rendering depends on besides the data: our rendering code and the libraries'
    versions. Any change to them renders every file again."""
    digest = hashlib.blake2b(digest_size=16)
    here = Path(__file__).parent
    sources = [*(here.parent / "feeds").glob("*.py"), here / "outputs.py", here / "model.py"]
    for path in sorted(sources):
        digest.update(path.read_bytes())
    for library in _RENDERING_LIBRARIES:
        digest.update(f"{library} {metadata.version(library)}\n".encode())
    return digest.digest()
