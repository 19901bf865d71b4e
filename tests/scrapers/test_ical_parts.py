"""A feed read again in the events whose text changed: the drafts, their order and the notes are
those of a reading of the whole text, and only unchanged events that do not recur are taken
from the earlier reading."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Response

from aggregator.fetching.crawl import CrawlResult, crawl
from aggregator.fetching.fetch import Fetcher, FetchSettings
from aggregator.fetching.pagecache import PageCache
from aggregator.fetching.parsing import ParsePool
from scrapers import TalkDraft
from scrapers.kinds import build_source
from scrapers.read.ical import ParsedCalendar, parse_calendar
from scrapers.read.ical_parts import cut_events
from tests.fixture_pages import FIXTURES
from tests.scrapers.test_ical import (
    FEED,
    NEW_YORK,
    NOW,
    SITE_ZONE,
    WINDOW,
    calendar,
    custom_zone,
    parse,
    vevent,
)
from tests.shared_real import capture_id, real_glob

KEPT = "taken from the earlier reading"


def again(
    text: str,
    earlier: ParsedCalendar,
    zone: ZoneInfo = SITE_ZONE,
    window: tuple = WINDOW,  # type: ignore[type-arg]
) -> ParsedCalendar:
    return parse_calendar(
        text, feed_url=FEED, zone=zone, window=window, now=NOW, earlier=earlier.parts
    )


def marked(parsed: ParsedCalendar) -> ParsedCalendar:
    """`parsed` with every kept draft retitled, so that a draft taken from it shows."""
    parsed.parts = {name: replace(d, title=KEPT) for name, d in parsed.parts.items()}
    return parsed


def same(one: ParsedCalendar, other: ParsedCalendar) -> None:
    assert one.drafts == other.drafts
    assert one.skipped == other.skipped
    assert one.parts == other.parts


def edits(text: str) -> list[str]:
    """`text` with its first event retitled, with its last event gone, and with a copy of its
    first event under another UID added."""
    cut = cut_events(text)
    assert cut is not None
    first, last = cut.events[0], cut.events[-1]
    retitled = first.replace("SUMMARY:", "SUMMARY:Retitled ", 1)
    copied = first.replace("UID:", "UID:copy-", 1)
    return [
        text.replace(first, retitled, 1),
        text.replace(last, "", 1),
        text.replace(first, first + copied, 1),
    ]


SERIES = vevent(
    "DTSTART;TZID=America/New_York:20260302T160000",
    "RRULE:FREQ=WEEKLY;COUNT=4",
    uid="weekly@x",
    summary="Weekly",
)
FEEDS = {
    "singles and a series": calendar(
        NEW_YORK,
        vevent("DTSTART;TZID=America/New_York:20260303T100000", uid="a@x", summary="Alpha"),
        SERIES,
        vevent("DTSTART:20260310T150000Z", "STATUS:CANCELLED", uid="b@x", summary="Beta"),
        vevent(
            "DTSTART;TZID=America/New_York:20260309T160000",
            "RECURRENCE-ID;TZID=America/New_York:20260309T160000",
            uid="weekly@x",
            summary="Weekly, moved",
        ),
        vevent("DTSTART;VALUE=DATE:20260320", uid="c@x", summary="Day"),
        vevent("DTSTART:20260310T150000Z", uid="b@x", summary="Beta twin"),
    ),
    "no UIDs, CRLF": calendar(
        vevent("DTSTART:20260305T090000Z", uid="", summary="One"),
        vevent("DTSTART:20260306T090000Z", uid="", summary="Two"),
    )
    .replace("UID:\n", "")
    .replace("\n", "\r\n"),
}


@pytest.mark.parametrize("name", list(FEEDS))
def test_a_changed_feed_read_again_gives_what_a_whole_reading_does(name: str) -> None:
    text = FEEDS[name]
    first = parse(text)
    assert first.parts, "its single events are kept by part"
    same(again(text, first), first)
    for edited in edits(text):
        same(again(edited, first), parse(edited))


def test_events_that_tie_keep_the_feeds_order_when_one_changes() -> None:
    text = FEEDS["singles and a series"]
    edited = text.replace("SUMMARY:Beta\n", "SUMMARY:Beta again\n")
    read = again(edited, parse(text))
    assert [d.title for d in read.drafts if d.key == "b@x"] == ["Beta again", "Beta twin"]
    same(read, parse(edited))


@pytest.mark.parametrize(
    "path",
    [*real_glob("platforms/**/*.ics"), *sorted(FIXTURES.glob("**/*.ics"))],
    ids=lambda p: capture_id(p) if "shared" in str(p) else p.name,
)
def test_real_feeds_read_again_give_what_a_whole_reading_does(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    first = parse(text)
    same(again(text, first), first)
    if cut_events(text) is not None and len(cut_events(text).events) > 1:  # type: ignore[union-attr]
        for edited in edits(text):
            same(again(edited, first), parse(edited))


def test_only_unchanged_single_events_are_taken_from_the_earlier_reading() -> None:
    text = FEEDS["singles and a series"]
    earlier = marked(parse(text))
    edited = text.replace("SUMMARY:Alpha", "SUMMARY:Alpha, retitled")
    titles = {(d.key, d.title) for d in again(edited, earlier).drafts}
    assert ("a@x", "Alpha, retitled") in titles, "the changed event is read afresh"
    assert ("b@x", KEPT) in titles and ("c@x", KEPT) in titles
    # The series and its moved occurrence are read from the text every time.
    assert {title for key, title in titles if key and key.startswith("weekly@x")} == {
        "Weekly",
        "Weekly, moved",
    }


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(
            lambda t: t.replace("PRODID", "X-WR-TIMEZONE:Asia/Tokyo\nPRODID"), id="own-zone"
        ),
        pytest.param(
            lambda t: t.replace("TZOFFSETTO:-0400", "TZOFFSETTO:-0300", 1), id="vtimezone"
        ),
    ],
)
def test_a_changed_calendar_around_the_events_takes_nothing_from_before(change) -> None:  # type: ignore[no-untyped-def]
    text = FEEDS["singles and a series"]
    titles = {d.title for d in again(change(text), marked(parse(text))).drafts}
    assert KEPT not in titles


def test_another_site_zone_takes_nothing_from_before() -> None:
    text = FEEDS["singles and a series"]
    floating = text.replace("DTSTART;VALUE=DATE:20260320", "DTSTART:20260320T100000")
    tokyo = ZoneInfo("Asia/Tokyo")
    earlier = marked(parse(floating))
    assert KEPT not in {d.title for d in again(floating, earlier, zone=tokyo).drafts}
    assert again(floating, parse(floating), zone=tokyo).drafts == parse(floating, tokyo).drafts


def test_a_zone_matched_over_the_window_is_reused_only_for_the_same_window() -> None:
    text = calendar(
        custom_zone("Campus Time", "+0100"),
        vevent("DTSTART;TZID=Campus Time:20260303T100000", uid="a@x"),
        vevent("DTSTART;TZID=Campus Time:20260304T100000", uid="b@x"),
    )
    earlier = marked(parse(text))
    assert {d.title for d in again(text, earlier).drafts} == {KEPT}
    later = (WINDOW[0] + timedelta(hours=1), WINDOW[1] + timedelta(hours=1))
    assert KEPT not in {d.title for d in again(text, earlier, window=later).drafts}


def test_an_event_that_joins_a_series_is_read_afresh() -> None:
    single = vevent("DTSTART:20260303T100000Z", uid="weekly@x", summary="Weekly")
    before = calendar(vevent("DTSTART:20260302T100000Z", uid="other@x"), single)
    after = calendar(vevent("DTSTART:20260302T100000Z", uid="other@x"), single, SERIES)
    earlier = marked(parse(before))
    assert any(d.title == KEPT for d in again(before, earlier).drafts)
    same(again(after, earlier), parse(after))


def test_a_text_that_cannot_be_cut_is_read_whole_and_kept_by_no_part() -> None:
    one = calendar(vevent("DTSTART:20260303T100000Z", uid="a@x"))
    two = one + calendar(vevent("DTSTART:20260304T100000Z", uid="b@x"))
    assert cut_events(two) is None
    parsed = parse(two)
    assert [d.key for d in parsed.drafts] == ["a@x", "b@x"]
    assert parsed.parts == {}
    assert again(two, marked(parse(one))).drafts == parsed.drafts


def test_kept_parts_are_the_drafts_given() -> None:
    parsed = parse(FEEDS["singles and a series"])
    given = {id(d) for d in parsed.drafts}
    assert all(id(d) in given for d in parsed.parts.values())
    assert sorted(d.key or "" for d in parsed.parts.values()) == ["a@x", "b@x", "b@x", "c@x"]
    assert all(isinstance(d, TalkDraft) for d in parsed.parts.values())


@pytest.mark.parametrize("workers", [0, 2])
def test_a_crawl_parses_only_the_events_of_a_feed_that_changed(
    httpserver: HTTPServer, tmp_path: Path, workers: int
) -> None:
    """Through a real server, with the page cache, in-process and in parse workers: the crawl
    after one event changed gives what a crawl without a cache does, keeps the events it read
    before, and tells the run of the changed event only."""
    served = {"text": FEEDS["singles and a series"]}
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    httpserver.expect_request("/seminar.ics").respond_with_handler(
        lambda request: Response(served["text"], content_type="text/calendar")
    )
    source = build_source(
        {
            "kind": "ical",
            "id": "served",
            "name": "Served",
            "url": httpserver.url_for("/seminar.ics"),
            "timezone": "Europe/Berlin",
        }
    )

    def crawled(cache: PageCache | None) -> tuple[CrawlResult, list[TalkDraft]]:
        found: list[TalkDraft] = []

        async def go() -> CrawlResult:
            parsers = ParsePool(workers) if workers else None
            async with Fetcher(FetchSettings(delay=0, retries=0)) as fetcher:
                if parsers is None:
                    return await crawl(
                        source, source.entry_urls(), fetcher, NOW, cache, found=found.append
                    )
                async with parsers:
                    return await crawl(
                        source, source.entry_urls(), fetcher, NOW, cache, parsers, found.append
                    )

        return asyncio.run(go()), found

    with PageCache(tmp_path / "cache.db") as cache:
        first, found = crawled(cache)
        assert len(found) == len(first.drafts) == 7, "four weekly talks, Alpha, Beta, the day"
        served["text"] = served["text"].replace("SUMMARY:Alpha", "SUMMARY:Alpha, retitled")
        second, found = crawled(cache)
    whole, _ = crawled(None)
    assert second.drafts == whole.drafts
    assert [p.message for p in second.problems] == [p.message for p in whole.problems]
    # The series is read afresh each time; of the single events only the retitled one is.
    assert sorted((d.key or "", d.title or "") for d in found) == [
        ("a@x", "Alpha, retitled"),
        *[
            (d.key or "", d.title or "")
            for d in whole.drafts
            if (d.key or "").startswith("weekly@x")
        ],
    ]


def test_a_feed_that_carries_the_mark_itself_is_read_whole() -> None:
    text = calendar(
        vevent("DTSTART:20260303T100000Z", "X-TALKFEED-PART:zero", uid="a@x"),
        vevent("DTSTART:20260304T100000Z", uid="b@x"),
    )
    assert cut_events(text) is None
    parsed = parse(text)
    assert [d.key for d in parsed.drafts] == ["a@x", "b@x"]
    assert again(text, parsed).drafts == parsed.drafts
