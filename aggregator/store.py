"""The SQLite store: every talk ever seen, with when it was first seen, last seen and last changed.

A talk that is no longer listed stays; nothing is ever deleted. One run's writes happen in one
transaction, so a crash leaves the store as it was before the run.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from aggregator.errors import OutputError
from aggregator.model import SEQUENCE_FIELDS, StoredTalk, Talk

__all__ = ["Sighting", "Store", "UpsertResult"]

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
    sequence INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS talks_source ON talks (source);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    started TEXT NOT NULL,
    finished TEXT NOT NULL,
    exit_code INTEGER NOT NULL,
    report TEXT NOT NULL
);
"""
_OPTIONAL_FIELDS = ("speakers", "end", "location", "host", "abstract", "bio", "notes")


@dataclass(frozen=True)
class Sighting:
    """A talk found by this run. `partial` means only its listing was read (the detail page
    failed), so fields it lacks are kept from the stored record instead of being erased."""

    talk: Talk
    source_name: str
    partial: bool = False


@dataclass(frozen=True)
class UpsertResult:
    """Counts of what one upsert did."""

    new: int = 0
    changed: int = 0
    unchanged: int = 0


class Store:
    """A talkfeed database file; created on first use."""

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
        except sqlite3.Error as exc:
            self._db.close()
            raise OutputError(str(path), f"not a usable talkfeed store: {exc}") from None

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

    def upsert(self, sightings: Iterable[Sighting], now: datetime) -> UpsertResult:
        """Record this run's talks: insert new ones, update changed ones, touch `last_seen`."""
        stamp = now.isoformat()
        new = changed = unchanged = 0
        with self._transaction():
            for sighting in sightings:
                row = self._db.execute(
                    "SELECT record, change_count, sequence FROM talks WHERE id = ?",
                    (sighting.talk.id,),
                ).fetchone()
                if row is None:
                    self._db.execute(
                        "INSERT INTO talks VALUES (?, ?, ?, ?, ?, ?, ?, 0, 0)",
                        (
                            sighting.talk.id,
                            sighting.talk.source,
                            sighting.source_name,
                            sighting.talk.model_dump_json(),
                            stamp,
                            stamp,
                            stamp,
                        ),
                    )
                    new += 1
                    continue
                old = Talk.model_validate_json(row[0])
                talk = _fill_from(sighting.talk, old) if sighting.partial else sighting.talk
                before, after = old.model_dump(mode="json"), talk.model_dump(mode="json")
                if before == after:
                    self._db.execute(
                        "UPDATE talks SET last_seen = ?, source_name = ? WHERE id = ?",
                        (stamp, sighting.source_name, talk.id),
                    )
                    unchanged += 1
                    continue
                moved = any(before[name] != after[name] for name in SEQUENCE_FIELDS)
                self._db.execute(
                    "UPDATE talks SET record = ?, source_name = ?, last_seen = ?, last_changed = ?,"
                    " change_count = ?, sequence = ? WHERE id = ?",
                    (
                        talk.model_dump_json(),
                        sighting.source_name,
                        stamp,
                        stamp,
                        row[1] + 1,
                        row[2] + (1 if moved else 0),
                        talk.id,
                    ),
                )
                changed += 1
        return UpsertResult(new, changed, unchanged)

    def talks(self, source: str | None = None) -> list[StoredTalk]:
        """Every stored talk (of one source, if given), ordered by start and id."""
        query = (
            "SELECT record, source_name, first_seen, last_seen, last_changed, change_count,"
            " sequence FROM talks"
        )
        rows = (
            self._db.execute(query + " WHERE source = ?", (source,))
            if source
            else self._db.execute(query)
        )
        stored = [
            StoredTalk(
                talk=Talk.model_validate_json(record),
                source_name=name,
                first_seen=datetime.fromisoformat(first),
                last_seen=datetime.fromisoformat(last),
                last_changed=datetime.fromisoformat(changed),
                change_count=count,
                sequence=sequence,
            )
            for record, name, first, last, changed, count, sequence in rows
        ]
        return sorted(stored, key=lambda s: (s.talk.start, s.talk.id))

    def record_run(
        self, started: datetime, finished: datetime, exit_code: int, report: dict[str, Any]
    ) -> None:
        """Keep one run's report."""
        with self._transaction():
            self._db.execute(
                "INSERT INTO runs (started, finished, exit_code, report) VALUES (?, ?, ?, ?)",
                (started.isoformat(), finished.isoformat(), exit_code, json.dumps(report)),
            )


def _fill_from(talk: Talk, old: Talk) -> Talk:
    gaps = {name: getattr(old, name) for name in _OPTIONAL_FIELDS if not getattr(talk, name)}
    if talk.start != old.start:
        # The listing moved the talk: the stored end belongs to the old time.
        gaps.pop("end", None)
    return talk.model_copy(update=gaps) if gaps else talk
