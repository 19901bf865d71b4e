"""An hourly cron job, through the command line: `talkfeed run` on 200 iCal sources served on
127.0.0.1 with ETags, holding 1,000 to 100,000 talks over three years back and four months
ahead. Three runs into one store, each its own process: the first; one an hour later where
every answer is a 304 and nothing changed (what operators run most); and one an hour after that
where 1 % of the talks changed. Wall time, CPU and peak memory are the process's own."""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import random
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from multiprocessing.sharedctypes import Synchronized
from pathlib import Path
from time import perf_counter

from bench import Section

SOURCES = 200
SIZES = (1_000, 10_000, 100_000)
PAST_DAYS = 3 * 365
AHEAD_DAYS = 120
CHANGED_SHARE = 0.01
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
"""The first run's clock; the next two run one and two hours later."""
UNCHANGED_TARGET = 2.0
"""Seconds for the hourly run with nothing changed at 100,000 talks (issue 14)."""
CHANGED_TARGET = 5.0
RSS_TARGET = 500
"""MB of peak memory in every run."""

_WORDS = (
    "graph", "spectral", "learning", "robust", "quantum", "protocol", "sparse", "random",
    "geometry", "inference", "privacy", "compilers", "verification", "markets", "networks",
)  # fmt: skip


def calendar(source: int, talks: int, version: int) -> bytes:
    """Source `source`'s iCal feed of `talks` events; at `version` 1 every hundredth talk
    (1 %) has a new title."""
    rng = random.Random(source)
    span = (PAST_DAYS + AHEAD_DAYS) * 24
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:-//talkfeed bench//source {source}//EN",
        "X-WR-TIMEZONE:America/New_York",
    ]
    for number in range(talks):
        start = START - timedelta(days=PAST_DAYS) + timedelta(hours=rng.randrange(span))
        start = start.replace(minute=0)
        title = " ".join(rng.choice(_WORDS) for _ in range(5)).capitalize()
        if version and number % round(1 / CHANGED_SHARE) == 0:
            title += " (revised)"
        abstract = " ".join(rng.choice(_WORDS) for _ in range(80))
        lines += [
            "BEGIN:VEVENT",
            f"UID:bench-{source}-{number}@example.edu",
            f"DTSTAMP:{START:%Y%m%dT%H%M%SZ}",
            f"DTSTART:{start:%Y%m%dT%H%M%SZ}",
            f"DTEND:{start + timedelta(hours=1):%Y%m%dT%H%M%SZ}",
            f"SUMMARY:{title}",
            f"LOCATION:Room {rng.randrange(100, 999)}",
            f"URL:https://s{source}.example.edu/talks/{number}",
            f"DESCRIPTION:Speaker: Speaker {source}-{number}\\n\\nAbstract: {abstract}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(lines).encode() + b"\r\n"


def _serve(port: Synchronized[int], version: Synchronized[int], talks: int) -> None:
    per_source = talks // SOURCES
    feeds = {v: {f"/s{s}.ics": calendar(s, per_source, v) for s in range(SOURCES)} for v in (0, 1)}
    tags = {v: {p: hashlib.sha1(b).hexdigest() for p, b in f.items()} for v, f in feeds.items()}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/robots.txt":
                self._send(200, b"User-agent: *\nAllow: /\n", "text/plain", None)
                return
            current = version.value
            body = feeds[current].get(self.path)
            if body is None:
                self._send(404, b"", "text/plain", None)
                return
            tag = f'"{tags[current][self.path]}"'
            if self.headers.get("If-None-Match") == tag:
                self._send(304, b"", None, tag)
                return
            self._send(200, body, "text/calendar; charset=utf-8", tag)

        def _send(self, status: int, body: bytes, kind: str | None, tag: str | None) -> None:
            self.send_response(status)
            if kind:
                self.send_header("Content-Type", kind)
            if tag:
                self.send_header("ETag", tag)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if status != 304:
                self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    port.value = server.server_address[1]
    server.serve_forever()


@contextmanager
def feeds_served(talks: int) -> Iterator[tuple[str, Synchronized[int]]]:
    """The 200 feeds served from a process of their own; the origin, and the version to
    serve (0, then 1 for the run where 1 % changed)."""
    context = multiprocessing.get_context("spawn")
    port: Synchronized[int] = context.Value("i", 0)
    version: Synchronized[int] = context.Value("i", 0)
    server = context.Process(target=_serve, args=(port, version, talks), daemon=True)
    server.start()
    try:
        while port.value == 0:
            if not server.is_alive():
                raise RuntimeError("the feed server did not start")
            threading.Event().wait(0.05)
        yield f"http://127.0.0.1:{port.value}", version
    finally:
        server.terminate()
        server.join()


@dataclass(frozen=True)
class Measure:
    seconds: float
    cpu: float
    rss_mb: float
    exit_code: int


def talkfeed_run(config: Path, now: datetime) -> Measure:
    """`talkfeed run` in a process of its own: its wall time, CPU seconds and peak memory."""
    command = [sys.executable, "-m", "aggregator", "run", "--config", str(config)]
    command += ["--now", now.isoformat(), "--quiet"]
    began = perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = perf_counter() - began
    child.returncode = os.waitstatus_to_exitcode(status)
    errors = child.stderr.read().decode() if child.stderr else ""
    if child.returncode not in (0, 1):
        raise RuntimeError(f"talkfeed run exited {child.returncode}: {errors[-2000:]}")
    # ru_maxrss is in KiB on Linux.
    return Measure(
        seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, child.returncode
    )


def write_config(folder: Path, origin: str) -> Path:
    sources = "".join(
        f'\n[[sources]]\nkind = "ical"\nid = "bench-{s}"\nname = "Bench source {s}"\n'
        f'url = "{origin}/s{s}.ics"\ntimezone = "America/New_York"\n'
        for s in range(SOURCES)
    )
    config = folder / "talkfeed.toml"
    config.write_text(
        'out = "public"\ndb = "talkfeed.db"\nbase_url = "https://talks.example.edu/"\n'
        f"[fetch]\ndelay = 0.0\nconcurrency = 16\n{sources}",
        encoding="utf-8",
    )
    return config


def hourly(talks: int) -> tuple[Measure, Measure, Measure]:
    """The three runs at one size: first, unchanged an hour later, 1 % changed."""
    with tempfile.TemporaryDirectory() as scratch, feeds_served(talks) as (origin, version):
        config = write_config(Path(scratch), origin)
        first = talkfeed_run(config, START)
        unchanged = talkfeed_run(config, START + timedelta(hours=1))
        version.value = 1
        changed = talkfeed_run(config, START + timedelta(hours=2))
    return first, unchanged, changed


def run() -> Section:
    results = {}
    for size in SIZES:
        results[size] = hourly(size)
        first, unchanged, changed = results[size]
        print(
            f"  {size:,}: first {first.seconds:.1f} s, unchanged {unchanged.seconds:.1f} s,"
            f" 1 % changed {changed.seconds:.1f} s",
            flush=True,
        )
    labels = ("first", "an hour on, unchanged", "1 % changed")
    rows = tuple(
        (f"{size:,}", label, f"{m.seconds:.2f}", f"{m.cpu:.2f}", f"{m.rss_mb:.0f}")
        for size, measures in results.items()
        for label, m in zip(labels, measures, strict=True)
    )
    big = results[SIZES[-1]]
    verdicts = [
        ("nothing changed", big[1].seconds, UNCHANGED_TARGET),
        ("1 % changed", big[2].seconds, CHANGED_TARGET),
    ]
    said = "; ".join(
        f"{what}: {seconds:.1f} s against {target:g} s ({'met' if seconds < target else 'NOT met'})"
        for what, seconds, target in verdicts
    )
    rss = max(m.rss_mb for measures in results.values() for m in measures)
    return Section(
        title="An hourly cron run, through `talkfeed run`",
        method=__doc__.split("\n\n")[0].replace("\n", " ") if __doc__ else "",
        headers=("Talks", "Run", "Time (s)", "CPU (s)", "Peak RSS (MB)"),
        rows=rows,
        finding=(
            f"At {SIZES[-1]:,} talks, {said}. Peak memory over all runs: {rss:.0f} MB against "
            f"{RSS_TARGET} MB ({'met' if rss < RSS_TARGET else 'NOT met'}). The machine has "
            f"{os.cpu_count()} cores."
        ),
    )
