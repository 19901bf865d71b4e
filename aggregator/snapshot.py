"""Saved sites: a folder of pages plus `pages.toml` saying each page's original URL, and a
server that plays such a folder back on 127.0.0.1 as if it were the site.

    captured_at = 2026-03-01T12:00:00-05:00      # the "now" of the snapshot
    [pages]
    "1857.html" = "https://cs.nyu.edu/dynamic/news/colloquium/1857/"
"""

from __future__ import annotations

import threading
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from aggregator.errors import ConfigError

__all__ = ["RedirectTransport", "Snapshot", "load_snapshot", "serve_snapshot"]


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


@contextmanager
def serve_snapshot(snapshot: Snapshot) -> Iterator[str]:
    """Serve the snapshot's pages at their original paths on 127.0.0.1; yields the origin.

    robots.txt allows everything; unknown paths are 404.
    """
    routes: dict[str, Path] = {}
    for name, url in snapshot.pages.items():
        parts = urlsplit(url)
        routes[parts.path + (f"?{parts.query}" if parts.query else "")] = snapshot.folder / name

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/robots.txt":
                self._send(200, "text/plain", b"User-agent: *\nAllow: /\n")
            elif self.path in routes:
                self._send(200, "text/html; charset=utf-8", routes[self.path].read_bytes())
            else:
                self._send(404, "text/plain", b"not in the snapshot\n")

        def _send(self, status: int, content_type: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
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

    Responses keep the URL that was asked for, so records carry the site's real URLs.
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
