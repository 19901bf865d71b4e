"""What a site module builds on: the base classes that do the generic work (a listing's links,
label-style talk pages)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from functools import cached_property, partial
from types import MappingProxyType
from typing import Any, ClassVar, SupportsIndex
from zoneinfo import ZoneInfo

from bs4 import BeautifulSoup, Tag

from scrapers.drafts import Link, OptionError, Page, TalkDraft
from scrapers.read.labels import extract_labels
from scrapers.read.schema_org import read_events
from scrapers.read.speakers import parse_speakers
from scrapers.read.text import clean_block, clean_inline, content_root
from scrapers.read.words import COMBINED_LABELS, FIELD_LABELS
from scrapers.when import DateParseError, find_whens, parse_datetime_range, resolve

__all__ = ["DEFAULT_LABELS", "LabelSite", "SiteParser", "labels_with"]


class SiteParser:
    """Base of every site: metadata as class attributes, parsing as pure methods.

    Subclasses set the metadata and implement `talk`; `listing` finds talk links by `talk_url`.
    Parsers never fetch, read the clock, decide status or ids, or touch storage.
    """

    id: ClassVar[str]
    name: ClassVar[str]
    start_urls: ClassVar[tuple[str, ...]]
    talk_url: ClassVar[re.Pattern[str] | None] = None
    """Matches a talk's detail URL; its `key` group identifies the talk. None for sources whose
    listing gives every talk whole (feeds, APIs)."""
    timezone: ClassVar[str]
    default_duration: ClassVar[int] = 60
    """Minutes a talk lasts when the page gives no end."""
    maintainer: ClassVar[str] = ""
    example_urls: ClassVar[tuple[str, ...]] = ()
    """Detail URLs the `talk_url` pattern must match (checked by the contract test)."""
    content_types: ClassVar[frozenset[str]] = frozenset({"text/html", "application/xhtml+xml"})
    """Media types the site's pages come as; anything else is an error for that page."""
    include: ClassVar[tuple[str, ...]] = ()
    """Keep only talks whose title, abstract or speakers mention one of these (any case)."""
    exclude: ClassVar[tuple[str, ...]] = ()
    """Drop talks whose title, abstract or speakers mention one of these (any case)."""

    @classmethod
    def options(cls, raw: Mapping[str, Any]) -> dict[str, Any]:
        """Class attributes from the kind-specific keys of a config `[[sources]]` table.

        Kinds override this to read their own keys; OptionError names a bad or unknown one.
        """
        for key in raw:
            raise OptionError(key, "is not a key of this kind of source")
        return {}

    @classmethod
    def configured(cls, **attributes: Any) -> SiteParser:
        """An instance of a subclass with `attributes` as class attributes: a site declared in
        a config file rather than a module."""
        namespace = {**attributes, "remake": partial(cls.configured, **attributes)}
        subclass: type[SiteParser] = type(
            f"{cls.__name__}[{attributes.get('id', '?')}]", (cls,), namespace
        )
        return subclass()

    remake: ClassVar[partial[SiteParser] | None] = None
    """How a configured site is made again, as another process must: its class, made at run
    time, cannot be found there by name as a module's can."""

    def __reduce_ex__(self, protocol: SupportsIndex) -> str | tuple[Any, ...]:
        """Pickled by name, like any class of a module, or, when configured, as its `remake`."""
        if self.remake is None:
            return super().__reduce_ex__(protocol)
        return self.remake, ()

    def wants(self, draft: TalkDraft) -> bool:
        """Whether `include`/`exclude` let the talk through."""
        if not (self.include or self.exclude):
            return True
        text = " ".join(
            [draft.title or "", draft.abstract or "", *(s.name for s in draft.speakers)]
        ).casefold()
        if self.include and not any(word.casefold() in text for word in self.include):
            return False
        return not any(word.casefold() in text for word in self.exclude)

    @cached_property
    def zone(self) -> ZoneInfo:
        """The site's time zone."""
        return ZoneInfo(self.timezone)

    def entry_urls(self) -> tuple[str, ...]:
        """Where a crawl starts: `start_urls`, unless a platform builds them (an API query)."""
        return self.start_urls

    def is_talk(self, url: str) -> bool:
        """Whether `url` is one of this site's talk detail pages."""
        return self.talk_url is not None and self.talk_url.search(url) is not None

    def key(self, url: str) -> str | None:
        """The talk's identifying part of its URL, or None when `url` is no talk page."""
        match = self.talk_url.search(url) if self.talk_url is not None else None
        return match.group("key") if match else None

    def listing(self, page: Page) -> list[Link]:
        """Links on a listing page: every link whose URL matches `talk_url`, seeded with the
        title, date and speaker that the link's list item shows."""
        links: dict[str, Link] = {}
        for anchor in page.soup.find_all("a", href=True):
            url = page.absolute(str(anchor["href"]))
            if self.is_talk(url) and url not in links:
                links[url] = Link(url, "talk", self._seed(page, anchor, url))
        return list(links.values())

    def _seed(self, page: Page, anchor: Tag, url: str) -> TalkDraft:
        title = clean_inline(anchor.get_text())
        seed = TalkDraft(url, title=title)
        rest = [
            line
            for line in (clean_inline(text) for text in _item(anchor, self, page).stripped_strings)
            if line and line != title
        ]
        for line in rest:
            if seed.start is None:
                try:
                    seed.start, seed.end = parse_datetime_range(line, self.zone)
                    continue
                except DateParseError:
                    pass
            if not seed.speakers:
                seed.speakers = parse_speakers(line)
        return seed

    def talk(self, page: Page) -> TalkDraft:
        """The talk on a detail page."""
        raise NotImplementedError


DEFAULT_LABELS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "speaker": FIELD_LABELS["speaker"],
        # A label that names the time and the place together reads as a date; the place is
        # what follows the date ("March 10, 2026 at 2PM; 60 Fifth Avenue, Room 150").
        "date": FIELD_LABELS["date"] + FIELD_LABELS["time"] + COMBINED_LABELS,
        "location": FIELD_LABELS["location"],
        "host": FIELD_LABELS["host"],
        "abstract": FIELD_LABELS["abstract"],
        "bio": FIELD_LABELS["bio"],
        "notes": FIELD_LABELS["notes"],
    }
)
"""Label texts per field, in every language talkfeed knows (`scrapers.read.words`)."""


def labels_with(**fields: tuple[str, ...]) -> Mapping[str, tuple[str, ...]]:
    """The default label names with some fields' names replaced, for a site's `labels`:
    `labels = labels_with(speaker=("Who",))`."""
    unknown = set(fields) - set(DEFAULT_LABELS)
    if unknown:
        raise TypeError(
            f"unknown label fields {sorted(unknown)} (fields: {sorted(DEFAULT_LABELS)})"
        )
    return MappingProxyType({**DEFAULT_LABELS, **fields})


class LabelSite(SiteParser):
    """A site whose detail pages are "Label: value" sections; `labels` names them."""

    labels: ClassVar[Mapping[str, tuple[str, ...]]] = DEFAULT_LABELS

    def talk(self, page: Page) -> TalkDraft:
        """The talk, field by field: from the page's schema.org Event, then its labels (the title
        is the last heading before the first label), then its metadata."""
        # Read before content_root(), which drops the <script>s that hold JSON-LD.
        found = read_events(page.soup, page.url, self.zone)
        sections = extract_labels(content_root(page.soup), self.labels)
        draft = TalkDraft(
            page.url,
            title=clean_inline(sections.headings_before[-1]) if sections.headings_before else None,
            speakers=parse_speakers(clean_block(sections.joined("speaker"))),
            location=clean_inline(sections.first("location")),
            host=clean_inline(sections.joined("host")),
            abstract=clean_block(sections.joined("abstract")),
            bio=clean_block(sections.joined("bio")),
            notes=clean_block(sections.joined("notes")),
        )
        # What the labels lack is reported only if no other rung of the ladder has it.
        gaps = {"start": "no date label"}
        when = clean_inline(sections.first("date"))
        if when is not None:
            try:
                draft.start, draft.end, draft.all_day, place = _dated(when, page, self.zone)
            except DateParseError as exc:
                gaps["start"] = f"date: {exc}"
            else:
                draft.location = draft.location or _place(place)
        gaps |= {"speakers": "no speaker label", "location": "no location label"}
        event = found.about(page.url)
        if event is None:
            draft.problems = list(found.problems)
        else:
            # The URL's key identifies the talk; an @id would give it a second identity.
            key = event.key if self.key(page.url) is None else None
            draft = replace(event.over(draft), url=page.url, key=key)
        draft.problems += [gap for name, gap in gaps.items() if not getattr(draft, name)]
        if draft.title is None:
            draft.title = _meta_title(page.soup)
        return draft


_ITEMS = frozenset({"li", "tr", "article", "dd"})
"""Elements that are one entry of a list by nature."""
_CONTAINERS = frozenset(
    {"body", "html", "[document]", "main", "section", "ul", "ol", "dl", "table", "tbody"}
)
"""Elements that hold a whole list (and its heading), never one entry of it."""


def _item(anchor: Tag, site: SiteParser, page: Page) -> Tag:
    """The listing entry around `anchor`: its list item, row or article, else the largest
    element below the list's container that links to no other talk."""
    item = anchor
    for parent in anchor.parents:
        if parent.name in _CONTAINERS:
            break
        urls = {
            page.absolute(str(a["href"]))
            for a in parent.find_all("a", href=True)
            if site.is_talk(page.absolute(str(a["href"])))
        }
        if len(urls) > 1:
            break
        item = parent
        if parent.name in _ITEMS:
            break
    return item


def _dated(text: str, page: Page, zone: ZoneInfo) -> tuple[datetime, datetime | None, bool, str]:
    """The start, end and whole-day flag of the first date in a date label's text, and what
    follows it; a date without a year is the one nearest to when the page was fetched.
    DateParseError when there is no date."""
    found = find_whens(text, page.date_style(zone))
    if not found:
        raise DateParseError(f"no date in {text!r}")
    when = found[0]
    year = when.day.year or when.day.nearest_year(page.fetched_at)
    start, end, all_day = resolve(when, year, zone)
    return start, end, all_day, text[when.end :]


def _place(text: str) -> str | None:
    """A room after a date in a label that names both ("…; 60 Fifth Avenue, Room 150")."""
    rest = text.strip(" ;,.:-–—|")
    return rest or None


def _meta_title(soup: BeautifulSoup) -> str | None:
    og = soup.find("meta", attrs={"property": "og:title"})
    if isinstance(og, Tag) and og.get("content"):
        return clean_inline(str(og["content"]))
    title = soup.title
    if title is None:
        return None
    # "Talk title | Department" is the usual shape; keep the part before the site name.
    return clean_inline(re.split(r"\s+[|–—-]\s+", title.get_text())[0])
