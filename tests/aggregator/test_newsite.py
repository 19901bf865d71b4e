"""`talkfeed new-site` end to end: saved pages in, a registered site whose own check passes out."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from aggregator.config import parse_config
from scrapers import all_sites
from tests.conftest import FixtureSite
from tests.fixture_pages import EXAMPLE_FIXTURES, FIXTURES


def talkfeed(*args: str, sites: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TALKFEED_SITES_PATH": str(sites)}
    return subprocess.run(
        [sys.executable, "-m", "aggregator", *args],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip


def mark_reviewed(folder: Path) -> None:
    for path in folder.glob("*.expected.json"):
        content = json.loads(path.read_text(encoding="utf-8"))
        content.pop("reviewed")
        path.write_text(json.dumps(content, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def test_new_site_from_saved_pages(tmp_path: Path) -> None:
    fixtures, sites = tmp_path / "fixtures", tmp_path / "sites"
    sites.mkdir()
    saved = EXAMPLE_FIXTURES / "ttic-talks"
    result = talkfeed(
        "new-site", "example-talks", "https://www.ttic.edu/talks/",
        "--timezone", "America/Chicago", "--name", "Example Talks",
        "--from-file", str(saved / "listing.html"), str(saved / "learning-to-route-packets.html"),
        "--fixtures", str(fixtures), "--sites-dir", str(sites),
        sites=sites,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "kind: labels" in result.stdout
    assert "kind = 'labels'" in result.stdout, "the equivalent config block is printed"

    module = sites / "example_talks.py"
    source = module.read_text(encoding="utf-8")
    assert "class ExampleTalks(LabelPages):" in source
    assert 'talk_url = re.compile(r"/talks/(?P<key>[^/?#]+)/?$")' in source
    assert 'timezone = "America/Chicago"' in source
    lint = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--config", "pyproject.toml", str(module)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert lint.returncode == 0, lint.stdout

    folder = fixtures / "example-talks"
    assert sorted(p.name for p in folder.iterdir()) == [
        "learning-to-route-packets.expected.json", "learning-to-route-packets.html",
        "listing.expected.json", "listing.html", "pages.toml",
    ]  # fmt: skip
    detail = json.loads((folder / "learning-to-route-packets.expected.json").read_text("utf-8"))
    assert detail["reviewed"] is False
    assert detail["title"] == "Learning to Route Packets Without a Map"
    assert detail["start"] == "2026-12-07T11:00:00-06:00"

    unreviewed = talkfeed("check", "example-talks", "--fixtures", str(fixtures), sites=sites)
    assert unreviewed.returncode == 1
    assert "not reviewed yet" in unreviewed.stdout

    mark_reviewed(folder)
    reviewed = talkfeed("check", "example-talks", "--fixtures", str(fixtures), sites=sites)
    assert reviewed.returncode == 0, reviewed.stdout
    assert "2 of 2 pages match" in reviewed.stdout


def test_new_site_from_a_live_site(site: FixtureSite, tmp_path: Path) -> None:
    fixtures, sites = tmp_path / "fixtures", tmp_path / "sites"
    sites.mkdir()
    result = talkfeed(
        "new-site", "nyu-again", site.listing_url, "--timezone", "America/New_York",
        "--fixtures", str(fixtures), "--sites-dir", str(sites),
        sites=sites,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    folder = fixtures / "nyu-again"
    assert (folder / "1857.html").read_text(encoding="utf-8") == site.pages[site.detail_path(1857)]
    assert "/dynamic/news/colloquium/1857/" in (folder / "pages.toml").read_text(encoding="utf-8")
    mark_reviewed(folder)
    assert talkfeed("check", "nyu-again", "--fixtures", str(fixtures), sites=sites).returncode == 0


def test_new_site_refuses_a_taken_id_and_a_bad_zone(tmp_path: Path) -> None:
    taken = talkfeed(
        "new-site", "nyu-cs-colloquium", "https://x.edu/", "--timezone", "UTC", sites=tmp_path
    )
    assert taken.returncode == 2
    assert "already registered" in taken.stderr
    zone = talkfeed(
        "new-site", "fresh-site", "https://x.edu/", "--timezone", "Mars/Base", sites=tmp_path
    )
    assert zone.returncode == 2
    assert "unknown IANA time zone" in zone.stderr


def test_detect_prints_a_config_block_that_loads(tmp_path: Path) -> None:
    saved = FIXTURES / "nyu-cs-colloquium"
    result = talkfeed(
        "detect", str(saved / "listing-spring_2026.html"),
        "--url", "https://cs.nyu.edu/dynamic/news/colloquium/",
        "--talk", str(saved / "1857.html"),
        sites=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("1. kind labels: talk links shaped like ")
    block = result.stdout[result.stdout.index("[[sources]]") :]
    (source,) = parse_config(block, all_sites()).sources
    assert source.declared is not None
    assert source.declared.is_talk("https://cs.nyu.edu/dynamic/news/colloquium/1857/")


def test_detect_says_when_nothing_fits(tmp_path: Path) -> None:
    page = tmp_path / "plain.html"
    page.write_text("<html><body><p>Nothing here</p></body></html>", encoding="utf-8")
    result = talkfeed("detect", str(page), sites=tmp_path)
    assert result.returncode == 1
    assert "no feed, schema.org events, known platform or talk links found" in result.stdout


def test_check_shows_field_differences_and_update_rewrites_them(tmp_path: Path) -> None:
    fixtures = tmp_path / "fixtures"
    shutil.copytree(FIXTURES / "nyu-cs-colloquium", fixtures / "nyu-cs-colloquium")
    expected = fixtures / "nyu-cs-colloquium" / "1857.expected.json"
    record = json.loads(expected.read_text(encoding="utf-8"))
    record["host"] = "Someone Else"
    record["start"] = "2026-03-10T15:00:00-04:00"
    expected.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")

    before = talkfeed("check", "nyu-cs-colloquium", "--fixtures", str(fixtures), sites=tmp_path)
    assert before.returncode == 1
    assert "nyu-cs-colloquium/1857: 2 difference(s)" in before.stdout
    assert "  host: expected 'Someone Else', got 'Aurojit Panda'" in before.stdout
    assert (
        "  start: expected '2026-03-10T15:00:00-04:00', got '2026-03-10T14:00:00-04:00'"
        in before.stdout
    )
    assert "9 of 10 pages match" in before.stdout

    update = ("check", "nyu-cs-colloquium", "--fixtures", str(fixtures), "--update")
    assert talkfeed(*update, sites=tmp_path).returncode == 0
    rewritten = json.loads(expected.read_text(encoding="utf-8"))
    assert rewritten["host"] == "Aurojit Panda"
    assert rewritten["abstract_startswith"].startswith("The rapid evolution of foundation models")
    after = talkfeed("check", "nyu-cs-colloquium", "--fixtures", str(fixtures), sites=tmp_path)
    assert after.returncode == 0
    assert "10 of 10 pages match" in after.stdout


def test_detect_reads_a_live_site(site: FixtureSite, tmp_path: Path) -> None:
    talk = site.server.url_for(site.detail_path(1857))
    result = talkfeed("detect", site.listing_url, "--talk", talk, sites=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("1. kind labels: ")
    assert f"url = '{site.listing_url}'" in result.stdout
    assert "/robots.txt" in site.requests
