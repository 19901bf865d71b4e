"""What a page's country says about its dates, from CLDR and the tz database: the languages
spoken there and whether numeric dates put the month first."""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from importlib.resources import files
from urllib.parse import urlsplit

from babel import Locale, UnknownLocaleError, localedata
from babel.dates import get_date_format
from babel.languages import get_official_languages

__all__ = ["country_languages", "domain_country", "month_first", "zone_country"]

# Top-level domains that name no country (or a country only by accident, like .io or .tv).
_US_DOMAINS = frozenset({"edu", "gov", "mil", "us"})
_GENERIC_DOMAINS = frozenset({"io", "ai", "co", "me", "tv", "fm", "cc", "ws", "to", "ly", "gg"})


@lru_cache(maxsize=1)
def _zone_countries() -> Mapping[str, str]:
    table = files("tzdata").joinpath("zoneinfo", "zone.tab").read_text(encoding="utf-8")
    rows = (line.split("\t") for line in table.splitlines() if line and not line.startswith("#"))
    return {row[2]: row[0] for row in rows if len(row) >= 3}


def zone_country(zone: str | None) -> str | None:
    """ISO country code of an IANA zone ("Europe/Berlin" -> "DE")."""
    return None if zone is None else _zone_countries().get(zone)


def domain_country(url: str | None) -> str | None:
    """ISO country code of a URL's top-level domain ("www.uni-heidelberg.de" -> "DE", ".edu" ->
    "US", ".uk" -> "GB")."""
    host = urlsplit(url).hostname if url else None
    if not host:
        return None
    domain = host.rstrip(".").rsplit(".", 1)[-1].lower()
    if domain in _US_DOMAINS:
        return "US"
    if domain == "uk":
        return "GB"
    if len(domain) == 2 and domain.isalpha() and domain not in _GENERIC_DOMAINS:
        return domain.upper()
    return None


@lru_cache(maxsize=256)
def country_languages(country: str) -> tuple[str, ...]:
    """The languages spoken officially or de facto in `country` that CLDR has names for."""
    try:
        languages = get_official_languages(country, de_facto=True)
    except (KeyError, ValueError):
        return ()
    codes = (language.split("_")[0] for language in languages)
    return tuple(dict.fromkeys(code for code in codes if localedata.exists(code)))


_FIELDS = re.compile(r"[yMd]")


@lru_cache(maxsize=256)
def month_first(language: str | None, country: str | None) -> bool | None:
    """Whether numeric dates put the month first there, from CLDR's short date pattern
    ("M/d/yy" in the US); a year-first pattern ("y-MM-dd" in Canada) defers to the medium one
    ("MMM d, y"), and a year-first medium pattern (China, Japan) counts as day first."""
    locale = _locale(language, country)
    if locale is None:
        return None
    for width in ("short", "medium"):
        fields = _FIELDS.findall(get_date_format(width, locale=locale).pattern)
        first = str(fields[0]) if fields else "y"
        if first != "y":
            return first == "M"
    return False


def _locale(language: str | None, country: str | None) -> Locale | None:
    candidates = []
    if language and country:
        candidates.append(f"{language}_{country}")
    if country:
        candidates.append(f"und_{country}")
    if language:
        candidates.append(language)
    for candidate in candidates:
        try:
            locale = Locale.parse(candidate)
        except (UnknownLocaleError, ValueError):
            continue
        # "und_ZZ" falls back to en_US: a country CLDR does not know says nothing.
        if country is None or locale.territory == country or candidate == language:
            return locale
    return None
