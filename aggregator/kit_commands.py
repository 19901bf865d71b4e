"""The contributor kit's commands: detect, new-site, check and record."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import sys
from datetime import UTC, datetime
from pathlib import Path

from aggregator import newsite
from aggregator.config import bundled_parsers, load_config
from aggregator.errors import TalkfeedError
from aggregator.fetch import Fetcher, FetchSettings
from aggregator.fixtures import (
    FixturePage,
    expectation,
    fixture_pages,
    mismatches,
    parse_page,
    write_expected,
)
from aggregator.pipeline import EXIT_OK, EXIT_SOURCES_FAILED
from aggregator.recording import RecordOutcome, record
from scrapers import Page, SiteParser, UnknownSiteError, all_sites
from scrapers import sites as sites_package
from scrapers.detect import Candidate, detect

__all__ = ["add_kit_commands"]


def add_kit_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register the kit's subcommands on the `talkfeed` parser's subparsers."""
    record_cmd = commands.add_parser(
        "record", help="save what URLs return (body, headers, URL) for replaying later"
    )
    record_cmd.add_argument("urls", metavar="URL", nargs="+")
    record_cmd.add_argument("--to", type=Path, metavar="DIR", required=True)
    record_cmd.add_argument(
        "--config", type=Path, metavar="FILE", help="take [fetch] settings from this config"
    )
    record_cmd.set_defaults(handler=_record)

    check_cmd = commands.add_parser(
        "check", help="parse every saved page and compare it with its expected records"
    )
    check_cmd.add_argument("site", metavar="ID", nargs="?", help="only this site's pages")
    check_cmd.add_argument(
        "--fixtures",
        type=Path,
        metavar="DIR",
        default=Path("tests/fixtures"),
        help="the saved sites (default: %(default)s)",
    )
    check_cmd.add_argument(
        "--update",
        action="store_true",
        help="after reviewing the differences, rewrite the expectations from what parses now",
    )
    check_cmd.set_defaults(handler=_check)

    detect_cmd = commands.add_parser(
        "detect", help="say which kind of source fits a page, with a ready config block"
    )
    detect_cmd.add_argument("target", metavar="URL|FILE", help="a live URL or a saved page")
    detect_cmd.add_argument(
        "--url", help="the saved page's original URL (resolves its links; default: a file URL)"
    )
    detect_cmd.add_argument(
        "--talk", metavar="URL|FILE", help="one of its talk pages, to confirm label sections"
    )
    detect_cmd.set_defaults(handler=_detect)

    new_cmd = commands.add_parser(
        "new-site", help="start a site: save its pages as fixtures, pick its kind, write a module"
    )
    new_cmd.add_argument("site", metavar="ID", help="the new site's id, e.g. mit-csail-talks")
    new_cmd.add_argument("url", metavar="URL", help="the listing (or feed) the site starts from")
    new_cmd.add_argument("--timezone", required=True, help="the site's IANA time zone")
    new_cmd.add_argument("--name", help="the series' name (default: the page title)")
    new_cmd.add_argument(
        "--from-file",
        type=Path,
        nargs="+",
        metavar="FILE",
        help="work offline: the saved listing (or feed) at URL, then optionally one talk page",
    )
    new_cmd.add_argument("--kind", help="use this kind even if another fits better")
    new_cmd.add_argument(
        "--option",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a kind option detection could not find (e.g. group=computer-science)",
    )
    new_cmd.add_argument(
        "--fixtures",
        type=Path,
        metavar="DIR",
        default=Path("tests/fixtures"),
        help="where saved sites live (default: %(default)s)",
    )
    new_cmd.add_argument(
        "--sites-dir",
        type=Path,
        metavar="DIR",
        default=Path(sites_package.__path__[0]),
        help="where site modules live (default: the scrapers/sites package)",
    )
    new_cmd.set_defaults(handler=_new_site)


def _record(args: argparse.Namespace) -> int:
    settings = load_config(args.config, all_sites()).fetch if args.config else FetchSettings()

    async def fetch_all() -> list[RecordOutcome]:
        async with Fetcher(settings) as fetcher:
            return await record(args.urls, args.to, fetcher)

    outcomes = asyncio.run(fetch_all())
    for outcome in outcomes:
        if outcome.error is None:
            print(f"{outcome.url}: saved as {args.to / outcome.saved_as}.body")
        else:
            print(f"{outcome.url}: error: {outcome.error}", file=sys.stderr)
    return EXIT_OK if all(o.error is None for o in outcomes) else EXIT_SOURCES_FAILED


def _check(args: argparse.Namespace) -> int:
    if not args.fixtures.is_dir():
        raise TalkfeedError(f"{args.fixtures}: no such folder of saved sites")
    parsers = bundled_parsers()
    if args.site is not None and args.site not in parsers:
        raise UnknownSiteError(args.site)
    pages = fixture_pages(args.fixtures, args.site)
    if not pages:
        raise TalkfeedError(f"{args.fixtures}: no saved pages for {args.site or 'any site'}")
    failed = 0
    for fixture in pages:
        problems = _check_page(fixture, parsers, update=args.update)
        if problems and not args.update:
            failed += 1
            print(f"{fixture.name}: {len(problems)} difference(s)")
            for problem in problems:
                print(f"  {problem}")
        else:
            print(f"{fixture.name}: {'updated' if problems else 'ok'}")
    print(f"{len(pages) - failed} of {len(pages)} pages match their expectations")
    return EXIT_OK if failed == 0 else EXIT_SOURCES_FAILED


def _check_page(fixture: FixturePage, parsers: dict[str, SiteParser], *, update: bool) -> list[str]:
    site = parsers.get(fixture.site_id)
    if site is None:
        return [f"no site or bundled source is called {fixture.site_id!r}"]
    try:
        parsed = parse_page(site, fixture.page)
    except Exception as exc:  # report a parser bug as a difference, as the test would
        return [f"parsing failed: {type(exc).__name__}: {exc}"]
    if not fixture.expected_path.is_file():
        problems = [f"no {fixture.expected_path.name} yet"]
    else:
        problems = mismatches(parsed, fixture.expected())
    if problems and update:
        write_expected(fixture.expected_path, expectation(parsed, reviewed=True))
    return problems


def _detect(args: argparse.Namespace) -> int:
    now = datetime.now(UTC)

    async def load(target: str, url: str | None) -> Page:
        if target.startswith(("http://", "https://")):
            async with Fetcher(FetchSettings()) as fetcher:
                response = await fetcher.get(target)
            return Page(response.url, response.text, response.fetched_at)
        path = Path(target)
        return Page(url or path.resolve().as_uri(), _read(path), now)

    page = asyncio.run(load(args.target, args.url))
    talk = asyncio.run(load(args.talk, None)) if args.talk else None
    sniffed = newsite.sniff_kind(page.text)
    candidates = (
        [Candidate(sniffed, page.url, ("the document is an iCalendar feed",))]
        if sniffed
        else detect(page, talk)
    )
    if not candidates:
        print(f"{page.url}: no feed, schema.org events, known platform or talk links found")
        return EXIT_SOURCES_FAILED
    for number, candidate in enumerate(candidates, start=1):
        print(f"{number}. kind {candidate.kind}: {'; '.join(candidate.evidence)}")
    best = candidates[0]
    print("\nA config block for the best fit (set id, name and timezone):\n")
    print(newsite.config_block_for(best, site_id="my-talks", name="My talks", timezone="UTC"))
    return EXIT_OK


def _new_site(args: argparse.Namespace) -> int:
    newsite.check_new_id(args.site, args.timezone)
    if args.from_file is not None and len(args.from_file) > 2:
        raise TalkfeedError("--from-file takes the listing and at most one talk page")
    now = datetime.now(UTC)
    files = list(args.from_file or [])
    options = dict(_key_value(o) for o in args.option)

    async def page_at(url: str, file: Path | None) -> Page:
        if file is not None:
            return Page(url, _read(file), now)
        async with Fetcher(FetchSettings()) as fetcher:
            response = await fetcher.get(url)
        return Page(response.url, response.text, response.fetched_at)

    listing = asyncio.run(page_at(args.url, files[0] if files else None))
    second = files[1] if len(files) == 2 else None
    name = args.name or _page_title(listing) or args.site
    candidate = newsite.choose(listing, None, args.kind)
    candidate = dataclasses.replace(candidate, options={**candidate.options, **options})
    site = newsite.build(args.site, name, args.timezone, candidate)
    if "text/html" not in site.content_types and newsite.sniff_kind(listing.text) is None:
        # A feed or API kind found on an HTML page: its data document is the fixture.
        if files and second is None:
            raise TalkfeedError(
                f"a {candidate.kind} site reads {site.entry_urls()[0]}: save it and pass it "
                "as the second --from-file"
            )
        data = asyncio.run(page_at(site.entry_urls()[0], second))
        pages = [newsite.SavedPage(data.url, data.text, _file_name("feed", candidate))]
    else:
        pages = [newsite.SavedPage(listing.url, listing.text, _file_name("listing", candidate))]
        talk_url = newsite.first_talk_url(site, listing)
        if talk_url is not None and (not files or second is not None):
            detail = asyncio.run(page_at(talk_url, second))
            better = newsite.choose(listing, detail, args.kind)
            candidate = dataclasses.replace(better, options={**better.options, **options})
            site = newsite.build(args.site, name, args.timezone, candidate)
            key = site.key(talk_url) or "talk"
            pages.append(newsite.SavedPage(talk_url, detail.text, f"{key}.html"))
    made = newsite.new_site(
        site, candidate, pages, fixtures_root=args.fixtures, sites_dir=args.sites_dir, now=now
    )
    print(f"kind: {candidate.kind} ({'; '.join(candidate.evidence)})")
    print(f"wrote {made.module}")
    print(f"saved {len(pages)} page(s) and unreviewed expectations in {made.fixtures}/")
    print("\nnext: read each .expected.json against its page, fix what is wrong, delete the")
    print(f'"reviewed": false line, then run: talkfeed check {args.site}')
    print(f"\nthe same source without Python, for a config file:\n\n{made.config}")
    return EXIT_OK


def _key_value(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise TalkfeedError(f"--option {text!r}: expected KEY=VALUE")
    return key.strip(), value.strip()


def _read(file: Path) -> str:
    try:
        return file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise TalkfeedError(f"{file}: cannot read: {exc}") from None


def _page_title(page: Page) -> str | None:
    if newsite.sniff_kind(page.text) is not None or page.soup.title is None:
        return None
    return page.soup.title.get_text(" ", strip=True).split(" | ")[0] or None


def _file_name(stem: str, candidate: Candidate) -> str:
    extension = {"ical": "ics", "labels": "html", "jsonld": "html", "talks-cam": "xml"}
    return f"{stem}.{extension.get(candidate.kind, 'json')}"
