"""newsboat, a feed reader we did not write, subscribed to our served feeds: every talk arrives
with our title, link, text and speakers (as its author) under our id, and a moved talk updates
its item instead of adding one.

newsboat keeps one item per guid in its whole cache, so the RSS and Atom feeds, which share their
ids, fill the same items. `-x reload` exits 0 even when a feed fails: its error log tells."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import NamedTuple

import pytest

from aggregator.cli import main
from aggregator.publishing.serve import serving
from tests.conftest import LISTING_PATH, FixtureSite
from tests.outside_programs import require_program

NOW = "2026-03-01T09:00:00-05:00"
TALKS = [1841, 1849, 1852, 1857, 1861, 1866, 1872, 1875]
GUIDS = {f"urn:talkfeed:nyu-cs-colloquium:{t}" for t in TALKS}
MOVED = "urn:talkfeed:nyu-cs-colloquium:1875"
ATOM = "{http://www.w3.org/2005/Atom}"
DC = "{http://purl.org/dc/elements/1.1/}"


class Item(NamedTuple):
    """One article as newsboat stored it."""

    row: int
    title: str
    url: str
    author: str
    content: str
    unread: bool


class Newsboat:
    """A newsboat profile of its own: urls file, config, cache and error log in one directory,
    with HOME and the XDG directories there too, so nothing of the machine's user leaks in."""

    def __init__(self, root: Path, feeds: list[str]) -> None:
        self.executable = require_program("newsboat", "newsboat")
        root.mkdir()
        self.urls = root / "urls"
        self.urls.write_text("".join(f"{url}\n" for url in feeds), encoding="utf-8")
        self.cache = root / "cache.db"
        self.error_log = root / "error.log"
        self.config = root / "config"
        quoted = " ".join(f'"{url}"' for url in feeds)
        self.config.write_text(
            f'error-log "{self.error_log}"\n'
            "reload-threads 1\n"
            # A reader who has read a talk hears again when it changes.
            f"reset-unread-on-update {quoted}\n",
            encoding="utf-8",
        )
        self.files = ["-u", str(self.urls), "-c", str(self.cache), "-C", str(self.config)]
        home = root / "home"
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(home),
            "XDG_CONFIG_HOME": str(home / ".config"),
            "XDG_DATA_HOME": str(home / ".local/share"),
            "XDG_CACHE_HOME": str(home / ".cache"),
            "TERM": "dumb",
            "LANG": "C.UTF-8",
        }

    def _call(self, *args: str) -> str:
        done = subprocess.run(
            [self.executable, *self.files, *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        assert done.returncode == 0, f"newsboat {' '.join(args)}: {done.stderr}"
        return done.stdout

    def reload(self) -> None:
        """Fetch every feed once, as `newsboat -x reload` does from cron."""
        self._call("-x", "reload")
        errors = self.error_log.read_text(encoding="utf-8") if self.error_log.exists() else ""
        assert errors == "", f"newsboat could not read our feeds:\n{errors}"

    def mark_read(self, guids: set[str]) -> None:
        """Mark articles read through newsboat's own import of read articles."""
        read = self.cache.parent / "read.txt"
        read.write_text("".join(f"{guid}\n" for guid in sorted(guids)), encoding="utf-8")
        self._call("-I", str(read))

    def unread_count(self) -> str:
        """newsboat's own count, e.g. "1 unread articles"."""
        return self._call("-x", "print-unread").strip()

    def items(self) -> dict[str, Item]:
        """The articles in the cache by guid."""
        with sqlite3.connect(self.cache) as db:
            rows = db.execute(
                "SELECT guid, id, title, url, author, content, unread FROM rss_item"
                " WHERE deleted = 0"
            ).fetchall()
        items = {
            guid: Item(row, title, url, author, content, bool(unread))
            for guid, row, title, url, author, content, unread in rows
        }
        assert len(items) == len(rows), "newsboat holds two items with one guid"
        return items

    def feed_titles(self) -> dict[str, str]:
        """Each subscribed URL and the feed title newsboat read there."""
        with sqlite3.connect(self.cache) as db:
            return dict(db.execute("SELECT rssurl, title FROM rss_feed").fetchall())


def run(config: Path, now: str) -> None:
    assert main(["run", "--config", str(config), "--now", now, "--quiet"]) == 0


def published(path: Path) -> dict[str, tuple[str, str, list[str], str]]:
    """What our feed file says of each talk: id → (title, link, authors, HTML text)."""
    root = ET.parse(path).getroot()
    if root.tag == "rss":
        return {
            item.findtext("guid", ""): (
                item.findtext("title", ""),
                item.findtext("link", ""),
                [creator.text or "" for creator in item.iter(f"{DC}creator")],
                item.findtext("description", ""),
            )
            for item in root.iter("item")
        }
    entries = {}
    for entry in root.iter(f"{ATOM}entry"):
        link = entry.find(f"{ATOM}link")
        entries[entry.findtext(f"{ATOM}id", "")] = (
            entry.findtext(f"{ATOM}title", ""),
            "" if link is None else link.get("href", ""),
            [author.findtext(f"{ATOM}name", "") for author in entry.iter(f"{ATOM}author")],
            entry.findtext(f"{ATOM}content", ""),
        )
    return entries


@pytest.mark.parametrize("name", ["all.rss", "all.atom"])
def test_newsboat_shows_every_talk_as_our_feed_says(
    site: FixtureSite, config_file: Path, tmp_path: Path, name: str
) -> None:
    out = config_file.parent / "public"
    site.edit(
        site.detail_path(1866),
        "Cryptography for a Post-Quantum Internet</h2>",
        "CANCELLED: Cryptography for a Post-Quantum Internet</h2>",
    )
    run(config_file, NOW)
    ours = published(out / name)
    assert set(ours) == GUIDS

    with serving(out) as base:
        reader = Newsboat(tmp_path / "newsboat", [f"{base}{name}"])
        reader.reload()

    assert reader.feed_titles() == {f"{base}{name}": "All talks"}
    items = reader.items()
    assert set(items) == GUIDS
    for guid, (title, link, authors, text) in ours.items():
        assert (items[guid].title, items[guid].url, items[guid].content) == (title, link, text)
        # Every talk here has one speaker, who is its author, where newsboat showed none.
        (speaker,) = authors
        assert items[guid].author == speaker
    assert items["urn:talkfeed:nyu-cs-colloquium:1866"].title.startswith("CANCELLED: Tue, Apr 14")
    assert items["urn:talkfeed:nyu-cs-colloquium:1857"].author == "Qinghao Hu"


def test_newsboat_keeps_one_item_per_talk_and_updates_a_moved_one(
    site: FixtureSite, config_file: Path, tmp_path: Path
) -> None:
    out = config_file.parent / "public"
    run(config_file, NOW)
    with serving(out) as base:
        reader = Newsboat(tmp_path / "newsboat", [f"{base}all.rss", f"{base}all.atom"])
        reader.reload()
        first = reader.items()
        assert set(first) == GUIDS, "the RSS and Atom items of a talk are one item"
        reader.mark_read(GUIDS)

        run(config_file, "2026-03-01T10:00:00-05:00")
        reader.reload()
        assert reader.items() == {guid: item._replace(unread=False) for guid, item in first.items()}
        assert reader.unread_count() == "0 unread articles"

        for path in (site.detail_path(1875), f"{LISTING_PATH}?semester=fall_2026"):
            site.edit(path, "Oct. 6, 2026, 11:30 a.m.", "Oct. 8, 2026, 2 p.m.")
        # Real runs are minutes apart. Last-Modified counts whole seconds, and newsboat's libcurl
        # drops a 200 whose Last-Modified is no newer than the one it holds, yet stores its ETag:
        # a feed rewritten within the second of the last fetch would stay unseen.
        time.sleep(1.01 - time.time() % 1)
        run(config_file, "2026-03-02T09:00:00-05:00")
        reader.reload()
        after = reader.items()

    assert {guid: item.row for guid, item in after.items()} == {
        guid: item.row for guid, item in first.items()
    }, "the moved talk is the same item, not a new one"
    moved = after[MOVED]
    assert moved.title == (
        "Thu, Oct 8, 2026 · Formal Foundations for Smart Contract Upgrades · Oluwaseun Adeyemi"
    ), "newsboat still shows the old title"
    assert "Moved from Tuesday, October 6, 2026, 11:30 AM EDT" in moved.content
    assert "Thursday, October 8, 2026, 2:00 PM" in moved.content
    assert [guid for guid, item in after.items() if item.unread] == [MOVED]
    assert reader.unread_count() == "1 unread articles"
    for guid in GUIDS - {MOVED}:
        assert after[guid].title == first[guid].title
