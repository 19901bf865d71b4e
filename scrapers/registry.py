"""Which sites exist: `@register` on a class in `scrapers/sites/`, found by walking the package."""

from __future__ import annotations

import importlib
import importlib.util
import os
import pkgutil
import re
import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from scrapers import sites
from scrapers.base import SiteParser

__all__ = [
    "SITES_PATH_VARIABLE",
    "UnknownSiteError",
    "all_sites",
    "get_site",
    "register",
    "site_for_url",
]

_REGISTRY: dict[str, type[SiteParser]] = {}
_Site = TypeVar("_Site", bound=type[SiteParser])
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class UnknownSiteError(KeyError):
    """No registered site has this id."""

    def __str__(self) -> str:
        known = ", ".join(sorted(all_sites()))
        return f"unknown site {self.args[0]!r} (known: {known})"


def register(cls: _Site) -> _Site:
    """Class decorator that adds a site; refuses duplicate ids and incomplete metadata."""
    for attribute in ("id", "name", "start_urls", "timezone"):
        if not hasattr(cls, attribute):
            raise TypeError(f"site {cls.__name__} lacks the class attribute {attribute!r}")
    if not _ID.match(cls.id):
        raise TypeError(f"site id {cls.id!r} must be lower-case words joined by '-'")
    if cls.id in _REGISTRY and _REGISTRY[cls.id] is not cls:
        raise TypeError(f"site id {cls.id!r} is registered twice")
    if cls.talk_url is not None and "key" not in cls.talk_url.groupindex:
        raise TypeError(f"site {cls.id}: talk_url needs a (?P<key>…) group")
    try:
        ZoneInfo(cls.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise TypeError(f"site {cls.id}: unknown time zone {cls.timezone!r}") from None
    _REGISTRY[cls.id] = cls
    return cls


SITES_PATH_VARIABLE = "TALKFEED_SITES_PATH"
"""Folders (separated like PATH) of site modules kept outside the package, e.g. private ones."""


_BROKEN: dict[str, str] = {}
"""Site modules that failed to load, by module name, with why. Each is reported once and then
left alone: one broken module must not take every command down with it."""


def _load() -> None:
    for info in pkgutil.iter_modules(sites.__path__):
        name = f"{sites.__name__}.{info.name}"
        if name not in sys.modules and name not in _BROKEN:
            spec = importlib.util.find_spec(name)
            origin = spec.origin if spec is not None and spec.origin else name
            _guarded(name, origin, partial(importlib.import_module, name))
    for folder in filter(None, os.environ.get(SITES_PATH_VARIABLE, "").split(os.pathsep)):
        for path in sorted(Path(folder).glob("*.py")):
            name = f"talkfeed_local_sites.{path.stem}"
            if name in sys.modules or name in _BROKEN:
                continue
            spec = importlib.util.spec_from_file_location(name, path)
            if spec is None or spec.loader is None:
                continue
            module = importlib.util.module_from_spec(spec)
            sys.modules[name] = module
            _guarded(name, str(path), partial(spec.loader.exec_module, module))


def _guarded(name: str, origin: str, load: Callable[[], object]) -> None:
    """Run `load` (importing the site module `name`); if it fails, report it on stderr and undo
    what it did, so that the other sites still load."""
    registered = dict(_REGISTRY)
    try:
        load()
    except Exception as exc:  # a site module may fail in any way; the others must not
        sys.modules.pop(name, None)
        _REGISTRY.clear()
        _REGISTRY.update(registered)
        if isinstance(exc, SyntaxError) and exc.lineno is not None:
            why = f"line {exc.lineno}: {exc.msg}"
        else:
            why = f"{type(exc).__name__}: {' '.join(str(exc).split())}"
        _BROKEN[name] = why
        print(f"talkfeed: skipped the site module {origin}: {why}", file=sys.stderr)


def all_sites() -> dict[str, SiteParser]:
    """Every registered site, by id."""
    _load()
    return {site_id: _REGISTRY[site_id]() for site_id in sorted(_REGISTRY)}


def get_site(site_id: str) -> SiteParser:
    """The site with this id; UnknownSiteError if there is none."""
    _load()
    if site_id not in _REGISTRY:
        raise UnknownSiteError(site_id)
    return _REGISTRY[site_id]()


def site_for_url(url: str) -> SiteParser | None:
    """The site whose talk-URL pattern matches `url`, if any."""
    return next((site for site in all_sites().values() if site.is_talk(url)), None)
