"""TalkDraft → Talk: the rules every site shares, so no site module repeats them.

Whitespace, characters no feed can carry (lone surrogates, control characters), cancelled and
postponed markers in titles, placeholder titles and speakers ("TBA"), forms of address before
names ("Prof. Dr."), the site's time zone and default duration, and the stable id all live here:
every kind of source hands its drafts over through `normalize`.
"""

from __future__ import annotations

import hashlib
import inspect
import re
from dataclasses import fields
from datetime import datetime
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from aggregator.errors import RecordError
from aggregator.model import Speaker, Status, Talk
from aggregator.records.placeholders import is_placeholder_name, is_placeholder_title
from scrapers import SiteParser, TalkDraft
from scrapers.read.speakers import strip_honorifics
from scrapers.read.text import clean_block, clean_inline, scalar_text
from scrapers.read.words import CANCELLED_WORDS, POSTPONED_WORDS, unaccented

__all__ = [
    "draft_fingerprint",
    "draft_id",
    "normalize",
    "rules_digest",
    "split_status_marker",
    "status_from_body",
    "talk_id",
]

# Longest first, so that "iptal edildi" is taken whole before "iptal".
_WORDS = sorted(unaccented((*CANCELLED_WORDS, *POSTPONED_WORDS)), key=len, reverse=True)
_WORD = "(?:" + "|".join(re.escape(word) for word in _WORDS) + ")"
_POSTPONED = frozenset(unaccented(POSTPONED_WORDS))
_SEPARATOR = r"[\s:;|!*\-–—]"
# "[Postponed] …", "(Cancelled) …", "CANCELLED: …", "Canceled - …", "ODWOŁANE …"; a bare
# capitalized word without a separator ("Postponed Gratification") is a title, not a marker.
_PREFIX = re.compile(
    rf"^[\s*]*(?:[\[(]\s*(?P<bracketed>{_WORD})\s*[\])]{_SEPARATOR}*"
    rf"|(?P<marked>{_WORD})\s*[:;|!\-–—]{_SEPARATOR}*"
    rf"|(?P<shouted>{_WORD})(?=\s){_SEPARATOR}*)",
    re.IGNORECASE,
)
_SUFFIX = re.compile(
    rf"{_SEPARATOR}*(?:[\[(]\s*(?P<bracketed>{_WORD})\s*[\])]|[\-–—:|]\s*(?P<marked>{_WORD}))"
    r"[\s*!.]*$",
    re.IGNORECASE,
)
_KEY_CHARS = re.compile(r"^[A-Za-z0-9._~-]{1,64}$")
_UTC_NAMES = frozenset({"UTC", "Etc/UTC", "Etc/GMT", "GMT", "Etc/Universal", "Zulu"})


def split_status_marker(title: str) -> tuple[str, Status]:
    """The title without a leading or trailing cancelled/postponed marker, and the status it
    states (SCHEDULED when there is none)."""
    for pattern in (_PREFIX, _SUFFIX):
        match = pattern.search(title)
        if match is None:
            continue
        word = next(group for group in match.groups() if group)
        # The "shouted" form only counts in capitals, or in a script without them ("취소 …"):
        # "Cancelled Flights of Fancy" is a title.
        if match.group(0) and (
            pattern is _SUFFIX or match.lastgroup != "shouted" or word.upper() == word
        ):
            rest = (title[: match.start()] + title[match.end() :]).strip()
            if rest:
                postponed = word.lower() in _POSTPONED
                return rest, Status.POSTPONED if postponed else Status.CANCELLED
    return title, Status.SCHEDULED


# Whole sentences only: a body that merely mentions "cancelled flights" is not a cancellation.
_BODY_PHRASE = re.compile(
    r"\b(?:this|the)\s+(?:talk|seminar|lecture|colloquium|event|presentation|session|meeting)"
    r"\s+(?:has\s+been|had\s+to\s+be|is|was|will\s+be)\s+"
    r"(?P<word>cancell?ed|postponed|rescheduled|moved)\b(?P<rest>[^.\n]*)",
    re.IGNORECASE,
)
_BODY_WORDS = ("cancel", "postponed", "rescheduled", "moved")
"""What `_BODY_PHRASE` needs in a text, as `str.casefold` writes it."""
# A line that starts with the word in capitals, as notices are written.
_BODY_NOTICE = re.compile(r"(?:^|\n)[\s*!]*(?P<word>CANCELL?ED|POSTPONED)\b")
_MONTH_NAMES = (
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december",
)  # fmt: skip


def status_from_body(text: str | None, start: datetime) -> Status | None:
    """The status a notice in the abstract or notes states ("This talk has been cancelled",
    "POSTPONED", "The seminar is rescheduled to …"), or None. A talk "rescheduled to" the very
    day it is now listed on has already moved, so that is no notice."""
    if not text:
        return None
    # Both patterns need one of their words: a plain substring test of a long abstract is far
    # cheaper than a regex search of it, the more so ignoring case.
    if "CANCEL" in text or "POSTPONED" in text:
        notice = _BODY_NOTICE.search(text)
        if notice:
            return Status.POSTPONED if notice["word"] == "POSTPONED" else Status.CANCELLED
    # casefold(), not lower(): it also folds the long s that an ignore-case regex reads as "s".
    folded = text.casefold()
    if not any(word in folded for word in _BODY_WORDS):
        return None
    phrase = _BODY_PHRASE.search(text)
    if phrase is None:
        return None
    word = phrase["word"].lower()
    if word.startswith("cancel"):
        return Status.CANCELLED
    if word in ("rescheduled", "moved") and _names_day(phrase["rest"], start):
        return None
    return Status.POSTPONED


def _names_day(text: str, day: datetime) -> bool:
    month = _MONTH_NAMES[day.month - 1]
    pattern = rf"\b{month[:3]}[a-z]*\.?\s+{day.day}\b"
    return re.search(pattern, text, re.IGNORECASE) is not None


def talk_id(site: SiteParser, url: str, key: str | None = None) -> str:
    """`<site>:<key>`, the key being the source's own id for the talk (an iCal UID) or else the
    detail URL's key, so the id survives reschedules and retitles. Keys that are long or hold
    other characters than [A-Za-z0-9._~-] are hashed."""
    url, key = scalar_text(url), scalar_text(key) if key else None
    key = key or site.key(url)
    if key is None:
        parts = urlsplit(url)
        key = f"{parts.netloc.lower()}{parts.path.rstrip('/')}?{parts.query}"
    if not _KEY_CHARS.match(key):
        key = hashlib.sha256(key.encode()).hexdigest()[:16]
    return f"{site.id}:{key}"


def draft_id(draft: TalkDraft, site: SiteParser) -> str:
    """The id of the talk `normalize` makes of `draft`, without making it."""
    return talk_id(site, scalar_text(draft.url).strip(), draft.key)


def talk_zone(site: SiteParser, start: datetime) -> str:
    """The talk's IANA zone: the start's own zone when it names one (an iCal TZID), else the
    site's (times given in UTC or as a bare offset are shown in the site's local time)."""
    zone = start.tzinfo
    if isinstance(zone, ZoneInfo) and zone.key not in _UTC_NAMES:
        return zone.key
    return site.timezone


def draft_fingerprint(draft: TalkDraft, site: SiteParser) -> str:
    """Names what `normalize` makes of `draft` for `site`: the draft and the site settings it
    reads. The same fingerprint, the same record, so a talk whose pages say what they said
    before need not be normalized and stored again. Lone surrogates are escaped by `repr`."""
    # A tuple of plain values: its repr is all C, where a dataclass's is Python, called for
    # every draft of every run.
    values = tuple(
        tuple((s.name, s.affiliation) for s in draft.speakers)
        if name == "speakers"
        else getattr(draft, name)
        for name in _DRAFT_FIELDS
    )
    settings = (site.id, site.timezone, site.default_duration, values)
    return hashlib.blake2b(_rules() + repr(settings).encode(), digest_size=16).hexdigest()


_DRAFT_FIELDS = tuple(field.name for field in fields(TalkDraft))


def rules_digest() -> bytes:
    """A digest of the code of the rules `normalize` applies (see `draft_fingerprint`)."""
    return _rules()


@cache
def _rules() -> bytes:
    """The code of the rules `normalize` applies: a release that changes them has every draft
    normalized again, as the records it gives may differ."""
    digest = hashlib.blake2b(digest_size=16)
    for rule in (normalize, Talk, is_placeholder_title, strip_honorifics, clean_block, unaccented):
        digest.update(Path(inspect.getfile(rule)).read_bytes())
    return digest.digest()


def normalize(draft: TalkDraft, site: SiteParser) -> Talk:
    """The record for `draft`; RecordError names the site, URL and field when it is invalid.

    A title or speaker that only stands in for one not known yet ("TBA", "N.N.") is dropped, and
    an empty `draft.url` means the talk has no page: `draft.key` must then identify it.
    """
    url = scalar_text(draft.url).strip() or None
    where = f"{site.id} {url or f'(no url, key {draft.key!r})'}"
    if url is None and not draft.key:
        raise RecordError(f"{where}: url: missing, and no key identifies the talk")
    if draft.start is None:
        raise RecordError(f"{where}: start: missing (no date found)")
    marked, status = split_status_marker(clean_inline(draft.title) or "")
    title = None if is_placeholder_title(marked) else marked
    if status is Status.SCHEDULED:
        for text in (draft.notes, draft.abstract):
            status = status_from_body(text, draft.start) or status
    # A structured "cancelled" or "postponed" is news; a structured "scheduled" is often just a
    # CMS default, so it never hides a marker in the title.
    if draft.status is not None and draft.status != "scheduled":
        status = Status(draft.status)
    try:
        # "Prof. Dr. Ada Byron" is Ada Byron on every page, whichever form of address it uses.
        speakers = [
            Speaker(name=strip_honorifics(name), affiliation=clean_inline(s.affiliation))
            for s in draft.speakers
            if (name := clean_inline(s.name)) and not is_placeholder_name(name)
        ]
        return Talk(
            id=draft_id(draft, site),
            source=site.id,
            url=url,
            title=title,
            speakers=speakers,
            start=draft.start,
            end=draft.end,
            timezone=talk_zone(site, draft.start),
            all_day=draft.all_day,
            default_duration_minutes=site.default_duration,
            location=clean_inline(draft.location),
            host=clean_inline(draft.host),
            abstract=clean_block(draft.abstract),
            bio=clean_block(draft.bio),
            notes=clean_block(draft.notes),
            status=status,
        )
    except ValidationError as exc:
        details = "; ".join(
            f"{'.'.join(str(p) for p in error['loc']) or 'record'}: {error['msg']}"
            for error in exc.errors()
        )
        raise RecordError(f"{where}: {details}") from None
