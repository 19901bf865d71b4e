"""Polite HTTP fetching: identifying User-Agent, robots.txt, per-host delay, retries, limits and
conditional requests.

A `Fetcher.get` follows redirects itself, one *exchange* per hop, so that every hop is treated
like the first. An exchange with a host:

1. fails at once if the host has been skipped after failing `host_failures` times in a row;
2. checks the URL against the host's robots.txt (fetched once per run, in exchanges of its own);
3. holds the host's lock until it ends, retries included, so requests to one host never overlap;
4. before each attempt waits out the host's delay since its previous attempt ended, then takes
   one of the `concurrency` slots shared by all hosts for the request and its body.

Locks are only ever taken in the order robots.txt lock, host lock, slot, and a host lock is never
held while waiting for another host's, which rules out deadlocks.
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
from typing import Final, Protocol, Self

import httpx
from protego import Protego

from aggregator.errors import FetchError, RobotsDisallowedError

__all__ = [
    "DEFAULT_USER_AGENT",
    "FetchSettings",
    "FetchStats",
    "Fetcher",
    "Response",
    "Validators",
    "decode_body",
]

log = logging.getLogger(__name__)

DEFAULT_USER_AGENT = "talkfeed/0.1 (+https://github.com/talkfeed/talkfeed)"


@dataclass(frozen=True)
class FetchSettings:
    """How talkfeed talks to web servers; every default lives here."""

    user_agent: str = DEFAULT_USER_AGENT
    delay: float = 1.0
    """Seconds from the end of one request to a host to the start of the next: a slow server
    gets its pause too, instead of a request the moment it answers."""
    timeout: float = 20.0
    """Seconds for connecting, and for each read."""
    retries: int = 3
    """Extra attempts after a connection error, a timeout, a 5xx or a 429."""
    backoff: float = 0.5
    """First retry wait in seconds; doubles on every attempt (plus jitter)."""
    max_retry_after: float = 60.0
    """Cap on a server's Retry-After; a longer wait fails the request instead."""
    obey_robots: bool = True
    site_budget: float = 600.0
    """Seconds one site's crawl may take; past it, the pages not read yet are left for next time."""
    max_bytes: int = 5_000_000
    """Largest body accepted (after decompression); reading stops and the request fails past it."""
    concurrency: int = 8
    """Requests in flight at once over all hosts; one host never has more than one."""
    host_failures: int = 3
    """Failed requests in a row (each after its retries) that get a host skipped for the rest of
    the run; 0 never skips."""


class Validators(Protocol):
    """Where a fetcher keeps each URL's ETag and Last-Modified, usually from one run to the next."""

    def get(self, url: str) -> tuple[str | None, str | None] | None:
        """The (ETag, Last-Modified) remembered for `url`, or None."""

    def put(self, url: str, etag: str | None, last_modified: str | None) -> None:
        """Remember the validators of `url`'s latest answer (None for one it did not have)."""


class RobotsCache(Protocol):
    """Where a fetcher keeps each host's robots.txt and its validators between runs, so that an
    unchanged one is asked for conditionally and costs no body."""

    def robots(self, url: str) -> tuple[str | None, str | None, str] | None:
        """The (ETag, Last-Modified, text) of the robots.txt at `url` remembered, or None."""

    def keep_robots(
        self, url: str, etag: str | None, last_modified: str | None, text: str | None
    ) -> None:
        """Remember a robots.txt with its validators; None forgets it (there is none now)."""


@dataclass(frozen=True)
class Response:
    """A fetched page: a 2xx response, or a 304 to a conditional request."""

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
    not_modified: bool = False
    """A 304: the page has not changed since the validators were stored; text and body are empty."""


@dataclass
class FetchStats:
    """Counts for the run report."""

    requests: int = 0
    """HTTP requests sent, including robots.txt fetches, retries and redirect hops."""
    retries: int = 0
    failures: int = 0
    """`Fetcher.get` calls that raised."""
    revalidated: int = 0
    """`Fetcher.get` calls answered 304 Not Modified."""
    bytes: int = 0
    """Body bytes received, as sent over the wire (compressed or not), for every request."""


_ACCEPT: Final = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"
_MAX_REDIRECTS: Final = 10
_DEFAULT_PORTS: Final = {"http": 80, "https": 443}
# RFC 9309 2.5: crawlers must parse at least 500 KiB; anything beyond may be ignored.
_ROBOTS_MAX_BYTES: Final = 500 * 1024
_SNIFF_BYTES: Final = 2048
_RETRY_AFTER_STATUSES: Final = frozenset({429, 503})
# Dropped connections, timeouts and cut-off bodies are worth another try; a bad URL is not.
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
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    """Held for a whole exchange, so that requests to the host never overlap."""
    last_end: float | None = None
    failures: int = 0
    """Exchanges in a row that ended in a connection error, a timeout, a 5xx or a 429."""
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

    One fetcher owns one httpx client and remembers, per host, robots.txt, when the last request
    ended and how often it failed, so share a single fetcher across a whole run. With
    `validators`, pages fetched before are asked for conditionally (If-None-Match,
    If-Modified-Since) and may come back `not_modified`; with `robots_cache`, robots.txt too.
    """

    def __init__(
        self,
        settings: FetchSettings,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        validators: Validators | None = None,
        robots_cache: RobotsCache | None = None,
    ) -> None:
        if settings.concurrency < 1:
            raise ValueError("FetchSettings.concurrency must be at least 1")
        self.settings = settings
        self.stats = FetchStats()
        self._transport = transport
        self._validators = validators
        self._robots_cache = robots_cache
        self._client: httpx.AsyncClient | None = None
        self._hosts: dict[str, _Host] = {}
        self._slots = asyncio.Semaphore(settings.concurrency)
        match = _PRODUCT_TOKEN.match(settings.user_agent.strip())
        self._robots_token = match.group() if match else "*"

    async def __aenter__(self) -> Self:
        if self._client is not None:
            raise RuntimeError("Fetcher is already open")
        self._client = httpx.AsyncClient(
            headers={"User-Agent": self.settings.user_agent, "Accept": _ACCEPT},
            timeout=httpx.Timeout(self.settings.timeout),
            # Followed in `_follow`, so that each hop gets robots.txt, the host lock and retries.
            follow_redirects=False,
            transport=self._transport or _PerHostTransport(),
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

    async def get(self, url: str, conditional: bool = True) -> Response:
        """Fetch `url`, following redirects; only a 2xx response, or a 304 one, is returned.

        A 304 comes back only for a conditional request: with validators remembered for `url`,
        unless `conditional` is false. Raises `RobotsDisallowedError` if robots.txt forbids the URL
        (or a redirect target, or cannot be read), and `FetchError` for an error status, a network
        failure after retries, a body over `max_bytes`, too many redirects, or a skipped host.
        """
        try:
            return await self._get(url, conditional)
        except Exception:
            self.stats.failures += 1
            raise

    async def _get(self, url: str, conditional: bool) -> Response:
        _check_url(url)
        validators = self._validators
        stored = validators.get(url) if validators is not None and conditional else None
        etag, last_modified = stored or (None, None)
        conditions = _conditions(etag, last_modified)
        # httpx copies these headers onto redirect hops, so they reach the final URL too.
        request = self._http().build_request("GET", url, headers=conditions)
        resp, body = await self._follow(url, request, robots=False)
        if resp.status_code == 304 and conditions:
            self.stats.revalidated += 1
            # RFC 9111 4.3.4: validators sent with a 304 replace the stored ones.
            new_etag = resp.headers.get("etag", etag)
            new_last_modified = resp.headers.get("last-modified", last_modified)
            if validators is not None and (new_etag, new_last_modified) != (etag, last_modified):
                validators.put(url, new_etag, new_last_modified)
            return _response(resp, b"", not_modified=True)
        if not resp.is_success:
            raise FetchError(url, _status_reason(resp), status=resp.status_code)
        if validators is not None:
            validators.put(url, resp.headers.get("etag"), resp.headers.get("last-modified"))
        return _response(resp, body)

    async def _follow(
        self, url: str, request: httpx.Request, *, robots: bool
    ) -> tuple[httpx.Response, bytes]:
        """Send `request` for `url`, following redirects; the final response and its body.

        Errors name `url`, with the hop they happened at in the reason.
        """
        redirects = 0
        while True:
            try:
                # The first hop is named as the caller spelled it; httpx may normalize the URL.
                hop = url if redirects == 0 else str(request.url)
                resp, body = await self._exchange(request, hop, robots=robots)
            except FetchError as exc:
                if redirects == 0:
                    raise
                # Chained to what went wrong on the network, like an error at the first hop.
                raise _redirected(url, exc) from exc.__cause__
            if resp.next_request is None:
                return resp, body
            if redirects == _MAX_REDIRECTS:
                if robots:
                    # RFC 9309 2.3.1.2: after too many redirects, robots.txt is unavailable.
                    return resp, body
                raise FetchError(url, f"too many redirects (more than {_MAX_REDIRECTS})")
            redirects += 1
            request = resp.next_request

    async def _exchange(
        self, request: httpx.Request, url: str, *, robots: bool
    ) -> tuple[httpx.Response, bytes]:
        """One hop: `request` and its retries under the host's lock; the last response and body.

        Returns any response that is not worth a retry, or the last one once retries run out.
        """
        settings = self.settings
        host = self._host(request.url)
        if not robots:
            self._check_skipped(host, url)
            if settings.obey_robots:
                await self._check_robots(request.url, host, url)
        async with host.lock:
            if not robots:
                # The host may have failed for good while this request waited for the lock.
                self._check_skipped(host, url)
            attempt = 0
            while True:
                try:
                    resp, body = await self._attempt(request, host, url, robots=robots)
                except _RETRYABLE_ERRORS as exc:
                    if attempt >= settings.retries:
                        self._host_failed(host, url)
                        raise FetchError(url, _describe(exc)) from exc
                    wait = self._backoff(attempt)
                    problem = _describe(exc)
                except httpx.HTTPError as exc:
                    raise FetchError(url, _describe(exc)) from exc
                else:
                    status = resp.status_code
                    if not (status == 429 or status >= 500):
                        if status < 400:
                            host.failures = 0
                        # A 4xx is about the page, not the host: it neither counts nor resets.
                        return resp, body
                    if attempt >= settings.retries:
                        self._host_failed(host, url)
                        return resp, body
                    retry_after = None
                    if status in _RETRY_AFTER_STATUSES:
                        retry_after = _parse_retry_after(resp.headers.get("retry-after"))
                    if retry_after is not None and retry_after > settings.max_retry_after:
                        self._host_failed(host, url)
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
                # Still holding the host's lock: a host that asked us to wait gets no other request.
                await asyncio.sleep(wait)

    async def _attempt(
        self, request: httpx.Request, host: _Host, url: str, *, robots: bool
    ) -> tuple[httpx.Response, bytes]:
        """Send once, after the host's delay and in one of the shared slots; read the body."""
        client = self._http()
        if host.last_end is not None:
            wait = host.last_end + host.delay - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
        async with self._slots:
            self.stats.requests += 1
            try:
                resp = await client.send(request, stream=True)
                try:
                    body = await self._read(resp, url, robots=robots)
                finally:
                    await resp.aclose()
                    self.stats.bytes += resp.num_bytes_downloaded
            finally:
                host.last_end = time.monotonic()
        return resp, body

    async def _read(self, resp: httpx.Response, url: str, *, robots: bool) -> bytes:
        """The body, up to `max_bytes` (beyond it: FetchError); robots.txt is cut at 500 KiB."""
        limit = _ROBOTS_MAX_BYTES if robots else self.settings.max_bytes
        too_large = f"response larger than {limit} bytes"
        declared = resp.headers.get("content-length", "")
        if not robots and declared.isdigit() and int(declared) > limit:
            raise FetchError(url, too_large)
        chunks = []
        size = 0
        async for chunk in resp.aiter_bytes():
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:
                if robots:
                    break
                raise FetchError(url, too_large)
        return b"".join(chunks)[:limit]

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            raise RuntimeError("Fetcher used outside `async with`")
        return self._client

    def _backoff(self, attempt: int) -> float:
        # Jitter keeps fetchers that failed together from retrying in lockstep.
        return self.settings.backoff * 2.0**attempt * (1 + random.uniform(0, 0.25))

    def _host(self, url: httpx.URL) -> _Host:
        key = f"{url.scheme}://{url.host}:{url.port or _DEFAULT_PORTS.get(url.scheme, 0)}"
        host = self._hosts.get(key)
        if host is None:
            host = self._hosts[key] = _Host(delay=self.settings.delay)
        return host

    def _check_skipped(self, host: _Host, url: str) -> None:
        limit = self.settings.host_failures
        if limit and host.failures >= limit:
            raise FetchError(
                url, f"host skipped for the rest of the run after {limit} failures in a row"
            )

    def _host_failed(self, host: _Host, url: str) -> None:
        host.failures += 1
        if host.failures == self.settings.host_failures:
            log.warning("%s: host failed %d times in a row, skipping it", url, host.failures)

    async def _check_robots(self, url: httpx.URL, host: _Host, name: str) -> None:
        """Raise unless robots.txt allows `url` (`name` is how errors spell it)."""
        # The lock makes concurrent first requests to a host share one robots.txt fetch.
        async with host.robots_lock:
            if not host.robots_loaded:
                await self._load_robots(url, host)
        if host.down:
            # Not a robots.txt verdict: the host did not answer at all, so say that.
            raise FetchError(name, f"{host.robots_unreachable} (host unreachable)")
        if host.robots_unreachable is not None:
            raise RobotsDisallowedError(
                name, f"robots.txt unreachable ({host.robots_unreachable}), so disallowed"
            )
        if host.robots is not None and not host.robots.can_fetch(str(url), self._robots_token):
            raise RobotsDisallowedError(name)

    async def _load_robots(self, url: httpx.URL, host: _Host) -> None:
        robots_url = str(
            httpx.URL(scheme=url.scheme, host=url.host, port=url.port, path="/robots.txt")
        )
        cache = self._robots_cache
        cached = cache.robots(robots_url) if cache is not None else None
        conditions = _conditions(cached[0], cached[1]) if cached is not None else {}
        request = self._http().build_request("GET", robots_url, headers=conditions)
        try:
            resp, body = await self._follow(robots_url, request, robots=True)
        except FetchError as exc:
            host.robots_unreachable = exc.reason
            host.down = exc.status is None
        else:
            status = resp.status_code
            text = None
            if status == 304 and cached is not None and conditions:
                self.stats.revalidated += 1
                text = cached[2]
            elif resp.is_success:
                text = decode_body(body, resp.charset_encoding)
                if cache is not None:
                    etag, modified = resp.headers.get("etag"), resp.headers.get("last-modified")
                    cache.keep_robots(
                        robots_url, etag, modified, text if etag or modified else None
                    )
            elif cache is not None and cached is not None and status < 500 and status != 429:
                # Gone for good (a 4xx): nothing to ask about conditionally next time.
                cache.keep_robots(robots_url, None, None, None)
            if text is not None:
                host.robots = Protego.parse(text)
                crawl_delay = host.robots.crawl_delay(self._robots_token)
                if crawl_delay is not None and crawl_delay > host.delay:
                    host.delay = float(crawl_delay)
            elif status == 429 or status >= 500:
                # RFC 9309 reads 429 as "unavailable" (allow all), but it means the server is
                # asking us to back off, so like Google we treat it as unreachable.
                host.robots_unreachable = _status_reason(resp)
            # Any other status (4xx, or a 3xx without Location or past the redirect limit): no
            # robots.txt, allow all.
        host.robots_loaded = True


def _conditions(etag: str | None, last_modified: str | None) -> dict[str, str]:
    """The headers of a conditional request with the validators remembered."""
    conditions = {}
    if etag:
        conditions["If-None-Match"] = etag
    if last_modified:
        conditions["If-Modified-Since"] = last_modified
    return conditions


class _PerHostTransport(httpx.AsyncBaseTransport):
    """A connection pool per host, each keeping its one connection alive between requests.

    One pool for all hosts closes idle connections once more than its keep-alive limit are
    open at all (httpcore 1.0 counts the busy ones too), so a crawl of many hosts would open
    a new connection, TLS handshake included, for most requests; a larger limit makes that
    pool's bookkeeping grow with every host (bench/RESULTS.md, "Crawl farm").
    """

    def __init__(self) -> None:
        # Shared: loading the CA bundle for each host's pool costs more than the pool saves.
        self._ssl = httpx.create_ssl_context()
        self._pools: dict[tuple[str, str, int | None], httpx.AsyncHTTPTransport] = {}

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send `request` through its host's pool."""
        url = request.url
        key = (url.scheme, url.host, url.port)
        pool = self._pools.get(key)
        if pool is None:
            # The host lock keeps a host to one request at a time: one connection suffices.
            limits = httpx.Limits(max_connections=None, max_keepalive_connections=1)
            pool = self._pools[key] = httpx.AsyncHTTPTransport(verify=self._ssl, limits=limits)
        return await pool.handle_async_request(request)

    async def aclose(self) -> None:
        """Close every host's pool."""
        for pool in self._pools.values():
            await pool.aclose()


def _response(resp: httpx.Response, body: bytes, *, not_modified: bool = False) -> Response:
    return Response(
        url=str(resp.url),
        status=resp.status_code,
        text=decode_body(body, resp.charset_encoding),
        content_type=resp.headers.get("content-type", "").split(";")[0].strip().lower(),
        fetched_at=datetime.now(UTC),
        body=body,
        headers=tuple(resp.headers.items()),
        not_modified=not_modified,
    )


def _redirected(url: str, exc: FetchError) -> FetchError:
    """`exc`, raised at a redirect hop, restated for the URL the caller asked for."""
    reason = f"redirected to {exc.url}: {exc.reason}"
    if isinstance(exc, RobotsDisallowedError):
        return RobotsDisallowedError(url, reason)
    return FetchError(url, reason, status=exc.status)


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
