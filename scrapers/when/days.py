"""Calendar days in free text: "Tuesday, Sept. 12", "12. Mai 2025", "3 de junio de 2025",
"2025年5月12日（星期一）", "15.01.2026", "9/1", "2025-05-12", "2025. 10. 21.", and day ranges
("March 17–20, 2026", "du 17 au 20 mars 2026", "Tue, Mar 17, 2026 – Fri, Mar 20, 2026").

Two regexes per language set (built once from CLDR names) read the folded text: one for dates
that start with a name, searched from the names' trie so the engine skips every position where
no name starts, and one for dates that start with a digit, tried only where a digit run starts.
Numeric dates follow the style's order (day/month or month/day); dotted ones are always day first
("15.1."), year-first ones ("2025/05/12") are unambiguous.

Named dates come in the orders CLDR's patterns print: day month year, month day year, year month
day ("2025 m. spalio 21 d.") and year day month ("2025. gada 21. oktobris"), with the words those
patterns put between two fields (`literals.date_words`) allowed there. After a day number a month
may be declined (Latvian "14. oktobrī"): a month stem with a short ending.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace
from functools import lru_cache

from scrapers.when.guards import labelled_number
from scrapers.when.literals import DateWords, date_words
from scrapers.when.mentions import DayMention
from scrapers.when.names import CJK_LANGUAGES, bracketed_weekdays, languages_to_read, vocabulary
from scrapers.when.patterns import LETTER_AFTER, LETTER_BEFORE, alternation, fold, name_key
from scrapers.when.style import DateStyle

__all__ = ["find_days", "find_days_in"]

_YEAR = r"(?:19|20|21)\d\d(?!\d)"
# After a day and month, a year may be of the Buddhist era Thai pages count in (2568 is 2025);
# a year that leads ("2568, March 3") is a number.
_LATE_YEAR = r"(?:19|20|21|25)\d\d(?!\d)"
_BUDDHIST_ERA = 543
_SHORT_YEAR = r"\d\d(?!\d)"
_ORDINAL = rf"(?:(?:st|nd|rd|th|er|re|eme|e|º|ª|°){LETTER_AFTER}|\.)?"
# A number followed by these is an hour ("March 3pm" is not March 3), not a day.
_NOT_AN_HOUR = (
    rf"(?!\s?(?:[ap]\.?\s?m{LETTER_AFTER}|[:：]\d|h\d|h{LETTER_AFTER}|uhr|uur|[時时点點시]))"
)
_RANGE = r"(?:\s*[-–—~〜]\s*|\s+(?:to|au|bis|al|a|till|until|through|thru|tot|t/m|ate)\s+)"
_NUMBER_BEFORE = r"(?<![\w.,/-])"
_ARTICLES = ("the", "le", "den", "der", "el", "il")
# English words that are also months; in lower case they are the words ("it may 3 times").
_WORDS_NOT_MONTHS = frozenset({"may", "march"})
# Arabic-script dates put their own comma where others put one ("الثلاثاء، 21 أكتوبر").
_COMMA = "[,،]"
# Right-to-left marks that Arabic and Persian dates carry around their separators ("21‏/10‏/2025").
_BIDI = "[\u200e\u200f\u061c]?"
# The short ending of a declined month: "oktobr|ī", "říjn|u", "lokakuu|ssa".
_ENDING = r"[^\W\d_]{0,3}"


def _word(words: Collection[str]) -> str:
    """One of `words` and the period that may close it ("m.", "ค.ศ."); nothing for none."""
    return rf"(?:{alternation(words)})\.?" if words else "(?!)"


def _optional(pattern: str, words: frozenset[str]) -> str:
    """`pattern` (holding the words) as an optional part, or nothing when there are no words."""
    return f"(?:{pattern})?" if words else ""


def _day(group: str, *, first: bool = True) -> str:
    guard = rf"(?<![\d.,:/]){LETTER_BEFORE}" if first else ""
    return rf"{guard}(?P<{group}>[0-3]?\d)(?!\d){_NOT_AN_HOUR}{_ORDINAL}"


def _name_end(words: DateWords) -> str:
    """The end of a weekday or month name: no letter after it, unless CLDR glues a word to it
    (Thai "วันอังคาร|ที่ 21", Basque "urria|ren 21"); then its period."""
    return _optional(alternation(words.glued), words.glued) + LETTER_AFTER + r"\.?"


def _day_end(words: DateWords) -> str:
    """The word after a day that closes a date: Lithuanian "21 d.", Basque "21(a)"."""
    return _optional(rf"\s?{_word(words.day_end)}{LETTER_AFTER}", words.day_end)


def _month_tail(prefix: str, words: DateWords) -> str:
    """What follows a month name: "Sept. 12", "March 17–20, 2026", "Feb 3rd"."""
    return (
        rf"{_COMMA}?\s*"
        + _day(f"{prefix}d", first=False)
        + _day_end(words)
        + rf"(?:{_RANGE}{_day(f'{prefix}d2', first=False)})?"
        + rf"(?:\s*{_COMMA}?\s*(?P<{prefix}y>{_LATE_YEAR}))?"
    )


def _digit_forms(months: str, words: DateWords) -> str:
    """The forms that start with a digit; `months` matches the month names and their declined
    forms."""
    month_end = _name_end(words)
    day_month = _word({"of", "de", "del", "di", *words.day_month})
    day_first = (
        _day("bd")
        + rf"(?:{_RANGE}{_day('bd2', first=False)})?"
        + rf"(?:\s*{day_month}\s*|\s*[-/]\s*|\s*)"
        + rf"(?P<bm>{months}){month_end}"
        + rf"(?:(?:\s*,?\s+{_word({'de', 'del', *words.month_year})}\s*|\s*[-/]\s*"
        + rf"|\s*{_COMMA}?\s*)"
        + rf"(?P<by>{_LATE_YEAR}))?"
    )
    year_lead = _word(words.year_lead)
    year_first = (
        rf"(?<![\d.,:/])(?P<cy>{_YEAR})\.?,?(?:\s*{year_lead}\s*|\s+)"
        + rf"(?P<cm>{months}){month_end}\s*"
        + _day("cd")
        + _day_end(words)
    )
    # Only with the word that says the year comes first ("2025. gada 21. oktobris"): a bare
    # "2025 21 October" is two things.
    year_day = (
        rf"(?<![\d.,:/])(?P<ey>{_YEAR})\.?,?\s*{year_lead}\s*"
        + _day("ed", first=False)
        + rf"(?:\s*{day_month}\s*|\s*)"
        + rf"(?P<em>{months}){month_end}"
    )
    # "2025. 10. 21." (Korean, Hungarian) spaces its dots.
    iso = (
        rf"{_NUMBER_BEFORE}(?P<iy>{_YEAR})(?P<isep>[-/]|\.\s?)(?P<im>[01]?\d)(?P=isep)"
        r"(?P<id>[0-3]?\d)(?!\d|[./-]\d)"
    )
    dotted = (
        rf"{_NUMBER_BEFORE}(?P<gd>[0-3]?\d)\.\s?(?P<gm>[01]?\d)\."
        rf"(?:\s?(?P<gy>{_LATE_YEAR}|{_SHORT_YEAR}))?(?!\d|\.\d)"
    )
    slashed = (
        rf"{_NUMBER_BEFORE}(?P<na>[0-3]?\d){_BIDI}/(?P<nb>[0-3]?\d)"
        rf"(?:{_BIDI}/(?P<ny>{_LATE_YEAR}|{_SHORT_YEAR}))?(?!\d|[./]\d){_NOT_AN_HOUR}"
    )
    dashed = (
        rf"{_NUMBER_BEFORE}(?P<ha>[0-3]?\d)-(?P<hb>[0-3]?\d)-(?P<hy>{_YEAR}|{_SHORT_YEAR})"
        r"(?!\d|[.-]\d)"
    )
    forms = (day_first, year_first, year_day if words.year_lead else None, iso, dotted, slashed)
    return "|".join(form for form in (*forms, dashed) if form)


def _cjk_form(cjk_weekdays: str, bracketed: str) -> str:
    return (
        r"(?:(?P<kera>令和|平成)\s*(?P<key>\d{1,2}|元)\s*年\s*"
        rf"|(?P<ky>{_YEAR})\s*[年년]\s*)?"
        r"(?<!\d)(?P<km>[01]?\d)\s*[月월]\s*(?P<kd>[0-3]?\d)\s*[日号號일]"
        r"(?:\s*[-–—~〜～至到]\s*(?:(?P<km2>[01]?\d)\s*[月월]\s*)?(?P<kd2>[0-3]?\d)\s*[日号號일])?"
        rf"(?:\s*[（(]\s*(?P<kwb>{bracketed})\s*[)）]|\s*(?P<kw>{cjk_weekdays}))?"
    )


def _weekday_after(weekdays: str, months: str) -> str:
    """A weekday after the date: "May 12 (Mon)", "12 Mayıs 2025 Pazartesi", "május 12., hétfő",
    but not the weekday of the next date ("Sat, Dec 6, 2025 Sun, Dec 7, 2025")."""
    return (
        rf"(?:\s*\(\s*(?P<wa>{weekdays}){LETTER_AFTER}\.?\s*\)"
        rf"|{_COMMA}?\s+(?P<wt>{weekdays}){LETTER_AFTER}\.?"
        rf"(?!{_COMMA}?\s*(?:{months}|\d+(?![\d:]))))?"
    )


@dataclass(frozen=True)
class _Reader:
    by_name: re.Pattern[str]
    """Dates that start with a month ("Sept. 12") or a weekday before any form ("Tuesday,
    Sept. 12", "Thu 12 Mar", "Di., 3.6.2025"). It starts with the names' trie, so the engine
    tries only positions where a name may start."""
    by_month: re.Pattern[str]
    """Dates that start with a month, for a month `by_name` took for a weekday."""
    by_digit: re.Pattern[str]
    """Dates that start with a digit (or a Japanese era), tried where a digit run starts."""
    months: Mapping[str, int]
    weekdays: Mapping[str, int]
    stems: Mapping[str, int]
    """Stems of declined month names, read after a day number."""
    not_months: frozenset[str]
    """Lower-case English words that are months too, when no other language of the page has
    them as months (Spanish "may" is May)."""


@lru_cache(maxsize=64)
def _reader(languages: tuple[str, ...]) -> _Reader:
    codes = languages_to_read(languages)
    names = vocabulary(codes)
    words = date_words(codes)
    months, weekdays = alternation(names.months), alternation(names.weekdays)
    declined = months
    if names.month_stems:
        declined = rf"(?:{months}|{alternation(names.month_stems)}{_ENDING})"
    digit_forms = _digit_forms(declined, words)
    after_weekday = rf"{digit_forms}|(?P<xm>{months}){_name_end(words)}{_month_tail('x', words)}"
    by_name = (
        rf"(?P<name>{alternation({*names.months, *names.weekdays})})"
        + _name_end(words)
        + rf"(?:{_COMMA}?\s*(?:{_word({*_ARTICLES, *words.day_lead})}\s*)?(?:{after_weekday})"
        + rf"|{_month_tail('a', words)})"
        + _weekday_after(weekdays, months)
    )
    by_month = (
        rf"(?P<name>{months})"
        + _name_end(words)
        + _month_tail("a", words)
        + _weekday_after(weekdays, months)
    )
    foreign_months = vocabulary(tuple(code for code in codes if code != "en")).months
    by_digit = (
        rf"(?:{digit_forms}){_weekday_after(weekdays, months)}"
        + "|"
        + _cjk_form(
            alternation(vocabulary(CJK_LANGUAGES).weekdays), alternation(bracketed_weekdays())
        )
    )
    return _Reader(
        re.compile(by_name),
        re.compile(by_month),
        re.compile(by_digit),
        names.months,
        names.weekdays,
        names.month_stems,
        frozenset(word for word in _WORDS_NOT_MONTHS if word not in foreign_months),
    )


def find_days(text: str, style: DateStyle = DateStyle()) -> list[DayMention]:
    """Every calendar day printed in `text`, in order; a range of days is one mention."""
    return find_days_in(text, fold(text), style)


_SEEDS = re.compile(r"[\d令平]\d*")
_LETTER = re.compile(r"[^\W\d_]")


def find_days_in(text: str, folded: str, style: DateStyle) -> list[DayMention]:
    """`find_days` on `text` already folded by `patterns.fold` (the readers share one fold)."""
    seeds = list(_SEEDS.finditer(folded))
    if not seeds:
        return []
    reader = _reader(style.languages)
    matches = _matches(reader, folded, seeds)
    day_first = style.day_first if style.day_first is not None else _proven_day_first(matches)
    found: list[DayMention] = []
    for match in matches:
        mention = _read(match, text, folded, reader, day_first)
        if mention is not None:
            found.append(mention)
    return _join_ranges(found, folded)


def _matches(reader: _Reader, folded: str, seeds: list[re.Match[str]]) -> list[re.Match[str]]:
    """The non-overlapping matches of both patterns, in order."""
    named = _named_matches(reader, folded)
    found: list[re.Match[str]] = []
    covered = 0
    for seed in seeds:
        while named and named[0].start() <= seed.start():
            by_name = named.pop(0)
            if by_name.start() >= covered:
                found.append(by_name)
                covered = by_name.end()
        if seed.start() < covered or _cannot_start(folded, seed):
            continue
        match = reader.by_digit.match(folded, seed.start())
        if match is not None:
            found.append(match)
            covered = match.end()
    found.extend(match for match in named if match.start() >= covered)
    return found


# Every form starting with a digit wants no Latin letter, digit or date separator before it
# (CJK ones may follow CJK text: "于2025年"), and none goes on with a colon (that is a time).
_NOT_BEFORE = frozenset("abcdefghijklmnopqrstuvwxyz.,:/-")


def _cannot_start(folded: str, seed: re.Match[str]) -> bool:
    start, end = seed.span()
    return (start > 0 and folded[start - 1] in _NOT_BEFORE) or folded[end : end + 1] == ":"


def _named_matches(reader: _Reader, folded: str) -> list[re.Match[str]]:
    found = []
    position = 0
    while (match := reader.by_name.search(folded, position)) is not None:
        start = match.start()
        if start and _LETTER.match(folded, start - 1):
            position = start + 1
            continue
        if match["ad"] is None and name_key(match["name"]) not in reader.weekdays:
            # "Sep 5 Oct 3": a month taken for a weekday before "5 Oct" is a month.
            match = reader.by_month.match(folded, start)
            if match is None:
                position = start + 1
                continue
        found.append(match)
        position = match.end()
    return found


def _proven_day_first(matches: list[re.Match[str]]) -> bool:
    """Day first only when numeric dates prove it (a first number above 12) more often than
    they prove the opposite; month first otherwise."""
    day_votes = month_votes = 0
    for match in matches:
        groups = match.groupdict()
        for first, second in (("na", "nb"), ("ha", "hb")):
            if groups.get(first) is not None:
                day_votes += int(match[first]) > 12
                month_votes += int(match[second]) > 12
    return day_votes > month_votes


_Parts = tuple[int | None, int, int, tuple[int | None, int, int] | None]


def _read(
    match: re.Match[str], text: str, folded: str, reader: _Reader, day_first: bool
) -> DayMention | None:
    groups = match.groupdict()
    parts = _parts(groups, match, text, folded, reader, day_first)
    if parts is None:
        return None
    year, month, day, last = parts
    if year is not None and year >= 2500:
        year -= _BUDDHIST_ERA
        last = (year, *last[1:]) if last is not None else None
    if not _exists(year, month, day) or (last is not None and not _exists(*last)):
        return None
    weekday = _weekday(groups, reader)
    if groups.get("name") is not None and groups.get("ad") is None:
        weekday = reader.weekdays.get(name_key(groups["name"]))
        if weekday is None:
            return None
    return DayMention(match.start(), match.end(), year, month, day, weekday, last)


def _parts(
    groups: dict[str, str | None],
    match: re.Match[str],
    text: str,
    folded: str,
    reader: _Reader,
    day_first: bool,
) -> _Parts | None:
    if groups.get("ad") is not None:
        return _named(match, text, reader, ("name", "ad", "ad2", "ay"))
    if groups.get("xd") is not None:
        return _named(match, text, reader, ("xm", "xd", "xd2", "xy"))
    if groups["bd"] is not None:
        return _named(match, text, reader, ("bm", "bd", "bd2", "by"))
    if groups["cy"] is not None:
        return _named(match, text, reader, ("cm", "cd", None, "cy"))
    if groups.get("ey") is not None:
        return _named(match, text, reader, ("em", "ed", None, "ey"))
    if groups["iy"] is not None:
        return int(match["iy"]), int(match["im"]), int(match["id"]), None
    if groups["gd"] is not None:
        if labelled_number(folded, match.start("gd")):
            return None
        return _full_year(groups["gy"]), int(match["gm"]), int(match["gd"]), None
    if groups["na"] is not None:
        return _slashed(match, folded, day_first)
    if groups["ha"] is not None:
        if labelled_number(folded, match.start("ha")):
            return None
        year = _full_year(match["hy"])
        return _ordered(int(match["ha"]), int(match["hb"]), year, day_first)
    return _cjk(groups)


def _named(
    match: re.Match[str], text: str, reader: _Reader, groups: tuple[str, str, str | None, str]
) -> _Parts | None:
    month_group, day_group, last_group, year_group = groups
    if text[match.start(month_group) : match.end(month_group)] in reader.not_months:
        return None
    month = _month(match[month_group], reader)
    if month is None:
        return None
    year = _int(match[year_group])
    day = int(match[day_group])
    last_day = _int(match[last_group]) if last_group else None
    last = (year, month, last_day) if last_day is not None and last_day > day else None
    return year, month, day, last


def _month(name: str, reader: _Reader) -> int | None:
    key = name_key(name)
    month = reader.months.get(key)
    if month is not None:
        return month
    # A declined form: the longest stem it starts with, less an ending of up to three letters.
    stems = (key[:end] for end in range(len(key), max(len(key) - 4, 0), -1))
    return next((reader.stems[stem] for stem in stems if stem in reader.stems), None)


def _slashed(match: re.Match[str], folded: str, day_first: bool) -> _Parts | None:
    if labelled_number(folded, match.start("na")):
        return None
    first, second, year = int(match["na"]), int(match["nb"]), match["ny"]
    if year is None and _fraction(folded, match, first, second):
        return None
    return _ordered(first, second, _full_year(year), day_first)


def _cjk(groups: dict[str, str | None]) -> _Parts | None:
    year = _int(groups["ky"])
    era = groups["kera"]
    if era is not None:
        era_year = 1 if groups["key"] == "元" else int(groups["key"] or 0)
        # Reiwa 1 is 2019, Heisei 1 is 1989.
        year = era_year + (2018 if era == "令和" else 1988)
    month, day = int(groups["km"] or 0), int(groups["kd"] or 0)
    last_day = _int(groups["kd2"])
    last_month = _int(groups["km2"]) or month
    last = None
    if last_day is not None and (last_month, last_day) > (month, day):
        last = (year, last_month, last_day)
    return year, month, day, last


def _weekday(groups: dict[str, str | None], reader: _Reader) -> int | None:
    after = groups.get("wa") or groups.get("wt")
    if after is not None:
        return reader.weekdays.get(name_key(after))
    for group in ("kw", "kwb"):
        name = groups.get(group)
        if name is not None:
            return bracketed_weekdays().get(name)
    return None


# "1/2 cup", "3/4 of the room": a proper fraction with a small denominator, then a word.
_WORD_AFTER = re.compile(r"\s+[^\W\d_]")
_DIGIT_BEFORE = re.compile(r"\d\s$")


def _fraction(folded: str, match: re.Match[str], first: int, second: int) -> bool:
    if _DIGIT_BEFORE.search(folded, max(0, match.start() - 2), match.start()):
        return True
    proper = first < second and second in (2, 3, 4, 8, 16)
    return proper and _WORD_AFTER.match(folded, match.end()) is not None


def _ordered(first: int, second: int, year: int | None, day_first: bool) -> _Parts:
    day, month = (first, second) if day_first else (second, first)
    if not _exists(year, month, day) and _exists(year, day, month):
        # "25/12" in a month-first text: only one reading is a date.
        day, month = month, day
    return year, month, day, None


def _int(value: str | None) -> int | None:
    return None if value is None else int(value)


def _full_year(value: str | None) -> int | None:
    if value is None:
        return None
    year = int(value)
    if year >= 100:
        return year
    return year + (2000 if year < 70 else 1900)


def _exists(year: int | None, month: int, day: int) -> bool:
    if not 1 <= month <= 12 or day < 1:
        return False
    # Without a year, February 29 may exist: take a leap year.
    return day <= calendar.monthrange(2000 if year is None else year, month)[1]


_RANGE_BETWEEN = re.compile(_RANGE)


def _join_ranges(found: list[DayMention], folded: str) -> list[DayMention]:
    """Two days with only a range sign between them ("Mar 30 – Apr 2, 2026") are one range."""
    joined: list[DayMention] = []
    for mention in found:
        previous = joined[-1] if joined else None
        if (
            previous is not None
            and previous.last is None
            and mention.last is None
            and _RANGE_BETWEEN.fullmatch(folded, previous.end, mention.start)
        ):
            joined[-1] = _range(previous, mention)
        else:
            joined.append(mention)
    return joined


def _range(first: DayMention, last: DayMention) -> DayMention:
    later = (last.month, last.day) > (first.month, first.day)
    first_year, last_year = first.year, last.year
    if first_year is None and last_year is not None:
        first_year = last_year if later else last_year - 1
    elif last_year is None and first_year is not None:
        last_year = first_year if later else first_year + 1
    return replace(first, end=last.end, year=first_year, last=(last_year, last.month, last.day))
