"""Whitespace, paragraphs and page chrome: turning HTML into the plain text a record holds."""

from __future__ import annotations

import re

from bs4 import BeautifulSoup, Tag

__all__ = ["clean_block", "clean_inline", "content_root"]

_SPACE = re.compile(r"[^\S\n]+")
_ANY_SPACE = re.compile(r"\s+")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")

# Regions that are site furniture, never talk content.
_CHROME_TAGS = ("nav", "aside", "script", "style", "noscript", "template", "iframe", "form", "svg")
_CHROME_ROLES = ("navigation", "banner", "contentinfo", "complementary", "search")


def clean_inline(text: str | None) -> str | None:
    """Collapse all whitespace to single spaces; None for text that is empty after that."""
    if text is None:
        return None
    cleaned = _ANY_SPACE.sub(" ", text).strip()
    return cleaned or None


def clean_block(text: str | None) -> str | None:
    """Keep paragraph breaks (a blank line) and line breaks; collapse all other whitespace."""
    if text is None:
        return None
    paragraphs = []
    for raw in _PARAGRAPH_BREAK.split(text):
        lines = [_SPACE.sub(" ", line).strip() for line in raw.split("\n")]
        paragraph = "\n".join(line for line in lines if line)
        if paragraph:
            paragraphs.append(paragraph)
    return "\n\n".join(paragraphs) or None


def content_root(soup: BeautifulSoup) -> Tag:
    """The page without its chrome: navigation, sidebars, forms, scripts, site header and footer.

    Mutates `soup`. A header or footer inside `<main>` or `<article>` belongs to the content
    (HTML5 puts article titles there) and is kept.
    """
    for tag in soup.find_all(_CHROME_TAGS):
        tag.decompose()
    for tag in soup.find_all(role=list(_CHROME_ROLES)):
        tag.decompose()
    for tag in soup.find_all(("header", "footer")):
        if tag.find_parent(("main", "article")) is None:
            tag.decompose()
    body = soup.body
    return body if body is not None else soup
