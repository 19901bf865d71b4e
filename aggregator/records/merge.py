"""Cross-source duplicates: one cluster, and one merged talk, per real talk.

A talk is often listed by several sources (a department colloquium, a lab seminar, a university
calendar). `merge` groups the stored per-source records into clusters:

- Two talks of *different* sources are linked when their starts are within the tolerance and
  they share a speaker (see `speaker_key`), or have very similar titles (rapidfuzz `ratio` or
  `token_sort_ratio` of the titles without case, accents or punctuation; a missing title, or a
  placeholder such as "TBA" or "Seminar", is no evidence), or the same detail URL (see
  `url_key`; a missing URL is no evidence, nor is a URL that one source gives to two talks: that
  is a listing, not a detail page).
- Links are made strongest first (same URL, then speaker, then title; closer starts first) with
  union-find. A link is refused when the two clusters it would join hold talks of one source
  (a source lists a talk once), start more than the tolerance apart, have clearly different
  locations, or hold a pair the operator declared apart. So a cluster never contains a pair the
  rules keep apart, even through a chain of links.
- `Overrides.together` joins its pairs first, whatever the rules say; `Overrides.apart` wins
  over it when the two contradict. Pairs naming talks not in the input are ignored.
- The merged talk takes each field from the richest member: the longest title (any title over
  none), location, host, abstract, bio and notes; the speakers with the most affiliations, then
  the most names; start and time zone from the earliest member; an explicit end over none;
  cancelled over postponed over scheduled over tentative (a talk one source still lists is not
  in doubt); all_day only if every member is; id, source, url and default duration from the
  member whose id the cluster has (the earliest member when the id is an earlier run's), except
  that a url from another member beats none. Ties go to the earlier member;
  `Cluster.provenance` names the source of each field.
- Candidates are compared only inside a sliding window over the talks sorted by start, so the
  cost grows with the number of talks times the talks per window, never with all pairs.

Everything is ordered by keys of the data (start instant, talk id, first seen), so the output
does not depend on the input order.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, deque
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import MappingProxyType

from rapidfuzz import fuzz

from aggregator.bulk import cycle_collection_paused
from aggregator.model import SourceLink, Status, StoredTalk, Talk
from aggregator.records.placeholders import is_placeholder_title

__all__ = ["Cluster", "Evidence", "MergeSettings", "Overrides", "merge", "speaker_key", "url_key"]


@dataclass(frozen=True)
class MergeSettings:
    """How close two records must be to count as one talk."""

    tolerance: timedelta = timedelta(minutes=15)
    """Start instants this close can be the same talk; farther apart, never."""
    title_ratio: float = 90.0
    """rapidfuzz score (0-100) from which two titles, compared without case, accents or
    punctuation, are "very similar"."""


@dataclass(frozen=True)
class Overrides:
    """An operator's corrections, as pairs of talk ids."""

    together: tuple[tuple[str, str], ...] = ()
    """Pairs that are the same talk, whatever the rules say."""
    apart: tuple[tuple[str, str], ...] = ()
    """Pairs that are different talks; never in one cluster, even through other links."""


@dataclass(frozen=True, slots=True)
class Cluster:
    """One real talk: the records that list it and the merged record."""

    id: str
    """The merged talk's stable id (see `merge`)."""
    members: tuple[StoredTalk, ...]
    """The per-source records, sorted by (first_seen, talk.id)."""
    talk: Talk
    """The merged record; `talk.id == id`."""
    provenance: dict[str, str]
    """Talk field name → id of the source that gave its value (fields that are set only)."""
    sources: tuple[SourceLink, ...]
    """Every member's source, name and page, in member order."""


_NO_PREVIOUS: Mapping[str, str] = MappingProxyType({})
_DEFAULT_SETTINGS = MergeSettings()
_NO_OVERRIDES = Overrides()

_SAME_PLACE = 60.0
"""Locations whose token_set_ratio is below this are clearly different rooms."""
_NOT_WORD = re.compile(r"[\W_]+")
# The Unicode combining-mark blocks: what NFKD splits off a letter as its accent.
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_APOSTROPHES = re.compile(r"['’ʼ]")
_HONORIFICS = frozenset(
    {"prof", "professor", "dr", "doctor", "mr", "mrs", "ms", "mx", "miss", "sir", "dame"}
)
_PHD = re.compile(r"\bph d\b")
_NAME_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv", "phd"})
# Titles that name only the kind of event: two talks both "Seminar" are not one talk. Titles
# not known yet ("TBA") are already gone from normalized records, but not from older stores.
_GENERIC_TITLES = frozenset({"seminar", "colloquium", "talk", "lecture"})
_STATUS_RANK = {Status.CANCELLED: 0, Status.POSTPONED: 1, Status.SCHEDULED: 2, Status.TENTATIVE: 3}
# Evidence ranks: stronger links are made first when the rules make links compete.
_BY_URL, _BY_SPEAKER, _BY_TITLE = 0, 1, 2


def _fold(text: str) -> str:
    """Lower-case, accents removed, punctuation and runs of whitespace turned into one space."""
    if not text.isascii():
        text = _COMBINING.sub("", unicodedata.normalize("NFKD", text))
    return _NOT_WORD.sub(" ", text.casefold()).strip()


def speaker_key(name: str) -> tuple[str, ...]:
    """A name reduced to its (first, last) tokens, ignoring accents, case, punctuation,
    honorifics (Prof., Dr., …), suffixes (Jr., PhD, …) and middle names or initials.

    "Lovelace, Ada" (one word before the only comma left once suffixes are dropped) is read as
    "Last, First"; otherwise what follows a comma is taken for an affiliation left in the name.
    A one-word name gives a one-word key. Initials are not expanded: "A. Lovelace" is not
    "Ada Lovelace".
    """
    parts = [_PHD.sub("phd", _fold(_APOSTROPHES.sub("", part))).split() for part in name.split(",")]
    parts = [_no_honorific(part) for part in parts if not set(part) <= _NAME_SUFFIXES]
    if len(parts) == 2 and len(parts[0]) == 1:
        tokens = _no_honorific(parts[1]) + parts[0]
    else:
        tokens = parts[0] if parts else []
    while tokens and tokens[-1] in _NAME_SUFFIXES:
        tokens.pop()
    return (tokens[0], tokens[-1]) if len(tokens) >= 2 else tuple(tokens)


def _no_honorific(tokens: list[str]) -> list[str]:
    while tokens and tokens[0] in _HONORIFICS:
        tokens = tokens[1:]
    return tokens


def url_key(url: str) -> str:
    """A URL compared without its scheme, fragment, trailing slash or host case."""
    # Talk.url is a validated absolute http(s) URL: plain string splitting is enough, and
    # several times faster than urlsplit on a hundred thousand talks.
    rest = url.partition("://")[2].partition("#")[0]
    rest, _, query = rest.partition("?")
    host, slash, path = rest.partition("/")
    key = host.lower() + (slash + path).rstrip("/")
    return f"{key}?{query}" if query else key


@dataclass(slots=True)
class _Entry:
    """One input record with the keys the rules compare, computed once."""

    stored: StoredTalk
    id: str
    source: str
    instant: float
    url: str | None
    speakers: frozenset[tuple[str, ...]]
    title: str | None
    location: str | None


def merge(
    talks: Sequence[StoredTalk],
    settings: MergeSettings = _DEFAULT_SETTINGS,
    overrides: Overrides = _NO_OVERRIDES,
    previous: Mapping[str, str] = _NO_PREVIOUS,
    elsewhere: Collection[tuple[str, str]] = (),
) -> list[Cluster]:
    """Group records that list the same talk and merge each group into one talk.

    `previous` maps a member talk id to the cluster id it had in the last run. A cluster reuses
    the previous id its members had most often (ties: the smallest); without one, it takes the
    id of its earliest member by (first_seen, talk.id). When two clusters claim one previous
    id, the cluster holding the talk of that id wins, then the one with more members claiming
    it. So an id survives a second source appearing and the first source disappearing.

    `elsewhere` holds (source, `url_key`) pairs that records left out of `talks` give too: such
    a URL is a listing's, as if those records were in. So a part of the records closed under
    `Evidence`, the `together` overrides and `previous` clusters is merged as it is in all.

    Every input talk is in exactly one cluster; clusters are sorted by (talk.start, id).
    Raises ValueError if two input records have the same talk id.
    """
    # merge creates about ten objects per record, and no reference cycles.
    with cycle_collection_paused():
        return _merge(talks, settings, overrides, previous, elsewhere)


def _merge(
    talks: Sequence[StoredTalk],
    settings: MergeSettings,
    overrides: Overrides,
    previous: Mapping[str, str],
    elsewhere: Collection[tuple[str, str]],
) -> list[Cluster]:
    names: dict[str, tuple[str, ...]] = {}
    places: dict[str, str] = {}
    entries = sorted(
        (_entry(stored, names, places) for stored in talks), key=lambda e: (e.instant, e.id)
    )
    index = {entry.id: position for position, entry in enumerate(entries)}
    if len(index) != len(entries):
        counts = Counter(entry.id for entry in entries)
        duplicate = min(talk_id for talk_id, n in counts.items() if n > 1)
        raise ValueError(f"talk id {duplicate!r} appears more than once")
    _drop_shared_urls(entries, elsewhere)

    tolerance = settings.tolerance.total_seconds()
    groups = _Groups(entries, tolerance, _pairs(overrides.apart, index))
    for a, b in sorted(_pairs(overrides.together, index)):
        groups.join(a, b, forced=True)
    for _, _, a, b in _links(entries, tolerance, settings.title_ratio):
        groups.join(a, b, forced=False)

    # Filling the groups in (first_seen, id) order leaves each one sorted.
    by_root: dict[int, list[StoredTalk]] = {}
    for position in sorted(
        range(len(entries)), key=lambda p: (entries[p].stored.first_seen, entries[p].id)
    ):
        by_root.setdefault(groups.find(position), []).append(entries[position].stored)
    members = list(by_root.values())
    ids = _cluster_ids(members, previous)
    clusters = [_cluster(cluster_id, group) for cluster_id, group in zip(ids, members, strict=True)]
    clusters.sort(key=lambda c: (c.talk.start, c.id))
    return clusters


def _entry(stored: StoredTalk, names: dict[str, tuple[str, ...]], places: dict[str, str]) -> _Entry:
    """`stored` with its compared keys; `names` and `places` cache keys of repeated values."""
    talk = stored.talk
    title = None
    if talk.title and not is_placeholder_title(talk.title):
        title = _fold(talk.title)
    location = None
    if talk.location:
        location = places.get(talk.location)
        if location is None:
            location = places[talk.location] = _fold(talk.location)
    keys = []
    for speaker in talk.speakers:
        key = names.get(speaker.name)
        if key is None:
            key = names[speaker.name] = speaker_key(speaker.name)
        if key:
            keys.append(key)
    return _Entry(
        stored=stored,
        id=talk.id,
        source=talk.source,
        instant=talk.start.timestamp(),
        url=url_key(talk.url) if talk.url else None,
        speakers=frozenset(keys),
        title=title if title and title not in _GENERIC_TITLES else None,
        location=location or None,
    )


def _drop_shared_urls(entries: Sequence[_Entry], elsewhere: Collection[tuple[str, str]]) -> None:
    """Forget the URL of talks whose source gives that URL to several talks (a series page)."""
    uses = Counter((entry.source, entry.url) for entry in entries if entry.url is not None)
    for entry in entries:
        if entry.url is not None:
            pair = (entry.source, entry.url)
            if uses[pair] > 1 or pair in elsewhere:
                entry.url = None


class Evidence:
    """Whether the merge could link two records: of different sources, starts within the
    tolerance, and some evidence (`merge`). A URL counts even where a source gives it to
    several talks, so this may say yes where the merge finds no evidence, never the reverse:
    records that no chain of such links joins to others are merged alike alone or among all."""

    def __init__(self, settings: MergeSettings = _DEFAULT_SETTINGS) -> None:
        self._tolerance = settings.tolerance.total_seconds()
        self._title_ratio = settings.title_ratio
        self._names: dict[str, tuple[str, ...]] = {}
        self._places: dict[str, str] = {}
        self._entries: dict[str, _Entry] = {}

    def linked(self, a: StoredTalk, b: StoredTalk) -> bool:
        """`a` and `b` may be linked."""
        x, y = self._entry(a), self._entry(b)
        if x.source == y.source or abs(x.instant - y.instant) > self._tolerance:
            return False
        return _evidence(x, y, self._title_ratio) is not None

    def _entry(self, stored: StoredTalk) -> _Entry:
        entry = self._entries.get(stored.talk.id)
        if entry is None:
            entry = self._entries[stored.talk.id] = _entry(stored, self._names, self._places)
        return entry


def _pairs(pairs: Sequence[tuple[str, str]], index: Mapping[str, int]) -> set[tuple[int, int]]:
    """Override pairs as ordered positions, without those naming talks not in the input."""
    return {
        (min(index[a], index[b]), max(index[a], index[b]))
        for a, b in pairs
        if a in index and b in index and a != b
    }


def _links(
    entries: Sequence[_Entry], tolerance: float, title_ratio: float
) -> list[tuple[int, float, int, int]]:
    """Candidate links (evidence rank, start gap, position, position), strongest first."""
    links: list[tuple[int, float, int, int]] = []
    count = len(entries)
    for i, a in enumerate(entries):
        j = i + 1
        while j < count and entries[j].instant - a.instant <= tolerance:
            b = entries[j]
            if a.source != b.source:
                rank = _evidence(a, b, title_ratio)
                if rank is not None:
                    links.append((rank, b.instant - a.instant, i, j))
            j += 1
    links.sort()
    return links


def _evidence(a: _Entry, b: _Entry, title_ratio: float) -> int | None:
    """The strongest reason to think `a` and `b` are one talk, or None."""
    if a.url is not None and a.url == b.url:
        return _BY_URL
    if not a.speakers.isdisjoint(b.speakers):
        return _BY_SPEAKER
    if a.title is not None and b.title is not None:
        if fuzz.ratio(a.title, b.title, score_cutoff=title_ratio):
            return _BY_TITLE
        if fuzz.token_sort_ratio(a.title, b.title, score_cutoff=title_ratio):
            return _BY_TITLE
    return None


def _clearly_apart(a: str | None, b: str | None) -> bool:
    return a is not None and b is not None and fuzz.token_set_ratio(a, b) < _SAME_PLACE


class _Groups:
    """Union-find over entry positions that refuses joins the merge rules forbid."""

    def __init__(
        self, entries: Sequence[_Entry], tolerance: float, apart: set[tuple[int, int]]
    ) -> None:
        self._entries = entries
        self._tolerance = tolerance
        self._parent = list(range(len(entries)))
        self._members: dict[int, list[int]] = {}
        self._apart: dict[int, list[int]] = {}
        for a, b in sorted(apart):
            self._apart.setdefault(a, []).append(b)
            self._apart.setdefault(b, []).append(a)

    def find(self, position: int) -> int:
        """The root of `position`'s group."""
        root = position
        while self._parent[root] != root:
            root = self._parent[root]
        while self._parent[position] != root:
            self._parent[position], position = root, self._parent[position]
        return root

    def members(self, root: int) -> list[int]:
        """The positions in the group of `root`."""
        return self._members.get(root) or [root]

    def join(self, a: int, b: int, *, forced: bool) -> None:
        """Put `a` and `b` in one group, unless the rules (or, when forced, only the operator's
        apart pairs) keep their groups apart."""
        root_a, root_b = self.find(a), self.find(b)
        if root_a == root_b or self._held_apart(root_a, root_b):
            return
        if not forced and not self._compatible(root_a, root_b):
            return
        small, large = sorted((root_a, root_b), key=lambda r: (len(self.members(r)), r))
        self._members[large] = self.members(large) + self.members(small)
        self._members.pop(small, None)
        self._parent[small] = large

    def _held_apart(self, root_a: int, root_b: int) -> bool:
        return any(
            self.find(other) == root_b
            for position in self.members(root_a)
            for other in self._apart.get(position, ())
        )

    def _compatible(self, root_a: int, root_b: int) -> bool:
        side_a = [self._entries[p] for p in self.members(root_a)]
        side_b = [self._entries[p] for p in self.members(root_b)]
        if {e.source for e in side_a} & {e.source for e in side_b}:
            return False
        instants = [e.instant for e in side_a + side_b]
        if max(instants) - min(instants) > self._tolerance:
            return False
        return not any(_clearly_apart(x.location, y.location) for x in side_a for y in side_b)


def _cluster_ids(groups: Sequence[Sequence[StoredTalk]], previous: Mapping[str, str]) -> list[str]:
    """Stable ids: previous cluster ids matched to groups (proposals in each group's order of
    preference, as in stable matching), then the earliest member's id not already taken."""
    votes: dict[int, dict[str, int]] = {}
    for g, group in enumerate(groups):
        for member in group:
            wanted = previous.get(member.talk.id)
            if wanted is not None:
                tally = votes.setdefault(g, {})
                tally[wanted] = tally.get(wanted, 0) + 1
    wishes = {g: _by_votes(tally) for g, tally in votes.items()}

    def claim(wanted: str, g: int) -> tuple[bool, int, datetime, str]:
        # Who keeps an id several groups want: the group holding the talk of that id, then the
        # group more of whose members had it, then the group seen first.
        first = groups[g][0]
        holds = any(member.talk.id == wanted for member in groups[g])
        return (not holds, -votes[g][wanted], first.first_seen, first.talk.id)

    holder: dict[str, int] = {}
    tried = dict.fromkeys(wishes, 0)
    waiting = deque(wishes)
    while waiting:
        g = waiting.popleft()
        if tried[g] == len(wishes[g]):
            continue
        wanted = wishes[g][tried[g]]
        tried[g] += 1
        rival = holder.get(wanted)
        if rival is None:
            holder[wanted] = g
        elif claim(wanted, g) < claim(wanted, rival):
            holder[wanted] = g
            waiting.append(rival)
        else:
            waiting.append(g)

    kept = {g: wanted for wanted, g in holder.items()}
    taken = set(holder)
    ids = []
    for g, group in enumerate(groups):
        chosen = kept.get(g)
        if chosen is None:
            chosen = next((m.talk.id for m in group if m.talk.id not in taken), None)
        if chosen is None:
            # Every member's id went to other clusters: mint one that no talk uses.
            every_talk = {m.talk.id for other in groups for m in other}
            number = 2
            while f"{group[0].talk.id}~{number}" in taken | every_talk:
                number += 1
            chosen = f"{group[0].talk.id}~{number}"
        taken.add(chosen)
        ids.append(chosen)
    return ids


def _by_votes(tally: Mapping[str, int]) -> list[str]:
    """The ids in `tally`, most votes first, ties by the smaller id."""
    return sorted(tally, key=lambda wanted: (-tally[wanted], wanted))


def _cluster(cluster_id: str, members: Sequence[StoredTalk]) -> Cluster:
    if len(members) == 1 and members[0].talk.id == cluster_id:
        (only,) = members
        talk = only.talk
        provenance = dict.fromkeys(_set_fields(talk), talk.source)
    else:
        talk, provenance = _merged(cluster_id, members)
    # The values come from validated records: skip validating them again.
    sources = tuple(
        SourceLink.model_construct(source=m.talk.source, name=m.source_name, url=m.talk.url)
        for m in members
    )
    return Cluster(cluster_id, tuple(members), talk, provenance, sources)


def _merged(cluster_id: str, members: Sequence[StoredTalk]) -> tuple[Talk, dict[str, str]]:
    """The richest value of each field, and the source each came from."""
    # The time comes from the fullest record: a department's own talk page beats a calendar
    # entry that rounds or shifts it (ties: the earliest member).
    first = max(members, key=_richness)
    giver = next((m for m in members if m.talk.id == cluster_id), members[0])
    all_day = all(m.talk.all_day for m in members)
    picks: dict[str, StoredTalk | None] = {
        "id": giver,
        "source": giver,
        "url": giver if giver.talk.url else next((m for m in members if m.talk.url), None),
        "default_duration_minutes": giver,
        "title": _longest(members, "title"),
        "speakers": max(
            members,
            key=lambda m: (
                sum(1 for s in m.talk.speakers if s.affiliation),
                len(m.talk.speakers),
                # "Massachusetts Institute of Technology" says more than "MIT".
                sum(len(s.affiliation or "") for s in m.talk.speakers),
            ),
        ),
        "start": first,
        "timezone": first,
        "all_day": first
        if all_day or not first.talk.all_day
        else next(m for m in members if not m.talk.all_day),
        # An exact end from any source beats the default one; it must fit the chosen start.
        "end": next(
            (
                m
                for m in members
                if m.talk.end is not None
                and m.talk.all_day == all_day
                and m.talk.end >= first.talk.start
            ),
            None,
        ),
        "status": min(members, key=lambda m: _STATUS_RANK[m.talk.status]),
    }
    for name in ("location", "host", "abstract", "bio", "notes"):
        picks[name] = _longest(members, name)

    values: dict[str, object] = {
        name: getattr(member.talk, name) if member is not None else None
        for name, member in picks.items()
    }
    values["id"] = cluster_id
    values["all_day"] = all_day
    talk = Talk.model_validate(values)
    provenance = {
        name: member.talk.source
        for name in _set_fields(talk)
        if (member := picks[name]) is not None
    }
    return talk, provenance


_DETAIL_FIELDS = ("speakers", "end", "location", "host", "abstract", "bio", "notes")


def _richness(member: StoredTalk) -> tuple[int, int]:
    """How much a record says: fields filled, then the abstract's length."""
    talk = member.talk
    return sum(1 for name in _DETAIL_FIELDS if getattr(talk, name)), len(talk.abstract or "")


def _longest(members: Sequence[StoredTalk], name: str) -> StoredTalk | None:
    """The first member whose text field `name` is longest once stripped; None if all blank."""
    best, best_length = None, 0
    for member in members:
        value: str | None = getattr(member.talk, name)
        length = len(value.strip()) if value else 0
        if length > best_length:
            best, best_length = member, length
    return best


_FIELDS = tuple(Talk.model_fields)
# Fields that default to None or an empty list; the others always hold a value.
_MAY_BE_EMPTY = frozenset(
    name
    for name, field in Talk.model_fields.items()
    if field.default is None or field.default_factory is not None
)


def _set_fields(talk: Talk) -> list[str]:
    """Talk fields holding a value (not None, not an empty string or list), in model order."""
    return [name for name in _FIELDS if name not in _MAY_BE_EMPTY or getattr(talk, name)]
