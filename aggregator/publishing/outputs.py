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
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import partial
from typing import Literal
from urllib.parse import urlsplit

from aggregator.config import Config
from aggregator.model import Change, StoredTalk
from aggregator.publishing.entries import (
    KeptEntries,
    Prerender,
    Workers,
    code_fingerprint,
    kept_bodies,
    talk_digest,
)
from aggregator.store.database import Store
from feeds import (
    FORMATS,
    ChangeEntry,
    FeedFilter,
    FeedSpec,
    calendar_talks,
    event_file,
    matches,
    render_changes,
    render_event,
    render_index,
    render_opml,
    window_start,
)
from feeds.changes import CHANGES_ENTRIES, shown
from feeds.html import INDEX_TALKS
from feeds.spec import Bodies, Kept
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


class Holdings(ABC):
    """The talks and changes the files are made from, read only as far as some file that must
    be rendered needs them.

    A `token` stands for everything a set of talks shows: equal tokens, equal talks. None means
    the holdings have none, and a fingerprint is made from the talks themselves."""

    kept: Kept | None = None
    """Where entries are kept between runs, if anywhere."""

    @abstractmethod
    def combined(self, since: datetime | None) -> Sequence[StoredTalk]:
        """The combined feeds' talks that start at or after `since` (all, for None)."""

    @abstractmethod
    def own(self, source: str, since: datetime | None) -> Sequence[StoredTalk]:
        """A source's own records that start at or after `since` (all, for None)."""

    @abstractmethod
    def upcoming(self, now: datetime) -> Sequence[StoredTalk]:
        """The combined feeds' talks not over at `now` (and maybe others)."""

    @abstractmethod
    def token(self, scope: str, since: datetime | None) -> str | None:
        """A token for `combined(since)` (scope "published") or `own(source, since)` (scope
        "talks:<source>")."""

    @abstractmethod
    def calendar(self, now: datetime) -> list[tuple[StoredTalk | str, str | None]]:
        """`calendar_talks(now)`: each talk, or its id for `upcoming` to give, with its token."""

    @abstractmethod
    def changes(self, since: datetime) -> tuple[str | None, Callable[[], list[ChangeEntry]]]:
        """A token for the changes since `since` subscribers follow, and how to read them."""

    @abstractmethod
    def release(self) -> None:
        """Forget what was read for the files made so far: the files still to come are of
        other feeds."""

    def talk(self, talk_id: str, now: datetime) -> StoredTalk:
        """The combined talk `talk_id`, one of `upcoming(now)`."""
        if self._by_id is None:
            self._by_id = {st.talk.id: st for st in self.upcoming(now)}
        return self._by_id[talk_id]

    _by_id: dict[str, StoredTalk] | None = None


class InMemory(Holdings):
    """Holdings given whole: tokens are left to the talks' own digests."""

    def __init__(
        self,
        records: Sequence[StoredTalk],
        combined: Sequence[StoredTalk],
        changes: Sequence[Change],
    ) -> None:
        self._records = records
        self._combined = combined
        self._changes = changes
        self._own: dict[str, list[StoredTalk]] = {}
        for record in records:
            self._own.setdefault(record.talk.source, []).append(record)

    def combined(self, since: datetime | None) -> Sequence[StoredTalk]:
        return _since(self._combined, since)

    def own(self, source: str, since: datetime | None) -> Sequence[StoredTalk]:
        return _since(self._own.get(source, []), since)

    def upcoming(self, now: datetime) -> Sequence[StoredTalk]:
        return self._combined

    def release(self) -> None:
        """Nothing to forget: the talks were given whole."""

    def token(self, scope: str, since: datetime | None) -> str | None:
        return None

    def calendar(self, now: datetime) -> list[tuple[StoredTalk | str, str | None]]:
        return [(st, None) for st in calendar_talks(self._combined, now)]

    def changes(self, since: datetime) -> tuple[str | None, Callable[[], list[ChangeEntry]]]:
        return None, lambda: change_entries(self._changes, self._combined)


class Stored(Holdings):
    """Holdings read from the store when a file needs them, tokens made of its revisions: a
    run whose talks did not change reads none of them for feeds it need not render."""

    def __init__(self, store: Store, horizon: datetime | None, now: datetime) -> None:
        """`horizon`: the oldest start any window reaches (None: no window has a start)."""
        self.kept = KeptEntries(store, now)
        self._store = store
        self._horizon = horizon
        self._identity = store.identity()
        self._loaded: dict[str, Sequence[StoredTalk]] = {}

    def combined(self, since: datetime | None) -> Sequence[StoredTalk]:
        if "published" not in self._loaded:
            self._loaded["published"] = self._store.published(since=self._horizon)
        return _since(self._loaded["published"], since)

    def own(self, source: str, since: datetime | None) -> Sequence[StoredTalk]:
        scope = f"talks:{source}"
        if scope not in self._loaded:
            self._loaded[scope] = self._store.talks(source, since=self._horizon)
        return _since(self._loaded[scope], since)

    def upcoming(self, now: datetime) -> Sequence[StoredTalk]:
        if "upcoming" not in self._loaded:
            self._loaded["upcoming"] = self._store.published(ending=now, limit=INDEX_TALKS + 1)
        return self._loaded["upcoming"]

    def release(self) -> None:
        # A source's records serve that source's own feeds, which come one after the other;
        # the combined feeds' talks serve every filtered feed.
        self._loaded = {
            scope: talks for scope, talks in self._loaded.items() if scope in _SHARED_SCOPES
        }

    def token(self, scope: str, since: datetime | None) -> str | None:
        bound = "all" if since is None else since.isoformat()
        return f"{self._identity} {scope} {self._store.revision(scope)} {bound}"

    def calendar(self, now: datetime) -> list[tuple[StoredTalk | str, str | None]]:
        return [
            (talk_id, f"{self._identity} {version}")
            for talk_id, version in self._store.versions(now, INDEX_TALKS)
        ]

    def changes(self, since: datetime) -> tuple[str | None, Callable[[], list[ChangeEntry]]]:
        span = self._store.change_span(since, "published")
        token = f"{self._identity} {self._store.revision('published')} {span}"

        def read() -> list[ChangeEntry]:
            changes = self._store.feed_changes(since, _CHANGE_KINDS, CHANGES_ENTRIES)
            # A first run's cut holds every talk: only the talks of the entries shown are read.
            chosen = shown(
                changes,
                lambda change: (change.run_at, change.talk_id, _CHANGE_KINDS[change.kind]),
            )
            talks = self._store.published(ids={change.talk_id for change in chosen})
            return change_entries(chosen, talks)

        return token, read


_SHARED_SCOPES = frozenset({"published", "upcoming"})


def _since(talks: Sequence[StoredTalk], since: datetime | None) -> Sequence[StoredTalk]:
    return talks if since is None else [st for st in talks if st.talk.start >= since]


def horizon(config: Config, now: datetime) -> datetime | None:
    """The oldest start any feed's window reaches at `now`; None when one has no limit."""
    specs = [spec for spec, _ in feed_specs(config, {}, [])]
    bounds = [window_start(spec, fmt, now) for spec in specs for fmt in FORMATS]
    return None if None in bounds else min(bound for bound in bounds if bound is not None)


def feed_files(
    config: Config,
    sites: Mapping[str, SiteParser],
    records: Sequence[StoredTalk],
    combined: Sequence[StoredTalk],
    changes: Sequence[Change],
    now: datetime,
    made: datetime | None = None,
) -> Iterator[Output]:
    """Every output file of these talks and changes (see `holdings_files`)."""
    return holdings_files(config, sites, InMemory(records, combined, changes), now, made)


def holdings_files(
    config: Config,
    sites: Mapping[str, SiteParser],
    holdings: Holdings,
    now: datetime,
    made: datetime | None = None,
    workers: Workers | None = None,
) -> Iterator[Output]:
    """Every output file, each rendered only when asked (one at a time, so only one is held in
    memory while it is written), reading from `holdings` only what that needs. With `workers`
    and kept entries, the combined feeds' entries that are not kept are rendered in worker
    processes before the first of those feeds (`Prerender`).

    `now` is the time the run is for; `made`, given only when that is not the clock's (a demo,
    `--now`), the clock's time, which the index page then names as its own beside "as of".

    Every file but the index page carries a fingerprint: the rendering code and library
    versions, the spec and format, and the holdings' token for what it shows, or, without one,
    every field of every talk the file holds, in order. The index page depends on "now" in ways
    a fingerprint would have to copy, and is always rendered.
    """
    source_ids = sorted({source.site for source in config.sources})
    specs = feed_specs(config, sites, source_ids)
    # By identity, as a talk object appears in several feeds; each held with its digest, so
    # that no other object can take its id while the digest is kept.
    digests: dict[int, tuple[StoredTalk, bytes]] = {}

    def digest(st: StoredTalk) -> bytes:
        held = digests.get(id(st))
        if held is None or held[0] is not st:
            held = digests[id(st)] = (st, talk_digest(st))
        return held[1]

    def fingerprint(
        name: str, what: str, token: str | None, talks: Callable[[], Iterable[StoredTalk]]
    ) -> str:
        hashed = hashlib.blake2b(digest_size=16)
        hashed.update(code_fingerprint())
        hashed.update(f"{name}\n{what}\n".encode())
        if token is not None:
            hashed.update(token.encode())
        else:
            for st in talks():
                hashed.update(digest(st))
        return hashed.hexdigest()

    # A talk's body and entries are the same in every feed that shows it, and in the source's
    # feeds when its record is what the combined feeds show; kept, they serve later runs.
    bodies = kept_bodies(holdings.kept, digest)
    combined_spec = specs[0][0]
    before: Callable[[], None] = _nothing
    if workers is not None and isinstance(holdings.kept, KeptEntries):
        starts = {ext: window_start(combined_spec, ext, now) for ext in FORMATS}
        oldest = None if None in starts.values() else min(b for b in starts.values() if b)
        talks = partial(holdings.combined, oldest)
        before = Prerender(workers, holdings.kept, bodies, combined_spec, starts, talks)
    for spec, selection in specs:
        # The consumer renders each file before it asks for the next: this feed's files need
        # nothing the previous feed's read, save the combined talks.
        holdings.release()
        digests.clear()
        for extension, render in FORMATS.items():
            since = window_start(spec, extension, now)
            chosen: Callable[[], Sequence[StoredTalk]]
            if selection is None:
                scope = f"talks:{spec.path.removeprefix('sites/')}"
                chosen = partial(holdings.own, spec.path.removeprefix("sites/"), since)
            else:
                scope = "published"
                chosen = partial(_chosen, holdings, since, selection)
            name = f"{spec.path}.{extension}"
            yield Output(
                name,
                partial(_rendered, render, chosen, spec, bodies, before),
                fingerprint(name, f"{spec!r}\n{selection!r}", holdings.token(scope, since), chosen),
            )
    # The combined feed's spec: a talk's own file holds the VEVENT all.ics holds for it.
    for talk, token in holdings.calendar(now):
        talk_id = talk if isinstance(talk, str) else talk.talk.id
        name = event_file(talk_id)
        one = partial(_one, holdings, now, talk)
        yield Output(
            name,
            partial(_rendered_event, one, combined_spec, bodies),
            fingerprint(name, repr(combined_spec), token, partial(_alone, one)),
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
    token, entries = holdings.changes(now - timedelta(days=config.publish.changes_days))
    yield Output(
        "changes.atom",
        lambda: render_changes(entries(), changes_spec),
        None if token is None else fingerprint("changes.atom", repr(changes_spec), token, list),
    )
    all_specs = [spec for spec, _ in specs]
    yield Output(
        "feeds.opml",
        partial(render_opml, all_specs, config.base_url),
        fingerprint("feeds.opml", f"{all_specs!r}\n{config.base_url!r}", "", list),
    )
    yield Output(
        "index.html",
        lambda: render_index(
            all_specs, holdings.upcoming(now), now, changes=changes_spec, made=made
        ),
    )


def _chosen(holdings: Holdings, since: datetime | None, selection: FeedFilter) -> list[StoredTalk]:
    return [st for st in holdings.combined(since) if matches(st, selection)]


def _rendered(
    render: Callable[[Sequence[StoredTalk], FeedSpec, Bodies], bytes],
    chosen: Callable[[], Sequence[StoredTalk]],
    spec: FeedSpec,
    bodies: Bodies,
    before: Callable[[], None],
) -> bytes:
    before()
    return render(chosen(), spec, bodies)


def _nothing() -> None:
    """Nothing to do before a file is rendered."""


def _one(holdings: Holdings, now: datetime, talk: StoredTalk | str) -> StoredTalk:
    return talk if isinstance(talk, StoredTalk) else holdings.talk(talk, now)


def _alone(one: Callable[[], StoredTalk]) -> list[StoredTalk]:
    return [one()]


def _rendered_event(one: Callable[[], StoredTalk], spec: FeedSpec, bodies: Bodies) -> bytes:
    return render_event(one(), spec, bodies)
