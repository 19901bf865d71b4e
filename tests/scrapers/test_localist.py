"""The `localist` kind: the API query, one talk per event instance, paging, and the past days
asked for with dates from the fetch time."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import UTC, datetime
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from aggregator.fetching.crawl import CrawlResult, crawl
from aggregator.fetching.fetch import Fetcher, FetchSettings
from scrapers import Link, OptionError, Page, ParseError, SiteParser, TalkDraft
from scrapers.kinds import build_source

API = "https://events.example.edu/api/2/events"
NOW = datetime(2026, 3, 1, 14, 0, tzinfo=UTC)


def source(**options: Any) -> SiteParser:
    table = {
        "kind": "localist",
        "id": "example-cs",
        "name": "Example CS",
        "url": "https://events.example.edu/group/cs",
        "timezone": "America/New_York",
        "group": "computer_science",
    }
    return build_source({**table, **options})


def event(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": 7001,
        "title": "Colloquium: Fast Proofs",
        "localist_url": "https://events.example.edu/event/fast_proofs",
        "location_name": "Gates Hall",
        "room_number": "G01",
        "description": "<p>First.</p><p>Second &amp; last.</p>",
        "description_text": "First.\nSecond & last.",
        "status": "live",
        "event_instances": [
            {
                "event_instance": {
                    "id": 9001,
                    "start": "2026-03-03T11:40:00-05:00",
                    "end": "2026-03-03T12:40:00-05:00",
                    "all_day": False,
                }
            }
        ],
    }
    return {"event": {**base, **fields}}


def instance(id: int, start: str, end: str | None = None, all_day: bool = False) -> Any:
    return {"event_instance": {"id": id, "start": start, "end": end, "all_day": all_day}}


def body(*events: dict[str, Any], current: float = 1, total: float = 1) -> str:
    return json.dumps(
        {"events": list(events), "page": {"current": current, "size": 100, "total": total}}
    )


def read(text: str, url: str = f"{API}?group_id=computer_science&days=180&pp=100") -> list[Link]:
    return source().listing(Page(url, text, NOW))


def drafts(text: str) -> list[TalkDraft]:
    return [link.seed for link in read(text) if link.kind == "talk" and link.seed is not None]


def test_entry_url_asks_for_the_group_from_today_100_a_page() -> None:
    assert source().entry_urls() == (f"{API}?group_id=computer_science&days=180&pp=100",)


def test_numeric_group_ids_and_explicit_base_url() -> None:
    site = source(group=37955145294460)
    assert site.entry_urls()[0].endswith("?group_id=37955145294460&days=180&pp=100")
    moved = type("Moved", (type(site),), {"base_url": "https://calendar.example.edu/"})()
    assert moved.entry_urls()[0].startswith("https://calendar.example.edu/api/2/events?")


@pytest.mark.parametrize(
    ("options", "key", "message"),
    [
        ({}, "group", "is required"),
        ({"group": "computer science"}, "group", "must be a group id"),
        ({"group": True}, "group", "must be a group id"),
        ({"group": ["cs"]}, "group", "must be a group id"),
        ({"group": "cs", "groups": "cs"}, "groups", "is not a key of kind 'localist'"),
    ],
)
def test_option_errors_name_the_key(options: dict[str, Any], key: str, message: str) -> None:
    table = {"kind": "localist", "id": "x", "name": "X", "url": "https://e.example.edu/"}
    with pytest.raises(OptionError) as error:
        build_source({**table, "timezone": "UTC", **options})
    assert error.value.key == key
    assert message in str(error.value)


def test_event_becomes_a_whole_talk() -> None:
    (link,) = [link for link in read(body(event())) if link.kind == "talk"]
    assert link.complete and link.url == "https://events.example.edu/event/fast_proofs"
    draft = link.seed
    assert draft is not None
    assert (draft.title, draft.key, draft.location) == (
        "Colloquium: Fast Proofs",
        "9001",
        "Gates Hall, G01",
    )
    assert draft.start == datetime.fromisoformat("2026-03-03T11:40:00-05:00")
    assert draft.end == datetime.fromisoformat("2026-03-03T12:40:00-05:00")
    assert draft.start is not None and str(draft.start.tzinfo) == "America/New_York"
    assert draft.abstract == "First.\n\nSecond & last."
    assert (draft.status, draft.speakers, draft.all_day) == (None, [], False)


def test_each_instance_is_its_own_talk_and_repeats_count_once() -> None:
    weekly = [instance(1, "2026-03-05T12:00:00-05:00"), instance(2, "2026-03-12T12:00:00-04:00")]
    found = drafts(body(event(event_instances=weekly), event(event_instances=weekly[1:])))
    assert [(d.key, d.start.isoformat() if d.start else None) for d in found] == [
        ("1", "2026-03-05T12:00:00-05:00"),
        ("2", "2026-03-12T12:00:00-04:00"),
    ]
    assert {d.url for d in found} == {"https://events.example.edu/event/fast_proofs"}


@pytest.mark.parametrize(
    ("status", "expected"),
    [("canceled", "cancelled"), ("Cancelled", "cancelled"), ("postponed", "postponed"),
     ("live", None), ("sold_out", None), (None, None)],
)  # fmt: skip
def test_status_from_the_editor_choice(status: str | None, expected: str | None) -> None:
    (draft,) = drafts(body(event(status=status)))
    assert draft.status == expected


def test_all_day_instances_span_whole_local_days() -> None:
    days = [
        instance(1, "2026-03-20T00:00:00-04:00", None, all_day=True),
        instance(2, "2026-03-21T00:00:00-04:00", "2026-03-22T23:59:00-04:00", all_day=True),
        instance(3, "2026-03-21T00:00:00-04:00", "2026-03-23T00:00:00-04:00", all_day=True),
    ]
    one, two, exclusive = drafts(body(event(event_instances=days)))
    assert one.all_day and one.start == datetime.fromisoformat("2026-03-20T00:00:00-04:00")
    assert one.end is None
    assert two.end == exclusive.end == datetime.fromisoformat("2026-03-23T00:00:00-04:00")


def test_times_without_offset_are_local_and_a_backwards_end_is_dropped() -> None:
    odd = [instance(1, "2026-03-03T15:00:00", "2026-03-03T14:00:00")]
    (draft,) = drafts(body(event(event_instances=odd)))
    assert draft.start == datetime.fromisoformat("2026-03-03T15:00:00-05:00")
    assert draft.end is None


def test_location_falls_back_to_address_then_online() -> None:
    no_room = {"location_name": "", "room_number": None}
    with_address = drafts(body(event(**no_room, address="107 Hoy Rd, Ithaca")))
    online = drafts(body(event(**no_room, address="", experience="virtual")))
    nowhere = drafts(body(event(**no_room, experience="inperson")))
    assert [d.location for d in with_address + online + nowhere] == [
        "107 Hoy Rd, Ithaca", "Online", None,
    ]  # fmt: skip
    assert nowhere[0].problems == ["no location"]


def test_plain_description_when_there_is_no_html() -> None:
    (draft,) = drafts(body(event(description="", description_text="Just text.")))
    assert draft.abstract == "Just text."


def test_next_page_and_past_days_from_the_first_forward_page() -> None:
    links = read(body(event(), current=1, total=3))
    assert [link.url for link in links if link.kind == "listing"] == [
        f"{API}?group_id=computer_science&days=180&pp=100&page=2",
        f"{API}?group_id=computer_science&pp=100&start=2026-01-30&end=2026-03-01",
    ]


def test_page_numbers_sent_as_floats_are_read() -> None:
    links = read(body(event(), current=1.0, total=2.0))
    assert [link.url for link in links if link.kind == "listing"] == [
        f"{API}?group_id=computer_science&days=180&pp=100&page=2",
        f"{API}?group_id=computer_science&pp=100&start=2026-01-30&end=2026-03-01",
    ]
    assert [link.url for link in read(body(current=1, total=2.5))][:1] == [
        f"{API}?group_id=computer_science&pp=100&start=2026-01-30&end=2026-03-01"
    ]


def test_later_pages_and_the_past_query_only_page_on() -> None:
    later = read(body(current=2, total=3), f"{API}?group_id=cs&days=180&pp=100&page=2")
    past = read(
        body(current=1, total=2), f"{API}?group_id=cs&pp=100&start=2026-01-30&end=2026-03-01"
    )
    last = read(
        body(current=2, total=2), f"{API}?group_id=cs&pp=100&start=2026-01-30&end=2026-03-01&page=2"
    )
    assert [link.url for link in later] == [f"{API}?group_id=cs&days=180&pp=100&page=3"]
    assert [link.url for link in past] == [
        f"{API}?group_id=cs&pp=100&start=2026-01-30&end=2026-03-01&page=2"
    ]
    assert last == []


@pytest.mark.parametrize("text", ["<html>maintenance</html>", "[]", '{"error": "bad group"}'])
def test_other_bodies_are_parse_errors(text: str) -> None:
    with pytest.raises(ParseError):
        read(text)


def test_crawl_reads_both_pages_and_the_past_days(httpserver: HTTPServer) -> None:
    requests: list[dict[str, str]] = []

    def answer(request: Request) -> Response:
        if request.path == "/robots.txt":
            return Response("User-agent: *\nAllow: /\n", content_type="text/plain")
        args = dict(request.args)
        requests.append(args)
        if "start" in args:
            text = body()
        elif args.get("page") == "2":
            later = [instance(2, "2026-03-12T12:00:00-04:00")]
            text = body(event(event_instances=later), current=2, total=2)
        else:
            text = body(event(), current=1, total=2)
        return Response(text, content_type="application/json; charset=utf-8")

    httpserver.expect_request(re.compile(".*")).respond_with_handler(answer)
    site = source(url=httpserver.url_for("/group/cs"))
    result = run_crawl(site)
    assert [r.get("page") for r in requests if "start" not in r] == [None, "2"]
    assert any("start" in r and "end" in r for r in requests)
    assert (result.listings_read, result.failed, result.problems) == (3, False, [])
    assert [(d.key, d.title) for d in result.drafts] == [
        ("9001", "Colloquium: Fast Proofs"),
        ("2", "Colloquium: Fast Proofs"),
    ]


def run_crawl(site: SiteParser) -> CrawlResult:
    async def go() -> CrawlResult:
        async with Fetcher(FetchSettings(delay=0, retries=0)) as fetcher:
            return await crawl(site, site.entry_urls(), fetcher)

    return asyncio.run(go())
