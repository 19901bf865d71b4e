"""`talkfeed detect` and `talkfeed new-site` on the ladder: saved pages and pages served on
127.0.0.1 in, the rung that reads them, config blocks that load and fixtures that check out."""

from __future__ import annotations

import html
import io
import json
import os
import shutil
import subprocess
import sys
import tomllib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug.serving import WSGIRequestHandler

from aggregator.cli import main
from aggregator.commands import newsite
from aggregator.commands.fixtures import fixture_pages, mismatches, parse_page
from aggregator.config import parse_config
from aggregator.errors import ConfigError
from scrapers import Page, SiteParser, all_sites
from tests.conftest import FixtureSite
from tests.fixture_pages import EXAMPLE_FIXTURES, EXAMPLES, FIXTURES

NYU = FIXTURES / "nyu-cs-colloquium"
CORNELL = EXAMPLE_FIXTURES / "cornell-cs-events"
VUW = EXAMPLE_FIXTURES / "vuw-ecs-seminars"
NYU_URL = "https://cs.nyu.edu/dynamic/news/colloquium/"
HUGO = FIXTURES / "_listings" / "en-us-hugo-table-fall2023.html"
HUGO_URL = "https://stat.eastbrook.edu/probability-seminar/fall2023/"
SAVED = datetime(2026, 3, 1, 14, 0, tzinfo=UTC)

# A seminar page with its own table of talks that also links the series' iCal feed.
ICAL_PAGE = """<!doctype html>
<html lang="en"><head><title>Operations Research Seminar | Example University</title></head>
<body><main><h1>Operations Research Seminar</h1>
<p><a href="/seminar/term.ics">Subscribe to the seminar calendar (iCal)</a></p>
<table><tr><th>Date</th><th>Speaker</th><th>Title</th></tr>
<tr><td>March 3, 2026, 4:00 PM</td><td>Rosa Delgado (Example State)</td>
<td>Robust Scheduling under Uncertainty</td></tr>
<tr><td>March 17, 2026, 4:00 PM</td><td>Karl Wendt (Example Tech)</td>
<td>Column Generation at Scale</td></tr>
<tr><td>March 31, 2026, 4:00 PM</td><td>Mina Park (Example College)</td>
<td>Queueing Models for Clinics</td></tr>
</table></main></body></html>
"""
# A listing of titles only, whose talks are on "Label: value" pages: no rung reads it.
LABEL_LISTING = """<!doctype html>
<html lang="en"><head><title>Robotics Seminar | Example Institute</title></head>
<body><nav><a href="/">Home</a> <a href="/people/">People</a></nav><main>
<h1>Robotics Seminar</h1>
<ul><li><a href="/seminar/talks/grasping-in-clutter/">Grasping in Clutter</a></li>
<li><a href="/seminar/talks/legged-locomotion/">Legged Locomotion on Rough Terrain</a></li>
<li><a href="/seminar/talks/soft-actuators/">Soft Actuators for Safe Interaction</a></li></ul>
</main></body></html>
"""
LABEL_TALK = """<!doctype html>
<html lang="en"><head><title>Grasping in Clutter | Example Institute</title></head>
<body><main><h1>Grasping in Clutter</h1>
<p><strong>Speaker:</strong> Ana Lindqvist, Example University</p>
<p><strong>Date:</strong> March 12, 2026, 3:00 PM</p>
<p><strong>Location:</strong> Building 4, Room 210</p>
<p><strong>Abstract:</strong> Robots that pick objects from cluttered bins need priors.</p>
</main></body></html>
"""
LOCALIST_PAGE = """<!doctype html>
<html><head><title>Computer Science Events | Example Calendar</title>
<script src="https://cdn.localist.com/assets/application.js"></script></head>
<body><main><h1>Computer Science Events</h1></main></body></html>
"""
NOTHING = "<html><head><title>About us</title></head><body><p>We teach.</p></body></html>"


def talkfeed(*args: str, sites: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TALKFEED_SITES_PATH": str(sites)}
    return subprocess.run(
        [sys.executable, "-m", "aggregator", *args],
        capture_output=True, text=True, env=env, timeout=120, check=False,
        stdin=subprocess.DEVNULL,
    )  # fmt: skip


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def serve(server: HTTPServer, pages: dict[str, tuple[str, str]]) -> None:
    """Answer each path (whatever its query) with its body and media type."""
    server.expect_request("/robots.txt").respond_with_data("User-agent: *\nAllow: /\n")
    for path, (body, media_type) in pages.items():
        server.expect_request(path).respond_with_data(body, content_type=media_type)


def saved(tmp_path: Path, name: str, text: str) -> Path:
    """`text` saved as a page whose file time is SAVED."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    os.utime(path, (SAVED.timestamp(), SAVED.timestamp()))
    return path


def block_of(out: str, kind: str) -> str:
    """The `[[sources]]` block of `kind` that the output prints."""
    start = out.index(f'[[sources]]\nkind = "{kind}"')
    return out[start : out.index("\n\n", start) + 1]


def declared(block: str) -> SiteParser:
    (source,) = parse_config(block, all_sites()).sources
    assert source.declared is not None
    return source.declared


def mark_reviewed(folder: Path) -> None:
    for path in folder.glob("*.expected.json"):
        content = json.loads(path.read_text(encoding="utf-8"))
        content.pop("reviewed")
        path.write_text(json.dumps(content, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def check_declared(config: Path, fixtures: Path, site_id: str) -> None:
    """The fixtures match their (reviewed) expectations when read by the config's source."""
    sources = parse_config(config.read_text(encoding="utf-8"), all_sites(), config).sources
    (site,) = [s.declared for s in sources if s.site == site_id and s.declared is not None]
    pages = fixture_pages(fixtures, site_id)
    assert pages
    for fixture in pages:
        assert mismatches(parse_page(site, fixture.page), fixture.expected()) == []


# detect


def test_detect_names_the_listing_rung_and_prints_an_auto_block_that_reads_the_page(
    capsys: pytest.CaptureFixture[str],
) -> None:
    listing = NYU / "listing-spring_2026.html"
    code, out, _ = run(
        capsys, "detect", str(listing), "--url", NYU_URL, "--timezone", "America/New_York"
    )
    assert code == 0
    assert "iCal feed: the page links none" in out
    assert "platform: no known platform's signature" in out
    assert "read by the listing rung: 6 talk(s)" in out
    block = block_of(out, "auto")
    assert block.splitlines()[1:] == [
        'kind = "auto"', 'id = "cs-nyu-colloquium"', 'name = "Colloquium"', f'url = "{NYU_URL}"',
        'timezone = "America/New_York"',
    ]  # fmt: skip
    source = declared(block)
    links = source.listing(Page(NYU_URL, listing.read_text(encoding="utf-8"), SAVED))
    assert len([link for link in links if link.kind == "talk"]) == 6


def test_detect_fetches_the_ical_feed_a_live_page_links(
    httpserver: HTTPServer, capsys: pytest.CaptureFixture[str]
) -> None:
    feed = (VUW / "seminars.ics").read_text(encoding="utf-8")
    serve(
        httpserver,
        {"/seminar/": (ICAL_PAGE, "text/html"), "/seminar/term.ics": (feed, "text/calendar")},
    )
    url = httpserver.url_for("/seminar/")
    code, out, _ = run(capsys, "detect", url, "--timezone", "Pacific/Auckland")
    assert code == 0
    assert "read by the iCal feed rung: a link to an iCal feed" in out
    assert f"{httpserver.url_for('/seminar/term.ics')}; 3 talk(s)" in out
    assert "listing:" not in out, "the rungs below the one that reads the page are not tried"
    assert declared(block_of(out, "auto")).start_urls == (url,)


def test_detect_names_the_feed_of_a_saved_page_and_climbs_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = saved(tmp_path, "seminar.html", ICAL_PAGE)
    url = "https://or.example.edu/seminar/"
    code, out, _ = run(capsys, "detect", str(page), "--url", url, "--timezone", "America/New_York")
    assert code == 0
    feed = "https://or.example.edu/seminar/term.ics"
    assert f"iCal feed: links {feed}, not fetched from a saved page" in out
    assert "read by the listing rung: 3 talk(s)" in out
    assert "at its URL, an auto source reads it by the iCal feed rung instead: " in out
    assert declared(block_of(out, "auto")).start_urls == (url,)


def test_detect_reads_a_saved_api_answer_and_only_names_its_further_pages(
    capsys: pytest.CaptureFixture[str],
) -> None:
    answer = CORNELL / "events-page-1.json"
    url = "https://events.cornell.edu/api/2/events?group_id=computer_science&days=180&pp=100"
    code, out, _ = run(capsys, "detect", str(answer), "--url", url, "--timezone", "UTC")
    assert code == 0
    assert f"{url}&page=2: not fetched from a saved page" in out
    assert "read by the document rung: a Localist API answer; 4 talk(s)" in out
    assert '[[sources]]\nkind = "localist"' not in out, "an API answer has no platform markup"


def test_detect_on_an_api_platform_prints_its_own_kind_too(
    httpserver: HTTPServer, capsys: pytest.CaptureFixture[str]
) -> None:
    answer = (CORNELL / "events-page-2.json").read_text(encoding="utf-8")
    serve(
        httpserver,
        {
            "/group/cs": (LOCALIST_PAGE, "text/html"),
            "/api/2/events": (answer, "application/json"),
        },
    )
    url = httpserver.url_for("/group/cs")
    code, out, _ = run(capsys, "detect", url, "--timezone", "America/New_York")
    assert code == 0
    assert "read by the platform rung: Localist (Localist calendar markup)" in out
    assert declared(block_of(out, "auto")).start_urls == (url,)
    platform = block_of(out, "localist")
    assert platform.endswith('group = "cs"\n')
    source = declared(platform)
    assert source.entry_urls()[0].startswith(httpserver.url_for("/api/2/events?group_id=cs"))


def test_detect_says_why_nothing_reads_a_page(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = saved(tmp_path, "about.html", NOTHING)
    code, out, _ = run(capsys, "detect", str(page), "--url", "https://x.edu/about/")
    assert code == 1
    for reason in (
        "document: a web page, not a feed or an API answer",
        "schema.org: no Event: none in JSON-LD, microdata or RDFa",
        "iCal feed: the page links none",
        "platform: no known platform's signature",
        "listing: ",
        "talk page: no talk date on the page",
        "labels: no links shaped like talk pages",
        "no source reads this page with no code: see CONTRIBUTING.md",
    ):
        assert reason in out
    assert "[[sources]]" not in out


def test_detect_finds_label_pages_behind_a_listing_nothing_else_reads(
    httpserver: HTTPServer, capsys: pytest.CaptureFixture[str]
) -> None:
    serve(
        httpserver,
        {
            "/seminar/": (LABEL_LISTING, "text/html"),
            "/seminar/talks/grasping-in-clutter/": (LABEL_TALK, "text/html"),
        },
    )
    code, out, _ = run(
        capsys, "detect", httpserver.url_for("/seminar/"), "--timezone", "America/Chicago"
    )
    assert code == 0
    assert "no rung of the ladder reads this page" in out
    talk = httpserver.url_for("/seminar/talks/grasping-in-clutter/")
    assert f"labels: links shaped like /seminar/talks/(?P<key>[^/?#]+)/?$; {talk} reads" in out
    source = declared(block_of(out, "labels"))
    assert source.is_talk(talk)


def test_detect_asks_for_a_talk_page_of_a_saved_label_listing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    listing = saved(tmp_path, "listing.html", LABEL_LISTING)
    url = "https://robots.example.edu/seminar/"
    code, out, _ = run(capsys, "detect", str(listing), "--url", url, "--timezone", "UTC")
    assert code == 1
    assert "give one with --talk to check it" in out
    talk = saved(tmp_path, "talk.html", LABEL_TALK)
    code, out, _ = run(
        capsys, "detect", str(listing), "--url", url, "--talk", str(talk), "--timezone", "UTC"
    )
    assert code == 0
    assert declared(block_of(out, "labels")).key(f"{url}talks/soft-actuators/") == "soft-actuators"


def test_detect_guesses_the_zone_of_a_german_host_and_says_so(
    capsys: pytest.CaptureFixture[str],
) -> None:
    page = FIXTURES / "_listings" / "de-typo3-kolloquium.html"
    url = "https://www.math.uni-lindenau.de/kolloquium/"
    code, out, _ = run(capsys, "detect", str(page), "--url", url)
    assert code == 0
    assert "timezone Europe/Berlin guessed from the host's country (.de): check it" in out
    assert declared(block_of(out, "auto")).timezone == "Europe/Berlin"


def test_detect_never_sets_a_zone_it_cannot_guess(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "detect", str(HUGO), "--url", HUGO_URL)
    assert code == 0
    assert "timezone: none given and none to guess: set it in the block" in out
    block = block_of(out, "auto")
    assert f'timezone = "{newsite.ZONE_PLACEHOLDER}"' in block
    assert "UTC" not in block
    with pytest.raises(ConfigError, match="timezone"):
        parse_config(block, all_sites())


# new-site


def test_new_site_from_a_saved_listing_adds_an_auto_source_and_writes_no_module(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fixtures, sites, config = tmp_path / "fixtures", tmp_path / "sites", tmp_path / "mine.toml"
    sites.mkdir()
    config.write_text('[[sources]]\nsite = "nyu-cs-colloquium"\n', encoding="utf-8")
    listing = saved(tmp_path, "listing.html", HUGO.read_text(encoding="utf-8"))
    code, out, _ = run(
        capsys, "new-site", "eastbrook-probability", HUGO_URL, "--timezone", "America/New_York",
        "--from-file", str(listing), "--config", str(config),
        "--fixtures", str(fixtures), "--sites-dir", str(sites),
    )  # fmt: skip
    assert code == 0
    assert "kind: auto: the ladder's listing rung reads it" in out
    assert list(sites.iterdir()) == [], "a page the ladder reads needs no module"
    assert f"captured_at = 2026-03-01T09:00:00-05:00 ({listing}'s modification time" in out
    assert "add the block\nto aggregator/default.toml too to ship it" in out

    text = config.read_text(encoding="utf-8")
    assert text.startswith('[[sources]]\nsite = "nyu-cs-colloquium"\n\n# ')
    assert text.endswith(
        "[[sources]]\n"
        'kind = "auto"\n'
        'id = "eastbrook-probability"\n'
        'name = "Probability Seminar – Fall 2023"\n'
        f'url = "{HUGO_URL}"\n'
        'timezone = "America/New_York"\n'
    )
    folder = fixtures / "eastbrook-probability"
    assert sorted(p.name for p in folder.iterdir()) == [
        "listing.expected.json", "listing.html", "pages.toml",
    ]  # fmt: skip
    index = tomllib.loads((folder / "pages.toml").read_text(encoding="utf-8"))
    assert index["captured_at"] == SAVED
    assert json.loads((folder / "listing.expected.json").read_text("utf-8"))["reviewed"] is False
    mark_reviewed(folder)
    check_declared(config, fixtures, "eastbrook-probability")
    told = f"then run: talkfeed check eastbrook-probability --fixtures {fixtures} --config {config}"
    assert told in out
    code, out, _ = run(capsys, *told.removeprefix("then run: talkfeed ").split())
    assert (code, out.splitlines()[-1]) == (0, "1 of 1 pages match their expectations")


def test_new_site_adds_an_auto_source_to_the_bundled_config(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    bundled = newsite.BUNDLED_CONFIG
    real = bundled.read_bytes()
    copy = tmp_path / "default.toml"
    copy.write_bytes(real)
    monkeypatch.setattr(newsite, "BUNDLED_CONFIG", copy)
    listing = saved(tmp_path, "listing.html", HUGO.read_text(encoding="utf-8"))
    code, out, _ = run(
        capsys, "new-site", "eastbrook-probability", HUGO_URL, "--timezone", "America/New_York",
        "--from-file", str(listing),
        "--fixtures", str(tmp_path / "fixtures"), "--sites-dir", str(tmp_path),
    )  # fmt: skip
    assert code == 0
    assert f"added the source to {copy}" in out
    assert "aggregator/default.toml too" not in out
    assert bundled.read_bytes() == real
    text = copy.read_text(encoding="utf-8")
    comment = "# Probability Seminar – Fall 2023: read with no site code, by the ladder's listing"
    last, added, feeds = (
        text.index(s) for s in ('id = "princeton-physics-events"', comment, "# Named feeds")
    )
    assert last < added < feeds, "the new source follows the last one, before the feeds"
    mark_reviewed(tmp_path / "fixtures" / "eastbrook-probability")
    check_declared(copy, tmp_path / "fixtures", "eastbrook-probability")


def test_new_site_from_a_live_url_takes_captured_at_from_the_date_header(
    site: FixtureSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent = "Tue, 03 Mar 2026 14:05:00 GMT"
    monkeypatch.setattr(WSGIRequestHandler, "date_time_string", lambda *_: sent)
    fixtures, config = tmp_path / "fixtures", tmp_path / "mine.toml"
    result = talkfeed(
        "new-site", "nyu-again", site.listing_url, "--timezone", "America/New_York",
        "--config", str(config), "--fixtures", str(fixtures), "--sites-dir", str(tmp_path),
        sites=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "captured_at = 2026-03-03T09:05:00-05:00 (from the answer's Date header)" in (
        result.stdout
    )
    folder = fixtures / "nyu-again"
    index = tomllib.loads((folder / "pages.toml").read_text(encoding="utf-8"))
    assert index["captured_at"] == datetime(2026, 3, 3, 14, 5, tzinfo=UTC)
    listing = (folder / "listing.html").read_text(encoding="utf-8")
    assert listing == site.pages["/dynamic/news/colloquium/"]
    assert not (tmp_path / "nyu_again.py").exists()
    mark_reviewed(folder)
    check_declared(config, fixtures, "nyu-again")


def test_new_site_saves_the_ical_feed_a_live_page_leads_to(
    httpserver: HTTPServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    feed = (VUW / "seminars.ics").read_text(encoding="utf-8")
    serve(
        httpserver,
        {"/seminar/": (ICAL_PAGE, "text/html"), "/seminar/term.ics": (feed, "text/calendar")},
    )
    fixtures, config = tmp_path / "fixtures", tmp_path / "mine.toml"
    code, out, _ = run(
        capsys, "new-site", "vuw-again", httpserver.url_for("/seminar/"),
        "--timezone", "Pacific/Auckland", "--config", str(config),
        "--fixtures", str(fixtures), "--sites-dir", str(tmp_path),
    )  # fmt: skip
    assert code == 0
    assert "kind: auto: the ladder's iCal feed rung reads it" in out
    folder = fixtures / "vuw-again"
    assert (folder / "feed.ics").read_text(encoding="utf-8") == feed
    listing = json.loads((folder / "listing.expected.json").read_text("utf-8"))
    assert listing["listings"] == [httpserver.url_for("/seminar/term.ics")]
    assert len(json.loads((folder / "feed.expected.json").read_text("utf-8"))["talks"]) == 3
    mark_reviewed(folder)
    check_declared(config, fixtures, "vuw-again")


def test_new_site_asks_for_the_feed_a_saved_page_leads_to(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = saved(tmp_path, "seminar.html", ICAL_PAGE)
    url = "https://or.example.edu/seminar/"
    arguments = ["new-site", "or-seminar", url, "--timezone", "America/New_York"]
    arguments += ["--config", str(tmp_path / "c.toml"), "--fixtures", str(tmp_path / "f")]
    code, _, err = run(capsys, *arguments, "--from-file", str(page))
    assert code == 2
    assert f"reads {url} through {url}term.ics: save it and pass it as the second" in err
    assert not (tmp_path / "f").exists()
    feed = VUW / "seminars.ics"
    code, _, _ = run(capsys, *arguments, "--from-file", str(page), str(feed))
    assert code == 0
    assert (tmp_path / "f" / "or-seminar" / "feed.ics").read_bytes() == feed.read_bytes()


def test_new_site_writes_the_smallest_module_for_label_pages(tmp_path: Path) -> None:
    fixtures, sites = tmp_path / "fixtures", tmp_path / "sites"
    sites.mkdir()
    listing = saved(tmp_path, "listing.html", LABEL_LISTING)
    talk = saved(tmp_path, "talk.html", LABEL_TALK)
    config = tmp_path / "untouched.toml"
    result = talkfeed(
        "new-site", "example-robotics", "https://robots.example.edu/seminar/",
        "--timezone", "America/Chicago", "--from-file", str(listing), str(talk),
        "--fixtures", str(fixtures), "--sites-dir", str(sites), "--config", str(config),
        sites=sites,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "kind: labels (links shaped like /seminar/talks/(?P<key>[^/?#]+)/?$" in result.stdout
    assert 'kind = "labels"' in result.stdout, "the same source as a config block"
    assert not config.exists(), "a module is the source: no config block is written"
    module = sites / "example_robotics.py"
    source = module.read_text(encoding="utf-8")
    assert source[source.index("@register") :] == (
        "@register\n"
        "class ExampleRobotics(LabelSite):\n"
        '    id = "example-robotics"\n'
        '    name = "Robotics Seminar"\n'
        '    start_urls = ("https://robots.example.edu/seminar/",)\n'
        '    talk_url = re.compile(r"/seminar/talks/(?P<key>[^/?#]+)/?$")\n'
        '    example_urls = ("https://robots.example.edu/seminar/talks/grasping-in-clutter/",)\n'
        '    timezone = "America/Chicago"\n'
    )
    lint = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--config", "pyproject.toml", str(module)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert lint.returncode == 0, lint.stdout

    folder = fixtures / "example-robotics"
    assert sorted(p.name for p in folder.iterdir()) == [
        "grasping-in-clutter.expected.json", "grasping-in-clutter.html",
        "listing.expected.json", "listing.html", "pages.toml",
    ]  # fmt: skip
    detail = json.loads((folder / "grasping-in-clutter.expected.json").read_text("utf-8"))
    assert detail["start"] == "2026-03-12T15:00:00-05:00"
    unreviewed = talkfeed("check", "example-robotics", "--fixtures", str(fixtures), sites=sites)
    assert unreviewed.returncode == 1
    assert "not reviewed yet" in unreviewed.stdout
    mark_reviewed(folder)
    reviewed = talkfeed("check", "example-robotics", "--fixtures", str(fixtures), sites=sites)
    assert reviewed.returncode == 0, reviewed.stdout
    assert "2 of 2 pages match" in reviewed.stdout


def test_a_module_written_from_a_hostile_page_imports_with_the_page_text_intact(
    tmp_path: Path,
) -> None:
    # Every way out of a Python string or docstring a page title could take.
    title = 'Talks """ and \'\'\' of O\'Brien \\ {x} $name\n\u2028 "quoted" \\'
    page = LABEL_LISTING.replace("Robotics Seminar | Example Institute", html.escape(title))
    sites = tmp_path / "sites"
    sites.mkdir()
    result = talkfeed(
        "new-site", "none", "https://robots.example.edu/seminar/", "--timezone", "UTC",
        "--from-file", str(saved(tmp_path, "listing.html", page)),
        str(saved(tmp_path, "talk.html", LABEL_TALK)),
        "--fixtures", str(tmp_path / "fixtures"), "--sites-dir", str(sites),
        sites=sites,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    name = newsite.page_title(Page("https://robots.example.edu/seminar/", page, SAVED))
    assert name is not None and '"""' in name and "\n" in name
    # Imported as every command imports it: the site loads, with the page's text as it was.
    loaded = subprocess.run(
        [sys.executable, "-c", "import json, sys; from scrapers import all_sites; site = "
         "all_sites()['none']; module = sys.modules[type(site).__module__]; "
         "print(json.dumps([site.name, type(site).__name__, module.__doc__]))"],
        capture_output=True, text=True, env={**os.environ, "TALKFEED_SITES_PATH": str(sites)},
        timeout=120, check=False,
    )  # fmt: skip
    assert loaded.stderr == ""
    site_name, class_name, docstring = json.loads(loaded.stdout)
    assert (site_name, class_name) == (name, "SiteNone")
    assert docstring.startswith(f"{name}.\n\nStarts at https://robots.example.edu/seminar/;")


def test_new_site_writes_nothing_for_a_page_nothing_reads(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = saved(tmp_path, "about.html", NOTHING)
    config = tmp_path / "mine.toml"
    config.write_text('[[sources]]\nsite = "nyu-cs-colloquium"\n', encoding="utf-8")
    before = sorted(tmp_path.iterdir())
    code, out, err = run(
        capsys, "new-site", "x-about", "https://x.edu/about/", "--timezone", "UTC",
        "--from-file", str(page), "--config", str(config),
        "--fixtures", str(tmp_path / "fixtures"), "--sites-dir", str(tmp_path),
    )  # fmt: skip
    assert code == 1
    assert "listing: " in out and "labels: no links shaped like talk pages" in out
    assert "nothing written" in err and "CONTRIBUTING.md" in err
    assert sorted(tmp_path.iterdir()) == before
    assert config.read_text(encoding="utf-8") == '[[sources]]\nsite = "nyu-cs-colloquium"\n'


def test_new_site_guesses_a_zone_or_stops_asking_for_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    listing = saved(tmp_path, "listing.html", HUGO.read_text(encoding="utf-8"))
    arguments = ["--from-file", str(listing), "--config", str(tmp_path / "c.toml")]
    arguments += ["--fixtures", str(tmp_path / "f"), "--sites-dir", str(tmp_path)]
    code, _, err = run(capsys, "new-site", "eastbrook-probability", HUGO_URL, *arguments)
    assert code == 2
    assert err == (
        f"talkfeed: error: no --timezone, and none to guess from {HUGO_URL}: pass --timezone "
        "ZONE (an IANA zone such as America/Chicago)\n"
    )
    assert not (tmp_path / "f").exists()
    german = "https://www.stat.uni-lindenau.de/seminar/"
    code, out, _ = run(capsys, "new-site", "lindenau-stat", german, *arguments)
    assert code == 0
    assert "timezone Europe/Berlin guessed from the host's country (.de): check it" in out
    assert 'timezone = "Europe/Berlin"' in (tmp_path / "c.toml").read_text(encoding="utf-8")


def test_new_site_asks_when_the_pages_were_saved_if_nothing_says(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    listing = tmp_path / "listing.html"
    shutil.copy(HUGO, listing)
    os.utime(listing, (1, 1))  # as an archive or a package store leaves it
    arguments = ["new-site", "eastbrook-probability", HUGO_URL, "--timezone", "America/New_York"]
    arguments += ["--from-file", str(listing), "--config", str(tmp_path / "c.toml")]
    arguments += ["--fixtures", str(tmp_path / "f"), "--sites-dir", str(tmp_path)]

    stopped = talkfeed(*arguments, sites=tmp_path)
    assert stopped.returncode == 2
    assert f"cannot tell when {listing} was saved: pass --captured-at ISO" in stopped.stderr
    assert not (tmp_path / "f").exists()

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stdin", Terminal("2023-09-20T11:00:00-04:00\n"))
    code, out, _ = run(capsys, *arguments)
    assert code == 0
    assert "captured_at = 2023-09-20T11:00:00-04:00 (as answered)" in out
    index = (tmp_path / "f" / "eastbrook-probability" / "pages.toml").read_text("utf-8")
    assert index.startswith("captured_at = 2023-09-20T11:00:00-04:00\n")


def test_new_site_reads_a_platform_through_its_api_when_asked(
    httpserver: HTTPServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    answer = (CORNELL / "events-page-2.json").read_text(encoding="utf-8")
    serve(
        httpserver,
        {
            "/calendar": (LOCALIST_PAGE, "text/html"),
            "/api/2/events": (answer, "application/json"),
        },
    )
    config = tmp_path / "mine.toml"
    code, out, _ = run(
        capsys, "new-site", "example-cs-events", httpserver.url_for("/calendar"),
        "--timezone", "America/New_York", "--kind", "localist", "--option", "group=cs",
        "--config", str(config), "--fixtures", str(tmp_path / "f"), "--sites-dir", str(tmp_path),
    )  # fmt: skip
    assert code == 0
    assert "kind: localist (Localist: Localist calendar markup (no group in the URL))" in out
    text = config.read_text(encoding="utf-8")
    assert 'kind = "localist"' in text and text.endswith('group = "cs"\n')
    folder = tmp_path / "f" / "example-cs-events"
    assert (folder / "feed.json").read_text(encoding="utf-8") == answer
    mark_reviewed(folder)
    check_declared(config, tmp_path / "f", "example-cs-events")


def test_new_site_refuses_a_taken_id_and_a_bad_zone(tmp_path: Path) -> None:
    taken = talkfeed(
        "new-site", "nyu-cs-colloquium", "https://x.edu/", "--timezone", "UTC", sites=tmp_path
    )
    assert taken.returncode == 2
    assert "already registered" in taken.stderr
    declared_id = talkfeed("new-site", "penn-cs-theory-seminar", "https://x.edu/", sites=tmp_path)
    assert declared_id.returncode == 2
    assert "already a source in the bundled config" in declared_id.stderr
    zone = talkfeed(
        "new-site", "fresh-site", "https://x.edu/", "--timezone", "Mars/Base",
        "--from-file", str(HUGO), sites=tmp_path,
    )  # fmt: skip
    assert zone.returncode == 2
    assert "not an IANA time zone" in zone.stderr


# check


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


def test_check_reads_pages_by_the_sources_of_a_given_config() -> None:
    check = ("check", "ttic-talks", "--fixtures", str(EXAMPLE_FIXTURES))
    sites = EXAMPLES / "sites"
    bundled = talkfeed(*check, sites=sites)
    assert bundled.returncode == 2
    (line,) = bundled.stderr.splitlines()
    assert line.startswith("talkfeed: error: no site or source is called 'ttic-talks'; ")
    assert "; registered sites (site modules): cam-cl-talks, " in line
    assert "; sources declared in the bundled config (aggregator/default.toml): " in line
    assert "penn-cs-theory-seminar" in line and line.endswith("needs --config FILE")
    # With the config that declares it, the list names it, and where it comes from.
    typo = talkfeed(
        "check", "ttic-talk", "--fixtures", str(EXAMPLE_FIXTURES),
        "--config", str(EXAMPLES / "talkfeed.toml"), sites=sites,
    )  # fmt: skip
    assert typo.returncode == 2
    assert f"; sources declared in {EXAMPLES / 'talkfeed.toml'}: ttic-talks; " in typo.stderr
    everything = talkfeed("check", "--fixtures", str(EXAMPLE_FIXTURES), sites=sites)
    assert everything.returncode == 1
    assert (
        "ttic-talks/listing: 1 difference(s)\n"
        "  no registered site or source of the config is called 'ttic-talks'"
    ) in everything.stdout
    declared = talkfeed(*check, "--config", str(EXAMPLES / "talkfeed.toml"), sites=sites)
    assert declared.returncode == 0, declared.stdout
    assert "ttic-talks/listing: ok" in declared.stdout
    assert "5 of 5 pages match their expectations" in declared.stdout
    broken = talkfeed(*check, "--config", str(sites / "missing.toml"), sites=sites)
    assert broken.returncode == 2
    assert "missing.toml" in broken.stderr and "Traceback" not in broken.stderr
