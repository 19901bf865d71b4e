"""iCalendar feeds: times in every zone form, recurrences, descriptions, broken events, and the
`ical` kind read through a config table and through the crawler."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from pytest_httpserver import HTTPServer

from aggregator.fetching.crawl import CrawlResult, crawl
from aggregator.fetching.fetch import Fetcher, FetchSettings
from scrapers import OptionError, Page, ParseError, SpeakerDraft, TalkDraft, get_site
from scrapers.generic.ical_feed import IcalFeed
from scrapers.kinds import build_source
from scrapers.read.ical import MAX_TALKS, ParsedCalendar, parse_calendar, split_description
from tests.fixture_pages import EXAMPLE_FIXTURES

FEED = "https://cs.example.edu/seminar.ics"
SITE_ZONE = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
WINDOW = (NOW - timedelta(days=180), NOW + timedelta(days=365))

NEW_YORK = """BEGIN:VTIMEZONE
TZID:America/New_York
BEGIN:DAYLIGHT
TZOFFSETFROM:-0500
TZOFFSETTO:-0400
TZNAME:EDT
DTSTART:19700308T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:-0400
TZOFFSETTO:-0500
TZNAME:EST
DTSTART:19701101T020000
RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU
END:STANDARD
END:VTIMEZONE
"""
# Outlook names zones after Windows and defines them from 1601.
OUTLOOK_EASTERN = """BEGIN:VTIMEZONE
TZID:Eastern Standard Time
BEGIN:STANDARD
DTSTART:16011104T020000
RRULE:FREQ=YEARLY;BYDAY=1SU;BYMONTH=11
TZOFFSETFROM:-0400
TZOFFSETTO:-0500
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:16010311T020000
RRULE:FREQ=YEARLY;BYDAY=2SU;BYMONTH=3
TZOFFSETFROM:-0500
TZOFFSETTO:-0400
END:DAYLIGHT
END:VTIMEZONE
"""


def custom_zone(tzid: str, offset: str, tzname: str = "") -> str:
    """A VTIMEZONE with one fixed offset under a name no zone database knows."""
    name = f"TZNAME:{tzname}\n" if tzname else ""
    return f"""BEGIN:VTIMEZONE
TZID:{tzid}
BEGIN:STANDARD
DTSTART:19700101T000000
TZOFFSETFROM:{offset}
TZOFFSETTO:{offset}
{name}END:STANDARD
END:VTIMEZONE
"""


def calendar(*parts: str, header: str = "") -> str:
    return (
        "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//test//EN\n"
        + header
        + "".join(parts)
        + ("END:VCALENDAR\n")
    )


def vevent(*lines: str, uid: str = "talk-1@cs.example.edu", summary: str = "A talk") -> str:
    return (
        "BEGIN:VEVENT\n"
        + f"UID:{uid}\nSUMMARY:{summary}\n"
        + "".join(f"{line}\n" for line in lines)
        + "END:VEVENT\n"
    )


def parse(text: str, zone: ZoneInfo = SITE_ZONE) -> ParsedCalendar:
    return parse_calendar(text, feed_url=FEED, zone=zone, window=WINDOW, now=NOW)


def only(text: str, zone: ZoneInfo = SITE_ZONE) -> TalkDraft:
    (draft,) = parse(text, zone).drafts
    return draft


def utc(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value is not None else None


def zone_name(value: datetime | None) -> str | None:
    assert value is not None
    zone = value.tzinfo
    return zone.key if isinstance(zone, ZoneInfo) else str(zone)


TIME_CASES = [
    # (case, calendar, start in UTC, end in UTC, the start's zone)
    (
        "UTC",
        calendar(vevent("DTSTART:20260310T150000Z", "DTEND:20260310T160000Z")),
        "2026-03-10T15:00:00+00:00", "2026-03-10T16:00:00+00:00", "UTC",
    ),
    (
        "TZID with its VTIMEZONE",
        calendar(NEW_YORK, vevent("DTSTART;TZID=America/New_York:20260310T160000", "DTEND;TZID=America/New_York:20260310T170000")),
        "2026-03-10T20:00:00+00:00", "2026-03-10T21:00:00+00:00", "America/New_York",
    ),
    (
        "TZID without VTIMEZONE",
        calendar(vevent("DTSTART;TZID=Europe/Zurich:20260310T160000", "DTEND;TZID=Europe/Zurich:20260310T170000")),
        "2026-03-10T15:00:00+00:00", "2026-03-10T16:00:00+00:00", "Europe/Zurich",
    ),
    (
        "quoted vendor-prefixed TZID",
        calendar(vevent('DTSTART;TZID="/mozilla.org/20050126_1/America/Chicago":20260310T160000')),
        "2026-03-10T21:00:00+00:00", None, "America/Chicago",
    ),
    (
        "Outlook's Windows zone name, defined in the file",
        calendar(OUTLOOK_EASTERN, vevent("DTSTART;TZID=Eastern Standard Time:20260310T160000", "DTEND;TZID=Eastern Standard Time:20260310T170000")),
        "2026-03-10T20:00:00+00:00", "2026-03-10T21:00:00+00:00", "America/New_York",
    ),
    (
        "Windows zone name without VTIMEZONE",
        calendar(vevent("DTSTART;TZID=W. Europe Standard Time:20260710T160000")),
        "2026-07-10T14:00:00+00:00", None, "Europe/Berlin",
    ),
    (
        "custom VTIMEZONE: the IANA zone with the same clocks and abbreviation",
        calendar(custom_zone("Campus Time", "+0530", "IST"), vevent("DTSTART;TZID=Campus Time:20260310T160000")),
        "2026-03-10T10:30:00+00:00", None, "Asia/Kolkata",
    ),
    (
        "custom VTIMEZONE no zone matches: its offsets give the instant",
        calendar(custom_zone("Campus Time", "+0517"), vevent("DTSTART;TZID=Campus Time:20260310T160000")),
        "2026-03-10T10:43:00+00:00", None, "UTC",
    ),
    (
        "unknown TZID, no VTIMEZONE: the calendar's X-WR-TIMEZONE",
        calendar(vevent("DTSTART;TZID=Somewhere Odd:20260310T160000"), header="X-WR-TIMEZONE:Asia/Tokyo\n"),
        "2026-03-10T07:00:00+00:00", None, "Asia/Tokyo",
    ),
    (
        "unknown TZID, no VTIMEZONE, no X-WR-TIMEZONE: the site's zone",
        calendar(vevent("DTSTART;TZID=Somewhere Odd:20260310T160000")),
        "2026-03-10T15:00:00+00:00", None, "Europe/Berlin",
    ),
    (
        "floating time with X-WR-TIMEZONE",
        calendar(vevent("DTSTART:20260310T160000", "DTEND:20260310T173000"), header="X-WR-TIMEZONE:America/Los_Angeles\n"),
        "2026-03-10T23:00:00+00:00", "2026-03-11T00:30:00+00:00", "America/Los_Angeles",
    ),
    (
        "floating time, X-WR-TIMEZONE a Windows name",
        calendar(vevent("DTSTART:20260310T160000"), header="X-WR-TIMEZONE:Pacific Standard Time\n"),
        "2026-03-10T23:00:00+00:00", None, "America/Los_Angeles",
    ),
    (
        "floating time without X-WR-TIMEZONE: the site's zone",
        calendar(vevent("DTSTART:20260310T160000")),
        "2026-03-10T15:00:00+00:00", None, "Europe/Berlin",
    ),
    (
        "DURATION instead of DTEND",
        calendar(vevent("DTSTART:20260310T150000Z", "DURATION:PT1H30M")),
        "2026-03-10T15:00:00+00:00", "2026-03-10T16:30:00+00:00", "UTC",
    ),
    (
        "a DURATION in days is wall-clock days, across DST",
        calendar(vevent("DTSTART;TZID=Europe/Berlin:20260328T100000", "DURATION:P1D")),
        "2026-03-28T09:00:00+00:00", "2026-03-29T08:00:00+00:00", "Europe/Berlin",
    ),
    (
        "no DTEND, no DURATION: no end",
        calendar(vevent("DTSTART:20260310T150000Z")),
        "2026-03-10T15:00:00+00:00", None, "UTC",
    ),
    (
        "DTEND equal to DTSTART: no end",
        calendar(vevent("DTSTART:20260310T150000Z", "DTEND:20260310T150000Z")),
        "2026-03-10T15:00:00+00:00", None, "UTC",
    ),
]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "start", "end", "zone"),
    [case[1:] for case in TIME_CASES],
    ids=[case[0] for case in TIME_CASES],
)
def test_times_come_out_at_the_right_instant_and_zone(
    text: str, start: str, end: str | None, zone: str
) -> None:
    draft = only(text)
    assert (utc(draft.start), utc(draft.end), zone_name(draft.start)) == (start, end, zone)
    assert draft.all_day is False


ALL_DAY_CASES = [
    # (case, calendar, site zone, start, end, zone)
    (
        "one day, DTEND exclusive",
        calendar(vevent("DTSTART;VALUE=DATE:20260418", "DTEND;VALUE=DATE:20260419")),
        "America/Los_Angeles", "2026-04-18T00:00:00-07:00", "2026-04-19T00:00:00-07:00", "America/Los_Angeles",
    ),
    (
        "several days, in the calendar's zone",
        calendar(vevent("DTSTART;VALUE=DATE:20260601", "DTEND;VALUE=DATE:20260604"), header="X-WR-TIMEZONE:Europe/Zurich\n"),
        "America/Los_Angeles", "2026-06-01T00:00:00+02:00", "2026-06-04T00:00:00+02:00", "Europe/Zurich",
    ),
    (
        "no DTEND: no end",
        calendar(vevent("DTSTART;VALUE=DATE:20260418")),
        "Europe/Berlin", "2026-04-18T00:00:00+02:00", None, "Europe/Berlin",
    ),
    (
        "DURATION of days",
        calendar(vevent("DTSTART;VALUE=DATE:20260418", "DURATION:P2D")),
        "Europe/Berlin", "2026-04-18T00:00:00+02:00", "2026-04-20T00:00:00+02:00", "Europe/Berlin",
    ),
]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "site_zone", "start", "end", "zone"),
    [case[1:] for case in ALL_DAY_CASES],
    ids=[case[0] for case in ALL_DAY_CASES],
)
def test_all_day_events_start_at_local_midnight(
    text: str, site_zone: str, start: str, end: str | None, zone: str
) -> None:
    draft = only(text, ZoneInfo(site_zone))
    assert draft.all_day is True
    assert draft.start is not None and draft.start.isoformat() == start
    assert (draft.end.isoformat() if draft.end else None) == end
    assert zone_name(draft.start) == zone


@pytest.mark.parametrize(
    ("line", "status"),
    [
        ("STATUS:CANCELLED", "cancelled"),
        ("STATUS:cancelled", "cancelled"),
        ("STATUS:TENTATIVE", None),
        ("STATUS:CONFIRMED", None),
        ("X-NOTHING:1", None),
    ],
)
def test_only_a_cancelled_status_is_stated(line: str, status: str | None) -> None:
    assert only(calendar(vevent("DTSTART:20260310T150000Z", line))).status == status


@pytest.mark.parametrize(
    ("lines", "url"),
    [
        (["URL:https://cs.example.edu/talks/42"], "https://cs.example.edu/talks/42"),
        (["URL;VALUE=URI:http://cs.example.edu/t"], "http://cs.example.edu/t"),
        ([], ""),
        (["URL:mailto:seminar@cs.example.edu"], ""),
        (["URL:/talks/42"], ""),
    ],
)
def test_url_is_the_events_own_if_http_else_none(lines: list[str], url: str) -> None:
    assert only(calendar(vevent("DTSTART:20260310T150000Z", *lines))).url == url


def test_fields_of_a_plain_event() -> None:
    draft = only(
        calendar(
            vevent(
                "DTSTART:20260310T150000Z",
                "LOCATION:Gates 104\\, Main Campus",
                "DESCRIPTION:First paragraph\\, with a comma.\\n\\nSecond paragraph.",
                uid="abc-123@cs.example.edu",
                summary="Fast Proofs\\; Slow Programs",
            )
        )
    )
    assert draft.title == "Fast Proofs; Slow Programs"
    assert draft.location == "Gates 104, Main Campus"
    assert draft.abstract == "First paragraph, with a comma.\n\nSecond paragraph."
    assert draft.key == "abc-123@cs.example.edu"
    assert (draft.speakers, draft.bio, draft.host, draft.notes) == ([], None, None, None)
    assert draft.problems == []


def test_end_before_start_is_dropped_and_noted() -> None:
    draft = only(
        calendar(vevent("DTSTART:20260310T150000Z", "DTEND:20260310T140000Z", "LOCATION:Here"))
    )
    assert (draft.end, draft.problems) == (None, ["DTEND before DTSTART: end ignored"])


def test_event_without_uid_gets_a_key_from_start_and_title() -> None:
    text = "BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VEVENT\nSUMMARY:No id\nDTSTART:20260310T150000Z\nEND:VEVENT\nEND:VCALENDAR\n"
    draft = only(text)
    assert draft.key == "20260310T150000Z/No id"
    assert draft.problems == ["no UID: the talk's id follows its start and title", "no location"]


WEEKLY = calendar(
    NEW_YORK,
    vevent(
        "DTSTART;TZID=America/New_York:20260302T160000",
        "DTEND;TZID=America/New_York:20260302T170000",
        "RRULE:FREQ=WEEKLY;COUNT=5",
        "EXDATE;TZID=America/New_York:20260316T160000",
        "LOCATION:Room 1",
        uid="weekly@cs.example.edu",
        summary="Weekly Seminar",
    ),
    vevent(
        "RECURRENCE-ID;TZID=America/New_York:20260323T160000",
        "DTSTART;TZID=America/New_York:20260324T110000",
        "DTEND;TZID=America/New_York:20260324T120000",
        "DESCRIPTION:Speaker: Ada Example\\, MIT\\nAbstract: Moved to Tuesday.",
        uid="weekly@cs.example.edu",
        summary="Weekly Seminar: Moved",
    ),
    vevent(
        "RECURRENCE-ID;TZID=America/New_York:20260330T160000",
        "DTSTART;TZID=America/New_York:20260330T160000",
        "STATUS:CANCELLED",
        uid="weekly@cs.example.edu",
        summary="Weekly Seminar",
    ),
)


def test_weekly_series_with_exdate_moved_and_cancelled_instances() -> None:
    drafts = parse(WEEKLY).drafts
    assert [(d.start.isoformat() if d.start else None, d.title, d.status) for d in drafts] == [
        ("2026-03-02T16:00:00-05:00", "Weekly Seminar", None),
        # DST began on 8 March: the series keeps its local time.
        ("2026-03-09T16:00:00-04:00", "Weekly Seminar", None),
        ("2026-03-24T11:00:00-04:00", "Weekly Seminar: Moved", None),
        ("2026-03-30T16:00:00-04:00", "Weekly Seminar", "cancelled"),
    ]
    # Each occurrence keeps the id of its original slot, even when moved.
    assert [d.key for d in drafts] == [
        "weekly@cs.example.edu/20260302T210000Z",
        "weekly@cs.example.edu/20260309T200000Z",
        "weekly@cs.example.edu/20260323T200000Z",
        "weekly@cs.example.edu/20260330T200000Z",
    ]
    assert [zone_name(d.start) for d in drafts] == ["America/New_York"] * 4
    moved = drafts[2]
    assert moved.speakers == [SpeakerDraft("Ada Example", "MIT")]
    assert moved.abstract == "Moved to Tuesday."
    assert moved.location is None  # an override replaces the whole event
    # The cancelled override gives no DTEND: it has no end, not the series' hour.
    assert [d.end is None for d in drafts] == [False, False, False, True]
    assert drafts[0].location == "Room 1"


def test_rdate_adds_an_occurrence() -> None:
    text = calendar(
        vevent(
            "DTSTART:20260302T150000Z",
            "DTEND:20260302T160000Z",
            "RRULE:FREQ=DAILY;COUNT=2",
            "RDATE:20260310T090000Z",
            uid="r@x",
        )
    )
    assert [utc(d.start) for d in parse(text).drafts] == [
        "2026-03-02T15:00:00+00:00",
        "2026-03-03T15:00:00+00:00",
        "2026-03-10T09:00:00+00:00",
    ]


def test_recurrences_are_cut_to_the_window_but_single_events_are_not() -> None:
    text = calendar(
        vevent("DTSTART:20200101T150000Z", "RRULE:FREQ=YEARLY", uid="yearly@x", summary="Yearly"),
        vevent("DTSTART:20150101T150000Z", uid="old@x", summary="Old talk"),
        vevent("DTSTART:20300101T150000Z", uid="far@x", summary="Far talk"),
    )
    drafts = parse(text).drafts
    assert [(d.title, utc(d.start)) for d in drafts] == [
        ("Old talk", "2015-01-01T15:00:00+00:00"),
        ("Yearly", "2026-01-01T15:00:00+00:00"),
        ("Yearly", "2027-01-01T15:00:00+00:00"),
        ("Far talk", "2030-01-01T15:00:00+00:00"),
    ]


def test_a_series_without_uid_is_expanded_under_an_id_from_its_first_start_and_title() -> None:
    text = (
        "BEGIN:VCALENDAR\nVERSION:2.0\n"
        + vevent(
            "DTSTART:20260302T150000Z", "RRULE:FREQ=WEEKLY;COUNT=3", "LOCATION:Room 1", uid=""
        ).replace("UID:\n", "")
        + "END:VCALENDAR\n"
    )
    drafts = parse(text).drafts
    assert [(d.key, utc(d.start)) for d in drafts] == [
        ("20260302T150000Z/A talk/20260302T150000Z", "2026-03-02T15:00:00+00:00"),
        ("20260302T150000Z/A talk/20260309T150000Z", "2026-03-09T15:00:00+00:00"),
        ("20260302T150000Z/A talk/20260316T150000Z", "2026-03-16T15:00:00+00:00"),
    ]
    assert {tuple(d.problems) for d in drafts} == {
        ("no UID: the talk's id follows its start and title",)
    }


def test_an_event_without_summary_is_kept_untitled_and_noted() -> None:
    text = calendar(
        vevent("DTSTART:20260310T150000Z", "LOCATION:Here", summary="").replace("SUMMARY:\n", "")
    )
    parsed = parse(text)
    (draft,) = parsed.drafts
    assert (draft.title, parsed.skipped) == (None, [])
    assert draft.problems == ["no SUMMARY: 'talk-1@cs.example.edu' on 2026-03-10"]


def test_utc_and_floating_times_are_shown_in_the_calendars_zone() -> None:
    text = calendar(
        NEW_YORK,
        vevent("DTSTART:20260310T150000Z", uid="utc@x"),
        vevent("DTSTART:20260311T090000", uid="floating@x"),
    )
    drafts = parse(text).drafts
    assert [d.start.isoformat() if d.start else None for d in drafts] == [
        "2026-03-10T11:00:00-04:00",
        "2026-03-11T09:00:00-04:00",
    ]
    assert [zone_name(d.start) for d in drafts] == ["America/New_York"] * 2


def test_a_custom_vtimezone_matching_the_sites_zone_is_the_sites_zone() -> None:
    berlin_rules = (
        custom_zone("Lab Time", "+0100")
        .replace(
            "END:STANDARD\n",
            "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\nEND:STANDARD\n"
            "BEGIN:DAYLIGHT\nDTSTART:19700329T020000\nTZOFFSETFROM:+0100\nTZOFFSETTO:+0200\n"
            "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\nEND:DAYLIGHT\n",
        )
        .replace("DTSTART:19700101T000000", "DTSTART:19701025T030000")
    )
    draft = only(calendar(berlin_rules, vevent("DTSTART;TZID=Lab Time:20260710T120000")))
    assert (draft.start.isoformat() if draft.start else None) == "2026-07-10T12:00:00+02:00"
    assert zone_name(draft.start) == "Europe/Berlin"


def test_override_without_its_series_keeps_its_occurrence_id() -> None:
    draft = only(
        calendar(
            vevent(
                "RECURRENCE-ID:20260302T150000Z",
                "DTSTART:20260303T150000Z",
                uid="series@x",
            )
        )
    )
    assert (draft.key, utc(draft.start)) == (
        "series@x/20260302T150000Z",
        "2026-03-03T15:00:00+00:00",
    )


def test_a_custom_zone_of_one_feed_does_not_leak_into_another() -> None:
    # icalendar caches custom VTIMEZONEs by TZID for the whole process.
    first = calendar(
        custom_zone("Lab Time", "+0200"), vevent("DTSTART;TZID=Lab Time:20260310T120000")
    )
    second = calendar(
        custom_zone("Lab Time", "-0300"), vevent("DTSTART;TZID=Lab Time:20260310T120000")
    )
    assert utc(only(first).start) == "2026-03-10T10:00:00+00:00"
    assert utc(only(second).start) == "2026-03-10T15:00:00+00:00"


def test_broken_event_is_skipped_and_noted() -> None:
    text = calendar(
        "BEGIN:VEVENT\nUID:broken@x\nSUMMARY:No start\nEND:VEVENT\n",
        "BEGIN:VEVENT\nUID:bad-date@x\nSUMMARY:Bad start\nDTSTART:not-a-date\nEND:VEVENT\n",
        vevent("DTSTART:20260310T150000Z", summary="Fine"),
    )
    parsed = parse(text)
    assert [d.title for d in parsed.drafts] == ["Fine"]
    assert parsed.skipped == [
        "event 'No start' skipped: no readable DTSTART",
        "event 'Bad start' skipped: no readable DTSTART",
    ]


@pytest.mark.parametrize(
    ("rule", "note"),
    [
        ("RRULE:FREQ=WEEKLY;BYDAY=XX", "unreadable RRULE 'FREQ=WEEKLY;BYDAY=XX'"),
        # Each would hang or stall the run: dateutil loops forever on INTERVAL=0.
        ("RRULE:FREQ=WEEKLY;INTERVAL=0", "RRULE INTERVAL below 1"),
        ("RRULE:FREQ=MINUTELY", "RRULE FREQ=MINUTELY"),
        # recurring-ical-events raises IndexError on a weekday beyond the fifth of a month.
        ("RRULE:FREQ=MONTHLY;BYDAY=+9MO", "list index out of range"),
    ],
)
def test_unusable_recurrence_costs_its_series_only(rule: str, note: str) -> None:
    text = calendar(
        vevent("DTSTART:20260302T150000Z", rule, uid="bad@x", summary="Bad"),
        vevent("DTSTART:20260302T150000Z", uid="good@x", summary="Good"),
    )
    parsed = parse(text)
    assert [d.title for d in parsed.drafts] == ["Good"]
    assert parsed.skipped == [f"recurring event 'bad@x' skipped: {note}"]


def test_a_feed_gives_at_most_max_talks_the_nearest_upcoming_first() -> None:
    # Three hourly events, 72 talks a day in 500 bytes: each once gave a thousand talks.
    hourly = [
        vevent(f"DTSTART:20260301T00{minute}00Z", "RRULE:FREQ=HOURLY", uid=f"hourly-{minute}@x")
        for minute in ("10", "30", "50")
    ]
    parsed = parse(calendar(*hourly))
    starts = sorted(d.start for d in parsed.drafts if d.start is not None)
    # Every 20 minutes from the next one after now (12:00 UTC), none past, none skipped.
    first = NOW + timedelta(minutes=10)
    assert starts == [first + timedelta(minutes=20) * i for i in range(MAX_TALKS)]
    assert parsed.skipped == [
        f"more than {MAX_TALKS} events and occurrences: only the {MAX_TALKS} nearest to"
        " 2026-03-01 are read, upcoming ones first"
    ]


def test_past_talks_fill_what_upcoming_ones_leave_the_latest_first() -> None:
    # Two hourly events that began before the window and end 100 hours from now: 200
    # upcoming talks, and 2 × 24 × 180 past ones in the window, more than there is room for.
    until = (NOW + timedelta(hours=99, minutes=30)).strftime("%Y%m%dT%H%M%SZ")
    series = [
        vevent(
            f"DTSTART:20250101T00{minute}00Z",
            f"RRULE:FREQ=HOURLY;UNTIL={until}",
            uid=f"s{minute}@x",
        )
        for minute in ("00", "30")
    ]
    parsed = parse(calendar(*series))
    starts = sorted(d.start for d in parsed.drafts if d.start is not None)
    upcoming = [start for start in starts if start >= NOW]
    past = [start for start in starts if start < NOW]
    assert len(upcoming) == 200
    assert len(past) == MAX_TALKS - 200
    # The past ones are the latest: every half hour back from now, with no gap.
    assert past[-1] == NOW - timedelta(minutes=30)
    assert past[0] == NOW - timedelta(minutes=30) * len(past)
    assert len(parsed.skipped) == 1


def test_a_rule_of_more_than_one_talk_an_hour_is_no_series() -> None:
    text = calendar(
        vevent("DTSTART:20260302T150000Z", "RRULE:FREQ=HOURLY;BYMINUTE=0,30", uid="bad@x"),
        vevent("DTSTART:20260302T090000Z", "RRULE:FREQ=DAILY;BYHOUR=9,14;COUNT=2", uid="ok@x"),
    )
    parsed = parse(text)
    assert {d.key for d in parsed.drafts} == {"ok@x/20260302T090000Z", "ok@x/20260302T140000Z"}
    assert parsed.skipped == ["recurring event 'bad@x' skipped: RRULE more than 24 times a day"]


def test_a_cut_off_feed_is_reported_as_cut_off() -> None:
    whole = calendar(vevent("DTSTART:20260310T150000Z"), vevent("DTSTART:20260311T150000Z"))
    with pytest.raises(
        ParseError, match=r"seminar\.ics: iCalendar feed cut off: .*no END:VCALENDAR"
    ):
        parse(whole[: whole.index("END:VCALENDAR")])


@pytest.mark.parametrize(
    "text", ["", "<!DOCTYPE html><html><body>Not found</body></html>", "just words"]
)
def test_text_that_is_not_icalendar_is_a_parse_error(text: str) -> None:
    with pytest.raises(
        ParseError, match=r"https://cs\.example\.edu/seminar\.ics: not an iCalendar"
    ):
        parse(text)


DESCRIPTIONS = [
    # (case, description, speakers, abstract, bio, host, notes)
    (
        "no labels: all abstract",
        "We prove a theorem.\n\nThen another.",
        [], "We prove a theorem.\n\nThen another.", None, None, None,
    ),
    (
        "speaker and abstract",
        "Speaker: Ada Example, MIT\nAbstract: We prove a theorem.\n\nThen another.",
        [("Ada Example", "MIT")], "We prove a theorem.\n\nThen another.", None, None, None,
    ),
    (
        "speaker, affiliation, abstract",
        "Speaker: Ada Example\nAffiliation: ETH Zurich\nAbstract: Short.",
        [("Ada Example", "ETH Zurich")], "Short.", None, None, None,
    ),
    (
        "any order, any case, bio and host",
        "ABSTRACT: Short.\nbio: Ada works on proofs.\nHost: Bob Host\nSpeaker: Ada Example (MIT)",
        [("Ada Example", "MIT")], "Short.", "Ada works on proofs.", "Bob Host", None,
    ),
    (
        "speaker list as Indico and Oxford Talks write it",
        "Speakers: Ada Example (MIT), Bo Sample (ETH Zurich)\n\nWe prove a theorem.",
        [("Ada Example", "MIT"), ("Bo Sample", "ETH Zurich")], "We prove a theorem.", None, None, None,
    ),
    (
        "speaker value on the next line, after the text",
        "We prove a theorem.\nSpeakers:\nAda Example (MIT)",
        [("Ada Example", "MIT")], "We prove a theorem.", None, None, None,
    ),
    (
        "text besides an abstract label is notes",
        "Join us!\n\nSpeaker: Ada Example\nAbstract: Short.",
        [("Ada Example", None)], "Short.", None, None, "Join us!",
    ),
    (
        "a label word inside a sentence is no label",
        "The speaker: a famous one. Abstract thoughts follow.",
        [], "The speaker: a famous one. Abstract thoughts follow.", None, None, None,
    ),
    (
        "a metadata paragraph before the prose: organizer is the host, the rest dropped",
        "Event Name: Proofs: Old and New\nOrganization: Logic Group\nEvent Locator: 2023-AB\n\nWe prove a theorem.",
        [], "We prove a theorem.", None, "Logic Group", None,
    ),
    (
        "a metadata paragraph after the prose, beside labels the splitter reads",
        "We prove a theorem.\n\nSpeaker: Ada Example\nSubmitter Name: Doe, Jo\nEvent State: Confirmed",
        [("Ada Example", None)], "We prove a theorem.", None, None, None,
    ),
    (
        "a host label wins over an organizer line",
        "Host: Bob Host\nOrganizer: Logic Group\n\nShort.",
        [], "Short.", None, "Bob Host", None,
    ),
    (
        "one label-like line in prose is prose",
        "Note: the room has changed.\n\nWe prove a theorem.",
        [], "Note: the room has changed.\n\nWe prove a theorem.", None, None, None,
    ),
    (
        "a paragraph mixing label lines and prose is prose",
        "Event State: Confirmed\nwhich it is.",
        [], "Event State: Confirmed\nwhich it is.", None, None, None,
    ),
]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "speakers", "abstract", "bio", "host", "notes"),
    [case[1:] for case in DESCRIPTIONS],
    ids=[case[0] for case in DESCRIPTIONS],
)
def test_description_is_split_at_its_labels(
    text: str,
    speakers: list[tuple[str, str | None]],
    abstract: str | None,
    bio: str | None,
    host: str | None,
    notes: str | None,
) -> None:
    parts = split_description(text)
    assert parts.speakers == [SpeakerDraft(n, a) for n, a in speakers]
    assert (parts.abstract, parts.bio, parts.host, parts.notes) == (abstract, bio, host, notes)


def test_metadata_lines_give_location_and_links() -> None:
    parts = split_description(
        "Room: Gates 104\nWeb Site: https://cs.example.edu/t/1\n"
        "Diagram Link: https://diagrams.example.com/9\nCategories: Theory"
    )
    assert (parts.abstract, parts.location) == (None, "Gates 104")
    assert (parts.links, parts.other_links) == (
        ["https://cs.example.edu/t/1"],
        ["https://diagrams.example.com/9"],
    )


def test_plain_text_properties_are_entity_decoded_once() -> None:
    draft = only(
        calendar(
            vevent(
                "DTSTART:20260310T150000Z",
                "LOCATION:Commons (Bldg 27)\\,&#8230\\;",
                summary="Vows &amp\\; Chorales: &amp\\;lt\\;b&amp\\;gt\\; tags",
            )
        )
    )
    assert (draft.title, draft.location) == (
        "Vows & Chorales: &lt;b&gt; tags",
        "Commons (Bldg 27),…",
    )


URL_CASES = [
    # (case, event lines, url, location)
    ("a LOCATION that is only a link is the page, not a place", ["LOCATION:https://arts.example.edu/show/1/"], "https://arts.example.edu/show/1/", None),
    ("X-TRUMBA-LINK when there is no URL", ["X-TRUMBA-LINK:https://cs.example.edu/cal?eventid=7", "LOCATION:Hall"], "https://cs.example.edu/cal?eventid=7", "Hall"),
    ("URL before X-TRUMBA-LINK", ["URL:https://cs.example.edu/t/1", "X-TRUMBA-LINK:https://cs.example.edu/cal?eventid=7"], "https://cs.example.edu/t/1", None),
    ("a link in the description", ["DESCRIPTION:Details at https://cs.example.edu/t/2."], "https://cs.example.edu/t/2", None),
    ("a page before a map and an image", ['DESCRIPTION:<img src="https://cdn.example.com/p.jpg"><a href="https://www.google.com/maps/place/X">map</a> <a href="https://cs.example.edu/t/3">talk</a>'], "https://cs.example.edu/t/3", None),
    ("a meeting link when it is the only one", ["LOCATION:Online: https://zoom.us/j/123"], "https://zoom.us/j/123", "Online: https://zoom.us/j/123"),
    ("an image is never the page", ["DESCRIPTION:Poster: https://cdn.example.com/poster.png"], "", None),
]  # fmt: skip


@pytest.mark.parametrize(
    ("lines", "url", "location"),
    [case[1:] for case in URL_CASES],
    ids=[case[0] for case in URL_CASES],
)
def test_url_is_the_likeliest_page_the_event_names(
    lines: list[str], url: str, location: str | None
) -> None:
    draft = only(calendar(vevent("DTSTART:20260310T150000Z", *lines)))
    assert (draft.url, draft.location) == (url, location)


def test_html_description_becomes_paragraphs_before_splitting() -> None:
    description = (
        "<p><b>Speaker:</b> Ada Example\\, MIT<br><b>Abstract:</b> One &amp; two.</p>"
        "<p>Second paragraph.</p>"
    )
    draft = only(calendar(vevent("DTSTART:20260310T150000Z", f"DESCRIPTION:{description}")))
    assert draft.speakers == [SpeakerDraft("Ada Example", "MIT")]
    assert draft.abstract == "One & two.\n\nSecond paragraph."


MARKUP_IN_PLAIN_TEXT = [
    # (case, DESCRIPTION as the feed escapes it, speakers, abstract, host)
    (
        "bold labels in a plain-text description",
        "<b>Speaker:</b> Ann Lee\\, MIT\\n<b>Abstract:</b> We prove things.\\n\\nMore.",
        [SpeakerDraft("Ann Lee", "MIT")],
        "We prove things.\n\nMore.",
        None,
    ),
    (
        "a name in angle brackets",
        "Speaker: <Ann Lee>\\nAbstract: x < y and y > z.",
        [SpeakerDraft("Ann Lee")],
        "x < y and y > z.",
        None,
    ),
    (
        "an e-mail address after the name",
        "Speaker: Ann Lee <ann@mit.edu>\\nAbstract: Short.",
        [SpeakerDraft("Ann Lee")],
        "Short.",
        None,
    ),
    (
        "inline markup in the abstract",
        "Speaker: Ann Lee\\nAbstract: Every <i>planar</i> graph is <b>nice</b>.\\nHost: Bob Host",
        [SpeakerDraft("Ann Lee")],
        "Every planar graph is nice.",
        "Bob Host",
    ),
]


@pytest.mark.parametrize(
    ("description", "speakers", "abstract", "host"),
    [case[1:] for case in MARKUP_IN_PLAIN_TEXT],
    ids=[case[0] for case in MARKUP_IN_PLAIN_TEXT],
)
def test_markup_in_a_plain_text_description_keeps_its_labels_apart(
    description: str, speakers: list[SpeakerDraft], abstract: str, host: str | None
) -> None:
    draft = only(calendar(vevent("DTSTART:20260310T150000Z", f"DESCRIPTION:{description}")))
    assert (draft.speakers, draft.abstract, draft.host) == (speakers, abstract, host)


def test_html_alternative_description_is_read_when_there_is_no_plain_one() -> None:
    draft = only(
        calendar(
            vevent(
                "DTSTART:20260310T150000Z",
                "X-ALT-DESC;FMTTYPE=text/html:<html><body><p>First.</p><p>Second.</p></body></html>",
            )
        )
    )
    assert draft.abstract == "First.\n\nSecond."


def test_text_with_angle_brackets_is_not_taken_for_html() -> None:
    draft = only(calendar(vevent("DTSTART:20260310T150000Z", "DESCRIPTION:If a < b and b > c.")))
    assert draft.abstract == "If a < b and b > c."


# The kind, declared in config and read by the crawler.


def test_ical_kind_from_a_config_table_reads_a_feed() -> None:
    source = build_source(
        {
            "kind": "ical",
            "id": "uw-theory-feed",
            "name": "UW Theory (config)",
            "url": "https://calendar.example.com/theory.ics",
            "timezone": "America/Los_Angeles",
            "duration": 80,
        }
    )
    assert isinstance(source, IcalFeed)
    assert source.entry_urls() == ("https://calendar.example.com/theory.ics",)
    text = (EXAMPLE_FIXTURES / "uw-theory-seminar" / "basic.ics").read_text(encoding="utf-8")
    links = source.listing(Page("https://calendar.example.com/theory.ics", text, NOW))
    assert len(links) == 12
    assert all(link.kind == "talk" and link.complete for link in links)
    seeds = [link.seed for link in links if link.seed is not None]
    assert [s.title for s in seeds][:3] == [
        "Theory Seminar",
        "Theory Seminar: Sparsifiers for Directed Graphs",
        "Theory Seminar: Parallel Repetition Made Simple",
    ]
    # The feed names no talk's page, and the feed itself is none.
    assert {s.url for s in seeds} == {""}
    assert {link.url for link in links} == {"https://calendar.example.com/theory.ics"}
    assert len({s.key for s in seeds}) == 12


def test_ical_kind_takes_no_options_of_its_own() -> None:
    with pytest.raises(OptionError) as error:
        build_source(
            {
                "kind": "ical",
                "id": "x-feed",
                "name": "X",
                "url": "https://example.org/x.ics",
                "timezone": "UTC",
                "window": 30,
            }
        )
    assert error.value.key == "window"


def test_window_follows_the_fetch_time() -> None:
    text = calendar(vevent("DTSTART:20200106T150000Z", "RRULE:FREQ=WEEKLY", uid="w@x"))
    feed = build_source({"kind": "ical", "id": "w", "name": "W", "url": FEED, "timezone": "UTC"})
    starts = [
        link.seed.start
        for link in feed.listing(Page(FEED, text, NOW))
        if link.seed is not None and link.seed.start is not None
    ]
    # The Mondays from 8 September 2025 to 22 February 2027: 180 days back, 365 ahead.
    assert (len(starts), min(starts), max(starts)) == (
        77,
        datetime(2025, 9, 8, 15, tzinfo=UTC),
        datetime(2027, 2, 22, 15, tzinfo=UTC),
    )


def crawl_feed(url: str) -> CrawlResult:
    source = build_source(
        {"kind": "ical", "id": "served-feed", "name": "Served", "url": url, "timezone": "UTC"}
    )

    async def go() -> CrawlResult:
        async with Fetcher(FetchSettings(delay=0, retries=0)) as fetcher:
            return await crawl(source, source.entry_urls(), fetcher)

    return asyncio.run(go())


# Single events only: the crawler stamps pages with the real clock, which moves the window.
SERVED = calendar(
    NEW_YORK,
    vevent(
        "DTSTART;TZID=America/New_York:20260302T160000",
        "DTEND;TZID=America/New_York:20260302T170000",
        "DESCRIPTION:Speaker: Ada Example\\, MIT\\nAbstract: Short.",
        uid="one@x",
        summary="First Talk",
    ),
    vevent("DTSTART:20260309T150000Z", "STATUS:CANCELLED", uid="two@x", summary="Second Talk"),
    vevent("DTSTART;VALUE=DATE:20260320", uid="three@x", summary="Theory Day"),
)


@pytest.mark.parametrize(
    "content_type", ["text/calendar; charset=utf-8", "application/octet-stream"]
)
def test_crawler_reads_a_served_feed_without_detail_pages(
    httpserver: HTTPServer, content_type: str
) -> None:
    httpserver.expect_request("/robots.txt").respond_with_data(
        "User-agent: *\nAllow: /\n", content_type="text/plain"
    )
    httpserver.expect_request("/seminar.ics").respond_with_data(
        SERVED.replace("\n", "\r\n").encode(), content_type=content_type
    )
    result = crawl_feed(httpserver.url_for("/seminar.ics"))
    assert (result.failed, result.listings_read, result.details_read) == (False, 1, 0)
    assert [p for p in result.problems if not p.warning] == []
    assert {p.message for p in result.problems} <= {"no location"}
    assert [(d.key, d.title, utc(d.start), d.all_day, d.status) for d in result.drafts] == [
        ("one@x", "First Talk", "2026-03-02T21:00:00+00:00", False, None),
        ("two@x", "Second Talk", "2026-03-09T15:00:00+00:00", False, "cancelled"),
        # Midnight in the calendar's own zone (its VTIMEZONE), not in the site's UTC.
        ("three@x", "Theory Day", "2026-03-20T04:00:00+00:00", True, None),
    ]
    assert result.drafts[0].speakers == [SpeakerDraft("Ada Example", "MIT")]
    assert {d.url for d in result.drafts} == {""}
    assert [request.path for request, _ in httpserver.log] == ["/robots.txt", "/seminar.ics"]


def test_crawler_refuses_a_feed_served_as_html(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/robots.txt").respond_with_data("", content_type="text/plain")
    httpserver.expect_request("/seminar.ics").respond_with_data(
        "<html>login</html>", content_type="text/html"
    )
    result = crawl_feed(httpserver.url_for("/seminar.ics"))
    assert result.failed
    assert [p.message for p in result.problems] == [
        "unexpected content type text/html (expected application/ics, application/octet-stream,"
        " text/calendar, text/plain)"
    ]


def test_oxford_talks_status_line_in_preparation_becomes_notes() -> None:
    text = calendar(
        vevent(
            "DTSTART;TZID=Europe/London:20260512T163000",
            "DESCRIPTION:\\nStatus: This talk is in preparation - details may change\\n"
            "Abstract to follow.\\nSpeakers:\\nAda Example (MIT)",
            "URL:https://talks.ox.ac.uk/talks/id/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/",
            summary="Title TBC - Ada Example (MIT)",
        )
    )
    site = get_site("oxford-strachey-lectures-ical")
    (link,) = site.listing(Page(site.start_urls[0], text, NOW))
    assert link.seed is not None
    assert (link.seed.title, link.seed.abstract, link.seed.notes, link.seed.status) == (
        "Title TBC",
        "Abstract to follow.",
        "This talk is in preparation - details may change",
        None,
    )
