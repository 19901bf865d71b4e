"""The year of a date printed without one ("Tuesday, Sept. 12", "9/1", "12月19日(木)").

Asked in this order: the nearest heading above the talk that names a term or year ("Fall 2023",
"Wintersemester 2025/26", "2025年度"), the page's URL, title and main heading, the nearest date
or term elsewhere on the page that has a year, and last the time the page was fetched (the year
that puts the date nearest to it). A term maps a month to the year that puts it inside the term
or nearest to it, so an academic year's January follows its December. A printed weekday then
picks, among the neighbouring years, the one it falls on; and a list that runs forward in time
moves to the next year where its months wrap around.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cached_property
from urllib.parse import unquote, urlsplit

from bs4 import Tag

from scrapers.listing.dom import HEADINGS, Doc
from scrapers.when import DateStyle, DayMention, TermMention, find_days, find_terms

__all__ = ["YearGuide"]

_SEASON = re.compile(r"[^\W\d]", re.UNICODE)
_LEAVES = frozenset({"p", "li", "dd", "dt", "td", "th", "caption", "figcaption", "div", "span"})


@dataclass(frozen=True)
class _Reference:
    """Something on the page that says which year its dates are in."""

    position: int
    term: TermMention | None = None
    year: int | None = None

    def year_for(self, month: int) -> int:
        if self.term is not None:
            return self.term.year_for(month)
        assert self.year is not None
        return self.year


class YearGuide:
    """Years for the year-less dates of one page."""

    def __init__(self, doc: Doc, fetched_at: datetime, style: DateStyle) -> None:
        self.doc = doc
        self.now = fetched_at
        self.style = style
        self.order = {id(tag): n for n, tag in enumerate(doc.elements())}

    def year(self, tag: Tag, day: DayMention, previous: date | None) -> int:
        """The year of `day`, printed in the block starting at `tag`; `previous` is the date
        of the talk listed before it, if any."""
        position = self.order.get(id(tag), 0)
        reference = self._heading(position) or self._page() or self._nearest(position)
        year = reference.year_for(day.month) if reference else day.nearest_year(self.now)
        year = _weekday_year(day, year)
        if previous is not None and day.weekday is None:
            year = _forward(day, year, previous)
        return year

    def _heading(self, position: int) -> _Reference | None:
        """The nearest heading before `position` naming a term or a year."""
        for heading_position, reference in reversed(self._headings):
            if heading_position <= position:
                return reference
        return None

    @cached_property
    def _headings(self) -> list[tuple[int, _Reference]]:
        found = []
        for tag in self.doc.elements():
            if tag.name not in HEADINGS and tag.name != "caption":
                continue
            text = self.doc.text(tag)
            if find_days(text, self.style):
                continue
            terms = find_terms(text, self.style)
            if terms:
                position = self.order[id(tag)]
                found.append((position, _Reference(position, terms[0])))
        return found

    def _page(self) -> _Reference | None:
        path = unquote(urlsplit(self.doc.url).path)
        title = self.doc.soup.title.get_text() if self.doc.soup.title is not None else ""
        main = self.doc.root.find("h1")
        texts = [re.sub(r"[/_.-]+", " ", path), title]
        if isinstance(main, Tag):
            texts.append(main.get_text(" "))
        for text in texts:
            terms = [t for t in find_terms(text, self.style) if not find_days(text, self.style)]
            if terms:
                return _Reference(-1, terms[0])
        return None

    def _nearest(self, position: int) -> _Reference | None:
        """The reference closest to `position` in the page: a date with its year, or a term
        named with a season or a span ("Fall 2023", "2023-24"), never a bare year in prose
        (citations and room numbers are full of them)."""
        best: _Reference | None = None
        for reference in self._body:
            if best is None or abs(reference.position - position) < abs(best.position - position):
                best = reference
        return best

    @cached_property
    def _body(self) -> list[_Reference]:
        found = []
        for tag in self.doc.elements():
            if tag.name not in _LEAVES or any(
                child.name in _LEAVES for child in self.doc.children(tag)
            ):
                continue
            text = self.doc.text(tag)
            if not text.strip():
                continue
            position = self.order[id(tag)]
            years = [d.year for d in find_days(text, self.style) if d.year is not None]
            if years:
                found.append(_Reference(position, year=years[0]))
                continue
            for term in find_terms(text, self.style):
                if _SEASON.search(text[term.start : term.end]) or term.first[0] != term.last[0]:
                    found.append(_Reference(position, term))
                    break
        return found


def _date(year: int, day: DayMention) -> date | None:
    try:
        return date(year, day.month, day.day)
    except ValueError:
        return None


def _weekday_year(day: DayMention, year: int) -> int:
    """The year near `year` on which the printed weekday falls, if there is one."""
    if day.weekday is None:
        return year
    for candidate in (year, year + 1, year - 1, year + 2, year - 2):
        found = _date(candidate, day)
        if found is not None and found.weekday() == day.weekday:
            return candidate
    return year


def _forward(day: DayMention, year: int, previous: date) -> int:
    """`year`, or the next one where the list's dates wrap around from December to January."""
    found = _date(year, day)
    if found is None or found >= previous - timedelta(days=62):
        return year
    later = _date(year + 1, day)
    if later is not None and (later - previous).days < 300:
        return year + 1
    return year
