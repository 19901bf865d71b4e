"""`talkfeed new-site`: from a URL (or saved pages) to a registered site with fixtures.

It saves the listing and one talk page (or the feed/API document) into the fixtures folder,
picks the kind with `scrapers.detect`, writes a site module from `scrapers/templates/`, and
writes `.expected.json` files from a first parse, marked `"reviewed": false` for a person to
check.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from datetime import datetime
from importlib.resources import files
from pathlib import Path
from string import Template
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from aggregator.errors import TalkfeedError
from aggregator.fixtures import expectation, parse_page, write_expected
from scrapers import OptionError, Page, SiteParser, all_sites
from scrapers.detect import Candidate, detect
from scrapers.kinds import KINDS, build_source, load_kinds

__all__ = [
    "NewSite",
    "SavedPage",
    "config_block",
    "config_block_for",
    "new_site",
    "sniff_kind",
]

_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True)
class SavedPage:
    """A page to save as a fixture: its URL, its text, and the file name to give it."""

    url: str
    text: str
    file_name: str


@dataclass(frozen=True)
class NewSite:
    """What `new_site` wrote."""

    module: Path
    fixtures: Path
    candidate: Candidate
    config: str
    """The same source as a config `[[sources]]` block, for those who prefer no Python."""


def sniff_kind(text: str) -> str | None:
    """The kind a non-HTML document belongs to ("ical"), or None for HTML and the unknown."""
    return "ical" if text.lstrip("\ufeff \r\n\t").startswith("BEGIN:VCALENDAR") else None


def check_new_id(site_id: str, timezone: str) -> None:
    """TalkfeedError unless `site_id` is a free, well-formed id and `timezone` an IANA zone."""
    if not _ID.match(site_id):
        raise TalkfeedError(f"site id {site_id!r} must be lower-case words joined by '-'")
    if site_id in all_sites():
        raise TalkfeedError(f"site id {site_id!r} is already registered")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise TalkfeedError(f"unknown IANA time zone {timezone!r} (e.g. Europe/Berlin)") from None


def choose(listing: Page, detail: Page | None, kind: str | None) -> Candidate:
    """The best candidate for the site, or the one of the kind asked for."""
    sniffed = sniff_kind(listing.text)
    if sniffed is not None:
        return Candidate(sniffed, listing.url, ("the document is an iCalendar feed",))
    candidates = detect(listing, detail)
    if kind is not None:
        candidates = [c for c in candidates if c.kind == kind]
        if not candidates:
            raise TalkfeedError(f"{listing.url}: nothing on the page fits kind {kind!r}")
    if not candidates:
        raise TalkfeedError(
            f"{listing.url}: no feed, schema.org events, platform or talk links found; "
            "write the site module by hand (see CONTRIBUTING.md)"
        )
    return candidates[0]


def build(site_id: str, name: str, timezone: str, candidate: Candidate) -> SiteParser:
    """The parser the candidate describes; TalkfeedError when its options do not fit."""
    table = {
        "kind": candidate.kind,
        "id": site_id,
        "name": name,
        "url": candidate.url,
        "timezone": timezone,
        **candidate.options,
    }
    try:
        return build_source(table)
    except OptionError as exc:
        raise TalkfeedError(f"{site_id}: {exc}; pass it with --option KEY=VALUE") from None


def first_talk_url(site: SiteParser, listing: Page) -> str | None:
    """The first talk page the listing links to (for kinds that read detail pages)."""
    for link in site.listing(listing):
        if link.kind == "talk" and not link.complete:
            return link.url
    return None


def new_site(
    site: SiteParser,
    candidate: Candidate,
    pages: list[SavedPage],
    *,
    fixtures_root: Path,
    sites_dir: Path,
    now: datetime,
) -> NewSite:
    """Write the fixtures, their unreviewed expectations, and the site module."""
    folder = fixtures_root / site.id
    module = sites_dir / f"{site.id.replace('-', '_')}.py"
    for existing in (folder, module):
        if existing.exists():
            raise TalkfeedError(f"{existing} already exists; remove it or pick another id")
    try:
        folder.mkdir(parents=True)
        index = [f"captured_at = {now.isoformat()}", "", "[pages]"]
        for saved in pages:
            (folder / saved.file_name).write_text(saved.text, encoding="utf-8")
            index.append(f"{_toml_string(saved.file_name)} = {_toml_string(saved.url)}")
            parsed = parse_page(site, Page(saved.url, saved.text, now))
            write_expected(
                folder / f"{Path(saved.file_name).stem}.expected.json",
                expectation(parsed, reviewed=False),
            )
        (folder / "pages.toml").write_text("\n".join(index) + "\n", encoding="utf-8")
        module.write_text(site_module(site, candidate, pages), encoding="utf-8")
    except OSError as exc:
        raise TalkfeedError(f"cannot write the new site: {exc}") from None
    return NewSite(module, folder, candidate, config_block(site, candidate))


def site_module(site: SiteParser, candidate: Candidate, pages: list[SavedPage]) -> str:
    """The source of a site module declaring `site`."""
    load_kinds()
    base = KINDS[candidate.kind]
    attributes: dict[str, Any] = {
        "id": site.id,
        "name": site.name,
        "start_urls": site.start_urls,
        "timezone": site.timezone,
        "default_duration": site.default_duration,
        **base.options(candidate.options),
    }
    if site.talk_url is not None:
        attributes["example_urls"] = tuple(p.url for p in pages if site.is_talk(p.url))
    lines = [f"    {key} = {_python(value)}" for key, value in attributes.items()]
    imports = [f"from {base.__module__} import {base.__name__}"]
    if any(isinstance(v, re.Pattern) for v in attributes.values()):
        imports.insert(0, "import re\n")
    summary = (
        f"Starts at {site.start_urls[0]}; kind {candidate.kind} "
        f"({'; '.join(candidate.evidence)}). Written by `talkfeed new-site`: check its fixtures "
        f"in tests/fixtures/{site.id}/, then say here how the site's URLs look and what is odd "
        "about it."
    )
    template = files("scrapers").joinpath("templates/site.py.tmpl").read_text(encoding="utf-8")
    return Template(template).substitute(
        name=site.name,
        summary=textwrap.fill(summary, width=96, break_long_words=False),
        imports="\n" + "\n".join(imports),
        class_name="".join(part.title() for part in site.id.split("-")),
        base=base.__name__,
        attributes="\n".join(lines),
    )


def config_block(site: SiteParser, candidate: Candidate) -> str:
    """The source as a `[[sources]]` block for a config file."""
    return config_block_for(candidate, site_id=site.id, name=site.name, timezone=site.timezone)


def config_block_for(candidate: Candidate, *, site_id: str, name: str, timezone: str) -> str:
    """A `[[sources]]` block declaring the candidate under this id, name and time zone."""
    lines = [
        "[[sources]]",
        f"kind = {_toml_string(candidate.kind)}",
        f"id = {_toml_string(site_id)}",
        f"name = {_toml_string(name)}",
        f"url = {_toml_string(candidate.url)}",
        f"timezone = {_toml_string(timezone)}",
    ]
    lines += [f"{key} = {_toml_value(value)}" for key, value in candidate.options.items()]
    return "\n".join(lines) + "\n"


def _python(value: Any) -> str:
    if isinstance(value, re.Pattern):
        pattern = value.pattern
        if '"' not in pattern and not pattern.endswith("\\"):
            return f're.compile(r"{pattern}")'
        return f"re.compile({pattern!r})"
    if isinstance(value, tuple) and len(value) == 1:
        return f"({_python(value[0])},)"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return repr(value)


def _toml_string(text: str) -> str:
    if "'" not in text and "\n" not in text:
        return f"'{text}'"
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _toml_value(value: Any) -> str:
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value)
