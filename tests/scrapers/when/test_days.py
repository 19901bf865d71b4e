"""find_days: every form of a day, in every language, with its exact span."""

from __future__ import annotations

import pytest

from scrapers.when import DateStyle, DayMention, find_days
from tests.scrapers.when.styles import DE, EN, ES, EU, FR, IT, JA, NL, PT, TH, US, ZH

HU = DateStyle(("hu",))
LT = DateStyle(("lt",))
LV = DateStyle(("lv",))
RU = DateStyle(("ru",))
PL = DateStyle(("pl",))

# (printed span, year, month, day, weekday, last)
Day = tuple[str, int | None, int, int, int | None, tuple[int | None, int, int] | None]


def read(text: str, style: DateStyle) -> list[Day]:
    return [_day(text, mention) for mention in find_days(text, style)]


def _day(text: str, found: DayMention) -> Day:
    span = text[found.start : found.end]
    return span, found.year, found.month, found.day, found.weekday, found.last


@pytest.mark.parametrize(
    ("text", "style", "expected"),
    [
        # English, Django and AP styles
        ("Tuesday, Sept. 12", EN, [("Tuesday, Sept. 12", None, 9, 12, 1, None)]),
        ("Feb 3rd", EN, [("Feb 3rd", None, 2, 3, None, None)]),
        ("2nd of March, 2023", EN, [("2nd of March, 2023", 2023, 3, 2, None, None)]),
        ("March 10, 2026, 2 p.m.", EN, [("March 10, 2026", 2026, 3, 10, None, None)]),
        ("Sept. 22, 2026, noon", EN, [("Sept. 22, 2026", 2026, 9, 22, None, None)]),
        ("Oct. 6, 2026, 11:30 a.m.", EN, [("Oct. 6, 2026", 2026, 10, 6, None, None)]),
        ("Aug. 3, 2026", EN, [("Aug. 3, 2026", 2026, 8, 3, None, None)]),
        ("12 March 2025", EN, [("12 March 2025", 2025, 3, 12, None, None)]),
        ("Thu 12 Mar", EN, [("Thu 12 Mar", None, 3, 12, 3, None)]),
        ("Thursday 12 March", EN, [("Thursday 12 March", None, 3, 12, 3, None)]),
        ("Mar 7 11 am", EN, [("Mar 7", None, 3, 7, None, None)]),
        ("Nov 2, 1:30p", EN, [("Nov 2", None, 11, 2, None, None)]),
        ("Oct 16, 6p", EN, [("Oct 16", None, 10, 16, None, None)]),
        ("Oct 25 3:30pm", EN, [("Oct 25", None, 10, 25, None, None)]),
        ("November 1, 3pm", EN, [("November 1", None, 11, 1, None, None)]),
        ("June 13, 11:00am", EN, [("June 13", None, 6, 13, None, None)]),
        ("February 8", EN, [("February 8", None, 2, 8, None, None)]),
        (
            "Fri, Sep 19, 2025 , 4:00 pm – 6:00 pm",
            EN,
            [("Fri, Sep 19, 2025", 2025, 9, 19, 4, None)],
        ),
        ("Tues., Sept. 12", EN, [("Tues., Sept. 12", None, 9, 12, 1, None)]),
        ("Wednesday the 3rd of June", EN, [("Wednesday the 3rd of June", None, 6, 3, 2, None)]),
        ("TUESDAY, MARCH 10, 2026", EN, [("TUESDAY, MARCH 10, 2026", 2026, 3, 10, 1, None)]),
        ("May 12 (Mon)", EN, [("May 12 (Mon)", None, 5, 12, 0, None)]),
        ("Feb 29", EN, [("Feb 29", None, 2, 29, None, None)]),
        (
            "Sep 5 Oct 3",
            EN,
            [("Sep 5", None, 9, 5, None, None), ("Oct 3", None, 10, 3, None, None)],
        ),
        # Numeric
        ("12/09/2023", US, [("12/09/2023", 2023, 12, 9, None, None)]),
        ("12/09/2023", EU, [("12/09/2023", 2023, 9, 12, None, None)]),
        ("12/09/2023", EN, [("12/09/2023", 2023, 12, 9, None, None)]),
        ("9/1", US, [("9/1", None, 9, 1, None, None)]),
        ("9/1: Jon Schneider", US, [("9/1", None, 9, 1, None, None)]),
        ("4/16 11am EST", US, [("4/16", None, 4, 16, None, None)]),
        ("10/7 11.15am EST", US, [("10/7", None, 10, 7, None, None)]),
        ("3/25, 10am EST", US, [("3/25", None, 3, 25, None, None)]),
        ("starting 11/7/19", US, [("11/7/19", 2019, 11, 7, None, None)]),
        ("25/12/2025", US, [("25/12/2025", 2025, 12, 25, None, None)]),
        (
            "13/09/2023 then 9/1",
            EN,
            [("13/09/2023", 2023, 9, 13, None, None), ("9/1", None, 1, 9, None, None)],
        ),
        ("15.01.2026", EN, [("15.01.2026", 2026, 1, 15, None, None)]),
        ("15.1.", US, [("15.1.", None, 1, 15, None, None)]),
        ("am 3.6. um 14 Uhr", DE, [("3.6.", None, 6, 3, None, None)]),
        ("2025-05-12", EN, [("2025-05-12", 2025, 5, 12, None, None)]),
        ("2025/05/12", EN, [("2025/05/12", 2025, 5, 12, None, None)]),
        ("2025.05.12.", EN, [("2025.05.12", 2025, 5, 12, None, None)]),
        ("12-09-2023", EU, [("12-09-2023", 2023, 9, 12, None, None)]),
        ("12-09-2023", US, [("12-09-2023", 2023, 12, 9, None, None)]),
        ("Mon 12/01/2026", EU, [("Mon 12/01/2026", 2026, 1, 12, 0, None)]),
        # German
        ("12. Mai 2025, 16:15 Uhr", DE, [("12. Mai 2025", 2025, 5, 12, None, None)]),
        (
            "Mittwoch, 21. Oktober 2025, 18 Uhr",
            DE,
            [("Mittwoch, 21. Oktober 2025", 2025, 10, 21, 2, None)],
        ),
        ("Di., 3.6.2025, 14 Uhr c.t.", DE, [("Di., 3.6.2025", 2025, 6, 3, 1, None)]),
        ("Mittwoch, den 21. Oktober", DE, [("Mittwoch, den 21. Oktober", None, 10, 21, 2, None)]),
        ("3. März 2026", DE, [("3. März 2026", 2026, 3, 3, None, None)]),
        ("3. Maerz", DE, []),
        ("3. Mrz. 2026", DE, [("3. Mrz. 2026", 2026, 3, 3, None, None)]),
        ("15. Jänner 2026", DE, [("15. Jänner 2026", 2026, 1, 15, None, None)]),
        ("15 Okt 2025", DE, [("15 Okt 2025", 2025, 10, 15, None, None)]),
        # French
        ("mardi 3 juin 2025 à 14h", FR, [("mardi 3 juin 2025", 2025, 6, 3, 1, None)]),
        ("7 avril 2026 (10h-12h, ENAC)", FR, [("7 avril 2026", 2026, 4, 7, None, None)]),
        ("1er mars 2025", FR, [("1er mars 2025", 2025, 3, 1, None, None)]),
        ("le 12 mai à 14 h 30", FR, [("12 mai", None, 5, 12, None, None)]),
        ("Jeudi 5 févr. 2026", FR, [("Jeudi 5 févr. 2026", 2026, 2, 5, 3, None)]),
        ("5 fevrier 2026", FR, [("5 fevrier 2026", 2026, 2, 5, None, None)]),
        # Spanish, Portuguese, Italian, Dutch
        (
            "martes, 3 de junio de 2025, 16:00",
            ES,
            [("martes, 3 de junio de 2025", 2025, 6, 3, 1, None)],
        ),
        ("3 de junio, 16:00 h", ES, [("3 de junio", None, 6, 3, None, None)]),
        ("1º de setiembre de 2025", ES, [("1º de setiembre de 2025", 2025, 9, 1, None, None)]),
        (
            "Quinta-feira, 15 de maio de 2025",
            PT,
            [("Quinta-feira, 15 de maio de 2025", 2025, 5, 15, 3, None)],
        ),
        ("quinta feira, 15 de maio", PT, [("quinta feira, 15 de maio", None, 5, 15, 3, None)]),
        ("15 de maio de 2025, às 14h", PT, [("15 de maio de 2025", 2025, 5, 15, None, None)]),
        (
            "giovedì 15 maggio 2025, ore 14:30",
            IT,
            [("giovedì 15 maggio 2025", 2025, 5, 15, 3, None)],
        ),
        ("15 maggio 2025 alle 14", IT, [("15 maggio 2025", 2025, 5, 15, None, None)]),
        ("donderdag 15 mei 2025, 14.00 uur", NL, [("donderdag 15 mei 2025", 2025, 5, 15, 3, None)]),
        ("15 mei 2025 om 16:00", NL, [("15 mei 2025", 2025, 5, 15, None, None)]),
        # Languages nobody typed a table for: CLDR names only
        ("2025. május 12.", HU, [("2025. május 12.", 2025, 5, 12, None, None)]),
        ("12 мая 2025 г.", RU, [("12 мая 2025", 2025, 5, 12, None, None)]),
        ("Вторник, 3 июня", RU, [("Вторник, 3 июня", None, 6, 3, 1, None)]),
        ("12 maja 2025", PL, [("12 maja 2025", 2025, 5, 12, None, None)]),
        (
            "12 Mayıs 2025 Pazartesi",
            DateStyle(("tr",)),
            [("12 Mayıs 2025 Pazartesi", 2025, 5, 12, 0, None)],
        ),
        (
            "12 tháng 10, 2025",
            DateStyle(("vi",)),
            [("12 tháng 10, 2025", 2025, 10, 12, None, None)],
        ),
        # CLDR's words between the fields, orders and scripts
        ("21 באוקטובר 2025", DateStyle(("he",)), [("21 באוקטובר 2025", 2025, 10, 21, None, None)]),
        ("21 באוק׳ 2025", DateStyle(("he",)), [("21 באוק׳ 2025", 2025, 10, 21, None, None)]),
        ("2026 m. sausio 12 d.", LT, [("2026 m. sausio 12 d.", 2026, 1, 12, None, None)]),
        ("2025. gada 21. oktobris", LV, [("2025. gada 21. oktobris", 2025, 10, 21, None, None)]),
        (
            "2025(e)ko urriaren 21(a), asteartea",
            DateStyle(("eu",)),
            [("2025(e)ko urriaren 21(a), asteartea", 2025, 10, 21, 1, None)],
        ),
        (
            "21 ta’ Ottubru 2025",
            DateStyle(("mt",)),
            [("21 ta’ Ottubru 2025", 2025, 10, 21, None, None)],
        ),
        (
            "ngày 7 tháng 10 năm 2025",
            DateStyle(("vi",)),
            [("7 tháng 10 năm 2025", 2025, 10, 7, None, None)],
        ),
        (
            "utorak, 21. oktobar 2025.",
            DateStyle(("sr",)),
            [("utorak, 21. oktobar 2025", 2025, 10, 21, 1, None)],
        ),
        ("3 may 2025", ES, [("3 may 2025", 2025, 5, 3, None, None)]),
        ("2025. 10. 21.", EN, [("2025. 10. 21", 2025, 10, 21, None, None)]),
        ("21\u200f/10\u200f/2025", EU, [("21\u200f/10\u200f/2025", 2025, 10, 21, None, None)]),
        (
            "الثلاثاء، 21 أكتوبر 2025",
            DateStyle(("ar",)),
            [("الثلاثاء، 21 أكتوبر 2025", 2025, 10, 21, 1, None)],
        ),
        # A declined month after a day: the Latvian locative (CLDR has "oktobris", "jūnijs")
        ("14. oktobrī", LV, [("14. oktobrī", None, 10, 14, None, None)]),
        ("14. jūnijā", LV, [("14. jūnijā", None, 6, 14, None, None)]),
        # Chinese and Japanese
        ("2025年5月12日 14:00", ZH, [("2025年5月12日", 2025, 5, 12, None, None)]),
        (
            "2025年5月12日（星期一）下午2:00-3:30",
            ZH,
            [("2025年5月12日（星期一）", 2025, 5, 12, 0, None)],
        ),
        ("5月12日 14:00-15:30", ZH, [("5月12日", None, 5, 12, None, None)]),
        ("时间：2025年5月12日周一", ZH, [("2025年5月12日周一", 2025, 5, 12, 0, None)]),
        ("12月19日(木)", JA, [("12月19日(木)", None, 12, 19, 3, None)]),
        ("2025年12月19日（金）15:00〜16:30", JA, [("2025年12月19日（金）", 2025, 12, 19, 4, None)]),
        ("２０２５年５月１２日", JA, [("２０２５年５月１２日", 2025, 5, 12, None, None)]),
        ("令和7年5月12日", JA, [("令和7年5月12日", 2025, 5, 12, None, None)]),
        ("令和元年5月1日", JA, [("令和元年5月1日", 2019, 5, 1, None, None)]),
        ("2025년 5월 12일 (월)", EN, [("2025년 5월 12일 (월)", 2025, 5, 12, 0, None)]),
        # Day ranges
        (
            "Tue, Mar 17, 2026 – Fri, Mar 20, 2026",
            EN,
            [("Tue, Mar 17, 2026 – Fri, Mar 20, 2026", 2026, 3, 17, 1, (2026, 3, 20))],
        ),
        ("March 17–20, 2026", EN, [("March 17–20, 2026", 2026, 3, 17, None, (2026, 3, 20))]),
        (
            "March 30 – April 2, 2026",
            EN,
            [("March 30 – April 2, 2026", 2026, 3, 30, None, (2026, 4, 2))],
        ),
        ("Dec 30 – Jan 2, 2026", EN, [("Dec 30 – Jan 2, 2026", 2025, 12, 30, None, (2026, 1, 2))]),
        ("17.–20. März 2026", DE, [("17.–20. März 2026", 2026, 3, 17, None, (2026, 3, 20))]),
        ("du 17 au 20 mars 2026", FR, [("17 au 20 mars 2026", 2026, 3, 17, None, (2026, 3, 20))]),
        (
            "17-20 de marzo de 2026",
            ES,
            [("17-20 de marzo de 2026", 2026, 3, 17, None, (2026, 3, 20))],
        ),
        ("5月12日-14日", ZH, [("5月12日-14日", None, 5, 12, None, (None, 5, 14))]),
        # The Buddhist era's years, as Thai pages print them, after a day and month only.
        ("4 พฤศจิกายน 2568", TH, [("4 พฤศจิกายน 2568", 2025, 11, 4, None, None)]),
        ("4/11/2568", TH, [("4/11/2568", 2025, 11, 4, None, None)]),
        ("Room 2568, March 3, 2025", EN, [("March 3, 2025", 2025, 3, 3, None, None)]),
        (
            "Sat, Dec 6, 2025 Sun, Dec 7, 2025",
            EN,
            [
                ("Sat, Dec 6, 2025", 2025, 12, 6, 5, None),
                ("Sun, Dec 7, 2025", 2025, 12, 7, 6, None),
            ],
        ),
    ],
)
def test_days(text: str, style: DateStyle, expected: list[Day]) -> None:
    assert read(text, style) == expected


@pytest.mark.parametrize(
    "text",
    [
        "We study 3 problems in 2 dimensions with 45 people.",
        "Add 1/2 cup of flour and 3/4 of the sugar.",
        "pi is about 3.14 and e about 2.72",
        "Released as v2.1.0 and v2.1.",
        "Room 12/3, Building 5",
        "See Section 3.2. for details",
        "Call 212-998-3011 or +1 (212) 998 3011",
        "The talk runs 16.15 to 17.45",
        "1-2pm",
        "it may 3 times, march 5 miles",
        "Feb 30, 2026",
        "13/13/2023",
        "May 2025",
        "Fall 2023",
        "192.168.1.1",
        "Smarch 10, 2026",
    ],
)
def test_no_days(text: str) -> None:
    assert find_days(text, EN) == []


@pytest.mark.parametrize(
    ("text", "style"),
    [
        # Only languages that decline month names read a stem with an ending: Portuguese
        # "marcas" is brands, not "março"; a Czech stem must be long enough ("květy", flowers,
        # not "květen")
        ("3 marcas de café", PT),
        ("3 marcas", ES),
        ("Kupte 3 květy", DateStyle(("cs",))),
        # A Hebrew word after "ב" that is no month
        ("21 בבוקר", DateStyle(("he",))),
        # The Latvian year word without a month
        ("2025. gada budžets, 14. punkts", LV),
        # Spaced year-first dots need the same spacing throughout
        ("2025. 10.21", EN),
    ],
)
def test_no_days_in_other_languages(text: str, style: DateStyle) -> None:
    assert find_days(text, style) == []


def test_spans_are_of_the_original_text() -> None:
    text = "Séminaire — MARDI 3 JUIN 2025, salle İ-12"
    [found] = find_days(text, FR)
    assert text[found.start : found.end] == "MARDI 3 JUIN 2025"


def test_earlier_language_wins_a_name_two_languages_read_differently() -> None:
    # Croatian "listopad" is October, Czech and Polish "listopad" is November.
    assert find_days("3. listopad 2025", DateStyle(("hr",)))[0].month == 10
    assert find_days("3. listopad 2025", DateStyle(("cs", "hr")))[0].month == 11
