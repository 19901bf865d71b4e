"""Event platforms recognised by their signature in a page: the rung that reads a platform's
API rather than its pages, and the CMS event views whose cards the listing reader reads.

An API platform is named with the query that lists its events (built by its adapter in
`scrapers/platforms/`), so that a source reading a live page can fetch it; a saved page can
only name it. A CMS event view (Drupal's Views, WordPress event plugins) is named with the
selector of its event cards.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from bs4 import Tag

from scrapers.drafts import OptionError, Page
from scrapers.kinds import build_source

__all__ = ["Signature", "signatures"]


@dataclass(frozen=True)
class Signature:
    """A platform the page runs on, and how to read it."""

    platform: str
    why: str
    kind: str | None = None
    """The source kind that reads the platform's API, with `options`."""
    options: dict[str, Any] = field(default_factory=dict)
    url: str | None = None
    """The source's `url` for that kind (the calendar, site or server)."""
    cards: str | None = None
    """For a CMS event view: the CSS selector of its event cards."""
    feed: str | None = None
    """The document of the platform's events, when the page names it outright."""

    def api(self, zone: str) -> str | None:
        """The API query listing the platform's events, when the signature says enough."""
        if self.feed is not None:
            return self.feed
        if self.kind is None or self.url is None:
            return None
        table = {"kind": self.kind, "id": "auto", "name": "auto", "url": self.url}
        try:
            source = build_source({**table, "timezone": zone, **self.options})
        except OptionError:
            return None
        return source.entry_urls()[0]


def signatures(page: Page) -> list[Signature]:
    """Every platform signature found in the page, API platforms first."""
    text = page.text[:300_000].lower()
    generator = _GENERATOR.search(text)
    clues = _Clues(text, generator.group(1) if generator else "")
    found = [check(page, clues) for check in _CHECKS]
    return [signature for signature in found if signature is not None]


@dataclass(frozen=True)
class _Clues:
    """What the checks look for, found once: the page's text in lower case, and the generator
    its `<meta name="generator">` names."""

    text: str
    generator: str


_GENERATOR = re.compile(r"""<meta[^>]*name=["']?generator["']?[^>]*content=["']([^"']*)""")


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _localist(page: Page, clues: _Clues) -> Signature | None:
    if "localist" not in clues.text and "localist" not in clues.generator:
        return None
    match = re.search(r"/(?:group|department)/([A-Za-z0-9_-]+)", urlsplit(page.url).path)
    options = {"group": match.group(1)} if match else {}
    why = "Localist calendar markup" + ("" if match else " (no group in the URL)")
    return Signature("Localist", why, "localist", options, _origin(page.url))


def _tribe(page: Page, clues: _Clues) -> Signature | None:
    if "tribe-events" not in clues.text and "/wp-json/tribe/events/v1" not in clues.text:
        return None
    api = page.soup.find("link", rel="https://api.w.org/", href=True)
    root = str(api["href"]).split("/wp-json")[0] if isinstance(api, Tag) else _origin(page.url)
    match = re.search(r"/events/category/([a-z0-9_-]+)", urlsplit(page.url).path)
    options = {"category": match.group(1)} if match else {}
    why = "The Events Calendar (WordPress) markup"
    return Signature("The Events Calendar", why, "tribe-events", options, root)


def _indico(page: Page, clues: _Clues) -> Signature | None:
    if "indico" not in clues.generator and "indico" not in clues.text[:20_000]:
        return None
    match = re.search(r"/category/(\d+)", urlsplit(page.url).path)
    if match is None:
        return Signature("Indico", "an Indico page that is not a category")
    options = {"category": int(match.group(1))}
    return Signature("Indico", "an Indico category page", "indico", options, _origin(page.url))


def _talks_cam(page: Page, clues: _Clues) -> Signature | None:
    parts = urlsplit(page.url)
    match = re.search(r"/(?:show/\w+|list)/(\d+)", parts.path)
    if not parts.netloc.endswith("talks.cam.ac.uk") or match is None:
        return None
    options = {"list": match.group(1)}
    return Signature("talks.cam", "a talks.cam list", "talks-cam", options, _origin(page.url))


def _researchseminars(page: Page, clues: _Clues) -> Signature | None:
    parts = urlsplit(page.url)
    match = re.search(r"/seminar/([A-Za-z0-9_-]+)", parts.path)
    if not parts.netloc.endswith("researchseminars.org") or match is None:
        return None
    options = {"series": match.group(1)}
    why = "a researchseminars.org series"
    return Signature("researchseminars.org", why, "researchseminars", options, _origin(page.url))


# The event source of a FullCalendar widget, in the page's settings or its script:
# "jsonFeedUrl":"\/feeds\/events\/calendar.json", events: '/calendar/feed.json'.
_FULLCALENDAR = re.compile(
    r"""(?:jsonFeedUrl|eventSources?|events)["']?\s*:\s*\[?\s*["']([^"'\s]+?\.json[^"'\s]*)["']"""
)


def _fullcalendar(page: Page, clues: _Clues) -> Signature | None:
    if "fullcalendar" not in clues.text:
        return None
    match = _FULLCALENDAR.search(page.text[:500_000])
    if match is None:
        return None
    feed = page.absolute(match.group(1).replace("\\/", "/"))
    why = "a FullCalendar widget that loads its events from a JSON feed"
    return Signature("FullCalendar", why, feed=feed)


# Event cards of the CMS views universities use, by the classes the views print.
_DRUPAL_CARDS = (
    ".views-row, .content-list-item, article.node--type-event, article.node--type-events,"
    " .event-list-item, .views-view-grid .views-col"
)
_WORDPRESS_CARDS = (
    "article.type-tribe_events, .tribe-events-calendar-list__event-row, .mec-event-article,"
    " .em-event, .em-item, .eventon_list_event, article.type-event, article.event"
)


# The cards' class names, looked for in the text before the slower CSS selector runs.
_DRUPAL_CLASSES = re.compile(
    r"views-row|content-list-item|node--type-events?\b|event-list-item|views-col"
)
_WORDPRESS_CLASSES = re.compile(
    r"type-tribe_events|tribe-events-calendar-list__event-row|mec-event-article|em-event|"
    r"em-item|eventon_list_event|type-event\b|class=\"[^\"]*\bevent\b"
)


def _drupal(page: Page, clues: _Clues) -> Signature | None:
    if (
        "drupal" not in clues.generator
        and "data-drupal-selector" not in clues.text
        and ("drupal-settings-json" not in clues.text)
    ):
        return None
    if not _DRUPAL_CLASSES.search(clues.text) or not page.soup.select_one(_DRUPAL_CARDS):
        return None
    return Signature("Drupal event view", "Drupal views markup", cards=_DRUPAL_CARDS)


def _wordpress(page: Page, clues: _Clues) -> Signature | None:
    if "wordpress" not in clues.generator and "/wp-content/" not in clues.text:
        return None
    if not _WORDPRESS_CLASSES.search(clues.text) or not page.soup.select_one(_WORDPRESS_CARDS):
        return None
    return Signature(
        "WordPress event view", "WordPress event plugin markup", cards=_WORDPRESS_CARDS
    )


_CHECKS: tuple[Callable[[Page, _Clues], Signature | None], ...] = (
    _localist,
    _tribe,
    _indico,
    _talks_cam,
    _researchseminars,
    _fullcalendar,
    _drupal,
    _wordpress,
)
