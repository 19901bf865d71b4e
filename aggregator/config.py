"""The talkfeed config file: where feeds go, how to fetch, and which sources to scrape.

The format is TOML; the bundled `default.toml` documents every key. Every problem is reported as a
`ConfigError` naming the file and the line of the offending key.
"""

from __future__ import annotations

import json
import math
import re
import tomllib
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
from importlib.resources import files
from pathlib import Path
from typing import Any, Literal, TypeVar
from urllib.parse import urlsplit

from aggregator.errors import ConfigError
from aggregator.fetching.fetch import FetchSettings
from scrapers import OptionError, SiteParser, all_sites
from scrapers.kinds import build_source

__all__ = [
    "Config",
    "FeedConfig",
    "LifecycleSettings",
    "LimitSettings",
    "MergeConfig",
    "PublishSettings",
    "SourceConfig",
    "bundled_parsers",
    "load_config",
    "parse_config",
    "unknown_source",
]


@dataclass(frozen=True)
class SourceConfig:
    """One source to scrape: a registered site, or one declared in the file with `kind`."""

    site: str
    """A registered site id, or the `id` of a declared source."""
    url: str | None = None
    """Overrides a registered site's start URL (an absolute http(s) URL)."""
    declared: SiteParser | None = field(default=None, compare=False)
    """The parser of a source declared with `kind`; None for a registered site."""


@dataclass(frozen=True)
class PublishSettings:
    """How the feeds are written; every default lives here."""

    cancel_prefix: str = "CANCELLED: "
    """Put before a cancelled talk's title (some calendar apps ignore STATUS alone)."""
    postpone_prefix: str = "POSTPONED: "
    ttl_minutes: int = 60
    """How often feed readers and calendars should refresh (RSS ttl, iCal REFRESH-INTERVAL)."""
    rss_days_back: int = 30
    """RSS and Atom hold talks from this many days ago onward."""
    ical_days_back: int = 180
    """iCal holds talks from this many days ago onward."""
    changes_days: int = 30
    """changes.atom lists the changes of this many days."""


@dataclass(frozen=True)
class LifecycleSettings:
    """What happens to talks a working source stops listing."""

    cancel_after: int = 3
    """Runs without an upcoming talk before it counts as cancelled (tentative until then)."""


@dataclass(frozen=True)
class LimitSettings:
    """How many talks one source may give in a run: a feed that recurs every hour, or a page
    that lists thousands, is cut down to what a seminar could hold instead of filling the
    store and the feeds."""

    talks_per_source: int = 1000
    """The most talks kept of one source, the nearest to the run first (upcoming ones from the
    next on, then past ones from the last back)."""
    talks_per_day: int = 30
    """The most talks kept of one source on one day (in each talk's own time zone), the
    nearest to the run first."""


@dataclass(frozen=True)
class MergeConfig:
    """Merging the same talk from several sources, and the operator's overrides."""

    tolerance_minutes: int = 15
    """Start times this close can be the same talk."""
    title_ratio: float = 90.0
    """How similar (0-100) two titles must be to count as the same talk."""
    together: tuple[tuple[str, str], ...] = ()
    """Pairs of talk ids that are the same talk, whatever they look like."""
    apart: tuple[tuple[str, str], ...] = ()
    """Pairs of talk ids that are different talks, however alike."""


@dataclass(frozen=True)
class FeedConfig:
    """A named feed: `feeds/<name>.rss|.atom|.ics`, filtered the same way in every format."""

    name: str
    title: str
    sources: tuple[str, ...] = ()
    """Only talks listed by one of these sources (all sources when empty)."""
    keywords: tuple[str, ...] = ()
    """Only talks whose title, abstract or speakers mention one of these (all when empty)."""
    exclude: tuple[str, ...] = ()
    """No talks whose title, abstract or speakers mention one of these."""
    rss_days_back: int | None = None
    """Overrides [publish] rss_days_back for this feed."""
    ical_days_back: int | None = None
    """Overrides [publish] ical_days_back for this feed."""


@dataclass(frozen=True)
class Config:
    """A validated config file."""

    out: Path
    """Output directory for the feeds."""
    db: Path
    """The SQLite store file."""
    base_url: str | None
    """Public URL where `out` is served, ending with "/"; None when not configured."""
    fetch: FetchSettings
    """How to talk to web servers."""
    sources: tuple[SourceConfig, ...]
    """The sites to scrape, in file order; never empty."""
    path: Path | None
    """The file the config came from; None for the bundled default."""
    publish: PublishSettings = PublishSettings()
    lifecycle: LifecycleSettings = LifecycleSettings()
    limits: LimitSettings = LimitSettings()
    merge: MergeConfig = MergeConfig()
    feeds: tuple[FeedConfig, ...] = ()

    def parsers(self, registered: Mapping[str, SiteParser]) -> dict[str, SiteParser]:
        """Every parser a run needs, by source id: the registered sites and declared sources."""
        declared = {s.site: s.declared for s in self.sources if s.declared is not None}
        return {**registered, **declared}


def load_config(path: Path | None, known_sites: Collection[str]) -> Config:
    """Read and validate the config file at `path`, or the bundled default when `path` is None."""
    if path is None:
        text = files("aggregator").joinpath("default.toml").read_text(encoding="utf-8")
        return parse_config(text, known_sites)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read the config file: {exc.strerror}", str(path)) from None
    try:
        # utf-8-sig: some editors put a byte order mark in front of UTF-8 text.
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ConfigError("the config file is not UTF-8 text", str(path), line) from None
    return parse_config(text, known_sites, path)


def bundled_parsers() -> dict[str, SiteParser]:
    """The registered sites plus the sources the bundled default declares with `kind`."""
    registered = all_sites()
    return load_config(None, registered).parsers(registered)


def unknown_source(site_id: str, config: Config, registered: Collection[str]) -> str:
    """Why no site or source of `config` is called `site_id`: every one that is, and where each
    comes from, in one line."""
    declared = sorted(s.site for s in config.sources if s.declared is not None)
    where = config.path or "the bundled config (aggregator/default.toml)"
    return (
        f"no site or source is called {site_id!r}; registered sites (site modules): "
        f"{', '.join(sorted(registered)) or 'none'}; sources declared in {where}: "
        f"{', '.join(declared) or 'none'}; a source another config declares needs --config FILE"
    )


def parse_config(text: str, known_sites: Collection[str], path: Path | None = None) -> Config:
    """Validate TOML `text`; relative paths resolve against the directory of `path` if given."""
    return _Parser(text, known_sites, path).config()


_TOP_KEYS = (
    "out", "db", "base_url", "fetch", "sources", "publish", "lifecycle", "limits", "merge", "feeds",
)  # fmt: skip
_FEED_KEYS = ("name", "title", "sources", "keywords", "exclude", "rss_days_back", "ical_days_back")
_FEED_NAME = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_SOURCE_KEYS = ("site", "url")
_TOML_ERROR_AT = re.compile(r" \(at line (\d+), column (\d+)\)$")
_TOML_ERROR_AT_END = " (at end of document)"

_T = TypeVar("_T")

_Key = tuple[str | int, ...]
"""A path to a value: table and key names, with the 0-based index of an array-of-tables element."""


class _BadValueError(Exception):
    """A value is not what its key expects; the message completes "'key' must be ..."."""


def _number(minimum: float, *, inclusive: bool = True) -> Callable[[object], float]:
    expected = f"a number {'>=' if inclusive else '>'} {minimum:g}"

    def check(value: object) -> float:
        # bool is a subclass of int, but `delay = true` is surely a mistake.
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _BadValueError(expected)
        in_range = value >= minimum if inclusive else value > minimum
        if not (in_range and math.isfinite(value)):
            raise _BadValueError(expected)
        return float(value)

    return check


def _count(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _BadValueError("an integer >= 0")
    return value


def _at_most(maximum: int, unit: str, minimum: int = 0) -> Callable[[object], int]:
    # Days and minutes become time spans and dates, which overflow long before integers do.
    expected = f"an integer from {minimum} to {maximum} ({unit})"

    def check(value: object) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise _BadValueError(expected)
        if not minimum <= value <= maximum:
            raise _BadValueError(expected)
        return value

    return check


_DAYS = _at_most(36_500, "days: up to a hundred years")


def _flag(value: object) -> bool:
    if not isinstance(value, bool):
        raise _BadValueError("true or false")
    return value


def _one_line(value: object) -> str:
    # The User-Agent goes into an HTTP header, where a line break is invalid.
    if not isinstance(value, str) or not value.strip() or value.splitlines() != [value]:
        raise _BadValueError("a non-empty one-line string")
    return value


def _http_url(value: object) -> str:
    if isinstance(value, str):
        try:
            parts = urlsplit(value)
            _ = parts.port  # read only to be checked: urlsplit itself lets ":99999" pass
        except ValueError as exc:
            raise _BadValueError(f"an absolute http(s) URL ({exc})") from None
        if parts.scheme in ("http", "https") and parts.hostname:
            return value
    raise _BadValueError("an absolute http(s) URL")


def _base_url(value: object) -> str:
    url = _http_url(value)
    parts = urlsplit(url)
    if parts.query or parts.fragment:
        raise _BadValueError("an absolute http(s) URL without query or fragment")
    # Feed URLs are built by appending file names, which needs the trailing slash.
    return url if url.endswith("/") else url + "/"


def _path_text(value: object) -> str:
    if not isinstance(value, str) or not value.strip() or "\0" in value:
        raise _BadValueError("a non-empty string (a file system path)")
    return value


def _words(value: object) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise _BadValueError("a list of non-empty strings")
    return tuple(v.strip() for v in value)


def _feed_name(value: object) -> str:
    if not isinstance(value, str) or not _FEED_NAME.match(value):
        raise _BadValueError("lower-case words joined by '-' (it becomes a file name)")
    return value


def _prefix(value: object) -> str:
    if not isinstance(value, str) or "\n" in value:
        raise _BadValueError("a one-line string (it may be empty)")
    return value


def _pairs(value: object) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, list) or not all(
        isinstance(pair, list) and len(pair) == 2 and all(isinstance(i, str) for i in pair)
        for pair in value
    ):
        raise _BadValueError('a list of talk id pairs, e.g. [["site-a:12", "site-b:7"]]')
    return tuple((str(pair[0]), str(pair[1])) for pair in value)


def _ratio(value: object) -> float:
    number = _number(0)(value)
    if number > 100:
        raise _BadValueError("a number from 0 to 100")
    return number


def _workers(value: object) -> int | Literal["auto"]:
    if value == "auto":
        return "auto"
    try:
        return _count(value)
    except _BadValueError:
        raise _BadValueError('"auto" or an integer >= 0') from None


def _positive(value: object) -> int:
    count = _count(value)
    if count == 0:
        raise _BadValueError("an integer >= 1")
    return count


_FETCH_CHECKS: dict[str, Callable[[object], object]] = {
    "user_agent": _one_line,
    "delay": _number(0),
    "timeout": _number(0, inclusive=False),
    "request_deadline": _number(0, inclusive=False),
    "retries": _count,
    "backoff": _number(0),
    "max_retry_after": _number(0),
    "obey_robots": _flag,
    "site_budget": _number(0, inclusive=False),
    "run_deadline": _number(0, inclusive=False),
    "max_bytes": _positive,
    "concurrency": _positive,
    "host_failures": _count,
    "parse_workers": _workers,
}


_PUBLISH_CHECKS: dict[str, Callable[[object], object]] = {
    "cancel_prefix": _prefix,
    "postpone_prefix": _prefix,
    "ttl_minutes": _at_most(525_600, "minutes: up to a year", minimum=1),
    "rss_days_back": _DAYS,
    "ical_days_back": _DAYS,
    "changes_days": _at_most(36_500, "days: up to a hundred years", minimum=1),
}
_LIFECYCLE_CHECKS: dict[str, Callable[[object], object]] = {
    "cancel_after": _at_most(10_000, "runs", minimum=1)
}
_LIMIT_CHECKS: dict[str, Callable[[object], object]] = {
    "talks_per_source": _at_most(100_000, "talks", minimum=1),
    "talks_per_day": _at_most(1_000, "talks", minimum=1),
}
_MERGE_CHECKS: dict[str, Callable[[object], object]] = {
    "tolerance_minutes": _at_most(1_440, "minutes: up to a day"),
    "title_ratio": _ratio,
    "together": _pairs,
    "apart": _pairs,
}
_Settings = TypeVar("_Settings", PublishSettings, LifecycleSettings, LimitSettings, MergeConfig)


def _show(value: object) -> str:
    """`value` the way the config file spells it, or its kind for tables and arrays."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        # A JSON string is also a valid TOML basic string, and stays on one line.
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "an array"
    return str(value)


class _Parser:
    def __init__(self, text: str, known_sites: Collection[str], path: Path | None) -> None:
        self._text = text
        self._known_sites = known_sites
        self._path = path
        self._where = None if path is None else str(path)

    def config(self) -> Config:
        try:
            root = tomllib.loads(self._text)
        except tomllib.TOMLDecodeError as exc:
            raise self._syntax_error(str(exc)) from None
        self._known_keys(root, _TOP_KEYS, (), "")
        out = self._file_path(root, "out", "public")
        db = self._file_path(root, "db", "talkfeed.db")
        base_url = self._optional(root, "base_url", _base_url)
        fetch = self._fetch(root)
        sources = self._sources(root)
        return Config(
            out=out,
            db=db,
            base_url=base_url,
            fetch=fetch,
            sources=sources,
            path=self._path,
            publish=self._settings(root, "publish", PublishSettings(), _PUBLISH_CHECKS),
            lifecycle=self._settings(root, "lifecycle", LifecycleSettings(), _LIFECYCLE_CHECKS),
            limits=self._settings(root, "limits", LimitSettings(), _LIMIT_CHECKS),
            merge=self._settings(root, "merge", MergeConfig(), _MERGE_CHECKS),
            feeds=self._feeds(root, {source.site for source in sources}),
        )

    def _syntax_error(self, message: str) -> ConfigError:
        # tomllib reports its position only inside the message.
        at = _TOML_ERROR_AT.search(message)
        if at is not None:
            message = f"{message[: at.start()]} (column {at[2]})"
            line = int(at[1])
        else:
            message = message.removesuffix(_TOML_ERROR_AT_END)
            line = self._text.rstrip().count("\n") + 1
        return ConfigError(f"invalid TOML: {message}", self._where, line)

    def _error(self, message: str, key: _Key) -> ConfigError:
        # Only an error needs a line number, so only an error pays for scanning the text.
        return ConfigError(message, self._where, _Locator(self._text).line(key))

    def _known_keys(
        self, table: dict[str, object], allowed: Collection[str], key: _Key, where: str
    ) -> None:
        for name in table:
            if name not in allowed:
                expected = ", ".join(sorted(allowed))
                message = f"unknown key {name!r}{where} (expected one of: {expected})"
                raise self._error(message, (*key, name))

    def _check(self, value: object, check: Callable[[object], _T], key: _Key) -> _T:
        try:
            return check(value)
        except _BadValueError as exc:
            message = f"{key[-1]!r} must be {exc}, got {_show(value)}"
            raise self._error(message, key) from None

    def _optional(
        self, table: dict[str, object], name: str, check: Callable[[object], _T], within: _Key = ()
    ) -> _T | None:
        return self._check(table[name], check, (*within, name)) if name in table else None

    def _file_path(self, root: dict[str, object], name: str, default: str) -> Path:
        text = self._optional(root, name, _path_text) or default
        try:
            path = Path(text).expanduser()
        except RuntimeError:
            user = text.split("/", 1)[0]
            message = f"{name!r}: no home directory for {user!r}, in {_show(text)}"
            raise self._error(message, (name,)) from None
        # A config file names paths relative to itself, so that cron jobs need no `cd`.
        if self._path is None or path.is_absolute():
            return path
        return self._path.parent.resolve() / path

    def _fetch(self, root: dict[str, object]) -> FetchSettings:
        table = root.get("fetch", {})
        if not isinstance(table, dict):
            raise self._error(f"'fetch' must be a table ([fetch]), got {_show(table)}", ("fetch",))
        self._known_keys(table, _FETCH_CHECKS, ("fetch",), " in [fetch]")
        # Any: each check has returned the type its FetchSettings field wants.
        settings: dict[str, Any] = {
            name: self._check(value, _FETCH_CHECKS[name], ("fetch", name))
            for name, value in table.items()
        }
        return replace(FetchSettings(), **settings)

    def _settings(
        self,
        root: dict[str, object],
        name: str,
        defaults: _Settings,
        checks: dict[str, Callable[[object], object]],
    ) -> _Settings:
        table = root.get(name, {})
        if not isinstance(table, dict):
            raise self._error(f"{name!r} must be a table ([{name}]), got {_show(table)}", (name,))
        self._known_keys(table, checks, (name,), f" in [{name}]")
        values: dict[str, Any] = {
            key: self._check(value, checks[key], (name, key)) for key, value in table.items()
        }
        return replace(defaults, **values)

    def _feeds(self, root: dict[str, object], source_ids: set[str]) -> tuple[FeedConfig, ...]:
        tables = root.get("feeds", [])
        if not isinstance(tables, list):
            raise self._error(
                f"'feeds' must be an array of tables ([[feeds]]), got {_show(tables)}", ("feeds",)
            )
        feeds: list[FeedConfig] = []
        for index, table in enumerate(tables):
            key: _Key = ("feeds", index)
            if not isinstance(table, dict):
                message = f"'feeds' must be an array of tables ([[feeds]]), got {_show(table)}"
                raise self._error(message, key)
            where = f" in [[feeds]] #{index + 1}"
            self._known_keys(table, _FEED_KEYS, key, where)
            for required in ("name", "title"):
                if required not in table:
                    raise self._error(f"missing key {required!r}{where}", key)
            name = self._check(table["name"], _feed_name, (*key, "name"))
            if name in {feed.name for feed in feeds}:
                raise self._error(f"feed name {name!r} is used twice", (*key, "name"))
            sources = self._optional(table, "sources", _words, key) or ()
            for source in sources:
                if source not in source_ids:
                    known = ", ".join(sorted(source_ids))
                    message = f"unknown source {source!r}{where} (sources here: {known})"
                    raise self._error(message, (*key, "sources"))
            feeds.append(
                FeedConfig(
                    name=name,
                    title=self._check(table["title"], _one_line, (*key, "title")),
                    sources=sources,
                    keywords=self._optional(table, "keywords", _words, key) or (),
                    exclude=self._optional(table, "exclude", _words, key) or (),
                    rss_days_back=self._optional(table, "rss_days_back", _DAYS, key),
                    ical_days_back=self._optional(table, "ical_days_back", _DAYS, key),
                )
            )
        return tuple(feeds)

    def _sources(self, root: dict[str, object]) -> tuple[SourceConfig, ...]:
        tables = root.get("sources")
        if tables is None or tables == []:
            raise self._error(
                "no sources: add a [[sources]] table with the 'site' to scrape", ("sources",)
            )
        if not isinstance(tables, list):
            raise self._not_array_of_tables(tables, ("sources",))
        sources: list[SourceConfig] = []
        for index, table in enumerate(tables):
            if not isinstance(table, dict):
                raise self._not_array_of_tables(table, ("sources", index))
            source = self._source(table, index)
            if source in sources:
                first = sources.index(source) + 1
                url = "the site's own URL" if source.url is None else f"url {_show(source.url)}"
                message = f"[[sources]] #{index + 1} repeats #{first} (site {source.site!r}, {url})"
                raise self._error(message, ("sources", index))
            sources.append(source)
        return tuple(sources)

    def _not_array_of_tables(self, value: object, key: _Key) -> ConfigError:
        message = f"'sources' must be an array of tables ([[sources]]), got {_show(value)}"
        return self._error(message, key)

    def _source(self, table: dict[str, object], index: int) -> SourceConfig:
        key: _Key = ("sources", index)
        where = f" in [[sources]] #{index + 1}"
        if "kind" in table:
            return self._declared(table, key, where)
        self._known_keys(table, _SOURCE_KEYS, key, where)
        known = ", ".join(sorted(self._known_sites)) or "none"
        if "site" not in table:
            raise self._error(f"missing key 'site'{where} (known: {known})", key)
        site = table["site"]
        if not isinstance(site, str):
            raise self._error(f"'site' must be a site id string, got {_show(site)}", (*key, "site"))
        if site not in self._known_sites:
            hint = "; a source without a site module is declared with `kind`, not `site`"
            message = f"unknown site {site!r}{where} (known: {known}){hint}"
            raise self._error(message, (*key, "site"))
        url = self._optional(table, "url", _http_url, key)
        return SourceConfig(site=site, url=url)

    def _declared(self, table: dict[str, object], key: _Key, where: str) -> SourceConfig:
        try:
            parser = build_source(table)
        except OptionError as exc:
            raise self._error(f"{exc}{where}", (*key, *exc.path)) from None
        if parser.id in self._known_sites:
            message = f"id {parser.id!r}{where} is already a registered site; choose another"
            raise self._error(message, (*key, "id"))
        return SourceConfig(site=parser.id, declared=parser)


# A key part is a bare key or a quoted one; escapes in quoted keys are left undecoded, which at
# worst makes `_Locator.line` fall back to the enclosing table.
_KEY_PART = re.compile(r"""\s*(?:([A-Za-z0-9_-]+)|"((?:[^"\\]|\\.)*)"|'([^']*)')\s*""")
# What matters inside a value: strings (which may hide anything else), comments and brackets.
_VALUE_TOKEN = re.compile(r"""'''|"{3}|"(?:[^"\\]|\\.)*"|'[^']*'|#|[\[\]{}]""")
# The rest of a multi-line string, through its closing delimiter (plus up to two quotes that
# belong to the content), on one line.
_MULTILINE_END = {
    '"""': re.compile(r'(?:[^"\\]|\\.|"(?!""))*"""(?:"{0,2})'),
    "'''": re.compile(r"(?:[^']|'(?!''))*'''(?:'{0,2})"),
}


def _read_key(line: str, start: int) -> tuple[tuple[str, ...], int] | None:
    """The dotted key at `start` in `line`, and where it ends; None if there is none."""
    parts: list[str] = []
    position = start
    while match := _KEY_PART.match(line, position):
        parts.append(next(group for group in match.groups() if group is not None))
        position = match.end()
        if not line.startswith(".", position):
            return tuple(parts), position
        position += 1
    return None


class _Locator:
    """The lines of the keys and tables in valid TOML text, which tomllib does not report.

    It scans line by line, following table headers and skipping strings, comments and
    multi-line values, so that text inside them is never taken for a key or a header.
    """

    def __init__(self, text: str) -> None:
        self._lines: dict[_Key, int] = {}
        self._arrays: dict[_Key, int] = {}
        """Element counts of the arrays of tables seen so far."""
        self._open_string: str | None = None
        self._depth = 0
        """Bracket nesting of the value being scanned, when it spans lines."""
        table: _Key = ()
        for number, line in enumerate(text.split("\n"), start=1):
            if self._open_string is not None or self._depth:
                self._skip_value(line, 0)
                continue
            start = len(line) - len(line.lstrip())
            if line.startswith("[[", start):
                table = self._array_header(line, start + 2, number) or table
            elif line.startswith("[", start):
                table = self._table_header(line, start + 1, number) or table
            elif key := _read_key(line, start):
                parts, end = key
                for length in range(1, len(parts) + 1):
                    self._lines.setdefault((*table, *parts[:length]), number)
                self._skip_value(line, end + 1)

    def line(self, key: _Key) -> int | None:
        """The 1-based line of `key`, else of its closest enclosing table found; else None."""
        for length in range(len(key), 0, -1):
            if (line := self._lines.get(key[:length])) is not None:
                return line
        return None

    def _resolve(self, names: Iterable[str]) -> _Key:
        # A name that is an array of tables means its latest element.
        key: _Key = ()
        for name in names:
            key = (*key, name)
            if count := self._arrays.get(key):
                key = (*key, count - 1)
        return key

    def _table_header(self, line: str, start: int, number: int) -> _Key | None:
        if (header := _read_key(line, start)) is None:
            return None
        table = self._resolve(header[0])
        for length in range(1, len(table)):
            self._lines.setdefault(table[:length], number)
        self._lines[table] = number
        return table

    def _array_header(self, line: str, start: int, number: int) -> _Key | None:
        if (header := _read_key(line, start)) is None:
            return None
        *parents, name = header[0]
        array = (*self._resolve(parents), name)
        self._arrays[array] = self._arrays.get(array, 0) + 1
        self._lines.setdefault(array, number)
        table = (*array, self._arrays[array] - 1)
        self._lines[table] = number
        return table

    def _skip_value(self, line: str, position: int) -> None:
        """Scan a value from `position` to the end of `line`, noting what stays open."""
        while True:
            if self._open_string is not None:
                end = _MULTILINE_END[self._open_string].match(line, position)
                if end is None:
                    return
                self._open_string = None
                position = end.end()
            token = _VALUE_TOKEN.search(line, position)
            if token is None or token[0] == "#":
                return
            position = token.end()
            if token[0] in _MULTILINE_END:
                self._open_string = token[0]
            elif token[0] in ("[", "{"):
                self._depth += 1
            elif token[0] in ("]", "}"):
                self._depth -= 1
