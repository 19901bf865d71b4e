"""Pages that break in the ways real servers break them, one source at a time.

Each test runs the whole job once against the healthy site, then again with one fault, and
checks that the run finishes, that the other source is still published, that no talk
published before is gone, and that the report on stderr names the fault.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from aggregator.cli import main
from tests.conftest import LISTING_PATH, NYU
from tests.faults import (
    CALENDAR_ID,
    CALENDAR_PATH,
    LATER,
    NOW,
    FaultySite,
    Published,
    active_markup,
    assert_nothing_lost,
    html_documents,
    nyu_uid,
    outputs,
    published,
)
from tests.fixture_pages import FIXTURES

FEEDS = (".ics", ".rss", ".atom")


def run(config: Path, now: str) -> int:
    return main(["run", "--config", str(config), "--now", now])


def healthy_first(config: Path, capsys: pytest.CaptureFixture[str]) -> Published:
    assert run(config, NOW) == 0
    capsys.readouterr()
    before = published(config.parent / "public")
    assert len(before.uids(f"sites/{CALENDAR_ID}.ics")) == 2
    assert len(before.uids("sites/nyu-cs-colloquium.ics")) == 8
    return before


def assert_calendar_source_published(after: Published, before: Published) -> None:
    name = f"sites/{CALENDAR_ID}.ics"
    assert after.events[name] == before.events[name]
    assert after.uids(name) <= after.uids("all.ics")


def feed_bytes(out: Path) -> dict[str, bytes]:
    return {name: data for name, data in outputs(out).items() if Path(name).suffix in FEEDS}


def test_malformed_detail_pages(
    faulty: FaultySite, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = healthy_first(config, capsys)
    soup = (NYU / "1857.html").read_bytes()
    for closing in (b"</p>", b"</div>", b"</li>", b"</ul>", b"</article>", b"</main>"):
        soup = soup.replace(closing, b"")
    soup = soup.replace(b"<header", b"\x00\xff\xfe\x81<<td><b \x8d garbage<header", 1)
    faulty.raw[faulty.detail_path(1857)] = (soup, "text/html; charset=utf-8")
    faulty.raw[faulty.detail_path(1861)] = truncated_1861()

    code = run(config, LATER)

    report = capsys.readouterr().err
    after = published(config.parent / "public")
    assert_nothing_lost(before, after)
    assert_calendar_source_published(after, before)
    # Tag soup is read as a browser would: every field is still there, and nothing more.
    assert after.text(nyu_uid(1857)) == before.text(nyu_uid(1857))
    # A page cut off before its date is not used: the talk stays as it was published.
    assert f"{faulty.detail_path(1861)}: talk page without a date; not used" in report
    assert after.text(nyu_uid(1861)) == before.text(nyu_uid(1861))
    assert code == 1, "a talk page that cannot be used is an error the operator should see"


def test_a_truncated_detail_page_keeps_what_was_published(
    faulty: FaultySite, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = healthy_first(config, capsys)
    faulty.raw[faulty.detail_path(1861)] = truncated_1861()
    run(config, LATER)
    assert published(config.parent / "public").text(nyu_uid(1861)) == before.text(nyu_uid(1861))


def truncated_1861() -> tuple[bytes, str]:
    """The page cut off in the middle of the speaker's name, then binary garbage."""
    page = (NYU / "1861.html").read_bytes()
    cut = page.index("Tomás Herrera".encode())
    garbage = "Tomás Herr".encode() + b"\xff\xfe\x00<div <p class="
    return page[:cut] + garbage, "text/html; charset=utf-8"


def test_script_and_control_characters_in_an_abstract(
    faulty: FaultySite, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = healthy_first(config, capsys)
    faulty.edit(
        faulty.detail_path(1857),
        "<p>The rapid evolution",
        "<p><script>alert(1)</script>&lt;script&gt;alert(2)&lt;/script&gt;"
        "<img src=x onerror=alert(3)>Line one\x0bline two.</p><p>The rapid evolution",
    )

    assert run(config, LATER) == 0

    assert "nyu-cs-colloquium: ok" in capsys.readouterr().err
    out = config.parent / "public"
    after = published(out)
    assert_nothing_lost(before, after)
    assert_calendar_source_published(after, before)
    text = after.text(nyu_uid(1857))
    # The page's script element is not text; text that reads like one is kept as text; the
    # scraper reads the vertical tab as the whitespace it is.
    assert "alert(1)" not in text
    assert "<script>alert(2)</script>Line one line two." in text
    documents = html_documents(out)
    for name, bodies in documents.items():
        for body in bodies:
            assert active_markup(body) == [], name
    rss = "".join(documents["all.rss"])
    assert "&lt;script&gt;alert(2)&lt;/script&gt;Line one line two." in rss
    for name, data in outputs(out).items():
        assert b"\x0b" not in data, name


def test_pdf_served_as_a_detail_page(
    faulty: FaultySite, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = healthy_first(config, capsys)
    pdf = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n%%EOF\n"
    faulty.raw[faulty.detail_path(1857)] = (pdf, "application/pdf")

    assert run(config, LATER) == 1

    report = capsys.readouterr().err
    assert f"{faulty.detail_path(1857)}: unexpected content type application/pdf" in report
    after = published(config.parent / "public")
    assert_nothing_lost(before, after)
    assert_calendar_source_published(after, before)
    # Only the listing was read: the abstract stored from the healthy run stays published.
    assert after.text(nyu_uid(1857)) == before.text(nyu_uid(1857))


def test_windows_1252_detail_page_without_a_charset(
    faulty: FaultySite, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    healthy_first(config, capsys)
    out = config.parent / "public"
    feeds = feed_bytes(out)
    page = (NYU / "1866.html").read_text(encoding="utf-8")
    page = page.replace('<meta charset="utf-8">\n', "")
    assert "charset" not in page and "Zürich" in page
    faulty.raw[faulty.detail_path(1866)] = (page.encode("cp1252"), "text/html")

    assert run(config, LATER) == 0

    assert "nyu-cs-colloquium: ok" in capsys.readouterr().err
    # Read as windows-1252, the page says exactly what its UTF-8 original said.
    assert feed_bytes(out) == feeds
    assert "Ingrid Solberg (ETH Zürich)" in published(out).text(nyu_uid(1866))


def test_robots_txt_disallowing_a_detail_page(
    faulty: FaultySite, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = healthy_first(config, capsys)
    faulty.robots = f"User-agent: *\nDisallow: {faulty.detail_path(1857)}\n"
    faulty.requests.clear()

    assert run(config, LATER) == 1

    report = capsys.readouterr().err
    assert f"{faulty.detail_path(1857)}: disallowed by robots.txt" in report
    assert faulty.detail_path(1857) not in faulty.requests
    assert faulty.detail_path(1861) in faulty.requests
    after = published(config.parent / "public")
    assert_nothing_lost(before, after)
    assert_calendar_source_published(after, before)
    assert after.text(nyu_uid(1857)) == before.text(nyu_uid(1857))


def test_server_errors_then_recovery(
    faulty: FaultySite, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = healthy_first(config, capsys)
    out = config.parent / "public"
    # More failures than one retry can absorb: this run loses the feed.
    faulty.failures[CALENDAR_PATH] = [500, 500]

    assert run(config, LATER) == 1

    report = capsys.readouterr().err
    assert f"{CALENDAR_PATH}: HTTP 500 Internal Server Error" in report
    assert f"{CALENDAR_ID}: FAILED" in report
    after = published(out)
    assert_nothing_lost(before, after)
    # The feed's talks stay published from the store; the other source is untouched.
    assert after.events[f"sites/{CALENDAR_ID}.ics"] == before.events[f"sites/{CALENDAR_ID}.ics"]
    assert (
        after.events["sites/nyu-cs-colloquium.ics"] == before.events["sites/nyu-cs-colloquium.ics"]
    )

    # One failure is absorbed by the retry; the run after recovers whole.
    faulty.failures[faulty.detail_path(1857)] = [503]
    faulty.requests.clear()
    assert run(config, "2026-03-01T11:00:00-05:00") == 0
    assert "FAILED" not in capsys.readouterr().err
    assert faulty.requests.count(faulty.detail_path(1857)) == 2
    assert published(out) == before


def test_listing_that_returns_404(
    faulty: FaultySite, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = healthy_first(config, capsys)
    faulty.status[LISTING_PATH] = 404

    assert run(config, LATER) == 1

    report = capsys.readouterr().err
    assert f"{LISTING_PATH}: HTTP 404 Not Found" in report
    assert "nyu-cs-colloquium: FAILED" in report
    assert "no listing could be read" in report
    after = published(config.parent / "public")
    assert after == before


@pytest.mark.parametrize(
    ("declared", "encoding", "note"),
    [
        ("iso-8859-1", "utf-8", "declares iso-8859-1, but is UTF-8: read as UTF-8"),
        (
            "utf-8",
            "cp1252",
            "declares utf-8, but not all of it is: the rest read as windows-1252",
        ),
    ],
)
def test_a_detail_page_in_another_charset_than_it_declares(
    faulty: FaultySite,
    config: Path,
    capsys: pytest.CaptureFixture[str],
    declared: str,
    encoding: str,
    note: str,
) -> None:
    healthy_first(config, capsys)
    out = config.parent / "public"
    feeds = feed_bytes(out)
    page = (NYU / "1866.html").read_text(encoding="utf-8").replace('<meta charset="utf-8">\n', "")
    faulty.raw[faulty.detail_path(1866)] = (page.encode(encoding), f"text/html; charset={declared}")

    assert run(config, LATER) == 0

    # Read as what it is, the page says exactly what its original said; the report says so.
    url = faulty.server.url_for(faulty.detail_path(1866))
    assert f"warning: {url}: {note}" in capsys.readouterr().err
    assert feed_bytes(out) == feeds
    assert "Ingrid Solberg (ETH Zürich)" in published(out).text(nyu_uid(1866))


@pytest.mark.parametrize(
    ("declared", "encoding"), [("iso-8859-1", "utf-8"), ("utf-8", "cp1252")], ids=str
)
def test_a_listing_in_another_charset_than_it_declares_still_lists_its_talks(
    faulty: FaultySite,
    config: Path,
    capsys: pytest.CaptureFixture[str],
    declared: str,
    encoding: str,
) -> None:
    # French dates ("mardi 4 mars", "1er avril", "février") read as mojibake are no dates: read
    # by the declaration, the page gave "ok: 0 talks", and nothing said why.
    page = (FIXTURES / "_listings" / "fr-spip-seminaire-prose.html").read_text(encoding="utf-8")
    # Two talks link to pages of their own, which this site does not have: the links go.
    page = re.sub(r' href="spip\.php\?article4(19|23)"', "", page)
    faulty.raw["/seminaire/"] = (page.encode(encoding), f"text/html; charset={declared}")
    text = config.read_text() + (
        '\n[[sources]]\nkind = "auto"\nid = "valmont-seminaire"\nname = "Séminaire"\n'
        f'url = "{faulty.server.url_for("/seminaire/")}"\ntimezone = "Europe/Paris"\n'
    )
    config.write_text(text)

    assert run(config, "2025-02-28T16:20:00+01:00") == 0

    report = capsys.readouterr().err
    assert "valmont-seminaire: ok: 8 talks from 1 listing" in report
    assert f"warning: {faulty.server.url_for('/seminaire/')}: declares {declared}, " in report


def test_feed_events_with_a_url_that_is_no_web_page(
    faulty: FaultySite, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = healthy_first(config, capsys)
    faulty.edit(CALENDAR_PATH, "https://math.example.edu/seminar/2026-03-12", "javascript:alert(1)")
    data = "data:text/html;base64," + "PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==" * 4
    faulty.edit(CALENDAR_PATH, "https://math.example.edu/seminar/2026-04-02", data)

    assert run(config, LATER) == 0

    # The talks stay, without the links, and the links dropped are said, as any other is.
    report = capsys.readouterr().err
    shown = {"ms-2026-03-12": "'javascript:alert(1)'", "ms-2026-04-02": repr(data[:57] + "...")}
    for uid, url in shown.items():
        event = f"event '{uid}@math.example.edu'"
        warning = f"{faulty.calendar_url}: {event}: URL {url} is not an http(s) URL: ignored"
        assert f"warning: {warning}" in report
    out = config.parent / "public"
    after = published(out)
    assert after.uids(f"sites/{CALENDAR_ID}.ics") == before.uids(f"sites/{CALENDAR_ID}.ics")
    for name, body in outputs(out).items():
        if Path(name).suffix in (*FEEDS, ".html"):
            assert b"javascript:" not in body and b"data:text" not in body, name
