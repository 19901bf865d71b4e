"""Tests for the config file: parsing, defaults, paths, and the file:line of every error."""

from __future__ import annotations

import json
from dataclasses import asdict, fields
from importlib.resources import files
from pathlib import Path
from textwrap import dedent

import pytest

from aggregator.config import (
    Config,
    FeedConfig,
    LifecycleSettings,
    LimitSettings,
    MergeConfig,
    PublishSettings,
    SourceConfig,
    load_config,
    parse_config,
)
from aggregator.errors import ConfigError
from aggregator.fetching.fetch import FetchSettings
from scrapers import all_sites
from scrapers.generic.auto import AutoSite

KNOWN = {"nyu-cs-colloquium", "other-site"}
FILE = Path("talkfeed.toml")
ONE_SOURCE = '[[sources]]\nsite = "nyu-cs-colloquium"\n'

FULL = """\
out = "feeds"
db = "/var/lib/talkfeed/talkfeed.db"
base_url = "https://talks.example.edu/feeds"

[fetch]
delay = 2
timeout = 5.5
retries = 0
backoff = 1.25
max_retry_after = 0
user_agent = "talkfeed-test (+mailto:admin@example.edu)"
obey_robots = false

[[sources]]
site = "nyu-cs-colloquium"
url = "https://cs.nyu.edu/dynamic/news/colloquium/"

[[sources]]
site = "other-site"
"""


def write(directory: Path, text: str, name: str = "talkfeed.toml") -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def test_full_config_round_trips_to_dataclasses(tmp_path: Path) -> None:
    path = write(tmp_path, FULL)
    assert load_config(path, KNOWN) == Config(
        out=tmp_path / "feeds",
        db=Path("/var/lib/talkfeed/talkfeed.db"),
        base_url="https://talks.example.edu/feeds/",
        fetch=FetchSettings(
            user_agent="talkfeed-test (+mailto:admin@example.edu)",
            delay=2.0,
            timeout=5.5,
            retries=0,
            backoff=1.25,
            max_retry_after=0.0,
            obey_robots=False,
        ),
        sources=(
            SourceConfig("nyu-cs-colloquium", "https://cs.nyu.edu/dynamic/news/colloquium/"),
            SourceConfig("other-site"),
        ),
        path=path,
    )


def test_numbers_are_floats_even_when_written_as_integers() -> None:
    fetch = parse_config(FULL, KNOWN).fetch
    assert type(fetch.delay) is float
    assert type(fetch.max_retry_after) is float


def test_every_fetch_setting_can_be_set() -> None:
    # Built from FetchSettings itself, so that a new field without a config check fails here.
    changed: dict[str, object] = {}
    for field in fields(FetchSettings):
        default = getattr(FetchSettings(), field.name)
        if isinstance(default, bool):
            changed[field.name] = not default
        elif default == "auto":
            changed[field.name] = 3
        elif isinstance(default, int | float):
            changed[field.name] = default + 1
        else:
            changed[field.name] = f"{default} changed"
    table = "".join(f"{name} = {json.dumps(value)}\n" for name, value in changed.items())
    fetch = parse_config(f"[fetch]\n{table}{ONE_SOURCE}", KNOWN).fetch
    assert asdict(fetch) == changed


def test_defaults_fill_in_missing_keys(tmp_path: Path) -> None:
    path = write(tmp_path, ONE_SOURCE)
    assert load_config(path, KNOWN) == Config(
        out=tmp_path / "public",
        db=tmp_path / "talkfeed.db",
        base_url=None,
        fetch=FetchSettings(),
        sources=(SourceConfig("nyu-cs-colloquium"),),
        path=path,
    )


@pytest.mark.parametrize(("value", "workers"), [('"auto"', "auto"), ("0", 0), ("4", 4)])
def test_parse_workers(value: str, workers: object) -> None:
    config = parse_config(f"[fetch]\nparse_workers = {value}\n{ONE_SOURCE}", KNOWN)
    assert config.fetch.parse_workers == workers


@pytest.mark.parametrize("value", ['"many"', "-1", "1.5", "true"])
def test_parse_workers_is_auto_or_a_count(value: str) -> None:
    with pytest.raises(ConfigError, match="'parse_workers' must be \"auto\" or an integer >= 0"):
        parse_config(f"[fetch]\nparse_workers = {value}\n{ONE_SOURCE}", KNOWN)


def test_empty_fetch_table_means_default_settings() -> None:
    assert parse_config(f"[fetch]\n{ONE_SOURCE}", KNOWN).fetch == FetchSettings()


def test_text_without_a_file_keeps_relative_paths() -> None:
    config = parse_config(ONE_SOURCE, KNOWN)
    assert (config.out, config.db, config.path) == (Path("public"), Path("talkfeed.db"), None)


def test_relative_paths_resolve_against_the_file_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "etc").mkdir()
    write(tmp_path / "etc", f'out = "feeds"\ndb = "../state/talkfeed.db"\n{ONE_SOURCE}')
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    config = load_config(Path("../etc/talkfeed.toml"), KNOWN)
    assert config.out == tmp_path / "etc" / "feeds"
    assert config.db.resolve() == tmp_path / "state" / "talkfeed.db"
    # Absolute, so that a later change of working directory cannot move them.
    assert config.out.is_absolute()
    assert config.db.is_absolute()


def test_home_directory_is_expanded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    config = parse_config(f'out = "~/feeds"\n{ONE_SOURCE}', KNOWN, FILE)
    assert config.out == tmp_path / "home" / "feeds"


def test_base_url_keeps_an_existing_trailing_slash() -> None:
    text = f'base_url = "http://example.org/talks/"\n{ONE_SOURCE}'
    assert parse_config(text, KNOWN).base_url == "http://example.org/talks/"


def test_same_site_with_different_urls_is_allowed() -> None:
    text = f'{ONE_SOURCE}{ONE_SOURCE}url = "https://example.org/other/"\n'
    assert parse_config(text, KNOWN).sources == (
        SourceConfig("nyu-cs-colloquium"),
        SourceConfig("nyu-cs-colloquium", "https://example.org/other/"),
    )


def test_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "talkfeed.toml"
    path.write_bytes(b"\xef\xbb\xbf" + ONE_SOURCE.encode())
    assert load_config(path, KNOWN).sources == (SourceConfig("nyu-cs-colloquium"),)


def test_bundled_default_loads_with_documented_defaults() -> None:
    registered = all_sites()
    config = load_config(None, registered)
    assert (config.out, config.db, config.base_url, config.path) == (
        Path("public"), Path("talkfeed.db"), None, None,
    )  # fmt: skip
    assert config.fetch == FetchSettings()
    assert config.sources[0] == SourceConfig("nyu-cs-colloquium")
    # Only sources whose real pages were seen: NYU's colloquium and the pages of ../shared/real
    # (tests/real/test_bundled_sources.py reads each of them); none of the examples.
    assert [source.site for source in config.sources] == [
        "nyu-cs-colloquium",
        "nyu-cds-mad-seminar",
        "penn-cs-theory-seminar",
        "princeton-philosophy-events",
        "princeton-physics-events",
    ]
    assert all(isinstance(source.declared, AutoSite) for source in config.sources[1:])


def bundled_default() -> str:
    return files("aggregator").joinpath("default.toml").read_text(encoding="utf-8")


def test_bundled_default_explains_every_key() -> None:
    lines = bundled_default().splitlines()
    keys = ["out", "db", "# base_url", "site", "# url"]
    keys += [field.name for field in fields(FetchSettings)]
    for key in keys:
        index = next(i for i, line in enumerate(lines) if line.startswith(f"{key} = "))
        assert lines[index - 1].startswith("# "), f"no comment above {key!r}"


def test_bundled_default_examples_are_valid() -> None:
    text = bundled_default().replace("\n# base_url = ", "\nbase_url = ")
    config = parse_config(text.replace("\n# url = ", "\nurl = "), all_sites())
    assert config.base_url == "https://talks.example.edu/feeds/"
    assert config.sources[0] == SourceConfig(
        "nyu-cs-colloquium", "https://cs.nyu.edu/dynamic/news/colloquium/"
    )


# Each case: TOML text, with "# <-" marking the line the error must point at, and the message.
ERRORS = [
    pytest.param(
        """\
        [fetch]
        delay = 1.0
        dely = 2.0  # <-
        """,
        "unknown key 'dely' in [fetch] (expected one of: backoff, concurrency, delay,"
        " host_failures, max_bytes, max_retry_after, obey_robots, parse_workers, request_deadline,"
        " retries, run_deadline, site_budget, timeout, user_agent)",
        id="unknown-fetch-key",
    ),
    pytest.param(
        """\
        out = "public"
        output = "x"  # <-
        """,
        "unknown key 'output' (expected one of: base_url, db, feeds, fetch, lifecycle, limits, merge, out, publish, sources)",
        id="unknown-top-level-key",
    ),
    pytest.param(
        """\
        [[sources]]
        site = "nyu-cs-colloquium"
        [[sources]]
        site = "other-site"
        start = "https://example.org/"  # <-
        """,
        "unknown key 'start' in [[sources]] #2 (expected one of: site, url)",
        id="unknown-source-key",
    ),
    pytest.param(
        """\
        [[sources]]
        site = "other-site"
        [[sources]]
        site = "nyu-cs"  # <-
        """,
        "unknown site 'nyu-cs' in [[sources]] #2 (known: nyu-cs-colloquium, other-site); a source "
        "without a site module is declared with `kind`, not `site`",
        id="unknown-site",
    ),
    pytest.param(
        """\
        [[sources]]  # <-
        url = "https://example.org/"
        """,
        "missing key 'site' in [[sources]] #1 (known: nyu-cs-colloquium, other-site)",
        id="missing-site",
    ),
    pytest.param(
        """\
        [[sources]]
        site = 3  # <-
        """,
        "'site' must be a site id string, got 3",
        id="site-not-a-string",
    ),
    pytest.param(
        """\
        [[sources]]
        site = "other-site"
        [[sources]]
        site = "nyu-cs-colloquium"
        url = "ftp://x"  # <-
        """,
        "'url' must be an absolute http(s) URL, got \"ftp://x\"",
        id="url-not-http",
    ),
    pytest.param(
        """\
        [[sources]]
        site = "nyu-cs-colloquium"
        url = "/dynamic/news/colloquium/"  # <-
        """,
        "'url' must be an absolute http(s) URL, got \"/dynamic/news/colloquium/\"",
        id="url-relative",
    ),
    pytest.param(
        """\
        [[sources]]
        site = "nyu-cs-colloquium"
        url = "http://[::1"  # <-
        """,
        "'url' must be an absolute http(s) URL (Invalid IPv6 URL), got \"http://[::1\"",
        id="url-unclosed-ipv6-host",
    ),
    pytest.param(
        """\
        [[sources]]
        site = "nyu-cs-colloquium"
        url = "http://cs.nyu.edu:99999/"  # <-
        """,
        "'url' must be an absolute http(s) URL (Port out of range 0-65535), got "
        '"http://cs.nyu.edu:99999/"',
        id="url-port-out-of-range",
    ),
    pytest.param(
        """\
        [[sources]]
        kind = "auto"
        id = "mad"
        name = "MaD"
        url = "http://[::1"  # <-
        timezone = "America/New_York"
        """,
        "'url' must be an absolute http(s) URL in [[sources]] #1",
        id="declared-url-unclosed-ipv6-host",
    ),
    pytest.param(
        """\
        [[sources]]
        kind = "rss"  # <-
        id = "mad"
        """,
        "'kind' must be one of: auto, ical, indico, jsonld, labels, localist, researchseminars, "
        "talks-cam, tribe-events in [[sources]] #1",
        id="unknown-kind-lists-the-kinds-once",
    ),
    pytest.param(
        """\
        [[sources]]
        site = "nyu-cs-colloquium"
        [publish]
        rss_days_back = 100000000  # <-
        """,
        "'rss_days_back' must be an integer from 0 to 36500 (days: up to a hundred years), got "
        "100000000",
        id="days-back-beyond-the-calendar",
    ),
    pytest.param(
        """\
        [[sources]]
        site = "nyu-cs-colloquium"
        [merge]
        tolerance_minutes = 1000000000000000  # <-
        """,
        "'tolerance_minutes' must be an integer from 0 to 1440 (minutes: up to a day), got "
        "1000000000000000",
        id="tolerance-beyond-a-day",
    ),
    pytest.param(
        """\
        [fetch]
        timeout = 3
        delay = "fast"  # <-
        """,
        "'delay' must be a number >= 0, got \"fast\"",
        id="delay-string",
    ),
    pytest.param(
        """\
        [fetch]
        delay = true  # <-
        """,
        "'delay' must be a number >= 0, got true",
        id="delay-bool-is-not-a-number",
    ),
    pytest.param(
        """\
        [fetch]
        backoff = -0.5  # <-
        """,
        "'backoff' must be a number >= 0, got -0.5",
        id="backoff-negative",
    ),
    pytest.param(
        """\
        [fetch]
        max_retry_after = inf  # <-
        """,
        "'max_retry_after' must be a number >= 0, got inf",
        id="infinite",
    ),
    pytest.param(
        """\
        [fetch]
        timeout = 0  # <-
        """,
        "'timeout' must be a number > 0, got 0",
        id="timeout-zero",
    ),
    pytest.param(
        """\
        [fetch]
        retries = 1.5  # <-
        """,
        "'retries' must be an integer >= 0, got 1.5",
        id="retries-float",
    ),
    pytest.param(
        """\
        [fetch]
        retries = false  # <-
        """,
        "'retries' must be an integer >= 0, got false",
        id="retries-bool-is-not-an-integer",
    ),
    pytest.param(
        """\
        [fetch]
        retries = -1  # <-
        """,
        "'retries' must be an integer >= 0, got -1",
        id="retries-negative",
    ),
    pytest.param(
        """\
        [fetch]
        obey_robots = "yes"  # <-
        """,
        "'obey_robots' must be true or false, got \"yes\"",
        id="obey-robots-string",
    ),
    pytest.param(
        """\
        [fetch]
        obey_robots = 1  # <-
        """,
        "'obey_robots' must be true or false, got 1",
        id="obey-robots-number",
    ),
    pytest.param(
        """\
        [fetch]
        concurrency = 0  # <-
        """,
        "'concurrency' must be an integer >= 1, got 0",
        id="concurrency-zero",
    ),
    pytest.param(
        """\
        [fetch]
        user_agent = "talkfeed\\r\\nX-Evil: 1"  # <-
        """,
        "'user_agent' must be a non-empty one-line string, got \"talkfeed\\r\\nX-Evil: 1\"",
        id="user-agent-two-lines",
    ),
    pytest.param(
        """\
        [fetch]
        user_agent = " "  # <-
        """,
        "'user_agent' must be a non-empty one-line string, got \" \"",
        id="user-agent-blank",
    ),
    pytest.param(
        """\
        base_url = "talks.example.edu/feeds/"  # <-
        """,
        "'base_url' must be an absolute http(s) URL, got \"talks.example.edu/feeds/\"",
        id="base-url-no-scheme",
    ),
    pytest.param(
        """\
        base_url = "https://example.edu/feeds?x=1"  # <-
        """,
        "'base_url' must be an absolute http(s) URL without query or fragment,"
        ' got "https://example.edu/feeds?x=1"',
        id="base-url-query",
    ),
    pytest.param(
        """\
        out = "public"
        db = 3  # <-
        """,
        "'db' must be a non-empty string (a file system path), got 3",
        id="db-number",
    ),
    pytest.param(
        """\
        out = ""  # <-
        """,
        "'out' must be a non-empty string (a file system path), got \"\"",
        id="out-empty",
    ),
    pytest.param(
        """\
        out = "~nosuchuser/x"  # <-
        """,
        "'out': no home directory for '~nosuchuser', in \"~nosuchuser/x\"",
        id="out-home-of-no-user",
    ),
    pytest.param(
        """\
        fetch = 3  # <-
        """,
        "'fetch' must be a table ([fetch]), got 3",
        id="fetch-not-a-table",
    ),
    pytest.param(
        """\
        out = "public"
        sources = "nyu-cs-colloquium"  # <-
        """,
        "'sources' must be an array of tables ([[sources]]), got \"nyu-cs-colloquium\"",
        id="sources-string",
    ),
    pytest.param(
        """\
        out = "public"
        [sources]  # <-
        site = "nyu-cs-colloquium"
        """,
        "'sources' must be an array of tables ([[sources]]), got a table",
        id="sources-single-table",
    ),
    pytest.param(
        """\
        sources = [  # <-
            {site = "nyu-cs-colloquium"},
            "other-site",
        ]
        """,
        "'sources' must be an array of tables ([[sources]]), got \"other-site\"",
        id="sources-array-of-strings",
    ),
    pytest.param(
        """\
        out = "public"
        sources = []  # <-
        """,
        "no sources: add a [[sources]] table with the 'site' to scrape",
        id="sources-empty",
    ),
    pytest.param(
        """\
        [[sources]]
        site = "nyu-cs-colloquium"
        [[sources]]
        site = "other-site"
        [[sources]]  # <-
        site = "nyu-cs-colloquium"
        """,
        "[[sources]] #3 repeats #1 (site 'nyu-cs-colloquium', the site's own URL)",
        id="duplicate-source",
    ),
    pytest.param(
        """\
        [[sources]]
        site = "nyu-cs-colloquium"
        url = "https://example.org/a"
        [[sources]]  # <-
        url = "https://example.org/a"
        site = "nyu-cs-colloquium"
        """,
        "[[sources]] #2 repeats #1 (site 'nyu-cs-colloquium', url \"https://example.org/a\")",
        id="duplicate-source-with-url",
    ),
    pytest.param(
        """\
        [fetch]
        delay =   # <-
        """,
        "invalid TOML: Invalid value (column 11)",
        id="toml-syntax",
    ),
    pytest.param(
        """\
        [fetch]
        delay = 1
        [fetch]  # <-
        """,
        "invalid TOML: Cannot declare ('fetch',) twice (column 7)",
        id="toml-table-twice",
    ),
    pytest.param(
        """\
        [fetch]
        delay = [1,  # <-

        """,
        "invalid TOML: Invalid value",
        id="toml-error-at-end-of-document",
    ),
    # The locator must not be fooled by comments, strings and multi-line values.
    pytest.param(
        """\
        # [fetch]
        # dely = 1
        out = "a # [fetch]"
        db = '''
        [fetch]
        dely = "in a string"
        '''
        [fetch]
        user_agent = \"\"\"x\"\"\"
        timeout = [
            [1, 2],
            "]",
        ]
        dely = 1  # <-
        """,
        "unknown key 'dely' in [fetch] (expected one of: backoff, concurrency, delay,"
        " host_failures, max_bytes, max_retry_after, obey_robots, parse_workers, request_deadline,"
        " retries, run_deadline, site_budget, timeout, user_agent)",
        id="locator-skips-comments-and-strings",
    ),
    pytest.param(
        """\
        out = '[x'
        db = "say \\"[hi\\""
        [fetch]
        user_agent = \"\"\"a \\\"\"\" b
        [fetch]
        dely = 2
        \"\"\"
        dely = 1  # <-
        """,
        "unknown key 'dely' in [fetch] (expected one of: backoff, concurrency, delay,"
        " host_failures, max_bytes, max_retry_after, obey_robots, parse_workers, request_deadline,"
        " retries, run_deadline, site_budget, timeout, user_agent)",
        id="locator-escaped-quotes-and-literal-strings",
    ),
    pytest.param(
        """\
        out = \"\"\"tricky ""
        [[sources]]
        site = "not \\" a site"
        x\"\"\"\"  # " [ the fourth quote is in the string
          [ "fetch" ]
        delay = 1
        "dely" = 1  # <-
        """,
        "unknown key 'dely' in [fetch] (expected one of: backoff, concurrency, delay,"
        " host_failures, max_bytes, max_retry_after, obey_robots, parse_workers, request_deadline,"
        " retries, run_deadline, site_budget, timeout, user_agent)",
        id="locator-quoted-and-indented",
    ),
    pytest.param(
        """\
        fetch.delay = 1
        fetch.dely = 2  # <-
        """,
        "unknown key 'dely' in [fetch] (expected one of: backoff, concurrency, delay,"
        " host_failures, max_bytes, max_retry_after, obey_robots, parse_workers, request_deadline,"
        " retries, run_deadline, site_budget, timeout, user_agent)",
        id="locator-dotted-key",
    ),
    pytest.param(
        """\
        out = "public"
        fetch = { delay = 1, dely = 2 }  # <-
        """,
        "unknown key 'dely' in [fetch] (expected one of: backoff, concurrency, delay,"
        " host_failures, max_bytes, max_retry_after, obey_robots, parse_workers, request_deadline,"
        " retries, run_deadline, site_budget, timeout, user_agent)",
        id="locator-inline-table-falls-back-to-its-key",
    ),
    pytest.param(
        """\
        [[sources]]
        site = "nyu-cs-colloquium"
        [sources.extra]  # <-
        x = 1
        [[sources]]
        site = "other-site"
        """,
        "unknown key 'extra' in [[sources]] #1 (expected one of: site, url)",
        id="locator-subtable-of-array-element",
    ),
    pytest.param(
        """\
        [[sources]]
        site = "nyu-cs-colloquium"
        [[sources.links]]  # <-
        href = "https://example.org/"
        """,
        "unknown key 'links' in [[sources]] #1 (expected one of: site, url)",
        id="locator-array-in-array-element",
    ),
]


def expected_line(text: str) -> int:
    [line] = [number for number, line in enumerate(text.split("\n"), 1) if "# <-" in line]
    return line


@pytest.mark.parametrize(("text", "message"), ERRORS)
def test_error_names_file_line_and_problem(text: str, message: str) -> None:
    text = dedent(text)
    with pytest.raises(ConfigError) as raised:
        parse_config(text, KNOWN, FILE)
    line = expected_line(text)
    assert str(raised.value) == f"talkfeed.toml:{line}: {message}"
    assert (raised.value.path, raised.value.line) == ("talkfeed.toml", line)


def test_missing_sources_has_no_line() -> None:
    with pytest.raises(ConfigError) as raised:
        parse_config('out = "public"\n', KNOWN, FILE)
    assert str(raised.value) == (
        "talkfeed.toml: no sources: add a [[sources]] table with the 'site' to scrape"
    )
    assert raised.value.line is None


def test_no_known_sites_says_so() -> None:
    with pytest.raises(ConfigError, match=r"unknown site 'nyu-cs-colloquium' .*\(known: none\)"):
        parse_config(ONE_SOURCE, set(), FILE)


def test_error_without_a_file_is_placed_in_config() -> None:
    with pytest.raises(ConfigError) as raised:
        parse_config(f'{ONE_SOURCE}url = "x"\n', KNOWN)
    assert str(raised.value).startswith("<config>:3: 'url' must be")


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.toml"
    with pytest.raises(ConfigError) as raised:
        load_config(path, KNOWN)
    assert str(raised.value) == f"{path}: cannot read the config file: No such file or directory"
    assert raised.value.line is None


def test_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "talkfeed.toml"
    path.write_bytes(b'out = "public"\n\n[fetch]\nuser_agent = "caf\xe9"\n')
    with pytest.raises(ConfigError) as raised:
        load_config(path, KNOWN)
    assert str(raised.value) == f"{path}:4: the config file is not UTF-8 text"


def test_load_config_reports_errors_with_the_given_path(tmp_path: Path) -> None:
    path = write(tmp_path, f"{ONE_SOURCE}\n[fetch]\ndelay = -1\n")
    with pytest.raises(ConfigError) as raised:
        load_config(path, KNOWN)
    assert str(raised.value) == f"{path}:5: 'delay' must be a number >= 0, got -1"


SHAPED = """\
[publish]
cancel_prefix = "[CANCELLED] "
ttl_minutes = 120
rss_days_back = 14
[lifecycle]
cancel_after = 2
[merge]
tolerance_minutes = 10
title_ratio = 85
together = [["nyu-cs-colloquium:1", "other-site:9"]]
apart = [["nyu-cs-colloquium:2", "other-site:3"]]
[[sources]]
site = "nyu-cs-colloquium"
[[sources]]
site = "other-site"
[[feeds]]
name = "ml-systems"
title = "ML systems talks in New York"
sources = ["nyu-cs-colloquium"]
keywords = ["systems", "GPU"]
exclude = ["thesis defense"]
ical_days_back = 365
"""


def test_publish_lifecycle_merge_and_feeds_sections() -> None:
    config = parse_config(SHAPED, KNOWN)
    assert config.publish == PublishSettings(
        cancel_prefix="[CANCELLED] ", ttl_minutes=120, rss_days_back=14
    )
    assert config.lifecycle == LifecycleSettings(cancel_after=2)
    assert config.merge == MergeConfig(
        tolerance_minutes=10,
        title_ratio=85.0,
        together=(("nyu-cs-colloquium:1", "other-site:9"),),
        apart=(("nyu-cs-colloquium:2", "other-site:3"),),
    )
    assert config.feeds == (
        FeedConfig(
            name="ml-systems",
            title="ML systems talks in New York",
            sources=("nyu-cs-colloquium",),
            keywords=("systems", "GPU"),
            exclude=("thesis defense",),
            ical_days_back=365,
        ),
    )


def test_sections_default_when_absent() -> None:
    config = parse_config('[[sources]]\nsite = "nyu-cs-colloquium"\n', KNOWN)
    assert (config.publish, config.lifecycle, config.merge, config.feeds) == (
        PublishSettings(), LifecycleSettings(), MergeConfig(), (),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('sources = ["nyu-cs-colloquium"]', 'sources = ["nyu-cs"]'), "unknown source 'nyu-cs' in [[feeds]] #1"),
        (('name = "ml-systems"', 'name = "ML Systems"'), "'name' must be lower-case words joined by '-'"),
        (("title_ratio = 85", "title_ratio = 185"), "'title_ratio' must be a number from 0 to 100"),
        (('together = [["nyu-cs-colloquium:1", "other-site:9"]]', 'together = ["a", "b"]'), "'together' must be a list of talk id pairs"),
        (("cancel_after = 2", "cancel_after = 0"), "'cancel_after' must be an integer from 1 to 10000 (runs)"),
        (("ttl_minutes = 120", "ttl_minutes = 1000000000000000"), "'ttl_minutes' must be an integer from 1 to 525600"),
        (("ttl_minutes = 120", "ttl = 120"), "unknown key 'ttl' in [publish]"),
        (('keywords = ["systems", "GPU"]', 'keywords = "GPU"'), "'keywords' must be a list of non-empty strings"),
    ],
)  # fmt: skip
def test_bad_sections_name_the_line(change: tuple[str, str], message: str) -> None:
    text = SHAPED.replace(*change)
    assert text != SHAPED
    with pytest.raises(ConfigError) as caught:
        parse_config(text, KNOWN, Path("talkfeed.toml"))
    line = next(
        n
        for n, row in enumerate(text.splitlines(), 1)
        if row.startswith(change[1].split(" =")[0] + " =")
    )
    assert str(caught.value).startswith(f"talkfeed.toml:{line}: {message}")


def test_limits_section() -> None:
    assert parse_config(ONE_SOURCE, KNOWN).limits == LimitSettings(1000, 30)
    text = f"{ONE_SOURCE}\n[limits]\ntalks_per_source = 200\ntalks_per_day = 12\n"
    assert parse_config(text, KNOWN).limits == LimitSettings(talks_per_source=200, talks_per_day=12)
    # The bundled default documents both, with the values a config without them gets.
    lines = bundled_default().splitlines()
    for field in fields(LimitSettings):
        index = lines.index(f"{field.name} = {getattr(LimitSettings(), field.name)}")
        assert lines[index - 1].startswith("# "), f"no comment above {field.name!r}"


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ("talks_per_day = 0", "'talks_per_day' must be an integer from 1 to 1000 (talks), got 0"),
        ("talks = 5", "unknown key 'talks' in [limits] (expected one of: talks_per_day, talks_per_source)"),
    ],
)  # fmt: skip
def test_bad_limits_name_the_line(table: str, message: str) -> None:
    text = f"{ONE_SOURCE}\n[limits]\n{table}\n"
    line = text.splitlines().index(table) + 1
    with pytest.raises(ConfigError) as caught:
        parse_config(text, KNOWN, Path("talkfeed.toml"))
    assert str(caught.value) == f"talkfeed.toml:{line}: {message}"


def test_a_feed_name_is_used_once() -> None:
    text = SHAPED + '[[feeds]]\nname = "ml-systems"\ntitle = "Again"\n'
    with pytest.raises(ConfigError, match="feed name 'ml-systems' is used twice"):
        parse_config(text, KNOWN)
