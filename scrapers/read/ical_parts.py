"""An iCalendar feed cut at its events, so that a feed that changed in a few events is parsed
again in those only.

Large calendars change a little at a time (an event retitled, one added), and a VEVENT's draft
depends on nothing but its own text and the calendar around it (its zones, its X-WR-TIMEZONE,
the site's zone). So the text is cut into the calendar outside its events (the context) and each
event's block of lines, found by their BEGIN:VEVENT and END:VEVENT lines alone, without parsing.
A block that does not recur (no RRULE, RDATE, EXDATE or RECURRENCE-ID, whose occurrences depend
on the date of the run) is named by a digest of its text and of the context's, and what it gave
last time can stand for it. Each block that is parsed is marked (`MARK`) with its place in the
feed, so the parser knows which block each event it reads came from and where it stood.

A text laid out any other way (several VCALENDARs, an event never closed, a nested VEVENT), or
one that has the mark in it already, is not cut: it is parsed whole, as it always is.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

__all__ = ["MARK", "Cut", "cut_events"]

MARK = "X-TALKFEED-PART"
"""The property that gives a parsed event's place among the feed's events."""

_LINE = re.compile(
    r"^\ufeff?(?P<edge>BEGIN|END):(?P<name>VEVENT|VCALENDAR)[ \t]*\r?$",
    re.IGNORECASE | re.MULTILINE,
)
_FOLD = re.compile(r"\r?\n[ \t]")
_MARKED = re.compile(re.escape(MARK), re.IGNORECASE)
_RECURRING = re.compile(r"^(?:RRULE|RDATE|EXDATE|RECURRENCE-ID)[;:]", re.IGNORECASE | re.MULTILINE)
_ZONE_ID = re.compile(r"^TZID(?:;[^:\r\n]*)?:(?P<value>[^\r\n]*)", re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True)
class Cut:
    """A calendar's text as its context and its events' blocks, in the order they stand."""

    context: str
    """The text outside the events."""
    events: tuple[str, ...]
    """Each event's lines, from its BEGIN:VEVENT to its END:VEVENT line's end."""
    _starts: tuple[int, ...]
    """Where each event's block begins in the context (events are cut out in order)."""

    def zone_ids(self) -> list[str]:
        """The TZIDs the context's VTIMEZONEs define, as written (escapes left as they are)."""
        return [m.group("value").strip() for m in _ZONE_ID.finditer(_FOLD.sub("", self.context))]

    def digests(self, context_key: bytes) -> list[str | None]:
        """Each event's name for what it gives, with the context named by `context_key`;
        None for an event that recurs, whose talks depend on when the feed is read."""
        names: list[str | None] = []
        for block in self.events:
            if _RECURRING.search(_FOLD.sub("", block)):
                names.append(None)
                continue
            hashed = hashlib.blake2b(context_key, digest_size=16)
            hashed.update(block.encode())
            names.append(hashed.hexdigest())
        return names

    def text(self, kept: list[bool]) -> str:
        """The calendar with the events whose `kept` is true, each marked with its place."""
        pieces: list[str] = []
        at = 0
        for place, (block, start) in enumerate(zip(self.events, self._starts, strict=True)):
            pieces.append(self.context[at:start])
            at = start
            if kept[place]:
                first = block.index("\n") + 1
                ending = "\r\n" if block[first - 2 : first] == "\r\n" else "\n"
                pieces += (block[:first], f"{MARK}:{place}{ending}", block[first:])
        pieces.append(self.context[at:])
        return "".join(pieces)


def cut_events(text: str) -> Cut | None:
    """`text` cut at its events, if it is one VCALENDAR whose VEVENTs each open and close
    within it, one after the other; None otherwise."""
    if _MARKED.search(text):
        return None
    context: list[str] = []
    events: list[str] = []
    starts: list[int] = []
    length = 0
    at = 0
    state = "before"
    for match in _LINE.finditer(text):
        line = (match.group("edge").upper(), match.group("name").upper())
        end = match.end() + 1 if text.startswith("\n", match.end()) else match.end()
        if state == "before" and line == ("BEGIN", "VCALENDAR"):
            state = "calendar"
        elif state == "calendar" and line == ("BEGIN", "VEVENT"):
            context.append(text[at : match.start()])
            length += match.start() - at
            starts.append(length)
            at, state = match.start(), "event"
        elif state == "event" and line == ("END", "VEVENT"):
            events.append(text[at:end])
            at, state = end, "calendar"
        elif state == "calendar" and line == ("END", "VCALENDAR"):
            state = "after"
        else:
            return None
    if state != "after":
        return None
    context.append(text[at:])
    return Cut("".join(context), tuple(events), tuple(starts))
