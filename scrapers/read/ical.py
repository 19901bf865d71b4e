"""iCalendar feeds (RFC 5545, https://www.rfc-editor.org/rfc/rfc5545) → talk drafts.

One draft per VEVENT, and one per occurrence of a recurring event (RRULE, RDATE, EXDATE and
RECURRENCE-ID overrides, RANGE=THISANDFUTURE ones too, are expanded by `recurring-ical-events`)
within a window; events that do not recur are kept whatever their date. An event without UID
gets one from its first start and title, so a series without UID is expanded like any other.
A feed gives at most `MAX_TALKS` drafts, the nearest to now first (upcoming ones from the next
on, then past ones from the last back), and occurrences are found only as far as they are
read: a few hourly events recur into tens of thousands of talks, which no seminar lists.

A feed read before is read again in the events whose text changed only: each event that does
not recur gives its draft by a digest of its text and of the calendar around it
(`ParsedCalendar.parts`), and a later reading given those (`earlier`) takes the draft of every
event whose digest it finds instead of parsing the event (`scrapers.read.ical_parts`). The
drafts are the same either way, and so are their order and the notes.

Times: `Z` is UTC; a TZID names an IANA zone, a Windows zone name (Outlook, Exchange) mapped to
its IANA zone, or else a VTIMEZONE of the same file: the IANA zone whose clocks agree with it
over the window read, or, when none does, its own offsets. The calendar's own zone is its
X-WR-TIMEZONE, else the one zone its VTIMEZONEs name or match; UTC times are shown in it, and
a time with no zone, or with an unknown TZID and no VTIMEZONE, is local to it (to the site's
zone when the calendar has none). A DATE value is an all-day talk starting at midnight in that
same zone.

Text: SUMMARY, LOCATION and the other plain-text properties are entity-decoded once, as feeds
that store HTML-escaped text ("Vows &amp; Chorales") expect; DESCRIPTION is read as HTML, but
its own line breaks count unless its markup lays out lines itself (a description in plain text
with a `<b>` here and there is still plain text, line by line).
"""

from __future__ import annotations

import hashlib
import heapq
import html
import itertools
import re
import warnings
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import cache, cached_property, partial
from importlib import resources
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import recurring_ical_events
from icalendar import Calendar, Component, Timezone, vDDDLists, vDDDTypes, vRecur
from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

from scrapers.drafts import ParseError, SpeakerDraft, TalkDraft
from scrapers.read.ical_parts import MARK, Cut, cut_events
from scrapers.read.speakers import parse_speakers
from scrapers.read.text import clean_block, html_links, html_to_text

__all__ = [
    "MAX_TALKS",
    "DescriptionParts",
    "ParsedCalendar",
    "parse_calendar",
    "split_description",
]

MAX_TALKS = 5000
"""Talks read from one feed, events and occurrences together, the nearest to now first."""
# One talk an hour is already more than any seminar: a rule beyond is no talk series.
_MOST_A_DAY = 24
# How far from now occurrences are first looked for; each further look goes twice as far.
_FIRST_SPAN = timedelta(days=1)

_DATE_PROPERTIES = ("DTSTART", "DTEND", "RECURRENCE-ID", "EXDATE", "RDATE")
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
# "Ann Lee <ann@mit.edu>": the address is no part of the name, and "<Ann Lee>" is just the name.
_ADDRESS = re.compile(r"[ \t]*<[^<>\s@]+@[^<>\s]+>")
_BRACKETED = re.compile(r"<(?P<text>[^<>\n]+)>")
# Markup that lays out lines: with none, a description's line breaks are its author's own, even
# beside a `<b>`; with some, they are the HTML source's formatting.
_LINE_MARKUP = re.compile(r"<(?:p|br|div|li|h[1-6]|tr|table|blockquote|pre)\b", re.IGNORECASE)
_ANY_TAG = re.compile(r"</?[A-Za-z]")
# One line of the "Label: value" metadata calendar systems add to a description (Trumba:
# "Event Name:", "Organization:", "Event Locator:", "Submitter Name:", "Event State:",
# "Categories:", "Web Site:", "Diagram Link:"): a label of one to four words, then the value.
_METADATA_LINE = re.compile(
    r"^[ \t]*(?P<label>[^\W\d_][\w&'./-]*(?:[ \t]+[\w&'./-]+){0,3})[ \t]*:[ \t]+(?P<value>\S.*)$"
)
# The metadata labels that name a field of the talk; the others (ids, states, submitters,
# categories, the event's name again) are dropped.
_METADATA_FIELDS = {
    **dict.fromkeys(
        (
            "organization", "organisation", "organizer", "organiser", "organizers", "organisers",
            "organized by", "organised by", "sponsor", "sponsors", "sponsored by",
        ),
        "host",
    ),
    **dict.fromkeys(("location", "venue", "room", "place", "where"), "location"),
    **dict.fromkeys(
        ("web site", "website", "url", "link", "event link", "event page", "more info",
         "more information"),
        "link",
    ),
}  # fmt: skip
# Links that say where a talk happens, not what it is: maps and meeting rooms.
_PLACE_HOSTS = re.compile(
    r"(?:^|\.)(?:zoom\.us|teams\.microsoft\.com|teams\.live\.com|meet\.google\.com|webex\.com"
    r"|openstreetmap\.org|maps\.apple\.com|maps\.google\.[a-z.]+|maps\.app\.goo\.gl)$"
)
_FILES = re.compile(r"\.(?:pdf|docx?|pptx?|ics)$", re.IGNORECASE)
_IMAGES = re.compile(r"\.(?:png|jpe?g|gif|svg|webp|bmp|ico|tiff?)$", re.IGNORECASE)
_UTC_NAMES = frozenset({"UTC", "Etc/UTC", "Etc/GMT", "GMT", "Etc/Universal", "Zulu"})
_CALENDAR_START = re.compile(r"^\ufeff?\s*BEGIN:VCALENDAR\b", re.IGNORECASE)
_CALENDAR_END = re.compile(r"^END:VCALENDAR\s*$", re.IGNORECASE | re.MULTILINE)
# How finely a VTIMEZONE's clocks are compared with an IANA zone's.
_ZONE_SAMPLING = timedelta(hours=6)


@dataclass
class ParsedCalendar:
    """A feed's talks in start order, and a note for each event that could not be read."""

    drafts: list[TalkDraft] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    parts: dict[str, TalkDraft] = field(default_factory=dict)
    """The draft of each event read that does not recur, by the digest of its text and of the
    calendar around it: what a later reading of the feed may take as `earlier`."""


@dataclass
class DescriptionParts:
    """A DESCRIPTION split at its "Speaker:", "Abstract:", "Bio:" … labels, with the talk's
    fields read from its "Label: value" metadata lines."""

    speakers: list[SpeakerDraft] = field(default_factory=list)
    abstract: str | None = None
    bio: str | None = None
    host: str | None = None
    notes: str | None = None
    location: str | None = None
    links: list[str] = field(default_factory=list)
    """The URLs of metadata lines that link to the talk ("Web Site: …")."""
    other_links: list[str] = field(default_factory=list)
    """The URLs of metadata lines that are something else ("Diagram Link: …")."""


@dataclass
class _Metadata:
    """What a description's metadata lines say, by field."""

    host: list[str] = field(default_factory=list)
    location: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    other_links: list[str] = field(default_factory=list)

    def add(self, label: str, value: str) -> None:
        name = _METADATA_FIELDS.get(" ".join(label.casefold().split()))
        if name == "host":
            self.host.append(value)
        elif name == "location":
            self.location.append(value)
        elif name == "link":
            self.links += html_links(value)
        else:
            self.other_links += html_links(value)


def parse_calendar(
    text: str,
    *,
    feed_url: str,
    zone: ZoneInfo,
    window: tuple[datetime, datetime],
    now: datetime,
    earlier: Mapping[str, TalkDraft] | None = None,
) -> ParsedCalendar:
    """The talks in an iCalendar text: events that do not recur whatever their date, and the
    occurrences of recurring ones that start within `window`; of more than `MAX_TALKS`, the
    nearest to `now` (noted). `zone` is the site's, for times the feed leaves floating when
    the calendar names no zone of its own. A talk's url is its own page, or "" when the event
    names none (the feed is no talk's page). `earlier`: the `parts` of an earlier reading of
    the feed, whose drafts stand for the events whose text is unchanged.

    ParseError when the text is not iCalendar at all or is cut off; a broken event is skipped
    and noted.
    """
    result = ParsedCalendar()
    cut = cut_events(text)
    if cut is None:
        left = MAX_TALKS
        # Several VCALENDARs in one feed (rare) share its budget, the first taking its nearest.
        for calendar in _calendars(text, feed_url):
            left -= _Reader(calendar, zone, window, now, result).read(left)
    else:
        names = cut.digests(_context_key(cut, zone, window))
        given = earlier or {}
        # `get`: what was kept may be gone since (a cache that cannot be read).
        taken = {
            place: given.get(name)
            for place, name in enumerate(names)
            if name is not None and name in given
        }
        reused = {place: draft for place, draft in taken.items() if draft is not None}
        parsed = cut.text([place not in reused for place in range(len(names))])
        reader = _Reader(_calendars(parsed, feed_url)[0], zone, window, now, result, names, reused)
        try:
            reader.read(MAX_TALKS)
        except _ReusedInSeriesError:
            return parse_calendar(text, feed_url=feed_url, zone=zone, window=window, now=now)
    result.drafts.sort(key=lambda d: (_instant(d.start), d.key or ""))
    return result


def split_description(text: str | None) -> DescriptionParts:
    """Speakers, abstract, bio and host from a description that labels them at line starts
    ("Speaker: …", "Affiliation: …", "Abstract: …", "Bio: …", "Host: …", any case and order).
    Without labels the whole text is the abstract; unlabelled text beside labels is the
    abstract when no "Abstract:" label is given, else notes.

    A paragraph made only of "Label: value" lines (two or more) is metadata, wherever it
    stands: its organizer, location and web-site lines fill the host (when no "Host:" label
    names one), the location and the links, and its other lines are dropped."""
    text, metadata = _take_metadata((text or "").replace("\r\n", "\n").strip())
    matches = list(_LABEL.finditer(text))
    if not matches:
        return _parts(metadata, abstract=clean_block(text))
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
    named = _AFTER_PARENTHESIS.sub("\n", "\n".join(sections.get("speaker", [])))
    speakers = parse_speakers(_BRACKETED.sub(r"\g<text>", _ADDRESS.sub("", named)))
    affiliation = "; ".join(a for a in sections.get("affiliation", []) if a) or None
    if affiliation:
        speakers = [s if s.affiliation else SpeakerDraft(s.name, affiliation) for s in speakers]
    abstract = clean_block("\n\n".join(sections.get("abstract", [])))
    return _parts(
        metadata,
        speakers=speakers,
        abstract=abstract if "abstract" in sections else prose,
        bio=clean_block("\n\n".join(sections.get("bio", []))),
        host=clean_block("; ".join(h for h in sections.get("host", []) if h)),
        notes=prose if "abstract" in sections else None,
    )


def _take_metadata(text: str) -> tuple[str, _Metadata]:
    """`text` without its metadata paragraphs' lines (but those `_LABEL` reads), and what the
    taken lines say."""
    metadata = _Metadata()
    kept: list[str] = []
    for paragraph in _BLANK_LINE.split(text):
        lines = [line for line in paragraph.split("\n") if line.strip()]
        found = [match for line in lines if (match := _METADATA_LINE.match(line))]
        if len(lines) < 2 or len(found) < len(lines):
            kept.append(paragraph)
            continue
        labelled = []
        for match in found:
            if _LABEL.match(match.group()):
                labelled.append(match.group())
            else:
                metadata.add(match.group("label"), match.group("value"))
        if labelled:
            kept.append("\n".join(labelled))
    return "\n\n".join(kept), metadata


def _parts(metadata: _Metadata, host: str | None = None, **fields: Any) -> DescriptionParts:
    return DescriptionParts(
        **fields,
        host=host or clean_block("; ".join(metadata.host)),
        location=clean_block("; ".join(metadata.location)),
        links=metadata.links,
        other_links=metadata.other_links,
    )


def _calendars(text: str, feed_url: str) -> list[Calendar]:
    if _CALENDAR_START.match(text) and not _CALENDAR_END.search(text):
        # icalendar reads nothing of an unclosed VCALENDAR; publishing the part before the cut
        # would make every later talk look dropped, so the whole feed fails this time.
        raise ParseError(
            f"{feed_url}: iCalendar feed cut off: it starts with BEGIN:VCALENDAR but has no "
            "END:VCALENDAR (an interrupted download?)"
        )
    try:
        with warnings.catch_warnings():
            # Vendor-prefixed TZIDs ("/mozilla.org/…/Europe/Berlin") are read on purpose.
            warnings.filterwarnings("ignore", message=".*globally unique TZID")
            calendars: list[Calendar] = Calendar.from_ical(text, multiple=True)
    except ValueError as exc:
        raise ParseError(f"{feed_url}: not an iCalendar feed ({exc})") from None
    if not calendars:
        raise ParseError(f"{feed_url}: not an iCalendar feed (no VCALENDAR)")
    return calendars


class _Reader:
    """One VCALENDAR: its zones, its events, and the drafts they make."""

    def __init__(
        self,
        calendar: Calendar,
        zone: ZoneInfo,
        window: tuple[datetime, datetime],
        now: datetime,
        result: ParsedCalendar,
        names: Sequence[str | None] = (),
        reused: Mapping[int, TalkDraft] | None = None,
    ) -> None:
        self.calendar = calendar
        # By each event's place in the feed (`MARK`): its digest, and the drafts taken for it.
        self.names = names
        self.reused = reused or {}
        self.places: dict[int, int] = {}
        self.site_zone = zone
        self.window = window
        self.now = now
        self.result = result
        self.definitions = {
            str(tz["TZID"]): tz
            for tz in calendar.walk("VTIMEZONE")
            if isinstance(tz, Timezone) and tz.get("TZID")
        }
        self.named: dict[str, ZoneInfo | None] = {}
        self.zones: dict[str, tzinfo] = {}
        # The UIDs made up for events that have none.
        self.derived: set[str] = set()
        # The zone the calendar names as its own, if it names one.
        self.own_zone = _iana_zone(str(calendar.get("X-WR-TIMEZONE", ""))) or self._defined_zone()
        self.floating: tzinfo = self.own_zone or zone

    def read(self, limit: int) -> int:
        """Add the drafts of at most `limit` talks, the nearest to now first; how many."""
        events = self._readable_events()
        recurring = {_uid(event) for event in events if "RRULE" in event or "RDATE" in event}
        if any(draft.key in recurring for draft in self.reused.values()):
            # An event of a series that its text alone does not show: read afresh.
            raise _ReusedInSeriesError
        placed: list[tuple[int, _Talk]] = [
            (place, _Talk(draft.start, "", partial(self._kept, place, draft)))
            for place, draft in self.reused.items()
            if draft.start is not None
        ]
        series: dict[str, list[Component]] = {uid: [] for uid in recurring}
        for order, event in enumerate(events):
            if _uid(event) in series:
                series[_uid(event)].append(event)
                continue
            start = _value(event, "DTSTART")
            # An override whose series is not in the feed keeps its occurrence's identity.
            original = _value(event, "RECURRENCE-ID")
            place = self.places.get(id(event), order)
            made = partial(self._single, place, event, start, _end(event, start), original)
            placed.append((place, _Talk(self.moment(start), "", made)))
        # In the feed's order, as a reading of the whole text has them, before sorting by time.
        placed.sort(key=lambda pair: pair[0])
        singles = [talk for _, talk in placed]
        expanding = [
            expansion
            for uid, components in series.items()
            if (expansion := self._expansion(uid, components)) is not None
        ]
        singles.sort(key=_when)
        upcoming = [talk for talk in singles if talk.start >= self.now]
        past = [talk for talk in reversed(singles) if talk.start < self.now]
        ranked = itertools.chain(
            heapq.merge(upcoming, *(e.upcoming() for e in expanding), key=_when),
            heapq.merge(past, *(e.past() for e in expanding), key=_when, reverse=True),
        )
        chosen = list(itertools.islice(ranked, limit))
        if len(chosen) == limit and next(ranked, None) is not None:
            # A feed of 985 bytes can recur into thousands of talks: what no seminar lists.
            self.result.skipped.append(
                f"more than {limit} events and occurrences: only the {limit} nearest to"
                f" {self.now.date().isoformat()} are read, upcoming ones first"
            )
        failed = {e.uid for e in expanding if e.failed}
        kept = [talk for talk in chosen if talk.series not in failed]
        self.result.drafts.extend(talk.draft() for talk in kept)
        return len(kept)

    def _expansion(self, uid: str, components: list[Component]) -> _Expansion | None:
        """The occurrences of a recurring event, to be read as they are needed; None, noted,
        when its rules cannot be expanded."""
        problem = next(filter(None, map(_rule_problem, components)), None)
        if problem is not None:
            self.result.skipped.append(f"recurring event {uid!r} skipped: {problem}")
            return None
        return _Expansion(self, uid, components)

    def _readable_events(self) -> list[Component]:
        """The VEVENTs with a start, their times in real zones and each with a UID; the others
        are noted."""
        events = []
        for event in self.calendar.walk("VEVENT"):
            if not isinstance(event.get("DTSTART"), vDDDTypes):
                title = _plain(event, "SUMMARY") or str(event.get("UID", "?"))
                self.result.skipped.append(f"event {title!r} skipped: no readable DTSTART")
                continue
            if self.names:  # marked by `Cut.text`, once each
                self.places[id(event)] = int(str(event.pop(MARK)))
            for name in _DATE_PROPERTIES:
                if name in event:
                    event[name] = self._localized(event[name])
            if not _uid(event):
                # Stable across runs as long as the event keeps its first start and title.
                uid = f"{_instance(_value(event, 'DTSTART'))}/{_plain(event, 'SUMMARY') or ''}"
                event["UID"] = uid
                self.derived.add(uid)
            events.append(event)
        return events

    def _localized(self, value: Any) -> Any:
        """A date-time property with each value in the zone it means (see the module doc),
        keeping its other parameters (RANGE=THISANDFUTURE above all)."""
        if isinstance(value, list):
            return [self._localized(item) for item in value]
        if isinstance(value, vDDDLists):
            local = [self._local(item.dt, item.params.get("TZID")) for item in value.dts]
            return _with_parameters(vDDDLists(local), value.params)
        if isinstance(value, vDDDTypes):
            local = self._local(value.dt, value.params.get("TZID"))
            return _with_parameters(vDDDTypes(local), value.params)
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
            zone: tzinfo | None = self._named_zone(tzid)
            if zone is None and tzid in self.definitions:
                # Built from this file's own VTIMEZONE: icalendar caches custom zones by TZID
                # for the whole process, so another feed's "My Zone" could stand in otherwise.
                zone = self.definitions[tzid].to_tz(lookup_tzid=False)
            self.zones[tzid] = zone or self.floating
        return self.zones[tzid]

    def _named_zone(self, tzid: str) -> ZoneInfo | None:
        """The IANA zone `tzid` names, or that its VTIMEZONE in this file matches."""
        if tzid not in self.named:
            zone = _iana_zone(tzid)
            if zone is None and tzid in self.definitions:
                zone = _matching_zone(self.definitions[tzid], self.site_zone, self.window)
            self.named[tzid] = zone
        return self.named[tzid]

    def _defined_zone(self) -> ZoneInfo | None:
        """The one IANA zone the calendar's VTIMEZONEs name or match, if they agree on one."""
        zones = {self._named_zone(tzid) for tzid in self.definitions}
        return zones.pop() if len(zones) == 1 else None

    def _single(
        self,
        place: int,
        event: Component,
        start: date,
        end: date | None,
        original: date | None,
    ) -> TalkDraft:
        """The draft of an event that does not recur, kept by its digest for a later reading."""
        return self._kept(place, self.draft(event, start, end, original))

    def _kept(self, place: int, draft: TalkDraft) -> TalkDraft:
        name = self.names[place] if place < len(self.names) else None
        if name is not None:
            self.result.parts[name] = draft
        return draft

    def draft(
        self, event: Component, start: date, end: date | None, original: date | None
    ) -> TalkDraft:
        uid = _uid(event)
        begin = self.moment(start)
        finish = self.moment(end) if end is not None else None
        problems = ["DTEND before DTSTART: end ignored"] if finish and finish < begin else []
        given = _text(event, "URL")
        if given and _http_url(given) is None:
            # Dropped like any link that leads nowhere a reader can go, but said: the talk
            # loses its link.
            shown = given if len(given) <= 60 else f"{given[:57]}..."
            problems.append(f"event {uid!r}: URL {shown!r} is not an http(s) URL: ignored")
        plain = _text(event, "DESCRIPTION")
        description = plain or _text(event, "X-ALT-DESC")
        parts = split_description(html_to_text(_lines_kept(plain) if plain else description))
        location = _plain(event, "LOCATION")
        draft = TalkDraft(
            url=_own_url(event, location, description, parts),
            title=_plain(event, "SUMMARY"),
            speakers=parts.speakers,
            start=begin,
            end=finish if finish and finish > begin else None,
            all_day=not isinstance(start, datetime),
            # A LOCATION that is only a link is the talk's page (Google Calendar), not a place.
            location=parts.location if location is None or _http_url(location) else location,
            host=parts.host,
            abstract=parts.abstract,
            bio=parts.bio,
            notes=parts.notes,
            status=_status(event),
            key=uid if original is None else f"{uid}/{_instance(original)}",
            problems=problems,
        )
        draft.problems += self._gaps(draft, uid)
        return draft

    def _gaps(self, draft: TalkDraft, uid: str) -> list[str]:
        """What the event lacks, for the run report; an untitled event is still a talk."""
        gaps = []
        if uid in self.derived:
            gaps.append("no UID: the talk's id follows its start and title")
        if draft.title is None and draft.start is not None:
            who = "an event without UID" if uid in self.derived else repr(uid)
            gaps.append(f"no SUMMARY: {who} on {draft.start.date().isoformat()}")
        if draft.location is None:
            gaps.append("no location")
        return gaps

    def moment(self, value: date) -> datetime:
        if not isinstance(value, datetime):
            return datetime.combine(value, time(0), tzinfo=self.floating)
        zone = value.tzinfo
        if isinstance(zone, ZoneInfo) and zone.key not in _UTC_NAMES:
            return value
        # UTC, or a zone built from a VTIMEZONE that has no IANA name to show: the instant, in
        # the calendar's own zone when it has one.
        return value.astimezone(self.own_zone or UTC)


class _ReusedInSeriesError(Exception):
    """A draft taken from an earlier reading has the UID of a recurring event of the feed."""


def _context_key(cut: Cut, zone: ZoneInfo, window: tuple[datetime, datetime]) -> bytes:
    """What an event's draft depends on besides its own text: this code, the site's zone and
    the calendar around the events, and the window read when a VTIMEZONE names no IANA zone
    (it is matched to one over the window)."""
    hashed = hashlib.blake2b(_code_digest(), digest_size=16)
    hashed.update(f"{zone.key}\n".encode())
    if not all("\\" not in tzid and _iana_zone(tzid) for tzid in cut.zone_ids()):
        hashed.update(f"{window[0].isoformat()} {window[1].isoformat()}\n".encode())
    hashed.update(cut.context.encode())
    return hashed.digest()


@cache
def _code_digest() -> bytes:
    """The code that turns an event into a draft: a draft made by other code is not reused."""
    hashed = hashlib.blake2b(digest_size=16)
    for library in ("icalendar", "recurring-ical-events"):
        try:
            named = version(library)
        except PackageNotFoundError:  # installed without metadata: its folder stands for it
            named = str(resources.files(library.replace("-", "_")))
        hashed.update(f"{library} {named}\n".encode())
    here = Path(__file__).parent
    for path in [*sorted(here.glob("*.py")), here.parent / "drafts.py"]:
        hashed.update(path.read_bytes())
    return hashed.digest()


@dataclass(frozen=True)
class _Talk:
    """One talk of the feed: when it starts, and its draft, made only if it is read."""

    start: datetime
    series: str
    """The UID of the recurring event it is an occurrence of; "" for a single event."""
    draft: Callable[[], TalkDraft]


def _when(talk: _Talk) -> datetime:
    return talk.start


class _Expansion:
    """The occurrences of one recurring event within the window, found only as they are read:
    from now on, earliest first, then from now back, latest first."""

    def __init__(self, reader: _Reader, uid: str, components: list[Component]) -> None:
        self.reader = reader
        self.uid = uid
        self.calendar = Calendar()
        for component in components:
            self.calendar.add_component(component)
        self.sources = {_instance(_value(c, "RECURRENCE-ID")): c for c in components}
        self.failed = False
        """The rules broke down while expanding; the event was skipped and noted."""

    def upcoming(self) -> Iterator[_Talk]:
        """The occurrences that start from now to the window's end, earliest first."""
        begin, span, end = self.reader.now, _FIRST_SPAN, self.reader.window[1]
        while begin < end:
            stop = min(end, begin + span)
            yield from self._starting(begin, stop)
            begin, span = stop, span * 2

    def past(self) -> Iterator[_Talk]:
        """The occurrences that start from the window's start to now, latest first."""
        earliest, span, stop = self.reader.window[0], _FIRST_SPAN, self.reader.now
        while stop > earliest:
            begin = max(earliest, stop - span)
            yield from reversed(self._starting(begin, stop))
            stop, span = begin, span * 2

    def _starting(self, begin: datetime, stop: datetime) -> list[_Talk]:
        """The occurrences that start at or after `begin` and before `stop`, earliest first.
        Spans that double keep the expansions few: `recurring-ical-events` finds each span's
        occurrences afresh from the event's first one, and its own `after` asks span by span
        down to a quarter of an hour."""
        found = map(self._talk, self._guarded(lambda: self._query.between(begin, stop)))
        # `between` also gives what began earlier and lasts into the span.
        return sorted((talk for talk in found if begin <= talk.start < stop), key=_when)

    @cached_property
    def _query(self) -> recurring_ical_events.CalendarQuery:
        # Built on first use, inside `_guarded`: a calendar it refuses costs this event only.
        return recurring_ical_events.of(self.calendar)

    def _guarded(self, occurrences: Callable[[], Iterable[Component]]) -> Iterator[Component]:
        if self.failed:
            return
        try:
            yield from occurrences()
        except Exception as exc:  # rules the library chokes on cost their event, not the feed
            self.failed = True
            self.reader.result.skipped.append(f"recurring event {self.uid!r} skipped: {exc}")

    def _talk(self, occurrence: Component) -> _Talk:
        start = self.reader.moment(_value(occurrence, "DTSTART"))
        return _Talk(start, self.uid, partial(self._draft, occurrence))

    def _draft(self, occurrence: Component) -> TalkDraft:
        start = _value(occurrence, "DTSTART")
        recurrence = _value(occurrence, "RECURRENCE-ID")
        source = self.sources.get(_instance(recurrence)) or self.sources.get(None)
        has_end = source is not None and ("DTEND" in source or "DURATION" in source)
        end = _value(occurrence, "DTEND") if has_end else None
        return self.reader.draft(occurrence, start, end, _slot(start, recurrence, source))


def _value(component: Component, name: str) -> Any:
    prop = component.get(name)
    return prop.dt if isinstance(prop, vDDDTypes) else None


def _with_parameters(value: Any, parameters: Any) -> Any:
    """`value` with `parameters`, but for TZID: the zone is in the value now."""
    value.params.update({k: v for k, v in parameters.items() if k != "TZID"})
    return value


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


def _slot(start: date, recurrence: date | None, source: Component | None) -> date:
    """An occurrence's own original start, which identifies it. `recurring-ical-events` marks
    every occurrence a RANGE=THISANDFUTURE override moves with the override's RECURRENCE-ID;
    the override moved them all by the same offset, so undoing it gives each its own slot."""
    if recurrence is None:
        return start
    if source is None or _range(source) != "THISANDFUTURE":
        return recurrence
    moved, original = _value(source, "DTSTART"), _value(source, "RECURRENCE-ID")
    if len({type(value) for value in (start, moved, original)}) > 1:
        return recurrence  # a DATE moved to a DATE-TIME, or back: no offset to undo
    slot: date = start - (moved - original)
    return slot


def _range(component: Component) -> str:
    prop = component.get("RECURRENCE-ID")
    return str(prop.params.get("RANGE", "")).upper() if prop is not None else ""


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
        if _daily_count(rule) > _MOST_A_DAY:
            return f"RRULE more than {_MOST_A_DAY} times a day"
    return None


def _daily_count(rule: vRecur) -> int:
    """How many times a day a rule can recur at most: its hours (every hour for FREQ=HOURLY)
    times its minutes times its seconds."""
    hourly = "HOURLY" in {str(f).upper() for f in rule.get("FREQ", [])}
    hours = len(rule.get("BYHOUR", [])) or (24 if hourly else 1)
    return hours * (len(rule.get("BYMINUTE", [])) or 1) * (len(rule.get("BYSECOND", [])) or 1)


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


def _lines_kept(description: str) -> str:
    """A DESCRIPTION for `html_to_text`: where it has tags but none that break lines (a plain
    text with "<b>Speaker:</b>" in it), its line breaks become `<br>`, which a browser, and so
    `html_to_text`, would otherwise read as spaces, running "Abstract:" into the speaker."""
    if "\n" not in description or _LINE_MARKUP.search(description):
        return description
    return description.replace("\n", "<br>") if _ANY_TAG.search(description) else description


def _plain(component: Component, name: str) -> str | None:
    """A plain-text property with its HTML entities decoded, once: "&amp;lt;" is "&lt;"."""
    text = _text(component, name)
    if text is None:
        return None
    return html.unescape(text).strip() or None


def _status(event: Component) -> Literal["cancelled"] | None:
    # CONFIRMED and TENTATIVE state nothing beyond "scheduled": leaving the status unset lets
    # a "CANCELLED:" title still count, as Google Calendar users cancel by retitling.
    return "cancelled" if (_text(event, "STATUS") or "").upper() == "CANCELLED" else None


def _own_url(
    event: Component, location: str | None, description: str | None, parts: DescriptionParts
) -> str:
    """The talk's page: the event's URL, else Trumba's X-TRUMBA-LINK (the event in the
    calendar's web view), else the likeliest link it names (see `_page_link`), first in a
    "Web Site:" metadata line, then in LOCATION, then in DESCRIPTION; "" for none."""
    named = [
        *parts.links,
        *html_links(location),
        *(url for url in html_links(description) if url not in parts.other_links),
    ]
    return (
        _http_url(_text(event, "URL"))
        or _http_url(_text(event, "X-TRUMBA-LINK"))
        or _page_link(named)
        or ""
    )


def _page_link(urls: list[str]) -> str | None:
    """The first of `urls` that is a web page, else the first map, meeting room or document:
    those say where a talk is or hold its slides, a page says what it is. Images (a poster)
    never are the talk's page."""
    ranked = [(rank, url) for url in urls if (rank := _link_rank(url)) is not None]
    return min(ranked, key=lambda pair: pair[0])[1] if ranked else None


def _link_rank(url: str) -> int | None:
    parts = urlsplit(url)
    if _http_url(url) is None or _IMAGES.search(parts.path):
        return None
    host = (parts.hostname or "").lower()
    # google.com/maps/…, goo.gl/maps/…, bing.com/maps?…
    is_map = parts.path.startswith("/maps")
    return 1 if _PLACE_HOSTS.search(host) or is_map or _FILES.search(parts.path) else 0


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


def _matching_zone(
    definition: Timezone, preferred: ZoneInfo, span: tuple[datetime, datetime]
) -> ZoneInfo | None:
    """The IANA zone whose clocks agree with a VTIMEZONE over `span`: `preferred` (the site's)
    if it does, else the first in tzdb's zonenow.tab that does, one whose abbreviations (EST,
    IST) agree too before one whose do not. That table holds one zone for each set of clocks
    that agree from now on, so US Eastern rules give America/New_York, not America/Detroit."""
    try:
        times, info = definition.get_transitions()
    except (KeyError, ValueError, TypeError):
        return None
    samples = _clock_samples(times, info, span)
    if not samples:
        return None
    zones = [preferred, *_current_zones()]
    agreeing = [
        zone
        for zone in zones
        if all(moment.astimezone(zone).utcoffset() == offset for moment, offset, _ in samples)
    ]
    if preferred in agreeing:
        return preferred
    named = [z for z in agreeing if all(m.astimezone(z).tzname() == n for m, _, n in samples)]
    return next(iter(named or agreeing), None)


def _clock_samples(
    times: list[datetime],
    info: list[tuple[timedelta, timedelta, str]],
    span: tuple[datetime, datetime],
) -> list[tuple[datetime, timedelta, str]]:
    """Instants over `span` with the UTC offset and abbreviation that the transitions (`times`
    in naive UTC, each starting its entry of `info`) give them; none when the span starts
    before the first."""
    steps = range((span[1] - span[0]) // _ZONE_SAMPLING)
    samples = []
    for moment in (span[0] + _ZONE_SAMPLING * step for step in steps):
        index = bisect_right(times, moment.astimezone(UTC).replace(tzinfo=None)) - 1
        if index < 0:
            return []
        samples.append((moment, info[index][0], info[index][2]))
    return samples


@cache
def _current_zones() -> tuple[ZoneInfo, ...]:
    """The zones of tzdb's zonenow.tab, in its order; none without the tzdata package."""
    try:
        table = resources.files("tzdata").joinpath("zoneinfo", "zonenow.tab").read_text("utf-8")
    except (ModuleNotFoundError, OSError):
        return ()
    rows = (line.split("\t") for line in table.splitlines() if not line.startswith("#"))
    return tuple(zone for row in rows if len(row) > 2 and (zone := _iana_zone(row[2])))
