"""The changes feed made from the store reads the talks of only the entries it shows, and is
the feed made from every change and every talk, byte for byte."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from aggregator.config import Config, SourceConfig
from aggregator.fetching.fetch import FetchSettings
from aggregator.model import Change, SourceLink, Speaker, Status, StoredTalk, Talk
from aggregator.publishing.outputs import InMemory, Stored, holdings_files, horizon
from aggregator.store.database import Published, Store
from feeds.changes import CHANGES_ENTRIES
from scrapers import SiteParser

NY = ZoneInfo("America/New_York")
FIRST = datetime(2026, 3, 1, 9, tzinfo=NY)
SECOND = FIRST + timedelta(hours=1)
SITES = {
    "a": SiteParser.configured(
        id="a", name="A", start_urls=("https://a.example.edu/",), timezone="America/New_York"
    )
}


def _talk(n: int, **fields: object) -> Talk:
    return Talk.model_validate(
        {
            "id": f"a:{n}",
            "source": "a",
            "url": f"https://a.example.edu/talks/{n}",
            "title": f"Talk {n}",
            "speakers": [Speaker(name=f"Speaker {n}")],
            "start": FIRST + timedelta(days=1, hours=n % 200),
            "timezone": "America/New_York",
            **fields,
        }
    )


def _published(talk: Talk) -> Published:
    return Published(talk, (talk.id,), (SourceLink(source="a", name="A", url=talk.url),), {})


def _changes_feed(config: Config, store: Store, holdings: Stored | InMemory) -> bytes:
    outputs = {o.name: o for o in holdings_files(config, SITES, holdings, SECOND)}
    return outputs["changes.atom"].render()


def test_the_changes_feed_from_the_store_is_the_feed_of_every_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = Config(
        out=tmp_path / "out",
        db=tmp_path / "talkfeed.db",
        base_url="https://talks.example.edu/",
        fetch=FetchSettings(),
        sources=(SourceConfig("a"),),
        path=None,
    )
    count = CHANGES_ENTRIES + 40
    talks = [_talk(n) for n in range(count)]
    with Store(config.db) as store:
        store.publish([_published(t) for t in talks], FIRST)
        # An hour on: a few talks move, one is called off, one is dropped from the feeds.
        later = list(talks)
        for n in (3, 7, 11):
            later[n] = _talk(n, start=talks[n].start + timedelta(days=2))
        later[5] = _talk(5, status=Status.CANCELLED)
        del later[9]
        store.publish([_published(t) for t in later], SECOND)

        read: list[int] = []
        every = store.published

        def counted(**kwargs: object) -> list[StoredTalk]:
            found = every(**kwargs)  # type: ignore[arg-type]
            read.append(len(found))
            return found

        changes: list[int] = []
        feed_changes = store.feed_changes

        def changes_counted(*args: Any) -> list[Change]:
            found = feed_changes(*args)
            changes.append(len(found))
            return found

        monkeypatch.setattr(store, "published", counted)
        monkeypatch.setattr(store, "feed_changes", changes_counted)
        from_store = _changes_feed(config, store, Stored(store, horizon(config, SECOND), SECOND))
        assert max(read) <= CHANGES_ENTRIES, "only the talks of the entries shown are read"
        # The second run's three moves and one cancellation, and of the first run, which made
        # every talk new, only as many as the feed can show.
        assert len(store.changes(scope="published")) > count
        assert changes == [4 + CHANGES_ENTRIES]
        monkeypatch.undo()
        whole = InMemory([], store.published(), store.changes(scope="published"))
        assert from_store == _changes_feed(config, store, whole)
    assert from_store.count(b"<entry>") == CHANGES_ENTRIES
    assert b"Cancelled: " in from_store and b"Moved: " in from_store
