"""schema.org Events: each mapping to a draft field, the JSON-LD real pages publish (malformed,
@graph, references), microdata, the `jsonld` kind and the label ladder that tries JSON-LD first."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from bs4 import BeautifulSoup

from aggregator.commands.fixtures import fixture_pages
from scrapers import LabelSite, OptionError, Page, ParseError, SiteParser, TalkDraft, get_site
from scrapers.drafts import SpeakerDraft
from scrapers.kinds import build_source
from scrapers.read.schema_org import event_draft, find_events, read_events
from tests.fixture_pages import EXAMPLE_FIXTURES, FIXTURES

ZONE = ZoneInfo("America/Toronto")
URL = "https://cs.example.edu/events/talk-1"
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=ZONE)


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=ZONE)


def draft_of(**event: Any) -> TalkDraft:
    return event_draft({"@type": "Event", "name": "T", **event}, URL, ZONE)


def scripts(*blocks: object) -> str:
    return "".join(
        f'<script type="application/ld+json">{b if isinstance(b, str) else json.dumps(b)}</script>'
        for b in blocks
    )


def html(*blocks: object, body: str = "") -> str:
    return f"<html><head>{scripts(*blocks)}</head><body>{body}</body></html>"


def with_json_ld(text: str, *blocks: object) -> str:
    return text.replace("</head>", scripts(*blocks) + "</head>", 1)


def events_in(text: str, url: str = URL) -> list[TalkDraft]:
    return read_events(BeautifulSoup(text, "lxml"), url, ZONE).drafts


# --- One Event, field by field ---------------------------------------------------------------

WHEN = {
    "offset": (
        {"startDate": "2026-03-10T14:00:00+01:00", "endDate": "2026-03-10T15:00:00+01:00"},
        datetime(2026, 3, 10, 14, tzinfo=timezone(timedelta(hours=1))),
        datetime(2026, 3, 10, 15, tzinfo=timezone(timedelta(hours=1))),
        False,
    ),
    "utc-z": (
        {"startDate": "2026-03-10T18:00:00Z"},
        datetime(2026, 3, 10, 18, tzinfo=UTC),
        None,
        False,
    ),
    "no-offset-is-site-local": (
        {"startDate": "2026-03-10T14:00", "endDate": "2026-03-10T15:30:00"},
        local(2026, 3, 10, 14),
        local(2026, 3, 10, 15, 30),
        False,
    ),
    "no-offset-in-dst-gap": (
        {"startDate": "2026-03-08T02:30:00"},
        local(2026, 3, 8, 3, 30),
        None,
        False,
    ),
    "date-only-is-all-day": (
        {"startDate": "2026-09-24", "endDate": "2026-09-25"},
        local(2026, 9, 24),
        local(2026, 9, 26),
        True,
    ),
    "one-day": (
        {"startDate": "2026-09-24", "endDate": "2026-09-24"},
        local(2026, 9, 24),
        None,
        True,
    ),
    "end-before-start": (
        {"startDate": "2026-03-10T14:00", "endDate": "2026-03-10T13:00"},
        local(2026, 3, 10, 14),
        None,
        False,
    ),
    "timed-start-date-end": (
        {"startDate": "2026-03-10T14:00", "endDate": "2026-03-10"},
        local(2026, 3, 10, 14),
        None,
        False,
    ),
    "list-takes-first": (
        {"startDate": ["2026-03-10T14:00", "2026-03-17T14:00"]},
        local(2026, 3, 10, 14),
        None,
        False,
    ),
}


@pytest.mark.parametrize(("event", "start", "end", "all_day"), WHEN.values(), ids=WHEN.keys())
def test_start_end_and_all_day(
    event: dict[str, Any], start: datetime, end: datetime | None, all_day: bool
) -> None:
    draft = draft_of(**event)
    assert (draft.start, draft.end, draft.all_day) == (start, end, all_day)
    assert draft.start is not None and draft.start.utcoffset() == start.utcoffset()
    assert draft.problems == []


# Times that fill whole days, as The Events Calendar writes an all-day event, are all-day.
WHOLE_DAYS = {
    "midnight-to-end-of-a-later-day": ("2026-09-24T00:00:00-04:00", "2026-09-26T23:59:59-04:00", (local(2026, 9, 24), local(2026, 9, 27), True)),
    "midnight-to-23-59-same-day": ("2026-09-24T00:00", "2026-09-24T23:59", (local(2026, 9, 24), None, True)),
    "midnight-to-next-midnight": ("2026-09-24T00:00:00", "2026-09-25T00:00:00", (local(2026, 9, 24), None, True)),
    "midnight-to-two-am-is-timed": ("2026-09-24T00:00", "2026-09-24T02:00", (local(2026, 9, 24), local(2026, 9, 24, 2), False)),
}  # fmt: skip


@pytest.mark.parametrize(("start", "end", "expected"), WHOLE_DAYS.values(), ids=WHOLE_DAYS.keys())
def test_times_filling_whole_days_are_all_day(
    start: str, end: str, expected: tuple[datetime, datetime | None, bool]
) -> None:
    draft = draft_of(startDate=start, endDate=end)
    assert (draft.start, draft.end, draft.all_day) == expected


def test_unreadable_dates_are_problems() -> None:
    draft = draft_of(startDate="next Tuesday", endDate="2026-03-10T15:00")
    assert draft.start is None
    assert draft.problems == ["startDate: cannot read 'next Tuesday'"]
    draft = draft_of(startDate="2026-03-10T14:00", endDate="soon")
    assert (draft.start, draft.end) == (local(2026, 3, 10, 14), None)
    assert draft.problems == ["endDate: cannot read 'soon'"]


PLACE: dict[str, Any] = {"@type": "Place", "name": "DC 1304"}
POSTAL: dict[str, Any] = {
    "@type": "PostalAddress",
    "streetAddress": "200 University Ave W",
    "addressLocality": "Waterloo",
    "addressRegion": "ON",
    "postalCode": "N2L 3G1",
    "addressCountry": {"@type": "Country", "name": "Canada"},
}
LOCATIONS: dict[str, tuple[Any, str | None]] = {
    "plain-string": ("Room 101, Gates Hall", "Room 101, Gates Hall"),
    "place-name": (PLACE, "DC 1304"),
    "place-postal-address": (
        {**PLACE, "address": POSTAL},
        "DC 1304, 200 University Ave W, Waterloo, ON N2L 3G1, Canada",
    ),
    "place-address-string": (
        {**PLACE, "address": "200 University Ave W"},
        "DC 1304, 200 University Ave W",
    ),
    "address-repeats-name": (
        {"@type": "Place", "name": "Gates Hall", "address": "Gates Hall"},
        "Gates Hall",
    ),
    "postal-address-itself": (
        {**POSTAL, "name": "Davis Centre"},
        "Davis Centre, 200 University Ave W, Waterloo, ON N2L 3G1, Canada",
    ),
    "virtual": (
        {"@type": "VirtualLocation", "url": "https://zoom.us/j/1"},
        "Online: https://zoom.us/j/1",
    ),
    "virtual-without-url": ({"@type": "VirtualLocation", "name": "Teams"}, "Online: Teams"),
    "place-and-virtual": (
        [PLACE, {"@type": "VirtualLocation", "url": "https://zoom.us/j/1"}],
        "DC 1304; Online: https://zoom.us/j/1",
    ),
    "entities": ({"@type": "Place", "name": "Caf&eacute; &amp; Lounge"}, "Café & Lounge"),
    "none": (None, None),
}


@pytest.mark.parametrize(("location", "line"), LOCATIONS.values(), ids=LOCATIONS.keys())
def test_location_is_one_line(location: Any, line: str | None) -> None:
    assert draft_of(location=location).location == line


ADA: dict[str, Any] = {"@type": "Person", "name": "Ada Lovelace"}
ORG: dict[str, Any] = {"@type": "Organization", "name": "Analytical Engines, Inc."}
PERFORMERS: dict[str, tuple[Any, list[SpeakerDraft]]] = {
    "person": (ADA, [SpeakerDraft("Ada Lovelace")]),
    "affiliation-organization": (
        {**ADA, "affiliation": ORG},
        [SpeakerDraft("Ada Lovelace", "Analytical Engines, Inc.")],
    ),
    "affiliation-string": ({**ADA, "affiliation": "MIT"}, [SpeakerDraft("Ada Lovelace", "MIT")]),
    "works-for": (
        {**ADA, "worksFor": ORG},
        [SpeakerDraft("Ada Lovelace", "Analytical Engines, Inc.")],
    ),
    "member-of": (
        {**ADA, "memberOf": [ORG, {"@type": "Organization", "name": "RSE"}]},
        [SpeakerDraft("Ada Lovelace", "Analytical Engines, Inc.; RSE")],
    ),
    "affiliation-before-works-for": (
        {**ADA, "worksFor": ORG, "affiliation": "MIT"},
        [SpeakerDraft("Ada Lovelace", "MIT")],
    ),
    "organization-is-no-speaker": (ORG, []),
    "performing-group-is-no-speaker": ({"@type": "PerformingGroup", "name": "Big Band"}, []),
    "untyped": ({"name": "Ada Lovelace"}, [SpeakerDraft("Ada Lovelace")]),
    "given-and-family": (
        {"@type": "Person", "givenName": "Grace", "familyName": "Hopper"},
        [SpeakerDraft("Grace Hopper")],
    ),
    "list": ([ADA, ORG], [SpeakerDraft("Ada Lovelace")]),
    "string": ("Alan Turing (Manchester)", [SpeakerDraft("Alan Turing", "Manchester")]),
    "type-name-placeholder": ("Organization", []),
    "nameless": ({"@type": "Person", "url": "https://x"}, []),
}


@pytest.mark.parametrize(("performer", "speakers"), PERFORMERS.values(), ids=PERFORMERS.keys())
def test_performers_are_speakers(performer: Any, speakers: list[SpeakerDraft]) -> None:
    assert draft_of(performer=performer).speakers == speakers


def test_speaker_is_read_beside_performer_once_each() -> None:
    grace = {"@type": "Person", "givenName": "Grace", "familyName": "Hopper"}
    draft = draft_of(performer=[ADA, "Organization"], speaker=[grace, ADA])
    assert draft.speakers == [SpeakerDraft("Ada Lovelace"), SpeakerDraft("Grace Hopper")]


ORGANIZERS: dict[str, tuple[Any, str | None]] = {
    "person": (ADA, "Ada Lovelace"),
    "organization": (ORG, "Analytical Engines, Inc."),
    "people-and-organization": (
        [ADA, {"@type": "Person", "name": "Charles Babbage"}, ORG],
        "Ada Lovelace, Charles Babbage, Analytical Engines, Inc.",
    ),
    "string": ("CS Department", "CS Department"),
    "legal-name": ({"@type": "Organization", "legalName": "Institut X"}, "Institut X"),
    "type-name-placeholder": ("Organization", None),
    "none": (None, None),
}


@pytest.mark.parametrize(("organizer", "host"), ORGANIZERS.values(), ids=ORGANIZERS.keys())
def test_organizer_is_the_host(organizer: Any, host: str | None) -> None:
    assert draft_of(organizer=organizer).host == host


DESCRIPTIONS = {
    "plain": ("One.\n\nTwo.", "One.\n\nTwo."),
    "html-paragraphs": ("<p>One <em>first</em>\n line.</p><p>Two.</p>", "One first line.\n\nTwo."),
    "html-breaks-and-lists": (
        "<div>Topics:<br>graphs</div><ul><li>A</li><li>B</li></ul>",
        "Topics:\ngraphs\n\nA\n\nB",
    ),
    "escaped-html": (
        "&lt;p&gt;One &amp;amp; two&lt;/p&gt;&lt;p&gt;Three&lt;/p&gt;",
        "One & two\n\nThree",
    ),
    "entities": ("Turing&#x27;s machine", "Turing's machine"),
    "blank": ("  ", None),
    "json-escapes-left-in": ("&lt;p&gt;One&lt;/p&gt;\\n&lt;p&gt;Two&lt;/p&gt;\\n", "One\n\nTwo"),
    "json-escapes-in-plain-text": ("One.\\nTwo.\\tThree.", "One.\nTwo. Three."),
    "tex-is-no-escape": ("Bounds on $\\nabla f$ and $\\theta$.", "Bounds on $\\nabla f$ and $\\theta$."),
    "markup-escaped-twice-with-attributes": ("&lt;p data-key=&quot;1&quot;&gt;&lt;span&gt;One&lt;/span&gt;&lt;/p&gt;", "One"),
}  # fmt: skip


@pytest.mark.parametrize(
    ("description", "abstract"), DESCRIPTIONS.values(), ids=DESCRIPTIONS.keys()
)
def test_description_is_the_abstract(description: str, abstract: str | None) -> None:
    assert draft_of(description=description).abstract == abstract


STATUSES = {
    "https-cancelled": ("https://schema.org/EventCancelled", "cancelled"),
    "http-postponed": ("http://schema.org/EventPostponed", "postponed"),
    "bare-rescheduled": ("EventRescheduled", "scheduled"),
    "bare-scheduled": ("EventScheduled", "scheduled"),
    "moved-online": ("https://schema.org/EventMovedOnline", "scheduled"),
    "prefixed": ("schema:EventCancelled", "cancelled"),
    "id-object": ({"@id": "https://schema.org/EventCancelled"}, "cancelled"),
    "absent": (None, None),
}


@pytest.mark.parametrize(("status", "expected"), STATUSES.values(), ids=STATUSES.keys())
def test_event_status(status: Any, expected: str | None) -> None:
    draft = draft_of(eventStatus=status)
    assert (draft.status, draft.problems) == (expected, [])


def test_unknown_event_status_is_a_problem() -> None:
    draft = draft_of(eventStatus="https://schema.org/EventSoldOut")
    assert draft.status is None
    assert draft.problems == ["eventStatus: unknown value 'https://schema.org/EventSoldOut'"]


IDENTITIES = {
    "no-url": ({}, URL, None),
    "url-is-the-page": ({"url": URL}, URL, None),
    "relative-url": (
        {"url": "/events/talk-2"},
        "https://cs.example.edu/events/talk-2",
        "https://cs.example.edu/events/talk-2",
    ),
    "id-wins-over-url": (
        {"@id": "urn:uuid:42", "url": "/events/talk-2"},
        "https://cs.example.edu/events/talk-2",
        "urn:uuid:42",
    ),
    "fragment-id": ({"@id": "#event-3"}, URL, f"{URL}#event-3"),
    "blank-node-id": (
        {"@id": "_:b0", "url": "/events/talk-2"},
        "https://cs.example.edu/events/talk-2",
        "https://cs.example.edu/events/talk-2",
    ),
}


@pytest.mark.parametrize(("event", "url", "key"), IDENTITIES.values(), ids=IDENTITIES.keys())
def test_url_and_key(event: dict[str, Any], url: str, key: str | None) -> None:
    draft = draft_of(**event)
    assert (draft.url, draft.key) == (url, key)


def test_strings_are_unescaped_and_trimmed() -> None:
    draft = draft_of(
        name="  Turing &amp; Church:\n &quot;Computable&quot; ", performer=["Lov&eacute;lace"]
    )
    assert draft.title == 'Turing & Church: "Computable"'
    assert draft.speakers == [SpeakerDraft("Lovélace")]


# --- Finding Events on a page ----------------------------------------------------------------

EVENT: dict[str, Any] = {"@type": "Event", "name": "Talk A", "startDate": "2026-03-10T14:00"}
OTHER: dict[str, Any] = {"@type": "Event", "name": "Talk B", "startDate": "2026-03-11T14:00"}
PAGES = {
    "single-object": (html({"@context": "https://schema.org", **EVENT}), ["Talk A"]),
    "top-level-array": (
        html([EVENT, {"@type": "Organization", "name": "X"}, OTHER]),
        ["Talk A", "Talk B"],
    ),
    "graph": (
        html({"@context": "https://schema.org", "@graph": [{"@type": "WebPage"}, EVENT, OTHER]}),
        ["Talk A", "Talk B"],
    ),
    "type-list": (html({**EVENT, "@type": ["Event", "EducationEvent"]}), ["Talk A"]),
    "type-urls": (html({**EVENT, "@type": "https://schema.org/SocialEvent"}), ["Talk A"]),
    "subtypes": (
        html(
            [
                {**EVENT, "@type": "Hackathon"},
                {**OTHER, "@type": "BusinessEvent"},
                {**EVENT, "name": "C", "@type": "Person"},
            ]
        ),
        ["Talk A", "Talk B"],
    ),
    "series-sub-events": (
        html(
            {
                "@type": "EventSeries",
                "name": "Colloquium",
                "startDate": "2026-01-01",
                "subEvent": [EVENT, OTHER],
            }
        ),
        ["Talk A", "Talk B"],
    ),
    "item-list": (
        html(
            {
                "@type": "ItemList",
                "itemListElement": [
                    {"@type": "ListItem", "item": EVENT},
                    {"@type": "ListItem", "item": OTHER},
                ],
            }
        ),
        ["Talk A", "Talk B"],
    ),
    "main-entity": (html({"@type": "WebPage", "mainEntity": EVENT}), ["Talk A"]),
    "several-blocks": (html(EVENT, {"@type": "BreadcrumbList"}, OTHER), ["Talk A", "Talk B"]),
    "reference-stub-skipped": (
        html(
            {
                "@graph": [
                    {"@type": "WebPage", "about": {"@id": "#e", "@type": "Event"}},
                    {**EVENT, "@id": "#e"},
                ]
            }
        ),
        ["Talk A"],
    ),
    "type-attribute-with-charset": (
        html(
            body=f'<script type="application/ld+json; charset=utf-8">{json.dumps(EVENT)}</script>'
        ),
        ["Talk A"],
    ),
    "no-markup": (html(body="<h1>Talk A</h1>"), []),
}


@pytest.mark.parametrize(("text", "titles"), PAGES.values(), ids=PAGES.keys())
def test_events_are_found_wherever_json_ld_puts_them(text: str, titles: list[str]) -> None:
    assert [d.title for d in events_in(text)] == titles


def test_graph_references_are_resolved() -> None:
    text = html(
        {
            "@context": "https://schema.org",
            "@graph": [
                {**EVENT, "organizer": {"@id": "#dept"}, "location": {"@id": "#room"},
                 "performer": {"@type": "Person", "name": "Ada", "affiliation": {"@id": "#mit"}}},
                {"@type": "Organization", "@id": "#dept", "name": "CS Department"},
                {"@type": "Place", "@id": "#room", "name": "Gates 104"},
                {"@type": "CollegeOrUniversity", "@id": "#mit", "name": "MIT"},
            ],
        }
    )  # fmt: skip
    (draft,) = events_in(text)
    assert (draft.host, draft.location) == ("CS Department", "Gates 104")
    assert draft.speakers == [SpeakerDraft("Ada", "MIT")]


VALID = '{"@type": "Event", "name": "Kept", "startDate": "2026-03-10T14:00"}'
MALFORMED = {
    "trailing-commas": '{"@type": "Event", "name": "Kept", "performer": [{"name": "A",},], "startDate": "2026-03-10T14:00",}',
    "html-comment-around": f"<!--\n{VALID}\n-->",
    "html-comment-beside": f"<!-- generated by the theme -->\n{VALID}",
    "cdata": f"//<![CDATA[\n{VALID}\n//]]>",
    "js-comments": '/* event */ {"@type": "Event", // the talk\n "name": "Kept", "startDate": "2026-03-10T14:00"}',
    "raw-newline-and-tab-in-string": '{"@type": "Event", "name": "Kept", "description": "a\nb\tc", "startDate": "2026-03-10T14:00"}',
    "control-character-outside-string": '{"@type": "Event",\x0b"name": "Kept", "startDate": "2026-03-10T14:00"}',
    "two-objects-one-block": VALID + '\n{"@type": "Organization", "name": "X"}',
    "comma-url-in-string-kept": '{"@type": "Event", "name": "Kept", "url": "https://x.edu/a,]", "startDate": "2026-03-10T14:00",}',
}


@pytest.mark.parametrize("block", MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_json_ld_that_pages_publish_is_repaired(block: str) -> None:
    found = read_events(BeautifulSoup(html(block), "lxml"), URL, ZONE)
    assert [d.title for d in found.drafts] == ["Kept"]
    assert found.problems == []
    assert found.drafts[0].start == local(2026, 3, 10, 14)


def test_trailing_comma_repair_keeps_strings_intact() -> None:
    (draft,) = events_in(html(MALFORMED["comma-url-in-string-kept"]))
    assert draft.url == "https://x.edu/a,]"


def test_broken_block_is_skipped_with_a_problem_and_others_still_read() -> None:
    text = html('{"@type": "Event", "name": "Lost" "startDate": }', "", OTHER)
    found = read_events(BeautifulSoup(text, "lxml"), URL, ZONE)
    assert [d.title for d in found.drafts] == ["Talk B"]
    assert found.problems == [
        "JSON-LD block 1 skipped: not JSON (Expecting ',' delimiter at line 1, column 35)"
    ]


MICRODATA = """
<div itemscope itemtype="https://schema.org/EducationEvent" itemid="urn:talk:7">
  <h2 itemprop="name">Micro &amp; Data</h2>
  <a itemprop="url" href="/events/micro">more</a>
  <time itemprop="startDate" datetime="2026-03-10T14:00">March 10, 2 p.m.</time>
  <meta itemprop="endDate" content="2026-03-10T15:00-04:00">
  <link itemprop="eventStatus" href="https://schema.org/EventPostponed">
  <p itemprop="performer" itemscope itemtype="https://schema.org/Person">
    <span itemprop="name">Ada Lovelace</span>,
    <span itemprop="affiliation" itemscope itemtype="https://schema.org/Organization"><span itemprop="name">Analytical Engines</span></span>
  </p>
  <div itemprop="location" itemscope itemtype="https://schema.org/Place">
    <span itemprop="name">Gates 104</span>
    <div itemprop="address" itemscope itemtype="https://schema.org/PostalAddress">
      <span itemprop="streetAddress">353 Jane Stanford Way</span>, <span itemprop="addressLocality">Stanford</span>
    </div>
  </div>
  <span itemprop="organizer" itemscope itemtype="https://schema.org/Organization"><span itemprop="name">CS Theory</span></span>
  <div itemprop="description"><p>First
    paragraph.</p><p>Second.</p></div>
</div>
<div itemscope itemtype="https://schema.org/Organization"><span itemprop="name">Not a talk</span></div>
"""


def test_microdata_is_read_like_json_ld() -> None:
    (draft,) = events_in(html(body=MICRODATA))
    assert draft.title == "Micro & Data"
    assert (draft.url, draft.key) == ("https://cs.example.edu/events/micro", "urn:talk:7")
    assert (draft.start, draft.end) == (local(2026, 3, 10, 14), local(2026, 3, 10, 15))
    assert draft.speakers == [SpeakerDraft("Ada Lovelace", "Analytical Engines")]
    assert draft.location == "Gates 104, 353 Jane Stanford Way, Stanford"
    assert (draft.host, draft.status) == ("CS Theory", "postponed")
    assert draft.abstract == "First paragraph.\n\nSecond."


def test_microdata_only_when_json_ld_has_no_event() -> None:
    with_json_ld = html(EVENT, body=MICRODATA)
    assert [d.title for d in events_in(with_json_ld)] == ["Talk A"]
    without = html({"@type": "Organization", "name": "X"}, body=MICRODATA)
    assert [d.title for d in events_in(without)] == ["Micro & Data"]


def test_the_page_event_is_the_one_at_its_url() -> None:
    text = html([{**OTHER, "url": "/events/other"}, {**EVENT, "url": URL}], "{broken")
    found = read_events(BeautifulSoup(text, "lxml"), URL, ZONE)
    chosen = found.about(URL + "#top")
    assert chosen is not None and chosen.title == "Talk A"
    assert chosen.problems == found.problems and len(chosen.problems) == 1
    first = found.about("https://cs.example.edu/elsewhere")
    assert first is not None and first.title == "Talk B"
    assert read_events(BeautifulSoup(html(), "lxml"), URL, ZONE).about(URL) is None


def test_reading_leaves_the_page_alone_and_find_events_gives_raw_objects() -> None:
    page = Page(URL, html(EVENT, body=MICRODATA), NOW)
    before = str(page.soup)
    assert find_events(page) == [EVENT]
    read_events(page.soup, URL, ZONE)
    assert str(page.soup) == before


# --- The jsonld kind -------------------------------------------------------------------------

COMMON = {
    "kind": "jsonld",
    "id": "example-cs-talks",
    "name": "Example CS Talks",
    "url": "https://cs.example.edu/events/",
    "timezone": "America/Toronto",
}


def jsonld_source(**options: Any) -> SiteParser:
    return build_source({**COMMON, **options})


BAD_OPTIONS = {
    "regex-syntax": (
        {"talk_url": "/events/(?P<key>[a-z"},
        "talk_url",
        "is not a valid regular expression",
    ),
    "regex-without-key": ({"talk_url": r"/events/(\d+)"}, "talk_url", "needs a (?P<key>…) group"),
    "regex-not-a-string": ({"talk_url": 42}, "talk_url", "must be a regular expression string"),
    "selector-syntax": (
        {"talk_links": "ul.events a["},
        "talk_links",
        "is not a valid CSS selector",
    ),
    "selector-empty": ({"talk_links": " "}, "talk_links", "must be a CSS selector string"),
    "unknown-key": (
        {"talk_link": "a"},
        "talk_link",
        "is not a key of kind 'jsonld' (expected one of: more_listings, talk_links, talk_url)",
    ),
}


@pytest.mark.parametrize(
    ("options", "key", "message"), BAD_OPTIONS.values(), ids=BAD_OPTIONS.keys()
)
def test_bad_options_name_their_key(options: dict[str, Any], key: str, message: str) -> None:
    with pytest.raises(OptionError) as caught:
        jsonld_source(**options)
    assert caught.value.key == key
    assert message in str(caught.value)


LISTING_URL = "https://cs.example.edu/events/"
LISTING = html(
    [
        {**EVENT, "url": "/events/a", "@id": "urn:a"},
        {**OTHER, "url": "https://cs.example.edu/events/b"},
        {"@type": "Event", "name": "No page", "startDate": "2026-03-12"},
    ],
    body='<ul class="talks"><li><a href="/events/a">Talk A</a></li><li><a href="/events/c">Talk C</a></li></ul>'
    '<a href="/events/">All events</a><a href="/about">About</a>',
)


def test_embedded_events_are_complete_talks() -> None:
    links = jsonld_source().listing(Page(LISTING_URL, LISTING, NOW))
    assert [(link.url, link.kind, link.complete) for link in links] == [
        ("https://cs.example.edu/events/a", "talk", True),
        ("https://cs.example.edu/events/b", "talk", True),
        (LISTING_URL, "talk", True),
    ]
    assert [link.seed.title if link.seed else None for link in links] == [
        "Talk A",
        "Talk B",
        "No page",
    ]
    assert links[0].seed is not None and links[0].seed.key == "urn:a"


def test_detail_links_by_pattern_keep_embedded_events_as_fallback() -> None:
    site = jsonld_source(talk_url=r"/events/(?P<key>[a-z]+)$")
    links = site.listing(Page(LISTING_URL, LISTING, NOW))
    assert [(link.url, link.complete) for link in links] == [
        ("https://cs.example.edu/events/a", False),
        ("https://cs.example.edu/events/c", False),
    ]
    seed = links[0].seed
    assert seed is not None and (seed.title, seed.key) == ("Talk A", None)
    assert links[1].seed is None
    assert site.is_talk("https://cs.example.edu/events/a") and not site.is_talk(LISTING_URL)


def test_detail_links_by_selector() -> None:
    site = jsonld_source(talk_links="ul.talks a")
    links = site.listing(Page(LISTING_URL, LISTING, NOW))
    assert [link.url for link in links] == [
        "https://cs.example.edu/events/a",
        "https://cs.example.edu/events/c",
    ]
    assert site.is_talk("https://cs.example.edu/events/c") and not site.is_talk(LISTING_URL)
    assert not jsonld_source().is_talk("https://cs.example.edu/events/c")


def test_a_listing_whose_only_json_ld_is_broken_is_an_error() -> None:
    with pytest.raises(ParseError, match=r"JSON-LD block 1 skipped: not JSON"):
        jsonld_source().listing(Page(LISTING_URL, html('{"@type": "Event",'), NOW))
    assert jsonld_source().listing(Page(LISTING_URL, html(), NOW)) == []


def test_detail_page_event_and_its_gaps() -> None:
    site = jsonld_source(talk_url=r"/events/(?P<key>[a-z0-9-]+)$")
    draft = site.talk(Page(URL, html({**EVENT, "@id": "#event", "url": URL}), NOW))
    assert (draft.url, draft.title, draft.key) == (URL, "Talk A", None)
    assert draft.problems == [
        "no performer in the schema.org Event",
        "no location in the schema.org Event",
    ]
    with pytest.raises(
        ParseError, match=r"no schema\.org Event in JSON-LD or microdata; JSON-LD block 1"
    ):
        site.talk(Page(URL, html("{nope"), NOW))


def test_oxford_series_links_to_its_talk_pages() -> None:
    site = get_site("oxford-strachey-lectures")
    pages = fixture_pages(EXAMPLE_FIXTURES, "oxford-strachey-lectures")
    (series,) = [p for p in pages if p.path.stem == "series"]
    links = site.listing(series.page)
    assert [(link.url, link.seed) for link in links] == [
        ("https://talks.ox.ac.uk/talks/id/5c0e6f7a-2b1d-4e8f-9a63-7d2c41b0e915/", None),
        ("https://talks.ox.ac.uk/talks/id/8e2b7c14-93d0-4f6a-b1e5-0a7d3c9f2468/", None),
    ]


# --- The label ladder: JSON-LD first, then labels, then page metadata --------------------------

NYU = get_site("nyu-cs-colloquium")
NYU_URL = "https://cs.nyu.edu/dynamic/news/colloquium/1857/"


def nyu_page(*blocks: object) -> Page:
    (saved,) = [p for p in fixture_pages(FIXTURES, "nyu-cs-colloquium") if p.url == NYU_URL]
    return Page(NYU_URL, with_json_ld(saved.page.text, *blocks), NOW)


def test_label_page_takes_json_ld_fields_first_and_labels_for_the_rest() -> None:
    labels_only = NYU.talk(nyu_page())
    event = {
        "@context": "https://schema.org",
        "@type": "EducationEvent",
        "@id": f"{NYU_URL}#event",
        "name": "Efficient ML Systems (rescheduled)",
        "startDate": "2026-03-12T11:00:00-04:00",
        "eventStatus": "https://schema.org/EventRescheduled",
        "location": {"@type": "VirtualLocation", "url": "https://nyu.zoom.us/j/5"},
    }
    draft = NYU.talk(nyu_page(event))
    assert draft.title == "Efficient ML Systems (rescheduled)"
    assert (draft.start, draft.end) == (
        datetime(2026, 3, 12, 11, tzinfo=timezone(timedelta(hours=-4))),
        None,
    )
    assert (draft.location, draft.status) == ("Online: https://nyu.zoom.us/j/5", "scheduled")
    # What the Event lacks comes from the labels, unchanged.
    assert (
        draft.speakers
        == labels_only.speakers
        == [SpeakerDraft("Qinghao Hu", "Massachusetts Institute of Technology")]
    )
    assert (draft.host, draft.abstract, draft.bio, draft.notes) == (
        labels_only.host, labels_only.abstract, labels_only.bio, labels_only.notes,
    )  # fmt: skip
    assert labels_only.host == "Aurojit Panda" and labels_only.notes
    # The URL's key stays the talk's identity; the Event's @id does not replace it.
    assert (draft.url, draft.key) == (NYU_URL, None)
    assert draft.problems == []


def test_label_page_with_json_ld_missing_the_date_keeps_the_label_date() -> None:
    labels_only = NYU.talk(nyu_page())
    draft = NYU.talk(nyu_page({"@type": "Event", "name": "Only a name"}))
    assert draft.title == "Only a name"
    assert labels_only.start is not None
    assert (draft.start, draft.end, draft.all_day) == (labels_only.start, labels_only.end, False)
    assert draft.problems == []


def test_label_page_reports_broken_json_ld_and_still_reads_labels() -> None:
    draft = NYU.talk(nyu_page('{"@type": "Event" "name": "x"}'))
    assert draft.title == "Building Efficient and Scalable Machine Learning Systems"
    assert draft.start is not None
    assert draft.problems == [
        "JSON-LD block 1 skipped: not JSON (Expecting ',' delimiter at line 1, column 19)"
    ]


class Bare(LabelSite):
    id = "bare"
    name = "Bare"
    start_urls = ("https://example.edu/talks/",)
    timezone = "America/Toronto"


def test_label_gaps_are_reported_only_when_no_rung_fills_them() -> None:
    page = "<html><head><title>Talk X | Dept</title></head><body><p>Nothing labelled.</p></body></html>"
    bare = Bare().talk(Page(URL, page, NOW))
    assert bare.title == "Talk X"
    assert bare.problems == ["no date label", "no speaker label", "no location label"]
    event = {**EVENT, "name": None, "performer": ADA}
    with_event = Bare().talk(Page(URL, with_json_ld(page, event), NOW))
    assert (with_event.title, with_event.start) == ("Talk X", local(2026, 3, 10, 14))
    assert with_event.key is None
    assert with_event.problems == ["no location label"]


def test_more_listings_follows_the_next_page() -> None:
    site = build_source(
        {
            "kind": "jsonld",
            "id": "paged-events",
            "name": "Paged",
            "url": "https://x.edu/events/",
            "timezone": "America/Toronto",
            "more_listings": "a.next",
        }
    )
    page = Page(
        "https://x.edu/events/",
        '<html><body><a class="next" href="?page=2">Next</a></body></html>',
        datetime(2026, 3, 1, tzinfo=UTC),
    )
    assert [(link.url, link.kind) for link in site.listing(page)] == [
        ("https://x.edu/events/?page=2", "listing")
    ]


def test_events_without_a_page_of_their_own_are_all_kept() -> None:
    site = build_source(
        {"kind": "jsonld", "id": "bare-events", "name": "Bare", "url": "https://x.edu/events/",
         "timezone": "America/Toronto"}
    )  # fmt: skip
    events = [
        {"@type": "Event", "name": name, "startDate": start}
        for name, start in (("One", "2026-03-10T14:00"), ("Two", "2026-03-11T14:00"))
    ]
    html = f'<script type="application/ld+json">{json.dumps(events)}</script>'
    page = Page("https://x.edu/events/", html, datetime(2026, 3, 1, tzinfo=UTC))
    links = site.listing(page)
    keys = [link.seed.key for link in links if link.seed is not None]
    assert len(keys) == 2 and len(set(keys)) == 2 and None not in keys
    again = site.listing(Page("https://x.edu/events/", html, datetime(2026, 3, 2, tzinfo=UTC)))
    assert [link.seed.key for link in again if link.seed is not None] == keys
