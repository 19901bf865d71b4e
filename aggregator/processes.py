"""Pools of worker processes, as the crawl's parsing and publishing's rendering use them.

Not "fork": the run's process has threads (an executor's, the resolver's, `serve`'s), and a
child forked while one of them holds a lock can hang on it. A fork server is a clean process,
started once with the given module imported, that forks each worker cheaply.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import signal
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

__all__ = ["new_pool", "peak_rss"]


def new_pool(
    workers: int, preload: str, prepare: Callable[[], None] | None = None
) -> ProcessPoolExecutor:
    """A pool of `workers` processes that import `preload` before their first job and run
    `prepare` (a module-level function) as they start. OSError or NotImplementedError where
    processes cannot be started."""
    methods = multiprocessing.get_all_start_methods()
    method = "forkserver" if "forkserver" in methods else "spawn"
    context = multiprocessing.get_context(method)
    if method == "forkserver":
        # Only the first pool of a process starts the fork server: later ones import their
        # module in each worker, on its first job.
        context.set_forkserver_preload([preload])
    return ProcessPoolExecutor(
        workers, mp_context=context, initializer=_prepare, initargs=(prepare,)
    )


def _prepare(prepare: Callable[[], None] | None) -> None:
    # Ctrl-C reaches the whole process group: the run stops the workers itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # A run that is killed (cron's timeout, the OOM killer) cannot stop its workers, and a
    # worker waiting for work would wait for ever, holding the run's stdout and stderr open.
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=_end_with, args=(parent.sentinel,), daemon=True).start()
    if prepare is not None:
        prepare()


def _end_with(sentinel: int) -> None:
    multiprocessing.connection.wait([sentinel])
    os._exit(1)


def peak_rss() -> int:
    """This process's peak resident set (Linux's VmHWM) in bytes; 0 where it is not known."""
    try:
        status = Path("/proc/self/status").read_text(encoding="ascii")
    except OSError:
        return 0
    kib = next((line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:")), "0")
    return int(kib) * 1024
