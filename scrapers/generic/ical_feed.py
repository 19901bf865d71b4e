"""Any iCalendar feed as a source: Google Calendar, Outlook, Localist, Trumba, Indico and
department calendars all export one (format: RFC 5545, https://www.rfc-editor.org/rfc/rfc5545).

In config: `kind = "ical"` and `url` = the feed. Every event is a whole talk (there is no detail
page); recurring events are expanded from 180 days before the fetch to 365 days after it, and
of a feed's events and occurrences at most the 5,000 nearest to the fetch are read (see
`scrapers.read.ical`). A talk's url is the page the event names, or none: the feed is no
talk's page.
"""

from __future__ import annotations

from datetime import timedelta

from scrapers.base import SiteParser
from scrapers.drafts import Link, Page
from scrapers.kinds import kind
from scrapers.read.ical import parse_calendar

__all__ = ["IcalFeed"]

PAST = timedelta(days=180)
"""How far back occurrences of recurring events are listed."""
AHEAD = timedelta(days=365)
"""How far ahead occurrences of recurring events are listed."""


@kind("ical")
class IcalFeed(SiteParser):
    """An iCalendar feed; each VEVENT (each occurrence, for a recurring one) is a talk."""

    # Servers label .ics files every which way; the parser refuses what is not iCalendar.
    content_types = frozenset(
        {"text/calendar", "text/plain", "application/octet-stream", "application/ics"}
    )

    def listing(self, page: Page) -> list[Link]:
        """Every talk of the feed, complete."""
        window = (page.fetched_at - PAST, page.fetched_at + AHEAD)
        parsed = parse_calendar(
            page.text,
            feed_url=page.url,
            zone=self.zone,
            window=window,
            now=page.fetched_at,
            earlier=page.earlier,
        )
        page.notes.extend(parsed.skipped)
        page.parts.update(parsed.parts)
        # A talk without a page of its own is found at the feed, which the run report names.
        return [
            Link(draft.url or page.url, "talk", draft, complete=True) for draft in parsed.drafts
        ]
