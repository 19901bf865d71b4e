"""A page as the listing extractor sees it: the content without its chrome and hidden parts,
each element's visible text, and a block's text as lines of marked-up pieces.

The tree is walked once, without recursion (hostile pages nest deeply), and never modified, so
other readers of the same parsed page still see all of it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from urllib.parse import urldefrag, urljoin

from bs4 import BeautifulSoup, Tag
from bs4.element import Comment, Declaration, Doctype, NavigableString, ProcessingInstruction

from scrapers.drafts import REFUSED_SCHEMES

__all__ = ["BLOCK_TAGS", "HEADINGS", "MAX_DEPTH", "Doc", "Line", "Piece"]

HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
BLOCK_TAGS = frozenset(
    {
        "address", "article", "blockquote", "caption", "dd", "details", "div", "dl", "dt",
        "figcaption", "figure", "footer", "header", "hr", "li", "main", "ol", "p", "pre",
        "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
    }
    | HEADINGS
)  # fmt: skip
_CHROME_TAGS = frozenset(
    {
        "nav", "aside", "script", "style", "noscript", "template", "iframe", "form", "svg",
        "button", "select", "option", "input", "textarea", "head", "object", "embed", "canvas",
        "video", "audio", "map",
    }
)  # fmt: skip
_PAGE_TAGS = ["main", "article", "section", "table"]
_HEADING_LIST = ["h1", "h2", "h3"]
_CHROME_ROLES = frozenset(
    {"navigation", "banner", "contentinfo", "complementary", "search", "menu", "menubar"}
)
# Class words of page furniture: menus, breadcrumbs, share bars, cookie notices.
_CHROME_CLASS = re.compile(
    r"(?:^|[\s_-])(?:breadcrumbs?|navbar|nav-?menu|menu|sidebar|cookies?|consent|share|sharing|"
    r"social|skip-?link|site-?header|site-?footer|mega-?menu|off-?canvas|toolbar)(?:$|[\s_-])",
    re.IGNORECASE,
)
_HIDDEN_CLASS = re.compile(
    r"(?:^|\s)(?:visually-?hidden|sr-only|screen-reader-text|element-invisible|hidden|"
    r"d-none|is-hidden|invisible)(?:$|\s)",
    re.IGNORECASE,
)
_DISPLAY_NONE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_SKIPPED = (Comment, Declaration, Doctype, ProcessingInstruction)
_SPACE = re.compile(r"[^\S\n]+")
_STRONG = frozenset({"strong", "b"})
_EMPHASIS = frozenset({"em", "i", "cite"})


MAX_DEPTH = 200
"""Elements nested deeper than this below the content root are not read."""


@dataclass
class Piece:
    """A run of text in one style: part of a line."""

    text: str
    strong: bool = False
    emphasis: bool = False
    href: str | None = None
    """The absolute URL of the link the text is in (with its fragment), if any."""
    heading: bool = False


@dataclass
class Line:
    """One line of a block: what a reader sees between two line breaks."""

    pieces: list[Piece] = field(default_factory=list)
    hints: tuple[str, ...] = ()
    """Class words of the elements around the line within its block ("speaker", "date" …),
    outermost first."""
    cell: int | None = None
    """The table column the line is in, for a table row."""

    @property
    def text(self) -> str:
        """The line's text, whitespace collapsed."""
        return " ".join("".join(p.text for p in self.pieces).split())


class Doc:
    """The page's content: what a reader of the page sees as its main part."""

    def __init__(self, soup: BeautifulSoup, url: str) -> None:
        self.url = url
        self.soup = soup
        self.skipped: set[int] = set()
        self.root = _content_root(soup)
        self._texts: dict[int, str] = {}
        self._walk()

    def absolute(self, href: str) -> str | None:
        """`href` resolved against the page, fragment kept; None for non-web links."""
        href = href.strip()
        if not href or href.lower().startswith(("mailto:", "tel:", *REFUSED_SCHEMES)):
            return None
        try:
            return urljoin(self.url, href)
        except ValueError:
            return None

    def same_page(self, url: str) -> bool:
        """Whether `url` is this page (perhaps an anchor on it)."""
        return urldefrag(url)[0].rstrip("/") == urldefrag(self.url)[0].rstrip("/")

    def anchor(self, name: str) -> Tag | None:
        """The element an in-page link `#name` points at (by its id, or an `<a name>`)."""
        return self._anchors.get(name)

    @cached_property
    def _anchors(self) -> dict[str, Tag]:
        found: dict[str, Tag] = {}
        for tag in self.soup.find_all(True):
            for attribute in ("id", "name"):
                value = tag.get(attribute)
                if isinstance(value, str) and value not in found:
                    found[value] = tag
        return found

    def text(self, tag: Tag) -> str:
        """The visible text of `tag`, a line break at each block and `<br>`."""
        return self._texts.get(id(tag), "")

    def visible(self, tag: Tag) -> bool:
        """Whether `tag` is part of the content (not chrome, not hidden)."""
        return id(tag) not in self.skipped

    def elements(self) -> Iterator[Tag]:
        """Every visible element of the content, in document order."""
        stack: list[Tag] = [self.root]
        while stack:
            tag = stack.pop()
            yield tag
            children = [c for c in tag.contents if isinstance(c, Tag) and self.visible(c)]
            stack.extend(reversed(children))

    def children(self, tag: Tag) -> list[Tag]:
        """The visible child elements of `tag`."""
        return [c for c in tag.contents if isinstance(c, Tag) and self.visible(c)]

    def lines(self, tags: list[Tag], cells: bool = False) -> list[Line]:
        """The lines of one block made of `tags` (siblings in order); with `cells`, each tag
        is a table cell and its lines carry its column number."""
        lines: list[Line] = []
        for number, tag in enumerate(tags):
            _LineBuilder(self, lines, number if cells else None).run(tag)
        return [line for line in lines if line.text]

    def _walk(self) -> None:
        """Mark chrome and hidden elements, then compute every element's text bottom-up."""
        order: list[Tag] = []
        stack: list[tuple[Tag, bool, int]] = [(self.root, self.root.name in ("main", "article"), 0)]
        while stack:
            tag, in_content, depth = stack.pop()
            order.append(tag)
            for child in tag.contents:
                if not isinstance(child, Tag):
                    continue
                # Each element keeps the text of all it holds, so a page nesting thousands of
                # elements would cost memory by the square of its depth; no page of talks
                # nests that deep.
                if depth >= MAX_DEPTH or _is_chrome(child, in_content) or _is_hidden(child):
                    self.skipped.add(id(child))
                    continue
                stack.append((child, in_content or child.name in ("main", "article"), depth + 1))
        for tag in reversed(order):
            parts: list[str] = []
            for child in tag.contents:
                if isinstance(child, _SKIPPED):
                    continue
                if isinstance(child, NavigableString):
                    parts.append(_SPACE.sub(" ", str(child)))
                elif isinstance(child, Tag) and id(child) not in self.skipped:
                    if child.name == "br":
                        parts.append("\n")
                    elif child.name in BLOCK_TAGS:
                        parts.append("\n" + self._texts.get(id(child), "") + "\n")
                    else:
                        inner = self._texts.get(id(child), "")
                        if parts and _glued(parts[-1], inner):
                            parts.append(" ")
                        parts.append(inner)
            self._texts[id(tag)] = "".join(parts)


class _LineBuilder:
    """Splits a block into lines at block elements and `<br>`, keeping each run's style, and
    gives each line the class words of the elements that hold that line alone (a wrapper of
    several lines, such as a card's body, says nothing about any one of them)."""

    def __init__(self, doc: Doc, lines: list[Line], cell: int | None) -> None:
        self.doc = doc
        self.lines = lines
        self.cell = cell
        self.current: Line | None = None
        self.words: list[tuple[str, ...]] = []
        """Class words of each element entered, by its number."""
        self.spans: dict[int, set[int]] = {}
        """The lines (by number) each element holds text of."""
        self.paths: dict[int, tuple[int, ...]] = {}
        self.last_path: tuple[int, ...] = ()
        """The elements that held the text added last."""
        """The elements (by number, outermost first) around each line's text."""

    def run(self, tag: Tag) -> None:
        self._break()
        first = len(self.lines)
        # (node, strong, emphasis, href, heading, path) for each node still to read.
        stack: list[tuple[object, bool, bool, str | None, bool, tuple[int, ...]]] = [
            (tag, False, False, None, False, ())
        ]
        while stack:
            node, strong, emphasis, href, heading, path = stack.pop()
            if isinstance(node, _BreakMarker):
                self._break()
                continue
            if isinstance(node, _SKIPPED):
                continue
            if isinstance(node, NavigableString):
                self._add(Piece(_SPACE.sub(" ", str(node)), strong, emphasis, href, heading), path)
                continue
            if not isinstance(node, Tag) or not self.doc.visible(node):
                continue
            if node.name == "br":
                self._break()
                continue
            if node.name in BLOCK_TAGS:
                self._break()
                stack.append((_BREAK, False, False, None, False, ()))
            if node.name == "a" and node.get("href"):
                href = self.doc.absolute(str(node["href"])) or href
            self.words.append(_class_words(node))
            path = (*path, len(self.words) - 1)
            strong = strong or node.name in _STRONG
            emphasis = emphasis or node.name in _EMPHASIS
            heading = heading or node.name in HEADINGS
            for child in reversed(node.contents):
                stack.append((child, strong, emphasis, href, heading, path))
        self._break()
        for number in range(first, len(self.lines)):
            own = [e for e in self.paths.get(number, ()) if self.spans[e] == {number}]
            self.lines[number].hints = tuple(word for e in own for word in self.words[e])

    def _add(self, piece: Piece, path: tuple[int, ...]) -> None:
        pieces = self.current.pieces if self.current is not None else []
        before = pieces[-1].text if pieces else ""
        if path != self.last_path and _glued(before, piece.text):
            piece.text = " " + piece.text
        self.last_path = path
        if self.current is None:
            if not piece.text.strip():
                return
            self.current = Line(cell=self.cell)
            self.lines.append(self.current)
        number = len(self.lines) - 1
        if piece.text.strip():
            known = self.paths.get(number, ())
            self.paths[number] = known + tuple(e for e in path if e not in known)
            for element in path:
                self.spans.setdefault(element, set()).add(number)
        last = self.current.pieces[-1] if self.current.pieces else None
        if last is not None and (last.strong, last.emphasis, last.href, last.heading) == (
            piece.strong,
            piece.emphasis,
            piece.href,
            piece.heading,
        ):
            last.text += piece.text
        else:
            self.current.pieces.append(piece)

    def _break(self) -> None:
        self.current = None


def _glued(before: str, after: str) -> bool:
    """Whether two elements' texts meet as a number and a word ("<span>Do</span><span>18</span>
    <span>Sept.</span>", a date badge whose boxes CSS sets apart): they are read apart. An
    ordinal's ending stays on its number ("1<sup>er</sup>", "2<sup>nd</sup>")."""
    if not (before and after):
        return False
    if before[-1].isdigit() and after[0].isalpha():
        return _ORDINAL_END.match(after) is None
    return before[-1].isalpha() and after[0].isdigit()


_ORDINAL_END = re.compile(r"(?:st|nd|rd|th|er|re|e|ème|eme|o|a|º|ª)\b", re.IGNORECASE)


class _BreakMarker:
    """Where a block element ends: the next text starts a new line."""


_BREAK = _BreakMarker()
_CLASS_SPLIT = re.compile(r"[\s_-]+")


def _class_words(tag: Tag) -> tuple[str, ...]:
    """The words of the element's class names, then the names whole (microformats name fields
    with them: "dt-start", "p-name")."""
    classes: list[str] = [str(c) for c in tag.get("class") or []]
    words = [w.lower() for c in classes for w in _CLASS_SPLIT.split(c) if w]
    words += [c.lower() for c in classes if _CLASS_SPLIT.search(c)]
    itemprop = tag.get("itemprop")
    if isinstance(itemprop, str):
        words.append(itemprop.lower())
    return tuple(words)


def _content_root(soup: BeautifulSoup) -> Tag:
    main = soup.find("main") or soup.find(role="main")
    if isinstance(main, Tag) and main.get_text(strip=True):
        return main
    return soup.body if soup.body is not None else soup


def _is_chrome(tag: Tag, in_content: bool) -> bool:
    if tag.name == "button" and _is_disclosure(tag):
        return False
    if tag.name == "form":
        # ASP.NET WebForms wrap the whole page in one form: chrome only when it holds no page.
        wraps = tag.find(_PAGE_TAGS) is not None or len(tag.find_all(_HEADING_LIST, limit=2)) == 2
        return not wraps
    if tag.name in _CHROME_TAGS:
        return True
    role = tag.get("role")
    if isinstance(role, str) and role in _CHROME_ROLES:
        return True
    if tag.name in ("header", "footer") and not in_content:
        return True
    classes = " ".join(str(c) for c in tag.get("class") or [])
    identifier = str(tag.get("id") or "")
    return bool(_CHROME_CLASS.search(classes) or _CHROME_CLASS.search(identifier))


def _is_disclosure(button: Tag) -> bool:
    """A button that opens a panel (an accordion's, a collapsed abstract's) or stands in a
    heading: its text names what it opens, a talk's title as often as not."""
    opens = button.has_attr("aria-controls") or button.has_attr("aria-expanded")
    return opens or button.find_parent(list(HEADINGS)) is not None


def _is_hidden(tag: Tag) -> bool:
    # aria-hidden hides from screen readers only: a card's date box is seen by everyone else.
    if tag.has_attr("hidden"):
        return True
    classes = " ".join(str(c) for c in tag.get("class") or [])
    return bool(_HIDDEN_CLASS.search(classes) or _DISPLAY_NONE.search(str(tag.get("style", ""))))
