"""Pages parsed into links and drafts, here or in worker processes.

A crawl of many sites fetches from their hosts at once, and parsing what comes back
(BeautifulSoup's tree, the site's parser) is most of its CPU: in the one process that runs the
event loop, it makes a large crawl bound by one core while the others idle. `ParsePool` sends
each page to a pool of worker processes instead, and the event loop only fetches.

Both ways give the same: a worker runs the same `read` on the same page with the same parser,
and a parser that raises is that page's error in the same words. A worker that dies (killed,
out of memory) costs only the page that killed it: the pool is replaced, and each page it was
parsing is parsed again alone, so that only the page that kills a worker by itself fails.
"""

from __future__ import annotations

import asyncio
import logging
import os
import pickle
import time
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from typing import Generic, Literal, TypeVar, cast

from aggregator.fetching.pagecache import listing_json
from aggregator.processes import new_pool, peak_rss
from scrapers import Link, Page, ParseError, SiteParser, TalkDraft, all_sites
from scrapers.kinds import load_kinds

__all__ = ["DIED", "IN_PROCESS", "ParsePool", "Parsed", "Parsers", "describe", "parse_workers"]

log = logging.getLogger(__name__)

_T = TypeVar("_T", list[Link], TalkDraft)
_R = TypeVar("_R")
_Kind = Literal["listing", "talk"]

DIED = "its process ended abruptly (killed, or out of memory)"
"""What a page that killed the worker parsing it reports, after the parser's name."""


@dataclass(frozen=True)
class Parsed(Generic[_T]):
    """What parsing one page gave: its links or draft, or why the parser failed."""

    value: _T | None
    notes: tuple[str, ...] = ()
    """What the parser skipped on the page (`Page.notes`)."""
    parts: dict[str, TalkDraft] = field(default_factory=dict)
    """What it gave by part (`Page.parts`): the drafts are those of the links it gave."""
    kept: str | None = None
    """What the page cache keeps of the links (`listing_json`), when a worker made it."""
    error: str | None = None
    """Why the parser failed (`describe`), when it did."""
    cpu: float = 0.0
    """CPU seconds a worker process spent on the page (0 for a page parsed in-process)."""
    rss: int = 0
    """Bytes: the peak resident set of the worker process that parsed it, so far."""


def describe(exc: BaseException) -> str:
    """A parser's failure in one line: a ParseError says it itself; anything else is a bug,
    named by its class."""
    if isinstance(exc, ParseError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


def read(site: SiteParser, kind: _Kind, page: Page) -> Parsed[list[Link]] | Parsed[TalkDraft]:
    """Parse `page` as a listing or a talk page of `site`, in this process."""
    try:
        if kind == "listing":
            return Parsed(site.listing(page), tuple(page.notes), page.parts)
        return Parsed(site.talk(page), tuple(page.notes))
    except Exception as exc:  # a parser bug must cost one page, not the run
        return Parsed(None, error=describe(exc))


class Parsers:
    """Where a crawl's pages are parsed: in this process (`IN_PROCESS`), or a `ParsePool`."""

    worker_cpu = 0.0
    """CPU seconds worker processes spent parsing pages: the run's process does not count it."""
    worker_rss = 0
    """Bytes: the highest peak resident set of a worker process."""

    async def listing(self, site: SiteParser, page: Page) -> Parsed[list[Link]]:
        """The links on a listing page."""
        return cast(Parsed[list[Link]], await self._read(site, "listing", page))

    async def talk(self, site: SiteParser, page: Page) -> Parsed[TalkDraft]:
        """The draft of a talk page."""
        return cast(Parsed[TalkDraft], await self._read(site, "talk", page))

    async def spare(self, work: Callable[..., _R], *args: object) -> _R | None:
        """`work(*args)` in a worker process, for work a run may leave undone: None when
        there are no workers, or it could not be done there. `work` must be importable by its
        module and name, and catch what it means to recover from."""
        return None

    async def _read(
        self, site: SiteParser, kind: _Kind, page: Page
    ) -> Parsed[list[Link]] | Parsed[TalkDraft]:
        return read(site, kind, page)


IN_PROCESS = Parsers()
"""Every page parsed in the event loop's own process, as one page or one source wants."""


def parse_workers(setting: int | Literal["auto"]) -> int:
    """The worker processes `parse_workers` asks for: "auto" is one per core this process may
    run on."""
    if setting != "auto":
        return setting
    counted = getattr(os, "process_cpu_count", None)  # Python 3.13 on
    if counted is not None:
        return int(counted() or 1)
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


class ParsePool(Parsers):
    """Pages parsed in `workers` processes; use as `async with ParsePool(n) as parsers:`.

    The workers are started when the first page is to be parsed, so a run whose pages are all
    unchanged starts none, and off the event loop, which goes on fetching meanwhile (a fork
    server's first start takes about a second, mostly importing the parsers).

    A site is sent to a worker pickled: a registered site's class by its module and name (the
    worker loads the registry, sites kept outside the package too), a configured one as what
    it was made from. A site that cannot be sent (a class made inside a function) is parsed
    here, and so is every page when no worker can be started.
    """

    def __init__(self, workers: int) -> None:
        self._workers = workers
        self._pool: ProcessPoolExecutor | None = None
        self._starting: asyncio.Future[ProcessPoolExecutor | None] | None = None
        self._alone: ProcessPoolExecutor | None = None
        self._alone_turn = asyncio.Lock()
        self._sent: dict[SiteParser, bytes | None] = {}
        self._unstartable = False
        self._answered = False
        """Whether a worker has ever given a page back: until one has, they may all be dying."""

    async def __aenter__(self) -> ParsePool:
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._starting is not None:
            self._pool = await self._starting
        for pool in (self._pool, self._alone):
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=True)
        self._pool = self._alone = None

    async def _read(
        self, site: SiteParser, kind: _Kind, page: Page
    ) -> Parsed[list[Link]] | Parsed[TalkDraft]:
        sent = self._pickled(site)
        pool = None if sent is None else await self._started()
        if sent is None or pool is None:
            return read(site, kind, page)
        job = (sent, kind, page)
        try:
            return await self._run(pool, job)
        except BrokenProcessPool:
            if self._pool is pool:
                self._pool = None
                pool.shutdown(wait=False, cancel_futures=True)
        except _SiteNotRebuiltError:
            self._sent[site] = None
            return read(site, kind, page)
        except Exception as exc:  # what a parser gave could not be sent back, say
            return Parsed(None, error=describe(exc))
        # A worker died with this page in flight, perhaps for another page: parsed alone in a
        # process of its own, the page shows whether it is the one that kills.
        async with self._alone_turn:
            alone = None if self._unstartable else self._alone or self._new_pool(1)
            if alone is None:
                return read(site, kind, page)
            self._alone = alone
            try:
                return await self._run(alone, job)
            except BrokenProcessPool:
                self._alone = None
                alone.shutdown(wait=False, cancel_futures=True)
                if not self._answered:
                    # No worker has ever answered: they die starting (a main module that cannot
                    # be imported again, say), and what is left is parsed here.
                    log.warning("parsing pages in-process: the worker processes die starting")
                    self._unstartable = True
                return Parsed(None, error=DIED)

    async def spare(self, work: Callable[..., _R], *args: object) -> _R | None:
        pool = await self._started()
        if pool is None:
            return None
        try:
            done = await asyncio.get_running_loop().run_in_executor(pool, _spend, work, args)
        except BrokenProcessPool:
            # Pages in flight with it are parsed again alone (`_read`); this work is left.
            if self._pool is pool:
                self._pool = None
                pool.shutdown(wait=False, cancel_futures=True)
            return None
        except Exception as exc:  # it could not be sent, or what it gave could not come back
            log.debug("work left undone: %s", describe(exc))
            return None
        value, cpu, rss = done
        self.worker_cpu += cpu
        self.worker_rss = max(self.worker_rss, rss)
        return value

    async def _run(
        self, pool: Executor, job: tuple[bytes, _Kind, Page]
    ) -> Parsed[list[Link]] | Parsed[TalkDraft]:
        parsed = await asyncio.get_running_loop().run_in_executor(pool, _work, job)
        self._answered = True
        self.worker_cpu += parsed.cpu
        self.worker_rss = max(self.worker_rss, parsed.rss)
        return parsed

    def _pickled(self, site: SiteParser) -> bytes | None:
        if site not in self._sent:
            try:
                self._sent[site] = pickle.dumps(site)
            except (pickle.PicklingError, TypeError, AttributeError) as exc:
                log.debug("%s: parsed in-process, as it cannot be sent: %s", site.id, exc)
                self._sent[site] = None
        return self._sent[site]

    async def _started(self) -> ProcessPoolExecutor | None:
        """The pool, once its first worker is ready; None when none can be started."""
        if self._pool is not None or self._unstartable:
            return self._pool
        if self._starting is None:
            self._starting = asyncio.ensure_future(asyncio.to_thread(self._warm))
        starting = self._starting
        # Shielded: a crawl cancelled while it waits must not cancel the start the others
        # wait for.
        pool = await asyncio.shield(starting)
        if self._starting is starting:
            self._starting, self._pool = None, pool
        return self._pool

    def _warm(self) -> ProcessPoolExecutor | None:
        pool = self._new_pool(self._workers)
        if pool is None:
            return None
        try:
            pool.submit(_ready).result()
        except (BrokenProcessPool, OSError) as exc:
            log.warning("parsing pages in-process: no worker process starts (%s)", exc)
            self._unstartable = True
            pool.shutdown(wait=False, cancel_futures=True)
            return None
        self._answered = True
        return pool

    def _new_pool(self, workers: int) -> ProcessPoolExecutor | None:
        try:
            return new_pool(workers, __name__, _prepare_worker)
        except (OSError, NotImplementedError) as exc:
            log.warning("parsing pages in-process: no worker process can be started (%s)", exc)
            self._unstartable = True
            return None


class _SiteNotRebuiltError(Exception):
    """A worker could not make the site again from what it was sent."""


_SITES: dict[bytes, SiteParser] = {}
"""The sites a worker has made, by what it was sent: each is unpickled once."""


def _prepare_worker() -> None:
    # Registered sites are pickled by module and class name, and the modules of sites kept
    # outside the package exist only once the registry has loaded them.
    all_sites()
    load_kinds()


def _ready() -> None:
    """Nothing: a worker that runs it has started."""


def _work(job: tuple[bytes, _Kind, Page]) -> Parsed[list[Link]] | Parsed[TalkDraft]:
    began = time.process_time()
    parsed = _parse(job)
    return replace(parsed, cpu=time.process_time() - began, rss=peak_rss())


def _spend(work: Callable[..., _R], args: tuple[object, ...]) -> tuple[_R, float, int]:
    began = time.process_time()
    value = work(*args)
    return value, time.process_time() - began, peak_rss()


def _parse(job: tuple[bytes, _Kind, Page]) -> Parsed[list[Link]] | Parsed[TalkDraft]:
    sent, kind, page = job
    site = _SITES.get(sent)
    if site is None:
        try:
            site = _SITES[sent] = pickle.loads(sent)
        except Exception as exc:  # whatever it is, the page is then parsed in the run's process
            raise _SiteNotRebuiltError(describe(exc)) from None
    parsed = read(site, kind, page)
    if kind == "listing" and parsed.value is not None:
        # Made here, on a core of its own, rather than in the process that runs the crawl.
        return replace(parsed, kept=listing_json(cast(list[Link], parsed.value)))
    return parsed
