"""iCalendar feeds (RFC 5545, https://www.rfc-editor.org/rfc/rfc5545) → talk drafts.

One draft per VEVENT, and one per occurrence of a recurring event (RRULE, RDATE, EXDATE and
RECURRENCE-ID overrides are expanded by `recurring-ical-events`) within a window; events that
do not recur are kept whatever their date.

Times: `Z` is UTC; a TZID names an IANA zone, a Windows zone name (Outlook, Exchange) mapped to
its IANA zone, or else a VTIMEZONE of the same file whose offsets give the instant; a time
with no zone, or with an unknown TZID and no VTIMEZONE, is local to the calendar's
X-WR-TIMEZONE, or to the site's zone when the calendar names none. A DATE value is an all-day
talk starting at midnight in that same zone.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import recurring_ical_events
from icalendar import Calendar, Component, Timezone, vDDDLists, vDDDTypes, vRecur
from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

from scrapers.drafts import ParseError, SpeakerDraft, TalkDraft
from scrapers.read.speakers import parse_speakers
from scrapers.read.text import clean_block, html_to_text

__all__ = [
    "MAX_OCCURRENCES",
    "DescriptionParts",
    "ParsedCalendar",
    "parse_calendar",
    "split_description",
]

MAX_OCCURRENCES = 1000
"""Occurrences read of one recurring event within the window."""

_DATE_PROPERTIES = ("DTSTART", "DTEND", "RECURRENCE-ID", "EXDATE", "RDATE")
_HTML_TAG = re.compile(
    r"</?(?:p|br|div|span|b|i|u|em|strong|a|ul|ol|li|h[1-6]|table|tr|td|blockquote|pre|font|"
    r"html|body)\b[^<>]*>",
    re.IGNORECASE,
)
_HTML_BLOCKS = (
    "blockquote", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ol", "p", "pre", "table",
    "tr", "ul",
)  # fmt: skip
_LABEL = re.compile(
    r"^[ \t]*(?P<label>speakers?|presenters?|affiliations?|abstract|speaker\s+bio(?:graphy)?"
    r"|bio(?:graphy)?|hosts?|hosted\s+by)[ \t]*:[ \t]*",
    re.IGNORECASE | re.MULTILINE,
)
_FIELDS = {
    "speaker": "speaker",
    "speakers": "speaker",
    "presenter": "speaker",
    "presenters": "speaker",
    "affiliation": "affiliation",
    "affiliations": "affiliation",
    "abstract": "abstract",
    "bio": "bio",
    "biography": "bio",
    "speaker bio": "bio",
    "speaker biography": "bio",
    "host": "host",
    "hosts": "host",
    "hosted by": "host",
}
# Short fields end at a blank line; what follows is prose (the abstract, or notes).
_SHORT_FIELDS = frozenset({"speaker", "affiliation", "host"})
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
# "Ada (MIT), Bob (ETH)", as Indico and OxTalks list speakers: one speaker per parenthesis.
_AFTER_PARENTHESIS = re.compile(r"(?<=\))\s*,\s*")


@dataclass
class ParsedCalendar:
    """A feed's talks in start order, and a note for each event that could not be read."""

    drafts: list[TalkDraft] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


@dataclass
class DescriptionParts:
    """A DESCRIPTION split at its "Speaker:", "Abstract:", "Bio:" … labels."""

    speakers: list[SpeakerDraft] = field(default_factory=list)
    abstract: str | None = None
    bio: str | None = None
    host: str | None = None
    notes: str | None = None


def parse_calendar(
    text: str, *, feed_url: str, zone: ZoneInfo, window: tuple[datetime, datetime]
) -> ParsedCalendar:
    """Every talk in an iCalendar text: events that do not recur whatever their date, and the
    occurrences of recurring ones that start within `window`. `zone` is the site's, for times
    the feed leaves floating; a talk without a URL of its own gets `feed_url`.

    ParseError when the text is not iCalendar at all; a broken event is skipped and noted.
    """
    try:
        with warnings.catch_warnings():
            # Vendor-prefixed TZIDs ("/mozilla.org/…/Europe/Berlin") are read on purpose.
            warnings.filterwarnings("ignore", message=".*globally unique TZID")
            calendars = Calendar.from_ical(text, multiple=True)
    except ValueError as exc:
        raise ParseError(f"{feed_url}: not an iCalendar feed ({exc})") from None
    if not calendars:
        raise ParseError(f"{feed_url}: not an iCalendar feed (no VCALENDAR)")
    result = ParsedCalendar()
    for calendar in calendars:
        _Reader(calendar, feed_url, zone, result).read(window)
    result.drafts.sort(key=lambda d: (_instant(d.start), d.key or ""))
    return result


def split_description(text: str | None) -> DescriptionParts:
    """Speakers, abstract, bio and host from a description that labels them at line starts
    ("Speaker: …", "Affiliation: …", "Abstract: …", "Bio: …", "Host: …", any case and order).
    Without labels the whole text is the abstract; unlabelled text beside labels is the
    abstract when no "Abstract:" label is given, else notes."""
    text = (text or "").replace("\r\n", "\n").strip()
    matches = list(_LABEL.finditer(text))
    if not matches:
        return DescriptionParts(abstract=clean_block(text))
    sections: dict[str, list[str]] = {}
    loose = [text[: matches[0].start()]]
    for match, following in zip(matches, [*matches[1:], None], strict=True):
        name = _FIELDS[" ".join(match.group("label").lower().split())]
        value = text[match.end() : following.start() if following else len(text)]
        if name in _SHORT_FIELDS:
            value, *rest = _BLANK_LINE.split(value, maxsplit=1)
            loose.extend(rest)
        sections.setdefault(name, []).append(value.strip())
    prose = clean_block("\n\n".join(loose))
    speakers = parse_speakers(_AFTER_PARENTHESIS.sub("\n", "\n".join(sections.get("speaker", []))))
    affiliation = "; ".join(a for a in sections.get("affiliation", []) if a) or None
    if affiliation:
        speakers = [s if s.affiliation else SpeakerDraft(s.name, affiliation) for s in speakers]
    abstract = clean_block("\n\n".join(sections.get("abstract", [])))
    return DescriptionParts(
        speakers=speakers,
        abstract=abstract if "abstract" in sections else prose,
        bio=clean_block("\n\n".join(sections.get("bio", []))),
        host=clean_block("; ".join(h for h in sections.get("host", []) if h)),
        notes=prose if "abstract" in sections else None,
    )


class _Reader:
    """One VCALENDAR: its zones, its events, and the drafts they make."""

    def __init__(
        self, calendar: Calendar, feed_url: str, zone: ZoneInfo, result: ParsedCalendar
    ) -> None:
        self.calendar = calendar
        self.feed_url = feed_url
        self.result = result
        self.floating: tzinfo = _iana_zone(str(calendar.get("X-WR-TIMEZONE", ""))) or zone
        self.definitions = {
            str(tz["TZID"]): tz
            for tz in calendar.walk("VTIMEZONE")
            if isinstance(tz, Timezone) and tz.get("TZID")
        }
        self.zones: dict[str, tzinfo] = {}

    def read(self, window: tuple[datetime, datetime]) -> None:
        events = self._readable_events()
        series: dict[str, list[Component]] = {}
        for event in events:
            if _uid(event) and ("RRULE" in event or "RDATE" in event):
                series[_uid(event)] = []
        for event in events:
            if _uid(event) in series:
                series[_uid(event)].append(event)
            else:
                start = _value(event, "DTSTART")
                # An override whose series is not in the feed keeps its occurrence's identity.
                original = _value(event, "RECURRENCE-ID")
                self.result.drafts.append(self._draft(event, start, _end(event, start), original))
        for uid, components in series.items():
            self._expand(uid, components, window)

    def _expand(
        self, uid: str, components: list[Component], window: tuple[datetime, datetime]
    ) -> None:
        """One draft per occurrence of a recurring event within `window`."""
        problem = next(filter(None, map(_rule_problem, components)), None)
        if problem is not None:
            self.result.skipped.append(f"recurring event {uid!r} skipped: {problem}")
            return
        calendar = Calendar()
        for component in components:
            calendar.add_component(component)
        occurrences: list[Component] = []
        try:
            for occurrence in recurring_ical_events.of(calendar).after(window[0]):
                if self._moment(_value(occurrence, "DTSTART")) >= window[1]:
                    break
                if len(occurrences) == MAX_OCCURRENCES:
                    # FREQ=MINUTELY and friends: no seminar meets this often.
                    self.result.skipped.append(
                        f"recurring event {uid!r}: occurrences after the first "
                        f"{MAX_OCCURRENCES} skipped"
                    )
                    break
                occurrences.append(occurrence)
        except (recurring_ical_events.InvalidCalendar, ValueError) as exc:
            self.result.skipped.append(f"recurring event {uid!r} skipped: {exc}")
            return
        sources = {_instance(_value(c, "RECURRENCE-ID")): c for c in components}
        for occurrence in occurrences:
            start = _value(occurrence, "DTSTART")
            original = _value(occurrence, "RECURRENCE-ID") or start
            source = sources.get(_instance(original)) or sources.get(None)
            has_end = source is not None and ("DTEND" in source or "DURATION" in source)
            end = _value(occurrence, "DTEND") if has_end else None
            self.result.drafts.append(self._draft(occurrence, start, end, original))

    def _readable_events(self) -> list[Component]:
        """The VEVENTs with a start, their times in real zones; the others are noted."""
        events = []
        for event in self.calendar.walk("VEVENT"):
            if not isinstance(event.get("DTSTART"), vDDDTypes):
                title = str(event.get("SUMMARY", "")).strip() or str(event.get("UID", "?"))
                self.result.skipped.append(f"event {title!r} skipped: no readable DTSTART")
                continue
            for name in _DATE_PROPERTIES:
                if name in event:
                    event[name] = self._localized(event[name])
            events.append(event)
        return events

    def _localized(self, value: Any) -> Any:
        """A date-time property with each value in the zone it means (see the module doc)."""
        if isinstance(value, list):
            return [self._localized(item) for item in value]
        if isinstance(value, vDDDLists):
            return vDDDLists([self._local(item.dt, item.params.get("TZID")) for item in value.dts])
        if isinstance(value, vDDDTypes):
            return vDDDTypes(self._local(value.dt, value.params.get("TZID")))
        return value

    def _local(self, value: Any, tzid: str | None) -> Any:
        if isinstance(value, tuple):  # an RDATE period: (start, end or duration)
            return tuple(self._local(part, tzid) for part in value)
        if not isinstance(value, datetime):
            return value
        if tzid is None and value.tzinfo is not None:
            return value  # UTC
        return value.replace(tzinfo=self._zone(tzid) if tzid else self.floating)

    def _zone(self, tzid: str) -> tzinfo:
        if tzid not in self.zones:
            zone: tzinfo | None = _iana_zone(tzid)
            if zone is None and tzid in self.definitions:
                # Built from this file's own VTIMEZONE: icalendar caches custom zones by TZID
                # for the whole process, so another feed's "My Zone" could stand in otherwise.
                zone = self.definitions[tzid].to_tz(lookup_tzid=False)
            self.zones[tzid] = zone or self.floating
        return self.zones[tzid]

    def _draft(
        self, event: Component, start: date, end: date | None, original: date | None
    ) -> TalkDraft:
        uid = _uid(event)
        all_day = not isinstance(start, datetime)
        begin = self._moment(start)
        finish = self._moment(end) if end is not None else None
        description = html_to_text(_text(event, "DESCRIPTION") or _text(event, "X-ALT-DESC"))
        parts = split_description(description)
        draft = TalkDraft(
            url=_http_url(_text(event, "URL")) or self.feed_url,
            title=_text(event, "SUMMARY"),
            speakers=parts.speakers,
            start=begin,
            end=finish,
            all_day=all_day,
            location=_text(event, "LOCATION"),
            host=parts.host,
            abstract=parts.abstract,
            bio=parts.bio,
            notes=parts.notes,
            status=_status(event),
        )
        if finish is not None and (finish <= begin):
            draft.end = None
            if finish < begin:
                draft.problems.append("DTEND before DTSTART: end ignored")
        if not uid:
            draft.key = f"{_instance(start)}/{draft.title or ''}"
            draft.problems.append("no UID: the talk's id follows its start and title")
        elif original is not None:
            draft.key = f"{uid}/{_instance(original)}"
        else:
            draft.key = uid
        if draft.location is None:
            draft.problems.append("no location")
        return draft

    def _moment(self, value: date) -> datetime:
        if not isinstance(value, datetime):
            return datetime.combine(value, time(0), tzinfo=self.floating)
        # A zone built from a VTIMEZONE has no IANA name to show: keep just the instant.
        return value if isinstance(value.tzinfo, ZoneInfo) else value.astimezone(UTC)


def _value(component: Component, name: str) -> Any:
    prop = component.get(name)
    return prop.dt if isinstance(prop, vDDDTypes) else None


def _end(event: Component, start: date) -> date | None:
    end: date | None = _value(event, "DTEND")
    if end is not None:
        return end
    duration = event.get("DURATION")
    if duration is None or not isinstance(duration.dt, timedelta):
        return None
    span: timedelta = duration.dt
    if not isinstance(start, datetime) or not span.seconds:
        # Whole days are nominal (RFC 5545 3.3.6): the same wall-clock time, DST or not.
        return start + span
    return (start.astimezone(UTC) + span).astimezone(start.tzinfo)


def _rule_problem(component: Component) -> str | None:
    """Why the event's RRULE cannot be expanded, if it cannot."""
    rules = component.get("RRULE")
    for rule in rules if isinstance(rules, list) else [] if rules is None else [rules]:
        if not isinstance(rule, vRecur):
            return f"unreadable RRULE {str(rule)!r}"
        # dateutil loops forever on INTERVAL=0.
        if any(not isinstance(n, int) or n < 1 for n in rule.get("INTERVAL", [1])):
            return "RRULE INTERVAL below 1"
        # Expanding these costs minutes of CPU for a series that cannot be talks.
        if {"SECONDLY", "MINUTELY"} & {str(f).upper() for f in rule.get("FREQ", [])}:
            return f"RRULE FREQ={rule['FREQ'][0]}"
    return None


def _uid(component: Component) -> str:
    return str(component.get("UID", "")).strip()


def _instance(value: date | None) -> str | None:
    """An occurrence's identity: its original start in UTC (or its date), RFC 5545 style."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    return value.strftime("%Y%m%d")


def _instant(value: datetime | None) -> datetime:
    return value.astimezone(UTC) if value is not None else datetime.min.replace(tzinfo=UTC)


def _text(component: Component, name: str) -> str | None:
    value = component.get(name)
    if isinstance(value, list):
        value = "\n\n".join(str(v) for v in value)
    text = str(value).strip() if value is not None else ""
    return text or None


def _status(event: Component) -> Literal["cancelled"] | None:
    # CONFIRMED and TENTATIVE state nothing beyond "scheduled": leaving the status unset lets
    # a "CANCELLED:" title still count, as Google Calendar users cancel by retitling.
    return "cancelled" if (_text(event, "STATUS") or "").upper() == "CANCELLED" else None


def _http_url(value: str | None) -> str | None:
    if value is None:
        return None
    parts = urlsplit(value)
    return value if parts.scheme in ("http", "https") and parts.netloc else None


def _iana_zone(tzid: str) -> ZoneInfo | None:
    """The IANA zone a TZID means: an IANA name, a Windows name, or a vendor-prefixed IANA name
    ("/mozilla.org/20050126_1/America/New_York")."""
    name = tzid.strip().strip('"').strip("/")
    parts = name.split("/")
    for candidate in _candidates(name, parts):
        try:
            return ZoneInfo(candidate)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            continue
    return None


def _candidates(name: str, parts: list[str]) -> Iterator[str]:
    if not name:
        return
    yield name
    if name in WINDOWS_TO_OLSON:
        yield WINDOWS_TO_OLSON[name]
    yield from ("/".join(parts[i:]) for i in range(1, len(parts) - 1))
