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
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request
from werkzeug import Response as ServerResponse

from aggregator.errors import FetchError, RobotsDisallowedError
from aggregator.fetch import (
    DEFAULT_USER_AGENT,
    Fetcher,
    FetchSettings,
    FetchStats,
    Response,
    Validators,
    _parse_retry_after,
)

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
                    results.append(await fetcher.get(url))
                except FetchError as exc:
                    results.append(exc)
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


@dataclass
class RawServer:
    """An HTTP server on a bare socket: to every request it sends `answer`, then closes the
    connection, or with `stall` keeps it open and silent until the server stops."""

    answer: bytes
    stall: bool = False
    requests: int = 0
    _done: threading.Event = field(default_factory=threading.Event)

    @contextmanager
    def running(self) -> Iterator[str]:
        """Serve in background threads; yields the base URL, and stops everything on exit."""
        listener = socket.create_server(("127.0.0.1", 0))
        listener.settimeout(0.05)
        handlers: list[threading.Thread] = []

        def accept() -> None:
            while not self._done.is_set():
                try:
                    conn, _ = listener.accept()
                except TimeoutError:
                    continue
                handler = threading.Thread(target=self._handle, args=(conn,))
                handlers.append(handler)
                handler.start()

        acceptor = threading.Thread(target=accept)
        acceptor.start()
        try:
            yield f"http://127.0.0.1:{listener.getsockname()[1]}"
        finally:
            self._done.set()
            acceptor.join(5)
            for handler in handlers:
                handler.join(5)
            listener.close()

    def _handle(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(5)
            head = b""
            try:
                while b"\r\n\r\n" not in head:
                    chunk = conn.recv(4096)
                    if not chunk:
                        return
                    head += chunk
                self.requests += 1
                conn.sendall(self.answer)
            except OSError:
                return
            if self.stall:
                self._done.wait(10)


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

    def robots(self, url: str) -> tuple[str | None, str | None, str] | None:
        return self.stored.get(url)

    def keep_robots(
        self, url: str, etag: str | None, last_modified: str | None, text: str | None
    ) -> None:
        if text is None:
            self.stored.pop(url, None)
        else:
            self.stored[url] = (etag, last_modified, text)


def _run_with_robots_cache(
    urls: list[str], cache: MemoryRobots
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
    # The full answer's validators replace the old ones, a missing Last-Modified included.
    assert validators.stored == {url: ('"v2"', None)}


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
