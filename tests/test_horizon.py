"""A merge reads the talks some output can still show and those that changed, with what their
merge depends on (aggregator/merging.py), and leaves the rest as the last merge left it: the
store and every file come out as a merge of every talk would make them."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from aggregator import merging
from aggregator.config import Config, MergeConfig, SourceConfig
from aggregator.fetching.fetch import FetchSettings
from aggregator.model import Speaker, Status, Talk
from aggregator.pipeline import merged_files
from aggregator.publishing.outputs import horizon
from aggregator.records.merge import MergeSettings, Overrides
from aggregator.records.merge import merge as real_merge
from aggregator.store.database import Sighting, Store
from scrapers import SiteParser

NY = ZoneInfo("America/New_York")
NOW = datetime(2026, 3, 1, 9, tzinfo=NY)
OLD = datetime(2024, 3, 5, 14, tzinfo=NY)
"""Two years before NOW: far below the horizon."""
FAR = datetime(2024, 1, 10, 15, tzinfo=NY)
"""Where a talk of next week is moved to."""
SERIES = "https://a.example.edu/series"
SITES = {
    site: SiteParser.configured(
        id=site,
        name=site.upper(),
        start_urls=(f"https://{site}.example.edu/",),
        timezone="America/New_York",
    )
    for site in ("a", "b")
}


def _config(folder: Path) -> Config:
    return Config(
        out=folder / "out",
        db=folder / "talkfeed.db",
        base_url="https://talks.example.edu/",
        fetch=FetchSettings(),
        sources=(SourceConfig("a"), SourceConfig("b")),
        path=None,
        merge=MergeConfig(together=(("a:pinned", "b:pinned"),)),
    )


BOUND = horizon(_config(Path()), NOW)
assert BOUND is not None


def _talk(site: str, key: str, start: datetime, speaker: str, title: str, **fields: Any) -> Talk:
    return Talk.model_validate(
        {
            "id": f"{site}:{key}",
            "source": site,
            "url": f"https://{site}.example.edu/talks/{key}",
            "title": title,
            "speakers": [Speaker(name=speaker)],
            "start": start,
            "timezone": "America/New_York",
            **fields,
        }
    )


TALKS = {
    talk.id: talk
    for talk in (
        # Both sides of the horizon, each side with a pair of sources' records of one talk.
        _talk("a", "old", OLD, "Ada Lovelace", "Notes on the engine"),
        _talk("b", "old", OLD, "Lovelace, Ada", "Notes on the analytical engine"),
        _talk("a", "older", OLD + timedelta(days=1), "Grace Hopper", "Compilers"),
        _talk("b", "older", OLD + timedelta(days=1), "Grace Hopper", "On compilers"),
        _talk("b", "landing", FAR, "Alan Turing", "Morphogenesis"),
        _talk("a", "soon", NOW + timedelta(days=7, hours=5), "Alan Turing", "Morphogenesis"),
        _talk("b", "soon", NOW + timedelta(days=7, hours=5), "A. Turing", "On morphogenesis"),
        # One talk whose records straddle the horizon.
        _talk("a", "edge", BOUND - timedelta(minutes=5), "Emmy Noether", "Invariants"),
        _talk("b", "edge", BOUND + timedelta(minutes=5), "Emmy Noether", "Invariant theory"),
        # A page source a gives two talks, one long over: its URL is no evidence, b's talk
        # that links to it is another talk.
        _talk("a", "series-old", OLD + timedelta(days=2), "Kurt Gödel", "Sets", url=SERIES),
        _talk("a", "series", NOW + timedelta(days=14), "Kurt Gödel", "Proofs", url=SERIES),
        _talk("b", "series", NOW + timedelta(days=14), "Alonzo Church", "Lambdas", url=SERIES),
        # Joined by the operator across two years, once the second is found.
        _talk("a", "pinned", OLD + timedelta(days=3), "Emil Post", "Tag systems"),
        _talk("b", "called-off", NOW + timedelta(days=3), "John von Neumann", "Automata"),
        _talk("a", "vanishing", NOW + timedelta(days=10), "Claude Shannon", "Information"),
    )
}
PINNED = _talk("b", "pinned", NOW + timedelta(days=20), "Haskell Curry", "Combinators")


def _edited(talk_id: str, **changes: Any) -> Talk:
    return TALKS[talk_id].model_copy(update=changes)


def _store(store: Store, talks: Sequence[Talk], now: datetime) -> None:
    store.upsert([Sighting(talk, talk.source.upper()) for talk in talks], now)


def _rows(store: Store) -> dict[str, list[tuple[object, ...]]]:
    tables = {
        "published": "SELECT * FROM published ORDER BY id",
        "changes": "SELECT * FROM changes ORDER BY id",
    }
    return {name: store._db.execute(query).fetchall() for name, query in tables.items()}


def _files(config: Config, store: Store, now: datetime) -> dict[str, bytes]:
    return {output.name: output.render() for output in merged_files(config, SITES, store, now)}


def _groups(store: Store) -> set[frozenset[str]]:
    rows: dict[str, set[str]] = {}
    for member, row in store.cluster_ids().items():
        rows.setdefault(row, set()).add(member)
    return {frozenset(members) for members in rows.values()}


def test_a_merge_up_to_the_horizon_gives_what_a_merge_of_all_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    merged: list[int] = []

    def counted(talks: Sequence[Any], *args: Any) -> Any:
        merged.append(len(talks))
        return real_merge(talks, *args)

    monkeypatch.setattr(merging, "merge", counted)
    (tmp_path / "horizon").mkdir()
    (tmp_path / "full").mkdir()
    partial, whole = _config(tmp_path / "horizon"), _config(tmp_path / "full")
    with Store(partial.db) as one, Store(whole.db) as every:

        def both(now: datetime, change: Any) -> None:
            for store in (one, every):
                change(store, now)
            files = _files(partial, one, now)
            # Whatever the last merge left, this one merges and renders every talk.
            with contextlib.closing(sqlite3.connect(whole.db)) as connection, connection:
                connection.execute("DELETE FROM meta WHERE key = 'merged'")
                connection.execute("DELETE FROM entries")
            assert _files(whole, every, now) == files
            assert _rows(one) == _rows(every)

        both(NOW, lambda store, now: _store(store, list(TALKS.values()), now))
        assert merged == [len(TALKS), len(TALKS)], "the first merge reads every talk"

        def edit(store: Store, now: datetime) -> None:
            edits = [
                _edited("a:old", title="Notes on the engine, revised"),
                _edited("a:older", start=OLD + timedelta(days=1, hours=1)),
                _edited("a:soon", start=FAR),
                _edited("b:called-off", status=Status.CANCELLED),
                _edited("b:edge", title="Invariant theory, revised"),
                PINNED,
            ]
            _store(store, edits, now)

        merged.clear()
        both(NOW + timedelta(hours=1), edit)
        reached, every_talk = merged
        assert reached < every_talk == len(TALKS) + 1, "talks long over and unchanged are left"
        groups = _groups(every)
        for pair in (
            ("a:soon", "b:landing"),  # moved next to its other record, two years back
            ("a:edge", "b:edge"),
            ("a:pinned", "b:pinned"),
            ("a:old", "b:old"),
        ):
            assert frozenset(pair) in groups
        # Moved an hour away from its other record; the other is alone, as is next week's.
        alone = {"a:older", "b:older", "a:series", "b:series", "b:soon"}
        assert {frozenset({talk_id}) for talk_id in alone} <= groups

        def vanish(store: Store, now: datetime) -> None:
            listed = {talk_id for talk_id in TALKS if talk_id.startswith("a:")}
            store.mark_missing("a", listed - {"a:vanishing"}, now, cancel_after=2)

        for hour in (2, 3):
            both(NOW + timedelta(hours=hour), vanish)
        (vanished,) = one.published(ids=["a:vanishing"])
        assert vanished.talk.status is Status.CANCELLED
        changes = _files(partial, one, NOW + timedelta(hours=3))["changes.atom"].decode()
        for kind in ("Moved: ", "Cancelled: "):
            assert kind in changes


def test_a_merge_with_no_horizon_reads_every_talk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A feed without a window would show every talk: each merge reads them all."""
    merged: list[int] = []

    def counted(talks: Sequence[Any], *args: Any) -> Any:
        merged.append(len(talks))
        return real_merge(talks, *args)

    monkeypatch.setattr(merging, "merge", counted)
    monkeypatch.setattr(merging, "horizon", lambda config, now: None)
    config = _config(tmp_path)
    with Store(config.db) as store:
        _store(store, list(TALKS.values()), NOW)
        merging.merge_if_changed(config, store, NOW)
        _store(store, [_edited("a:old", title="Retitled")], NOW + timedelta(hours=1))
        merging.merge_if_changed(config, store, NOW + timedelta(hours=1))
    assert merged == [len(TALKS), len(TALKS)]


@pytest.mark.parametrize(
    "what",
    ["a record deleted", "other merge settings", "a source left out", "a store of an older kind"],
)
def test_a_merge_after_what_it_cannot_follow_reads_every_talk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, what: str
) -> None:
    merged: list[int] = []

    def counted(talks: Sequence[Any], *args: Any) -> Any:
        merged.append(len(talks))
        return real_merge(talks, *args)

    monkeypatch.setattr(merging, "merge", counted)
    config = _config(tmp_path)
    later = NOW + timedelta(hours=1)
    with Store(config.db) as store:
        _store(store, list(TALKS.values()), NOW)
        merging.merge_if_changed(config, store, NOW)
        _store(store, [_edited("b:soon", title="Retitled")], later)
        every = len(TALKS)
        if what == "a record deleted":
            store._db.execute("DELETE FROM talks WHERE id = 'a:older'")
            every -= 1
        elif what == "other merge settings":
            config = replace(config, merge=replace(config.merge, title_ratio=95.0))
        elif what == "a source left out":
            config = replace(config, sources=(SourceConfig("b"),))
            every = sum(1 for talk in TALKS.values() if talk.source == "b")
        else:
            store.keep("merged", "0123456789abcdef0123456789abcdef")
        merging.merge_if_changed(config, store, later)
        assert _groups(store) == _groups_of(config, store)
    assert merged == [len(TALKS), every]


def _groups_of(config: Config, store: Store) -> set[frozenset[str]]:
    """The clusters a merge of every record of the configured sources makes."""
    sources = {source.site for source in config.sources}
    records = [record for record in store.talks() if record.talk.source in sources]
    settings = MergeSettings(
        tolerance=timedelta(minutes=config.merge.tolerance_minutes),
        title_ratio=config.merge.title_ratio,
    )
    overrides = Overrides(together=config.merge.together, apart=config.merge.apart)
    return {
        frozenset(m.talk.id for m in cluster.members)
        for cluster in real_merge(records, settings, overrides)
    }
