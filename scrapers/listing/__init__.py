"""Listing extractors: the talks of a page found by its structure, with no site code.

`read_listing` finds the page's repeated talk blocks (`blocks`), reads each one's fields
(`fields`), gives year-less dates their year (`years`), fills a talk's missing time and room
from what the series announces once (`defaults`), and drops rows that are no talks.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from urllib.parse import urldefrag
from zoneinfo import ZoneInfo

from bs4 import Tag

from scrapers.drafts import Page, TalkDraft
from scrapers.listing.blocks import Block, Group, find_groups
from scrapers.listing.defaults import SeriesDefaults, series_defaults
from scrapers.listing.dom import HEADINGS, Doc
from scrapers.listing.fields import BlockFields, read_block
from scrapers.listing.years import YearGuide
from scrapers.when import DateStyle, DayMention, When, resolve

__all__ = ["Listing", "read_listing"]


@dataclass
class Listing:
    """The talks a page lists, where they were found, or why none were."""

    drafts: list[TalkDraft] = field(default_factory=list)
    where: str = ""
    """The blocks that held the talks, for a person: '6 table rows under "Schedule"'."""
    reason: str | None = None
    """Why the page lists no talks, when it does not."""
    dropped: int = 0
    """Blocks with a date that are no talk (a break, a holiday, an empty row)."""


def read_listing(
    page: Page, zone: ZoneInfo, style: DateStyle | None = None, cards: str | None = None
) -> Listing:
    """The talks the page lists in repeated blocks, in page order. Times without a printed
    zone are local to `zone`. `cards` is a CSS selector of the blocks when a platform's
    signature names them; otherwise they are found by structure."""
    style = style or page.date_style(zone)
    doc = Doc(page.soup, page.url)
    groups = find_groups(doc, style, cards)
    if not groups:
        return Listing(reason="no repeated blocks with dates and talk details")
    defaults = series_defaults(doc, groups, style)
    years = YearGuide(doc, page.fetched_at, style)
    listing = Listing(where="; ".join(g.describe(doc) for g in groups))
    for group in groups:
        previous: date | None = None
        read = [
            (block, found) for block in group.blocks for found in _read(doc, block, group, style)
        ]
        timed = sum(1 for _, found in read if found.when and (found.when.clock or found.clock))
        # Where most talks print their own time, one that prints none has none (a workshop
        # day), rather than the series' usual time.
        usual = defaults if timed * 2 <= len(read) else replace(defaults, clock=None)
        for block, found in read:
            if found.not_a_talk or found.when is None:
                listing.dropped += found.when is not None
                continue
            draft = _draft(page, found, block, years, usual, zone, previous)
            previous = draft.start.date() if draft.start is not None else previous
            listing.drafts.append(draft)
    _keys(page, listing.drafts)
    if not listing.drafts:
        listing.reason = f"{listing.where}: none of them is a talk"
    return listing


def _read(doc: Doc, block: Block, group: Group, style: DateStyle) -> list[BlockFields]:
    """The talks of one block: one, or one per item of the list under a dated heading (a day
    with several talks)."""
    items = _items(doc, block) if group.shape in ("sections", "dated runs") else []
    if len(items) >= 2:
        heading = doc.lines(block.tags[:1])
        return [read_block(doc, doc.lines([i]), [i], [], style, heading) for i in items]
    lines = block.lines or doc.lines(block.tags, cells=block.cells)
    context = doc.lines(block.context) if block.context else None
    return [read_block(doc, lines, block.tags, group.columns, style, context)]


def _items(doc: Doc, block: Block) -> list[Tag]:
    """The items of the one list that follows the block's heading, if that is all it holds."""
    if len(block.tags) != 2 or block.tags[0].name not in HEADINGS:
        return []
    body = block.tags[1]
    lists = [body] if body.name in ("ul", "ol") else []
    return [item for item in lists for item in doc.children(item) if item.name == "li"]


def _draft(
    page: Page,
    found: BlockFields,
    block: Block,
    years: YearGuide,
    defaults: SeriesDefaults,
    zone: ZoneInfo,
    previous: date | None,
) -> TalkDraft:
    assert found.when is not None
    day: DayMention = found.when.day
    year = day.year or years.year(block.tags[0], day, previous)
    clock = found.when.clock or found.clock
    location = found.location
    if clock is None:
        clock = defaults.clock
    if location is None:
        location = defaults.location
    when = When(
        day=replace(day, year=year), clock=clock, start=found.when.start, end=found.when.end
    )
    start, end, all_day = resolve(when, year, zone)
    stamped = _stamped(found.stamps, start, end)
    if stamped is not None and clock is not None:
        start, end = stamped
    title = found.title
    if found.subtitle and title:
        title = f"{title}: {found.subtitle}"
    return TalkDraft(
        url=found.url or page.url,
        title=title or found.subtitle,
        speakers=found.speakers,
        start=start,
        end=end,
        all_day=all_day,
        location=location,
        host=found.host,
        abstract=found.abstract,
        notes=found.notes,
        status=found.status,
        problems=found.problems,
    )


def _stamped(
    stamps: list[datetime], start: datetime, end: datetime | None
) -> tuple[datetime, datetime | None] | None:
    """The `<time datetime>` instants of the block, when they are of the printed day; with one
    stamp, the printed end if the stamp is the printed start."""
    if not stamps or stamps[0].astimezone(start.tzinfo).date() != start.date():
        return None
    first = stamps[0].astimezone(start.tzinfo)
    last = stamps[1].astimezone(start.tzinfo) if len(stamps) > 1 else None
    if last is not None and last > first:
        return first, last
    # One stamp, the start: the printed range still says when the talk ends.
    printed = end if end is not None and first == start else None
    return first, printed


def _keys(page: Page, drafts: list[TalkDraft]) -> None:
    """An identity for each talk that has no page of its own: the listing and its date (and
    its place among the talks of that day), so a title or speaker that changes later updates
    the talk instead of making a new one."""
    seen: dict[str, int] = {}
    base = urldefrag(page.url)[0]
    for draft in drafts:
        if urldefrag(draft.url)[0] != base or draft.start is None:
            continue
        day = draft.start.date().isoformat()
        seen[day] = seen.get(day, 0) + 1
        draft.key = f"{base}#{day}" + (f"/{seen[day]}" if seen[day] > 1 else "")
