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

from aggregator.commands import demo
from aggregator.commands.arguments import aware_datetime
from aggregator.commands.extract import add_extract_command
from aggregator.commands.kit_commands import add_kit_commands
from aggregator.config import Config, bundled_parsers, load_config, unknown_source
from aggregator.errors import OutputError, TalkfeedError
from aggregator.fetching.recording import ReplayTransport
from aggregator.fetching.snapshot import RedirectTransport, load_snapshot, serve_snapshots
from aggregator.health import load_health, status_lines
from aggregator.pipeline import (
    EXIT_CONFIG,
    EXIT_LOCKED,
    EXIT_OK,
    EXIT_OUTPUT,
    EXIT_SOURCES_FAILED,
    RunReport,
    run,
)
from aggregator.publishing.outputs import with_base_url
from aggregator.publishing.serve import make_server, parse_interval, repeating
from aggregator.records.normalize import normalize
from aggregator.store.database import Store
from aggregator.store.lock import LockedError, run_lock
from scrapers import Page, SiteParser, all_sites

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
    except TalkfeedError as exc:
        print(f"talkfeed: error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except KeyboardInterrupt:
        return 130
    return code


_DEFAULT = f"default: ./{demo.CONFIG_NAME} if there is one, else the bundled config"
_CONFIG_HELP = f"TOML config ({_DEFAULT})"


def _config_path(given: Path | None) -> Path | None:
    """The config a command reads: --config, else the one in the working directory (which
    `talkfeed demo` leaves in its folder), else None for the bundled default."""
    if given is not None:
        return given
    here = Path(demo.CONFIG_NAME)
    return here if here.is_file() else None


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
    run_cmd.add_argument("--config", type=Path, metavar="FILE", help=_CONFIG_HELP)
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
        "--config",
        type=Path,
        metavar="FILE",
        help=f"a config declaring SITE with `kind` ({_DEFAULT})",
    )
    parse_cmd.set_defaults(handler=_parse)

    add_extract_command(commands)
    add_kit_commands(commands)

    history_cmd = commands.add_parser("history", help="every recorded change to one talk")
    history_cmd.add_argument("talk", metavar="TALK_ID", help="e.g. nyu-cs-colloquium:1857")
    history_cmd.add_argument(
        "--config", type=Path, metavar="FILE", help=f"the config naming the store ({_DEFAULT})"
    )
    history_cmd.add_argument("--db", type=Path, metavar="FILE", help="the SQLite store file")
    history_cmd.set_defaults(handler=_history)

    status_cmd = commands.add_parser(
        "status", help="how each source fared in the last run (from OUT/health.json)"
    )
    status_cmd.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        help=f"the config naming the output directory ({_DEFAULT})",
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
        " were saved, leaving a folder where run, status and history can be tried",
    )
    demo_cmd.add_argument(
        "--dir",
        type=Path,
        metavar="DIR",
        default=demo.DEFAULT_FOLDER,
        help="the demo's folder: its config, store, feeds (DIR/public) and recorded answers"
        " (default: %(default)s)",
    )
    demo_cmd.add_argument(
        "--fixtures",
        type=Path,
        metavar="DIR",
        help="saved sites: a folder of them, or one site's folder (default: the NYU colloquium's"
        " pages shipped with talkfeed)",
    )
    _output_options(demo_cmd)
    demo_cmd.set_defaults(handler=_demo)

    serve_cmd = commands.add_parser(
        "serve", help="serve the output directory over HTTP (and run the job every so often)"
    )
    serve_cmd.add_argument(
        "--out", type=Path, metavar="DIR", help="directory to serve (default: the config's out)"
    )
    serve_cmd.add_argument("--config", type=Path, metavar="FILE", help=_CONFIG_HELP)
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


def _output_options(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--out", type=Path, metavar="DIR", help="output directory (overrides the config)"
    )
    command.add_argument("--db", type=Path, metavar="FILE", help="SQLite store file")
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
    config = load_config(_config_path(args.config), registered)
    transport = None
    if args.replay:
        transport = ReplayTransport(args.replay)
        # The answers come from files: there is no server to wait for between requests.
        config = dataclasses.replace(config, fetch=dataclasses.replace(config.fetch, delay=0.0))
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
            f" {_files(len(report.written))} updated in {_shown(config.out)}",
            file=sys.stderr,
        )


def _shown(path: Path) -> str:
    """`path` as a person would name it here: relative when it is under the working directory
    (a config's paths are absolute once resolved against its folder)."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _files(count: int) -> str:
    return "1 file" if count == 1 else f"{count} files"


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
                "out": _shown(config.out),
            }
        )


def _emit(event: dict[str, object]) -> None:
    print(json.dumps(event, ensure_ascii=False), file=sys.stderr)


def _status(args: argparse.Namespace) -> int:
    out = args.out or load_config(_config_path(args.config), all_sites()).out
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
    registered = all_sites()
    config = load_config(_config_path(config_path), registered)
    parsers = config.parsers(registered)
    if site_id not in parsers:
        raise TalkfeedError(unknown_source(site_id, config, registered))
    return parsers[site_id]


def _page_origin(file: Path, site: SiteParser, url: str | None) -> tuple[str, datetime]:
    fetched_at = datetime.fromtimestamp(file.stat().st_mtime).astimezone()
    if (file.parent / "pages.toml").is_file():
        snapshot = load_snapshot(file.parent)
        fetched_at = snapshot.captured_at
        url = url or snapshot.pages.get(file.name)
    return url or site.start_urls[0], fetched_at


def _history(args: argparse.Namespace) -> int:
    db = args.db or load_config(_config_path(args.config), all_sites()).db
    if not db.is_file():
        raise TalkfeedError(f"{db}: no store here yet (run `talkfeed run` first)")
    with Store(db) as store:
        entry = store.changes(talk_id=args.talk, scope="published")
        record = store.changes(talk_id=args.talk, scope="source")
        provenance = store.provenance(args.talk)
        published_as = store.cluster_ids().get(args.talk, args.talk)
    if provenance and len(set(provenance.values())) > 1:
        # A talk merged from several sources: say where each field of its entry came from.
        by_source: dict[str, list[str]] = {}
        for field, source in sorted(provenance.items()):
            by_source.setdefault(source, []).append(field)
        for source, fields in sorted(by_source.items()):
            print(f"from {source}: {', '.join(fields)}")
    if not entry and not record:
        print(f"no recorded changes for {args.talk!r}", file=sys.stderr)
        return EXIT_SOURCES_FAILED
    # A talk's source record and its published entry record the same change each: it is said
    # once. Only a merged entry can differ from the record, whose own changes are then marked.
    lines = [(change, "") for change in entry]
    source = args.talk.split(":", 1)[0]
    own = f"  (in {source}'s own record only)" if entry else ""
    lines += [(change, own) for change in record if change not in entry]
    for change, note in sorted(lines, key=lambda line: line[0].run_at):
        text = f"{change.run_at:%Y-%m-%d %H:%M %z}  {change.kind}"
        if change.field is not None:
            text += f"  {change.field}: {_short(change.old)} -> {_short(change.new)}"
        print(text + note)
    if published_as != args.talk:
        print(f"published as part of {published_as}: see `talkfeed history {published_as}`")
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
    folder: Path = args.dir
    snapshots = demo.saved_sites(args.fixtures or demo.SAVED_SITES, bundled_parsers())
    out: Path = args.out or folder / "public"
    config = demo.prepare(folder, snapshots, out, args.db or folder / "talkfeed.db")
    # These lines are for a person; a JSON log holds only the run's events.
    chatty = not args.quiet and args.log_format == "text"
    given = args.now is not None
    if not given:
        # The earliest capture: no saved site is asked about a day after it was saved.
        args.now = min(s.captured_at for s in snapshots)
    if chatty:
        names = ", ".join(s.folder.name for s in snapshots)
        when = f"{args.now:%Y-%m-%d %H:%M %z}" + (" (--now)" if given else ", when they were saved")
        print(
            f"demo: the saved pages of {len(snapshots)} site{'s' if len(snapshots) > 1 else ''}"
            f" ({names}), served on 127.0.0.1; running as of {when}",
            file=sys.stderr,
        )
    # The pages are served on this machine: no host needs a pause between requests.
    quick = dataclasses.replace(config, fetch=dataclasses.replace(config.fetch, delay=0.0))
    with serve_snapshots(snapshots) as origin:
        code = _execute(quick, config.parsers(all_sites()), args, RedirectTransport(origin))
    if chatty:
        print(f"feeds written to {out}/ (open {out}/index.html)", file=sys.stderr)
        _say_what_next(folder, config, args.now)
    return code


def _say_what_next(folder: Path, config: Config, now: datetime) -> None:
    """The commands to try next in the demo's folder, with one of its talks for `history`."""
    with Store(config.db) as store:
        talks = store.published()
    upcoming = [s.talk.id for s in talks if s.talk.start >= now] or [s.talk.id for s in talks]
    where = "here" if folder.resolve() == Path.cwd() else f"in {folder}/"
    print(f"next, {where} (its {demo.CONFIG_NAME} is read without --config):", file=sys.stderr)
    print("  talkfeed status", file=sys.stderr)
    if upcoming:
        print(f"  talkfeed history {upcoming[0]}", file=sys.stderr)
    print(f"  talkfeed run --replay {demo.REPLAY_NAME}", file=sys.stderr)


def _serve(args: argparse.Namespace) -> int:
    registered = all_sites()
    config = load_config(_config_path(args.config), registered)
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
