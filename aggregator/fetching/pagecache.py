"""What the last runs learned from each URL, so that the next run asks for and parses less.

For every page fetched: its ETag and Last-Modified (for conditional requests: an unchanged page
answers 304 with no body) and what parsing it gave (the listing's links, or the talk page's
draft), so that a 304 costs no parsing; both are written at once, in one transaction a page.
A listing read in parts (an iCal feed's events, `Page.parts`) keeps which of its links each part
gave, so that when it changes, the parts it still has need not be parsed again (`parts`).
For each host's robots.txt, its text. A talk page whose talk is over is not fetched again at
all: its stored draft is reused.

The cache lives in the store's SQLite file, in its own table.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import sqlite3
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, fields
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from aggregator.errors import OutputError
from scrapers import Link, TalkDraft
from scrapers.drafts import SpeakerDraft

__all__ = ["KeptParts", "Outline", "PageCache", "listing_json"]

log = logging.getLogger(__name__)

_Validators = tuple[str | None, str | None]
"""An answer's (ETag, Last-Modified)."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS pages (
    url TEXT PRIMARY KEY,
    etag TEXT,
    last_modified TEXT,
    parsed TEXT,
    outline TEXT,
    parts TEXT
)
"""


_ROBOTS_PREFIX = '{"type": "robots", '
"""How a kept robots.txt's JSON begins (`keep_robots`)."""


@dataclass(frozen=True)
class Outline:
    """A listing whose talks are whole on it (a feed or an API answer): what a crawl needs of
    it without reading its talks, and a digest that names what it gave."""

    listings: tuple[str, ...]
    """The other listing pages it links to, in order."""
    digest: str
    """Of what parsing it gave: the same digest, the same links and talks."""


class PageCache:
    """Validators and parse results by URL, kept in the store's file."""

    def __init__(self, path: Path) -> None:
        self._path = path
        try:
            self._db = sqlite3.connect(path, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            # A cache: after a power cut it may lack its last entries (they are fetched again),
            # but it stays whole; waiting for the disk on each of thousands of pages does not pay.
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute(_SCHEMA)
            columns = {row[1] for row in self._db.execute("PRAGMA table_info(pages)")}
            for column in ("outline", "parts"):
                if column not in columns:
                    self._db.execute(f"ALTER TABLE pages ADD COLUMN {column} TEXT")
        except sqlite3.Error as exc:
            raise OutputError(str(path), f"cannot use the page cache: {exc}") from None

    def close(self) -> None:
        """Close the database connection."""
        self._db.close()

    def __enter__(self) -> PageCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get(self, url: str) -> tuple[str | None, str | None] | None:
        """The ETag and Last-Modified remembered for `url`, if its parse result is kept too
        (a validator without it would bring a 304 that nothing can be rebuilt from)."""
        # A robots.txt kept with its text is told by how `keep_robots` writes it, not by parsing
        # what is kept: a listing's parse result can be megabytes of JSON.
        row = self._db.execute(
            "SELECT etag, last_modified FROM pages WHERE url = ? AND parsed IS NOT NULL"
            " AND substr(parsed, 1, ?) IS NOT ?",
            (url, len(_ROBOTS_PREFIX), _ROBOTS_PREFIX),
        ).fetchone()
        return (row[0], row[1]) if row and (row[0] or row[1]) else None

    def put(self, url: str, etag: str | None, last_modified: str | None) -> None:
        """Take the validators a 304 sent for `url`; the page is unchanged, so what it gave
        stays."""
        self._write(
            "UPDATE pages SET etag = ?, last_modified = ? WHERE url = ?",
            (etag, last_modified, url),
        )

    def links(self, url: str) -> list[Link] | None:
        """The links a listing gave when it was last parsed."""
        parsed = self._parsed(url)
        if parsed is None or parsed.get("type") != "listing":
            return None
        return [_link(item) for item in parsed["links"]]

    def outline(self, url: str) -> Outline | None:
        """The outline of a listing whose every talk link carries the whole talk, as last
        parsed; None for any other page."""
        row = self._db.execute("SELECT outline FROM pages WHERE url = ?", (url,)).fetchone()
        if row is None or row[0] is None:
            return None
        data = json.loads(row[0])
        return Outline(tuple(data["listings"]), str(data["digest"]))

    def parts(self, url: str) -> KeptParts | None:
        """The drafts a listing read in parts gave when it was last parsed, by part."""
        row = self._db.execute(
            "SELECT parts FROM pages WHERE url = ? AND parts IS NOT NULL", (url,)
        ).fetchone()
        return None if row is None else KeptParts(self._path, url, frozenset(json.loads(row[0])))

    def draft(self, url: str) -> TalkDraft | None:
        """The draft a talk page gave when it was last parsed."""
        parsed = self._parsed(url)
        if parsed is None or parsed.get("type") != "talk":
            return None
        return _draft(parsed["draft"])

    def keep_links(
        self,
        url: str,
        links: list[Link],
        validators: _Validators = (None, None),
        parts: Mapping[str, TalkDraft] | None = None,
        text: str | None = None,
    ) -> Outline | None:
        """Remember what a listing gave, with the validators of the answer it came from, and
        which link's draft each of its `parts` is; the outline kept for it, if its every talk
        link carries the whole talk. `text`: `listing_json(links)`, when already made."""
        if text is None:
            text = listing_json(links)
        kept_parts = None
        if parts:
            place = {id(link.seed): index for index, link in enumerate(links) if link.seed}
            index = {name: place[id(d)] for name, d in parts.items() if id(d) in place}
            kept_parts = json.dumps(index, sort_keys=True)
        outline = None
        if all(link.complete and link.seed is not None for link in links if link.kind == "talk"):
            listings = tuple(link.url for link in links if link.kind == "listing")
            outline = Outline(listings, hashlib.blake2b(text.encode(), digest_size=16).hexdigest())
        kept = None
        if outline is not None:
            kept = json.dumps({"listings": outline.listings, "digest": outline.digest})
        self._write(
            "INSERT INTO pages (url, etag, last_modified, parsed, outline, parts)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (url) DO UPDATE SET etag = excluded.etag,"
            " last_modified = excluded.last_modified, parsed = excluded.parsed,"
            " outline = excluded.outline, parts = excluded.parts",
            (url, *validators, text, kept, kept_parts),
        )
        return outline

    def keep_draft(
        self, url: str, draft: TalkDraft, validators: _Validators = (None, None)
    ) -> None:
        """Remember what a talk page gave, with the validators of the answer it came from."""
        self._keep(url, {"type": "talk", "draft": _draft_json(draft)}, validators)

    def robots(self, url: str) -> tuple[str | None, str | None, str] | None:
        """The validators and text of the robots.txt at `url` as last fetched."""
        row = self._db.execute(
            "SELECT etag, last_modified, parsed FROM pages WHERE url = ?", (url,)
        ).fetchone()
        if row is None or row[2] is None or not (row[0] or row[1]):
            return None
        parsed = json.loads(row[2])
        if parsed.get("type") != "robots":
            return None
        return row[0], row[1], str(parsed["text"])

    def keep_robots(
        self, url: str, etag: str | None, last_modified: str | None, text: str | None
    ) -> None:
        """Remember a robots.txt with its validators; None forgets the one remembered."""
        if text is None:
            self._write("DELETE FROM pages WHERE url = ?", (url,))
            return
        self._write(
            "INSERT INTO pages (url, etag, last_modified, parsed) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (url) DO UPDATE SET etag = excluded.etag,"
            " last_modified = excluded.last_modified, parsed = excluded.parsed, parts = NULL",
            (url, etag, last_modified, _ROBOTS_PREFIX + json.dumps({"text": text})[1:]),
        )

    def robots_absent(self, url: str) -> datetime | None:
        """When the robots.txt at `url` last answered that there is none, if it did last."""
        parsed = self._parsed(url)
        if parsed is None or parsed.get("type") != "robots-absent":
            return None
        return datetime.fromisoformat(parsed["at"])

    def keep_robots_absent(self, url: str, at: datetime) -> None:
        """Remember that the robots.txt at `url` answered at `at` that there is none."""
        self._write(
            "INSERT INTO pages (url, parsed) VALUES (?, ?) ON CONFLICT (url) DO UPDATE SET"
            " etag = NULL, last_modified = NULL, parsed = excluded.parsed, parts = NULL",
            (url, json.dumps({"type": "robots-absent", "at": at.isoformat()})),
        )

    def _parsed(self, url: str) -> dict[str, Any] | None:
        row = self._db.execute("SELECT parsed FROM pages WHERE url = ?", (url,)).fetchone()
        if row is None or row[0] is None:
            return None
        value: dict[str, Any] = json.loads(row[0])
        return value

    def _keep(self, url: str, parsed: dict[str, Any], validators: _Validators) -> None:
        # One statement, so one transaction a page: validators and parse result go together.
        self._write(
            "INSERT INTO pages (url, etag, last_modified, parsed) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (url) DO UPDATE SET etag = excluded.etag,"
            " last_modified = excluded.last_modified, parsed = excluded.parsed, outline = NULL,"
            " parts = NULL",
            (url, *validators, json.dumps(parsed, sort_keys=True)),
        )

    def _write(self, sql: str, parameters: tuple[Any, ...]) -> None:
        try:
            self._db.execute(sql, parameters)
        except sqlite3.Error as exc:
            raise OutputError(str(self._path), f"cannot write the page cache: {exc}") from None


def listing_json(links: list[Link]) -> str:
    """What the cache keeps of a listing that gave `links`: made where the page is parsed (a
    parse worker), as a feed of thousands of events is a large text to write."""
    parsed = {"type": "listing", "links": [_link_json(link) for link in links]}
    return json.dumps(parsed, sort_keys=True)


def _moment_json(moment: datetime | None) -> dict[str, str] | None:
    if moment is None:
        return None
    zone = moment.tzinfo.key if isinstance(moment.tzinfo, ZoneInfo) else None
    return {"at": moment.isoformat(), "zone": zone} if zone else {"at": moment.isoformat()}


def _moment(value: dict[str, str] | None) -> datetime | None:
    if value is None:
        return None
    moment = datetime.fromisoformat(value["at"])
    # The zone's name matters beyond the offset: it becomes the talk's time zone.
    return moment.astimezone(ZoneInfo(value["zone"])) if "zone" in value else moment


_DRAFT_FIELDS = tuple(f.name for f in fields(TalkDraft))
_SPEAKER_FIELDS = tuple(f.name for f in fields(SpeakerDraft))


def _draft_json(draft: TalkDraft) -> dict[str, Any]:
    # What `dataclasses.asdict` gives, without its deep copy of every value: a feed's listing
    # holds thousands of drafts, and their values are only read to be written as JSON.
    data = {name: getattr(draft, name) for name in _DRAFT_FIELDS}
    data["speakers"] = [
        {name: getattr(speaker, name) for name in _SPEAKER_FIELDS} for speaker in draft.speakers
    ]
    data["start"], data["end"] = _moment_json(draft.start), _moment_json(draft.end)
    return data


def _draft(data: dict[str, Any]) -> TalkDraft:
    fields = dict(data)
    fields["speakers"] = [SpeakerDraft(**s) for s in data["speakers"]]
    fields["start"], fields["end"] = _moment(data["start"]), _moment(data["end"])
    return TalkDraft(**fields)


def _link_json(link: Link) -> dict[str, Any]:
    seed = _draft_json(link.seed) if link.seed is not None else None
    return {"url": link.url, "kind": link.kind, "seed": seed, "complete": link.complete}


def _link(data: dict[str, Any]) -> Link:
    seed = _draft(data["seed"]) if data["seed"] is not None else None
    return Link(data["url"], data["kind"], seed, data["complete"])


class KeptParts(Mapping[str, TalkDraft]):
    """What a listing read in parts gave last time, by part (`Page.earlier`). Only the names
    of the parts are read where it is made; the drafts are read from the cache's file, and
    decoded, as far as a part is looked up, in the process that parses the page (a parse
    worker): a crawl sends its pages to the workers all at once, and a feed's drafts are
    hundreds of kilobytes. The drafts are found by the names kept with them in the row read,
    so a parse result written since (another source of the same URL) gives its own drafts. A
    cache that cannot be read has no part."""

    def __init__(self, path: Path, url: str, names: Collection[str]) -> None:
        self._path = path
        self._url = url
        self._names = names
        self._kept: tuple[dict[str, int], list[dict[str, Any]]] | None = None
        self._drafts: dict[str, TalkDraft] = {}

    def __getitem__(self, name: str) -> TalkDraft:
        if name not in self._drafts:
            index, links = self._read()
            place = index.get(name)
            seed = links[place]["seed"] if place is not None and place < len(links) else None
            if seed is None:
                raise KeyError(name)
            self._drafts[name] = _draft(seed)
        return self._drafts[name]

    def __contains__(self, name: object) -> bool:
        return name in self._names

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)

    def __getstate__(self) -> tuple[Path, str, Collection[str]]:
        return self._path, self._url, self._names

    def __setstate__(self, state: tuple[Path, str, Collection[str]]) -> None:
        self._path, self._url, self._names = state
        self._kept = None
        self._drafts = {}

    def _read(self) -> tuple[dict[str, int], list[dict[str, Any]]]:
        if self._kept is None:
            self._kept = ({}, [])
            try:
                with contextlib.closing(
                    sqlite3.connect(f"{self._path.resolve().as_uri()}?mode=ro", uri=True)
                ) as db:
                    row = db.execute(
                        "SELECT parts, parsed FROM pages WHERE url = ?", (self._url,)
                    ).fetchone()
                if row is not None and row[0] is not None and row[1] is not None:
                    self._kept = (json.loads(row[0]), json.loads(row[1]).get("links", []))
            except (sqlite3.Error, ValueError, AttributeError):
                log.debug("%s: kept parts not read", self._url, exc_info=True)
        return self._kept
