"""Speaker lines: "Name, Affiliation" and its common variations."""

from __future__ import annotations

import re
from functools import cache

from scrapers.drafts import SpeakerDraft
from scrapers.read.words import HONORIFICS

__all__ = ["parse_speakers", "strip_honorifics", "without_degrees"]

# Name suffixes that a first-comma split would otherwise take for the affiliation.
_SUFFIXES = re.compile(r"^(?:jr|sr|ii|iii|iv|ph\.?\s?d|md|m\.d)\.?$", re.IGNORECASE)
_PARENTHESIZED = re.compile(r"^(?P<name>[^()]+?)\s*\((?P<affiliation>[^()]+)\)$")
_SEPARATORS = re.compile(r"\s*(?:\n+|;)\s*")


def parse_speakers(text: str | None) -> list[SpeakerDraft]:
    """Speakers from a "Speaker:" value: one per line or per ";", each "Name, Affiliation"
    (split at the first comma only: affiliations contain commas) or "Name (Affiliation)".
    "and" is not a separator: "UC Berkeley and Ambi Robotics" is one compound affiliation."""
    if not text:
        return []
    return [_one(part) for part in _SEPARATORS.split(text.strip()) if part.strip(" ,")]


# Academic titles as German-speaking and Dutch pages chain them: "Univ.-Prof. Dipl.-Ing. Dr.",
# "Jun.-Prof.", "Priv.-Doz.", "apl. Prof.", "dr. ir.", "Dr. rer. nat.".
_TITLE_ABBREVIATION = (
    r"(?:(?:univ|jun|apl|ass|assoc|asst|ao|o|em|hon|priv|dipl|dr|mag)\.?-?\s?)*"
    r"(?:prof|dr|doz|ing|dipl|habil|hab|rer|nat|med|phil|techn|ir|drs|mag|pd|ph\.?\s?d|msc|sc|"
    r"bsc)\."
    r"(?:-ing\.)?"
    # Russian degrees before a name: "д.ф.-м.н." (doctor of sciences), "к.т.н.".
    r"|[дк]\.[а-яё]+\.(?:-[а-яё]+\.)*н\."
)


@cache
def _honorific_pattern() -> re.Pattern[str]:
    words = sorted(HONORIFICS, key=len, reverse=True)
    joined = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in words)
    return re.compile(
        rf"^(?:(?:{joined}|{_TITLE_ABBREVIATION})(?:\s+|(?<=\.)(?=\S)))+", re.IGNORECASE
    )


def strip_honorifics(name: str) -> str:
    """`name` without the titles printed before it ("Prof. Dr. Anna Schmidt" → "Anna Schmidt")
    and the degrees and ranks after it (", Ph.D.", ", CSc.", 教授, 氏, 교수)."""
    stripped = _honorific_pattern().sub("", name.strip())
    stripped = _AFTER.sub("", stripped)
    return stripped.strip(" ,") or name.strip()


def without_degrees(text: str) -> str:
    """`text` without the degrees that follow a name in it ("Jan Novák, CSc. (Charles
    University)" is "Jan Novák (Charles University)")."""
    return _DEGREE.sub("", text)


_DEGREE = re.compile(
    # Indonesian and Malay degrees run on: ", S.Si., M.Sc.", ", M.Kom.".
    r"(?:,\s*(?:ph\.?\s?d\.?|[A-Z][a-z]{0,3}\.\s?[A-Z][A-Za-z]{0,3}\.))+(?=\s*(?:[,(;]|$))|"
    r",\s*(?:ph\.?\s?d\.?|csc\.|drsc\.|d\.sc\.|m\.d\.|mba|mag\.\s?\w+\.|dipl\.\s?ing\.|"
    r"[дк]\.[а-я.-]+н\.)(?=\s*(?:[,(;]|$))",
    re.IGNORECASE,
)
# Degrees and ranks printed after a name: ", Ph.D.", ", CSc.", ", DrSc.", ", prof. UW",
# "д.ф.-м.н.", and the East Asian ones (先生, 教授, 博士, 氏, 교수, 박사).
_AFTER = re.compile(
    r"(?:,?\s+(?:ph\.?\s?d\.?|csc\.|drsc\.|dr\.|m\.?d\.|mba|d\.sc\.|dsc|prof\.\s+\w+|"
    r"mag\.\s?\w+\.|dipl\.\s?ing\.|[дк]\.[а-я.-]+н\.))+$"
    r"|\s*(?:先生|教授|副教授|助理教授|博士|氏|さん|様|研究员|研究員|副研究員|講師|准教授|교수|박사|연구원)$",
    re.IGNORECASE,
)


def _one(text: str) -> SpeakerDraft:
    text = " ".join(text.split()).strip(" ,")
    match = _PARENTHESIZED.match(text)
    if match:
        return SpeakerDraft(match["name"], match["affiliation"].strip())
    parts = [part.strip() for part in text.split(",")]
    name_parts = [parts[0]]
    rest = parts[1:]
    while rest and _SUFFIXES.match(rest[0]):
        name_parts.append(rest.pop(0))
    affiliation = ", ".join(part for part in rest if part) or None
    return SpeakerDraft(", ".join(name_parts), affiliation)
