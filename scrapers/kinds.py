"""Kinds of source a config file can declare without Python: `kind = "ical"` and friends.

A kind is a SiteParser class registered with `@kind("name")`. A config `[[sources]]` table with
that kind becomes an instance of a subclass carrying the table's values as class attributes
(`SiteParser.configured`), so a declared source behaves exactly like a site module.

Every kind takes the common keys `id`, `name`, `url`, `timezone` and the optional `duration`,
`include`, `exclude`; its own keys are read by its `options` classmethod.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any, TypeVar
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from soupsieve import SelectorSyntaxError
from soupsieve import compile as compile_selector

from scrapers.base import SiteParser
from scrapers.drafts import Link, OptionError, Page

__all__ = [
    "COMMON_KEYS",
    "KINDS",
    "OptionError",
    "build_source",
    "kind",
    "linked_listings",
    "load_kinds",
    "pattern_option",
    "selector_option",
]

KINDS: dict[str, type[SiteParser]] = {}
"""Every kind, by name."""

COMMON_KEYS = ("kind", "id", "name", "url", "timezone", "duration", "include", "exclude")

_Kind = TypeVar("_Kind", bound=type[SiteParser])
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def kind(name: str) -> Callable[[_Kind], _Kind]:
    """Class decorator: make a SiteParser class available as `kind = "<name>"` in config."""

    def register(cls: _Kind) -> _Kind:
        if name in KINDS and KINDS[name] is not cls:
            raise TypeError(f"kind {name!r} is registered twice")
        KINDS[name] = cls
        return cls

    return register


def build_source(table: Mapping[str, Any]) -> SiteParser:
    """A parser for one config `[[sources]]` table that has a `kind`; OptionError if invalid."""
    load_kinds()
    kind_name = table.get("kind")
    # Whatever is wrong with it, the remedy is one of the kinds: the message names them all.
    if not isinstance(kind_name, str) or kind_name.strip() not in KINDS:
        raise OptionError("kind", f"must be one of: {', '.join(sorted(KINDS))}")
    cls = KINDS[kind_name.strip()]
    source_id = _string(table, "id")
    if not _ID.match(source_id):
        raise OptionError("id", "must be lower-case words joined by '-', e.g. 'mit-csail-talks'")
    url = _string(table, "url")
    if not re.match(r"^https?://[^/\s]+", url) or not _well_formed(url):
        raise OptionError("url", "must be an absolute http(s) URL")
    timezone = _string(table, "timezone")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise OptionError("timezone", "must be an IANA time zone such as 'Europe/Berlin'") from None
    duration = table.get("duration", 60)
    if isinstance(duration, bool) or not isinstance(duration, int) or duration <= 0:
        raise OptionError("duration", "must be a whole number of minutes > 0")
    own = {key: value for key, value in table.items() if key not in COMMON_KEYS}
    parser = cls.configured(
        id=source_id,
        name=_string(table, "name"),
        start_urls=(url,),
        timezone=timezone,
        default_duration=duration,
        include=_words(table, "include"),
        exclude=_words(table, "exclude"),
        **cls.options(own),
    )
    # Its options may hold what cannot be pickled (a label table is a read-only mapping): the
    # table it was made from can, and makes it again.
    type(parser).remake = partial(build_source, dict(table))
    return parser


def pattern_option(key: str, value: object) -> re.Pattern[str]:
    """A `talk_url`-style option: a regular expression with a `key` group."""
    if not isinstance(value, str) or not value.strip():
        raise OptionError(key, "must be a regular expression string")
    try:
        pattern = re.compile(value)
    except re.error as exc:
        raise OptionError(key, f"is not a valid regular expression: {exc}") from None
    if "key" not in pattern.groupindex:
        raise OptionError(key, "needs a (?P<key>…) group naming the talk's id in the URL")
    return pattern


def selector_option(key: str, value: object) -> str:
    """A CSS selector option, checked now so that a typo fails at load, not mid-run."""
    if not isinstance(value, str) or not value.strip():
        raise OptionError(key, "must be a CSS selector string")
    try:
        compile_selector(value)
    except SelectorSyntaxError as exc:
        raise OptionError(key, f"is not a valid CSS selector: {exc}") from None
    return value


def linked_listings(page: Page, selector: str | None) -> list[Link]:
    """Links to further listing pages (the next page, later terms) picked by `selector`."""
    if selector is None:
        return []
    return [
        Link(page.absolute(str(anchor["href"])), "listing")
        for anchor in page.soup.select(selector)
        if anchor.get("href")
    ]


def _well_formed(url: str) -> bool:
    """Whether the URL's host and port can be read ("http://[::1" and ":99999" cannot)."""
    try:
        parts = urlsplit(url)
        _ = parts.port  # read only to be checked: urlsplit itself lets ":99999" pass
    except ValueError:
        return False
    return bool(parts.hostname)


def _string(table: Mapping[str, Any], key: str) -> str:
    value = table.get(key)
    if value is None:
        raise OptionError(key, "is required")
    if not isinstance(value, str) or not value.strip():
        raise OptionError(key, "must be a non-empty string")
    return value.strip()


def _words(table: Mapping[str, Any], key: str) -> tuple[str, ...]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(w, str) and w.strip() for w in value):
        raise OptionError(key, "must be a list of non-empty strings")
    return tuple(w.strip() for w in value)


def load_kinds() -> None:
    """Import every kind's module, which runs its `@kind` decorator."""
    import scrapers.generic
    import scrapers.platforms  # noqa: F401
