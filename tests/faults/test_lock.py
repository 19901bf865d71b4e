"""One run at a time: a second run started while one is going leaves at once, with exit code 4,
and a lock left by a run that died never blocks the next one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from aggregator.cli import main
from aggregator.errors import OutputError
from aggregator.pipeline import EXIT_LOCKED, EXIT_OUTPUT
from aggregator.store.lock import LockedError, lock_path, run_lock
from tests.conftest import NYU
from tests.faults import NOW, NYU_TALKS, FaultySite, nyu_uid, published

TIMEOUT = 30.0


def talkfeed(config: Path, now: str = NOW) -> list[str]:
    return [sys.executable, "-m", "aggregator", "run", "--config", str(config), "--now", now]


def test_a_second_holder_is_refused_and_told_who_holds_it(tmp_path: Path) -> None:
    db = tmp_path / "store" / "talkfeed.db"
    with run_lock(db) as path:
        assert path == tmp_path / "store" / "talkfeed.db.lock" == lock_path(db)
        assert path.read_text() == f"{os.getpid()}\n"
        with pytest.raises(LockedError) as refused, run_lock(db):
            pytest.fail("a second holder got the lock")
    assert refused.value.pid == os.getpid()
    assert refused.value.path == path
    assert f"(pid {os.getpid()}) holds the lock {path}" in str(refused.value)
    # Released: the file stays, naming no one, and the lock can be taken again.
    assert path.read_text() == ""
    with run_lock(db):
        pass


def test_a_lock_file_left_by_a_dead_run_does_not_block(tmp_path: Path) -> None:
    db = tmp_path / "talkfeed.db"
    lock_path(db).write_text("4194303\n")
    with run_lock(db) as path:
        assert path.read_text() == f"{os.getpid()}\n"


def test_the_lock_dies_with_its_holder(tmp_path: Path) -> None:
    db = tmp_path / "talkfeed.db"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\nfrom pathlib import Path\nfrom aggregator.store.lock import run_lock\n"
            f"with run_lock(Path({str(db)!r})):\n    print('locked', flush=True)\n"
            "    time.sleep(60)\n",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline() == "locked\n"
        with pytest.raises(LockedError) as refused, run_lock(db):
            pass
        assert refused.value.pid == holder.pid
    finally:
        holder.kill()
        holder.communicate(timeout=TIMEOUT)
    with run_lock(db):
        pass


def test_two_paths_to_one_store_take_one_lock(tmp_path: Path) -> None:
    store = tmp_path / "store"
    store.mkdir()
    db = store / "talkfeed.db"
    (tmp_path / "linked-file.db").symlink_to(db)
    (tmp_path / "linked-folder").symlink_to(store, target_is_directory=True)
    others = [tmp_path / "linked-file.db", tmp_path / "linked-folder" / "talkfeed.db"]
    with run_lock(db) as path:
        assert path == store / "talkfeed.db.lock"
        for other in others:
            assert lock_path(other) == path
            with pytest.raises(LockedError), run_lock(other):
                pytest.fail(f"{other} ran a second job on the store")
    # Taken through a link, the lock is still the store's own, and keeps its own path out.
    with run_lock(others[0]) as path:
        assert path == store / "talkfeed.db.lock"
        with pytest.raises(LockedError), run_lock(db):
            pytest.fail("the store's own path ran a second job")


def test_an_unusable_lock_file_is_an_output_error(tmp_path: Path) -> None:
    (tmp_path / "not-a-folder").write_text("")
    unusable = pytest.raises(OutputError, match=r"talkfeed\.db\.lock: cannot open the lock file")
    with unusable, run_lock(tmp_path / "not-a-folder" / "talkfeed.db"):
        pytest.fail("locked a file that cannot exist")


def test_run_leaves_at_once_while_another_holds_the_lock(
    faulty: FaultySite, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = config.parent / "talkfeed.db"
    with run_lock(db):
        code = main(["run", "--config", str(config), "--now", NOW])
    assert code == EXIT_LOCKED == 4
    err = capsys.readouterr().err
    assert err == (
        f"talkfeed: another run (pid {os.getpid()}) holds the lock {lock_path(db)};"
        " this run did nothing\n"
    )
    assert faulty.requests == []
    assert not db.exists()
    assert not (config.parent / "public").exists()


def test_demo_takes_the_lock_too(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db, out = tmp_path / "demo.db", tmp_path / "public"
    argv = ["demo", "--dir", str(tmp_path), "--fixtures", str(NYU), "--db", str(db), "--quiet"]
    with run_lock(db):
        assert main(argv) == EXIT_LOCKED
    assert "holds the lock" in capsys.readouterr().err
    assert not out.exists()
    assert not db.exists()


def test_run_with_an_unusable_lock_file_exits_3(
    config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "taken").write_text("")
    db = tmp_path / "taken" / "talkfeed.db"
    assert main(["run", "--config", str(config), "--db", str(db)]) == EXIT_OUTPUT
    assert "talkfeed.db.lock: cannot open the lock file" in capsys.readouterr().err


def test_help_explains_exit_code_4(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "4 another run is still going" in " ".join(capsys.readouterr().out.split())


def test_two_runs_started_at_once(faulty: FaultySite, config: Path) -> None:
    faulty.stall(faulty.detail_path(1875))
    first = subprocess.Popen(
        talkfeed(config), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert faulty.stalled.wait(TIMEOUT), "the first run never reached the slow page"
        second = subprocess.run(
            talkfeed(config), capture_output=True, text=True, timeout=TIMEOUT, check=False
        )
        assert first.poll() is None, "the first run must still be waiting"
    finally:
        faulty.release()
    _, first_err = first.communicate(timeout=TIMEOUT)

    assert second.returncode == EXIT_LOCKED
    lock = lock_path(config.parent / "talkfeed.db")
    assert second.stderr.splitlines() == [
        f"talkfeed: another run (pid {first.pid}) holds the lock {lock}; this run did nothing"
    ]
    assert first.returncode == 0, first_err
    assert published(config.parent / "public").uids("sites/nyu-cs-colloquium.ics") == {
        nyu_uid(talk) for talk in NYU_TALKS
    }
    assert faulty.requests.count(faulty.detail_path(1875)) == 1, "only one run crawled"
