"""How many talks one source may give in a run (`[limits]` in the config).

A 985-byte iCal feed of ten hourly events once made 10,000 talks, and 200 of them filled the
disk. A source over its limits keeps the talks nearest to the run, which are the ones its
subscribers need: upcoming ones from the next on, then past ones from the last back, at most
`talks_per_day` on each day (in the talk's own zone) and `talks_per_source` in all. Its health
warns of what was left out; a talk left out is still listed, so it is never taken for gone.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from aggregator.config import LimitSettings
from aggregator.records.normalize import talk_zone
from scrapers import SiteParser, TalkDraft

__all__ = ["Kept", "within_limits"]


@dataclass
class Kept:
    """The drafts a source may give, in their order, and a warning for each limit it passed."""

    drafts: list[TalkDraft]
    warnings: list[str] = field(default_factory=list)


def within_limits(
    site: SiteParser, drafts: Sequence[TalkDraft], limits: LimitSettings, now: datetime
) -> Kept:
    """The drafts of `site` its limits let through, the nearest to `now` first. A draft without
    a start is let through: it is no talk, and normalizing it says why."""
    dated = [(index, draft.start) for index, draft in enumerate(drafts) if draft.start is not None]
    # Upcoming talks nearest first, then past ones latest first.
    dated.sort(key=lambda item: (item[1] < now, abs(item[1] - now)))
    per_day: Counter[date] = Counter()
    over: Counter[date] = Counter()
    chosen: set[int] = set()
    for index, start in dated:
        day = start.astimezone(ZoneInfo(talk_zone(site, start))).date()
        if per_day[day] == limits.talks_per_day:
            over[day] += 1
            continue
        if len(chosen) == limits.talks_per_source:
            break
        per_day[day] += 1
        chosen.add(index)
    kept = [d for i, d in enumerate(drafts) if i in chosen or d.start is None]
    warnings = []
    if over:
        day, extra = max(over.items(), key=lambda item: (item[1], item[0]))
        warnings.append(
            f"more than {limits.talks_per_day} talks on {len(over)} day(s) (on {day}:"
            f" {per_day[day] + extra}): kept {limits.talks_per_day} of each day, the nearest"
            " to now ([limits] talks_per_day)"
        )
    left = len(dated) - len(chosen) - sum(over.values())
    if left:
        warnings.append(
            f"{len(dated) - sum(over.values())} talks, more than {limits.talks_per_source}:"
            f" kept the {limits.talks_per_source} nearest to now, upcoming ones first"
            " ([limits] talks_per_source)"
        )
    return Kept(kept, warnings)
