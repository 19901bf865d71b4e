from __future__ import annotations

import pickle
from dataclasses import asdict, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from aggregator.fetching.pagecache import PageCache, _draft_json
from scrapers import Link, SpeakerDraft, TalkDraft

BERLIN = ZoneInfo("Europe/Berlin")


def draft() -> TalkDraft:
    return TalkDraft(
        "https://x.edu/talks/1/",
        title="T",
        speakers=[SpeakerDraft("Ada", "X"), SpeakerDraft("Bo")],
        start=datetime(2026, 3, 29, 14, tzinfo=BERLIN),
        end=datetime(2026, 3, 29, 15, tzinfo=timezone(timedelta(hours=2))),
        location="Room 1",
        abstract="One\n\nTwo",
        status="cancelled",
        key="uid-1",
        problems=["no host label"],
    )


def test_drafts_and_links_come_back_exactly(tmp_path: Path) -> None:
    with PageCache(tmp_path / "db") as cache:
        cache.keep_draft("https://x.edu/talks/1/", draft())
        cache.keep_links(
            "https://x.edu/talks/",
            [
                Link("https://x.edu/talks/1/", "talk", draft()),
                Link("https://x.edu/?p=2", "listing"),
            ],
        )
    with PageCache(tmp_path / "db") as cache:
        again = cache.draft("https://x.edu/talks/1/")
        links = cache.links("https://x.edu/talks/")
    assert again == draft()
    assert again is not None and again.start is not None and again.start.tzinfo == BERLIN
    assert links == [
        Link("https://x.edu/talks/1/", "talk", draft()),
        Link("https://x.edu/?p=2", "listing"),
    ]
    assert cache_kinds_differ(tmp_path)


def test_a_draft_is_kept_as_its_dataclass_fields(tmp_path: Path) -> None:
    # The kept text is digested into outlines (`Outline.digest`): a store written before keeps
    # its digests only if every draft is written as it was.
    expected = asdict(draft())
    expected["start"] = {"at": "2026-03-29T14:00:00+02:00", "zone": "Europe/Berlin"}
    expected["end"] = {"at": "2026-03-29T15:00:00+02:00"}
    assert _draft_json(draft()) == expected


def cache_kinds_differ(tmp_path: Path) -> bool:
    with PageCache(tmp_path / "db") as cache:
        return (
            cache.links("https://x.edu/talks/1/") is None
            and cache.draft("https://x.edu/talks/") is None
        )


def test_validators_are_kept_with_the_parse(tmp_path: Path) -> None:
    with PageCache(tmp_path / "db") as cache:
        cache.keep_draft("https://x.edu/a", draft(), ('"v1"', None))
        assert cache.get("https://x.edu/a") == ('"v1"', None)
        # A 304's validators replace the old ones; the page is unchanged, so its parse stays.
        cache.put("https://x.edu/a", '"v2"', "Tue, 10 Mar 2026 10:00:00 GMT")
        assert cache.get("https://x.edu/a") == ('"v2"', "Tue, 10 Mar 2026 10:00:00 GMT")
        assert cache.draft("https://x.edu/a") == draft()
        # A fresh answer without validators: nothing to ask conditionally with next time.
        cache.keep_draft("https://x.edu/a", draft())
        assert cache.get("https://x.edu/a") is None
        cache.put("https://x.edu/b", '"v1"', None)
        assert cache.get("https://x.edu/b") is None, "a 304 with nothing to rebuild from is useless"


def test_robots_text_and_validators_outlive_the_connection(tmp_path: Path) -> None:
    url = "https://cs.example.edu/robots.txt"
    with PageCache(tmp_path / "talkfeed.db") as cache:
        cache.keep_robots(url, '"r1"', None, "User-agent: *\nDisallow: /private\n")
    with PageCache(tmp_path / "talkfeed.db") as cache:
        assert cache.robots(url) == ('"r1"', None, "User-agent: *\nDisallow: /private\n")
        # Not a page: fetching robots.txt as one would bring a 304 with nothing to rebuild from.
        assert cache.get(url) is None
        assert cache.links(url) is None and cache.draft(url) is None
        cache.keep_robots(url, None, None, None)
        assert cache.robots(url) is None


def test_parts_are_read_where_they_are_looked_up_and_only_while_kept(tmp_path: Path) -> None:
    listing = "https://x.edu/feed.ics"
    first, second = draft(), replace(draft(), title="U", key="uid-2")
    links = [Link(listing, "talk", first, complete=True), Link(listing, "talk", second, True)]
    with PageCache(tmp_path / "db") as cache:
        cache.keep_links(listing, links, parts={"a": first, "b": second})
        kept = cache.parts(listing)
        assert kept is not None and set(kept) == {"a", "b"}
        sent = pickle.dumps(kept)
        # The drafts travel as the cache's file and the page's URL, not as their text.
        assert b"Ada" not in sent
        assert pickle.loads(sent)["b"] == second
        # Another source of the same URL keeps its parse before this one is read: its drafts
        # are found by its own names, never by the places the names had before.
        third = replace(draft(), title="V", key="uid-3")
        cache.keep_links(
            listing,
            [Link(listing, "talk", third, True), Link(listing, "talk", first, True)],
            parts={"c": third, "a": first},
        )
        later = pickle.loads(sent)
        assert later["a"] == first
        assert "b" in later and later.get("b") is None
        cache.keep_draft(listing, first)  # the URL now gives something else
        assert cache.parts(listing) is None
    (tmp_path / "db").unlink()
    gone = pickle.loads(sent)
    assert "a" in gone and gone.get("a") is None, "a cache that cannot be read has no part"
