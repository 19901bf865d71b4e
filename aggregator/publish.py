"""Writing outputs: atomically, and not at all when the bytes are unchanged."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

from aggregator.errors import OutputError

__all__ = ["write_atomic", "write_outputs"]


def write_atomic(path: Path, data: bytes) -> bool:
    """Replace `path` with `data` in one step (a temporary file, then a rename), so readers see
    the old file or the new one, never half of one. Returns False, writing nothing, when the
    file already holds exactly `data`: mtimes stay put and HTTP caches keep validating."""
    try:
        if path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        Path(temporary).chmod(0o644)
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return True


def write_outputs(out: Path, files: Mapping[str, bytes]) -> list[str]:
    """Write every file (paths relative to `out`); the names of those that changed.

    OutputError when the directory cannot be written; files already replaced stay whole.
    """
    try:
        return [name for name, data in sorted(files.items()) if write_atomic(out / name, data)]
    except OSError as exc:
        raise OutputError(
            str(exc.filename or out), f"cannot write: {exc.strerror or exc}"
        ) from None
