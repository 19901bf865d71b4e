"""Cutting a pretty-printed feed document into its entries and putting them back: entries are
made once and kept (`feeds.spec.Bodies.entries`), and a feed is its head, its entries and its
tail, byte for byte what the library writes for the whole document.

The cuts are safe because a pretty-printed entry starts and ends on lines of its own at a fixed
depth, and text inside an entry is escaped, so no entry holds such a line.
"""

from __future__ import annotations

__all__ = ["split_document", "split_entries"]


def split_document(document: bytes, close: bytes) -> tuple[bytes, bytes]:
    """A document without entries, cut where they go: before its last `close` line."""
    at = document.rindex(close)
    return document[:at], document[at:]


def split_entries(document: bytes, start: bytes, close: bytes) -> list[str]:
    """The entries of `document`, each from its `start` line to the next one, the last one
    up to the `close` line after it."""
    first = document.find(start)
    if first < 0:
        return []
    body = document[first : document.rindex(close)].decode()
    text = start.decode()
    return [text + entry for entry in body.split(text)[1:]]
