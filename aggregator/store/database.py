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

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from aggregator.errors import OutputError
from aggregator.model import SEQUENCE_FIELDS, Change, SourceLink, Status, StoredTalk, Talk

__all__ = ["Published", "SeenAgain", "Sighting", "Store", "UpsertResult"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS talks (
    id TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    source_name TEXT NOT NULL,
    record TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    last_changed TEXT NOT NULL,
    change_count INTEGER NOT NULL DEFAULT 0,
    sequence INTEGER NOT NULL DEFAULT 0,
    missed_runs INTEGER NOT NULL DEFAULT 0,
    moved_from TEXT,
    drafted TEXT
);
CREATE INDEX IF NOT EXISTS talks_source ON talks (source);
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
"""
# Columns added since the first release, for stores that an older talkfeed created.
_ADDED_COLUMNS = {
    "talks": {
        "missed_runs": "INTEGER NOT NULL DEFAULT 0",
        "moved_from": "TEXT",
        "drafted": "TEXT",
    }
}
_Note = tuple[str, str | None, str | None, str | None]
"""A change as stored: kind, field, old value as JSON, new value as JSON."""
_OPTIONAL_FIELDS = (
    "url", "title", "speakers", "end", "location", "host", "abstract", "bio", "notes",
)  # fmt: skip
_CALLED_OFF = (Status.CANCELLED, Status.POSTPONED)
_TALK_COLUMNS = (
    "record, source_name, first_seen, last_seen, last_changed, change_count, sequence, moved_from"
)
Scope = Literal["source", "published"]
# A source entry of a stored run report (see pipeline.SourceReport) for a source read in full.
_READ_OK = (
    "json_extract(entry.value, '$.failed') = 0 AND json_array_length(entry.value, '$.errors') = 0"
)


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
    """A talk found by this run as its stored record was drafted (`Store.drafted`): only its
    sighting is recorded, as for a talk found unchanged."""

    talk_id: str
    source_name: str
    drafted: str


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
        except sqlite3.Error as exc:
            self._db.close()
            raise OutputError(str(path), f"not a usable talkfeed store: {exc}") from None

    def _add_missing_columns(self) -> None:
        for table, columns in _ADDED_COLUMNS.items():
            present = {row[1] for row in self._db.execute(f"PRAGMA table_info({table})")}
            for name, declaration in columns.items():
                if name not in present:
                    self._db.execute(f"ALTER TABLE {table} ADD COLUMN {name} {declaration}")

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

    def upsert(self, sightings: Iterable[Sighting | SeenAgain], now: datetime) -> UpsertResult:
        """Record this run's talks: insert new ones, update changed ones, touch `last_seen`.
        A talk seen again is no longer missing. A talk that cannot be written is left out and
        returned in `rejected`: one bad record never costs the others."""
        stamp = now.isoformat()
        new = changed = unchanged = 0
        rejected: list[tuple[Sighting, str]] = []
        with self._transaction():
            for sighting in sightings:
                if isinstance(sighting, SeenAgain):
                    self._seen(sighting.talk_id, sighting.source_name, stamp, sighting.drafted)
                    unchanged += 1
                    continue
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
                        " last_seen, last_changed, drafted) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        (
                            sighting.talk.id,
                            sighting.talk.source,
                            sighting.source_name,
                            record,
                            stamp,
                            stamp,
                            stamp,
                            drafted,
                        ),
                    )
                    self._note("source", sighting.talk.id, now, [("new", None, None, None)])
                    new += 1
                    continue
                old = Talk.model_validate_json(row[0])
                talk = _fill_from(sighting.talk, old) if sighting.partial else sighting.talk
                notes = _differences(old, talk)
                if not notes:
                    self._seen(talk.id, sighting.source_name, stamp, drafted)
                    unchanged += 1
                    continue
                self._db.execute(
                    "UPDATE talks SET record = ?, source_name = ?, last_seen = ?,"
                    " last_changed = ?, change_count = change_count + 1,"
                    " sequence = sequence + ?, missed_runs = 0, moved_from = ?, drafted = ?"
                    " WHERE id = ?",
                    (
                        talk.model_dump_json(),
                        sighting.source_name,
                        stamp,
                        stamp,
                        _bump(old, talk),
                        _moved_from(old, talk, row[3]),
                        drafted,
                        talk.id,
                    ),
                )
                self._note("source", talk.id, now, notes)
                changed += 1
        return UpsertResult(new, changed, unchanged, tuple(rejected))

    def _seen(self, talk_id: str, source_name: str, stamp: str, drafted: str | None) -> None:
        self._db.execute(
            "UPDATE talks SET last_seen = ?, source_name = ?, missed_runs = 0, drafted = ?"
            " WHERE id = ?",
            (stamp, source_name, drafted, talk_id),
        )

    def drafted(self, source: str) -> dict[str, str]:
        """The source's talks by the fingerprint of the draft each record was normalized from,
        for those whose record is still what that draft gives."""
        rows = self._db.execute(
            "SELECT drafted, id FROM talks WHERE source = ? AND drafted IS NOT NULL", (source,)
        )
        return dict(rows.fetchall())

    def mark_missing(
        self, source: str, seen: Iterable[str], now: datetime, cancel_after: int
    ) -> list[str]:
        """A working source no longer lists these upcoming talks: each run without one makes it
        tentative, and after `cancel_after` runs (or once its time has passed) cancelled.
        Returns the ids whose status changed."""
        seen_ids = set(seen)
        stamp = now.isoformat()
        touched = []
        with self._transaction():
            rows = self._db.execute(
                "SELECT id, record, missed_runs FROM talks WHERE source = ?", (source,)
            ).fetchall()
            for talk_id, record, missed in rows:
                if talk_id in seen_ids:
                    continue
                talk = Talk.model_validate_json(record)
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
                self._db.execute("UPDATE talks SET missed_runs = ? WHERE id = ?", (missed, talk_id))
                if status is talk.status:
                    continue
                updated = talk.model_copy(update={"status": status})
                self._db.execute(
                    "UPDATE talks SET record = ?, last_changed = ?,"
                    " change_count = change_count + 1, sequence = sequence + 1, drafted = NULL"
                    " WHERE id = ?",
                    (updated.model_dump_json(), stamp, talk_id),
                )
                self._note("source", talk_id, now, _differences(talk, updated))
                touched.append(talk_id)
        return touched

    def talks(self, source: str | None = None) -> list[StoredTalk]:
        """Every source record (of one source, if given), ordered by start and id."""
        query = f"SELECT {_TALK_COLUMNS} FROM talks"
        rows = (
            self._db.execute(query + " WHERE source = ?", (source,))
            if source
            else self._db.execute(query)
        )
        stored = [_stored(row) for row in rows]
        return sorted(stored, key=lambda s: (s.talk.start, s.talk.id))

    def cluster_ids(self) -> dict[str, str]:
        """Each source record's published id as of the last run: what keeps merged ids stable."""
        mapping = {}
        for published_id, members in self._db.execute("SELECT id, members FROM published"):
            for member in json.loads(members):
                mapping[member] = published_id
        return mapping

    def publish(self, talks: Sequence[Published], now: datetime) -> None:
        """Replace the combined feeds' talks with this run's, keeping each one's history: its
        first sighting, SEQUENCE and changes carry on under its stable id."""
        stamp = now.isoformat()
        with self._transaction():
            existing = {
                row[0]: row
                for row in self._db.execute(
                    "SELECT id, record, first_seen, moved_from FROM published"
                )
            }
            first_seen = dict(self._db.execute("SELECT id, first_seen FROM talks").fetchall())
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
                    self._db.execute(
                        "INSERT INTO published (id, record, sources, provenance, members,"
                        " first_seen, last_seen, last_changed) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        (talk_id, *values, seen, stamp, stamp),
                    )
                    self._note("published", talk_id, now, [("new", None, None, None)])
                    continue
                old = Talk.model_validate_json(existing[talk_id][1])
                notes = _differences(old, item.talk)
                if notes:
                    self._db.execute(
                        "UPDATE published SET record = ?, sources = ?, provenance = ?,"
                        " members = ?, last_seen = ?, last_changed = ?,"
                        " change_count = change_count + 1, sequence = sequence + ?,"
                        " moved_from = ? WHERE id = ?",
                        (
                            *values,
                            stamp,
                            stamp,
                            _bump(old, item.talk),
                            _moved_from(old, item.talk, existing[talk_id][3]),
                            talk_id,
                        ),
                    )
                    self._note("published", talk_id, now, notes)
                else:
                    self._db.execute(
                        "UPDATE published SET sources = ?, provenance = ?, members = ?,"
                        " last_seen = ? WHERE id = ?",
                        (*values[1:], stamp, talk_id),
                    )
            # A cluster that merged into another (an operator override) leaves no orphan row.
            current = {item.talk.id for item in talks}
            for gone in set(existing) - current:
                self._db.execute("DELETE FROM published WHERE id = ?", (gone,))

    def published(self) -> list[StoredTalk]:
        """The combined feeds' talks, ordered by start and id."""
        rows = self._db.execute(
            "SELECT record, sources, provenance, first_seen, last_seen, last_changed,"
            " change_count, sequence, moved_from FROM published"
        )
        stored = []
        for record, sources, provenance, first, last, changed, count, sequence, moved in rows:
            links = tuple(SourceLink.model_validate(s) for s in json.loads(sources))
            name = " · ".join(link.name for link in links)
            row = (record, name, first, last, changed, count, sequence, moved)
            stored.append(_stored(row, links, json.loads(provenance)))
        return sorted(stored, key=lambda s: (s.talk.start, s.talk.id))

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
    ) -> list[Change]:
        """Recorded changes, oldest first: of one talk, since a time, of one scope."""
        clauses, parameters = [], []
        for clause, value in (("talk_id = ?", talk_id), ("scope = ?", scope)):
            if value is not None:
                clauses.append(clause)
                parameters.append(value)
        if since is not None:
            clauses.append("run_at >= ?")
            parameters.append(since.isoformat())
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        rows = self._db.execute(
            "SELECT talk_id, run_at, kind, field, old, new FROM changes"
            f"{where} ORDER BY run_at, id",
            parameters,
        )
        return [
            Change(
                talk_id=talk,
                run_at=datetime.fromisoformat(at),
                kind=kind,
                field=field,
                old=old,
                new=new,
            )
            for talk, at, kind, field, old, new in rows
        ]

    def record_run(
        self, started: datetime, finished: datetime, exit_code: int, report: dict[str, Any]
    ) -> None:
        """Keep one run's report."""
        with self._transaction():
            self._db.execute(
                "INSERT INTO runs (started, finished, exit_code, report) VALUES (?, ?, ?, ?)",
                (started.isoformat(), finished.isoformat(), exit_code, json.dumps(report)),
            )

    def source_reports(self, source: str, limit: int) -> list[dict[str, Any]]:
        """The source's entries in the reports of the last `limit` runs that read it without
        error (flagged runs included: they saw the site as it was), newest first."""
        rows = self._db.execute(
            "SELECT entry.value FROM runs, json_each(runs.report, '$.sources') AS entry"
            f" WHERE json_extract(entry.value, '$.site') = ? AND {_READ_OK}"
            " ORDER BY runs.id DESC LIMIT ?",
            (source, limit),
        )
        return [json.loads(value) for (value,) in rows]

    def last_success(self, source: str) -> datetime | None:
        """When a recorded run last read the source without error or flag, if one ever did."""
        row = self._db.execute(
            "SELECT runs.started FROM runs, json_each(runs.report, '$.sources') AS entry"
            f" WHERE json_extract(entry.value, '$.site') = ? AND {_READ_OK}"
            " AND coalesce(json_array_length(entry.value, '$.health.flags'), 0) = 0"
            " ORDER BY runs.id DESC LIMIT 1",
            (source,),
        ).fetchone()
        return datetime.fromisoformat(row[0]) if row else None

    def _note(
        self,
        scope: Scope,
        talk_id: str,
        now: datetime,
        notes: Iterable[_Note],
    ) -> None:
        self._db.executemany(
            "INSERT INTO changes (scope, talk_id, run_at, kind, field, old, new)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(scope, talk_id, now.isoformat(), *note) for note in notes],
        )


def _stored(
    row: tuple[Any, ...],
    sources: tuple[SourceLink, ...] = (),
    provenance: dict[str, str] | None = None,
) -> StoredTalk:
    record, name, first, last, changed, count, sequence, moved = row
    return StoredTalk(
        talk=Talk.model_validate_json(record),
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


def _fill_from(talk: Talk, old: Talk) -> Talk:
    gaps = {name: getattr(old, name) for name in _OPTIONAL_FIELDS if not getattr(talk, name)}
    if talk.start != old.start:
        # The listing moved the talk: the stored end belongs to the old time.
        gaps.pop("end", None)
    return talk.model_copy(update=gaps) if gaps else talk
