"""Month, weekday and time-of-day names from Babel's CLDR data, for any language CLDR covers.

A language's names come from its own locale and its regional and script variants ("Jänner"
from de_AT, "Sept" from en_GB, "setiembre" from es_PE, "oktobar" from sr_Latn), in wide and
abbreviated widths and both the "format" (genitive: "stycznia", "января") and "stand-alone"
contexts. A 3-letter prefix of a wide name is also a name when it points to one month only
(unofficial "Okt", "Ene", "Mär"). Only the few unofficial forms CLDR lacks are typed here.

Languages that decline month names print cases CLDR does not list (Latvian "14. oktobrī" beside
"oktobris"): there a wide name less its last one or two letters is a month stem, and the readers
take a stem with a short ending after a day number as the month. A language declines
them when CLDR shows it doing so (see `_declines`); Spanish "marzo" has no stem, or "3 marcas"
would be March 3.

Month names that are digits and a sign ("5月", "M05") are left to the numeric CJK reader; those
with a word are names ("tháng 5").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from types import MappingProxyType
from typing import Any, Literal

from babel import localedata
from babel.core import get_global
from babel.dates import get_day_names, get_month_names

from scrapers.when.patterns import name_key

__all__ = [
    "CJK_LANGUAGES",
    "Vocabulary",
    "bracketed_weekdays",
    "language_locales",
    "languages_to_read",
    "vocabulary",
]

# Their dates are numeric ("5月12日"), so only their weekday and time-of-day words matter, and
# those are never mistaken for words of another script: always read them.
CJK_LANGUAGES = ("zh", "zh_Hant", "ja", "ko")

_UNOFFICIAL_MONTHS: Mapping[str, Mapping[str, int]] = {"de": {"mrz": 3}, "en": {"sept": 9}}
_UNOFFICIAL_WEEKDAYS: Mapping[str, Mapping[str, int]] = {
    "en": {"tues": 1, "weds": 2, "thur": 3, "thurs": 3},
}
_Width = Literal["wide", "abbreviated"]
_Context = Literal["format", "stand-alone"]
_WIDTHS: tuple[_Width, ...] = ("wide", "abbreviated")
_CONTEXTS: tuple[_Context, ...] = ("format", "stand-alone")
_NOON = 12 * 3600
# A variant of a language: a territory ("de_AT"), or a script with or without one ("sr_Latn",
# "sr_Latn_BA").
_VARIANT = re.compile(
    r"(?P<territory>[A-Z]{2}|\d{3})|(?P<script>[A-Z][a-z]{3})(?:_(?:[A-Z]{2}|\d{3}))?"
)
# A stem is a month name less its last letter, at least four letters long ("maij" of Latvian
# "maijs"), or less its last two, at least five long: shorter ones begin too many other words
# (Czech "květ", flower, of "květen").
_STEM_CUTS = ((1, 4), (2, 5))


@dataclass(frozen=True)
class Vocabulary:
    """Names keyed by `patterns.name_key`."""

    months: Mapping[str, int]
    """Month name -> 1..12."""
    weekdays: Mapping[str, int]
    """Weekday name -> 0 (Monday)..6."""
    periods: Mapping[str, bool]
    """Time-of-day word ("下午", "nachmittags", "de la tarde") -> True when it means p.m."""
    clock_words: Mapping[str, int]
    """Words that are a time by themselves ("noon", "minuit", "正午") -> the hour."""
    month_stems: Mapping[str, int]
    """Stems of declined month names ("oktobr" of Latvian "oktobris") -> 1..12, in languages
    that decline them."""


@lru_cache(maxsize=256)
def languages_to_read(languages: tuple[str, ...]) -> tuple[str, ...]:
    """`languages` as CLDR language codes ("de-CH" -> "de"), each once, English last."""
    codes = (re.split(r"[-_]", language, maxsplit=1)[0].lower() for language in languages)
    return tuple(dict.fromkeys([*(code for code in codes if code), "en"]))


@lru_cache(maxsize=1)
def bracketed_weekdays() -> Mapping[str, int]:
    """CJK weekdays as printed in brackets after a date: "(木)", "(월)", "（星期一）", "(周一)"."""
    names = dict(vocabulary(CJK_LANGUAGES).weekdays)
    for language in ("ja", "ko"):
        names |= {name: day for day, name in get_day_names("narrow", locale=language).items()}
    return MappingProxyType(names)


@lru_cache(maxsize=64)
def vocabulary(languages: tuple[str, ...]) -> Vocabulary:
    """The names of `languages` together; where two languages disagree the earlier one wins."""
    parts = [_language_vocabulary(language) for language in reversed(languages)]
    return Vocabulary(
        months=MappingProxyType({k: v for part in parts for k, v in part.months.items()}),
        weekdays=MappingProxyType({k: v for part in parts for k, v in part.weekdays.items()}),
        periods=MappingProxyType({k: v for part in parts for k, v in part.periods.items()}),
        clock_words=MappingProxyType({k: v for part in parts for k, v in part.clock_words.items()}),
        month_stems=MappingProxyType({k: v for part in parts for k, v in part.month_stems.items()}),
    )


@cache
def _language_vocabulary(language: str) -> Vocabulary:
    locales = language_locales(language)
    months = _unambiguous(
        (name, number)
        for name, number in _names(get_month_names, locales)
        if " " in name or not any(char.isdigit() for char in name)
    )
    months |= _prefixes(months)
    months |= _UNOFFICIAL_MONTHS.get(language, {})
    weekdays = _unambiguous(_names(get_day_names, locales))
    weekdays |= _UNOFFICIAL_WEEKDAYS.get(language, {})
    periods, clock_words = _day_periods(locales[0]) if locales else ({}, {})
    stems = _stems(months, weekdays) if locales and _declines(locales[0]) else {}
    return Vocabulary(months, weekdays, periods, clock_words, stems)


@lru_cache(maxsize=1)
def _locale_identifiers() -> tuple[str, ...]:
    return tuple(localedata.locale_identifiers())


@cache
def language_locales(language: str) -> tuple[str, ...]:
    """The language's own locale, then its regional ones and those of the scripts it is
    official in somewhere (Serbian in Latin letters; not English in Deseret), dialects left
    out."""
    if not localedata.exists(language):
        return ()
    variants = []
    for identifier in _locale_identifiers():
        variant = _VARIANT.fullmatch(identifier.removeprefix(language + "_"))
        if not identifier.startswith(language + "_") or variant is None:
            continue
        if variant["territory"] or f"{language}_{variant['script']}" in _official_scripts():
            variants.append(identifier)
    return (language, *variants)


@lru_cache(maxsize=1)
def _official_scripts() -> frozenset[str]:
    """Languages in a script ("sr_Latn") that CLDR lists as official in some territory."""
    territories: Mapping[str, Mapping[str, Mapping[str, Any]]] = get_global("territory_languages")
    return frozenset(
        language
        for spoken in territories.values()
        for language, facts in spoken.items()
        if facts.get("official_status") == "official"
    )


def _names(
    table: Callable[[_Width, _Context, str], Mapping[int, str]], locales: tuple[str, ...]
) -> Iterator[tuple[str, int]]:
    """Every name of a CLDR table (months or weekdays) in `locales`, widths and contexts."""
    for locale in locales:
        for width in _WIDTHS:
            for context in _CONTEXTS:
                for number, name in table(width, context, locale).items():
                    yield name, number


def _unambiguous(pairs: Iterator[tuple[str, int]]) -> dict[str, int]:
    """Names that mean one thing in the language; one that means two (Czech "čer" as June and
    July, say) is dropped."""
    found: dict[str, int] = {}
    clashes: set[str] = set()
    for name, value in pairs:
        key = name_key(name)
        if len(key) < 2:
            continue
        if found.setdefault(key, value) != value:
            clashes.add(key)
    return {key: value for key, value in found.items() if key not in clashes}


def _prefixes(months: Mapping[str, int]) -> dict[str, int]:
    owners: dict[str, set[int]] = {}
    for key, month in months.items():
        if len(key) > 3 and key[:3].isalpha():
            owners.setdefault(key[:3], set()).add(month)
    return {
        prefix: next(iter(found))
        for prefix, found in owners.items()
        if len(found) == 1 and prefix not in months
    }


_WEEKDAY_FIELDS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# How many first letters a declined weekday shares with its name ("pirmdienā", "pirmdiena").
_SHARED = 5


def _declines(locale: str) -> bool:
    """Whether CLDR shows the language declining names: a month's format (genitive) name that
    differs from its stand-alone one in its ending (Czech "října", "říjen"; not Catalan "de
    gener", "gener"), or a weekday declined in "last Monday" (Latvian "pagājušajā pirmdienā")."""
    formats = get_month_names("wide", "format", locale)
    alone = get_month_names("wide", "stand-alone", locale)
    for month, name in formats.items():
        other = alone.get(month, name)
        if name.isalpha() and other.isalpha() and name.lower() != other.lower():
            return True
    fields: Mapping[str, Any] = localedata.load(locale).get("date_fields", {})
    for day, field in enumerate(_WEEKDAY_FIELDS):
        names = {name.lower() for name, number in _names(get_day_names, (locale,)) if number == day}
        phrases: Mapping[int, str] = fields.get(field, {}).get("relative", {})
        words = {word for phrase in phrases.values() for word in phrase.lower().split()}
        if any(_declined(word, names) for word in words - names):
            return True
    return False


def _declined(word: str, names: set[str]) -> bool:
    return any(len(name) >= _SHARED and word[:_SHARED] == name[:_SHARED] for name in names)


def _stems(months: Mapping[str, int], weekdays: Mapping[str, int]) -> dict[str, int]:
    """Each wide month name less its last one or two letters, where that points to one month
    and is no name itself (Czech "červen" is June, though "července" less two is July's)."""
    owners: dict[str, set[int]] = {}
    for key, month in months.items():
        if not key.isalpha():
            continue
        for cut, shortest in _STEM_CUTS:
            stem = key[:-cut]
            if len(stem) >= shortest:
                owners.setdefault(stem, set()).add(month)
    return {
        stem: next(iter(found))
        for stem, found in owners.items()
        if len(found) == 1 and stem not in months and stem not in weekdays
    }


def _day_periods(locale: str) -> tuple[dict[str, bool], dict[str, int]]:
    data = localedata.load(locale)
    # Some locales ("ga") come without day period rules.
    rules: Mapping[str, Any] = data.get("day_period_rules", {}).get(None, {})
    periods: dict[str, bool] = {}
    clock_words: dict[str, int] = {}
    for context in _CONTEXTS:
        for width in _WIDTHS:
            for period, name in data["day_periods"][context][width].items():
                _add_period(period, name, rules, periods, clock_words)
    return periods, clock_words


def _add_period(
    period: str,
    name: str,
    rules: Mapping[str, Any],
    periods: dict[str, bool],
    clock_words: dict[str, int],
) -> None:
    key = name_key(name)
    if period in ("noon", "midnight"):
        hour = 12 if period == "noon" else 0
        clock_words[key] = hour
        # "del mediodía" is printed as plain "mediodía" too (but "meia-noite" is not "noite").
        article, _, word = key.rpartition(" ")
        if article and len(article) <= 3:
            clock_words.setdefault(word, hour)
    elif period in ("am", "pm"):
        # Latin "a.m."/"p. m." forms are read by the clock pattern itself.
        if re.sub(r"[\s.]", "", key) not in ("am", "pm"):
            periods[key] = period == "pm"
    else:
        # A rule is a list of {"from": seconds, "before": seconds} spans of the day.
        spans: list[Mapping[str, int]] = list(rules.get(period, ()))
        if spans and "from" in spans[0]:
            periods[key] = spans[0]["from"] >= _NOON
