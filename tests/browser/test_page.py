"""The index page in a real browser: Debian's Chromium, headless, driven by Playwright, against
the output of a real run served by `talkfeed serve`'s server.

The run reads three sources from the local fixture server: the NYU colloquium pages, a Courant
calendar listing two of the same talks (merged) and two others, and a Tokyo seminar calendar, so
the page holds talks in two time zones and a source menu with three entries. The browser reads
it from New York, in US English, unless a test says otherwise. Screenshots land in
test-artifacts/ (git-ignored) for a person to look at.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from icalendar import Calendar
from lxml import etree
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect, sync_playwright

from aggregator.cli import main
from aggregator.publishing.serve import serving
from tests.conftest import FixtureSite
from tests.feeds.jsonfeed_rules import jsonfeed_problems
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
READER_ZONE = "America/New_York"
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
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, timezone_id=READER_ZONE, locale="en-US"
    )
    yield context
    context.close()


@contextmanager
def watched(context: BrowserContext, url: str) -> Iterator[Page]:
    """A page of `context` loaded from `url`, failing the test on any script error, console
    error (a script or style sheet the Content-Security-Policy refused) or failed request."""
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on(
        "response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None
    )
    page.goto(url)
    yield page
    # Chromium asks for a favicon by itself; the page has none.
    origin = url.split("/", 3)[:3]
    favicon = [f"404 {'/'.join(origin)}/favicon.ico", _NOT_FOUND]
    assert [problem for problem in problems if problem not in favicon] == []


@pytest.fixture
def page(context: BrowserContext, base_url: str) -> Iterator[Page]:
    """The index page, loaded and watched (see `watched`)."""
    with watched(context, base_url) as page:
        yield page


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
    # No base_url in this config: the script made the webcal:// link from the page's address.
    add = feed.get_by_role("link", name="Add to calendar")
    expect(add).to_be_visible()
    host = urlsplit(base_url).netloc
    assert _href(add) == f"webcal://{host}/all.ics"
    response = page.request.get(f"http://{host}/all.ics")
    assert response.ok and response.headers["content-type"].startswith("text/calendar")
    assert b"BEGIN:VCALENDAR" in response.body()
    for name, file in (("RSS", "all.rss"), ("Atom", "all.atom"), ("JSON Feed", "all.feed.json")):
        assert _href(feed.get_by_role("link", name=name)) == base_url + file
    response = page.request.get(base_url + "all.feed.json")
    assert response.ok and response.headers["content-type"] == "application/feed+json"
    assert jsonfeed_problems(json.loads(response.body())) == []
    # The one-line explanation of what "Add to calendar" does.
    expect(page.locator("#subscribe + p")).to_contain_text("webcal:")
    opml = page.get_by_role("link", name="All feeds as OPML")
    response = page.request.get(_href(opml))
    assert response.ok
    outlines = etree.fromstring(response.body()).findall("body/outline")
    assert [o.get("xmlUrl") for o in outlines] == [
        "all.rss",
        "sites/courant-events.rss",
        "sites/nyu-cs-colloquium.rss",
        "sites/tokyo-theory.rss",
    ]
    for outline in outlines:
        for key in ("xmlUrl", "jsonFeedUrl"):
            assert page.request.get(base_url + str(outline.get(key))).ok


def _href(link: Locator) -> str:
    """The link's address as the browser resolved it."""
    return str(link.evaluate("a => a.href"))


def test_feed_addresses_are_shown_whole_and_copied(
    context: BrowserContext, page: Page, base_url: str
) -> None:
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base_url.rstrip("/"))
    feed = _feed(page, "All talks")
    address = feed.locator(".address code")
    # The script made the relative address absolute, for pasting into another app.
    expect(address).to_have_text(f"{base_url}all.ics")
    expect(feed.locator(".address")).to_contain_text("Calendar address")
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
    expect(feed.get_by_role("status")).not_to_be_empty()
    assert page.evaluate("getSelection().toString()") == f"{base_url}sites/nyu-cs-colloquium.ics"


def test_each_talk_can_be_added_to_a_calendar_alone(page: Page, base_url: str) -> None:
    feed = Calendar.from_ical(page.request.get(base_url + "all.ics").body())
    events = {str(event.uid): event for event in feed.events}
    links = page.locator("li.talk p.add-talk a")
    expect(links).to_have_count(TALKS)
    for link in links.all():
        expect(link).to_have_text("Add to calendar")
        response = page.request.get(_href(link))
        assert response.ok and response.headers["content-type"].startswith("text/calendar")
        (event,) = Calendar.from_ical(response.body()).events
        # The event the feeds hold, UID and all: subscribing later does not add a second one.
        assert event.to_ical() == events[str(event.uid)].to_ical()
    tokyo = page.locator("li.talk", has_text="Expander Graphs in Practice")
    response = page.request.get(_href(tokyo.locator("p.add-talk a")))
    (event,) = Calendar.from_ical(response.body()).events
    assert str(event["SUMMARY"]).startswith("Expander Graphs in Practice")


def test_times_in_the_readers_own_zone_when_it_differs(page: Page) -> None:
    # The reader is in New York: NYU's talks need nothing more, Tokyo's does.
    nyu = page.locator("li.talk", has_text="Building Efficient and Scalable Machine Learning")
    expect(nyu.locator(".when time")).to_have_text("2:00 PM – 3:15 PM EDT")
    expect(nyu.locator(".yours")).to_have_count(0)
    tokyo = page.locator("li.talk", has_text="Expander Graphs in Practice")
    expect(tokyo.locator(".when time")).to_have_text("10:00 AM – 11:30 AM JST")
    # 10:00 JST on March 11 is 9:00 PM EDT on March 10.
    expect(tokyo.locator(".yours")).to_have_text(
        re.compile(r"Your time: Tue, Mar 10, 9:00\s*–\s*10:30\s*PM EDT")
    )
    expect(page.locator(".yours")).to_have_count(1)


def test_times_for_a_reader_in_london(browser: Browser, base_url: str) -> None:
    london = browser.new_context(timezone_id="Europe/London", locale="en-US")
    try:
        with watched(london, base_url) as page:
            nyu = page.locator("li.talk", has_text="Building Efficient and Scalable Machine")
            expect(nyu.locator(".yours")).to_have_text(
                re.compile(r"Your time: Tue, Mar 10, 6:00\s*–\s*7:15\s*PM GMT")
            )
            tokyo = page.locator("li.talk", has_text="Expander Graphs in Practice")
            expect(tokyo.locator(".yours")).to_have_text(
                re.compile(r"Your time: Wed, Mar 11, 1:00\s*–\s*2:30\s*AM GMT")
            )
            expect(page.locator(".yours")).to_have_count(TALKS)
    finally:
        london.close()


def test_the_page_says_when_it_was_made_and_as_of_when(page: Page) -> None:
    # The run was for a fixed time (--now): the page names the clock's time and that one.
    expect(page.locator("p.updated")).to_have_text(
        re.compile(
            r"Updated \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC, "
            r"with the talks as of 2026-03-01 14:00 UTC\."
        )
    )


def test_every_link_resolves(page: Page, base_url: str) -> None:
    """Every link on the page leads somewhere: an anchor to an element, a file of the output
    to a 200, a webcal:// link to its calendar over HTTP, a talk's page on the fixture server to
    that page. Links to the made-up hosts of the Courant and Tokyo calendars' talks are only
    checked to be http(s): the tests never reach the internet."""
    hrefs = page.locator("a[href]").evaluate_all(
        "links => links.map((a) => [a.getAttribute('href'), a.href])"
    )
    assert len(hrefs) > 3 * TALKS
    outside = []
    for written, resolved in hrefs:
        parts = urlsplit(resolved)
        if written.startswith("#"):
            expect(page.locator(written)).to_have_count(1)
        elif parts.scheme == "webcal":
            assert page.request.get(f"http://{parts.netloc}{parts.path}").ok, written
        elif parts.hostname in ("127.0.0.1", "localhost"):
            assert page.request.get(resolved).ok, written
        else:
            assert parts.scheme in ("http", "https"), written
            outside.append(resolved)
    assert {urlsplit(url).hostname for url in outside} == {"cims.nyu.edu", "theory.example.ac.jp"}


def test_readable_without_javascript(browser: Browser, base_url: str) -> None:
    static = browser.new_context(java_script_enabled=False, locale="en-US")
    try:
        with watched(static, base_url) as page:
            expect(page.locator("li.talk")).to_have_count(TALKS)
            assert _count(page) == f"{TALKS} talks"
            # What needs the script stays out of the way without it.
            expect(page.locator("#filters")).to_be_hidden()
            expect(page.locator("button.copy")).to_have_count(5)
            for button in page.locator("button.copy").all():
                expect(button).to_be_hidden()
            # No address to subscribe to is known without base_url or the script: no webcal.
            for add in page.locator("li.feed a.add").all():
                expect(add).to_be_hidden()
            # The rest is all there: times in each talk's zone, addresses to copy by hand,
            # the feeds, each talk's own calendar file.
            tokyo = page.locator("li.talk", has_text="Expander Graphs in Practice")
            expect(tokyo.locator("time")).to_have_text("10:00 AM – 11:30 AM JST")
            expect(page.locator(".yours")).to_have_count(0)
            expect(_feed(page, "All talks").locator(".address code")).to_have_text("all.ics")
            expect(_feed(page, "All talks").get_by_role("link", name="JSON Feed")).to_be_visible()
            expect(page.locator("p.add-talk a").first).to_be_visible()
    finally:
        static.close()


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
    page.keyboard.press("Tab")  # the talk's title link
    page.keyboard.press("Tab")  # its "Add to calendar"
    page.keyboard.press("Tab")  # its abstract
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
        # Addresses wrap rather than being cut off or pushing the page sideways.
        for code in small.locator(".address code").all():
            assert code.evaluate("box => box.scrollWidth <= box.clientWidth"), code.inner_text()
            assert code.inner_text().startswith(base_url)
    finally:
        phone.close()
