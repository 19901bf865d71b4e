"""The researchseminars.org adapter: API URL, every field mapping, hidden and deleted talks,
config options, broken answers, and a crawl over HTTP."""

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
from scrapers.platforms.researchseminars import ResearchSeminars

API = 'https://researchseminars.org/api/0/search/talks?seminar_id="EXSEM"'
NOW = datetime(2026, 3, 2, 17, tzinfo=UTC)
COMMON = {
    "kind": "researchseminars",
    "id": "example-seminar",
    "name": "Example Seminar",
    "url": "https://researchseminars.org/seminar/EXSEM",
    "timezone": "Asia/Tokyo",
}


def site(**options: Any) -> ResearchSeminars:
    source = build_source({**COMMON, "series": "EXSEM", **options})
    assert isinstance(source, ResearchSeminars)
    return source


def talk(**fields: Any) -> dict[str, Any]:
    return {
        "seminar_id": "EXSEM",
        "seminar_ctr": 7,
        "title": "A Talk",
        "speaker": "Jane Doe",
        "speaker_affiliation": "Kyoto University",
        "abstract": "",
        "comments": "",
        "start_time": "2026-03-05 06:00:00+00:00",
        "end_time": "2026-03-05 07:00:00+00:00",
        "timezone": "Asia/Tokyo",
        "room": "",
        "online": False,
        "hidden": False,
        "deleted": False,
        **fields,
    }


def drafts(*talks: Any, key: str = "results") -> list[TalkDraft]:
    body = json.dumps({"code": "success", key: list(talks)})
    links = site().listing(Page(API, body, NOW))
    assert all(link.kind == "talk" and link.complete for link in links)
    return [link.seed for link in links if link.seed is not None]


def test_api_url_quotes_the_series_as_json() -> None:
    assert site().entry_urls() == (
        "https://researchseminars.org/api/0/search/talks?seminar_id=%22EXSEM%22",
    )
    assert get_site("sfu-operations-research").entry_urls() == (
        "https://researchseminars.org/api/0/search/talks?seminar_id=%22SFUOR%22",
    )


def test_a_talk_maps_every_field() -> None:
    (draft,) = drafts(
        talk(
            title="  Proof   Complexity ",
            abstract="Line one\nline two.\n\nWe show $a<b$ for all $b$.",
            comments="Tea before the talk.",
            room="Room 110, Science Building 3",
            online=True,
        )
    )
    assert draft.url == "https://researchseminars.org/talk/EXSEM/7/"
    assert draft.key == "EXSEM/7"
    assert draft.title == "Proof Complexity"
    assert draft.abstract == "Line one\nline two.\n\nWe show $a<b$ for all $b$."
    assert draft.notes == "Tea before the talk."
    assert draft.location == "Room 110, Science Building 3"
    assert [(s.name, s.affiliation) for s in draft.speakers] == [("Jane Doe", "Kyoto University")]
    assert draft.start == datetime(2026, 3, 5, 6, tzinfo=UTC)
    assert draft.end == datetime(2026, 3, 5, 7, tzinfo=UTC)
    assert draft.start is not None and draft.start.hour == 15
    assert str(draft.start.tzinfo) == "Asia/Tokyo"


def test_several_speakers_are_joined_by_bars() -> None:
    (draft,) = drafts(talk(speaker="Jane Doe|John Roe| ", speaker_affiliation="Kyoto|"))
    assert [(s.name, s.affiliation) for s in draft.speakers] == [
        ("Jane Doe", "Kyoto"),
        ("John Roe", None),
    ]


def test_an_online_talk_without_room() -> None:
    (online,) = drafts(talk(online=True, room=None))
    (unknown,) = drafts(talk(online=False, room=""))
    assert (online.location, unknown.location) == ("Online", None)


def test_the_talks_own_zone_is_kept() -> None:
    (draft,) = drafts(talk(timezone="America/Sao_Paulo"))
    assert draft.start is not None and draft.start.hour == 3
    assert normalize(draft, site()).timezone == "America/Sao_Paulo"


def test_unknown_zone_falls_back_to_the_site_and_naive_times_are_local() -> None:
    (draft,) = drafts(
        talk(timezone="Mars/Olympus", start_time="2026-03-05 15:00:00", end_time=None)
    )
    assert draft.start == datetime(2026, 3, 5, 6, tzinfo=UTC)
    assert draft.end is None


def test_a_blank_title_is_tba_as_on_the_site() -> None:
    (draft,) = drafts(talk(title=""))
    assert draft.title == "TBA"


def test_hidden_deleted_and_malformed_talks_are_skipped() -> None:
    kept = drafts(
        talk(seminar_ctr=1, hidden=True),
        talk(seminar_ctr=2, deleted=True),
        talk(seminar_ctr=3, seminar_id=None),
        talk(seminar_ctr=None),
        "junk",
        talk(seminar_ctr=6),
    )
    assert [d.key for d in kept] == ["EXSEM/6"]


def test_the_series_lookup_answer_is_read_too() -> None:
    assert [d.key for d in drafts(talk(), key="talks")] == ["EXSEM/7"]


def test_unreadable_times_are_problems() -> None:
    (draft,) = drafts(talk(start_time="soon", end_time=17))
    assert draft.start is None and draft.end is None
    assert len(draft.problems) == 2


@pytest.mark.parametrize(
    "body",
    ["{not json", "[]", '{"code": "success"}', '{"code": "success", "results": "none"}'],
    ids=repr,
)
def test_a_broken_answer_is_a_parse_error_naming_the_url(body: str) -> None:
    with pytest.raises(ParseError, match=re.escape(API)):
        site().listing(Page(API, body, NOW))


@pytest.mark.parametrize(
    ("options", "key"),
    [
        ({}, "series"),
        ({"series": ""}, "series"),
        ({"series": "has space"}, "series"),
        ({"series": 42}, "series"),
        ({"series": "EXSEM", "series_id": "EXSEM"}, "series_id"),
    ],
)
def test_bad_options_name_the_key(options: dict[str, Any], key: str) -> None:
    with pytest.raises(OptionError) as caught:
        build_source({**COMMON, **options})
    assert caught.value.key == key


def test_crawl_reads_the_api_over_http(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/robots.txt").respond_with_data("User-agent: *\nAllow: /\n")
    httpserver.expect_request(
        "/api/0/search/talks", query_string={"seminar_id": '"EXSEM"'}
    ).respond_with_json({"code": "success", "results": [talk(), talk(seminar_ctr=8)]})
    source = ResearchSeminars.configured(
        id="example-seminar",
        name="Example Seminar",
        start_urls=("https://researchseminars.org/seminar/EXSEM",),
        timezone="Asia/Tokyo",
        base_url=httpserver.url_for("/"),
        series_id="EXSEM",
    )

    async def run() -> Any:
        async with Fetcher(FetchSettings(delay=0, retries=0)) as fetcher:
            return await crawl(source, source.entry_urls(), fetcher)

    result = asyncio.run(run())
    assert (result.failed, result.listings_read, result.details_read) == (False, 1, 0)
    assert [d.url for d in result.drafts] == [
        f"{httpserver.url_for('/').rstrip('/')}/talk/EXSEM/7/",
        f"{httpserver.url_for('/').rstrip('/')}/talk/EXSEM/8/",
    ]
    assert result.problems == []
