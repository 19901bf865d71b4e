"""The talks.cam adapter: feed URL, every field mapping, speaker strings, cancellations in the
special message, config options, broken and hostile XML, and a crawl over HTTP."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from aggregator.fetching.crawl import crawl
from aggregator.fetching.fetch import Fetcher, FetchSettings
from scrapers import Page, ParseError, get_site
from scrapers.drafts import OptionError, TalkDraft
from scrapers.kinds import build_source
from scrapers.platforms.talks_cam import TalksCam

FEED = "https://talks.cam.ac.uk/show/xml/1234"
NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)
COMMON = {
    "kind": "talks-cam",
    "id": "example-talks",
    "name": "Example talks",
    "url": "https://talks.cam.ac.uk/show/index/1234",
    "timezone": "Europe/London",
}


def site(**options: Any) -> TalksCam:
    source = build_source({**COMMON, "list": 1234, **options})
    assert isinstance(source, TalksCam)
    return source


def talk(**fields: str | None) -> str:
    values: dict[str, str | None] = {
        "id": "5001",
        "title": "A Talk",
        "abstract": "",
        "speaker": "Jane Doe (MIT)",
        "venue": "FW26",
        "special_message": "",
        "url": "https://talks.cam.ac.uk/talk/index/5001",
        "start_time": "Wed, 04 Mar 2026 14:00:00 +0000",
        "end_time": "Wed, 04 Mar 2026 15:00:00 +0000",
        "series": "Example Seminars",
        **fields,
    }
    inner = "".join(f"<{k}>{v}</{k}>" for k, v in values.items() if v is not None)
    return f"<talk>{inner}</talk>"


def feed(*talks: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<list><id>1234</id><name>Example</name>{''.join(talks)}</list>"
    )


def drafts(*talks: str) -> list[TalkDraft]:
    links = site().listing(Page(FEED, feed(*talks), NOW))
    assert all(link.kind == "talk" and link.complete for link in links)
    return [link.seed for link in links if link.seed is not None]


def test_feed_url() -> None:
    assert site().entry_urls() == (FEED,)
    assert get_site("cam-cl-talks").entry_urls() == ("https://talks.cam.ac.uk/show/xml/6330",)


def test_a_talk_maps_every_field() -> None:
    (draft,) = drafts(
        talk(
            title="  Proof   Assistants ",
            abstract="First line\nsecond line.\n\nNext &lt;b&gt;para&lt;/b&gt; &amp; more.",
            venue="Lecture Theatre 1,  William Gates Building",
            special_message="Tea at 3:30.",
        )
    )
    assert draft.url == "https://talks.cam.ac.uk/talk/index/5001"
    assert draft.key == "5001"
    assert draft.title == "Proof Assistants"
    assert draft.abstract == "First line\nsecond line.\n\nNext para & more."
    assert draft.location == "Lecture Theatre 1, William Gates Building"
    assert draft.notes == "Tea at 3:30."
    assert draft.status is None
    assert [(s.name, s.affiliation) for s in draft.speakers] == [("Jane Doe", "MIT")]
    assert draft.start == datetime(2026, 3, 4, 14, tzinfo=UTC)
    assert draft.end == datetime(2026, 3, 4, 15, tzinfo=UTC)
    assert str(draft.start.tzinfo) == "Europe/London"


def test_summer_times_carry_their_offset() -> None:
    (draft,) = drafts(talk(start_time="Wed, 01 Apr 2026 14:00:00 +0100", end_time=None))
    assert draft.start == datetime(2026, 4, 1, 13, tzinfo=UTC)
    assert draft.start is not None and draft.start.hour == 14
    assert draft.end is None


def test_a_plain_abstract_is_not_read_as_html() -> None:
    (draft,) = drafts(talk(abstract="For all x &lt;y and b&gt;a we show\n\nmore."))
    assert draft.abstract == "For all x <y and b>a we show\n\nmore."


@pytest.mark.parametrize(
    ("speaker", "expected"),
    [
        ("Professor Jane Doe (University of X)", [("Professor Jane Doe", "University of X")]),
        ("Jane Doe, MIT", [("Jane Doe", "MIT")]),
        ("Jane Doe", [("Jane Doe", None)]),
        (
            "Jane Doe (MIT) and John Roe (ETH Zürich)",
            [("Jane Doe", "MIT"), ("John Roe", "ETH Zürich")],
        ),
        ("Jane Doe (MIT), John Roe (Oxford)", [("Jane Doe", "MIT"), ("John Roe", "Oxford")]),
        ("Jane Doe; John Roe, Oxford", [("Jane Doe", None), ("John Roe", "Oxford")]),
    ],
)
def test_speaker_strings(speaker: str, expected: list[tuple[str, str | None]]) -> None:
    (draft,) = drafts(talk(speaker=speaker))
    assert [(s.name, s.affiliation) for s in draft.speakers] == expected


@pytest.mark.parametrize(
    ("message", "status"),
    [
        ("CANCELLED", "cancelled"),
        ("Cancelled due to illness.", "cancelled"),
        ("This talk has been canceled/deleted", "cancelled"),
        ("*** POSTPONED until next term ***", "postponed"),
        ("Note: the talk cancelled last week is now on 3 June.", None),
        ("", None),
    ],
)
def test_the_special_message_states_a_cancellation(message: str, status: str | None) -> None:
    (draft,) = drafts(talk(special_message=message))
    assert draft.status == status


def test_a_title_marker_is_left_to_normalization() -> None:
    (draft,) = drafts(talk(title="CANCELLED: A Talk"))
    assert (draft.title, draft.status) == ("CANCELLED: A Talk", None)


def test_missing_url_is_built_and_talks_without_id_are_skipped() -> None:
    (draft,) = drafts(talk(id=None), talk(url=None))
    assert draft.url == "https://talks.cam.ac.uk/talk/index/5001"


def test_unreadable_times_are_problems() -> None:
    (draft,) = drafts(talk(start_time="next Tuesday", end_time="2026-03-04 15:00"))
    assert draft.start is None and draft.end is None
    assert len(draft.problems) == 2


@pytest.mark.parametrize(
    "body",
    [
        "<list><talk><id>1</talk></list>",
        "not xml at all",
        "<html><body>Error</body></html>",
        '<?xml version="1.0"?><list><talk><title>&undefined;</title></talk></list>',
    ],
    ids=["broken", "text", "html", "undefined-entity"],
)
def test_a_broken_feed_is_a_parse_error_naming_the_url(body: str) -> None:
    with pytest.raises(ParseError, match=re.escape(FEED)):
        site().listing(Page(FEED, body, NOW))


def test_entities_are_not_expanded_from_the_dtd() -> None:
    body = (
        '<?xml version="1.0"?>\n'
        '<!DOCTYPE list [<!ENTITY secret SYSTEM "file:///etc/passwd">'
        '<!ENTITY boom "boom">]>\n'
        f"<list>{talk(title='A &boom; talk &secret;')}</list>"
    )
    links = site().listing(Page(FEED, body, NOW))
    assert links[0].seed is not None
    assert links[0].seed.title == "A &boom; talk &secret;"


@pytest.mark.parametrize(
    ("options", "key"),
    [
        ({}, "list"),
        ({"list": "abc"}, "list"),
        ({"list": False}, "list"),
        ({"list": 1.5}, "list"),
        ({"list": 1234, "series": 1}, "series"),
    ],
)
def test_bad_options_name_the_key(options: dict[str, Any], key: str) -> None:
    with pytest.raises(OptionError) as caught:
        build_source({**COMMON, **options})
    assert caught.value.key == key


def test_list_may_be_a_digit_string() -> None:
    assert site(list="0042").list_id == "0042"


@pytest.mark.parametrize("content_type", ["text/xml; charset=utf-8", "application/xml"])
def test_crawl_reads_the_feed_over_http(httpserver: HTTPServer, content_type: str) -> None:
    httpserver.expect_request("/robots.txt").respond_with_data("User-agent: *\nAllow: /\n")
    httpserver.expect_request("/show/xml/1234").respond_with_data(
        feed(talk()), content_type=content_type
    )
    source = TalksCam.configured(
        id="example-talks",
        name="Example talks",
        start_urls=(httpserver.url_for("/show/index/1234"),),
        timezone="Europe/London",
        base_url=httpserver.url_for("/"),
        list_id="1234",
    )

    async def run() -> Any:
        async with Fetcher(FetchSettings(delay=0, retries=0)) as fetcher:
            return await crawl(source, source.entry_urls(), fetcher)

    result = asyncio.run(run())
    assert (result.failed, result.listings_read, result.details_read) == (False, 1, 0)
    assert [d.title for d in result.drafts] == ["A Talk"]
    assert result.problems == []
