"""WordPress sites running The Events Calendar ("Tribe"), read through its REST API.

Format: https://theeventscalendar.com/knowledgebase/introduction-to-the-events-calendar-rest-api/
(every site also describes its own API at `<site>/wp-json/tribe/events/v1/doc`); the fields are
those `Tribe__Events__REST__V1__Post_Repository::get_event_data` writes in the plugin's source.

`GET <site>/wp-json/tribe/events/v1/events?start_date=-30 days&end_date=+180 days&per_page=50`
(plus `&categories=<slug>`) lists events 50 a page, the most the plugin allows by default:
`{"events": [...], "rest_url", "next_rest_url", "total", "total_pages"}`; `next_rest_url` is
absent on the last page. The dates are relative because the plugin reads them with PHP's
`strtotime` (its validator accepts any string `strtotime` parses), so no "now" is needed here.
Each event is one whole talk, keyed by its post id, with its page (`url`) as the link.

Quirks:
- `next_rest_url` repeats the query with absolute dates whose spaces WordPress leaves
  unencoded ("start_date=2026-01-30 00:00:00"); they are encoded before it is followed.
- `title` is HTML-escaped by WordPress ("Graphs &#8211; and Trees"); `description` and
  `excerpt` are HTML.
- `start_date`/`end_date` are local wall-clock times ("2026-03-12 15:30:00") in the event's
  `timezone`, which is an IANA name or, on sites set to a bare offset, "UTC+2"; then the UTC
  fields are read instead and shown in the site's zone. An end equal to the start is read as
  no end; an all-day event ends at 23:59:59 of its last day.
- `venue` is an object, or `[]` when there is none; `organizer` is a list (`[]` when empty).
  The organizers become the host. Nothing names a speaker, so speakers stay empty.
- `status` is the WordPress post status ("publish"), not the event's: a cancelled talk is
  known only by a title marker ("CANCELED: …"), which normalization reads.
- Older plugin versions answer 404 instead of an empty list when no event matches (newer ones
  only for a page past the last), so a quiet calendar may show up as a failed fetch.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime, tzinfo
from typing import Any, ClassVar
from urllib.parse import urlencode, urlsplit

from scrapers.base import SiteParser
from scrapers.drafts import Link, OptionError, Page, ParseError, TalkDraft, whole_days
from scrapers.kinds import kind
from scrapers.platforms._common import as_text, json_body, zone_named
from scrapers.read.text import html_to_text

__all__ = ["TribeEvents"]

_API = "/wp-json/tribe/events/v1/events"
_SLUG = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")


@kind("tribe-events")
class TribeEvents(SiteParser):
    """A WordPress events calendar (The Events Calendar), optionally one category of it.

    In config: `kind = "tribe-events"`, `url` = the WordPress site (its origin, or everything
    before `/wp-json/` for a site installed in a folder), and the optional `category` slug.
    """

    base_url: ClassVar[str] = ""
    """The WordPress root, e.g. "https://cs.example.edu"; empty means it is taken from the
    first start URL."""
    category: ClassVar[str | None] = None
    """An event category slug to keep, or None for the whole calendar."""
    days_ahead: ClassVar[int] = 180
    """Days from today the query covers."""
    days_back: ClassVar[int] = 30
    """Past days read again each run, to catch late changes and cancellations."""
    content_types = frozenset({"application/json"})

    @classmethod
    def options(cls, raw: Mapping[str, Any]) -> dict[str, Any]:
        """`category` (optional): an event category slug."""
        attributes: dict[str, Any] = {}
        for key, value in raw.items():
            if key != "category":
                raise OptionError(key, "is not a key of kind 'tribe-events' (expected: category)")
            if not isinstance(value, str) or not _SLUG.match(value.strip()):
                raise OptionError("category", "must be an event category slug such as 'colloquium'")
            attributes["category"] = value.strip()
        return attributes

    def entry_urls(self) -> tuple[str, ...]:
        """The API query for the calendar's events from `days_back` ago to `days_ahead` on."""
        query: dict[str, str | int] = {
            "start_date": f"-{self.days_back} days",
            "end_date": f"+{self.days_ahead} days",
            "per_page": 50,
        }
        if self.category:
            query["categories"] = self.category
        return (f"{self._root()}{_API}?{urlencode(query)}",)

    def listing(self, page: Page) -> list[Link]:
        """A whole talk per event, then the next page if there is one."""
        data = json_body(page)
        events = data.get("events")
        if not isinstance(events, list):
            raise ParseError(f"{page.url}: no 'events' list: not an Events Calendar response")
        links = [
            Link(draft.url, "talk", draft, complete=True)
            for draft in (self._draft(event) for event in events if isinstance(event, dict))
        ]
        following = data.get("next_rest_url")
        if isinstance(following, str) and following.strip():
            # WordPress leaves the spaces of the dates in it unencoded ("2026-01-30 00:00:00").
            links.append(Link(page.absolute(following.replace(" ", "%20")), "listing"))
        return links

    def _root(self) -> str:
        url = self.base_url or self.start_urls[0]
        if "/wp-json/" in url:
            return url.split("/wp-json/")[0].rstrip("/")
        parts = urlsplit(url)
        return f"{parts.scheme}://{parts.netloc}"

    def _draft(self, event: Mapping[str, Any]) -> TalkDraft:
        venue = event.get("venue")
        draft = TalkDraft(
            as_text(event.get("url")) or "",
            title=html_to_text(as_text(event.get("title"))),
            key=as_text(event.get("id")),
            location=_location(venue) if isinstance(venue, dict) else None,
            host=_organizers(event.get("organizer")),
            abstract=html_to_text(as_text(event.get("description")))
            or html_to_text(as_text(event.get("excerpt"))),
        )
        draft.all_day = event.get("all_day") is True
        draft.start, draft.end = self._times(event, draft.all_day)
        if draft.location is None:
            draft.problems.append("no venue")
        return draft

    def _times(
        self, event: Mapping[str, Any], all_day: bool
    ) -> tuple[datetime | None, datetime | None]:
        zone = zone_named(as_text(event.get("timezone")))
        if zone is not None or all_day:
            local = zone or self.zone
            start = _wall_clock(event.get("start_date"), local)
            end = _wall_clock(event.get("end_date"), local)
        else:
            start = _wall_clock(event.get("utc_start_date"), UTC)
            end = _wall_clock(event.get("utc_end_date"), UTC)
        if start is not None and all_day:
            start, end = whole_days(start, end, zone or self.zone)
        if start is None or end is None or end <= start:
            return start, None
        return start, end


def _wall_clock(value: Any, zone: tzinfo) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value).replace(tzinfo=zone)
    except ValueError:
        return None


def _location(venue: Mapping[str, Any]) -> str | None:
    name = html_to_text(as_text(venue.get("venue")))
    if name:
        return name
    parts = (as_text(venue.get("address")), as_text(venue.get("city")))
    return ", ".join(part for part in parts if part) or None


def _organizers(organizers: Any) -> str | None:
    if isinstance(organizers, dict):
        organizers = [organizers]
    if not isinstance(organizers, list):
        return None
    names = [
        html_to_text(as_text(item.get("organizer")))
        for item in organizers
        if isinstance(item, dict)
    ]
    return ", ".join(name for name in names if name) or None
