"""iCal parsed back with icalendar, field by field."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from aggregator.model import Status, StoredTalk, Talk
from feeds import FeedSpec, event_file, render_event, render_ical
from feeds.spec import clean, plain_description, source_names, status_prefix, title_and_speakers
from tests.feeds.sample import BY_START, SPEC, lifecycle_talks, sample_talks


def _calendar(talks: list[StoredTalk], spec: FeedSpec = SPEC) -> Calendar:
    return Calendar.from_ical(render_ical(talks, spec))


def _events(talks: list[StoredTalk]) -> dict[str, Event]:
    return {str(e["UID"]): e for e in _calendar(talks).events}


def _instant(event: Event, name: str) -> datetime:
    value = event.decoded(name)
    assert isinstance(value, datetime)
    return value


def _tzid(event: Event, name: str) -> str:
    return str(event[name].params["TZID"])


def test_calendar_properties(talks: list[StoredTalk]) -> None:
    cal = _calendar(talks)
    assert str(cal["VERSION"]) == "2.0"
    assert str(cal["PRODID"]) == "-//talkfeed//talkfeed//EN"
    assert str(cal["CALSCALE"]) == "GREGORIAN"
    assert str(cal["METHOD"]) == "PUBLISH"
    assert str(cal["X-WR-CALNAME"]) == SPEC.title
    assert str(cal["X-WR-CALDESC"]) == SPEC.description


def test_one_event_per_talk_by_start(talks: list[StoredTalk]) -> None:
    uids = [str(e["UID"]) for e in _calendar(talks).events]
    assert uids == [f"{i}@talkfeed" for i in BY_START]


def test_start_and_end_keep_the_talks_zone(talks: list[StoredTalk]) -> None:
    events = _events(talks)
    expected = {
        # After the March 8 switch: EDT, UTC-4.
        "nyu-cs:1857": ("America/New_York", datetime(2026, 3, 10, 18, 0, tzinfo=UTC)),
        # Before it: EST, UTC-5.
        "nyu-cs:1840": ("America/New_York", datetime(2026, 2, 17, 16, 0, tzinfo=UTC)),
        "tub-ml:42": ("Europe/Berlin", datetime(2026, 3, 12, 15, 15, tzinfo=UTC)),
    }
    for talk_id, (tzid, start) in expected.items():
        event = events[f"{talk_id}@talkfeed"]
        assert _tzid(event, "DTSTART") == tzid
        assert _instant(event, "DTSTART").astimezone(UTC) == start
    raw = render_ical(talks, SPEC)
    assert b"DTSTART;TZID=America/New_York:20260310T140000\r\n" in raw
    assert b"DTSTART;TZID=Europe/Berlin:20260312T161500\r\n" in raw


def test_end_is_effective_end(talks: list[StoredTalk]) -> None:
    events = _events(talks)
    no_end = events["nyu-cs:1857@talkfeed"]
    assert _tzid(no_end, "DTEND") == "America/New_York"
    assert no_end.decoded("DTEND") - no_end.decoded("DTSTART") == timedelta(minutes=60)
    long_default = events["tub-ml:42@talkfeed"]
    assert long_default.decoded("DTEND") - long_default.decoded("DTSTART") == timedelta(minutes=90)
    explicit = events["nyu-cs:1840@talkfeed"]
    assert _instant(explicit, "DTEND").astimezone(UTC) == datetime(2026, 2, 17, 17, 30, tzinfo=UTC)


def test_status_and_sequence(talks: list[StoredTalk]) -> None:
    events = _events(talks)
    got = {uid: (str(e["STATUS"]), e.decoded("SEQUENCE")) for uid, e in events.items()}
    assert got == {
        "nyu-cs:1840@talkfeed": ("CONFIRMED", 0),
        "nyu-cs:1857@talkfeed": ("CONFIRMED", 1),
        "nyu-cs:1860@talkfeed": ("CANCELLED", 2),
        "tub-ml:42@talkfeed": ("CONFIRMED", 0),
        "nyu-cs:1870@talkfeed": ("CONFIRMED", 0),
        "csail:77@talkfeed": ("CANCELLED", 1),
    }


def test_stamps_come_from_the_store_in_utc(by_id: dict[str, StoredTalk]) -> None:
    (event,) = _events([by_id["nyu-cs:1857"]]).values()
    assert event.decoded("DTSTAMP") == datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    assert event.decoded("LAST-MODIFIED") == datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    # first_seen was given in New York time.
    assert event.decoded("CREATED") == datetime(2026, 2, 20, 10, 0, tzinfo=UTC)
    raw = render_ical([by_id["nyu-cs:1857"]], SPEC)
    assert b"DTSTAMP:20260302T100000Z\r\n" in raw
    assert b"CREATED:20260220T100000Z\r\n" in raw


def test_text_fields(talks: list[StoredTalk]) -> None:
    events = _events(talks)
    summaries = {uid: str(e["SUMMARY"]) for uid, e in events.items()}
    assert summaries == {
        "nyu-cs:1840@talkfeed": "Verified Compilers — Xavier Leroy",
        "nyu-cs:1857@talkfeed": "Building Efficient Systems for LLMs — Qinghao Hu",
        "nyu-cs:1860@talkfeed": "CANCELLED: Robust Robot Learning — Chelsea Finn",
        "tub-ml:42@talkfeed": "Kernel Methods, Revisited — Anna Schmidt, Jonas Weber",
        "nyu-cs:1870@talkfeed": "Graphs & <Trees> — Eve O'Neil",
        "csail:77@talkfeed": "POSTPONED: Quantum Advantage, Carefully",
    }
    berlin = events["tub-ml:42@talkfeed"]
    assert str(berlin["LOCATION"]) == "MAR 4.033"
    assert str(berlin["URL"]) == "https://www.tu-berlin.de/ml/talks/42"
    assert berlin.categories == ["TU Berlin Machine Learning Seminar"]
    assert str(berlin["DESCRIPTION"]) == (
        "Speakers: Anna Schmidt (TU Berlin, BIFOLD); Jonas Weber\n\n"
        "https://www.tu-berlin.de/ml/talks/42"
    )
    assert "LOCATION" not in events["csail:77@talkfeed"]


def test_description_is_plain_text_without_control_characters(
    by_id: dict[str, StoredTalk],
) -> None:
    raw = render_ical([by_id["nyu-cs:1870"]], SPEC)
    assert b"\x0b" not in raw
    assert b"\x00" not in raw
    (event,) = _events([by_id["nyu-cs:1870"]]).values()
    assert str(event["DESCRIPTION"]) == (
        "Speaker: Eve O'Neil (AT&T Labs)\n"
        "Host: Bob <b>Bold</b>\n\n"
        "Abstract:\nTrees & graphs.\nA soft break.\n\n"
        "<script>alert(1)</script> is not code here.\n\nThird paragraph.\n\n"
        "Bio:\nWorks on\ngraphs.\n\n"
        "Notes:\nPizza & drinks after.\n\n"
        "https://cs.nyu.edu/dynamic/news/colloquium/1870/?a=1&b=2"
    )
    cancelled = _events([by_id["nyu-cs:1860"]])["nyu-cs:1860@talkfeed"]
    assert str(cancelled["DESCRIPTION"]).startswith("This talk has been cancelled.\n\n")


def test_one_vtimezone_per_zone_used(talks: list[StoredTalk]) -> None:
    cal = _calendar(talks)
    assert [tz.tz_name for tz in cal.timezones] == [
        "America/New_York",
        "Europe/Berlin",
    ]
    berlin_only = [st for st in talks if st.talk.timezone == "Europe/Berlin"]
    assert [tz.tz_name for tz in _calendar(berlin_only).timezones] == ["Europe/Berlin"]
    assert _calendar([]).timezones == []


def test_vtimezones_give_every_event_its_offset(talks: list[StoredTalk]) -> None:
    """A client that only trusts the VTIMEZONE (not its own zone database) gets the times right.

    The June 2027 talk needs the zone to cover 2027's DST rules, not just 2026's.
    """
    cal = _calendar(talks)
    own = {tz.tz_name: tz.to_tz(lookup_tzid=False) for tz in cal.timezones}
    checked = 0
    for event in cal.events:
        for name in ("DTSTART", "DTEND"):
            moment = _instant(event, name)
            from_vtimezone = moment.replace(tzinfo=own[_tzid(event, name)])
            assert from_vtimezone.utcoffset() == moment.utcoffset(), (event["UID"], name)
            checked += 1
    assert checked == 12


def test_refresh_hints_come_from_the_spec(talks: list[StoredTalk]) -> None:
    cal = _calendar(talks)
    assert cal.decoded("REFRESH-INTERVAL") == timedelta(minutes=60)
    assert cal["REFRESH-INTERVAL"].params["VALUE"] == "DURATION"
    # An X- property is unknown to icalendar, so it comes back as text.
    assert str(cal["X-PUBLISHED-TTL"]) == "PT1H"
    raw = render_ical(talks, SPEC)
    assert b"\r\nREFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in raw
    assert b"\r\nX-PUBLISHED-TTL:PT1H\r\n" in raw
    spec = FeedSpec("all", "All", "", "https://talks.example.edu/", ttl_minutes=90)
    cal = _calendar(talks, spec)
    assert cal.decoded("REFRESH-INTERVAL") == timedelta(minutes=90)
    assert str(cal["X-PUBLISHED-TTL"]) == "PT1H30M"


def test_refresh_hints_precede_the_components(talks: list[StoredTalk]) -> None:
    """Calendar properties must come before the first component (RFC 5545 icalbody)."""
    raw = render_ical(talks, SPEC)
    assert raw.index(b"X-PUBLISHED-TTL") < raw.index(b"BEGIN:VTIMEZONE")


def test_one_talk_alone_is_the_feeds_event(talks: list[StoredTalk]) -> None:
    feed = _events(talks)
    for st in talks:
        alone = Calendar.from_ical(render_event(st, SPEC))
        (event,) = alone.events
        # The same UID, SEQUENCE and everything else: importing it and later subscribing
        # gives one event, not two.
        assert event.to_ical() == feed[f"{st.talk.id}@talkfeed"].to_ical()
        assert [tz.tz_name for tz in alone.timezones] == [st.talk.timezone]
        assert str(alone["METHOD"]) == "PUBLISH"
        # A calendar name or refresh hints would make some apps set up a calendar for it.
        for name in ("X-WR-CALNAME", "X-WR-CALDESC", "REFRESH-INTERVAL", "X-PUBLISHED-TTL"):
            assert name not in alone


def test_event_files_are_readable_distinct_and_never_hidden() -> None:
    assert event_file("nyu-cs-colloquium:1857") == "talks/nyu-cs-colloquium/1857.ics"
    assert event_file("tub-ml:a.b~c_d-e") == "talks/tub-ml/a.b~c_d-e.ics"
    odd = ["x:..", "x:.hidden", "x:a/b", "X:1", "a:b:c", "no-colon", "x:", "x:é"]
    paths = [event_file(talk_id) for talk_id in odd]
    # Hashed into a folder no site id can be, so never the same as a readable one.
    assert all(path.startswith("talks/_/") and path.endswith(".ics") for path in paths)
    assert len(set(paths)) == len(odd)
    for path in paths:
        assert not any(part.startswith(".") for part in path.split("/"))


def _icalendar_event(st: StoredTalk, spec: FeedSpec) -> Event:
    """The talk's VEVENT built the plain icalendar way, property by property with `add`: what
    the feeds must write, however they write it."""
    talk = st.talk
    summary = clean(status_prefix(talk, spec)) + title_and_speakers(st, " — ")
    event = Event()
    event.add("uid", clean(f"{talk.id}@talkfeed"))
    event.add("dtstamp", st.last_changed.astimezone(UTC))
    if talk.all_day:
        event.add("dtstart", talk.start.date())
        event.add("dtend", talk.effective_end.date())
    else:
        event.add("dtstart", talk.start)
        event.add("dtend", talk.effective_end)
    event.add("summary", summary)
    if talk.location:
        event.add("location", clean(talk.location))
    event.add("description", plain_description(st))
    if talk.url:
        event.add("url", clean(talk.url))
    event.add(
        "status",
        {"scheduled": "CONFIRMED", "tentative": "TENTATIVE"}.get(talk.status.value, "CANCELLED"),
    )
    event.add("sequence", st.sequence)
    event.add("created", st.first_seen.astimezone(UTC))
    event.add("last-modified", st.last_changed.astimezone(UTC))
    event.add("categories", source_names(st))
    return event


_AWKWARD = (
    "Commas, semicolons; colons: and \\backslashes\\",
    "Quotes \"double\" and 'single', a caret ^ and a tab\tin it",
    "Lines\nbroken\r\nevery way\rhere",
    "Ünïcödé — 数学のセミナー — 🙂 emoji at the fold " * 4,
    "x" * 73 + "é" + "\\" * 3 + ",;" * 40,
)


def _variants(st: StoredTalk) -> Iterator[StoredTalk]:
    yield st
    for number, text in enumerate(_AWKWARD):
        talk = st.talk.model_copy(
            update={
                "title": text,
                "location": text if number % 2 else None,
                "url": None if number == 3 else st.talk.url,
                "abstract": text * 3,
                "status": list(Status)[number % len(Status)],
            }
        )
        yield st.model_copy(update={"talk": talk, "sequence": number * 7})


def test_events_are_written_as_icalendar_writes_them() -> None:
    # Every kind of talk the samples hold (merged, moved, called off, whole-day, in several
    # zones), each also with text that icalendar must escape, fold or split.
    talks = [*sample_talks(), *lifecycle_talks(), _whole_day()]
    checked = 0
    for st in (variant for talk in talks for variant in _variants(talk)):
        for spec in (SPEC, replace(SPEC, cancel_prefix="Off; really: ")):
            assert render_event(st, spec).count(b"BEGIN:VEVENT") == 1
            written = _event_text(render_event(st, spec))
            assert written == _icalendar_event(st, spec).to_ical()
            checked += 1
    assert checked == 2 * len(talks) * (1 + len(_AWKWARD))


def _event_text(document: bytes) -> bytes:
    start = document.index(b"BEGIN:VEVENT")
    end = document.index(b"END:VEVENT\r\n") + len(b"END:VEVENT\r\n")
    return document[start:end]


def _whole_day() -> StoredTalk:
    start = datetime(2026, 3, 30, tzinfo=ZoneInfo("Europe/Berlin"))
    talk = Talk(
        id="ics:workshop",
        source="ics",
        title="Theory Day",
        start=start,
        end=start + timedelta(days=2),
        timezone="Europe/Berlin",
        all_day=True,
    )
    seen = datetime(2026, 3, 1, tzinfo=UTC)
    return StoredTalk(
        talk=talk, source_name="Ics", first_seen=seen, last_seen=seen, last_changed=seen
    )
