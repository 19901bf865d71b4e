"""Serving the output directory over HTTP: `talkfeed serve`.

A small static server for the files a run writes, for a machine without nginx or for a look
before publishing:

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
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
import os
import re
import socket
import stat
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, timedelta
from email.utils import formatdate, parsedate_to_datetime
from functools import partial
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from aggregator.errors import TalkfeedError

__all__ = ["make_server", "parse_interval", "repeating", "server_url", "serving"]

CACHE_CONTROL = "public, max-age=300"
INDEX = "index.html"
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


def _resolve(root: Path, url_path: str) -> Path | None:
    """The file inside `root` that `url_path` names, or None when it names nothing servable."""
    text = unquote(url_path)
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


class _Handler(BaseHTTPRequestHandler):
    """GET and HEAD on the files under `root`; see the module docstring."""

    protocol_version = "HTTP/1.1"
    # An idle keep-alive connection holds a thread; it is let go after this many seconds.
    timeout = 30

    def __init__(
        self, *args: Any, root: Path, versions: _Versions, verbose: bool, **kwargs: Any
    ) -> None:
        # Set before the base class's __init__, which handles the request.
        self.root = root
        self.versions = versions
        self.verbose = verbose
        super().__init__(*args, **kwargs)

    def parse_request(self) -> bool:
        if not super().parse_request():
            return False
        if self.command in ("GET", "HEAD"):
            return True
        # A body may follow that nobody reads: the connection cannot carry another request.
        self.close_connection = True
        self._text(HTTPStatus.METHOD_NOT_ALLOWED, "only GET and HEAD", {"Allow": "GET, HEAD"})
        return False

    def do_GET(self) -> None:
        """Send a file, a redirect or a 404."""
        self._respond()

    def do_HEAD(self) -> None:
        """As GET, without the body."""
        self._respond()

    def version_string(self) -> str:
        # Not the Python version, which the base class would add.
        return "talkfeed"

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        if self.verbose:
            status = int(code) if isinstance(code, int) else code
            sys.stderr.write(f"{self.command or '-'} {self.path} {status}\n")

    def log_message(self, format: str, *args: Any) -> None:
        # Quiet by default; with verbose, log_request's one line per request says enough.
        pass

    def _respond(self) -> None:
        url = urlsplit(self.path)
        target = _resolve(self.root, url.path)
        if target is None:
            self._redirect_or_404(url.path, url.query)
            return
        try:
            with target.open("rb") as handle:
                info = os.fstat(handle.fileno())
                data = handle.read()
        except FileNotFoundError:
            self._text(HTTPStatus.NOT_FOUND, "not found")
            return
        except OSError as exc:
            self._text(HTTPStatus.INTERNAL_SERVER_ERROR, f"cannot read: {exc.strerror or exc}")
            return
        if not stat.S_ISREG(info.st_mode):
            self._text(HTTPStatus.NOT_FOUND, "not found")
            return
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
            encodings = _qualities(self.headers.get("Accept-Encoding", ""))
            if version.gzipped is not None and encodings.get("gzip", encodings.get("*", 0)) > 0:
                data = version.gzipped
                etag = f'{etag[:-1]}-gzip"'
                headers["Content-Encoding"] = "gzip"
        headers["ETag"] = etag
        if self._not_modified(etag, int(info.st_mtime)):
            self._send(HTTPStatus.NOT_MODIFIED, headers, b"")
            return
        headers["Content-Type"] = content_type
        self._send(HTTPStatus.OK, headers, data)

    def _not_modified(self, etag: str, mtime: int) -> bool:
        wanted = self.headers.get("If-None-Match")
        if wanted is not None:
            # Weak comparison, as RFC 9110 asks for If-None-Match.
            tags = {tag.strip().removeprefix("W/") for tag in wanted.split(",")}
            return "*" in tags or etag in tags
        since = self.headers.get("If-Modified-Since")
        if since is None:
            return False
        try:
            when = parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
        return mtime <= when.replace(tzinfo=when.tzinfo or UTC).timestamp()

    def _redirect_or_404(self, path: str, query: str) -> None:
        name = path.rsplit("/", 1)[-1]
        if name and "." not in name:
            accepted = _qualities(self.headers.get("Accept", ""))
            extension = ".ics" if accepted.get("text/calendar", 0) > 0 else ".rss"
            if _resolve(self.root, path + extension) is not None:
                # One leading slash: "//host/all" must not send the client to another host.
                location = "/" + path.lstrip("/") + extension + (f"?{query}" if query else "")
                # The choice depends on Accept, so caches must keep one answer per Accept.
                self._text(
                    HTTPStatus.MOVED_PERMANENTLY, location, {"Location": location, "Vary": "Accept"}
                )
                return
        self._text(HTTPStatus.NOT_FOUND, "not found")

    def _text(self, status: HTTPStatus, text: str, headers: dict[str, str] | None = None) -> None:
        body = f"{status.value} {status.phrase}: {text}\n".encode()
        self._send(status, {**(headers or {}), "Content-Type": "text/plain; charset=utf-8"}, body)

    def _send(self, status: HTTPStatus, headers: dict[str, str], body: bytes) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if status != HTTPStatus.NOT_MODIFIED:
            self.send_header("Content-Length", str(len(body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD" and status != HTTPStatus.NOT_MODIFIED:
            self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    """A ThreadingHTTPServer that speaks IPv6 when given an IPv6 host and keeps quiet about
    clients that hang up mid-answer."""

    def __init__(self, address: tuple[str, int], handler: Callable[..., _Handler]) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


def make_server(out: Path, host: str, port: int, *, verbose: bool = False) -> ThreadingHTTPServer:
    """A server for the files under `out` on `host`:`port` (0: any free port), not yet
    serving; with `verbose`, one line per request on stderr. OSError if it cannot listen."""
    handler = partial(_Handler, root=out, versions=_Versions(), verbose=verbose)
    return _Server((host, port), handler)


def server_url(server: ThreadingHTTPServer) -> str:
    """The base URL a server listens at, e.g. "http://127.0.0.1:43121/"."""
    host, port = server.server_address[:2]
    name = host.decode() if isinstance(host, bytes) else host
    return f"http://[{name}]:{port}/" if ":" in name else f"http://{name}:{port}/"


@contextmanager
def serving(out: Path, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve `out` in a background thread; yields the base URL, e.g. "http://127.0.0.1:43121/"."""
    server = make_server(out, host, port)
    # A short poll: leaving the block waits for the serving loop to notice, at most this long.
    loop = partial(server.serve_forever, poll_interval=0.05)
    thread = threading.Thread(target=loop, name="talkfeed-serve", daemon=True)
    thread.start()
    try:
        yield server_url(server)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


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
