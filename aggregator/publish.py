"""Writing outputs: atomically, and not at all when the bytes are unchanged.

A run killed while writing can leave a temporary file behind (never a half-written output):
its name starts with "." and ends in ".tmp", so no reader takes it for a feed, and the next
run's `write_outputs` deletes it.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from aggregator.errors import OutputError
from aggregator.outputs import Output

__all__ = ["remove_temporaries", "write_atomic", "write_outputs"]

# What `write_atomic`'s mkstemp call names its files: "." + the output's name + "." + eight
# random characters + ".tmp"; nothing talkfeed publishes looks like that.
_TEMPORARY = re.compile(r"\..+\.[a-z0-9_]{8}\.tmp")


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


def remove_temporaries(out: Path) -> list[Path]:
    """Delete the temporary files that interrupted writes left under `out`; returns them.

    Only for a process that alone writes to `out` (a run holding the lock): another writer's
    temporary file in use would go too.
    """
    removed = []
    for path in sorted(out.rglob(".*.tmp")):
        if _TEMPORARY.fullmatch(path.name) and path.is_file():
            # One that cannot go is harmless where it is; it must not fail the run.
            with contextlib.suppress(OSError):
                path.unlink()
                removed.append(path)
    return removed


def write_outputs(out: Path, files: Iterable[tuple[str, bytes]]) -> list[str]:
    """Write every (name, bytes) pair (names relative to `out`) as it comes; the sorted names
    of those that changed. Temporary files left by an earlier, interrupted run go first.

    OutputError when the directory cannot be written; files already replaced stay whole.
    """
    remove_temporaries(out)
    with _writing(out):
        return sorted(name for name, data in files if write_atomic(out / name, data))


@contextlib.contextmanager
def _writing(out: Path) -> Iterator[None]:
    """Turn an OSError while writing into `out` into the OutputError a user reads."""
    try:
        yield
    except OSError as exc:
        raise OutputError(
            str(exc.filename or out), f"cannot write: {exc.strerror or exc}"
        ) from None


FINGERPRINTS = ".fingerprints.json"
"""In the output directory, beside the files: each feed's fingerprint when it was written. A dot
file, so `talkfeed serve` never serves it; it goes with the directory it describes."""


def write_changed(out: Path, outputs: Iterable[Output]) -> list[str]:
    """Write the outputs (as `write_outputs` does), rendering only those whose fingerprint
    changed since they were written, or whose file is gone; the sorted names that changed."""
    previous = _read_fingerprints(out)
    # Gone until this run's are written: after a run killed halfway, a file it rewrote could
    # otherwise match an older fingerprint (its talks changed, then changed back) and stay stale.
    with _writing(out), contextlib.suppress(FileNotFoundError):
        (out / FINGERPRINTS).unlink()
    fingerprints: dict[str, str] = {}

    def changed() -> Iterator[tuple[str, bytes]]:
        for output in outputs:
            if output.fingerprint is not None and (
                previous.get(output.name) == output.fingerprint and (out / output.name).is_file()
            ):
                fingerprints[output.name] = output.fingerprint
                continue
            yield output.name, output.render()
            # Only once written: a run that fails halfway renders the rest again next time.
            if output.fingerprint is not None:
                fingerprints[output.name] = output.fingerprint

    written = write_outputs(out, changed())
    data = json.dumps(fingerprints, indent=0, sort_keys=True).encode()
    with _writing(out):
        write_atomic(out / FINGERPRINTS, data)
    return written


def _read_fingerprints(out: Path) -> dict[str, str]:
    try:
        data = json.loads((out / FINGERPRINTS).read_bytes())
    except (OSError, ValueError):
        # Missing or damaged: every file is rendered, which is always right.
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(name): str(value) for name, value in data.items()}
