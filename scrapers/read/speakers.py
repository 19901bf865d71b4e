"""Speaker lines: "Name, Affiliation" and its common variations."""

from __future__ import annotations

import re

from scrapers.drafts import SpeakerDraft

__all__ = ["parse_speakers", "without_title"]

# Name suffixes that a first-comma split would otherwise take for the affiliation.
_SUFFIXES = re.compile(r"^(?:jr|sr|ii|iii|iv|ph\.?\s?d|md|m\.d)\.?$", re.IGNORECASE)
_PARENTHESIZED = re.compile(r"^(?P<name>[^()]+?)\s*\((?P<affiliation>[^()]+)\)$")
_SEPARATORS = re.compile(r"\s*(?:\n+|;)\s*")
# Forms of address and academic titles before a name: "Mr", "Dr.", "Prof. Dr.".
_TITLES = re.compile(r"^(?:(?:mrs?|ms|miss|mx|dr|prof|professor)\.?\s+)+", re.IGNORECASE)


def parse_speakers(text: str | None) -> list[SpeakerDraft]:
    """Speakers from a "Speaker:" value: one per line or per ";", each "Name, Affiliation"
    (split at the first comma only: affiliations contain commas) or "Name (Affiliation)".
    "and" is not a separator: "UC Berkeley and Ambi Robotics" is one compound affiliation."""
    if not text:
        return []
    return [_one(part) for part in _SEPARATORS.split(text.strip()) if part.strip(" ,")]


def without_title(name: str) -> str:
    """`name` without the forms of address and titles before it ("Prof. Dr. Ada Byron" is
    "Ada Byron"); a name that is nothing else stays whole."""
    return _TITLES.sub("", name.strip()) or name.strip()


def _one(text: str) -> SpeakerDraft:
    text = " ".join(text.split()).strip(" ,")
    match = _PARENTHESIZED.match(text)
    if match:
        return SpeakerDraft(match.group("name"), match.group("affiliation").strip())
    parts = [part.strip() for part in text.split(",")]
    name_parts = [parts[0]]
    rest = parts[1:]
    while rest and _SUFFIXES.match(rest[0]):
        name_parts.append(rest.pop(0))
    affiliation = ", ".join(part for part in rest if part) or None
    return SpeakerDraft(", ".join(name_parts), affiliation)
