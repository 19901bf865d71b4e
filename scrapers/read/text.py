"""Whitespace, paragraphs and page chrome: turning HTML into the plain text a record holds."""

from __future__ import annotations

import re

from bs4 import BeautifulSoup, Tag
from bs4.element import Comment, Declaration, Doctype, NavigableString, ProcessingInstruction

__all__ = ["block_text", "clean_block", "clean_inline", "content_root", "html_to_text"]

_SPACE = re.compile(r"[^\S\n]+")
_ANY_SPACE = re.compile(r"\s+")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>")
_ENTITY = re.compile(r"&(?:[A-Za-z][A-Za-z0-9]{1,31}|#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6});")
_TEXT_BLOCKS = frozenset(
    {
        "address", "article", "blockquote", "dd", "div", "dl", "dt", "figcaption", "figure",
        "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "ol", "p", "pre",
        "section", "table", "tr", "ul",
    }
)  # fmt: skip
_NOT_TEXT = (Comment, Declaration, Doctype, ProcessingInstruction)

# Regions that are site furniture, never talk content.
_CHROME_TAGS = frozenset(
    {"nav", "aside", "script", "style", "noscript", "template", "iframe", "form", "svg"}
)
_CHROME_ROLES = frozenset({"navigation", "banner", "contentinfo", "complementary", "search"})


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
    # One walk that skips what it removes: three find_all() passes over the whole tree were the
    # larger part of a detail page's own parsing time (bench/RESULTS.md, "Parse").
    for tag in _find_chrome(soup):
        tag.decompose()
    body = soup.body
    return body if body is not None else soup


def _find_chrome(root: Tag) -> list[Tag]:
    chrome = []
    stack = [(root, False)]
    while stack:
        element, in_content = stack.pop()
        for child in element.contents:
            if not isinstance(child, Tag):
                continue
            name, role = child.name, child.get("role")
            if (
                name in _CHROME_TAGS
                or (isinstance(role, str) and role in _CHROME_ROLES)
                or (name in ("header", "footer") and not in_content)
            ):
                chrome.append(child)
            else:
                stack.append((child, in_content or name in ("main", "article")))
    return chrome


def html_to_text(fragment: str | None) -> str | None:
    """Plain text of an HTML fragment (a description from a feed, an API or JSON-LD): each
    block a paragraph, `<br>` a line break, entities decoded, other line breaks read as spaces
    as a browser does (except in `<pre>`). Text with neither tags nor entities is taken as
    plain text, so that "x < y" survives."""
    if fragment is None:
        return None
    if not (_TAG.search(fragment) or _ENTITY.search(fragment)):
        return clean_block(fragment)
    soup = BeautifulSoup(fragment, "lxml")
    return clean_block(block_text(soup.body or soup))


def block_text(element: Tag) -> str:
    """The text of `element` with a blank line around each block and a line break for each
    `<br>`, its markup, scripts and comments gone; for `clean_block` to tidy."""
    parts: list[str] = []
    _collect(element, parts, preformatted=element.name == "pre")
    return "".join(parts)


def _collect(element: Tag, parts: list[str], *, preformatted: bool) -> None:
    for child in element.children:
        if isinstance(child, _NOT_TEXT):
            continue
        if isinstance(child, NavigableString):
            parts.append(str(child) if preformatted else _ANY_SPACE.sub(" ", str(child)))
        elif isinstance(child, Tag) and child.name not in ("script", "style", "template"):
            if child.name == "br":
                parts.append("\n")
                continue
            block = child.name in _TEXT_BLOCKS
            parts.append("\n\n" if block else "")
            _collect(child, parts, preformatted=preformatted or child.name == "pre")
            parts.append("\n\n" if block else "")
