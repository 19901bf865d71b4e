"""Saved sites: a folder of pages plus `pages.toml` saying each page's original URL, and a
server that plays such folders back on 127.0.0.1 as if it were the sites.

    captured_at = 2026-03-01T12:00:00-05:00      # the "now" of the snapshot
    [pages]
    "1857.html" = "https://cs.nyu.edu/dynamic/news/colloquium/1857/"
"""

from __future__ import annotations

import hashlib
import threading
import tomllib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from aggregator.errors import ConfigError

__all__ = ["RedirectTransport", "Snapshot", "load_snapshot", "media_type", "serve_snapshots"]


@dataclass(frozen=True)
class Snapshot:
    """A saved site: its folder, when it was saved, and each page file's original URL."""

    folder: Path
    captured_at: datetime
    pages: dict[str, str]


def load_snapshot(folder: Path) -> Snapshot:
    """Read `folder/pages.toml`; ConfigError when it is missing or malformed."""
    index = folder / "pages.toml"
    try:
        data = tomllib.loads(index.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError("no pages.toml: not a saved site folder", str(index)) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(str(exc), str(index)) from None
    captured = data.get("captured_at")
    pages = data.get("pages")
    if not isinstance(captured, datetime) or captured.tzinfo is None:
        raise ConfigError("captured_at must be a date-time with an offset", str(index))
    if not isinstance(pages, dict) or not all(isinstance(v, str) for v in pages.values()):
        raise ConfigError("[pages] must map file names to URLs", str(index))
    for name in pages:
        if not (folder / name).is_file():
            raise ConfigError(f"page file {name!r} does not exist", str(index))
    return Snapshot(folder, captured, dict(pages))


_MEDIA_TYPES = {
    ".ics": "text/calendar; charset=utf-8",
    ".json": "application/json",
    ".xml": "text/xml; charset=utf-8",
}


def media_type(page: Path) -> str:
    """The media type a saved page is served with: by its file name, HTML unless .ics, .json
    or .xml."""
    return _MEDIA_TYPES.get(page.suffix, "text/html; charset=utf-8")


@contextmanager
def serve_snapshots(snapshots: Sequence[Snapshot]) -> Iterator[str]:
    """Serve saved sites on 127.0.0.1 at their original paths, told apart by the Host header
    (which `RedirectTransport` keeps); yields the server's origin.

    robots.txt allows everything; unknown URLs are 404. Pages are served with the media type
    their file name says (HTML unless .ics, .json or .xml) and an ETag, and a conditional
    request for an unchanged page gets 304.
    """
    routes: dict[tuple[str, str], Path] = {}
    for snapshot in snapshots:
        for name, url in snapshot.pages.items():
            parts = urlsplit(url)
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            routes[(parts.netloc.lower(), target)] = snapshot.folder / name

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            host = (self.headers.get("Host") or "").lower()
            page = routes.get((host, self.path))
            if self.path == "/robots.txt":
                body, content_type = b"User-agent: *\nAllow: /\n", "text/plain"
            elif page is not None:
                body = page.read_bytes()
                content_type = media_type(page)
            else:
                self._send(404, "text/plain", b"not in the snapshot\n")
                return
            # Like a real server: an ETag, and 304 to a request that already has this body.
            etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
            if self.headers.get("If-None-Match") == etag:
                self._send(304, None, b"", etag)
            else:
                self._send(200, content_type, body, etag)

        def _send(
            self, status: int, content_type: str | None, body: bytes, etag: str | None = None
        ) -> None:
            self.send_response(status)
            if content_type is not None:
                self.send_header("Content-Type", content_type)
            if etag is not None:
                self.send_header("ETag", etag)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: the run reports what matters."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class RedirectTransport(httpx.AsyncBaseTransport):
    """Sends every request to `origin` (a `serve_snapshot` server) instead of its own host.

    Responses keep the URL that was asked for, so records carry the site's real URLs, and the
    request keeps its Host header, so one server can stand in for many sites.
    """

    def __init__(self, origin: str) -> None:
        self._origin = httpx.URL(origin)
        self._inner = httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        target = request.url.copy_with(
            scheme=self._origin.scheme, host=self._origin.host, port=self._origin.port
        )
        forwarded = httpx.Request(
            request.method, target, headers=request.headers, stream=request.stream
        )
        return await self._inner.handle_async_request(forwarded)

    async def aclose(self) -> None:
        await self._inner.aclose()
