"""NYU Computer Science colloquium.

Listing: https://cs.nyu.edu/dynamic/news/colloquium/ shows the current semester; a `<select>`
offers the others as `?semester=fall_2026`. Detail pages: /dynamic/news/colloquium/<id>/ and,
on older links, /dynamic/about/news/colloquium/<id>/. Fields are "Label: value" sections with
Django's default date format in New York time. Quirk: only the current and later semesters
are read; earlier ones hold nothing a subscriber needs.
"""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import parse_qs, urlencode, urlsplit

from bs4 import Tag

from scrapers.base import LabelSite
from scrapers.drafts import Link, Page
from scrapers.registry import register

_TERM = re.compile(r"(?P<term>spring|summer|fall)[_ -]?(?P<year>\d{4})", re.IGNORECASE)
_TERMS = {"spring": 0, "summer": 1, "fall": 2}


@register
class NyuCsColloquium(LabelSite):
    id = "nyu-cs-colloquium"
    name = "NYU Computer Science Colloquium"
    start_urls = ("https://cs.nyu.edu/dynamic/news/colloquium/",)
    talk_url = re.compile(r"/dynamic/(?:about/)?news/colloquium/(?P<key>\d+)/?(?:[?#].*)?$")
    example_urls = (
        "https://cs.nyu.edu/dynamic/news/colloquium/1857/",
        "https://cs.nyu.edu/dynamic/about/news/colloquium/1401/",
    )
    timezone = "America/New_York"
    default_duration = 60

    def listing(self, page: Page) -> list[Link]:
        return super().listing(page) + _later_semesters(page)


def _later_semesters(page: Page) -> list[Link]:
    links = []
    for select in page.soup.find_all("select"):
        options = {
            str(option.get("value")): option
            for option in select.find_all("option")
            if _term_key(str(option.get("value", ""))) is not None
        }
        if not options:
            continue
        current = _current_term(page, options)
        form = select.find_parent("form")
        action = page.absolute(str(form.get("action") or page.url)) if form else page.url
        base = action.split("?")[0]
        for value in options:
            key = _term_key(value)
            if key is not None and key > current:
                query = urlencode({str(select.get("name") or "semester"): value})
                links.append(Link(f"{base}?{query}", "listing"))
    return links


def _current_term(page: Page, options: dict[str, Tag]) -> tuple[int, int]:
    for value, option in options.items():
        if option.has_attr("selected"):
            return _term_key(value) or (0, 0)
    for values in parse_qs(urlsplit(page.url).query).values():
        key = _term_key(values[0])
        if key is not None:
            return key
    # No selection shown: the current term is the one the page was fetched in.
    return _term_of(page.fetched_at)


def _term_key(value: str) -> tuple[int, int] | None:
    match = _TERM.fullmatch(value.strip())
    if match is None:
        return None
    return int(match.group("year")), _TERMS[match.group("term").lower()]


def _term_of(moment: datetime) -> tuple[int, int]:
    if moment.month <= 5:
        return moment.year, _TERMS["spring"]
    if moment.month <= 8:
        return moment.year, _TERMS["summer"]
    return moment.year, _TERMS["fall"]
