"""Fields found by their labels ("Speaker:", "Date:", "Synopsis:"), whatever the markup.

A label may be a `<strong>`, `<b>`, `<em>`, `<span>` or `<label>` at the start of a block, a
`<dt>` or `<th>`, a heading, or plain text ("Speaker: …") at the start of a line. Its value is
what follows, inline or in the following elements, up to the next label: another known label,
any `<dt>`/`<th>`, or any heading. The page is read as one stream of text with its block and
line breaks, so the value's own markup does not matter.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from bs4.element import (
    Comment,
    Declaration,
    Doctype,
    NavigableString,
    ProcessingInstruction,
    Tag,
)

from scrapers.read.words import any_of

__all__ = ["TEXT_FIELDS", "LabelSections", "extract_labels"]

_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_TERMS = frozenset({"dt", "th"})
_INLINE_LABELS = frozenset({"strong", "b", "em", "span", "label"})
_BLOCKS = frozenset(
    {
        "address", "article", "blockquote", "dd", "div", "dl", "dt", "figcaption", "figure",
        "footer", "header", "hr", "li", "main", "ol", "p", "pre", "section", "table", "tbody",
        "td", "th", "thead", "tr", "ul",
    }
    | _HEADINGS
)  # fmt: skip
_SKIPPED = (Comment, Declaration, Doctype, ProcessingInstruction)
_WHITESPACE = re.compile(r"\s+")

TEXT_FIELDS = frozenset({"abstract", "bio", "notes"})
"""Fields of running text, which only a known label or a heading ends."""

_LINE = "\n"
_PARAGRAPH = "\n\n"


@dataclass
class LabelSections:
    """What `extract_labels` found: each field's values in page order, and the headings before
    the first label (the talk's title is usually the last of them)."""

    values: dict[str, list[str]] = field(default_factory=dict)
    headings_before: list[str] = field(default_factory=list)

    def first(self, name: str) -> str | None:
        """The field's first value, or None when the page has no such label."""
        found = self.values.get(name)
        return found[0] if found else None

    def joined(self, name: str) -> str | None:
        """All the field's values, as paragraphs of one text."""
        found = self.values.get(name)
        return _PARAGRAPH.join(found) if found else None


def extract_labels(root: Tag, labels: Mapping[str, Sequence[str]]) -> LabelSections:
    """Split the text under `root` into sections keyed by field name.

    `labels` maps a field name to the label texts that introduce it, e.g.
    `{"abstract": ("Synopsis", "Abstract")}`; matching ignores case and a trailing colon.
    Values keep line breaks ("\\n") and paragraph breaks ("\\n\\n") for the caller to clean.
    """
    reader = _Reader(labels)
    reader.walk(root)
    return reader.finish()


def _unknown_label(tag: Tag) -> bool:
    if tag.name not in _INLINE_LABELS:
        return False
    text = _stripped_text(tag)
    return text.endswith(":") and 0 < len(text.split()) <= 4 and len(text) <= 40


def _only_string(tag: Tag) -> str | None:
    """The tag's text when it is one plain string, the usual label or heading: reading it
    directly spares bs4's `get_text`, which walks its descendants through generators."""
    contents = tag.contents
    if len(contents) == 1 and type(contents[0]) is NavigableString:
        return str(contents[0])
    return None


def _stripped_text(tag: Tag) -> str:
    """`tag.get_text(" ", strip=True)`."""
    only = _only_string(tag)
    return only.strip() if only is not None else tag.get_text(" ", strip=True)


def _full_text(tag: Tag) -> str:
    """`tag.get_text()`."""
    only = _only_string(tag)
    return only if only is not None else tag.get_text()


def _label_key(text: str) -> str:
    return _WHITESPACE.sub(" ", text).strip().rstrip(":").strip().casefold()


def _compiled(labels: Mapping[str, Sequence[str]]) -> tuple[dict[str, str], re.Pattern[str]]:
    """Each label's field, and the pattern of a label opening a text, made once per mapping
    (a site's labels are a constant; by its identity, as a mapping has no hash)."""
    known = _COMPILED.get(id(labels))
    if known is None or known[0] is not labels:
        fields = {_label_key(name): field for field, names in labels.items() for name in names}
        pattern = re.compile(rf"^\s*({any_of(fields)})\s*:\s*", re.IGNORECASE)
        known = (labels, fields, pattern)
        _COMPILED[id(labels)] = known
    return known[1], known[2]


_COMPILED: dict[int, tuple[Mapping[str, Sequence[str]], dict[str, str], re.Pattern[str]]] = {}


class _Reader:
    def __init__(self, labels: Mapping[str, Sequence[str]]) -> None:
        self._fields, self._text_label = _compiled(labels)
        self._result = LabelSections()
        self._current: str | None = None
        self._seen_label = False
        self._buffer: list[str] = []
        self._line_start = True

    def walk(self, node: Tag) -> None:
        for child in node.contents:
            if isinstance(child, Tag):
                self._element(child)
            elif isinstance(child, NavigableString) and not isinstance(child, _SKIPPED):
                if child.isspace():
                    # Most strings are the indentation between tags: one space, no label, no
                    # regex, and no call for each.
                    self._buffer.append(" ")
                else:
                    self._text(str(child))

    def finish(self) -> LabelSections:
        self._close_section()
        return self._result

    def _element(self, tag: Tag) -> None:
        name = tag.name
        if name == "br":
            self._break(_LINE)
            return
        block = name in _BLOCKS
        if block:
            self._break(_PARAGRAPH)
        label = (
            self._fields.get(_label_key(_full_text(tag)))
            if name in _INLINE_LABELS and self._line_start
            else None
        )
        if name in _HEADINGS or name in _TERMS:
            text = _stripped_text(tag)
            self._start_section(self._fields.get(_label_key(text)), heading=text)
        elif label is not None:
            self._start_section(label)
        elif self._current not in TEXT_FIELDS and self._line_start and _unknown_label(tag):
            # "Who:" where the site says "Speaker:": still a label, so a one-line field such
            # as the location ends here. Text fields run on: "<b>Joint work:</b>" is prose.
            self._start_section(None)
            self.walk(tag)
        else:
            self.walk(tag)
        if block:
            self._break(_PARAGRAPH)

    def _text(self, text: str) -> None:
        if not text.isprintable() or "  " in text:
            # A printable string has no whitespace but spaces: a long paragraph written on one
            # line (an abstract) is already collapsed, and the regex scan would be most of its
            # cost.
            text = _WHITESPACE.sub(" ", text)
        # A label needs its colon; the pattern of hundreds of labels, ignoring case, costs more
        # than looking for one.
        if self._line_start and ":" in text:
            match = self._text_label.match(text)
            if match:
                self._start_section(self._fields[_label_key(match.group(1))])
                text = text[match.end() :]
        if text.strip():
            self._line_start = False
        self._buffer.append(text)

    def _break(self, kind: str) -> None:
        self._buffer.append(kind)
        self._line_start = True

    def _start_section(self, name: str | None, heading: str | None = None) -> None:
        self._close_section()
        # Headings seen before any label are the page's title candidates.
        if name is None and heading and not self._seen_label:
            self._result.headings_before.append(heading)
        self._seen_label = self._seen_label or name is not None
        self._current = name
        self._line_start = True

    def _close_section(self) -> None:
        if self._current is not None:
            # "<b>Speaker</b>: value" leaves the label's colon at the start of the value.
            value = "".join(self._buffer).strip().removeprefix(":").strip()
            if value:
                self._result.values.setdefault(self._current, []).append(value)
        self._buffer = []
