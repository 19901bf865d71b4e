"""Times of day and their ranges in free text: "2 p.m.", "11:30 a.m.", "noon", "12 noon", "6p",
"11.15am", "16:15 Uhr", "18 Uhr", "14h30", "14 h 30", "ore 14", "下午3点", "午後2時", "14時30分",
"오후 2시", "1-2pm", "1:30–2:30 p.m.", "von 16 bis 18 Uhr", "de 14:00 a 16:00", "15:00〜16:30",
with "c.t."/"s.t." and a printed zone ("4pm ET", "16:00 CEST").

A bare number is never a time: it needs minutes after a colon, a.m./p.m., an hour word ("Uhr",
"h", "uur", "時", "点"), a time-of-day word ("下午", "nachmittags", "de la tarde"), or a word that
only times follow ("ore", "alle", "kl.", "klo", "a las"). "16.15" is a time only with such a mark,
as part of a range of dotted times ("16.15–17.45"), or right after a day in a language whose CLDR
clock has a dot (Danish, Finnish, Indonesian: "21. oktober 2025 14.30"). The start of a range may
be bare when its end is marked ("1-2pm", "16-18 Uhr"), and shares the end's a.m./p.m. unless that
puts it after the end ("11-12pm" is 11:00–12:00).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from scrapers.when.literals import time_words
from scrapers.when.mentions import ClockMention
from scrapers.when.names import CJK_LANGUAGES, languages_to_read, vocabulary
from scrapers.when.patterns import LETTER_AFTER, alternation, fold, name_key
from scrapers.when.style import DateStyle
from scrapers.when.zones import zone_after, zone_before

__all__ = ["find_clocks", "find_clocks_in"]

# Words after which a bare hour is a time ("ore 14", "alle 16", "kl. 14", "a las 4"), with those
# CLDR's time patterns print before the time. Not Portuguese "às": folded it is English "as" ("as
# 3 people").
_LEADS = ("ore", "alle", "dalle", "kl", "klo", "a la", "a las", "godz")
# Between two times "às" (folded: "as") is safe: "14h às 15h"; so are the Slavic "do"/"до",
# Nordic "til", Greek "έως", Vietnamese "đến", Indonesian "sampai", Hebrew "עד" (all folded), and
# the words of CLDR's ranges (Persian "تا").
_CONNECTORS = (
    "to", "till", "until", "bis", "a", "as", "au", "al", "alle", "tot", "ate", "e", "y", "do",
    "до", "til", "εως", "ως", "đen", "toi", "sampai", "hingga", "s.d.", "s/d", "עד",
)  # fmt: skip
# Words after an hour that make it a time ("18 Uhr", "14h"), with those of CLDR's time patterns.
_HOUR_WORDS = ("uhr", "uur", "hrs", "hs", "h", "horas", "heures", "o'clock")


def _token(prefix: str, periods: str, clock_words: str, hour_words: str) -> str:
    """One time of day; groups are prefixed "s" (start) or "e" (end)."""
    p = prefix
    return (
        rf"(?P<{p}>(?:(?P<{p}pre>{periods})\.?\s*)?"
        rf"(?:(?P<{p}word>(?:12\s*)?(?:{clock_words})){LETTER_AFTER}"
        rf"|(?<![\d.:/,])(?P<{p}h>[0-2]?\d)(?!\d)"
        rf"(?:(?P<{p}sep>[:：.])(?P<{p}mi>[0-5]\d)(?:[:：][0-5]\d)?(?!\d|[.:]\d)"
        rf"|\s?h\s?(?P<{p}hm>[0-5]\d)(?!\d)"
        rf"|\s*(?P<{p}cjk>[時时点點시])(?:\s*(?P<{p}cm>[0-5]?\d)\s*[分분]|(?P<{p}half>半))?)?"
        rf"(?:\s*(?P<{p}ap>[ap])\.?\s?m{LETTER_AFTER}\.?"
        rf"|(?P<{p}ap1>[ap]){LETTER_AFTER}"
        rf"|(?:\s*(?P<{p}suf>{hour_words}){LETTER_AFTER}\.?)?"
        rf"(?:\s*(?P<{p}post>{periods}){LETTER_AFTER})?)?))"
    )


@dataclass(frozen=True)
class _Reader:
    pattern: re.Pattern[str]
    starts: re.Pattern[str]
    """Where a time may start other than at a digit: a lead, period or clock word."""
    periods: Mapping[str, bool]
    cjk_periods: frozenset[str]
    """The periods that make a bare hour after them a time ("下午3")."""
    clock_words: Mapping[str, int]
    dotted: bool
    """Whether a language of the page writes its clock with a dot ("14.30")."""


@lru_cache(maxsize=64)
def _reader(languages: tuple[str, ...]) -> _Reader:
    codes = languages_to_read(languages)
    names = vocabulary(codes)
    words = time_words(codes)
    cjk = vocabulary(CJK_LANGUAGES)
    periods = {**cjk.periods, **names.periods}
    clock_words = {**cjk.clock_words, **names.clock_words}
    leads = {*_LEADS, *words.leads}
    token = {
        "periods": alternation(periods),
        "clock_words": alternation(clock_words),
        "hour_words": alternation({*_HOUR_WORDS, *words.hour_words}),
    }
    connectors = alternation({*_CONNECTORS, *words.connectors})
    join = rf"\s*[-–—~〜～]\s*|\s+(?:{connectors})\s+|\s*(?:至|到|から)\s*"
    pattern = (
        rf"(?:(?P<lead>{alternation(leads)})\.?\s+)?"
        + _token("s", **token)
        + rf"(?:(?P<join>{join}){_token('e', **token)})?"
        + r"(?:\s*(?P<ct>[cs])\.\s?t\b\.?)?"
    )
    # Time-of-day words start a time in CJK ("下午3点") and the languages that put am/pm first
    # ("du. 2:30"); elsewhere they follow the hour ("3 de la tarde"), and the hour is where the
    # match starts.
    starts = alternation({*leads, *cjk.periods, *words.first_periods, *clock_words})
    return _Reader(
        re.compile(pattern),
        re.compile(starts),
        periods,
        frozenset(cjk.periods),
        clock_words,
        words.dotted,
    )


def find_clocks(text: str, style: DateStyle = DateStyle()) -> list[ClockMention]:
    """Every time of day (or range of times) printed in `text`, in order."""
    return find_clocks_in(text, fold(text), style)


_DIGIT_RUNS = re.compile(r"\d+")
# "après-midi" is not "midi" (noon).
_WORD_BEFORE = re.compile(r"[^\W\d_]|[-']")


def find_clocks_in(
    text: str,
    folded: str,
    style: DateStyle,
    near: Sequence[tuple[int, int]] | None = None,
    after_days: Collection[int] = (),
) -> list[ClockMention]:
    """`find_clocks` on `text` already folded by `patterns.fold`; with `near`, only the times
    that start inside one of those spans. `after_days` are where a day's text ends: a dotted
    time there is a time in a language whose clock has a dot."""
    reader = _reader(style.languages)
    found: list[ClockMention] = []
    covered = 0
    spans = [(0, len(folded))] if near is None else _merged(near, len(folded))
    for position in (start for low, high in spans for start in _starts(reader, folded, low, high)):
        if position < covered:
            continue
        match = reader.pattern.match(folded, position)
        if match is None or (match["e"] is None and match["lead"] is None and match["s"].isdigit()):
            continue  # a bare number
        dotted = reader.dotted and match.start("s") in after_days
        mention = _read(match, text, reader, dotted)
        if mention is not None:
            found.append(mention)
            covered = mention.end
    return found


def _merged(spans: Sequence[tuple[int, int]], length: int) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for low, high in sorted(spans):
        low, high = max(low, 0), min(high, length)
        if merged and low <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], high))
        elif low < high:
            merged.append((low, high))
    return merged


def _starts(reader: _Reader, folded: str, low: int, high: int) -> list[int]:
    """Where a time may start in folded[low:high], in order."""
    words = [
        start
        for start in (match.start() for match in reader.starts.finditer(folded, low, high))
        # Latin and other cased scripts need a word start; CJK words run together.
        if not (start and folded[start] < "\u2e80" and _WORD_BEFORE.match(folded, start - 1))
    ]
    # Hours: one or two digits, not part of a longer number, a decimal or a date.
    digits = [
        start
        for start, end in (match.span() for match in _DIGIT_RUNS.finditer(folded, low, high))
        if end - start <= 2 and not (start and folded[start - 1] in ".:/,")
    ]
    return sorted({*words, *digits}) if words else digits


# How a token shows it is a time: minutes after a colon, a dot alone ("16.15", a time only in
# a range of dotted times), or a word (a.m./p.m., "Uhr", "h", "時", "下午", "noon", "ore ...").
_COLON, _DOT, _WORD = "colon", "dot", "word"


@dataclass(frozen=True)
class _Time:
    hour: int
    minute: int
    meridiem: bool | None
    """True for p.m., False for a.m., None when not printed."""
    mark: str | None
    """_COLON, _DOT, _WORD, or None for a bare number."""


def _read(match: re.Match[str], text: str, reader: _Reader, dotted: bool) -> ClockMention | None:
    start = _time(match, "s", reader)
    if start is None:
        return None
    if match["lead"] is not None:
        start = _Time(start.hour, start.minute, start.meridiem, _WORD)
    times = _range(match, start, reader)
    if times is not None:
        begin, finish = times
        span_end = match.end("e")
    elif start.mark in (_COLON, _WORD) or (
        # "14.00 WIB", "16.00 CET": a zone makes a dotted number a time.
        start.mark == _DOT and (dotted or zone_after(text, match.end("s")) is not None)
    ):
        begin, finish = _on_clock(start), None
        span_end = match.end("s")
    else:
        return None
    if begin is None:
        return None
    if match["ct"] is not None and (times is not None or match["e"] is None):
        begin, finish = _academic_quarter(match["ct"], begin, finish)
        span_end = match.end()
    return _zoned(text, match.start("s"), span_end, begin, finish)


def _zoned(
    text: str,
    start: int,
    end: int,
    begin: datetime.time,
    finish: datetime.time | None,
) -> ClockMention:
    after = zone_after(text, end)
    if after is not None:
        zone, end = after
    else:
        zone = zone_before(text, start)
    return ClockMention(start, end, begin, finish, zone)


def _time(match: re.Match[str], p: str, reader: _Reader) -> _Time | None:
    word = match[f"{p}word"]
    if word is not None:
        hour = reader.clock_words[name_key(word.removeprefix("12").strip())]
        # As 12 a.m./p.m., so that a shared a.m./p.m. cannot move them.
        return _Time(12, 0, hour == 12, _WORD)
    hour = int(match[f"{p}h"])
    minute_text = match[f"{p}mi"] or match[f"{p}hm"] or match[f"{p}cm"]
    minute = 30 if match[f"{p}half"] else int(minute_text or 0)
    if match[f"{p}ap1"] == "a" and minute_text is None:
        # "10a" is a room or a grade more often than a time; "10:30a" is a time.
        return None
    pre = match[f"{p}pre"]
    if pre is not None and minute_text is None and name_key(pre) not in reader.cjk_periods:
        # "下午3" is a time, but Hungarian "de 10" (a.m.) is "but 10": outside CJK, am/pm
        # before the hour needs the minutes ("du. 2:30").
        return None
    meridiem = _meridiem(match, p, reader)
    if hour > 12 and not (match[f"{p}ap"] or match[f"{p}ap1"]):
        # "nachmittags 15 Uhr", "下午15:00": a 24-hour time needs no word for the afternoon.
        meridiem = None
    separator = match[f"{p}sep"]
    mark = None
    if meridiem is not None or any(match[f"{p}{group}"] for group in ("hm", "cjk", "suf")):
        mark = _WORD
    elif separator is not None:
        mark = _DOT if separator == "." else _COLON
    return _Time(hour, minute, meridiem, mark)


def _meridiem(match: re.Match[str], p: str, reader: _Reader) -> bool | None:
    letter = match[f"{p}ap"] or match[f"{p}ap1"]
    if letter is not None:
        return letter == "p"
    for group in (f"{p}pre", f"{p}post"):
        if match[group] is not None:
            return reader.periods.get(name_key(match[group]))
    return None


def _range(
    match: re.Match[str], start: _Time, reader: _Reader
) -> tuple[datetime.time | None, datetime.time] | None:
    if match["e"] is None:
        return None
    end = _time(match, "e", reader)
    if end is None:
        return None
    if end.mark is None and match["join"].strip() == "alle":
        end = _Time(end.hour, end.minute, end.meridiem, _WORD)
    if not _ranged(start.mark, end.mark):
        return None
    finish = _on_clock(end, start.meridiem)
    if finish is None:
        return None
    begin = _on_clock(start, end.meridiem)
    if begin is not None and begin > finish and start.meridiem is None:
        # "11-12pm" is 11 a.m. to noon, "11:30-1pm" is 11:30 a.m. to 1 p.m.
        begin = _on_clock(start, False)
    if start.meridiem is not None and end.meridiem is None and begin is not None and finish < begin:
        # "11am - 1:30": the end is after noon.
        finish = _on_clock(end, not start.meridiem) or finish
    return begin, finish


def _ranged(start: str | None, end: str | None) -> bool:
    """Whether two tokens joined by a dash are a range of times: a bare start takes its
    meaning from a worded end ("1-2pm", "16-18 Uhr"), but minutes after a colon alone do not
    make "Group 5 – 14:00" a range; dotted times pair with dotted times ("16.15–17.45")."""
    if end == _WORD:
        return True
    if end == _COLON:
        return start in (_COLON, _WORD)
    return end == _DOT and start in (_DOT, _WORD)


def _on_clock(time: _Time, shared: bool | None = None) -> datetime.time | None:
    hour = time.hour
    if time.meridiem is not None:
        if hour > 12:
            # "13 p.m." is wrong; "16:00 am Dienstag" is German for "on".
            if time.meridiem:
                return None
        elif hour >= 1:
            hour = hour % 12 + (12 if time.meridiem else 0)
        else:
            return None
    elif shared is not None and 1 <= hour <= 12:
        hour = hour % 12 + (12 if shared else 0)
    if hour > 23 or time.minute > 59:
        return None
    return datetime.time(hour, time.minute)


def _academic_quarter(
    mark: str, begin: datetime.time, finish: datetime.time | None
) -> tuple[datetime.time, datetime.time | None]:
    """ "c.t." (cum tempore): a whole-hour start moves 15 minutes later and a whole-hour end 15
    minutes earlier ("14–16 Uhr c.t." is 14:15–15:45); "s.t." keeps the hours."""
    if mark != "c":
        return begin, finish
    quarter = datetime.timedelta(minutes=15)
    day = datetime.date(2000, 1, 1)
    if begin.minute == 0:
        begin = (datetime.datetime.combine(day, begin) + quarter).time()
    if finish is not None and finish.minute == 0 and finish.hour > 0:
        finish = (datetime.datetime.combine(day, finish) - quarter).time()
    return begin, finish
