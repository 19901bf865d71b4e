"""What the platform adapters share: loosely typed JSON values as text, zone names, JSON bodies,
and query-string edits. (HTML fragments as text: `scrapers.read.text`; whole-day spans:
`scrapers.drafts.whole_days`, which schema.org reading shares.)"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from scrapers.drafts import Page, ParseError
from scrapers.read.text import scalar_json

__all__ = ["as_text", "json_body", "with_query", "zone_named"]


def as_text(value: Any) -> str | None:
    """A JSON string or number (ids come as either) as stripped text; None for anything else
    or for blank text."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    return str(value).strip() or None


def zone_named(name: str | None) -> ZoneInfo | None:
    """The IANA zone called `name`; None for no name or one that is not a zone ("UTC+2")."""
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def json_body(page: Page) -> dict[str, Any]:
    """The page's JSON object; ParseError naming the URL when it is not one."""
    try:
        data = scalar_json(json.loads(page.text))
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
