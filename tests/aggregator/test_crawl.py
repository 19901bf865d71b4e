"""One site's crawl against the fixture site on 127.0.0.1: what it reads, and what it survives."""

from __future__ import annotations

import asyncio

from aggregator.crawl import CrawlResult, crawl
from aggregator.fetch import Fetcher, FetchSettings
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


def test_a_site_over_its_time_budget_leaves_pages_for_next_time(site: FixtureSite) -> None:
    async def go() -> CrawlResult:
        slow = FetchSettings(delay=0.2, retries=0, site_budget=0.5)
        async with Fetcher(slow) as fetcher:
            return await crawl(get_site("nyu-cs-colloquium"), [site.listing_url], fetcher)

    result = asyncio.run(go())
    assert len(result.drafts) == 8, "every listed talk is still published"
    assert 0 < len(result.partial) < 8
    (budget,) = [p for p in result.problems if "time budget" in p.message]
    assert budget.message.startswith("time budget of 0.5 s used up; ")
    assert not budget.warning
    assert result.details_read + len(result.partial) == 8
