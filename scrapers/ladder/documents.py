"""Documents that are not web pages: an iCalendar feed, an event platform's API answer, an
RSS or Atom feed. A source that follows a page's feed or API link gets one of these back, and
`talkfeed extract` may be given one; each is read by the reader of its format, recognised by
its content rather than by its URL or media type (servers label them every which way).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from scrapers.base import SiteParser
from scrapers.drafts import Link, Page, ParseError
from scrapers.kinds import build_source
from scrapers.read.fullcalendar import is_fullcalendar, read_fullcalendar
from scrapers.read.text import scalar_json

__all__ = ["Document", "read_document"]

_XML_ROOT = re.compile(r"^\s*(?:<\?xml[^>]*\?>\s*)?(?:<!--.*?-->\s*)*<(?P<root>[\w:-]+)", re.S)


@dataclass
class Document:
    """What a non-HTML document held: its talks (and further pages), and what it was."""

    what: str
    links: list[Link]


def read_document(page: Page, zone: ZoneInfo) -> Document | None:
    """The talks of `page` when it is a feed or an API answer; None for an HTML page.

    ParseError when it is a document of a known format that cannot be read.
    """
    text = page.text.lstrip("\ufeff \r\n\t")
    if text.startswith("BEGIN:VCALENDAR"):
        return Document("an iCalendar feed", _platform("ical", page, zone).listing(page))
    if text[:1] in "{[":
        return _json(page, zone, text)
    root = _XML_ROOT.match(text)
    if root is None or root["root"].lower() == "html":
        return None
    name = root["root"].lower()
    if name == "list":
        return Document(
            "a talks.cam list", _platform("talks-cam", page, zone, list=1).listing(page)
        )
    if name in ("rss", "feed", "rdf:rdf"):
        return Document("an RSS or Atom feed (of pages, not talks with dates)", [])
    return None


def _json(page: Page, zone: ZoneInfo, text: str) -> Document:
    try:
        data: Any = scalar_json(json.loads(text))
    except ValueError as exc:
        raise ParseError(f"{page.url}: looks like JSON but is not ({exc})") from None
    if is_fullcalendar(data):
        drafts = read_fullcalendar(data, page.url, zone)
        return Document(
            "a FullCalendar event feed", [Link(d.url, "talk", d, complete=True) for d in drafts]
        )
    if isinstance(data, dict):
        events = data.get("events")
        if data.get("_type") == "HTTPAPIResult":
            return Document(
                "an Indico export", _platform("indico", page, zone, category=1).listing(page)
            )
        if isinstance(events, list) and any(isinstance(e, dict) and "event" in e for e in events):
            source = _platform("localist", page, zone, group="auto")
            return Document("a Localist API answer", source.listing(page))
        if isinstance(events, list) and ("rest_url" in data or "total_pages" in data):
            source = _platform("tribe-events", page, zone)
            return Document("an Events Calendar API answer", source.listing(page))
        if isinstance(data.get("results", data.get("talks")), list) and "code" in data:
            source = _platform("researchseminars", page, zone, series="auto")
            return Document("a researchseminars.org answer", source.listing(page))
    return Document("JSON of no event platform talkfeed knows", [])


def _platform(kind: str, page: Page, zone: ZoneInfo, **options: Any) -> SiteParser:
    table = {"kind": kind, "id": "auto", "name": "auto", "url": page.url, "timezone": zone.key}
    return build_source({**table, **options})
