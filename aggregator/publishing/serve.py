"""Serving the output directory over HTTP: `talkfeed serve`.

A static server for the files a run writes, for a machine without nginx or for a look before
publishing. waitress speaks HTTP: it reads each request whole in one event loop and only then
hands it to one of a few worker threads, so a slow or silent client holds a connection (at most
`Limits.connections`, each closed after `Limits.idle_seconds` of silence), never a worker. What is
ours is which file answers and how:

- GET and HEAD only (anything else is 405); the query string is ignored, since some calendar
  apps add their own.
- A path is served only if it resolves, symlinks followed, to a regular file inside `out` and
  no part of it starts with "." (the writer's `.<name>.<random>.tmp` files, a `.lock`, `..`):
  everything else is 404. A directory serves its `index.html`.
- Feed media types: `.rss`, `.atom`, `.ics`, `.html` and `.opml` as text in UTF-8; `.json` is
  `application/json`, except a JSON Feed (a name ending in `.feed.json` or `.jsonfeed`), which
  is `application/feed+json`; other names go by `mimetypes`.
- The ETag is strong and comes from a hash of the file's bytes, so a run that leaves a feed
  byte-identical leaves its ETag too, across restarts and across servers. The gzip encoding of
  a file is another representation with its own strong ETag (the same one with `-gzip`), since
  its bytes differ. `If-None-Match` (or, without it, `If-Modified-Since`) gives 304.
- Text types are gzipped when the client accepts it, with `Vary: Accept-Encoding`.
- A path without an extension (`/all`, `/sites/x`) redirects (301) to the `.ics` file of that
  name when the `Accept` header names `text/calendar`, else to the `.rss` file.
- Every answer says `X-Content-Type-Options: nosniff`, `Referrer-Policy: no-referrer` and the
  index page's Content-Security-Policy.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import mimetypes
import os
import re
import socket
import stat
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, timedelta
from email.utils import formatdate, parsedate_to_datetime
from http import HTTPStatus
from ipaddress import ip_address
from pathlib import Path
from typing import Any
from wsgiref.types import StartResponse, WSGIEnvironment

from waitress import wasyncore
from waitress.server import BaseWSGIServer, create_server

from aggregator.errors import TalkfeedError
from feeds.html import INDEX_CSP

__all__ = [
    "Limits",
    "Server",
    "make_server",
    "parse_interval",
    "repeating",
    "serving",
]

CACHE_CONTROL = "public, max-age=300"
INDEX = "index.html"
CONTENT_SECURITY_POLICY = INDEX_CSP
"""The policy sent with every file: the index page's own (feeds.html keeps it next to the page,
with the hashes of its inline style sheet and script), so the header never refuses what the page
needs, and a feed or any other file opened in a browser runs nothing either."""
SECURITY_HEADERS = {
    # Browsers must not guess a type: a feed with a talk's text in it is never run as a page.
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    # The page links to talk pages elsewhere; they need not learn where it is served.
    "Referrer-Policy": "no-referrer",
}
_TYPES = {
    ".rss": "application/rss+xml; charset=utf-8",
    ".atom": "application/atom+xml; charset=utf-8",
    ".ics": "text/calendar; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".opml": "text/x-opml; charset=utf-8",
    ".json": "application/json",
    ".jsonfeed": "application/feed+json",
}
_COMPRESSIBLE = {"application/json", "application/xml", "application/javascript"}
_INTERVAL = re.compile(r"(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?")


@dataclass(frozen=True)
class Limits:
    """How much of the server clients can take; the defaults suit a feed server of a department."""

    threads: int = 4
    """Requests answered at once; more wait in a queue. Reading and gzipping a feed is quick."""
    connections: int = 100
    """Open sockets, waitress's own two among them; past it, new connections wait in the listen
    backlog until one closes."""
    idle_seconds: int = 30
    """A connection silent this long, before or between requests, is closed."""
    header_bytes: int = 16 * 1024
    """Request line and headers together; more gets 431. Feed readers send well under 2 KB."""
    body_bytes: int = 64 * 1024
    """A request body, which nothing here reads; more gets 413 before it is even buffered."""


def _media_type(name: str) -> str:
    """The Content-Type for a file called `name`."""
    if name.endswith(".feed.json"):
        return _TYPES[".jsonfeed"]
    suffix = Path(name).suffix.lower()
    if suffix in _TYPES:
        return _TYPES[suffix]
    guessed, encoding = mimetypes.guess_type(name, strict=False)
    if guessed is None or encoding is not None:
        # A `.gz` file is served as it is, not as the type of what it holds.
        return "application/octet-stream"
    return f"{guessed}; charset=utf-8" if guessed.startswith("text/") else guessed


def _compressible(content_type: str) -> bool:
    kind = content_type.split(";")[0]
    return kind.startswith("text/") or kind.endswith(("+xml", "+json")) or kind in _COMPRESSIBLE


@dataclass(frozen=True)
class _Version:
    """What the server derives from one version of a file, computed once per version."""

    signature: tuple[int, int, int, int]
    """(device, inode, size, mtime_ns): the atomic writer gives every new version a new inode."""
    etag: str
    gzipped: bytes | None


class _Versions:
    """The current `_Version` of every file served, shared by the request threads."""

    def __init__(self) -> None:
        self._known: dict[Path, _Version] = {}
        self._lock = threading.Lock()

    def get(self, path: Path, info: os.stat_result, data: bytes, compress: bool) -> _Version:
        signature = (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)
        with self._lock:
            known = self._known.get(path)
        if known is not None and known.signature == signature:
            return known
        digest = hashlib.blake2b(data, digest_size=16).hexdigest()
        # mtime=0: the same bytes always compress to the same bytes, matching the ETag.
        gzipped = gzip.compress(data, mtime=0) if compress else None
        version = _Version(signature, f'"{digest}"', gzipped)
        with self._lock:
            self._known[path] = version
        return version


def _resolve(root: Path, text: str) -> Path | None:
    """The file inside `root` that the decoded URL path `text` names, or None when it names
    nothing servable."""
    parts = [part for part in text.split("/") if part]
    if "\x00" in text or any(part.startswith(".") for part in parts):
        return None
    try:
        base = root.resolve()
        target = base.joinpath(*parts).resolve()
        if target.is_dir():
            target = (target / INDEX).resolve()
        # Checked again after symlinks are followed: a link may point outside or at a dotfile.
        if not target.is_relative_to(base):
            return None
        if any(part.startswith(".") for part in target.relative_to(base).parts):
            return None
        return target if target.is_file() else None
    # A symlink loop (RuntimeError before Python 3.13), a name too long: nothing to serve.
    except (OSError, RuntimeError):
        return None


def _qualities(header: str) -> dict[str, float]:
    """`Accept`-style header → {token: q}; a malformed q counts as 0."""
    found: dict[str, float] = {}
    for item in header.split(","):
        token, *params = (piece.strip() for piece in item.split(";"))
        if not token:
            continue
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        found[token.lower()] = quality
    return found


_Answer = tuple[HTTPStatus, dict[str, str], bytes]

# waitress warns whenever a request waits a moment for a worker, as a page's few files do at
# once: not news. Its warning that the connection limit is reached still comes through.
logging.getLogger("waitress.queue").setLevel(logging.ERROR)


class _App:
    """The WSGI application: GET and HEAD on the files under `root`; see the module docstring."""

    def __init__(self, root: Path, verbose: bool) -> None:
        self.root = root
        self.verbose = verbose
        self.versions = _Versions()

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        method = environ["REQUEST_METHOD"]
        if method in ("GET", "HEAD"):
            status, headers, body = self._respond(environ)
        else:
            status, headers, body = _text(
                HTTPStatus.METHOD_NOT_ALLOWED, "only GET and HEAD", {"Allow": "GET, HEAD"}
            )
        if self.verbose:
            sys.stderr.write(f"{method} {environ.get('REQUEST_URI', '-')} {status.value}\n")
        if status != HTTPStatus.NOT_MODIFIED:
            # HEAD too: the length GET would send.
            headers["Content-Length"] = str(len(body))
        start_response(
            f"{status.value} {status.phrase}", [*SECURITY_HEADERS.items(), *headers.items()]
        )
        return [] if method == "HEAD" or status == HTTPStatus.NOT_MODIFIED else [body]

    def _respond(self, environ: WSGIEnvironment) -> _Answer:
        path = _url_path(environ)
        target = None if path is None else _resolve(self.root, path)
        if target is None:
            return self._redirect_or_404(environ, path)
        try:
            with target.open("rb") as handle:
                # The file's own size and dates: the writer may replace the path meanwhile.
                info = os.fstat(handle.fileno())
                data = handle.read()
        except FileNotFoundError:
            return _text(HTTPStatus.NOT_FOUND, "not found")
        except OSError as exc:
            return _text(HTTPStatus.INTERNAL_SERVER_ERROR, f"cannot read: {exc.strerror or exc}")
        if not stat.S_ISREG(info.st_mode):
            return _text(HTTPStatus.NOT_FOUND, "not found")
        content_type = _media_type(target.name)
        compress = _compressible(content_type)
        version = self.versions.get(target, info, data, compress)
        headers = {"Cache-Control": CACHE_CONTROL}
        # Last-Modified counts whole seconds: for a file rewritten this very second, a client
        # (libcurl, in newsboat) could take the next version for the same one and miss it for
        # good. The ETag alone validates such a file.
        if time.time() - info.st_mtime >= 1:
            headers["Last-Modified"] = formatdate(info.st_mtime, usegmt=True)
        etag = version.etag
        if compress:
            headers["Vary"] = "Accept-Encoding"
            encodings = _qualities(environ.get("HTTP_ACCEPT_ENCODING", ""))
            if version.gzipped is not None and encodings.get("gzip", encodings.get("*", 0)) > 0:
                data = version.gzipped
                etag = f'{etag[:-1]}-gzip"'
                headers["Content-Encoding"] = "gzip"
        headers["ETag"] = etag
        if _not_modified(environ, etag, int(info.st_mtime)):
            return HTTPStatus.NOT_MODIFIED, headers, b""
        headers["Content-Type"] = content_type
        return HTTPStatus.OK, headers, data

    def _redirect_or_404(self, environ: WSGIEnvironment, path: str | None) -> _Answer:
        name = "" if path is None else path.rsplit("/", 1)[-1]
        if path is not None and name and "." not in name:
            accepted = _qualities(environ.get("HTTP_ACCEPT", ""))
            extension = ".ics" if accepted.get("text/calendar", 0) > 0 else ".rss"
            if _resolve(self.root, path + extension) is not None:
                query = environ.get("QUERY_STRING", "")
                # One leading slash: "//host/all" must not send the client to another host.
                location = "/" + path.lstrip("/") + extension + (f"?{query}" if query else "")
                # The choice depends on Accept, so caches must keep one answer per Accept.
                headers = {"Location": location, "Vary": "Accept"}
                return _text(HTTPStatus.MOVED_PERMANENTLY, location, headers)
        return _text(HTTPStatus.NOT_FOUND, "not found")


def _url_path(environ: WSGIEnvironment) -> str | None:
    """The request's path, percent-decoded, as text; None when it is not UTF-8."""
    # WSGI hands the decoded bytes over as Latin-1 text.
    raw: str = environ.get("PATH_INFO", "")
    try:
        return raw.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return None


def _not_modified(environ: WSGIEnvironment, etag: str, mtime: int) -> bool:
    wanted = environ.get("HTTP_IF_NONE_MATCH")
    if wanted is not None:
        # Weak comparison, as RFC 9110 asks for If-None-Match.
        tags = {tag.strip().removeprefix("W/") for tag in wanted.split(",")}
        return "*" in tags or etag in tags
    since = environ.get("HTTP_IF_MODIFIED_SINCE")
    if since is None:
        return False
    try:
        when = parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return False
    return mtime <= when.replace(tzinfo=when.tzinfo or UTC).timestamp()


def _text(status: HTTPStatus, text: str, headers: dict[str, str] | None = None) -> _Answer:
    body = f"{status.value} {status.phrase}: {text}\n".encode()
    return status, {**(headers or {}), "Content-Type": "text/plain; charset=utf-8"}, body


class Server:
    """A server for the files under a directory, listening but not yet serving."""

    def __init__(self, app: _App, listener: socket.socket, limits: Limits) -> None:
        # waitress's map of the dispatchers of its open sockets, which our loop watches.
        self._sockets: dict[int, Any] = {}
        self._stopping = threading.Event()
        server = create_server(
            app,
            map=self._sockets,
            sockets=[listener],
            threads=limits.threads,
            connection_limit=limits.connections,
            channel_timeout=limits.idle_seconds,
            # Silent connections are looked for every second, so none outstays its time by more.
            cleanup_interval=1,
            max_request_header_size=limits.header_bytes,
            max_request_body_size=limits.body_bytes,
            # select() cannot watch descriptors past 1023; poll() can.
            asyncore_use_poll=True,
            ident="talkfeed",
        )
        # One listening socket gives one server, not waitress's multi-socket wrapper.
        assert isinstance(server, BaseWSGIServer)
        self._server = server
        host, port = listener.getsockname()[:2]
        self.url = f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"
        """The base URL it listens at, e.g. "http://127.0.0.1:43121/"."""
        self.link_url = None if ip_address(host).is_unspecified else self.url
        """`url` for links in what it serves; None when it listens on every address (0.0.0.0,
        ::), a URL that leads a client nowhere."""

    def serve_forever(self) -> None:
        """Answer requests until another thread calls `shutdown`; KeyboardInterrupt goes through."""
        # waitress's own run() loops until its sockets are closed, which only its own thread may
        # do: this loop checks for a stop after every wait instead.
        while not self._stopping.is_set():
            wasyncore.loop(timeout=1.0, use_poll=True, map=self._sockets, count=1)

    def shutdown(self) -> None:
        """Make `serve_forever` return soon; for another thread to call."""
        self._stopping.set()
        # Wakes the loop from its wait.
        self._server.pull_trigger()

    def close(self) -> None:
        """Stop the worker threads and close every socket; once `serve_forever` has returned."""
        self._server.task_dispatcher.shutdown()
        wasyncore.close_all(self._sockets)


def make_server(
    out: Path, host: str, port: int, *, verbose: bool = False, limits: Limits = Limits()
) -> Server:
    """A server for the files under `out` on `host`:`port` (0: any free port), not yet
    serving; with `verbose`, one line per request on stderr. OSError if it cannot listen."""
    listener = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    try:
        # A restart can take the port again while the last run's connections wind down.
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((host, port))
        return Server(_App(out, verbose), listener, limits)
    except BaseException:
        listener.close()
        raise


@contextmanager
def serving(
    out: Path, host: str = "127.0.0.1", port: int = 0, *, limits: Limits = Limits()
) -> Iterator[str]:
    """Serve `out` in a background thread; yields the base URL, e.g. "http://127.0.0.1:43121/"."""
    server = make_server(out, host, port, limits=limits)
    thread = threading.Thread(target=server.serve_forever, name="talkfeed-serve", daemon=True)
    thread.start()
    try:
        yield server.url
    finally:
        server.shutdown()
        thread.join()
        server.close()


def parse_interval(text: str) -> timedelta:
    """ "90s", "30m", "1h", "1h30m", "1d" → a positive timedelta; ValueError otherwise."""
    match = _INTERVAL.fullmatch(text.strip())
    if not text.strip() or match is None:
        raise ValueError(
            f"bad interval {text!r}: a number and a unit (s, m, h or d), e.g. 90s, 30m, 1h, 1h30m"
        )
    days, hours, minutes, seconds = (int(group or 0) for group in match.groups())
    interval = timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)
    if not interval:
        raise ValueError(f"bad interval {text!r}: must be longer than zero")
    return interval


@contextmanager
def repeating(interval: timedelta, job: Callable[[], object]) -> Iterator[Callable[[], bool]]:
    """Call `job` now and then every `interval` (start to start) in a background thread until
    the block ends; yields a function saying whether a call is in progress.

    Calls never overlap: one that overruns its interval delays the next, and the missed starts
    are skipped. A call that raises is logged in one line on stderr and the next one goes ahead.
    At the end of the block a call in progress is not waited for (the thread is a daemon).
    """
    stop = threading.Event()
    busy = threading.Event()

    def loop() -> None:
        period = interval.total_seconds()
        next_start = time.monotonic()
        while not stop.is_set():
            busy.set()
            try:
                job()
            # The server outlives any run: whatever one raises is reported, never fatal.
            except Exception as exc:
                reason = (
                    str(exc) if isinstance(exc, TalkfeedError) else f"{type(exc).__name__}: {exc}"
                )
                # Nor may a closed stderr stop the runs.
                with suppress(OSError, ValueError):
                    sys.stderr.write(f"talkfeed: run failed: {reason}\n")
            finally:
                busy.clear()
            now = time.monotonic()
            next_start += period
            if next_start <= now:
                next_start += period * ((now - next_start) // period + 1)
            stop.wait(next_start - now)

    thread = threading.Thread(target=loop, name="talkfeed-run-every", daemon=True)
    thread.start()
    try:
        yield busy.is_set
    finally:
        stop.set()
