"""Polite HTTP fetching: identifying User-Agent, robots.txt, per-host delay, retries.

Every request a `Fetcher` sends, including robots.txt fetches, retries and each redirect hop,
passes through one gate (an httpx request hook): robots.txt is checked for the request's host
and the request waits for its turn under that host's delay. Doing this in the hook rather than
in `Fetcher.get` is what keeps redirects, which httpx follows by itself, polite too.
"""

from __future__ import annotations

import asyncio
import codecs
import email.utils
import logging
import random
import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import TracebackType
from typing import Final, Self

import httpx
from protego import Protego

from aggregator.errors import FetchError, RobotsDisallowedError

__all__ = [
    "DEFAULT_USER_AGENT",
    "FetchSettings",
    "FetchStats",
    "Fetcher",
    "Response",
    "decode_body",
]

log = logging.getLogger(__name__)

DEFAULT_USER_AGENT = "talkfeed/0.1 (+https://github.com/talkfeed/talkfeed)"


@dataclass(frozen=True)
class FetchSettings:
    """How talkfeed talks to web servers; every default lives here."""

    user_agent: str = DEFAULT_USER_AGENT
    delay: float = 1.0
    """Seconds between the starts of two requests to the same host."""
    timeout: float = 20.0
    """Seconds for connecting, and for each read."""
    retries: int = 3
    """Extra attempts after a connection error, a timeout, a 5xx or a 429."""
    backoff: float = 0.5
    """First retry wait in seconds; doubles on every attempt (plus jitter)."""
    max_retry_after: float = 60.0
    """Cap on a server's Retry-After; a longer wait fails the request instead."""
    obey_robots: bool = True


@dataclass(frozen=True)
class Response:
    """A successfully fetched (2xx) page."""

    url: str
    """Final URL, after redirects."""
    status: int
    text: str
    """The body, decoded."""
    content_type: str
    """Media type without parameters, lower case; "" if the server sent none."""
    fetched_at: datetime
    """When the response arrived (aware, UTC)."""
    body: bytes = b""
    """The body as received, for recording."""
    headers: tuple[tuple[str, str], ...] = ()
    """The response headers as received, for recording."""


@dataclass
class FetchStats:
    """Counts for the run report."""

    requests: int = 0
    """HTTP requests sent, including robots.txt fetches, retries and redirect hops."""
    retries: int = 0
    failures: int = 0
    """`Fetcher.get` calls that raised."""


_ACCEPT: Final = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"
_MAX_REDIRECTS: Final = 10
_DEFAULT_PORTS: Final = {"http": 80, "https": 443}
# Marks a robots.txt request; httpx copies extensions onto redirect hops, so hops keep it.
_ROBOTS_EXTENSION: Final = "talkfeed_robots"
# RFC 9309 2.5: crawlers must parse at least 500 KiB; anything beyond may be ignored.
_ROBOTS_MAX_BYTES: Final = 500 * 1024
_SNIFF_BYTES: Final = 2048
_RETRY_AFTER_STATUSES: Final = frozenset({429, 503})
# Dropped connections and timeouts are worth another try; a bad URL or protocol is not.
_RETRYABLE_ERRORS: Final = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)

_BOMS: Final = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_META_CHARSET: Final = re.compile(
    rb"""<meta\b[^>]*?charset\s*=\s*["']?\s*([a-z0-9._:-]+)""", re.IGNORECASE
)
# Browsers (WHATWG Encoding) read these labels as windows-1252, and so do the pages that use them:
# a page "in ISO-8859-1" with curly quotes has them at 0x91-0x94.
_WHATWG_CODECS: Final = {"iso8859-1": "cp1252", "ascii": "cp1252"}
_PRODUCT_TOKEN: Final = re.compile(r"[A-Za-z_-]+")


@dataclass
class _Host:
    """What the fetcher knows about one scheme+host+port."""

    delay: float
    gate: asyncio.Lock = field(default_factory=asyncio.Lock)
    last_start: float | None = None
    robots_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    robots_loaded: bool = False
    robots: Protego | None = None
    """Parsed rules; None means everything is allowed (or robots.txt is unreachable)."""
    robots_unreachable: str | None = None
    """Why robots.txt could not be read; set means everything is disallowed (RFC 9309 2.3.1.4)."""
    down: bool = False
    """robots.txt failed without any HTTP answer: the host itself is unreachable."""


class Fetcher:
    """Fetches pages politely; use as `async with Fetcher(settings) as fetcher:`.

    One fetcher owns one httpx client and remembers, per host, robots.txt and when the last
    request started, so share a single fetcher across a whole run.
    """

    def __init__(
        self, settings: FetchSettings, *, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self.settings = settings
        self.stats = FetchStats()
        self._transport = transport
        self._client: httpx.AsyncClient | None = None
        self._hosts: dict[str, _Host] = {}
        match = _PRODUCT_TOKEN.match(settings.user_agent.strip())
        self._robots_token = match.group() if match else "*"

    async def __aenter__(self) -> Self:
        if self._client is not None:
            raise RuntimeError("Fetcher is already open")
        self._client = httpx.AsyncClient(
            headers={"User-Agent": self.settings.user_agent, "Accept": _ACCEPT},
            timeout=httpx.Timeout(self.settings.timeout),
            follow_redirects=True,
            max_redirects=_MAX_REDIRECTS,
            transport=self._transport,
            event_hooks={"request": [self._before_send]},
        )
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def get(self, url: str) -> Response:
        """Fetch `url`, following redirects; only a 2xx response is returned.

        Raises `RobotsDisallowedError` if robots.txt forbids the URL (or a redirect target, or
        cannot be read), and `FetchError` for an error status or a network failure after retries.
        """
        try:
            return await self._get(url)
        except Exception:
            self.stats.failures += 1
            raise

    async def _get(self, url: str) -> Response:
        _check_url(url)
        try:
            resp = await self._send(url, robots=False)
        except RobotsDisallowedError as exc:
            if exc.url != url:
                raise RobotsDisallowedError(url, f"redirected to {exc.url}: {exc.reason}") from exc
            raise
        if not resp.is_success:
            raise FetchError(url, _status_reason(resp), status=resp.status_code)
        return Response(
            url=str(resp.url),
            status=resp.status_code,
            text=decode_body(resp.content, resp.charset_encoding),
            content_type=resp.headers.get("content-type", "").split(";")[0].strip().lower(),
            fetched_at=datetime.now(UTC),
            body=resp.content,
            headers=tuple(resp.headers.items()),
        )

    async def _send(self, url: str, *, robots: bool) -> httpx.Response:
        """GET with retries; returns the final response whatever its status."""
        if self._client is None:
            raise RuntimeError("Fetcher used outside `async with`")
        settings = self.settings
        extensions = {_ROBOTS_EXTENSION: True} if robots else None
        attempt = 0
        while True:
            try:
                resp = await self._client.get(url, extensions=extensions)
            except _RETRYABLE_ERRORS as exc:
                if attempt >= settings.retries:
                    raise FetchError(url, _describe(exc)) from exc
                wait = self._backoff(attempt)
                problem = _describe(exc)
            except httpx.HTTPError as exc:
                raise FetchError(url, _describe(exc)) from exc
            else:
                status = resp.status_code
                if not (status == 429 or status >= 500) or attempt >= settings.retries:
                    return resp
                retry_after = None
                if status in _RETRY_AFTER_STATUSES:
                    retry_after = _parse_retry_after(resp.headers.get("retry-after"))
                if retry_after is not None and retry_after > settings.max_retry_after:
                    raise FetchError(
                        url,
                        f"{_status_reason(resp)}, Retry-After of {retry_after:g} s exceeds "
                        f"the {settings.max_retry_after:g} s limit",
                        status=status,
                    )
                wait = self._backoff(attempt) if retry_after is None else retry_after
                problem = _status_reason(resp)
            attempt += 1
            self.stats.retries += 1
            log.debug("%s: %s; retry %d in %.2f s", url, problem, attempt, wait)
            await asyncio.sleep(wait)

    def _backoff(self, attempt: int) -> float:
        # Jitter keeps fetchers that failed together from retrying in lockstep.
        return self.settings.backoff * 2.0**attempt * (1 + random.uniform(0, 0.25))

    async def _before_send(self, request: httpx.Request) -> None:
        """The request hook: robots.txt and per-host delay for every request actually sent."""
        host = self._host(request.url)
        if self.settings.obey_robots and not request.extensions.get(_ROBOTS_EXTENSION):
            await self._check_robots(request.url, host)
        await self._wait_turn(host)
        self.stats.requests += 1

    def _host(self, url: httpx.URL) -> _Host:
        key = f"{url.scheme}://{url.host}:{url.port or _DEFAULT_PORTS.get(url.scheme, 0)}"
        host = self._hosts.get(key)
        if host is None:
            host = self._hosts[key] = _Host(delay=self.settings.delay)
        return host

    async def _wait_turn(self, host: _Host) -> None:
        # The lock is held only while waiting, so starts are spaced but requests may overlap;
        # asyncio.Lock is FIFO, so waiters go in arrival order.
        async with host.gate:
            if host.last_start is not None:
                # Loop because host.delay can grow (Crawl-delay) while we sleep.
                while (wait := host.last_start + host.delay - time.monotonic()) > 0:
                    await asyncio.sleep(wait)
            host.last_start = time.monotonic()

    async def _check_robots(self, url: httpx.URL, host: _Host) -> None:
        # The lock makes concurrent first requests to a host share one robots.txt fetch.
        async with host.robots_lock:
            if not host.robots_loaded:
                await self._load_robots(url, host)
        if host.down:
            # Not a robots.txt verdict: the host did not answer at all, so say that.
            raise FetchError(str(url), f"{host.robots_unreachable} (host unreachable)")
        if host.robots_unreachable is not None:
            raise RobotsDisallowedError(
                str(url), f"robots.txt unreachable ({host.robots_unreachable}), so disallowed"
            )
        if host.robots is not None and not host.robots.can_fetch(str(url), self._robots_token):
            raise RobotsDisallowedError(str(url))

    async def _load_robots(self, url: httpx.URL, host: _Host) -> None:
        robots_url = str(
            httpx.URL(scheme=url.scheme, host=url.host, port=url.port, path="/robots.txt")
        )
        try:
            resp = await self._send(robots_url, robots=True)
        except FetchError as exc:
            host.robots_unreachable = exc.reason
            host.down = exc.status is None
        else:
            status = resp.status_code
            if resp.is_success:
                body = resp.content[:_ROBOTS_MAX_BYTES]
                host.robots = Protego.parse(decode_body(body, resp.charset_encoding))
                crawl_delay = host.robots.crawl_delay(self._robots_token)
                if crawl_delay is not None and crawl_delay > host.delay:
                    host.delay = float(crawl_delay)
            elif status == 429 or status >= 500:
                # RFC 9309 reads 429 as "unavailable" (allow all), but it means the server is
                # asking us to back off, so like Google we treat it as unreachable.
                host.robots_unreachable = _status_reason(resp)
            # Any other status (4xx, or a 3xx without Location): no robots.txt, allow all.
        host.robots_loaded = True


def decode_body(body: bytes, charset: str | None = None) -> str:
    """Decode an HTML or text body.

    Order: a byte-order mark (it cannot be wrong, so browsers let it beat the header); the
    `charset` from the Content-Type header; a `<meta charset>` or `<meta http-equiv>` in the first
    2 KB; else UTF-8, or windows-1252 if the body is not valid UTF-8. Undecodable bytes in a
    declared charset become U+FFFD rather than failing the page.
    """
    for bom, bom_codec in _BOMS:
        if body.startswith(bom):
            return body[len(bom) :].decode(bom_codec, errors="replace")
    codec = _codec(charset)
    if codec is None:
        match = _META_CHARSET.search(body[:_SNIFF_BYTES])
        if match:
            codec = _codec(match.group(1).decode("ascii"))
            # A document that a meta tag could be read from is not UTF-16 (WHATWG does the same).
            if codec is not None and codec.startswith("utf-16"):
                codec = "utf-8"
    if codec is not None:
        return body.decode(codec, errors="replace")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode("cp1252", errors="replace")


def _codec(label: str | None) -> str | None:
    """Python's codec for a charset label, or None if there is no such text encoding."""
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip().strip("\"'")).name
        b"".decode(name)  # rejects bytes-to-bytes codecs such as "base64"
    except LookupError:
        return None
    return _WHATWG_CODECS.get(name, name)


def _parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date); None if invalid."""
    if value is None:
        return None
    value = value.strip()
    if re.fullmatch(r"\d+", value):
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:  # "-0000" parses as naive; HTTP dates are GMT anyway
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _check_url(url: str) -> None:
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as exc:
        raise FetchError(url, f"invalid URL: {exc}") from exc
    if parsed.scheme not in _DEFAULT_PORTS or not parsed.host:
        raise FetchError(url, "not an http:// or https:// URL")


def _status_reason(resp: httpx.Response) -> str:
    phrase = httpx.codes.get_reason_phrase(resp.status_code) or resp.reason_phrase
    return f"HTTP {resp.status_code} {phrase}".rstrip()


def _describe(exc: Exception) -> str:
    """Exception class and message on one line, for a FetchError reason."""
    message = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__
