"""The Indico adapter: export URL, every field mapping, config options, broken answers, and a
crawl over HTTP."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import UTC, datetime
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from aggregator.fetching.crawl import crawl
from aggregator.fetching.fetch import Fetcher, FetchSettings
from aggregator.records.normalize import normalize
from scrapers import Page, ParseError, get_site
from scrapers.drafts import OptionError, TalkDraft
from scrapers.kinds import build_source
from scrapers.platforms.indico import Indico

EXPORT = "https://indico.example.org/export/categ/7.json?from=-30d"
NOW = datetime(2026, 3, 2, 8, tzinfo=UTC)
COMMON = {
    "kind": "indico",
    "id": "example-seminar",
    "name": "Example Seminar",
    "url": "https://indico.example.org/category/7/",
    "timezone": "Europe/Zurich",
}
SOURCE = {**COMMON, "category": 7}


def site(**changes: Any) -> Indico:
    source = build_source({**SOURCE, **changes})
    assert isinstance(source, Indico)
    return source


def event(**fields: Any) -> dict[str, Any]:
    return {
        "_type": "Conference",
        "id": "901",
        "title": "A Talk",
        "description": "",
        "startDate": {"date": "2026-03-05", "time": "16:00:00", "tz": "Europe/Zurich"},
        "endDate": {"date": "2026-03-05", "time": "17:30:00", "tz": "Europe/Zurich"},
        "timezone": "Europe/Zurich",
        "room": "",
        "roomFullname": "",
        "location": "",
        "url": "https://indico.example.org/event/901/",
        "type": "simple_event",
        "chairs": [],
        **fields,
    }


def drafts(*events: Any) -> list[TalkDraft]:
    body = json.dumps({"count": len(events), "_type": "HTTPAPIResult", "results": list(events)})
    links = site().listing(Page(EXPORT, body, NOW))
    assert all(link.kind == "talk" and link.complete for link in links)
    return [link.seed for link in links if link.seed is not None]


def test_export_url_from_the_category_page() -> None:
    assert site().entry_urls() == (
        "https://indico.example.org/export/categ/7.json"
        "?from=-30d&to=%2B365d&detail=events&tz=Europe/Zurich&order=start",
    )


def test_export_url_from_the_server_root_or_the_base_url() -> None:
    under_path = site(url="https://events.example.org/indico/")
    assert under_path.entry_urls()[0].startswith(
        "https://events.example.org/indico/export/categ/7.json?"
    )
    assert (
        get_site("cern-computing-seminar")
        .entry_urls()[0]
        .startswith("https://indico.cern.ch/export/categ/82.json?")
    )


def test_a_lecture_maps_every_field() -> None:
    (draft,) = drafts(
        event(
            title="  Fast   Kernels ",
            description="<p>First <b>para</b>.</p><p>Second&amp;last</p>",
            roomFullname="31/3-004 - IT Amphitheatre",
            room="31/3-004",
            location="CERN",
            chairs=[
                {"fullName": "Dr. Ada Byron", "affiliation": "CERN"},
                {"fullName": "Alan Turing", "affiliation": ""},
            ],
        )
    )
    assert draft.url == "https://indico.example.org/event/901/"
    assert draft.key == "901"
    assert draft.title == "Fast Kernels"
    assert draft.abstract == "First para.\n\nSecond&last"
    assert draft.location == "31/3-004 - IT Amphitheatre, CERN"
    assert [(s.name, s.affiliation) for s in draft.speakers] == [
        ("Ada Byron", "CERN"),
        ("Alan Turing", None),
    ]
    assert draft.host is None
    assert draft.start == datetime(2026, 3, 5, 15, tzinfo=UTC)
    assert draft.end == datetime(2026, 3, 5, 16, 30, tzinfo=UTC)
    assert str(draft.start.tzinfo) == "Europe/Zurich"


PEOPLE = [
    ({"fullName": "Byron, Ada"}, "Ada Byron"),
    ({"fullName": "Mr Koutsakis, Ilias"}, "Ilias Koutsakis"),
    ({"fullName": "Prof. Dr. Ada Byron"}, "Ada Byron"),
    ({"fullName": "Drew Barrymore"}, "Drew Barrymore"),
    ({"fullName": "Dr. Maria Rossi", "first_name": "Maria", "last_name": "Rossi"}, "Maria Rossi"),
    ({"fullName": "Rossi, Maria", "first_name": "", "last_name": "Rossi"}, "Maria Rossi"),
    ({"fullName": "Byron,"}, "Byron"),
]  # fmt: skip


@pytest.mark.parametrize(("person", "name"), PEOPLE)
def test_a_persons_name_is_first_last_without_title(person: dict[str, str], name: str) -> None:
    (draft,) = drafts(event(chairs=[person]))
    assert [s.name for s in draft.speakers] == [name]


def test_a_meetings_chairs_are_its_hosts() -> None:
    (draft,) = drafts(
        event(type="meeting", chairs=[{"fullName": "Ada Byron"}, {"fullName": "Alan Turing"}])
    )
    assert draft.speakers == []
    assert draft.host == "Ada Byron; Alan Turing"


def test_the_events_own_zone_wins_over_the_requested_one() -> None:
    (draft,) = drafts(event(timezone="Asia/Tokyo"))
    assert draft.start is not None
    assert str(draft.start.tzinfo) == "Asia/Tokyo"
    assert draft.start.hour == 0 and draft.start.day == 6
    assert normalize(draft, site()).timezone == "Asia/Tokyo"


def test_a_date_without_zone_is_in_the_sites_zone() -> None:
    (draft,) = drafts(
        event(startDate={"date": "2026-07-01", "time": "10:00:00"}, endDate=None, timezone=None)
    )
    assert draft.start == datetime(2026, 7, 1, 8, tzinfo=UTC)
    assert draft.end is None


def test_a_missing_url_is_built_from_the_export_url() -> None:
    (draft,) = drafts(event(url=None))
    assert draft.url == "https://indico.example.org/event/901/"


def test_unreadable_dates_are_problems_not_crashes() -> None:
    (draft,) = drafts(event(startDate={"date": "soon"}, endDate="tomorrow"))
    assert draft.start is None and draft.end is None
    assert len(draft.problems) == 2


def test_entries_without_an_id_are_skipped() -> None:
    assert [d.key for d in drafts({"title": "no id"}, "junk", event())] == ["901"]


@pytest.mark.parametrize(
    "body", ["{not json", "[]", '{"count": 0}', '{"results": {"id": 1}}'], ids=repr
)
def test_a_broken_answer_is_a_parse_error_naming_the_url(body: str) -> None:
    with pytest.raises(ParseError, match=re.escape("indico.example.org/export/categ/7.json")):
        site().listing(Page(EXPORT, body, NOW))


@pytest.mark.parametrize(
    ("options", "key"),
    [
        ({}, "category"),
        ({"category": "seven"}, "category"),
        ({"category": True}, "category"),
        ({"category": -3}, "category"),
        ({"category": [7]}, "category"),
        ({"category": 7, "categories": 7}, "categories"),
    ],
)
def test_bad_options_name_the_key(options: dict[str, Any], key: str) -> None:
    with pytest.raises(OptionError) as caught:
        build_source({**COMMON, **options})
    assert caught.value.key == key


def test_category_may_be_a_digit_string() -> None:
    assert site(category=" 7 ").category == "7"


def test_crawl_reads_the_export_over_http(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/robots.txt").respond_with_data("User-agent: *\nAllow: /\n")
    httpserver.expect_request(
        "/export/categ/7.json",
        query_string={
            "from": "-30d",
            "to": "+365d",
            "detail": "events",
            "tz": "Europe/Zurich",
            "order": "start",
        },
    ).respond_with_json({"count": 1, "results": [event()]})
    source = site(url=httpserver.url_for("/category/7/"))

    async def run() -> Any:
        async with Fetcher(FetchSettings(delay=0, retries=0)) as fetcher:
            return await crawl(source, source.entry_urls(), fetcher)

    result = asyncio.run(run())
    assert (result.failed, result.listings_read, result.details_read) == (False, 1, 0)
    assert [d.title for d in result.drafts] == ["A Talk"]
    assert result.problems == []
