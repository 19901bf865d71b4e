"""Fetcher against a real HTTP server on loopback (pytest-httpserver), no mocked transports.

pytest-httpserver answers 500 to unregistered paths, and a 500 robots.txt means "disallow all",
so tests that fetch pages with robots on register /robots.txt first.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

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
    assert stats == FetchStats(requests=2, retries=0, failures=0)


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
    assert stats == FetchStats(requests=0, retries=0, failures=1)


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
    assert stats == FetchStats(requests=3, retries=2, failures=0)


def test_5xx_gives_up_after_retries(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/down").respond_with_data("down", status=503)

    error, stats = fetch_error(httpserver.url_for("/down"), NO_ROBOTS)

    assert error.status == 503
    assert error.reason == "HTTP 503 Service Unavailable"
    assert paths(httpserver) == ["/down"] * (1 + NO_ROBOTS.retries)
    assert stats == FetchStats(requests=3, retries=2, failures=1)


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
    assert stats == FetchStats(requests=1, retries=0, failures=1)


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
    assert stats == FetchStats(requests=2, retries=0, failures=1)


def test_connection_refused_is_fetch_error(closed_port: int) -> None:
    settings = FetchSettings(delay=0.01, backoff=0.01, retries=1, obey_robots=False)

    error, stats = fetch_error(f"http://127.0.0.1:{closed_port}/talks", settings)

    assert type(error) is FetchError
    assert error.status is None
    assert error.reason.startswith("ConnectError")
    assert "\n" not in error.reason
    assert stats == FetchStats(requests=2, retries=1, failures=1)


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
    assert stats == FetchStats(requests=2, retries=1, failures=1)
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
