"""A talk's life across runs: moved, cancelled by a notice, vanished and back; feed windows,
named feeds and refresh hints; `talkfeed history`."""

from __future__ import annotations

import re
from pathlib import Path

import feedparser
import pytest
from icalendar import Calendar, Event

from aggregator.cli import main
from tests.conftest import LISTING_PATH, FixtureSite

FALL = f"{LISTING_PATH}?semester=fall_2026"
ITEM_1875 = re.compile(r'<li class="colloq-item">\s*<div class="colloq-date">Oct\. 6.*?</li>', re.S)


def run(config: Path, now: str) -> int:
    return main(["run", "--config", str(config), "--now", now, "--quiet"])


def events(out: Path, name: str = "all") -> dict[str, Event]:
    calendar = Calendar.from_ical((out / f"{name}.ics").read_bytes())
    return {str(e.uid).removesuffix("@talkfeed"): e for e in calendar.events}


def rss(out: Path, name: str = "all") -> dict[str, feedparser.FeedParserDict]:
    parsed = feedparser.parse((out / f"{name}.rss").read_bytes())
    assert not parsed.bozo
    return {e.id.removeprefix("urn:talkfeed:"): e for e in parsed.entries}


def changes(out: Path) -> list[str]:
    parsed = feedparser.parse((out / "changes.atom").read_bytes())
    assert not parsed.bozo
    return [e.title for e in parsed.entries]


def test_a_moved_talk_keeps_its_id_and_says_where_it_was(
    site: FixtureSite, config_file: Path
) -> None:
    out = config_file.parent / "public"
    assert run(config_file, "2026-03-01T09:00:00-05:00") == 0
    for path in (site.detail_path(1875), FALL):
        site.edit(path, "Oct. 6, 2026, 11:30 a.m.", "Oct. 8, 2026, 2 p.m.")
    assert run(config_file, "2026-03-02T09:00:00-05:00") == 0

    event = events(out)["nyu-cs-colloquium:1875"]
    assert event.sequence == 1
    assert "Moved from Tuesday, October 6, 2026, 11:30 AM EDT" in str(event.description)
    entry = rss(out)["nyu-cs-colloquium:1875"]
    assert "Moved from Tuesday, October 6, 2026, 11:30 AM EDT" in entry.summary
    atom = feedparser.parse((out / "all.atom").read_bytes())
    (moved,) = [e for e in atom.entries if e.id.endswith(":1875")]
    assert moved.updated_parsed > moved.published_parsed
    titles = changes(out)
    assert titles[0] == (
        "Moved: Thu, Oct 8, 2026 · Formal Foundations for Smart Contract Upgrades"
        " · Oluwaseun Adeyemi (was Tue, Oct 6, 2026, 11:30 AM EDT)"
    )
    assert sum(t.startswith("New: ") for t in titles) == 8


def test_a_notice_in_the_page_cancels_the_talk_with_the_configured_prefix(
    site: FixtureSite, config_file: Path
) -> None:
    out = config_file.parent / "public"
    config_file.write_text(
        config_file.read_text(encoding="utf-8").replace(
            "[publish]", '[publish]\ncancel_prefix = "[CANCELED] "'
        ),
        encoding="utf-8",
    )
    site.edit(
        site.detail_path(1866),
        '<h3 class="colloq-heading">Synopsis:</h3>',
        '<h3 class="colloq-heading">Notes:</h3><p>This talk has been cancelled.</p>'
        '<h3 class="colloq-heading">Synopsis:</h3>',
    )
    assert run(config_file, "2026-03-01T09:00:00-05:00") == 0
    event = events(out)["nyu-cs-colloquium:1866"]
    assert event.status == "CANCELLED"
    assert str(event.summary).startswith("[CANCELED] Cryptography for a Post-Quantum Internet")
    assert rss(out)["nyu-cs-colloquium:1866"].title.startswith("[CANCELED] ")


def test_a_vanished_talk_turns_tentative_then_cancelled_and_comes_back(
    site: FixtureSite, config_file: Path
) -> None:
    out = config_file.parent / "public"
    assert run(config_file, "2026-03-01T09:00:00-05:00") == 0
    listing = site.pages[FALL]
    site.pages[FALL] = ITEM_1875.sub("", listing)
    assert "1875" not in site.pages[FALL]
    site.status[site.detail_path(1875)] = 404

    statuses = []
    for day in (2, 3, 4):
        assert run(config_file, f"2026-03-0{day}T09:00:00-05:00") == 0
        statuses.append(str(events(out)["nyu-cs-colloquium:1875"].status))
    assert statuses == ["TENTATIVE", "TENTATIVE", "CANCELLED"]
    assert events(out)["nyu-cs-colloquium:1875"].sequence == 2

    site.pages[FALL] = listing
    del site.status[site.detail_path(1875)]
    assert run(config_file, "2026-03-05T09:00:00-05:00") == 0
    back = events(out)["nyu-cs-colloquium:1875"]
    assert back.status == "CONFIRMED"
    assert back.sequence == 3
    titles = changes(out)
    assert any(t.startswith("Cancelled: ") for t in titles)
    assert titles[0].startswith("Restored: ")


def test_a_failing_source_and_past_talks_are_never_marked_missing(
    site: FixtureSite, config_file: Path
) -> None:
    out = config_file.parent / "public"
    assert run(config_file, "2026-03-01T09:00:00-05:00") == 0
    site.status[FALL] = 503
    assert run(config_file, "2026-03-02T09:00:00-05:00") == 1
    assert events(out)["nyu-cs-colloquium:1875"].status == "CONFIRMED"
    del site.status[FALL]
    # A past talk dropped from the listing is simply over.
    site.edit(LISTING_PATH, '<a href="/dynamic/news/colloquium/1841/">', '<a href="/elsewhere/">')
    assert run(config_file, "2026-03-03T09:00:00-05:00") == 0
    assert events(out)["nyu-cs-colloquium:1841"].status == "CONFIRMED"


def test_windows_are_per_format_and_per_feed(site: FixtureSite, config_file: Path) -> None:
    out = config_file.parent / "public"
    config_file.write_text(
        config_file.read_text(encoding="utf-8").replace(
            "rss_days_back = 400", "rss_days_back = 30\nical_days_back = 20"
        )
        + '\n[[feeds]]\nname = "everything"\ntitle = "Everything"\nrss_days_back = 400\n',
        encoding="utf-8",
    )
    assert run(config_file, "2026-03-01T09:00:00-05:00") == 0
    # 1841 is on Jan 27 (33 days back), 1849 on Feb 10 (19 days), 1852 on Feb 24.
    assert "nyu-cs-colloquium:1841" not in rss(out)
    assert "nyu-cs-colloquium:1849" in rss(out)
    assert "nyu-cs-colloquium:1849" in events(out)
    assert "nyu-cs-colloquium:1841" not in events(out)
    assert "nyu-cs-colloquium:1875" in events(out), "everything ahead stays"
    assert "nyu-cs-colloquium:1841" in rss(out, "feeds/everything")


def test_named_feeds_filter_the_same_way_in_every_format(
    site: FixtureSite, config_file: Path
) -> None:
    out = config_file.parent / "public"
    config_file.write_text(
        config_file.read_text(encoding="utf-8")
        + '\n[[feeds]]\nname = "systems"\ntitle = "Systems talks"\n'
        'keywords = ["systems", "kernels"]\nexclude = ["reinforcement"]\n'
        '\n[[feeds]]\nname = "crypto"\ntitle = "Cryptography"\nkeywords = ["cryptography"]\n'
        'sources = ["nyu-cs-colloquium"]\n',
        encoding="utf-8",
    )
    assert run(config_file, "2026-03-01T09:00:00-05:00") == 0
    crypto = set(rss(out, "feeds/crypto"))
    assert crypto == {"nyu-cs-colloquium:1866"}
    assert set(events(out, "feeds/crypto")) == crypto
    systems = set(rss(out, "feeds/systems"))
    assert "nyu-cs-colloquium:1872" in systems
    # 1857's abstract mentions reinforcement learning: excluded everywhere.
    assert "nyu-cs-colloquium:1857" not in systems
    atom = feedparser.parse((out / "feeds/systems.atom").read_bytes())
    assert {e.id.removeprefix("urn:talkfeed:") for e in atom.entries} == systems
    assert set(events(out, "feeds/systems")) == systems
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="feeds/systems.ics"' in index and "Systems talks" in index


def test_every_feed_carries_refresh_hints(site: FixtureSite, config_file: Path) -> None:
    out = config_file.parent / "public"
    config_file.write_text(
        config_file.read_text(encoding="utf-8").replace("[publish]", "[publish]\nttl_minutes = 90"),
        encoding="utf-8",
    )
    assert run(config_file, "2026-03-01T09:00:00-05:00") == 0
    assert feedparser.parse((out / "all.rss").read_bytes()).feed.ttl == "90"
    calendar = Calendar.from_ical((out / "sites/nyu-cs-colloquium.ics").read_bytes())
    raw = (out / "sites/nyu-cs-colloquium.ics").read_bytes()
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H30M\r\n" in raw
    assert b"X-PUBLISHED-TTL:PT1H30M\r\n" in raw
    assert str(calendar["REFRESH-INTERVAL"].params["VALUE"]) == "DURATION"


def test_history_prints_every_change(
    site: FixtureSite, config_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(config_file, "2026-03-01T09:00:00-05:00") == 0
    site.edit(site.detail_path(1875), "60 Fifth Avenue 150", "Warren Weaver Hall 109")
    assert run(config_file, "2026-03-02T09:00:00-05:00") == 0
    capsys.readouterr()
    assert main(["history", "nyu-cs-colloquium:1875", "--config", str(config_file)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("2026-03-01") and lines[0].endswith("new")
    assert any(
        'location: "60 Fifth Avenue 150" -> "Warren Weaver Hall 109"' in line for line in lines
    )
    assert main(["history", "nyu-cs-colloquium:9999", "--config", str(config_file)]) == 1


def test_a_tentative_talk_whose_time_passes_is_cancelled(
    site: FixtureSite, config_file: Path
) -> None:
    out = config_file.parent / "public"
    assert run(config_file, "2026-10-01T09:00:00-04:00") == 0
    site.pages[FALL] = ITEM_1875.sub("", site.pages[FALL])
    site.status[site.detail_path(1875)] = 404
    assert run(config_file, "2026-10-02T09:00:00-04:00") == 0
    assert events(out)["nyu-cs-colloquium:1875"].status == "TENTATIVE"
    # The talk was due on Oct. 6; a week later it still is not listed: it did not happen.
    assert run(config_file, "2026-10-13T09:00:00-04:00") == 0
    assert events(out)["nyu-cs-colloquium:1875"].status == "CANCELLED"
