"""What a series announces once for all its talks: "All talks are at 3:30pm in Room 101 unless
noted", "Time: 2:00pm-3:00pm", "Die Vorträge finden dienstags um 16:15 Uhr im Hörsaal 3
statt". Read from the page's text outside the talk blocks; a talk that gives its own time or
room keeps it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bs4 import Tag

from scrapers.listing.blocks import Group
from scrapers.listing.dom import Doc
from scrapers.listing.fields import without_remarks
from scrapers.read.text import sentences as split_sentences
from scrapers.read.words import (
    FIELD_LABELS,
    ROOM_WORDS,
    TALK_WORDS,
    label_field,
    label_pattern,
    words_pattern,
)
from scrapers.when import ClockMention, DateStyle, find_clocks, find_days

__all__ = ["SeriesDefaults", "series_defaults"]

_LEAVES = frozenset(
    {"p", "li", "dd", "dt", "div", "h2", "h3", "h4", "h5", "h6", "td", "caption", "section"}
)
# Where a room follows in a sentence: "in room 401B", "im Hörsaal 3", "dans la salle 12",
# "i sal 3418", "w sali 403".
# A room noun whose case ending says "in" (Estonian "ruumis", Finnish "salissa", Hungarian
# "teremben"): what follows is the room, whatever words it has.
_IN_ROOM = r"ruumis|auditooriumis|salissa|luentosalissa|huoneessa|teremben|termében"
_AFTER_ROOM_NOUN = re.compile(rf"(?:{_IN_ROOM})\s+$", re.IGNORECASE)
_PREPOSITION = re.compile(
    r"(?:^|\s)(?:in(?:\s+the)?|im|in\s+der|in\s+de|à\s+la|au|dans(?:\s+la|\s+le)?|"
    rf"en(?:\s+la|\s+el)?|na|no|nel(?:la)?|alla|op|at|i|w|v|ve|в|{_IN_ROOM})\s+",
    re.IGNORECASE,
)
# The room itself runs to the end of its clause: a full stop, a semicolon, "unless …"; its
# parts after commas are kept while they read as more of the address (see `_address`).
_PLACE = re.compile(
    r"(?P<place>(?:[^;.。]|\.\S)+?)"
    r"(?=\s+(?:unless|except|statt|sauf|salvo|excepto|tranne|behalve|and|und|et|y)\b|"
    r"[;。]|\.(?:\s|$)|$)",
)
_ROOM = re.compile(
    r"(?:campus|bâtiment|building|gebäude|edificio|edifício|palazzo|site|bloc|bloco|piso|floor|"
    r"étage|etage|stock|floor)\b",
    re.IGNORECASE,
)
_TALKS = words_pattern(TALK_WORDS, compounds=True)
# "Helyszín, ha másként nem jelezzük: …", "Venue (unless noted): …": a label, a hedge, a colon.
_HEDGED_LABEL = re.compile(
    rf"^\s*(?P<label>{'|'.join(map(re.escape, FIELD_LABELS['location']))})\s*"
    r"(?:,[^:]{1,60}|\([^)]{1,60}\))\s*:\s*",
    re.IGNORECASE,
)
_PLACE_CJK = re.compile(r"(?:在|于|於|地点[:：]?)\s*(?P<place>[^，。,;；\s]{2,30})")


@dataclass(frozen=True)
class SeriesDefaults:
    """The series' usual time and room, if the page states them."""

    clock: ClockMention | None = None
    location: str | None = None


def series_defaults(doc: Doc, groups: list[Group], style: DateStyle) -> SeriesDefaults:
    """The time and room the page states for all its talks, outside the talk blocks."""
    inside = {id(t) for group in groups for block in group.blocks for t in block.tags}
    # Elements around the talks hold the talks' own times: not a series' announcement.
    around = {id(p) for group in groups for b in group.blocks for t in b.tags for p in t.parents}
    clock: ClockMention | None = None
    location: str | None = None
    for tag in doc.elements():
        if id(tag) in inside or id(tag) in around:
            continue
        if tag.name not in _LEAVES or _holds_blocks(doc, tag) or _within(tag, inside):
            continue
        for sentence in _sentences(doc.text(tag)):
            if find_days(sentence, style):
                continue
            label = label_pattern().match(sentence) or _HEDGED_LABEL.match(sentence)
            field = label_field(label["label"]) if label else None
            value = sentence[label.end() :] if label else sentence
            clocks = find_clocks(value, style)
            if field == "location" and location is None:
                location = without_remarks(value.rstrip(" ."))
                continue
            if clocks and clock is None and field in (None, "time", "date"):
                clock = clocks[0]
                location = location or _place(value)
            elif location is None and field is None and _TALKS.search(value):
                # "Om inget annat anges hålls seminariet i sal 3418": where the talks are.
                location = _place(value)
    return SeriesDefaults(clock, location)


def _address(text: str) -> str:
    """The start of `text` that is a place: its first part, and each part after a comma that
    goes on with a name, a number or a room word ("Room LG07, Ashworth Building", "salle B 201
    (bâtiment Fermat), campus des Tanneurs"), not one that says something else (", sauf …")."""
    parts: list[str] = []
    depth = 0
    current = ""
    for char in text:
        depth += (char in "([" and 1) or 0
        depth -= (char in ")]" and 1) or 0
        if char == "," and depth <= 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    kept = [parts[0]]
    for part in parts[1:]:
        word = part.strip()
        if not word or not (word[0].isupper() or word[0].isdigit() or _ROOM.match(word)):
            break
        kept.append(part)
    return ",".join(kept)


def _sentences(text: str) -> list[str]:
    """The text's lines, and the sentences of each line that no label opens (a label's value
    is the rest of its line, full stops and all)."""
    sentences = []
    for line in text.split("\n"):
        line = " ".join(line.split())
        if not line:
            continue
        if label_pattern().match(line):
            sentences.append(line)
        else:
            sentences += split_sentences(line)
    return sentences


def _holds_blocks(doc: Doc, tag: Tag) -> bool:
    return any(child.name in _LEAVES for child in doc.children(tag))


def _within(tag: Tag, inside: set[int]) -> bool:
    return any(id(parent) in inside for parent in tag.parents)


def _place(sentence: str) -> str | None:
    """The room a sentence names after "in", "im", "dans la" …, if it reads as a room."""
    starts = [m.end() for m in _PREPOSITION.finditer(sentence)]
    matches = [_PLACE.match(sentence, start) for start in starts]
    matches += list(_PLACE_CJK.finditer(sentence))
    for match in matches:
        if match is None:
            continue
        place = _address(match["place"]).strip(" .")
        named = _AFTER_ROOM_NOUN.search(sentence[: match.start()]) and any(
            c.isdigit() for c in place
        )
        if (named or words_pattern(ROOM_WORDS).search(place)) and not find_clocks(place):
            return place
    return None
