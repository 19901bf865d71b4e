"""The `talkfeed` command: run | parse | sites | demo | serve."""

from __future__ import annotations

import argparse
import dataclasses
import json
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager, suppress
from datetime import datetime, timedelta
from pathlib import Path

import httpx
from rich.console import Console
from rich.progress import Progress

from aggregator.arguments import aware_datetime
from aggregator.config import Config, SourceConfig, bundled_parsers, load_config
from aggregator.errors import OutputError, TalkfeedError
from aggregator.extract import add_extract_command
from aggregator.fetch import FetchSettings
from aggregator.fixtures import (
    site_folders,
)
from aggregator.health import load_health, status_lines
from aggregator.kit_commands import add_kit_commands
from aggregator.lock import LockedError, run_lock
from aggregator.normalize import normalize
from aggregator.outputs import with_base_url
from aggregator.pipeline import (
    EXIT_CONFIG,
    EXIT_LOCKED,
    EXIT_OK,
    EXIT_OUTPUT,
    EXIT_SOURCES_FAILED,
    RunReport,
    run,
)
from aggregator.recording import ReplayTransport
from aggregator.serve import make_server, parse_interval, repeating
from aggregator.snapshot import RedirectTransport, load_snapshot, serve_snapshots
from aggregator.store import Store
from scrapers import Page, SiteParser, UnknownSiteError, all_sites, get_site

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit code (see the README for their meaning)."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.handler(args)
    except LockedError as exc:
        print(f"talkfeed: {exc}", file=sys.stderr)
        return EXIT_LOCKED
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
        epilog="exit codes: 0 all sources read; 1 some source failed or was flagged (feeds still "
        "written); 2 bad config or arguments; 3 store or output directory unusable; 4 another run "
        "is still going (it holds the store's lock file)",
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

    add_extract_command(commands)
    add_kit_commands(commands)

    history_cmd = commands.add_parser("history", help="every recorded change to one talk")
    history_cmd.add_argument("talk", metavar="TALK_ID", help="e.g. nyu-cs-colloquium:1857")
    history_cmd.add_argument(
        "--config", type=Path, metavar="FILE", help="the config naming the store"
    )
    history_cmd.add_argument("--db", type=Path, metavar="FILE", help="the SQLite store file")
    history_cmd.set_defaults(handler=_history)

    status_cmd = commands.add_parser(
        "status", help="how each source fared in the last run (from OUT/health.json)"
    )
    status_cmd.add_argument(
        "--config", type=Path, metavar="FILE", help="the config naming the output directory"
    )
    status_cmd.add_argument(
        "--out", type=Path, metavar="DIR", help="output directory (overrides the config)"
    )
    status_cmd.set_defaults(handler=_status)

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

    serve_cmd = commands.add_parser(
        "serve", help="serve the output directory over HTTP (and run the job every so often)"
    )
    serve_cmd.add_argument(
        "--out", type=Path, metavar="DIR", help="directory to serve (default: the config's out)"
    )
    serve_cmd.add_argument(
        "--config", type=Path, metavar="FILE", help="TOML config (default: the bundled one)"
    )
    serve_cmd.add_argument("--host", default="127.0.0.1", help="address (default: %(default)s)")
    serve_cmd.add_argument(
        "--port", type=_port, default=8080, help="port; 0 picks a free one (default: %(default)s)"
    )
    serve_cmd.add_argument(
        "--run-every",
        type=_interval,
        metavar="DURATION",
        help="also run the job now and then every DURATION (90s, 30m, 1h, 1h30m), as `talkfeed "
        "run` with the same config would",
    )
    serve_cmd.add_argument("--verbose", action="store_true", help="log one line per request")
    serve_cmd.set_defaults(handler=_serve)
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
        type=aware_datetime,
        metavar="ISO",
        help="pretend the run happens at this ISO 8601 time with offset (for reproducible runs)",
    )
    command.add_argument("--quiet", action="store_true", help="print only errors and flags")
    command.add_argument(
        "--log-format",
        choices=("text", "json"),
        default="text",
        help="text lines, or one JSON object per line on stderr (default: %(default)s)",
    )


def _port(text: str) -> int:
    if not text.isdecimal() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"not a port number (0 to 65535): {text!r}")
    return int(text)


def _interval(text: str) -> timedelta:
    try:
        return parse_interval(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _run(args: argparse.Namespace) -> int:
    registered = all_sites()
    config = load_config(args.config, registered)
    transport = ReplayTransport(args.replay) if args.replay else None
    return _execute(_override(config, args), config.parsers(registered), args, transport)


def _override(config: Config, args: argparse.Namespace) -> Config:
    return dataclasses.replace(config, out=args.out or config.out, db=args.db or config.db)


def _execute(
    config: Config,
    sites: dict[str, SiteParser],
    args: argparse.Namespace,
    transport: httpx.AsyncBaseTransport | None = None,
) -> int:
    # Held from before the store opens until the last file is written: an overlapping cron
    # run leaves at once instead of interleaving its writes with this one's.
    with run_lock(config.db), _progress(config, args) as done:
        report = run(config, sites, now=args.now, transport=transport, progress=done)
    if args.log_format == "json":
        _log_json(report, config, quiet=args.quiet)
    else:
        _print_report(report, config, quiet=args.quiet)
    return report.exit_code


@contextmanager
def _progress(config: Config, args: argparse.Namespace) -> Iterator[Callable[[str], None] | None]:
    """On a terminal, a progress bar over the sources as they finish; elsewhere nothing, so
    that cron mail and logs stay as they are."""
    if args.quiet or args.log_format != "text" or not sys.stderr.isatty():
        yield None
        return
    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("reading sources", total=len(config.sources))

        def done(source_id: str) -> None:
            bar.update(task, advance=1, description=f"read {source_id}")

        yield done


def _print_report(report: RunReport, config: Config, *, quiet: bool) -> None:
    for source in report.sources:
        if not quiet:
            state = "ok" if source.ok else ("FAILED" if source.failed else "errors")
            if source.ok and source.health.flags:
                state = "FLAGGED"
            print(
                f"{source.site}: {state}: {source.talks} talks from {source.listings} listing"
                f" and {source.details} detail pages",
                file=sys.stderr,
            )
            for warning in source.warnings:
                print(f"  warning: {warning}", file=sys.stderr)
        for error in source.errors:
            print(f"{source.site}: error: {error}", file=sys.stderr)
        for flag in source.health.flags:
            print(f"{source.site}: flagged, probably broken: {flag}", file=sys.stderr)
    if not quiet:
        for note in report.notes:
            print(f"note: {note}", file=sys.stderr)
        print(
            f"requests: {report.requests}; talks: {report.new} new, {report.changed} changed;"
            f" {len(report.written)} files updated in {config.out}",
            file=sys.stderr,
        )


def _log_json(report: RunReport, config: Config, *, quiet: bool) -> None:
    """One JSON object per line: a "source" event per source (only those with problems when
    quiet), then a "run" event."""
    for source in report.sources:
        if quiet and source.health.status == "ok":
            continue
        _emit(
            {
                "event": "source",
                "source": source.site,
                "status": source.health.status,
                "talks": source.talks,
                "listings": source.listings,
                "details": source.details,
                "errors": source.errors,
                "warnings": source.warnings,
                "flags": source.health.flags,
            }
        )
    if not quiet:
        _emit(
            {
                "event": "run",
                "exit_code": report.exit_code,
                "requests": report.requests,
                "new": report.new,
                "changed": report.changed,
                "written": report.written,
                "notes": report.notes,
                "out": str(config.out),
            }
        )


def _emit(event: dict[str, object]) -> None:
    print(json.dumps(event, ensure_ascii=False), file=sys.stderr)


def _status(args: argparse.Namespace) -> int:
    out = args.out or load_config(args.config, all_sites()).out
    document = load_health(out)
    for line in status_lines(document):
        print(line)
    healthy = not document.get("publish_error") and all(
        source.get("status") == "ok" for source in document["sources"]
    )
    return EXIT_OK if healthy else EXIT_SOURCES_FAILED


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


def _history(args: argparse.Namespace) -> int:
    db = args.db or load_config(args.config, all_sites()).db
    if not db.is_file():
        raise TalkfeedError(f"{db}: no store here yet (run `talkfeed run` first)")
    with Store(db) as store:
        changes = store.changes(talk_id=args.talk)
        provenance = store.provenance(args.talk)
    if provenance and len(set(provenance.values())) > 1:
        # A talk merged from several sources: say where each field of its entry came from.
        by_source: dict[str, list[str]] = {}
        for field, source in sorted(provenance.items()):
            by_source.setdefault(source, []).append(field)
        for source, fields in sorted(by_source.items()):
            print(f"from {source}: {', '.join(fields)}")
    if not changes:
        print(f"no recorded changes for {args.talk!r}", file=sys.stderr)
        return EXIT_SOURCES_FAILED
    # A talk's source record and its published entry record the same change each: say it once.
    for change in dict.fromkeys(changes):
        when = change.run_at.strftime("%Y-%m-%d %H:%M %Z").strip()
        line = f"{when}  {change.kind}"
        if change.field is not None:
            line += f"  {change.field}: {_short(change.old)} -> {_short(change.new)}"
        print(line)
    return EXIT_OK


def _short(value: str | None, limit: int = 60) -> str:
    # JSON null is a field without a value: a title not known yet, a talk without a page.
    text = "(none)" if value in (None, "null") else value
    return text if len(text) <= limit else text[: limit - 1] + "…"


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
        # These lines are for a person; a JSON log holds only the run's events.
        chatty = not args.quiet and args.log_format == "text"
        if chatty:
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
    if chatty:
        print(f"feeds written to {config.out}/ (open {config.out}/index.html)", file=sys.stderr)
    return code


def _serve(args: argparse.Namespace) -> int:
    registered = all_sites()
    config = load_config(args.config, registered)
    out: Path = args.out or config.out
    if args.run_every is None and not out.is_dir():
        raise OutputError(str(out), "no such directory (run `talkfeed run` first)")
    try:
        server = make_server(out, args.host, args.port, verbose=args.verbose)
    except OSError as exc:
        raise TalkfeedError(
            f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}"
        ) from None
    print(f"serving {out} at {server.url}", file=sys.stderr, flush=True)
    busy: Callable[[], bool] | None = None
    with ExitStack() as stack:
        stack.callback(server.close)
        # SIGTERM (systemd, docker stop) stops the server as Ctrl-C does.
        previous = signal.signal(signal.SIGTERM, _interrupt)
        stack.callback(signal.signal, signal.SIGTERM, previous)
        if args.run_every is not None:
            # Without a base_url of its own, a served run's feeds link to where they are served.
            job = dataclasses.replace(config, out=out)
            if server.link_url is not None:
                job = with_base_url(job, server.link_url)
            parsers = config.parsers(registered)
            # The same path as `talkfeed run`, lock included; only errors and flags are printed.
            run_args = argparse.Namespace(now=None, quiet=not args.verbose, log_format="text")
            busy = stack.enter_context(
                repeating(args.run_every, lambda: _execute(job, parsers, run_args))
            )
        with suppress(KeyboardInterrupt):
            server.serve_forever()
    abandoned = " (the run in progress was abandoned)" if busy is not None and busy() else ""
    print(f"stopped serving {out}{abandoned}", file=sys.stderr)
    return EXIT_OK


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt
