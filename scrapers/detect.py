"""Which kind of source fits a page: `talkfeed detect` and `talkfeed new-site` ask this.

Candidates, best first: a known event platform (its API gives the most structure), an iCal
feed the page links to, schema.org Events in the page, then "Label: value" talk pages. Each
comes with the evidence found and the kind-specific config keys.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from bs4 import BeautifulSoup, Tag

from scrapers.base import DEFAULT_LABELS
from scrapers.drafts import Page
from scrapers.read.labels import extract_labels
from scrapers.read.schema_org import find_events
from scrapers.read.text import content_root

__all__ = ["Candidate", "detect", "talk_pattern"]


@dataclass(frozen=True)
class Candidate:
    """One kind of source that fits, with why, and the config keys it needs."""

    kind: str
    url: str
    """The URL the source starts from (a feed, a base URL or the listing itself)."""
    evidence: tuple[str, ...]
    options: dict[str, Any] = field(default_factory=dict)


def detect(page: Page, detail: Page | None = None) -> list[Candidate]:
    """Every kind that fits `page` (a listing; `detail`, one of its talk pages, if known)."""
    found: list[Candidate] = []
    for check in _PLATFORMS:
        candidate = check(page)
        if candidate is not None:
            found.append(candidate)
    found += _ical(page)
    found += _schema_org(page, detail)
    labels = _labels(page, detail)
    if labels is not None:
        found.append(labels)
    return found


def _base(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _html(page: Page) -> str:
    return page.text[:500_000].lower()


def _localist(page: Page) -> Candidate | None:
    text = _html(page)
    generator = _meta(page.soup, "generator")
    if "localist" not in text and "localist" not in generator:
        return None
    match = re.search(r"/(?:group|department)/([a-z0-9_-]+)", urlsplit(page.url).path)
    options = {"group": match.group(1)} if match else {"group": "TODO: the group id or slug"}
    return Candidate("localist", _base(page.url), ("Localist markup or assets",), options)


def _tribe(page: Page) -> Candidate | None:
    text = _html(page)
    if "tribe-events" not in text and "/wp-json/tribe/events/v1" not in text:
        return None
    match = re.search(r"/events/category/([a-z0-9_-]+)", urlsplit(page.url).path)
    options = {"category": match.group(1)} if match else {}
    evidence = ("The Events Calendar (WordPress) markup: tribe-events",)
    return Candidate("tribe-events", _base(page.url), evidence, options)


def _indico(page: Page) -> Candidate | None:
    text = _html(page)
    if "indico" not in _meta(page.soup, "generator") and "indico" not in text[:20_000]:
        return None
    match = re.search(r"/category/(\d+)", urlsplit(page.url).path)
    if match is None:
        return None
    evidence = ("Indico page for a category",)
    return Candidate("indico", _base(page.url), evidence, {"category": int(match.group(1))})


def _talks_cam(page: Page) -> Candidate | None:
    parts = urlsplit(page.url)
    if not parts.netloc.endswith("talks.cam.ac.uk"):
        return None
    match = re.search(r"/(?:show/\w+|list)/(\d+)", parts.path)
    if match is None:
        return None
    return Candidate("talks-cam", _base(page.url), ("a talks.cam list",), {"list": match.group(1)})


def _researchseminars(page: Page) -> Candidate | None:
    parts = urlsplit(page.url)
    if not parts.netloc.endswith("researchseminars.org"):
        return None
    match = re.search(r"/seminar/([A-Za-z0-9_-]+)", parts.path)
    if match is None:
        return None
    evidence = ("a researchseminars.org series",)
    return Candidate("researchseminars", _base(page.url), evidence, {"series": match.group(1)})


_PLATFORMS: tuple[Callable[[Page], Candidate | None], ...] = (
    _localist,
    _tribe,
    _indico,
    _talks_cam,
    _researchseminars,
)


def _meta(soup: BeautifulSoup, name: str) -> str:
    tag = soup.find("meta", attrs={"name": name})
    return str(tag.get("content", "")).lower() if isinstance(tag, Tag) else ""


def _ical(page: Page) -> list[Candidate]:
    feeds: dict[str, str] = {}
    for link in page.soup.find_all("link", href=True, type=re.compile("text/calendar", re.I)):
        feeds.setdefault(_https(page.absolute(str(link["href"]))), "a <link> to text/calendar")
    for anchor in page.soup.find_all("a", href=True):
        href = str(anchor["href"]).strip()
        path = urlsplit(href).path.lower()
        query = urlsplit(href).query.lower()
        if (
            href.lower().startswith("webcal:")
            or path.endswith((".ics", ".ical", ".ifb"))
            or re.search(r"(?:^|&)(?:format|output|type)=(?:ics|ical|icalendar)(?:&|$)", query)
        ):
            feeds.setdefault(_https(page.absolute(href)), f"a link to {href}")
    return [Candidate("ical", url, (why,)) for url, why in feeds.items()]


def _https(url: str) -> str:
    # webcal:// is https:// under another name, kept so that calendar apps open the link.
    return "https://" + url[len("webcal://") :] if url.lower().startswith("webcal://") else url


def _schema_org(page: Page, detail: Page | None) -> list[Candidate]:
    on_listing = find_events(page)
    if on_listing:
        why = f"{len(on_listing)} schema.org Event(s) on the listing"
        return [Candidate("jsonld", page.url, (why,))]
    if detail is not None and find_events(detail):
        pattern = talk_pattern(page, {detail.url})
        options = {"talk_url": pattern} if pattern else {}
        why = "a schema.org Event on the talk page"
        return [Candidate("jsonld", page.url, (why,), options)]
    return []


def _labels(page: Page, detail: Page | None) -> Candidate | None:
    pattern = talk_pattern(page, {detail.url} if detail else set())
    if pattern is None:
        return None
    evidence = [f"talk links shaped like {pattern}"]
    if detail is not None:
        found = extract_labels(content_root(BeautifulSoup(detail.text, "lxml")), DEFAULT_LABELS)
        if "date" not in found.values:
            return None
        evidence.append("labels on the talk page: " + ", ".join(sorted(found.values)))
    return Candidate("labels", page.url, tuple(evidence), {"talk_url": pattern})


def talk_pattern(page: Page, known: Iterable[str] = ()) -> str | None:
    """A `talk_url` regex for the links that look like talk pages: among the links in the
    page's content (not its navigation), the shape ending in a number, else the "folder/slug"
    shape, whose links carry the most text (talk titles are longer than names or menus); the
    last number or slug is the key."""
    host = urlsplit(page.url).netloc
    # Only talk pages on the listing's host say which shape is theirs (a saved file cannot).
    known_paths = {urlsplit(url).path for url in known if urlsplit(url).netloc == host}
    numbered: dict[str, dict[str, int]] = defaultdict(dict)
    slugged: dict[str, dict[str, int]] = defaultdict(dict)
    content = content_root(BeautifulSoup(page.text, "lxml"))
    for anchor in content.find_all("a", href=True):
        parts = urlsplit(page.absolute(str(anchor["href"])))
        segments = parts.path.strip("/").split("/")
        if parts.netloc != host or parts.query or not segments[-1]:
            continue
        *parents, last = segments
        prefix = "/" + "".join(
            (r"\d+" if segment.isdigit() else re.escape(segment)) + "/" for segment in parents
        )
        shapes, key = (numbered, r"\d+") if last.isdigit() else (slugged, "[^/?#]+")
        links = shapes[prefix + f"(?P<key>{key})/?$"]
        links[parts.path] = max(links.get(parts.path, 0), len(anchor.get_text(strip=True)))
    for shapes in (numbered, slugged):
        ranked = Counter(
            {shape: sum(links.values()) for shape, links in shapes.items() if len(links) >= 2}
        )
        for shape, _ in ranked.most_common():
            if not known_paths or any(re.search(shape, path) for path in known_paths):
                return shape
    return None
