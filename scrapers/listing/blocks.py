"""Finding a page's talk blocks by structure: table rows, list items, definition-list entries,
repeated elements (CMS cards, views rows, articles), runs of elements between headings or rules
or starting with a date, and lines of one paragraph that each start with a date.

Every repeated structure is a candidate group; a group is scored by how many of its blocks carry
a date and how much else in them says "talk" (a time of day, a name, a "Speaker:" label, talk
words around it), and the best groups win. News lists, menus and archives lose: their items
carry no time, no person and no talk words.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache, cached_property
from itertools import chain

from bs4 import Tag

from scrapers.listing.dom import HEADINGS, Doc, Line
from scrapers.listing.people import looks_like_name
from scrapers.read.words import (
    FIELD_LABELS,
    NEWS_WORDS,
    TALK_WORDS,
    TEACHING_WORDS,
    label_field,
    label_pattern,
    words_pattern,
)
from scrapers.when import DateStyle, DayMention, find_clocks, find_days

__all__ = ["Block", "Group", "find_groups"]

_MIN_BLOCKS = 2
_BLOCK_LIST = ["div", "p", "h2", "h3", "h4", "h5", "h6", "ul", "table"]
_LIST_TAGS = frozenset({"ul", "ol"})
# Elements whose children are one listing's entries by nature, read by their own rule.
_OWN_RULE = frozenset({"table", "thead", "tbody", "tfoot", "tr", "ul", "ol", "dl"})
_INLINE = frozenset(
    {"a", "span", "strong", "b", "em", "i", "small", "sup", "sub", "br", "img", "time", "abbr",
     "cite", "code", "font", "u", "label", "mark", "q", "s", "wbr"}
)  # fmt: skip
_POSITIONAL = re.compile(r"^(?:odd|even|first|last|active|current|clearfix|row|col|views-row-\d+"
                         r"|item-\d+|.*\d.*)$")  # fmt: skip
_DATE_AT_START = 16
"""How far into a line its date may start for the line to start with a date ("Tue, 12 …")."""
_HOLDERS = ["p", "div", "li", "tr", "table", "ul", "ol", "section", "article", "dl", "blockquote",
            *HEADINGS]  # fmt: skip
"""Elements whose lines are their own: an element holding one is no run of `<br>` lines."""
_DayTest = Callable[[str], bool]
_Starts = Callable[[Tag], bool]
_SCAN = 1200
"""Characters of a block read for its date: the date of a talk comes before its abstract."""


@dataclass(eq=False)
class Block:
    """One talk's part of the page, as the candidate group cut it."""

    tags: list[Tag]
    text: str
    lines: list[Line] | None = None
    """Set when the block is part of one element (a line of a paragraph)."""
    cells: bool = False
    """The tags are the cells of a table row."""
    context: list[Tag] = field(default_factory=list)
    """A heading over the block that gives its date (a table row naming a day, above the
    rows of that day's talks)."""
    context_text: str = ""

    @cached_property
    def head(self) -> str:
        """The text where the block's date is looked for."""
        return (self.context_text + "\n" + self.text)[:_SCAN] if self.context else self.text[:_SCAN]


@dataclass(eq=False)
class Group:
    """Blocks cut the same way from one container: the rows of a table, a list's items …"""

    shape: str
    container: Tag
    blocks: list[Block]
    columns: list[str | None] = field(default_factory=list)
    """For a table: the field each column holds, from its header."""
    header_text: str = ""
    score: float = 0.0
    days: dict[int, list[DayMention]] = field(default_factory=dict)
    """Each block's day mentions (by index), found while scoring."""

    def describe(self, doc: Doc) -> str:
        """Where the group is, for a person: 'the table under "Schedule"'."""
        heading = _heading_before(doc, self.container)
        where = f' under "{heading}"' if heading else ""
        return f"{len(self.blocks)} {self.shape}{where}"


def find_groups(doc: Doc, style: DateStyle, cards: str | None = None) -> list[Group]:
    """The groups of blocks that hold the page's talks, in page order; empty when none does.
    With `cards` (a CSS selector), the blocks are the elements it selects."""
    page_words = _page_context(doc)
    scored = []
    # A platform's cards go first; the page's other structures still compete with them.
    candidates = chain(_cards(doc, cards) if cards else (), _candidates(doc, style))
    for group in candidates:
        group.score = _score(doc, group, style, page_words)
        if group.score > 0:
            scored.append(group)
    scored.sort(key=lambda g: g.score, reverse=True)
    chosen: list[Group] = []
    for group in scored:
        # A weaker group counts only if it is a quarter as sure, or a twin of the surest (the
        # next term's list, of the same markup, that holds one talk so far).
        twin = _signature(group.container) == _signature(chosen[0].container) if chosen else False
        weak = chosen and group.score < 0.25 * chosen[0].score and not twin
        if chosen and (group.shape != chosen[0].shape or weak):
            continue
        if any(_overlaps(group, other) for other in chosen):
            continue
        chosen.append(group)
    chosen.sort(key=lambda g: _position(doc, g.container))
    return chosen


# --- candidates -----------------------------------------------------------------------------


def _candidates(doc: Doc, style: DateStyle) -> Iterator[Group]:
    starts: dict[int, bool] = {}

    def starts_with_day(text: str) -> bool:
        key = hash(text[:80])
        if key not in starts:
            days = find_days(text.lstrip()[:80], style)
            starts[key] = bool(days) and days[0].start <= _DATE_AT_START
        return starts[key]

    for tag in doc.elements():
        name = tag.name
        if name == "table":
            group = _table(doc, tag, starts_with_day)
        elif name in _LIST_TAGS:
            # One item too: a term's list may hold one talk so far, beside the lists of others.
            group = _simple(
                doc, tag, "list items", [c for c in doc.children(tag) if c.name == "li"], least=1
            )
        elif name == "dl":
            group = _definitions(doc, tag)
        else:
            group = None
        if group is not None:
            yield group
        if name in _OWN_RULE:
            continue
        children = doc.children(tag)
        if len(children) >= _MIN_BLOCKS:
            yield from _repeated(doc, tag, children)
            yield from _sections(doc, tag, children, starts_with_day)
            grid = _grid(doc, tag, children)
            if grid is not None:
                yield grid
        if name not in HEADINGS and "\n" in doc.text(tag).strip():
            lined = _lines(doc, tag, starts_with_day)
            if lined is not None:
                yield lined


def _cards(doc: Doc, selector: str) -> Iterator[Group]:
    """The selected elements, grouped by their parent."""
    by_parent: dict[int, list[Tag]] = {}
    parents: dict[int, Tag] = {}
    for tag in doc.root.select(selector):
        shown = all(doc.visible(t) for t in [tag, *tag.parents])
        if isinstance(tag, Tag) and shown and tag.parent is not None:
            by_parent.setdefault(id(tag.parent), []).append(tag)
            parents[id(tag.parent)] = tag.parent
    for key, tags in by_parent.items():
        group = _simple(doc, parents[key], "cards", tags)
        if group is not None:
            yield group


def _simple(
    doc: Doc, container: Tag, shape: str, tags: list[Tag], least: int = _MIN_BLOCKS
) -> Group | None:
    blocks = [Block([t], doc.text(t)) for t in tags if doc.text(t).strip()]
    return Group(shape, container, blocks) if len(blocks) >= least else None


def _table(doc: Doc, table: Tag, starts_with_day: _DayTest) -> Group | None:
    """The table's rows as blocks; a row holding nothing but a date is the heading of the rows
    after it (a day with several talks)."""
    columns: list[str | None] = []
    header_text = ""
    blocks: list[Block] = []
    day: list[Tag] = []
    for row in _rows(doc, table):
        cells = [c for c in doc.children(row) if c.name in ("td", "th")]
        filled = [c for c in cells if doc.text(c).strip()]
        if not filled:
            continue
        in_head = row.parent is not None and row.parent.name == "thead"
        head = in_head or (len(cells) > 1 and all(c.name == "th" for c in cells))
        # Old tables head their columns with a first row of plain cells: "Kuupäev | Esineja".
        short = all(len(doc.text(c)) <= 40 for c in cells)
        named = [_column_field(doc.text(c)) for c in cells] if short and not blocks else []
        if named and (head or (not columns and sum(f is not None for f in named) >= 2)):
            columns = named
            header_text = " ".join(doc.text(c) for c in cells)
            continue
        text = "\n".join(doc.text(c) for c in cells)
        if len(filled) == 1 and len(text.strip()) < 80 and starts_with_day(text):
            day = filled
            continue
        if day and starts_with_day(text.strip()):
            # The row before named a day but the rows go on with their own: it was an empty
            # row of that day, not a heading over these.
            blocks.append(Block(day, "\n".join(doc.text(c) for c in day), cells=True))
            day = []
        context_text = "\n".join(doc.text(c) for c in day)
        blocks.append(Block(cells, text, cells=True, context=day, context_text=context_text))
    if len(blocks) < _MIN_BLOCKS and not (blocks and any(columns)):
        return None
    return Group("table rows", table, blocks, columns=columns, header_text=header_text)


def _rows(doc: Doc, table: Tag) -> Iterator[Tag]:
    for child in doc.children(table):
        if child.name == "tr":
            yield child
        elif child.name in ("thead", "tbody", "tfoot"):
            yield from (row for row in doc.children(child) if row.name == "tr")


def _column_field(text: str) -> str | None:
    """The field a column header names ("Speaker", "Datum", "题目"), or None."""
    key = " ".join(text.casefold().split()).rstrip(":：")
    if not key:
        return None
    found = label_field(key)
    if found is not None:
        return found
    return next((name for name, labels in _field_words() if labels.search(key)), None)


@cache
def _field_words() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """Each field's label words of more than three letters, as one pattern a header may hold."""
    return tuple(
        (name, words_pattern(tuple(label for label in labels if len(label) > 3)))
        for name, labels in FIELD_LABELS.items()
    )


def _definitions(doc: Doc, dl: Tag) -> Group | None:
    blocks: list[Block] = []
    for child in doc.children(dl):
        if child.name == "dt" or not blocks:
            blocks.append(Block([child], doc.text(child)))
        elif child.name == "dd":
            blocks[-1].tags.append(child)
            blocks[-1].text += "\n" + doc.text(child)
    blocks = [b for b in blocks if b.text.strip()]
    return Group("definitions", dl, blocks) if len(blocks) >= _MIN_BLOCKS else None


def _signature(tag: Tag) -> tuple[str, tuple[str, ...]]:
    classes = tuple(sorted(str(c) for c in tag.get("class") or [] if not _POSITIONAL.match(str(c))))
    return tag.name, classes


def _repeated(doc: Doc, parent: Tag, children: list[Tag]) -> Iterator[Group]:
    """Children alike: of one tag, the classes of one a part of the other's ("seminer" and
    "seminer iptal" are one kind of card, the second marked cancelled)."""
    kinds: list[tuple[str, set[str], list[Tag]]] = []
    for child in children:
        name, classes = _signature(child)
        if name in ("li", "tr", "dt", "dd", "td"):
            continue
        # A link that holds blocks is a card ("list-group-item" of Bootstrap): not inline.
        if name in _INLINE and not (name == "a" and child.find(_BLOCK_LIST) is not None):
            continue
        kind = next((k for k in kinds if _same_kind(k, name, set(classes))), None)
        if kind is None:
            kinds.append((name, set(classes), [child]))
        else:
            kind[2].append(child)
    for name, _, tags in kinds:
        if len(tags) < _MIN_BLOCKS:
            continue
        shape = "paragraphs" if name == "p" else "repeated elements"
        group = _simple(doc, parent, shape, tags)
        if group is not None:
            yield group


def _grid(doc: Doc, parent: Tag, rows: list[Tag]) -> Group | None:
    """A grid's cells, read across its rows ("views-row" > "views-col", Bootstrap's "row" >
    "col"): cards that a layout of a few columns puts in rows of their own."""
    first_row = _signature(rows[0])
    if any(_signature(row) != first_row or row.name in _INLINE for row in rows):
        return None
    cells = [[c for c in doc.children(row) if c.name not in _INLINE] for row in rows]
    if not all(cells) or max(len(row) for row in cells) < 2:
        return None
    kind = _signature(cells[0][0])
    flat = [cell for row in cells for cell in row]
    if any(
        cell.name != kind[0] or not _alike(set(_signature(cell)[1]), set(kind[1])) for cell in flat
    ):
        return None
    return _simple(doc, parent, "grid cells", flat)


def _same_kind(kind: tuple[str, set[str], list[Tag]], name: str, classes: set[str]) -> bool:
    """One kind of child: one tag with alike classes, or a card that is a link beside the same
    card as a `<div>` (a talk with a page of its own among talks without)."""
    if kind[0] != name and not ({kind[0], name} == {"a", "div"} and kind[1] and classes):
        return False
    return _alike(kind[1], classes)


def _alike(one: set[str], other: set[str]) -> bool:
    return one == other or bool(one and other and (one <= other or other <= one))


def _sections(
    doc: Doc, parent: Tag, children: list[Tag], starts_with_day: _DayTest
) -> Iterator[Group]:
    """Runs of children that each start at a heading (of one level), or at a child that starts
    with a date; a rule (`<hr>`) ends a run."""
    levels = Counter(c.name for c in children if c.name in HEADINGS)
    for level, count in levels.items():
        if count >= _MIN_BLOCKS:
            group = _runs(doc, parent, children, _named(level), "sections")
            if group is not None:
                yield group
    dated = [c for c in children if c.name not in HEADINGS and starts_with_day(doc.text(c))]
    if len(dated) >= _MIN_BLOCKS and len(dated) < len(children):
        ids = {id(c) for c in dated}
        group = _runs(doc, parent, children, lambda c: id(c) in ids, "dated runs", HEADINGS)
        if group is not None:
            yield group


def _named(name: str) -> _Starts:
    def starts(tag: Tag) -> bool:
        return tag.name == name

    return starts


def _runs(
    doc: Doc,
    parent: Tag,
    children: list[Tag],
    starts: _Starts,
    shape: str,
    ends: frozenset[str] = frozenset(),
) -> Group | None:
    """The children cut into blocks, each from a child `starts` accepts; a rule or an element
    named in `ends` ends a block without starting one."""
    blocks: list[Block] = []
    current: Block | None = None
    for child in children:
        if child.name == "hr" or (child.name in ends and not starts(child)):
            current = None
            continue
        if starts(child):
            current = Block([child], doc.text(child))
            blocks.append(current)
        elif current is not None:
            current.tags.append(child)
            current.text += "\n" + doc.text(child)
    blocks = [b for b in blocks if b.text.strip()]
    return Group(shape, parent, blocks) if len(blocks) >= _MIN_BLOCKS else None


def _lines(doc: Doc, tag: Tag, starts_with_day: _DayTest) -> Group | None:
    """One element's lines (cut by `<br>`) as blocks, each from a line starting with a date."""
    text = doc.text(tag)
    if sum(1 for line in text.split("\n") if line.strip() and starts_with_day(line)) < _MIN_BLOCKS:
        return None
    if tag.find(_HOLDERS) is not None:
        # Lines of block elements are those elements' own business.
        return None
    blocks: list[Block] = []
    for line in doc.lines([tag]):
        if starts_with_day(line.text):
            blocks.append(Block([tag], line.text, lines=[line]))
        elif blocks and blocks[-1].lines is not None:
            blocks[-1].lines.append(line)
            blocks[-1].text += "\n" + line.text
    return Group("lines", tag, blocks) if len(blocks) >= _MIN_BLOCKS else None


# --- scoring --------------------------------------------------------------------------------


def _score(doc: Doc, group: Group, style: DateStyle, page_words: float | None) -> float:
    """How surely the group lists talks: 0 when it does not."""
    evidence = 0.0
    dated = 0
    talky = 0
    for number, block in enumerate(group.blocks):
        days = find_days(block.head, style)
        if not days:
            continue
        group.days[number] = days
        dated += 1
        evidence += _block_evidence(block, style)
        talky += bool(
            words_pattern(TALK_WORDS, compounds=True).search(block.head) or _speaker_label(block)
        )
    if dated < _MIN_BLOCKS and not (dated == 1 and len(group.blocks) == 1):
        return 0.0
    share = dated / len(group.blocks)
    if share < 0.4:
        return 0.0
    around = _context(doc, group)
    if around is None or (page_words is None and around <= 0):
        return 0.0
    context = (page_words or 0.0) + around
    mean = evidence / dated
    if mean < 0.75 and context <= 0:
        return 0.0
    columns = 1.0 if any(c in ("speaker", "title") for c in group.columns) else 0.0
    # Deadlines, office hours and opening times have dates, times and even names: a list of
    # talks says so somewhere, around it, in its rows or in a "Speaker" or "Title" column.
    if context <= 0 and talky * 4 < dated and not columns:
        return 0.0
    return dated * share * (0.5 + mean + max(context, -0.5) + columns)


def _block_evidence(block: Block, style: DateStyle) -> float:
    """What besides a date says the block is a talk: a time of day, a label, a person's name,
    talk words."""
    head = block.head
    score = 0.0
    if find_clocks(head, style):
        score += 1.0
    lines = [line.strip() for line in head.split("\n") if line.strip()]
    if any(label_pattern().match(line) for line in lines):
        score += 1.0
    if any(_names_someone(line) for line in lines):
        score += 1.0
    if words_pattern(TALK_WORDS, compounds=True).search(head):
        score += 0.5
    return score


def _speaker_label(block: Block) -> bool:
    lines = (line.strip() for line in block.head.split("\n"))
    return any(
        (match := label_pattern().match(line)) and label_field(match["label"]) == "speaker"
        for line in lines
    )


def _names_someone(line: str) -> bool:
    if len(line) > 120:
        return False
    parts = re.split(r"\s*(?:[(（,:;|–—]|\s-\s)\s*", line)
    return any(looks_like_name(part) for part in parts if 3 < len(part) < 50)


def _context(doc: Doc, group: Group) -> float | None:
    """+1 when the words around the group (its heading, caption, column headers) speak of
    talks; None when they speak only of news or of courses, whose dated rows are no talks."""
    first = group.blocks[0].tags[0] if group.blocks and group.blocks[0].tags else None
    # The heading over the first block inside the container too: "Raspored predavanja" in an
    # article whose talks follow it.
    inner = (
        _heading_before(doc, first) if first is not None and first.name not in HEADINGS else None
    )
    inner = inner or (_heading_before(doc, first) if first is not None else None)
    around = " ".join(
        filter(
            None,
            [_heading_before(doc, group.container), inner, _caption(group.container),
             group.header_text],
        )
    )  # fmt: skip
    classes = " ".join(
        str(c) for tag in [group.container, *group.container.parents][:4]
        for c in tag.get("class") or []
    )  # fmt: skip
    kind = _speaks_of(around)
    if kind == "talks":
        return 1.0
    # A list of news, not one news article ("news-detail") that lists talks, nor a list of
    # news that are seminars ("news-list seminar-list").
    talk_classes = words_pattern(TALK_WORDS, compounds=True).search(classes.replace("-", " "))
    if kind is not None or (_NEWS_CLASS.search(classes) and not talk_classes):
        return None
    return 0.0


_NEWS_CLASS = re.compile(
    r"\bnews\b(?!-(?:detail|details|article|single|content|body|text|post))", re.IGNORECASE
)


def _page_context(doc: Doc) -> float | None:
    """+0.5 when the page's title or main heading speaks of talks; None when only of news or
    of courses."""
    title = doc.soup.title.get_text() if doc.soup.title is not None else ""
    heading = doc.root.find("h1")
    kind = _speaks_of(title + " " + (heading.get_text() if isinstance(heading, Tag) else ""))
    if kind == "talks":
        return 0.5
    return None if kind is not None else 0.0


def _speaks_of(text: str) -> str | None:
    """ "talks", "news" or "courses", by the words of `text`; talks win a tie."""
    if words_pattern(TALK_WORDS, compounds=True).search(text):
        return "talks"
    if words_pattern(NEWS_WORDS).search(text):
        return "news"
    return "courses" if words_pattern(TEACHING_WORDS).search(text) else None


def _caption(container: Tag) -> str:
    caption = container.find("caption", recursive=False) if container.name == "table" else None
    return caption.get_text(" ", strip=True) if isinstance(caption, Tag) else ""


def _heading_before(doc: Doc, tag: Tag) -> str | None:
    """The text of the nearest heading before `tag` in document order."""
    for element in tag.find_all_previous(list(HEADINGS), limit=1):
        if isinstance(element, Tag) and doc.visible(element):
            return " ".join(element.get_text(" ").split()) or None
    return None


def _overlaps(one: Group, other: Group) -> bool:
    inner = {id(t) for block in one.blocks for t in block.tags}
    mine = {id(one.container)} | inner
    theirs = {id(other.container)} | {id(t) for block in other.blocks for t in block.tags}
    if mine & theirs and not (one.shape == "lines" and other.shape == "lines"):
        return True
    return any(
        id(parent) in theirs for block in one.blocks for t in block.tags for parent in t.parents
    ) or any(
        id(parent) in mine for block in other.blocks for t in block.tags for parent in t.parents
    )


def _position(doc: Doc, tag: Tag) -> int:
    return next((n for n, element in enumerate(doc.elements()) if element is tag), 0)
