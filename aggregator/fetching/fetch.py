"""Polite HTTP fetching: identifying User-Agent, robots.txt, per-host delay, retries, limits and
conditional requests.

A `Fetcher.get` follows redirects itself, one *exchange* per hop, so that every hop is treated
like the first. An exchange with a host:

1. fails at once if its URL is malformed (a port out of range, a host name that cannot be) or
   the host has been skipped after failing `host_failures` times in a row;
2. checks the URL against the host's robots.txt (fetched once per run, in exchanges of its own;
   one that was not there is asked for again only once `ROBOTS_ABSENT_FOR` has passed);
3. holds the host's lock until it ends, retries included, so requests to one host never overlap;
4. before each attempt waits out the host's delay since its previous attempt ended, then takes
   one of the `concurrency` slots shared by all hosts for the request and its body, which must
   be complete within `request_deadline`.

Locks are only ever taken in the order robots.txt lock, host lock, slot, and a host lock is never
held while waiting for another host's, which rules out deadlocks.

Time is bounded three ways: each attempt by `request_deadline`, each `get` by what its caller has
left (a site's budget), and everything by `run_deadline`, counted from the fetcher's opening.

Addresses: a page may reach an internal address (loopback, private, link-local, cloud metadata,
reserved) only if its source's own URL is on one of the same kind, so that a public site cannot
redirect or link talkfeed into the network it runs in. The check is made twice with the fetcher's
own transport: on the addresses the host name resolves to before anything is sent (nothing is
connected to when they are refused), and on the address the connection actually reached, before
the request is written (which a DNS answer that changed in between, as in DNS rebinding, cannot
get past). An injected transport (a replay, the demo) decides itself where requests go, unchecked.
"""

from __future__ import annotations

import asyncio
import codecs
import email.utils
import ipaddress
import logging
import random
import re
import socket
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Any, Final, Literal, Protocol, Self

import httpx
from protego import Protego

from aggregator.errors import AddressRefusedError, FetchError, RobotsDisallowedError

__all__ = [
    "DEFAULT_USER_AGENT",
    "ROBOTS_ABSENT_FOR",
    "WHILE_YOU_WAIT",
    "FetchSettings",
    "FetchStats",
    "Fetcher",
    "Response",
    "Validators",
    "address_kind",
    "decode_body",
    "outcome",
]

log = logging.getLogger(__name__)

DEFAULT_USER_AGENT = "talkfeed/0.1 (+https://github.com/talkfeed/talkfeed)"

ROBOTS_ABSENT_FOR = timedelta(days=1)
"""How long a robots.txt that answered 4xx (none: everything allowed) is taken to stay absent
before it is asked for again; RFC 9309 2.4 lets a crawler keep what it read that long."""


@dataclass(frozen=True)
class FetchSettings:
    """How talkfeed talks to web servers; every default lives here."""

    user_agent: str = DEFAULT_USER_AGENT
    delay: float = 1.0
    """Seconds from the end of one request to a host to the start of the next: a slow server
    gets its pause too, instead of a request the moment it answers."""
    timeout: float = 20.0
    """Seconds for connecting, and for each read."""
    request_deadline: float = 60.0
    """Seconds one attempt may take in all, from sending the request to the last byte of the
    body: a server that trickles its answer fails the page here (and is not asked again)."""
    retries: int = 3
    """Extra attempts after a connection error, a timeout, a 5xx or a 429."""
    backoff: float = 0.5
    """First retry wait in seconds; doubles on every attempt (plus jitter)."""
    max_retry_after: float = 60.0
    """Cap on a server's Retry-After; a longer wait fails the request instead."""
    obey_robots: bool = True
    site_budget: float = 600.0
    """Seconds one site's crawl may take; past it, the pages not read yet are left for next time,
    and a request still going is cut off."""
    run_deadline: float = 3000.0
    """Seconds all the fetching of a run (of one fetcher) may take; past it, every page not read
    yet is left for next time. Keep it under the time between two runs."""
    max_bytes: int = 5_000_000
    """Largest body accepted (after decompression); reading stops and the request fails past it."""
    concurrency: int = 8
    """Requests in flight at once over all hosts; one host never has more than one."""
    host_failures: int = 3
    """Failed requests in a row (each after its retries) that get a host skipped for the rest of
    the run; 0 never skips."""
    parse_workers: int | Literal["auto"] = "auto"
    """Processes that parse the pages of a run of several sources while this process fetches:
    "auto" is one per core; 0 or 1 parses them in this process, as a run of one source does."""


WHILE_YOU_WAIT = FetchSettings(request_deadline=30.0, run_deadline=120.0)
"""For the commands someone waits on (`extract`, `detect`, `new-site`): a page or a few, so a
server that trickles or a chain of feeds ends in minutes, not at a cron run's deadline."""


class Validators(Protocol):
    """Where a fetcher finds each URL's ETag and Last-Modified, usually from one run to the next.

    A fresh answer's validators come back on its `Response`: they are worth keeping only
    together with what parsing the page gave (a 304 must have something to rebuild from), so
    whoever parses the page keeps both at once. Only a 304 changes them here."""

    def get(self, url: str) -> tuple[str | None, str | None] | None:
        """The (ETag, Last-Modified) remembered for `url`, or None."""

    def put(self, url: str, etag: str | None, last_modified: str | None) -> None:
        """Replace the validators remembered for `url` with those its 304 answer sent; the
        page is unchanged, so what it gave before still stands."""


class RobotsCache(Protocol):
    """Where a fetcher keeps each host's robots.txt and its validators between runs, so that an
    unchanged one is asked for conditionally and costs no body."""

    def robots(self, url: str) -> tuple[str | None, str | None, str] | None:
        """The (ETag, Last-Modified, text) of the robots.txt at `url` remembered, or None."""

    def keep_robots(
        self, url: str, etag: str | None, last_modified: str | None, text: str | None
    ) -> None:
        """Remember a robots.txt with its validators; None forgets it (there is none now)."""

    def robots_absent(self, url: str) -> datetime | None:
        """When the robots.txt at `url` last answered that there is none, if that is the last
        thing remembered of it."""

    def keep_robots_absent(self, url: str, at: datetime) -> None:
        """Remember that the robots.txt at `url` answered at `at` that there is none."""


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
    decoding: str | None = None
    """How the body was read when its declared charset was wrong, for the run report."""
    validators: tuple[str | None, str | None] = (None, None)
    """The (ETag, Last-Modified) of a fresh answer, to keep with what the page gives."""


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
# A declared charset is given up for windows-1252 when more than this share of the characters
# beyond ASCII it yields are U+FFFD: the page is not in it, and most likely in windows-1252.
_REPLACED_SHARE: Final = 0.25
_PRODUCT_TOKEN: Final = re.compile(r"[A-Za-z_-]+")
_ALLOWED: Final = "talkfeed.allowed"
"""The request extension holding the address kinds a request may reach (see `_AddressGuard`)."""
_MALFORMED: Final = "talkfeed.malformed_location"
"""The response extension saying why its Location was dropped (`_drop_malformed_location`)."""


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
    `clock` is what budgets and deadlines are measured on (tests pass a fake one); the waits
    between requests to a host are real time. `resolve` gives a host name's addresses for the
    check before sending (by default the system's resolver, which connections use too).
    """

    def __init__(
        self,
        settings: FetchSettings,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        validators: Validators | None = None,
        robots_cache: RobotsCache | None = None,
        clock: Callable[[], float] = time.monotonic,
        resolve: Callable[[str], Awaitable[Sequence[str]]] | None = None,
    ) -> None:
        if settings.concurrency < 1:
            raise ValueError("FetchSettings.concurrency must be at least 1")
        self.settings = settings
        self.stats = FetchStats()
        self.clock = clock
        # Only the fetcher's own transport connects where a URL says, so only it is guarded.
        self._guard = (
            _AddressGuard(resolve or _system_resolver(settings.timeout))
            if transport is None
            else None
        )
        self._transport = transport
        self._validators = validators
        self._robots_cache = robots_cache
        self._client: httpx.AsyncClient | None = None
        self._hosts: dict[str, _Host] = {}
        self._slots = asyncio.Semaphore(settings.concurrency)
        self._run_end = clock() + settings.run_deadline
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
            event_hooks={"response": [_drop_malformed_location]},
            transport=self._transport or _PerHostTransport(self._guard),
        )
        # The run's time counts from here: a fetcher may be made some time before it is used.
        self._run_end = self.clock() + self.settings.run_deadline
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

    def run_time_left(self) -> float:
        """Seconds left before `run_deadline` (negative once it has passed)."""
        return self._run_end - self.clock()

    async def get(
        self,
        url: str,
        conditional: bool = True,
        *,
        origins: Iterable[str] = (),
        within: float | None = None,
    ) -> Response:
        """Fetch `url`, following redirects; only a 2xx response, or a 304 one, is returned.

        A 304 comes back only for a conditional request: with validators remembered for `url`,
        unless `conditional` is false. `origins` are the URLs of the source the page belongs to:
        the page and its redirects may reach internal addresses only of the kinds these are on
        (`url`'s own, when none are given). The whole call takes at most `within` seconds (and
        never past `run_deadline`).

        Raises `RobotsDisallowedError` if robots.txt forbids the URL (or a redirect target, or
        cannot be read), `AddressRefusedError` for an internal address the source may not reach,
        and `FetchError` for a malformed URL, an error status, a network failure after retries,
        a body over `max_bytes` or not complete within `request_deadline`, too many redirects, a
        skipped host, or time running out.
        """
        try:
            left, limit = self.run_time_left(), f"run deadline of {self.settings.run_deadline:g} s"
            if within is not None and within < left:
                left, limit = within, "time budget"
            if left <= 0:
                # A timeout like any other, for the run report's count of them.
                raise FetchError(url, f"{limit} used up before the request") from TimeoutError()
            try:
                async with asyncio.timeout(left):
                    return await self._get(url, conditional, origins)
            except TimeoutError as exc:
                raise FetchError(url, f"{limit} used up during the request") from exc
        except Exception:
            self.stats.failures += 1
            raise

    async def _get(self, url: str, conditional: bool, origins: Iterable[str]) -> Response:
        _check_url(url)
        extensions = {}
        if self._guard is not None:
            extensions[_ALLOWED] = await self._guard.allowance([*origins] or [url])
        validators = self._validators
        stored = validators.get(url) if validators is not None and conditional else None
        etag, last_modified = stored or (None, None)
        conditions = _conditions(etag, last_modified)
        # httpx copies these headers and extensions onto redirect hops, so they reach the final
        # URL too.
        request = self._http().build_request("GET", url, headers=conditions, extensions=extensions)
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
            reason = _status_reason(resp)
            if _MALFORMED in resp.extensions:
                reason += f", redirecting to a malformed URL: {resp.extensions[_MALFORMED]}"
            raise FetchError(url, reason, status=resp.status_code)
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
                await self._check_robots(request, host, url)
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
        """Send once, after the host's delay and in one of the shared slots; read the body, all
        within `request_deadline`."""
        client = self._http()
        deadline = self.settings.request_deadline
        if host.last_end is not None:
            wait = host.last_end + host.delay - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
        async with self._slots:
            self.stats.requests += 1
            try:
                async with asyncio.timeout(deadline):
                    resp = await client.send(request, stream=True)
                    try:
                        body = await self._read(resp, url, robots=robots)
                    finally:
                        await resp.aclose()
                        self.stats.bytes += resp.num_bytes_downloaded
            except TimeoutError as exc:
                # A server trickling its answer would meet every read timeout and hold the
                # host, and the run, for as long as it likes; asking again only repeats that.
                self._host_failed(host, url)
                reason = f"no complete answer within the request deadline of {deadline:g} s"
                raise FetchError(url, reason) from exc
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

    async def _check_robots(self, request: httpx.Request, host: _Host, name: str) -> None:
        """Raise unless robots.txt allows `request` (`name` is how errors spell its URL)."""
        url = request.url
        # The lock makes concurrent first requests to a host share one robots.txt fetch.
        async with host.robots_lock:
            if not host.robots_loaded:
                try:
                    await self._load_robots(url, host, request.extensions.get(_ALLOWED))
                except AddressRefusedError as exc:
                    raise AddressRefusedError(name, exc.reason) from None
        if host.down:
            # Not a robots.txt verdict: the host did not answer at all, so say that.
            raise FetchError(name, f"{host.robots_unreachable} (host unreachable)")
        if host.robots_unreachable is not None:
            raise RobotsDisallowedError(
                name, f"robots.txt unreachable ({host.robots_unreachable}), so disallowed"
            )
        if host.robots is not None and not host.robots.can_fetch(str(url), self._robots_token):
            raise RobotsDisallowedError(name)

    async def _load_robots(
        self, url: httpx.URL, host: _Host, allowed: frozenset[str] | None
    ) -> None:
        robots_url = str(
            httpx.URL(scheme=url.scheme, host=url.host, port=url.port, path="/robots.txt")
        )
        cache = self._robots_cache
        absent = cache.robots_absent(robots_url) if cache is not None else None
        if absent is not None and datetime.now(UTC) - absent < ROBOTS_ABSENT_FOR:
            # Still none: everything is allowed, as when it answered so.
            host.robots_loaded = True
            return
        cached = cache.robots(robots_url) if cache is not None else None
        conditions = _conditions(cached[0], cached[1]) if cached is not None else {}
        extensions = {_ALLOWED: allowed} if allowed is not None else {}
        request = self._http().build_request(
            "GET", robots_url, headers=conditions, extensions=extensions
        )
        try:
            resp, body = await self._follow(robots_url, request, robots=True)
        except AddressRefusedError:
            # Refused for this source, not for the host: robots.txt stays unread, for a source
            # that may reach the host.
            raise
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
            elif cache is not None and 400 <= status < 500 and status != 429:
                # None there: not asked for again on every run, the rules it had are forgotten.
                cache.keep_robots_absent(robots_url, datetime.now(UTC))
            elif cache is not None and cached is not None and status < 500 and status != 429:
                # A redirect that leads nowhere: nothing to ask about conditionally next time.
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


async def _drop_malformed_location(response: httpx.Response) -> None:
    """An httpx response hook: a redirect whose Location cannot be fetched (a port out of range,
    a host name that cannot be one, another scheme) loses it, and comes back as a 3xx without
    one, its reason in the response's extensions. httpx would otherwise fail inside `send`,
    with an error retried as a broken connection or, for some host names, a bare UnicodeError."""
    if not response.has_redirect_location:
        return
    location = response.headers["location"]
    try:
        _check_url(response.request.url.join(location))
    except (httpx.InvalidURL, UnicodeError) as exc:
        reason = f"{location!r}: {exc}"
    except FetchError as exc:
        reason = f"{location!r}: {exc.reason}"
    else:
        return
    del response.headers["location"]
    response.extensions[_MALFORMED] = reason


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

    A request carrying the address kinds it may reach (`_ALLOWED`) is checked by `guard`, and
    goes through a pool of its own for those kinds, so that a connection opened for a source
    allowed to reach an address is never lent to one that is not.
    """

    def __init__(self, guard: _AddressGuard | None) -> None:
        # Shared: loading the CA bundle for each host's pool costs more than the pool saves.
        self._ssl = httpx.create_ssl_context()
        self._guard = guard
        self._pools: dict[
            tuple[str, str, int | None, frozenset[str] | None], httpx.AsyncHTTPTransport
        ] = {}

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send `request` through its host's pool, once its address is allowed."""
        url = request.url
        allowed: frozenset[str] | None = request.extensions.get(_ALLOWED)
        if self._guard is not None and allowed is not None:
            await self._guard.check(url, allowed)
            request.extensions["trace"] = self._guard.tracer(url, allowed)
        key = (url.scheme, url.host, url.port, allowed)
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


_NAT64: Final = ipaddress.IPv6Network("64:ff9b::/96")
_INTERNAL: Final = (
    # Before link-local and private, which hold them: no source reaches these but one on them.
    ("metadata", ("169.254.169.254/32", "fd00:ec2::254/128", "100.100.100.200/32")),
    # 0.0.0.0 and :: reach this machine itself when connected to.
    ("loopback", ("127.0.0.0/8", "::1/128", "0.0.0.0/8", "::/128")),
    ("link-local", ("169.254.0.0/16", "fe80::/10")),
    ("private", ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7")),
)
_NETWORKS: Final = tuple(
    (kind, tuple(ipaddress.ip_network(net) for net in nets)) for kind, nets in _INTERNAL
)
_KIND_NAMES: Final = {
    "metadata": "a cloud metadata address",
    "loopback": "a loopback address",
    "link-local": "a link-local address",
    "private": "a private-network address",
    "reserved": "a reserved address",
}


def address_kind(address: str) -> str:
    """The kind of `address`: "public" for one on the internet, else which kind of internal one:
    "metadata", "loopback", "link-local", "private" or "reserved" (documentation, multicast…)."""
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address):
        # An IPv4 address written as IPv6 is reached as that IPv4 address.
        if ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        elif ip in _NAT64:
            ip = ipaddress.IPv4Address(int(ip) & 0xFFFF_FFFF)
    for kind, networks in _NETWORKS:
        if any(ip in network for network in networks):
            return kind
    return "public" if ip.is_global and not ip.is_multicast else "reserved"


class _AddressGuard:
    """Keeps each request to the kinds of address its source may reach (see the module's
    docstring): the host's resolved addresses before sending, the connected one after."""

    def __init__(self, resolve: Callable[[str], Awaitable[Sequence[str]]]) -> None:
        self._resolve_name = resolve
        self._kinds: dict[str, frozenset[str] | None] = {}
        """Host → the kinds of its addresses, resolved once a run; None when it did not resolve."""

    async def allowance(self, origins: Iterable[str]) -> frozenset[str]:
        """The kinds of address a page of a source at `origins` may reach: public ones, and
        the kinds the origins themselves are on."""
        allowed = {"public"}
        for origin in origins:
            try:
                host = httpx.URL(origin).raw_host.decode("ascii")
            except (httpx.InvalidURL, UnicodeError):
                continue
            allowed |= await self._resolved(host) or frozenset()
        return frozenset(allowed)

    async def check(self, url: httpx.URL, allowed: frozenset[str]) -> None:
        """Raise `AddressRefusedError` if `url`'s host resolves to an address not allowed."""
        host = url.raw_host.decode("ascii")
        refused = (await self._resolved(host) or frozenset()) - allowed
        if refused:
            # Every address must pass: a name that also resolves inward is no public site.
            raise AddressRefusedError(str(url), _refusal(host, min(refused)))

    def tracer(
        self, url: httpx.URL, allowed: frozenset[str]
    ) -> Callable[[str, dict[str, Any]], Awaitable[None]]:
        """An httpcore `trace` callback that closes a new connection, before anything is sent,
        when the address it reached is not allowed."""

        async def trace(event: str, info: dict[str, Any]) -> None:
            if event != "connection.connect_tcp.complete":
                return
            stream = info["return_value"]
            peer = stream.get_extra_info("server_addr")
            address = str(peer[0]) if peer else None
            kind = address_kind(address) if address else None
            if kind not in allowed:
                await stream.aclose()
                why = _refusal(address, kind) if address and kind else "its address is unknown"
                raise AddressRefusedError(str(url), f"connected, then closed: {why}")

        return trace

    async def _resolved(self, host: str) -> frozenset[str] | None:
        if host not in self._kinds:
            self._kinds[host] = await self._resolve(host)
        return self._kinds[host]

    async def _resolve(self, host: str) -> frozenset[str] | None:
        try:
            return frozenset({address_kind(host)})
        except ValueError:
            pass  # a name, not an address
        try:
            addresses = await self._resolve_name(host)
        except (OSError, UnicodeError, TimeoutError):
            # Unresolved here: the connection resolves it again, and its address is checked.
            return None
        return frozenset(address_kind(address) for address in addresses) or None


def _system_resolver(timeout: float) -> Callable[[str], Awaitable[Sequence[str]]]:
    """The system's resolver (as connections use it), giving up after `timeout` seconds."""

    async def resolve(host: str) -> list[str]:
        async with asyncio.timeout(timeout):
            found = await asyncio.get_running_loop().getaddrinfo(
                host, None, type=socket.SOCK_STREAM
            )
        return [str(info[4][0]) for info in found]

    return resolve


def _refusal(host: str, kind: str) -> str:
    """Why a request to `host`, of address kind `kind`, is refused."""
    what = _KIND_NAMES[kind]
    where = f"{host} is {what}" if _is_address(host) else f"{host} resolves to {what}"
    return f"{where}, and the source is not on one; refused"


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _response(resp: httpx.Response, body: bytes, *, not_modified: bool = False) -> Response:
    text, decoding = _decode(body, resp.charset_encoding)
    return Response(
        url=str(resp.url),
        status=resp.status_code,
        text=text,
        content_type=resp.headers.get("content-type", "").split(";")[0].strip().lower(),
        fetched_at=datetime.now(UTC),
        body=body,
        headers=tuple(resp.headers.items()),
        not_modified=not_modified,
        decoding=decoding,
        validators=(resp.headers.get("etag"), resp.headers.get("last-modified")),
    )


def _redirected(url: str, exc: FetchError) -> FetchError:
    """`exc`, raised at a redirect hop, restated for the URL the caller asked for."""
    reason = f"redirected to {exc.url}: {exc.reason}"
    if isinstance(exc, RobotsDisallowedError):
        return RobotsDisallowedError(url, reason)
    if isinstance(exc, AddressRefusedError):
        return AddressRefusedError(url, reason)
    return FetchError(url, reason, status=exc.status)


def decode_body(body: bytes, charset: str | None = None) -> str:
    """Decode an HTML or text body.

    Order: a byte-order mark (it cannot be wrong, so browsers let it beat the header); the
    `charset` from the Content-Type header; a `<meta charset>` or `<meta http-equiv>` in the first
    2 KB; else UTF-8, reading any bytes that are not UTF-8 as windows-1252. A declared charset
    the body is not in is overruled: a body that is valid UTF-8 is read as UTF-8 whatever it
    declares, bytes that are not UTF-8 in a body declared so are read as windows-1252, and a
    body that yields mostly U+FFFD in another declared charset is read as undeclared.
    """
    return _decode(body, charset)[0]


def _decode(body: bytes, charset: str | None) -> tuple[str, str | None]:
    """The text of `body` (see `decode_body`), and when a declared charset was overruled, a line
    saying so."""
    for bom, bom_codec in _BOMS:
        if body.startswith(bom):
            return body[len(bom) :].decode(bom_codec, errors="replace"), None
    label, codec = charset, _codec(charset)
    if codec is None:
        match = _META_CHARSET.search(body[:_SNIFF_BYTES])
        if match:
            label = match.group(1).decode("ascii")
            codec = _codec(label)
            # A document that a meta tag could be read from is not UTF-16 (WHATWG does the same).
            if codec is not None and codec.startswith("utf-16"):
                codec = "utf-8"
    if codec is None:
        return body.decode("utf-8", errors=_AS_WINDOWS_1252), None
    if body.isascii():
        return body.decode(codec, errors="replace"), None
    if codec == "utf-8":
        try:
            return body.decode("utf-8"), None
        except UnicodeDecodeError:
            note = f"declares {label}, but not all of it is: the rest read as windows-1252"
            return body.decode("utf-8", errors=_AS_WINDOWS_1252), note
    try:
        # Text in another charset is almost never valid UTF-8 beyond ASCII; UTF-8 text sent
        # under a stale header or template's label always is.
        return body.decode("utf-8"), f"declares {label}, but is UTF-8: read as UTF-8"
    except UnicodeDecodeError:
        pass
    text = body.decode(codec, errors="replace")
    beyond_ascii = len(text) - len(text.encode("ascii", errors="ignore"))
    replaced = text.count("\ufffd")
    if replaced > _REPLACED_SHARE * beyond_ascii:
        note = f"declares {label}, which most of it is not: read as windows-1252"
        return body.decode("utf-8", errors=_AS_WINDOWS_1252), note
    if replaced:
        return text, f"declares {label}, but {replaced} character(s) are not: shown as \ufffd"
    return text, None


def _as_windows_1252(error: UnicodeError) -> tuple[str, int]:
    """A codec error handler: bytes that are not UTF-8 read as windows-1252, the charset pages
    without a declaration (or with a wrong one) are most often in when not in UTF-8."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    return error.object[error.start : error.end].decode("cp1252", errors="replace"), error.end


_AS_WINDOWS_1252: Final = "talkfeed.windows-1252"
codecs.register_error(_AS_WINDOWS_1252, _as_windows_1252)


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


def _check_url(url: str | httpx.URL) -> None:
    """Raise a FetchError unless `url` is one that can be fetched."""
    name = str(url)
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as exc:
        raise FetchError(name, f"invalid URL: {exc}") from None
    if parsed.scheme not in _DEFAULT_PORTS or not parsed.raw_host:
        raise FetchError(name, "not an http:// or https:// URL")
    try:
        parsed.host  # noqa: B018  (decoding an "xn--" name is what can fail)
    except UnicodeError:
        shown = parsed.raw_host.decode("ascii", errors="replace")
        raise FetchError(name, f"invalid URL: {shown!r} is not a valid host name") from None
    if parsed.port is not None and not 0 < parsed.port < 65536:
        raise FetchError(name, f"invalid URL: port {parsed.port} is out of range") from None


def _status_reason(resp: httpx.Response) -> str:
    phrase = httpx.codes.get_reason_phrase(resp.status_code) or resp.reason_phrase
    return f"HTTP {resp.status_code} {phrase}".rstrip()


def _describe(exc: Exception) -> str:
    """Exception class and message on one line, for a FetchError reason."""
    message = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


def outcome(result: Response | FetchError) -> str:
    """The ledger's name for one fetch: the status class ("2xx", "4xx", "5xx"…), "304" for a
    page revalidated, or for a request without a usable answer "robots", "refused" (an internal
    address the source may not reach), "timeout" (a read or connection timeout, or a deadline)
    or "network"."""
    if isinstance(result, Response):
        return "304" if getattr(result, "not_modified", False) else f"{result.status // 100}xx"
    if isinstance(result, RobotsDisallowedError):
        return "robots"
    if isinstance(result, AddressRefusedError):
        return "refused"
    if result.status is not None:
        return f"{result.status // 100}xx"
    timed_out = isinstance(result.__cause__, httpx.TimeoutException | TimeoutError)
    return "timeout" if timed_out else "network"
