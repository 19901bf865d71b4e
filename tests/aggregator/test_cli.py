"""The command line as a user meets it: exit codes, one-line errors, JSON output."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from aggregator.cli import main
from aggregator.config import load_config
from aggregator.pipeline import EXIT_CONFIG, EXIT_OUTPUT, run
from scrapers import all_sites
from tests.conftest import NYU, FixtureSite


def talkfeed(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "aggregator", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
        check=False,
    )


def test_bad_config_is_one_line_without_traceback(tmp_path: Path) -> None:
    config = tmp_path / "talkfeed.toml"
    config.write_text('[fetch]\ndelay = 1.0\n\n[[sources]]\nsite = "nyu-cs"\n', encoding="utf-8")
    result = talkfeed("run", "--config", str(config))
    assert result.returncode == EXIT_CONFIG == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"talkfeed: error: {config}:5: ")
    assert "nyu-cs" in lines[0]
    assert not (tmp_path / "public").exists()


def test_missing_config_file(tmp_path: Path) -> None:
    result = talkfeed("run", "--config", str(tmp_path / "nope.toml"))
    assert result.returncode == EXIT_CONFIG
    assert "Traceback" not in result.stderr
    assert "nope.toml" in result.stderr


def test_parse_detail_page_prints_one_record() -> None:
    result = talkfeed("parse", "nyu-cs-colloquium", str(NYU / "1857.html"))
    assert result.returncode == 0, result.stderr
    records = json.loads(result.stdout)
    assert len(records) == 1
    record = records[0]
    assert record["id"] == "nyu-cs-colloquium:1857"
    assert record["url"] == "https://cs.nyu.edu/dynamic/news/colloquium/1857/"
    assert record["start"] == "2026-03-10T14:00:00-04:00"
    assert record["end"] is None
    assert record["speakers"] == [
        {"name": "Qinghao Hu", "affiliation": "Massachusetts Institute of Technology"}
    ]
    for field in ("title", "timezone", "location", "host", "abstract", "bio", "notes", "status"):
        assert field in record


def test_parse_prints_null_for_a_talk_without_a_title(tmp_path: Path) -> None:
    copy = tmp_path / "1857.html"
    html = (NYU / "1857.html").read_text(encoding="utf-8")
    title = "Building Efficient and Scalable Machine Learning Systems</h2>"
    assert title in html
    copy.write_text(html.replace(title, "Title: TBA</h2>"), encoding="utf-8")
    url = "https://cs.nyu.edu/dynamic/news/colloquium/1857/"
    result = talkfeed("parse", "nyu-cs-colloquium", str(copy), "--url", url)
    assert result.returncode == 0, result.stderr
    (record,) = json.loads(result.stdout)
    assert record["title"] is None
    assert record["url"] == url
    assert record["speakers"][0]["name"] == "Qinghao Hu"


def test_parse_with_url_resolves_links_against_it(tmp_path: Path) -> None:
    copy = tmp_path / "listing.html"
    copy.write_bytes((NYU / "listing-spring_2026.html").read_bytes())
    result = talkfeed(
        "parse",
        "nyu-cs-colloquium",
        str(copy),
        "--url",
        "http://mirror.test/dynamic/news/colloquium/",
    )
    assert result.returncode == 0, result.stderr
    urls = [r["url"] for r in json.loads(result.stdout)]
    assert len(urls) == 6
    assert all(u.startswith("http://mirror.test/dynamic/news/colloquium/18") for u in urls)


def test_parse_unknown_site_and_missing_file(tmp_path: Path) -> None:
    unknown = talkfeed("parse", "no-such-site", str(NYU / "1857.html"))
    assert unknown.returncode == EXIT_CONFIG
    assert "unknown site 'no-such-site'" in unknown.stderr
    missing = talkfeed("parse", "nyu-cs-colloquium", str(tmp_path / "gone.html"))
    assert missing.returncode == EXIT_CONFIG
    assert "cannot read" in missing.stderr
    assert "Traceback" not in missing.stderr + unknown.stderr


def test_sites_lists_every_registered_site(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sites"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert (
        "nyu-cs-colloquium\tNYU Computer Science Colloquium\thttps://cs.nyu.edu/dynamic/news/colloquium/"
        in lines
    )
    assert len(lines) == len(all_sites())


def test_demo_runs_the_whole_job_offline(tmp_path: Path) -> None:
    result = talkfeed(
        "demo",
        "--fixtures",
        str(NYU),
        "--out",
        str(tmp_path / "out"),
        "--db",
        str(tmp_path / "d.db"),
    )
    assert result.returncode == 0, result.stderr
    ics = (tmp_path / "out" / "all.ics").read_text(encoding="utf-8")
    assert ics.count("BEGIN:VEVENT") == 8
    # The saved site stands in for the real one: records keep the site's real URLs.
    assert "https://cs.nyu.edu/dynamic/news/colloquium/1857/" in ics
    assert "127.0.0.1" not in ics
    # The demo runs as of the day the pages were saved: RSS holds the last 30 days onward.
    rss = (tmp_path / "out" / "all.rss").read_text(encoding="utf-8")
    assert rss.count("<item>") == 7
    assert "colloquium/1841/" not in rss


def test_run_exit_codes(site: FixtureSite, config_file: Path) -> None:
    assert main(["run", "--config", str(config_file), "--quiet"]) == 0
    site.status["/dynamic/news/colloquium/"] = 500
    assert main(["run", "--config", str(config_file), "--quiet"]) == 1


def test_out_and_db_options_override_the_config(
    site: FixtureSite, config_file: Path, tmp_path: Path
) -> None:
    out, db = tmp_path / "elsewhere", tmp_path / "other.db"
    assert (
        main(["run", "--config", str(config_file), "--out", str(out), "--db", str(db), "--quiet"])
        == 0
    )
    assert (out / "all.ics").is_file()
    assert db.is_file()
    assert not (config_file.parent / "public").exists()


def test_unusable_store_exits_3_before_fetching(
    site: FixtureSite, config_file: Path, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.db"
    broken.write_bytes(b"this is not an SQLite file, just bytes " * 100)
    result = talkfeed("run", "--config", str(config_file), "--db", str(broken))
    assert result.returncode == EXIT_OUTPUT == 3
    assert result.stderr.startswith(f"talkfeed: error: {broken}: not a usable talkfeed store")
    assert "Traceback" not in result.stderr
    assert site.requests == []


def test_unwritable_output_exits_3_and_keeps_the_store_consistent(
    site: FixtureSite, config_file: Path, tmp_path: Path
) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the output directory should be", encoding="utf-8")
    result = talkfeed("run", "--config", str(config_file), "--out", str(blocker))
    assert result.returncode == EXIT_OUTPUT
    assert "cannot write" in result.stderr
    assert "Traceback" not in result.stderr
    # The talks were stored, so the next run with a usable directory publishes all of them.
    out = tmp_path / "out"
    assert main(["run", "--config", str(config_file), "--out", str(out), "--quiet"]) == 0
    assert (out / "all.rss").read_text(encoding="utf-8").count("<item>") == 8


def test_run_reports_each_source_as_it_finishes(site: FixtureSite, config_file: Path) -> None:
    registered = all_sites()
    config = load_config(config_file, registered)
    finished: list[str] = []
    report = run(config, config.parsers(registered), progress=finished.append)
    assert finished == ["nyu-cs-colloquium"]
    assert report.exit_code == 0


def test_a_terminal_gets_a_progress_display(site: FixtureSite, config_file: Path) -> None:
    controller, terminal = pty.openpty()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "aggregator", "run", "--config", str(config_file)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=terminal,
            timeout=120, check=False, env={**os.environ, "COLUMNS": "100"},
        )  # fmt: skip
        os.close(terminal)
        screen = b""
        while chunk := _read(controller):
            screen += chunk
    finally:
        os.close(controller)
    assert done.returncode == 0
    text = screen.decode("utf-8", "replace")
    assert "reading sources" in text or "read nyu-cs-colloquium" in text
    assert "nyu-cs-colloquium: ok: 8 talks" in text


def _read(fd: int) -> bytes:
    try:
        return os.read(fd, 65536)
    except OSError:
        return b""
