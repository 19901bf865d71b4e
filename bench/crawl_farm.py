"""A simulated crawl: a farm of 200 sites, one server in its own process telling them apart by
the Host header, each site an NYU-style listing of 20 talks with a page each, 50 ms of latency
per response and a per-host delay of 0.2 s. Measures the first run against the per-host lower
bound, and a second run against the unchanged farm, counted from the server's side. Then, side
by side at several delays, talkfeed's whole run and a stock Scrapy spider's crawl of the same
farm (bench._scrapy_farm; only with the `bench` extra installed), each in a process of its own.

`python -m bench.crawl_farm SPEC` is one of those processes: talkfeed's run, SPEC the JSON
of `_solo_spec`, its figures the last line of stdout."""

from __future__ import annotations

import asyncio
import email.utils
import hashlib
import html
import importlib.util
import itertools
import json
import multiprocessing
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from multiprocessing.connection import Connection
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx

from aggregator import pipeline
from aggregator.config import Config, SourceConfig
from aggregator.fetching.fetch import DEFAULT_USER_AGENT, FetchSettings
from aggregator.fetching.parsing import parse_workers
from aggregator.pipeline import RunReport
from bench import Section, peak_rss
from scrapers import SiteParser, get_site

SITES = 200
TALKS = 20
"""Talks per site, each with a detail page."""
PAST = 5
"""Of each site's talks, how many are over by NOW."""
LATENCY = 0.05
"""Seconds the server waits before every answer."""
DELAY = 0.2
CONCURRENCY = 200
"""FetchSettings.concurrency: one slot per host, so the slots are never what a request waits for."""
REPEATS = 3
DELAYS = (0.0, DELAY, 1.0)
"""Per-host delays of the side-by-side runs: none (what the CPU allows), the first run's, and
talkfeed's default."""
NOW = datetime.fromisoformat("2026-03-01T09:00:00-05:00")
TARGET_RATIO = 1.25
TARGET_BYTES = 0.05

TEMPLATES = Path(__file__).parent.parent / "tests" / "fixtures" / "nyu-cs-colloquium"
LISTING_PATH = "/dynamic/news/colloquium/"
CONTROL_HOST = "control.farm.test"
ZONE = ZoneInfo("America/New_York")
LAST_MODIFIED = "Thu, 01 Jan 2026 12:00:00 GMT"

_LEADS = (
    "Verified", "Scalable", "Private", "Robust", "Sparse", "Learned", "Quantum", "Adaptive",
    "Efficient", "Secure", "Fair", "Provable", "Distributed", "Interactive", "Causal", "Formal",
)  # fmt: skip
_SUBJECTS = (
    "Compilation", "Scheduling", "Recommendation", "Attention Kernels", "Smart Contracts",
    "Program Synthesis", "Graph Search", "Robot Planning", "Query Optimization", "Type Systems",
    "Storage Engines", "Speech Models", "Network Protocols", "Sketching", "Vision Transformers",
    "Garbage Collection",
)  # fmt: skip
_SETTINGS = (
    "Probabilistic Programs", "the Post-Quantum Internet", "Federated Data", "Edge Devices",
    "Datacenters", "Scientific Computing", "Online Markets", "Medical Imaging",
    "Autonomous Vehicles", "Open-Source Software", "Climate Models", "Education",
    "Social Networks", "Genomics", "Financial Systems", "Public Health",
)  # fmt: skip
_FIRST_NAMES = (
    "Ada", "Bao", "Carmen", "Dmitri", "Elif", "Farid", "Grace", "Hiro", "Ines", "Jonas", "Kemi",
    "Lars", "Maya", "Nikhil", "Olga", "Pedro", "Quinn", "Rosa", "Sven", "Tara", "Umar", "Vera",
    "Wei", "Xenia", "Yusuf", "Zora", "Amara", "Bruno", "Chloe", "Diego", "Esther", "Felix",
    "Gita", "Hugo", "Irene", "Jamal", "Kira", "Leon", "Mina", "Noor", "Oscar", "Priya", "Rafael",
    "Sana", "Tomas", "Uma", "Viktor", "Wanda", "Ximena", "Yara", "Zane", "Alma", "Boris", "Celia",
    "Dario", "Edith", "Femi", "Gustav", "Hana", "Ivan", "Jin", "Kofi", "Lena", "Marco",
)  # fmt: skip
_LAST_NAMES = (
    "Abara", "Bergström", "Castillo", "Dubois", "Eriksen", "Fujita", "Gallo", "Haddad", "Ivanova",
    "Jensen", "Kowalski", "Lindqvist", "Moreau", "Nakamura", "Okafor", "Petrov", "Quispe",
    "Rossi", "Schneider", "Tanaka", "Uzun", "Varga", "Weber", "Xu", "Yilmaz", "Zhang", "Almeida",
    "Brennan", "Chowdhury", "Delgado", "Eze", "Fischer", "Gupta", "Horvath", "Ibrahim", "Jovanovic",
    "Kaur", "Lopez", "Mensah", "Novak", "Ortiz", "Park", "Qureshi", "Reyes", "Sato", "Torres",
    "Ueda", "Vasquez", "Wong", "Yamamoto", "Zimmermann", "Andersen", "Banerjee", "Costa",
    "Dimitrov", "Esposito", "Ferreira", "Greco", "Hansen", "Iqbal", "Jung", "Kim", "Laine",
    "Murphy",
)  # fmt: skip
_AFFILIATIONS = (
    "Massachusetts Institute of Technology", "Stanford University", "ETH Zürich",
    "Carnegie Mellon University", "University of Washington", "Cornell University",
    "University of California, San Diego", "University of Illinois Urbana-Champaign",
    "University of Toronto", "Princeton University", "EPFL", "University of Tokyo",
)  # fmt: skip
_AP_MONTHS = (
    "Jan.", "Feb.", "March", "April", "May", "June",
    "July", "Aug.", "Sept.", "Oct.", "Nov.", "Dec.",
)  # fmt: skip
_SLOTS_A_DAY = 36
"""Start times a day, 08:00 to 19:40 local time. Every talk of the farm has a slot of its own,
20 minutes from the next: farther apart than the merge tolerance, so no two are taken for one."""


@dataclass(frozen=True)
class FarmTalk:
    """One talk of the farm: which site lists it, and what its pages say."""

    site: int
    index: int
    title: str
    speaker: str
    affiliation: str
    start: datetime

    @property
    def host(self) -> str:
        """The site's host name."""
        return _host(self.site)

    @property
    def path(self) -> str:
        """The path of the talk's detail page."""
        return f"{LISTING_PATH}{1900 + self.index}/"

    @property
    def past(self) -> bool:
        """The talk is over by NOW."""
        return self.start < NOW


def _host(site: int) -> str:
    return f"site{site:03d}.farm.test"


def farm_talks() -> list[FarmTalk]:
    """Every talk of the farm, by site then index; titles, speakers and starts all distinct."""
    talks = []
    for site in range(SITES):
        for index in range(TALKS):
            number = site * TALKS + index
            upcoming = index >= PAST
            slot = (index - PAST if upcoming else index) * SITES + site
            first_day = datetime(2026, 3, 2) if upcoming else datetime(2026, 1, 2)
            day = first_day + timedelta(days=slot // _SLOTS_A_DAY)
            minutes = 8 * 60 + slot % _SLOTS_A_DAY * 20
            title = (
                f"{_LEADS[number % 16]} {_SUBJECTS[number // 16 % 16]}"
                f" for {_SETTINGS[number // 256 % 16]}"
            )
            talks.append(
                FarmTalk(
                    site=site,
                    index=index,
                    title=title,
                    speaker=f"{_FIRST_NAMES[number % 64]} {_LAST_NAMES[number // 64 % 64]}",
                    affiliation=_AFFILIATIONS[number % len(_AFFILIATIONS)],
                    start=day.replace(hour=minutes // 60, minute=minutes % 60, tzinfo=ZONE),
                )
            )
    return talks


def _django_date(moment: datetime) -> str:
    """`moment` as NYU's pages print it (Django's "N j, Y, P")."""
    if (moment.hour, moment.minute) == (12, 0):
        clock = "noon"
    else:
        clock = str(moment.hour % 12 or 12) + (f":{moment.minute:02d}" if moment.minute else "")
        clock += " a.m." if moment.hour < 12 else " p.m."
    return f"{_AP_MONTHS[moment.month - 1]} {moment.day}, {moment.year}, {clock}"


_ITEM = re.compile(r'<li class="colloq-item">.*?</li>', re.DOTALL)
_UPCOMING = re.compile(r'(<ul class="colloq-list upcoming">).*?(</ul>)', re.DOTALL)
_PAST = re.compile(r'(<ul class="colloq-list past">).*?(</ul>)', re.DOTALL)
_LATER_TERM = '<option value="fall_2026">Fall 2026</option>\n'
_HREF = re.compile(r'(href=")[^"]*(")')
_ITEM_DATE = re.compile(r'(<div class="colloq-date">).*?(</div>)')
_ITEM_TITLE = re.compile(r'(<a href="[^"]*">).*?(</a>)')
_ITEM_SPEAKER = re.compile(r'(<div class="colloq-speaker">).*?(</div>)')
_DETAIL_TITLE = re.compile(r'(<h2 class="colloq-title">).*?(</h2>)')
_SPEAKER = re.compile(r"(<strong>Speaker:</strong> )(.*?)(</p>)")
_DATE = re.compile(r"(<strong>Date:</strong> ).*?(</p>)")


def farm_pages(talks: Sequence[FarmTalk]) -> dict[tuple[str, str], bytes]:
    """Every page of the farm by (host, path): NYU's saved listing and talk pages with each
    talk's title, speaker and date put in. The listing offers no later semester."""
    listing = (TEMPLATES / "listing-spring_2026.html").read_text(encoding="utf-8")
    listing = listing.replace(_LATER_TERM, "")
    match = _ITEM.search(listing)
    if match is None or _LATER_TERM in listing:
        raise RuntimeError("the NYU listing fixture no longer has the expected markup")
    item = match.group()
    details = [path.read_text(encoding="utf-8") for path in sorted(TEMPLATES.glob("[0-9]*.html"))]
    by_site: dict[int, list[FarmTalk]] = defaultdict(list)
    for talk in talks:
        by_site[talk.site].append(talk)
    pages = {}
    for site, listed in by_site.items():
        upcoming = sorted((t for t in listed if not t.past), key=lambda t: t.start)
        past = sorted((t for t in listed if t.past), key=lambda t: t.start, reverse=True)
        page = _put(_UPCOMING, listing, "\n".join(_item(item, talk) for talk in upcoming))
        page = _put(_PAST, page, "\n".join(_item(item, talk) for talk in past))
        pages[(_host(site), LISTING_PATH)] = page.encode()
        for talk in listed:
            template = details[(site + talk.index) % len(details)]
            pages[(talk.host, talk.path)] = _detail(template, talk).encode()
    return pages


def _put(pattern: re.Pattern[str], text: str, value: str) -> str:
    """`text` with what lies between `pattern`'s two groups, at its first match, made `value`."""
    return pattern.sub(lambda m: m.group(1) + value + m.group(m.lastindex or 0), text, count=1)


def _item(template: str, talk: FarmTalk) -> str:
    entry = _put(_HREF, template, talk.path)
    entry = _put(_ITEM_DATE, entry, _django_date(talk.start))
    entry = _put(_ITEM_TITLE, entry, html.escape(talk.title))
    return _put(_ITEM_SPEAKER, entry, f"{html.escape(talk.speaker)}, {talk.affiliation}")


def _detail(template: str, talk: FarmTalk) -> str:
    speaker = _SPEAKER.search(template)
    if speaker is None:
        raise RuntimeError("an NYU talk page fixture no longer has a Speaker label")
    # The old speaker's name also appears in the bio: every mention becomes the new speaker.
    page = template.replace(speaker.group(2).split(",")[0], html.escape(talk.speaker))
    page = _put(_SPEAKER, page, f"{html.escape(talk.speaker)}, {talk.affiliation}")
    page = _put(_DETAIL_TITLE, page, html.escape(talk.title))
    return _put(_DATE, page, _django_date(talk.start))


# --- The server: a process of its own, so that its work never holds the crawler's GIL. ---


@dataclass(frozen=True)
class Served:
    """One request the server answered (control requests aside)."""

    host: str
    path: str
    conditional: bool
    status: int
    body_bytes: int
    started: float
    """time.monotonic() when the request arrived (the clock is shared between processes)."""


def _serve(conn: Connection, latency: float) -> None:
    """The server process: serve the farm until terminated; the port goes back over `conn`."""
    asyncio.run(_server(conn, latency))


async def _server(conn: Connection, latency: float) -> None:
    pages = {
        key: (body, '"' + hashlib.sha256(body).hexdigest()[:16] + '"')
        for key, body in farm_pages(farm_talks()).items()
    }
    served: list[tuple[str, str, bool, int, int, float]] = []
    cpu = time.process_time()
    modified = email.utils.parsedate_to_datetime(LAST_MODIFIED)

    robots = b"User-agent: *\nAllow: /\n"
    robots_etag = '"' + hashlib.sha256(robots).hexdigest()[:16] + '"'

    def answer(host: str, path: str, headers: dict[str, str]) -> tuple[int, bytes, list[str]]:
        # robots.txt, like every page, with validators, as a web server sends a static file.
        if path == "/robots.txt":
            body, etag, media_type = robots, robots_etag, "text/plain"
        elif (host, path) in pages:
            (body, etag), media_type = pages[(host, path)], "text/html; charset=utf-8"
        else:
            return 404, b"not on this farm\n", ["Content-Type: text/plain"]
        validators = [f"ETag: {etag}", f"Last-Modified: {LAST_MODIFIED}"]
        if "if-none-match" in headers:
            tags = [tag.strip() for tag in headers["if-none-match"].split(",")]
            if etag in tags or "*" in tags:
                return 304, b"", validators
        elif "if-modified-since" in headers:
            try:
                since = email.utils.parsedate_to_datetime(headers["if-modified-since"])
            except (TypeError, ValueError):
                since = None
            if since is not None and since >= modified:
                return 304, b"", validators
        return 200, body, [f"Content-Type: {media_type}", *validators]

    async def connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal cpu
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, OSError):
                    return
                started = time.monotonic()
                request_line, *lines = head.decode("latin-1").split("\r\n")
                path = request_line.split(" ")[1] if request_line.count(" ") >= 2 else "/"
                headers = {}
                for line in lines:
                    name, colon, value = line.partition(":")
                    if colon:
                        headers[name.strip().lower()] = value.strip()
                host = headers.get("host", "").lower().split(":")[0]
                if host == CONTROL_HOST:
                    now = time.process_time()
                    body = json.dumps({"served": served, "cpu": now - cpu}).encode()
                    served.clear()
                    cpu = now
                    status, extra = 200, ["Content-Type: application/json"]
                else:
                    await asyncio.sleep(latency)
                    status, body, extra = answer(host, path, headers)
                    conditional = "if-none-match" in headers or "if-modified-since" in headers
                    served.append((host, path, conditional, status, len(body), started))
                reason = {200: "OK", 304: "Not Modified", 404: "Not Found"}[status]
                lines_out = [f"HTTP/1.1 {status} {reason}", *extra]
                if status != 304:
                    lines_out.append(f"Content-Length: {len(body)}")
                writer.write(("\r\n".join(lines_out) + "\r\n\r\n").encode("latin-1") + body)
                await writer.drain()
                if headers.get("connection", "").lower() == "close":
                    return
        finally:
            writer.close()

    # A backlog as deep as the farm is wide: the crawler may open a connection per site at once.
    server = await asyncio.start_server(connection, "127.0.0.1", 0, backlog=4 * SITES)
    conn.send(server.sockets[0].getsockname()[1])
    async with server:
        await server.serve_forever()


@contextmanager
def farm_server() -> Iterator[str]:
    """Run the farm's server in a process of its own; yields its origin."""
    context = multiprocessing.get_context("spawn")
    receiving, sending = context.Pipe(duplex=False)
    process = context.Process(target=_serve, args=(sending, LATENCY), daemon=True)
    process.start()
    try:
        if not receiving.poll(60):
            raise RuntimeError("the farm server did not start")
        yield f"http://127.0.0.1:{receiving.recv()}"
    finally:
        process.terminate()
        process.join()


@dataclass(frozen=True)
class ServerLog:
    """What the server did since it was last asked."""

    served: list[Served]
    cpu_seconds: float
    """CPU time of the server's process."""


def drain_log(origin: str) -> ServerLog:
    """The requests the server answered, and its CPU time, since the last call."""
    reply = httpx.get(f"{origin}/_stats", headers={"Host": CONTROL_HOST}, timeout=30)
    reply.raise_for_status()
    data = reply.json()
    return ServerLog([Served(*entry) for entry in data["served"]], data["cpu"])


class FarmTransport(httpx.AsyncBaseTransport):
    """Sends every request to the farm's server, keeping the URL and Host header of the site
    (like aggregator.fetching.snapshot.RedirectTransport), through a pool per site holding one
    connection, as the Fetcher's own transport does per host."""

    def __init__(self, origin: str) -> None:
        self._origin = httpx.URL(origin)
        self._pools: dict[str, httpx.AsyncHTTPTransport] = {}
        # One for all: each pool would otherwise load the CA bundle, though the farm is plain HTTP.
        self._ssl = httpx.create_ssl_context()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Forward `request` to the farm's server."""
        target = request.url.copy_with(
            scheme=self._origin.scheme, host=self._origin.host, port=self._origin.port
        )
        forwarded = httpx.Request(
            request.method, target, headers=request.headers, stream=request.stream
        )
        site = request.url.host
        if site not in self._pools:
            limits = httpx.Limits(max_connections=None, max_keepalive_connections=1)
            self._pools[site] = httpx.AsyncHTTPTransport(verify=self._ssl, limits=limits)
        return await self._pools[site].handle_async_request(forwarded)

    async def aclose(self) -> None:
        """Close the pools."""
        for pool in self._pools.values():
            await pool.aclose()


# --- The crawler side. ---


def farm_sites() -> dict[str, SiteParser]:
    """A parser per farm site: the bundled NYU parser, started at the site's listing."""
    nyu = type(get_site("nyu-cs-colloquium"))
    return {
        f"farm-{site:03d}": nyu.configured(
            id=f"farm-{site:03d}",
            name=f"Farm site {site:03d} colloquium",
            start_urls=(f"http://{_host(site)}{LISTING_PATH}",),
            example_urls=(f"http://{_host(site)}{LISTING_PATH}1900/",),
        )
        for site in range(SITES)
    }


@dataclass(frozen=True)
class Run:
    """One run: the crawler's report and clocks, and what the server saw."""

    report: RunReport
    seconds: float
    crawl_seconds: float
    """Until the last site's crawl ended (the rest is storing, merging and publishing)."""
    cpu_seconds: float
    """CPU time of the crawler's process and its parse workers (the server's is not in it)."""
    server_cpu_seconds: float
    counts: Figures
    """What the server's log shows."""

    @property
    def bound(self) -> float:
        """The lower bound: the busiest host's requests, each a delay and a latency long."""
        return self.counts.busiest * (DELAY + LATENCY)


def crawl_farm(
    config: Config, sites: dict[str, SiteParser], origin: str, past: set[tuple[str, str]]
) -> Run:
    """One run of the pipeline over the farm; `past` holds the pages of talks that are over."""
    finished: list[float] = []
    cpu, began = time.process_time(), time.perf_counter()
    report = pipeline.run(
        config,
        sites,
        now=NOW,
        transport=FarmTransport(origin),
        progress=lambda _site: finished.append(time.perf_counter()),
    )
    seconds = time.perf_counter() - began
    # The parse workers' CPU is not this process's: they report theirs.
    cpu = time.process_time() - cpu + report.worker_cpu
    log = drain_log(origin)
    return Run(
        report, seconds, max(finished) - began, cpu, log.cpu_seconds, figures(log.served, past)
    )


def run_pair(
    origin: str, sites: dict[str, SiteParser], past: set[tuple[str, str]]
) -> tuple[Run, Run]:
    """A first and a second run into a fresh store."""
    with tempfile.TemporaryDirectory() as scratch:
        config = _config(Path(scratch), sites, DELAY)
        drain_log(origin)
        first = crawl_farm(config, sites, origin, past)
        _check(first, pages_read=SITES * TALKS)
        second = crawl_farm(config, sites, origin, past)
        _check(second, pages_read=0)
    return first, second


def _config(scratch: Path, sites: dict[str, SiteParser], delay: float) -> Config:
    """A fresh store and feeds in `scratch`, every farm site a source."""
    return Config(
        out=scratch / "out",
        db=scratch / "talkfeed.db",
        base_url=None,
        fetch=FetchSettings(delay=delay, concurrency=CONCURRENCY),
        sources=tuple(SourceConfig(site) for site in sites),
        path=None,
    )


def _check(run: Run, pages_read: int) -> None:
    """A benchmark that read nothing would measure nothing: every talk must come out of the
    run, with `pages_read` talk pages parsed (the rest reused from the page cache)."""
    talks = sum(source.talks for source in run.report.sources)
    details = sum(source.details for source in run.report.sources)
    errors = [error for source in run.report.sources for error in source.errors]
    if talks != SITES * TALKS or details != pages_read or errors:
        raise AssertionError(
            f"the run gave {talks} talks from {details} talk pages, expected {SITES * TALKS}"
            f" from {pages_read}; errors: {errors[:3]}"
        )


async def _burst(origin: str) -> float:
    """Seconds for one request to each site's robots.txt, all at once."""
    async with httpx.AsyncClient(transport=FarmTransport(origin)) as client:
        began = time.perf_counter()
        answers = await asyncio.gather(
            *(client.get(f"http://{_host(site)}/robots.txt") for site in range(SITES))
        )
        seconds = time.perf_counter() - began
    if any(answer.status_code != 200 for answer in answers):
        raise AssertionError("the farm server failed a burst of concurrent requests")
    return seconds


@dataclass(frozen=True)
class Figures:
    """What one run shows, counted from the server's log."""

    requests: int
    robots: int
    conditional: int
    unconditional_robots: int
    not_modified: int
    past_details: int
    """Requests for the page of a talk that is over by NOW."""
    body_bytes: int
    busiest: int
    """Requests to the host that got the most."""
    mean_gap: float
    """Mean time between the starts of two consecutive requests to one host."""


def figures(served: Sequence[Served], past: set[tuple[str, str]]) -> Figures:
    """Count a run's requests from the server's log."""
    by_host: dict[str, list[float]] = defaultdict(list)
    for entry in served:
        by_host[entry.host].append(entry.started)
    gaps: list[float] = []
    for starts in by_host.values():
        starts.sort()
        gaps.extend(later - earlier for earlier, later in itertools.pairwise(starts))
    robots = [entry for entry in served if entry.path == "/robots.txt"]
    return Figures(
        requests=len(served),
        robots=len(robots),
        conditional=sum(entry.conditional for entry in served),
        unconditional_robots=sum(not entry.conditional for entry in robots),
        not_modified=sum(entry.status == 304 for entry in served),
        past_details=sum((entry.host, entry.path) in past for entry in served),
        body_bytes=sum(entry.body_bytes for entry in served),
        busiest=max(Counter(entry.host for entry in served).values()),
        mean_gap=statistics.fmean(gaps),
    )


# --- Side by side: talkfeed and Scrapy, each crawling the farm in a process of its own. ---

CRAWLERS = {"talkfeed": "bench.crawl_farm", "Scrapy": "bench._scrapy_farm"}
"""Each crawler's module, run as `python -m MODULE SPEC`."""
ROOT = Path(__file__).parent.parent


@dataclass(frozen=True)
class Solo:
    """One crawler's run over the farm in a process of its own."""

    delay: float
    seconds: float
    """From the start of the run to its end, by the crawler's process's clock."""
    crawl_seconds: float
    """Until the last site's crawl ended: talkfeed then stores, merges and publishes; Scrapy's
    run is all crawl."""
    cpu_seconds: float
    """User and system time of the crawler's process, less what it spent before the run
    (starting Python, importing), and of its parse workers on the run's pages."""
    worker_cpu: float
    """Of `cpu_seconds`, the parse workers' (talkfeed's `ParsePool`)."""
    peak_rss: int
    """Bytes: the process's peak resident set, imports included."""
    worker_rss: int
    """Bytes: the highest peak resident set of a parse worker."""
    load: float
    """The machine's load average over the minute before the run: other work on its cores."""
    counts: Figures
    per_host: Counter[str]
    """Requests the server answered, by host."""

    @property
    def bound(self) -> float:
        """The lower bound, as `Run.bound` has it."""
        return self.counts.busiest * (self.delay + LATENCY)


def _solo_spec(origin: str, delay: float) -> dict[str, object]:
    """What a crawler's process is told: the farm's listings on the server's port (the
    crawler's resolver or transport takes every host to the server), and the politeness."""
    port = httpx.URL(origin).port
    return {
        "origin": origin,
        "start_urls": [f"http://{_host(site)}:{port}{LISTING_PATH}" for site in range(SITES)],
        "delay": delay,
        "concurrency": CONCURRENCY,
        "user_agent": DEFAULT_USER_AGENT,
        "retries": FetchSettings.retries,
        "timeout": FetchSettings.timeout,
    }


def solo(module: str, origin: str, delay: float, past: set[tuple[str, str]]) -> Solo:
    """Run `python -m module SPEC` against the farm and measure its process (os.wait4 gives the
    child's own CPU time; the child reports its peak memory)."""
    drain_log(origin)
    load = os.getloadavg()[0]
    with tempfile.TemporaryFile() as errors:
        child = subprocess.Popen(
            [sys.executable, "-m", module, json.dumps(_solo_spec(origin, delay))],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
        )
        assert child.stdout is not None
        output = child.stdout.read()
        child.stdout.close()
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        errors.seek(0)
        tail = errors.read()[-2000:].decode(errors="replace")
    lines = output.strip().splitlines()
    if child.returncode != 0 or not lines:
        raise RuntimeError(f"{module} failed ({child.returncode}): {tail}")
    result = json.loads(lines[-1])
    if result["talks"] != SITES * TALKS:
        raise AssertionError(f"{module} read {result['talks']} talks, expected {SITES * TALKS}")
    served = drain_log(origin).served
    return Solo(
        delay=delay,
        seconds=result["seconds"],
        crawl_seconds=result.get("crawl_seconds", result["seconds"]),
        cpu_seconds=usage.ru_utime + usage.ru_stime - result["cpu_before"] + result["worker_cpu"],
        worker_cpu=result["worker_cpu"],
        peak_rss=result["peak_rss"],
        worker_rss=result["worker_rss"],
        load=load,
        counts=figures(served, past),
        per_host=Counter(entry.host for entry in served),
    )


def _solo_talkfeed(spec_json: str) -> int:
    """One talkfeed run into a fresh store, as SPEC says; its figures as stdout's last line."""
    spec = json.loads(spec_json)
    cpu_before = time.process_time()
    sites = farm_sites()
    with tempfile.TemporaryDirectory() as scratch:
        config = _config(Path(scratch), sites, spec["delay"])
        finished: list[float] = []
        began = time.perf_counter()
        report = pipeline.run(
            config,
            sites,
            now=NOW,
            transport=FarmTransport(spec["origin"]),
            progress=lambda _site: finished.append(time.perf_counter()),
        )
        seconds = time.perf_counter() - began
    talks = sum(source.talks for source in report.sources)
    result = {
        "seconds": seconds,
        "crawl_seconds": max(finished) - began,
        "cpu_before": cpu_before,
        "talks": talks,
        "peak_rss": peak_rss(),
        "worker_cpu": report.worker_cpu,
        "worker_rss": report.worker_rss,
    }
    print(json.dumps(result))
    return 0


def side_by_side(origin: str, past: set[tuple[str, str]]) -> dict[str, list[Solo]]:
    """Each crawler at each of DELAYS; Scrapy only where it is installed, and then asking the
    server for exactly what talkfeed asked for, host by host."""
    crawlers = dict(CRAWLERS)
    if importlib.util.find_spec("scrapy") is None:
        print("scrapy is not installed (pip install 'talkfeed[bench]'): no Scrapy columns")
        del crawlers["Scrapy"]
    runs: dict[str, list[Solo]] = {name: [] for name in crawlers}
    for delay in DELAYS:
        for name, module in crawlers.items():
            runs[name].append(solo(module, origin, delay, past))
        if any(solos[-1].per_host != runs["talkfeed"][-1].per_host for solos in runs.values()):
            raise AssertionError(f"the crawlers asked for different pages at delay {delay}")
    return runs


def _side_by_side_section(runs: dict[str, list[Solo]]) -> Section:
    columns = [
        (f"{name}, delay {solos[index].delay:g} s", solos[index])
        for index in range(len(DELAYS))
        for name, solos in runs.items()
    ]

    def row(label: str, value: Callable[[Solo], str]) -> tuple[str, ...]:
        return (label, *(value(solo) for _, solo in columns))

    rows = (
        row("Wall time (s)", lambda r: f"{r.seconds:.2f}"),
        row("Wall time / lower bound", lambda r: f"{r.seconds / r.bound:.2f}"),
        row("Crawl phase (s)", lambda r: f"{r.crawl_seconds:.2f}"),
        row("CPU time (s)", lambda r: f"{r.cpu_seconds:.2f}"),
        row("of it in parse workers (s)", lambda r: f"{r.worker_cpu:.2f}"),
        row("CPU ms per request", lambda r: f"{r.cpu_seconds * 1000 / r.counts.requests:.2f}"),
        row("Peak RSS (MiB)", lambda r: f"{r.peak_rss / 2**20:.0f}"),
        row("Peak RSS of a parse worker (MiB)", lambda r: f"{r.worker_rss / 2**20:.0f}"),
        row("Requests", lambda r: f"{r.counts.requests:,}"),
        row("Body bytes received (KiB)", lambda r: f"{r.counts.body_bytes / 1024:,.1f}"),
        row("Lower bound (s)", lambda r: f"{r.bound:.2f}"),
        row("Load average before the run", lambda r: f"{r.load:.2f}"),
    )
    with_scrapy = "Scrapy" in runs
    return Section(
        title="Side by side: talkfeed's whole run and Scrapy's crawl",
        method=(
            f"On {os.cpu_count()} CPU cores, the same farm server as above, one run each at"
            f" per-host delays of {', '.join(f'{delay:g}' for delay in DELAYS)} s, each crawler"
            " in a fresh Python process of its own: talkfeed's whole `pipeline.run` (crawl,"
            " store, merge, publish) into a fresh store, and"
            + (
                " a stock Scrapy spider (bench/_scrapy_farm.py) that reads the same robots.txt,"
                " listings and talk pages and parses the same fields with BeautifulSoup on lxml"
                f" (DOWNLOAD_DELAY as talkfeed's delay without jitter, CONCURRENT_REQUESTS"
                f" {CONCURRENCY}, one request per domain at a time, robots.txt obeyed, no"
                " AutoThrottle, no HTTP cache, talkfeed's User-Agent, retries and timeout, log"
                " level INFO; a resolver that takes every host name to the server). The server"
                " checks that both asked for the same pages of every host."
                if with_scrapy
                else " no Scrapy: it is not installed (`pip install 'talkfeed[bench]'`)."
            )
            + " One run each: the wall times move with whatever else the machine is doing (its"
            " load average before each run is in the table), CPU times much less. Wall time is"
            " timed inside the process; talkfeed's crawl phase ends when its last"
            " site's crawl does, Scrapy's run is all crawl; CPU time comes from os.wait4 on"
            " it, less what the process spent before the run began (starting Python, imports),"
            " plus what talkfeed's parse workers report spending on its pages (their start is"
            " not in it); peak RSS is the process's VmHWM at its end, imports included, and for"
            " a parse worker the highest VmHWM it reported. Requests and bytes"
            " are the server's count; the lower bound is the busiest host's requests × (delay +"
            " latency)."
        ),
        headers=("", *(label for label, _ in columns)),
        rows=rows,
        finding=_side_by_side_finding(runs),
    )


BOUND_TARGETS = {0.2: 1.5, 1.0: 1.10}
"""Issue 14: talkfeed's whole run at most this many times the lower bound, by delay."""
CPU_TARGET = 0.75
"""Issue 14: talkfeed's whole-run CPU at most this share of Scrapy's crawl CPU."""


def _side_by_side_finding(runs: dict[str, list[Solo]]) -> str:
    ours = runs["talkfeed"]
    workers = parse_workers("auto")
    text = (
        f"With no delay talkfeed's whole run took {ours[0].seconds:.1f} s (its crawl phase"
        f" {ours[0].crawl_seconds:.1f} s) for what the hosts allow in {ours[0].bound:.1f} s: the"
        f" CPU decides, at {ours[0].cpu_seconds * 1000 / ours[0].counts.requests:.1f} ms per"
        f" request for the whole run, {ours[0].worker_cpu:.1f} s of it in {workers} parse"
        " workers."
    )
    for solo in ours:
        target = BOUND_TARGETS.get(solo.delay)
        if target is not None:
            ratio = solo.seconds / solo.bound
            text += (
                f" At a delay of {solo.delay:g} s the whole run is {ratio:.2f} times the bound"
                f" (target at most {target:g}: {'met' if ratio <= target else 'NOT met'}), its"
                f" crawl phase {solo.crawl_seconds / solo.bound:.2f} times."
            )
    if "Scrapy" not in runs:
        return text
    theirs = runs["Scrapy"]
    shares = [o.cpu_seconds / t.cpu_seconds for o, t in zip(ours, theirs, strict=True)]
    together = ours[0].peak_rss + workers * ours[0].worker_rss
    return text + (
        f" Scrapy's crawl took {theirs[0].seconds:.1f} s with no delay, at"
        f" {theirs[0].cpu_seconds * 1000 / theirs[0].counts.requests:.1f} ms of CPU per request,"
        f" and {theirs[-1].seconds / theirs[-1].bound:.2f} times the bound at {DELAYS[-1]:g} s."
        f" talkfeed's whole run used {', '.join(f'{share:.2f}' for share in shares)} times"
        f" Scrapy's crawl CPU at these delays (target at most {CPU_TARGET:g}:"
        f" {'met' if max(shares) <= CPU_TARGET else 'NOT met'}). Crawl against crawl, talkfeed's"
        f" phase took {ours[0].crawl_seconds / theirs[0].seconds:.2f} times Scrapy's time with no"
        f" delay and {ours[-1].crawl_seconds / theirs[-1].seconds:.2f} times at {DELAYS[-1]:g} s."
        f" Peak memory: talkfeed's process, with the store and the feeds,"
        f" {ours[0].peak_rss / 2**20:.0f} MiB and each parse worker at most"
        f" {ours[0].worker_rss / 2**20:.0f} MiB ({together / 2**20:.0f} MiB together at most)"
        f" to Scrapy's {theirs[0].peak_rss / 2**20:.0f} MiB (target no higher:"
        f" {'met' if together <= theirs[0].peak_rss else 'NOT met'}). Scrapy counts its delay"
        " from the start of a request, talkfeed from the end of an answer, so Scrapy may come"
        " in under the bound by up to a latency per request."
    )


def run() -> Section:
    """Median figures of several pairs of runs over the farm."""
    past = {(talk.host, talk.path) for talk in farm_talks() if talk.past}
    sites = farm_sites()
    with farm_server() as origin:
        burst = asyncio.run(_burst(origin))
        runs = [run_pair(origin, sites, past) for _ in range(REPEATS)]
        solos = side_by_side(origin, past)

    def median(value: Callable[[Run, Run], float]) -> float:
        return statistics.median(value(first, second) for first, second in runs)

    def column(value: Callable[[Run], float]) -> list[tuple[float, float]]:
        return [(value(first), value(second)) for first, second in runs]

    busiest = median(lambda first, _: first.counts.busiest)
    bound = busiest * (DELAY + LATENCY)
    ratio = median(lambda first, _: first.seconds / first.bound)
    crawl_ratio = median(lambda first, _: first.crawl_seconds / first.bound)
    cpu_share = median(lambda first, _: first.cpu_seconds / first.seconds)
    byte_share = median(lambda first, second: second.counts.body_bytes / first.counts.body_bytes)
    past_fetched = median(lambda _, second: second.counts.past_details)
    unconditional = median(lambda _, second: second.counts.requests - second.counts.conditional)
    unconditional_robots = median(lambda _, second: second.counts.unconditional_robots)
    rows = (
        _row("Requests", column(lambda r: r.counts.requests), share=True),
        _row("of them robots.txt", column(lambda r: r.counts.robots)),
        _row("Conditional requests", column(lambda r: r.counts.conditional)),
        _row("Answered 304", column(lambda r: r.counts.not_modified)),
        _row("Pages of past talks fetched", column(lambda r: r.counts.past_details)),
        _row("Body bytes sent (KiB)", column(lambda r: r.counts.body_bytes), kib=True),
        _row("Body bytes the crawler counted (KiB)", column(lambda r: r.report.bytes), kib=True),
        _row("Busiest host's requests", column(lambda r: r.counts.busiest)),
        _row("Lower bound (s)", column(lambda r: r.bound), digits=2),
        _row("Run time (s)", column(lambda r: r.seconds), share=True, digits=2),
        _row("Run time / lower bound", column(lambda r: r.seconds / r.bound), digits=2),
        _row("Crawl phase (s)", column(lambda r: r.crawl_seconds), digits=2),
        _row("Crawler CPU time (s)", column(lambda r: r.cpu_seconds), digits=2),
        _row("Server CPU time (s)", column(lambda r: r.server_cpu_seconds), digits=2),
        _row(
            "Mean gap between a host's request starts (s)",
            column(lambda r: r.counts.mean_gap),
            digits=3,
        ),
    )

    def verdict(met: bool) -> str:
        return "met" if met else "NOT met"

    return Section(
        title="Crawl farm: 200 sites, one polite crawler",
        method=(
            f"{SITES} NYU-style sites (the saved NYU listing and talk pages as templates, each"
            f" talk's title, speaker and date put in) on virtual hosts of one asyncio server in a"
            f" process of its own: a listing of {TALKS} talks ({PAST} of them over by the run's"
            f" fixed now) and a page per talk, {LATENCY * 1000:.0f} ms of latency per response,"
            " ETag and Last-Modified, 304 to a matching conditional request; it answered a burst"
            f" of {SITES} concurrent requests in {burst:.2f} s. The bundled NYU parser read every"
            f" site (FetchSettings delay={DELAY}, concurrency={CONCURRENCY}, other settings"
            " default; the transport keeps a connection per site, as the Fetcher's own"
            f" does). A first and a second run into a fresh store, median of {REPEATS}"
            " pairs; requests, conditional requests, 304s and bytes are counted by the server."
            " Lower bound: the busiest host's requests × (delay + latency). Run time is the whole"
            " `pipeline.run`; its crawl phase ends when the last site's crawl does."
        ),
        headers=("", "First run", "Second run", "Second / first"),
        rows=rows,
        finding=(
            f"The first run took {ratio:.2f} times the lower bound of {bound:.2f} s (its crawl"
            f" phase {crawl_ratio:.2f} times); the target of at most {TARGET_RATIO} times is"
            f" {verdict(ratio <= TARGET_RATIO)}. The crawler's processes (the run's own and its"
            f" parse workers) were on a CPU for {cpu_share:.0%} of that time, on"
            f" {os.cpu_count()} cores: the crawl waits for the CPU, not for the hosts."
            f" {_history(bound)} Second run:"
            f" {past_fetched:.0f} pages of past talks fetched (target none:"
            f" {verdict(past_fetched == 0)}); {unconditional:.0f} requests not conditional,"
            f" {unconditional_robots:.0f} of them robots.txt (target none:"
            f" {verdict(unconditional == 0)}); {byte_share:.2%} of the first run's bytes"
            f" (target under {TARGET_BYTES:.0%}: {verdict(byte_share < TARGET_BYTES)})."
        ),
        parts=(_side_by_side_section(solos),),
    )


BEFORE = ("fa5e3ad", 5.97, 30.8, 13.98)
"""Commit, first run / lower bound, crawler CPU seconds and second run seconds before the fixes
`_history` describes (medians of 3 pairs on the same machine)."""


def _history(bound: float) -> str:
    commit, ratio, cpu, second = BEFORE
    return (
        f"Profiled with py-spy at commit {commit} (first run {ratio} times the bound, {cpu} s of"
        f" CPU; second run {second} s): BeautifulSoup building trees took 28% of the run and our"
        f" parsers' own find_all passes 8%; httpx and httpcore 27%, 7 points of it a failed"
        f" `import sniffio` on every lock; rendering the feeds 19%; the page cache's SQLite"
        f" writes 7%, each waiting for the disk; robots.txt was asked for without validators"
        f" every run. Fixed: sniffio is a dependency, the page cache writes without an fsync"
        f" each, chrome and JSON-LD are found in one walk of the tree, iCal lines are folded on"
        f" their bytes, robots.txt is kept with its validators, each host has a connection pool"
        f" of its own (one pool closed idle connections once more than 20 were open, so most"
        f" requests opened a new one), and the per-host delay now runs"
        f" from the end of an answer (the bound's model, and politer to a slow server). What is"
        f" left is about 1.5 ms of CPU per request in the HTTP stack and 1.4 ms per page in"
        f" BeautifulSoup: for 4,400 requests that alone exceeds the"
        f" {TARGET_RATIO * bound:.1f} s the target allows, on one core. Since then pages are"
        f" parsed in worker processes, one per core. Profiled with cProfile at 2ea9243, what"
        f" followed the crawl took 16 of a run's 28 s (no delay): forgetting stale kept feed"
        f" entries scanned the whole table once a feed (7 s), every source's talks stayed in"
        f" memory until all feeds were written (a peak of 315 MiB), and each kept entry waited"
        f" for the disk. Fixed: stale entries are forgotten once a run, a source's talks are"
        f" read for its own feeds only, entries are rendered in batches and kept without an"
        f" fsync each. At e2ce051 what followed the crawl (about 8 s at a 1 s delay) was still"
        f" the run's own work on one core, most of it icalendar's and feedgen's for the 8,000"
        f" entries of the combined and the per-source feeds. Since then a talk that one source"
        f" lists has one set of entries for its source's feeds and the combined ones, each"
        f" VTIMEZONE is serialized once, and the parse workers render the entries of each talk"
        f" they read while the crawl waits on its hosts (aggregator/warming.py): publishing"
        f" renders none on this farm, and what follows the crawl is reviewing, storing and"
        f" merging 4,000 talks and assembling 1,307 files from kept entries."
    )


def _row(
    label: str,
    values: Sequence[tuple[float, float]],
    *,
    share: bool = False,
    kib: bool = False,
    digits: int = 0,
) -> tuple[str, str, str, str]:
    """A table row: the medians of the first and second runs' values, and optionally the
    median of their ratios."""
    scale = 1024 if kib else 1
    first = statistics.median(f for f, _ in values) / scale
    second = statistics.median(s for _, s in values) / scale
    places = 1 if kib else digits
    ratio = f"{statistics.median(s / f for f, s in values):.2%}" if share or kib else ""
    return label, f"{first:,.{places}f}", f"{second:,.{places}f}", ratio


if __name__ == "__main__":
    sys.exit(_solo_talkfeed(sys.argv[1]))
