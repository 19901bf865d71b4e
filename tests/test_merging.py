"""Two sources listing some of the same talks: one entry per real talk in the combined feeds,
each source's own records in its own feed, stable ids, and the operator's overrides."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import feedparser
import pytest
from icalendar import Calendar, Event

from aggregator.cli import main
from tests.conftest import FixtureSite
from tests.fixture_pages import FIXTURES

NOW = "2026-03-01T09:00:00-05:00"
COURANT = (FIXTURES / "_merge" / "courant.ics").read_text(encoding="utf-8")
NYU_TALKS = 8


def with_courant(site: FixtureSite, config_file: Path, extra: str = "") -> None:
    site.pages["/courant/events.ics"] = COURANT
    site.content_types["/courant/events.ics"] = "text/calendar"
    config_file.write_text(
        config_file.read_text(encoding="utf-8")
        + f"""
[[sources]]
kind = "ical"
id = "courant-events"
name = "Courant Institute Events"
url = "{site.server.url_for("/courant/events.ics")}"
timezone = "America/New_York"
{extra}""",
        encoding="utf-8",
    )


def run(config: Path, now: str = NOW) -> int:
    return main(["run", "--config", str(config), "--now", now, "--quiet"])


def events(out: Path, name: str = "all") -> dict[str, Event]:
    calendar = Calendar.from_ical((out / f"{name}.ics").read_bytes())
    return {str(e.uid): e for e in calendar.events}


def by_summary(out: Path, start: str) -> list[Event]:
    return [e for e in events(out).values() if str(e.summary).startswith(start)]


def test_the_same_talk_from_two_sources_is_one_entry(
    site: FixtureSite, config_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = config_file.parent / "public"
    assert run(config_file) == 0
    first_ids = set(events(out))
    assert len(first_ids) == NYU_TALKS

    with_courant(site, config_file)
    assert run(config_file, "2026-03-02T09:00:00-05:00") == 0
    merged = events(out)
    # 7001 and 7002 are NYU's 1857 and 1861; 7003 and 7004 are other talks.
    assert len(merged) == NYU_TALKS + 2
    assert first_ids <= set(merged), "the merged talks keep the ids they had before"
    (ml,) = by_summary(out, "Building Efficient and Scalable Machine Learning Systems")
    assert str(ml.uid) == "nyu-cs-colloquium:1857@talkfeed"
    description = str(ml.description)
    assert "/dynamic/news/colloquium/1857/" in description
    assert "https://cims.nyu.edu/events/7001" in description
    # The exact end from the calendar beats the colloquium's default hour.
    assert ml.end == datetime.fromisoformat("2026-03-10T15:15:00-04:00")
    # The richest abstract is the colloquium's.
    assert "The rapid evolution of foundation models" in description
    (robots,) = by_summary(out, "Robots That Ask for Help —")
    assert str(robots.uid) == "nyu-cs-colloquium:1861@talkfeed"
    assert len(by_summary(out, "Robots That Ask for Help (repeat")) == 1, "another day"
    assert len(by_summary(out, "Numerical Linear Algebra on GPUs")) == 1, "another room"
    assert len(by_summary(out, "Sparse Attention Kernels")) == 1

    capsys.readouterr()
    assert main(["history", "nyu-cs-colloquium:1857", "--config", str(config_file)]) == 0
    history = capsys.readouterr().out.splitlines()
    courant_line = next(line for line in history if line.startswith("from courant-events: "))
    assert "end" in courant_line
    assert any(
        line.startswith("from nyu-cs-colloquium: ") and "abstract" in line for line in history
    )

    rss = feedparser.parse((out / "all.rss").read_bytes())
    assert len(rss.entries) == len(merged)
    categories = {t.term for e in rss.entries if "1857" in e.id for t in e.tags}
    assert categories == {"NYU Computer Science Colloquium", "Courant Institute Events"}

    # Each source's feed still shows its own record.
    assert len(events(out, "sites/nyu-cs-colloquium")) == NYU_TALKS
    own = events(out, "sites/courant-events")
    assert len(own) == 4
    assert any(str(e.summary).startswith("Building efficient & scalable") for e in own.values())

    # The second source going away does not change the ids either.
    config_file.write_text(
        config_file.read_text(encoding="utf-8").split("\n[[sources]]\nkind")[0], encoding="utf-8"
    )
    assert run(config_file, "2026-03-03T09:00:00-05:00") == 0
    # The removed source's own talks leave the feeds; the merged ones keep their ids.
    assert set(events(out)) == first_ids


def test_overrides_keep_apart_and_force_together(site: FixtureSite, config_file: Path) -> None:
    out = config_file.parent / "public"
    with_courant(site, config_file)
    assert run(config_file) == 0
    courant = {
        str(e.summary).split(" — ")[0]: str(e.uid).removesuffix("@talkfeed")
        for e in events(out, "sites/courant-events").values()
    }
    colloquium, gpus = courant["CS Colloquium"], courant["Numerical Linear Algebra on GPUs"]
    assert len(by_summary(out, "Robots That Ask for Help —")) == 1
    text = config_file.read_text(encoding="utf-8")
    config_file.write_text(
        text.replace(
            "[fetch]",
            f'[merge]\napart = [["nyu-cs-colloquium:1861", "{colloquium}"]]\n'
            f'together = [["nyu-cs-colloquium:1872", "{gpus}"]]\n[fetch]',
        ),
        encoding="utf-8",
    )
    assert run(config_file, "2026-03-02T09:00:00-05:00") == 0
    assert len(by_summary(out, "CS Colloquium")) == 1, "kept apart by the operator"
    assert not by_summary(out, "Numerical Linear Algebra"), "merged by the operator"
    (kernels,) = by_summary(out, "Sparse Attention Kernels")
    assert "https://cims.nyu.edu/events/7003" in str(kernels.description)
