"""find_clocks: times of day, ranges, meridiem sharing, zones and the academic quarter."""

from __future__ import annotations

import pytest

from scrapers.when import ClockMention, DateStyle, find_clocks
from tests.scrapers.when.styles import DE, EN, ES, EU, FR, IT, JA, KO, NL, PT, ZH

# (printed span, begin "HH:MM", finish "HH:MM" or None, zone)
Clock = tuple[str, str, str | None, str | None]


def read(text: str, style: DateStyle) -> list[Clock]:
    return [_clock(text, found) for found in find_clocks(text, style)]


def _clock(text: str, found: ClockMention) -> Clock:
    finish = found.finish.strftime("%H:%M") if found.finish else None
    return text[found.start : found.end], found.begin.strftime("%H:%M"), finish, found.zone


@pytest.mark.parametrize(
    ("text", "style", "expected"),
    [
        ("2 p.m.", EN, [("2 p.m.", "14:00", None, None)]),
        ("11:30 a.m.", EN, [("11:30 a.m.", "11:30", None, None)]),
        ("12pm", EN, [("12pm", "12:00", None, None)]),
        ("12 a.m.", EN, [("12 a.m.", "00:00", None, None)]),
        ("noon", EN, [("noon", "12:00", None, None)]),
        ("12 noon", EN, [("12 noon", "12:00", None, None)]),
        ("midnight", EN, [("midnight", "00:00", None, None)]),
        ("11.15am", EN, [("11.15am", "11:15", None, None)]),
        ("6p", EN, [("6p", "18:00", None, None)]),
        ("1:30p", EN, [("1:30p", "13:30", None, None)]),
        ("10:30a", EN, [("10:30a", "10:30", None, None)]),
        ("11 am", EN, [("11 am", "11:00", None, None)]),
        ("2PM", EN, [("2PM", "14:00", None, None)]),
        ("14:00", EN, [("14:00", "14:00", None, None)]),
        ("3 in the afternoon", EN, [("3 in the afternoon", "15:00", None, None)]),
        # Ranges
        ("1-2pm", EN, [("1-2pm", "13:00", "14:00", None)]),
        ("11-12pm", EN, [("11-12pm", "11:00", "12:00", None)]),
        ("11am-1pm", EN, [("11am-1pm", "11:00", "13:00", None)]),
        ("12-1pm", EN, [("12-1pm", "12:00", "13:00", None)]),
        ("10-11:30am", EN, [("10-11:30am", "10:00", "11:30", None)]),
        ("1:30–2:30 p.m.", EN, [("1:30–2:30 p.m.", "13:30", "14:30", None)]),
        ("2 p.m. – 3:30 p.m.", EN, [("2 p.m. – 3:30 p.m.", "14:00", "15:30", None)]),
        ("2 p.m. – 3:30", EN, [("2 p.m. – 3:30", "14:00", "15:30", None)]),
        ("11am - 1:30", EN, [("11am - 1:30", "11:00", "13:30", None)]),
        ("2:00pm-3:00pm", EN, [("2:00pm-3:00pm", "14:00", "15:00", None)]),
        ("3:45pm-5:00pm", EN, [("3:45pm-5:00pm", "15:45", "17:00", None)]),
        ("from 1 to 2pm", EN, [("1 to 2pm", "13:00", "14:00", None)]),
        ("12:30-1:30pm", EN, [("12:30-1:30pm", "12:30", "13:30", None)]),
        ("noon-1:30", EN, [("noon-1:30", "12:00", "13:30", None)]),
        ("16:15-17:45", EN, [("16:15-17:45", "16:15", "17:45", None)]),
        ("16.15–17.45", EN, [("16.15–17.45", "16:15", "17:45", None)]),
        # Zones: wall clocks, never offsets
        ("4pm ET", EN, [("4pm ET", "16:00", None, "America/New_York")]),
        ("4:00 PM EST", EN, [("4:00 PM EST", "16:00", None, "America/New_York")]),
        ("11am EDT", EN, [("11am EDT", "11:00", None, "America/New_York")]),
        ("3:30 p.m. (Eastern)", EN, [("3:30 p.m. (Eastern)", "15:30", None, "America/New_York")]),
        ("1pm Pacific Time", EN, [("1pm Pacific Time", "13:00", None, "America/Los_Angeles")]),
        ("10am CT", EN, [("10am CT", "10:00", None, "America/Chicago")]),
        ("10am MST", EN, [("10am MST", "10:00", None, "America/Denver")]),
        ("16:00 CEST", EN, [("16:00 CEST", "16:00", None, "Europe/Berlin")]),
        ("16 Uhr MEZ", DE, [("16 Uhr MEZ", "16:00", None, "Europe/Berlin")]),
        ("2pm BST", EN, [("2pm BST", "14:00", None, "Europe/London")]),
        ("2pm GMT", EN, [("2pm GMT", "14:00", None, "Europe/London")]),
        ("15:00 JST", EN, [("15:00 JST", "15:00", None, "Asia/Tokyo")]),
        ("15:00 KST", EN, [("15:00 KST", "15:00", None, "Asia/Seoul")]),
        ("9am AEDT", EN, [("9am AEDT", "09:00", None, "Australia/Sydney")]),
        ("9am NZST", EN, [("9am NZST", "09:00", None, "Pacific/Auckland")]),
        ("14:00 UTC", EN, [("14:00 UTC", "14:00", None, "UTC")]),
        ("14:00Z", EN, [("14:00Z", "14:00", None, "UTC")]),
        ("14:00 UTC+1", EN, [("14:00 UTC+1", "14:00", None, "Etc/GMT-1")]),
        ("14:00 Beijing time", EN, [("14:00 Beijing time", "14:00", None, "Asia/Shanghai")]),
        ("10am Paris time", EN, [("10am Paris time", "10:00", None, "Europe/Paris")]),
        ("北京时间 14:00", ZH, [("14:00", "14:00", None, "Asia/Shanghai")]),
        ("1-2pm ET", EN, [("1-2pm ET", "13:00", "14:00", "America/New_York")]),
        ("4pm Central Library", EN, [("4pm", "16:00", None, None)]),
        # German
        ("16:15 Uhr", DE, [("16:15 Uhr", "16:15", None, None)]),
        ("18 Uhr", DE, [("18 Uhr", "18:00", None, None)]),
        ("14 Uhr c.t.", DE, [("14 Uhr c.t.", "14:15", None, None)]),
        ("14 Uhr s.t.", DE, [("14 Uhr s.t.", "14:00", None, None)]),
        ("14–16 Uhr c.t.", DE, [("14–16 Uhr c.t.", "14:15", "15:45", None)]),
        ("16:15–17:45 Uhr", DE, [("16:15–17:45 Uhr", "16:15", "17:45", None)]),
        ("von 16 bis 18 Uhr", DE, [("16 bis 18 Uhr", "16:00", "18:00", None)]),
        ("3 Uhr nachmittags", DE, [("3 Uhr nachmittags", "15:00", None, None)]),
        ("Group 5 – 14:00", EN, [("14:00", "14:00", None, None)]),
        ("16:00 am Dienstag", DE, [("16:00 am", "16:00", None, None)]),
        # French
        ("14h", FR, [("14h", "14:00", None, None)]),
        ("14h30", FR, [("14h30", "14:30", None, None)]),
        ("14 h 30", FR, [("14 h 30", "14:30", None, None)]),
        ("14h-15h30", FR, [("14h-15h30", "14:00", "15:30", None)]),
        ("(10h-12h, ENAC)", FR, [("10h-12h", "10:00", "12:00", None)]),
        ("à midi", FR, [("midi", "12:00", None, None)]),
        ("l'après-midi à 14h", FR, [("14h", "14:00", None, None)]),
        # Spanish, Portuguese, Italian, Dutch
        ("16:00 h", ES, [("16:00 h", "16:00", None, None)]),
        ("de 14:00 a 16:00", ES, [("14:00 a 16:00", "14:00", "16:00", None)]),
        ("a las 4 de la tarde", ES, [("4 de la tarde", "16:00", None, None)]),
        ("4 p. m.", ES, [("4 p. m.", "16:00", None, None)]),
        ("às 14h", PT, [("14h", "14:00", None, None)]),
        ("ore 14:30", IT, [("14:30", "14:30", None, None)]),
        ("alle 14", IT, [("14", "14:00", None, None)]),
        ("dalle 14 alle 16", IT, [("14 alle 16", "14:00", "16:00", None)]),
        ("14.00 uur", NL, [("14.00 uur", "14:00", None, None)]),
        ("om 16 uur", NL, [("16 uur", "16:00", None, None)]),
        ("kl. 14.15", EN, [("14.15", "14:15", None, None)]),
        # Slavic, Nordic, Greek, Vietnamese, Indonesian and Hebrew ranges
        ("godz. 12:15 do 14:00", EU, [("12:15 do 14:00", "12:15", "14:00", None)]),
        ("с 16:00 до 17:30", EU, [("16:00 до 17:30", "16:00", "17:30", None)]),
        ("kl. 14.15 til 15.00", EU, [("14.15 til 15.00", "14:15", "15:00", None)]),
        ("13:00 έως 14:30", EU, [("13:00 έως 14:30", "13:00", "14:30", None)]),
        ("14h00 đến 15h30", EU, [("14h00 đến 15h30", "14:00", "15:30", None)]),
        ("pukul 13.00 s.d. 14.30", EU, [("13.00 s.d. 14.30", "13:00", "14:30", None)]),
        ("14:00 עד 15:30", EU, [("14:00 עד 15:30", "14:00", "15:30", None)]),
        # CLDR's words around a time: the hour word, a range word, am/pm before the hour
        (
            "14:30 ч. – 16:00 ч.",
            DateStyle(("bg",)),
            [("14:30 ч. – 16:00 ч.", "14:30", "16:00", None)],
        ),
        ("14 giờ", DateStyle(("vi",)), [("14 giờ", "14:00", None, None)]),
        ("14:30 น.", DateStyle(("th",)), [("14:30 น.", "14:30", None, None)]),
        ("14:30 تا 16:00", DateStyle(("fa",)), [("14:30 تا 16:00", "14:30", "16:00", None)]),
        ("du. 2:30–4:00", DateStyle(("hu",)), [("du. 2:30–4:00", "14:30", "16:00", None)]),
        ("ÖS 2:30", DateStyle(("tr",)), [("ÖS 2:30", "14:30", None, None)]),
        ("Kl. 9.30", DateStyle(("nds",)), [("9.30", "09:30", None, None)]),
        # Chinese, Japanese, Korean
        ("下午3点", ZH, [("下午3点", "15:00", None, None)]),
        ("下午3点半", ZH, [("下午3点半", "15:30", None, None)]),
        ("15点30分", ZH, [("15点30分", "15:30", None, None)]),
        ("下午2:00-3:30", ZH, [("下午2:00-3:30", "14:00", "15:30", None)]),
        ("上午10:00", ZH, [("上午10:00", "10:00", None, None)]),
        ("午後2時", JA, [("午後2時", "14:00", None, None)]),
        ("14時30分", JA, [("14時30分", "14:30", None, None)]),
        ("15:00〜16:30", JA, [("15:00〜16:30", "15:00", "16:30", None)]),
        ("１４：００", JA, [("１４：００", "14:00", None, None)]),
        ("오후 2시 30분", KO, [("오후 2시 30분", "14:30", None, None)]),
    ],
)
def test_clocks(text: str, style: DateStyle, expected: list[Clock]) -> None:
    assert read(text, style) == expected


@pytest.mark.parametrize(
    "text",
    [
        "2",
        "at 3",
        "such as 14 people",
        "Room 5a",
        "13 p.m.",
        "pi is 3.14",
        "15.01.2026",
        "version 16.15",
        "in 5 to 6 weeks",
        "10-11",
        "We met 2 times.",
        "24:30",
    ],
)
def test_no_clocks(text: str) -> None:
    assert read(text, EN) == []


@pytest.mark.parametrize(
    ("text", "style"),
    [
        # Hungarian "de" is a.m. and "but"; outside CJK am/pm before a bare hour is no time
        ("de 10 perc múlva", DateStyle(("hu",))),
        # An hour word of one language is no hour word in another
        ("14 ч", EN),
    ],
)
def test_no_clocks_in_other_languages(text: str, style: DateStyle) -> None:
    assert read(text, style) == []
