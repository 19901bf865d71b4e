"""Feed entries: the names they are kept under between runs, and many of them rendered at once
in worker processes.

A run that renders thousands of entries (the first one, one after an upgrade of the rendering
code) spends most of its publishing on them, on one core. `Prerender` renders the combined
feeds' entries that the store does not keep in a pool of processes, one per core, before the
first of those feeds is assembled, and keeps them; assembling then finds them kept. They are
rendered by the same code under the same names as the run's own process would, so the files are
the same bytes (tests/aggregator/test_prerender.py). Nothing here may fail a run: what the pool
does not give, the run's process renders as before, and raises as it would.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from importlib import metadata
from pathlib import Path

from aggregator.model import StoredTalk
from aggregator.processes import new_pool, peak_rss
from aggregator.store.database import Store
from feeds import FORMATS, FeedSpec
from feeds.spec import Bodies, Kept, entry_kind, source_links

__all__ = [
    "Collected",
    "KeptEntries",
    "Prerender",
    "Workers",
    "code_fingerprint",
    "kept_bodies",
    "render_entries",
    "talk_digest",
]

log = logging.getLogger(__name__)

_RENDERING_LIBRARIES = ("feedgen", "icalendar", "lxml", "nh3", "pydantic", "tzdata")
"""Their versions are in every fingerprint. tzdata stands for the zone rules the VTIMEZONEs and
local times come from; a system zone database updated in place is not noticed."""
_UNSHOWN = frozenset({"last_seen", "change_count", "provenance"})
"""Fields of a stored talk that no file shows: every run updates `last_seen`, so fingerprints
that included it would never match (tests/aggregator/test_outputs.py checks they are unshown)."""


def talk_digest(st: StoredTalk) -> bytes:
    """A digest of everything of `st` that a file shows: equal digests, equal entries.

    The sources count as the files show them (`source_links`), so a source's record and the
    combined talk made of it alone, which lists that one source, give one digest, and their
    entries are rendered once for both feeds."""
    shown = st.model_copy(update={"sources": source_links(st)})
    data = shown.model_dump_json(exclude=set(_UNSHOWN))
    return hashlib.blake2b(data.encode(), digest_size=16).digest()


def kept_bodies(kept: Kept | None, digest: Callable[[StoredTalk], bytes] = talk_digest) -> Bodies:
    """The bodies a run's files are made with: entries named by each talk's id and `digest`
    (`talk_digest`, or a faster way to the same), and kept in `kept`."""
    return Bodies(key=lambda st: (st.talk.id, digest(st)), kept=kept, salt=code_fingerprint().hex())


@cache
def code_fingerprint() -> bytes:
    """What rendering depends on besides the data: our rendering code and the libraries'
    versions. Any change to them renders every file again."""
    digest = hashlib.blake2b(digest_size=16)
    here = Path(__file__).parent
    package = here.parent
    sources = [
        *(package.parent / "feeds").glob("*.py"),
        here / "outputs.py",
        here / "entries.py",
        package / "model.py",
    ]
    for path in sorted(sources):
        digest.update(path.read_bytes())
    for library in _RENDERING_LIBRARIES:
        digest.update(f"{library} {metadata.version(library)}\n".encode())
    return digest.digest()


class KeptEntries:
    """Feed entries kept in the store between runs (`feeds.spec.Kept`)."""

    def __init__(self, store: Store, now: datetime) -> None:
        self._store = store
        self._now = now

    def get_many(self, keys: Sequence[str]) -> dict[str, str]:
        return self._store.entries(keys, self._now)

    def present(self, keys: Sequence[str]) -> set[str]:
        """Those of `keys` that are kept, their text left unread."""
        return self._store.kept_entries(keys)

    def put_many(self, entries: Mapping[str, str]) -> None:
        self._store.keep_entries(entries, self._now)


class Collected:
    """Entries as `Bodies` keeps them, gathered in memory (to be sent back from a worker)."""

    def __init__(self) -> None:
        self.entries: dict[str, str] = {}

    def get_many(self, keys: Sequence[str]) -> dict[str, str]:
        return {key: self.entries[key] for key in keys if key in self.entries}

    def put_many(self, entries: Mapping[str, str]) -> None:
        self.entries.update(entries)


def render_entries(
    jobs: Sequence[tuple[StoredTalk, Sequence[str]]], spec: FeedSpec
) -> dict[str, str]:
    """The entries of each talk in each of its formats (`FORMATS`' keys), by the names a run
    keeps them under. A format whose rendering fails is left out, for publishing to render
    again and report."""
    collected = Collected()
    bodies = kept_bodies(collected)
    for ext, render in FORMATS.items():
        talks = [st for st, formats in jobs if ext in formats]
        if not talks:
            continue
        try:
            render(talks, spec, bodies)
        except Exception:  # publishing renders these again, and reports what fails
            log.debug("%s entries not rendered", ext, exc_info=True)
    return collected.entries


@dataclass
class Workers:
    """How many worker processes a run may use, and what those that rendered spent."""

    count: int
    cpu: float = 0.0
    """CPU seconds, which the run's process does not count."""
    rss: int = 0
    """Bytes: the highest peak resident set of one of them."""


MIN_ENTRIES = 1_000
"""Entries to render below which the run's own process renders them: starting a pool (about a
second) would cost more than it saves."""
BATCH = 128
"""Talks sent to a worker at once."""
QUEUED = 2
"""Batches waiting per worker, so that none idles while another is sent."""


class Prerender:
    """Renders, the first time it is called, the entries of the talks that `talks` gives, in
    each format of `since` (the oldest start its feeds show), that are not kept: in `workers`'
    processes, when there are at least two and `MIN_ENTRIES` to render, and keeps them."""

    def __init__(
        self,
        workers: Workers,
        kept: KeptEntries,
        bodies: Bodies,
        spec: FeedSpec,
        since: Mapping[str, datetime | None],
        talks: Callable[[], Sequence[StoredTalk]],
    ) -> None:
        self._workers = workers
        self._kept = kept
        self._bodies = bodies
        self._spec = spec
        self._since = since
        self._talks = talks
        self._done = False

    def __call__(self) -> None:
        if self._done or self._workers.count < 2:
            return
        self._done = True
        jobs = self._missing()
        if sum(len(formats) for _, formats in jobs) < MIN_ENTRIES:
            return
        try:
            pool = new_pool(self._workers.count, __name__)
        except (OSError, NotImplementedError) as exc:
            log.debug("entries rendered in-process: %s", exc)
            return
        try:
            self._render(pool.submit, jobs)
        except Exception as exc:  # a worker died, say: the run's process renders the rest
            log.debug("entries left to the run's process: %s", exc)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    def _missing(self) -> list[tuple[StoredTalk, list[str]]]:
        """Each talk with an entry not kept, and the formats it is missing in."""
        talks = self._talks()
        wanted: dict[int, tuple[StoredTalk, list[str]]] = {}
        for ext, since in self._since.items():
            kind = entry_kind(ext, self._spec)
            names = {
                self._bodies.name(kind, st): st
                for st in talks
                if since is None or st.talk.start >= since
            }
            kept = self._kept.present(list(names))
            for name, st in names.items():
                if name not in kept:
                    wanted.setdefault(id(st), (st, []))[1].append(ext)
        return list(wanted.values())

    def _render(
        self,
        submit: Callable[..., Future[tuple[dict[str, str], float, int]]],
        jobs: list[tuple[StoredTalk, list[str]]],
    ) -> None:
        batches = [jobs[start : start + BATCH] for start in range(0, len(jobs), BATCH)]
        batches.reverse()
        running: set[Future[tuple[dict[str, str], float, int]]] = set()
        while batches or running:
            while batches and len(running) < QUEUED * self._workers.count:
                running.add(submit(_rendered, batches.pop(), self._spec))
            done, running = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                entries, cpu, rss = future.result()
                self._workers.cpu += cpu
                self._workers.rss = max(self._workers.rss, rss)
                self._kept.put_many(entries)


def _rendered(
    jobs: Sequence[tuple[StoredTalk, Sequence[str]]], spec: FeedSpec
) -> tuple[dict[str, str], float, int]:
    began = time.process_time()
    entries = render_entries(jobs, spec)
    return entries, time.process_time() - began, peak_rss()
