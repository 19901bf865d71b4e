"""The `talkfeed` command: run | parse | sites | demo."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import httpx

from aggregator import newsite
from aggregator.config import Config, SourceConfig, bundled_parsers, load_config
from aggregator.errors import OutputError, TalkfeedError
from aggregator.fetch import Fetcher, FetchSettings
from aggregator.fixtures import (
    FixturePage,
    expectation,
    fixture_pages,
    mismatches,
    parse_page,
    site_folders,
    write_expected,
)
from aggregator.normalize import normalize
from aggregator.pipeline import (
    EXIT_CONFIG,
    EXIT_OK,
    EXIT_OUTPUT,
    EXIT_SOURCES_FAILED,
    RunReport,
    run,
)
from aggregator.recording import RecordOutcome, ReplayTransport, record
from aggregator.snapshot import RedirectTransport, load_snapshot, serve_snapshots
from scrapers import Page, SiteParser, UnknownSiteError, all_sites, get_site
from scrapers import sites as sites_package
from scrapers.detect import Candidate, detect

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit code (see the README for their meaning)."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.handler(args)
    except OutputError as exc:
        print(f"talkfeed: error: {exc}", file=sys.stderr)
        return EXIT_OUTPUT
    except (TalkfeedError, UnknownSiteError) as exc:
        print(f"talkfeed: error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except KeyboardInterrupt:
        return 130
    return code


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="talkfeed",
        description="Turn university talk pages into RSS, Atom and iCal feeds.",
        epilog="exit codes: 0 all sources read; 1 some source or page failed (feeds still "
        "written); 2 bad config or arguments; 3 store or output directory unusable",
    )
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    run_cmd = commands.add_parser("run", help="scrape every source, store, and publish the feeds")
    run_cmd.add_argument(
        "--config", type=Path, metavar="FILE", help="TOML config (default: the bundled one)"
    )
    _output_options(run_cmd)
    run_cmd.add_argument(
        "--replay",
        type=Path,
        metavar="DIR",
        help="answer every request from responses saved by `talkfeed record` (offline run)",
    )
    run_cmd.set_defaults(handler=_run)

    record_cmd = commands.add_parser(
        "record", help="save what URLs return (body, headers, URL) for replaying later"
    )
    record_cmd.add_argument("urls", metavar="URL", nargs="+")
    record_cmd.add_argument("--to", type=Path, metavar="DIR", required=True)
    record_cmd.add_argument(
        "--config", type=Path, metavar="FILE", help="take [fetch] settings from this config"
    )
    record_cmd.set_defaults(handler=_record)

    parse_cmd = commands.add_parser("parse", help="parse one saved page and print its records")
    parse_cmd.add_argument(
        "site", metavar="SITE", help="site id (see `talkfeed sites`) or a source id in --config"
    )
    parse_cmd.add_argument("file", metavar="FILE", type=Path, help="a saved HTML page")
    parse_cmd.add_argument(
        "--url",
        help="the page's URL: says whether it is a listing or a talk and resolves its links "
        "(default: from pages.toml beside FILE, else the site's start URL)",
    )
    parse_cmd.add_argument(
        "--config", type=Path, metavar="FILE", help="a config declaring SITE with `kind`"
    )
    parse_cmd.set_defaults(handler=_parse)

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

    sites_cmd = commands.add_parser("sites", help="list the registered sites")
    sites_cmd.set_defaults(handler=_sites)

    demo_cmd = commands.add_parser(
        "demo",
        help="run the whole job offline on saved pages served on 127.0.0.1, as of when they"
        " were saved",
    )
    demo_cmd.add_argument(
        "--fixtures",
        type=Path,
        metavar="DIR",
        default=Path("tests/fixtures"),
        help="saved sites: a folder of them, or one site's folder (default: %(default)s)",
    )
    _output_options(demo_cmd, db_default=Path("talkfeed-demo.db"))
    demo_cmd.set_defaults(handler=_demo)
    return parser


def _output_options(command: argparse.ArgumentParser, db_default: Path | None = None) -> None:
    command.add_argument(
        "--out", type=Path, metavar="DIR", help="output directory (overrides the config)"
    )
    command.add_argument(
        "--db", type=Path, metavar="FILE", default=db_default, help="SQLite store file"
    )
    command.add_argument(
        "--now",
        type=_aware_datetime,
        metavar="ISO",
        help="pretend the run happens at this ISO 8601 time with offset (for reproducible runs)",
    )
    command.add_argument("--quiet", action="store_true", help="print only errors")


def _aware_datetime(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 date-time: {text!r}") from None
    if value.tzinfo is None:
        raise argparse.ArgumentTypeError(f"needs a UTC offset, e.g. {text}+00:00")
    return value


def _run(args: argparse.Namespace) -> int:
    registered = all_sites()
    config = load_config(args.config, registered)
    transport = ReplayTransport(args.replay) if args.replay else None
    return _execute(_override(config, args), config.parsers(registered), args, transport)


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


def _override(config: Config, args: argparse.Namespace) -> Config:
    return dataclasses.replace(config, out=args.out or config.out, db=args.db or config.db)


def _execute(
    config: Config,
    sites: dict[str, SiteParser],
    args: argparse.Namespace,
    transport: httpx.AsyncBaseTransport | None = None,
) -> int:
    report = run(config, sites, now=args.now, transport=transport)
    _print_report(report, config, quiet=args.quiet)
    return report.exit_code


def _print_report(report: RunReport, config: Config, *, quiet: bool) -> None:
    for source in report.sources:
        if not quiet:
            state = "ok" if source.ok else ("FAILED" if source.failed else "errors")
            print(
                f"{source.site}: {state}: {source.talks} talks from {source.listings} listing"
                f" and {source.details} detail pages",
                file=sys.stderr,
            )
            for warning in source.warnings:
                print(f"  warning: {warning}", file=sys.stderr)
        for error in source.errors:
            print(f"{source.site}: error: {error}", file=sys.stderr)
    if not quiet:
        print(
            f"requests: {report.requests}; talks: {report.new} new, {report.changed} changed;"
            f" {len(report.written)} files updated in {config.out}",
            file=sys.stderr,
        )


def _parse(args: argparse.Namespace) -> int:
    site = _parser_for(args.site, args.config)
    try:
        html = args.file.read_text(encoding="utf-8")
    except OSError as exc:
        raise TalkfeedError(f"{args.file}: cannot read: {exc.strerror}") from None
    url, fetched_at = _page_origin(args.file, site, args.url)
    page = Page(url, html, fetched_at)
    drafts = (
        [site.talk(page)]
        if site.is_talk(url)
        else [
            link.seed
            for link in site.listing(page)
            if link.kind == "talk" and link.seed is not None
        ]
    )
    records = []
    for draft in drafts:
        try:
            records.append(normalize(draft, site).model_dump(mode="json"))
        except TalkfeedError as exc:
            print(f"talkfeed: skipped: {exc}", file=sys.stderr)
    print(json.dumps(records, indent=2, ensure_ascii=False))
    return EXIT_OK


def _parser_for(site_id: str, config_path: Path | None) -> SiteParser:
    if config_path is None:
        return get_site(site_id)
    registered = all_sites()
    parsers = load_config(config_path, registered).parsers(registered)
    if site_id not in parsers:
        raise UnknownSiteError(site_id)
    return parsers[site_id]


def _page_origin(file: Path, site: SiteParser, url: str | None) -> tuple[str, datetime]:
    fetched_at = datetime.fromtimestamp(file.stat().st_mtime).astimezone()
    if (file.parent / "pages.toml").is_file():
        snapshot = load_snapshot(file.parent)
        fetched_at = snapshot.captured_at
        url = url or snapshot.pages.get(file.name)
    return url or site.start_urls[0], fetched_at


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


def _sites(args: argparse.Namespace) -> int:
    for site in all_sites().values():
        print(f"{site.id}\t{site.name}\t{site.start_urls[0]}")
    return EXIT_OK


def _demo(args: argparse.Namespace) -> int:
    root: Path = args.fixtures
    if not root.is_dir():
        raise TalkfeedError(f"{root}: no such folder of saved sites")
    folders = [root] if (root / "pages.toml").is_file() else site_folders(root)
    snapshots = [load_snapshot(folder) for folder in folders]
    if not snapshots:
        raise TalkfeedError(f"{root}: no saved sites (folders with a pages.toml)")
    parsers = bundled_parsers()
    unknown = [s.folder.name for s in snapshots if s.folder.name not in parsers]
    if unknown:
        raise TalkfeedError(f"{root}: no site or bundled source for {', '.join(unknown)}")
    with serve_snapshots(snapshots) as origin:
        if not args.quiet:
            print(f"serving {len(snapshots)} saved site(s) at {origin}", file=sys.stderr)
        config = Config(
            out=args.out or Path("public"),
            db=args.db,
            base_url=None,
            fetch=FetchSettings(delay=0.0),
            sources=tuple(SourceConfig(s.folder.name) for s in snapshots),
            path=None,
        )
        if args.now is None:
            # The earliest capture: no saved site is asked about a day after it was saved.
            args.now = min(s.captured_at for s in snapshots)
        code = _execute(config, parsers, args, RedirectTransport(origin))
    if not args.quiet:
        print(f"feeds written to {config.out}/ (open {config.out}/index.html)", file=sys.stderr)
    return code
