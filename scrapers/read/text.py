"""Whitespace, paragraphs and page chrome: turning HTML into the plain text a record holds."""

from __future__ import annotations

import re
from collections.abc import Iterable

from bs4 import BeautifulSoup, Tag
from bs4.element import Comment, Declaration, Doctype, NavigableString, ProcessingInstruction

__all__ = [
    "block_text",
    "clean_block",
    "clean_inline",
    "content_root",
    "html_links",
    "html_to_text",
    "sentences",
]

_SPACE = re.compile(r"[^\S\n]+")
_ANY_SPACE = re.compile(r"\s+")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>")
_ENTITY = re.compile(r"&(?:[A-Za-z][A-Za-z0-9]{1,31}|#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6});")
# Markup left in the text once its entities are decoded: the source escaped its HTML a second
# time ("&lt;p&gt;…&lt;/p&gt;"). Only tags that cannot be prose count: a closing tag, a tag with
# quoted attributes, or a bare paragraph or line break ("x <b and c> y" stays text).
_ESCAPED_MARKUP = re.compile(
    r"</(?:p|div|span|a|b|i|u|em|strong|li|ul|ol|h[1-6]|br|table|tr|td)\s*>"
    r"|<(?:p|div|span|a|b|i|u|em|strong|li|ul|ol|h[1-6]|table|tr|td)"
    r"(?:\s+[\w:-]+\s*=\s*\"[^\"<>]*\")+\s*/?>"
    r"|<(?:p|br\s*/?)>",
    re.IGNORECASE,
)
_BARE_URL = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)
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
    plain text, so that "x < y" survives. Markup that was escaped once more ("&lt;p&gt;…") is
    read as markup too; text that only shows an entity keeps it ("&amp;lt;" is "&lt;")."""
    if fragment is None:
        return None
    if not (_TAG.search(fragment) or _ENTITY.search(fragment)):
        return clean_block(fragment)
    text = _markup_text(fragment)
    if _ESCAPED_MARKUP.search(text):
        # The first pass's line breaks are the source's own: keep them through the second.
        text = _markup_text(text.replace("\n", "<br>"))
    return clean_block(text)


def html_links(fragment: str | None) -> list[str]:
    """The http(s) URLs an HTML fragment or plain text points to, in order: link targets and
    URLs written out in the text. Images and other embedded resources are not links."""
    if not fragment:
        return []
    if not _TAG.search(fragment):
        return _unique(_text_urls(fragment))
    soup = BeautifulSoup(fragment, "lxml")
    urls: list[str] = []
    for node in (soup.body or soup).descendants:
        if isinstance(node, Tag) and node.name == "a" and node.get("href"):
            urls.append(str(node["href"]).strip())
        elif isinstance(node, NavigableString) and not isinstance(node, _NOT_TEXT):
            urls += _text_urls(str(node))
    return _unique(url for url in urls if _BARE_URL.fullmatch(url))


def _markup_text(fragment: str) -> str:
    soup = BeautifulSoup(fragment, "lxml")
    return block_text(soup.body or soup)


def _text_urls(text: str) -> list[str]:
    # A sentence's closing punctuation is not part of the URL it ends with.
    return [match.group().rstrip(".,;:!?)]") for match in _BARE_URL.finditer(text)]


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


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


_SENTENCE_END = re.compile(r"(?<=[.!?。])\s+(?=[A-Z0-9À-Þ])")
# Words whose full stop ends no sentence: "Prof. Dr. Anna Schmidt", "Room 5, 3401 Walnut St. in".
_ABBREVIATIONS = frozenset(
    {"st", "dr", "rd", "no", "rm", "mr", "ms", "mrs", "jr", "sr", "vs", "av", "ave", "bldg",
     "prof", "etc", "dept", "univ", "approx", "ca", "doz", "priv", "ing", "assoc", "asst",
     "jun", "apl", "hon", "mag", "dipl", "habil", "kl", "godz", "hod", "nr", "tel", "ul", "str",
     "inkl", "bzw", "evt", "pkt", "sz", "gr", "ауд", "aud", "корп", "каб", "pok", "geb", "bât",
     "edif", "hs"}
)  # fmt: skip


def sentences(line: str) -> list[str]:
    """The sentences of one line of text, not cut after an initial or an abbreviation."""
    parts, start = [], 0
    for end in _SENTENCE_END.finditer(line):
        word = line[start : end.start()].rsplit(None, 1)[-1].rstrip(".!?。").lower()
        if len(word) <= 1 or word in _ABBREVIATIONS:
            continue
        parts.append(line[start : end.start()])
        start = end.end()
    parts.append(line[start:])
    return [part for part in parts if part]
