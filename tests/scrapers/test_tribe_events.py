"""The `tribe-events` kind: the relative-date query, the escaped and loosely typed event fields
of The Events Calendar, and `next_rest_url` paging."""

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

API = "https://cs.example.edu/wp-json/tribe/events/v1/events"
NOW = datetime(2026, 3, 1, 15, 0, tzinfo=UTC)


def source(**options: Any) -> SiteParser:
    table = {
        "kind": "tribe-events",
        "id": "example-cs",
        "name": "Example CS",
        "url": "https://cs.example.edu/events/",
        "timezone": "America/Denver",
    }
    return build_source({**table, **options})


def event(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": 812,
        "status": "publish",
        "url": "https://cs.example.edu/event/fast-proofs/",
        "title": "Proofs &amp; Programs &#8211; Together",
        "description": "<p>First line<br />\nsecond line.</p>\n<p>Next  paragraph.</p>\n",
        "excerpt": "<p>Short.</p>\n",
        "all_day": False,
        "start_date": "2026-03-03 15:30:00",
        "end_date": "2026-03-03 16:30:00",
        "utc_start_date": "2026-03-03 22:30:00",
        "utc_end_date": "2026-03-03 23:30:00",
        "timezone": "America/Denver",
        "venue": {
            "id": 5,
            "venue": "Engineering Center, ECCR 265",
            "address": "1111 Engineering Dr",
        },
        "organizer": [{"id": 6, "organizer": "Jo Smith"}],
    }
    return {**base, **fields}


def body(*events: dict[str, Any], following: str | None = None) -> str:
    data: dict[str, Any] = {
        "events": list(events),
        "rest_url": f"{API}/?page=1",
        "total": len(events),
    }
    if following is not None:
        data["next_rest_url"] = following
    return json.dumps(data)


def read(text: str, url: str = API) -> list[Link]:
    return source().listing(Page(url, text, NOW))


def draft_of(**fields: Any) -> TalkDraft:
    (link,) = read(body(event(**fields)))
    assert link.kind == "talk" and link.complete
    seed: TalkDraft | None = link.seed
    assert seed is not None
    return seed


def test_entry_url_uses_relative_dates_the_plugin_reads_with_strtotime() -> None:
    assert source().entry_urls() == (f"{API}?start_date=-30+days&end_date=%2B180+days&per_page=50",)


def test_category_and_a_site_installed_in_a_folder() -> None:
    site = source(
        category="colloquium", url="https://www.example.edu/cs/wp-json/tribe/events/v1/events"
    )
    assert site.entry_urls() == (
        "https://www.example.edu/cs/wp-json/tribe/events/v1/events"
        "?start_date=-30+days&end_date=%2B180+days&per_page=50&categories=colloquium",
    )


@pytest.mark.parametrize(
    ("options", "key", "message"),
    [
        ({"category": "Colloquium Talks"}, "category", "must be an event category slug"),
        ({"category": 12}, "category", "must be an event category slug"),
        ({"categories": "talks"}, "categories", "is not a key of kind 'tribe-events'"),
    ],
)
def test_option_errors_name_the_key(options: dict[str, Any], key: str, message: str) -> None:
    with pytest.raises(OptionError) as error:
        source(**options)
    assert error.value.key == key
    assert message in str(error.value)


def test_event_becomes_a_whole_talk() -> None:
    draft = draft_of()
    assert draft.url == "https://cs.example.edu/event/fast-proofs/"
    assert (draft.key, draft.title) == ("812", "Proofs & Programs – Together")
    assert draft.abstract == "First line\nsecond line.\n\nNext paragraph."
    assert (draft.location, draft.host, draft.speakers) == (
        "Engineering Center, ECCR 265",
        "Jo Smith",
        [],
    )
    assert draft.start == datetime.fromisoformat("2026-03-03T15:30:00-07:00")
    assert draft.end == datetime.fromisoformat("2026-03-03T16:30:00-07:00")
    assert draft.start is not None and str(draft.start.tzinfo) == "America/Denver"
    assert (draft.status, draft.all_day, draft.problems) == (None, False, [])


def test_the_event_zone_wins_over_the_site_zone() -> None:
    draft = draft_of(timezone="Europe/Berlin", start_date="2026-03-03 10:00:00")
    assert draft.start is not None and str(draft.start.tzinfo) == "Europe/Berlin"
    assert draft.start.hour == 10


def test_offset_zones_use_the_utc_times() -> None:
    draft = draft_of(timezone="UTC+2", start_date="2026-03-03 10:00:00", end_date="2026-03-03 11:00:00",
                     utc_start_date="2026-03-03 08:00:00", utc_end_date="2026-03-03 09:00:00")  # fmt: skip
    assert draft.start == datetime(2026, 3, 3, 8, 0, tzinfo=UTC)
    assert draft.end == datetime(2026, 3, 3, 9, 0, tzinfo=UTC)


def test_an_end_equal_to_the_start_is_no_end() -> None:
    draft = draft_of(end_date="2026-03-03 15:30:00", utc_end_date="2026-03-03 22:30:00")
    assert draft.end is None


def test_all_day_events_span_whole_local_days() -> None:
    one = draft_of(all_day=True, start_date="2026-03-13 00:00:00", end_date="2026-03-13 23:59:59")
    two = draft_of(all_day=True, start_date="2026-03-13 00:00:00", end_date="2026-03-14 23:59:59")
    assert one.all_day and one.start == datetime.fromisoformat("2026-03-13T00:00:00-06:00")
    assert one.end is None
    assert two.end == datetime.fromisoformat("2026-03-15T00:00:00-06:00")


def test_empty_venue_and_organizers_are_lists() -> None:
    draft = draft_of(venue=[], organizer=[])
    assert (draft.location, draft.host, draft.problems) == (None, None, ["no venue"])


def test_venue_without_a_name_and_a_single_organizer_object() -> None:
    draft = draft_of(venue={"address": "1111 Engineering Dr", "city": "Boulder"},
                     organizer={"organizer": "Dept. of CS &amp; Math"})  # fmt: skip
    assert (draft.location, draft.host) == ("1111 Engineering Dr, Boulder", "Dept. of CS & Math")


def test_excerpt_when_there_is_no_description() -> None:
    assert draft_of(description="").abstract == "Short."


def test_post_status_is_not_the_event_status() -> None:
    assert draft_of(status="publish", title="CANCELED: Proofs").status is None


def test_next_rest_url_is_followed_with_its_spaces_encoded() -> None:
    following = f"{API}/?per_page=50&start_date=2026-01-30 00:00:00&page=2"
    links = read(body(event(), following=following))
    assert [link.url for link in links if link.kind == "listing"] == [
        f"{API}/?per_page=50&start_date=2026-01-30%2000:00:00&page=2"
    ]
    assert [link.kind for link in read(body(event()))] == ["talk"]


@pytest.mark.parametrize("text", ["<html>Not found</html>", "[]", '{"code": "rest_no_route"}'])
def test_other_bodies_are_parse_errors(text: str) -> None:
    with pytest.raises(ParseError):
        read(text)


def test_crawl_reads_both_pages(httpserver: HTTPServer) -> None:
    requests: list[dict[str, str]] = []
    second = httpserver.url_for("/wp-json/tribe/events/v1/events/") + (
        "?per_page=50&start_date=2026-01-30 00:00:00&end_date=2026-08-28 23:59:59&page=2"
    )

    def answer(request: Request) -> Response:
        if request.path == "/robots.txt":
            return Response("User-agent: *\nAllow: /\n", content_type="text/plain")
        requests.append(dict(request.args))
        if request.args.get("page") == "2":
            text = body(event(id=813, url="https://cs.example.edu/event/two/", venue=[]))
        else:
            text = body(event(), following=second)
        return Response(text, content_type="application/json; charset=UTF-8")

    httpserver.expect_request(re.compile(".*")).respond_with_handler(answer)
    result = run_crawl(source(url=httpserver.url_for("/events/")))
    first, then = requests
    assert first == {"start_date": "-30 days", "end_date": "+180 days", "per_page": "50"}
    assert (then["page"], then["start_date"]) == ("2", "2026-01-30 00:00:00")
    assert (result.listings_read, result.failed) == (2, False)
    assert [(p.message, p.warning) for p in result.problems] == [("no venue", True)]
    assert [(d.key, d.location) for d in result.drafts] == [
        ("812", "Engineering Center, ECCR 265"),
        ("813", None),
    ]


def run_crawl(site: SiteParser) -> CrawlResult:
    async def go() -> CrawlResult:
        async with Fetcher(FetchSettings(delay=0, retries=0)) as fetcher:
            return await crawl(site, site.entry_urls(), fetcher)

    return asyncio.run(go())
