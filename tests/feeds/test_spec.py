"""The shared wording and ordering helpers, and FeedSpec's own checks."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from aggregator.model import StoredTalk, Talk
from feeds.spec import (
    EPOCH,
    FeedFilter,
    FeedSpec,
    by_start,
    clean,
    feed_updated,
    local_time,
    newest_first,
    paragraphs,
    when,
)
from tests.feeds.sample import BY_START, DASH, NEW_YORK, NEWEST_FIRST, SPEC


def _talk(**changes: object) -> Talk:
    fields: dict[str, object] = {
        "id": "x:1",
        "source": "x",
        "url": "https://example.edu/1",
        "title": "T",
        "start": datetime(2026, 3, 10, 14, 0, tzinfo=NEW_YORK),
        "timezone": "America/New_York",
    }
    return Talk.model_validate(fields | changes)


@pytest.mark.parametrize(
    ("changes", "long", "short"),
    [
        (
            {},
            f"Tuesday, March 10, 2026, 2:00 PM {DASH} 3:00 PM EDT (America/New_York)",
            f"Tue, Mar 10, 2026, 2:00 PM {DASH} 3:00 PM EDT",
        ),
        (
            {"start": datetime(2026, 3, 6, 12, 0, tzinfo=NEW_YORK)},
            f"Friday, March 6, 2026, 12:00 PM {DASH} 1:00 PM EST (America/New_York)",
            f"Fri, Mar 6, 2026, 12:00 PM {DASH} 1:00 PM EST",
        ),
        (
            {
                "start": datetime(2026, 3, 7, 23, 30, tzinfo=NEW_YORK),
                "end": datetime(2026, 3, 8, 9, 0, tzinfo=NEW_YORK),
            },
            f"Saturday, March 7, 2026, 11:30 PM EST {DASH} Sunday, March 8, 2026, 9:00 AM EDT "
            "(America/New_York)",
            f"Sat, Mar 7, 2026, 11:30 PM EST {DASH} Sun, Mar 8, 2026, 9:00 AM EDT",
        ),
        (
            {"end": datetime(2026, 3, 10, 14, 0, tzinfo=NEW_YORK)},
            "Tuesday, March 10, 2026, 2:00 PM EDT (America/New_York)",
            "Tue, Mar 10, 2026, 2:00 PM EDT",
        ),
        (
            {
                "start": datetime(2026, 7, 1, 0, 5, tzinfo=UTC),
                "timezone": "Europe/Berlin",
                "default_duration_minutes": 45,
            },
            f"Wednesday, July 1, 2026, 2:05 AM {DASH} 2:50 AM CEST (Europe/Berlin)",
            f"Wed, Jul 1, 2026, 2:05 AM {DASH} 2:50 AM CEST",
        ),
    ],
    ids=["edt", "est", "overnight-across-dst", "zero-length", "berlin-summer"],
)
def test_when(changes: dict[str, object], long: str, short: str) -> None:
    talk = _talk(**changes)
    assert when(talk) == long
    assert when(talk, short=True) == short


def test_clean_removes_what_xml_forbids() -> None:
    assert clean("a\x00b\x08c\x1fd\x7fe\x85f\ufffeg\uffffh\ud800i") == "abcdefghi"
    assert clean("keep\ttab, é, 漢, 🎉") == "keep\ttab, é, 漢, 🎉"
    assert clean("one\r\ntwo\rthree\x0bfour\x0cfive") == "one\ntwo\nthree\nfour\nfive"


def test_paragraphs() -> None:
    assert paragraphs(None) == []
    assert paragraphs(" \n\n ") == []
    assert paragraphs("One\nline.\n \t\nTwo.\r\n\r\nThree\x00.") == ["One\nline.", "Two.", "Three."]


def test_orders(talks: list[StoredTalk]) -> None:
    assert [st.talk.id for st in newest_first(talks)] == NEWEST_FIRST
    assert [st.talk.id for st in by_start(reversed(talks))] == BY_START


def test_newest_first_breaks_full_ties_by_id(talks: list[StoredTalk]) -> None:
    base = talks[0]
    twins = [
        base.model_copy(update={"talk": base.talk.model_copy(update={"id": talk_id})})
        for talk_id in ("x:b", "x:c", "x:a")
    ]
    assert [st.talk.id for st in newest_first(twins)] == ["x:a", "x:b", "x:c"]


def test_feed_updated(talks: list[StoredTalk]) -> None:
    assert feed_updated(talks) == datetime(2026, 3, 9, 15, 0, tzinfo=UTC)
    assert feed_updated(talks).tzinfo is UTC
    assert feed_updated([]) == EPOCH == datetime(1970, 1, 1, tzinfo=UTC)


def test_urls() -> None:
    assert SPEC.href("rss") == "sites/nyu-cs-colloquium.rss"
    assert SPEC.public_url("atom") == "https://talks.example.edu/sites/nyu-cs-colloquium.atom"
    assert SPEC.webcal_url() == "webcal://talks.example.edu/sites/nyu-cs-colloquium.ics"
    no_slash = FeedSpec("all", "All", "", "http://a.example/", base_url="http://a.example/feeds")
    assert no_slash.public_url("ics") == "http://a.example/feeds/all.ics"
    assert no_slash.webcal_url() == "webcal://a.example/feeds/all.ics"
    local = FeedSpec("my talks", "All", "", "http://a.example/")
    assert local.href("ics") == "my%20talks.ics"
    assert local.public_url("ics") is None
    assert local.webcal_url() is None


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"path": ""}, "relative path"),
        ({"path": "/abs"}, "relative path"),
        ({"path": "a/../b"}, "relative path"),
        ({"path": "a//b"}, "relative path"),
        ({"path": "a\\b"}, "relative path"),
        ({"title": "  "}, "title must not be empty"),
        ({"link": "ftp://x.example/"}, "link must be an http"),
        ({"base_url": "talks.example.edu"}, "base_url must be an http"),
        ({"ttl_minutes": 0}, "ttl_minutes must be at least 1"),
        ({"rss_days_back": -1}, "rss_days_back must not be negative"),
        ({"ical_days_back": -1}, "ical_days_back must not be negative"),
    ],
)
def test_spec_rejects(fields: dict[str, object], message: str) -> None:
    good = {"path": "all", "title": "All", "description": "", "link": "https://x.example/"}
    with pytest.raises(ValueError, match=message):
        FeedSpec(**(good | fields))  # type: ignore[arg-type]


def test_spec_defaults_keep_old_callers_working() -> None:
    spec = FeedSpec("all", "All", "", "https://x.example/")
    assert (spec.cancel_prefix, spec.postpone_prefix) == ("CANCELLED: ", "POSTPONED: ")
    assert spec.filter == FeedFilter()
    assert (spec.ttl_minutes, spec.rss_days_back, spec.ical_days_back) == (60, 30, 180)


@pytest.mark.parametrize(
    ("changes", "moment", "long", "short"),
    [
        (
            {},
            datetime(2026, 3, 3, 19, 0, tzinfo=UTC),
            "Tuesday, March 3, 2026, 2:00 PM EST",
            "Tue, Mar 3, 2026, 2:00 PM EST",
        ),
        (
            {"timezone": "Europe/Berlin"},
            datetime(2026, 7, 1, 0, 5, tzinfo=NEW_YORK),
            "Wednesday, July 1, 2026, 6:05 AM CEST",
            "Wed, Jul 1, 2026, 6:05 AM CEST",
        ),
        (
            {"all_day": True, "start": datetime(2026, 3, 10, tzinfo=NEW_YORK)},
            datetime(2026, 3, 3, 5, 0, tzinfo=UTC),
            "Tuesday, March 3, 2026",
            "Tue, Mar 3, 2026",
        ),
    ],
    ids=["other-dst-side", "in-the-talks-zone", "all-day"],
)
def test_local_time(changes: dict[str, object], moment: datetime, long: str, short: str) -> None:
    talk = _talk(**changes)
    assert local_time(talk, moment) == long
    assert local_time(talk, moment, short=True) == short
