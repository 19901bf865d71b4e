"""Who gives a talk: telling a person's name from other text, and reading "Name (Affiliation)",
"Name, Affiliation", "Name – Affiliation" and lists of such speakers.

Names are recognised by their shape, not from a list of names: two to five words that start
with a capital (initials and hyphenated or particled names included), or two to four Chinese,
Japanese or Korean characters, and none of the words that make a phrase a title, an
institution or a room.
"""

from __future__ import annotations

import re
from functools import cache

from scrapers.drafts import SpeakerDraft
from scrapers.read.words import HONORIFICS, ROOM_WORDS, TALK_WORDS, words_pattern

__all__ = ["looks_like_name", "read_speakers", "strip_honorifics"]

_PARTICLES = frozenset(
    {
        "van", "von", "der", "den", "de", "da", "di", "du", "des", "del", "della", "dos", "das",
        "do", "la", "le", "bin", "ibn", "al", "el", "ter", "ten", "y", "zu", "af", "st.", "mc",
    }
)  # fmt: skip
# Words that make a capitalised phrase something other than a person's name.
_NOT_IN_NAMES = frozenset(
    {
        "university", "universität", "université", "universidad", "universidade", "università",
        "universiteit", "institute", "institut", "instituto", "istituto", "college", "school",
        "department", "dept", "laboratory", "lab", "labs", "research", "center", "centre",
        "group", "faculty", "academy", "foundation", "corporation", "inc", "ltd", "gmbh",
        "the", "of", "and", "for", "on", "in", "to", "with", "a", "an", "at", "from", "by",
        "how", "why", "what", "when", "is", "are", "via", "towards", "toward", "new", "day",
        "week", "break", "holiday", "spring", "fall", "autumn", "winter", "summer", "term",
        "semester", "session", "meeting", "reception", "tba", "tbd", "cancelled", "canceled",
        "postponed", "online", "zoom", "video", "slides", "recording", "abstract", "title",
        "speaker", "location", "time", "date", "room", "hall", "building", "no", "talk",
        "talks", "seminar", "colloquium", "lecture", "workshop", "conference", "symposium",
        "theory", "analysis", "learning", "systems", "data", "science", "mathematics",
        "physics", "computer", "engineering", "philosophy", "introduction", "part",
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    }
)  # fmt: skip
_CJK_NAME = re.compile(
    r"^[\u4e00-\u9fff\u3400-\u4dbf]{2,4}$|^[\u4e00-\u9fff]{1,3}\s[\u4e00-\u9fff]{1,3}$"
)
_KANA_NAME = re.compile(r"^[\u4e00-\u9fff\u30a0-\u30ff\u3040-\u309f・ー\s]{2,12}$")
_WORD = re.compile(r"[^\s]+")
_INITIAL = re.compile(r"^[A-ZÀ-ÖØ-Þ]\.(?:-?[A-ZÀ-ÖØ-Þ]\.)*$")
_CAPITALISED = re.compile(r"^(?:[A-ZÀ-ÖØ-ÞĀ-ſ][\w'’.\-]*|[A-ZÀ-ÖØ-Þ]\.)$")
_SUFFIX = re.compile(r",\s*(?:jr|sr|ii|iii|iv)\.?$", re.IGNORECASE)
# The last parenthesis is the affiliation: "Elizaveta (Liza) Levina (University of Michigan)".
_PARENTHESIS = re.compile(r"^(?P<name>.+?)\s*[(（\[](?P<affiliation>[^()（）\[\]]+)[)）\]]\s*$")
# Separators between the name and the affiliation when no parenthesis is used.
_DASH = re.compile(r"\s+[–—-]\s+|\s*[|/]\s*")
_LIST = re.compile(r"\s*(?:;|\n|、|，|\s&\s|\s+(?:and|und|et|y|e|en|och|og|i|и)\s+)\s*", re.I)


# Academic titles as German-speaking and Dutch pages chain them: "Univ.-Prof. Dipl.-Ing. Dr.",
# "Jun.-Prof.", "Priv.-Doz.", "apl. Prof.", "dr. ir.", "Dr. rer. nat.".
_TITLE_ABBREVIATION = (
    r"(?:(?:univ|jun|apl|ass|assoc|asst|ao|o|em|hon|priv|dipl|dr|mag)\.?-?\s?)*"
    r"(?:prof|dr|doz|ing|dipl|habil|rer|nat|med|phil|techn|ir|drs|mag|pd|ph\.?\s?d|msc|bsc)\."
    r"(?:-ing\.)?"
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
    and the Japanese and Chinese ones after it (先生, 教授, 博士, 氏)."""
    stripped = _honorific_pattern().sub("", name.strip())
    stripped = re.sub(r"\s*(?:先生|教授|博士|氏|さん|様|副教授|研究员|講師|准教授)$", "", stripped)
    return stripped.strip(" ,") or name.strip()


def looks_like_name(text: str) -> bool:
    """Whether `text` reads as one person's name (an honorific before it is allowed)."""
    text = strip_honorifics(" ".join(text.split()))
    if not text or len(text) > 48 or any(char.isdigit() for char in text):
        return False
    if "," in _SUFFIX.sub("", text):
        return False
    if _CJK_NAME.match(text) or (_KANA_NAME.match(text) and " " not in text.strip()):
        return not words_pattern(TALK_WORDS + ROOM_WORDS).search(text)
    words = _WORD.findall(text)
    if _starts_with_room(text):
        return False
    names = [w for w in words if w.lower() not in _PARTICLES]
    if not 2 <= len(words) <= 5 or not names or (len(names) < 2 and not _INITIAL.match(names[0])):
        return False
    for word in names:
        bare = word.strip(",;:")
        if bare.lower().strip(".") in _NOT_IN_NAMES:
            return False
        if not (_CAPITALISED.match(bare) or _INITIAL.match(bare)):
            return False
    # "MIT", "IEEE": all capitals and no lower case at all is an acronym, not a name.
    return any(char.islower() for char in text)


def _starts_with_room(text: str) -> bool:
    """ "Aula Magna", "Auditório do IM", "Room 5": a room's name, not a person's."""
    first = text.split(None, 1)[0].strip(".,").casefold()
    return first != "st" and bool(words_pattern(ROOM_WORDS).fullmatch(first))


def read_speakers(text: str, trusted: bool = False) -> list[SpeakerDraft]:
    """The speakers in `text`: "A (X)", "A, X", "A – X", "A (X) and B (Y)", "A and B (X)",
    one per line or ";". With `trusted` (the text is known to name speakers: a "Speaker:"
    label or column), a part that does not look like a name is still taken as one; otherwise
    only names count, and an empty list means the text names nobody. In "A and B (X)" both
    are from X."""
    text = " ".join(text.replace("\n", " ; ").split()) if "\n" in text else text.strip()
    speakers: list[SpeakerDraft] = []
    for group in _split_people(text):
        found: list[SpeakerDraft] = []
        for part in group:
            speaker = _one(part, trusted)
            if speaker is None:
                if trusted:
                    continue
                return []
            found.append(speaker)
        shared = found[-1].affiliation if found else None
        if shared and all(s.affiliation is None for s in found[:-1]):
            found = [SpeakerDraft(s.name, s.affiliation or shared) for s in found]
        speakers += found
    return speakers


def _split_people(text: str) -> list[list[str]]:
    """`text` cut between people: at ";" and line breaks, at "and" or "," between two
    parenthesised affiliations, and at "and" between two plain names. People listed together
    ("A and B (X)") come as one group."""
    groups: list[list[str]] = []
    for chunk in re.split(r"\s*;\s*", text):
        chunk = chunk.strip(" ,")
        if not chunk:
            continue
        # "A (X), B (Y) and C (Z)": each closing parenthesis ends a person.
        pieces = re.split(r"(?<=[)）])\s*(?:,|;|\band\b|&|\bund\b|\bet\b|\by\b|、)\s*", chunk)
        for piece in pieces:
            names = _LIST.split(piece)
            listed = _comma_names(piece)
            if listed:
                groups.append(listed)
            elif len(names) > 1 and all(looks_like_name(n) for n in names[:-1]):
                groups.append(names)
            else:
                groups.append([piece])
    return [[p.strip(" ,") for p in group if p.strip(" ,")] for group in groups]


def _comma_names(text: str) -> list[str]:
    """ "A, B, and C" as three names when every part is a name. With one comma, "A, B and C"
    is a name and its affiliations ("Ken Goldberg, UC Berkeley and Ambi Robotics")."""
    if text.count(",") < 2:
        return []
    names = [n.strip() for n in re.split(r",\s*(?:and\s+)?|\s+and\s+", text) if n.strip()]
    return names if all(looks_like_name(n) for n in names) else []


def _one(text: str, trusted: bool) -> SpeakerDraft | None:
    match = _PARENTHESIS.match(text)
    if match and (trusted or looks_like_name(match["name"])):
        return SpeakerDraft(strip_honorifics(match["name"]), match["affiliation"].strip())
    if looks_like_name(text):
        return SpeakerDraft(strip_honorifics(text))
    for separator in (re.compile(r",\s*"), _DASH):
        head, _, rest = _split_once(text, separator)
        if rest and looks_like_name(head):
            return SpeakerDraft(strip_honorifics(head), rest.strip(" ,") or None)
    if trusted:
        head, _, rest = _split_once(text, re.compile(r",\s*"))
        return SpeakerDraft(strip_honorifics(head), rest.strip() or None)
    return None


def _split_once(text: str, separator: re.Pattern[str]) -> tuple[str, str, str]:
    match = separator.search(text)
    if match is None:
        return text, "", ""
    return text[: match.start()], match.group(0), text[match.end() :]
