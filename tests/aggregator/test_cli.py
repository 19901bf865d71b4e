"""The command line as a user meets it: exit codes, one-line errors, JSON output."""

from __future__ import annotations

import json
import os
import pty
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from aggregator.cli import main
from aggregator.config import load_config
from aggregator.fetching.snapshot import load_snapshot
from aggregator.pipeline import EXIT_CONFIG, EXIT_OUTPUT, run
from aggregator.store.database import Store
from scrapers import all_sites
from tests import test_merging as merging
from tests.conftest import NYU, FixtureSite
from tests.fixture_pages import EXAMPLE_FIXTURES, EXAMPLES, FIXTURES
from tests.outside_programs import require_program

ROOT = Path(__file__).resolve().parents[2]


def talkfeed(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    # Importable from any working directory, as an installed talkfeed is.
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    return subprocess.run(
        [sys.executable, "-m", "aggregator", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": path},
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
    (line,) = unknown.stderr.splitlines()
    assert line.startswith("talkfeed: error: no site or source is called 'no-such-site'; ")
    # Every site and source parse can read, and where the declared ones come from.
    assert "; registered sites (site modules): cam-cl-talks, " in line
    assert "; sources declared in the bundled config (aggregator/default.toml): " in line
    assert "penn-cs-theory-seminar" in line
    missing = talkfeed("parse", "nyu-cs-colloquium", str(tmp_path / "gone.html"))
    assert missing.returncode == EXIT_CONFIG
    assert "cannot read" in missing.stderr
    assert "Traceback" not in missing.stderr + unknown.stderr


def test_parse_reads_a_source_the_config_declares() -> None:
    listing = EXAMPLE_FIXTURES / "ttic-talks" / "listing.html"
    config = EXAMPLES / "talkfeed.toml"
    result = talkfeed("parse", "ttic-talks", str(listing), "--config", str(config))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)
    typo = talkfeed("parse", "ttic-talk", str(listing), "--config", str(config))
    assert typo.returncode == EXIT_CONFIG
    assert f"; sources declared in {config}: ttic-talks; " in typo.stderr


def test_sites_lists_every_registered_site(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sites"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert (
        "nyu-cs-colloquium\tNYU Computer Science Colloquium\thttps://cs.nyu.edu/dynamic/news/colloquium/"
        in lines
    )
    assert len(lines) == len(all_sites())


def test_demo_runs_the_whole_job_offline(tmp_path: Path) -> None:
    result = talkfeed("demo", "--fixtures", str(NYU), "--dir", str(tmp_path / "demo"))
    assert result.returncode == 0, result.stderr
    out = tmp_path / "demo" / "public"
    ics = (out / "all.ics").read_text(encoding="utf-8")
    assert ics.count("BEGIN:VEVENT") == 8
    # The saved site stands in for the real one: records keep the site's real URLs.
    assert "https://cs.nyu.edu/dynamic/news/colloquium/1857/" in ics
    assert "127.0.0.1" not in ics
    # The demo runs as of the day the pages were saved: RSS holds the last 30 days onward.
    rss = (out / "all.rss").read_text(encoding="utf-8")
    assert rss.count("<item>") == 7
    assert "colloquium/1841/" not in rss


def test_the_demo_leaves_a_folder_where_the_other_commands_work(tmp_path: Path) -> None:
    # Outside the checkout, as an installed talkfeed runs: the saved pages ship with it.
    demo = talkfeed("demo", cwd=tmp_path)
    assert demo.returncode == 0, demo.stderr
    lines = demo.stderr.splitlines()
    assert lines[0] == (
        "demo: the saved pages of 1 site (nyu-cs-colloquium), served on 127.0.0.1; running as of"
        " 2026-03-01 09:00 -0500, when they were saved"
    )
    assert "next, in talkfeed-demo/ (its talkfeed.toml is read without --config):" in lines
    # Everything it leaves is in its folder: nothing in the working directory beside it.
    assert [p.name for p in tmp_path.iterdir()] == ["talkfeed-demo"]
    folder = tmp_path / "talkfeed-demo"
    assert sorted(p.name for p in folder.iterdir()) == [
        "public", "replay", "talkfeed.db", "talkfeed.db.lock", "talkfeed.toml",
    ]  # fmt: skip
    # The demo's clock reaches the run: the health report is dated by it.
    health = json.loads((folder / "public" / "health.json").read_text(encoding="utf-8"))
    assert health["started"] == "2026-03-01T09:00:00-05:00"

    status = talkfeed("status", cwd=folder)
    assert status.returncode == 0, status.stderr
    assert status.stdout.splitlines()[1].split()[:3] == ["nyu-cs-colloquium", "ok", "8"]
    history = talkfeed("history", "nyu-cs-colloquium:1857", cwd=folder)
    assert (history.returncode, history.stdout) == (0, "2026-03-01 09:00 -0500  new\n")
    again = talkfeed("run", "--replay", "replay", "--now", "2026-03-02T09:00:00-05:00", cwd=folder)
    assert again.returncode == 0, again.stderr
    assert "talks: 0 new, 0 changed; " in again.stderr
    assert (
        talkfeed("status", cwd=folder)
        .stdout.splitlines()[-1]
        .startswith("run 2026-03-02 09:00 -0500, ")
    )


def test_the_demo_never_overwrites_a_config_it_did_not_write(tmp_path: Path) -> None:
    mine = tmp_path / "talkfeed.toml"
    mine.write_text('[[sources]]\nsite = "nyu-cs-colloquium"\n', encoding="utf-8")
    refused = talkfeed("demo", "--dir", str(tmp_path))
    assert refused.returncode == EXIT_CONFIG
    assert refused.stderr == (
        f"talkfeed: error: {mine} is not a config the demo wrote: choose another folder"
        " (--dir DIR)\n"
    )
    assert mine.read_text(encoding="utf-8") == '[[sources]]\nsite = "nyu-cs-colloquium"\n'
    # Its own config it rewrites: the demo runs again in the same folder.
    folder = tmp_path / "demo"
    assert talkfeed("demo", "--dir", str(folder), "--quiet").returncode == 0
    again = talkfeed("demo", "--dir", str(folder), "--now", "2026-03-02T09:00:00-05:00")
    assert again.returncode == 0, again.stderr
    assert "running as of 2026-03-02 09:00 -0500 (--now)" in again.stderr
    assert "talks: 0 new, 0 changed; " in again.stderr


def test_the_demo_declares_a_bundled_source_it_reads_in_its_config(tmp_path: Path) -> None:
    # A table of talks saved as the page of a source the bundled config declares with `kind`.
    saved = tmp_path / "sites" / "penn-cs-theory-seminar"
    saved.mkdir(parents=True)
    shutil.copy(FIXTURES / "_listings" / "en-us-hugo-table-fall2023.html", saved / "listing.html")
    (saved / "pages.toml").write_text(
        'captured_at = 2023-09-01T09:00:00-04:00\n[pages]\n"listing.html" = '
        '"https://theory.cis.upenn.edu/seminar/"\n',
        encoding="utf-8",
    )
    folder = tmp_path / "demo"
    result = talkfeed("demo", "--fixtures", str(tmp_path / "sites"), "--dir", str(folder))
    assert result.returncode == 0, result.stderr
    config = tomllib.loads((folder / "talkfeed.toml").read_text(encoding="utf-8"))
    bundled = tomllib.loads((ROOT / "aggregator" / "default.toml").read_text(encoding="utf-8"))
    (source,) = config["sources"]
    assert source in bundled["sources"]
    status = talkfeed("status", cwd=folder)
    assert status.stdout.splitlines()[1].split()[:3] == ["penn-cs-theory-seminar", "ok", "10"]


def test_the_shipped_pages_are_the_fixtures() -> None:
    # One copy: the package's folder links to the fixtures, so the demo runs on what is tested.
    shipped = ROOT / "aggregator" / "demo_sites" / "nyu-cs-colloquium"
    assert shipped.is_symlink() and shipped.resolve() == NYU.resolve()
    assert {*load_snapshot(shipped).pages, "pages.toml"} <= {p.name for p in shipped.iterdir()}


def test_the_package_data_holds_every_shipped_page() -> None:
    # What setuptools puts in a wheel: the files its package-data patterns glob.
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = project["tool"]["setuptools"]["package-data"]["aggregator"]
    packaged = {path for pattern in patterns for path in (ROOT / "aggregator").glob(pattern)}
    shipped = {
        Path(folder) / name
        for folder, _, names in os.walk(ROOT / "aggregator" / "demo_sites", followlinks=True)
        for name in names
    }
    assert shipped and shipped <= packaged


def test_gitignore_covers_what_the_commands_leave_in_a_checkout(tmp_path: Path) -> None:
    git = require_program("git", "git")
    shutil.copy(ROOT / ".gitignore", tmp_path / ".gitignore")
    subprocess.run([git, "init", "-q", str(tmp_path)], check=True)
    assert talkfeed("demo", "--quiet", cwd=tmp_path).returncode == 0
    # The bundled config's own store, lock and output, as `talkfeed run` leaves them.
    replay = ("--replay", "talkfeed-demo/replay", "--now", "2026-03-01T09:00:00-05:00")
    assert talkfeed("run", *replay, "--quiet", cwd=tmp_path).returncode == 1
    assert (tmp_path / "talkfeed.db.lock").is_file() and (tmp_path / "public").is_dir()
    status = subprocess.run(
        [git, "status", "--porcelain", "--untracked-files=all"],
        cwd=tmp_path, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert status.stdout == "?? .gitignore\n"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('url = "http://[::1"', "'url' must be an absolute http(s) URL (Invalid IPv6 URL)"),
        ("rss_days_back = 100000000", "'rss_days_back' must be an integer from 0 to 36500"),
        ('out = "~nosuchuser/x"', "'out': no home directory for '~nosuchuser'"),
    ],
)
def test_values_that_broke_a_run_are_one_line_errors(
    tmp_path: Path, line: str, message: str
) -> None:
    table = "[publish]\n" if line.startswith("rss") else ""
    source = '[[sources]]\nsite = "nyu-cs-colloquium"\n'
    text = f"{line}\n{source}" if line.startswith("out") else f"{source}{table}{line}\n"
    config = tmp_path / "talkfeed.toml"
    config.write_text(text, encoding="utf-8")
    result = talkfeed("run", "--config", str(config))
    assert result.returncode == EXIT_CONFIG
    (error,) = result.stderr.splitlines()
    assert error.startswith(f"talkfeed: error: {config}:")
    assert message in error


def test_a_first_run_that_reads_nothing_keeps_nothing(
    site: FixtureSite, config_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site.status["/dynamic/news/colloquium/"] = 500
    assert main(["run", "--config", str(config_file), "--quiet"]) == 1
    first = capsys.readouterr().err
    assert "no listing could be read; none of its talks is published yet" in first
    assert "keeping" not in first
    del site.status["/dynamic/news/colloquium/"]
    assert main(["run", "--config", str(config_file), "--quiet"]) == 0
    site.status["/dynamic/news/colloquium/"] = 500
    assert main(["run", "--config", str(config_file), "--quiet"]) == 1
    assert "no listing could be read; keeping the talks already published" in (
        capsys.readouterr().err
    )


def test_history_says_each_change_once_and_where_a_merged_talk_took_each_field(
    site: FixtureSite, config_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert merging.run(config_file) == 0
    merging.with_courant(site, config_file)
    assert merging.run(config_file, "2026-03-02T09:00:00-05:00") == 0
    # NYU's room changes, but the entry keeps the calendar's: only NYU's own record changed.
    site.edit(site.detail_path(1857), "60 Fifth Avenue 150", "60 Fifth Ave 150")
    site.edit(site.detail_path(1857), "The rapid evolution", "The fast evolution")
    assert merging.run(config_file, "2026-03-03T09:00:00-05:00") == 0
    capsys.readouterr()
    assert main(["history", "nyu-cs-colloquium:1857", "--config", str(config_file)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "from courant-events: end, location"
    assert lines[1].startswith("from nyu-cs-colloquium: abstract, all_day, bio, ")
    assert lines[2:] == [
        "2026-03-01 09:00 -0500  new",
        '2026-03-02 09:00 -0500  changed  end: (none) -> "2026-03-10T15:15:00-04:00"',
        '2026-03-02 09:00 -0500  changed  location: "60 Fifth Avenue 150" -> "60 Fifth Avenue, Room 150"',
        '2026-03-03 09:00 -0500  changed  abstract: "The rapid evolution of foundation models is increasingly b… -> "The fast evolution of foundation models is increasingly bo…',
        '2026-03-03 09:00 -0500  changed  location: "60 Fifth Avenue 150" -> "60 Fifth Ave 150"  (in nyu-cs-colloquium\'s own record only)',
    ]  # fmt: skip
    with Store(config_file.parent / "talkfeed.db") as store:
        (member,) = [m for m, entry in store.cluster_ids().items() if m.startswith("courant-events:") and entry == "nyu-cs-colloquium:1857"]  # fmt: skip
    assert main(["history", member, "--config", str(config_file)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "2026-03-02 09:00 -0500  new",
        "published as part of nyu-cs-colloquium:1857: see `talkfeed history nyu-cs-colloquium:1857`",
    ]


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
