"""What the output directory holds, and which talks go in each file.

- `all.*`: one entry per real talk (merged across sources), from the `published` table;
- `feeds/<name>.*`: the same talks through a named feed's filter;
- `sites/<source>.*`: each source's own records;
  (`*` is each of `FORMATS`: `.rss`, `.atom`, `.feed.json` and `.ics`)
- `changes.atom`: new, moved, cancelled and restored talks of the last days;
- `index.html`: upcoming talks and the subscribe links to all of the above;
- `talks/<site>/<key>.ics`: each talk the index page offers for a calendar, alone, with the
  VEVENT that `all.ics` holds;
- `feeds.opml`: the RSS feeds as one subscription list for feed readers.

RSS, Atom and JSON Feed hold talks from `rss_days_back` days ago onward, iCal from
`ical_days_back`, so a feed means the same thing in every format. Rendering is pure; writing is
`publish.py`'s job.

Self links (RSS and Atom `rel="self"`, JSON Feed `feed_url`) and webcal:// links need the
address the directory is served at: the config's `base_url`, or, for a server that knows its
own, `with_base_url`.
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
from urllib.parse import urlsplit

from aggregator.config import Config
from aggregator.model import Change, StoredTalk
from feeds import (
    FORMATS,
    ChangeEntry,
    FeedFilter,
    FeedSpec,
    calendar_talks,
    event_file,
    in_window,
    matches,
    render_changes,
    render_event,
    render_index,
    render_opml,
)
from feeds.spec import Bodies
from scrapers import SiteParser

__all__ = [
    "BASE_URL_NOTE",
    "PROJECT_URL",
    "Output",
    "change_entries",
    "feed_files",
    "feed_specs",
    "with_base_url",
]

PROJECT_URL = "https://github.com/talkfeed/talkfeed"
BASE_URL_NOTE = (
    'feeds have no self links: set base_url = "https://…/" in the config to where they are served'
)
"""What a run without a `base_url` says once in its log."""
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
    count = len(source_ids)
    # One short sentence, however many sources: their names are on the page and in the feeds.
    description = (
        "Every talk from the one source talkfeed reads."
        if count == 1
        else f"Every talk from all {count} sources, each listed once."
    )
    combined = FeedSpec(
        path="all",
        title="All talks",
        description=description,
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


def with_base_url(config: Config, url: str) -> Config:
    """`config` publishing as if its output directory were served at `url` (an http(s) URL),
    unless it names a `base_url` of its own, which wins.

    For a server that knows its own address (`talkfeed serve` with `--run-every`): the feeds
    then carry self links and the page webcal:// links. ValueError for any other URL.
    """
    if config.base_url is not None:
        return config
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"base URL must be an http(s) URL, got {url!r}")
    # A directory's URL: without the slash, relative links would resolve against its parent.
    return replace(config, base_url=url if url.endswith("/") else f"{url}/")


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
    made: datetime | None = None,
) -> Iterator[Output]:
    """Every output file, from the store's talks and changes, each rendered only when asked
    (one at a time, so only one is held in memory while it is written).

    `now` is the time the run is for; `made`, given only when that is not the clock's (a demo,
    `--now`), the clock's time, which the index page then names as its own beside "as of".

    The feeds and the talks' own calendar files carry fingerprints: the rendering code and
    library versions, the spec and format, and every field of every talk the file holds, in
    order. The index page and changes.atom depend on "now" in ways a fingerprint would have to
    copy, and are always rendered.
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

    def fingerprint(name: str, spec: FeedSpec, talks: Sequence[StoredTalk]) -> str:
        hashed = hashlib.blake2b(digest_size=16)
        hashed.update(_code_fingerprint())
        hashed.update(f"{name}\n{spec!r}\n".encode())
        for st in talks:
            hashed.update(digest(st))
        return hashed.hexdigest()

    # A talk's body is the same in every feed and format that shows it, and in the source's
    # feeds when its record is what the combined feeds show.
    bodies = Bodies(key=lambda st: (st.talk.id, digest(st)))
    for spec, selection in specs:
        if selection is None:
            chosen = own.get(spec.path, [])
        else:
            chosen = [t for t in combined if matches(t, selection)]
        for extension, render in FORMATS.items():
            talks = in_window(chosen, spec, extension, now)
            name = f"{spec.path}.{extension}"
            yield Output(name, partial(render, talks, spec, bodies), fingerprint(name, spec, talks))
    # The combined feed's spec: a talk's own file holds the VEVENT all.ics holds for it.
    combined_spec = specs[0][0]
    for st in calendar_talks(combined, now):
        name = event_file(st.talk.id)
        yield Output(
            name,
            partial(render_event, st, combined_spec, bodies),
            fingerprint(name, combined_spec, [st]),
        )
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
        "index.html",
        partial(render_index, all_specs, combined, now, changes=changes_spec, made=made),
    )


@cache
def _code_fingerprint() -> bytes:
    """What rendering depends on besides the data: our rendering code and the libraries'
    versions. Any change to them renders every file again."""
    digest = hashlib.blake2b(digest_size=16)
    here = Path(__file__).parent
    package = here.parent
    sources = [*(package.parent / "feeds").glob("*.py"), here / "outputs.py", package / "model.py"]
    for path in sorted(sources):
        digest.update(path.read_bytes())
    for library in _RENDERING_LIBRARIES:
        digest.update(f"{library} {metadata.version(library)}\n".encode())
    return digest.digest()
