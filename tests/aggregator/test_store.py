from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from aggregator.model import SourceLink, Speaker, Status, StoredTalk, Talk
from aggregator.store.database import (
    ENTRIES_KEPT_DAYS,
    Group,
    Published,
    SeenAgain,
    Sighting,
    Store,
    group_name,
    next_record,
)

NY = ZoneInfo("America/New_York")
T0 = datetime(2026, 3, 1, 9, tzinfo=NY)


def talk(key: int = 1, **changes: Any) -> Talk:
    fields: dict[str, object] = {
        "id": f"site:{key}",
        "source": "site",
        "url": f"https://example.edu/talks/{key}/",
        "title": "A talk",
        "speakers": [Speaker(name="Ada", affiliation="X")],
        "start": datetime(2026, 4, 1, 14, tzinfo=NY),
        "timezone": "America/New_York",
        "location": "Room 1",
        "abstract": "Long abstract.",
    }
    fields.update(changes)
    return Talk.model_validate(fields)


def test_new_talk_is_stamped_with_the_run(tmp_path: Path) -> None:
    with Store(tmp_path / "db.sqlite") as store:
        assert store.upsert([Sighting(talk(), "Site")], T0).new == 1
        (stored,) = store.talks()
    assert stored.first_seen == stored.last_seen == stored.last_changed == T0
    assert (stored.change_count, stored.sequence) == (0, 0)
    assert stored.source_name == "Site"


def test_unchanged_talk_only_touches_last_seen(tmp_path: Path) -> None:
    with Store(tmp_path / "db.sqlite") as store:
        store.upsert([Sighting(talk(), "Site")], T0)
        later = T0 + timedelta(hours=1)
        assert store.upsert([Sighting(talk(), "Site")], later).unchanged == 1
        (stored,) = store.talks()
    assert stored.last_seen == later
    assert stored.last_changed == T0
    assert (stored.change_count, stored.sequence) == (0, 0)


def test_sequence_counts_only_time_place_title_and_status(tmp_path: Path) -> None:
    with Store(tmp_path / "db.sqlite") as store:
        steps: list[tuple[dict[str, Any], int]] = [
            ({"abstract": "Edited abstract."}, 0),
            ({"abstract": "Edited abstract.", "location": "Room 2"}, 1),
            ({"abstract": "Edited abstract.", "location": "Room 2", "status": Status.CANCELLED}, 2),
            ({"abstract": "Edited abstract.", "location": "Room 2", "status": Status.CANCELLED,
              "start": datetime(2026, 4, 2, 14, tzinfo=NY)}, 3),
            ({"abstract": "Edited abstract.", "location": "Room 2", "status": Status.CANCELLED,
              "start": datetime(2026, 4, 2, 14, tzinfo=NY), "title": "Renamed"}, 4),
        ]  # fmt: skip
        store.upsert([Sighting(talk(), "Site")], T0)
        for number, (changes, sequence) in enumerate(steps, start=1):
            moment = T0 + timedelta(days=number)
            assert store.upsert([Sighting(talk(**changes), "Site")], moment).changed == 1
            (stored,) = store.talks()
            assert stored.sequence == sequence
            assert stored.change_count == number
            assert stored.last_changed == moment
            assert stored.first_seen == T0


def test_talks_no_longer_listed_are_kept(tmp_path: Path) -> None:
    with Store(tmp_path / "db.sqlite") as store:
        store.upsert([Sighting(talk(1), "Site"), Sighting(talk(2), "Site")], T0)
        store.upsert([Sighting(talk(1), "Site")], T0 + timedelta(days=1))
        assert [s.talk.id for s in store.talks()] == ["site:1", "site:2"]


def test_partial_sighting_keeps_stored_detail_fields(tmp_path: Path) -> None:
    with Store(tmp_path / "db.sqlite") as store:
        store.upsert([Sighting(talk(), "Site")], T0)
        listing_only = talk(speakers=[], location=None, abstract=None)
        assert store.upsert([Sighting(listing_only, "Site", partial=True)], T0).unchanged == 1
        (stored,) = store.talks()
    assert stored.talk.abstract == "Long abstract."
    assert stored.talk.location == "Room 1"
    assert stored.talk.speakers == [Speaker(name="Ada", affiliation="X")]


def test_store_survives_reopening_and_keeps_zones(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite"
    with Store(path) as store:
        store.upsert([Sighting(talk(), "Site")], T0)
    with Store(path) as store:
        (stored,) = store.talks()
    assert stored.talk == talk()
    assert stored.talk.start.tzinfo == NY


def test_failed_upsert_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite"
    with Store(path) as store:
        store.upsert([Sighting(talk(1), "Site")], T0)

        def sightings() -> Iterator[Sighting]:
            yield Sighting(talk(1, title="Changed"), "Site")
            yield Sighting(talk(2), "Site")
            raise RuntimeError("crash mid-run")

        with pytest.raises(RuntimeError):
            store.upsert(sightings(), T0 + timedelta(days=1))
        assert [(s.talk.id, s.talk.title) for s in store.talks()] == [("site:1", "A talk")]


# --- Talks without a title or a page of their own ----------------------------------------------


def test_a_talk_without_title_or_url_round_trips(tmp_path: Path) -> None:
    bare = talk(title=None, url=None)
    path = tmp_path / "db.sqlite"
    with Store(path) as store:
        store.upsert([Sighting(bare, "Site")], T0)
        links = (SourceLink(source="site", name="Site"),)
        store.publish([Published(bare, (bare.id,), links, {"start": "site"})], T0)
    with Store(path) as store:
        (stored,) = store.talks()
        (published,) = store.published()
    assert stored.talk == published.talk == bare
    assert (stored.talk.title, stored.talk.url) == (None, None)
    assert published.sources == links
    assert published.sources[0].url is None


def test_a_title_that_appears_later_is_a_sequence_change(tmp_path: Path) -> None:
    later = T0 + timedelta(days=1)
    with Store(tmp_path / "db.sqlite") as store:
        store.upsert([Sighting(talk(title=None), "Site")], T0)
        assert store.upsert([Sighting(talk(title="Lattices"), "Site")], later).changed == 1
        (stored,) = store.talks()
        changes = store.changes(talk_id="site:1")
    assert stored.talk.title == "Lattices"
    assert (stored.sequence, stored.change_count, stored.last_changed) == (1, 1, later)
    assert [(c.kind, c.field, c.old, c.new) for c in changes] == [
        ("new", None, None, None),
        ("changed", "title", "null", '"Lattices"'),
    ]


def test_a_talk_that_gets_a_page_later_records_it(tmp_path: Path) -> None:
    later = T0 + timedelta(days=1)
    with Store(tmp_path / "db.sqlite") as store:
        store.upsert([Sighting(talk(url=None), "Site")], T0)
        store.upsert([Sighting(talk(), "Site")], later)
        (stored,) = store.talks()
        change = store.changes(talk_id="site:1")[-1]
    assert (change.field, change.old, change.new) == (
        "url",
        "null",
        '"https://example.edu/talks/1/"',
    )
    # A page is no reason for calendars to re-notify: SEQUENCE stays.
    assert (stored.sequence, stored.last_changed) == (0, later)


def test_a_partial_sighting_without_title_or_url_keeps_the_stored_ones(tmp_path: Path) -> None:
    with Store(tmp_path / "db.sqlite") as store:
        store.upsert([Sighting(talk(), "Site")], T0)
        listing_only = talk(title=None, url=None)
        assert store.upsert([Sighting(listing_only, "Site", partial=True)], T0).unchanged == 1
        (stored,) = store.talks()
    assert (stored.talk.title, stored.talk.url) == ("A talk", "https://example.edu/talks/1/")


def test_new_speakers_of_a_talk_without_a_title_are_a_sequence_change(tmp_path: Path) -> None:
    ada, alan = Speaker(name="Ada"), Speaker(name="Alan")
    steps = [
        (talk(title=None, speakers=[ada]), 0),
        # The affiliation is not in "Talk by Ada": calendars show nothing new.
        (talk(title=None, speakers=[Speaker(name="Ada", affiliation="Y")]), 0),
        (talk(title=None, speakers=[ada, alan]), 1),
        (talk(title="Engines", speakers=[ada, alan]), 2),
        (talk(title="Engines", speakers=[alan]), 2),
    ]
    with Store(tmp_path / "db.sqlite") as store:
        sequences = []
        for day, (record, _) in enumerate(steps):
            store.upsert([Sighting(record, "Site")], T0 + timedelta(days=day))
            (stored,) = store.talks()
            sequences.append(stored.sequence)
    assert sequences == [sequence for _, sequence in steps]


# --- A record that cannot be stored ------------------------------------------------------------


def test_a_talk_that_cannot_be_stored_is_rejected_and_the_others_are_stored(
    tmp_path: Path,
) -> None:
    # Half a character: what a JSON "\ud800" decodes to, which no encoder can write.
    broken = Sighting(talk(2, title="Broken \ud800 title"), "Site")
    with Store(tmp_path / "db.sqlite") as store:
        result = store.upsert([Sighting(talk(1), "Site"), broken, Sighting(talk(3), "Site")], T0)
        assert [s.talk.id for s in store.talks()] == ["site:1", "site:3"]
    assert (result.new, result.changed) == (2, 0)
    ((sighting, problem),) = result.rejected
    assert sighting is broken
    assert problem.startswith("site:2: cannot be stored: ")
    assert "surrogates not allowed" in problem


_EVERY_KIND_OF_VALUE = [
    talk(1),
    talk(
        2,
        url=None,
        title=None,
        speakers=[],
        abstract=None,
        location=None,
        start=datetime(2026, 11, 1, 1, 30, 15, 250_000, tzinfo=NY),  # the hour DST repeats
        end=datetime(2026, 11, 1, 3, tzinfo=NY),
        status=Status.TENTATIVE,
    ),
    talk(
        3,
        speakers=[Speaker(name="Ada"), Speaker(name="Bo", affiliation="Y, Z")],
        start=datetime(2026, 6, 1, tzinfo=ZoneInfo("UTC")),
        timezone="Asia/Kolkata",
        all_day=True,
        default_duration_minutes=90,
        host="Hosts",
        bio="Bio.",
        notes="Notes \u2028 and é",
        status=Status.CANCELLED,
    ),
]


def _same(read: object, written: object) -> None:
    # Equal models may still differ in a datetime's zone object or in which fields count as
    # set: the representation and the set fields show both.
    assert read == written
    assert repr(read) == repr(written)
    assert type(read) is type(written)


def test_talks_read_back_are_those_written(tmp_path: Path) -> None:
    with Store(tmp_path / "db.sqlite") as store:
        store.upsert([Sighting(t, "Site") for t in _EVERY_KIND_OF_VALUE], T0)
        read = {stored.talk.id: stored for stored in store.talks()}
        for written in _EVERY_KIND_OF_VALUE:
            stored = read[written.id]
            validated = Talk.model_validate_json(written.model_dump_json())
            _same(stored.talk, validated)
            _same(stored.talk, written)
            assert stored.talk.model_fields_set == validated.model_fields_set
            # As the store built them before: validated from the same values.
            _same(stored, StoredTalk(**dict(stored)))
            for speaker, expected in zip(stored.talk.speakers, written.speakers, strict=True):
                _same(speaker, expected)
            assert stored.talk.start.tzinfo is ZoneInfo(written.timezone)
            assert stored.talk.status is written.status


def test_published_talks_read_back_are_those_written(tmp_path: Path) -> None:
    links = (SourceLink(source="site", name="Site"), SourceLink(source="b", name="B", url=None))
    items = [
        Published(talk=t, members=(t.id,), sources=links, provenance={"title": "site"})
        for t in _EVERY_KIND_OF_VALUE
    ]
    with Store(tmp_path / "db.sqlite") as store:
        store.publish(items, T0)
        read = {stored.talk.id: stored for stored in store.published()}
    for item in items:
        stored = read[item.talk.id]
        _same(stored.talk, item.talk)
        for link, expected in zip(stored.sources, links, strict=True):
            _same(link, expected)
        assert stored.provenance == item.provenance
        assert (stored.first_seen, stored.last_seen, stored.last_changed) == (T0, T0, T0)
        _same(stored, StoredTalk(**dict(stored)))


def test_a_record_an_older_talkfeed_wrote_gets_todays_defaults(tmp_path: Path) -> None:
    with Store(tmp_path / "db.sqlite") as store:
        store.upsert([Sighting(talk(), "Site")], T0)
        # As written before `notes` and `all_day` existed.
        store._db.execute("UPDATE talks SET record = json_remove(record, '$.notes', '$.all_day')")
        (stored,) = store.talks()
    _same(stored.talk, talk())


def test_a_talk_seen_again_as_drafted_is_touched_until_its_record_is_changed(
    tmp_path: Path,
) -> None:
    later = T0 + timedelta(days=1)
    with Store(tmp_path / "db.sqlite") as store:
        store.upsert([Sighting(talk(1), "Site", drafted="d1"), Sighting(talk(2), "Site")], T0)
        assert store.drafted("site") == {"d1": "site:1"}
        assert (
            store.upsert([SeenAgain("site", "Site renamed", [("site:1", "d1")])], later).unchanged
            == 1
        )
        (stored, _) = store.talks()
        assert (stored.last_seen, stored.last_changed, stored.source_name) == (
            later,
            T0,
            "Site renamed",
        )
        # Fields kept from before are not what the draft gives.
        store.upsert([Sighting(talk(1), "Site", partial=True, drafted="d1")], later)
        assert store.drafted("site") == {}
        store.upsert([Sighting(talk(1), "Site", drafted="d1")], later)
        # No longer listed: tentative, which the draft does not say.
        assert store.mark_missing("site", [], later, cancel_after=3) == ["site:1", "site:2"]
        assert store.drafted("site") == {}


def _published_row(item: Talk, members: tuple[str, ...] = ()) -> Published:
    links = (SourceLink(source=item.source, name="Site", url=item.url),)
    return Published(talk=item, members=members or (item.id,), sources=links, provenance={})


def test_revisions_move_only_with_what_files_show(tmp_path: Path) -> None:
    with Store(tmp_path / "db.sqlite") as store:
        assert store.revision("talks:site") == store.revision("published") == 0
        store.upsert([Sighting(talk(1), "Site"), Sighting(talk(2), "Site")], T0)
        after_insert = store.revision("talks:site")
        assert after_insert > 0
        later = T0 + timedelta(hours=1)
        store.upsert(
            [Sighting(talk(1), "Site"), SeenAgain("site", "Site", [("site:2", "draft")])], later
        )
        assert store.revision("talks:site") == after_insert, "seen again shows nothing new"
        store.upsert([Sighting(talk(1, title="Retitled"), "Site")], later)
        assert store.revision("talks:site") == after_insert + 1
        store.upsert([Sighting(talk(1, title="Retitled"), "Other name")], later)
        assert store.revision("talks:site") == after_insert + 2, "the source's name is shown"
        assert store.revision("talks:other") == 0

        store.publish([_published_row(talk(1)), _published_row(talk(2))], T0)
        first = store.revision("published")
        versions = dict(store.versions(T0, 10))
        assert set(versions) == {"site:1", "site:2"} and len(set(versions.values())) == 2
        store.publish([_published_row(talk(1)), _published_row(talk(2))], later)
        assert store.revision("published") == first, "last_seen alone moves nothing"
        assert [st.last_seen for st in store.published()] == [later, later]
        # A merge of part of the talks saw them all: the others stand as it left them.
        store.publish([_published_row(talk(1))], later + timedelta(hours=1), reach=T0.replace(2027))
        assert [st.last_seen for st in store.published()] == [later + timedelta(hours=1)] * 2
        store.publish([_published_row(talk(1, title="New")), _published_row(talk(2))], later)
        assert store.revision("published") == first + 1
        moved = dict(store.versions(T0, 10))
        assert moved["site:2"] == versions["site:2"]
        assert moved["site:1"] == first + 1


def test_published_talks_are_read_by_window(tmp_path: Path) -> None:
    early = talk(1, start=datetime(2026, 1, 5, 14, tzinfo=NY))
    late = talk(2, start=datetime(2026, 4, 1, 14, tzinfo=NY))
    off = talk(3, start=datetime(2026, 4, 2, 14, tzinfo=NY), status=Status.CANCELLED)
    with Store(tmp_path / "db.sqlite") as store:
        store.publish([_published_row(t) for t in (off, late, early)], T0)
        march = datetime(2026, 3, 1, tzinfo=NY)

        def ids(talks: list[StoredTalk]) -> list[str]:
            return [st.talk.id for st in talks]

        assert ids(store.published()) == ["site:1", "site:2", "site:3"]
        assert ids(store.published(since=march)) == ["site:2", "site:3"]
        # A talk is not over until its end: an hour after its start, by the default duration.
        assert ids(store.published(ending=datetime(2026, 4, 1, 14, 59, tzinfo=NY))) == [
            "site:2",
            "site:3",
        ]
        assert ids(store.published(ending=datetime(2026, 4, 1, 15, 1, tzinfo=NY))) == ["site:3"]
        assert ids(store.published(since=march, ids=["site:1"])) == ids(store.published())
        assert [talk_id for talk_id, _ in store.versions(march, 10)] == ["site:2"], "not called off"
        assert ids(store.published(ending=march, limit=1)) == ["site:2"]
        assert store.versions(march, 0) == []


def test_a_store_an_older_talkfeed_wrote_gets_its_talks_times(tmp_path: Path) -> None:
    """Rows written before the store kept start and end columns get them when it is opened."""
    path = tmp_path / "db.sqlite"
    with Store(path) as store:
        store.upsert([Sighting(talk(1), "Site")], T0)
        store.publish([_published_row(talk(1))], T0)
    with contextlib.closing(sqlite3.connect(path)) as connection, connection:
        connection.execute("UPDATE talks SET starts = NULL, ends = NULL")
        connection.execute("UPDATE published SET starts = NULL, ends = NULL, status = NULL")
    with Store(path) as store:
        assert [st.talk.id for st in store.talks(since=T0)] == ["site:1"]
        assert [talk_id for talk_id, _ in store.versions(T0, 10)] == ["site:1"]


def test_every_store_has_an_identity_of_its_own(tmp_path: Path) -> None:
    """Revisions restart with a new store: a fingerprint made of them names the store too."""
    with Store(tmp_path / "a.sqlite") as one, Store(tmp_path / "b.sqlite") as other:
        first = one.identity()
        assert first != other.identity()
    with Store(tmp_path / "a.sqlite") as again:
        assert again.identity() == first


def test_kept_entries_last_while_runs_use_them(tmp_path: Path) -> None:
    """A run marks the entries it used (once a day, so a run that used them today writes
    nothing) and forgets, once, those no run used for ENTRIES_KEPT_DAYS."""
    with Store(tmp_path / "db.sqlite") as store:
        store.keep_entries({"a": "<item>a</item>", "b": "<item>b</item>"}, T0)
        later = T0 + timedelta(days=ENTRIES_KEPT_DAYS - 1)
        assert store.entries(["a", "missing"], later) == {"a": "<item>a</item>"}
        revision = store.revision("published")
        store.forget_entries(T0 + timedelta(days=ENTRIES_KEPT_DAYS, hours=1))
        assert store.entries(["a", "b"], later) == {"a": "<item>a</item>"}
        store.forget_entries(later + timedelta(days=ENTRIES_KEPT_DAYS + 1))
        assert store.entries(["a", "b"], later) == {}
        assert store.revision("published") == revision, "entries show nothing of their own"


def test_changes_of_some_kinds_the_newest(tmp_path: Path) -> None:
    with Store(tmp_path / "db.sqlite") as store:
        for hour in range(4):
            at = T0 + timedelta(hours=hour)
            store.upsert([Sighting(talk(hour), "Site")], at)
            store.upsert([Sighting(talk(hour, title=f"Title {hour}"), "Site")], at)
        news = store.changes(kinds={"new"})
        assert [change.talk_id for change in news] == [f"site:{n}" for n in range(4)]
        newest = store.changes(kinds={"new"}, newest=2)
        assert [change.talk_id for change in newest] == ["site:2", "site:3"]
        assert len(store.changes(newest=3)) == 4, "the whole run the cut falls in"
        assert len(store.changes(kinds={"new"}, newest=10)) == 4


def test_a_store_that_kept_sightings_in_its_talks_moves_them(tmp_path: Path) -> None:
    """A store from before `sightings`: what each run wrote of a talk was in `talks`."""
    path = tmp_path / "db.sqlite"
    seen = T0 + timedelta(days=3)
    with contextlib.closing(sqlite3.connect(path)) as connection, connection:
        connection.execute(
            "CREATE TABLE talks (id TEXT PRIMARY KEY, source TEXT NOT NULL, source_name TEXT"
            " NOT NULL, record TEXT NOT NULL, first_seen TEXT NOT NULL, last_seen TEXT NOT NULL,"
            " last_changed TEXT NOT NULL, change_count INTEGER NOT NULL DEFAULT 0, sequence"
            " INTEGER NOT NULL DEFAULT 0, missed_runs INTEGER NOT NULL DEFAULT 0, moved_from"
            " TEXT, drafted TEXT)"
        )
        connection.execute(
            "INSERT INTO talks (id, source, source_name, record, first_seen, last_seen,"
            " last_changed, missed_runs, drafted) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            ("site:1", "site", "Site", talk(1).model_dump_json(), T0.isoformat(),
             seen.isoformat(), T0.isoformat(), 2, "d1"),
        )  # fmt: skip
    with Store(path) as store:
        (stored,) = store.talks()
        assert (stored.first_seen, stored.last_seen) == (T0, seen)
        assert store.drafted("site") == {"d1": "site:1"}
        store.upsert([SeenAgain("site", "Site", [("site:1", "d1")])], seen + timedelta(hours=1))
        assert store.talks()[0].last_seen == seen + timedelta(hours=1)
    with contextlib.closing(sqlite3.connect(path)) as connection:
        columns = {row[1] for row in connection.execute("PRAGMA table_info(talks)")}
        assert not columns & {"last_seen", "missed_runs", "drafted"}


def test_a_publish_with_a_reach_keeps_the_rows_below_it(tmp_path: Path) -> None:
    """A merge of part of the talks replaces the rows from its reach on and those it names;
    the rows of talks long over that it did not read stay as they were."""
    kept = talk(1, start=datetime(2024, 4, 1, 14, tzinfo=NY))
    remerged = talk(2, start=datetime(2024, 3, 1, 14, tzinfo=NY))
    dissolved = talk(3, start=datetime(2024, 2, 1, 14, tzinfo=NY))
    shown = talk(4, start=datetime(2026, 4, 1, 14, tzinfo=NY))
    dropped = talk(5, start=datetime(2026, 4, 2, 14, tzinfo=NY))
    reach = datetime(2026, 1, 1, tzinfo=NY)
    later = T0 + timedelta(days=1)
    with Store(tmp_path / "db.sqlite") as store:
        store.publish([_published_row(t) for t in (kept, remerged, dissolved, shown, dropped)], T0)
        (before,) = store.published(ids=["site:1"])
        this_run = [
            _published_row(remerged.model_copy(update={"title": "Remerged"})),
            _published_row(shown.model_copy(update={"title": "Shown"})),
        ]
        store.publish(this_run, later, reach=reach, replacing={"site:3"})
        after = {st.talk.id: st for st in store.published()}
        assert sorted(after) == ["site:1", "site:2", "site:4"]
        assert after["site:1"].model_dump(exclude={"last_seen"}) == before.model_dump(
            exclude={"last_seen"}
        )
        assert (after["site:2"].talk.title, after["site:4"].talk.title) == ("Remerged", "Shown")
        changes = store.changes(since=later, scope="published")
        assert sorted((c.talk_id, c.kind) for c in changes) == [
            ("site:2", "changed"),
            ("site:4", "changed"),
        ]
        store.publish(this_run, later)
        assert sorted(st.talk.id for st in store.published()) == ["site:2", "site:4"]


def test_the_records_written_since_a_revision(tmp_path: Path) -> None:
    later = T0 + timedelta(hours=1)
    with Store(tmp_path / "db.sqlite") as store:
        store.upsert([Sighting(talk(1), "Site"), Sighting(talk(2), "Site")], T0)
        first = store.revision("talks")
        assert store.changed_talks(first) == []
        assert sorted(store.changed_talks(0)) == ["site:1", "site:2"]
        store.upsert([Sighting(talk(1), "Site"), Sighting(talk(2, title="New"), "Site")], later)
        assert store.changed_talks(first) == ["site:2"]
        second = store.revision("talks")
        store.upsert([Sighting(talk(1), "Renamed site"), Sighting(talk(3), "Site")], later)
        assert sorted(store.changed_talks(second)) == ["site:1", "site:3"]
        third = store.revision("talks")
        store.mark_missing("site", {"site:1", "site:3"}, later, cancel_after=3)
        assert store.changed_talks(third) == ["site:2"], "tentative now"
        assert store.revision("talks forgotten") == 0
        store._db.execute("DELETE FROM talks WHERE id = 'site:3'")
        assert store.revision("talks forgotten") == 1


def _own_last_seen(path: Path) -> dict[str, str]:
    with contextlib.closing(sqlite3.connect(path)) as connection:
        return dict(connection.execute("SELECT id, last_seen FROM sightings").fetchall())


def test_a_source_seen_whole_again_writes_one_row_and_reads_as_every_talk_seen(
    tmp_path: Path,
) -> None:
    path = tmp_path / "db.sqlite"
    hours = [T0 + timedelta(hours=n) for n in range(6)]
    pairs = [("site:1", "d1"), ("site:2", "d2"), ("site:3", "d3")]
    whole = SeenAgain("site", "Site", pairs, group_name(pairs))
    with Store(path) as store:
        store.upsert([Sighting(talk(n), "Site", drafted=f"d{n}") for n in (1, 2, 3)], hours[0])
        assert _seen_whole(store, pairs)
        store.upsert([whole], hours[1])  # makes the group: each row written once more
        store.upsert([whole], hours[2])
        assert _seen_whole(store, pairs)
        assert {st.talk.id: st.last_seen for st in store.talks()} == dict.fromkeys(
            ("site:1", "site:2", "site:3"), hours[2]
        )
        assert set(_own_last_seen(path).values()) == {hours[1].isoformat()}, "one row written"

        # A talk whose record changed leaves the group; the others stay in it.
        store.upsert([Sighting(talk(2, title="Retitled"), "Site", drafted="d2b")], hours[3])
        assert not _seen_whole(store, pairs)
        assert _seen_whole(store, [("site:1", "d1"), ("site:2", "d2b"), ("site:3", "d3")])
        # No longer listed by a complete source: tentative, so no longer as drafted.
        store.mark_missing("site", ["site:1", "site:2"], hours[4], cancel_after=3)
        assert not _seen_whole(store, [("site:1", "d1"), ("site:3", "d3")])
        seen = {st.talk.id: st.last_seen for st in store.talks()}
        assert seen == {"site:1": hours[2], "site:2": hours[3], "site:3": hours[2]}

        # Other talks seen whole: the group is made again, and the talk left out keeps its
        # last sighting as the old group said it.
        again = [("site:1", "d1"), ("site:2", "d2b")]
        store.upsert([SeenAgain("site", "Site", again, group_name(again))], hours[5])
        seen = {st.talk.id: st.last_seen for st in store.talks()}
        assert seen == {"site:1": hours[5], "site:2": hours[5], "site:3": hours[2]}
        assert _seen_whole(store, again)


def _seen_whole(store: Store, pairs: list[tuple[str, str]]) -> bool:
    return store.seen_whole("site", pairs, group_name(pairs))


def test_a_talk_outside_the_group_seen_whole_can_still_go_missing(tmp_path: Path) -> None:
    pairs = [("site:1", "d1"), ("site:2", "d2")]
    hours = [T0 + timedelta(hours=n) for n in range(3)]
    with Store(tmp_path / "db.sqlite") as store:
        store.upsert([Sighting(talk(n), "Site", drafted=f"d{n}") for n in (1, 2, 3)], hours[0])
        for hour in hours[1:]:
            store.upsert([SeenAgain("site", "Site", pairs, group_name(pairs))], hour)
            touched = store.mark_missing("site", ["site:1", "site:2"], hour, cancel_after=3)
            assert touched == (["site:3"] if hour == hours[1] else [])
        assert [st.talk.status for st in store.talks()] == [
            Status.SCHEDULED,
            Status.SCHEDULED,
            Status.TENTATIVE,
        ]


def test_talks_stored_as_a_whole_finding_are_grouped_at_once(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite"
    pairs = [("site:1", "d1"), ("site:2", "d2")]
    hours = [T0 + timedelta(hours=n) for n in range(3)]
    with Store(path) as store:
        first = [Sighting(talk(n), "Site", drafted=f"d{n}") for n in (1, 2)]
        store.upsert(first, hours[0], [Group("site", pairs, group_name(pairs))])
        store.upsert([SeenAgain("site", "Site", pairs, group_name(pairs))], hours[1])
        assert set(_own_last_seen(path).values()) == {hours[0].isoformat()}, "one row written"
        assert [st.last_seen for st in store.talks()] == [hours[1], hours[1]]
        # A talk that is not stored cannot be in a group: none is made.
        lost = [("site:1", "d1"), ("site:9", "d9")]
        store.upsert(
            [SeenAgain("site", "Site", lost[:1])], hours[2], [Group("site", lost, group_name(lost))]
        )
        with contextlib.closing(sqlite3.connect(path)) as connection:
            assert connection.execute("SELECT count(*) FROM seen_groups").fetchone() == (0,)
        assert [st.last_seen for st in store.talks()] == [hours[2], hours[1]]


def test_the_next_record_is_what_upsert_stores(tmp_path: Path) -> None:
    moved: dict[str, Any] = {"start": datetime(2026, 4, 2, 14, tzinfo=NY), "abstract": None}
    runs: list[tuple[Sighting, bool]] = [
        (Sighting(talk(), "Site"), True),
        (Sighting(talk(), "Site, renamed"), False),
        (Sighting(talk(**moved), "Site"), True),
        # Partial: the stored abstract is kept, and the record is what the last run stored.
        (Sighting(talk(**moved), "Site", partial=True), False),
        (Sighting(talk(title="A retitled talk", **moved), "Site", partial=True), True),
    ]
    with Store(tmp_path / "db.sqlite") as store:
        for hour, (sighting, changes) in enumerate(runs):
            now = T0 + timedelta(hours=hour)
            foreseen = next_record(sighting, store.recorded(sighting.talk.id), now)
            store.upsert([sighting], now)
            (stored,) = store.talks()
            assert foreseen == (stored if changes else None), hour
