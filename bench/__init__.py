"""Benchmarks: `python -m bench` runs every module here that has a `run()` and writes
bench/RESULTS.md. Not part of the test suite: timings depend on the machine."""

from __future__ import annotations

import statistics
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Section", "median_seconds", "peak_bytes", "peak_rss"]


@dataclass(frozen=True)
class Section:
    """One benchmark's part of RESULTS.md: a heading, what was measured, a table, a finding."""

    title: str
    method: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    finding: str
    parts: tuple[Section, ...] = ()
    """Sections of its own under this one's finding, a heading level down."""

    def markdown(self, level: int = 2) -> str:
        """The section as Markdown, its heading at `level`."""
        lines = ["#" * level + f" {self.title}", "", self.method, ""]
        lines.append("| " + " | ".join(self.headers) + " |")
        lines.append("|" + "|".join("---:" for _ in self.headers) + "|")
        lines.extend("| " + " | ".join(row) + " |" for row in self.rows)
        lines += ["", self.finding, ""]
        lines.extend(part.markdown(level + 1) for part in self.parts)
        return "\n".join(lines)


def median_seconds(work: Callable[[], object], runs: int) -> float:
    """The median wall-clock time of `runs` calls of `work`."""
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        work()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def peak_bytes(work: Callable[[], object]) -> tuple[int, int]:
    """Memory Python allocates during one call of `work` (tracemalloc), beyond what was
    allocated before it: the peak, and what the returned value still holds."""
    tracemalloc.start()
    try:
        before, _ = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        result = work()
        held, peak = tracemalloc.get_traced_memory()
        del result
    finally:
        tracemalloc.stop()
    return peak - before, held - before


def peak_rss() -> int:
    """Bytes: this process's peak resident set so far (Linux's VmHWM). Not getrusage's
    ru_maxrss, which for a child started by fork and exec counts the parent's memory as well."""
    status = Path("/proc/self/status").read_text(encoding="ascii")
    kib = next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:"))
    return int(kib) * 1024
