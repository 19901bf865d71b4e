"""Publishing faults through the whole pipeline: a full disk, a path that cannot be written,
and a source taken out of the config. A run that cannot publish its files publishes none of
them, says so in health.json and the runs table, and exits 3; the next run that can publishes
the whole new set."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from aggregator.cli import main
from aggregator.health import HEALTH_FILE
from tests.faults import CALENDAR_ID, CALENDAR_PATH, LATER, NOW, FaultySite, outputs, write_config

RENAMED = "Expander Graphs in Theory"
LAST = "2026-03-01T11:00:00-05:00"


def run(config: Path, now: str) -> int:
    return main(["run", "--config", str(config), "--now", now, "--quiet"])


def rename_a_talk(site: FaultySite) -> None:
    """Give the next run files to write: all.*, the calendar's own feeds, the index."""
    site.edit(CALENDAR_PATH, "Expander Graphs in Practice", RENAMED)


def health(out: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((out / HEALTH_FILE).read_text(encoding="utf-8"))
    return document


def feeds(out: Path) -> dict[str, bytes]:
    """Every file of the output directory but health.json, which every run rewrites."""
    return {name: data for name, data in outputs(out).items() if name != HEALTH_FILE}


def last_run_exit_code(db: Path) -> int:
    with sqlite3.connect(db) as connection:
        (code,) = connection.execute("SELECT exit_code FROM runs ORDER BY id DESC").fetchone()
    connection.close()
    return int(code)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 1 MB file system of its own, to fill up."""
    mount = tmp_path / "disk"
    mount.mkdir()
    try:
        mounted = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)],
            capture_output=True,
            text=True,
            check=False,
        )
    except FileNotFoundError:
        pytest.skip("no mount command to make a small file system to fill")
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs to fill (root only): {mounted.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=True)


def fill(disk: Path, leave: int) -> Path:
    """Fill `disk` until only `leave` bytes are free; the file that fills it."""
    filler = disk / "filler"
    stats = os.statvfs(disk)
    filler.write_bytes(b"\0" * (stats.f_bavail * stats.f_frsize - leave))
    return filler


def on_disk(tmp_path: Path, site: FaultySite, disk: Path) -> Path:
    """The faulty site's config with its output directory on `disk` (the store stays off it)."""
    config = write_config(tmp_path, site)
    text = config.read_text(encoding="utf-8").replace('out = "public"', f'out = "{disk}/public"')
    config.write_text(text, encoding="utf-8")
    return config


def published_then_renamed(
    tmp_path: Path, faulty: FaultySite, disk: Path
) -> tuple[Path, Path, dict[str, bytes]]:
    """A first run published on `disk` (its config, output and feeds), then a talk renamed."""
    config, out = on_disk(tmp_path, faulty, disk), disk / "public"
    assert run(config, NOW) == 0
    before = feeds(out)
    rename_a_talk(faulty)
    return config, out, before


def test_a_full_disk_publishes_nothing_and_says_so_in_health(
    tmp_path: Path,
    faulty: FaultySite,
    small_disk: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    config, out, before = published_then_renamed(tmp_path, faulty, small_disk)
    # Room for health.json, not for the files that changed.
    filler = fill(small_disk, leave=8192)
    capsys.readouterr()

    assert run(config, LATER) == 3

    assert "No space left on device" in capsys.readouterr().err
    assert feeds(out) == before, "not one file of the new set, no temporary file either"
    document = health(out)
    assert (document["started"], document["exit_code"]) == (LATER, 3)
    assert "No space left on device" in document["publish_error"]
    assert [source["status"] for source in document["sources"]] == ["ok", "ok"]
    assert last_run_exit_code(tmp_path / "talkfeed.db") == 3
    assert main(["status", "--config", str(config)]) == 1
    assert "not published (the feeds are the last run's): " in capsys.readouterr().out

    filler.unlink()
    assert run(config, LAST) == 0
    assert RENAMED in (out / "all.rss").read_text(encoding="utf-8")
    assert RENAMED in (out / f"sites/{CALENDAR_ID}.ics").read_text(encoding="utf-8")
    assert health(out)["publish_error"] is None


def test_a_disk_too_full_for_health_json_leaves_no_stale_success(
    tmp_path: Path,
    faulty: FaultySite,
    small_disk: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    config, out, before = published_then_renamed(tmp_path, faulty, small_disk)
    fill(small_disk, leave=0)
    capsys.readouterr()

    assert run(config, LATER) == 3

    assert feeds(out) == before
    # The last run's health.json said "exit code 0": it must not speak for this one.
    assert not (out / HEALTH_FILE).exists()
    assert main(["status", "--config", str(config)]) == 3
    assert "no health report yet" in capsys.readouterr().err
    assert last_run_exit_code(tmp_path / "talkfeed.db") == 3


def test_a_path_that_cannot_be_written_publishes_nothing(
    faulty: FaultySite, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = config.parent / "public"
    assert run(config, NOW) == 0
    blocked = out / "sites" / f"{CALENDAR_ID}.rss"
    blocked.unlink()
    blocked.mkdir()
    before = feeds(out)
    rename_a_talk(faulty)
    capsys.readouterr()

    assert run(config, LATER) == 3

    assert f"{blocked}: cannot write: Is a directory" in capsys.readouterr().err
    assert feeds(out) == before, "all.rss and the rest stay the last run's, like the blocked one"
    document = health(out)
    assert document["exit_code"] == 3
    assert document["publish_error"] == f"{blocked}: cannot write: Is a directory"

    blocked.rmdir()
    assert run(config, LAST) == 0
    assert RENAMED in blocked.read_text(encoding="utf-8")


def test_the_feeds_of_a_source_taken_out_of_the_config_are_removed(
    faulty: FaultySite, config: Path
) -> None:
    out = config.parent / "public"
    assert run(config, NOW) == 0
    gone = [f"sites/{CALENDAR_ID}.{extension}" for extension in ("rss", "atom", "ics")]
    assert all((out / name).is_file() for name in gone)
    # Files the operator keeps beside the feeds.
    theirs = {"robots.txt": b"User-agent: *\n", "sites/README": b"one feed per source\n"}
    for name, data in theirs.items():
        (out / name).write_bytes(data)
    text = config.read_text(encoding="utf-8")
    config.write_text(text[: text.rindex("[[sources]]")], encoding="utf-8")

    assert run(config, LATER) == 0

    assert not any((out / name).exists() for name in gone)
    assert all((out / name).read_bytes() == data for name, data in theirs.items())
    assert (out / "sites" / "nyu-cs-colloquium.ics").is_file()
    assert CALENDAR_ID not in (out / "index.html").read_text(encoding="utf-8")
