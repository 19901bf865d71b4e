"""The changes feed (Atom): one entry per change to a talk, newest first.

Readers of the talk feeds see a talk once, when it is announced; this feed also tells them when
one moves, is called off or comes back. Each entry's id names the talk, the kind of change and
its time, so a reader shows every change once, however often the feed is rewritten.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal, TypeVar, get_args

from aggregator.model import StoredTalk
from feeds.atom import add_talk_entry, atom_feed
from feeds.spec import EPOCH, FeedSpec, html_description, local_time, talk_line

__all__ = ["CHANGES_ENTRIES", "ChangeEntry", "ChangeKind", "render_changes", "shown"]

ChangeKind = Literal["new", "moved", "cancelled", "restored"]
_T = TypeVar("_T")

_LABELS: dict[ChangeKind, str] = {
    "new": "New",
    "moved": "Moved",
    "cancelled": "Cancelled",
    "restored": "Restored",
}


@dataclass(frozen=True)
class ChangeEntry:
    """One change to one talk: what happened, when, and the talk as it is now."""

    kind: ChangeKind
    at: datetime
    """When the change was seen (the run's time); aware."""
    talk: StoredTalk
    """The talk's current state: the entry's link and description come from it."""
    moved_from: datetime | None = None
    """For a move, the start before it; the title then says "(was …)"."""

    def __post_init__(self) -> None:
        if self.kind not in get_args(ChangeKind):
            raise ValueError(
                f"change kind must be one of {', '.join(get_args(ChangeKind))}, got {self.kind!r}"
            )
        if self.moved_from is not None and self.kind != "moved":
            raise ValueError(f"moved_from belongs to a 'moved' change, not a {self.kind!r} one")
        for name in ("at", "moved_from"):
            moment = getattr(self, name)
            if moment is not None and moment.tzinfo is None:
                raise ValueError(f"{name} must be timezone-aware, got {moment.isoformat()}")

    @property
    def id(self) -> str:
        """Stable and unique per change: "urn:talkfeed:change:<talk id>:<kind>:<UTC time>"."""
        return f"urn:talkfeed:change:{self.talk.talk.id}:{self.kind}:{_stamp(self.at)}"

    @property
    def title(self) -> str:
        """ "Moved: Tue, Mar 10, 2026 · Title · Speaker (was Tue, Mar 3, 2026, 2:00 PM EST)"."""
        text = f"{_LABELS[self.kind]}: {talk_line(self.talk)}"
        if self.moved_from is not None:
            text += f" (was {local_time(self.talk.talk, self.moved_from, short=True)})"
        return text


CHANGES_ENTRIES = 500
"""The most entries the changes feed holds, the newest."""


def render_changes(entries: Sequence[ChangeEntry], spec: FeedSpec) -> bytes:
    """The changes as an Atom document, newest first; the same input always gives the same bytes.

    Ties on time go by talk id, then kind. Entries with the same id (the same change given
    twice) appear once. The newest `CHANGES_ENTRIES` are shown: a first run, or a source
    added, makes thousands of talks new at once, and a feed reader wants what is recent.
    """
    updated = max((e.at for e in entries), default=EPOCH)
    fg = atom_feed(spec, updated)
    for entry in shown(entries, lambda e: (e.at, e.talk.talk.id, e.kind)):
        add_talk_entry(
            fg,
            entry.talk,
            entry_id=entry.id,
            title=entry.title,
            published=entry.at,
            updated=entry.at,
            content=html_description(entry.talk),
        )
    result: bytes = fg.atom_str(pretty=True)
    return result


def shown(changes: Sequence[_T], key: Callable[[_T], tuple[datetime, str, str]]) -> list[_T]:
    """Of these changes, given as (time, talk id, kind) by `key`, those the feed shows, in its
    order (see `render_changes`): so that a store of many changes reads the talks of only
    these."""
    by_talk = sorted(changes, key=lambda c: key(c)[1:])
    # A reverse sort is stable too, so changes seen at the same time stay in (id, kind) order.
    ordered = sorted(by_talk, key=lambda c: key(c)[0], reverse=True)
    seen: set[tuple[str, str, str]] = set()
    chosen = []
    for change in ordered:
        at, talk_id, kind = key(change)
        same = (talk_id, kind, _stamp(at))
        if same in seen:
            continue
        if len(seen) == CHANGES_ENTRIES:
            break
        seen.add(same)
        chosen.append(change)
    return chosen


def _stamp(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
