"""feedparser and icalendar, the parsers most Python subscribers use, read every feed a run writes
without a complaint: all.*, sites/*, feeds/*, changes.atom and each talk's own talks/*.ics; every
JSON Feed keeps the JSON Feed 1.1 rules."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import feedparser
from icalendar import Calendar

from aggregator.cli import main
from tests.conftest import LISTING_PATH, FixtureSite
from tests.feeds.jsonfeed_rules import jsonfeed_problems

NAMED_FEEDS = """
[[feeds]]
name = "crypto"
title = "Cryptography"
keywords = ["cryptography"]

[[feeds]]
name = "everything"
title = "Everything"
"""


def run(config: Path, now: str) -> None:
    assert main(["run", "--config", str(config), "--now", now, "--quiet"]) == 0


def feed_problems(path: Path) -> list[str]:
    """What feedparser finds wrong with an RSS or Atom file."""
    parsed = feedparser.parse(path.read_bytes())
    problems = []
    if parsed.bozo:
        problems.append(f"bozo: {parsed.bozo_exception!r}")
    if parsed.version not in ("rss20", "atom10"):
        problems.append(f"read as {parsed.version!r}")
    if not parsed.entries:
        problems.append("no entries")
    return problems


def json_feed_problems(path: Path) -> list[str]:
    """What breaks the JSON Feed 1.1 rules in a `.feed.json` file, or that it holds no item."""
    feed = json.loads(path.read_bytes())
    problems = jsonfeed_problems(feed)
    if not feed.get("items"):
        problems.append("no items")
    return problems


def calendar_problems(path: Path) -> list[str]:
    """What icalendar warns about or could not parse in an iCal file, and events lacking a
    property every calendar needs."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        calendar = Calendar.from_ical(path.read_bytes())
    problems = [f"warning: {w.category.__name__}: {w.message}" for w in caught]
    problems += [f"{c.name}: {error}" for c in calendar.walk() for error in c.errors]
    if not calendar.events:
        problems.append("no events")
    for event in calendar.events:
        missing = [key for key in ("UID", "DTSTART", "DTSTAMP") if key not in event]
        if missing:
            problems.append(f"{event.get('UID', 'an event')} lacks {', '.join(missing)}")
    return problems


def test_every_feed_a_run_writes_parses_cleanly(site: FixtureSite, config_file: Path) -> None:
    out = config_file.parent / "public"
    config_file.write_text(config_file.read_text(encoding="utf-8") + NAMED_FEEDS, encoding="utf-8")
    site.edit(
        site.detail_path(1866),
        "Cryptography for a Post-Quantum Internet</h2>",
        "CANCELLED: Cryptography for a Post-Quantum Internet</h2>",
    )
    run(config_file, "2026-03-01T09:00:00-05:00")
    # A second run with a moved talk puts a second kind of entry into changes.atom.
    for path in (site.detail_path(1875), f"{LISTING_PATH}?semester=fall_2026"):
        site.edit(path, "Oct. 6, 2026, 11:30 a.m.", "Oct. 8, 2026, 2 p.m.")
    run(config_file, "2026-03-02T09:00:00-05:00")

    written = {
        str(p.relative_to(out))
        for p in out.rglob("*")
        if p.suffix in (".rss", ".atom", ".ics") or p.name.endswith(".feed.json")
    }
    # The talks still ahead on the second run, each in a file of its own.
    upcoming = {f"talks/nyu-cs-colloquium/{talk}.ics" for talk in (1857, 1861, 1872, 1875)}
    assert (
        written
        == {
            f"{stem}.{ext}"
            for stem in ("all", "sites/nyu-cs-colloquium", "feeds/crypto", "feeds/everything")
            for ext in ("rss", "atom", "feed.json", "ics")
        }
        | {"changes.atom"}
        | upcoming
    )
    checks = {".ics": calendar_problems, ".json": json_feed_problems}
    problems = {
        name: checks.get(Path(name).suffix, feed_problems)(out / name) for name in sorted(written)
    }
    assert {name: found for name, found in problems.items() if found} == {}
