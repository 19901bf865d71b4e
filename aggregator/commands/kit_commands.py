"""The contributor kit's commands: detect, new-site, check and record."""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
from collections.abc import Callable
from datetime import datetime
from functools import partial
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from aggregator.commands import newsite
from aggregator.commands.arguments import aware_datetime
from aggregator.commands.extract import extract_page
from aggregator.commands.fixtures import (
    FixturePage,
    expectation,
    fixture_pages,
    mismatches,
    parse_page,
    write_expected,
)
from aggregator.config import load_config, unknown_source
from aggregator.errors import TalkfeedError
from aggregator.fetching.fetch import Fetcher, FetchSettings
from aggregator.fetching.recording import RecordOutcome, record
from aggregator.pipeline import EXIT_OK, EXIT_SOURCES_FAILED
from scrapers import Page, SiteParser, all_sites
from scrapers import sites as sites_package
from scrapers.ladder import climb

__all__ = ["add_kit_commands"]

_URL_PLACEHOLDER = "SET ME: the page's http(s) URL"
_DEFAULT_FIXTURES = Path("tests/fixtures")


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
        default=_DEFAULT_FIXTURES,
        help="the saved sites (default: %(default)s)",
    )
    check_cmd.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        help="the config whose sources the pages belong to (default: the bundled one)",
    )
    check_cmd.add_argument(
        "--update",
        action="store_true",
        help="after reviewing the differences, rewrite the expectations from what parses now",
    )
    check_cmd.set_defaults(handler=_check)

    detect_cmd = commands.add_parser(
        "detect",
        help="say which rung of the ladder reads a page, with a config block for the source",
    )
    detect_cmd.add_argument("target", metavar="URL|FILE", help="a live URL or a saved page")
    detect_cmd.add_argument(
        "--url", help="the saved page's original URL (resolves its links; goes in the block)"
    )
    detect_cmd.add_argument(
        "--timezone", metavar="ZONE", help="the IANA zone of its times (default: a guess, said so)"
    )
    detect_cmd.add_argument(
        "--talk",
        metavar="URL|FILE",
        help="one of its talk pages, to check for label sections when no rung reads the page",
    )
    detect_cmd.set_defaults(handler=_detect)

    new_cmd = commands.add_parser(
        "new-site",
        help="start a source: save its pages as fixtures, add it to a config (or write a module)",
    )
    new_cmd.add_argument("site", metavar="ID", help="the new source's id, e.g. mit-csail-talks")
    new_cmd.add_argument("url", metavar="URL", help="the listing (or feed) the source starts from")
    new_cmd.add_argument(
        "--timezone", metavar="ZONE", help="its IANA time zone (default: a guess, said so)"
    )
    new_cmd.add_argument("--name", help="the series' name (default: the page title)")
    new_cmd.add_argument(
        "--from-file",
        type=Path,
        nargs="+",
        metavar="FILE",
        help="work offline: the saved listing at URL, then, when asked for, one of its talk "
        "pages or the feed or API answer it leads to",
    )
    new_cmd.add_argument(
        "--captured-at",
        type=aware_datetime,
        metavar="ISO",
        help="when the pages were saved (default: the answer's Date header, or the file's time)",
    )
    new_cmd.add_argument(
        "--kind",
        help="read it as this API platform's kind (or as 'labels') even if a rung reads it",
    )
    new_cmd.add_argument(
        "--option",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a platform kind's option the page does not show (e.g. group=computer-science)",
    )
    new_cmd.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        help="add the source to this config file (default: the bundled one, which makes its "
        "fixtures checked)",
    )
    new_cmd.add_argument(
        "--fixtures",
        type=Path,
        metavar="DIR",
        default=_DEFAULT_FIXTURES,
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
    registered = all_sites()
    config = load_config(args.config, registered)
    parsers = config.parsers(registered)
    if args.site is not None and args.site not in parsers:
        raise TalkfeedError(unknown_source(args.site, config, registered))
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
        return [f"no registered site or source of the config is called {fixture.site_id!r}"]
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
    live = _is_url(args.target)
    page = _load(args.target, args.url).page
    zone = newsite.choose_zone(args.timezone, page)
    reading = ZoneInfo(zone.name or "UTC")
    extraction = asyncio.run(extract_page(page, reading, fetch=live))
    if extraction.rung != "document":
        print("document: a web page, not a feed or an API answer")
    for line in extraction.lines:
        print(line)
    if not live:
        _say_what_the_live_page_takes(page, reading, extraction.rung)
    url = page.url if live or args.url else None
    title = newsite.page_title(page) or urlsplit(page.url).hostname or "Talks"
    block = partial(
        newsite.source_block,
        site_id=newsite.suggested_id(url or ""),
        name=title,
        url=url or _URL_PLACEHOLDER,
        timezone=zone.name,
    )
    # A document of no format talkfeed knows (an RSS feed of news, say) is read, but holds nothing.
    if extraction.rung is None or not (extraction.talks or extraction.rung != "document"):
        return _detect_labels(args, page, reading, zone, url, block)
    if not extraction.talks:
        print("no talks in it now: check that the page lists some")
    _say_zone(zone, url)
    print('\na kind = "auto" source reads it:\n')
    print(block("auto"))
    if extraction.rung != "document":
        _say_platform(page, zone, block)
    return EXIT_OK


def _detect_labels(
    args: argparse.Namespace,
    page: Page,
    zone: ZoneInfo,
    choice: newsite.ZoneChoice,
    url: str | None,
    block: Callable[..., str],
) -> int:
    def talk_page(link: str) -> Page | None:
        if args.talk is not None:
            return _load(args.talk, link).page
        return newsite.fetch(link).page if _is_url(args.target) else None

    fit = newsite.find_label_pages(page, zone, talk_page, "give one with --talk to check it")
    if isinstance(fit, str):
        print(f"labels: {fit}")
        print("\nno source reads this page with no code: see CONTRIBUTING.md, 'Add a site'")
        return EXIT_SOURCES_FAILED
    print(f"labels: {fit.why}")
    _say_zone(choice, url)
    print('\na kind = "labels" source reads it:\n')
    print(block("labels", options={"talk_url": fit.pattern}))
    return EXIT_OK


def _say_what_the_live_page_takes(page: Page, zone: ZoneInfo, rung: str | None) -> None:
    """A saved page is read without its feed or API; the source reading the live page is not."""
    live = climb(page, zone, fetch=True)
    if live.rung != rung and live.rung is not None:
        print(f"at its URL, an auto source reads it by the {live.rung} rung instead: ", end="")
        print(live.notes[-1][1])


def _say_zone(zone: newsite.ZoneChoice, url: str | None) -> None:
    if zone.note is not None:
        print(zone.note)
    elif zone.name is None:
        print("timezone: none given and none to guess: set it in the block (or pass --timezone)")
    if url is None:
        print("url: a saved file has none: set it in the block (or pass --url)")


def _say_platform(page: Page, zone: newsite.ZoneChoice, block: Callable[..., str]) -> None:
    signature = newsite.api_platform(page)
    if signature is None or signature.kind is None or signature.url is None:
        return
    print(f"it runs on {signature.platform} ({signature.why}), whose API answers are the most")
    print(f"structured; the same series as a {signature.kind!r} source:\n")
    print(block(signature.kind, url=signature.url, options=signature.options))
    missing = newsite.missing_option(signature, zone.name or "UTC")
    if missing is not None:
        print(f"it needs more before it loads: {missing}")


def _new_site(args: argparse.Namespace) -> int:
    newsite.check_new_id(args.site, args.config)
    if not _is_url(args.url):
        raise TalkfeedError(f"URL {args.url!r}: must be an absolute http(s) URL")
    files = list(args.from_file or [])
    if len(files) > 2:
        raise TalkfeedError("--from-file takes the listing and at most one more page")
    options = dict(_key_value(o) for o in args.option)
    listing = _load(args.url, None) if not files else newsite.read_saved(files[0], args.url)
    zone = newsite.choose_zone(args.timezone, listing.page)
    if zone.name is None:
        raise TalkfeedError(
            f"no --timezone, and none to guess from {args.url}: pass --timezone ZONE "
            "(an IANA zone such as America/Chicago)"
        )
    if zone.note is not None:
        print(zone.note)
    request = newsite.Request(
        args.site,
        args.name or newsite.page_title(listing.page) or args.site,
        zone.name,
        listing,
        files[1] if len(files) == 2 else None,
    )
    try:
        plan = _plan(request, args.kind, options)
    except newsite.NothingReadsError as exc:
        for reason in exc.reasons:
            print(reason)
        print(
            f"talkfeed: nothing written: no rung of the ladder reads {listing.page.url}, and its "
            "links lead to no label pages; such a site needs code (CONTRIBUTING.md, 'Add a site')",
            file=sys.stderr,
        )
        return EXIT_SOURCES_FAILED
    _write(args, request, plan)
    return EXIT_OK


def _plan(request: newsite.Request, kind: str | None, options: dict[str, str]) -> newsite.Plan:
    if kind == "labels":
        return newsite.label_plan(request, [])
    if kind is not None or options:
        return newsite.platform_plan(request, kind, options)
    plan = newsite.auto_plan(request)
    return newsite.label_plan(request, plan) if isinstance(plan, list) else plan


def _write(args: argparse.Namespace, request: newsite.Request, plan: newsite.Plan) -> None:
    """Save the fixtures, then the module or the config block: the targets are checked first,
    so that a refusal leaves nothing half written."""
    folder = args.fixtures / request.site_id
    module = args.sites_dir / f"{request.site_id.replace('-', '_')}.py"
    config = args.config or newsite.BUNDLED_CONFIG
    for taken in (folder, module):
        if taken.exists():
            raise TalkfeedError(f"{taken} already exists; remove it or pick another id")
    if plan.module is not None and not args.sites_dir.is_dir():
        raise TalkfeedError(f"{args.sites_dir}: no such folder for site modules")
    updated = None if plan.module else newsite.with_source(config, plan.block, request.site_id)
    print(f"kind: {plan.why}")
    captured_at = _captured_at(args.captured_at, request.listing, ZoneInfo(request.zone))
    talks = newsite.write_fixtures(folder, plan.source, plan.pages, captured_at)
    print(f"saved {len(plan.pages)} page(s) listing {talks} talk(s), and unreviewed expectations,")
    print(f"in {folder}/")
    if updated is None:
        if args.config is not None:
            print(f"{args.config} is left as it is: the module is the source")
        _write_text(module, plan.module or "")
        print(f"wrote {module}; the same source without Python, for a config file:\n")
        print(plan.block)
    else:
        _write_text(config, updated)
        print(f"added the source to {config}:\n\n{plan.block}")
        if args.config is not None:
            print("the tests read the fixtures only of bundled sites and sources: add the block")
            print("to aggregator/default.toml too to ship it.\n")
    if plan.alternative is not None:
        print("it runs on an API platform, whose answers are the most structured; the same")
        print(f"series as the platform's own kind:\n\n{plan.alternative}")
    check = f"talkfeed check {request.site_id}"
    if args.fixtures != _DEFAULT_FIXTURES:
        check += f" --fixtures {args.fixtures}"
    if args.config is not None and updated is not None:
        check += f" --config {args.config}"
    print("next: read each .expected.json against its page, fix what is wrong, delete the")
    print(f'"reviewed": false line, then run: {check}')


def _captured_at(given: datetime | None, listing: newsite.Loaded, zone: ZoneInfo) -> datetime:
    """When the listing was saved, and a line saying how that is known."""
    if given is not None:
        when, how = given, "as given"
    elif listing.date is not None:
        when, how = listing.date, "from the answer's Date header"
    elif listing.file is None:
        when, how = listing.page.fetched_at, "when the answer came (it had no Date header)"
    elif listing.file_time is not None:
        when, how = listing.file_time, f"{listing.file}'s modification time: check it"
    else:
        when, how = _ask_captured_at(listing.file), "as answered"
    when = when.astimezone(zone).replace(microsecond=0)
    print(f"captured_at = {when.isoformat()} ({how})")
    return when


def _ask_captured_at(file: Path) -> datetime:
    example = "e.g. 2026-03-01T09:00:00-05:00"
    if not sys.stdin.isatty():
        raise TalkfeedError(
            f"cannot tell when {file} was saved: pass --captured-at ISO ({example})"
        )
    answer = input(f"When was {file} saved? A date-time with its offset ({example}): ")
    try:
        return aware_datetime(answer.strip())
    except argparse.ArgumentTypeError as exc:
        raise TalkfeedError(f"captured_at: {exc}") from None


def _key_value(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise TalkfeedError(f"--option {text!r}: expected KEY=VALUE")
    return key.strip(), value.strip()


def _is_url(target: str) -> bool:
    return re.match(r"^https?://", target) is not None


def _load(target: str, url: str | None) -> newsite.Loaded:
    """A live URL fetched, or a saved file read as the page at `url`."""
    return newsite.fetch(target) if _is_url(target) else newsite.read_saved(Path(target), url)


def _write_text(path: Path, text: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise TalkfeedError(f"{path}: cannot write: {exc.strerror}") from None
