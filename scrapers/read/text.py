"""Whitespace, paragraphs and page chrome: turning HTML into the plain text a record holds, in
characters every feed can carry (`scalar_text`)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from bs4 import BeautifulSoup, Tag
from bs4.element import Comment, Declaration, Doctype, NavigableString, ProcessingInstruction

from scrapers.read.tree import html_tree

__all__ = [
    "block_text",
    "clean_block",
    "clean_inline",
    "content_root",
    "first_tag",
    "html_links",
    "html_to_text",
    "scalar_json",
    "scalar_text",
    "sentences",
]

# What no record may hold: the control characters XML 1.0 forbids (all of C0 but tab, line
# feed and carriage return) and U+FFFE/U+FFFF, which every feed would have to refuse, and
# surrogates: JSON's "\ud800" decodes to half a character that no encoder can write.
_UNWRITABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_SURROGATE = re.compile("[\ud800-\udfff]")
# Vertical tab and form feed break lines (Word writes its line breaks as vertical tabs).
_LINE_CONTROLS = str.maketrans({"\x0b": "\n", "\x0c": "\n"})

_SPACE = re.compile(r"[^\S\n]+")
_ANY_SPACE = re.compile(r"\s+")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_TAG = re.compile(r"</?(?P<name>[A-Za-z][A-Za-z0-9:-]*)(?:\s[^<>]*)?/?>")
# A "<" and the name after it, to tell a tag from prose in angle brackets.
_OPENING = re.compile(r"<(?P<name>/?[A-Za-z][^\s/>]*)?")
_HTML_ELEMENTS = frozenset(
    {
        "a", "abbr", "acronym", "address", "area", "article", "aside", "audio", "b", "base",
        "bdi", "bdo", "big", "blockquote", "body", "br", "button", "canvas", "caption",
        "center", "cite", "code", "col", "colgroup", "data", "datalist", "dd", "del", "details",
        "dfn", "dialog", "dir", "div", "dl", "dt", "em", "embed", "fieldset", "figcaption",
        "figure", "font", "footer", "form", "frame", "frameset", "h1", "h2", "h3", "h4", "h5",
        "h6", "head", "header", "hgroup", "hr", "html", "i", "iframe", "img", "input", "ins",
        "kbd", "label", "legend", "li", "link", "main", "map", "mark", "math", "menu", "meta",
        "meter", "nav", "nobr", "noscript", "object", "ol", "optgroup", "option", "output", "p",
        "param", "picture", "pre", "progress", "q", "rp", "rt", "ruby", "s", "samp", "script",
        "search", "section", "select", "slot", "small", "source", "span", "strike", "strong",
        "style", "sub", "summary", "sup", "svg", "table", "tbody", "td", "template", "textarea",
        "tfoot", "th", "thead", "time", "title", "tr", "track", "tt", "u", "ul", "var", "video",
        "wbr",
    }
)  # fmt: skip
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


def scalar_text(text: str) -> str:
    """`text` as characters every feed format can carry: a lone surrogate becomes U+FFFD (a
    proper pair becomes the character it encodes), vertical tab and form feed become line
    breaks, and the other control characters XML 1.0 forbids, U+FFFE and U+FFFF are dropped."""
    if _UNWRITABLE.search(text) is None:
        return text
    if _SURROGATE.search(text):
        # UTF-16 pairs what pairs up and replaces what cannot.
        text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return _UNWRITABLE.sub("", text.translate(_LINE_CONTROLS))


def scalar_json(value: Any) -> Any:
    """Decoded JSON with `scalar_text` applied to every string in it, keys included: JSON is
    the one way a page's text reaches us as lone surrogates."""
    if isinstance(value, str):
        return scalar_text(value)
    if isinstance(value, list):
        return [scalar_json(item) for item in value]
    if isinstance(value, dict):
        return {scalar_text(key): scalar_json(item) for key, item in value.items()}
    return value


def clean_inline(text: str | None) -> str | None:
    """`scalar_text`, all whitespace collapsed to single spaces; None for text that is empty
    after that."""
    if text is None:
        return None
    if _clean_line(text):
        return text
    cleaned = _ANY_SPACE.sub(" ", scalar_text(text)).strip()
    return cleaned or None


def clean_block(text: str | None) -> str | None:
    """`scalar_text` keeping paragraph breaks (a blank line) and line breaks; all other
    whitespace collapsed."""
    if text is None:
        return None
    if _clean_lines(text):
        return text
    paragraphs = []
    for raw in _PARAGRAPH_BREAK.split(scalar_text(text)):
        # _SPACE stops at line breaks: one substitution per paragraph, not one per line.
        lines = [line.strip() for line in _SPACE.sub(" ", raw).split("\n")]
        paragraph = "\n".join(line for line in lines if line)
        if paragraph:
            paragraphs.append(paragraph)
    return "\n\n".join(paragraphs) or None


def _clean_line(text: str) -> bool:
    """Whether `clean_inline` leaves `text` as it is. Records are cleaned when a page is read and
    again when they are normalized: the second time, these string methods spare the regex scans,
    which cost far more on a long abstract. A printable text holds no unwritable character and
    no whitespace but the space."""
    return (
        text.isprintable()
        and text != ""
        and text[0] != " "
        and text[-1] != " "
        and "  " not in text
    )


def _clean_lines(text: str) -> bool:
    """Whether `clean_block` leaves `text` as it is: clean lines, and no blank line but single
    ones between paragraphs."""
    return (
        text != ""
        and text[0] != "\n"
        and text[-1] != "\n"
        and "\n\n\n" not in text
        and all(line == "" or _clean_line(line) for line in text.split("\n"))
    )


def content_root(soup: BeautifulSoup) -> Tag:
    """The page without its chrome: navigation, sidebars, forms, scripts, site header and footer.

    Mutates `soup`. A header or footer inside `<main>` or `<article>` belongs to the content
    (HTML5 puts article titles there) and is kept.
    """
    # One walk that skips what it removes: three find_all() passes over the whole tree were the
    # larger part of a detail page's own parsing time (bench/RESULTS.md, "Parse").
    for tag in _find_chrome(soup):
        # extract(), not decompose(): taking the tag out is all that is needed, and
        # decompose() walks the removed subtree once more to clear it.
        tag.extract()
    body = first_tag(soup, "body")
    return body if body is not None else soup


def first_tag(root: Tag, name: str) -> Tag | None:
    """The first element named `name` below `root`, as `root.find(name)` (and `soup.body`) finds
    it: bs4's own search runs every element through its generic filter, which cost a detail
    page more than comparing names."""
    for element in root.descendants:
        if isinstance(element, Tag) and element.name == name:
            return element
    return None


def _find_chrome(root: Tag) -> list[Tag]:
    chrome = []
    stack = [(root, False)]
    while stack:
        element, in_content = stack.pop()
        for child in element.contents:
            if not isinstance(child, Tag):
                continue
            name, role = child.name, child.attrs.get("role")
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
    plain text, so that "x < y" survives, and angle brackets around anything but an HTML
    element's name are text too ("Speaker: <Ann Lee>", "<ann@mit.edu>"). Markup that was
    escaped once more ("&lt;p&gt;…") is read as markup too; text that only shows an entity
    keeps it ("&amp;lt;" is "&lt;")."""
    if fragment is None:
        return None
    fragment = scalar_text(fragment)
    if not (_has_markup(fragment) or _ENTITY.search(fragment)):
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
    fragment = scalar_text(fragment)
    if not _has_markup(fragment):
        return _unique(_text_urls(fragment))
    soup = html_tree(_prose_brackets(fragment))
    urls: list[str] = []
    for node in (soup.body or soup).descendants:
        if isinstance(node, Tag) and node.name == "a" and node.get("href"):
            urls.append(str(node["href"]).strip())
        elif isinstance(node, NavigableString) and not isinstance(node, _NOT_TEXT):
            urls += _text_urls(str(node))
    return _unique(url for url in urls if _BARE_URL.fullmatch(url))


def _markup_text(fragment: str) -> str:
    soup = html_tree(_prose_brackets(fragment))
    return block_text(soup.body or soup)


def _is_element(name: str) -> bool:
    """Whether a name after "<" is one a browser takes for a tag: an HTML element's, a custom
    element's (they have a hyphen) or a namespaced one's (Word's `<o:p>`)."""
    name = name.lstrip("/").lower()
    return name in _HTML_ELEMENTS or "-" in name or ":" in name


def _has_markup(fragment: str) -> bool:
    return any(_is_element(tag["name"]) for tag in _TAG.finditer(fragment))


def _prose_brackets(fragment: str) -> str:
    """`fragment` with every "<" that opens no tag escaped, so that the parser keeps as text
    what the page wrote in angle brackets ("Speaker: <Ann Lee>", "<ann@mit.edu>") instead of
    swallowing it as an unknown element. Comments and declarations ("<!") stay markup."""

    def escape(opening: re.Match[str]) -> str:
        name = opening["name"]
        if name is None:
            rest = fragment[opening.end() : opening.end() + 1]
            return "<" if rest in ("!", "?") else "&lt;"
        return opening.group() if _is_element(name) else "&lt;" + name

    return _OPENING.sub(escape, fragment)


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
