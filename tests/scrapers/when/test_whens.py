"""find_whens pairs each day with its time; resolve turns a mention into aware datetimes."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from scrapers.when import DateParseError, DateStyle, When, find_whens, page_style, resolve
from tests.scrapers.when.styles import DE, EN, ES, FR, IT, JA, NL, PT, US, ZH

NY = ZoneInfo("America/New_York")

# (printed span, start ISO, end ISO or None, all day), resolved with 2025 and New York.
Resolved = tuple[str, str, str | None, bool]


def read(text: str, style: DateStyle) -> list[Resolved]:
    return [_resolved(text, when) for when in find_whens(text, style)]


def _resolved(text: str, when: When) -> Resolved:
    start, end, all_day = resolve(when, 2025, NY)
    return text[when.start : when.end], start.isoformat(), end.isoformat() if end else None, all_day


@pytest.mark.parametrize(
    ("text", "style", "expected"),
    [
        (
            "Fri, Sep 19, 2025 , 4:00 pm – 6:00 pm",
            EN,
            [
                (
                    "Fri, Sep 19, 2025 , 4:00 pm – 6:00 pm",
                    "2025-09-19T16:00:00-04:00",
                    "2025-09-19T18:00:00-04:00",
                    False,
                )
            ],
        ),
        (
            "March 10, 2026, 2 p.m.",
            EN,
            [("March 10, 2026, 2 p.m.", "2026-03-10T14:00:00-04:00", None, False)],
        ),
        (
            "Sept. 22, 2026, noon",
            EN,
            [("Sept. 22, 2026, noon", "2026-09-22T12:00:00-04:00", None, False)],
        ),
        (
            "March 10, 2026 at 2PM; 60 Fifth Avenue, Room 150",
            EN,
            [("March 10, 2026 at 2PM", "2026-03-10T14:00:00-04:00", None, False)],
        ),
        (
            "Tuesday, November 4, 2025",
            EN,
            [("Tuesday, November 4, 2025", "2025-11-04T00:00:00-05:00", None, True)],
        ),
        ("Mar 7 11 am", EN, [("Mar 7 11 am", "2025-03-07T11:00:00-05:00", None, False)]),
        ("Nov 2, 1:30p", EN, [("Nov 2, 1:30p", "2025-11-02T13:30:00-05:00", None, False)]),
        ("Oct 16, 6p", EN, [("Oct 16, 6p", "2025-10-16T18:00:00-04:00", None, False)]),
        (
            "Jan 30, 3:45pm-5:00pm, WWH 1302",
            EN,
            [
                (
                    "Jan 30, 3:45pm-5:00pm",
                    "2025-01-30T15:45:00-05:00",
                    "2025-01-30T17:00:00-05:00",
                    False,
                )
            ],
        ),
        (
            "Feb 15, 3-4pm, CDS 150",
            EN,
            [("Feb 15, 3-4pm", "2025-02-15T15:00:00-05:00", "2025-02-15T16:00:00-05:00", False)],
        ),
        ("4/16 11am EST", US, [("4/16 11am EST", "2025-04-16T11:00:00-04:00", None, False)]),
        ("10/7 11.15am EST", US, [("10/7 11.15am EST", "2025-10-07T11:15:00-04:00", None, False)]),
        ("July 8, 10am PT", EN, [("July 8, 10am PT", "2025-07-08T10:00:00-07:00", None, False)]),
        (
            "14:00, 12 May 2025",
            EN,
            [("14:00, 12 May 2025", "2025-05-12T14:00:00-04:00", None, False)],
        ),
        (
            "4pm Tuesday 3 June",
            EN,
            [("4pm Tuesday 3 June", "2025-06-03T16:00:00-04:00", None, False)],
        ),
        (
            "14:00, 12 May 2025; 15:00, 13 May 2025",
            EN,
            [
                ("14:00, 12 May 2025", "2025-05-12T14:00:00-04:00", None, False),
                ("15:00, 13 May 2025", "2025-05-13T15:00:00-04:00", None, False),
            ],
        ),
        (
            "May 12, 14:00, May 13, 15:00",
            EN,
            [
                ("May 12, 14:00", "2025-05-12T14:00:00-04:00", None, False),
                ("May 13, 15:00", "2025-05-13T15:00:00-04:00", None, False),
            ],
        ),
        (
            "Date: 12 March 2025 Time: 14:00",
            EN,
            [("12 March 2025 Time: 14:00", "2025-03-12T14:00:00-04:00", None, False)],
        ),
        (
            "12 March 2025. Lunch will be served; talk at 2pm",
            EN,
            [("12 March 2025", "2025-03-12T00:00:00-04:00", None, True)],
        ),
        (
            "12. Mai 2025, 16:15 Uhr",
            DE,
            [("12. Mai 2025, 16:15 Uhr", "2025-05-12T16:15:00-04:00", None, False)],
        ),
        (
            "Mittwoch, 21. Oktober 2025, 18 Uhr",
            DE,
            [("Mittwoch, 21. Oktober 2025, 18 Uhr", "2025-10-21T18:00:00-04:00", None, False)],
        ),
        (
            "Di., 3.6.2025, 14 Uhr c.t.",
            DE,
            [("Di., 3.6.2025, 14 Uhr c.t.", "2025-06-03T14:15:00-04:00", None, False)],
        ),
        (
            "mardi 3 juin 2025 à 14h",
            FR,
            [("mardi 3 juin 2025 à 14h", "2025-06-03T14:00:00-04:00", None, False)],
        ),
        (
            "7 avril 2026 (10h-12h, ENAC)",
            FR,
            [
                (
                    "7 avril 2026 (10h-12h",
                    "2026-04-07T10:00:00-04:00",
                    "2026-04-07T12:00:00-04:00",
                    False,
                )
            ],
        ),
        (
            "le 12 mai à 14 h 30",
            FR,
            [("12 mai à 14 h 30", "2025-05-12T14:30:00-04:00", None, False)],
        ),
        (
            "martes, 3 de junio de 2025, 16:00",
            ES,
            [("martes, 3 de junio de 2025, 16:00", "2025-06-03T16:00:00-04:00", None, False)],
        ),
        (
            "3 de junio, de 14:00 a 16:00",
            ES,
            [
                (
                    "3 de junio, de 14:00 a 16:00",
                    "2025-06-03T14:00:00-04:00",
                    "2025-06-03T16:00:00-04:00",
                    False,
                )
            ],
        ),
        (
            "15 de maio de 2025, às 14h",
            PT,
            [("15 de maio de 2025, às 14h", "2025-05-15T14:00:00-04:00", None, False)],
        ),
        (
            "giovedì 15 maggio 2025, ore 14:30",
            IT,
            [("giovedì 15 maggio 2025, ore 14:30", "2025-05-15T14:30:00-04:00", None, False)],
        ),
        (
            "15 maggio 2025 alle 14",
            IT,
            [("15 maggio 2025 alle 14", "2025-05-15T14:00:00-04:00", None, False)],
        ),
        (
            "donderdag 15 mei 2025, 14.00 uur",
            NL,
            [("donderdag 15 mei 2025, 14.00 uur", "2025-05-15T14:00:00-04:00", None, False)],
        ),
        (
            "15 mei 2025 om 16:00",
            NL,
            [("15 mei 2025 om 16:00", "2025-05-15T16:00:00-04:00", None, False)],
        ),
        (
            "2025年5月12日 14:00",
            ZH,
            [("2025年5月12日 14:00", "2025-05-12T14:00:00-04:00", None, False)],
        ),
        (
            "2025年5月12日（星期一）下午2:00-3:30",
            ZH,
            [
                (
                    "2025年5月12日（星期一）下午2:00-3:30",
                    "2025-05-12T14:00:00-04:00",
                    "2025-05-12T15:30:00-04:00",
                    False,
                )
            ],
        ),
        (
            "5月12日 14:00-15:30",
            ZH,
            [
                (
                    "5月12日 14:00-15:30",
                    "2025-05-12T14:00:00-04:00",
                    "2025-05-12T15:30:00-04:00",
                    False,
                )
            ],
        ),
        (
            "2025-05-12T14:00Z",
            EN,
            [("2025-05-12T14:00Z", "2025-05-12T14:00:00+00:00", None, False)],
        ),
        ("2025-05-12 14:00", ZH, [("2025-05-12 14:00", "2025-05-12T14:00:00-04:00", None, False)]),
        (
            "2025年12月19日（金）15:00〜16:30 JST",
            JA,
            [
                (
                    "2025年12月19日（金）15:00〜16:30 JST",
                    "2025-12-19T15:00:00+09:00",
                    "2025-12-19T16:30:00+09:00",
                    False,
                )
            ],
        ),
        # Languages with no rule of their own here: CLDR names and the shared time rules
        (
            "tisdag 12 maj 2025 kl. 14.15",
            DateStyle(("sv",)),
            [("tisdag 12 maj 2025 kl. 14.15", "2025-05-12T14:15:00-04:00", None, False)],
        ),
        (
            "tiistaina 12. toukokuuta 2025 klo 14.15",
            DateStyle(("fi",)),
            [("tiistaina 12. toukokuuta 2025 klo 14.15", "2025-05-12T14:15:00-04:00", None, False)],
        ),
        (
            "úterý 12. května 2025, 14:00",
            DateStyle(("cs",)),
            [("úterý 12. května 2025, 14:00", "2025-05-12T14:00:00-04:00", None, False)],
        ),
        (
            "12 Mayıs 2025 Pazartesi, 14:00",
            DateStyle(("tr",)),
            [("12 Mayıs 2025 Pazartesi, 14:00", "2025-05-12T14:00:00-04:00", None, False)],
        ),
        (
            "2025. május 12., hétfő, 14:00",
            DateStyle(("hu",)),
            [("2025. május 12., hétfő, 14:00", "2025-05-12T14:00:00-04:00", None, False)],
        ),
        (
            "Τρίτη 12 Μαΐου 2025, 14:00",
            DateStyle(("el",)),
            [("Τρίτη 12 Μαΐου 2025, 14:00", "2025-05-12T14:00:00-04:00", None, False)],
        ),
        (
            "12 مايو 2025، 14:00",
            DateStyle(("ar",)),
            [("12 مايو 2025، 14:00", "2025-05-12T14:00:00-04:00", None, False)],
        ),
        (
            "Thứ Hai, 12 tháng 5, 2025, 14:00",
            DateStyle(("vi",)),
            [("Thứ Hai, 12 tháng 5, 2025, 14:00", "2025-05-12T14:00:00-04:00", None, False)],
        ),
        (
            "wtorek, 12 maja 2025, godz. 14:00",
            DateStyle(("pl",)),
            [("wtorek, 12 maja 2025, godz. 14:00", "2025-05-12T14:00:00-04:00", None, False)],
        ),
        (
            "12 мая 2025 г. в 14:00",
            DateStyle(("ru",)),
            [("12 мая 2025 г. в 14:00", "2025-05-12T14:00:00-04:00", None, False)],
        ),
        (
            "marți, 12 mai 2025, ora 14:00",
            DateStyle(("ro",)),
            [("marți, 12 mai 2025, ora 14:00", "2025-05-12T14:00:00-04:00", None, False)],
        ),
        (
            "Selasa, 12 Mei 2025, 14.00 WIB",
            DateStyle(("id",)),
            [("Selasa, 12 Mei 2025, 14.00 WIB", "2025-05-12T14:00:00+07:00", None, False)],
        ),
        (
            "dimarts, 12 de maig de 2025, 14:00",
            DateStyle(("ca",)),
            [("dimarts, 12 de maig de 2025, 14:00", "2025-05-12T14:00:00-04:00", None, False)],
        ),
        # Day ranges: all-day, the end is the midnight after the last day
        (
            "Tue, Mar 17, 2026 – Fri, Mar 20, 2026",
            EN,
            [
                (
                    "Tue, Mar 17, 2026 – Fri, Mar 20, 2026",
                    "2026-03-17T00:00:00-04:00",
                    "2026-03-21T00:00:00-04:00",
                    True,
                )
            ],
        ),
        (
            "Dec 30 – Jan 2",
            EN,
            [("Dec 30 – Jan 2", "2025-12-30T00:00:00-05:00", "2026-01-03T00:00:00-05:00", True)],
        ),
        (
            "March 17–20, 2026, 9am–5pm",
            EN,
            [
                (
                    "March 17–20, 2026, 9am–5pm",
                    "2026-03-17T09:00:00-04:00",
                    "2026-03-20T17:00:00-04:00",
                    False,
                )
            ],
        ),
        # DST: 2:30 does not exist on March 8, 2026 in New York; an end before the start is dropped
        (
            "March 8, 2026, 2:30 a.m.",
            EN,
            [("March 8, 2026, 2:30 a.m.", "2026-03-08T03:30:00-04:00", None, False)],
        ),
        (
            "March 9, 2026, 3 p.m. – 2 p.m.",
            EN,
            [("March 9, 2026, 3 p.m. – 2 p.m.", "2026-03-09T15:00:00-04:00", None, False)],
        ),
    ],
)
def test_whens(text: str, style: DateStyle, expected: list[Resolved]) -> None:
    assert read(text, style) == expected


def test_no_whens_in_prose() -> None:
    assert find_whens("We show that 3 of 4 methods fail at 2pm loads.") == []


def test_printed_year_wins_over_the_given_one() -> None:
    [when] = find_whens("March 10, 2026, 2 p.m.")
    assert resolve(when, 1999, NY)[0].year == 2026


def test_zone_of_the_text_wins_over_the_given_one() -> None:
    [when] = find_whens("Oct 3, 4pm CEST")
    start, _, _ = resolve(when, 2025, NY)
    assert start.tzinfo == ZoneInfo("Europe/Berlin")
    assert start.isoformat() == "2025-10-03T16:00:00+02:00"


def test_a_day_the_year_lacks_is_an_error() -> None:
    [when] = find_whens("Feb 29, 2pm")
    assert resolve(when, 2028, NY)[0].isoformat() == "2028-02-29T14:00:00-05:00"
    with pytest.raises(DateParseError):
        resolve(when, 2027, NY)


# (span, start ISO, end ISO or None, weekday or None), resolved with 2025 and New York.
Paged = tuple[str, str, str | None, int | None]


@pytest.mark.parametrize(
    ("lang", "url", "zone", "text", "expected"),
    [
        # A preposition glued to the month ("d בMMMM y"), an abbreviated weekday typed with an
        # apostrophe for the geresh
        (
            "he",
            "https://www.cs.tau.ac.il/colloq",
            "Asia/Jerusalem",
            "יום ג', 21 באוקטובר 2025, 14:00",
            ("יום ג', 21 באוקטובר 2025, 14:00", "2025-10-21T14:00:00-04:00", None, 1),
        ),
        (
            "he",
            "https://www.weizmann.ac.il/math/seminar",
            "Asia/Jerusalem",
            "יום שלישי, 21 באוקטובר 2025 בשעה 14:00–15:30",
            (
                "יום שלישי, 21 באוקטובר 2025 בשעה 14:00–15:30",
                "2025-10-21T14:00:00-04:00",
                "2025-10-21T15:30:00-04:00",
                1,
            ),
        ),
        # "ngày" before the day and "năm" before the year, from CLDR's Vietnamese skeletons
        (
            "vi",
            "https://www.hcmus.edu.vn/seminar",
            "Asia/Ho_Chi_Minh",
            "Thứ Ba, ngày 7 tháng 10 năm 2025, 14h00 – 15h30",
            (
                "Thứ Ba, ngày 7 tháng 10 năm 2025, 14h00 – 15h30",
                "2025-10-07T14:00:00-04:00",
                "2025-10-07T15:30:00-04:00",
                1,
            ),
        ),
        # Year first, with the words after the year and the day
        (
            "lt",
            "https://www.mif.vu.lt/seminarai",
            "Europe/Vilnius",
            "2026 m. sausio 12 d. 9:00",
            ("2026 m. sausio 12 d. 9:00", "2026-01-12T09:00:00-05:00", None, None),
        ),
        (
            "lt",
            "https://www.mif.vu.lt/seminarai",
            "Europe/Vilnius",
            "2025 m. spalio 21 d., antradienis, 14:00",
            (
                "2025 m. spalio 21 d., antradienis, 14:00",
                "2025-10-21T14:00:00-04:00",
                None,
                1,
            ),
        ),
        # Year, day, then the month in the locative ("oktobrī"; CLDR has "oktobris")
        (
            "lv",
            "https://www.lu.lv/seminari",
            "Europe/Riga",
            "2025. gada 14. oktobrī",
            ("2025. gada 14. oktobrī", "2025-10-14T00:00:00-04:00", None, None),
        ),
        (
            "lv",
            "https://www.lu.lv/seminari",
            "Europe/Riga",
            "2025. gada 14. oktobrī plkst. 14:00",
            ("2025. gada 14. oktobrī plkst. 14:00", "2025-10-14T14:00:00-04:00", None, None),
        ),
        (
            "hu",
            "https://www.renyi.hu/szeminarium",
            "Europe/Budapest",
            "2025. október 7., kedd, 14:15–15:45",
            (
                "2025. október 7., kedd, 14:15–15:45",
                "2025-10-07T14:15:00-04:00",
                "2025-10-07T15:45:00-04:00",
                1,
            ),
        ),
        # A year closed by a period, then the time
        (
            "sr",
            "https://www.matf.bg.ac.rs/seminar",
            "Europe/Belgrade",
            "utorak, 21. oktobar 2025. u 14:30",
            ("utorak, 21. oktobar 2025. u 14:30", "2025-10-21T14:30:00-04:00", None, 1),
        ),
        # Ranges whose start is a bare hour or whose end carries the hour word
        (
            "ca",
            "https://www.ub.edu/seminari",
            "Europe/Madrid",
            "dimarts, 4 de novembre de 2025, de 12:00 a 13:00 h",
            (
                "dimarts, 4 de novembre de 2025, de 12:00 a 13:00 h",
                "2025-11-04T12:00:00-05:00",
                "2025-11-04T13:00:00-05:00",
                1,
            ),
        ),
        (
            "es",
            "https://www.uam.es/seminario",
            "Europe/Madrid",
            "martes, 4 de noviembre de 2025, de 16 a 17:30 h",
            (
                "martes, 4 de noviembre de 2025, de 16 a 17:30 h",
                "2025-11-04T16:00:00-05:00",
                "2025-11-04T17:30:00-05:00",
                1,
            ),
        ),
        # Spanish "may" is May, though English "may" is a verb
        (
            "es",
            "https://www.uam.es/seminario",
            "Europe/Madrid",
            "3 may 2025, 18:00",
            ("3 may 2025, 18:00", "2025-05-03T18:00:00-04:00", None, None),
        ),
        # Languages whose clock has a dot: a dotted time right after the day is its time
        (
            "da",
            "https://www.math.ku.dk/seminar",
            "Europe/Copenhagen",
            "tirsdag den 21. oktober 2025 14.30",
            ("tirsdag den 21. oktober 2025 14.30", "2025-10-21T14:30:00-04:00", None, 1),
        ),
        (
            "fi",
            "https://www.helsinki.fi/seminaari",
            "Europe/Helsinki",
            "tiistai 21. lokakuuta 2025 14.30",
            ("tiistai 21. lokakuuta 2025 14.30", "2025-10-21T14:30:00-04:00", None, 1),
        ),
        # Basque year and day suffixes, brackets printed or not
        (
            "eu",
            "https://www.ehu.eus/mintegia",
            "Europe/Madrid",
            "2025eko urriaren 21ean, 14:30",
            ("2025eko urriaren 21ean, 14:30", "2025-10-21T14:30:00-04:00", None, None),
        ),
        (
            "mt",
            "https://www.um.edu.mt/seminar",
            "Europe/Malta",
            "It-Tlieta, 21 ta’ Ottubru 2025, 14:30",
            ("It-Tlieta, 21 ta’ Ottubru 2025, 14:30", "2025-10-21T14:30:00-04:00", None, 1),
        ),
        # The weekday glued to "ที่", the era before the year, "น." after the time
        (
            "th",
            "https://www.chula.ac.th/seminar",
            "Asia/Bangkok",
            "วันอังคารที่ 21 ตุลาคม ค.ศ. 2025 เวลา 14:30 น.",
            (
                "วันอังคารที่ 21 ตุลาคม ค.ศ. 2025 เวลา 14:30 น.",
                "2025-10-21T14:30:00-04:00",
                None,
                1,
            ),
        ),
        (
            "ar",
            "https://www.kau.edu.sa/seminar",
            "Asia/Riyadh",
            "الثلاثاء، 21 أكتوبر 2025، 2:30 م",
            ("الثلاثاء، 21 أكتوبر 2025، 2:30 م", "2025-10-21T14:30:00-04:00", None, 1),
        ),
        (
            "ko",
            "https://www.kaist.ac.kr/seminar",
            "Asia/Seoul",
            "2025. 10. 21. 오후 2:30",
            ("2025. 10. 21. 오후 2:30", "2025-10-21T14:30:00-04:00", None, None),
        ),
    ],
)
def test_whens_on_pages(lang: str, url: str, zone: str, text: str, expected: Paged) -> None:
    style = page_style(lang, url, zone, [text])
    [when] = find_whens(text, style)
    span, start, end, _ = _resolved(text, when)
    assert (span, start, end, when.day.weekday) == expected


@pytest.mark.parametrize(
    ("text", "style", "expected"),
    [
        # A dotted number is a time after a day only when stuck to it, in a language whose
        # clock has a dot: a room, a credit count and English text keep theirs.
        (
            "21. lokakuuta 2025, sali 2.14",
            DateStyle(("fi",)),
            [("21. lokakuuta 2025", "2025-10-21T00:00:00-04:00", None, True)],
        ),
        (
            "21. lokakuuta 2025 3.5 op",
            DateStyle(("fi",)),
            [("21. lokakuuta 2025", "2025-10-21T00:00:00-04:00", None, True)],
        ),
        (
            "21 October 2025 14.30",
            EN,
            [("21 October 2025", "2025-10-21T00:00:00-04:00", None, True)],
        ),
        # Hungarian "de" is a.m. and "but": before a bare number it is the word
        (
            "2025. október 7., de 10 perc késéssel",
            DateStyle(("hu",)),
            [
                ("2025. október 7.", "2025-10-07T00:00:00-04:00", None, True),
            ],
        ),
        # A year-first date needs the word after the year: "2025 21 October" is a year and a day
        (
            "2025 21 October",
            DateStyle(("lv",)),
            [("21 October", "2025-10-21T00:00:00-04:00", None, True)],
        ),
    ],
)
def test_no_time_from_what_is_not_one(
    text: str, style: DateStyle, expected: list[Resolved]
) -> None:
    assert read(text, style) == expected
