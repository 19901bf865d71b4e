from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from aggregator.config import load_config
from aggregator.model import SourceLink, Speaker, Status, StoredTalk, Talk
from aggregator.records.merge import (
    Cluster,
    Evidence,
    MergeSettings,
    Overrides,
    merge,
    speaker_key,
    url_key,
)
from scrapers import all_sites

NY = ZoneInfo("America/New_York")
START = datetime(2026, 4, 1, 14, tzinfo=NY)
SEEN = datetime(2026, 1, 5, 6, tzinfo=UTC)


def stored(
    source: str,
    key: int = 1,
    *,
    speakers: Sequence[str | Speaker] = ("Ada Lovelace",),
    title: str | None = "Notes on the analytical engine",
    start: datetime = START,
    seen: int = 0,
    **fields: Any,
) -> StoredTalk:
    """One source's record; `seen` is the day (after SEEN) the store first saw it."""
    talk = Talk.model_validate(
        {
            "id": f"{source}:{key}",
            "source": source,
            "url": f"https://{source}.example.edu/talks/{key}",
            "title": title,
            "speakers": [s if isinstance(s, Speaker) else Speaker(name=s) for s in speakers],
            "start": start,
            "timezone": "America/New_York",
            **fields,
        }
    )
    when = SEEN + timedelta(days=seen)
    return StoredTalk(
        talk=talk, source_name=source.title(), first_seen=when, last_seen=when, last_changed=when
    )


def groups(clusters: Sequence[Cluster]) -> list[list[str]]:
    """Member ids per cluster, in cluster order."""
    return [[m.talk.id for m in cluster.members] for cluster in clusters]


def together(clusters: Sequence[Cluster], a: str, b: str) -> bool:
    return any({a, b} <= set(group) for group in groups(clusters))


@pytest.mark.parametrize(
    ("name", "other"),
    [
        ("Prof. Ada B. Lovelace", "Ada Lovelace"),
        ("José Núñez", "Jose Nunez"),
        ("Lovelace, Ada", "Ada Lovelace"),
        ("Dr Ada Lovelace, Ph.D.", "ada lovelace"),
        ("Martin Luther King, Jr.", "Martin King"),
        ("Ada Lovelace, University of London", "Ada Lovelace"),
        ("Conan O’Brien", "Conan OBrien"),
    ],
)
def test_speaker_spellings_that_match(name: str, other: str) -> None:
    assert speaker_key(name) == speaker_key(other)


@pytest.mark.parametrize(
    ("name", "other"),
    [
        ("A. Lovelace", "Ada Lovelace"),  # initials are not expanded
        ("Ada Lovelace", "Ada Byron"),
        ("Ada", "Ada Lovelace"),
    ],
)
def test_speaker_spellings_that_differ(name: str, other: str) -> None:
    assert speaker_key(name) != speaker_key(other)


def test_url_key_ignores_scheme_fragment_slash_and_host_case() -> None:
    assert url_key("http://Dept.Example.EDU/talks/7/#top") == url_key(
        "https://dept.example.edu/talks/7"
    )
    assert url_key("https://dept.example.edu/talks?id=7") != url_key(
        "https://dept.example.edu/talks?id=8"
    )


SAME_TALK = [
    (
        "speaker with honorific and middle initial",
        {"speakers": ["Prof. Ada B. Lovelace"], "title": "Engines"},
        {"speakers": ["Ada Lovelace"], "title": "Poetical science"},
    ),
    (
        "accented speaker",
        {"speakers": ["José Núñez"], "title": "Topology"},
        {"speakers": ["Jose Nunez"], "title": "Knots"},
    ),
    (
        "one shared speaker among several",
        {"speakers": ["Grace Hopper", "Ada Lovelace"]},
        {"speakers": ["Lovelace, Ada"], "title": "Something else entirely"},
    ),
    (
        "similar titles, speaker spelt differently",
        {"speakers": ["A. Lovelace"], "title": "The Analytical Engine: Notes & Queries"},
        {
            "speakers": ["Countess of Lovelace"],
            "title": "the analytical engine — notes and queries",
        },
    ),
    (
        "same title words in another order",
        {"speakers": [], "title": "Learning to rank, revisited"},
        {"speakers": [], "title": "Revisited: learning to rank"},
    ),
    (
        "start 10 minutes apart",
        {},
        {"start": START + timedelta(minutes=10), "title": "Poetical science"},
    ),
    (
        "start exactly the tolerance apart",
        {},
        {"start": START + timedelta(minutes=15), "title": "Poetical science"},
    ),
    (
        "same instant given in another zone",
        {},
        {"start": START.astimezone(ZoneInfo("Europe/London")), "timezone": "Europe/London"},
    ),
    (
        "same detail URL, nothing else alike",
        {"speakers": ["A. L."], "title": "Engines", "url": "http://Dept.example.edu/t/7/#abstract"},
        {"speakers": ["Ada King"], "title": "Poetry", "url": "https://dept.example.edu/t/7"},
    ),
    (
        "similar rooms",
        {"location": "Room 101"},
        {"location": "Room 101, Babbage Building"},
    ),
]


@pytest.mark.parametrize(
    ("first", "second"), [case[1:] for case in SAME_TALK], ids=[case[0] for case in SAME_TALK]
)
def test_same_talk_on_two_sources(first: dict[str, Any], second: dict[str, Any]) -> None:
    clusters = merge([stored("dept", **first), stored("lab", **second)])
    assert groups(clusters) == [["dept:1", "lab:1"]]


DIFFERENT_TALKS = [
    (
        "same time, different rooms",
        ("dept", {"location": "Room 101"}),
        ("lab", {"location": "Auditorium B"}),
    ),
    (
        "same speaker, different days",
        ("dept", {}),
        ("lab", {"start": START + timedelta(days=1)}),
    ),
    (
        "same speaker, 20 minutes apart",
        ("dept", {}),
        ("lab", {"start": START + timedelta(minutes=20)}),
    ),
    (
        "one source's two talks at one time",
        ("dept", {"key": 1}),
        ("dept", {"key": 2}),
    ),
    (
        "titles one contains the other (token_set_ratio would say 100)",
        ("dept", {"speakers": ["Grace Hopper"], "title": "Deep learning"}),
        ("lab", {"speakers": ["Alan Turing"], "title": "Deep learning for protein folding"}),
    ),
    (
        "placeholder titles",
        ("dept", {"speakers": [], "title": "TBA"}),
        ("lab", {"speakers": [], "title": "T.B.A."}),
    ),
    # Near misses at one time, no speaker named: a lower title threshold (75) would join them.
    (
        "near-miss titles: rank and walk",
        ("dept", {"speakers": [], "title": "Learning to rank"}),
        ("lab", {"speakers": [], "title": "Learning to walk"}),
    ),
    (
        "near-miss titles: graph and game",
        ("dept", {"speakers": [], "title": "Spectral graph theory"}),
        ("lab", {"speakers": [], "title": "Spectral game theory"}),
    ),
    (
        "unrelated talks at one time",
        ("dept", {"speakers": ["Grace Hopper"], "title": "Compilers"}),
        ("lab", {"speakers": ["Alan Turing"], "title": "Morphogenesis"}),
    ),
]


@pytest.mark.parametrize(
    ("first", "second"),
    [case[1:] for case in DIFFERENT_TALKS],
    ids=[case[0] for case in DIFFERENT_TALKS],
)
def test_different_talks_stay_apart(
    first: tuple[str, dict[str, Any]], second: tuple[str, dict[str, Any]]
) -> None:
    clusters = merge([stored(first[0], **first[1]), stored(second[0], **second[1])])
    assert len(clusters) == 2
    assert all(len(cluster.members) == 1 for cluster in clusters)


def test_the_config_default_is_the_merge_default() -> None:
    defaults = load_config(None, all_sites()).merge
    assert timedelta(minutes=defaults.tolerance_minutes) == MergeSettings().tolerance
    assert defaults.title_ratio == MergeSettings().title_ratio


def test_tolerance_and_title_ratio_are_settings() -> None:
    later = stored("lab", start=START + timedelta(minutes=20))
    assert len(merge([stored("dept"), later], MergeSettings(tolerance=timedelta(minutes=30)))) == 1
    near_titles = [
        stored("dept", speakers=[], title="Notes on the engine"),
        stored("lab", speakers=[], title="Notes on the engines"),
    ]
    assert len(merge(near_titles)) == 1
    assert len(merge(near_titles, MergeSettings(title_ratio=99.0))) == 2


def test_a_url_one_source_gives_several_talks_is_no_evidence() -> None:
    series = "https://dept.example.edu/seminar"
    talks = [
        stored("feed", 1, speakers=["Grace Hopper"], title="Compilers", url=series),
        stored("feed", 2, speakers=["Grace Hopper"], title="Cobol", url=series, start=START + timedelta(days=7)),
        stored("cal", 1, speakers=["Alan Turing"], title="Morphogenesis", url=series + "/"),
    ]  # fmt: skip
    assert len(merge(talks)) == 3


def test_a_url_that_talks_left_out_give_too_is_no_evidence() -> None:
    """A merge of part of the records is told which URLs the others give."""
    series = "https://dept.example.edu/seminar"
    talks = [
        stored("feed", 1, speakers=["Grace Hopper"], title="Compilers", url=series),
        stored("cal", 1, speakers=["Alan Turing"], title="Morphogenesis", url=series + "/"),
    ]
    assert groups(merge(talks)) == [["cal:1", "feed:1"]]
    assert len(merge(talks, elsewhere={("feed", url_key(series))})) == 2
    assert len(merge(talks, elsewhere={("feed", url_key(series + "/other"))})) == 1


def test_evidence_may_see_a_link_the_merge_refuses_never_the_reverse() -> None:
    series = "https://dept.example.edu/seminar"
    feed = stored("feed", 1, speakers=["Grace Hopper"], title="Compilers", url=series)
    cal = stored("cal", 1, speakers=["Alan Turing"], title="Morphogenesis", url=series + "/")
    evidence = Evidence()
    assert evidence.linked(feed, cal), "a URL counts even where a source gives it to several"
    assert evidence.linked(feed, stored("cal", 2, speakers=["G. Hopper"], title="Compilers"))
    assert not evidence.linked(feed, stored("feed", 2, speakers=["Grace Hopper"], url=series))
    late = START + timedelta(minutes=16)
    assert not evidence.linked(feed, stored("cal", 3, title="Compilers", start=late, url=series))
    assert not evidence.linked(feed, stored("cal", 4, speakers=["Alan Turing"], title="Lambda"))


def test_chains_never_join_talks_the_rules_keep_apart() -> None:
    # "lab" matches both "dept" talks; "dept" lists each talk once, so one link must be refused.
    same_source = [
        stored("dept", 1),
        stored("dept", 2, speakers=["Ada Lovelace", "Grace Hopper"], title="Another talk"),
        stored("lab", 1),
    ]
    assert not together(merge(same_source), "dept:1", "dept:2")
    assert len(merge(same_source)) == 2
    # The middle record has no room: it may join either side, never both.
    rooms = [
        stored("dept", location="Room 101"),
        stored("lab"),
        stored("cal", location="Auditorium B"),
    ]
    assert not together(merge(rooms), "dept:1", "cal:1")
    # Each step is 10 minutes, the whole chain 20: beyond the tolerance.
    steps = [stored(source, start=START + timedelta(minutes=10 * n)) for n, source in enumerate(["dept", "lab", "cal"])]  # fmt: skip
    assert not together(merge(steps), "dept:1", "cal:1")


def test_override_together_joins_what_the_rules_keep_apart() -> None:
    talks = [
        stored("dept", location="Room 101"),
        stored("lab", speakers=["Grace Hopper"], title="Cobol", start=START + timedelta(days=1)),
        stored("dept", 2, location="Auditorium B"),
    ]
    overrides = Overrides(together=(("dept:1", "lab:1"), ("lab:1", "dept:2")))
    assert groups(merge(talks, overrides=overrides)) == [["dept:1", "dept:2", "lab:1"]]


def test_override_apart_splits_a_match() -> None:
    talks = [stored("dept"), stored("lab")]
    assert len(merge(talks)) == 1
    assert len(merge(talks, overrides=Overrides(apart=(("lab:1", "dept:1"),)))) == 2


def test_override_apart_holds_through_a_chain() -> None:
    talks = [stored("dept"), stored("lab"), stored("cal")]
    clusters = merge(talks, overrides=Overrides(apart=(("dept:1", "cal:1"),)))
    assert not together(clusters, "dept:1", "cal:1")
    # Links are tried in (start, id) order, so "lab" joins "cal" and then cannot join "dept".
    assert groups(clusters) == [["cal:1", "lab:1"], ["dept:1"]]


def test_override_apart_wins_over_together() -> None:
    talks = [stored("dept"), stored("lab", start=START + timedelta(days=1)), stored("cal")]
    overrides = Overrides(
        together=(("dept:1", "lab:1"), ("lab:1", "cal:1")), apart=(("dept:1", "cal:1"),)
    )
    clusters = merge(talks, overrides=overrides)
    assert not together(clusters, "dept:1", "cal:1")
    assert together(clusters, "cal:1", "lab:1")
    assert len(clusters) == 2


def test_overrides_naming_unknown_talks_are_ignored() -> None:
    overrides = Overrides(together=(("dept:1", "gone:9"),), apart=(("gone:9", "lab:1"),))
    assert groups(merge([stored("dept"), stored("lab")], overrides=overrides)) == [
        ["dept:1", "lab:1"]
    ]


def previous_of(clusters: Sequence[Cluster]) -> dict[str, str]:
    return {member.talk.id: cluster.id for cluster in clusters for member in cluster.members}


def test_id_is_the_earliest_member_without_history() -> None:
    (cluster,) = merge([stored("abc", seen=3), stored("zoo", seen=1)])
    assert cluster.id == cluster.talk.id == "zoo:1"
    assert cluster.talk.source == "zoo"
    assert [m.talk.id for m in cluster.members] == ["zoo:1", "abc:1"]


def test_id_survives_a_second_source_appearing() -> None:
    first_run = merge([stored("zoo")])
    # Seen on the same day, so without history the smaller id would win.
    both = [stored("zoo"), stored("abc")]
    assert merge(both)[0].id == "abc:1"
    (cluster,) = merge(both, previous=previous_of(first_run))
    assert cluster.id == cluster.talk.id == "zoo:1"
    assert cluster.talk.source == "zoo"
    assert cluster.talk.url == "https://zoo.example.edu/talks/1"


def test_id_survives_the_first_source_disappearing() -> None:
    first_run = merge([stored("dept", seen=0), stored("lab", seen=2)])
    assert [c.id for c in first_run] == ["dept:1"]
    (cluster,) = merge([stored("lab", seen=2)], previous=previous_of(first_run))
    assert cluster.id == cluster.talk.id == "dept:1"
    assert cluster.talk.source == "lab"
    assert cluster.provenance["id"] == "lab"


def test_id_goes_to_the_majority_then_the_smallest() -> None:
    talks = [stored("dept"), stored("lab"), stored("cal")]
    majority = {"dept:1": "old:b", "lab:1": "old:b", "cal:1": "old:a"}
    assert merge(talks, previous=majority)[0].id == "old:b"
    tie = {"dept:1": "old:b", "lab:1": "old:a"}
    assert merge(talks, previous=tie)[0].id == "old:a"


def test_a_split_cluster_leaves_its_id_with_the_talk_of_that_id() -> None:
    history = {"dept:1": "dept:1", "lab:1": "dept:1"}
    clusters = merge(
        [stored("dept"), stored("lab")],
        overrides=Overrides(apart=(("dept:1", "lab:1"),)),
        previous=history,
    )
    assert sorted((c.id, c.members[0].talk.id) for c in clusters) == [
        ("dept:1", "dept:1"),
        ("lab:1", "lab:1"),
    ]


def test_ids_stay_unique_when_histories_conflict() -> None:
    day = timedelta(days=1)
    talks = [
        stored("a", title="First"),
        stored("b", start=START + day),
        stored("c", start=START + day),
        stored("z", 9, title="Third", start=START + 2 * day),
    ]
    # "a:1" lost "z:9" to the talk of that id, and its own id to the cluster of b and c.
    history = {"a:1": "z:9", "b:1": "a:1", "c:1": "a:1", "z:9": "z:9"}
    clusters = merge(talks, previous=history)
    assert [(c.id, [m.talk.id for m in c.members]) for c in clusters] == [
        ("a:1~2", ["a:1"]),
        ("a:1", ["b:1", "c:1"]),
        ("z:9", ["z:9"]),
    ]


def test_singleton_is_its_own_talk() -> None:
    alone = stored("dept", location="Room 101", abstract="About engines.")
    (cluster,) = merge([alone])
    assert cluster.id == "dept:1"
    assert cluster.talk == alone.talk
    assert cluster.members == (alone,)
    assert cluster.sources == (
        SourceLink(source="dept", name="Dept", url="https://dept.example.edu/talks/1"),
    )
    assert cluster.provenance == dict.fromkeys(
        [
            "id", "source", "url", "title", "speakers", "start", "timezone", "all_day",
            "default_duration_minutes", "location", "abstract", "status",
        ],
        "dept",
    )  # fmt: skip


def test_richest_fields_and_their_provenance() -> None:
    london = ZoneInfo("Europe/London")
    talks = [
        stored(
            "dept",
            title="Engines",
            speakers=["Ada Lovelace"],
            location="Room 101",
            abstract="Short.",
            default_duration_minutes=90,
            seen=0,
        ),
        stored(
            "lab",
            title="  Notes on the analytical engine  ",
            speakers=[Speaker(name="Ada Lovelace", affiliation="University of London")],
            start=START + timedelta(minutes=5),
            end=START + timedelta(minutes=75),
            location="Room 101, Babbage Building",
            host="Charles Babbage",
            abstract="A much longer abstract about engines.",
            bio="Mathematician.",
            seen=1,
        ),
        stored(
            "cal",
            title="Engines!",
            speakers=["Ada Lovelace", "Charles Babbage"],
            start=START.astimezone(london),
            timezone="Europe/London",
            notes="Coffee at 3.",
            url="https://cal.example.edu/e/1",
            seen=2,
        ),
    ]
    (cluster,) = merge(talks)
    talk = cluster.talk
    assert cluster.id == talk.id == "dept:1"
    assert [m.talk.source for m in cluster.members] == ["dept", "lab", "cal"]
    assert talk.title == "  Notes on the analytical engine  "
    assert talk.speakers == [Speaker(name="Ada Lovelace", affiliation="University of London")]
    # The time comes from the fullest record (the lab's), not from the earliest one.
    assert talk.start == START + timedelta(minutes=5)
    assert talk.timezone == "America/New_York"
    assert talk.end == START + timedelta(minutes=75)
    assert talk.location == "Room 101, Babbage Building"
    assert talk.host == "Charles Babbage"
    assert talk.abstract == "A much longer abstract about engines."
    assert talk.bio == "Mathematician."
    assert talk.notes == "Coffee at 3."
    assert talk.url == "https://dept.example.edu/talks/1"
    assert talk.default_duration_minutes == 90
    assert talk.status is Status.SCHEDULED
    assert cluster.provenance == {
        "id": "dept", "source": "dept", "url": "dept", "title": "lab", "speakers": "lab",
        "start": "lab", "end": "lab", "timezone": "lab", "all_day": "lab",
        "default_duration_minutes": "dept", "location": "lab", "host": "lab", "abstract": "lab",
        "bio": "lab", "notes": "cal", "status": "dept",
    }  # fmt: skip
    assert [(s.source, s.name, s.url) for s in cluster.sources] == [
        ("dept", "Dept", "https://dept.example.edu/talks/1"),
        ("lab", "Lab", "https://lab.example.edu/talks/1"),
        ("cal", "Cal", "https://cal.example.edu/e/1"),
    ]


def test_speakers_prefer_affiliations_then_more_speakers() -> None:
    talks = [
        stored("dept", speakers=["Ada Lovelace"]),
        stored("lab", speakers=["Ada Lovelace", "Charles Babbage"], seen=1),
        stored("cal", speakers=[Speaker(name="Ada Lovelace", affiliation="London")], seen=2),
    ]
    (cluster,) = merge(talks)
    assert cluster.provenance["speakers"] == "cal"
    (cluster,) = merge(talks[:2])
    assert cluster.provenance["speakers"] == "lab"


def test_ties_go_to_the_earliest_member() -> None:
    (cluster,) = merge(
        [stored("lab", location="Room A", seen=1), stored("dept", location="Room B")]
    )
    assert cluster.talk.location == "Room B"
    assert cluster.provenance["location"] == "dept"
    assert cluster.provenance["title"] == "dept"


@pytest.mark.parametrize(
    ("statuses", "merged", "giver"),
    [
        ((Status.SCHEDULED, Status.CANCELLED, Status.POSTPONED), Status.CANCELLED, "lab"),
        ((Status.POSTPONED, Status.SCHEDULED, Status.SCHEDULED), Status.POSTPONED, "dept"),
        ((Status.TENTATIVE, Status.SCHEDULED, Status.TENTATIVE), Status.SCHEDULED, "lab"),
        ((Status.TENTATIVE, Status.TENTATIVE, Status.TENTATIVE), Status.TENTATIVE, "dept"),
    ],
)
def test_cancelled_or_postponed_member_decides_the_status(
    statuses: tuple[Status, ...], merged: Status, giver: str
) -> None:
    talks = [
        stored(source, status=status, seen=day)
        for day, (source, status) in enumerate(zip(["dept", "lab", "cal"], statuses, strict=True))
    ]
    (cluster,) = merge(talks)
    assert cluster.talk.status is merged
    assert cluster.provenance["status"] == giver


def test_all_day_only_when_every_member_is() -> None:
    midnight = datetime(2026, 4, 1, tzinfo=NY)
    whole_day: dict[str, Any] = {
        "start": midnight,
        "all_day": True,
        "end": midnight + timedelta(days=1),
    }
    (both,) = merge([stored("dept", **whole_day), stored("lab", **whole_day)])
    assert both.talk.all_day
    timed: dict[str, Any] = {
        "start": midnight + timedelta(minutes=10),
        "end": midnight + timedelta(minutes=70),
    }
    (mixed,) = merge([stored("dept", **whole_day), stored("lab", **timed, seen=1)])
    assert not mixed.talk.all_day
    assert mixed.provenance["all_day"] == "lab"
    # The whole-day member's exclusive end is not an end for a timed talk.
    assert mixed.talk.end == midnight + timedelta(minutes=70)


def random_talks(rng: random.Random) -> list[StoredTalk]:
    people = ["Ada Lovelace", "Prof. Ada Lovelace", "Grace Hopper", "Hopper, Grace", "Alan Turing"]
    titles = ["Engines", "Compilers", "Morphogenesis", "engines!", "Computable numbers"]
    rooms = [None, "Room 101", "Auditorium B", "Room 101, Main"]
    talks = []
    for key in range(40):
        talks.append(
            stored(
                rng.choice(["dept", "lab", "cal", "seminar"]),
                key,
                speakers=[rng.choice(people)],
                title=rng.choice(titles),
                start=START + timedelta(minutes=5 * rng.randrange(12), days=rng.randrange(2)),
                location=rng.choice(rooms),
                seen=rng.randrange(3),
            )
        )
    return talks


def test_merge_is_deterministic_whatever_the_input_order() -> None:
    rng = random.Random(7)
    talks = random_talks(rng)
    ids = [t.talk.id for t in talks]
    overrides = Overrides(together=((ids[0], ids[1]),), apart=((ids[2], ids[3]),))
    history = {ids[4]: ids[5], ids[6]: ids[6]}
    expected = merge(talks, overrides=overrides, previous=history)
    assert 1 < len(expected) < len(talks)
    assert sorted(m.talk.id for c in expected for m in c.members) == sorted(ids)
    assert len({c.id for c in expected}) == len(expected)
    assert [(c.talk.start, c.id) for c in expected] == sorted(
        (c.talk.start, c.id) for c in expected
    )
    for _ in range(5):
        shuffled = talks[:]
        rng.shuffle(shuffled)
        assert merge(shuffled, overrides=overrides, previous=history) == expected


def test_duplicate_input_ids_are_refused() -> None:
    with pytest.raises(ValueError, match="dept:1"):
        merge([stored("dept"), stored("dept", title="Edited")])


# --- Talks without a title or a page of their own ----------------------------------------------


@pytest.mark.parametrize("titled_first", [True, False])
def test_a_talk_and_the_same_talk_without_a_title_are_one(titled_first: bool) -> None:
    titled = stored("dept", seen=0 if titled_first else 1)
    untitled = stored("lab", title=None, url=None, seen=1 if titled_first else 0)
    (cluster,) = merge([titled, untitled])
    assert cluster.talk.title == "Notes on the analytical engine"
    assert cluster.provenance["title"] == "dept"
    assert cluster.talk.url == "https://dept.example.edu/talks/1"
    assert cluster.provenance["url"] == "dept"
    links = [("dept", "https://dept.example.edu/talks/1"), ("lab", None)]
    # Sources are listed in the order the store first saw them.
    expected = links if titled_first else links[::-1]
    assert [(s.source, s.url) for s in cluster.sources] == expected


def test_a_missing_url_is_never_the_same_detail_url() -> None:
    talks = [
        stored("dept", speakers=["Grace Hopper"], title=None, url=None),
        stored("lab", speakers=["Alan Turing"], title=None, url=None),
        stored("cal", speakers=[], title=None, url=None),
    ]
    assert groups(merge(talks)) == [["cal:1"], ["dept:1"], ["lab:1"]]


def test_one_source_with_several_talks_without_a_url_keeps_them_apart() -> None:
    talks = [
        stored("feed", 1, speakers=["Grace Hopper"], title=None, url=None),
        stored("feed", 2, speakers=["Alan Turing"], title=None, url=None),
        stored("cal", 1, speakers=["Alan Turing"], title="Morphogenesis"),
    ]
    assert groups(merge(talks)) == [["cal:1", "feed:2"], ["feed:1"]]


def test_talks_without_titles_or_speakers_are_no_evidence() -> None:
    talks = [stored("dept", speakers=[], title=None), stored("lab", speakers=[], title=None)]
    assert len(merge(talks)) == 2


def test_a_url_from_another_member_beats_none() -> None:
    first = stored("dept", title=None, url=None, seen=0)
    second = stored("lab", seen=1)
    (cluster,) = merge([first, second])
    assert cluster.id == "dept:1"
    assert cluster.talk.url == "https://lab.example.edu/talks/1"
    assert (cluster.provenance["id"], cluster.provenance["url"]) == ("dept", "lab")


def test_a_singleton_without_title_or_url_names_no_source_for_them() -> None:
    (cluster,) = merge([stored("dept", title=None, url=None)])
    assert (cluster.talk.title, cluster.talk.url) == (None, None)
    assert "title" not in cluster.provenance and "url" not in cluster.provenance
    assert cluster.sources == (SourceLink(source="dept", name="Dept"),)
