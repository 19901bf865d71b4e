"""What a feed is about, which talks it holds, and the wording every format shares.

`FeedSpec` names one feed; its `FeedFilter` and day windows pick the talks (`select`), with the
same meaning in every format. The helpers turn a `StoredTalk` into the text that RSS, Atom, iCal
and the HTML index all show, so that a talk reads the same in every client. They return clean
text: characters that XML 1.0 forbids (and that break feedgen and calendar clients) are gone.

Scraped text is untrusted: it is escaped wherever it goes into HTML, and every HTML fragment
we build then goes through `safe_html`, which keeps only the markup we write ourselves.
"""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Protocol
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo

import nh3

from aggregator.model import SourceLink, Status, StoredTalk, Talk

__all__ = [
    "EPOCH",
    "Bodies",
    "FeedFilter",
    "FeedSpec",
    "Kept",
    "author_names",
    "by_start",
    "clean",
    "clock_span",
    "entry_kind",
    "entry_title",
    "feed_updated",
    "html_description",
    "in_window",
    "listed_by_html",
    "local_date",
    "local_time",
    "matches",
    "moved_note",
    "newest_first",
    "paragraphs",
    "plain_description",
    "safe_html",
    "select",
    "shown_title",
    "source_links",
    "source_names",
    "speaker_names",
    "status_label",
    "status_prefix",
    "talk_line",
    "title_and_speakers",
    "when",
    "window_start",
]

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
"""The `updated` date of a feed without talks: a constant, so empty feeds stay byte-identical."""


@dataclass(frozen=True)
class FeedFilter:
    """Which talks a feed holds; every part left empty keeps every talk.

    A talk is kept when it passes all three parts:

    - `sources`: it is listed by one of these source ids (for a merged talk, by any member).
    - `keywords`: its title, abstract or a speaker's name contains one of these phrases (the
      title the talk has: never the "Talk by …" that `shown_title` makes up for one without).
    - `exclude`: none of those texts contains one of these phrases.

    Phrases match case- and accent-insensitively ("resume" finds "Résumé"), as whole words
    with an optional plural "s": "GPU" finds "GPU", "GPUs" and "GPU-based" but not "GPUDirect";
    "learn" does not find "learning". Runs of whitespace count as one space, so a phrase
    "machine learning" also finds a line break between the words.
    """

    sources: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for name in ("sources", "keywords", "exclude"):
            values = getattr(self, name)
            # A blank phrase would match every talk (or, in `exclude`, none).
            if not isinstance(values, tuple) or not all(
                isinstance(v, str) and v.strip() for v in values
            ):
                raise ValueError(f"feed filter {name} must be a tuple of non-blank strings")


@dataclass(frozen=True)
class FeedSpec:
    """One published feed: where it goes, what it is called, what it links to, what it holds."""

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
    postpone_prefix: str = "POSTPONED: "
    """Put before the titles of postponed talks."""
    filter: FeedFilter = field(default_factory=FeedFilter)
    """Which talks the feed holds (see `select`)."""
    ttl_minutes: int = 60
    """How often clients should re-read the feed: RSS <ttl>, iCal REFRESH-INTERVAL."""
    rss_days_back: int | None = 30
    """RSS and Atom hold talks that started at most this many days ago; None: no limit."""
    ical_days_back: int | None = 180
    """The iCal feed holds talks that started at most this many days ago; None: no limit."""

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
        if self.ttl_minutes < 1:
            raise ValueError(f"feed {self.path!r}: ttl_minutes must be at least 1")
        for name, days in (
            ("rss_days_back", self.rss_days_back),
            ("ical_days_back", self.ical_days_back),
        ):
            if days is not None and days < 0:
                raise ValueError(f"feed {self.path!r}: {name} must not be negative, got {days}")

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


def source_links(st: StoredTalk) -> tuple[SourceLink, ...]:
    """Every source listing the talk, in the store's order; just its own one when not merged."""
    if st.sources:
        return st.sources
    return (SourceLink(source=st.talk.source, name=st.source_name, url=st.talk.url),)


def source_names(st: StoredTalk) -> list[str]:
    """The names of every source listing the talk, cleaned, each once, in the store's order."""
    return list(dict.fromkeys(clean(link.name) for link in source_links(st)))


def _fold(text: str) -> str:
    """Lower case, accents dropped, whitespace runs as one space: the form phrases match in."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.split())


@lru_cache(maxsize=256)
def _phrases(phrases: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(_fold(p)) for p in phrases)
    return re.compile(rf"(?<!\w)(?:{alternatives})s?(?!\w)")


def _mentions(talk: Talk, phrases: tuple[str, ...]) -> bool:
    pattern = _phrases(phrases)
    # Each field on its own, so that a phrase never spans the end of one and the start of another.
    texts = [talk.title or "", talk.abstract or "", *(s.name for s in talk.speakers)]
    return any(pattern.search(_fold(text)) for text in texts)


def matches(st: StoredTalk, f: FeedFilter) -> bool:
    """Whether the talk passes the filter: a listed source, a keyword, and no excluded phrase."""
    if f.sources and not {link.source for link in source_links(st)} & set(f.sources):
        return False
    if f.keywords and not _mentions(st.talk, f.keywords):
        return False
    return not (f.exclude and _mentions(st.talk, f.exclude))


_FORMATS = ("rss", "atom", "feed.json", "ics")


def window_start(spec: FeedSpec, fmt: str, now: datetime) -> datetime | None:
    """The oldest start a feed of `spec` in format `fmt` holds at `now` (None: no limit).

    `fmt` is "rss", "atom" or "feed.json" (`spec.rss_days_back`) or "ics"
    (`spec.ical_days_back`). The window starts at midnight UTC that many days back, so a feed
    changes with the hour only when its talks do: every run of a day shares one window. Days
    are counted in UTC, so the window keeps its length across a DST change.
    """
    if now.tzinfo is None:
        raise ValueError(f"now must be timezone-aware, got {now.isoformat()}")
    if fmt not in _FORMATS:
        raise ValueError(f"unknown feed format {fmt!r}; expected one of {', '.join(_FORMATS)}")
    days = spec.ical_days_back if fmt == "ics" else spec.rss_days_back
    if days is None:
        return None
    day = now.astimezone(UTC) - timedelta(days=days)
    return day.replace(hour=0, minute=0, second=0, microsecond=0)


def in_window(
    talks: Iterable[StoredTalk], spec: FeedSpec, fmt: str, now: datetime
) -> list[StoredTalk]:
    """The talks, in the given order, that start at or after `window_start`; talks ahead are
    all kept."""
    oldest = window_start(spec, fmt, now)
    return list(talks) if oldest is None else [st for st in talks if st.talk.start >= oldest]


def select(
    talks: Iterable[StoredTalk], spec: FeedSpec, fmt: str, now: datetime
) -> list[StoredTalk]:
    """What the feed `spec` holds in format `fmt` at `now`: its filter, then its window."""
    return in_window((st for st in talks if matches(st, spec.filter)), spec, fmt, now)


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


def local_time(talk: Talk, moment: datetime, *, short: bool = False) -> str:
    """`moment` in the talk's zone: "Tuesday, March 3, 2026, 2:00 PM EST"; a date if all-day."""
    local = moment.astimezone(ZoneInfo(talk.timezone))
    if talk.all_day:
        return local_date(local, short=short)
    return f"{local_date(local, short=short)}, {_clock(local)} {_zone_abbr(local)}"


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
    text = f"{local_date(start, short=short)}, {clock_span(talk, short=short)}"
    return text if short else f"{text} ({talk.timezone})"


def clock_span(talk: Talk, *, short: bool = False) -> str:
    """The local times of a talk that is not all-day, without the start's date.

    "2:00 PM - 3:00 PM EDT" (an en dash); the end's date is named when it falls on a later day:
    "10:00 PM - Wed, Mar 11, 2026, 1:00 AM EDT" (`short`, else the long date).
    """
    start, end = talk.start, talk.effective_end
    text = _clock(start)
    if end != start:
        # Name the start's zone too when the span crosses a DST change: 1:30 AM EDT - 1:15 AM EST.
        if _zone_abbr(start) != _zone_abbr(end):
            text += f" {_zone_abbr(start)}"
        text += " \N{EN DASH} "
        if end.date() != start.date():
            text += f"{local_date(end, short=short)}, "
        text += _clock(end)
    return f"{text} {_zone_abbr(end)}"


_LABELS = {
    Status.CANCELLED: "Cancelled",
    Status.POSTPONED: "Postponed",
    Status.TENTATIVE: "Tentative",
}


def status_label(talk: Talk) -> str | None:
    """ "Cancelled", "Postponed" or "Tentative"; None for a scheduled talk."""
    return _LABELS.get(talk.status)


def status_prefix(talk: Talk, spec: FeedSpec) -> str:
    """What goes before the title: the spec's cancel or postpone prefix, or nothing.

    A tentative talk gets none: it may well take place, and a prefix would read as a verdict.
    """
    if talk.status is Status.CANCELLED:
        return spec.cancel_prefix
    if talk.status is Status.POSTPONED:
        return spec.postpone_prefix
    return ""


def speaker_names(talk: Talk) -> str:
    """The speakers' names, comma-separated, without affiliations."""
    return ", ".join(clean(s.name) for s in talk.speakers)


def author_names(talk: Talk) -> list[str]:
    """The speakers' names, cleaned, each once, in page order: an entry's authors."""
    return list(
        dict.fromkeys(name for name in (clean(s.name).strip() for s in talk.speakers) if name)
    )


def shown_title(st: StoredTalk) -> str:
    """What every feed and page calls the talk, cleaned: its title; without one, "Talk by A, B
    and C" after its speakers; without speakers either, its source's name.

    Made up when rendering, never stored, and never searched by keyword filters: the page did
    not say it. The status prefix is the caller's to add.
    """
    talk = st.talk
    if talk.title:
        return clean(talk.title)
    names = [clean(s.name) for s in talk.speakers]
    if names:
        listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
        return f"Talk by {listed}"
    return clean(st.source_name) or "Talk"


def title_and_speakers(st: StoredTalk, separator: str) -> str:
    """`shown_title`, then the speakers' names after `separator`, unless the title is made of
    them already: "Title · Speaker", "Talk by Speaker"."""
    text = shown_title(st)
    if st.talk.title and st.talk.speakers:
        text += separator + speaker_names(st.talk)
    return text


def talk_line(st: StoredTalk) -> str:
    """The talk in one line: "Tue, Mar 10, 2026 · Title · Speaker"."""
    return f"{local_date(st.talk.start, short=True)} · {title_and_speakers(st, ' · ')}"


def entry_title(st: StoredTalk, spec: FeedSpec) -> str:
    """The RSS/Atom entry title: `talk_line`, prefixed when called off."""
    return clean(status_prefix(st.talk, spec)) + talk_line(st)


_STATUS_NOTES = {
    Status.CANCELLED: "This talk has been cancelled.",
    Status.POSTPONED: "This talk has been postponed.",
    Status.TENTATIVE: "Status: Tentative (no longer listed by its source)",
}


def moved_note(st: StoredTalk) -> str | None:
    """ "Moved from Tuesday, March 3, 2026, 2:00 PM EST" for a rescheduled talk, else None."""
    if st.moved_from is None or st.moved_from == st.talk.start:
        return None
    return f"Moved from {local_time(st.talk, st.moved_from)}"


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


def _alerts(st: StoredTalk) -> list[str]:
    """What a reader must see first: that the talk moved, and that it may not take place."""
    notes = [moved_note(st), _STATUS_NOTES.get(st.talk.status)]
    return [note for note in notes if note]


# Exactly the markup of our own fragments (entry descriptions; the index page's talks, filters
# and subscribe blocks); anything else in a fragment can only have come from a page, escaping
# having failed somewhere. The index page's own script and style sheet are outside fragments.
# Form controls are inert here: no <form>, and no attribute that could submit or load anything.
_SAFE_TAGS = frozenset(
    {"a", "br", "button", "code", "details", "div", "h3", "h4", "input", "label", "li", "option",
     "p", "s", "select", "span", "strong", "summary", "time"}
)  # fmt: skip
_SAFE_ATTRIBUTES = {
    # An empty "*" drops nh3's default global attributes (title, lang) too.
    "*": frozenset[str](),
    "a": frozenset({"class", "hidden", "href", "type"}),
    "code": frozenset({"class"}),
    "button": frozenset({"class", "data-url", "hidden", "type"}),
    "details": frozenset({"class"}),
    "div": frozenset({"class", "hidden", "id", "role"}),
    "h4": frozenset({"class"}),
    "input": frozenset({"autocomplete", "id", "placeholder", "type"}),
    "label": frozenset({"for"}),
    "li": frozenset({"class", "data-sources"}),
    "option": frozenset({"value"}),
    "p": frozenset({"class"}),
    "select": frozenset({"id"}),
    "strong": frozenset({"class"}),
    "time": frozenset({"data-end", "data-zone", "datetime"}),
}
_SAFE_SCHEMES = frozenset({"http", "https", "webcal"})


def safe_html(fragment: str) -> str:
    """`fragment` reduced to the tags and attributes talkfeed writes, with links only to
    http(s), webcal or relative URLs: the second line of defence after escaping."""
    return nh3.clean(
        fragment,
        tags=set(_SAFE_TAGS),
        attributes={tag: set(names) for tag, names in _SAFE_ATTRIBUTES.items()},
        url_schemes=set(_SAFE_SCHEMES),
        # nh3 adds rel="noopener noreferrer" by default; that guards target="_blank" links,
        # which we never write, and would hide from each university that we link to it.
        link_rel=None,
    )


def listed_by_html(st: StoredTalk) -> str | None:
    """For a merged talk, every source, linked to the talk's page there if it has one:
    "<a href=…>Name</a>; Name; …"."""
    if len(st.sources) < 2:
        return None
    return "; ".join(
        f'<a href="{html.escape(clean(link.url))}">{html.escape(clean(link.name))}</a>'
        if link.url
        else html.escape(clean(link.name))
        for link in st.sources
    )


def _listed_by_text(st: StoredTalk) -> str | None:
    if len(st.sources) < 2:
        return None
    return "; ".join(
        f"{clean(link.name)} <{clean(link.url)}>" if link.url else clean(link.name)
        for link in st.sources
    )


def html_description(st: StoredTalk) -> str:
    """The RSS/Atom entry body as an HTML fragment; every piece of talk text is escaped."""
    talk = st.talk
    parts = [f"<p><strong>{html.escape(note)}</strong></p>" for note in _alerts(st)]
    facts = [("When", when(talk))]
    if talk.location:
        facts.append(("Where", clean(talk.location)))
    facts += _people(talk)
    lines = [f"<strong>{label}:</strong> {html.escape(value)}" for label, value in facts]
    listed_by = listed_by_html(st)
    if listed_by:
        lines.append(f"<strong>Listed by:</strong> {listed_by}")
    parts.append("<p>" + "<br/>".join(lines) + "</p>")
    for label, paras in _sections(talk):
        parts.append(f"<p><strong>{label}</strong></p>")
        parts.extend(f"<p>{html.escape(p)}</p>" for p in paras)
    return safe_html("\n".join(parts))


def plain_description(st: StoredTalk) -> str:
    """The talk as plain text for calendars: moved, status, people, sources, sections, URL (if
    it has one)."""
    talk = st.talk
    blocks = _alerts(st)
    facts = _people(talk)
    listed_by = _listed_by_text(st)
    if listed_by:
        facts.append(("Listed by", listed_by))
    if facts:
        blocks.append("\n".join(f"{label}: {value}" for label, value in facts))
    blocks += [f"{label}:\n" + "\n\n".join(paras) for label, paras in _sections(talk)]
    if talk.url:
        blocks.append(clean(talk.url))
    return "\n\n".join(blocks)


class Kept(Protocol):
    """Where `Bodies` keeps entries between runs: text by key (a dict will do)."""

    def get_many(self, keys: Sequence[str]) -> dict[str, str]:
        """Those of `keys` that are kept, with their text."""

    def put_many(self, entries: Mapping[str, str]) -> None:
        """Keep these."""


ENTRY_BATCH = 256
"""Entries a run renders at once when it keeps them."""


class Bodies:
    """Each talk's entry body, as HTML (RSS, Atom, JSON Feed) and as text (iCal), and each
    talk's whole entry in each format, made once however many feeds and formats show the talk:
    sanitizing the HTML and building the entry are most of what a feed costs. Talks with the
    same `key` get the same bodies and entries. The default key, the object itself, holds
    while the talks are alive, as they are for the one rendering that makes its own.

    With `kept`, entries outlive the run: `key` must then stand for everything an entry shows
    (its repr is part of the key kept), and `salt` for the code that renders it."""

    def __init__(
        self,
        key: Callable[[StoredTalk], Hashable] = id,
        kept: Kept | None = None,
        salt: str = "",
    ) -> None:
        self._key = key
        self._made: dict[tuple[str, Hashable], str] = {}
        self._kept = kept
        self._salt = salt

    def html(self, st: StoredTalk) -> str:
        """`html_description(st)`."""
        return self._body("html", st, html_description)

    def plain(self, st: StoredTalk) -> str:
        """`plain_description(st)`."""
        return self._body("plain", st, plain_description)

    def entries(
        self,
        kind: str,
        talks: Sequence[StoredTalk],
        make: Callable[[list[StoredTalk]], list[str]],
    ) -> list[str]:
        """Each talk's entry of `kind` (a format and what of the spec its entries show), in
        order: those not made before made by one call of `make`, which returns them in the
        order given."""
        keys = [(kind, self._key(st)) for st in talks]
        if self._kept is None:
            missing = {
                key: st for key, st in zip(keys, talks, strict=True) if key not in self._made
            }
            if missing:
                self._made.update(zip(missing, make(list(missing.values())), strict=True))
            return [self._made[key] for key in keys]
        # Kept entries are not held for the rest of the run: another feed that shows them
        # reads them back, and a run's entries together are the largest thing it holds.
        names = {self._name(key): key for key in keys}
        entries = {names[name]: text for name, text in self._kept.get_many(list(names)).items()}
        missing = {key: st for key, st in zip(keys, talks, strict=True) if key not in entries}
        # In batches: the libraries build a whole document of the entries they make at once.
        waiting = list(missing.items())
        for start in range(0, len(waiting), ENTRY_BATCH):
            batch = dict(waiting[start : start + ENTRY_BATCH])
            made = dict(zip(batch, make(list(batch.values())), strict=True))
            entries.update(made)
            self._kept.put_many({self._name(key): text for key, text in made.items()})
        return [entries[key] for key in keys]

    def name(self, kind: str, st: StoredTalk) -> str:
        """The name the talk's entry of `kind` is kept under."""
        return self._name((kind, self._key(st)))

    def _name(self, key: tuple[str, Hashable]) -> str:
        return hashlib.blake2b(f"{self._salt}\n{key!r}".encode(), digest_size=16).hexdigest()

    def _body(self, kind: str, st: StoredTalk, make: Callable[[StoredTalk], str]) -> str:
        key = (kind, self._key(st))
        body = self._made.get(key)
        if body is None:
            body = self._made[key] = make(st)
        return body


def entry_kind(fmt: str, spec: FeedSpec) -> str:
    """What an entry in format `fmt` (its file extension, as `feeds.FORMATS` names it) depends
    on besides its talk: the spec's prefixes for called-off talks (`entry_title`,
    `status_prefix`), nothing else of it."""
    return f"{fmt} {spec.cancel_prefix!r} {spec.postpone_prefix!r}"


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
