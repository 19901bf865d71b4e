"""One run at a time: an exclusive lock on a file beside the store.

Cron starts a run every hour whether or not the last one has finished; two runs writing the
same store and output directory would interleave their changes. `run_lock(db)` takes an
exclusive `flock` on `<db>.lock` without waiting, and a second run gets `LockedError` at once.
The lock sits beside the store's real file, symbolic links resolved, so that two paths to one
store (a linked file or folder) lock the same file.
The kernel drops the lock when its holder exits, however it exits, so a file left behind by a
killed run never blocks the next one. The file itself stays: deleting it would let a run lock
a file that the next run no longer finds (and creates anew), and both would go ahead.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from aggregator.errors import OutputError, TalkfeedError

__all__ = ["LockedError", "lock_path", "run_lock"]

_PID_BYTES = 32


class LockedError(TalkfeedError):
    """Another process holds the run lock; `pid` is that process, when the lock file says."""

    def __init__(self, path: Path, pid: int | None) -> None:
        holder = f"pid {pid}" if pid is not None else "pid unknown"
        super().__init__(f"another run ({holder}) holds the lock {path}; this run did nothing")
        self.path = path
        self.pid = pid


def lock_path(db: Path) -> Path:
    """The lock file of the store `db`: `<name>.lock` beside the store's real file, which is `db`
    with every symbolic link followed (a dangling one, to where it points)."""
    real = db.resolve()
    return real.with_name(f"{real.name}.lock")


@contextmanager
def run_lock(db: Path) -> Iterator[Path]:
    """Hold the run lock of the store `db` for the `with` block; yields the lock file's path.

    Raises `LockedError` at once if another process holds it, and `OutputError` if the lock
    file cannot be created. While held, the file holds the holder's pid.
    """
    path = lock_path(db)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise OutputError(str(path), f"cannot open the lock file: {exc.strerror or exc}") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise LockedError(path, _holder(fd)) from None
        except OSError as exc:
            raise OutputError(str(path), f"cannot lock: {exc.strerror or exc}") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        try:
            yield path
        finally:
            # Emptied on the way out, so a pid in the file names a live holder or a killed one.
            os.ftruncate(fd, 0)
    finally:
        os.close(fd)


def _holder(fd: int) -> int | None:
    text = os.pread(fd, _PID_BYTES, 0).decode("ascii", errors="replace").strip()
    return int(text) if text.isdecimal() else None
