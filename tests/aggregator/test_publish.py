from __future__ import annotations

import os
from pathlib import Path

import pytest

from aggregator.publish import write_atomic, write_outputs


def test_writes_and_reports_changes(tmp_path: Path) -> None:
    assert write_outputs(tmp_path, {"a.rss": b"1", "sites/b.ics": b"2"}.items()) == [
        "a.rss",
        "sites/b.ics",
    ]
    assert (tmp_path / "sites" / "b.ics").read_bytes() == b"2"
    assert write_outputs(tmp_path, {"a.rss": b"1", "sites/b.ics": b"3"}.items()) == ["sites/b.ics"]


def test_identical_content_is_not_rewritten(tmp_path: Path) -> None:
    path = tmp_path / "all.rss"
    write_atomic(path, b"same")
    os.utime(path, (1_000_000, 1_000_000))
    assert write_atomic(path, b"same") is False
    assert path.stat().st_mtime == 1_000_000


def test_failed_write_keeps_the_old_file_and_leaves_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "all.ics"
    write_atomic(path, b"old")

    def broken_replace(self: Path, target: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(Path, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        write_atomic(path, b"new")
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["all.ics"]
