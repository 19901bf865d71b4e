"""Reading one talk block: its date and time, speakers with affiliations, title, location,
host, abstract and the talk's own link.

Each line of the block gets a field from, in this order: a label ("Speaker:", "Ort:",
"报告人："), its table column's header, the class names around it (`field--name-speaker`,
`event-location`), and last its content: a date, a person's name (with an affiliation in
parentheses, after a comma or dash, or on the next line), a room, a quoted, italic, bold or
linked title, a long paragraph for an abstract.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime, time
from typing import Literal
from urllib.parse import urldefrag, urlsplit

from bs4 import Tag

from scrapers.drafts import REFUSED_SCHEMES, SpeakerDraft, refused_link
from scrapers.listing.dom import HEADINGS, Doc, Line, Piece
from scrapers.listing.people import looks_like_name, read_speakers
from scrapers.read.speakers import strip_honorifics
from scrapers.read.text import sentences
from scrapers.read.words import (
    CALENDAR_LINK,
    CANCELLED_WORDS,
    FIELD_LABELS,
    INSTITUTION_WORDS,
    LANGUAGE_WORDS,
    MORE_ABOUT,
    MORE_LINK,
    NO_SESSION,
    NOT_A_TALK,
    POSTPONED_WORDS,
    ROOM_WORDS,
    TALK_WORDS,
    label_field,
    label_pattern,
    unaccented,
    words_pattern,
)
from scrapers.when import ClockMention, DateStyle, When, find_clocks, find_days, find_whens

__all__ = ["BlockFields", "read_block", "without_remarks"]

# Class words that say which field an element holds, most specific first: English ones, and
# the one-word labels of every language ("spreker", "titel", "ort").
_CLASS_HINTS: tuple[tuple[str, frozenset[str]], ...] = (
    ("published", frozenset({"pubdate", "publish", "published", "posted", "postdate", "byline",
                             "updated", "news-date", "news-date-time", "entry-date", "post-date",
                             "article-date", "publish-date", "date-published", "posted-on"})),
    ("affiliation", frozenset({"affiliation", "affil", "institution", "organization", "org"})),
    ("subtitle", frozenset({"subtitle", "subheading", "subhead"})),
    ("speaker", frozenset({"speaker", "speakers", "presenter", "performer", "person", "author",
                           "referent", "lecturer"})),
    ("location", frozenset({"location", "venue", "room", "place", "where", "address"})),
    ("date", frozenset({"date", "time", "datetime", "when", "day", "startdate", "month"})),
    ("host", frozenset({"host", "organizer", "organiser"})),
    ("abstract", frozenset({"abstract", "description", "teaser", "excerpt", "body", "summary"})),
    ("title", frozenset({"title", "headline", "heading"})),
)  # fmt: skip
# hCalendar (microformats.org/wiki/hcalendar) and h-event (microformats.org/wiki/h-event) class
# names, by the field they mark.
_MICROFORMATS = {
    "summary": "title", "p-name": "title", "dtstart": "date", "dt-start": "date",
    "dtend": "date", "dt-end": "date", "location": "location", "p-location": "location",
    "description": "abstract", "p-description": "abstract", "e-content": "abstract",
    "p-summary": "abstract", "organizer": "host", "p-organizer": "host",
}  # fmt: skip
_MICROFORMAT_EVENT = re.compile(r"(?:^|\s)(?:vevent|h-event)(?:\s|$)")
# One-word labels too common as class words to name a field ("data-table", "local-nav").
_NOT_HINTS = frozenset({"data", "local", "talk", "who", "info", "inhalt", "dia", "day", "tema"})


def _hints() -> tuple[tuple[str, frozenset[str]], ...]:
    labels = {
        field: frozenset(
            name for name in names if " " not in name and name.isalpha() and name not in _NOT_HINTS
        )
        for field, names in FIELD_LABELS.items()
    }
    return tuple((field, words | labels.get(field, frozenset())) for field, words in _CLASS_HINTS)


_HINTS = _hints()
_QUOTED = re.compile(r"[\"“”„«‹「『]\s*(?P<text>[^\"“”„«»‹›「」『』]{3,}?)\s*[\"”“»›」』]")
# A comma separates only after a parenthesis: "Ann Lee (MIT), On heat flow".
_SEPARATOR = re.compile(r"\s*(?::\s|：|\s[–—-]\s|\s\|\s|\s/\s|\s[·•]\s|(?<=\)),\s)\s*")
# A status in brackets, with what it says besides: "(cancelled)", "（延期，日期另行公告）"; or
# alone, or opening a line: "CANCELLED", "İPTAL EDİLMİŞTİR", "Abgesagt: …", "INSTÄLLT – …".
_STATUS = "|".join(
    re.escape(word).replace(r"\ ", r"\s+")
    for word in sorted(unaccented(CANCELLED_WORDS + POSTPONED_WORDS), key=len, reverse=True)
)
_STATUS_TAIL = re.compile(rf"\s[–—-]\s*(?P<word>{_STATUS})(?!\w).*$", re.IGNORECASE)
_NOTE_WORDS = r"note|nb|n\.b\.|huom|obs|attention|achtung|atención|nota|uwaga|pozor|bemærk|merk"
_TITLE_REMARK = re.compile(
    rf"\s*(?:\((?:{_NOTE_WORDS})\b[^()]*\)?|\[[^\[\]]{{1,40}}\])\s*$", re.IGNORECASE
)
_STATUS_WORD = re.compile(rf"(?<!\w)(?:{_STATUS})(?!\w)", re.IGNORECASE)
_MARKER = re.compile(
    rf"[(\[（【]\s*(?P<word>{_STATUS})[^)\]）】]{{0,60}}[)\]）】]"
    rf"|^\s*(?P<alone>{_STATUS})(?:\s*$|\s*[:：!–—-]\s*)",
    re.IGNORECASE,
)
# "Martingale methods … JÄÄB ÄRA": a status shouted after the title.
_SHOUTED_AFTER = re.compile(rf"\s(?P<word>{_STATUS})\s*[!.]?\s*$", re.IGNORECASE)
# "By Jane Doe", "Per Montserrat Riba", "Von …": the author of a post, in the CMS's byline.
_BYLINE_WORDS = r"(?:by|per|von|par|por|av|door|di|przez|od|af|автор)\s"
_BYLINE = re.compile(rf"^{_BYLINE_WORDS}", re.IGNORECASE)
_BYLINE_WORD = re.compile(rf"(?:^|\s){_BYLINE_WORDS}", re.IGNORECASE)
_WRAPPED = re.compile(r"^\s*[(（]\s*(?P<inner>.+?)\s*[)）]\s*$")
# A line that goes on from the one before: "and Dr Niamh Callaghan, University College Dublin".
_CONJUNCTION = re.compile(r"^(?:and|&|und|et|y|e|with|mit|avec|con|com)\s+", re.IGNORECASE)
# "(joint with Wen Li)", "(joint work with …)", "(gemeinsam mit …)", "(avec …)": co-authors.
_COAUTHORS = re.compile(
    r"\s*[(（](?:joint(?:\s+work)?\s+with|with|gemeinsam\s+mit|mit|avec|en\s+collaboration\s+avec|"
    r"con|com|z|s|с|wspólnie\s+z|met|tillsammans\s+med)\s[^()（）]+[)）]\s*$",
    re.IGNORECASE,
)
# What a date leaves behind when cut out of its sentence: "Le , salle 4125" (from "Le mardi 4
# novembre 2025, salle 4125").
_ORPHAN = re.compile(
    r"^\s*(?:the|on|le|la|am|den|der|el|il|op|di|de|du|día|dia|date|data|datum|fecha|jour|"
    r"tag|giorno|dag|den|день)?\s*[,;:|]\s*",
    re.IGNORECASE,
)
# A date's or time's label without a colon, left when its value is cut out: Thai "เวลา".
_LEFT_LABEL = re.compile(
    rf"^\s*(?:{'|'.join(map(re.escape, FIELD_LABELS['time'] + FIELD_LABELS['date']))})\s+",
    re.IGNORECASE,
)
# "應用數學研討會發佈日期：2025年9月30日": when an item was posted, its label inside the line.
_POSTED = re.compile(
    rf"(?:{'|'.join(map(re.escape, FIELD_LABELS['published']))})\s*[:：]", re.IGNORECASE
)
_BARE_DAY = re.compile(r"\s*\d{1,2}\.?\s*")
# The preposition before a room left at the start of a date line: "(4pm) in Hollis 301".
_TO_PLACE = re.compile(r"^(?:in|at|im|en|à|au|dans|w|v|i|в|на)\s+(?=\S)", re.IGNORECASE)
_FOLLOWING = {"speaker": 1, "abstract": 20, "bio": 20}
"""Lines after a "Label: value" line that still belong to the label (an affiliation, more
paragraphs of an abstract)."""
_NO_DATE = frozenset({"abstract", "published", "bio"})
"""Fields whose dates are not the talk's: a publication date, a date in a text."""
_LONG = 25
"""Words from which a line is running text (an abstract), not a title."""
_DATE_TIME_ATTRIBUTE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


@dataclass
class BlockFields:
    """What one block says about its talk, before years and series defaults are applied."""

    when: When | None = None
    clock: ClockMention | None = None
    """A time printed apart from the date (its own column or line)."""
    stamps: list[datetime] = field(default_factory=list)
    """Machine-readable times of `<time datetime>` elements, when they carry a time of day."""
    title: str | None = None
    subtitle: str | None = None
    speakers: list[SpeakerDraft] = field(default_factory=list)
    location: str | None = None
    host: str | None = None
    abstract: str | None = None
    url: str | None = None
    notes: str | None = None
    status: Literal["cancelled", "postponed"] | None = None
    not_a_talk: bool = False
    problems: list[str] = field(default_factory=list)


def read_block(
    doc: Doc,
    lines: list[Line],
    tags: list[Tag],
    columns: list[str | None],
    style: DateStyle,
    context: list[Line] | None = None,
) -> BlockFields:
    """The fields of one block made of `lines` (from `tags`). `context` is the heading of the
    talks the block is one of ("Thursday 16 March – Postgraduate afternoon (Room AG06)"): it
    gives the date, time and room the block does not."""
    reader = _Reader(doc, columns, style)
    return reader.read(lines, tags, context or [])


@dataclass
class _Candidate:
    text: str
    weight: int
    href: str | None = None


class _Reader:
    def __init__(self, doc: Doc, columns: list[str | None], style: DateStyle) -> None:
        self.doc = doc
        self.columns = columns
        self.style = style
        self.out = BlockFields()
        self.titles: list[_Candidate] = []
        self.speaker_lines: list[tuple[str, bool]] = []
        """Texts naming speakers, and whether a label or column says so."""
        self.free: list[Line] = []
        self.abstract: list[str] = []
        self.links: list[Piece] = []
        self.previous_speaker = False
        """The line read last named a speaker without an affiliation."""
        self.anchors: list[str] = []
        self.lines: list[Line] = []
        self.microformat = False
        self.labelled: set[int] = set()
        """The lines a label gives their field, which says more than a class or a heading."""

    def read(self, lines: list[Line], tags: list[Tag], context: list[Line]) -> BlockFields:
        self.lines = lines
        self.microformat = any(_is_microformat_event(tag) for tag in tags)
        self.out.stamps = _stamps(tags)
        self.anchors = self._anchors(tags)
        self.links = [p for line in lines for p in line.pieces if p.href]
        self._status(lines)
        labelled = self._labels(lines)
        self._date(labelled)
        for line, role in labelled:
            self._assign(line, role)
        if context:
            self._context(context)
        self._speakers()
        self.out.title = self._title()
        if self.out.abstract is None and self.abstract:
            self.out.abstract = "\n\n".join(self.abstract)
        self.out.url = self._url()
        if self.out.url is None:
            self.out.problems += _refused_links(tags, self.out.title)
        if self.out.abstract is None and self.out.url and "#" in self.out.url:
            self.out.abstract = _anchor_text(self.doc, self.out.url)
        self._not_a_talk(lines)
        return self.out

    # --- roles ---------------------------------------------------------------------------

    def _labels(self, lines: list[Line]) -> list[tuple[Line, str | None]]:
        """Each line with the field a label, its column or its classes give it (None: read it
        by its content). A label's value is the rest of its line and, for a speaker, the line
        after it (the affiliation); a label alone on its line names the lines after it, up to
        the next label or a line its classes give another field."""
        out: list[tuple[Line, str | None]] = []
        pending: str | None = None
        room = 0
        """How many more lines the pending label may take."""
        for line in [part for whole in lines for part in _labelled_parts(whole)]:
            text = line.text
            # A line of nothing but buttons, or of punctuation (the ":" cell between a label
            # and its value), holds no field.
            if _is_buttons(line) or not any(char.isalnum() for char in text):
                continue
            # "（地點：理學院 M107 演講廳）": a label in parentheses is a label too.
            wrapped = _WRAPPED.match(text)
            if wrapped and label_pattern().match(wrapped["inner"]):
                line = _cut(_cut(line, wrapped.end("inner"), len(text)), 0, wrapped.start("inner"))
                text = line.text
            match = label_pattern().match(text)
            if match and (role := label_field(match["label"])):
                rest = text[match.end() :].strip()
                pending, room = role, _FOLLOWING.get(role, 0)
                if rest:
                    value = _rest_of(line, len(text) - len(rest))
                    self.labelled.add(id(value))
                    out.append((value, role))
                else:
                    room = _FOLLOWING.get(role, 0) + 1
                continue
            bare = label_field(text.rstrip(":：").strip())
            if bare is not None and len(text) <= 40:
                pending, room = bare, _FOLLOWING.get(bare, 0) + 1
                continue
            role = self._column(line)
            if role is None:
                role = _hinted(line, self.microformat)
                # A heading is a title, whatever its class says ("subheading").
                if role == "subtitle" and any(p.heading for p in line.pieces):
                    role = None
                # A class name says less than a label: a short line under a "description"
                # class is read by what it says ("Prof. Dr. Matthias Brunner, Universität Basel").
                if role == "abstract" and not _is_prose(text):
                    role = None
            if role != "title" and (self._is_byline(text) or _POSTED.search(text)):
                role = "published"
            if role == "published" and (after := self._after_posting_date(line)) is not None:
                # "14.10.2025 <a>Засідання семінару 28 жовтня 2025 р.</a>": the posting date's
                # class covers the link beside it, which is the item's own.
                line, text, role = after, after.text, None
            # A speaker label's next line is an affiliation, never a sentence ("Foredraget
            # holdes på engelsk."), the abstract after it, or the time.
            if (
                pending == "speaker"
                and role is None
                and (_is_sentence(text) or find_clocks(text, self.style))
            ):
                pending = None
            if pending is not None and room > 0 and role in (None, pending, "affiliation"):
                role = role if role == "affiliation" else pending
                room -= 1
                self.labelled.add(id(line))
            else:
                pending = None
            out.append((line, role))
        return out

    def _after_posting_date(self, line: Line) -> Line | None:
        """What a posting-date line holds besides its date: a link of a few words, or None."""
        whens = find_whens(line.text, self.style)
        linked = any(p.href and len(p.text.split()) >= 3 for p in line.pieces)
        if not whens or not linked or whens[0].start > 0:
            return None
        return _cut(line, whens[0].start, whens[0].end)

    def _says_status(self, text: str) -> bool:
        """ "PERUTTU", "Seminar ditunda hingga waktu yang akan ditentukan kemudian.": the
        talk's status, alone or in a sentence of its own, is no title; it is the status."""
        word = _STATUS_WORD.search(text)
        alone = (
            word is not None
            and not text[: word.start()].strip(" :–—-!*[(")
            and not (text[word.end() :].strip(" :–—-!.*)]"))
        )
        if word is None or not (alone or _is_sentence(text)):
            return False
        self.out.status = self.out.status or _status_of(word.group(0))
        return True

    def _names_the_day(self, text: str) -> bool:
        """ "數學系研討會（2025年10月21日）", "Kolloquium am 3. März": the series and the day, in a
        card's heading, are no title."""
        return len(text) <= 60 and bool(
            words_pattern(TALK_WORDS, compounds=True).search(text) and find_days(text, self.style)
        )

    def _is_byline(self, text: str) -> bool:
        """ "17/10/25 Per Montserrat Riba", "By Jane Doe · March 3, 2025": when an item was
        posted and by whom, not a talk's date and speaker."""
        if _BYLINE_WORD.search(text) is None:
            return False
        whens = find_whens(text, self.style)
        if not whens:
            return False
        rest = _cut_spans(text, [(w.start, w.end) for w in whens]).strip(" |·•,;–—-")
        byline = _BYLINE.match(rest)
        return byline is not None and looks_like_name(rest[byline.end() :])

    def _column(self, line: Line) -> str | None:
        if line.cell is None or line.cell >= len(self.columns):
            return None
        return self.columns[line.cell]

    # --- date and time -------------------------------------------------------------------

    def _date(self, labelled: list[tuple[Line, str | None]]) -> None:
        """The block's date (and time): the first on a line marked as a date, else the first
        anywhere before the running text; a time printed apart from the date is looked for in
        the same way. What is cut out of a line leaves the rest to be read by its content."""
        ordered = sorted(
            range(len(labelled)), key=lambda n: (labelled[n][1] not in ("date", "time"), n)
        )
        for number in ordered:
            line, role = labelled[number]
            if role in _NO_DATE:
                continue
            whens = find_whens(line.text, self.style)
            if whens:
                when = _moved(line.text, whens)
                self.out.when = when
                cut = _cut(line, when.start, when.end)
                if when is not whens[0]:
                    cut = _cut(cut, whens[0].start, when.start)
                labelled[number] = (cut, "rest")
                break
        if self.out.when is not None and self.out.when.clock is not None:
            return
        if self.out.when is not None and self._timed_elsewhere(labelled):
            return
        for number in ordered:
            line, role = labelled[number]
            if role in _NO_DATE or role in ("title", "speaker"):
                continue
            clocks = find_clocks(line.text, self.style) or _bare_clock(line.text, role)
            if clocks:
                self.out.clock = clocks[0]
                labelled[number] = (_cut(line, clocks[0].start, clocks[0].end), "rest")
                return

    def _timed_elsewhere(self, labelled: list[tuple[Line, str | None]]) -> bool:
        """The same day again, with its time, in a short description ("18 novembre 2025" as
        the card's date, "Le mardi 18 novembre 2025 de 15 h 30 à 16 h 30, en ligne sur Zoom"
        as its description), or the day it was moved to: take that, and read the rest of its
        line."""
        assert self.out.when is not None
        day = self.out.when.day
        for number, (line, role) in enumerate(labelled):
            if role not in ("abstract", "notes", None):
                continue
            # Only where a description starts: a date deep in an abstract is about something else.
            for when in find_whens(line.text[:160], self.style):
                same = (when.day.month, when.day.day) == (day.month, day.day)
                moved = _MOVED_TO.search(line.text[: when.start]) is not None
                if (same or moved) and when.clock is not None:
                    self.out.when = replace(
                        when, day=replace(when.day, year=when.day.year or day.year)
                    )
                    labelled[number] = (_cut(line, when.start, when.end), "rest")
                    return True
        return False

    def _context(self, context: list[Line]) -> None:
        """Date, time and room from the heading over the block, where the block lacks them."""
        clock = self.out.clock
        lines: list[tuple[Line, str | None]] = [(line, None) for line in context]
        if self.out.when is None:
            self._date(lines)
        self.out.clock = clock or self.out.clock
        for line, _ in lines:
            for part in _parts(_tidy(line.text)):
                if self.out.location is None:
                    self.out.location = _room_in(part)

    # --- the other fields ----------------------------------------------------------------

    def _assign(self, line: Line, role: str | None) -> None:
        text = _tidy(line.text)
        if not text:
            return
        if role == "published":
            return
        if role in ("date", "time", "rest"):
            # What is left of a date line beside the date: a room ("3:45pm, WWH 1302"), or
            # the rest of a talk's one line ("…, Aula Magna – Name (Place) – Title").
            text = _LEFT_LABEL.sub("", _ORPHAN.sub("", text))
            if _BARE_DAY.fullmatch(text) or find_days(text, self.style):
                # A date badge's day ("Sep" over "19") beside the full date, or the same date
                # again: no room.
                return
            place = _TO_PLACE.sub("", without_remarks(text).rstrip(" .;,"))
            if _room_code(place):
                self.out.location = self.out.location or place
            else:
                self._by_content(line, text, remainder=True)
            return
        if role == "speaker":
            # "Доповідач: Dr. Tomasz Nowicki (Uniwersytet Jagielloński, Kraków)." ends a sentence.
            self.speaker_lines.append(
                (text.removesuffix(".") if text.endswith(").") else text, True)
            )
        elif role == "affiliation":
            self.speaker_lines.append(("\x00" + text, True))
        elif role == "title":
            text, remark = _remark(line, text)
            self.out.notes = self.out.notes or remark
            # "Тема: «Базиси Шаудера у просторах Орліча».": the title is what the quotes hold.
            quoted = _QUOTED.fullmatch(text.rstrip(" ."))
            text = quoted["text"] if quoted else text
            weight = 11 if id(line) in self.labelled else 10
            self.titles.append(_Candidate(text, weight, _own_link(line, text)))
        elif role == "subtitle" and _names_people(text):
            # A card's subtitle that names people and where they are from is its speakers
            # (Quarto listings use it so); "Once More, Without Feeling" is a subtitle.
            self.speaker_lines.append((text, False))
        elif role == "subtitle":
            self.out.subtitle = self.out.subtitle or text
        elif role == "location":
            self.out.location = self.out.location or _without_asides(text)
        elif role == "notes":
            self.out.notes = self.out.notes or text
        elif role == "host":
            self.out.host = self.out.host or strip_honorifics(text)
        elif role == "abstract":
            self._description(text)
        else:
            self._by_content(line, text)

    def _by_content(self, line: Line, text: str, remainder: bool = False) -> None:
        """A line no label names: styled parts first (headings, quotes, italics, links), then
        the rest cut at separators and each part read by its shape. A `remainder` (what is left
        of a line once its date is cut out) holds a room or a name, not an abstract."""
        if _is_prose(text) and not remainder and not any(p.heading for p in line.pieces):
            self._description(text)
            return
        last = self.speaker_lines[-1] if self.speaker_lines else None
        if last is not None and self.previous_speaker and _institution(text):
            # "Name" then "Institution" on the next line.
            self.speaker_lines.append(("\x00" + text, False))
            self.previous_speaker = False
            return
        self.previous_speaker = False
        if any(p.heading for p in line.pieces):
            self.titles.append(_Candidate(text, 9, _own_link(line, text)))
            return
        rest = _without_buttons(line, text)
        status = _STATUS_TAIL.search(rest)
        if status is not None:
            # "Boundary regularity – SIIRTYY myöhempään ajankohtaan": the rest is the status.
            self.out.status = self.out.status or _status_of(status["word"])
            rest = rest[: status.start()]
        quoted = _title_quote(rest)
        if quoted:
            self.titles.append(_Candidate(quoted["text"], 8, _own_link(line, quoted["text"])))
            rest = (rest[: quoted.start()] + " | " + rest[quoted.end() :]).strip(" |")
        for piece in line.pieces:
            styled = _tidy(piece.text)
            if not styled or styled not in rest or len(styled) < 4:
                continue
            place = _ORPHAN.sub("", styled).rstrip(" :：")
            if looks_like_name(styled) or read_speakers(styled) or _room_in(place) is not None:
                continue
            # A whole description in a link (cards link everything) is no title: read its parts.
            if _is_prose(styled) or len(styled) > 200:
                continue
            if piece.emphasis or (piece.href and self._is_own(piece.href)) or piece.strong:
                weight = 7 if piece.emphasis else 6 if piece.href else 5
                self.titles.append(_Candidate(styled, weight, piece.href))
                rest = rest.replace(styled, " | ", 1).strip(" |")
        parts = _parts(rest)
        for part in parts:
            self._part(part, line, between=len(parts) > 1)

    def _description(self, text: str) -> None:
        """Running text: the abstract, unless its first sentence says who speaks ("Prof. Dr.
        Luca Bernasconi, USI. Der Vortrag muss leider entfallen.") and nothing else has."""
        first, *rest = sentences(text) or [text]
        if rest and not self.speaker_lines and read_speakers(first.rstrip(" .")):
            self.speaker_lines.append((first.rstrip(" ."), False))
            text = " ".join(rest)
        self.abstract.append(text)

    def _part(self, part: str, line: Line, *, between: bool = False) -> None:
        """One part of a line; `between` when separators cut the line, so that even a short
        part beside a speaker is a title ("Ann Lee (MIT): Knots")."""
        part = _CONJUNCTION.sub("", part.strip(" ,;:|–—-"))
        if not part:
            return
        if self.previous_speaker and _institution(part):
            # "Name – Institution": the speaker's affiliation.
            self.speaker_lines.append(("\x00" + part, False))
            self.previous_speaker = False
            return
        speakers = read_speakers(part)
        if speakers:
            self.speaker_lines.append((part, False))
            self.previous_speaker = speakers[-1].affiliation is None
        elif _room_in(part) is not None:
            self.out.location = self.out.location or _first_sentence(_room_in(part) or "")
        elif _is_prose(part):
            self.abstract.append(part)
        elif len(part.split()) >= 2 or len(part) >= 12 or not part.isascii() or between:
            self.titles.append(_Candidate(part, 3, _own_link(line, part)))

    def _speakers(self) -> None:
        """Speakers from their lines: an affiliation line joins the speaker before it, and a
        trusted line of a name followed by one that is not a name is name and affiliation."""
        speakers: list[SpeakerDraft] = []
        previous_name = False
        line_start = 0
        labelled = any(trusted for _, trusted in self.speaker_lines)
        for text, trusted in self.speaker_lines:
            # "17/10/25 Per Montserrat Riba" beside "Ponent: …": who posted the item.
            if labelled and not trusted and _BYLINE.match(text):
                continue
            found = read_speakers(text, trusted=trusted) if text[:1] != "\x00" else []
            wrapped = _WRAPPED.match(text) is not None and bool(speakers)
            affiliation = (
                text.startswith("\x00")
                or wrapped
                or (
                    trusted
                    and previous_name
                    and speakers
                    and speakers[-1].affiliation is None
                    and (not looks_like_name(text) or _institution(text))
                    and (len(found) <= 1 or _institution(text))
                )
            )
            if affiliation:
                # "A and B" over "(Affiliation)": the line's speakers are all from there.
                place = _unwrapped(text.lstrip("\x00"))
                speakers[line_start:] = [
                    SpeakerDraft(s.name, s.affiliation or place) for s in speakers[line_start:]
                ]
                previous_name = False
                continue
            line_start = len(speakers)
            speakers += found
            previous_name = bool(found) and found[-1].affiliation is None
        self.out.speakers = _distinct([self._without_language(s) for s in speakers if s.name])

    def _without_language(self, speaker: SpeakerDraft) -> SpeakerDraft:
        """ "EPFL (Vortrag auf Englisch)": the language of the talk is a note, not where the
        speaker is from."""
        place = speaker.affiliation or ""
        remark = _PARENTHETICAL_END.search(place)
        if remark is None or not words_pattern(LANGUAGE_WORDS).search(remark.group(0)):
            return speaker
        self.out.notes = self.out.notes or remark.group(0).strip(" ()（）")
        return SpeakerDraft(speaker.name, place[: remark.start()].strip() or None)

    def _title(self) -> str | None:
        names = {s.name for s in self.out.speakers}
        candidates = [
            c
            for c in self.titles
            if c.text not in names
            and not _is_more(c.text)
            and not self._names_the_day(c.text)
            and not self._says_status(c.text)
        ]
        if not candidates:
            return None
        best = max(candidates, key=lambda c: (c.weight, len(c.text)))
        title = _without_speaker(best.text, names)
        if title:
            # "… (huom. poikkeava päivä, aika ja sali)", "… [tiivistelmä, PDF]": remarks.
            remark = _TITLE_REMARK.search(title)
            if remark is not None and remark.start() > 0:
                self.out.notes = self.out.notes or remark.group(0).strip(" ()[]") or None
                title = title[: remark.start()].rstrip()
        # "09.10. Romlige punktprosesser": an accordion's or a card's heading opens with the day.
        days = find_days(title, self.style) if title else []
        if title and days and days[0].start == 0:
            return title[days[0].end :].lstrip(" -–—:|·,.") or title
        return title

    # --- the talk's own link ---------------------------------------------------------------

    def _is_own(self, href: str) -> bool:
        """Whether a link can be the talk's own page: not a calendar export, not a file."""
        path = urlsplit(href).path.lower()
        return not (
            href.lower().startswith("webcal:")
            or path.endswith((".ics", ".ical", ".pdf", ".jpg", ".jpeg", ".png", ".gif"))
            or "calendar.google.com" in href
            or "outlook." in href
        )

    def _url(self) -> str | None:
        """The talk's own page: the link whose text is the title, else a "more" link, else
        the one link of the block that is neither a person's homepage nor a calendar export."""
        links = [p for p in self.links if p.href and self._is_own(p.href)]
        # A line that is nothing but a link to elsewhere ("Past talks") is navigation.
        links = [p for p in links if not words_pattern(CALENDAR_LINK).fullmatch(_tidy(p.text))]
        title = self.out.title
        if title:
            for piece in links:
                text = _tidy(piece.text)
                if text and (text == title or (len(text) > 8 and text in title)):
                    return piece.href
            for candidate in self.titles:
                if candidate.text == title and candidate.href:
                    return candidate.href
        for piece in links:
            if _is_more(_tidy(piece.text)):
                return piece.href
        names = {s.name for s in self.out.speakers}
        # Another link counts only on the talk's own lines (its title's or speaker's): one in
        # a sentence or a line of its own leads elsewhere ("the archives of the seminar").
        near = {id(p) for line in self.lines if self._talk_line(line) for p in line.pieces}
        # A card's heading, or its first line, links to the card's own page, whatever it says.
        near |= {id(p) for line in self.lines for p in line.pieces if p.heading}
        near |= {id(p) for p in self.lines[0].pieces} if self.lines else set()
        others = {
            p.href
            for p in links
            if p.href
            and id(p) in near
            and not (looks_like_name(_tidy(p.text)) or strip_honorifics(_tidy(p.text)) in names)
            and not self.doc.same_page(p.href)
            and urlsplit(p.href).netloc == urlsplit(self.doc.url).netloc
        }
        if len(others) == 1:
            return others.pop()
        # An empty link to the talk's abstract further down ("<a href="#name"></a>", the title
        # not announced yet) still says where the talk is.
        return self.anchors[0] if len(self.anchors) == 1 else None

    def _talk_line(self, line: Line) -> bool:
        text = line.text
        if _is_prose(text):
            return False
        names = [s.name for s in self.out.speakers]
        return bool(self.out.title and self.out.title in text) or any(n in text for n in names)

    def _anchors(self, tags: list[Tag]) -> list[str]:
        """The in-page links of the block that lead to a part of the page."""
        found: list[str] = []
        for tag in tags:
            for anchor in tag.find_all("a", href=True):
                href = str(anchor["href"]).strip()
                url = self.doc.absolute(href) if href.startswith("#") and len(href) > 1 else None
                if url is not None and url not in found:
                    found.append(url)
        return found

    # --- what is not a talk --------------------------------------------------------------

    def _status(self, lines: list[Line]) -> None:
        for line in lines:
            pieces = [p for p in line.pieces if p.text.strip()]
            if len(pieces) > 1 and _STATUS_WORD.fullmatch(pieces[0].text.strip(" :–—-!*")):
                # "<span class="label">Cancelled</span> <a>Heights on stacky curves</a>".
                self.out.status = _status_of(pieces[0].text.strip(" :–—-!*"))
                pieces[0].text = " "
                return
            shouted = _SHOUTED_AFTER.search(line.text)
            if shouted is not None and shouted["word"].isupper():
                self.out.status = _status_of(shouted["word"])
                piece = next(p for p in reversed(line.pieces) if shouted["word"] in p.text)
                piece.text = piece.text.replace(shouted["word"], " ")
                return
            match = _MARKER.search(line.text)
            if match:
                word = " ".join((match["word"] or match["alone"]).casefold().split())
                self.out.status = "postponed" if word in _POSTPONED else "cancelled"
                for piece in line.pieces:
                    piece.text = _MARKER.sub(" ", piece.text)
                return

    def _not_a_talk(self, lines: list[Line]) -> None:
        """A row that names no one and nothing, or that says there is no talk (a break, a
        holiday, a reception), is no talk."""
        if not self.out.speakers and not self.out.title:
            self.out.not_a_talk = True
            return
        texts = [c.text for c in self.titles] + [t.lstrip("\x00") for t, _ in self.speaker_lines]
        said = words_pattern(NO_SESSION)
        names = [s.name for s in self.out.speakers]
        for text in texts:
            # "No seminar — Midwest Probability Colloquium": whoever it names does not speak.
            if said.search(text) and all(name in text for name in names):
                self.out.not_a_talk = True
                return
        pattern = words_pattern(NOT_A_TALK)
        # "Fall Faculty & Graduate Student Reception", "Math Majors Lunch: Careers": an
        # occasion with no one speaking ("Brown Bag Lunch Seminar" is a talk all the same).
        title = self.out.title or ""
        talk = words_pattern(TALK_WORDS, compounds=True).search(title)
        if not self.out.speakers and pattern.search(title) and not talk:
            self.out.not_a_talk = True
            return
        for text in texts:
            rest = pattern.sub(" ", text)
            if rest == text:
                continue
            # "Reception in the common room", with no one speaking, or "No talk (Fall Break)".
            opening = pattern.match(text) is not None and not self.out.speakers
            if opening or len(re.findall(r"\w+", rest)) <= 3:
                self.out.not_a_talk = True
                return


_POSTPONED = frozenset(unaccented(POSTPONED_WORDS))


def _remark(line: Line, text: str) -> tuple[str, str | None]:
    """A title line's text without a remark after it: one set apart in other type ("Title
    <em>(farewell lecture, reception after)</em>"), or a note of co-authors ("(joint with
    …)"); and the remark."""
    coauthors = _COAUTHORS.search(text)
    if coauthors:
        return text[: coauthors.start()].rstrip(), coauthors.group(0).strip(" ()")
    pieces = [p for p in line.pieces if p.text.strip()]
    if len(pieces) < 2:
        return text, None
    last, before = pieces[-1], pieces[-2]
    remark = _tidy(last.text)
    styled = (last.emphasis, last.strong) != (before.emphasis, before.strong)
    if styled and remark.startswith("(") and remark.endswith(")") and text.endswith(remark):
        return text[: -len(remark)].strip(), remark.strip("()")
    return text, None


# "Tuesday, February 24 — moved to Thursday, February 26": the talk is on the second date.
_MOVED_WORDS = (
    r"(?:(?:moved|rescheduled|postponed|now|changed)\s+(?:to|on|until)\b|(?:verschoben|"
    r"verlegt)\s+auf\b|(?:déplacée?|reportée?|avancée?)\s+(?:au|à)\b|(?:trasladad[oa]|"
    r"movid[oa]|cambiad[oa])\s+(?:al?|para)\b|spostat[oa]\s+al?\b|verplaatst\s+naar\b|"
    r"flyttad\s+till\b|przeniesion[eay]\s+na\b|перенесен[оа]?\s+на\b|改[至到])"
)
_MOVED = re.compile(rf"^\W*{_MOVED_WORDS}", re.IGNORECASE)
# "ATTENTION : déplacé au jeudi 23 octobre": a card's description naming the day moved to.
_MOVED_TO = re.compile(rf"{_MOVED_WORDS}\W*$", re.IGNORECASE)


def _moved(text: str, whens: list[When]) -> When:
    """The first date of a line, or the date it says the talk was moved to."""
    first = whens[0]
    for later in whens[1:]:
        if _MOVED.search(text[first.end : later.start]):
            return later
    return first


_BAR = re.compile(r"\s*[|·•]\s*")


def _labelled_parts(line: Line) -> list[Line]:
    """ "Data: 15.10.2025 | Ora: 14:00 | Sala: A203", "Part of X · Organiser: Dr Tom Brennan":
    one line per label, and one for what comes before the first, when bars part them."""
    text = line.text
    bars = list(_BAR.finditer(text))
    if not bars:
        return [line]
    starts = [0] + [m.end() for m in bars if label_pattern().match(text[m.end() :])]
    if len(starts) < 2:
        return [line]
    ends = [next(m.start() for m in bars if m.end() == start) for start in starts[1:]]
    ends.append(len(text))
    return [
        _cut(_cut(line, end, len(text)), 0, start) for start, end in zip(starts, ends, strict=True)
    ]


def _title_quote(text: str) -> re.Match[str] | None:
    """The first quoted text that is not a room's name ("Auditorio «Emilio Lluis»")."""
    for quoted in _QUOTED.finditer(text):
        before = text[: quoted.start()].split()[-3:]
        if not words_pattern(ROOM_WORDS).search(" ".join(before)):
            return quoted
    return None


def _bare_clock(text: str, role: str | None) -> list[ClockMention]:
    """ "16.15" alone in a "Time" column or after a "Time:" label: a time, though dotted."""
    bare = _BARE_CLOCK.fullmatch(text)
    if role != "time" or bare is None:
        return []
    begin = time(int(bare["hour"]), int(bare["minute"]))
    return [ClockMention(bare.start("hour"), bare.end("minute"), begin, None, None)]


_BARE_CLOCK = re.compile(r"\s*(?P<hour>[01]?\d|2[0-3])[.:h](?P<minute>[0-5]\d)\s*")


def _status_of(word: str) -> Literal["cancelled", "postponed"]:
    """The status a marker word says."""
    return "postponed" if " ".join(word.casefold().split()) in _POSTPONED else "cancelled"


def _cut_spans(text: str, spans: list[tuple[int, int]]) -> str:
    """`text` without the characters of `spans`."""
    for start, end in sorted(spans, reverse=True):
        text = text[:start] + " " + text[end:]
    return text


def _unwrapped(text: str) -> str:
    """ "(University of Crete)" on a line of its own is the affiliation without brackets."""
    wrapped = _WRAPPED.match(text)
    return wrapped["inner"] if wrapped and "(" not in wrapped["inner"] else text


def _first_sentence(text: str) -> str:
    """`text` up to the end of its first sentence, without its full stop."""
    return (sentences(text) or [""])[0].rstrip(" .;,")


def _names_people(text: str) -> bool:
    speakers = read_speakers(text)
    return bool(speakers) and all(s.affiliation and _institution(s.affiliation) for s in speakers)


def _distinct(speakers: list[SpeakerDraft]) -> list[SpeakerDraft]:
    """Each speaker once (a card naming them as its author and again with an affiliation), with
    the fullest of the affiliations given."""
    kept: dict[str, SpeakerDraft] = {}
    for speaker in speakers:
        known = kept.get(speaker.name)
        if known is None or (known.affiliation is None and speaker.affiliation):
            kept[speaker.name] = speaker
    return list(kept.values())


def _without_speaker(title: str, names: set[str]) -> str | None:
    """The title without the speaker's name put before or after it ("Jane Doe: On Graphs",
    "Colloquium: Jane Doe"); no title when what is left only names the series."""
    parts = [part.strip() for part in _split_outside_parentheses(title)]
    if len(parts) < 2:
        return title
    for index in (0, len(parts) - 1):
        if strip_honorifics(parts[index]) in names:
            rest = _SEPARATOR_JOIN.join(p for n, p in enumerate(parts) if n != index)
            talk = words_pattern(TALK_WORDS)
            series = talk.search(rest) is not None and len(talk.sub("", rest).split()) <= 2
            return None if series else rest
    return title


def _without_buttons(line: Line, text: str) -> str:
    """`text` without the "Read more" and "Add to calendar" links in it."""
    for piece in line.pieces:
        button = _tidy(piece.text)
        if piece.href and button and (_is_more(button) or _is_calendar(piece)):
            text = text.replace(button, " ")
    return " ".join(text.split())


def _is_buttons(line: Line) -> bool:
    """A line of nothing but "Read more" and "Add to calendar" links."""
    texts = [p for p in line.pieces if p.text.strip()]
    return bool(texts) and all(
        p.href and (_is_more(_tidy(p.text)) or _is_calendar(p)) for p in texts
    )


def _is_calendar(piece: Piece) -> bool:
    text = _tidy(piece.text)
    href = piece.href or ""
    path = urlsplit(href).path.lower()
    export = href.lower().startswith("webcal:") or path.endswith((".ics", ".ical", ".vcs"))
    export = export or "calendar.google.com" in href or "outlook." in href
    return export or (len(text.split()) <= 5 and bool(words_pattern(CALENDAR_LINK).search(text)))


def _hinted(line: Line, microformat: bool = False) -> str | None:
    """The field the line's class names give it; in an hCalendar event (microformats), the
    names that standard gives fields first ("summary" is the title there)."""
    for word in reversed(line.hints):
        if microformat and word in _MICROFORMATS:
            return _MICROFORMATS[word]
        for role, words in _HINTS:
            if word in words:
                return role
    return None


def _rest_of(line: Line, skip: int) -> Line:
    """`line` without its first `skip` characters (of its collapsed text)."""
    return _cut(line, 0, skip)


def _cut(line: Line, start: int, end: int) -> Line:
    """`line` with the characters `start`…`end` of its text (as `Line.text` collapses it)
    removed, each remaining character keeping its piece's style."""
    collapsed: list[tuple[int, str]] = []
    space: int | None = None
    for number, piece in enumerate(line.pieces):
        for char in piece.text:
            if char.isspace():
                space = number if collapsed else None
                continue
            if space is not None:
                collapsed.append((space, " "))
                space = None
            collapsed.append((number, char))
    pieces: list[Piece] = []
    last = -1
    for position, (number, char) in enumerate(collapsed):
        if start <= position < end:
            last = -1
            continue
        if number != last:
            source = line.pieces[number]
            pieces.append(Piece("", source.strong, source.emphasis, source.href, source.heading))
            last = number
        pieces[-1].text += char
    return Line(pieces, line.hints, line.cell)


def _parts(text: str) -> list[str]:
    """`text` cut where a speaker or a room meets a title: peel name and room parts off both
    ends at separators; the middle stays whole (titles have colons and dashes of their own)."""
    pieces = [p for p in _split_outside_parentheses(text) if p.strip()]
    if len(pieces) <= 1:
        return _room_after_comma(pieces[0]) if pieces else pieces
    head: list[str] = []
    tail: list[str] = []
    while len(pieces) > 1 and _peelable(pieces[0]):
        head.append(pieces.pop(0))
    while len(pieces) > 1 and _peelable(pieces[-1]):
        tail.insert(0, pieces.pop())
    middle = _SEPARATOR_JOIN.join(pieces) if pieces else ""
    parts = [*head, *([middle] if middle else []), *tail]
    return [*parts[:-1], *_room_after_comma(parts[-1])] if parts else parts


def _room_after_comma(part: str) -> list[str]:
    """ "Harmonic measures, Room 3721": a room after a comma that ends a title or a name,
    apart; "Room 5, Hilbert Hall" stays one place."""
    pieces = part.split(", ")
    for cut in range(1, len(pieces)):
        before = ", ".join(pieces[:cut])
        if _is_room(pieces[cut]) and not _roomish(before) and not _room_code(before):
            return [before, ", ".join(pieces[cut:])]
    return [part]


_SEPARATOR_JOIN = ": "


def _split_outside_parentheses(text: str) -> list[str]:
    """`text` cut at separators that are not inside parentheses or brackets."""
    parts: list[str] = []
    depth, start, position = 0, 0, 0
    while position < len(text):
        char = text[position]
        if char in "([（「":
            depth += 1
        elif char in ")]）」":
            depth = max(0, depth - 1)
        match = _SEPARATOR.match(text, position) if depth == 0 else None
        if match is not None and match.end() > position and position > start:
            parts.append(text[start:position])
            start = position = match.end()
            continue
        position += 1
    parts.append(text[start:])
    return parts


def _peelable(part: str) -> bool:
    part = part.strip(" ,;")
    return bool(read_speakers(part)) or (_roomish(part) and len(part) <= 60)


def _is_sentence(text: str) -> bool:
    """A sentence, not a name or a place: it ends with its full stop and has a few words."""
    return _is_prose(text) or (len(text.split()) >= 3 and text.rstrip()[-1:] in ".!?。")


def _is_prose(text: str) -> bool:
    """Running text (an abstract's sentence), not a title: long, or a long sentence."""
    words = len(text.split())
    return words >= _LONG or (words >= 12 and text.rstrip()[-1:] in ".!?。")


def _institution(text: str) -> bool:
    """A university's, institute's or company's name, as printed under a speaker's name."""
    if len(text.split()) > 12 or _is_prose(text):
        return False
    acronym = re.fullmatch(r"[A-Z][A-Z&.\-]{1,9}(?:\s[A-Z][\w.-]*)?", text) is not None
    return acronym or bool(words_pattern(INSTITUTION_WORDS).search(text))


def _room_code(text: str) -> bool:
    """A building and room as timetables abbreviate them: "WWH 1302", "C 2.07", "HS 3"."""
    words = text.split()
    return 1 <= len(words) <= 3 and any(c.isdigit() for c in text) and not find_clocks(text)


_BUILDING = re.compile(
    r"(?i)\b(?:building|bldg|bâtiment|bat|gebäude|geb|edificio|edifício|campus|haus|house|"
    r"hall|wing|aile|floor|étage|stock|piso|block|bloco|tower|tour|corpul|корпус|"
    # The platform of a talk given online is part of where it is: "online (Microsoft Teams)".
    r"zoom|teams|meet|webex|skype|jitsi|bigbluebutton)\b|楼|館|棟"
)
_PARENTHETICAL_END = re.compile(r"\s*[(（][^()（）]*[)）]\s*$")
_PARENTHETICAL = re.compile(r"\s*[(（][^()（）]*[)）]")


def _without_asides(place: str) -> str:
    """A labelled place without a sentence in brackets after it ("Zoom (lenke sendes ut på
    e-postlisten)"); short ones name the place ("online (Microsoft Teams)", "(Corpul A)")."""

    def aside(match: re.Match[str]) -> str:
        text = match.group(0)
        return "" if len(text.split()) >= 4 and without_remarks(text) == "" else text

    return _PARENTHETICAL.sub(aside, place).strip() or place


def without_remarks(place: str) -> str:
    """`place` without remarks in parentheses ("amphi Cauchy (attention : salle inhabituelle)");
    a parenthesis naming a building or a number is part of the place."""

    def remark(match: re.Match[str]) -> str:
        text = match.group(0)
        return text if any(c.isdigit() for c in text) or _BUILDING.search(text) else ""

    return _PARENTHETICAL.sub(remark, place).strip()


def _room_in(part: str) -> str | None:
    """The room `part` names: the part itself without its remarks, or a room in parentheses
    beside something else ("Postgraduate afternoon (Room AG06)")."""
    if _is_room(_PARENTHETICAL.sub("", part)):
        return without_remarks(_tidy(part))
    for match in _PARENTHETICAL.finditer(part):
        inner = match.group(0).strip(" ()（）")
        if _is_room(inner):
            return inner
    return None


def _is_room(part: str) -> bool:
    part = without_remarks(part)
    words = part.split()
    if not words or len(words) > 10 or not words_pattern(ROOM_WORDS).search(part):
        return False
    online = re.search(r"(?i)\b(?:online|zoom|teams|webex|virtual|webinar)\b", part)
    return bool(online) or any(char.isdigit() for char in part) or len(words) <= 4


def _roomish(text: str) -> bool:
    return bool(words_pattern(ROOM_WORDS).search(text)) and len(text.split()) <= 12


def _is_more(text: str) -> bool:
    text = text.strip(" .…»›>→")
    if words_pattern(MORE_LINK).fullmatch(text):
        return True
    about = words_pattern(MORE_ABOUT).match(text)
    return about is not None and len(text.split()) <= 6


def _own_link(line: Line, text: str) -> str | None:
    """The link of `text` when the line links it as a whole (a linked title)."""
    for piece in line.pieces:
        linked = _tidy(piece.text)
        if piece.href and linked and linked in text and len(linked) * 3 >= len(text) * 2:
            return piece.href
    return None


def _tidy(text: str) -> str:
    return " ".join(text.split()).strip(" ,;|·•–—-")


def _is_microformat_event(tag: Tag) -> bool:
    classes = " ".join(str(c) for c in tag.get("class") or [])
    return (
        bool(_MICROFORMAT_EVENT.search(classes)) or tag.find(class_=_MICROFORMAT_EVENT) is not None
    )


def _stamps(tags: list[Tag]) -> list[datetime]:
    """The instants the block states for machines: `<time datetime>`, and hCalendar's start
    and end in a `title` ("<abbr class="dtstart" title="2025-09-18T17:15:00+02:00">")."""
    stamps = []
    for tag in tags:
        for element in tag.find_all(["time", "abbr", "span"], limit=12):
            value = element.get("datetime") or (
                element.get("title")
                if _STAMP_CLASS.search(" ".join(element.get("class") or []))
                else None
            )
            if not isinstance(value, str) or not _DATE_TIME_ATTRIBUTE.match(value):
                continue
            try:
                moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                continue
            if moment.tzinfo is not None:
                stamps.append(moment)
    return stamps[:2]


_STAMP_CLASS = re.compile(r"(?:^|\s)(?:dtstart|dtend|dt-start|dt-end)(?:\s|$)")


def _anchor_text(doc: Doc, url: str) -> str | None:
    """The text of the page section an in-page link points at: the heading holding the
    anchor, then the paragraphs after it up to the next heading or rule."""
    anchor = urldefrag(url)[1]
    if not anchor or not doc.same_page(url):
        return None
    target = doc.anchor(anchor)
    if target is None:
        return None
    start = next((t for t in [target, *target.parents] if t.name in HEADINGS), target)
    texts = []
    for sibling in start.find_next_siblings():
        if not isinstance(sibling, Tag) or sibling.name in HEADINGS or sibling.name == "hr":
            break
        text = " ".join(doc.text(sibling).split())
        if text:
            texts.append(text)
    return "\n\n".join(texts) or None


def _refused_links(tags: list[Tag], title: str | None) -> list[str]:
    """What to say of the block's title links that lead nowhere a reader can go
    (`javascript:`, `data:`): the talk is kept without a page of its own, but not silently."""
    said = []
    for tag in tags:
        for anchor in tag.find_all("a", href=True):
            href = str(anchor["href"]).strip()
            if not href.lower().startswith(REFUSED_SCHEMES):
                continue
            if title and _tidy(anchor.get_text(" ")) not in title:
                continue
            said.append(refused_link(href))
    return said
