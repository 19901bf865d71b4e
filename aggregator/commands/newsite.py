"""What `talkfeed detect` and `talkfeed new-site` share: a page, what the ladder makes of it, and
the sources, fixtures and modules that follow.

A page some rung of the ladder (`scrapers.ladder`) reads needs no code: a `kind = "auto"`
source reads it the same way, so new-site saves the page (and the feed or API answer it leads
to) as fixtures and adds that source to a config. A page no rung reads, whose links lead to
"Label: value" talk pages (`scrapers.ladder.labels`), gets the smallest site module that reads
them. Anything else needs a site written by hand (CONTRIBUTING.md).
"""

from __future__ import annotations

import asyncio
import json
import keyword
import re
import textwrap
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from importlib.resources import files
from pathlib import Path
from string import Template
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from aggregator.commands.extract import file_page
from aggregator.commands.fixtures import expectation, parse_page, write_expected
from aggregator.config import bundled_parsers, parse_config
from aggregator.errors import ConfigError, FetchError, TalkfeedError
from aggregator.fetching.fetch import WHILE_YOU_WAIT, Fetcher, FetchSettings, Response
from scrapers import OptionError, Page, SiteParser, all_sites
from scrapers.kinds import build_source
from scrapers.ladder import climb, read_talk
from scrapers.ladder.labels import talk_links, talk_pattern
from scrapers.ladder.signatures import Signature, signatures
from scrapers.read.zones import guess_zone

__all__ = [
    "BUNDLED_CONFIG",
    "ZONE_PLACEHOLDER",
    "LabelFit",
    "Loaded",
    "NothingReadsError",
    "Plan",
    "Request",
    "SavedPage",
    "ZoneChoice",
    "api_platform",
    "auto_plan",
    "check_new_id",
    "choose_zone",
    "document_name",
    "fetch",
    "find_label_pages",
    "label_plan",
    "missing_option",
    "page_title",
    "platform_plan",
    "read_saved",
    "site_module",
    "source_block",
    "suggested_id",
    "with_source",
    "write_fixtures",
]

BUNDLED_CONFIG = Path(str(files("aggregator").joinpath("default.toml")))
"""The bundled default config: its sources are the ones `talkfeed check` and the tests know."""

ZONE_PLACEHOLDER = "SET ME: an IANA zone such as America/New_York"
"""A block's timezone when none is known: the config loader rejects it, so that nobody runs a
source in a zone nobody chose."""

_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# File times before this are an archive's or a store's stand-in (Nix sets 1), not a save time.
_EARLIEST_SAVE = datetime(1995, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Loaded:
    """A page as it came: fetched (with its answer's Date header) or read from a saved file."""

    page: Page
    date: datetime | None = None
    """The answer's Date header: when the server sent the page."""
    file: Path | None = None
    """The saved file it was read from."""
    file_time: datetime | None = None
    """The saved file's modification time, unless it cannot be a save time."""


@dataclass(frozen=True)
class SavedPage:
    """A page to save as a fixture, and the file name to give it."""

    page: Page
    file_name: str


@dataclass(frozen=True)
class ZoneChoice:
    """The zone of a page's times: given, guessed (with a note saying so), or unknown (None)."""

    name: str | None
    note: str | None = None


@dataclass(frozen=True)
class LabelFit:
    """A listing whose talks are on label pages: the shape of its talk links, and one of them."""

    pattern: str
    talk: Page
    why: str


def fetch(url: str, settings: FetchSettings = WHILE_YOU_WAIT) -> Loaded:
    """The page at `url`, fetched politely (robots.txt, one request at a time);
    TalkfeedError when it cannot be had within `settings`' deadlines."""

    async def get() -> Response:
        async with Fetcher(settings) as fetcher:
            return await fetcher.get(url)

    try:
        response = asyncio.run(get())
    except FetchError as exc:
        raise TalkfeedError(f"cannot fetch {url}: {exc.reason}") from None
    page = Page(response.url, response.text, response.fetched_at)
    return Loaded(page, date=_date_header(response.headers))


def read_saved(path: Path, url: str | None) -> Loaded:
    """The page saved at `path`, whose address was `url` (a file URL when unknown)."""
    page = file_page(path, url)
    now = datetime.now(UTC)
    if _EARLIEST_SAVE <= page.fetched_at <= now + timedelta(minutes=5):
        return Loaded(page, file=path, file_time=page.fetched_at)
    return Loaded(replace(page, fetched_at=now), file=path)


def _date_header(headers: tuple[tuple[str, str], ...]) -> datetime | None:
    for name, value in headers:
        if name.lower() != "date":
            continue
        try:
            sent = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            continue
        if sent.tzinfo is not None:
            return sent
    return None


def choose_zone(given: str | None, page: Page) -> ZoneChoice:
    """`given` (checked), else a guess from the page and its host, else unknown."""
    if given is not None:
        try:
            ZoneInfo(given)
        except (ZoneInfoNotFoundError, ValueError):
            raise TalkfeedError(
                f"--timezone {given!r}: not an IANA time zone (e.g. Europe/Berlin)"
            ) from None
        return ZoneChoice(given)
    guess = guess_zone(page.url, page.text)
    if guess is None:
        return ZoneChoice(None)
    return ZoneChoice(guess.zone, f"timezone {guess.zone} guessed from {guess.why}: check it")


def check_new_id(site_id: str, config: Path | None) -> None:
    """TalkfeedError unless `site_id` is well formed and no site or source has it yet."""
    if not _ID.match(site_id):
        raise TalkfeedError(f"site id {site_id!r} must be lower-case words joined by '-'")
    if site_id in all_sites():
        raise TalkfeedError(f"site id {site_id!r} is already registered")
    if site_id in bundled_parsers() or site_id in _source_ids(config):
        where = config or "the bundled config"
        raise TalkfeedError(f"site id {site_id!r} is already a source in {where}")


def _source_ids(config: Path | None) -> set[str]:
    if config is None or not config.exists():
        return set()
    return {source.site for source in parse_config(_text(config), all_sites(), config).sources}


def suggested_id(url: str) -> str:
    """An id for a page's source: its host's name and the last part of its path."""
    parts = urlsplit(url)
    host = (parts.hostname or "page").removeprefix("www.")
    words = host.split(".")[:-1] if host.count(".") else [host]
    last = parts.path.strip("/").rsplit("/", 1)[-1]
    slug = re.sub(r"[^a-z0-9]+", "-", " ".join([*words, last]).lower()).strip("-")
    return slug or "talks"


def page_title(page: Page) -> str | None:
    """The web page's title, without the site name that follows a " | "."""
    # A feed or an API answer is no HTML page: its text is not searched for a <title>.
    if "<html" not in page.text[:2000].lower() or page.soup.title is None:
        return None
    return page.soup.title.get_text(" ", strip=True).split(" | ")[0] or None


def source_block(
    kind: str,
    *,
    site_id: str,
    name: str,
    url: str,
    timezone: str | None,
    options: Mapping[str, Any] | None = None,
    comment: str | None = None,
) -> str:
    """A `[[sources]]` block declaring a source of `kind`; an unknown zone is a placeholder."""
    lines = [f"# {comment}"] if comment else []
    lines += [
        "[[sources]]",
        f"kind = {_toml_string(kind)}",
        f"id = {_toml_string(site_id)}",
        f"name = {_toml_string(name)}",
        f"url = {_toml_string(url)}",
        f"timezone = {_toml_string(timezone or ZONE_PLACEHOLDER)}",
    ]
    lines += [f"{key} = {_toml_value(value)}" for key, value in (options or {}).items()]
    return "\n".join(lines) + "\n"


def api_platform(page: Page, kind: str | None = None) -> Signature | None:
    """The API platform the page runs on (of `kind`, when given), as its signature says."""
    for signature in signatures(page):
        if signature.kind is None or signature.url is None:
            continue
        if kind is None or signature.kind == kind:
            return signature
    return None


def missing_option(signature: Signature, zone: str) -> str | None:
    """Why the platform's source cannot be built from what the page shows, or None."""
    assert signature.kind is not None and signature.url is not None
    table = {"kind": signature.kind, "id": "x", "name": "x", "url": signature.url}
    try:
        build_source({**table, "timezone": zone, **signature.options})
    except OptionError as exc:
        return str(exc)
    return None


def find_label_pages(
    listing: Page, zone: ZoneInfo, talk_page: Callable[[str], Page | None], hint: str
) -> LabelFit | str:
    """The listing's label talk pages, or why it has none. `talk_page(url)` gives one of its
    talk pages, or None when none is at hand: then `hint` says how to give one."""
    pattern = talk_pattern(listing)
    if pattern is None:
        return "no links shaped like talk pages"
    first = talk_links(listing, pattern)[0]
    talk = talk_page(first)
    if talk is None:
        return f"links shaped like {pattern} lead to talk pages such as {first}: {hint}"
    draft, why = read_talk(talk, zone)
    if draft is None:
        return f"links shaped like {pattern}, but {first} is no label page: {why}"
    return LabelFit(pattern, talk, f"links shaped like {pattern}; {first} reads by its labels")


def document_name(text: str) -> str:
    """A fixture file name for a feed or an API answer, by its format."""
    head = text.lstrip("\ufeff \r\n\t")
    if head.startswith("BEGIN:VCALENDAR"):
        return "feed.ics"
    if head[:1] in "{[":
        return "feed.json"
    return "feed.xml" if head.startswith("<") else "feed.txt"


class NothingReadsError(Exception):
    """No rung of the ladder reads the listing, and its links lead to no label pages."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = reasons


@dataclass(frozen=True)
class Request:
    """A new source asked for: its id and name, its zone, its listing, and the page saved
    beside the listing (a talk page, or the feed or API answer it leads to), if any."""

    site_id: str
    name: str
    zone: str
    listing: Loaded
    second: Path | None = None

    def page_at(self, url: str, why: str) -> Page:
        """The page at `url`: fetched for a live listing, else the second saved file; `why`
        says what it is for, when it is missing."""
        if self.listing.file is None:
            return fetch(url).page
        if self.second is None:
            raise TalkfeedError(f"{why}: save it and pass it as the second --from-file")
        return read_saved(self.second, url).page

    def talk_page(self, url: str) -> Page | None:
        """One of the listing's talk pages, unless the listing was saved alone."""
        if self.listing.file is not None and self.second is None:
            return None
        return self.page_at(url, "the talk page")

    def table(self, kind: str, url: str, **options: Any) -> dict[str, Any]:
        """The source as a config table."""
        common = {"id": self.site_id, "name": self.name, "url": url, "timezone": self.zone}
        return {"kind": kind, **common, **options}


@dataclass(frozen=True)
class Plan:
    """What new-site saves and writes: fixture pages read by `source`, and the source as a
    config block or, when only code reads it, as a site module."""

    source: SiteParser
    pages: list[SavedPage]
    why: str
    block: str
    module: str | None = None
    alternative: str | None = None
    """The source as its API platform's own kind, when the page runs on one."""


def auto_plan(request: Request) -> Plan | list[str]:
    """A `kind = "auto"` source, when a rung of the ladder reads the listing; else the
    ladder's reasons why none does."""
    page = request.listing.page
    result = climb(page, ZoneInfo(request.zone), fetch=True, follow=True)
    reasons = [f"{rung}: {note}" for rung, note in result.notes]
    if result.rung is None or not result.links:
        return reasons
    source = build_source(request.table("auto", page.url))
    first = "listing.html" if result.rung != "document" else document_name(page.text)
    pages = [SavedPage(page, first)]
    documents = [link.url for link in result.links if link.kind == "listing"]
    if result.rung in ("iCal feed", "platform") and documents:
        why = f"an auto source reads {page.url} through {documents[0]}"
        document = request.page_at(documents[0], why)
        pages.append(SavedPage(document, document_name(document.text)))
    comment = f"{request.name}: read with no site code, by the ladder's {result.rung} rung."
    block = source_block("auto", **_common(request, page.url), comment=comment)
    # A page that is itself an API answer has no platform markup: its signature would be noise.
    alternative = _platform_block(request, page) if result.rung != "document" else None
    why = f"auto: the ladder's {result.rung} rung reads it ({result.notes[-1][1]})"
    return Plan(source, pages, why, block, alternative=alternative)


def _platform_block(request: Request, page: Page) -> str | None:
    """The source as the API platform the page runs on, when the page says all it needs."""
    signature = api_platform(page)
    if signature is None or signature.kind is None or signature.url is None:
        return None
    if missing_option(signature, request.zone) is not None:
        return None
    common = _common(request, signature.url)
    return source_block(signature.kind, **common, options=signature.options)


def platform_plan(request: Request, kind: str | None, options: Mapping[str, str]) -> Plan:
    """A source of the API platform the page runs on (`kind`, when given), read through its
    API, with `options` added to what the page shows."""
    page = request.listing.page
    signature = api_platform(page, kind)
    if signature is None or signature.kind is None or signature.url is None:
        raise TalkfeedError(f"{page.url}: no sign of {kind or 'an API platform'} on the page")
    merged = {**signature.options, **options}
    try:
        source = build_source(request.table(signature.kind, signature.url, **merged))
    except OptionError as exc:
        raise TalkfeedError(f"{request.site_id}: {exc}; pass it with --option KEY=VALUE") from None
    api = source.entry_urls()[0]
    document = request.page_at(api, f"a {signature.kind} source reads {api}")
    block = source_block(signature.kind, **_common(request, signature.url), options=merged)
    why = f"{signature.kind} ({signature.platform}: {signature.why})"
    return Plan(source, [SavedPage(document, document_name(document.text))], why, block)


def label_plan(request: Request, reasons: list[str]) -> Plan:
    """A site module for a listing whose talks are on label pages; NothingReadsError with
    `reasons` and the labels' own when they are not."""
    page = request.listing.page
    hint = "save one and pass it as the second --from-file to check its labels"
    fit = find_label_pages(page, ZoneInfo(request.zone), request.talk_page, hint)
    if isinstance(fit, str):
        raise NothingReadsError([*reasons, f"labels: {fit}"])
    source = build_source(request.table("labels", page.url, talk_url=fit.pattern))
    key = source.key(fit.talk.url) or "talk"
    pages = [SavedPage(page, "listing.html"), SavedPage(fit.talk, f"{key}.html")]
    block = source_block("labels", **_common(request, page.url), options={"talk_url": fit.pattern})
    module = site_module(source, fit.talk.url, fit.why)
    return Plan(source, pages, f"labels ({fit.why})", block, module=module)


def _common(request: Request, url: str) -> dict[str, Any]:
    return {"site_id": request.site_id, "name": request.name, "url": url, "timezone": request.zone}


def write_fixtures(
    folder: Path, site: SiteParser, pages: list[SavedPage], captured_at: datetime
) -> int:
    """Save the pages, `pages.toml` and unreviewed expectations in `folder`; the number of
    talks the pages list."""
    if folder.exists():
        raise TalkfeedError(f"{folder} already exists; remove it or pick another id")
    index = [f"captured_at = {captured_at.isoformat()}", "", "[pages]"]
    talks = 0
    try:
        folder.mkdir(parents=True)
        for saved in pages:
            # The saved pages are read, in tests and checks, as they were at capture time.
            page = replace(saved.page, fetched_at=captured_at, notes=[])
            (folder / saved.file_name).write_text(page.text, encoding="utf-8")
            index.append(f"{_toml_string(saved.file_name)} = {_toml_string(page.url)}")
            parsed = parse_page(site, page)
            talks += len(parsed.get("talks", []))
            expected = expectation(parsed, reviewed=False)
            write_expected(folder / f"{Path(saved.file_name).stem}.expected.json", expected)
        (folder / "pages.toml").write_text("\n".join(index) + "\n", encoding="utf-8")
    except OSError as exc:
        raise TalkfeedError(f"cannot write the fixtures: {exc}") from None
    return talks


def with_source(config: Path, block: str, site_id: str) -> str:
    """The config file's text with `block` after its last source (a new file when there is
    none yet), checked to load with the new source."""
    text = _text(config) if config.exists() else ""
    updated = _after_last_source(text, block)
    try:
        loaded = parse_config(updated, all_sites(), config)
    except ConfigError as exc:
        raise TalkfeedError(f"{config}: the new source would not load: {exc}") from None
    if site_id not in {source.site for source in loaded.sources}:
        raise TalkfeedError(f"{config}: cannot tell where its sources end; add the block by hand")
    return updated


def _after_last_source(text: str, block: str) -> str:
    lines = text.splitlines()
    headers = [i for i, line in enumerate(lines) if line.strip() == "[[sources]]"]
    end = len(lines) - 1
    if headers:
        end = headers[-1]
        for number in range(headers[-1] + 1, len(lines)):
            line = lines[number].strip()
            if line.startswith("[") and not line.startswith(("[sources.", "[[sources.")):
                break
            # Comments and blank lines after the last key introduce what follows the sources.
            if line and not line.startswith("#"):
                end = number
    before, after = lines[: end + 1], lines[end + 1 :]
    gap = [""] if before and before[-1].strip() else []
    return "\n".join([*before, *gap, *block.rstrip("\n").split("\n"), *after]) + "\n"


def site_module(site: SiteParser, example: str, why: str) -> str:
    """The source of the smallest site module reading `site`, a label-pages source. Every value
    taken from a page is quoted, so that no title or URL can break the module."""
    assert site.talk_url is not None
    attributes = {
        "id": site.id,
        "name": site.name,
        "start_urls": site.start_urls,
        "talk_url": site.talk_url,
        "example_urls": (example,),
        "timezone": site.timezone,
    }
    summary = (
        f'Starts at {site.start_urls[0]}; its talks are on pages of "Label: value" sections '
        f"({why}). Written by `talkfeed new-site`: check its fixtures in "
        f"tests/fixtures/{site.id}/, then say here how the site's URLs look and what is odd "
        "about it."
    )
    wrapped = textwrap.fill(summary, width=96, break_long_words=False)
    template = files("scrapers").joinpath("templates/site.py.tmpl").read_text(encoding="utf-8")
    return Template(template).substitute(
        name=_in_docstring(site.name),
        # Wrapping turned every whitespace character into a space: the newlines are its own.
        summary="\n".join(_in_docstring(line) for line in wrapped.split("\n")),
        class_name=_class_name(site.id),
        attributes="\n".join(f"    {key} = {_python(value)}" for key, value in attributes.items()),
    )


def _class_name(site_id: str) -> str:
    # An id may start with a digit or spell a keyword ("none" -> None): neither names a class.
    name = "".join(part.title() for part in site_id.split("-"))
    return name if name.isidentifier() and not keyword.iskeyword(name) else f"Site{name}"


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise TalkfeedError(f"{path}: cannot read: {exc}") from None


def _python(value: Any) -> str:
    """`value` as a Python literal, whatever characters it holds."""
    if isinstance(value, re.Pattern):
        pattern = value.pattern
        # A raw string reads best, when the pattern can be one: no quote, no line break, no
        # backslash at the end, nothing unprintable.
        if '"' not in pattern and not pattern.endswith("\\") and pattern.isprintable():
            return f're.compile(r"{pattern}")'
        return f"re.compile({_python(pattern)})"
    if isinstance(value, tuple):
        items = [_python(item) for item in value]
        return f"({items[0]},)" if len(items) == 1 else f"({', '.join(items)})"
    if isinstance(value, str):
        return f'"{_escaped(value)}"'
    return repr(value)


_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escaped(text: str) -> str:
    """`text` escaped to sit between double quotes: no quote, backslash, line break or
    unprintable character is left as it is."""
    return "".join(_ESCAPES.get(c, c if c.isprintable() else _code_point(c)) for c in text)


def _in_docstring(text: str) -> str:
    """`text` escaped to sit in a docstring, where a lone quote may stay as it reads."""
    escaped = "".join(
        c if c == '"' else _ESCAPES.get(c, c if c.isprintable() else _code_point(c)) for c in text
    )
    # Three quotes in a row would end the docstring, and so would one just before its end:
    # a quote that another quote or the end follows is escaped.
    return re.sub(r'"(?="|$)', r'\\"', escaped)


def _code_point(character: str) -> str:
    number = ord(character)
    if number < 0x100:
        return f"\\x{number:02x}"
    return f"\\u{number:04x}" if number < 0x10000 else f"\\U{number:08x}"


def _toml_string(text: str) -> str:
    # A regex reads best unescaped, as a literal string; JSON's escapes are TOML's too.
    if "\\" in text and "'" not in text and "\n" not in text:
        return f"'{text}'"
    return json.dumps(text, ensure_ascii=False)


def _toml_value(value: Any) -> str:
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value)
