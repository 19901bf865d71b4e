"""`talkfeed extract`: one page's talks with no configuration, from a saved file or from a
server on 127.0.0.1, with what it says on stderr about how it read the page."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from aggregator.cli import main
from aggregator.model import Talk
from tests.fixture_pages import EXAMPLE_FIXTURES, FIXTURES
from tests.served import serve_pages

SCHEDULE = """<!doctype html><html lang=en><head><title>Analysis Seminar</title>{head}</head>
<body><main><h1>Analysis Seminar</h1>
<table><tr><th>Date</th><th>Speaker</th><th>Title</th></tr>
<tr><td>March 3, 2026, 4pm</td><td>Ann Lee (MIT)</td><td>On heat flow</td></tr>
<tr><td>March 10, 2026, 4pm</td><td>Bo Chen (Yale)</td><td>Sharp bounds</td></tr>
</table></main></body></html>"""
FEED = """BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//Example//EN\r
X-WR-TIMEZONE:Europe/Berlin\r
BEGIN:VEVENT\r
UID:talk-1@example.de\r
DTSTAMP:20260101T000000Z\r
DTSTART;TZID=Europe/Berlin:20260303T161500\r
DTEND;TZID=Europe/Berlin:20260303T174500\r
SUMMARY:Über Wärmeleitung\r
LOCATION:Hörsaal 3\r
URL:https://math.example.de/kolloquium/1\r
END:VEVENT\r
END:VCALENDAR\r
"""


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, Any, str]:
    code = main(["extract", *args])
    out, err = capsys.readouterr()
    return code, json.loads(out) if out.strip() else None, err


def test_a_live_page_is_read_through_the_feed_it_links(
    httpserver: HTTPServer, capsys: pytest.CaptureFixture[str]
) -> None:
    head = '<link rel="alternate" type="text/calendar" href="/kolloquium.ics">'
    asked = serve_pages(
        httpserver,
        {
            "/kolloquium/": (SCHEDULE.format(head=head), "text/html; charset=utf-8"),
            "/kolloquium.ics": (FEED, "text/calendar; charset=utf-8"),
        },
    )
    code, records, err = run(capsys, httpserver.url_for("/kolloquium/"), "--timezone", "UTC")
    assert code == 0
    assert "/kolloquium.ics" in asked
    assert "read by the iCal feed rung" in err
    (record,) = records
    assert record["title"] == "Über Wärmeleitung"
    assert (record["start"], record["end"]) == (
        "2026-03-03T16:15:00+01:00",
        "2026-03-03T17:45:00+01:00",
    )
    assert record["timezone"] == "Europe/Berlin"
    assert record["url"] == "https://math.example.de/kolloquium/1"


def test_a_live_platform_page_is_read_through_its_api(
    httpserver: HTTPServer, capsys: pytest.CaptureFixture[str]
) -> None:
    api = (EXAMPLE_FIXTURES / "uchicago-cs-events" / "events-page-1.json").read_text(
        encoding="utf-8"
    )
    head = f'<link rel="https://api.w.org/" href="{httpserver.url_for("/wp-json/")}">'
    page = SCHEDULE.format(head=head).replace("<table>", '<div class="tribe-events"></div><table>')
    asked = serve_pages(
        httpserver,
        {
            "/events/": (page, "text/html"),
            "/wp-json/tribe/events/v1/events": (
                # Without its next page: one answer is what this test is about.
                re.sub(r'"next_rest_url":\s*"[^"]*",?', "", api),
                "application/json",
            ),
        },
    )
    code, records, err = run(
        capsys, httpserver.url_for("/events/"), "--timezone", "America/Chicago"
    )
    assert code == 0
    assert "/wp-json/tribe/events/v1/events" in asked
    assert "read by the platform rung: The Events Calendar" in err
    assert records[0]["title"] == "Distinguished Lecture: Programs That Prove Themselves Correct"
    assert records[0]["start"] == "2026-02-19T16:00:00-06:00"


def test_a_saved_page_names_its_feed_and_is_read_itself(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    head = '<link rel="alternate" type="text/calendar" href="/kolloquium.ics">'
    file = tmp_path / "page.html"
    file.write_text(SCHEDULE.format(head=head), encoding="utf-8")
    url = "https://math.example.edu/seminar/"
    code, records, err = run(capsys, str(file), "--url", url, "--timezone", "America/New_York")
    assert code == 0
    assert "iCal feed: links https://math.example.edu/kolloquium.ics, not fetched" in err
    assert "read by the listing rung" in err
    assert [(r["title"], r["start"]) for r in records] == [
        ("On heat flow", "2026-03-03T16:00:00-05:00"),
        ("Sharp bounds", "2026-03-10T16:00:00-04:00"),
    ]
    assert records[0]["speakers"] == [{"name": "Ann Lee", "affiliation": "MIT"}]
    # Exactly the record `talkfeed parse` prints: every field of the model, in its order.
    assert list(records[0]) == list(Talk.model_fields)


@pytest.mark.parametrize(
    "name", ["none-en-gb-department-home", "none-de-news-listing", "none-fr-emploi-du-temps"]
)
def test_nothing_is_invented_on_pages_that_list_no_talks(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    file = FIXTURES / "_listings" / f"{name}.html"
    code, records, err = run(
        capsys, str(file), "--url", "https://www.example.ac.uk/", "--timezone", "Europe/London"
    )
    assert (code, records) == (0, [])
    assert "no rung of the ladder reads this page" in err
    assert "listing: no repeated blocks with dates and talk details" in err


def test_the_zone_is_guessed_from_the_country_and_said_to_be_a_guess(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / "page.html"
    file.write_text(SCHEDULE.format(head=""), encoding="utf-8")
    code, records, err = run(
        capsys, str(file), "--url", "https://www.math.uni-example.de/kolloquium/"
    )
    assert code == 0
    assert "timezone Europe/Berlin, guessed from the host's country (.de): check it" in err
    assert records[0]["start"] == "2026-03-03T16:00:00+01:00"
    code, records, err = run(capsys, str(file), "--url", "https://math.example.edu/seminar/")
    assert code == 0
    assert "no --timezone and nothing to guess one from: times read as UTC" in err
    assert records[0]["timezone"] == "UTC"


def test_a_zone_the_page_states_is_taken_before_the_country(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = (
        '<script>var drupalSettings = {"ps_fullcalendar":{"timezone":"America/New_York"}};</script>'
    )
    file = tmp_path / "page.html"
    file.write_text(SCHEDULE.format(head=settings), encoding="utf-8")
    code, records, err = run(capsys, str(file), "--url", "https://math.example.edu/seminar/")
    assert code == 0
    assert "timezone America/New_York, guessed from the page's own settings" in err
    assert records[0]["start"] == "2026-03-03T16:00:00-05:00"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--timezone", "Mars/Olympus"], "--timezone 'Mars/Olympus': not an IANA time zone"),
        (
            ["--url", "ftp://example.edu/"],
            "--url 'ftp://example.edu/': must be an absolute http(s) URL",
        ),
    ],
)
def test_bad_arguments_are_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], arguments: list[str], message: str
) -> None:
    file = tmp_path / "page.html"
    file.write_text(SCHEDULE.format(head=""), encoding="utf-8")
    code, records, err = run(capsys, str(file), *arguments)
    assert (code, records) == (2, None)
    (line,) = err.strip().splitlines()
    assert line.startswith(f"talkfeed: error: {message}")


def test_a_missing_file_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, records, err = run(capsys, str(tmp_path / "nope.html"))
    assert (code, records) == (2, None)
    assert err.startswith("talkfeed: error: ") and "cannot read" in err
    assert len(err.strip().splitlines()) == 1


def test_a_page_that_cannot_be_fetched_is_one_line_and_exit_1(
    httpserver: HTTPServer, capsys: pytest.CaptureFixture[str]
) -> None:
    serve_pages(httpserver, {})
    code, records, err = run(capsys, httpserver.url_for("/gone/"), "--timezone", "UTC")
    assert (code, records) == (1, None)
    assert "cannot fetch" in err and "404" in err
    assert len(err.strip().splitlines()) == 1
