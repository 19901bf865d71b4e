"""The rules of JSON Feed 1.1 (https://jsonfeed.org/version/1.1) as a checker: what a document
breaks, as a list of readable problems (empty when it follows them).

Written from the spec's field list, not from our renderer: required fields and their types,
absolute URLs, RFC 3339 dates, author objects, unique item ids, and extension keys ("_" then a
letter) whose values are objects.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

__all__ = ["jsonfeed_problems"]

_VERSION = "https://jsonfeed.org/version/1.1"
_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})")
_EXTENSION = re.compile(r"_[A-Za-z].*")

_FEED_STRINGS = {"version", "title", "description", "user_comment", "next_url", "language"}
_FEED_URLS = {"home_page_url", "feed_url", "next_url", "icon", "favicon"}
_FEED_KEYS = _FEED_STRINGS | _FEED_URLS | {"authors", "expired", "hubs", "items"}
_ITEM_STRINGS = {"id", "title", "content_html", "content_text", "summary", "language"}
_ITEM_URLS = {"url", "external_url", "image", "banner_image"}
_ITEM_DATES = {"date_published", "date_modified"}
_ITEM_KEYS = _ITEM_STRINGS | _ITEM_URLS | _ITEM_DATES | {"authors", "tags", "attachments"}


def jsonfeed_problems(feed: Any) -> list[str]:
    """Every way `feed` (a parsed JSON document) breaks the JSON Feed 1.1 rules."""
    if not isinstance(feed, dict):
        return ["the document is not an object"]
    problems = _object_problems("feed", feed, _FEED_KEYS, _FEED_STRINGS, _FEED_URLS)
    if feed.get("version") != _VERSION:
        problems.append(f"feed: version is {feed.get('version')!r}, not {_VERSION!r}")
    if not isinstance(feed.get("title"), str) or not feed["title"].strip():
        problems.append("feed: title is required")
    problems += _authors_problems("feed", feed)
    items = feed.get("items")
    if not isinstance(items, list):
        return [*problems, "feed: items is required and must be an array"]
    seen: set[str] = set()
    for number, item in enumerate(items):
        where = f"item {number}"
        if not isinstance(item, dict):
            problems.append(f"{where}: not an object")
            continue
        problems += _object_problems(where, item, _ITEM_KEYS, _ITEM_STRINGS, _ITEM_URLS)
        identifier = item.get("id")
        if not isinstance(identifier, str) or not identifier:
            problems.append(f"{where}: id is required and must be a string")
        elif identifier in seen:
            problems.append(f"{where}: id {identifier!r} is not unique")
        else:
            seen.add(identifier)
        if "content_html" not in item and "content_text" not in item:
            problems.append(f"{where}: needs content_html or content_text")
        for key in _ITEM_DATES & item.keys():
            if not _is_rfc3339(item[key]):
                problems.append(f"{where}: {key} {item[key]!r} is not RFC 3339")
        tags = item.get("tags", [])
        if not isinstance(tags, list) or not all(isinstance(tag, str) for tag in tags):
            problems.append(f"{where}: tags must be an array of strings")
        problems += _authors_problems(where, item)
    return problems


def _object_problems(
    where: str, data: dict[str, Any], known: set[str], strings: set[str], urls: set[str]
) -> list[str]:
    problems = []
    for key, value in data.items():
        if _EXTENSION.fullmatch(key):
            if not isinstance(value, dict):
                problems.append(f"{where}: extension {key} must be an object")
        elif key not in known:
            problems.append(f"{where}: unknown key {key!r} (extensions start with '_')")
        elif key in strings and not isinstance(value, str):
            problems.append(f"{where}: {key} must be a string")
        elif key in urls and not _is_absolute(value):
            problems.append(f"{where}: {key} {value!r} is not an absolute URL")
    return problems


def _authors_problems(where: str, data: dict[str, Any]) -> list[str]:
    if "authors" not in data:
        return []
    authors = data["authors"]
    if not isinstance(authors, list):
        return [f"{where}: authors must be an array"]
    problems = []
    for author in authors:
        if not isinstance(author, dict) or not {"name", "url", "avatar"} & author.keys():
            problems.append(f"{where}: author {author!r} needs a name, url or avatar")
        elif "name" in author and not (isinstance(author["name"], str) and author["name"]):
            problems.append(f"{where}: author name {author['name']!r} must be a string")
    return problems


def _is_absolute(value: object) -> bool:
    if not isinstance(value, str):
        return False
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _is_rfc3339(value: object) -> bool:
    if not isinstance(value, str) or not _RFC3339.fullmatch(value):
        return False
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return True
