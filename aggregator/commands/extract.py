"""`talkfeed extract`: one page's talks with no site configuration, read by the ladder.

The page is a saved file or a URL. Its records go to stdout as `talkfeed parse` prints them;
stderr says which rung of the ladder read the page and why the others did not. Given a URL, a
feed or platform API the page leads to is fetched and read too; given a file, it is named.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from aggregator.commands.arguments import aware_datetime
from aggregator.errors import FetchError, RecordError, TalkfeedError
from aggregator.fetching.fetch import WHILE_YOU_WAIT, Fetcher, FetchSettings
from aggregator.pipeline import EXIT_OK, EXIT_SOURCES_FAILED
from aggregator.records.normalize import normalize
from scrapers.drafts import Link, Page, ParseError, TalkDraft
from scrapers.generic.auto import AutoSite
from scrapers.ladder import climb
from scrapers.read.zones import guess_zone

__all__ = [
    "Extraction",
    "add_extract_command",
    "extract_page",
    "fetch_page",
    "file_page",
    "page_source",
]

MAX_DOCUMENTS = 10
"""Feeds, API pages and their further pages read for one page."""


@dataclass
class Extraction:
    """What `extract_page` read: the talks, and lines for a person saying how."""

    talks: list[TalkDraft]
    lines: list[str]
    rung: str | None = None
    """The rung that read the page; None when none did."""


def add_extract_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `talkfeed extract` on the `talkfeed` parser's subcommands."""
    command = commands.add_parser(
        "extract",
        help="read one page's talks with no site configuration and print them as JSON",
        description="Read the talks of one page (a saved file or a URL) with no site "
        "configuration, and print them as JSON as `talkfeed parse` does; stderr says which "
        "rung of the ladder read the page and why the others did not.",
    )
    command.add_argument("target", metavar="PAGE_OR_URL", help="a saved page, or an http(s) URL")
    command.add_argument("--url", help="the saved page's original URL (resolves its links)")
    command.add_argument(
        "--timezone", metavar="ZONE", help="the IANA zone of the page's times (default: a guess)"
    )
    command.add_argument(
        "--now",
        type=aware_datetime,
        metavar="ISO",
        help="when the page was fetched, for dates printed without a year (default: the "
        "file's time, or now)",
    )
    command.set_defaults(handler=_extract)


def _extract(args: argparse.Namespace) -> int:
    live = re.match(r"^https?://", args.target) is not None
    if live:
        try:
            page = fetch_page(args.target)
        except FetchError as exc:
            print(f"talkfeed: error: cannot fetch {args.target}: {exc.reason}", file=sys.stderr)
            return EXIT_SOURCES_FAILED
    else:
        page = file_page(Path(args.target), args.url)
    if args.now is not None:
        page.fetched_at = args.now
    zone, zone_note = _zone(args.timezone, page)
    if zone_note:
        print(f"talkfeed: {zone_note}", file=sys.stderr)
    extraction = asyncio.run(extract_page(page, zone, fetch=live))
    for line in extraction.lines:
        print(f"talkfeed: {line}", file=sys.stderr)
    site = page_source(page, zone)
    records = []
    for draft in extraction.talks:
        for problem in draft.problems:
            print(f"talkfeed: warning: {problem}", file=sys.stderr)
        try:
            records.append(normalize(draft, site).model_dump(mode="json"))
        except RecordError as exc:
            print(f"talkfeed: skipped: {exc}", file=sys.stderr)
    print(json.dumps(records, indent=2, ensure_ascii=False))
    return EXIT_OK


async def extract_page(page: Page, zone: ZoneInfo, *, fetch: bool) -> Extraction:
    """The talks of `page` by the first rung of the ladder that reads it, and how; with
    `fetch`, the feeds and API pages it leads to are fetched and read."""
    result = climb(page, zone, fetch=fetch)
    lines = [f"{rung}: {note}" for rung, note in result.notes if rung != result.rung]
    talks = list(result.talks)
    documents = [link.url for link in result.links if link.kind == "listing"]
    if documents and fetch:
        found, problems = await _documents(documents, zone)
        talks += found
        lines += problems
    lines += [f"{url}: not fetched from a saved page" for url in documents if not fetch]
    if result.rung is None:
        lines.append("no rung of the ladder reads this page: no talks")
    else:
        note = next(note for rung, note in result.notes if rung == result.rung)
        count = f"{len(talks)} talk(s)"
        # The feeds it leads to may add talks to those the rung's own note counts.
        said = note if note.startswith(count) else f"{note}; {count}"
        lines.append(f"read by the {result.rung} rung: {said}")
    return Extraction(talks, lines, result.rung)


async def _documents(urls: list[str], zone: ZoneInfo) -> tuple[list[TalkDraft], list[str]]:
    """The talks of the feeds and API pages at `urls`, and of the pages they lead to."""
    talks: list[TalkDraft] = []
    problems: list[str] = []
    queue, seen = list(urls), set(urls)
    async with Fetcher(WHILE_YOU_WAIT) as fetcher:
        while queue and len(seen) <= MAX_DOCUMENTS:
            url = queue.pop(0)
            try:
                response = await fetcher.get(url)
                page = Page(response.url, response.text, response.fetched_at)
                links: list[Link] = climb(page, zone, fetch=True).links
            except (FetchError, ParseError) as exc:
                problems.append(f"{url}: {exc}")
                continue
            talks += [link.seed for link in links if link.kind == "talk" and link.seed]
            for link in links:
                if link.kind == "listing" and link.url not in seen:
                    seen.add(link.url)
                    queue.append(link.url)
    return talks, problems


def fetch_page(url: str, settings: FetchSettings = WHILE_YOU_WAIT) -> Page:
    """The page at `url`; FetchError when it cannot be had within `settings`' deadlines."""

    async def fetch() -> Page:
        async with Fetcher(settings) as fetcher:
            response = await fetcher.get(url)
        return Page(response.url, response.text, response.fetched_at)

    return asyncio.run(fetch())


def file_page(path: Path, url: str | None) -> Page:
    """The page saved at `path`, whose address was `url` (a file URL when not given), as of
    the file's time."""
    try:
        raw = path.read_bytes()
        fetched_at = datetime.fromtimestamp(path.stat().st_mtime).astimezone()
    except OSError as exc:
        raise TalkfeedError(f"{path}: cannot read: {exc.strerror}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("windows-1252", errors="replace")
    if url is not None and not re.match(r"^https?://[^/\s]+", url):
        raise TalkfeedError(f"--url {url!r}: must be an absolute http(s) URL")
    return Page(url or path.resolve().as_uri(), text, fetched_at)


def _zone(name: str | None, page: Page) -> tuple[ZoneInfo, str | None]:
    """The zone asked for, else a guess (said so), else UTC (said so)."""
    if name is not None:
        try:
            return ZoneInfo(name), None
        except (ZoneInfoNotFoundError, ValueError):
            raise TalkfeedError(
                f"--timezone {name!r}: not an IANA time zone (e.g. Europe/Berlin)"
            ) from None
    guess = guess_zone(page.url, page.text)
    if guess is not None:
        note = f"timezone {guess.zone}, guessed from {guess.why}: check it, or pass --timezone"
        return ZoneInfo(guess.zone), note
    return ZoneInfo("UTC"), "no --timezone and nothing to guess one from: times read as UTC"


def page_source(page: Page, zone: ZoneInfo) -> AutoSite:
    """The source `extract` reads a page as: an auto source named after its host and title."""
    host = urlsplit(page.url).hostname or "page"
    site_id = re.sub(r"[^a-z0-9]+", "-", host.lower()).strip("-") or "page"
    # Only a web page has a title worth naming the source after; a feed is not parsed as one.
    html = "<html" in page.text[:2000].lower()
    title = page.soup.title.get_text(" ", strip=True) if html and page.soup.title else ""
    site = AutoSite.configured(
        id=site_id, name=title or host, start_urls=(page.url,), timezone=zone.key
    )
    assert isinstance(site, AutoSite)
    return site
