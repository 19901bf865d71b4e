"""Helpers every reader shares: accent folding that keeps spans, and regex alternations of many
words that stay fast.

Folding maps each letter to its lower-case base letter one character for one character, so a
match in folded text has the same span in the original: "März", "marz" and "MÄRZ" all read as one
name, and the readers never build a folded copy of their tables per call.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from typing import TypeAlias

__all__ = ["LETTER_AFTER", "LETTER_BEFORE", "alternation", "fold", "name_key"]

# Lookarounds for "not inside a word"; \b would treat digits as word characters, and "12Mar"
# or "Mar7" should still be read.
LETTER_BEFORE = r"(?<![^\W\d_])"
LETTER_AFTER = r"(?![^\W\d_])"


def _fold_table() -> dict[str, str]:
    # Hebrew abbreviations end in a geresh ("יום ג׳", "אוק׳") that people type as an apostrophe.
    table = {"’": "'", "‘": "'", "ʼ": "'", "׳": "'", "״": '"'}
    # Latin, Greek and Cyrillic (Latin Extended Additional included, for Vietnamese); CJK has
    # nothing to fold.
    for code in range(0xC0, 0x2000):
        char = chr(code)
        decomposed = unicodedata.normalize("NFD", char)
        if len(decomposed) > 1 and all(unicodedata.combining(mark) for mark in decomposed[1:]):
            table[char] = decomposed[0].lower()
    # Digits of other scripts ("２０２５年", "٢٠٢٥") read as ASCII ones, so years match "20\d\d".
    for code in range(0x80, 0x10000):
        if chr(code).isdecimal():
            table[chr(code)] = str(unicodedata.decimal(chr(code)))
    return table


_FOLD = _fold_table()
_FOLDABLE = re.compile("[" + re.escape("".join(_FOLD)) + "]")


def _folded(match: re.Match[str]) -> str:
    return _FOLD[match[0]]


def fold(text: str) -> str:
    """`text` in lower case, without diacritics and with ASCII digits, character for
    character (same length, same spans). The readers' patterns are written in this form:
    case-sensitive patterns over literal prefixes let the regex engine skip most of a text
    without trying it."""
    lower = text.lower()
    if lower.isascii():
        return lower
    if len(lower) != len(text):
        # A letter whose lower case is longer ("İ"): keep it as it is, to keep the spans.
        lower = "".join(char if len(char.lower()) > 1 else char.lower() for char in text)
    return _FOLDABLE.sub(_folded, lower)


_SEPARATORS = re.compile(r"[\s\-]+")


@lru_cache(maxsize=4096)
def name_key(name: str) -> str:
    """The lookup key of a name as printed: folded, lower case, no trailing period, one space
    for any run of spaces or hyphens ("Quinta-feira" and "quinta feira" share a key)."""
    return _SEPARATORS.sub(" ", fold(name).strip().rstrip(".")).strip()


_Trie: TypeAlias = "dict[str, _Trie]"


def alternation(words: Iterable[str]) -> str:
    """A regex (no capturing groups) matching any of `words` (given as keys), longest first.

    The words share their prefixes (a trie), so a few hundred month and weekday names cost about
    what a dozen cost: Python's engine otherwise tries every branch at every position. A space in
    a key matches a space or a hyphen.
    """
    trie: _Trie = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}
    return _pattern(trie) if trie else "(?!)"


def _pattern(node: _Trie) -> str:
    branches = [_char(char) + _pattern(child) for char, child in sorted(node.items()) if char]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    # A word that ends here may go on: the optional rest is tried first, so the longest wins.
    return f"(?:{body})?" if "" in node else body


def _char(char: str) -> str:
    return r"[\s\-]" if char == " " else re.escape(char)
