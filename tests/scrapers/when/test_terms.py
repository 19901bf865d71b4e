"""find_terms: academic terms and years as stretches of months; year_for places a month."""

from __future__ import annotations

import pytest

from scrapers.when import DateStyle, TermMention, find_terms

# (printed span, first (year, month), last (year, month))
Term = tuple[str, tuple[int, int], tuple[int, int]]


def read(text: str) -> list[Term]:
    return [(text[term.start : term.end], term.first, term.last) for term in find_terms(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Fall 2023", [("Fall 2023", (2023, 8), (2023, 12))]),
        ("Autumn 2023", [("Autumn 2023", (2023, 8), (2023, 12))]),
        ("Spring 2026", [("Spring 2026", (2026, 1), (2026, 6))]),
        ("Summer 2025", [("Summer 2025", (2025, 6), (2025, 8))]),
        ("Winter 2025", [("Winter 2025", (2025, 1), (2025, 3))]),
        ("Winter 2025/26", [("Winter 2025/26", (2025, 10), (2026, 3))]),
        ("Fall Semester 2023", [("Fall Semester 2023", (2023, 8), (2023, 12))]),
        ("Spring Term 2024", [("Spring Term 2024", (2024, 1), (2024, 6))]),
        ("Schedule Fall 2019", [("Fall 2019", (2019, 8), (2019, 12))]),
        ("Fall '14", [("Fall '14", (2014, 8), (2014, 12))]),
        (
            "Fall '15 / Spring '16",
            [("Fall '15", (2015, 8), (2015, 12)), ("Spring '16", (2016, 1), (2016, 6))],
        ),
        ("2023-2024", [("2023-2024", (2023, 8), (2024, 7))]),
        ("2023/24", [("2023/24", (2023, 8), (2024, 7))]),
        ("AY 2023-24", [("AY 2023-24", (2023, 8), (2024, 7))]),
        ("Academic Year 2023–2024", [("Academic Year 2023–2024", (2023, 8), (2024, 7))]),
        ("Important Undergraduate Dates 2025-26", [("2025-26", (2025, 8), (2026, 7))]),
        ("Seminars 2019–2022", [("2019–2022", (2019, 1), (2022, 12))]),
        ("Michaelmas Term 2025", [("Michaelmas Term 2025", (2025, 10), (2025, 12))]),
        ("Lent 2026", [("Lent 2026", (2026, 1), (2026, 3))]),
        ("Hilary 2026", [("Hilary 2026", (2026, 1), (2026, 3))]),
        ("Trinity 2026", [("Trinity 2026", (2026, 4), (2026, 6))]),
        ("Easter Term 2026", [("Easter Term 2026", (2026, 4), (2026, 6))]),
        ("Wintersemester 2025/26", [("Wintersemester 2025/26", (2025, 10), (2026, 3))]),
        ("WS 2025/26", [("WS 2025/26", (2025, 10), (2026, 3))]),
        ("WiSe 25/26", [("WiSe 25/26", (2025, 10), (2026, 3))]),
        ("Sommersemester 2025", [("Sommersemester 2025", (2025, 4), (2025, 9))]),
        ("SoSe 2025", [("SoSe 2025", (2025, 4), (2025, 9))]),
        ("SoSe 25", [("SoSe 25", (2025, 4), (2025, 9))]),
        ("SS 2025", [("SS 2025", (2025, 4), (2025, 9))]),
        ("HS 2025", [("HS 2025", (2025, 9), (2025, 12))]),
        ("FS 2026", [("FS 2026", (2026, 2), (2026, 6))]),
        ("semestre d'automne 2025", [("semestre d'automne 2025", (2025, 8), (2025, 12))]),
        ("semestre de printemps 2026", [("semestre de printemps 2026", (2026, 1), (2026, 6))]),
        ("année 2025-2026", [("année 2025-2026", (2025, 8), (2026, 7))]),
        (
            "année universitaire 2025/2026",
            [("année universitaire 2025/2026", (2025, 8), (2026, 7))],
        ),
        ("primer semestre 2025", [("primer semestre 2025", (2025, 3), (2025, 7))]),
        ("segundo semestre de 2025", [("segundo semestre de 2025", (2025, 8), (2025, 12))]),
        ("1º semestre 2025/2026", [("1º semestre 2025/2026", (2025, 9), (2026, 1))]),
        ("otoño 2025", [("otoño 2025", (2025, 8), (2025, 12))]),
        ("Frühjahr 2026", [("Frühjahr 2026", (2026, 1), (2026, 6))]),
        ("2025年度", [("2025年度", (2025, 4), (2026, 3))]),
        ("2025年春学期", [("2025年春学期", (2025, 4), (2025, 8))]),
        ("2025年秋学期", [("2025年秋学期", (2025, 9), (2026, 3))]),
        ("2025年度秋学期", [("2025年度秋学期", (2025, 9), (2026, 3))]),
        ("2025-2026学年", [("2025-2026学年", (2025, 8), (2026, 7))]),
        ("2025-2026学年第二学期", [("2025-2026学年第二学期", (2026, 2), (2026, 7))]),
        ("2025年秋季学期", [("2025年秋季学期", (2025, 9), (2026, 1))]),
        ("2026年春季学期", [("2026年春季学期", (2026, 2), (2026, 7))]),
        ("2025학년도 2학기", [("2025학년도 2학기", (2025, 9), (2026, 2))]),
        # A bare year in a heading is a term; one that a stronger reading takes is not.
        ("Seminars 2023", [("2023", (2023, 1), (2023, 12))]),
        ("© 2025 The Trustees", [("2025", (2025, 1), (2025, 12))]),
        ("March 10, 2026, 2 p.m.", []),
        ("12 May 2025", []),
        ("2025-05-12", []),
        ("2025年5月12日", []),
        ("Room 2023", []),
        ("Tel. 2023", []),
        ("2023.5 percent", []),
        ("2,023 people", []),
        ("Dissertations 1948-Present", []),
        ("Spring 25 students", []),
        ("ss 2025", [("2025", (2025, 1), (2025, 12))]),
        ("Easter 2026", [("2026", (2026, 1), (2026, 12))]),
        ("Independent Work Guide 25-26", []),
        ("We ran 3 trials.", []),
    ],
)
def test_terms(text: str, expected: list[Term]) -> None:
    assert read(text) == expected


@pytest.mark.parametrize(
    ("first", "last", "months"),
    [
        (
            (2023, 8),
            (2023, 12),
            [2024, 2024, 2024, 2023, 2023, 2023, 2023, 2023, 2023, 2023, 2023, 2023],
        ),
        (
            (2023, 8),
            (2024, 7),
            [2024, 2024, 2024, 2024, 2024, 2024, 2024, 2023, 2023, 2023, 2023, 2023],
        ),
        (
            (2025, 10),
            (2026, 3),
            [2026, 2026, 2026, 2026, 2026, 2026, 2025, 2025, 2025, 2025, 2025, 2025],
        ),
        ((2026, 1), (2026, 6), [2026] * 9 + [2025] * 3),
    ],
)
def test_year_for(first: tuple[int, int], last: tuple[int, int], months: list[int]) -> None:
    term = TermMention(0, 0, first, last)
    assert [term.year_for(month) for month in range(1, 13)] == months


def test_bare_year_in_a_date_of_another_language() -> None:
    assert find_terms("Mittwoch, 21. Oktober 2025", DateStyle(("de",))) == []
