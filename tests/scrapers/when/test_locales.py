"""find_whens on dates as CLDR prints them in many languages.

Each locale formats a few fixed days with Babel: full, long and medium dates, alone and joined to
the locale's short time by its own date-time pattern, then a range of times on the locale's own
clock. The strings come from Babel, not from this file, so the tests are about the rules (CLDR
names and words, field orders, time words), not about chosen strings.

Babel formats every locale in the Gregorian calendar with ASCII digits. Pages in Persian and Thai
often use the Solar Hijri calendar and the Buddhist era instead; those years are not read (Thai
"2568" is no year), so only the Gregorian dates of those locales are tested. Native digits are
tested by replacing the ASCII ones.
"""

from __future__ import annotations

import datetime
import re
from typing import Literal

import pytest
from babel import localedata
from babel.dates import (
    format_date,
    format_interval,
    format_time,
    get_date_format,
    get_datetime_format,
    get_time_format,
)

from scrapers.when import DateStyle, When, find_whens, page_style

LOCALES = (
    # The languages of the European Union
    "bg", "cs", "da", "de", "el", "en", "es", "et", "fi", "fr", "ga", "hr", "hu", "it", "lt",
    "lv", "mt", "nl", "pl", "pt", "ro", "sk", "sl", "sv",
    # Regional variants
    "de_AT", "de_CH", "en_GB", "en_IE", "en_US", "es_ES", "es_MX", "fr_CA", "pt_BR", "pt_PT",
    # Nordic
    "fo", "is", "nb", "nn",
    # Slavic beyond the EU (Serbian in both scripts)
    "be", "bs", "mk", "ru", "sr", "sr_Latn", "uk",
    # Elsewhere
    "af", "ar", "az", "bn", "ca", "cy", "eu", "fa", "fil", "gl", "he", "hi", "hy", "id", "ja",
    "ka", "kk", "ko", "mr", "ms", "sq", "sw", "ta", "th", "tr", "ur", "uz", "vi", "zh", "zh_Hant",
    "zu",
)  # fmt: skip
# A Tuesday, a Wednesday in January (a one-digit day and month), a Saturday at a whole hour, and
# a time past noon (12-hour clocks print 12:45 p.m.).
DAYS = (
    datetime.datetime(2025, 10, 21, 14, 30),
    datetime.datetime(2026, 1, 7, 9, 5),
    datetime.datetime(2025, 5, 3, 18, 0),
    datetime.datetime(2026, 2, 28, 12, 45),
)
Width = Literal["full", "long", "medium"]
WIDTHS: tuple[Width, ...] = ("full", "long", "medium")
# The first digit of the numbering systems CLDR names as native for the locales above.
ZEROS = {"arab": "٠", "arabext": "۰", "beng": "০", "deva": "०", "thai": "๐"}

# (year, month, day, "HH:MM" or None, weekday or None)
Read = tuple[int | None, int, int, str | None, int | None]


def style_of(locale: str) -> DateStyle:
    """The style of a page in `locale`, from its <html lang> alone."""
    return page_style(locale.replace("_", "-"), None, None)


def with_time(width: Width, moment: datetime.datetime, locale: str) -> str:
    """The date of `width` and the short time, joined as CLDR joins them ("{1}, {0}")."""
    # Babel types the date-time pattern as a pattern object; CLDR gives a string ("{1}, {0}").
    joined = str(get_datetime_format(width, locale=locale)).replace("'", "")
    time = format_time(moment, "short", locale=locale)
    return joined.replace("{0}", time).replace("{1}", format_date(moment, width, locale=locale))


def read(text: str, style: DateStyle) -> tuple[Read | None, str]:
    """What the one date of `text` reads as, and the text left around it (empty when more or
    fewer than one date is found)."""
    whens = find_whens(text, style)
    if len(whens) != 1:
        return None, ""
    when = whens[0]
    return _read(when), text[: when.start] + " " + text[when.end :]


def _read(when: When) -> Read:
    day, clock = when.day, when.clock
    begin = clock.begin.strftime("%H:%M") if clock else None
    return day.year, day.month, day.day, begin, day.weekday


def expected(moment: datetime.datetime, *, timed: bool, weekday: bool) -> Read:
    begin = moment.strftime("%H:%M") if timed else None
    return moment.year, moment.month, moment.day, begin, moment.weekday() if weekday else None


def misread(locale: str, digits: str = "0123456789") -> list[tuple[str, Read | None]]:
    """The texts of `locale` read wrongly: another date, time or weekday, more than one date, or
    a digit left outside the date's span."""
    style = style_of(locale)
    table = str.maketrans("0123456789", digits)
    wrong = []
    for moment in DAYS:
        for width in WIDTHS:
            weekday = re.search(r"[Ec]", get_date_format(width, locale=locale).pattern) is not None
            for text, timed in (
                (format_date(moment, width, locale=locale), False),
                (with_time(width, moment, locale), True),
            ):
                text = text.translate(table)
                found, rest = read(text, style)
                want = expected(moment, timed=timed, weekday=weekday)
                if found != want or any(char.isdigit() for char in rest):
                    wrong.append((text, found))
    return wrong


@pytest.mark.parametrize("locale", LOCALES)
def test_dates_as_cldr_prints_them(locale: str) -> None:
    assert misread(locale) == []


def _native_digits(locale: str) -> str | None:
    native = localedata.load(locale).get("numbering_systems", {}).get("native")
    zero = ZEROS.get(native or "")
    return None if zero is None else "".join(chr(ord(zero) + digit) for digit in range(10))


@pytest.mark.parametrize(
    "locale", [locale for locale in LOCALES if _native_digits(locale) is not None]
)
def test_dates_in_native_digits(locale: str) -> None:
    digits = _native_digits(locale)
    assert digits is not None
    assert misread(locale, digits) == []


def test_native_digits_cover_arabic_persian_and_indic_scripts() -> None:
    native = {locale for locale in LOCALES if _native_digits(locale) is not None}
    assert {"ar", "fa", "hi", "bn", "mr", "th", "ur"} <= native


# Babel cannot format the "B" day periods ("下午", "in the afternoon") of Traditional Chinese's
# 12-hour ranges; its 24-hour ranges are read instead.
NO_12_HOUR_RANGE = frozenset({"zh_Hant"})


@pytest.mark.parametrize("locale", LOCALES)
def test_time_ranges_as_cldr_prints_them(locale: str) -> None:
    start, end = datetime.datetime(2025, 10, 21, 14, 30), datetime.datetime(2025, 10, 21, 16, 0)
    twelve = "h" in get_time_format("short", locale=locale).pattern
    skeleton = "hm" if twelve and locale not in NO_12_HOUR_RANGE else "Hm"
    hours = format_interval(start.time(), end.time(), skeleton, locale=locale)
    text = f"{format_date(start, 'long', locale=locale)}, {hours}"
    [when] = find_whens(text, style_of(locale))
    assert when.clock is not None, text
    assert (when.clock.begin, when.clock.finish) == (start.time(), end.time()), text
