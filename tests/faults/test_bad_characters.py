"""Characters no feed can carry, in every kind of source at once: a lone surrogate in JSON-LD
(legal JSON, "\\ud800"), and control characters XML forbids in an HTML page and an iCal feed.
They once made the store raise and the run end with nothing published; now each is cleaned
where the page's text becomes a record, and the run publishes every source."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import feedparser
import pytest
from lxml import etree

from aggregator.cli import main
from tests.faults import CALENDAR_PATH, NOW, NYU_TALKS, FaultySite, nyu_uid, published

EVENTS_PATH = "/events/"
EVENTS_ID = "evil-events"
# JSON escapes, written out as the page has them: json.loads makes lone surrogates of them.
EVENTS = r"""[
  {"@context": "https://schema.org", "@type": "Event",
   "name": "Broken \ud800 title\u0001",
   "startDate": "2026-03-10T14:00:00-05:00",
   "url": "https://evil.example.edu/talks/\udfff1",
   "description": "<p>Half a \ud83d character.\u000bNext line.</p>",
   "location": {"@type": "Place", "name": "Room \udc00 5\u001b"},
   "performer": {"@type": "Person", "name": "Ann \ud800Lee"}},
  {"@context": "https://schema.org", "@type": "Event",
   "name": "A whole \ud83d\ude00 title",
   "startDate": "2026-03-11T14:00:00-05:00",
   "url": "https://evil.example.edu/talks/2"}
]"""
PAGE = f"""<!DOCTYPE html>
<html><head><title>Events</title>
<script type="application/ld+json">{EVENTS}</script></head>
<body><h1>Events</h1></body></html>
"""
# XML 1.0 forbids these, and pages and feeds still carry them.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
SURROGATE = re.compile("[\ud800-\udfff]")


@pytest.fixture
def every_kind(faulty: FaultySite, config: Path) -> Path:
    """The NYU pages, the iCal feed and a JSON-LD page, each with characters no feed can hold."""
    faulty.pages[EVENTS_PATH] = PAGE
    faulty.edit(faulty.detail_path(1857), "The rapid evolution", "The rapid\x07 evolution\x00")
    faulty.edit(CALENDAR_PATH, "Random Matrices", "Random\x1b Matrices\x08")
    block = f"""
[[sources]]
kind = "jsonld"
id = "{EVENTS_ID}"
name = "Evil Events"
url = "{faulty.server.url_for(EVENTS_PATH)}"
timezone = "America/New_York"
"""
    config.write_text(config.read_text(encoding="utf-8") + block, encoding="utf-8")
    return config


def test_no_bad_character_stops_a_run_or_reaches_a_feed(every_kind: Path) -> None:
    out = every_kind.parent / "public"

    assert main(["run", "--config", str(every_kind), "--now", NOW, "--quiet"]) == 0

    feeds = published(out)  # every feed parses back
    assert feeds.uids() >= {nyu_uid(talk) for talk in NYU_TALKS}
    assert len(feeds.uids(f"sites/{EVENTS_ID}.ics")) == 2
    for path in sorted(out.rglob("*")):
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            assert not CONTROL.search(text), path.name
            if path.suffix in (".rss", ".atom"):
                etree.fromstring(path.read_bytes())
                assert not feedparser.parse(path.read_bytes()).bozo, path.name
    rss = feedparser.parse((out / f"sites/{EVENTS_ID}.rss").read_bytes())
    titles = " | ".join(entry.title for entry in rss.entries)
    # Half a character is shown as the replacement character; a whole pair as what it encodes.
    assert "Broken \ufffd title" in titles and "A whole \U0001f600 title" in titles
    all_text = (out / "all.ics").read_text(encoding="utf-8")
    assert "Random Matrices" in all_text and "Room \ufffd 5" in all_text
    health = json.loads((out / "health.json").read_text(encoding="utf-8"))
    assert {source["status"] for source in health["sources"]} == {"ok"}


def test_no_bad_character_reaches_the_store(every_kind: Path) -> None:
    assert main(["run", "--config", str(every_kind), "--now", NOW, "--quiet"]) == 0

    with sqlite3.connect(every_kind.parent / "talkfeed.db") as connection:
        records = dict(connection.execute("SELECT id, record FROM talks").fetchall())
    connection.close()
    for talk_id, record in records.items():
        talk = json.loads(record)
        text = json.dumps(talk, ensure_ascii=False)
        assert not CONTROL.search(text) and not SURROGATE.search(text), talk_id
    evil = [json.loads(r) for i, r in records.items() if i.startswith(EVENTS_ID)]
    assert {talk["url"] for talk in evil} == {
        "https://evil.example.edu/talks/\ufffd1",
        "https://evil.example.edu/talks/2",
    }
    broken = next(talk for talk in evil if talk["title"].startswith("Broken"))
    assert broken["speakers"] == [{"name": "Ann \ufffdLee", "affiliation": None}]
    # In HTML a line break is a space, and so is the vertical tab that stood for one.
    assert broken["abstract"] == "Half a \ufffd character. Next line."


def test_parse_prints_a_page_with_bad_characters(
    every_kind: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = tmp_path / "events.html"
    page.write_text(PAGE, encoding="utf-8")

    code = main(["parse", EVENTS_ID, str(page), "--config", str(every_kind)])

    assert code == 0
    records = json.loads(capsys.readouterr().out)
    assert [record["title"] for record in records] == [
        "Broken \ufffd title",
        "A whole \U0001f600 title",
    ]
