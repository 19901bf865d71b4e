"""iCalendar feeds a page links to: the rung that prefers a page's own feed to its markup.

A feed is named by `<link rel="alternate" type="text/calendar">`, by a link to an `.ics` file
or a `webcal:` address, by the export links of common calendar systems (The Events Calendar's
`?ical=1`, Drupal's and Localist's `.ics` views, Indico's category export), by an embedded
Google Calendar (whose public iCal address follows from its id), or by a Trumba "spud" (whose
feed is named after its web name). An `.ics` link repeated in every talk ("Add to calendar")
exports one talk, not the series, and is no feed.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from urllib.parse import parse_qs, quote, urlsplit

from bs4 import Tag

from scrapers.drafts import Page

__all__ = ["LinkedFeed", "linked_feeds"]

_ICS_PATH = re.compile(r"\.(?:ics|ical|ifb|vcs)$", re.IGNORECASE)
_ICS_QUERY = re.compile(
    r"(?:^|&)(?:ical=1|outlook-ical=1|format=(?:ics|ical|icalendar)|output=(?:ics|ical)|"
    r"type=(?:ics|ical)|_format=ical|export=ical)(?:&|$)",
    re.IGNORECASE,
)
_TRUMBA = re.compile(r"""webName\s*:\s*["']([A-Za-z0-9_.-]+)["']""")


@dataclass(frozen=True)
class LinkedFeed:
    """A feed the page links to, and how it links it."""

    url: str
    why: str


def linked_feeds(page: Page) -> list[LinkedFeed]:
    """The series feeds the page links to, most explicit first."""
    soup = page.soup
    found: dict[str, str] = {}
    for link in soup.find_all("link", href=True):
        kind = str(link.get("type") or "").lower()
        if "calendar" in kind or _ICS_PATH.search(urlsplit(str(link["href"])).path):
            found.setdefault(_web(page.absolute(str(link["href"]))), "a <link> to its iCal feed")
    anchors = [a for a in soup.find_all("a", href=True) if isinstance(a, Tag)]
    counts = Counter(_web(page.absolute(str(a["href"]))) for a in anchors if _is_ics(a))
    per_talk = len(counts) > 2
    for anchor in anchors:
        if not _is_ics(anchor):
            continue
        url = _web(page.absolute(str(anchor["href"])))
        # Many distinct .ics links are one per talk ("Add to calendar"); skip those.
        if per_talk and counts[url] == 1:
            continue
        text = " ".join(anchor.get_text(" ").split())[:40] or str(anchor["href"])[:60]
        found.setdefault(url, f'a link to an iCal feed ("{text}")')
    for frame in soup.find_all("iframe", src=True):
        google = _google_calendar(str(frame["src"]))
        if google:
            found.setdefault(google, "an embedded Google Calendar")
    for script in soup.find_all("script"):
        match = _TRUMBA.search(script.string or "")
        if match and "trumba" in (script.string or "").lower():
            feed = f"https://www.trumba.com/calendars/{match.group(1)}.ics"
            found.setdefault(feed, "a Trumba calendar")
    return [LinkedFeed(url, why) for url, why in found.items()]


def _is_ics(anchor: Tag) -> bool:
    href = str(anchor["href"]).strip()
    parts = urlsplit(href)
    return (
        href.lower().startswith("webcal:")
        or bool(_ICS_PATH.search(parts.path))
        or bool(_ICS_QUERY.search(parts.query))
    )


def _web(url: str) -> str:
    # webcal:// is https:// under another name, kept so that calendar apps open the link.
    return "https://" + url[len("webcal://") :] if url.lower().startswith("webcal://") else url


def _google_calendar(src: str) -> str | None:
    parts = urlsplit(src)
    if "calendar.google.com" not in parts.netloc:
        return None
    ids = parse_qs(parts.query).get("src")
    if not ids:
        return None
    return f"https://calendar.google.com/calendar/ical/{quote(ids[0], safe='@.')}/public/basic.ics"
