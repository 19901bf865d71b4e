"""How a page writes its dates: the languages of its names and the order of numeric dates."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from scrapers.when.countries import country_languages, domain_country, month_first, zone_country

__all__ = ["DateStyle", "page_style"]


@dataclass(frozen=True)
class DateStyle:
    """How to read the dates of one page."""

    languages: tuple[str, ...] = ("en",)
    """CLDR language codes to recognise month and weekday names in (English is always added)."""
    day_first: bool | None = None
    """Order of numeric dates like 12/09/2023; None: month first unless the text proves
    otherwise (a first number above 12)."""


_TAG = re.compile(
    r"(?P<language>[a-zA-Z]{2,3})(?:[-_][a-zA-Z]{4})?(?:[-_](?P<region>[a-zA-Z]{2}|\d{3}))?"
)


def page_style(
    lang: str | None, url: str | None, zone: str | None, texts: Iterable[str] = ()
) -> DateStyle:
    """The style of a page: languages from its <html lang> ("de-CH" -> de), its URL's country
    domain (.de, .fr, .br, .jp …) and its zone (Europe/Berlin -> de); day_first from numeric
    dates in `texts` that prove an order, else from the country and language (month first in
    the US, English Canada and the Philippines, day first nearly everywhere else)."""
    tag = _TAG.match(lang.strip()) if lang else None
    language = tag["language"].lower() if tag else None
    region = tag["region"].upper() if tag and tag["region"] else None
    countries = [
        country for country in (zone_country(zone), region, domain_country(url)) if country
    ]
    languages = [*([language] if language else []), *_spoken(countries)]
    day_first = _proven_day_first(texts)
    if day_first is None:
        order = month_first(language, countries[0] if countries else None)
        day_first = None if order is None else not order
    return DateStyle(tuple(dict.fromkeys(languages)) or ("en",), day_first)


def _spoken(countries: list[str]) -> list[str]:
    return [spoken for country in countries for spoken in country_languages(country)]


_NUMERIC = re.compile(
    r"(?<![\w.,/-])(\d{1,2})(?:/(\d{1,2})(?:/\d{2,4})?|-(\d{1,2})-\d{2,4})(?![\d/])"
)


def _proven_day_first(texts: Iterable[str]) -> bool | None:
    """Day first when numeric dates prove it (a first number above 12) more often than the
    opposite (a second number above 12); None when none proves anything."""
    day_votes = month_votes = 0
    for text in texts:
        for match in _numeric_dates(text):
            first, second = int(match[1]), int(match[2] or match[3])
            day_votes += 12 < first <= 31 and second <= 12
            month_votes += 12 < second <= 31 and first <= 12
    if day_votes == month_votes:
        return None
    return day_votes > month_votes


def _numeric_dates(text: str) -> Iterator[re.Match[str]]:
    """`_NUMERIC.finditer(text)`. The pattern has no literal start for the regex engine to look
    for, so finditer tries it at every character of the page's text: on a detail page, half as
    long as reading its date took. Every match has a "/" or "-" right after its first one or
    two digits, and `str.find` finds those far faster."""
    end = 0
    for at in _separators(text):
        if at == 0 or not text[at - 1].isdecimal():
            continue
        for start in (at - 2, at - 1):
            if start >= end and start >= 0:
                match = _NUMERIC.match(text, start)
                if match is not None:
                    yield match
                    end = match.end()
                    break


def _separators(text: str) -> list[int]:
    found = []
    for separator in "/-":
        at = text.find(separator)
        while at >= 0:
            found.append(at)
            at = text.find(separator, at + 1)
    return sorted(found)
