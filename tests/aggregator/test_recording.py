"""`talkfeed record` saves what the site returned; `talkfeed run --replay` runs on exactly that."""

from __future__ import annotations

import json
from pathlib import Path

from aggregator.cli import main
from tests.conftest import LISTING_PATH, FixtureSite


def test_record_then_replay_runs_the_job_offline(
    site: FixtureSite, config_file: Path, tmp_path: Path
) -> None:
    recorded = tmp_path / "recorded"
    urls = [site.listing_url, site.server.url_for(f"{LISTING_PATH}?semester=fall_2026")]
    urls += [
        site.server.url_for(site.detail_path(t))
        for t in (1841, 1849, 1852, 1857, 1861, 1866, 1872, 1875)
    ]
    assert main(["record", *urls, "--to", str(recorded), "--config", str(config_file)]) == 0
    metas = sorted(recorded.glob("*.json"))
    assert len(metas) == len(urls)
    meta = json.loads(metas[0].read_text(encoding="utf-8"))
    assert set(meta) == {"url", "final_url", "status", "headers", "fetched_at"}
    assert meta["status"] == 200
    assert ["content-type", "text/html; charset=utf-8"] in meta["headers"]
    body = metas[0].with_suffix(".body").read_bytes()
    assert body.startswith(b"<!DOCTYPE html>")

    served = len(site.requests)
    out = tmp_path / "replayed"
    code = main(
        [
            "run",
            "--config",
            str(config_file),
            "--replay",
            str(recorded),
            "--out",
            str(out),
            "--quiet",
        ]
    )
    assert code == 0
    assert len(site.requests) == served, "a replayed run sends nothing to the site"
    assert (out / "all.rss").read_text(encoding="utf-8").count("<item>") == 8


def test_record_reports_failures(site: FixtureSite, tmp_path: Path) -> None:
    site.status["/missing/"] = 404
    code = main(["record", site.server.url_for("/missing/"), "--to", str(tmp_path / "r")])
    assert code == 1
    assert list((tmp_path / "r").iterdir()) == []


def test_replay_of_a_missing_folder_is_a_clear_error(config_file: Path, tmp_path: Path) -> None:
    assert main(["run", "--config", str(config_file), "--replay", str(tmp_path / "nope")]) == 2
