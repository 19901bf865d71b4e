"""Publishing renders only the feeds whose inputs changed since they were written; which files
a run writes, and what they share."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import feedparser
import pytest
from bs4 import BeautifulSoup
from icalendar import Calendar

from aggregator.config import Config, SourceConfig
from aggregator.fetching.fetch import FetchSettings
from aggregator.model import StoredTalk
from aggregator.publishing.entries import talk_digest
from aggregator.publishing.outputs import Output, feed_files, feed_specs, with_base_url
from aggregator.publishing.publish import FINGERPRINTS, write_changed
from feeds import FORMATS
from feeds.spec import Bodies, html_description, plain_description, source_links
from scrapers import SiteParser
from tests.feeds.jsonfeed_rules import jsonfeed_problems
from tests.feeds.sample import NOW, sample_talks

SOURCES = ("csail", "nyu-cs", "tub-ml")
ALWAYS = {"changes.atom", "index.html"}
"""Rendered every run: they depend on "now" beyond which talks they hold."""
FEEDS = len(FORMATS) * (1 + len(SOURCES)) + 1
"""Feed files in a run: every format of all.* and of each source's sites/*, and feeds.opml."""
TALK_FILES = {"talks/nyu-cs/1857.ics", "talks/tub-ml/42.ics", "talks/nyu-cs/1870.ics"}
"""The sample talks the index page offers one by one at NOW: upcoming and not called off."""


def _config(out: Path) -> Config:
    return Config(
        out=out,
        db=out / "talkfeed.db",
        base_url="https://talks.example.edu/",
        fetch=FetchSettings(),
        sources=tuple(SourceConfig(source) for source in SOURCES),
        path=None,
    )


SITES: dict[str, SiteParser] = {
    source: SiteParser.configured(
        id=source,
        name=source.upper(),
        start_urls=(f"https://{source}.example.edu/",),
        timezone="America/New_York",
    )
    for source in SOURCES
}


class Publisher:
    """Publishes talks into one directory, noting which files were rendered each time."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.rendered: list[str] = []

    def __call__(self, talks: list[StoredTalk], now: datetime = NOW) -> list[str]:
        self.rendered = []
        outputs = [
            replace(output, render=self._noting(output))
            for output in feed_files(_config(self.out), SITES, talks, talks, [], now)
        ]
        return write_changed(self.out, outputs)

    def _noting(self, output: Output) -> Callable[[], bytes]:
        def render() -> bytes:
            self.rendered.append(output.name)
            return output.render()

        return render


@pytest.fixture
def publish(tmp_path: Path) -> Publisher:
    return Publisher(tmp_path / "out")


def _feeds(rendered: list[str]) -> set[str]:
    return {name for name in rendered if not name.startswith("talks/")} - ALWAYS


def _talk_files(rendered: list[str]) -> set[str]:
    return {name for name in rendered if name.startswith("talks/")}


def test_nothing_changed_renders_no_feed(publish: Publisher) -> None:
    talks = sample_talks()
    first = publish(talks)
    assert "all.ics" in first and "sites/tub-ml.rss" in first
    assert len(_feeds(publish.rendered)) == FEEDS
    assert _talk_files(publish.rendered) == TALK_FILES
    before = {path: path.read_bytes() for path in publish.out.rglob("*") if path.is_file()}

    assert publish(talks) == []
    assert set(publish.rendered) == ALWAYS
    after = {path: path.read_bytes() for path in publish.out.rglob("*") if path.is_file()}
    assert after == before


def test_a_changed_talk_renders_only_the_feeds_that_hold_it(publish: Publisher) -> None:
    talks = sample_talks()
    publish(talks)
    berlin = next(i for i, st in enumerate(talks) if st.talk.source == "tub-ml")
    talks[berlin] = talks[berlin].model_copy(
        update={"talk": talks[berlin].talk.model_copy(update={"title": "A new title"})}
    )

    written = publish(talks)

    expected = {f"{feed}.{ext}" for feed in ("all", "sites/tub-ml") for ext in FORMATS}
    assert _feeds(publish.rendered) == expected
    assert _talk_files(publish.rendered) == {"talks/tub-ml/42.ics"}
    assert set(written) - ALWAYS == expected | {"talks/tub-ml/42.ics"}
    assert b"A new title" in (publish.out / "sites" / "tub-ml.ics").read_bytes()


def test_a_deleted_file_is_written_again(publish: Publisher) -> None:
    talks = sample_talks()
    publish(talks)
    (publish.out / "sites" / "csail.atom").unlink()

    assert publish(talks) == ["sites/csail.atom"]
    assert _feeds(publish.rendered) == {"sites/csail.atom"}


def test_a_damaged_fingerprint_file_renders_everything(publish: Publisher) -> None:
    talks = sample_talks()
    publish(talks)
    (publish.out / FINGERPRINTS).write_text("{not json")

    assert publish(talks) == []
    assert len(_feeds(publish.rendered)) == FEEDS


def test_a_talk_leaving_the_window_renders_the_feed_again(publish: Publisher) -> None:
    talks = sample_talks()
    publish(talks)

    # 40 days on, the March talks have left the RSS and Atom windows (30 days) but not iCal's.
    publish(talks, NOW + timedelta(days=40))

    assert "all.rss" in publish.rendered and "all.atom" in publish.rendered
    assert "all.ics" not in publish.rendered


def test_a_run_that_stops_halfway_leaves_the_last_set_and_its_fingerprints(
    publish: Publisher,
) -> None:
    talks = sample_talks()
    publish(talks)
    before = {path: path.read_bytes() for path in publish.out.rglob("*") if path.is_file()}
    changed = [st.model_copy(update={"sequence": st.sequence + 1}) for st in talks]
    outputs = list(feed_files(_config(publish.out), SITES, changed, changed, [], NOW))

    def broken() -> bytes:
        raise RuntimeError("killed")

    with pytest.raises(RuntimeError):
        write_changed(publish.out, [*outputs[:5], replace(outputs[5], render=broken)])

    after = {path: path.read_bytes() for path in publish.out.rglob("*") if path.is_file()}
    assert after == before, "nothing of the stopped run is published, fingerprints included"
    # Those fingerprints still describe the files: the next run renders only what changed.
    assert publish(talks) == []
    assert set(publish.rendered) == ALWAYS


def test_fields_left_out_of_fingerprints_are_shown_nowhere(tmp_path: Path) -> None:
    talks = sample_talks()
    later = [
        st.model_copy(
            update={
                "last_seen": NOW + timedelta(days=3),
                "change_count": 7,
                "provenance": {"title": "elsewhere"},
                # A talk of one source lists that source, whether it says so or not.
                "sources": source_links(st) if len(st.sources) < 2 else st.sources,
            }
        )
        for st in talks
    ]
    assert [talk_digest(st) for st in later] == [talk_digest(st) for st in talks]

    def rendered(chosen: list[StoredTalk]) -> dict[str, bytes]:
        outputs = feed_files(_config(tmp_path), SITES, chosen, chosen, [], NOW)
        return {output.name: output.render() for output in outputs}

    assert rendered(later) == rendered(talks)


def test_every_feed_in_every_format(publish: Publisher) -> None:
    written = set(publish(sample_talks()))
    for stem in ("all", *(f"sites/{source}" for source in SOURCES)):
        assert {f"{stem}.{ext}" for ext in ("rss", "atom", "feed.json", "ics")} <= written
    feed = json.loads((publish.out / "all.feed.json").read_bytes())
    assert jsonfeed_problems(feed) == []
    assert feed["feed_url"] == "https://talks.example.edu/all.feed.json"
    # The same entries as the RSS feed: same window and filter.
    rss = feedparser.parse((publish.out / "all.rss").read_bytes())
    assert [item["id"] for item in feed["items"]] == [entry.id for entry in rss.entries]


def test_a_talk_file_holds_the_feeds_event(publish: Publisher) -> None:
    publish(sample_talks())
    feed = {
        str(e.uid): e for e in Calendar.from_ical((publish.out / "all.ics").read_bytes()).events
    }
    for name in TALK_FILES:
        calendar = Calendar.from_ical((publish.out / name).read_bytes())
        (event,) = calendar.events
        # Byte for byte the event all.ics holds, UID and SEQUENCE included: a calendar that
        # imported it updates that event when it later subscribes.
        assert event.to_ical() == feed[str(event.uid)].to_ical()
        assert [tz.tz_name for tz in calendar.timezones] == [str(event["DTSTART"].params["TZID"])]
        assert "X-WR-CALNAME" not in calendar and "REFRESH-INTERVAL" not in calendar
    index = BeautifulSoup((publish.out / "index.html").read_bytes(), "lxml")
    links = {str(a["href"]) for a in index.select("li.talk p.add-talk a")}
    assert links == TALK_FILES


def test_the_combined_feed_is_described_in_one_short_sentence() -> None:
    config = _config(Path("public"))
    (combined, _), *_ = feed_specs(config, SITES, list(SOURCES))
    assert combined.description == "Every talk from all 3 sources, each listed once."
    (one, _), *_ = feed_specs(config, SITES, ["csail"])
    assert one.description == "Every talk from the one source talkfeed reads."


def test_with_base_url_gives_self_links_unless_the_config_has_one(tmp_path: Path) -> None:
    bare = replace(_config(tmp_path), base_url=None)
    served = with_base_url(bare, "http://127.0.0.1:8080")
    assert served.base_url == "http://127.0.0.1:8080/"
    configured = with_base_url(_config(tmp_path), "http://127.0.0.1:8080/")
    assert configured.base_url == "https://talks.example.edu/"
    with pytest.raises(ValueError, match="http"):
        with_base_url(bare, "file:///srv/talks/")
    talks = sample_talks()
    files = {o.name: o for o in feed_files(served, SITES, talks, talks, [], NOW)}
    rss = feedparser.parse(files["all.rss"].render())
    assert [link.href for link in rss.feed.links if link.rel == "self"] == [
        "http://127.0.0.1:8080/all.rss"
    ]
    atom = feedparser.parse(files["all.atom"].render())
    assert [link.href for link in atom.feed.links if link.rel == "self"] == [
        "http://127.0.0.1:8080/all.atom"
    ]
    assert json.loads(files["all.feed.json"].render())["feed_url"] == (
        "http://127.0.0.1:8080/all.feed.json"
    )
    index = BeautifulSoup(files["index.html"].render(), "lxml")
    add = index.select_one("li.feed a.add")
    assert add is not None and add["href"] == "webcal://127.0.0.1:8080/all.ics"
    # The fingerprints name the base URL: served and unserved renderings never pass for each other.
    plain = {o.name: o for o in feed_files(bare, SITES, talks, talks, [], NOW)}
    assert plain["all.rss"].fingerprint != files["all.rss"].fingerprint


def test_the_index_page_says_when_it_was_made(tmp_path: Path) -> None:
    talks = sample_talks()

    def updated(made: datetime | None) -> str:
        outputs = feed_files(_config(tmp_path), SITES, talks, talks, [], NOW, made)
        (index,) = (o for o in outputs if o.name == "index.html")
        line = BeautifulSoup(index.render(), "lxml").select_one("p.updated")
        assert line is not None
        return line.get_text()

    assert updated(None) == "Updated 2026-03-10 18:30 UTC."
    assert updated(datetime(2026, 12, 2, 14, 5, 31, tzinfo=UTC)) == (
        "Updated 2026-12-02 14:05 UTC, with the talks as of 2026-03-10 18:30 UTC."
    )


def test_bodies_shared_across_files_are_each_files_own(tmp_path: Path) -> None:
    """Every file rendered in one run, sharing its talks' bodies, is the file rendered alone."""
    records = sample_talks()
    # The combined feeds' record of a talk may say another thing than its source's own.
    edited = records[0].talk.model_copy(update={"abstract": "Another abstract."})
    combined = [records[0].model_copy(update={"talk": edited}), *records[1:]]

    def outputs() -> list[Output]:
        return list(feed_files(_config(tmp_path), SITES, records, combined, [], NOW))

    together = {output.name: output.render() for output in outputs()}
    for number, name in enumerate(together):
        assert outputs()[number].render() == together[name], name
    assert b"Another abstract." in together["all.rss"]
    assert b"Another abstract." not in together[f"sites/{records[0].talk.source}.rss"]


def test_a_talks_body_is_made_once() -> None:
    (st, *_) = sample_talks()
    bodies = Bodies()
    assert bodies.html(st) == html_description(st)
    assert bodies.html(st) is bodies.html(st)
    assert bodies.plain(st) == plain_description(st)
    assert bodies.plain(st) is bodies.plain(st)
