"""The words CLDR's date and time patterns print around their fields, by where they stand.

Spanish "3 de junio de 2025", Lithuanian "2025 m. spalio 21 d.", Latvian "2025. gada 21.
oktobris", Basque "2025(e)ko urriaren 21(a)", Hebrew "21 באוקטובר 2025" (a preposition glued to
the month), Vietnamese "Thứ Ba, ngày 7 … năm 2025", Danish "tirsdag den 21.", Thai "วันอังคารที่
21" and the era Thai prints before the year ("ค.ศ. 2025"): each word is read from the date
patterns and date-only skeletons of a language's locales, so no language's words are typed here.
The date readers allow a word of the right place between two fields, and nowhere else.

Times have their words too: an hour word after the time (German "Uhr", Bulgarian "ч.", Vietnamese
"giờ", Thai "น."), a word before it (Low German "Kl."), a word between the two times of a range
(Persian "تا"), and am/pm before the hour (Hungarian "du. 2:30", Turkish "ÖS 2:30").
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Literal

from babel import Locale
from babel.dates import get_era_names, tokenize_pattern

from scrapers.when.names import CJK_LANGUAGES, language_locales, vocabulary
from scrapers.when.patterns import fold

__all__ = ["DateWords", "TimeWords", "date_words", "time_words"]


@dataclass(frozen=True)
class DateWords:
    """Words by the two fields they stand between, folded by `patterns.fold`, without a period
    at either end (the readers allow one)."""

    day_lead: frozenset[str] = frozenset()
    """Before the day, after a weekday or opening the date: Danish "den", Vietnamese "ngày",
    Hebrew "ה-", Thai "ที่" (glued to the weekday)."""
    day_month: frozenset[str] = frozenset()
    """Between the day and the month after it: "de", Maltese "ta'", Hebrew "ב"."""
    month_year: frozenset[str] = frozenset()
    """Between the month and the year after it: "de", Catalan "del", Vietnamese "năm", and the
    era where a pattern puts it there (Thai "ค.ศ.")."""
    year_lead: frozenset[str] = frozenset()
    """After a year that opens the date: Lithuanian "m.", Latvian "gada", Basque "(e)ko"."""
    day_end: frozenset[str] = frozenset()
    """After a day that closes the date or comes before its weekday: Lithuanian "d.", Basque
    "(a)"."""
    glued: frozenset[str] = frozenset()
    """Written without a space after a weekday or month name, which they end as a space would:
    Thai "วันอังคาร|ที่ 21", Basque "urria|ren 21"."""


@dataclass(frozen=True)
class TimeWords:
    """Words around a time of day, folded, without a period at either end."""

    hour_words: frozenset[str]
    """After the time: German "Uhr", Bulgarian "ч.", Vietnamese "giờ", Thai "น."."""
    leads: frozenset[str]
    """Before the time: Low German "Kl.", Lower Sorbian "zeg."."""
    connectors: frozenset[str]
    """Between the two times of a range: Persian "تا", Maori "ki te"."""
    first_periods: frozenset[str]
    """The am/pm names of languages that print them before the hour (Hungarian "du.")."""
    dotted: bool
    """Whether a language writes its short time with a dot (Danish "14.30")."""


# Babel's pattern letters by the field they print; any other letter (hours, quarters, weeks)
# makes a pattern no date pattern.
_FIELDS = {"G": "G", "y": "y", "Y": "y", "u": "y", "M": "M", "L": "M", "d": "d"}
_FIELDS |= {"E": "E", "c": "E", "e": "E"}
# Which slot a word between two fields is in; None is the start or end of the pattern.
_SLOTS = {
    (None, "d"): "day_lead",
    ("E", "d"): "day_lead",
    ("d", "M"): "day_month",
    ("M", "y"): "month_year",
    ("y", "M"): "year_lead",
    ("y", "d"): "year_lead",
    ("d", None): "day_end",
    ("d", "E"): "day_end",
}
_ERA_WIDTHS: tuple[Literal["abbreviated", "wide"], ...] = ("abbreviated", "wide")
_LETTER = re.compile(r"[^\W\d_]")
# Spaces, commas, periods and right-to-left marks around a word ("\u202fг.", ", ngày ").
_EDGES = re.compile(r"^[\s,.،\u200e\u200f]+|[\s,.،\u200e\u200f]+$")
_SPACES = re.compile(r"\s+")
_BRACKETED = re.compile(r"\(([^\W\d_]+)\)")


@lru_cache(maxsize=64)
def date_words(languages: tuple[str, ...]) -> DateWords:
    """The words of `languages` (CLDR codes) together; CJK dates are read by their own rule."""
    slots: dict[str, set[str]] = {slot: set() for slot in (*_SLOTS.values(), "glued")}
    for language in languages:
        if language not in CJK_LANGUAGES:
            for slot, words in _language_words(language).items():
                slots[slot] |= words
    return DateWords(**{slot: frozenset(words) for slot, words in slots.items()})


@cache
def _language_words(language: str) -> dict[str, frozenset[str]]:
    found: dict[str, set[str]] = {}
    for locale in language_locales(language):
        eras = _era_names(locale)
        for pattern in _date_patterns(locale):
            for slot, word in _placed(pattern, eras):
                found.setdefault(slot, set()).add(word)
    return {slot: frozenset(words) for slot, words in found.items()}


def _date_patterns(locale: str) -> Iterator[str]:
    data = Locale.parse(locale)
    for pattern in (*data.date_formats.values(), *data.datetime_skeletons.values()):
        yield pattern.pattern


def _era_names(locale: str) -> tuple[str, ...]:
    """The names of the Common Era (AD), the era of every Gregorian date; narrow ones ("A")
    are too short to tell from other words."""
    return tuple(get_era_names(width, locale=locale)[1] for width in _ERA_WIDTHS)


def _placed(pattern: str, eras: tuple[str, ...]) -> Iterator[tuple[str, str]]:
    """(slot, word) for each word between two fields of a date pattern. An era beside the year
    is read as words between the fields around it (Thai "d MMMM G y" has "ค.ศ." between month
    and year)."""
    previous: str | None = None
    chars = ""
    era = False
    for _, value in tokenize_pattern(pattern):
        if isinstance(value, str):
            chars += value
            continue
        letter, count = value
        field = _FIELDS.get(letter)
        if field is None:
            return
        if field == "G":
            era = True
            continue
        # Numeric months ("d.M.y") print no words the named readers need.
        field = "n" if field == "M" and count < 3 else field
        beside_year = "y" in (previous, field)
        yield from _slotted(previous, field, [chars, *(eras if era and beside_year else ())])
        if previous in ("E", "M") and _LETTER.match(chars):
            yield from (("glued", word) for word in _word_set(chars))
        previous, chars, era = field, "", False
    yield from _slotted(previous, None, [chars, *(eras if era and previous == "y" else ())])


def _slotted(
    previous: str | None, following: str | None, texts: list[str]
) -> Iterator[tuple[str, str]]:
    slot = _SLOTS.get((previous, following))
    if slot is None:
        return
    for text in texts:
        # Hyphens stay (Hebrew "ה-21"); a period at either end is left to the readers.
        for word in _word_set(text):
            yield slot, word


# Pattern letters of a time without seconds: hours, minutes, am/pm and day periods.
_HOUR, _MINUTE, _PERIOD = "hHkK", "m", "abB"
# The time patterns read: the locale's short time and the skeletons of an hour with or without
# minutes, on a 24- or 12-hour clock.
_TIME_SKELETONS = ("H", "Hm", "h", "hm")


@lru_cache(maxsize=64)
def time_words(languages: tuple[str, ...]) -> TimeWords:
    """The time words of `languages` (CLDR codes) together."""
    parts = [_language_time_words(language) for language in languages]
    return TimeWords(
        hour_words=frozenset(word for part in parts for word in part.hour_words),
        leads=frozenset(word for part in parts for word in part.leads),
        connectors=frozenset(word for part in parts for word in part.connectors),
        first_periods=frozenset(word for part in parts for word in part.first_periods),
        dotted=any(part.dotted for part in parts),
    )


@cache
def _language_time_words(language: str) -> TimeWords:
    locales = language_locales(language)
    hour_words: set[str] = set()
    leads: set[str] = set()
    connectors: set[str] = set()
    period_first = dotted = False
    for locale in locales:
        data = Locale.parse(locale)
        skeletons = data.datetime_skeletons
        short = data.time_formats["short"].pattern
        if locale == language:
            # "HH.mm": the separator between the hour and minute fields is a dot.
            dotted = _time_parts(short)[1][1:2] == ["."]
        patterns = [short, *(skeletons[key].pattern for key in _TIME_SKELETONS if key in skeletons)]
        for letters, texts in map(_time_parts, patterns):
            if not letters:
                continue
            leads |= _word_set(texts[0])
            if letters[-1] in _HOUR + _MINUTE:
                hour_words |= _word_set(texts[-1])
            period_first |= letters[0] in _PERIOD
        connectors |= _word_set(_range_between(data.interval_formats.get(None)))
    periods = frozenset(vocabulary((language,)).periods) if period_first else frozenset()
    return TimeWords(
        frozenset(hour_words), frozenset(leads), frozenset(connectors), periods, dotted
    )


def _time_parts(pattern: str) -> tuple[str, list[str]]:
    """The letters of a time pattern's fields and the texts around them (one more than the
    letters); no letters when it has a field other than hour, minute and am/pm."""
    texts = [""]
    letters = ""
    for _, value in tokenize_pattern(pattern):
        if isinstance(value, str):
            texts[-1] += value
            continue
        letter = value[0]
        if letter not in _HOUR + _MINUTE + _PERIOD:
            return "", []
        letters += letter
        texts.append("")
    return letters, texts


def _range_between(fallback: object) -> str:
    """The text between the two ends of CLDR's fallback range ("{0} تا {1}")."""
    if not isinstance(fallback, str):
        return ""
    return fallback.partition("{0}")[2].partition("{1}")[0]


def _word_set(text: str) -> set[str]:
    """The word in `text`, without the spaces and punctuation around it; none for no letter.
    Letters CLDR puts in brackets are printed or not, depending on the number ("2025(e)ko" is
    "2025eko", "2021(e)ko" is "2021ko"): the word comes as CLDR writes it and both ways."""
    word = _SPACES.sub(" ", _EDGES.sub("", fold(text)))
    words = (word, _BRACKETED.sub(r"\1", word), _BRACKETED.sub("", word))
    return {written for written in words if _LETTER.search(written)}
