"""UW Theory Seminar: talks in the theory of computation at the Paul G. Allen School of Computer
Science & Engineering, University of Washington (https://theory.cs.washington.edu/).

Feed: the seminar's public Google Calendar, exported as iCalendar at Google's documented address
https://calendar.google.com/calendar/ical/<calendar id>/public/basic.ics
(https://support.google.com/calendar/answer/37648). The calendar id below follows the
department's `cs.washington.edu_…@group.calendar.google.com` pattern but could not be checked
from here: take the real one from the theory group's "subscribe" link before relying on it.
Format: RFC 5545 (https://www.rfc-editor.org/rfc/rfc5545) as Google writes it: X-WR-TIMEZONE,
single events in UTC, recurring ones with TZID and the VTIMEZONE, no URL property (talks have
no page). Quirks: the weekly slot is one recurring event whose instances are edited one by
one to name the speaker (RECURRENCE-ID overrides), weeks off are EXDATEs or STATUS:CANCELLED
instances, and descriptions written in Google's editor are HTML ("<b>Speaker:</b> …<br>").
The saved feed is a made-up sample in this shape, not a capture.
"""

from __future__ import annotations

from scrapers.generic.ical_feed import IcalFeed
from scrapers.registry import register


@register
class UwTheorySeminar(IcalFeed):
    id = "uw-theory-seminar"
    name = "UW Theory Seminar"
    start_urls = (
        "https://calendar.google.com/calendar/ical/"
        "cs.washington.edu_theory.seminar%40group.calendar.google.com/public/basic.ics",
    )
    timezone = "America/Los_Angeles"
