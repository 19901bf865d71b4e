"""Feed entries rendered while the crawl goes on, by the parse workers it leaves idle.

Rendering a run's entries is most of what publishing costs, and a crawl that waits on its hosts'
delays leaves the parse workers idle most of the time. As each talk page is read, a worker
foresees the record the store will hold for the talk (`next_record`, the rules `upsert`
applies) and renders its entries, which the run keeps in the store under the names publishing
looks them up by. Those names stand for everything an entry shows, so a foreseen record that is
not the one stored (a talk merged with another source's, a draft a limit leaves out) costs only
the work: publishing does not find its entries and renders its own.

Nothing here may break a run: a talk that cannot be foreseen or rendered is left to
publishing, which renders it again and raises as it always would.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from datetime import datetime

from aggregator.config import Config
from aggregator.errors import OutputError
from aggregator.fetching.parsing import Parsers
from aggregator.model import StoredTalk
from aggregator.publishing.entries import render_entries
from aggregator.publishing.outputs import feed_specs
from aggregator.records.normalize import draft_fingerprint, draft_id, normalize
from aggregator.store.database import Recorded, Sighting, Store, next_record
from feeds import FORMATS, FeedSpec, window_start
from scrapers import SiteParser, TalkDraft

__all__ = ["Warmer", "rendered_entries"]

log = logging.getLogger(__name__)

BATCH = 32
"""Talks a worker renders at once: enough to spread the cost of a document's head, few enough
that a page to parse never waits long behind them."""
DRAINED = 64
"""Batches at most sent when the crawl ends (`Warmer.drain`). What they give waits in memory
until the run has stored and merged its talks, so a crawl that read many thousand talks at once
(a few large feeds) leaves the rest to publishing rather than hold all their entries."""


class Warmer:
    """Renders the entries of the talks a crawl finds (`found`) in `parsers`' workers, at most
    `slots` batches at a time while pages are still being parsed, and keeps them in `store` as
    a run publishing at `now` does."""

    def __init__(
        self, config: Config, store: Store, now: datetime, parsers: Parsers, slots: int
    ) -> None:
        specs = [spec for spec, _ in feed_specs(config, {}, [])]
        # Every feed's entries differ only in the prefixes, which all feeds take from the
        # config: the combined feed's spec renders them all.
        self._spec = specs[0]
        self._since = {ext: _oldest(specs, ext, now) for ext in FORMATS}
        self._store = store
        self._parsers = parsers
        self._now = now
        self._slots = slots
        self._busy = 0
        self._waiting: list[_Found] = []
        self._running: set[asyncio.Task[None]] = set()

    def found(self, site: SiteParser, draft: TalkDraft) -> None:
        """A draft the crawl read from a page of `site`: its entries are to be rendered.
        Only the store is read here; the rest of the work is the workers'."""
        try:
            recorded = self._store.recorded(draft_id(draft, site))
        except Exception:  # a draft the run will reject, or a bug the run will report
            log.debug("%s: not foreseen", draft.url, exc_info=True)
            return
        self._waiting.append((site, draft, recorded))
        self._next()

    async def drain(self) -> None:
        """Send what is still waiting to the workers at once, up to `DRAINED` batches: the
        crawl is over, and no page waits for them any more."""
        del self._waiting[DRAINED * BATCH :]
        self._slots = len(self._waiting) + self._busy
        self._next()
        # Each batch is sent when its task first runs.
        await asyncio.sleep(0)

    async def finish(self) -> None:
        """Wait for every batch sent, and keep what it gave."""
        while self._running:
            await asyncio.gather(*self._running)

    def _next(self) -> None:
        while self._waiting and self._busy < self._slots:
            batch, self._waiting = self._waiting[:BATCH], self._waiting[BATCH:]
            self._busy += 1
            task = asyncio.ensure_future(self._warm(batch))
            self._running.add(task)
            task.add_done_callback(self._running.discard)

    async def _warm(self, batch: list[_Found]) -> None:
        try:
            entries = await self._parsers.spare(
                rendered_entries, batch, self._spec, self._since, self._now
            )
            if entries:
                self._store.keep_entries(entries, self._now)
        except OutputError as exc:  # the store's trouble is the run's to report, when it writes
            log.debug("entries not kept: %s", exc)
        finally:
            self._busy -= 1
            self._next()


_Found = tuple[SiteParser, TalkDraft, Recorded | None]
"""A draft the crawl read, with its talk's record in the store, if there is one."""


def rendered_entries(
    batch: Sequence[_Found],
    spec: FeedSpec,
    since: Mapping[str, datetime | None],
    now: datetime,
) -> dict[str, str]:
    """The entries, by the names publishing keeps them under, of the records a run at `now`
    stores for `batch`'s drafts, in each format (`FORMATS`' keys) whose feeds start at or
    before them (`since`). A draft that cannot be foreseen, and a format whose rendering fails,
    are left out, for the run to normalize and publishing to render, and fail there."""
    foreseen = []
    for site, draft, recorded in batch:
        try:
            record = _foreseen(site, draft, recorded, now)
        except Exception:  # the run reviews the draft again, and reports what fails
            log.debug("%s: not foreseen", draft.url, exc_info=True)
            continue
        if record is not None:
            foreseen.append(record)
    jobs = [
        (st, [ext for ext, oldest in since.items() if oldest is None or st.talk.start >= oldest])
        for st in foreseen
    ]
    return render_entries(jobs, spec)


def _foreseen(
    site: SiteParser, draft: TalkDraft, recorded: Recorded | None, now: datetime
) -> StoredTalk | None:
    """The source record the run will store for `draft`, when it changes what is stored."""
    if not site.wants(draft):
        return None
    fingerprint = draft_fingerprint(draft, site)
    # The record is what this draft made: its entries were kept when it was stored.
    if recorded is not None and recorded.drafted == fingerprint:
        return None
    sighting = Sighting(normalize(draft, site), site.name, drafted=fingerprint)
    return next_record(sighting, recorded, now)


def _oldest(specs: Sequence[FeedSpec], ext: str, now: datetime) -> datetime | None:
    """The oldest start a feed in format `ext` holds at `now` (None: no limit)."""
    bounds = [window_start(spec, ext, now) for spec in specs]
    return None if None in bounds else min(bound for bound in bounds if bound is not None)
