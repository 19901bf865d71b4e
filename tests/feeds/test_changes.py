"""The changes feed parsed back with feedparser: one entry per change, newest first."""

from __future__ import annotations

import calendar
from datetime import UTC, datetime, timedelta
from typing import Any

import feedparser
import pytest
from bs4 import BeautifulSoup

from aggregator.model import StoredTalk
from feeds import ChangeEntry, FeedSpec, render_changes
from feeds.changes import CHANGES_ENTRIES
from feeds.spec import html_description
from tests.feeds.sample import MOVED_FROM, NEW_YORK, lifecycle_talks, sample_talks

CHANGES = FeedSpec(
    path="changes",
    title="Talk changes",
    description="New, moved, cancelled and restored talks",
    link="https://talks.example.edu/",
    base_url="https://talks.example.edu/",
)

RUN_1 = datetime(2026, 2, 26, 10, 0, tzinfo=UTC)
RUN_2 = datetime(2026, 3, 4, 5, 0, tzinfo=NEW_YORK)
"""Given in New York time: ids and dates must use UTC (10:00Z)."""
RUN_3 = datetime(2026, 3, 9, 15, 0, tzinfo=UTC)


def _talks() -> dict[str, StoredTalk]:
    return {st.talk.id: st for st in sample_talks() + lifecycle_talks()}


def _entries() -> list[ChangeEntry]:
    """The changes in no useful order; two share RUN_3."""
    t = _talks()
    return [
        ChangeEntry("new", RUN_1, t["life:merged"]),
        ChangeEntry("cancelled", RUN_3, t["nyu-cs:1860"]),
        ChangeEntry("moved", RUN_2, t["life:merged"], moved_from=MOVED_FROM),
        ChangeEntry("restored", RUN_3, t["csail:77"]),
        ChangeEntry("new", RUN_1, t["nyu-cs:1860"]),
    ]


def _parse(data: bytes) -> Any:
    parsed = feedparser.parse(data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


def _instant(parsed_time: Any) -> datetime:
    return datetime.fromtimestamp(calendar.timegm(parsed_time), UTC)


EXPECTED_IDS = [
    "urn:talkfeed:change:csail:77:restored:20260309T150000Z",
    "urn:talkfeed:change:nyu-cs:1860:cancelled:20260309T150000Z",
    "urn:talkfeed:change:life:merged:moved:20260304T100000Z",
    "urn:talkfeed:change:life:merged:new:20260226T100000Z",
    "urn:talkfeed:change:nyu-cs:1860:new:20260226T100000Z",
]
"""Newest first; ties on time by talk id, then kind."""


def test_one_entry_per_change_newest_first() -> None:
    entries = _parse(render_changes(_entries(), CHANGES)).entries
    assert [e.id for e in entries] == EXPECTED_IDS
    assert len(set(EXPECTED_IDS)) == len(EXPECTED_IDS)


def test_ids_are_stable() -> None:
    first = render_changes(_entries(), CHANGES)
    assert render_changes(list(reversed(_entries())), CHANGES) == first
    # A later run adds an entry; the earlier ones keep their ids.
    later = ChangeEntry("new", datetime(2026, 3, 10, tzinfo=UTC), _talks()["tub-ml:42"])
    ids = [e.id for e in _parse(render_changes([*_entries(), later], CHANGES)).entries]
    assert ids == [later.id, *EXPECTED_IDS]
    assert later.id == "urn:talkfeed:change:tub-ml:42:new:20260310T000000Z"


def test_titles_per_kind() -> None:
    titles = {e.id: e.title for e in _parse(render_changes(_entries(), CHANGES)).entries}
    assert list(titles.values()) == [
        "Restored: Tue, Jun 15, 2027 · Quantum Advantage, Carefully",
        "Cancelled: Wed, Mar 11, 2026 · Robust Robot Learning · Chelsea Finn",
        "Moved: Tue, Mar 10, 2026 · Scheduling GPUs for Training · Ana Núñez "
        "(was Tue, Mar 3, 2026, 2:00 PM EST)",
        "New: Tue, Mar 10, 2026 · Scheduling GPUs for Training · Ana Núñez",
        "New: Wed, Mar 11, 2026 · Robust Robot Learning · Chelsea Finn",
    ]


def test_entry_fields() -> None:
    entries = _parse(render_changes(_entries(), CHANGES)).entries
    moved = entries[2]
    assert moved.link == "https://cs.nyu.edu/dynamic/news/colloquium/1880/"
    assert _instant(moved.updated_parsed) == datetime(2026, 3, 4, 10, 0, tzinfo=UTC)
    assert _instant(moved.published_parsed) == datetime(2026, 3, 4, 10, 0, tzinfo=UTC)
    assert [t.term for t in moved.tags] == ["nyu-cs", "courant-cal"]
    (content,) = moved.content
    assert content.type == "text/html"
    merged = _talks()["life:merged"]
    want = BeautifulSoup(html_description(merged), "lxml").get_text()
    assert BeautifulSoup(content.value, "lxml").get_text() == want
    assert want.startswith("Moved from Tuesday, March 3, 2026, 2:00 PM EST")


def test_feed_metadata() -> None:
    feed = _parse(render_changes(_entries(), CHANGES)).feed
    assert feed.id == "urn:talkfeed:feed:changes"
    assert feed.title == "Talk changes"
    assert _instant(feed.updated_parsed) == RUN_3
    assert ("self", "https://talks.example.edu/changes.atom") in [
        (link.rel, link.href) for link in feed.links
    ]


def test_empty_changes_feed_is_dated_at_the_epoch() -> None:
    parsed = _parse(render_changes([], CHANGES))
    assert parsed.entries == []
    assert _instant(parsed.feed.updated_parsed) == datetime(1970, 1, 1, tzinfo=UTC)


def test_the_same_change_twice_appears_once() -> None:
    twice = [*_entries(), _entries()[0]]
    assert [e.id for e in _parse(render_changes(twice, CHANGES)).entries] == EXPECTED_IDS


def test_titles_are_cleaned() -> None:
    base = _talks()["nyu-cs:1857"]
    dirty = base.model_copy(update={"talk": base.talk.model_copy(update={"title": "A\x00B\x0bC"})})
    data = render_changes([ChangeEntry("new", RUN_1, dirty)], CHANGES)
    (entry,) = _parse(data).entries
    assert entry.title == "New: Tue, Mar 10, 2026 · AB\nC · Qinghao Hu"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("changed", RUN_1), "change kind must be one of new, moved, cancelled, restored"),
        (("new", datetime(2026, 3, 1)), "at must be timezone-aware"),
        (("new", RUN_1, MOVED_FROM), "moved_from belongs to a 'moved' change"),
        (("moved", RUN_1, datetime(2026, 3, 1)), "moved_from must be timezone-aware"),
    ],
)
def test_bad_entries_are_refused(args: tuple[Any, ...], message: str) -> None:
    kind, at, *rest = args
    with pytest.raises(ValueError, match=message):
        ChangeEntry(kind, at, _talks()["nyu-cs:1857"], *rest)


def test_the_feed_holds_the_newest_changes() -> None:
    """A first run makes every talk new at once: the feed keeps the newest CHANGES_ENTRIES."""
    talk = _talks()["nyu-cs:1860"]
    many = [
        ChangeEntry("new", RUN_1.replace(minute=0) + timedelta(minutes=n), talk)
        for n in range(CHANGES_ENTRIES + 3)
    ]
    entries = _parse(render_changes(many, CHANGES)).entries
    assert len(entries) == CHANGES_ENTRIES
    assert [_instant(e.updated_parsed) for e in entries] == [
        e.at for e in sorted(many, key=lambda e: e.at, reverse=True)[:CHANGES_ENTRIES]
    ]
