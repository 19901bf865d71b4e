"""A run killed with SIGKILL (the OOM killer, a reboot, `kill -9` from cron's timeout) must
leave what was published whole and the store sound, and the next run must finish the job."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
from datetime import datetime
from pathlib import Path

from icalendar import Calendar

from aggregator.cli import main
from aggregator.publishing.outputs import Output
from aggregator.publishing.publish import FINGERPRINTS, write_changed
from aggregator.store.lock import lock_path
from tests.conftest import LISTING_PATH
from tests.faults import (
    CALENDAR_PATH,
    LATER,
    NOW,
    FaultySite,
    assert_nothing_lost,
    nyu_uid,
    outputs,
    published,
    stored_talks,
)

TIMEOUT = 30.0
MOVED_TO = datetime.fromisoformat("2026-10-08T14:00:00-04:00")
# What publishing names its temporary files; any other hidden file in the output is a bug.
TEMPORARY = re.compile(r"\..+\.[a-z0-9_]{8}\.tmp")


def talkfeed(config: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "aggregator", "run", "--config", str(config), "--now", LATER],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def kill(process: subprocess.Popen[str]) -> None:
    process.kill()
    process.communicate(timeout=TIMEOUT)
    assert process.returncode == -signal.SIGKILL


def change_the_sites(site: FaultySite) -> None:
    """Give the next run something to write: a talk moves, the calendar renames a talk."""
    for path in (site.detail_path(1875), f"{LISTING_PATH}?semester=fall_2026"):
        site.edit(path, "Oct. 6, 2026, 11:30 a.m.", "Oct. 8, 2026, 2 p.m.")
    site.edit(CALENDAR_PATH, "Expander Graphs in Practice", "Expander Graphs in Theory")


def start_of_1875(out: Path) -> object:
    calendar = Calendar.from_ical((out / "all.ics").read_bytes())
    (event,) = [e for e in calendar.events if str(e.uid) == nyu_uid(1875)]
    return event.start


def hidden_files(out: Path) -> list[str]:
    """Dot files in `out` but the fingerprints, which belong there: what a killed run left."""
    return [p.name for p in out.rglob(".*") if p.name != FINGERPRINTS]


def test_a_run_killed_while_crawling_loses_nothing(faulty: FaultySite, config: Path) -> None:
    out, db = config.parent / "public", config.parent / "talkfeed.db"
    assert main(["run", "--config", str(config), "--now", NOW, "--quiet"]) == 0
    before, feeds_before, talks_before = outputs(out), published(out), stored_talks(db)
    change_the_sites(faulty)
    faulty.stall(faulty.detail_path(1875))

    process = talkfeed(config)
    try:
        assert faulty.stalled.wait(TIMEOUT), "the run never reached the slow page"
        kill(process)
    finally:
        faulty.release()
    # What a kill while a file is written leaves: a hidden, half-written temporary file.
    leftover = out / ".all.ics.k1ll3d_x.tmp"
    leftover.write_bytes(before["all.ics"][:200])

    assert outputs(out) == before | {leftover.name: before["all.ics"][:200]}
    assert published(out) == feeds_before, "a temporary file is never read as a feed"
    assert stored_talks(db) == talks_before
    assert lock_path(db).is_file()

    assert main(["run", "--config", str(config), "--now", LATER, "--quiet"]) == 0
    after = published(out)
    assert_nothing_lost(feeds_before, after)
    assert start_of_1875(out) == MOVED_TO
    assert "Expander Graphs in Theory" in (out / "all.rss").read_text(encoding="utf-8")
    assert hidden_files(out) == []
    assert set(stored_talks(db)) == set(talks_before)


def test_runs_killed_inside_a_transaction_or_a_file_write_leave_everything_whole(
    faulty: FaultySite, config: Path
) -> None:
    out, db = config.parent / "public", config.parent / "talkfeed.db"
    assert main(["run", "--config", str(config), "--now", NOW, "--quiet"]) == 0
    before, talks_before = outputs(out), stored_talks(db)
    change_the_sites(faulty)

    # Just before the COMMIT of the transaction that records this run's talks.
    killed_at("COMMIT", pause(config, "talks", 1))
    assert stored_talks(db) == talks_before, "an uncommitted transaction must leave no trace"
    assert outputs(out) == before

    # Just before the COMMIT of the combined feeds' talks: the talks are in, the files are not.
    killed_at("COMMIT", pause(config, "published", 1))
    moved = json.loads(stored_talks(db)["nyu-cs-colloquium:1875"])
    assert datetime.fromisoformat(moved["start"]) == MOVED_TO
    assert outputs(out) == before

    # While the run's files are staged, one of them written to its temporary name and flushed:
    # not one published file is replaced yet.
    pending: dict[Path, bytes] = {}
    for nth in (2, 3, 4):
        temporary = Path(killed_at(str(out), pause(config, "fsync", nth)))
        assert temporary.is_file() and TEMPORARY.fullmatch(temporary.name)
        pending[temporary] = temporary.read_bytes()
        assert visible(outputs(out)) == visible(before)
        assert set(stored_talks(db)) == set(talks_before)

    assert main(["run", "--config", str(config), "--now", LATER, "--quiet"]) == 0
    final = outputs(out)
    assert start_of_1875(out) == MOVED_TO
    assert hidden_files(out) == [], "the next run removes what killed runs left"
    for temporary, data in pending.items():
        # The pending file was whole: exactly what the next run published under its name.
        name = str(temporary.relative_to(out).with_name(temporary.name[1:].rsplit(".", 2)[0]))
        assert data == final[name]


def visible(files: dict[str, bytes]) -> dict[str, bytes]:
    """The files of a set that are not hidden: what a reader or `talkfeed serve` sees."""
    return {name: data for name, data in files.items() if not TEMPORARY.fullmatch(Path(name).name)}


# Runs `talkfeed ARGS...` and stops it for good, printing where: WHERE "fsync" stops at the
# nth os.fsync (while staging: a file written to its temporary name, none renamed); a table name
# stops at the COMMIT of the nth transaction that writes to that table, before it takes effect
# (SQLite calls the trace callback as a statement starts).
_DRIVER = """
import os, sqlite3, sys, time
from aggregator.cli import main

where, nth = sys.argv[1], int(sys.argv[2])
count = 0
writes = False

def reached(what):
    global count
    count += 1
    if count == nth:
        print(what, flush=True)
        time.sleep(60)

def trace(sql):
    global writes
    if sql.startswith((f"INSERT INTO {where} ", f"UPDATE {where} ")):
        writes = True
    elif sql == "COMMIT":
        if writes:
            reached(sql)
        writes = False

if where != "fsync":
    connect = sqlite3.connect
    def traced(*args, **kwargs):
        connection = connect(*args, **kwargs)
        connection.set_trace_callback(trace)
        return connection
    sqlite3.connect = traced
else:
    fsync = os.fsync
    def paused(fd):
        fsync(fd)
        reached(os.readlink(f"/proc/self/fd/{fd}"))
    os.fsync = paused
raise SystemExit(main(sys.argv[3:]))
"""


def pause(config: Path, where: str, nth: int) -> subprocess.Popen[str]:
    argv = ["run", "--config", str(config), "--now", LATER, "--quiet"]
    return subprocess.Popen(
        [sys.executable, "-c", _DRIVER, where, str(nth), *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def killed_at(expected: str, process: subprocess.Popen[str]) -> str:
    """Wait for the driver to stop, SIGKILL it there; what it stopped at."""
    assert process.stdout is not None
    stopped = process.stdout.readline().strip()
    kill(process)
    assert stopped.startswith(expected), f"the run never stopped at {expected}: {stopped!r}"
    return stopped


def test_only_leftover_temporary_files_are_removed(tmp_path: Path) -> None:
    keep = [".htaccess", "notes.tmp", ".well-known/feed.tmp", "sites/.x.rss.tmp"]
    leftovers = [".all.ics.k1ll3d_x.tmp", "sites/.math-seminar.rss.a1b2c3d4.tmp"]
    for name in keep + leftovers:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")

    assert write_changed(tmp_path, [Output("all.ics", lambda: b"new")]) == ["all.ics"]

    assert sorted(
        str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file()
    ) == sorted([*keep, "all.ics", FINGERPRINTS])
