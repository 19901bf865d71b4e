"""What a feed is about, and the wording every format shares.

`FeedSpec` names one feed. The helpers turn a `StoredTalk` into the text that RSS, Atom, iCal and
the HTML index all show, so that a talk reads the same in every client. They return clean text:
characters that XML 1.0 forbids (and that break feedgen and calendar clients) are gone.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import quote, urlsplit

from aggregator.model import Status, StoredTalk, Talk

__all__ = [
    "EPOCH",
    "FeedSpec",
    "by_start",
    "clean",
    "entry_title",
    "feed_updated",
    "html_description",
    "local_date",
    "newest_first",
    "paragraphs",
    "plain_description",
    "speaker_names",
    "status_label",
    "status_prefix",
    "when",
]

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
"""The `updated` date of a feed without talks: a constant, so empty feeds stay byte-identical."""

_POSTPONE_PREFIX = "POSTPONED: "


@dataclass(frozen=True)
class FeedSpec:
    """One published feed: where it goes, what it is called, what it links to."""

    path: str
    """Output path stem relative to the output dir, e.g. "all" or "sites/nyu-cs-colloquium"."""
    title: str
    description: str
    link: str
    """An http(s) page the feed is about (RSS channel link, Atom alternate link)."""
    base_url: str | None = None
    """Public URL of the output dir; when set, feeds carry self links built from it."""
    cancel_prefix: str = "CANCELLED: "
    """Put before the titles of cancelled talks."""

    def __post_init__(self) -> None:
        segments = self.path.split("/")
        if any(s in ("", ".", "..") for s in segments) or "\\" in self.path:
            raise ValueError(
                f"feed path must be a relative path like 'sites/x' without empty, '.' or '..' "
                f"parts, got {self.path!r}"
            )
        if not self.title.strip():
            raise ValueError(f"feed {self.path!r}: title must not be empty")
        for name, url in (("link", self.link), ("base_url", self.base_url)):
            if url is not None and not _is_http(url):
                raise ValueError(f"feed {self.path!r}: {name} must be an http(s) URL, got {url!r}")

    def href(self, ext: str) -> str:
        """The feed file in format `ext`, relative to the output dir: "sites/x.rss"."""
        return f"{quote(self.path)}.{ext}"

    def public_url(self, ext: str) -> str | None:
        """The feed file's absolute URL, or None without a `base_url`."""
        if self.base_url is None:
            return None
        return f"{self.base_url.rstrip('/')}/{self.href(ext)}"

    def webcal_url(self) -> str | None:
        """The iCal feed as a webcal:// URL (calendar apps subscribe to those), or None."""
        url = self.public_url("ics")
        if url is None:
            return None
        return "webcal://" + url.split("://", 1)[1]


def _is_http(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


# Everything outside XML 1.0's Char production, plus DEL and the C1 controls, which are legal XML
# but iCal forbids them and on scraped pages they are always mis-decoded junk.
_ILLEGAL = re.compile("[^\t\n\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# Word writes a soft line break as a vertical tab; dropping it would glue two words together.
_BREAKS = str.maketrans({"\r": "\n", "\x0b": "\n", "\x0c": "\n"})


def clean(text: str) -> str:
    """`text` without characters that XML or iCal forbid; line breaks become "\\n"."""
    return _ILLEGAL.sub("", text.replace("\r\n", "\n").translate(_BREAKS))


def paragraphs(text: str | None) -> list[str]:
    """The non-empty paragraphs of a plain-text field (split at blank lines), cleaned."""
    if text is None:
        return []
    return [p for p in (p.strip() for p in re.split(r"\n[ \t]*\n", clean(text))) if p]


# Our own names, not strftime's %a/%b: those follow the process locale.
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def local_date(moment: datetime, *, short: bool = False) -> str:
    """ "Tuesday, March 10, 2026", or with `short` "Tue, Mar 10, 2026"."""
    day, month = _DAYS[moment.weekday()], _MONTHS[moment.month - 1]
    if short:
        day, month = day[:3], month[:3]
    return f"{day}, {month} {moment.day}, {moment.year}"


def _clock(moment: datetime) -> str:
    meridiem = "AM" if moment.hour < 12 else "PM"
    return f"{moment.hour % 12 or 12}:{moment.minute:02d} {meridiem}"


def _zone_abbr(moment: datetime) -> str:
    return moment.tzname() or moment.strftime("UTC%z")


def when(talk: Talk, *, short: bool = False) -> str:
    """The talk's local time span with the zone's abbreviation.

    "Tuesday, March 10, 2026, 2:00 PM - 3:00 PM EDT (America/New_York)"; with `short`,
    "Tue, Mar 10, 2026, 2:00 PM - 3:00 PM EDT". The end is `effective_end`; the dash is an en dash.
    """
    start, end = talk.start, talk.effective_end
    if talk.all_day:
        last = (end - timedelta(days=1)).date()
        text = local_date(start, short=short)
        if last > start.date():
            text += f" \N{EN DASH} {local_date(end - timedelta(days=1), short=short)}"
        return f"{text} (all day)" if short else f"{text}, all day ({talk.timezone})"
    text = f"{local_date(start, short=short)}, {_clock(start)}"
    if end != start:
        # Name the start's zone too when the span crosses a DST change: 1:30 AM EDT - 1:15 AM EST.
        if _zone_abbr(start) != _zone_abbr(end):
            text += f" {_zone_abbr(start)}"
        text += " \N{EN DASH} "
        if end.date() != start.date():
            text += f"{local_date(end, short=short)}, "
        text += _clock(end)
    text += f" {_zone_abbr(end)}"
    return text if short else f"{text} ({talk.timezone})"


_LABELS = {Status.CANCELLED: "Cancelled", Status.POSTPONED: "Postponed"}


def status_label(talk: Talk) -> str | None:
    """ "Cancelled" or "Postponed"; None for a scheduled talk."""
    return _LABELS.get(talk.status)


def status_prefix(talk: Talk, spec: FeedSpec) -> str:
    """What goes before the title: the spec's cancel prefix, "POSTPONED: " or nothing."""
    if talk.status is Status.CANCELLED:
        return spec.cancel_prefix
    if talk.status is Status.POSTPONED:
        return _POSTPONE_PREFIX
    return ""


def speaker_names(talk: Talk) -> str:
    """The speakers' names, comma-separated, without affiliations."""
    return ", ".join(clean(s.name) for s in talk.speakers)


def entry_title(st: StoredTalk, spec: FeedSpec) -> str:
    """The RSS/Atom entry title: "Tue, Mar 10, 2026 · Title · Speaker", prefixed when called off."""
    talk = st.talk
    parts = [local_date(talk.start, short=True), clean(talk.title)]
    if talk.speakers:
        parts.append(speaker_names(talk))
    return clean(status_prefix(talk, spec)) + " · ".join(parts)


def _status_note(talk: Talk) -> str | None:
    label = status_label(talk)
    return None if label is None else f"This talk has been {label.lower()}."


def _people(talk: Talk) -> list[tuple[str, str]]:
    facts = []
    if talk.speakers:
        label = "Speakers" if len(talk.speakers) > 1 else "Speaker"
        facts.append((label, clean(talk.speaker_line)))
    if talk.host:
        facts.append(("Host", clean(talk.host)))
    return facts


def _sections(talk: Talk) -> list[tuple[str, list[str]]]:
    fields = (("Abstract", talk.abstract), ("Bio", talk.bio), ("Notes", talk.notes))
    sections = ((label, paragraphs(text)) for label, text in fields)
    return [(label, paras) for label, paras in sections if paras]


def html_description(st: StoredTalk) -> str:
    """The RSS/Atom entry body as an HTML fragment; every piece of talk text is escaped."""
    talk = st.talk
    parts = []
    note = _status_note(talk)
    if note:
        parts.append(f"<p><strong>{html.escape(note)}</strong></p>")
    facts = [("When", when(talk))]
    if talk.location:
        facts.append(("Where", clean(talk.location)))
    facts += _people(talk)
    lines = (f"<strong>{label}:</strong> {html.escape(value)}" for label, value in facts)
    parts.append("<p>" + "<br/>".join(lines) + "</p>")
    for label, paras in _sections(talk):
        parts.append(f"<p><strong>{label}</strong></p>")
        parts.extend(f"<p>{html.escape(p)}</p>" for p in paras)
    return "\n".join(parts)


def plain_description(st: StoredTalk) -> str:
    """The talk as plain text for calendars: status, speakers, host, abstract, bio, notes, URL."""
    talk = st.talk
    blocks = []
    note = _status_note(talk)
    if note:
        blocks.append(note)
    people = _people(talk)
    if people:
        blocks.append("\n".join(f"{label}: {value}" for label, value in people))
    blocks += [f"{label}:\n" + "\n\n".join(paras) for label, paras in _sections(talk)]
    blocks.append(clean(talk.url))
    return "\n\n".join(blocks)


def newest_first(talks: Iterable[StoredTalk]) -> list[StoredTalk]:
    """Feed entry order: latest announcement first, by (first_seen desc, start desc, id)."""
    by_id = sorted(talks, key=lambda st: st.talk.id)
    # A reverse sort is stable too, so talks that tie on both dates stay in id order.
    return sorted(by_id, key=lambda st: (st.first_seen, st.talk.start), reverse=True)


def by_start(talks: Iterable[StoredTalk]) -> list[StoredTalk]:
    """Calendar order: by (start, id)."""
    return sorted(talks, key=lambda st: (st.talk.start, st.talk.id))


def feed_updated(talks: Sequence[StoredTalk]) -> datetime:
    """The feed's last change: the latest `last_changed` in UTC, or `EPOCH` without talks."""
    return max((st.last_changed for st in talks), default=EPOCH).astimezone(UTC)
