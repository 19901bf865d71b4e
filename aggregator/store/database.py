"""The SQLite store: every talk ever seen, with its history.

- `talks`: each source's own record of each talk, with when it was first seen, last seen and
  last changed, a change counter, its iCal SEQUENCE, and how many runs in a row it was missing.
- `published`: what the combined feeds show, one row per real talk (talks merged across
  sources), with its own timestamps and SEQUENCE, so that merging never resets them.
- `changes`: every change to either, with the old and new value and the run's time.
- `runs`: one report per run.

A talk that is no longer listed stays; nothing is ever deleted. Each method's writes happen in
one transaction, so a crash leaves the store as it was before that step.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import uuid
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal, NamedTuple

from aggregator.bulk import cycle_collection_paused
from aggregator.errors import OutputError
from aggregator.model import SEQUENCE_FIELDS, STORED, Change, SourceLink, Status, StoredTalk, Talk

__all__ = [
    "Group",
    "Published",
    "Recorded",
    "SeenAgain",
    "Sighting",
    "Store",
    "UpsertResult",
    "group_name",
    "next_record",
]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS talks (
    id TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    source_name TEXT NOT NULL,
    record TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    last_changed TEXT NOT NULL,
    change_count INTEGER NOT NULL DEFAULT 0,
    sequence INTEGER NOT NULL DEFAULT 0,
    moved_from TEXT
);
CREATE INDEX IF NOT EXISTS talks_source ON talks (source);
CREATE TABLE IF NOT EXISTS sightings (
    id TEXT PRIMARY KEY,
    last_seen TEXT NOT NULL,
    missed_runs INTEGER NOT NULL DEFAULT 0,
    drafted TEXT
);
CREATE TABLE IF NOT EXISTS published (
    id TEXT PRIMARY KEY,
    record TEXT NOT NULL,
    sources TEXT NOT NULL,
    provenance TEXT NOT NULL,
    members TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    last_changed TEXT NOT NULL,
    change_count INTEGER NOT NULL DEFAULT 0,
    sequence INTEGER NOT NULL DEFAULT 0,
    moved_from TEXT
);
CREATE TABLE IF NOT EXISTS changes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    scope TEXT NOT NULL,
    talk_id TEXT NOT NULL,
    run_at TEXT NOT NULL,
    kind TEXT NOT NULL,
    field TEXT,
    old TEXT,
    new TEXT
);
CREATE INDEX IF NOT EXISTS changes_talk ON changes (talk_id);
CREATE INDEX IF NOT EXISTS changes_run ON changes (run_at);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    started TEXT NOT NULL,
    finished TEXT NOT NULL,
    exit_code INTEGER NOT NULL,
    report TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS revisions (
    scope TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS entries (
    key TEXT PRIMARY KEY,
    text TEXT NOT NULL,
    used TEXT NOT NULL
);
-- Each feed rendered forgets old entries: without it, a scan of every entry each time.
CREATE INDEX IF NOT EXISTS entries_used ON entries (used);
-- Talks a source gave exactly as in its last run, seen together (`Store.upsert`): one row says
-- when they were last seen, instead of a write to each talk's sightings row every run.
CREATE TABLE IF NOT EXISTS seen_groups (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    source TEXT NOT NULL UNIQUE,
    digest TEXT NOT NULL,
    size INTEGER NOT NULL,
    seen_at TEXT NOT NULL
);
-- What a run needs of a source's past runs, kept apart from the run reports: those grow with
-- every run, and reading them for each source would cost more every hour.
CREATE TABLE IF NOT EXISTS source_runs (
    source TEXT PRIMARY KEY,
    reports TEXT NOT NULL,
    last_success TEXT
);
"""
# Revisions count writes that change what some file shows, whatever method made them: "published"
# for the combined feeds, "talks:<source>" for a source's own. A published row's `version` is the
# revision that last changed it. Fields no file shows (change_count; and `sightings`) are left
# out, so a run that only sees its talks again moves no revision. "talks" counts the same writes
# of every source, and a record's `version` is the one that last changed it: what a merge must
# read again since the last (`Store.changed_talks`). "talks forgotten" counts records deleted.
_TRIGGERS = """
CREATE TRIGGER IF NOT EXISTS talks_added AFTER INSERT ON talks BEGIN
    INSERT INTO revisions VALUES ('talks:' || NEW.source, 1)
        ON CONFLICT (scope) DO UPDATE SET value = value + 1;
END;
CREATE TRIGGER IF NOT EXISTS talks_changed AFTER UPDATE ON talks
WHEN OLD.record IS NOT NEW.record OR OLD.source_name IS NOT NEW.source_name
    OR OLD.first_seen IS NOT NEW.first_seen OR OLD.last_changed IS NOT NEW.last_changed
    OR OLD.sequence IS NOT NEW.sequence OR OLD.moved_from IS NOT NEW.moved_from
    OR OLD.source IS NOT NEW.source
BEGIN
    INSERT INTO revisions SELECT 'talks:' || OLD.source, 1 WHERE OLD.source IS NOT NEW.source
        ON CONFLICT (scope) DO UPDATE SET value = value + 1;
    INSERT INTO revisions VALUES ('talks:' || NEW.source, 1)
        ON CONFLICT (scope) DO UPDATE SET value = value + 1;
END;
CREATE TRIGGER IF NOT EXISTS talks_removed AFTER DELETE ON talks BEGIN
    INSERT INTO revisions VALUES ('talks:' || OLD.source, 1)
        ON CONFLICT (scope) DO UPDATE SET value = value + 1;
END;
CREATE TRIGGER IF NOT EXISTS published_added AFTER INSERT ON published BEGIN
    INSERT INTO revisions VALUES ('published', 1)
        ON CONFLICT (scope) DO UPDATE SET value = value + 1;
    UPDATE published SET version = (SELECT value FROM revisions WHERE scope = 'published')
        WHERE id = NEW.id;
END;
CREATE TRIGGER IF NOT EXISTS published_changed AFTER UPDATE ON published
WHEN OLD.record IS NOT NEW.record OR OLD.sources IS NOT NEW.sources
    OR OLD.provenance IS NOT NEW.provenance OR OLD.first_seen IS NOT NEW.first_seen
    OR OLD.last_changed IS NOT NEW.last_changed OR OLD.sequence IS NOT NEW.sequence
    OR OLD.moved_from IS NOT NEW.moved_from
BEGIN
    INSERT INTO revisions VALUES ('published', 1)
        ON CONFLICT (scope) DO UPDATE SET value = value + 1;
    UPDATE published SET version = (SELECT value FROM revisions WHERE scope = 'published')
        WHERE id = NEW.id;
END;
CREATE TRIGGER IF NOT EXISTS published_removed AFTER DELETE ON published BEGIN
    INSERT INTO revisions VALUES ('published', 1)
        ON CONFLICT (scope) DO UPDATE SET value = value + 1;
END;
CREATE TRIGGER IF NOT EXISTS talks_versioned AFTER INSERT ON talks BEGIN
    INSERT INTO revisions VALUES ('talks', 1) ON CONFLICT (scope) DO UPDATE SET value = value + 1;
    UPDATE talks SET version = (SELECT value FROM revisions WHERE scope = 'talks')
        WHERE id = NEW.id;
END;
CREATE TRIGGER IF NOT EXISTS talks_reversioned AFTER UPDATE ON talks
WHEN OLD.record IS NOT NEW.record OR OLD.source_name IS NOT NEW.source_name
    OR OLD.first_seen IS NOT NEW.first_seen OR OLD.last_changed IS NOT NEW.last_changed
    OR OLD.sequence IS NOT NEW.sequence OR OLD.moved_from IS NOT NEW.moved_from
    OR OLD.source IS NOT NEW.source
BEGIN
    INSERT INTO revisions VALUES ('talks', 1) ON CONFLICT (scope) DO UPDATE SET value = value + 1;
    UPDATE talks SET version = (SELECT value FROM revisions WHERE scope = 'talks')
        WHERE id = NEW.id;
END;
CREATE TRIGGER IF NOT EXISTS talks_forgotten AFTER DELETE ON talks BEGIN
    INSERT INTO revisions VALUES ('talks forgotten', 1)
        ON CONFLICT (scope) DO UPDATE SET value = value + 1;
END;
CREATE INDEX IF NOT EXISTS sightings_group ON sightings (seen_with);
-- A group holds talks as drafted (`Store.seen_whole`): a talk whose record or draft changed,
-- whatever wrote it, leaves its group, and what the group said of it becomes its own.
CREATE TRIGGER IF NOT EXISTS sightings_redrafted AFTER UPDATE OF drafted ON sightings
WHEN OLD.drafted IS NOT NEW.drafted AND NEW.seen_with IS NOT NULL
    AND OLD.seen_with IS NEW.seen_with
BEGIN
    UPDATE sightings SET last_seen = coalesce(
        (SELECT seen_at FROM seen_groups WHERE id = NEW.seen_with), last_seen
    ), seen_with = NULL WHERE id = NEW.id;
END;
CREATE TRIGGER IF NOT EXISTS talks_rewritten AFTER UPDATE OF record ON talks
WHEN OLD.record IS NOT NEW.record
BEGIN
    UPDATE sightings SET last_seen = coalesce(
        (SELECT seen_at FROM seen_groups WHERE id = sightings.seen_with), last_seen
    ), seen_with = NULL WHERE id = NEW.id AND seen_with IS NOT NULL;
END;
CREATE INDEX IF NOT EXISTS talks_starts ON talks (starts);
CREATE INDEX IF NOT EXISTS talks_version ON talks (version);
CREATE INDEX IF NOT EXISTS published_starts ON published (starts);
CREATE INDEX IF NOT EXISTS published_ends ON published (ends);
"""
ENTRIES_KEPT_DAYS = 30
"""Days a kept feed entry lasts unused: a feed that did not change for longer renders its
entries again when it does."""
# Columns added since the first release, for stores that an older talkfeed created.
_ADDED_COLUMNS = {
    "talks": {
        "moved_from": "TEXT",
        "starts": "TEXT",
        "ends": "TEXT",
        "version": "INTEGER NOT NULL DEFAULT 0",
    },
    "sightings": {"seen_with": "INTEGER"},
    "published": {
        "starts": "TEXT",
        "ends": "TEXT",
        "status": "TEXT",
        "version": "INTEGER NOT NULL DEFAULT 0",
    },
}
_Note = tuple[str, str | None, str | None, str | None]
_NEW: _Note = ("new", None, None, None)
_ADDED_BATCH = 1024
"""New combined talks written at once by `Store.publish`: few enough to hold their JSON."""
"""A change as stored: kind, field, old value as JSON, new value as JSON."""
_OPTIONAL_FIELDS = (
    "url", "title", "speakers", "end", "location", "host", "abstract", "bio", "notes",
)  # fmt: skip
_CALLED_OFF = (Status.CANCELLED, Status.POSTPONED)
_TALK_COLUMNS = (
    "record, source_name, first_seen, coalesce(seen_groups.seen_at, sightings.last_seen),"
    " last_changed, change_count, sequence, moved_from"
)
_TALKS = (
    "talks JOIN sightings USING (id) LEFT JOIN seen_groups ON seen_groups.id = sightings.seen_with"
)

Scope = Literal["source", "published"]
# A source entry of a stored run report (see pipeline.SourceReport) for a source read in full.
_READ_OK = (
    "json_extract(entry.value, '$.failed') = 0 AND json_array_length(entry.value, '$.errors') = 0"
)
SOURCE_REPORTS_KEPT = 10
"""A source's entries of the runs that read it in full that the store keeps at hand
(`Store.source_reports`)."""
_SOURCE_RUNS_FILLED = "source_runs filled"
_PUBLISHED_AT = "published at"
"""The meta key of when the last merge was published: every combined talk's `last_seen`."""


@dataclass(frozen=True)
class Sighting:
    """A talk found by this run. `partial` means only its listing was read (the detail page
    failed), so fields it lacks are kept from the stored record instead of being erased."""

    talk: Talk
    source_name: str
    partial: bool = False
    drafted: str | None = None
    """The fingerprint of the draft the talk was normalized from (`normalize.draft_fingerprint`),
    kept with a whole record so that the same draft next run need not be normalized again."""


@dataclass(frozen=True)
class SeenAgain:
    """Talks of one source found by this run as their stored records were drafted
    (`Store.drafted`): only their sightings are recorded, as for talks found unchanged. One
    object for all of them, as a source of many thousand talks finds most of them so."""

    source: str
    source_name: str
    talks: Sequence[Sequence[str]]
    """(talk id, fingerprint of the draft) of each talk."""
    group: str | None = None
    """Given when these are all the talks the source gave this run: their `group_name`. The
    store then keeps them as a group, and a later run that gives exactly them again writes one
    row (`Store.seen_whole`)."""


@dataclass(frozen=True)
class Group:
    """All the talks a source gave in a run, to be kept as its group (`Store.upsert`)."""

    source: str
    talks: Sequence[Sequence[str]]
    """(talk id, fingerprint of the draft) of each talk."""
    name: str
    """`group_name(talks)`."""


class Recorded(NamedTuple):
    """A talk's stored record as `next_record` reads it."""

    record: str
    first_seen: str
    change_count: int
    sequence: int
    moved_from: str | None
    drafted: str | None
    """The fingerprint of the draft that gives the record as it is (`Store.drafted`), if any."""


@dataclass(frozen=True)
class UpsertResult:
    """Counts of what one upsert did, and the sightings it could not store."""

    new: int = 0
    changed: int = 0
    unchanged: int = 0
    rejected: tuple[tuple[Sighting, str], ...] = ()
    """Each talk that has no JSON form (a lone surrogate in its text), with why: left out so
    that the others are stored."""


@dataclass(frozen=True)
class Published:
    """One real talk for the combined feeds: the merged record and what it was merged from."""

    talk: Talk
    members: tuple[str, ...]
    sources: tuple[SourceLink, ...]
    provenance: dict[str, str]


class Store:
    """A talkfeed database file; created (or brought up to date) on first use."""

    def __init__(self, path: Path) -> None:
        """Open (or create) the store; OutputError when the file is unusable."""
        self._path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise OutputError(str(path), f"cannot open the store: {exc}") from None
        try:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.executescript(_SCHEMA)
            self._add_missing_columns()
            self._move_sightings()
            self._db.executescript(_TRIGGERS)
            self._fill_spans()
            self._fill_source_runs()
        except sqlite3.Error as exc:
            self._db.close()
            raise OutputError(str(path), f"not a usable talkfeed store: {exc}") from None

    def _add_missing_columns(self) -> None:
        for table, columns in _ADDED_COLUMNS.items():
            present = {row[1] for row in self._db.execute(f"PRAGMA table_info({table})")}
            for name, declaration in columns.items():
                if name not in present:
                    self._db.execute(f"ALTER TABLE {table} ADD COLUMN {name} {declaration}")

    def _move_sightings(self) -> None:
        """Move what every run writes of a talk (when it was last seen, runs missed, the
        draft it was made from) out of `talks` into `sightings`, where a run that finds its
        talks as they were rewrites a few bytes a talk rather than each whole record."""
        present = {row[1] for row in self._db.execute("PRAGMA table_info(talks)")}
        if "last_seen" not in present:
            return
        missed = "missed_runs" if "missed_runs" in present else "0"
        drafted = "drafted" if "drafted" in present else "NULL"
        self._db.execute("BEGIN IMMEDIATE")
        self._db.execute(
            "INSERT OR REPLACE INTO sightings (id, last_seen, missed_runs, drafted)"
            f" SELECT id, last_seen, {missed}, {drafted} FROM talks"
        )
        for column in ("last_seen", "missed_runs", "drafted"):
            if column in present:
                self._db.execute(f"ALTER TABLE talks DROP COLUMN {column}")
        self._db.execute("COMMIT")

    def _fill_spans(self) -> None:
        """Give rows written by a talkfeed that kept no start and end columns theirs, once."""
        for table in ("talks", "published"):
            rows = self._db.execute(
                f"SELECT id, record FROM {table} WHERE starts IS NULL"
            ).fetchall()
            if not rows:
                continue
            self._db.execute("BEGIN IMMEDIATE")
            for talk_id, record in rows:
                talk = Talk.model_validate_json(record, context=STORED)
                columns = "starts = ?, ends = ?" + (", status = ?" if table == "published" else "")
                values = _span(talk) + ((talk.status.value,) if table == "published" else ())
                self._db.execute(f"UPDATE {table} SET {columns} WHERE id = ?", (*values, talk_id))
            self._db.execute("COMMIT")
        if self._db.execute("SELECT 1 FROM meta WHERE key = 'store'").fetchone() is None:
            # Revisions restart with a new store: this tells them apart from an old store's.
            self._db.execute("INSERT INTO meta VALUES ('store', ?)", (uuid.uuid4().hex,))

    def _fill_source_runs(self) -> None:
        """Give a store that kept only run reports its `source_runs`, once."""
        if self.note(_SOURCE_RUNS_FILLED) is not None:
            return
        self._db.execute("BEGIN IMMEDIATE")
        sources = self._db.execute(
            "SELECT DISTINCT json_extract(entry.value, '$.site')"
            " FROM runs, json_each(runs.report, '$.sources') AS entry"
        ).fetchall()
        for (source,) in sources:
            reports = self._db.execute(
                "SELECT entry.value FROM runs, json_each(runs.report, '$.sources') AS entry"
                f" WHERE json_extract(entry.value, '$.site') = ? AND {_READ_OK}"
                " ORDER BY runs.id DESC LIMIT ?",
                (source, SOURCE_REPORTS_KEPT),
            ).fetchall()
            success = self._db.execute(
                "SELECT runs.started FROM runs, json_each(runs.report, '$.sources') AS entry"
                f" WHERE json_extract(entry.value, '$.site') = ? AND {_READ_OK}"
                " AND coalesce(json_array_length(entry.value, '$.health.flags'), 0) = 0"
                " ORDER BY runs.id DESC LIMIT 1",
                (source,),
            ).fetchone()
            self._db.execute(
                "INSERT OR REPLACE INTO source_runs VALUES (?, ?, ?)",
                (
                    source,
                    json.dumps([json.loads(value) for (value,) in reports]),
                    success[0] if success else None,
                ),
            )
        self._db.execute("INSERT INTO meta VALUES (?, '')", (_SOURCE_RUNS_FILLED,))
        self._db.execute("COMMIT")

    def identity(self) -> str:
        """A name for this store file, made when it was created: revisions are its own."""
        return str(self._db.execute("SELECT value FROM meta WHERE key = 'store'").fetchone()[0])

    def revision(self, scope: str) -> int:
        """How many writes changed what the files of `scope` show ("published", or
        "talks:<source>"), or any source's records ("talks"), or deleted records ("talks
        forgotten"); 0 before the first."""
        row = self._db.execute("SELECT value FROM revisions WHERE scope = ?", (scope,)).fetchone()
        return int(row[0]) if row else 0

    def note(self, key: str) -> str | None:
        """A value the pipeline keeps between runs (see `keep`)."""
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def keep(self, key: str, value: str) -> None:
        """Keep `value` under `key` for later runs: what saves a run work it could do again,
        so it is written without waiting for the disk (see `_unsynced`)."""
        with self._unsynced(), self._transaction():
            self._db.execute(
                "INSERT INTO meta VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = ?",
                (key, value, value),
            )

    def entries(self, keys: Sequence[str], now: datetime) -> dict[str, str]:
        """The feed entries kept under these keys (see `keep_entries`); each is marked as used
        at `now`, once a day at most, so that a run whose entries were used today writes
        nothing."""
        rows = self._db.execute(
            "SELECT key, text, used FROM entries WHERE key IN (SELECT value FROM json_each(?))",
            (json.dumps(list(keys)),),
        ).fetchall()
        cutoff = _utc(now - timedelta(days=1))
        stale = [key for key, _, used in rows if used < cutoff]
        if stale:
            with self._unsynced(), self._transaction():
                self._db.execute(
                    "UPDATE entries SET used = ? WHERE key IN (SELECT value FROM json_each(?))",
                    (_utc(now), json.dumps(stale)),
                )
        return {key: text for key, text, _ in rows}

    def kept_entries(self, keys: Sequence[str]) -> set[str]:
        """Those of `keys` under which an entry is kept (see `keep_entries`)."""
        rows = self._db.execute(
            "SELECT key FROM entries WHERE key IN (SELECT value FROM json_each(?))",
            (json.dumps(list(keys)),),
        )
        return {key for (key,) in rows}

    def keep_entries(self, entries: Mapping[str, str], now: datetime) -> None:
        """Keep feed entries as rendered, by a key that stands for all they show, so that a
        later run assembles a feed from them instead of rendering each entry again."""
        if not entries:
            return
        with self._unsynced(), self._transaction():
            self._db.executemany(
                "INSERT INTO entries VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET"
                " text = excluded.text, used = excluded.used",
                [(key, text, _utc(now)) for key, text in entries.items()],
            )

    @contextmanager
    def _unsynced(self) -> Iterator[None]:
        """Commits that do not wait for the disk, for what the store keeps only to save work
        (a run keeps entries once a feed) or what the run's later synced commit (its record in
        `record_run`) makes durable anyway. In WAL mode that costs no consistency: a crash may
        lose these commits, never the database, and the next synced commit makes them durable."""
        (level,) = self._db.execute("PRAGMA synchronous").fetchone()
        self._db.execute("PRAGMA synchronous = NORMAL")
        try:
            yield
        finally:
            self._db.execute(f"PRAGMA synchronous = {int(level)}")

    def forget_entries(self, now: datetime) -> None:
        """Forget the kept entries no run used for `ENTRIES_KEPT_DAYS` (once a run, not once a
        feed)."""
        with self._transaction():
            forgotten = _utc(now - timedelta(days=ENTRIES_KEPT_DAYS))
            self._db.execute("DELETE FROM entries WHERE used < ?", (forgotten,))

    def close(self) -> None:
        """Close the database file."""
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        try:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
        except sqlite3.Error as exc:
            raise OutputError(str(self._path), f"cannot write the store: {exc}") from None

    def upsert(
        self,
        sightings: Iterable[Sighting | SeenAgain],
        now: datetime,
        groups: Iterable[Group] = (),
    ) -> UpsertResult:
        """Record this run's talks: insert new ones, update changed ones, touch `last_seen`.
        A talk seen again is no longer missing. A talk that cannot be written is left out and
        returned in `rejected`: one bad record never costs the others. `groups` are sources
        that gave these talks and no others, each with its talks as `SeenAgain.talks` and their
        `group_name`: once stored, they become the source's group (see `SeenAgain.group`)."""
        stamp = now.isoformat()
        new = changed = unchanged = 0
        rejected: list[tuple[Sighting, str]] = []
        seen: list[tuple[str, str | None]] = []
        """(talk id, draft fingerprint) of every talk stored or found again."""
        named: dict[tuple[str, str], list[Sighting | SeenAgain]] = {}
        """Those sightings by (source, the name this run gives the source)."""
        sightings = list(sightings)
        # Talks only seen again change no record: what their sightings say (when, and that
        # none is missing) is made durable by the run's next synced commit (see `_unsynced`).
        seen_only = all(isinstance(sighting, SeenAgain) for sighting in sightings)
        groups = list(groups)
        with self._unsynced() if seen_only else nullcontext(), self._transaction():
            for sighting in sightings:
                if isinstance(sighting, SeenAgain):
                    named.setdefault((sighting.source, sighting.source_name), []).append(sighting)
                    unchanged += len(sighting.talks)
                    group = None
                    if sighting.group is not None:
                        group = self._group(sighting.source, sighting.group, len(sighting.talks))
                    if group is not None:
                        # Its talks' missed runs are 0: a run that misses one makes it
                        # tentative, a change of record that takes it out of the group.
                        self._db.execute(
                            "UPDATE seen_groups SET seen_at = ? WHERE id = ?", (stamp, group)
                        )
                        continue
                    seen.extend((talk_id, drafted) for talk_id, drafted in sighting.talks)
                    if sighting.group is not None:
                        groups.append(Group(sighting.source, sighting.talks, sighting.group))
                    continue
                named.setdefault((sighting.talk.source, sighting.source_name), []).append(sighting)
                # A partial record holds fields kept from before: it is not what its draft gives.
                drafted = None if sighting.partial else sighting.drafted
                try:
                    record = sighting.talk.model_dump_json()
                except ValueError as exc:  # pydantic's serialization error is a ValueError
                    rejected.append((sighting, f"{sighting.talk.id}: cannot be stored: {exc}"))
                    continue
                row = self._db.execute(
                    "SELECT record, change_count, sequence, moved_from FROM talks WHERE id = ?",
                    (sighting.talk.id,),
                ).fetchone()
                if row is None:
                    self._db.execute(
                        "INSERT INTO talks (id, source, source_name, record, first_seen,"
                        " last_changed, starts, ends) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        (
                            sighting.talk.id,
                            sighting.talk.source,
                            sighting.source_name,
                            record,
                            stamp,
                            stamp,
                            *_span(sighting.talk),
                        ),
                    )
                    seen.append((sighting.talk.id, drafted))
                    self._note("source", sighting.talk.id, now, [_NEW])
                    new += 1
                    continue
                old = Talk.model_validate_json(row[0], context=STORED)
                talk, notes = _revised(sighting, old)
                if not notes:
                    seen.append((talk.id, drafted))
                    unchanged += 1
                    continue
                self._db.execute(
                    "UPDATE talks SET record = ?, source_name = ?, last_changed = ?,"
                    " change_count = change_count + 1, sequence = sequence + ?, moved_from = ?,"
                    " starts = ?, ends = ? WHERE id = ?",
                    (
                        talk.model_dump_json(),
                        sighting.source_name,
                        stamp,
                        _bump(old, talk),
                        _moved_from(old, talk, row[3]),
                        *_span(talk),
                        talk.id,
                    ),
                )
                seen.append((talk.id, drafted))
                self._note("source", talk.id, now, notes)
                changed += 1
            # One statement for every talk found: most are found as they were, and then only
            # their narrow sightings row is written, not their record.
            self._db.executemany(
                "INSERT INTO sightings (id, last_seen, missed_runs, drafted) VALUES (?, ?, 0, ?)"
                " ON CONFLICT (id) DO UPDATE SET last_seen = excluded.last_seen,"
                " missed_runs = 0, drafted = excluded.drafted, seen_with = NULL",
                [(talk_id, stamp, drafted) for talk_id, drafted in seen],
            )
            for whole in groups:
                self._make_group(whole, stamp)
            # A source renamed in the config: its talks found this run show the new name. Asked
            # per source, as most runs rename nothing and the answer is then empty.
            for (source, name), found in named.items():
                renamed = self._db.execute(
                    "SELECT id FROM talks WHERE source = ? AND source_name IS NOT ?",
                    (source, name),
                ).fetchall()
                if renamed:
                    ids = {talk_id for sighting in found for talk_id in _ids(sighting)}
                    self._db.executemany(
                        "UPDATE talks SET source_name = ? WHERE id = ?",
                        [(name, talk_id) for (talk_id,) in renamed if talk_id in ids],
                    )
        return UpsertResult(new, changed, unchanged, tuple(rejected))

    def _make_group(self, group: Group, stamp: str) -> None:
        """Make the source's group of these talks, just stored as seen at `stamp`; none when
        some of them is not stored as drafted (a talk that could not be stored)."""
        old = self._db.execute("SELECT id FROM seen_groups WHERE source = ?", (group.source,))
        for (old_id,) in old.fetchall():
            self._dissolve(old_id)
        made = self._db.execute(
            "INSERT INTO seen_groups (source, digest, size, seen_at) VALUES (?, ?, ?, ?)",
            (group.source, group.name, len(group.talks), stamp),
        ).lastrowid
        self._db.executemany(
            "UPDATE sightings SET seen_with = ? WHERE id = ? AND drafted = ?",
            [(made, talk_id, drafted) for talk_id, drafted in group.talks],
        )
        if made is not None and self._members(made) != len(group.talks):
            self._dissolve(made)

    def _dissolve(self, group: int) -> None:
        """What the group said of its talks becomes their own."""
        self._db.execute(
            "UPDATE sightings SET last_seen = (SELECT seen_at FROM seen_groups WHERE id = ?),"
            " seen_with = NULL WHERE seen_with = ?",
            (group, group),
        )
        self._db.execute("DELETE FROM seen_groups WHERE id = ?", (group,))

    def _group(self, source: str, name: str, size: int) -> int | None:
        """The source's group, if it holds exactly the talks `name` stands for, as drafted: a
        write that changes a member's record or draft takes the member out."""
        row = self._db.execute(
            "SELECT id FROM seen_groups WHERE source = ? AND digest = ? AND size = ?",
            (source, name, size),
        ).fetchone()
        if row is None or self._members(row[0]) != size:
            return None
        return int(row[0])

    def _members(self, group: int) -> int:
        (members,) = self._db.execute(
            "SELECT count(*) FROM sightings WHERE seen_with = ?", (group,)
        ).fetchone()
        return int(members)

    def _seen_whole_at(self, source: str, stamp: str) -> bool:
        """Whether every talk of the source is in its group, and the group was seen at
        `stamp`."""
        row = self._db.execute(
            "SELECT id, size FROM seen_groups WHERE source = ? AND seen_at = ?", (source, stamp)
        ).fetchone()
        if row is None:
            return False
        (talks,) = self._db.execute(
            "SELECT count(*) FROM talks WHERE source = ?", (source,)
        ).fetchone()
        return bool(self._members(row[0]) == row[1] == talks)

    def seen_whole(self, source: str, talks: Sequence[Sequence[str]], group: str) -> bool:
        """Whether the store holds each of these (talk id, draft fingerprint) as drafted, as
        `drafted` would say; asking the source's group (`SeenAgain.group`) when it holds
        exactly these, named `group`."""
        if self._group(source, group, len(talks)) is not None:
            return True
        drafted = self.drafted(source)
        return all(drafted.get(fingerprint) == talk_id for talk_id, fingerprint in talks)

    def recorded(self, talk_id: str) -> Recorded | None:
        """What `next_record` needs of the talk's stored record, if there is one."""
        row = self._db.execute(
            "SELECT record, first_seen, change_count, sequence, moved_from, drafted"
            " FROM talks LEFT JOIN sightings USING (id) WHERE id = ?",
            (talk_id,),
        ).fetchone()
        return None if row is None else Recorded(*row)

    def drafted(self, source: str) -> dict[str, str]:
        """The source's talks by the fingerprint of the draft each record was normalized from,
        for those whose record is still what that draft gives."""
        rows = self._db.execute(
            "SELECT sightings.drafted, talks.id FROM talks JOIN sightings USING (id)"
            " WHERE talks.source = ? AND sightings.drafted IS NOT NULL",
            (source,),
        )
        return dict(rows.fetchall())

    def mark_missing(
        self, source: str, seen: Iterable[str], now: datetime, cancel_after: int
    ) -> list[str]:
        """A working source no longer lists these upcoming talks: each run without one makes it
        tentative, and after `cancel_after` runs (or once its time has passed) cancelled.
        Returns the ids whose status changed. The talks of a group seen at `now`
        (`SeenAgain.group`) must be among `seen`."""
        seen_ids = set(seen)
        stamp = now.isoformat()
        touched: list[str] = []
        if self._seen_whole_at(source, stamp):
            return touched
        with self._transaction():
            ids = self._db.execute("SELECT id FROM talks WHERE source = ?", (source,))
            unseen = [talk_id for (talk_id,) in ids if talk_id not in seen_ids]
            for talk_id in unseen:
                record, missed = self._db.execute(
                    "SELECT record, coalesce(missed_runs, 0) FROM talks LEFT JOIN sightings"
                    " USING (id) WHERE id = ?",
                    (talk_id,),
                ).fetchone()
                talk = Talk.model_validate_json(record, context=STORED)
                if talk.status in _CALLED_OFF:
                    continue
                if talk.start > now:
                    missed += 1
                    status = Status.CANCELLED if missed >= cancel_after else Status.TENTATIVE
                elif talk.status is Status.TENTATIVE:
                    # It was dropped before it happened, and its time has come: it did not.
                    status = Status.CANCELLED
                else:
                    continue
                self._db.execute(
                    "UPDATE sightings SET missed_runs = ? WHERE id = ?", (missed, talk_id)
                )
                if status is talk.status:
                    continue
                updated = talk.model_copy(update={"status": status})
                self._db.execute(
                    "UPDATE talks SET record = ?, last_changed = ?,"
                    " change_count = change_count + 1, sequence = sequence + 1 WHERE id = ?",
                    (updated.model_dump_json(), stamp, talk_id),
                )
                self._db.execute("UPDATE sightings SET drafted = NULL WHERE id = ?", (talk_id,))
                self._note("source", talk_id, now, _differences(talk, updated))
                touched.append(talk_id)
        return touched

    def talks(
        self,
        source: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        ids: Iterable[str] | None = None,
    ) -> list[StoredTalk]:
        """Every source record (of one source, if given; starting at or after `since` and at
        or before `until`, if given; with one of `ids`, if given), ordered by start and id."""
        clauses, parameters = [], []
        if source:
            clauses.append("talks.source = ?")
            parameters.append(source)
        for clause, value in (("talks.starts >= ?", since), ("talks.starts <= ?", until)):
            if value is not None:
                clauses.append(clause)
                parameters.append(_utc(value))
        if ids is not None:
            clauses.append("talks.id IN (SELECT value FROM json_each(?))")
            parameters.append(json.dumps(sorted(ids)))
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        rows = self._db.execute(f"SELECT {_TALK_COLUMNS} FROM {_TALKS}{where}", parameters)
        with cycle_collection_paused():
            stored = [_stored(row) for row in rows]
        return sorted(stored, key=lambda s: (s.talk.start, s.talk.id))

    def changed_talks(self, after: int) -> list[str]:
        """The ids of the records written since revision `after` of "talks" (`revision`)."""
        rows = self._db.execute("SELECT id FROM talks WHERE version > ?", (after,))
        return [talk_id for (talk_id,) in rows]

    def talk_urls(self) -> list[tuple[str, str]]:
        """(source, URL) of every record that gives a URL."""
        rows = self._db.execute(
            "SELECT source, url FROM (SELECT source, json_extract(record, '$.url') AS url"
            " FROM talks) WHERE url IS NOT NULL"
        )
        return rows.fetchall()

    def cluster_ids(self) -> dict[str, str]:
        """Each source record's published id as of the last run: what keeps merged ids stable."""
        mapping = {}
        for published_id, members in self._db.execute("SELECT id, members FROM published"):
            for member in json.loads(members):
                mapping[member] = published_id
        return mapping

    def publish(
        self,
        talks: Sequence[Published],
        now: datetime,
        reach: datetime | None = None,
        replacing: Collection[str] = (),
    ) -> None:
        """Replace the combined feeds' talks with this run's, keeping each one's history: its
        first sighting, SEQUENCE and changes carry on under its stable id. With a `reach`, only
        the talks that start at or after it, those of `replacing` and this run's are replaced;
        the others stay as an earlier run merged them."""
        stamp = now.isoformat()
        current = {item.talk.id for item in talks}
        query = (
            "SELECT id, record, first_seen, moved_from, sources, provenance, members FROM published"
        )
        parameters: list[str] = []
        if reach is not None:
            query += " WHERE starts >= ? OR id IN (SELECT value FROM json_each(?))"
            parameters += [_utc(reach), json.dumps(sorted(current.union(replacing)))]
        with self._transaction():
            existing = {row[0]: row for row in self._db.execute(query, parameters)}
            arriving = {m for item in talks if item.talk.id not in existing for m in item.members}
            first_seen = dict(
                self._db.execute(
                    "SELECT id, first_seen FROM talks WHERE id IN (SELECT value FROM json_each(?))",
                    (json.dumps(sorted(arriving)),),
                ).fetchall()
            )
            # New talks, most of a first run's, are written some at a time, not one by one.
            added: list[tuple[str, ...]] = []
            for item in talks:
                talk_id = item.talk.id
                values = (
                    item.talk.model_dump_json(),
                    json.dumps([s.model_dump() for s in item.sources]),
                    json.dumps(item.provenance, sort_keys=True),
                    json.dumps(list(item.members)),
                )
                if talk_id not in existing:
                    seen = min(first_seen.get(m, stamp) for m in item.members)
                    shown = (*_span(item.talk), item.talk.status.value)
                    added.append((talk_id, *values, seen, stamp, stamp, *shown))
                    if len(added) == _ADDED_BATCH:
                        self._add_published(added, now)
                    continue
                row = existing[talk_id]
                # The same JSON is the same talk: most talks of a run, read without validation.
                same = row[1] == values[0]
                old = None if same else Talk.model_validate_json(row[1], context=STORED)
                notes = [] if old is None else _differences(old, item.talk)
                if old is not None and notes:
                    self._db.execute(
                        "UPDATE published SET record = ?, sources = ?, provenance = ?,"
                        " members = ?, last_seen = ?, last_changed = ?,"
                        " change_count = change_count + 1, sequence = sequence + ?,"
                        " moved_from = ?, starts = ?, ends = ?, status = ? WHERE id = ?",
                        (
                            *values,
                            stamp,
                            stamp,
                            _bump(old, item.talk),
                            _moved_from(old, item.talk, row[3]),
                            *_span(item.talk),
                            item.talk.status.value,
                            talk_id,
                        ),
                    )
                    self._note("published", talk_id, now, notes)
                elif tuple(row[4:7]) != values[1:]:
                    self._db.execute(
                        "UPDATE published SET sources = ?, provenance = ?, members = ?"
                        " WHERE id = ?",
                        (*values[1:], talk_id),
                    )
            self._add_published(added, now)
            # Every combined talk was last seen by this merge: one row says so for all of them,
            # rather than a write to each (see `published`).
            self._db.execute(
                "INSERT INTO meta VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = ?",
                (_PUBLISHED_AT, stamp, stamp),
            )
            # A cluster that merged into another (an operator override) leaves no orphan row.
            for gone in set(existing) - current:
                self._db.execute("DELETE FROM published WHERE id = ?", (gone,))

    def _add_published(self, rows: list[tuple[str, ...]], now: datetime) -> None:
        """Insert these new combined talks and note them as new; `rows` is emptied."""
        self._db.executemany(
            "INSERT INTO published (id, record, sources, provenance, members,"
            " first_seen, last_seen, last_changed, starts, ends, status)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        self._note_all("published", now, ((row[0], _NEW) for row in rows))
        rows.clear()

    def published(
        self,
        since: datetime | None = None,
        ending: datetime | None = None,
        ids: Iterable[str] | None = None,
        limit: int | None = None,
    ) -> list[StoredTalk]:
        """The combined feeds' talks, ordered by start and id: all of them, or those that start
        at or after `since`, or end at or after `ending`, or have one of `ids`; the first
        `limit` of them, if given."""
        clauses, parameters = [], []
        for clause, value in (("starts >= ?", since), ("ends >= ?", ending)):
            if value is not None:
                clauses.append(clause)
                parameters.append(_utc(value))
        if ids is not None:
            clauses.append("id IN (SELECT value FROM json_each(?))")
            parameters.append(json.dumps(sorted(ids)))
        where = f" WHERE {' OR '.join(clauses)}" if clauses else ""
        if limit is not None:
            where += " ORDER BY starts, id LIMIT ?"
            parameters.append(str(limit))
        rows = self._db.execute(
            "SELECT record, sources, provenance, first_seen,"
            " coalesce((SELECT value FROM meta WHERE key = ?), last_seen), last_changed,"
            f" change_count, sequence, moved_from FROM published{where}",
            [_PUBLISHED_AT, *parameters],
        )
        stored = []
        with cycle_collection_paused():
            for record, sources, provenance, first, last, changed, count, sequence, moved in rows:
                links = tuple(SourceLink.model_validate(s) for s in json.loads(sources))
                name = " · ".join(link.name for link in links)
                row = (record, name, first, last, changed, count, sequence, moved)
                stored.append(_stored(row, links, json.loads(provenance)))
        return sorted(stored, key=lambda s: (s.talk.start, s.talk.id))

    def versions(self, ending: datetime, limit: int) -> list[tuple[str, int]]:
        """Of the first `limit` combined talks not over at `ending` (by start and id), each
        one not called off, with the revision that last changed it."""
        rows = self._db.execute(
            "SELECT id, version, status FROM published WHERE ends >= ? ORDER BY starts, id LIMIT ?",
            (_utc(ending), limit),
        )
        called_off = {status.value for status in _CALLED_OFF}
        return [
            (talk_id, int(version)) for talk_id, version, status in rows if status not in called_off
        ]

    def change_span(self, since: datetime, scope: Scope) -> tuple[int, int, int]:
        """The first and last id and the number of the changes of `scope` since `since`: the
        window of changes a feed shows, in three numbers."""
        row = self._db.execute(
            "SELECT coalesce(min(id), 0), coalesce(max(id), 0), count(*) FROM changes"
            " WHERE run_at >= ? AND scope = ?",
            (since.isoformat(), scope),
        ).fetchone()
        return int(row[0]), int(row[1]), int(row[2])

    def provenance(self, talk_id: str) -> dict[str, str] | None:
        """Which source gave each field of a talk in the combined feeds (None if it is not one)."""
        row = self._db.execute(
            "SELECT provenance FROM published WHERE id = ?", (talk_id,)
        ).fetchone()
        if row is None:
            return None
        value: dict[str, str] = json.loads(row[0])
        return value

    def changes(
        self,
        talk_id: str | None = None,
        since: datetime | None = None,
        scope: Scope | None = None,
        kinds: Collection[str] | None = None,
        newest: int | None = None,
    ) -> list[Change]:
        """Recorded changes, oldest first: of one talk, since a time, of one scope, of some
        kinds; with `newest`, only those at least as new as the `newest`-th newest."""
        clauses, parameters = [], []
        for clause, value in (("talk_id = ?", talk_id), ("scope = ?", scope)):
            if value is not None:
                clauses.append(clause)
                parameters.append(value)
        if since is not None:
            clauses.append("run_at >= ?")
            parameters.append(since.isoformat())
        if kinds is not None:
            clauses.append("kind IN (SELECT value FROM json_each(?))")
            parameters.append(json.dumps(sorted(kinds)))
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        if newest is not None:
            # Every change of the run that the cut falls in: which of them to show is the
            # feed's to decide, by its own order.
            cut = self._db.execute(
                f"SELECT run_at FROM changes{where} ORDER BY run_at DESC, id DESC LIMIT 1 OFFSET ?",
                (*parameters, newest - 1),
            ).fetchone()
            if cut is not None:
                where += (" AND" if where else " WHERE") + " run_at >= ?"
                parameters.append(cut[0])
        rows = self._db.execute(
            "SELECT talk_id, run_at, kind, field, old, new FROM changes"
            f"{where} ORDER BY run_at, id",
            parameters,
        )
        return [_change(row) for row in rows]

    def feed_changes(self, since: datetime, kinds: Collection[str], newest: int) -> list[Change]:
        """The changes of the combined feeds' talks that a feed of the `newest` newest changes
        since `since` of these `kinds` chooses from, oldest first: every one newer than the run
        the cut falls in, and of that run, which may be a first run that made every talk new,
        the first change of each of the first `newest` (talk, kind) pairs by talk id and kind,
        of talks the combined feeds still hold."""
        kinds_json = json.dumps(sorted(kinds))
        where = "scope = 'published' AND run_at >= ? AND kind IN (SELECT value FROM json_each(?))"
        cut = self._db.execute(
            f"SELECT run_at FROM changes WHERE {where} ORDER BY run_at DESC, id DESC"
            " LIMIT 1 OFFSET ?",
            (since.isoformat(), kinds_json, newest - 1),
        ).fetchone()
        held = "talk_id IN (SELECT id FROM published)"
        columns = "talk_id, run_at, kind, field, old, new"
        if cut is None:
            rows = self._db.execute(
                f"SELECT {columns} FROM changes WHERE {where} AND {held} ORDER BY run_at, id",
                (since.isoformat(), kinds_json),
            )
        else:
            rows = self._db.execute(
                f"SELECT {columns} FROM changes WHERE id IN ("
                f" SELECT id FROM changes WHERE {where} AND run_at > ? AND {held}"
                " UNION ALL SELECT * FROM ("
                f"  SELECT min(id) FROM changes WHERE {where} AND run_at = ? AND {held}"
                "  GROUP BY talk_id, kind ORDER BY talk_id, kind LIMIT ?))"
                " ORDER BY run_at, id",
                (
                    since.isoformat(),
                    kinds_json,
                    cut[0],
                    since.isoformat(),
                    kinds_json,
                    cut[0],
                    newest,
                ),
            )
        return [_change(row) for row in rows]

    def record_run(
        self, started: datetime, finished: datetime, exit_code: int, report: dict[str, Any]
    ) -> None:
        """Keep one run's report, and what later runs read of its sources (`source_reports`,
        `last_success`)."""
        with self._transaction():
            self._db.execute(
                "INSERT INTO runs (started, finished, exit_code, report) VALUES (?, ?, ?, ?)",
                (started.isoformat(), finished.isoformat(), exit_code, json.dumps(report)),
            )
            read: dict[str, list[dict[str, Any]]] = {}
            for entry in report.get("sources", ()):
                if not entry.get("failed") and not entry.get("errors"):
                    read.setdefault(entry["site"], []).append(entry)
            for source, entries in read.items():
                row = self._db.execute(
                    "SELECT reports, last_success FROM source_runs WHERE source = ?", (source,)
                ).fetchone()
                reports = [*entries, *(json.loads(row[0]) if row else [])]
                succeeded = any(not entry.get("health", {}).get("flags") for entry in entries)
                last_success = started.isoformat() if succeeded else row[1] if row else None
                self._db.execute(
                    "INSERT OR REPLACE INTO source_runs VALUES (?, ?, ?)",
                    (source, json.dumps(reports[:SOURCE_REPORTS_KEPT]), last_success),
                )

    def source_reports(self, source: str, limit: int) -> list[dict[str, Any]]:
        """The source's entries in the reports of the last `limit` runs that read it without
        error (flagged runs included: they saw the site as it was), newest first; at most
        `SOURCE_REPORTS_KEPT`."""
        row = self._db.execute(
            "SELECT reports FROM source_runs WHERE source = ?", (source,)
        ).fetchone()
        reports: list[dict[str, Any]] = json.loads(row[0]) if row else []
        return reports[:limit]

    def last_success(self, source: str) -> datetime | None:
        """When a recorded run last read the source without error or flag, if one ever did."""
        row = self._db.execute(
            "SELECT last_success FROM source_runs WHERE source = ?", (source,)
        ).fetchone()
        return datetime.fromisoformat(row[0]) if row and row[0] else None

    def _note(
        self,
        scope: Scope,
        talk_id: str,
        now: datetime,
        notes: Iterable[_Note],
    ) -> None:
        self._note_all(scope, now, ((talk_id, note) for note in notes))

    def _note_all(self, scope: Scope, now: datetime, notes: Iterable[tuple[str, _Note]]) -> None:
        """Each (talk id, note) in one statement."""
        self._db.executemany(
            "INSERT INTO changes (scope, talk_id, run_at, kind, field, old, new)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(scope, talk_id, now.isoformat(), *note) for talk_id, note in notes],
        )


def _stored(
    row: tuple[Any, ...],
    sources: tuple[SourceLink, ...] = (),
    provenance: dict[str, str] | None = None,
) -> StoredTalk:
    record, name, first, last, changed, count, sequence, moved = row
    return StoredTalk(
        talk=Talk.model_validate_json(record, context=STORED),
        source_name=name,
        sources=sources,
        provenance=provenance or {},
        first_seen=datetime.fromisoformat(first),
        last_seen=datetime.fromisoformat(last),
        last_changed=datetime.fromisoformat(changed),
        change_count=count,
        sequence=sequence,
        moved_from=datetime.fromisoformat(moved) if moved else None,
    )


def _change(row: tuple[Any, ...]) -> Change:
    talk, at, kind, field, old, new = row
    return Change(
        talk_id=talk, run_at=datetime.fromisoformat(at), kind=kind, field=field, old=old, new=new
    )


def group_name(talks: Sequence[Sequence[str]]) -> str:
    """A name for these (talk id, draft fingerprint) in this order (`SeenAgain.group`)."""
    hashed = hashlib.blake2b(digest_size=16)
    for talk_id, fingerprint in talks:
        hashed.update(f"{talk_id}\t{fingerprint}\n".encode())
    return hashed.hexdigest()


def _ids(sighting: Sighting | SeenAgain) -> Iterator[str]:
    if isinstance(sighting, Sighting):
        yield sighting.talk.id
    else:
        yield from (talk_id for talk_id, _ in sighting.talks)


def _utc(moment: datetime) -> str:
    """A time in UTC, in one format for every row, so that SQL compares them in order."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _span(talk: Talk) -> tuple[str, str]:
    return _utc(talk.start), _utc(talk.effective_end)


def _differences(old: Talk, new: Talk) -> list[_Note]:
    """One (kind, field, old JSON, new JSON) per changed field; kind says what a subscriber
    would call it: moved, cancelled, restored or changed."""
    before, after = old.model_dump(mode="json"), new.model_dump(mode="json")
    notes: list[_Note] = []
    for field in before:
        if before[field] == after[field]:
            continue
        kind = "changed"
        if field == "start":
            kind = "moved"
        elif field == "status":
            if new.status in _CALLED_OFF:
                kind = "cancelled"
            elif old.status is not Status.SCHEDULED and new.status is Status.SCHEDULED:
                kind = "restored"
        notes.append((kind, field, json.dumps(before[field]), json.dumps(after[field])))
    return notes


def _bump(old: Talk, new: Talk) -> int:
    before, after = old.model_dump(mode="json"), new.model_dump(mode="json")
    if any(before[name] != after[name] for name in SEQUENCE_FIELDS):
        return 1
    # Without a title, calendars show "Talk by <speakers>" in its place: new names retitle it.
    untitled = old.title is None and new.title is None
    return int(untitled and [s.name for s in old.speakers] != [s.name for s in new.speakers])


def _moved_from(old: Talk, new: Talk, previous: str | None) -> str | None:
    return old.start.isoformat() if old.start != new.start else previous


def next_record(sighting: Sighting, recorded: Recorded | None, now: datetime) -> StoredTalk | None:
    """The source record that `Store.upsert([sighting], now)` would leave where the store holds
    `recorded` (`Store.recorded`) for the talk, as `Store.talks` would then give it; None when
    it would leave the talk as it is (but for the source's name, which it updates)."""
    stamp = now.isoformat()
    if recorded is None:
        record = sighting.talk.model_dump_json()
        return _stored((record, sighting.source_name, stamp, stamp, stamp, 0, 0, None))
    old = Talk.model_validate_json(recorded.record, context=STORED)
    talk, notes = _revised(sighting, old)
    if not notes:
        return None
    revised = (
        talk.model_dump_json(),
        sighting.source_name,
        recorded.first_seen,
        stamp,
        stamp,
        recorded.change_count + 1,
        recorded.sequence + _bump(old, talk),
        _moved_from(old, talk, recorded.moved_from),
    )
    return _stored(revised)


def _revised(sighting: Sighting, old: Talk) -> tuple[Talk, list[_Note]]:
    """The record a sighting makes of a stored one, and how it differs from it."""
    talk = _fill_from(sighting.talk, old) if sighting.partial else sighting.talk
    return talk, _differences(old, talk)


def _fill_from(talk: Talk, old: Talk) -> Talk:
    gaps = {name: getattr(old, name) for name in _OPTIONAL_FIELDS if not getattr(talk, name)}
    if talk.start != old.start:
        # The listing moved the talk: the stored end belongs to the old time.
        gaps.pop("end", None)
    return talk.model_copy(update=gaps) if gaps else talk
