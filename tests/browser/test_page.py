"""The index page in a real browser: Debian's Chromium, headless, driven by Playwright, against
the output of a real run served by `talkfeed serve`'s server.

The run reads three sources from the local fixture server: the NYU colloquium pages, a Courant
calendar listing two of the same talks (merged) and two others, and a Tokyo seminar calendar, so
the page holds talks in two time zones and a source menu with three entries. Screenshots land in
test-artifacts/ (git-ignored) for a person to look at.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from lxml import etree
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect, sync_playwright

from aggregator.cli import main
from aggregator.serve import serving
from tests.conftest import FixtureSite
from tests.fixture_pages import FIXTURES
from tests.outside_programs import require_file

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
# Without the networking flags Chromium keeps trying to reach Google's hosts, which this
# machine's closed network refuses.
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
NOW = "2026-03-01T09:00:00-05:00"
_NOT_FOUND = "Failed to load resource: the server responded with a status of 404 (Not Found)"

COURANT = (FIXTURES / "_merge" / "courant.ics").read_text(encoding="utf-8")
TOKYO = """\
BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//talkfeed tests//Tokyo Theory Seminar//EN
BEGIN:VEVENT
UID:tokyo-1@example.ac.jp
DTSTAMP:20260201T000000Z
DTSTART;TZID=Asia/Tokyo:20260311T100000
DTEND;TZID=Asia/Tokyo:20260311T113000
SUMMARY:Expander Graphs in Practice
DESCRIPTION:Speaker: Haruki Sato (University of Tokyo)\\n\\nAbstract: Where expanders meet
  real networks.
LOCATION:Hongo Campus\\, Room 101
URL:https://theory.example.ac.jp/seminar/1
END:VEVENT
END:VCALENDAR
"""

TALKS = 8
"""Upcoming at NOW: five NYU talks (two also in the Courant calendar), two Courant-only talks
and the Tokyo one."""


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    require_file(CHROMIUM, "chromium")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def base_url(site: FixtureSite, config_file: Path) -> Iterator[str]:
    """The output of a real run, served; the URL of its directory."""
    site.pages["/courant/events.ics"] = COURANT
    site.pages["/tokyo/seminar.ics"] = TOKYO
    for path in ("/courant/events.ics", "/tokyo/seminar.ics"):
        site.content_types[path] = "text/calendar"
    config_file.write_text(
        config_file.read_text(encoding="utf-8")
        + f"""
[[sources]]
kind = "ical"
id = "courant-events"
name = "Courant Institute Events"
url = "{site.server.url_for("/courant/events.ics")}"
timezone = "America/New_York"

[[sources]]
kind = "ical"
id = "tokyo-theory"
name = "Tokyo Theory Seminar"
url = "{site.server.url_for("/tokyo/seminar.ics")}"
timezone = "Asia/Tokyo"
""",
        encoding="utf-8",
    )
    # Playwright's sync API keeps an event loop running on this thread, and the run starts its
    # own: it gets a thread of its own.
    with ThreadPoolExecutor(max_workers=1) as pool:
        run = pool.submit(main, ["run", "--config", str(config_file), "--now", NOW, "--quiet"])
        assert run.result() == 0
    with serving(config_file.parent / "public") as url:
        yield url


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext, base_url: str) -> Iterator[Page]:
    """The index page, loaded, failing the test on any script error, console error (a script or
    style sheet the Content-Security-Policy refused) or failed request."""
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on(
        "response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None
    )
    page.goto(base_url)
    yield page
    # Chromium asks for a favicon by itself; the page has none.
    favicon = [f"404 {base_url}favicon.ico", _NOT_FOUND]
    assert [problem for problem in problems if problem not in favicon] == []


def _count(page: Page) -> str:
    return page.locator("#count").inner_text()


def _titles(page: Page) -> list[str]:
    return page.locator("li.talk:visible h4 a").all_inner_texts()


def test_the_page_lists_every_upcoming_talk_by_day(page: Page) -> None:
    expect(page).to_have_title("Talks")
    expect(page.locator("#filters")).to_be_visible()
    assert _count(page) == f"{TALKS} talks"
    expect(page.locator("li.talk:visible")).to_have_count(TALKS)
    # The Tokyo talk starts at 01:00 UTC on March 11, after NYU's 2 PM EDT talk on the 10th.
    tuesday = page.locator("section.day", has=page.get_by_role("heading", name="Tuesday, March 10"))
    wednesday = page.locator(
        "section.day", has=page.get_by_role("heading", name="Wednesday, March 11, 2026")
    )
    expect(tuesday.locator("time")).to_have_text(["2:00 PM – 3:15 PM EDT"])
    expect(wednesday.locator("li.talk")).to_have_count(1)
    expect(wednesday.locator("time")).to_have_text("10:00 AM – 11:30 AM JST")
    expect(wednesday.locator(".speakers")).to_have_text("Haruki Sato (University of Tokyo)")


def test_an_abstract_opens_and_closes(page: Page) -> None:
    talk = page.locator("li.talk", has_text="Expander Graphs in Practice")
    abstract = talk.get_by_text("Where expanders meet real networks.")
    expect(abstract).to_be_hidden()
    talk.get_by_text("Abstract", exact=True).click()
    expect(abstract).to_be_visible()


def test_typing_a_keyword_narrows_the_list(page: Page) -> None:
    search = page.get_by_label("Search talks")
    search.fill("robots")
    assert _count(page) == "2 talks"
    assert _titles(page) == [
        "Robots That Ask for Help",
        "Robots That Ask for Help (repeat for undergraduates)",
    ]
    # Accents do not matter, and speakers' affiliations are searched too.
    search.fill("zurich")
    assert _count(page) == "1 talk"
    assert _titles(page) == ["Cryptography for a Post-Quantum Internet"]
    # A day left without talks goes too.
    expect(page.locator("section.day:visible")).to_have_count(1)
    search.fill("no such talk")
    assert _count(page) == "0 talks"
    expect(page.locator("section.day:visible")).to_have_count(0)
    search.fill("")
    assert _count(page) == f"{TALKS} talks"


def test_choosing_a_source_narrows_the_list(page: Page) -> None:
    menu = page.get_by_label("Source")
    assert menu.locator("option").all_inner_texts() == [
        "All sources",
        "Courant Institute Events (4)",
        "NYU Computer Science Colloquium (5)",
        "Tokyo Theory Seminar (1)",
    ]
    menu.select_option("tokyo-theory")
    assert _count(page) == "1 talk"
    assert _titles(page) == ["Expander Graphs in Practice"]
    menu.select_option("courant-events")
    assert _count(page) == "4 talks"
    # A talk both sources list is found under either.
    assert "Building Efficient and Scalable Machine Learning Systems" in _titles(page)
    page.get_by_label("Search talks").fill("robots")
    assert _count(page) == "2 talks"
    menu.select_option("")
    page.get_by_label("Search talks").fill("")
    assert _count(page) == f"{TALKS} talks"


def _feed(page: Page, title: str) -> Locator:
    return page.locator("li.feed", has=page.get_by_role("heading", name=title, exact=True))


def test_subscribe_links_point_at_the_feeds(page: Page, base_url: str) -> None:
    feed = _feed(page, "All talks")
    # No base_url in this config: the calendar link is the .ics file itself.
    add = feed.get_by_role("link", name="Add to calendar")
    assert add.evaluate("a => a.href") == f"{base_url}all.ics"
    response = page.request.get(add.evaluate("a => a.href"))
    assert response.ok and response.headers["content-type"].startswith("text/calendar")
    assert b"BEGIN:VCALENDAR" in response.body()
    for name, file in (("RSS", "all.rss"), ("Atom", "all.atom")):
        assert feed.get_by_role("link", name=name).evaluate("a => a.href") == base_url + file
    opml = page.get_by_role("link", name="All feeds as OPML")
    response = page.request.get(opml.evaluate("a => a.href"))
    assert response.ok
    outlines = etree.fromstring(response.body()).findall("body/outline")
    assert [o.get("xmlUrl") for o in outlines] == [
        "all.rss",
        "sites/courant-events.rss",
        "sites/nyu-cs-colloquium.rss",
        "sites/tokyo-theory.rss",
    ]
    for outline in outlines:
        assert page.request.get(base_url + str(outline.get("xmlUrl"))).ok


def test_copy_link_puts_the_feed_address_on_the_clipboard(
    context: BrowserContext, page: Page, base_url: str
) -> None:
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base_url.rstrip("/"))
    feed = _feed(page, "All talks")
    address = feed.get_by_label("Calendar address")
    # The script made the relative address absolute, for pasting into another app.
    expect(address).to_have_value(f"{base_url}all.ics")
    feed.get_by_role("button", name="Copy link").click()
    expect(feed.get_by_role("status")).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == f"{base_url}all.ics"
    changes = _feed(page, "Talk changes")
    changes.get_by_role("button", name="Copy link").click()
    expect(changes.get_by_role("status")).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == f"{base_url}changes.atom"


def test_without_the_clipboard_the_address_is_selected(page: Page, base_url: str) -> None:
    # As a browser does that refuses the page the clipboard.
    page.evaluate(
        "() => { navigator.clipboard.writeText = () => Promise.reject(new Error('denied')); }"
    )
    feed = _feed(page, "NYU Computer Science Colloquium")
    feed.get_by_role("button", name="Copy link").click()
    address = feed.get_by_label("Calendar address")
    expect(address).to_be_focused()
    expect(feed.get_by_role("status")).not_to_be_empty()
    selected = address.evaluate("box => box.value.slice(box.selectionStart, box.selectionEnd)")
    assert selected == f"{base_url}sites/nyu-cs-colloquium.ics"


def test_the_keyboard_reaches_and_drives_the_search(page: Page) -> None:
    page.keyboard.press("Tab")  # the "Subscribe" link in the introduction
    page.keyboard.press("Tab")
    search = page.get_by_label("Search talks")
    expect(search).to_be_focused()
    outline = search.evaluate("box => getComputedStyle(box).outlineStyle")
    assert outline != "none", "focus must be visible"
    page.keyboard.type("expander")
    assert _count(page) == "1 talk"
    page.keyboard.press("Tab")
    expect(page.get_by_label("Source")).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # past the talk's title link, to its abstract
    summary = page.locator("li.talk:visible summary")
    expect(summary).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Where expanders meet real networks.")).to_be_visible()


def test_screenshots_and_a_phone_without_sideways_scrolling(
    browser: Browser, page: Page, base_url: str
) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "index.png", full_page=True)
    phone = browser.new_context(
        viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True
    )
    try:
        small = phone.new_page()
        small.goto(base_url)
        expect(small.locator("#filters")).to_be_visible()
        small.screenshot(path=ARTIFACTS / "index-phone.png", full_page=True)
        # A phone lays the page out at its own width only with the viewport meta tag.
        assert small.evaluate("window.innerWidth") == 375
        assert small.evaluate("document.scrollingElement.scrollWidth") <= 375
    finally:
        phone.close()
