"""Publishing a run's files: all of them or none, each file whole, unchanged ones untouched.

A run's files (the feeds, changes.atom, feeds.opml, index.html, then health.json) are published
by a `Publication` in two steps:

1. Staging. Each file whose bytes changed is written beside its final name under a temporary
   one (".<name>.<random>.tmp": no reader takes it for a feed, `talkfeed serve` never serves
   it) and flushed to disk. A failure here (a full disk, an I/O error, a path that cannot be
   written) or a kill leaves every published file as it was; the temporary files are removed
   at once, or by the next run after a kill.
2. Swapping. A journal naming every step is flushed to disk, then each temporary file is
   renamed over its final name, the files of feeds no longer produced are removed, then the
   manifest and last health.json take their places; the directories are flushed and the
   journal removed. Renames write no data, so a full disk cannot stop this step halfway; a kill
   can, and the next run first finishes the journal, so the new set is completed, never left
   mixed with the old one.

What a reader sees: every file whole, the old one or the new one. The set changes over within
the swap, which only renames (microseconds a file); a reader that reads health.json first gets
feeds at least as new as it, since it is renamed last. Two files read during the swap itself
can be one new and one old: POSIX cannot rename several files at once.

The manifest (`.fingerprints.json`) lists every file the last publication wrote, with a digest
of its bytes and, for a feed, the fingerprint of what it was rendered from. A file it lists
that a run no longer produces (the feeds of a source taken out of the config) is removed if it
still holds those bytes; anything else in the directory is never touched.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from types import TracebackType
from typing import Any

from aggregator.errors import OutputError
from aggregator.publishing.outputs import Output

__all__ = [
    "FINGERPRINTS",
    "JOURNAL",
    "Publication",
    "write_atomic",
    "write_changed",
    "write_or_remove",
]

_FLUSHERS = 16
"""Threads flushing staged files to disk at once."""
FINGERPRINTS = ".fingerprints.json"
"""The manifest, in the output directory beside the files: each file the last publication
wrote, its digest and its fingerprint. A dot file, so `talkfeed serve` never serves it; it goes
with the directory it describes."""
JOURNAL = ".publishing.json"
"""The steps of a swap under way, in the output directory; present only while one is."""

# What `_write_temporary`'s mkstemp call names its files: "." + the output's name + "." + eight
# random characters + ".tmp"; nothing talkfeed publishes looks like that.
_TEMPORARY = re.compile(r"\..+\.[a-z0-9_]{8}\.tmp")


@dataclass(frozen=True)
class _Entry:
    """A file the manifest lists."""

    digest: str | None
    """BLAKE2b of its bytes; None in a manifest written before digests were kept."""
    fingerprint: str | None = None
    """What its content was rendered from (see `Output`); None for a file rendered every run."""


class Publication:
    """One run's set of files, published together (see the module doc): `stage` them, then
    `commit`. Leaving the `with` block without committing removes what was staged and leaves
    every published file as it was. Only for the one process writing to `out` (a run holding
    the lock): it finishes or removes what an interrupted one left.

    OSError while staging or committing becomes OutputError, naming the file."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self._staged: list[tuple[Path, Path]] = []
        """(temporary file, final path), in the order they were staged."""
        self._manifest: dict[str, _Entry] = {}
        self._written: list[str] = []
        self._previous: dict[str, _Entry] = {}
        self._committed = False

    def __enter__(self) -> Publication:
        with _writing(self.out):
            self.out.mkdir(parents=True, exist_ok=True)
            _finish_swap(self.out)
            _remove_temporaries(self.out)
        self._previous = _read_manifest(self.out)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if not self._committed:
            for temporary, _ in self._staged:
                # One that cannot go is removed by the next run; it must not hide the error.
                with contextlib.suppress(OSError):
                    temporary.unlink(missing_ok=True)

    def stage(self, outputs: Iterable[Output]) -> None:
        """Stage each output whose bytes differ from its published file, rendering only those
        whose fingerprint changed since they were published, or whose file is gone."""
        with _writing(self.out):
            for output in outputs:
                self._stage_output(output)

    def commit(self, last: Iterable[tuple[str, bytes]] = ()) -> list[str]:
        """Publish what was staged, remove the files of outputs no longer staged, then write
        the manifest and, after everything else, the `last` files (health.json: its time says
        when this set was published). The sorted names of the staged outputs that changed."""
        with _writing(self.out):
            removals = self._stale()
            tail = len(self._staged)
            _flush([temporary for temporary, _ in self._staged])
            manifest = {name: vars(entry) for name, entry in sorted(self._manifest.items())}
            self._stage(FINGERPRINTS, json.dumps(manifest, indent=0).encode())
            for name, data in last:
                self._stage(name, data)
            steps: list[list[str]] = [
                ["rename", self._relative(temporary), self._relative(final)]
                for temporary, final in self._staged[:tail]
            ]
            steps += [["remove", name] for name in removals]
            steps += [
                ["rename", self._relative(temporary), self._relative(final)]
                for temporary, final in self._staged[tail:]
            ]
            write_atomic(self.out / JOURNAL, json.dumps(steps).encode())
            self._committed = True
            _finish_swap(self.out)
        return sorted(self._written)

    def _stage_output(self, output: Output) -> None:
        target = self.out / output.name
        previous = self._previous.get(output.name)
        if (
            output.fingerprint is not None
            and previous is not None
            and previous.fingerprint == output.fingerprint
            and target.is_file()
        ):
            # Rendered from the same data as the published file: nothing to render or write.
            digest = previous.digest or _digest(target.read_bytes())
            self._manifest[output.name] = _Entry(digest, output.fingerprint)
            return
        data = output.render()
        self._manifest[output.name] = _Entry(_digest(data), output.fingerprint)
        if self._stage(output.name, data):
            self._written.append(output.name)

    def _stage(self, name: str, data: bytes) -> bool:
        """Write `data` beside `name` under a temporary name; False, writing nothing, when the
        published file already holds exactly `data` (its mtime stays put, so HTTP caches keep
        validating)."""
        target = self.out / name
        if target.is_dir():
            # Found now, not when the rename would fail halfway through the swap.
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(target))
        with contextlib.suppress(FileNotFoundError):
            if target.read_bytes() == data:
                return False
        target.parent.mkdir(parents=True, exist_ok=True)
        # Flushed to disk all together before the swap (`_flush`), not one at a time.
        self._staged.append((_write_temporary(target, data, flush=False), target))
        return True

    def _stale(self) -> list[str]:
        """The files the last publication wrote that this one does not, and that still hold
        what it wrote: a file someone put in their place since is theirs."""
        produced = set(self._manifest)
        stale = []
        for name, entry in sorted(self._previous.items()):
            path = self.out / name
            if name in produced or not _inside(name) or path.is_symlink() or not path.is_file():
                continue
            if entry.digest is None or entry.digest == _digest(path.read_bytes()):
                stale.append(name)
        return stale

    def _relative(self, path: Path) -> str:
        return path.relative_to(self.out).as_posix()


def write_changed(out: Path, outputs: Iterable[Output]) -> list[str]:
    """Publish `outputs` as one set (a `Publication`); the sorted names that changed."""
    with Publication(out) as publication:
        publication.stage(outputs)
        return publication.commit()


def write_atomic(path: Path, data: bytes) -> bool:
    """Replace `path` with `data` in one step (a temporary file, then a rename), so readers see
    the old file or the new one, never half of one. Returns False, writing nothing, when the
    file already holds exactly `data`."""
    with contextlib.suppress(FileNotFoundError):
        if path.read_bytes() == data:
            return False
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = _write_temporary(path, data)
    try:
        temporary.replace(path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return True


def write_or_remove(path: Path, data: bytes) -> bool:
    """Write `path` atomically; when it cannot be written (the disk that just failed a run is
    full), remove the old file instead, so that it never passes for the new one. True when
    written; OutputError when neither can be done."""
    try:
        write_atomic(path, data)
    except OSError:
        with _writing(path):
            path.unlink(missing_ok=True)
        return False
    return True


def _write_temporary(path: Path, data: bytes, flush: bool = True) -> Path:
    """`data` in a new temporary file beside `path`, flushed to disk unless told not to;
    removed on failure. An OSError names `path`, the file the user knows, not the temporary
    one."""
    try:
        fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror, str(path)) from None
    temporary = Path(name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if flush:
                handle.flush()
                os.fsync(handle.fileno())
        temporary.chmod(0o644)
    except BaseException as exc:
        temporary.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise OSError(exc.errno, exc.strerror, str(path)) from None
        raise
    return temporary


def _flush(paths: list[Path]) -> None:
    """Flush the files to disk. Each fsync waits on the disk, not on Python: many at once
    share the device's queue and journal commits, so a run of thousands of files waits for
    a few commits rather than one per file."""
    if not paths:
        return
    with ThreadPoolExecutor(max_workers=min(_FLUSHERS, len(paths))) as pool:
        list(pool.map(_fsync, paths))


def _fsync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _finish_swap(out: Path) -> None:
    """Carry out the steps of a journal left in `out`, if one is, and remove it. Each step is
    done once however often this runs: a rename whose temporary file is gone was done. A step
    that fails is skipped, and then the manifest goes too, so that the next run renders every
    file again instead of trusting fingerprints of files it may not have replaced."""
    journal = out / JOURNAL
    try:
        steps = json.loads(journal.read_bytes())
    except FileNotFoundError:
        return
    except ValueError:
        steps = []  # written atomically, so never half; a damaged one cannot be followed
    failed = False
    directories = {out}
    for step in steps if isinstance(steps, list) else []:
        try:
            directories.add(_apply(out, step).parent)
        except (OSError, ValueError):
            failed = True
    for directory in sorted(directories):
        _sync(directory)
    if failed:
        (out / FINGERPRINTS).unlink(missing_ok=True)
    journal.unlink()
    _sync(out)


def _apply(out: Path, step: Any) -> Path:
    """One step of a journal; the path it changed (or would have)."""
    match step:
        case ["rename", str(temporary), str(name)] if _inside(temporary) and _inside(name):
            if (out / temporary).is_file():
                (out / temporary).replace(out / name)
            return out / name
        case ["remove", str(name)] if _inside(name):
            (out / name).unlink(missing_ok=True)
            return out / name
    raise ValueError(f"not a publishing step: {step!r}")


def _inside(name: str) -> bool:
    """Whether a name from a file we read stays inside the output directory."""
    path = PurePosixPath(name)
    return bool(name) and not path.is_absolute() and ".." not in path.parts


def _sync(directory: Path) -> None:
    """Flush a directory's entries (the renames in it) to disk, where the system allows."""
    try:
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems cannot sync a directory; the renames are made all the same
    finally:
        os.close(fd)


def _remove_temporaries(out: Path) -> None:
    """Delete the temporary files that interrupted publications left under `out`."""
    for path in out.rglob(".*.tmp"):
        if _TEMPORARY.fullmatch(path.name) and path.is_file():
            # One that cannot go is harmless where it is; it must not fail the run.
            with contextlib.suppress(OSError):
                path.unlink()


def _read_manifest(out: Path) -> dict[str, _Entry]:
    try:
        data = json.loads((out / FINGERPRINTS).read_bytes())
    except (OSError, ValueError):
        # Missing or damaged: every file is rendered (always right), and none taken for stale.
        return {}
    if not isinstance(data, dict):
        return {}
    entries = {}
    for name, value in data.items():
        if isinstance(value, dict):
            digest, fingerprint = value.get("digest"), value.get("fingerprint")
            entries[str(name)] = _Entry(
                str(digest) if digest else None, str(fingerprint) if fingerprint else None
            )
        elif isinstance(value, str):
            # Written before the manifest kept digests: only feeds, each with its fingerprint.
            entries[str(name)] = _Entry(None, value)
    return entries


def _digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


@contextlib.contextmanager
def _writing(out: Path) -> Iterator[None]:
    """Turn an OSError while writing into `out` into the OutputError a user reads."""
    try:
        yield
    except OSError as exc:
        raise OutputError(
            str(exc.filename or out), f"cannot write: {exc.strerror or exc}"
        ) from None
