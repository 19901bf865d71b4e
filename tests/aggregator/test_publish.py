"""Publishing, seen from outside: what readers see while a run's files are written, what a
writer killed halfway or a write that fails leaves behind, and which files a run removes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from aggregator.errors import OutputError
from aggregator.publishing.outputs import Output
from aggregator.publishing.publish import FINGERPRINTS, JOURNAL, Publication, write_changed

HEALTH = "health.json"
NAMES = ("all.rss", "all.ics", "changes.atom", "index.html", "sites/a.rss", "sites/b.ics")
WAIT = 60.0
"""Seconds a test waits at most for a writer process: a failure, never a measurement."""
BIG = 1 << 18
"""Bytes of each file a killed writer writes: enough that a kill lands while it writes."""


def constant(data: bytes) -> Callable[[], bytes]:
    return lambda: data


def outputs(files: dict[str, bytes]) -> list[Output]:
    return [Output(name, constant(data)) for name, data in files.items()]


def content(name: str, number: int, lines: int) -> bytes:
    return f"{name} generation {number:06d} of {lines} lines\n".encode() * lines


def generation(number: int, size: int = 4096) -> dict[str, bytes]:
    """A set of files that each say, on every line, which generation they belong to and how
    long they are."""
    return {name: content(name, number, size // 48 + 1) for name in NAMES}


def generation_of(name: str, data: bytes) -> int:
    """Which generation a file is, checking it is whole: every line of that one generation."""
    words = data.split(b"\n", 1)[0].decode().split()
    number, lines = int(words[2]), int(words[4])
    assert data == content(name, number, lines), f"{name} is not whole"
    return number


def publish(out: Path, number: int, size: int = 4096) -> list[str]:
    with Publication(out) as publication:
        publication.stage(outputs(generation(number, size)))
        return publication.commit([(HEALTH, json.dumps({"generation": number}).encode())])


def published(out: Path) -> dict[str, int]:
    """The generation of each published file, every one checked whole."""
    return {name: generation_of(name, (out / name).read_bytes()) for name in NAMES}


def files(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def test_writes_and_reports_changes(tmp_path: Path) -> None:
    assert write_changed(tmp_path, outputs({"a.rss": b"1", "sites/b.ics": b"2"})) == [
        "a.rss",
        "sites/b.ics",
    ]
    assert (tmp_path / "sites" / "b.ics").read_bytes() == b"2"
    assert write_changed(tmp_path, outputs({"a.rss": b"1", "sites/b.ics": b"3"})) == ["sites/b.ics"]


def test_identical_content_is_not_rewritten(tmp_path: Path) -> None:
    write_changed(tmp_path, outputs({"all.rss": b"same"}))
    os.utime(tmp_path / "all.rss", (1_000_000, 1_000_000))
    assert write_changed(tmp_path, outputs({"all.rss": b"same"})) == []
    assert (tmp_path / "all.rss").stat().st_mtime == 1_000_000


# --- Readers and killed writers --------------------------------------------------------------


def test_a_reader_sees_whole_files_never_older_than_the_health_it_read(tmp_path: Path) -> None:
    publish(tmp_path, 0, size=65536)
    done = threading.Event()
    failures: list[BaseException] = []

    def writer() -> None:
        try:
            for number in range(1, 41):
                publish(tmp_path, number, size=65536)
        except BaseException as exc:  # reported by the test, not lost in the thread
            failures.append(exc)
        finally:
            done.set()

    thread = threading.Thread(target=writer)
    thread.start()
    seen: set[int] = set()
    while not done.is_set():
        health = json.loads((tmp_path / HEALTH).read_bytes())["generation"]
        generations = published(tmp_path)
        # health.json is renamed last: every file read after it is at least that new.
        assert min(generations.values()) >= health, (health, generations)
        seen.update(generations.values())
    thread.join()
    assert failures == []
    assert published(tmp_path) == dict.fromkeys(NAMES, 40)
    assert len(seen) > 1, "the reader read while the writer wrote"


# A writer in a process of its own, publishing generation N of big files until it is killed.
_WRITER = """
import sys
from pathlib import Path
from tests.aggregator.test_publish import publish
publish(Path(sys.argv[1]), int(sys.argv[2]), size=int(sys.argv[3]))
"""


def killed_writer(out: Path, number: int, stop_when: Callable[[], bool]) -> None:
    """Start a writer of generation `number` and SIGKILL it once `stop_when()` holds (or
    when it has finished, if it finishes first)."""
    writer = subprocess.Popen(
        [sys.executable, "-c", _WRITER, str(out), str(number), str(BIG)],
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])},
    )
    while writer.poll() is None and not stop_when():
        pass
    writer.send_signal(signal.SIGKILL)
    writer.wait(WAIT)
    assert writer.returncode in (0, -signal.SIGKILL)


def staging(out: Path) -> bool:
    return any(out.rglob(".*.tmp"))


def swapping(out: Path) -> bool:
    return (out / JOURNAL).exists()


@pytest.mark.parametrize("moment", [staging, swapping], ids=["staging", "swapping"])
def test_a_writer_killed_mid_publish_leaves_one_whole_set(
    tmp_path: Path, moment: Callable[[Path], bool]
) -> None:
    publish(tmp_path, 1, size=BIG)
    for number in range(2, 4):
        killed_writer(tmp_path, number, lambda: moment(tmp_path))
        generations = published(tmp_path)  # every file whole, old or new
        if not swapping(tmp_path):
            assert len(set(generations.values())) == 1, generations
        # The next run first finishes what was under way: one set, never a mix.
        with Publication(tmp_path):
            pass
        generations = published(tmp_path)
        assert set(generations.values()) in ({number - 1}, {number}), generations
        health = json.loads((tmp_path / HEALTH).read_bytes())["generation"]
        assert health == generations[NAMES[0]]
        assert sorted(p.name for p in tmp_path.rglob(".*")) == [FINGERPRINTS]
        # Whatever this writer left, the next one starts from a whole set.
        publish(tmp_path, number, size=BIG)


# --- Failures while writing ------------------------------------------------------------------


def test_a_write_that_fails_halfway_publishes_nothing(tmp_path: Path) -> None:
    publish(tmp_path, 1)
    # A file where the new set needs a directory: the files before it are staged, then it fails.
    (tmp_path / "feeds").write_text("not ours")
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in tmp_path.rglob("*") if p.is_file()}

    with pytest.raises(OutputError, match=r"feeds/new\.rss: cannot write: Not a directory"):
        write_changed(tmp_path, outputs({**generation(2), "feeds/new.rss": b"new"}))

    after = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in tmp_path.rglob("*") if p.is_file()}
    assert after == before, "not one file replaced, no temporary file left"
    assert published(tmp_path) == dict.fromkeys(NAMES, 1)


def test_a_directory_in_a_files_place_fails_before_anything_is_replaced(tmp_path: Path) -> None:
    publish(tmp_path, 1)
    (tmp_path / "sites" / "b.ics").unlink()
    (tmp_path / "sites" / "b.ics").mkdir()
    before = files(tmp_path)

    with pytest.raises(OutputError, match=r"sites/b\.ics: cannot write: Is a directory"):
        publish(tmp_path, 2)

    assert files(tmp_path) == before


# --- Files of feeds no longer produced -------------------------------------------------------


def test_files_a_run_no_longer_writes_are_removed_and_no_others(tmp_path: Path) -> None:
    ours = {
        "all.rss": b"all",
        "sites/gone.rss": b"gone",
        "sites/gone.ics": b"gone",
        "sites/kept.rss": b"k",
    }
    write_changed(tmp_path, outputs(ours))
    foreign = {
        ".htaccess": b"x",
        "notes.txt": b"n",
        "sites/old.rss": b"someone's",
        "sites/gone.atom": b"?",
    }
    for name, data in foreign.items():
        (tmp_path / name).write_bytes(data)
    # Someone put their own file in the place of one of ours: it is theirs now.
    (tmp_path / "sites" / "gone.ics").write_bytes(b"This feed has moved.")

    write_changed(tmp_path, outputs({"all.rss": b"all", "sites/kept.rss": b"k"}))

    assert files(tmp_path) == {
        **foreign,
        "all.rss": b"all",
        "sites/kept.rss": b"k",
        "sites/gone.ics": b"This feed has moved.",
        FINGERPRINTS: (tmp_path / FINGERPRINTS).read_bytes(),
    }


def test_feeds_listed_by_an_older_fingerprint_file_are_removed_when_gone(tmp_path: Path) -> None:
    # Before the manifest kept digests, the file held each feed's fingerprint only.
    (tmp_path / "sites").mkdir()
    (tmp_path / "sites" / "gone.rss").write_bytes(b"gone")
    (tmp_path / "all.rss").write_bytes(b"all")
    (tmp_path / FINGERPRINTS).write_text('{"all.rss": "f1", "sites/gone.rss": "f2"}')

    write_changed(tmp_path, [Output("all.rss", constant(b"all"), "f1")])

    assert not (tmp_path / "sites" / "gone.rss").exists()
    assert (tmp_path / "all.rss").read_bytes() == b"all"
