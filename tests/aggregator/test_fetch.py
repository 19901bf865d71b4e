"""Fetcher against a real HTTP server on loopback (pytest-httpserver), no mocked transports.

pytest-httpserver answers 500 to unregistered paths, and a 500 robots.txt means "disallow all",
so tests that fetch pages with robots on register /robots.txt first. Its default server handles
one connection at a time, so tests about overlapping requests use a threaded one, and servers that
misbehave at the socket level (stalling or cutting a body short) are raw sockets in a thread.
"""

from __future__ import annotations

import asyncio
import itertools
import re
import socket
import threading
import time
import urllib.request
import zlib
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request
from werkzeug import Response as ServerResponse

from aggregator.errors import AddressRefusedError, FetchError, RobotsDisallowedError
from aggregator.fetching.fetch import (
    DEFAULT_USER_AGENT,
    ROBOTS_ABSENT_FOR,
    Fetcher,
    FetchSettings,
    FetchStats,
    Response,
    RobotsCache,
    Validators,
    _parse_retry_after,
    address_kind,
    outcome,
)
from aggregator.fetching.pagecache import PageCache
from tests.bare_socket import BareSocketServer
from tests.trickle import Trickle

FAST = FetchSettings(delay=0.01, backoff=0.01, retries=2, timeout=5.0, max_retry_after=5.0)
NO_ROBOTS = FetchSettings(
    delay=0.01, backoff=0.01, retries=2, timeout=5.0, max_retry_after=5.0, obey_robots=False
)

Result = Response | BaseException


def fetch_all(urls: list[str], settings: FetchSettings = FAST) -> tuple[list[Result], FetchStats]:
    """Fetch `urls` concurrently with one Fetcher; exceptions are returned, not raised."""

    async def run() -> tuple[list[Result], FetchStats]:
        async with Fetcher(settings) as fetcher:
            results = await asyncio.gather(*(fetcher.get(u) for u in urls), return_exceptions=True)
        return list(results), fetcher.stats

    # A bound on the whole run so a fetcher that waits too long fails instead of hanging.
    async def bounded() -> tuple[list[Result], FetchStats]:
        return await asyncio.wait_for(run(), timeout=30)

    return asyncio.run(bounded())


def fetch_ok(url: str, settings: FetchSettings = FAST) -> tuple[Response, FetchStats]:
    results, stats = fetch_all([url], settings)
    result = results[0]
    assert isinstance(result, Response), result
    return result, stats


def fetch_error(url: str, settings: FetchSettings = FAST) -> tuple[FetchError, FetchStats]:
    results, stats = fetch_all([url], settings)
    result = results[0]
    assert isinstance(result, FetchError), result
    return result, stats


def without_bytes(stats: FetchStats) -> FetchStats:
    """`stats` with the byte count zeroed, for comparing request counts alone."""
    return replace(stats, bytes=0)


def paths(server: HTTPServer) -> list[str]:
    """Paths the server was asked for, in order."""
    return [request.path for request, _ in server.log]


def robots(server: HTTPServer, body: str = "User-agent: *\nAllow: /\n", status: int = 200) -> None:
    server.expect_request("/robots.txt").respond_with_data(
        body, status=status, content_type="text/plain"
    )


@dataclass
class Recorder:
    """A handler that notes when (time.monotonic) and with which headers each request came."""

    replies: list[ServerResponse]
    """Served in turn; the last one repeats."""
    times: list[float] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)

    def __call__(self, request: Request) -> ServerResponse:
        self.times.append(time.monotonic())
        self.headers.append(dict(request.headers))
        return self.replies[min(len(self.times), len(self.replies)) - 1]


def reply(body: str = "ok", status: int = 200, **headers: str) -> ServerResponse:
    return ServerResponse(body, status=status, headers=headers, content_type="text/html")


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A loopback port with nothing listening (bound but not listening, so no one else takes it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


def fetch_in_turn(
    urls: list[str], settings: FetchSettings, validators: Validators | None = None
) -> tuple[list[Response | FetchError], FetchStats]:
    """Fetch `urls` one after the other with one Fetcher; FetchErrors are returned, not raised."""

    async def run() -> tuple[list[Response | FetchError], FetchStats]:
        results: list[Response | FetchError] = []
        async with Fetcher(settings, validators=validators) as fetcher:
            for url in urls:
                try:
                    response = await fetcher.get(url)
                except FetchError as exc:
                    results.append(exc)
                    continue
                results.append(response)
                if validators is not None and not response.not_modified:
                    # As a crawl keeps them, with what the page gave.
                    validators.put(url, *response.validators)
        return results, fetcher.stats

    async def bounded() -> tuple[list[Response | FetchError], FetchStats]:
        return await asyncio.wait_for(run(), timeout=30)

    return asyncio.run(bounded())


@dataclass
class MemoryValidators:
    """Validators in a dict, the way a store keeps them from one run to the next."""

    stored: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)

    def get(self, url: str) -> tuple[str | None, str | None] | None:
        return self.stored.get(url)

    def put(self, url: str, etag: str | None, last_modified: str | None) -> None:
        self.stored[url] = (etag, last_modified)


@pytest.fixture
def threaded_server() -> Iterator[HTTPServer]:
    """A pytest-httpserver serving each connection in its own thread, so requests can overlap."""
    server = HTTPServer(host="127.0.0.1", threaded=True)
    server.start()
    try:
        yield server
    finally:
        server.clear()
        server.stop()


@dataclass
class Spans:
    """A slow handler noting when each request entered and left it; robots.txt allows all.

    Paths in `fail_first` answer 503 the first time they are asked for.
    """

    pause: float
    fail_first: set[str] = field(default_factory=set)
    spans: list[tuple[str, float, float]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, request: Request) -> ServerResponse:
        start = time.monotonic()
        time.sleep(self.pause)
        with self.lock:
            self.spans.append((request.host + request.path, start, time.monotonic()))
            failing = request.path in self.fail_first
            self.fail_first.discard(request.path)
        if request.path == "/robots.txt":
            return ServerResponse("User-agent: *\nAllow: /\n", content_type="text/plain")
        return reply("busy", 503) if failing else reply(request.path)

    def overlapping(self) -> bool:
        """Whether any request entered the handler before the previous one had left it."""
        spans = sorted(self.spans, key=lambda span: span[1])
        return any(later[1] < earlier[2] for earlier, later in itertools.pairwise(spans))


class RawServer(BareSocketServer):
    """To every request it sends `answer`, then closes the connection, or with `stall` keeps
    it open and silent until the server stops."""

    def __init__(self, answer: bytes, stall: bool = False) -> None:
        super().__init__()
        self.reply = answer
        self.stall = stall
        self.requests = 0

    def answer(self, conn: socket.socket, head: bytes) -> None:
        self.requests += 1
        conn.sendall(self.reply)
        if self.stall:
            self.stop.wait(10)


@dataclass
class PlainServer:
    """A keep-alive HTTP server from the standard library on `host` (127.0.0.1 or ::1), which
    sends any header as given: `routes` maps paths to a status and headers; other paths answer
    200 "fine", and robots.txt 404."""

    host: str
    routes: dict[str, tuple[int, dict[str, str]]]
    paths: list[str] = field(default_factory=list)
    port: int = 0

    @contextmanager
    def running(self) -> Iterator[PlainServer]:
        """Serve in a background thread until the block ends."""
        routes, paths = self.routes, self.paths

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                paths.append(self.path)
                status, headers = routes.get(self.path, (200, {}))
                body = b"fine" if status == 200 else b""
                self.send_response(404 if self.path == "/robots.txt" else status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        server_class = type("Server", (ThreadingHTTPServer,), {"address_family": family})
        server = server_class((self.host, 0), Handler)
        server.daemon_threads = True
        self.port = server.server_address[1]
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
        try:
            yield self
        finally:
            server.shutdown()
            server.server_close()

    def url(self, path: str) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}{path}"


# --- requests ------------------------------------------------------------------------------------


def test_sends_user_agent_and_returns_response(httpserver: HTTPServer) -> None:
    recorder = Recorder([ServerResponse("<p>hi</p>", content_type="text/html; charset=UTF-8")])
    robots_recorder = Recorder([ServerResponse("", content_type="text/plain")])
    httpserver.expect_request("/robots.txt").respond_with_handler(robots_recorder)
    httpserver.expect_request("/page").respond_with_handler(recorder)
    before = datetime.now(UTC)

    response, stats = fetch_ok(httpserver.url_for("/page"))

    assert recorder.headers[0]["User-Agent"] == DEFAULT_USER_AGENT
    assert robots_recorder.headers[0]["User-Agent"] == DEFAULT_USER_AGENT
    assert "text/html" in recorder.headers[0]["Accept"]
    assert response.text == "<p>hi</p>"
    assert response.status == 200
    assert response.content_type == "text/html"
    assert response.url == httpserver.url_for("/page")
    assert response.fetched_at.tzinfo is not None
    assert response.fetched_at.utcoffset() == timedelta(0)
    assert response.fetched_at >= before - timedelta(seconds=1)
    assert stats == FetchStats(requests=2, bytes=len(b"<p>hi</p>"))


def test_redirects_followed_to_final_url(httpserver: HTTPServer) -> None:
    robots(httpserver)
    httpserver.expect_request("/old").respond_with_data(
        "", status=302, headers={"Location": "/middle"}
    )
    httpserver.expect_request("/middle").respond_with_data(
        "", status=301, headers={"Location": httpserver.url_for("/new")}
    )
    httpserver.expect_request("/new").respond_with_data("new page", content_type="text/html")

    response, stats = fetch_ok(httpserver.url_for("/old"))

    assert response.url == httpserver.url_for("/new")
    assert response.text == "new page"
    assert paths(httpserver) == ["/robots.txt", "/old", "/middle", "/new"]
    assert stats.requests == 4  # every hop counts


def test_invalid_url_is_fetch_error_without_request() -> None:
    error, stats = fetch_error("ftp://example.org/file")
    assert "http" in error.reason
    assert without_bytes(stats) == FetchStats(requests=0, retries=0, failures=1)


# --- robots.txt ----------------------------------------------------------------------------------

ROBOTS_PRIVATE = "User-agent: *\nDisallow:\n\nUser-agent: talkfeed\nDisallow: /private\n"


def test_robots_disallow_raises_and_never_requests_page(httpserver: HTTPServer) -> None:
    robots(httpserver, ROBOTS_PRIVATE)
    httpserver.expect_request("/private/talks").respond_with_data("secret")
    httpserver.expect_request("/public").respond_with_data("open")

    results, stats = fetch_all(
        [httpserver.url_for("/private/talks"), httpserver.url_for("/public")]
    )

    assert isinstance(results[0], RobotsDisallowedError)
    assert results[0].url == httpserver.url_for("/private/talks")
    assert isinstance(results[1], Response)
    assert results[1].text == "open"
    assert "/private/talks" not in paths(httpserver)
    assert stats.failures == 1


@dataclass
class MemoryRobots:
    """A robots.txt cache in a dict, as the page cache keeps it from one run to the next."""

    stored: dict[str, tuple[str | None, str | None, str]] = field(default_factory=dict)
    absent: dict[str, datetime] = field(default_factory=dict)

    def robots(self, url: str) -> tuple[str | None, str | None, str] | None:
        return self.stored.get(url)

    def keep_robots(
        self, url: str, etag: str | None, last_modified: str | None, text: str | None
    ) -> None:
        if text is None:
            self.stored.pop(url, None)
        else:
            self.stored[url] = (etag, last_modified, text)
        self.absent.pop(url, None)

    def robots_absent(self, url: str) -> datetime | None:
        return self.absent.get(url)

    def keep_robots_absent(self, url: str, at: datetime) -> None:
        self.stored.pop(url, None)
        self.absent[url] = at


def _run_with_robots_cache(
    urls: list[str], cache: RobotsCache
) -> tuple[list[Response | BaseException], FetchStats]:
    async def run() -> tuple[list[Response | BaseException], FetchStats]:
        async with Fetcher(FAST, robots_cache=cache) as fetcher:
            results = await asyncio.gather(*(fetcher.get(u) for u in urls), return_exceptions=True)
        return list(results), fetcher.stats

    return asyncio.run(asyncio.wait_for(run(), timeout=30))


def test_robots_is_asked_for_conditionally_and_its_rules_kept(httpserver: HTTPServer) -> None:
    seen: list[str | None] = []

    def answer(request: Request) -> ServerResponse:
        seen.append(request.headers.get("If-None-Match"))
        if request.headers.get("If-None-Match") == '"r1"':
            return ServerResponse(status=304, headers={"ETag": '"r1"'})
        return ServerResponse(ROBOTS_PRIVATE, content_type="text/plain", headers={"ETag": '"r1"'})

    httpserver.expect_request("/robots.txt").respond_with_handler(answer)
    httpserver.expect_request("/public").respond_with_data("open")
    urls = [httpserver.url_for("/private/talks"), httpserver.url_for("/public")]
    cache = MemoryRobots()

    first, _ = _run_with_robots_cache(urls, cache)
    second, stats = _run_with_robots_cache(urls, cache)

    assert seen == [None, '"r1"'], "the second run asks with the ETag the first one got"
    assert stats.revalidated == 1
    # The 304's empty body did not replace the rules: the private page is still off limits.
    for results in (first, second):
        assert isinstance(results[0], RobotsDisallowedError)
        assert isinstance(results[1], Response)
    assert "/private/talks" not in paths(httpserver)


def test_robots_gone_is_forgotten(httpserver: HTTPServer) -> None:
    robots(httpserver, "gone", status=404)
    httpserver.expect_request("/private/talks").respond_with_data("now open")
    url = httpserver.url_for("/robots.txt")
    cache = MemoryRobots({url: ('"r1"', None, ROBOTS_PRIVATE)})

    results, _ = _run_with_robots_cache([httpserver.url_for("/private/talks")], cache)

    assert isinstance(results[0], Response), "a 404 robots.txt allows all, whatever was cached"
    assert cache.stored == {}


def test_robots_that_is_not_there_is_asked_for_again_only_a_day_later(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    robots(httpserver, "not here", status=404)
    httpserver.expect_request("/public").respond_with_data("open")
    urls = [httpserver.url_for("/public")]
    robots_url = httpserver.url_for("/robots.txt")

    with PageCache(tmp_path / "talkfeed.db") as cache:
        for _ in range(3):
            (result,), _ = _run_with_robots_cache(urls, cache)
            assert isinstance(result, Response), "no robots.txt: everything allowed"
        assert paths(httpserver).count("/robots.txt") == 1
        answered = cache.robots_absent(robots_url)
        assert answered is not None
        cache.keep_robots_absent(robots_url, answered - ROBOTS_ABSENT_FOR)
        _run_with_robots_cache(urls, cache)
        _run_with_robots_cache(urls, cache)
    assert paths(httpserver).count("/robots.txt") == 2
    assert paths(httpserver).count("/public") == 5


def test_robots_that_comes_back_is_read_when_asked_for_again(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/robots.txt").respond_with_data(
        ROBOTS_PRIVATE, content_type="text/plain", headers={"ETag": '"r1"'}
    )
    url = httpserver.url_for("/robots.txt")
    cache = MemoryRobots(absent={url: datetime.now(UTC) - ROBOTS_ABSENT_FOR})

    (result,), _ = _run_with_robots_cache([httpserver.url_for("/private/talks")], cache)

    assert isinstance(result, RobotsDisallowedError)
    assert cache.stored == {url: ('"r1"', None, ROBOTS_PRIVATE)} and cache.absent == {}


def test_robots_without_validators_is_not_kept(httpserver: HTTPServer) -> None:
    robots(httpserver)
    httpserver.expect_request("/public").respond_with_data("open")
    cache = MemoryRobots()

    _run_with_robots_cache([httpserver.url_for("/public")], cache)

    assert cache.stored == {}, "nothing to ask conditionally with"


def test_robots_rules_are_matched_by_product_token(httpserver: HTTPServer) -> None:
    # The talkfeed group disallows /private; another bot falls under "*" and may fetch it.
    robots(httpserver, ROBOTS_PRIVATE)
    httpserver.expect_request("/private/talks").respond_with_data("secret")

    response, _ = fetch_ok(
        httpserver.url_for("/private/talks"),
        FetchSettings(user_agent="otherbot/2.0", delay=0.01, backoff=0.01),
    )

    assert response.text == "secret"


def test_redirect_into_disallowed_path_is_blocked(httpserver: HTTPServer) -> None:
    robots(httpserver, ROBOTS_PRIVATE)
    httpserver.expect_request("/go").respond_with_data(
        "", status=302, headers={"Location": "/private/x"}
    )
    httpserver.expect_request("/private/x").respond_with_data("secret")

    error, _ = fetch_error(httpserver.url_for("/go"))

    assert isinstance(error, RobotsDisallowedError)
    assert error.url == httpserver.url_for("/go")
    assert "/private/x" in error.reason
    assert "/private/x" not in paths(httpserver)


def test_robots_404_allows_everything(httpserver: HTTPServer) -> None:
    robots(httpserver, "not here", status=404)
    httpserver.expect_request("/private/talks").respond_with_data("talks")

    response, _ = fetch_ok(httpserver.url_for("/private/talks"))

    assert response.text == "talks"


def test_robots_500_disallows_everything(httpserver: HTTPServer) -> None:
    robots(httpserver, "oops", status=500)
    httpserver.expect_request("/talks").respond_with_data("talks")
    httpserver.expect_request("/more").respond_with_data("more")

    async def run() -> tuple[list[Result], FetchStats]:
        async with Fetcher(FAST) as fetcher:
            first = await asyncio.gather(
                fetcher.get(httpserver.url_for("/talks")), return_exceptions=True
            )
            # A second URL on the same host reuses the cached verdict.
            second = await asyncio.gather(
                fetcher.get(httpserver.url_for("/more")), return_exceptions=True
            )
        return [*first, *second], fetcher.stats

    results, stats = asyncio.run(run())

    for result in results:
        assert isinstance(result, RobotsDisallowedError)
        assert "robots.txt unreachable" in result.reason
        assert "HTTP 500" in result.reason
    assert paths(httpserver) == ["/robots.txt"] * (1 + FAST.retries)
    assert stats.retries == FAST.retries
    assert stats.failures == 2


def test_robots_connection_refused_reports_the_host_down(closed_port: int) -> None:
    error, stats = fetch_error(f"http://127.0.0.1:{closed_port}/talks")

    assert type(error) is FetchError
    assert error.reason.startswith("ConnectError: ")
    assert error.reason.endswith("(host unreachable)")
    assert stats.failures == 1


def test_robots_fetched_once_for_concurrent_requests(httpserver: HTTPServer) -> None:
    robots(httpserver)
    for name in "abcd":
        httpserver.expect_request(f"/{name}").respond_with_data(name)

    results, stats = fetch_all([httpserver.url_for(f"/{name}") for name in "abcd"])

    assert [r.text for r in results if isinstance(r, Response)] == list("abcd")
    assert paths(httpserver).count("/robots.txt") == 1
    assert stats.requests == 5


# --- politeness ----------------------------------------------------------------------------------


def test_per_host_delay_between_request_starts(httpserver: HTTPServer) -> None:
    settings = FetchSettings(delay=0.25, backoff=0.01)
    recorder = Recorder([reply()])
    httpserver.expect_request("/robots.txt").respond_with_handler(recorder)
    for name in "abc":
        httpserver.expect_request(f"/{name}").respond_with_handler(recorder)

    results, _ = fetch_all([httpserver.url_for(f"/{name}") for name in "abc"], settings)

    assert all(isinstance(r, Response) for r in results)
    assert len(recorder.times) == 4  # the robots.txt request counts toward the delay
    gaps = [b - a for a, b in zip(recorder.times, recorder.times[1:], strict=False)]
    # Lower bound with slack: arrival times at the server jitter a little around send times.
    assert min(gaps) >= 0.2, gaps


def test_a_slow_host_gets_its_delay_after_each_answer(threaded_server: HTTPServer) -> None:
    spans = Spans(pause=0.3)
    threaded_server.expect_request(re.compile(".*")).respond_with_handler(spans)
    settings = FetchSettings(delay=0.2, backoff=0.01)

    results, _ = fetch_all([threaded_server.url_for(f"/{name}") for name in "ab"], settings)

    assert all(isinstance(r, Response) for r in results)
    ordered = sorted(spans.spans, key=lambda span: span[1])
    assert len(ordered) == 3  # robots.txt, /a, /b
    # Answers take longer than the delay, yet each request waits the delay after the last
    # answer (with slack for the time between the handler returning and the client reading).
    pauses = [later[1] - earlier[2] for earlier, later in itertools.pairwise(ordered)]
    assert min(pauses) >= 0.15, pauses


def test_crawl_delay_longer_than_setting_is_honoured(httpserver: HTTPServer) -> None:
    robots(httpserver, "User-agent: *\nCrawl-delay: 0.6\n")
    recorder = Recorder([reply()])
    httpserver.expect_request("/a").respond_with_handler(recorder)
    httpserver.expect_request("/b").respond_with_handler(recorder)

    fetch_all([httpserver.url_for("/a"), httpserver.url_for("/b")])

    assert len(recorder.times) == 2
    assert recorder.times[1] - recorder.times[0] >= 0.5


# --- retries and errors --------------------------------------------------------------------------


def test_5xx_retried_until_success(httpserver: HTTPServer) -> None:
    recorder = Recorder([reply("down", 500), reply("down", 502), reply("up")])
    httpserver.expect_request("/flaky").respond_with_handler(recorder)

    response, stats = fetch_ok(httpserver.url_for("/flaky"), NO_ROBOTS)

    assert response.text == "up"
    assert len(recorder.times) == 3
    assert without_bytes(stats) == FetchStats(requests=3, retries=2, failures=0)


def test_5xx_gives_up_after_retries(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/down").respond_with_data("down", status=503)

    error, stats = fetch_error(httpserver.url_for("/down"), NO_ROBOTS)

    assert error.status == 503
    assert error.reason == "HTTP 503 Service Unavailable"
    assert paths(httpserver) == ["/down"] * (1 + NO_ROBOTS.retries)
    assert without_bytes(stats) == FetchStats(requests=3, retries=2, failures=1)


def test_429_retry_after_is_honoured(httpserver: HTTPServer) -> None:
    recorder = Recorder([reply("slow down", 429, **{"Retry-After": "1"}), reply("fine")])
    httpserver.expect_request("/busy").respond_with_handler(recorder)

    response, stats = fetch_ok(httpserver.url_for("/busy"), NO_ROBOTS)

    assert response.text == "fine"
    assert stats.retries == 1
    # backoff is 0.01 s, so only honouring Retry-After explains a wait this long.
    assert recorder.times[1] - recorder.times[0] >= 0.9


def test_retry_after_over_cap_fails_without_waiting(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/busy").respond_with_data(
        "slow down", status=429, headers={"Retry-After": "3600"}
    )

    error, stats = fetch_error(httpserver.url_for("/busy"), NO_ROBOTS)

    assert error.status == 429
    assert "Retry-After" in error.reason
    assert "3600" in error.reason
    assert paths(httpserver) == ["/busy"]
    assert without_bytes(stats) == FetchStats(requests=1, retries=0, failures=1)


def test_retry_after_http_date() -> None:
    in_ten = datetime.now(UTC) + timedelta(seconds=10)
    seconds = _parse_retry_after(format_datetime(in_ten, usegmt=True))
    assert seconds is not None
    assert 8 <= seconds <= 10
    assert _parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
    assert _parse_retry_after("120") == 120.0
    assert _parse_retry_after("soon") is None


def test_404_is_fetch_error_without_retry(httpserver: HTTPServer) -> None:
    robots(httpserver)
    httpserver.expect_request("/missing").respond_with_data("nope", status=404)

    error, stats = fetch_error(httpserver.url_for("/missing"))

    assert type(error) is FetchError
    assert error.status == 404
    assert error.reason == "HTTP 404 Not Found"
    assert str(error) == f"{httpserver.url_for('/missing')}: HTTP 404 Not Found"
    assert paths(httpserver) == ["/robots.txt", "/missing"]
    assert without_bytes(stats) == FetchStats(requests=2, retries=0, failures=1)


def test_connection_refused_is_fetch_error(closed_port: int) -> None:
    settings = FetchSettings(delay=0.01, backoff=0.01, retries=1, obey_robots=False)

    error, stats = fetch_error(f"http://127.0.0.1:{closed_port}/talks", settings)

    assert type(error) is FetchError
    assert error.status is None
    assert error.reason.startswith("ConnectError")
    assert "\n" not in error.reason
    assert without_bytes(stats) == FetchStats(requests=2, retries=1, failures=1)


def test_read_timeout_is_fetch_error_after_retries(httpserver: HTTPServer) -> None:
    release = threading.Event()

    def stall(request: Request) -> ServerResponse:
        release.wait(5)
        return reply("too late")

    httpserver.expect_request("/slow").respond_with_handler(stall)
    httpserver.expect_request("/ping").respond_with_data("pong")
    settings = FetchSettings(delay=0.01, backoff=0.01, retries=1, timeout=0.2, obey_robots=False)

    try:
        error, stats = fetch_error(httpserver.url_for("/slow"), settings)
    finally:
        release.set()
        # The server handles one connection at a time, in order: once /ping is answered, the
        # stalled requests are done and cannot leak into the next test.
        with urllib.request.urlopen(httpserver.url_for("/ping"), timeout=10) as ping:
            assert ping.read() == b"pong"

    assert type(error) is FetchError
    assert error.reason.startswith("ReadTimeout")
    assert without_bytes(stats) == FetchStats(requests=2, retries=1, failures=1)
    assert "/slow" in paths(httpserver)


# --- decoding ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [
        pytest.param(b"caf\xe9", "text/html", "caf\xe9", id="windows-1252-fallback"),
        # 0x93/0x94 are curly quotes in windows-1252 but C1 controls in ISO-8859-1.
        pytest.param(b"\x93caf\xe9\x94", "text/html", "\u201ccaf\xe9\u201d", id="windows-1252-c1"),
        pytest.param("café".encode(), "text/html", "caf\xe9", id="utf-8-default"),
        pytest.param(
            b'<html><head><meta charset="iso-8859-2"></head><body>\xe8</body></html>',
            "text/html",
            "<body>\u010d</body>",
            id="meta-charset",
        ),
        pytest.param(
            b'<meta http-equiv="Content-Type" content="text/html; charset=windows-1251">\xe4',
            "text/html",
            ">\u0434",
            id="meta-http-equiv",
        ),
        pytest.param(
            b'<meta charset="iso-8859-2">caf\xc3\xa9',
            "text/html; charset=utf-8",
            "caf\xe9",
            id="header-beats-meta",
        ),
        pytest.param(
            b"\x93quoted\x94", "text/html; charset=ISO-8859-1", "\u201cquoted\u201d", id="latin1"
        ),
        pytest.param(
            b"\xef\xbb\xbfcaf\xc3\xa9", "text/html; charset=windows-1252", "caf\xe9", id="bom"
        ),
        pytest.param(
            "Zürich, “Lie groups”".encode(),
            "text/html; charset=ISO-8859-1",
            "Zürich, “Lie groups”",
            id="utf-8-declared-latin-1",
        ),
        pytest.param(
            "Zürich, “Lie groups”".encode("cp1252"),
            "text/html; charset=utf-8",
            "Zürich, “Lie groups”",
            id="windows-1252-declared-utf-8",
        ),
        pytest.param(
            b'<meta charset="utf-8">' + "Zürich".encode("cp1252"),
            "text/html",
            "Zürich",
            id="windows-1252-declared-utf-8-by-meta",
        ),
        pytest.param(
            "Zürich “Lie”".encode() + b" caf\xe9",
            "text/html; charset=utf-8",
            "Zürich “Lie” café",
            id="utf-8-with-a-stray-byte",
        ),
        pytest.param(
            "Zürich “Lie”".encode("cp1252"),
            "text/html; charset=euc-kr",
            "Zürich “Lie”",
            id="windows-1252-declared-euc-kr",
        ),
        pytest.param(
            "日本語の談話会".encode("shift_jis"),
            "text/html; charset=Shift_JIS",
            "日本語の談話会",
            id="shift-jis",
        ),
    ],
)
def test_decoding(httpserver: HTTPServer, body: bytes, content_type: str, expected: str) -> None:
    httpserver.expect_request("/page").respond_with_response(
        ServerResponse(body, headers={"Content-Type": content_type})
    )

    response, _ = fetch_ok(httpserver.url_for("/page"), NO_ROBOTS)

    assert paths(httpserver) == ["/page"]
    assert expected in response.text
    assert "\ufffd" not in response.text
    assert not response.text.startswith("\ufeff")


@pytest.mark.parametrize(
    ("body", "content_type", "note"),
    [
        ("Zürich".encode(), "text/html; charset=utf-8", None),
        ("Zürich".encode("cp1252"), "text/html", None),
        (
            "Zürich".encode(),
            "text/html; charset=ISO-8859-1",
            "declares iso-8859-1, but is UTF-8: read as UTF-8",
        ),
        (
            "Zürich".encode("cp1252"),
            "text/html; charset=utf-8",
            "declares utf-8, but not all of it is: the rest read as windows-1252",
        ),
        (
            "Zürich".encode("cp1252"),
            "text/html; charset=euc-kr",
            "declares euc-kr, which most of it is not: read as windows-1252",
        ),
        (
            "日本語".encode("shift_jis") * 20 + b"\xff",
            "text/html; charset=shift_jis",
            "declares shift_jis, but 1 character(s) are not: shown as \ufffd",
        ),
    ],
)
def test_a_charset_overruled_is_said(
    httpserver: HTTPServer, body: bytes, content_type: str, note: str | None
) -> None:
    httpserver.expect_request("/page").respond_with_response(
        ServerResponse(body, headers={"Content-Type": content_type})
    )

    response, _ = fetch_ok(httpserver.url_for("/page"), NO_ROBOTS)

    assert response.decoding == note


# --- conditional requests ------------------------------------------------------------------------


def test_etag_revalidation_gives_not_modified(httpserver: HTTPServer) -> None:
    seen: list[dict[str, str]] = []

    def page(request: Request) -> ServerResponse:
        seen.append(dict(request.headers))
        if request.headers.get("If-None-Match") == '"v1"':
            return ServerResponse(status=304, headers={"ETag": '"v1"'})
        return ServerResponse("<p>talks</p>", headers={"ETag": '"v1"'}, content_type="text/html")

    httpserver.expect_request("/talks").respond_with_handler(page)
    url = httpserver.url_for("/talks")
    validators = MemoryValidators()

    [first], first_stats = fetch_in_turn([url], NO_ROBOTS, validators)
    # A later run, with the validators the first one stored.
    [second], second_stats = fetch_in_turn([url], NO_ROBOTS, validators)

    assert isinstance(first, Response)
    assert (first.status, first.text, first.not_modified) == (200, "<p>talks</p>", False)
    assert validators.stored == {url: ('"v1"', None)}
    assert "If-None-Match" not in seen[0]
    assert seen[1]["If-None-Match"] == '"v1"'
    assert "If-Modified-Since" not in seen[1]
    assert isinstance(second, Response)
    assert second.not_modified
    assert (second.status, second.text, second.body) == (304, "", b"")
    assert second_stats.revalidated == 1
    assert second_stats.bytes == 0
    assert first_stats.revalidated == 0
    assert first_stats.bytes == len(b"<p>talks</p>")


def test_unconditional_get_ignores_stored_validators(httpserver: HTTPServer) -> None:
    recorder = Recorder([reply("<p>talks</p>", ETag='"v2"')])
    httpserver.expect_request("/talks").respond_with_handler(recorder)
    url = httpserver.url_for("/talks")
    validators = MemoryValidators({url: ('"v1"', "Wed, 21 Oct 2015 07:28:00 GMT")})

    async def run() -> Response:
        async with Fetcher(NO_ROBOTS, validators=validators) as fetcher:
            return await fetcher.get(url, conditional=False)

    response = asyncio.run(run())

    assert response.text == "<p>talks</p>"
    assert "If-None-Match" not in recorder.headers[0]
    assert "If-Modified-Since" not in recorder.headers[0]
    # The full answer's validators are handed back, to be kept with what the page gives.
    assert response.validators == ('"v2"', None)


def test_last_modified_without_etag(httpserver: HTTPServer) -> None:
    versions = ["Wed, 21 Oct 2015 07:28:00 GMT"]
    seen: list[dict[str, str]] = []

    def page(request: Request) -> ServerResponse:
        seen.append(dict(request.headers))
        current = versions[-1]
        if request.headers.get("If-Modified-Since") == current:
            return ServerResponse(status=304)
        return ServerResponse(
            f"<p>{current}</p>", headers={"Last-Modified": current}, content_type="text/html"
        )

    httpserver.expect_request("/talks").respond_with_handler(page)
    url = httpserver.url_for("/talks")
    validators = MemoryValidators()

    results, _ = fetch_in_turn([url, url], NO_ROBOTS, validators)
    versions.append("Thu, 22 Oct 2015 08:00:00 GMT")
    [changed], _ = fetch_in_turn([url], NO_ROBOTS, validators)

    first, second = results
    assert isinstance(first, Response)
    assert not first.not_modified
    assert isinstance(second, Response)
    assert second.not_modified
    assert seen[1]["If-Modified-Since"] == "Wed, 21 Oct 2015 07:28:00 GMT"
    assert "If-None-Match" not in seen[1]
    assert isinstance(changed, Response)
    assert changed.text == "<p>Thu, 22 Oct 2015 08:00:00 GMT</p>"
    assert validators.stored == {url: (None, "Thu, 22 Oct 2015 08:00:00 GMT")}


def test_304_to_a_plain_request_is_an_error(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/odd").respond_with_data("", status=304)

    error, stats = fetch_error(httpserver.url_for("/odd"), NO_ROBOTS)

    # Without a copy of its own, the caller has nothing to show for a 304.
    assert error.status == 304
    assert stats.revalidated == 0


# --- limits --------------------------------------------------------------------------------------


def test_streamed_body_over_the_cap_stops_reading(httpserver: HTTPServer) -> None:
    chunk = b"<p>" + b"x" * 65_533

    def huge(request: Request) -> ServerResponse:
        # A generator, so no Content-Length: only counting while reading can stop it.
        return ServerResponse(
            (chunk for _ in range(20_000_000 // len(chunk))), content_type="text/html"
        )

    httpserver.expect_request("/huge").respond_with_handler(huge)
    started = time.monotonic()

    error, stats = fetch_error(httpserver.url_for("/huge"), NO_ROBOTS)

    assert time.monotonic() - started < 10
    assert type(error) is FetchError
    assert error.reason == "response larger than 5000000 bytes"
    assert error.status is None
    assert 5_000_000 < stats.bytes < 6_000_000
    assert without_bytes(stats) == FetchStats(requests=1, retries=0, failures=1)


def test_declared_length_over_the_cap_fails_before_reading(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/fits").respond_with_data("x" * 100, content_type="text/html")
    httpserver.expect_request("/big").respond_with_data("x" * 101, content_type="text/html")
    settings = replace(NO_ROBOTS, max_bytes=100)

    [fits, big], stats = fetch_in_turn(
        [httpserver.url_for("/fits"), httpserver.url_for("/big")], settings
    )

    assert isinstance(fits, Response)
    assert fits.text == "x" * 100
    assert isinstance(big, FetchError)
    assert big.reason == "response larger than 100 bytes"
    assert stats.bytes == 100  # the refused body was never read
    assert stats.retries == 0


def test_a_gzip_bomb_stops_at_the_cap(httpserver: HTTPServer) -> None:
    # 200 MB of zeros, sent as 200 KB of gzip.
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    zeros = bytes(1_000_000)
    bomb = b"".join(packer.compress(zeros) for _ in range(200)) + packer.flush()
    httpserver.expect_request("/bomb").respond_with_response(
        ServerResponse(bomb, headers={"Content-Type": "text/html", "Content-Encoding": "gzip"})
    )

    error, stats = fetch_error(httpserver.url_for("/bomb"), NO_ROBOTS)

    assert error.reason == "response larger than 5000000 bytes"
    # Reading stopped at the first chunk past the cap, long before the end of the body.
    assert stats.bytes < len(bomb) / 2
    assert without_bytes(stats) == FetchStats(requests=1, retries=0, failures=1)


def test_redirect_loop_is_too_many_redirects(httpserver: HTTPServer) -> None:
    # The loop crosses two hosts (127.0.0.1 and localhost), from both ends at once: hop by hop,
    # each request takes its own host's turn, so neither run waits on the other forever.
    ping = httpserver.url_for("/ping")
    pong = f"http://localhost:{httpserver.port}/pong"
    httpserver.expect_request("/ping").respond_with_data("", 302, {"Location": pong})
    httpserver.expect_request("/pong").respond_with_data("", 302, {"Location": ping})

    results, stats = fetch_all([ping, pong], NO_ROBOTS)

    for result, url in zip(results, [ping, pong], strict=True):
        assert type(result) is FetchError
        assert result.url == url
        assert result.reason == "too many redirects (more than 10)"
    assert len(paths(httpserver)) == 2 * 11
    assert stats.retries == 0


def test_stall_mid_body_is_read_timeout_after_retries() -> None:
    head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 1000\r\n\r\n"
    server = RawServer(head + b"x" * 100, stall=True)
    settings = FetchSettings(delay=0, backoff=0.01, retries=1, timeout=0.3, obey_robots=False)

    with server.running() as base:
        error, stats = fetch_error(f"{base}/talks", settings)

    assert type(error) is FetchError
    assert error.reason.startswith("ReadTimeout")
    assert server.requests == 2
    assert stats == FetchStats(requests=2, retries=1, failures=1, bytes=200)


def test_truncated_body_is_protocol_error_after_retries() -> None:
    head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 1000\r\n\r\n"
    server = RawServer(head + b"x" * 100)
    settings = FetchSettings(delay=0, backoff=0.01, retries=2, obey_robots=False)

    with server.running() as base:
        error, stats = fetch_error(f"{base}/talks", settings)

    assert type(error) is FetchError
    assert error.reason.startswith("RemoteProtocolError")
    assert server.requests == 3
    assert without_bytes(stats) == FetchStats(requests=3, retries=2, failures=1)


# --- concurrency ---------------------------------------------------------------------------------


def test_one_host_never_gets_two_requests_at_once(threaded_server: HTTPServer) -> None:
    # No delay, so only the host lock keeps the requests apart; the retry of /a must not let
    # /b in either.
    handler = Spans(pause=0.15, fail_first={"/a"})
    threaded_server.expect_request(re.compile(".*")).respond_with_handler(handler)
    settings = FetchSettings(delay=0, backoff=0.05, retries=1, timeout=5)

    results, stats = fetch_all(
        [threaded_server.url_for("/a"), threaded_server.url_for("/b")], settings
    )

    assert [r.text for r in results if isinstance(r, Response)] == ["/a", "/b"]
    assert sorted(span[0].split("/", 1)[1] for span in handler.spans) == [
        "a", "a", "b", "robots.txt",
    ]  # fmt: skip
    assert stats.retries == 1
    assert not handler.overlapping(), handler.spans


def test_different_hosts_are_fetched_in_parallel(threaded_server: HTTPServer) -> None:
    handler = Spans(pause=0.3)
    threaded_server.expect_request(re.compile(".*")).respond_with_handler(handler)
    port = threaded_server.port
    urls = [f"http://127.0.0.1:{port}/a", f"http://localhost:{port}/b"]

    results, _ = fetch_all(urls, replace(NO_ROBOTS, delay=0))

    assert all(isinstance(r, Response) for r in results)
    assert handler.overlapping(), handler.spans


def test_concurrency_limit_applies_across_hosts(threaded_server: HTTPServer) -> None:
    handler = Spans(pause=0.15)
    threaded_server.expect_request(re.compile(".*")).respond_with_handler(handler)
    port = threaded_server.port
    urls = [f"http://127.0.0.1:{port}/a", f"http://localhost:{port}/b"]

    results, _ = fetch_all(urls, replace(NO_ROBOTS, delay=0, concurrency=1))

    assert all(isinstance(r, Response) for r in results)
    assert len(handler.spans) == 2
    assert not handler.overlapping(), handler.spans


# --- failing hosts -------------------------------------------------------------------------------


def test_host_skipped_after_failures_in_a_row(closed_port: int, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/fine").respond_with_data("fine")
    settings = FetchSettings(delay=0, backoff=0.01, retries=1, obey_robots=False)
    down = [f"http://127.0.0.1:{closed_port}/{n}" for n in range(5)]

    results, stats = fetch_in_turn([*down, httpserver.url_for("/fine")], settings)

    for result in results[:3]:
        assert isinstance(result, FetchError)
        assert result.reason.startswith("ConnectError")
    for result, url in zip(results[3:5], down[3:], strict=True):
        assert isinstance(result, FetchError)
        assert result.url == url
        assert result.reason == "host skipped for the rest of the run after 3 failures in a row"
    # Three failed gets of two attempts each; the skipped ones sent nothing; other hosts go on.
    assert stats.requests == 3 * 2 + 1
    assert isinstance(results[5], Response)


def test_requests_waiting_for_a_host_are_skipped_once_it_fails(closed_port: int) -> None:
    settings = FetchSettings(delay=0, retries=0, obey_robots=False)

    results, stats = fetch_all([f"http://127.0.0.1:{closed_port}/{n}" for n in range(5)], settings)

    # All five wait for the host's lock; the two still waiting after the third failure send nothing.
    reasons = [r.reason.split(":")[0] for r in results if isinstance(r, FetchError)]
    skipped = "host skipped for the rest of the run after 3 failures in a row"
    assert reasons == ["ConnectError"] * 3 + [skipped] * 2
    assert stats.requests == 3


def test_success_resets_host_failures_and_4xx_does_not_count(httpserver: HTTPServer) -> None:
    statuses = [500, 500, 200, 500, 404, 500, 500]
    recorder = Recorder([reply("x", status) for status in statuses])
    httpserver.expect_request("/x").respond_with_handler(recorder)
    url = httpserver.url_for("/x")

    results, stats = fetch_in_turn([url] * 8, replace(NO_ROBOTS, retries=0))

    outcomes = [r.status for r in results[:7]]
    assert outcomes == statuses  # the success made the count start over, so all were sent
    last = results[7]
    assert isinstance(last, FetchError)
    # The 404 neither counted nor reset: 500, 404, 500, 500 is three in a row.
    assert last.reason == "host skipped for the rest of the run after 3 failures in a row"
    assert stats.requests == 7


def test_host_failures_zero_never_skips(closed_port: int) -> None:
    settings = FetchSettings(delay=0, retries=0, obey_robots=False, host_failures=0)

    results, stats = fetch_in_turn([f"http://127.0.0.1:{closed_port}/"] * 4, settings)

    assert all(isinstance(r, FetchError) and r.reason.startswith("ConnectError") for r in results)
    assert stats.requests == 4


# --- connections ---------------------------------------------------------------------------------


class _CountingServer(ThreadingHTTPServer):
    """A keep-alive HTTP/1.1 server that counts the connections it accepts."""

    def __init__(self, counts: Counter[int]) -> None:
        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                body = b"ok"
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        self.daemon_threads = True
        self._counts = counts

    def process_request(self, request: Any, client_address: Any) -> None:
        self._counts[self.server_address[1]] += 1
        super().process_request(request, client_address)


def test_each_host_keeps_its_connection_across_many_hosts() -> None:
    counts: Counter[int] = Counter()
    servers = [_CountingServer(counts) for _ in range(30)]
    for server in servers:
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    try:
        urls = [
            f"http://127.0.0.1:{server.server_address[1]}/page/{round_}"
            for round_ in range(3)
            for server in servers
        ]
        settings = replace(NO_ROBOTS, delay=0.0, concurrency=4)

        results, _ = fetch_all(urls, settings)
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()

    assert all(isinstance(r, Response) for r in results)
    # 30 hosts, more than one shared pool would keep alive: still one connection each, reused
    # for all three of its pages.
    assert sorted(counts.values()) == [1] * 30


# --- URLs a site controls ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1:99999/talks", "invalid URL: port 99999 is out of range"),
        ("http://127.0.0.1:0/talks", "invalid URL: port 0 is out of range"),
        ("http://xn--a/talks", "invalid URL: 'xn--a' is not a valid host name"),
        ("http://xn--a.example.edu/", "invalid URL: 'xn--a.example.edu' is not a valid host name"),
    ],
)
def test_a_malformed_url_is_fetch_error_without_request(url: str, reason: str) -> None:
    error, stats = fetch_error(url)
    assert type(error) is FetchError
    assert error.reason == reason
    assert without_bytes(stats) == FetchStats(requests=0, retries=0, failures=1)


@pytest.mark.parametrize(
    ("location", "reason"),
    [
        ("http://127.0.0.1:99999/talks", "invalid URL: port 99999 is out of range"),
        ("http://xn--a/talks", "invalid URL: 'xn--a' is not a valid host name"),
        ("http://[::1/talks", "Invalid port: ':1'"),
        ("mailto:seminar@example.edu", "not an http:// or https:// URL"),
    ],
)
def test_a_redirect_to_a_malformed_url_fails_that_page_only(location: str, reason: str) -> None:
    # Served by http.server: werkzeug refuses to send such a Location at all.
    with PlainServer("127.0.0.1", {"/old": (302, {"Location": location})}).running() as server:
        [moved, fine], stats = fetch_in_turn([server.url("/old"), server.url("/fine")], NO_ROBOTS)

    assert type(moved) is FetchError
    assert moved.status == 302
    assert moved.reason == f"HTTP 302 Found, redirecting to a malformed URL: {location!r}: {reason}"
    # Not retried, and not held against the host: the next page is fetched as usual.
    assert isinstance(fine, Response)
    assert server.paths == ["/old", "/fine"]
    assert stats.retries == 0


def test_robots_redirecting_to_a_malformed_url_is_no_robots_txt(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/robots.txt").respond_with_data(
        "", 301, {"Location": "http://xn--a/robots.txt"}
    )
    httpserver.expect_request("/talks").respond_with_data("talks")

    response, _ = fetch_ok(httpserver.url_for("/talks"))

    assert response.text == "talks"


# --- internal addresses --------------------------------------------------------------------------


def fetch_for(
    origin: str,
    urls: list[str],
    settings: FetchSettings = NO_ROBOTS,
    names: dict[str, str] | None = None,
) -> list[Response | FetchError]:
    """Fetch `urls` in turn as pages of a source at `origin`; host names in `names` resolve (for
    the check before sending) to the address given, the others as the system resolves them."""

    async def resolve(host: str) -> list[str]:
        if names and host in names:
            return [names[host]]
        found = await asyncio.get_running_loop().getaddrinfo(host, None)
        return [str(info[4][0]) for info in found]

    async def run() -> list[Response | FetchError]:
        results: list[Response | FetchError] = []
        async with Fetcher(settings, resolve=resolve) as fetcher:
            for url in urls:
                try:
                    results.append(await fetcher.get(url, origins=[origin]))
                except FetchError as exc:
                    results.append(exc)
        return results

    return asyncio.run(asyncio.wait_for(run(), timeout=30))


PUBLIC = "93.184.216.34"
"""An address on the internet (example.com's), never connected to: names resolved to it
stand for public sites, while their connections still reach 127.0.0.1."""


@pytest.mark.parametrize(
    ("target", "refusal"),
    [
        ("http://10.0.0.1/", "10.0.0.1 is a private-network address"),
        ("http://192.168.1.20:8080/admin", "192.168.1.20 is a private-network address"),
        ("http://[fd00::1]/", "fd00::1 is a private-network address"),
        ("http://[::ffff:10.0.0.1]/", "::ffff:10.0.0.1 is a private-network address"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a cloud metadata address"),
        ("http://[fd00:ec2::254]/", "fd00:ec2::254 is a cloud metadata address"),
        ("http://100.100.100.200/", "100.100.100.200 is a cloud metadata address"),
        ("http://169.254.10.1/", "169.254.10.1 is a link-local address"),
        ("http://192.0.2.1/", "192.0.2.1 is a reserved address"),
    ],
)
def test_a_loopback_source_is_refused_other_internal_addresses(
    httpserver: HTTPServer, target: str, refusal: str
) -> None:
    robots(httpserver)
    httpserver.expect_request("/moved").respond_with_data("", 302, {"Location": target})
    origin = f"http://127.0.0.1:{httpserver.port}/"

    [moved, linked] = fetch_for(origin, [f"{origin}moved", target], FAST)

    assert type(moved) is AddressRefusedError
    assert moved.reason == (
        f"redirected to {target}: {refusal}, and the source is not on one; refused"
    )
    # Refused before connecting: no answer came, and none was waited for.
    assert type(linked) is AddressRefusedError
    assert linked.reason == f"{refusal}, and the source is not on one; refused"
    assert outcome(moved) == outcome(linked) == "refused"
    assert paths(httpserver) == ["/robots.txt", "/moved"]


def test_a_loopback_source_reaches_loopback_by_any_name(httpserver: HTTPServer) -> None:
    with PlainServer("::1", {}).running() as server:
        v6 = server.url("/ok")
        named = f"http://localhost:{httpserver.port}/ok"
        robots(httpserver)
        httpserver.expect_request("/to-v6").respond_with_data("", 302, {"Location": v6})
        httpserver.expect_request("/to-name").respond_with_data("", 302, {"Location": named})
        httpserver.expect_request("/ok").respond_with_data("ok")
        origin = f"http://127.0.0.1:{httpserver.port}/"

        results = fetch_for(origin, [f"{origin}to-v6", f"{origin}to-name"], FAST)

    assert [r.url if isinstance(r, Response) else r for r in results] == [v6, named]
    assert server.paths == ["/robots.txt", "/ok"]


def test_a_public_source_is_refused_loopback_and_robots_stays_for_others(
    httpserver: HTTPServer,
) -> None:
    robots(httpserver)
    httpserver.expect_request("/talks").respond_with_data("talks")
    page = f"http://127.0.0.1:{httpserver.port}/talks"

    async def run() -> list[Response | FetchError]:
        async def resolve(host: str) -> list[str]:
            return [PUBLIC]

        results: list[Response | FetchError] = []
        async with Fetcher(FAST, resolve=resolve) as fetcher:
            for origin in ("https://talks.example.edu/", page):
                try:
                    results.append(await fetcher.get(page, origins=[origin]))
                except FetchError as exc:
                    results.append(exc)
        return results

    refused, fetched = asyncio.run(asyncio.wait_for(run(), timeout=30))

    assert type(refused) is AddressRefusedError
    assert refused.reason == (
        "127.0.0.1 is a loopback address, and the source is not on one; refused"
    )
    # The refusal was for that source: robots.txt was not taken as unreachable for the host.
    assert isinstance(fetched, Response)
    assert paths(httpserver) == ["/robots.txt", "/talks"]


def test_a_name_that_resolves_elsewhere_when_connecting_is_refused(
    httpserver: HTTPServer,
) -> None:
    # DNS rebinding: the name looks public when checked, and the connection reaches loopback.
    httpserver.expect_request("/talks").respond_with_data("secret")
    url = f"http://localhost:{httpserver.port}/talks"

    [refused] = fetch_for(url, [url], names={"localhost": PUBLIC})

    assert type(refused) is AddressRefusedError
    assert refused.reason == (
        "connected, then closed: 127.0.0.1 is a loopback address, and the source is not on "
        "one; refused"
    )
    assert paths(httpserver) == [], "closed before the request was written"


def test_a_connection_kept_for_one_source_is_not_lent_to_another() -> None:
    async def run(url: str, origins: list[str]) -> list[Response | FetchError]:
        async def resolve(host: str) -> list[str]:
            return [PUBLIC]

        results: list[Response | FetchError] = []
        async with Fetcher(NO_ROBOTS, resolve=resolve) as fetcher:
            for n, origin in enumerate(origins):
                try:
                    results.append(await fetcher.get(f"{url}{n}", origins=[origin]))
                except FetchError as exc:
                    results.append(exc)
        return results

    with PlainServer("127.0.0.1", {}).running() as server:
        # A source on loopback opens a connection to the name, kept alive by the server; a
        # public source asking the same name must connect anew, and be refused.
        url = f"http://localhost:{server.port}/page/"
        origins = [server.url("/"), "https://talks.example.edu/"]
        kept, refused = asyncio.run(asyncio.wait_for(run(url, origins), timeout=30))

    assert isinstance(kept, Response)
    assert type(refused) is AddressRefusedError
    assert refused.reason.startswith("connected, then closed: 127.0.0.1 is a loopback address")
    assert server.paths == ["/page/0"]


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("8.8.8.8", "public"),
        ("2606:4700:4700::1111", "public"),
        ("127.0.0.1", "loopback"),
        ("127.8.9.10", "loopback"),
        ("::1", "loopback"),
        ("0.0.0.0", "loopback"),
        ("::", "loopback"),
        ("::ffff:127.0.0.1", "loopback"),
        ("10.1.2.3", "private"),
        ("172.31.255.255", "private"),
        ("192.168.0.1", "private"),
        ("100.64.0.1", "private"),
        ("fd12:3456::1", "private"),
        ("169.254.1.1", "link-local"),
        ("fe80::1%eth0", "link-local"),
        ("169.254.169.254", "metadata"),
        ("::ffff:169.254.169.254", "metadata"),
        ("64:ff9b::a9fe:a9fe", "metadata"),
        ("fd00:ec2::254", "metadata"),
        ("100.100.100.200", "metadata"),
        ("192.0.2.7", "reserved"),
        ("224.0.0.1", "reserved"),
        ("240.0.0.1", "reserved"),
    ],
)
def test_address_kinds(address: str, kind: str) -> None:
    assert address_kind(address) == kind


# --- deadlines -----------------------------------------------------------------------------------


def fetch_with(
    settings: FetchSettings, urls: list[str], *, within: float | None = None, late: bool = False
) -> tuple[list[Response | FetchError], FetchStats]:
    """Fetch `urls` in turn, each within `within` seconds; with `late`, on a clock (the one
    budgets are read on) that stands 1000 s past the fetcher's opening by the first request."""
    now = [0.0]

    async def run() -> tuple[list[Response | FetchError], FetchStats]:
        results: list[Response | FetchError] = []
        async with Fetcher(settings, clock=(lambda: now[0]) if late else time.monotonic) as fetcher:
            now[0] += 1000.0
            for url in urls:
                try:
                    results.append(await fetcher.get(url, within=within))
                except FetchError as exc:
                    results.append(exc)
        return results, fetcher.stats

    # A bound on the test, so that a deadline that does not work fails it instead of hanging.
    return asyncio.run(asyncio.wait_for(run(), timeout=30))


def test_a_trickling_server_fails_the_request_at_its_deadline() -> None:
    trickle = Trickle()
    settings = replace(NO_ROBOTS, request_deadline=0.5, retries=2, timeout=5.0)

    with trickle.running() as base:
        [error], stats = fetch_with(settings, [f"{base}/talks"])

    assert type(error) is FetchError
    assert error.reason == "no complete answer within the request deadline of 0.5 s"
    assert isinstance(error.__cause__, TimeoutError)
    assert outcome(error) == "timeout"
    # A server that trickles once trickles again: not retried.
    assert trickle.paths == ["/talks"]
    assert without_bytes(stats) == FetchStats(requests=1, retries=0, failures=1)


def test_a_trickling_server_counts_as_a_failing_host() -> None:
    trickle = Trickle()
    settings = replace(NO_ROBOTS, request_deadline=0.3, host_failures=1)

    with trickle.running() as base:
        [first, second], _ = fetch_with(settings, [f"{base}/a", f"{base}/b"])

    assert isinstance(first, FetchError)
    assert isinstance(second, FetchError)
    assert second.reason == "host skipped for the rest of the run after 1 failures in a row"
    assert trickle.paths == ["/a"]


def test_a_request_is_cut_off_when_the_callers_time_is_up() -> None:
    trickle = Trickle()
    with trickle.running() as base:
        [error], stats = fetch_with(NO_ROBOTS, [f"{base}/talks"], within=0.3)

    assert isinstance(error, FetchError)
    assert error.reason == "time budget used up during the request"
    assert outcome(error) == "timeout"
    assert stats.failures == 1


def test_a_request_is_cut_off_at_the_run_deadline() -> None:
    trickle = Trickle()
    with trickle.running() as base:
        [error], _ = fetch_with(replace(FAST, run_deadline=0.3), [f"{base}/talks"])

    assert isinstance(error, FetchError)
    assert error.reason == "run deadline of 0.3 s used up during the request"
    assert trickle.paths == ["/robots.txt", "/talks"]


def test_nothing_is_asked_for_once_the_time_is_up(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/talks").respond_with_data("talks")
    url = httpserver.url_for("/talks")

    [late], _ = fetch_with(replace(NO_ROBOTS, run_deadline=300), [url], late=True)
    [spent], _ = fetch_with(NO_ROBOTS, [url], within=0.0)

    assert isinstance(late, FetchError)
    assert late.reason == "run deadline of 300 s used up before the request"
    assert isinstance(spent, FetchError)
    assert spent.reason == "time budget used up before the request"
    assert outcome(late) == outcome(spent) == "timeout"
    assert paths(httpserver) == []
