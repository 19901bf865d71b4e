"""One site, one run: start URL → listings → talk pages → drafts.

A talk found on a listing survives a detail page that fails: it is kept with what the listing
showed and the problem is reported. Only when no listing can be read has the site failed.

Time is the site's `site_budget` and the fetcher's `run_deadline`, both on the fetcher's clock:
once either is used up, the pages not read yet are left for the next run (the store keeps what
they said before), and a request still going is cut off.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from aggregator.errors import FetchError
from aggregator.fetching.fetch import Fetcher, Response, outcome
from aggregator.fetching.pagecache import Outline, PageCache
from aggregator.fetching.parsing import IN_PROCESS, Parsers, describe
from scrapers import Link, Page, SiteParser, TalkDraft

__all__ = ["MAX_LISTINGS", "CrawlResult", "Problem", "crawl", "read_settled"]

MAX_LISTINGS = 20
"""Listing pages read per site and run, so a site that links listings in a loop still ends."""

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Problem:
    """Something that went wrong on one page."""

    url: str
    message: str
    warning: bool = False
    """A gap in optional fields, not a loss: reported, but the source still counts as read."""

    def __str__(self) -> str:
        return f"{self.url}: {self.message}"


@dataclass
class CrawlResult:
    """What one site's crawl found."""

    drafts: list[TalkDraft] = field(default_factory=list)
    partial: set[str] = field(default_factory=set)
    """URLs of talks whose detail page failed: their drafts hold only the listing's fields."""
    problems: list[Problem] = field(default_factory=list)
    listings_read: int = 0
    listings_failed: int = 0
    """Listing pages that could not be fetched or parsed: the site's list may be incomplete."""
    details_read: int = 0
    pages_reused: int = 0
    """Pages of talks that are over, not fetched again: their last parse was reused."""
    pages_fetched: int = 0
    """Pages that got an answer, revalidated ones included."""
    pages_revalidated: int = 0
    """Pages the server said were unchanged since the last run (HTTP 304)."""
    http: Counter[str] = field(default_factory=Counter)
    """HTTP outcomes by kind, as `fetch.outcome` names them."""
    failed: bool = False
    """True when no listing could be read: the site's talks are unknown this run."""
    settled: list[tuple[str, str]] = field(default_factory=list)
    """Listings read as they were, whose talks are whole on them, as (URL, digest of what they
    gave): when every listing read was one, the crawl leaves their talks unread, as they are
    what they were (`read_settled` reads them into `drafts`)."""
    outlined: list[tuple[str, str]] = field(default_factory=list)
    """Every listing read, changed or not, that gave whole talks, as (URL, digest of what it
    gave): when they are all the listings read, a next run whose listings all answer as they
    were has them all as `settled`."""

    @property
    def complete(self) -> bool:
        """Every listing page was read, so a talk missing from them is really gone."""
        return not self.failed and self.listings_failed == 0


async def crawl(
    site: SiteParser,
    start_urls: Sequence[str],
    fetcher: Fetcher,
    now: datetime | None = None,
    cache: PageCache | None = None,
    parsers: Parsers = IN_PROCESS,
    found: Callable[[TalkDraft], None] | None = None,
) -> CrawlResult:
    """Read the site from its start URLs; never raises for a page that fails. `now`, when the
    run fixes it, is what parsers see as the present instead of the time of each response.
    With a `cache`, an unchanged page (304) is not parsed again, and the page of a talk that
    is over is not fetched again: what they gave last time is reused. `parsers` is where the
    pages are parsed (a `ParsePool` for a crawl of many sites). `found` is told of each draft
    read from a page as soon as it is, while the crawl goes on (not of one reused: a page
    unchanged, or of a talk that is over)."""
    result = CrawlResult()
    talks: dict[str, Link] = {}
    queue, seen = list(start_urls), set(start_urls)
    # The talk links of listings parsed this run, by identity: their seeds are new drafts.
    fresh: set[int] = set()
    get = _Getter(fetcher, start_urls)
    while queue and result.listings_read < MAX_LISTINGS:
        if (over := get.over()) is not None:
            result.problems.append(Problem(queue[0], f"{over}; {len(queue)} listing(s) left"))
            result.listings_failed += len(queue)
            break
        url = queue.pop(0)
        # Talks are read in listing order: once one listing is not settled, none is left so.
        settling = not talks and cache is not None
        links = await _listing(site, url, get, result, now, cache, parsers, settling, fresh)
        if links is None:
            result.listings_failed += 1
            continue
        result.listings_read += 1
        if isinstance(links, Outline):
            result.settled.append((url, links.digest))
            result.outlined.append((url, links.digest))
            links = [Link(listing, "listing") for listing in links.listings]
        elif result.settled and cache is not None:
            _add_talks(site, _settled_links(result, cache), talks)
        for link in links:
            if link.kind == "talk":
                _add_talks(site, [link], talks)
            elif link.url not in seen:
                seen.add(link.url)
                queue.append(link.url)
    if result.listings_read == 0:
        result.failed = True
        return result
    present = now or datetime.now(UTC)
    left = list(talks.values())
    while left and (over := get.over()) is None:
        link = left.pop(0)
        read = result.details_read
        draft = await _talk(site, link, get, result, now, cache, parsers, present)
        result.drafts.append(draft)
        if found is not None and (
            result.details_read > read or (link.complete and id(link) in fresh)
        ):
            found(draft)
    if left:
        # What the listing said is published; the store keeps the rest from earlier runs.
        message = f"{over}; {len(left)} talk page(s) not read"
        result.problems.append(Problem(left[0].url, message))
        for link in left:
            result.partial.add(link.url)
            result.drafts.append(link.seed or TalkDraft(link.url))
    return result


def read_settled(result: CrawlResult, site: SiteParser, cache: PageCache) -> None:
    """Read the talks of the listings a crawl left unread (`CrawlResult.settled`) into the
    result, as the crawl would have read them."""
    talks: dict[str, Link] = {}
    _add_talks(site, _settled_links(result, cache), talks)
    for link in talks.values():
        if link.seed is not None:
            result.problems.extend(Problem(link.url, p, warning=True) for p in link.seed.problems)
            result.drafts.append(link.seed)


def _settled_links(result: CrawlResult, cache: PageCache) -> list[Link]:
    links = [link for url, _ in result.settled for link in cache.links(url) or ()]
    result.settled = []
    return [link for link in links if link.kind == "talk"]


def _add_talks(site: SiteParser, links: Sequence[Link], talks: dict[str, Link]) -> None:
    for link in links:
        key = (link.seed.key if link.seed else None) or site.key(link.url) or link.url
        talks.setdefault(key, link)


class _Getter:
    """The fetcher as one site's crawl uses it: every page as the source's own (for the
    addresses it may reach), and within what is left of the site's budget and the run."""

    def __init__(self, fetcher: Fetcher, start_urls: Sequence[str]) -> None:
        self.fetcher = fetcher
        self.origins = tuple(start_urls)
        self.budget = fetcher.settings.site_budget
        self.clock: Callable[[], float] = fetcher.clock
        self.end = self.clock() + self.budget

    def over(self) -> str | None:
        """Why no further page may be asked for, if one may not."""
        if self.fetcher.run_time_left() <= 0:
            return f"run deadline of {self.fetcher.settings.run_deadline:g} s reached"
        if self.clock() >= self.end:
            return f"time budget of {self.budget:g} s used up"
        return None

    async def __call__(self, url: str, conditional: bool) -> Response:
        within = self.end - self.clock()
        return await self.fetcher.get(
            url, conditional=conditional, origins=self.origins, within=within
        )


async def _listing(
    site: SiteParser,
    url: str,
    get: _Getter,
    result: CrawlResult,
    now: datetime | None,
    cache: PageCache | None,
    parsers: Parsers,
    settling: bool = False,
    fresh: set[int] | None = None,
) -> list[Link] | Outline | None:
    """The listing's links; when `settling`, the outline of an unchanged listing of whole
    talks instead, its talks left unread. Links parsed from the page as it is now, not kept
    from before, are added to `fresh` by identity."""
    fetched = await _page(url, get, result, site, now)
    if fetched is _UNCHANGED and cache is not None:
        outline = cache.outline(url) if settling else None
        if outline is not None:
            return outline
        kept = cache.links(url)
        if kept is not None:
            return kept
        fetched = await _page(url, get, result, site, now, conditional=False)
    if not isinstance(fetched, _Fresh):
        return None
    earlier = cache.parts(url) if cache is not None else None
    if earlier is not None:
        fetched.page.earlier = earlier
    parsed = await parsers.listing(site, fetched.page)
    if parsed.value is None:
        result.problems.append(Problem(url, f"listing parser failed: {parsed.error}"))
        return None
    result.problems.extend(Problem(url, note, warning=True) for note in parsed.notes)
    if fresh is not None:
        # A part of the page as it was gives the draft it gave then: nothing new.
        taken = {id(d) for name, d in parsed.parts.items() if earlier and name in earlier}
        fresh.update(id(link) for link in parsed.value if id(link.seed) not in taken)
    if cache is not None:
        outline = cache.keep_links(url, parsed.value, fetched.validators, parsed.parts, parsed.kept)
        if outline is not None:
            result.outlined.append((url, outline.digest))
    return parsed.value


async def _talk(
    site: SiteParser,
    link: Link,
    get: _Getter,
    result: CrawlResult,
    now: datetime | None,
    cache: PageCache | None,
    parsers: Parsers,
    present: datetime,
) -> TalkDraft:
    if link.complete and link.seed is not None:
        result.problems.extend(Problem(link.url, p, warning=True) for p in link.seed.problems)
        return link.seed
    kept = cache.draft(link.url) if cache is not None else None
    if kept is not None and kept.start is not None and kept.start < present:
        # The talk is over: its page has nothing new to say, so it is not asked for again.
        result.pages_reused += 1
        return kept.over(link.seed)
    fetched = await _page(link.url, get, result, site, now)
    if fetched is _UNCHANGED and kept is not None:
        return kept.over(link.seed)
    if fetched is _UNCHANGED:
        fetched = await _page(link.url, get, result, site, now, conditional=False)
    if isinstance(fetched, _Fresh):
        parsed = await parsers.talk(site, fetched.page)
        draft = parsed.value
        if draft is None:
            result.problems.append(Problem(link.url, f"detail parser failed: {parsed.error}"))
        else:
            if draft.start is None and link.seed is not None and link.seed.start is not None:
                # A talk page without the date its listing shows is broken (cut off, or
                # redesigned): trust the listing and the store rather than this page.
                result.problems.append(Problem(link.url, "talk page without a date; not used"))
                result.partial.add(link.url)
                return link.seed
            result.details_read += 1
            result.problems.extend(Problem(link.url, p, warning=True) for p in draft.problems)
            # The listing's URL is the talk's identity, even when the detail page redirected.
            draft.url = link.url
            if cache is not None:
                cache.keep_draft(link.url, draft, fetched.validators)
            return draft.over(link.seed)
    result.partial.add(link.url)
    return link.seed or TalkDraft(link.url)


class _Unchanged:
    """A 304: the page is as it was when last parsed."""


@dataclass(frozen=True)
class _Fresh:
    """A page as answered, with the validators to keep with what it gives."""

    page: Page
    validators: tuple[str | None, str | None]


_UNCHANGED = _Unchanged()


async def _page(
    url: str,
    get: _Getter,
    result: CrawlResult,
    site: SiteParser,
    now: datetime | None,
    *,
    conditional: bool = True,
) -> _Fresh | _Unchanged | None:
    try:
        response = await get(url, conditional)
    except FetchError as exc:
        result.http[outcome(exc)] += 1
        result.problems.append(Problem(url, exc.reason))
        return None
    except Exception as exc:  # a fetcher bug must cost one page, not the run
        log.debug("%s: fetching failed unexpectedly", url, exc_info=True)
        result.http["network"] += 1
        result.problems.append(Problem(url, f"fetching failed unexpectedly: {describe(exc)}"))
        return None
    result.http[outcome(response)] += 1
    result.pages_fetched += 1
    if response.not_modified:
        result.pages_revalidated += 1
        return _UNCHANGED
    if response.decoding is not None:
        result.problems.append(Problem(url, response.decoding, warning=True))
    if response.content_type and response.content_type not in site.content_types:
        expected = ", ".join(sorted(site.content_types))
        result.problems.append(
            Problem(url, f"unexpected content type {response.content_type} (expected {expected})")
        )
        return None
    return _Fresh(
        Page(response.url, response.text, now or response.fetched_at), response.validators
    )
