"""iCalendar feeds via icalendar: one VEVENT per talk in its own zone, with VTIMEZONEs.

Besides the feeds, `render_event` writes one talk alone, for the index page's "Add to calendar"
beside each talk: its VEVENT is the feeds' own, byte for byte, UID included, so a calendar that
imported the talk and later subscribes to a feed updates the event instead of adding another.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, date, timedelta
from functools import cache, partial
from hashlib import sha256

from icalendar import Calendar, Event, Timezone, vDuration

from aggregator.model import Status, StoredTalk
from feeds.folding import serialize
from feeds.spec import (
    Bodies,
    FeedSpec,
    by_start,
    clean,
    entry_kind,
    source_names,
    status_prefix,
    title_and_speakers,
)

__all__ = ["PRODID", "event_file", "render_event", "render_ical"]

PRODID = "-//talkfeed//talkfeed//EN"
_END = b"END:VCALENDAR\r\n"

# A postponed talk will not happen at this time: calendars should show it as off, not as on.
_STATUS = {
    Status.SCHEDULED: "CONFIRMED",
    Status.CANCELLED: "CANCELLED",
    Status.POSTPONED: "CANCELLED",
    Status.TENTATIVE: "TENTATIVE",
}


def render_ical(talks: Sequence[StoredTalk], spec: FeedSpec, bodies: Bodies | None = None) -> bytes:
    """The talks as an iCalendar (RFC 5545) document; the same input always gives the same
    bytes. `bodies` shares the events' descriptions with other feeds."""
    cal = _calendar()
    cal.add("x-wr-calname", clean(spec.title))
    cal.add("x-wr-caldesc", clean(spec.description))
    refresh = timedelta(minutes=spec.ttl_minutes)
    # RFC 7986's property (its VALUE=DURATION is mandatory, and icalendar leaves it out), and
    # the older one that Outlook reads; icalendar would write a bare timedelta as "1:00:00".
    cal.add("refresh-interval", vDuration(refresh), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", vDuration(refresh))
    return _with_events(cal, by_start(talks), spec, bodies or Bodies())


def render_event(st: StoredTalk, spec: FeedSpec, bodies: Bodies | None = None) -> bytes:
    """One talk as an iCalendar document to import: the VEVENT that `render_ical` writes for it
    with the same `spec`, and its VTIMEZONE. No calendar name or refresh hints, which would make
    some calendar apps set up a calendar of its own for a single event."""
    return _with_events(_calendar(), [st], spec, bodies or Bodies())


# What a talk id usually is, "<site>:<key>" (aggregator/records/normalize.py): such an id becomes a
# readable path; any other is hashed, under a folder no site id can be.
_USUAL_ID = re.compile(r"([a-z0-9]+(?:-[a-z0-9]+)*):([A-Za-z0-9_~-][A-Za-z0-9._~-]*)")


def event_file(talk_id: str) -> str:
    """Where `render_event`'s file for a talk goes, relative to the output dir: the talk id
    "nyu-cs-colloquium:1857" gives "talks/nyu-cs-colloquium/1857.ics". Different ids give
    different paths, and none has a part starting with "." (which servers hide)."""
    usual = _USUAL_ID.fullmatch(talk_id)
    if usual:
        return f"talks/{usual[1]}/{usual[2]}.ics"
    return f"talks/_/{sha256(talk_id.encode()).hexdigest()[:32]}.ics"


def _calendar() -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    return cal


def _with_events(
    cal: Calendar, ordered: Sequence[StoredTalk], spec: FeedSpec, bodies: Bodies
) -> bytes:
    """`cal` with the VTIMEZONEs of the talks and then their VEVENTs, in the given order."""
    # A component's lines are its own and then its subcomponents' in order: the VTIMEZONEs,
    # serialized once for all files, and each event as soon as it is built, so that a calendar
    # of many thousand talks never holds all their icalendar objects at once.
    head = serialize(cal)
    if not head.endswith(_END):
        raise AssertionError("icalendar ended a calendar with something other than END:VCALENDAR")
    events = bodies.entries(entry_kind("ics", spec), ordered, partial(_events, spec, bodies))
    zones = b"".join(_timezones(ordered))
    return head[: -len(_END)] + zones + "".join(events).encode() + _END


def _events(spec: FeedSpec, bodies: Bodies, talks: list[StoredTalk]) -> list[str]:
    return [serialize(_event(st, spec, bodies)).decode() for st in talks]


def _timezones(talks: Sequence[StoredTalk]) -> list[bytes]:
    """One VTIMEZONE per zone used, sorted by TZID, spanning whole years around its talks,
    serialized.

    Not `Calendar.add_missing_timezones()`: it walks a set (order varies between runs) and spans
    1970-2038 whatever the data, so the output would neither be stable nor cover later years.
    """
    years: dict[str, tuple[int, int]] = {}
    for st in talks:
        talk = st.talk
        if talk.all_day:
            continue
        first, last = years.get(talk.timezone, (talk.start.year, talk.start.year))
        years[talk.timezone] = (
            min(first, talk.start.year),
            max(last, talk.effective_end.year),
        )
    return [_timezone(tzid, first, last) for tzid, (first, last) in sorted(years.items())]


@cache
def _timezone(tzid: str, first: int, last: int) -> bytes:
    # Made from the zone's rules, which a run's hundreds of calendar files share.
    zone = Timezone.from_tzid(tzid, first_date=date(first, 1, 1), last_date=date(last + 1, 1, 1))
    return serialize(zone)


def _event(st: StoredTalk, spec: FeedSpec, bodies: Bodies) -> Event:
    talk = st.talk
    summary = clean(status_prefix(talk, spec)) + title_and_speakers(st, " — ")
    event = Event()
    event.add("uid", clean(f"{talk.id}@talkfeed"))
    # DTSTAMP from the data, not the clock: otherwise every run would rewrite every event.
    event.add("dtstamp", st.last_changed.astimezone(UTC))
    if talk.all_day:
        # DATE values: calendars show a whole-day event in every zone, as the source meant.
        event.add("dtstart", talk.start.date())
        event.add("dtend", talk.effective_end.date())
    else:
        # The model keeps start and end in the talk's IANA zone, so these carry its TZID.
        event.add("dtstart", talk.start)
        event.add("dtend", talk.effective_end)
    event.add("summary", summary)
    if talk.location:
        event.add("location", clean(talk.location))
    event.add("description", bodies.plain(st))
    if talk.url:
        event.add("url", clean(talk.url))
    event.add("status", _STATUS[talk.status])
    event.add("sequence", st.sequence)
    event.add("created", st.first_seen.astimezone(UTC))
    event.add("last-modified", st.last_changed.astimezone(UTC))
    event.add("categories", source_names(st))
    return event
