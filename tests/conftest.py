"""Shared test helpers: the NYU fixture site served on 127.0.0.1, and a config pointing at it.
The example sites (examples/sites/) are registered for the whole run, subprocesses included."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from aggregator.fetching.snapshot import load_snapshot
from aggregator.model import StoredTalk
from feeds.spec import Bodies
from scrapers.registry import SITES_PATH_VARIABLE
from tests.fixture_pages import EXAMPLES, FIXTURES

os.environ[SITES_PATH_VARIABLE] = os.pathsep.join(
    filter(None, [str(EXAMPLES / "sites"), os.environ.get(SITES_PATH_VARIABLE)])
)

NYU = FIXTURES / "nyu-cs-colloquium"
LISTING_PATH = "/dynamic/news/colloquium/"


class FixtureSite:
    """The saved NYU pages, served at their real paths; tests edit `pages` or `status`
    between runs to make the site change or fail."""

    def __init__(self, server: HTTPServer) -> None:
        self.server = server
        snapshot = load_snapshot(NYU)
        self.pages: dict[str, str] = {}
        for name, url in snapshot.pages.items():
            parts = urlsplit(url)
            key = parts.path + (f"?{parts.query}" if parts.query else "")
            self.pages[key] = (NYU / name).read_text(encoding="utf-8")
        self.status: dict[str, int] = {}
        self.content_types: dict[str, str] = {}
        self.robots = "User-agent: *\nAllow: /\n"
        self.requests: list[str] = []
        server.expect_request(re.compile(".*")).respond_with_handler(self._handle)

    @property
    def listing_url(self) -> str:
        return self.server.url_for(LISTING_PATH)

    def detail_path(self, talk: int) -> str:
        return f"{LISTING_PATH}{talk}/"

    def edit(self, path: str, old: str, new: str) -> None:
        assert old in self.pages[path], f"{old!r} not on {path}"
        self.pages[path] = self.pages[path].replace(old, new)

    def _handle(self, request: Request) -> Response:
        key = request.path + (f"?{request.query_string.decode()}" if request.query_string else "")
        self.requests.append(key)
        if key == "/robots.txt":
            return Response(self.robots, content_type="text/plain")
        if key in self.status:
            return Response("failing on purpose", status=self.status[key])
        if key not in self.pages:
            return Response("not found", status=404)
        content_type = self.content_types.get(key, "text/html; charset=utf-8")
        return Response(self.pages[key], content_type=content_type)


@pytest.fixture
def site(httpserver: HTTPServer) -> Iterator[FixtureSite]:
    yield FixtureSite(httpserver)


@pytest.fixture
def config_file(tmp_path: Path, site: FixtureSite) -> Path:
    path = tmp_path / "talkfeed.toml"
    path.write_text(
        f"""
out = "public"
db = "talkfeed.db"
[publish]
# The saved pages span a year; the window tests set their own.
rss_days_back = 400
[fetch]
delay = 0.0
retries = 1
backoff = 0.01
[[sources]]
site = "nyu-cs-colloquium"
url = "{site.listing_url}"
""",
        encoding="utf-8",
    )
    return path


@pytest.fixture
def rendered(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many kept entries this process rendered, by `Bodies.entries` call (the workers'
    are their own)."""
    made: list[int] = []
    entries = Bodies.entries

    def counting(
        bodies: Bodies,
        kind: str,
        talks: Sequence[StoredTalk],
        make: Callable[[list[StoredTalk]], list[str]],
    ) -> list[str]:
        def counted(batch: list[StoredTalk]) -> list[str]:
            made.append(len(batch))
            return make(batch)

        return entries(bodies, kind, talks, counted if bodies._kept is not None else make)

    monkeypatch.setattr(Bodies, "entries", counting)
    return made
