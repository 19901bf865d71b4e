"""The readers on the dates of real seminar pages (../shared/real/pages), checked against the
hand-written records of those pages."""

from __future__ import annotations

import contextlib
import json
import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bs4 import BeautifulSoup

from scrapers.when import (
    DateParseError,
    find_clocks,
    find_days,
    find_terms,
    find_whens,
    page_style,
    parse_datetime_range,
    resolve,
)
from tests.shared_real import real_path

NY = ZoneInfo("America/New_York")


def _lines(relative: str) -> list[str]:
    soup = BeautifulSoup(real_path(relative).read_text(encoding="utf-8"), "lxml")
    for hidden in soup(["script", "style"]):
        hidden.decompose()
    return [" ".join(line.split()) for line in soup.get_text("\n").splitlines() if line.strip()]


def _records(relative: str) -> list[dict[str, str | None]]:
    records: list[dict[str, str | None]] = json.loads(
        real_path(relative).read_text(encoding="utf-8")
    )
    return records


def test_princeton_cards_read_as_their_records() -> None:
    html = real_path("pages/princeton-philosophy-events/listing.html").read_text(encoding="utf-8")
    soup = BeautifulSoup(html, "lxml")
    style = page_style("en", "https://philosophy.princeton.edu/events", "America/New_York")
    read = []
    for field in soup.select("div.field--name-field-ps-events-date"):
        # Each card prints its date twice: a "Sep 19" badge, then the full date.
        whens = find_whens(" ".join(field.get_text(" ").split()), style)
        if not whens or whens[0].day.year is None:
            continue
        start, end, all_day = resolve(whens[0], 0, NY)
        if all_day:
            # The records end a range of days on its last day, not the midnight after it.
            last = (end - timedelta(days=1)).date().isoformat() if end else None
            read.append((start.date().isoformat(), last))
        else:
            read.append((start.isoformat(), end.isoformat() if end else None))
    records = _records("pages/princeton-philosophy-events/listing.expected.json")
    assert read == [(record["start"], record["end"]) for record in records]


def test_penn_month_day_lines_in_the_fall_2023_term() -> None:
    lines = _lines("pages/penn-cs-theory-seminar/seminar-fall2023.html")
    style = page_style("en", "https://theory.cis.upenn.edu/seminar/", "America/New_York", lines)
    [term] = [term for line in lines if "Fall 2023" in line for term in find_terms(line, style)]
    [noon] = [clock for line in lines if "12pm in room" in line for clock in find_clocks(line)]
    days = {
        date(term.year_for(day.month), day.month, day.day)
        for line in lines
        for day in find_days(line, style)
    }
    records = _records("pages/penn-cs-theory-seminar/seminar-fall2023.expected.json")
    starts = {datetime.fromisoformat(str(record["start"])) for record in records}
    assert {start.date() for start in starts} <= days
    assert {start.timetz().replace(tzinfo=None) for start in starts} == {noon.begin}


def test_mad_month_names_without_a_year() -> None:
    lines = _lines("pages/nyu-cds-mad-seminar/seminar_fall2023.html")
    found = {(day.month, day.day) for line in lines for day in find_days(line)}
    records = _records("pages/nyu-cds-mad-seminar/seminar_fall2023.expected.json")
    starts = {datetime.fromisoformat(str(record["start"])) for record in records}
    assert {(start.month, start.day) for start in starts} <= found
    [hours] = [clock for line in lines if line == "2:00pm-3:00pm" for clock in find_clocks(line)]
    assert (hours.begin.hour, hours.finish and hours.finish.hour) == (14, 15)


def test_mad_plus_dates_with_eastern_times() -> None:
    lines = _lines("pages/nyu-cds-mad-seminar/madplus.html")
    style = page_style("en-us", "https://mad.cds.nyu.edu/madplus/", "America/New_York", lines)
    whens = [when for line in lines for when in find_whens(line, style) if when.clock]
    assert len(whens) == 29
    assert {when.clock.zone for when in whens if when.clock} == {"America/New_York"}
    first = [resolve(when, 2021, NY)[0].isoformat() for when in whens[:2]]
    assert first == ["2021-04-16T11:00:00-04:00", "2021-04-23T11:00:00-04:00"]
    eleven_fifteen = [when for when in whens if when.clock and when.clock.begin.minute == 15]
    assert len(eleven_fifteen) == 8


def test_mad_fall_2019_one_row_with_its_own_time() -> None:
    lines = _lines("pages/nyu-cds-mad-seminar/seminar_fall2019.html")
    timed = [when for line in lines for when in find_whens(line) if when.clock]
    assert [(w.day.month, w.day.day, w.clock and w.clock.begin.hour) for w in timed] == [
        (10, 25, 15)
    ]


def test_nyu_colloquium_date_lines_read_as_their_records() -> None:
    lines = real_path("pages/nyu-cs-colloquium-text/FIELD_LINES.md").read_text(encoding="utf-8")
    quoted = re.findall(r"`([^`]*\b20\d\d\b[^`]*)`", lines)
    read = set()
    for text in quoted:
        with contextlib.suppress(DateParseError):
            read.add(parse_datetime_range(text, NY)[0].isoformat())
    records = _records("pages/nyu-cs-colloquium-text/real_records.json")
    assert read == {str(record["start"]) for record in records if "T" in str(record["start"])}
