"""Academic terms and years in free text, as stretches of months.

The months each term covers (a listing only needs them to place a month in the right year):

| printed | months |
|---|---|
| Fall/Autumn Y (automne, otoño, Herbst …) | Aug–Dec Y |
| Spring Y (printemps, primavera, Frühjahr …) | Jan–Jun Y (semesters end in May, quarters in June) |
| Summer Y | Jun–Aug Y |
| Winter Y (a US quarter) | Jan–Mar Y |
| Winter Y/Y+1, Wintersemester, WS, WiSe | Oct Y–Mar Y+1 |
| Sommersemester, SoSe, SS | Apr–Sep Y |
| Herbstsemester, HS (Swiss) | Sep–Dec Y |
| Frühjahrssemester, FS (Swiss) | Feb–Jun Y |
| Michaelmas Y | Oct–Dec Y |
| Lent, Hilary Y | Jan–Mar Y |
| Easter Term, Trinity Y | Apr–Jun Y |
| first/second semester Y (primer semestre …) | Mar–Jul / Aug–Dec Y (calendar-year universities) |
| first/second semester Y/Y+1 | Sep Y–Jan Y+1 / Feb–Jul Y+1 |
| academic year Y-Y+1 (AY, année, curso, 学年 …) | Aug Y–Jul Y+1 |
| years Y1-Y2 further apart | Jan Y1–Dec Y2 |
| Y年度 (Japanese fiscal and academic year) | Apr Y–Mar Y+1 |
| Y年春学期 / 前期, Y年秋学期 / 後期 | Apr–Aug Y / Sep Y–Mar Y+1 |
| Y年春季学期, 秋季学期, 夏季学期 (Chinese) | Feb–Jul Y / Sep Y–Jan Y+1 / Jul–Aug Y |
| Y학년도 (Korean), 1학기, 2학기 | Mar Y–Feb Y+1 / Mar–Aug Y / Sep Y–Feb Y+1 |
| a bare year 1990–2099 ("Seminars 2023") | Jan–Dec Y |

A bare year is a term only where nothing stronger reads it: not inside a date, a term, a number
("2023.5", "room 2023") or a range of years.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from scrapers.when.days import find_days_in
from scrapers.when.guards import labelled_number
from scrapers.when.mentions import TermMention
from scrapers.when.patterns import LETTER_AFTER, alternation, fold, name_key
from scrapers.when.style import DateStyle

__all__ = ["find_terms"]

# (first month, months it lasts): a term that starts in Oct and lasts 6 months ends in March.
_Span = tuple[int, int]
_SEASONS: Mapping[str, str] = {
    **dict.fromkeys(
        ("fall", "autumn", "automne", "otono", "autunno", "outono", "herbst", "najaar", "herfst"),
        "fall",
    ),
    **dict.fromkeys(
        ("spring", "printemps", "primavera", "fruhjahr", "fruhling", "voorjaar", "lente"),
        "spring",
    ),
    **dict.fromkeys(("summer", "ete", "verano", "estate", "verao", "sommer", "zomer"), "summer"),
    **dict.fromkeys(("winter", "hiver", "invierno", "inverno"), "winter"),
    "michaelmas": "michaelmas",
    **dict.fromkeys(("lent", "hilary"), "lent"),
    "trinity": "trinity",
    **dict.fromkeys(("wintersemester", "winter semester"), "ws"),
    **dict.fromkeys(("sommersemester", "sommer semester"), "ss"),
    "herbstsemester": "hs",
    "fruhjahrssemester": "fs",
}
# Read only as printed here, capitals included: "SS 2025", "WiSe 25/26".
_ABBREVIATIONS: Mapping[str, str] = {
    "WS": "ws",
    "WiSe": "ws",
    "SS": "ss",
    "SoSe": "ss",
    "HS": "hs",
    "FS": "fs",
}
_LOWER_ABBREVIATIONS = frozenset(name.lower() for name in _ABBREVIATIONS)
_SPANS: Mapping[str, _Span] = {
    "fall": (8, 5),
    "spring": (1, 6),
    "summer": (6, 3),
    "winter": (1, 3),
    "michaelmas": (10, 3),
    "lent": (1, 3),
    "trinity": (4, 3),
    "easter": (4, 3),
    "ws": (10, 6),
    "ss": (4, 6),
    "hs": (9, 4),
    "fs": (2, 5),
}
_ORDINALS: Mapping[str, int] = {
    **dict.fromkeys(
        ("first", "1st", "primer", "primero", "premier", "1er", "primo", "primeiro", "erstes"), 1
    ),
    **dict.fromkeys(("second", "2nd", "segundo", "deuxieme", "2e", "secondo", "zweites"), 2),
    **dict.fromkeys(("1º", "1o", "1°", "1."), 1),
    **dict.fromkeys(("2º", "2o", "2°", "2."), 2),
}
_ACADEMIC_YEAR_LABELS = (
    "ay",
    "a.y.",
    "academic year",
    "school year",
    "annee",
    "annee universitaire",
    "annee academique",
    "annee scolaire",
    "ano academico",
    "ano letivo",
    "curso",
    "curso academico",
    "anno accademico",
    "studienjahr",
    "akademisch jaar",
    "academiejaar",
    "collegejaar",
)
_CJK_TERMS: Mapping[str, _Span] = {
    "春学期": (4, 5),
    "前期": (4, 5),
    "秋学期": (9, 7),
    "後期": (9, 7),
    "春季学期": (2, 6),
    "秋季学期": (9, 5),
    "夏季学期": (7, 2),
}

_YEAR = r"(?:19|20)\d\d"
_TERM_WORDS = (
    "semester",
    "semestre",
    "term",
    "quarter",
    "session",
    "trimester",
    "trimestre",
    "cuatrimestre",
    "sem",
)
_TERM_WORD = rf"(?:{alternation(_TERM_WORDS)}){LETTER_AFTER}\.?"
# "2025", "2025/26", "'14", "25/26", and "25" (two-digit years alone only after "SoSe" and
# the like).
_YEARS = (
    rf"(?P<{{p}}y>{_YEAR}|'\d\d|\d\d)"
    rf"(?:\s*[/-]\s*(?P<{{p}}y2>(?:19|20)?\d\d))?(?![\d.,:/-]?\d)"
)


def _years(prefix: str) -> str:
    return _YEARS.replace("{p}", prefix)


@dataclass(frozen=True)
class _Patterns:
    by_word: re.Pattern[str]
    """Terms that start with a word: seasons, ordinal semesters, labelled academic years."""
    by_year: re.Pattern[str]
    """Terms that start with their year: "2023-2024", "2025年度", "2025학년도"."""
    words: re.Pattern[str]
    """Every word a `by_word` term may start with."""


@lru_cache(maxsize=1)
def _patterns() -> _Patterns:
    seasons = alternation({*_SEASONS, *_LOWER_ABBREVIATIONS})
    season = (
        rf"(?:{_TERM_WORD}\s+(?:d'\s*|de\s+l'\s*|de\s+|di\s+|of\s+)?)?"
        rf"(?P<season>{seasons}|easter(?=\s+term)){LETTER_AFTER}"
        rf"(?:[\s-]+{_TERM_WORD})?\s*(?:de\s+|del\s+|of\s+)?" + _years("s")
    )
    ordinal = (
        rf"(?P<ordinal>{alternation(_ORDINALS)})\s*{_TERM_WORD}\s*"
        r"(?:de\s+|del\s+|of\s+)?" + _years("o")
    )
    labelled = (
        rf"(?P<label>{alternation(_ACADEMIC_YEAR_LABELS)}){LETTER_AFTER}\s*:?\s*"
        + _academic_years("l")
    )
    cjk = (
        rf"(?P<jy>{_YEAR})\s*年\s*(?:(?P<nendo>度)\s*)?"
        rf"(?P<jterm>{alternation(_CJK_TERMS)})?"
    )
    korean = rf"(?P<ky>{_YEAR})\s*학년도(?:\s*(?P<khalf>[12])\s*학기)?"
    words = {
        *_TERM_WORDS,
        *_SEASONS,
        *_LOWER_ABBREVIATIONS,
        "easter",
        *_ORDINALS,
        *_ACADEMIC_YEAR_LABELS,
    }
    return _Patterns(
        re.compile("|".join((season, ordinal, labelled))),
        re.compile("|".join((_academic_years("u"), cjk, korean))),
        re.compile(alternation(words)),
    )


def _academic_years(prefix: str) -> str:
    return (
        rf"(?<![\d/.-])(?P<{prefix}1>{_YEAR})\s*[-–—/]\s*(?P<{prefix}2>(?:19|20)?\d\d)"
        r"(?!\d)(?!\s*[-/.]\s*\d)"
        rf"(?:\s*学年度?(?:\s*第?\s*(?P<{prefix}half>[一二12])\s*学期)?)?"
    )


_BARE_YEAR = re.compile(
    r"(?<![\w.,:/#$€£-])(?P<year>199\d|20\d\d)(?![\w%]|[.,:/-]\d|\s*[-–/]\s*\d)"
)
_DIGIT_RUNS = re.compile(r"\d+")
_LETTER = re.compile(r"[^\W\d_]")
# How far before its year a term may start ("semestre de printemps 2026").
_REACH = 40


def find_terms(text: str, style: DateStyle = DateStyle()) -> list[TermMention]:
    """Every academic term or year printed in `text`, in order (see the module's table)."""
    folded = fold(text)
    # Every term prints a year ("2025", "'14", "25/26", "SoSe 25"): look only around one.
    years = [run for run in _DIGIT_RUNS.finditer(folded) if len(run[0]) in (2, 4)]
    if not years:
        return []
    patterns = _patterns()
    terms = []
    covered = 0
    for year in years:
        if year.start() < covered:
            continue
        match = _term_at(patterns, folded, max(covered, year.start() - _REACH), year)
        term = None if match is None else _term(match, text)
        if term is not None:
            terms.append(term)
            covered = term.end
    return sorted(terms + _bare_years(text, folded, terms, style), key=lambda term: term.start)


def _term_at(
    patterns: _Patterns, folded: str, low: int, year: re.Match[str]
) -> re.Match[str] | None:
    """The term that prints `year`, starting at a word between `low` and the year or at it."""
    for word in patterns.words.finditer(folded, low, year.start()):
        start = word.start()
        if start and _LETTER.match(folded, start - 1):
            continue
        match = patterns.by_word.match(folded, start)
        if match is not None and match.end() > year.start():
            return match
    if len(year[0]) == 4:
        return patterns.by_year.match(folded, year.start())
    return None


def _term(match: re.Match[str], text: str) -> TermMention | None:
    groups = match.groupdict()
    if groups.get("season") is not None:
        span = _season_term(match, groups, text)
    elif groups.get("ordinal") is not None:
        span = _ordinal_term(groups)
    elif groups.get("jy") is not None or groups.get("ky") is not None:
        span = _cjk_term(groups)
    else:
        span = _academic_term(groups)
    if span is None:
        return None
    first, last = span
    return TermMention(match.start(), match.end(), first, last)


_Months = tuple[tuple[int, int], tuple[int, int]]
_Groups = dict[str, str | None]


def _months(year: int, span: _Span) -> _Months:
    """The months of a term starting in month `span[0]` of `year` (13 is next January) and
    lasting `span[1]` months."""
    first_month, length = span
    first = year * 12 + first_month - 1
    last = first + length - 1
    return (first // 12, first % 12 + 1), (last // 12, last % 12 + 1)


def _season_term(match: re.Match[str], groups: _Groups, text: str) -> _Months | None:
    folded = name_key(groups["season"] or "")
    printed = text[match.start("season") : match.end("season")]
    kind = _ABBREVIATIONS.get(printed) or _SEASONS.get(folded, folded)
    if kind not in _SPANS or (folded in _LOWER_ABBREVIATIONS and printed not in _ABBREVIATIONS):
        return None  # "ss 2025" is not "SS 2025"
    first, second = groups["sy"] or "", groups["sy2"]
    year = _year(first)
    if not _follows(year, second):
        return None
    if len(first) == 2 and second is None and printed not in _ABBREVIATIONS:
        return None  # "Spring 25 students"
    if kind == "winter" and second is not None:
        kind = "ws"  # "Winter 2025/26" is a winter semester.
    return _months(year, _SPANS[kind])


def _ordinal_term(groups: _Groups) -> _Months | None:
    year, second = _year(groups["oy"] or ""), groups["oy2"]
    if not _follows(year, second):
        return None
    half = _ORDINALS[groups["ordinal"] or ""]
    if second is None:
        return _months(year, (3, 5) if half == 1 else (8, 5))
    return _months(year, (9, 5) if half == 1 else (14, 6))


def _academic_term(groups: _Groups) -> _Months | None:
    prefix = "l" if groups.get("l1") is not None else "u"
    first = int(groups[f"{prefix}1"] or 0)
    second = _year(groups[f"{prefix}2"] or "")
    half = groups[f"{prefix}half"]
    if second <= first:
        return None
    if half is not None:
        return _months(first, (9, 5) if half in "一1" else (14, 6))
    if second == first + 1:
        return _months(first, (8, 12))
    return (first, 1), (second, 12)


def _cjk_term(groups: _Groups) -> _Months | None:
    if groups["ky"] is not None:
        year = int(groups["ky"])
        half = groups["khalf"]
        return _months(year, (3, 12) if half is None else (3, 6) if half == "1" else (9, 6))
    year = int(groups["jy"] or 0)
    if groups["jterm"] is not None:
        return _months(year, _CJK_TERMS[groups["jterm"]])
    if groups["nendo"] is not None:
        return _months(year, (4, 12))
    return None


def _year(printed: str) -> int:
    digits = printed.lstrip("'")
    if len(digits) == 4:
        return int(digits)
    return 2000 + int(digits) if int(digits) < 70 else 1900 + int(digits)


def _follows(year: int, second: str | None) -> bool:
    """Whether the second year of "2025/26" or "2025-2026" is the next year."""
    return second is None or _year(second) == year + 1


_DIGIT = re.compile(r"\d")
_NEAR = 20


def _bare_years(
    text: str, folded: str, terms: list[TermMention], style: DateStyle
) -> list[TermMention]:
    found = []
    days = None
    for match in _BARE_YEAR.finditer(folded):
        start, end = match.span()
        if any(term.start < end and start < term.end for term in terms):
            continue
        if labelled_number(folded, start):
            continue
        if _DIGIT.search(folded, max(0, start - _NEAR), start) or _DIGIT.search(
            folded, end, end + _NEAR
        ):
            # Only a year with a number near it can be part of a date ("Sep 19, 2025").
            if days is None:
                days = find_days_in(text, folded, style)
            if any(day.start < end and start < day.end for day in days):
                continue
        year = int(match["year"])
        found.append(TermMention(start, end, (year, 1), (year, 12)))
    return found
