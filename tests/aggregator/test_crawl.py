"""One site's crawl against the fixture site on 127.0.0.1: what it reads, and what it survives."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from aggregator.fetching.crawl import CrawlResult, crawl
from aggregator.fetching.fetch import Fetcher, FetchSettings
from scrapers import Page, SiteParser, TalkDraft, get_site
from scrapers.kinds import build_source
from scrapers.sites.nyu_cs_colloquium import NyuCsColloquium
from tests.conftest import LISTING_PATH, FixtureSite

FAST = FetchSettings(delay=0.0, retries=0)


def crawl_site(site: SiteParser, url: str) -> CrawlResult:
    async def go() -> CrawlResult:
        async with Fetcher(FAST) as fetcher:
            return await crawl(site, [url], fetcher)

    return asyncio.run(go())


class CrashingOn1857(NyuCsColloquium):
    """The NYU parser with a bug that one page triggers."""

    def talk(self, page: Page) -> TalkDraft:
        if "/1857/" in page.url:
            raise ZeroDivisionError("parser bug")
        return super().talk(page)


def test_reads_current_and_later_semesters_then_every_talk(site: FixtureSite) -> None:
    result = crawl_site(get_site("nyu-cs-colloquium"), site.listing_url)
    assert (result.listings_read, result.details_read, result.failed) == (2, 8, False)
    assert f"{LISTING_PATH}?semester=fall_2026" in site.requests
    assert not [r for r in site.requests if "spring_2026" in r or "fall_2025" in r]
    assert len(result.drafts) == 8
    assert result.partial == set()
    assert [p for p in result.problems if not p.warning] == []


def test_a_parser_crash_costs_one_page(site: FixtureSite) -> None:
    result = crawl_site(CrashingOn1857(), site.listing_url)
    assert len(result.drafts) == 8
    crashed = [p for p in result.problems if "/1857/" in p.url]
    assert [p.message for p in crashed] == ["detail parser failed: ZeroDivisionError: parser bug"]
    (partial,) = result.partial
    assert partial.endswith("/1857/")
    seed = next(d for d in result.drafts if d.url == partial)
    assert seed.title == "Building Efficient and Scalable Machine Learning Systems"
    assert seed.abstract is None


def test_non_html_detail_page_is_a_problem_not_a_crash(site: FixtureSite) -> None:
    site.pages[site.detail_path(1861)] = "%PDF-1.7 not a page"
    site.content_types[site.detail_path(1861)] = "application/pdf"
    result = crawl_site(get_site("nyu-cs-colloquium"), site.listing_url)
    assert [p.message for p in result.problems if "/1861/" in p.url] == [
        "unexpected content type application/pdf (expected application/xhtml+xml, text/html)"
    ]
    assert any(d.url.endswith("/1861/") for d in result.drafts)


def test_listing_loop_is_read_once(site: FixtureSite) -> None:
    # A listing whose selector claims an earlier semester links back to one already read.
    site.edit(
        f"{LISTING_PATH}?semester=fall_2026",
        '<option value="fall_2026" selected>',
        '<option value="fall_2026">',
    )
    site.edit(
        f"{LISTING_PATH}?semester=fall_2026",
        '<option value="fall_2025">',
        '<option value="fall_2025" selected>',
    )
    result = crawl_site(get_site("nyu-cs-colloquium"), site.listing_url)
    assert site.requests.count(f"{LISTING_PATH}?semester=fall_2026") == 1
    assert result.listings_read == 2


def test_feed_entries_skipped_or_incomplete_are_reported(site: FixtureSite) -> None:
    site.pages["/feed.ics"] = "\r\n".join(
        [
            "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN",
            "BEGIN:VEVENT", "UID:good@x", "DTSTART:20260310T190000Z", "SUMMARY:Good talk", "END:VEVENT",
            "BEGIN:VEVENT", "UID:broken@x", "SUMMARY:No start", "END:VEVENT",
            "END:VCALENDAR", "",
        ]
    )  # fmt: skip
    site.content_types["/feed.ics"] = "text/calendar"
    feed = build_source(
        {"kind": "ical", "id": "t-feed", "name": "T", "url": "https://x.edu/", "timezone": "UTC"}
    )
    result = crawl_site(feed, site.server.url_for("/feed.ics"))
    assert [d.title for d in result.drafts] == ["Good talk"]
    warnings = [p.message for p in result.problems if p.warning]
    assert any("broken@x" in w or "No start" in w for w in warnings), warnings
    assert not [p for p in result.problems if not p.warning]


def crawl_by_the_request(site: FixtureSite, settings: FetchSettings) -> CrawlResult:
    """Crawl with a clock that moves 100 s with every request the site gets, and only then: the
    budgets are spent by requests, never by how busy the machine is."""

    def clock() -> float:
        return 100.0 * len(site.requests)

    async def go() -> CrawlResult:
        async with Fetcher(settings, clock=clock) as fetcher:
            return await crawl(get_site("nyu-cs-colloquium"), [site.listing_url], fetcher)

    return asyncio.run(go())


def test_a_site_over_its_time_budget_leaves_pages_for_next_time(site: FixtureSite) -> None:
    # robots.txt and the two listings bring the clock to 300 s, two talk pages to 500 s.
    result = crawl_by_the_request(site, replace(FAST, site_budget=450))
    assert len(result.drafts) == 8, "every listed talk is still published"
    assert result.details_read == 2
    assert len(result.partial) == 6
    (budget,) = [p for p in result.problems if "time budget" in p.message]
    assert budget.message == "time budget of 450 s used up; 6 talk page(s) not read"
    assert not budget.warning
    assert len(site.requests) == 5


def test_a_run_over_its_deadline_leaves_pages_for_next_time(site: FixtureSite) -> None:
    # The second listing is asked for at 200 s, with 50 s of the run left; after it, none is.
    result = crawl_by_the_request(site, replace(FAST, run_deadline=250))
    assert (result.listings_read, result.details_read, result.failed) == (2, 0, False)
    assert len(result.drafts) == len(result.partial) == 8
    assert [p.message for p in result.problems if not p.warning] == [
        "run deadline of 250 s reached; 8 talk page(s) not read"
    ]


def test_a_site_started_after_the_run_deadline_asks_for_nothing(site: FixtureSite) -> None:
    # The fetcher opens at 0 s; the site's turn comes at 300 s, past the run's 250 s.
    clock = [0.0]

    async def go() -> CrawlResult:
        async with Fetcher(replace(FAST, run_deadline=250), clock=lambda: clock[0]) as fetcher:
            clock[0] = 300.0
            return await crawl(get_site("nyu-cs-colloquium"), [site.listing_url], fetcher)

    result = asyncio.run(go())
    assert result.failed
    assert site.requests == []
    assert [p.message for p in result.problems] == [
        "run deadline of 250 s reached; 1 listing(s) left"
    ]
