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

from icalendar import (
    Calendar,
    Timezone,
    vCategory,
    vDatetime,
    vDDDTypes,
    vDuration,
    vInt,
    vText,
    vUri,
)

from aggregator.model import Status, StoredTalk
from feeds.folding import fold, serialize
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
    return [_event(st, spec, bodies) for st in talks]


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


def _event(st: StoredTalk, spec: FeedSpec, bodies: Bodies) -> str:
    """The talk's VEVENT, serialized as `Event.to_ical()` writes the icalendar `Event` of these
    properties, byte for byte (tests/feeds/test_ical.py), at under half the cost: icalendar still
    types, escapes and writes every value and its parameters, but no `Event` is built, so
    neither its property lookups, nor its inference of value types, nor its content-line
    objects are paid for on each of the many thousand events of a run."""
    talk = st.talk
    summary = clean(status_prefix(talk, spec)) + title_and_speakers(st, " — ")
    if talk.all_day:
        # DATE values: calendars show a whole-day event in every zone, as the source meant.
        start, end = vDDDTypes(talk.start.date()), vDDDTypes(talk.effective_end.date())
    else:
        # The model keeps start and end in the talk's IANA zone, so these carry its TZID.
        start, end = vDDDTypes(talk.start), vDDDTypes(talk.effective_end)
    # DTSTAMP from the data, not the clock: otherwise every run would rewrite every event.
    changed = vDatetime(st.last_changed.astimezone(UTC))
    # icalendar's order: its canonical properties first, then the others by name.
    lines = [
        "BEGIN:VEVENT",
        _line("SUMMARY", vText(summary)),
        _line("DTSTART", start),
        _line("DTEND", end),
        _line("DTSTAMP", changed),
        _line("UID", vText(clean(f"{talk.id}@talkfeed"))),
        _line("SEQUENCE", vInt(st.sequence)),
        _line("CATEGORIES", vCategory(source_names(st))),
        _line("CREATED", vDatetime(st.first_seen.astimezone(UTC))),
        _line("DESCRIPTION", vText(bodies.plain(st))),
        _line("LAST-MODIFIED", changed),
    ]
    if talk.location:
        lines.append(_line("LOCATION", vText(clean(talk.location))))
    lines.append(_line("STATUS", vText(_STATUS[talk.status])))
    if talk.url:
        lines.append(_line("URL", vUri(clean(talk.url))))
    lines.append("END:VEVENT")
    return "".join(fold(line).decode() + "\r\n" for line in lines)


def _line(name: str, value: vText | vDDDTypes | vDatetime | vInt | vCategory | vUri) -> str:
    """One content line as `Contentline.from_parts` makes it: the name, the value's parameters
    if it has any, and the value, each as icalendar writes it."""
    params = getattr(value, "params", None)
    written = params.to_ical().decode() if params else ""
    head = f"{name};{written}" if written else name
    return f"{head}:{value.to_ical().decode()}"
