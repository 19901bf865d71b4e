"""What parsers exchange: the page they read, and the links and drafts they return (with the
span a whole-day draft holds)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, tzinfo
from functools import cached_property
from typing import Literal
from urllib.parse import urldefrag, urljoin

from bs4 import BeautifulSoup

from scrapers.read.text import first_tag
from scrapers.read.tree import html_tree
from scrapers.when import DateStyle, page_style

__all__ = [
    "REFUSED_SCHEMES",
    "Link",
    "OptionError",
    "Page",
    "ParseError",
    "SpeakerDraft",
    "TalkDraft",
    "refused_link",
    "whole_days",
]

REFUSED_SCHEMES = ("javascript:", "data:", "vbscript:")
"""Link schemes that run or embed content instead of leading to a page: never a talk's URL."""


def refused_link(href: str) -> str:
    """What a source's health says of a talk link dropped for its scheme."""
    shown = href if len(href) <= 60 else f"{href[:57]}..."
    return f"link {shown!r} is not an http(s) URL: the talk has no page of its own"


@dataclass(frozen=True)
class SpeakerDraft:
    """A speaker as a page states it."""

    name: str
    affiliation: str | None = None


class ParseError(Exception):
    """A page cannot be read as what its URL says it is; the message names the URL."""


class OptionError(ValueError):
    """A config option of a source is missing or wrong. `key` names it, and `path` the exact
    entry within a table option (for the line number)."""

    def __init__(self, key: str, message: str, *path: str) -> None:
        super().__init__(f"{key!r} {message}")
        self.key = key
        self.path = (key, *path)


@dataclass
class Page:
    """One fetched (or saved) document: HTML, iCalendar, JSON or XML, decoded to text.
    `fetched_at` is the parser's only notion of "now"."""

    url: str
    text: str
    fetched_at: datetime
    notes: list[str] = field(default_factory=list)
    """What a parser skipped on this page (an unreadable feed entry), for the run report."""
    earlier: Mapping[str, TalkDraft] = field(default_factory=dict)
    """What parsing this URL gave last time, by part (`parts`), for a parser that reads a page
    in independent parts of its text (an iCal feed's events): a part found here by its name
    need not be parsed again."""
    parts: dict[str, TalkDraft] = field(default_factory=dict)
    """What this parse gave by part, each named by a digest of the part's text and of all else
    its draft depends on; filled by the parser, and offered as `earlier` when the URL is parsed
    again."""

    @cached_property
    def soup(self) -> BeautifulSoup:
        """The page parsed once as HTML, with lxml: the tree `BeautifulSoup(text, "lxml")`
        builds."""
        return html_tree(self.text)

    def date_style(self, zone: tzinfo) -> DateStyle:
        """How the page writes dates: its languages (from `<html lang>`, its address and
        `zone`) and its day/month order."""
        html = first_tag(self.soup, "html")
        lang = html.get("lang") if html is not None else None
        body_tag = first_tag(self.soup, "body")
        body = body_tag.get_text(" ")[:20_000] if body_tag is not None else ""
        name = getattr(zone, "key", None)
        return page_style(lang if isinstance(lang, str) else None, self.url, name, [body])

    def absolute(self, href: str) -> str:
        """`href` resolved against the page URL, without its fragment."""
        return urldefrag(urljoin(self.url, href.strip()))[0]


@dataclass
class TalkDraft:
    """A talk as one page states it, before normalization. Parsers fill what they find."""

    url: str
    title: str | None = None
    speakers: list[SpeakerDraft] = field(default_factory=list)
    start: datetime | None = None
    """Aware. An IANA zone (`ZoneInfo`) other than UTC becomes the talk's zone; a fixed offset or
    UTC is shown in the site's zone."""
    end: datetime | None = None
    all_day: bool = False
    """The talk is a whole day (or days): `start` is local midnight, `end` (if set) exclusive."""
    key: str | None = None
    """Identifies the talk within its source when its URL cannot (an iCal UID, an API id)."""
    location: str | None = None
    host: str | None = None
    abstract: str | None = None
    bio: str | None = None
    notes: str | None = None
    status: Literal["scheduled", "cancelled", "postponed"] | None = None
    """Set only when the page states a status in structured data; title markers are read later."""
    problems: list[str] = field(default_factory=list)
    """Fields the parser could not read, for the run report."""

    def over(self, seed: TalkDraft | None) -> TalkDraft:
        """This draft, with gaps filled from `seed` (what the listing said about the talk)."""
        if seed is None:
            return self
        return replace(
            self,
            title=self.title or seed.title,
            speakers=self.speakers or seed.speakers,
            start=self.start or seed.start,
            end=self.end or (seed.end if self.start is None else None),
            location=self.location or seed.location,
            host=self.host or seed.host,
            abstract=self.abstract or seed.abstract,
            bio=self.bio or seed.bio,
            notes=self.notes or seed.notes,
            status=self.status or seed.status,
            key=self.key or seed.key,
            all_day=self.all_day if self.start is not None else seed.all_day,
        )


@dataclass(frozen=True)
class Link:
    """A link found on a listing: a talk's detail page (with what the listing says about it,
    if anything) or another listing page to read."""

    url: str
    kind: Literal["talk", "listing"]
    seed: TalkDraft | None = None
    complete: bool = False
    """The seed is the whole talk (a feed or API entry): there is no detail page to fetch."""


def whole_days(
    start: datetime, end: datetime | None, zone: tzinfo
) -> tuple[datetime, datetime | None]:
    """An all-day event as a draft's `start` and `end`: local midnight of its first day, and the
    midnight after its last day when it spans several (None for a single day). `end` may be the
    last day's 23:59:59 or, already exclusive, the next midnight."""
    first = start.date()
    if end is None:
        return _midnight(first, zone), None
    last = end.date() - timedelta(days=1) if end.time() == time(0) else end.date()
    if last <= first:
        return _midnight(first, zone), None
    return _midnight(first, zone), _midnight(last + timedelta(days=1), zone)


def _midnight(day: date, zone: tzinfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone)
