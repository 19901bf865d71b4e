"""What the platform adapters share: loosely typed JSON values and HTML fragments as text, zone
names, whole-day spans, JSON bodies, and query-string edits."""

from __future__ import annotations

import json
import re
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bs4 import BeautifulSoup
from bs4.element import NavigableString

from scrapers.base import Page, ParseError
from scrapers.text import clean_block

__all__ = ["as_text", "html_to_text", "json_body", "whole_days", "with_query", "zone_named"]

_BLOCKS = (
    "address", "article", "blockquote", "dd", "div", "dl", "dt", "figcaption", "figure", "h1",
    "h2", "h3", "h4", "h5", "h6", "hr", "li", "ol", "p", "pre", "section", "table", "tr", "ul",
)  # fmt: skip
_SPACE = re.compile(r"\s+")


def as_text(value: Any) -> str | None:
    """A JSON string or number (ids come as either) as stripped text; None for anything else
    or for blank text."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    return str(value).strip() or None


def html_to_text(html: str | None) -> str | None:
    """Plain text of an HTML fragment: each block a paragraph, `<br>` a line break, entities
    decoded, source line breaks inside a paragraph read as spaces (as a browser does)."""
    if not html or not html.strip():
        return None
    soup = BeautifulSoup(html, "lxml")
    for tag in soup.find_all(("script", "style")):
        tag.decompose()
    for string in soup.find_all(string=True):
        # Exact type: comments are strings too, but never text; <pre> keeps its line breaks.
        if type(string) is NavigableString and string.find_parent("pre") is None:
            string.replace_with(_SPACE.sub(" ", string))
    for br in soup.find_all("br"):
        br.replace_with("\n")
    for block in soup.find_all(_BLOCKS):
        block.insert_before("\n\n")
        block.insert_after("\n\n")
    return clean_block(soup.get_text())


def zone_named(name: str | None) -> ZoneInfo | None:
    """The IANA zone called `name`; None for no name or one that is not a zone ("UTC+2")."""
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def whole_days(
    start: datetime, end: datetime | None, zone: ZoneInfo
) -> tuple[datetime, datetime | None]:
    """An all-day event as a talk: local midnight of its first day, and the midnight after its
    last day when it spans several (None for a single day). `end` may be the last day's
    23:59:59 or, already exclusive, the next midnight."""
    first = start.date()
    if end is None:
        return _midnight(first, zone), None
    last = end.date() - timedelta(days=1) if end.time() == time(0) else end.date()
    if last <= first:
        return _midnight(first, zone), None
    return _midnight(first, zone), _midnight(last + timedelta(days=1), zone)


def json_body(page: Page) -> dict[str, Any]:
    """The page's JSON object; ParseError naming the URL when it is not one."""
    try:
        data = json.loads(page.text)
    except json.JSONDecodeError as exc:
        raise ParseError(f"{page.url}: not JSON ({exc})") from None
    if not isinstance(data, dict):
        raise ParseError(f"{page.url}: expected a JSON object, got {type(data).__name__}")
    return data


def with_query(url: str, drop: tuple[str, ...] = (), **add: str | int) -> str:
    """`url` without the query parameters named in `drop`, plus those in `add` (at the end)."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in drop]
    query += [(k, str(v)) for k, v in add.items()]
    return urlunsplit(parts._replace(query=urlencode(query)))


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone)
