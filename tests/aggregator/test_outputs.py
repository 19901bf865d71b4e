"""Publishing renders only the feeds whose inputs changed since they were written."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from aggregator.config import Config, SourceConfig
from aggregator.fetch import FetchSettings
from aggregator.model import StoredTalk
from aggregator.outputs import Output, feed_files
from aggregator.publish import FINGERPRINTS, write_changed
from scrapers import SiteParser
from tests.feeds.sample import NOW, sample_talks

SOURCES = ("csail", "nyu-cs", "tub-ml")
ALWAYS = {"changes.atom", "feeds.opml", "index.html"}
"""Rendered every run: they depend on "now" beyond which talks they hold."""


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
    return set(rendered) - ALWAYS


def test_nothing_changed_renders_no_feed(publish: Publisher) -> None:
    talks = sample_talks()
    first = publish(talks)
    assert "all.ics" in first and "sites/tub-ml.rss" in first
    assert len(_feeds(publish.rendered)) == 3 * (1 + len(SOURCES))
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

    expected = {
        f"{feed}.{ext}" for feed in ("all", "sites/tub-ml") for ext in ("rss", "atom", "ics")
    }
    assert _feeds(publish.rendered) == expected
    assert set(written) - ALWAYS == expected
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
    assert len(_feeds(publish.rendered)) == 3 * (1 + len(SOURCES))


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
        st.model_copy(update={"last_seen": NOW + timedelta(days=3), "change_count": 7})
        for st in talks
    ]

    def rendered(chosen: list[StoredTalk]) -> dict[str, bytes]:
        outputs = feed_files(_config(tmp_path), SITES, chosen, chosen, [], NOW)
        return {output.name: output.render() for output in outputs}

    assert rendered(later) == rendered(talks)
