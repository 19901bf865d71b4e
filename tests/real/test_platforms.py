"""The platform adapters on real captures (`../shared/real/platforms/`), read the way the pipeline
reads them: a source built from a config table, its listing (or talk page) parsed with "now"
fixed near the capture's date, and the record normalized where it matters. The values asserted
were read off the captures by hand. A test marked `finding(N)` checks item N of the folder's
FINDINGS.md and fails on the code the findings were written against.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from aggregator.records.normalize import normalize
from scrapers import Link, Page, ParseError, SiteParser, SpeakerDraft, TalkDraft
from scrapers.kinds import build_source
from scrapers.read.ical import ParsedCalendar, parse_calendar
from tests.shared_real import capture_id, real_glob, real_path, require_shared

# Field lines Trumba writes into DESCRIPTION (both captures): none may reach an abstract.
TRUMBA_FIELD_LABELS = (
    "Event Name:",
    "Organization:",
    "Event Locator:",
    "Submitter Name:",
    "Event State:",
    "Categories:",
    "Web Site:",
    "Diagram Link:",
)


def source(kind: str, url: str, timezone: str, **options: Any) -> SiteParser:
    table = {"kind": kind, "id": f"real-{kind}", "name": "Real capture", "url": url}
    return build_source({**table, "timezone": timezone, **options})


def read(site: SiteParser, capture: Path, url: str, now: datetime) -> list[Link]:
    return site.listing(Page(url, capture.read_text(encoding="utf-8"), now))


def talks(links: list[Link]) -> list[TalkDraft]:
    return [link.seed for link in links if link.kind == "talk" and link.seed is not None]


def listings(links: list[Link]) -> list[str]:
    return [link.url for link in links if link.kind == "listing"]


def times(draft: TalkDraft) -> tuple[str | None, str | None, bool]:
    """Start and end as ISO 8601 with their offsets, and whether the talk is all-day."""
    start = draft.start.isoformat() if draft.start else None
    return start, draft.end.isoformat() if draft.end else None, draft.all_day


def zone_of(draft: TalkDraft) -> str:
    """The name of the zone the talk's start is given in."""
    assert draft.start is not None
    zone = draft.start.tzinfo
    return zone.key if isinstance(zone, ZoneInfo) else str(zone)


def calendar(capture: Path, now: datetime, zone: str = "UTC") -> ParsedCalendar:
    """A real feed parsed with the `ical` kind's window around `now`."""
    text = capture.read_text(encoding="utf-8")
    window = (now - timedelta(days=180), now + timedelta(days=365))
    return parse_calendar(
        text, feed_url=capture.as_uri(), zone=ZoneInfo(zone), window=window, now=now
    )


# --- Every capture is one its PROVENANCE.md describes ----------------------------------------


@pytest.mark.parametrize("provenance", real_glob("platforms/*/PROVENANCE.md"), ids=capture_id)
def test_every_capture_is_named_in_its_folders_provenance(provenance: Path) -> None:
    require_shared()
    text = provenance.read_text(encoding="utf-8")
    captures = sorted(p.name for p in provenance.parent.iterdir() if p.name != "PROVENANCE.md")
    assert captures, f"{provenance.parent.name} holds no capture"
    assert [name for name in captures if name not in text] == []


# --- iCal: Trumba ------------------------------------------------------------------------------

SPSCC_FEED = "https://www.trumba.com/calendars/spscc-student-life.ics"
SPSCC_NOW = datetime(2023, 3, 14, 12, tzinfo=UTC)
SVSU_FEED = "https://www.trumba.com/calendars/svsu-homepage.ics"
SVSU_NOW = datetime(2023, 3, 16, 12, tzinfo=UTC)


def spscc() -> tuple[SiteParser, list[TalkDraft]]:
    site = source("ical", SPSCC_FEED, "America/Los_Angeles")
    capture = real_path("platforms/ical-trumba-spscc/student-life.ics")
    return site, talks(read(site, capture, SPSCC_FEED, SPSCC_NOW))


def svsu() -> tuple[SiteParser, list[TalkDraft]]:
    site = source("ical", SVSU_FEED, "America/New_York")
    capture = real_path("platforms/ical-trumba-svsu/homepage.ics")
    return site, talks(read(site, capture, SVSU_FEED, SVSU_NOW))


def titled(drafts: list[TalkDraft], title: str) -> TalkDraft:
    return next(draft for draft in drafts if draft.title == title)


def test_trumba_spscc_feed_is_read_talk_by_talk() -> None:
    site, drafts = spscc()
    assert len(drafts) == 28
    yoga = normalize(drafts[0], site)
    assert (yoga.title, yoga.start.isoformat(), yoga.end and yoga.end.isoformat()) == (
        "Yoga Tuesdays",
        "2023-03-14T15:00:00-07:00",
        "2023-03-14T16:00:00-07:00",
    )
    assert (yoga.timezone, yoga.location, yoga.speakers) == ("America/Los_Angeles", None, [])
    assert (yoga.url, yoga.host) == (
        "https://spscc.edu/student-life?trumbaEmbed=view%3devent%26eventid%3d788008166",
        "CAMPUS ACTIVITIES BOARD, STUDENT LIFE",
    )
    jazz = titled(drafts, "Jazz Concert: Swing into Spring")
    assert jazz.location == "Kenneth J. Minnaert Center for the Arts Main Stage (Bldg 21)"
    assert (jazz.key, jazz.host) == ("http://uid.trumba.com/event/745403890", "Music")
    assert (jazz.abstract or "").startswith("The SPSCC Jazz Band, under the direction of Brad")
    holiday = titled(drafts, "Closed for Holiday")
    assert times(holiday) == ("2023-05-29T00:00:00-07:00", "2023-05-29T23:30:00-07:00", False)
    assert holiday.abstract == "SPSCC is closed on May 29th for Memorial Day."


@pytest.mark.finding(1)
def test_trumba_titles_and_locations_have_their_entities_decoded() -> None:
    _, spscc_drafts = spscc()
    _, svsu_drafts = svsu()
    assert titled(spscc_drafts, "Orchestra Concert: Vows & Chorales").location == (
        "Kenneth J. Minnaert Center for the Arts Main Stage (Bldg 21), "
        "Mottman Campus Building 21 Lobby Room 201"
    )
    ignite = titled(spscc_drafts, "IGNITE & Black Scholars End of Year Celebration 22-23")
    assert (ignite.location or "").endswith(", Student Union Building Cafeteria (Bldg 27),…")
    commencement = titled(svsu_drafts, "Winter Commencement Ceremony")
    assert (commencement.location or "").startswith(
        "Ryder Center O'Neill Arena, Ryder Center O'Neill Arena East Multipurpose Practice Floor"
    )
    texts = [d.title or "" for d in spscc_drafts + svsu_drafts]
    texts += [d.location or "" for d in spscc_drafts + svsu_drafts]
    assert [text for text in texts if "&amp;" in text or "&#" in text] == []


def test_trumba_markup_escaped_twice_becomes_text() -> None:
    _, drafts = spscc()
    trivia = titled(drafts, "Super Mario Trivia")
    assert (trivia.abstract or "").startswith(
        "What is Mario's favorite type of fabric? Denim, denim, denim!\n\n"
        "In honor of National Mario Day on March 10, Student Life invites you"
    )
    assert [d.title for d in drafts if "<span" in (d.abstract or "")] == []


@pytest.mark.finding(2)
def test_trumba_talks_link_to_their_event_pages_not_the_feed() -> None:
    site, drafts = spscc()
    _, svsu_drafts = svsu()
    assert drafts[0].url == (
        "https://spscc.edu/student-life?trumbaEmbed=view%3devent%26eventid%3d788008166"
    )
    assert svsu_drafts[0].url == (
        "http://www.svsu.edu/calendar/homepagecalendar?trumbaEmbed=view%3devent%26eventid%3d578526432"
    )
    # Each event's own page: its X-TRUMBA-LINK names the event id its UID ends with.
    event_ids = [(d.key or "").removeprefix("http://uid.trumba.com/event/") for d in drafts]
    event_ids += [(d.key or "").removeprefix("http://uid.trumba.com/event/") for d in svsu_drafts]
    links = [d.url.split("eventid%3d")[1] for d in drafts + svsu_drafts]
    assert (links, len(set(links))) == (event_ids, 28 + 25)
    assert normalize(drafts[0], site).url == drafts[0].url


@pytest.mark.finding(3)
def test_trumba_field_lines_are_read_as_fields_not_left_in_the_abstract() -> None:
    _, spscc_drafts = spscc()
    _, svsu_drafts = svsu()
    yoga = spscc_drafts[0]
    assert yoga.host == "CAMPUS ACTIVITIES BOARD, STUDENT LIFE"
    assert (yoga.abstract or "").startswith("How will you start your week? Come join us")
    brown_bag = titled(spscc_drafts, "Monthly Brown Bag Discussion")
    assert (brown_bag.host, brown_bag.abstract) == (
        "DIVERSITY AND EQUITY",
        "Join us in exchanging and hearing various perspectives and lived experiences in a safe"
        " and respectful space. Each month the topic changes! No registration is required.",
    )
    jazz_fest = titled(svsu_drafts, "Jazz Fest")
    assert (jazz_fest.host, jazz_fest.abstract) == ("DEPARTMENT OF MUSIC", None)
    registrar = svsu_drafts[0]
    assert (registrar.host, registrar.abstract) == (
        "REGISTRAR",
        'Last Day to Withdraw with a ""W"" Grade',
    )
    abstracts = [d.abstract or "" for d in spscc_drafts + svsu_drafts]
    assert [a for a in abstracts if any(label in a for label in TRUMBA_FIELD_LABELS)] == []


def test_trumba_svsu_feed_is_read_talk_by_talk() -> None:
    site, drafts = svsu()
    assert len(drafts) == 25
    assert times(drafts[0]) == ("2023-03-17T08:00:00-04:00", "2023-03-17T22:59:00-04:00", False)
    lecture = titled(drafts, "Climate Control Lecture")
    assert times(lecture) == ("2023-04-11T18:30:00-04:00", "2023-04-11T20:30:00-04:00", False)
    assert (
        lecture.location == "Curtiss Hall Banquet A, Curtiss Hall Banquet B, Curtiss Hall Banquet C"
    )
    assert (lecture.host, lecture.abstract, lecture.speakers) == ("DIVERSITY PROGRAMS", None, [])
    assert lecture.url == (
        "http://www.svsu.edu/calendar/homepagecalendar?trumbaEmbed=view%3devent%26eventid%3d841203084"
    )
    record = normalize(lecture, site)
    assert (record.timezone, record.title) == ("America/New_York", "Climate Control Lecture")


def test_a_cut_off_download_is_reported_as_cut_off() -> None:
    text = real_path("platforms/ical-trumba-svsu/homepage.ics").read_text(encoding="utf-8")
    site = source("ical", SVSU_FEED, "America/New_York")
    with pytest.raises(ParseError, match=r"svsu-homepage\.ics: iCalendar feed cut off"):
        site.listing(Page(SVSU_FEED, text[: len(text) // 2], SVSU_NOW))


# --- iCal: Google Calendar -----------------------------------------------------------------------

USAL_FEED = "https://calendar.google.com/calendar/ical/c_jd0an7mstid1af3do1ija5flsk%40group.calendar.google.com/public/basic.ics"


def usal() -> tuple[SiteParser, list[TalkDraft]]:
    # A site configured in another zone: the calendar's X-WR-TIMEZONE must win.
    site = source("ical", USAL_FEED, "America/New_York")
    capture = real_path("platforms/ical-google-usal/basic.ics")
    return site, talks(read(site, capture, USAL_FEED, datetime(2022, 5, 20, 10, tzinfo=UTC)))


@pytest.mark.finding(2)
def test_google_calendar_page_link_in_location_is_the_url_not_the_place() -> None:
    site, drafts = usal()
    assert [(d.title, d.url, d.location) for d in drafts] == [
        (
            "Big Band Universidad de Salamanca",
            "https://sac.usal.es/show-item/big-band-universidad-de-salamanca-2022/",
            None,
        ),
        (
            "Música en escena - Iria San Marcial Comesaña (piano)",
            "https://sac.usal.es/role-member/iria-san-marcial-comesana-piano/",
            None,
        ),
    ]
    assert [normalize(d, site).url for d in drafts] == [d.url for d in drafts]


@pytest.mark.finding(13)
def test_google_calendar_talks_keep_the_calendars_zone() -> None:
    site, drafts = usal()
    assert [times(d) for d in drafts] == [
        ("2022-06-05T20:00:00+02:00", "2022-06-05T20:30:00+02:00", False),
        ("2022-06-09T20:00:00+02:00", "2022-06-09T21:00:00+02:00", False),
    ]
    assert [normalize(d, site).timezone for d in drafts] == ["Europe/Madrid"] * 2
    assert (drafts[1].abstract or "").startswith(
        "Jueves, 9 de junio de 2022\n\nTeatro Juan del Enzina 20:00 h"
    )


# --- iCal: the peer project's bug-report calendars -----------------------------------------------


@pytest.mark.finding(10)
def test_a_thisandfuture_override_changes_every_later_occurrence() -> None:
    capture = real_path("platforms/ical-peer-corpus/issue_75_range_parameter.ics")
    drafts = calendar(capture, datetime(2024, 10, 1, tzinfo=UTC)).drafts
    # Each occurrence keeps its own slot as its id, even where the override moved it.
    assert (len(drafts), len({d.key for d in drafts})) == (193, 193)
    assert Counter(d.title for d in drafts) == {
        "ORIGINAL EVENT": 6,
        "MODIFIED EVENT": 5,
        "EDITED EVENT": 182,
    }
    assert [(times(d)[:2], d.title, d.key) for d in drafts[5:13]] == [
        (("2024-09-11T12:00:00+00:00", "2024-09-11T14:00:00+00:00"), "ORIGINAL EVENT", "210/20240911T120000Z"),
        (("2024-09-13T09:00:00+00:00", "2024-09-13T16:00:00+00:00"), "MODIFIED EVENT", "210/20240913T120000Z"),
        # The RDATE occurrence after the override moves by its three hours too.
        (("2024-09-14T06:00:00+00:00", "2024-09-14T13:00:00+00:00"), "MODIFIED EVENT", "210/20240914T090000Z"),
        (("2024-09-15T17:00:00+00:00", "2024-09-15T19:00:00+00:00"), "MODIFIED EVENT", "210/20240915T120000Z"),
        (("2024-09-17T09:00:00+00:00", "2024-09-17T16:00:00+00:00"), "MODIFIED EVENT", "210/20240917T120000Z"),
        (("2024-09-19T09:00:00+00:00", "2024-09-19T16:00:00+00:00"), "MODIFIED EVENT", "210/20240919T120000Z"),
        (("2024-09-22T14:22:00+00:00", "2024-09-22T16:13:00+00:00"), "EDITED EVENT", "210/20240921T120000Z"),
        (("2024-09-24T14:22:00+00:00", "2024-09-24T16:13:00+00:00"), "EDITED EVENT", "210/20240923T120000Z"),
    ]  # fmt: skip
    assert (times(drafts[-1])[0], drafts[-1].key) == (
        "2025-09-19T14:22:00+00:00",
        "210/20250918T120000Z",
    )


HPR_SLOTS = (
    "20130803T190000Z", "20130831T190000Z", "20131005T190000Z", "20131102T190000Z",
    "20131130T190000Z", "20140104T190000Z", "20140201T190000Z", "20140301T190000Z",
    "20140405T190000Z", "20140503T190000Z", "20140531T190000Z", "20140705T190000Z",
)  # fmt: skip


@pytest.mark.finding(11)
def test_an_rdate_series_without_uid_is_expanded() -> None:
    url = "http://www.hackerpublicradio.org/calendar.ics"
    site = source("ical", url, "UTC")
    capture = real_path("platforms/ical-peer-corpus/rdate_hackerpublicradio.ics")
    drafts = talks(read(site, capture, url, datetime(2013, 10, 1, tzinfo=UTC)))
    assert [d.key for d in drafts] == [
        f"20130803T190000Z/HPR Community News/{slot}" for slot in HPR_SLOTS
    ]
    # Shown in the calendar's X-WR-TIMEZONE, summer time and winter time.
    assert times(drafts[0]) == ("2013-08-03T20:00:00+01:00", "2013-08-03T22:00:00+01:00", False)
    assert times(drafts[3]) == ("2013-11-02T19:00:00+00:00", "2013-11-02T21:00:00+00:00", False)
    first = normalize(drafts[0], site)
    assert (first.title, first.timezone, first.location) == (
        "HPR Community News",
        "Europe/London",
        "mumble.openspeak.cc port: 64747",
    )
    # The only link the event names is its page.
    assert (
        first.url == "http://www.hackerpublicradio.org/eps/hpr1286/iCalendar_Hacking_shownotes.html"
    )
    assert drafts[0].problems == ["no UID: the talk's id follows its start and title"]
    assert len({normalize(d, site).id for d in drafts}) == 12


@pytest.mark.finding(11)
@pytest.mark.finding(12)
def test_an_outlook_series_without_uid_or_summary_is_expanded_untitled() -> None:
    capture = real_path("platforms/ical-peer-corpus/issue_107_omitting_last_event.ics")
    parsed = calendar(capture, datetime(2023, 3, 1, tzinfo=UTC))
    drafts = parsed.drafts
    assert (len(drafts), {d.title for d in drafts}, parsed.skipped) == (23, {None}, [])
    assert [times(d) for d in (drafts[0], drafts[-1])] == [
        ("2023-01-05T10:00:00-08:00", "2023-01-05T11:00:00-08:00", False),
        ("2023-06-08T10:00:00-07:00", "2023-06-08T11:00:00-07:00", False),
    ]
    assert [d.key for d in (drafts[0], drafts[-1])] == [
        "20230105T180000Z//20230105T180000Z",
        "20230105T180000Z//20230608T170000Z",
    ]
    assert drafts[-1].problems == [
        "no UID: the talk's id follows its start and title",
        "no SUMMARY: an event without UID on 2023-06-08",
        "no location",
    ]
    assert {zone_of(d) for d in drafts} == {"America/Los_Angeles"}


@pytest.mark.finding(13)
def test_a_vtimezone_under_a_custom_name_is_matched_to_the_iana_zone_of_its_rules() -> None:
    # The real Outlook VTIMEZONE and its events under a name neither tzdb nor Windows knows
    # (without the stray colon of its TZID, so that the events' TZID names it).
    capture = real_path("platforms/ical-peer-corpus/issue_107_omitting_last_event.ics")
    text = capture.read_text(encoding="utf-8")
    text = text.replace("TZID:Pacific Standard Time:", "TZID:Custom Zone")
    text = text.replace("TZID=Pacific Standard Time:", "TZID=Custom Zone:")
    assert (text.count("Custom Zone"), text.count("Pacific")) == (3, 0)
    window = (datetime(2022, 9, 1, tzinfo=UTC), datetime(2024, 3, 1, tzinfo=UTC))
    feed = capture.as_uri()
    berlin = ZoneInfo("Europe/Berlin")
    parsed = parse_calendar(text, feed_url=feed, zone=berlin, window=window, now=window[0])
    assert len(parsed.drafts) == 23
    assert times(parsed.drafts[0])[0] == "2023-01-05T10:00:00-08:00"
    assert {zone_of(d) for d in parsed.drafts} == {"America/Los_Angeles"}


def google_export(zone: str) -> ParsedCalendar:
    """The large Google export, read for a site in `zone` on a day its window holds 807 talks."""
    capture = real_path("platforms/ical-peer-corpus/issue_173_only_modifications_error.ics")
    return calendar(capture, datetime(2024, 5, 4, 12, tzinfo=UTC), zone)


@pytest.mark.finding(12)
def test_an_event_without_summary_is_kept_untitled_and_the_rest_is_read() -> None:
    parsed = google_export("Europe/Paris")
    untitled = [d for d in parsed.drafts if d.title is None]
    assert (len(parsed.drafts), len(untitled), parsed.skipped) == (807, 1, [])
    (event,) = untitled
    uid = "copm4p9kc4pm2b9kckp3eb9k68r3ib9p69i68b9n70s6cdhocpgmae1o60@google.com"
    assert (event.key, times(event)) == (
        uid,
        ("2024-09-20T09:00:00+02:00", "2024-09-20T10:00:00+02:00", False),
    )
    assert event.problems == [f"no SUMMARY: {uid!r} on 2024-09-20", "no location"]
    assert Counter(d.title for d in parsed.drafts)["XXX"] == 806


@pytest.mark.finding(13)
def test_a_google_export_keeps_its_own_zone_whatever_the_sites() -> None:
    parsed = google_export("America/New_York")
    assert {zone_of(d) for d in parsed.drafts} == {"Europe/Paris"}
    first_in_file = next(
        d for d in parsed.drafts if d.key == "3dg38kvvnppsu7qamrrpf3g0oe@google.com"
    )
    assert times(first_in_file) == ("2024-01-09T14:00:00+01:00", "2024-01-09T16:00:00+01:00", False)


# --- Localist --------------------------------------------------------------------------------------


def localist(capture: Path, origin: str, zone: str, now: datetime) -> list[Link]:
    site = source("localist", origin, zone, group="1")
    return read(site, capture, f"{origin}/api/2/events?group_id=1&days=180&pp=100", now)


def test_localist_cornell_2019() -> None:
    capture = real_path("platforms/localist-cornell-2019/testData.json")
    origin = "https://events.cornell.edu"
    links = localist(capture, origin, "America/New_York", datetime(2019, 8, 21, 6, tzinfo=UTC))
    drafts = talks(links)
    assert [(d.key, d.title, times(d)[:2], d.location) for d in drafts] == [
        ("4526697", "PolliNation: Artists & Scientists Crossing Borders to Explore the Value of Pollinator Health",
         ("2019-08-21T08:00:00-04:00", "2019-08-21T17:00:00-04:00"), "Mann Library, Mann Gallery"),
        ("30566695845009", "Work Party at Dilmun Hill Student Farm",
         ("2019-08-21T16:00:00-04:00", "2019-08-21T19:00:00-04:00"), "Dilmun Hill Student Farm (Cornell AES)"),
        ("30396496683829", "Saturday Garden Tours",
         ("2019-08-24T11:00:00-04:00", "2019-08-24T12:00:00-04:00"), "Brian C. Nevin Welcome Center"),
        ("31068264678070", "Honeyland",
         ("2019-09-05T19:00:00-04:00", "2019-09-05T20:27:00-04:00"), "Willard Straight Theatre"),
    ]  # fmt: skip
    assert drafts[3].url == "http://events.cornell.edu/event/honeyland"
    assert listings(links) == [
        f"{origin}/api/2/events?group_id=1&days=180&pp=100&page=2",
        f"{origin}/api/2/events?group_id=1&pp=100&start=2019-07-22&end=2019-08-21",
    ]


def test_localist_cornell_cti_2021_online_workshops() -> None:
    capture = real_path("platforms/localist-cornell-cti-2021/events.json")
    site = source("localist", "https://events.cornell.edu", "America/New_York", group="5471")
    links = read(
        site,
        capture,
        "https://events.cornell.edu/api/2/events?start=2021-02-28&end=2021-04-03&pp=100",
        datetime(2021, 3, 1, tzinfo=UTC),
    )
    drafts = talks(links)
    assert (len(drafts), listings(links)) == (11, [])
    assert {d.location for d in drafts} == {"Online"}
    first, last = drafts[0], drafts[-1]
    assert (first.title, times(first)[:2], first.url) == (
        "GET SET Workshop: Developing Learning Outcomes",
        ("2021-03-03T14:00:00-05:00", "2021-03-03T15:15:00-05:00"),
        "https://events.cornell.edu/event/get_set_workshop_developing_learning_outcomes",
    )
    # After the change to daylight time on 14 March.
    assert (last.title, times(last)[:2]) == (
        "GET SET Workshop: Course Design Institute Peer Review Session",
        ("2021-03-31T14:00:00-04:00", "2021-03-31T15:15:00-04:00"),
    )
    assert (first.abstract or "").startswith("Part 1 of the Course Design Institute")
    assert normalize(first, site).id == "real-localist:35926061087536"


USC_NOW = datetime(2015, 11, 29, 12, tzinfo=UTC)


def test_localist_usc_2015_all_day_and_midnight_instances() -> None:
    capture = real_path("platforms/localist-usc-2015/events.json")
    drafts = talks(localist(capture, "https://calendar.usc.edu", "America/Los_Angeles", USC_NOW))
    assert [(d.key, times(d), d.location) for d in drafts] == [
        ("1582431", ("2015-11-29T00:00:00-08:00", None, True), "USC Pacific Asia Museum"),
        ("1656595", ("2015-11-29T00:00:00-08:00", None, True), "Flushing Meadows, NY"),
        ("1602977", ("2015-11-29T00:00:00-08:00", None, False), "Orlando, FL"),
        ("1602979", ("2015-11-29T09:00:00-08:00", None, False), "1 Mohegan Sun Blvd., Uncasville, CT"),
        ("1574919", ("2015-11-29T16:00:00-08:00", "2015-11-29T18:00:00-08:00", False),
         "Doheny Memorial Library (DML), Ground Floor Rotunda"),
        ("1581842", ("2015-11-29T20:00:00-08:00", "2015-11-29T22:00:00-08:00", False), "The Pasadena Playhouse"),
    ]  # fmt: skip
    assert drafts[4].title == (
        "!VIVA LA MARA! Photographs of the Mexican Revolution from the Gustavo Casasola Foundation"
    )


@pytest.mark.finding(9)
def test_localist_page_numbers_sent_as_floats_are_read() -> None:
    capture = real_path("platforms/localist-usc-2015/events.json")
    data = json.loads(capture.read_text(encoding="utf-8"))
    data["page"] = {key: float(value) for key, value in data["page"].items()}
    site = source("localist", "https://calendar.usc.edu", "America/Los_Angeles", group="1")
    url = "https://calendar.usc.edu/api/2/events?group_id=1&days=180&pp=100"
    links = site.listing(Page(url, json.dumps(data), USC_NOW))
    assert len(talks(links)) == 6
    assert listings(links) == [
        f"{url}&page=2",
        "https://calendar.usc.edu/api/2/events?group_id=1&pp=100&start=2015-10-30&end=2015-11-29",
    ]


# --- The Events Calendar: REST API and the JSON-LD of its event pages ------------------------------

BORROMEO = "http://www.collegioborromeo.it/it/event/invicta-juditha/"
BORROMEO_NOW = datetime(2022, 7, 29, 10, tzinfo=UTC)


def borromeo_page() -> TalkDraft:
    """The event page's JSON-LD, read as a jsonld source reads a talk page."""
    site = source(
        "jsonld",
        "http://www.collegioborromeo.it/it/",
        "Europe/Rome",
        talk_url=r"/event/(?P<key>[a-z0-9-]+)/$",
    )
    page = real_path("platforms/jsonld-borromeo-tribe/invicta-juditha.html")
    return site.talk(Page(BORROMEO, page.read_text(encoding="utf-8"), BORROMEO_NOW))


def tribe(capture: Path, root: str, zone: str, now: datetime) -> list[TalkDraft]:
    site = source("tribe-events", root, zone)
    return talks(read(site, capture, f"{root.rstrip('/')}/wp-json/tribe/events/v1/events", now))


@pytest.mark.finding(7)
def test_an_all_day_event_reads_the_same_from_json_ld_and_from_the_rest_api() -> None:
    capture = real_path("platforms/tribe-borromeo-pavia/events.json")
    (rest,) = tribe(capture, "http://www.collegioborromeo.it/it/", "Europe/Rome", BORROMEO_NOW)
    jsonld = borromeo_page()
    expected = ("2022-08-29T00:00:00+02:00", "2022-09-03T00:00:00+02:00", True)
    assert times(rest) == times(jsonld) == expected
    assert zone_of(rest) == zone_of(jsonld) == "Europe/Rome"


def test_tribe_borromeo_rest_event() -> None:
    capture = real_path("platforms/tribe-borromeo-pavia/events.json")
    (rest,) = tribe(capture, "http://www.collegioborromeo.it/it/", "Europe/Rome", BORROMEO_NOW)
    assert (rest.url, rest.key, rest.title) == (BORROMEO, "19427", "Invicta Juditha")
    assert (rest.location, rest.host, rest.speakers) == (
        "Almo Collegio Borromeo",
        "Almo Collegio Borromeo",
        [],
    )
    assert (rest.abstract or "").startswith("Invicta Juditha.\nStories of Judith in Judaism")


@pytest.mark.finding(4)
def test_the_events_calendars_performer_placeholder_is_no_speaker() -> None:
    draft = borromeo_page()
    assert draft.speakers == []
    # The organizer, typed Person though it is the college, stays the host.
    assert (draft.host, draft.location) == (
        "Almo Collegio Borromeo",
        "Almo Collegio Borromeo, P.zza del Collegio Borromeo, 9, Pavia",
    )


@pytest.mark.finding(5)
def test_a_json_ld_description_escaped_twice_is_clean_text() -> None:
    assert borromeo_page().abstract == (
        "Invicta Juditha. Stories of Judith in Judaism, Christianity and Islam from Antiquity to"
        " Modern Times INTERNATIONAL SUMMER SCHOOL IN INTERRELIGIOUS..."
    )


JENA = (
    "https://www.uni-jena.de/kommende-veranstaltungen/polymict-crystalline-impact-breccias-from"
    "-the-noerdlinger-ries-impact-structure-germany-shock-effects-and-mixing-of-target-rocks"
)


@pytest.mark.finding(6)
def test_a_speaker_given_by_given_and_family_name_is_read() -> None:
    site = source(
        "jsonld",
        "https://www.uni-jena.de/kommende-veranstaltungen",
        "Europe/Berlin",
        talk_url=r"/kommende-veranstaltungen/(?P<key>[a-z0-9-]+)$",
    )
    page = real_path("platforms/jsonld-unijena/polymict.html").read_text(encoding="utf-8")
    draft = site.talk(Page(JENA, page, datetime(2022, 5, 19, 8, tzinfo=UTC)))
    assert draft.speakers == [SpeakerDraft("Claudia Trepmann")]
    record = normalize(draft, site)
    assert (record.title, record.start.isoformat(), record.end and record.end.isoformat()) == (
        "Polymict crystalline impact breccias from the Nördlinger Ries impact structure, Germany"
        " - shock effects and mixing of target rocks",
        "2022-05-19T16:15:00+02:00",
        "2022-05-19T17:15:00+02:00",
    )
    assert (record.location, record.host, record.url) == (
        "Burgweg 11, jena, 07749",
        "Institut für Geowissenschaften",
        JENA,
    )
    assert record.abstract == (
        "Prof. Dr. Claudia Trepmann (LMU München, Department für Geo– und Umweltwissenschaften)"
    )


def test_tribe_skatarnir_staging_events() -> None:
    capture = real_path("platforms/tribe-skatarnir-2019/events.json")
    drafts = tribe(
        capture,
        "https://testing.skatarnir.is",
        "Atlantic/Reykjavik",
        datetime(2019, 11, 16, tzinfo=UTC),
    )
    assert [(d.key, d.title, times(d), d.location, d.host) for d in drafts] == [
        ("91842", "Test vidburdur, heilsdags", ("2019-11-28T00:00:00+00:00", None, True), None, None),
        ("91825", "Þetta er test", ("2019-12-27T08:00:00+00:00", "2020-02-28T17:30:00+00:00", False), "USU", "Benni"),
        ("91837", "Neisti", ("2020-01-10T08:00:00+00:00", "2020-01-12T17:00:00+00:00", False), None, None),
        ("91834", "Vetrarskátamót SSR", ("2020-01-24T08:00:00+00:00", "2020-02-26T17:00:00+00:00", False), "USU", None),
    ]  # fmt: skip
    # "UTC+0" names no zone: the all-day event is in the site's zone, the others in UTC.
    assert [zone_of(d) for d in drafts] == ["Atlantic/Reykjavik", "UTC", "UTC", "UTC"]
    assert drafts[1].url == "https://testing.skatarnir.is/event/thetta-er-test/"
    assert drafts[1].abstract == "Þetta er test viðuburðu sem mun aldrei vera haldinn 🙁"


SINGLES_NOW = datetime(2021, 4, 7, 10, tzinfo=UTC)


def test_tribe_single_events_wrapped_in_a_list() -> None:
    capture = real_path("platforms/tribe-singles-tcw-murlock/wrapped-list.json")
    drafts = tribe(capture, "https://tcw.it-couture.ch", "Europe/Zurich", SINGLES_NOW)
    assert [(d.key, d.title, times(d), zone_of(d), d.location) for d in drafts] == [
        ("8212", "Interclub 40+ 3L Damen (R. Bachmann)",
         ("2021-06-26T09:00:00+02:00", "2021-06-26T13:00:00+02:00", False), "Europe/Berlin", "Tennis Club Witikon"),
        ("10", "Permanence",
         ("2024-02-18T09:00:00+01:00", "2024-02-18T10:00:00+01:00", False), "Europe/Paris", None),
    ]  # fmt: skip
    assert drafts[1].abstract == "Découverte Voidfall DESC"
    assert drafts[1].problems == ["no venue"]


@pytest.mark.parametrize(
    ("name", "index"), [("tcw-8212.json", 0), ("murlock-10.json", 1)], ids=["tcw", "murlock"]
)
def test_a_single_event_object_is_no_list_but_reads_as_its_list_entry(
    name: str, index: int
) -> None:
    singles = {
        "tcw-8212.json": real_path("platforms/tribe-singles-tcw-murlock/tcw-8212.json"),
        "murlock-10.json": real_path("platforms/tribe-singles-tcw-murlock/murlock-10.json"),
    }
    wrapped = real_path("platforms/tribe-singles-tcw-murlock/wrapped-list.json")
    site = source("tribe-events", "https://tcw.it-couture.ch", "Europe/Zurich")
    url = "https://tcw.it-couture.ch/wp-json/tribe/events/v1/events"
    text = singles[name].read_text(encoding="utf-8")
    with pytest.raises(ParseError, match="no 'events' list"):
        site.listing(Page(url, text, SINGLES_NOW))
    listed = f'{{"events": [{text}]}}'
    (draft,) = talks(site.listing(Page(url, listed, SINGLES_NOW)))
    assert draft == tribe(wrapped, "https://tcw.it-couture.ch", "Europe/Zurich", SINGLES_NOW)[index]


# --- Indico -----------------------------------------------------------------------------------------


def indico(capture: Path, url: str) -> tuple[SiteParser, list[TalkDraft]]:
    site = source("indico", "https://indico.cern.ch/category/2/", "Europe/Zurich", category=2)
    return site, talks(read(site, capture, url, datetime(2019, 9, 2, 15, tzinfo=UTC)))


@pytest.mark.finding(8)
def test_indico_chairs_last_first_with_titles_become_first_last() -> None:
    capture = real_path("platforms/indico-cern-845049/event-845049.json")
    site, (meeting,) = indico(capture, "https://indico.cern.ch/export/event/845049.json")
    # A meeting's chairs host it.
    assert (meeting.host, meeting.speakers) == ("Pamfilos Fokianos; Ilias Koutsakis", [])
    record = normalize(meeting, site)
    assert (record.title, record.url, record.location, record.abstract) == (
        "test_folders",
        "https://indico.cern.ch/event/845049/",
        "4/2-037 - TH meeting room, CERN",
        "this is the description stuff",
    )
    assert (record.start.isoformat(), record.end and record.end.isoformat(), record.timezone) == (
        "2019-08-30T17:00:00+02:00",
        "2019-08-30T19:00:00+02:00",
        "Europe/Zurich",
    )


@pytest.mark.finding(8)
def test_indico_lecture_chair_is_its_speaker() -> None:
    capture = real_path("platforms/indico-cern-845525/event-845525.json")
    site, (lecture,) = indico(capture, "https://indico.cern.ch/export/event/845525.json")
    assert (lecture.speakers, lecture.host) == ([SpeakerDraft("Pamfilos Fokianos", "CERN")], None)
    assert (lecture.title, lecture.key, lecture.location, lecture.abstract) == (
        "cap-test-event",
        "845525",
        "3/R-002 - Teacher Training Room, CERN",
        None,
    )
    assert times(lecture) == ("2019-09-02T17:00:00+02:00", "2019-09-02T19:00:00+02:00", False)
    assert normalize(lecture, site).id == "real-indico:845525"


def test_indico_2011_category_export() -> None:
    capture = real_path("platforms/indico-docs-categ2011/categ-2.json")
    _, drafts = indico(capture, "https://my.indico/export/categ/2.json?from=today&to=today")
    assert [(d.key, d.title, times(d), d.location, d.url) for d in drafts] == [
        ("137344", "Test EPayment", ("2011-06-17T08:00:00+02:00", "2011-06-30T18:00:00+02:00", False),
         "1-1-025, CERN", "http://pcituds07.cern.ch/indico/conferenceDisplay.py?confId=137344"),
        ("137346", "Export Test", ("2011-06-23T08:00:00+02:00", "2011-06-24T18:00:00+02:00", False),
         "CERN", "http://pcituds07.cern.ch/indico/conferenceDisplay.py?confId=137346"),
    ]  # fmt: skip
