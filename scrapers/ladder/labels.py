"""Listings whose talks live on pages of their own, made of "Label: value" sections.

No rung of the ladder can read such a listing by itself: it shows links, not talks. What the
links look like says which of them are talk pages (`talk_pattern`); one of those pages read by
the talk page rung (`scrapers.ladder.read_talk`) says whether they are label pages. A `labels`
source, or a site module on `LabelSite`, then reads the site.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from urllib.parse import urlsplit

from bs4 import Tag

from scrapers.drafts import Page
from scrapers.read.text import content_root
from scrapers.read.tree import html_tree

__all__ = ["talk_links", "talk_pattern"]


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
    for anchor in _content_links(page):
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


def talk_links(page: Page, pattern: str) -> list[str]:
    """The page's links to talk pages shaped like `pattern`, once each, in page order."""
    shape = re.compile(pattern)
    host = urlsplit(page.url).netloc
    found: dict[str, None] = {}
    for anchor in _content_links(page):
        url = page.absolute(str(anchor["href"]))
        if urlsplit(url).netloc == host and shape.search(url):
            found.setdefault(url)
    return list(found)


def _content_links(page: Page) -> list[Tag]:
    # A soup of its own: content_root() strips the page's chrome in place.
    content = content_root(html_tree(page.text))
    return [anchor for anchor in content.find_all("a", href=True) if isinstance(anchor, Tag)]
