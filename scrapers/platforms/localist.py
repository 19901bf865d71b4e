"""Localist calendars (Cornell, Stanford, Michigan, MIT …), read through their public API v2.

Format: https://developer.localist.com/doc/api (event list and event JSON), with paging and
date ranges explained at https://support.localist.com/localist-api/.

`GET <calendar>/api/2/events?group_id=<group>&days=<n>&pp=100` lists one group's events from
the calendar's today for `n` days (370 at most), 100 a page (the most it allows):
`{"events": [{"event": {...}}], "page": {"current": 1, "size": 100, "total": 2}}`, `total`
counting pages (some servers send the numbers as floats, 2.0); later pages add `&page=<n>`.
`group_id` takes a group's or a department's id (e.g. 37955145294460) or its URL name. Each
entry holds the instance it matched in `event_instances` (one entry per date: `distinct=true`
would keep only an event's first date, so it is never sent). Every instance is one whole talk,
keyed by its instance id; its URL is the event's calendar page (`localist_url`), which all its
dates share.

Quirks:
- There is no relative way to ask for past days: without `start` the list begins today, and
  `start`/`end` are absolute dates. So once the first page of the forward query is fetched,
  it adds a listing for the past `days_back` days, dated from the page's `fetched_at`.
- `status` is "live" unless an editor chose Canceled or Postponed (the site then prefixes the
  title with "Canceled:"). The docs name the choice but not the API value's spelling, so both
  "canceled" and "cancelled" count.
- `description` is HTML; `description_text`, its plain-text version, is the fallback.
- Times are ISO 8601 with the calendar's UTC offset; they are read in the site's zone. An
  all-day instance starts at local midnight, usually with no end.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, ClassVar, Literal
from urllib.parse import parse_qs, urlencode, urlsplit

from scrapers.base import SiteParser
from scrapers.drafts import Link, OptionError, Page, ParseError, TalkDraft, whole_days
from scrapers.kinds import kind
from scrapers.platforms._common import as_text, json_body, with_query
from scrapers.read.text import html_to_text

__all__ = ["Localist"]

_GROUP = re.compile(r"^[A-Za-z0-9_-]+$")
_STATUSES: Mapping[str, Literal["cancelled", "postponed"]] = {
    "canceled": "cancelled",
    "cancelled": "cancelled",
    "postponed": "postponed",
}


@kind("localist")
class Localist(SiteParser):
    """One group's events on a Localist calendar.

    In config: `kind = "localist"`, `url` = any page of the calendar (its origin is the API's),
    and `group` = the group's or department's id or URL name.
    """

    base_url: ClassVar[str] = ""
    """The calendar's origin, e.g. "https://events.cornell.edu"; empty means the origin of
    the first start URL."""
    group: ClassVar[str]
    """The `group_id` the API filters by: a group's or department's id or URL name."""
    days_ahead: ClassVar[int] = 180
    """Days from today the forward query covers (the API allows 370)."""
    days_back: ClassVar[int] = 30
    """Past days read again each run, to catch late changes and cancellations."""
    content_types = frozenset({"application/json"})

    @classmethod
    def options(cls, raw: Mapping[str, Any]) -> dict[str, Any]:
        """`group` (required): a Localist group id or URL name."""
        for key in raw:
            if key != "group":
                raise OptionError(key, "is not a key of kind 'localist' (expected: group)")
        if "group" not in raw:
            raise OptionError("group", "is required: the id or URL name of a Localist group")
        value = raw["group"]
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return {"group": str(value)}
        if isinstance(value, str) and _GROUP.match(value.strip()):
            return {"group": value.strip()}
        raise OptionError(
            "group", "must be a group id (e.g. 37955145294460) or URL name (e.g. 'cs_events')"
        )

    def entry_urls(self) -> tuple[str, ...]:
        """The API query for the group's events from today on."""
        query = urlencode({"group_id": self.group, "days": self.days_ahead, "pp": 100})
        return (f"{self._origin()}/api/2/events?{query}",)

    def listing(self, page: Page) -> list[Link]:
        """A whole talk per event instance, then the next page and, from the first page of the
        forward query, the past days."""
        data = json_body(page)
        entries = data.get("events")
        if not isinstance(entries, list):
            raise ParseError(f"{page.url}: no 'events' list: not a Localist events response")
        links: dict[str, Link] = {}
        for entry in entries:
            event = entry.get("event") if isinstance(entry, dict) else None
            if isinstance(event, dict):
                for draft in self._drafts(event):
                    key = draft.key or draft.url
                    links.setdefault(key, Link(draft.url, "talk", draft, complete=True))
        return [*links.values(), *self._more(page, data.get("page"))]

    def _origin(self) -> str:
        parts = urlsplit(self.base_url or self.start_urls[0])
        return f"{parts.scheme}://{parts.netloc}"

    def _drafts(self, event: Mapping[str, Any]) -> list[TalkDraft]:
        instances = [
            item["event_instance"]
            for item in event.get("event_instances") or []
            if isinstance(item, dict) and isinstance(item.get("event_instance"), dict)
        ]
        return [self._draft(event, instance) for instance in instances]

    def _draft(self, event: Mapping[str, Any], instance: Mapping[str, Any]) -> TalkDraft:
        draft = TalkDraft(
            as_text(event.get("localist_url")) or as_text(event.get("url")) or "",
            title=as_text(event.get("title")),
            key=as_text(instance.get("id")) or _instance_key(event, instance),
            location=_location(event),
            abstract=html_to_text(as_text(event.get("description")))
            or as_text(event.get("description_text")),
            status=_STATUSES.get((as_text(event.get("status")) or "").casefold()),
        )
        start, end = self._moment(instance.get("start")), self._moment(instance.get("end"))
        if start is not None and instance.get("all_day") is True:
            draft.all_day = True
            start, end = whole_days(start, end, self.zone)
        draft.start = start
        if start is not None and end is not None and end > start:
            draft.end = end
        if draft.location is None:
            draft.problems.append("no location")
        return draft

    def _moment(self, value: Any) -> datetime | None:
        if not isinstance(value, str):
            return None
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return None
        if moment.tzinfo is None:
            return moment.replace(tzinfo=self.zone)
        return moment.astimezone(self.zone)

    def _more(self, page: Page, info: Any) -> list[Link]:
        links: list[Link] = []
        current = _count(info.get("current")) if isinstance(info, dict) else None
        total = _count(info.get("total")) if isinstance(info, dict) else None
        if current is not None and total is not None and current < total:
            links.append(Link(with_query(page.url, ("page",), page=current + 1), "listing"))
        forward = "start" not in parse_qs(urlsplit(page.url).query)
        if forward and current == 1 and self.days_back > 0:
            today = page.fetched_at.astimezone(self.zone).date()
            since = today - timedelta(days=self.days_back)
            past = with_query(
                page.url, ("days", "page"), start=since.isoformat(), end=today.isoformat()
            )
            links.append(Link(past, "listing"))
        return links


def _count(value: Any) -> int | None:
    """A page number or count, which some Localist servers send as a float (2.0)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _instance_key(event: Mapping[str, Any], instance: Mapping[str, Any]) -> str | None:
    event_id, start = as_text(event.get("id")), as_text(instance.get("start"))
    return f"{event_id}@{start}" if event_id and start else None


def _location(event: Mapping[str, Any]) -> str | None:
    names = (as_text(event.get("location_name")), as_text(event.get("room_number")))
    place = ", ".join(name for name in names if name) or None
    place = place or as_text(event.get("address"))
    if place is None and event.get("experience") == "virtual":
        return "Online"
    return place
