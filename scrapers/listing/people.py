"""Who gives a talk: telling a person's name from other text, and reading "Name (Affiliation)",
"Name, Affiliation", "Name – Affiliation" and lists of such speakers.

Names are recognised by their shape, not from a list of names: two to five words that start
with a capital (initials and hyphenated or particled names included), or two to four Chinese,
Japanese or Korean characters, and none of the words that make a phrase a title, an
institution or a room.
"""

from __future__ import annotations

import re

from scrapers.drafts import SpeakerDraft
from scrapers.read.speakers import strip_honorifics, without_degrees
from scrapers.read.words import INSTITUTION_WORDS, ROOM_WORDS, TALK_WORDS, words_pattern

__all__ = ["looks_like_name", "read_speakers"]

_PARTICLES = frozenset(
    {
        "van", "von", "der", "den", "de", "da", "di", "du", "des", "del", "della", "dos", "das",
        "do", "la", "le", "bin", "ibn", "al", "el", "ter", "ten", "y", "i", "zu", "af", "st.",
        "mc",
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
    # Korean names: two to four Hangul syllables.
    r"|^[\uac00-\ud7a3]{2,4}$"
)
# A Japanese name in kanji and kana (at most six characters), or a foreign one in katakana.
_KANA_NAME = re.compile(r"^[\u4e00-\u9fff\u3040-\u309f]{2,6}$|^[\u30a0-\u30ff・ー]{2,15}$")
_WORD = re.compile(r"[^\s]+")
_NOT_NAMES = TALK_WORDS + ROOM_WORDS
_NOT_NAMES_OR_PLACES = _NOT_NAMES + INSTITUTION_WORDS
_CASELESS = re.compile(r"[\u0590-\u08ff\u0900-\u0dff\u0e00-\u0eff\u10a0-\u10ff\u1200-\u137f]")
# An initial ("J.", "J.-P.") in any alphabet with capitals.
_INITIAL = re.compile(r"^[^\W\d_]\.(?:-?[^\W\d_]\.)*$")
# A word of a name: a capital, then letters, apostrophes, hyphens or dots ("O'Neill", "Jin-Peng").
_CAPITALISED = re.compile(r"^[^\W\d_][\w'’.\-]*$")
_NICKNAME = re.compile(r"\s\([A-Z][\w.'-]{1,15}\)(?=\s)")
_SUFFIX = re.compile(r",\s*(?:jr|sr|ii|iii|iv)\.?$", re.IGNORECASE)
# The last parenthesis is the affiliation: "Elizaveta (Liza) Levina (University of Michigan)".
_PARENTHESIS = re.compile(r"^(?P<name>.+?)\s*[(（\[](?P<affiliation>[^()（）\[\]]+)[)）\]]\s*$")
# Separators between the name and the affiliation when no parenthesis is used.
_DASH = re.compile(r"\s+[–—-]\s+|\s*[|/]\s*")
# "and" between names, in the languages of words.py ("Puig i Ferrer" is one Catalan name: a
# part after "and" must be a name of its own, see `_split_people`).
_AND = r"(?:and|und|et|y|e|en|och|og|i|и|і|та|και|és|și|ve|và|ja|ir|un|dan|oraz|และ|و|और)"
# Hebrew glues "and" to the next word: "ד"ר רון אברהם וד"ר שירה פרידמן".
_LIST = re.compile(rf"\s*(?:;|\n|、|，|\s&\s|\s+{_AND}\s+|\s+ו(?=ד[\"״]ר|פרופ))\s*", re.I)


def looks_like_name(text: str) -> bool:
    """Whether `text` reads as one person's name (an honorific before it is allowed)."""
    # A nickname in parentheses is part of a name: "Elizaveta (Liza) Levina".
    text = _NICKNAME.sub(" ", strip_honorifics(" ".join(text.split())))
    if not text or len(text) > 48 or any(char.isdigit() for char in text):
        return False
    if "," in _SUFFIX.sub("", text):
        return False
    if _CJK_NAME.match(text) or (_KANA_NAME.match(text) and " " not in text.strip()):
        return not words_pattern(_NOT_NAMES).search(text)
    words = _WORD.findall(text)
    if _caseless(text):
        # Hebrew, Arabic, Thai, Devanagari: no capitals to go by; a name is two to four words.
        others = words_pattern(_NOT_NAMES_OR_PLACES)
        return 2 <= len(words) <= 4 and "(" not in text and not others.search(text)
    if _starts_with_room(text):
        return False
    names = [w for w in words if w.lower() not in _PARTICLES]
    if not 2 <= len(words) <= 5 or not names or (len(names) < 2 and not _INITIAL.match(names[0])):
        return False
    for word in names:
        bare = word.strip(",;:")
        if bare.lower().strip(".") in _NOT_IN_NAMES:
            return False
        if not (bare[:1].isupper() and (_CAPITALISED.match(bare) or _INITIAL.match(bare))):
            return False
    # "MIT", "IEEE": all capitals and no lower case at all is an acronym, not a name.
    return any(char.islower() for char in text)


def _caseless(text: str) -> bool:
    """Written in Hebrew, Arabic, an Indic script, Thai, Georgian or Ethiopic, which have no
    capitals (CJK and Hangul names are read by their own rules above)."""
    letters = [char for char in text if char.isalpha()]
    return bool(letters) and all(_CASELESS.match(char) for char in letters)


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
        pieces = re.split(
            rf"(?<=[)）])\s*(?:,|;|&|、|及|和|與|与|및|と|\b{_AND}\b)\s*", chunk, flags=re.I
        )
        for piece in pieces:
            names = _LIST.split(piece)
            listed = _comma_names(piece) or _names_sharing(piece) or _names_before_comma(piece)
            if listed:
                groups.append(listed)
            elif (
                len(names) > 1
                and all(looks_like_name(n) for n in names[:-1])
                and (looks_like_name(_before_affiliation(names[-1])))
            ):
                groups.append(names)
            else:
                groups.append([piece])
    return [[p.strip(" ,") for p in group if p.strip(" ,")] for group in groups]


def _before_affiliation(text: str) -> str:
    """What precedes "(Affiliation)", ", Affiliation" or " – Affiliation": the name part."""
    match = _PARENTHESIS.match(text)
    head = match["name"] if match else text
    return _DASH.split(head.split(",", 1)[0], maxsplit=1)[0]


def _names_sharing(text: str) -> list[str]:
    """ "A, B (X)": two names before one affiliation, each of them from X."""
    match = _PARENTHESIS.match(text)
    if match is None or match["name"].count(",") != 1:
        return []
    names = [n.strip() for n in match["name"].split(",")]
    if not all(looks_like_name(n) for n in names):
        return []
    return [*names[:-1], f"{names[-1]} ({match['affiliation']})"]


def _names_before_comma(text: str) -> list[str]:
    """ "A & B, X": names listed before the first comma, each of them from X (which may have
    an "and" of its own: "Department of Mathematics and Statistics, Macquarie University")."""
    head, comma, rest = text.partition(",")
    names = _LIST.split(head)
    if not comma or len(names) < 2 or not all(looks_like_name(n) for n in names):
        return []
    return [*names[:-1], f"{names[-1]}, {rest.strip()}"]


def _comma_names(text: str) -> list[str]:
    """ "A, B, and C" as three names when every part is a name. With one comma, "A, B and C"
    is a name and its affiliations ("Ken Goldberg, UC Berkeley and Ambi Robotics")."""
    if text.count(",") < 2:
        return []
    names = [n.strip() for n in re.split(r",\s*(?:and\s+)?|\s+and\s+", text) if n.strip()]
    return names if all(looks_like_name(n) for n in names) else []


def _one(text: str, trusted: bool) -> SpeakerDraft | None:
    text = without_degrees(text)
    match = _PARENTHESIS.match(text)
    head, comma, rest = text.partition(",")
    if match and comma and "(" not in head and looks_like_name(head):
        # "Kari Nordmann, Norges miljø- og biovitenskapelige universitet (NMBU)": the last
        # parenthesis is part of the affiliation after the comma.
        return SpeakerDraft(strip_honorifics(head), rest.strip() or None)
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
