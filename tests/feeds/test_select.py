"""Which talks a feed holds: day windows and filters, with one meaning in every format."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import feedparser
import pytest
from icalendar import Calendar

from aggregator.model import Speaker, StoredTalk
from feeds import (
    FORMATS,
    FeedFilter,
    FeedSpec,
    in_window,
    matches,
    render_atom,
    render_ical,
    render_rss,
    select,
    window_start,
)
from tests.feeds.sample import NEW_YORK, SPEC, lifecycle_talks, sample_talks

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def _at(base: StoredTalk, talk_id: str, start: datetime) -> StoredTalk:
    return base.model_copy(
        update={"talk": base.talk.model_copy(update={"id": talk_id, "start": start, "end": None})}
    )


@pytest.fixture
def aged() -> list[StoredTalk]:
    """Talks that started 0, 30, 30 days + 1 s, 31, 180, 181 days before NOW, and one ahead."""
    base = sample_talks()[0]
    offsets = {
        "d0": timedelta(0),
        "d30": timedelta(days=30),
        "d30+1s": timedelta(days=30, seconds=1),
        "d31": timedelta(days=31),
        "d180": timedelta(days=180),
        "d181": timedelta(days=181),
        "ahead": -timedelta(days=400),
    }
    return [_at(base, talk_id, NOW - offset) for talk_id, offset in offsets.items()]


def _ids(talks: list[StoredTalk]) -> list[str]:
    return [st.talk.id for st in talks]


# --- Windows ---------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_feed_window_is_rss_days_back(fmt: str, aged: list[StoredTalk]) -> None:
    """From midnight UTC 30 days back: May 2, 00:00 for NOW, June 1, 12:00."""
    assert _ids(in_window(aged, SPEC, fmt, NOW)) == ["d0", "d30", "d30+1s", "ahead"]


def test_calendar_window_is_ical_days_back(aged: list[StoredTalk]) -> None:
    assert _ids(in_window(aged, SPEC, "ics", NOW)) == [
        "d0",
        "d30",
        "d30+1s",
        "d31",
        "d180",
        "ahead",
    ]


def test_no_limit_keeps_everything(aged: list[StoredTalk]) -> None:
    spec = FeedSpec("all", "All", "", "https://x.example/", rss_days_back=None, ical_days_back=0)
    assert _ids(in_window(aged, spec, "atom", NOW)) == _ids(aged)
    assert _ids(in_window(aged, spec, "ics", NOW)) == ["d0", "ahead"]


def test_every_run_of_a_day_has_one_window(aged: list[StoredTalk]) -> None:
    """An hourly run changes a feed only when its talks change: the window moves at midnight
    UTC, by a day."""
    midnight = datetime(2026, 6, 1, 0, 0, tzinfo=UTC)
    runs = [midnight + timedelta(hours=hours, minutes=59) for hours in range(24)]
    assert {window_start(SPEC, "rss", now) for now in runs} == {datetime(2026, 5, 2, tzinfo=UTC)}
    assert window_start(SPEC, "rss", midnight - timedelta(seconds=1)) == datetime(
        2026, 5, 1, tzinfo=UTC
    )


def test_window_days_are_counted_in_utc_across_dst(aged: list[StoredTalk]) -> None:
    """New York's clocks moved on March 8, 2026: 30 days before April 1, 12:00 EDT (16:00 UTC)
    is March 2, 16:00 UTC, and the window starts at that day's UTC midnight, March 1, 19:00 EST.
    Wall-clock arithmetic in New York would start it at 20:00 EST."""
    base = aged[0]
    now = datetime(2026, 4, 1, 12, 0, tzinfo=NEW_YORK)
    edge = _at(base, "edge", datetime(2026, 3, 1, 19, 0, tzinfo=NEW_YORK))
    outside = _at(base, "outside", datetime(2026, 3, 1, 18, 59, 59, tzinfo=NEW_YORK))
    assert _ids(in_window([edge, outside], SPEC, "rss", now)) == ["edge"]


def test_window_needs_an_aware_now_and_a_known_format(aged: list[StoredTalk]) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        in_window(aged, SPEC, "rss", datetime(2026, 6, 1, 12, 0))
    with pytest.raises(ValueError, match="unknown feed format 'html'"):
        in_window(aged, SPEC, "html", NOW)


def test_every_format_has_a_window(aged: list[StoredTalk]) -> None:
    for fmt in FORMATS:
        assert in_window(aged, SPEC, fmt, NOW)


# --- Filters ---------------------------------------------------------------------------------


def _pool() -> dict[str, StoredTalk]:
    return {st.talk.id: st for st in sample_talks() + lifecycle_talks()}


def _kept(f: FeedFilter) -> set[str]:
    return {talk_id for talk_id, st in _pool().items() if matches(st, f)}


def test_empty_filter_keeps_everything() -> None:
    assert _kept(FeedFilter()) == set(_pool())


def test_sources_include_merged_members() -> None:
    # life:merged's own source is nyu-cs; courant-cal only lists it.
    assert _kept(FeedFilter(sources=("courant-cal",))) == {"life:merged"}
    assert _kept(FeedFilter(sources=("csail", "courant-cal"))) == {"csail:77", "life:merged"}
    nyu = {"nyu-cs:1857", "nyu-cs:1840", "nyu-cs:1860", "nyu-cs:1870", "life:merged"}
    assert _kept(FeedFilter(sources=("nyu-cs",))) == nyu
    assert _kept(FeedFilter(sources=("nowhere",))) == set()


@pytest.mark.parametrize(
    ("keyword", "kept"),
    [
        # A plural "s" is allowed: "GPU" finds "GPUs"; case does not matter.
        ("gpu", {"life:merged"}),
        ("GPUs", {"life:merged"}),
        # Whole words only: "Kernel" is in a title, "Kern" is not a word there.
        ("Kern", set()),
        ("kernel", {"tub-ml:42"}),
        # "learn" is not "learning", and "LLM" finds "LLMs" in the title and the abstract.
        ("learn", set()),
        ("LLM", {"nyu-cs:1857"}),
        # Accents and case fold both ways: the speaker "Ana Núñez", the affiliation "Collège" not.
        ("nunez", {"life:merged"}),
        ("NÚÑEZ", {"life:merged"}),
        ("college", set()),
        # Phrases match across whitespace, punctuation next to a word is a boundary.
        ("kernel methods", {"tub-ml:42"}),
        ("revisited", {"tub-ml:42"}),
        ("trees", {"nyu-cs:1870"}),
        # Speaker names count, affiliations and hosts do not.
        ("Leroy", {"nyu-cs:1840"}),
        ("MIT", set()),
        ("Jinyang", set()),
        # Regex characters are literal.
        ("graphs & <trees>", {"nyu-cs:1870"}),
        (".*", set()),
    ],
)
def test_keywords(keyword: str, kept: set[str]) -> None:
    assert _kept(FeedFilter(keywords=(keyword,))) == kept


def test_plural_s_is_the_only_suffix() -> None:
    base = _pool()["nyu-cs:1857"]

    def titled(title: str) -> StoredTalk:
        return base.model_copy(update={"talk": base.talk.model_copy(update={"title": title})})

    gpu = FeedFilter(keywords=("GPU",))
    assert matches(titled("GPU scheduling"), gpu)
    assert matches(titled("Many GPUs"), gpu)
    assert matches(titled("GPU-based training"), gpu)
    assert matches(titled("The GPU's memory"), gpu)
    assert not matches(titled("GPUDirect storage"), gpu)
    assert not matches(titled("GPUses"), gpu)
    assert not matches(titled("eGPU docks"), gpu)
    assert matches(titled("Machine\nlearning"), FeedFilter(keywords=("machine  learning",)))


def test_keyword_spans_no_field_boundary() -> None:
    # The title ends in "LLMs" and the abstract starts with "LLMs": no phrase spans the two.
    assert not _kept(FeedFilter(keywords=("for LLMs LLMs",)))


def test_any_keyword_is_enough() -> None:
    assert _kept(FeedFilter(keywords=("kernel", "verified"))) == {"tub-ml:42", "nyu-cs:1840"}


def test_exclude_drops_talks_mentioning_a_phrase() -> None:
    every = set(_pool())
    assert _kept(FeedFilter(exclude=("ROBOT",))) == every - {"nyu-cs:1860"}
    assert _kept(FeedFilter(exclude=("robot", "schmidt"))) == every - {"nyu-cs:1860", "tub-ml:42"}
    # Abstracts count; the same whole-word rule keeps "training" safe from an excluded "rain".
    assert _kept(FeedFilter(exclude=("accelerator",))) == every - {"life:merged"}
    assert _kept(FeedFilter(exclude=("rain",))) == every


def test_parts_combine() -> None:
    f = FeedFilter(sources=("nyu-cs",), keywords=("learning", "LLM", "GPU"), exclude=("robot",))
    # nyu-cs:1860 "Robust Robot Learning" passes the keyword but is excluded.
    assert _kept(f) == {"nyu-cs:1857", "life:merged"}


@pytest.mark.parametrize(
    "fields",
    [
        {"keywords": ("",)},
        {"exclude": ("ok", "  ")},
        {"sources": ["nyu-cs"]},
    ],
)
def test_filter_rejects_blank_phrases_and_lists(fields: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="tuple of non-blank strings"):
        FeedFilter(**fields)


# --- The same selection in every format ------------------------------------------------------


def _rss_ids(data: bytes) -> list[str]:
    parsed = feedparser.parse(data)
    assert not parsed.bozo
    return sorted(e.id.removeprefix("urn:talkfeed:") for e in parsed.entries)


def _ics_ids(data: bytes) -> list[str]:
    return sorted(str(e["UID"]).removesuffix("@talkfeed") for e in Calendar.from_ical(data).events)


def _speaker(st: StoredTalk, name: str) -> StoredTalk:
    talk = st.talk.model_copy(update={"speakers": [Speaker(name=name)]})
    return st.model_copy(update={"talk": talk})


@pytest.mark.parametrize(
    "f",
    [
        FeedFilter(),
        FeedFilter(sources=("courant-cal", "tub-ml")),
        FeedFilter(keywords=("GPU", "kernel", "zoë")),
        FeedFilter(exclude=("robot",)),
        FeedFilter(sources=("nyu-cs", "tub-ml"), keywords=("learning", "llm"), exclude=("robot",)),
    ],
    ids=["empty", "sources", "keywords", "exclude", "combined"],
)
def test_every_format_holds_the_same_talks(f: FeedFilter) -> None:
    talks = [*sample_talks(), *lifecycle_talks()]
    talks[1] = _speaker(talks[1], "Zoë Ng")
    # Windows off: this is about the filter, and rss and ics windows differ on purpose.
    spec = FeedSpec(
        "topics/ml",
        "ML",
        "",
        "https://x.example/",
        filter=f,
        rss_days_back=None,
        ical_days_back=None,
    )
    now = datetime(2026, 3, 10, 18, 30, tzinfo=UTC)
    expected = sorted(st.talk.id for st in talks if matches(st, f))
    rss = _rss_ids(render_rss(select(talks, spec, "rss", now), spec))
    atom = _rss_ids(render_atom(select(talks, spec, "atom", now), spec))
    ics = _ics_ids(render_ical(select(talks, spec, "ics", now), spec))
    assert rss == atom == ics == expected


def test_select_filters_then_windows() -> None:
    talks = [*sample_talks(), *lifecycle_talks()]
    spec = FeedSpec(
        "x", "X", "", "https://x.example/", filter=FeedFilter(sources=("nyu-cs",)), rss_days_back=20
    )
    now = datetime(2026, 3, 10, 18, 30, tzinfo=UTC)
    # nyu-cs:1840 (Feb 17) started 21 days before `now`: in the calendar, not in the feed.
    assert sorted(_ids(select(talks, spec, "rss", now))) == [
        "life:merged",
        "nyu-cs:1857",
        "nyu-cs:1860",
        "nyu-cs:1870",
    ]
    assert "nyu-cs:1840" in _ids(select(talks, spec, "ics", now))
