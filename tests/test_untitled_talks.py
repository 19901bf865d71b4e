"""Talks announced before their title, through the real pipeline: run 1 finds only a speaker
("TBA" where the title goes), run 2 finds the title. Every output names the talk "Talk by …"
first, then updates the same entry. Talks without a page of their own have no link anywhere."""

from __future__ import annotations

import calendar
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import feedparser
import pytest
from bs4 import BeautifulSoup
from icalendar import Calendar, Event
from pytest_httpserver import HTTPServer
from werkzeug import Response

from aggregator import pipeline
from aggregator.cli import main
from aggregator.config import Config, SourceConfig
from aggregator.fetching.fetch import FetchSettings
from scrapers import Link, Page, SiteParser, SpeakerDraft, TalkDraft
from tests.conftest import LISTING_PATH, FixtureSite

FALL = f"{LISTING_PATH}?semester=fall_2026"
TITLE = "Formal Foundations for Smart Contract Upgrades"
TALK = "nyu-cs-colloquium:1875"
RUN_1 = "2026-03-01T09:00:00-05:00"
RUN_2 = "2026-03-02T09:00:00-05:00"
SERIES = "Theory Lunch"


def run(config: Path, now: str) -> None:
    assert main(["run", "--config", str(config), "--now", now, "--quiet"]) == 0


def event(out: Path) -> Event:
    parsed = Calendar.from_ical((out / "all.ics").read_bytes())
    (found,) = [e for e in parsed.events if str(e["UID"]) == f"{TALK}@talkfeed"]
    return found


def entry(out: Path, name: str) -> Any:
    parsed = feedparser.parse((out / name).read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    (found,) = [e for e in parsed.entries if e.id == f"urn:talkfeed:{TALK}"]
    return found


def instant(parsed_time: Any) -> datetime:
    return datetime.fromtimestamp(calendar.timegm(parsed_time), UTC)


def heading(out: Path) -> str:
    page = BeautifulSoup((out / "index.html").read_text(encoding="utf-8"), "lxml")
    link = page.select_one('li.talk h4 a[href$="/colloquium/1875/"]')
    assert link is not None
    return link.get_text()


def test_a_title_that_appears_in_a_later_run_updates_the_same_entry(
    site: FixtureSite, config_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = config_file.parent / "public"
    site.edit(site.detail_path(1875), f"{TITLE}</h2>", "TBA</h2>")
    site.edit(FALL, f"{TITLE}</a>", "TBA</a>")
    run(config_file, RUN_1)

    first = event(out)
    assert str(first["SUMMARY"]) == "Talk by Oluwaseun Adeyemi"
    assert first["SEQUENCE"] == 0
    assert str(first["URL"]).endswith("/dynamic/news/colloquium/1875/")
    rss = entry(out, "all.rss")
    assert rss.title == "Tue, Oct 6, 2026 · Talk by Oluwaseun Adeyemi"
    atom = entry(out, "all.atom")
    assert atom.updated_parsed == atom.published_parsed
    assert heading(out) == "Talk by Oluwaseun Adeyemi"
    news = feedparser.parse((out / "changes.atom").read_bytes()).entries
    assert "New: Tue, Oct 6, 2026 · Talk by Oluwaseun Adeyemi" in [e.title for e in news]

    site.pages = {path: page.replace("TBA</", f"{TITLE}</") for path, page in site.pages.items()}
    run(config_file, RUN_2)

    second = event(out)
    assert str(second["SUMMARY"]) == f"{TITLE} — Oluwaseun Adeyemi"
    assert second["SEQUENCE"] == 1
    assert second.decoded("LAST-MODIFIED") == datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
    assert entry(out, "all.rss").title == f"Tue, Oct 6, 2026 · {TITLE} · Oluwaseun Adeyemi"
    atom = entry(out, "all.atom")
    assert atom.title == f"Tue, Oct 6, 2026 · {TITLE} · Oluwaseun Adeyemi"
    assert instant(atom.published_parsed) == datetime(2026, 3, 1, 14, 0, tzinfo=UTC)
    assert instant(atom.updated_parsed) == datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
    assert heading(out) == TITLE

    capsys.readouterr()
    assert main(["history", TALK, "--config", str(config_file)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split("  ", 1)[1] for line in lines] == [
        "new",
        f'changed  title: (none) -> "{TITLE}"',
    ]
    assert lines[1].startswith("2026-03-02 09:00 ")


class SpeakerSchedule(SiteParser):
    """A series page of "9/1: Speaker" or "9/1: Speaker: Title" lines, with no page per talk:
    each talk's key is its date, the series meeting once a day."""

    id = "theory-lunch"
    name = SERIES
    start_urls = ("https://lunch.example.edu/",)
    timezone = "America/New_York"

    def listing(self, page: Page) -> list[Link]:
        links = []
        for item in page.soup.find_all("li"):
            day, speaker, *title = item.get_text().split(": ")
            month, date = (int(part) for part in day.split("/"))
            draft = TalkDraft(
                "",
                title=title[0] if title else None,
                speakers=[SpeakerDraft(speaker)],
                start=datetime(2026, month, date, 12, 0, tzinfo=self.zone),
                key=f"2026-{month:02d}-{date:02d}",
            )
            links.append(Link(draft.url, "talk", draft, complete=True))
        return links


def schedule(*lines: str) -> str:
    return "<ul>" + "".join(f"<li>{line}</li>" for line in lines) + "</ul>"


def test_talks_without_a_page_or_title_through_two_runs(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    page = {"html": schedule("9/1: Jon Schneider", "9/8: TBA")}
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    httpserver.expect_request("/lunch/").respond_with_handler(
        lambda _: Response(page["html"], content_type="text/html")
    )
    out = tmp_path / "public"
    config = Config(
        out=out,
        db=tmp_path / "talkfeed.db",
        base_url=None,
        fetch=FetchSettings(delay=0.0, retries=0),
        sources=(SourceConfig("theory-lunch", url=httpserver.url_for("/lunch/")),),
        path=None,
    )
    sites = {"theory-lunch": SpeakerSchedule()}
    first = pipeline.run(config, sites, now=datetime(2026, 8, 20, 9, 0, tzinfo=UTC))
    assert first.exit_code == 0, first.sources

    # No speaker is known for 9/8 ("TBA" is none): the series' name stands in.
    ids = {"theory-lunch:2026-09-01": "Talk by Jon Schneider", "theory-lunch:2026-09-08": SERIES}
    parsed = Calendar.from_ical((out / "all.ics").read_bytes())
    events = {str(e["UID"]).removesuffix("@talkfeed"): e for e in parsed.events}
    assert {i: str(e["SUMMARY"]) for i, e in events.items()} == ids
    assert not any("URL" in e for e in events.values())
    for name in ("all.rss", "all.atom", "sites/theory-lunch.rss", "changes.atom"):
        feed = feedparser.parse((out / name).read_bytes())
        assert not feed.bozo, (name, feed.get("bozo_exception"))
        # feedparser offers an Atom entry's id as its `link` when it has none: look at `links`.
        assert [e.get("links", []) for e in feed.entries] == [[], []], name
    rss = feedparser.parse((out / "all.rss").read_bytes())
    assert not any("link" in e for e in rss.entries)
    assert {e.id.removeprefix("urn:talkfeed:"): e.title for e in rss.entries} == {
        "theory-lunch:2026-09-01": "Tue, Sep 1, 2026 · Talk by Jon Schneider",
        "theory-lunch:2026-09-08": f"Tue, Sep 8, 2026 · {SERIES}",
    }
    index = BeautifulSoup((out / "index.html").read_text(encoding="utf-8"), "lxml")
    assert [h.get_text() for h in index.select("li.talk h4")] == list(ids.values())
    assert index.select("li.talk h4 a") == []

    page["html"] = schedule(
        "9/1: Jon Schneider: Online Learning with Lattices", "9/8: Ada Lovelace"
    )
    second = pipeline.run(config, sites, now=datetime(2026, 8, 21, 9, 0, tzinfo=UTC))
    assert (second.exit_code, second.new, second.changed) == (0, 0, 2)
    parsed = Calendar.from_ical((out / "all.ics").read_bytes())
    events = {str(e["UID"]).removesuffix("@talkfeed"): e for e in parsed.events}
    assert {i: (str(e["SUMMARY"]), e["SEQUENCE"]) for i, e in events.items()} == {
        "theory-lunch:2026-09-01": ("Online Learning with Lattices — Jon Schneider", 1),
        "theory-lunch:2026-09-08": ("Talk by Ada Lovelace", 1),
    }
