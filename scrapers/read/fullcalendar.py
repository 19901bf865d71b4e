"""FullCalendar event feeds: the JSON a calendar widget on a page loads its events from.

FullCalendar (https://fullcalendar.io/docs/event-object) is the widget many Drupal and WordPress
sites draw their event calendars with; its feed is a JSON array of event objects: `title`,
`start` and `end` (ISO 8601 date-times, or dates for whole days, `end` exclusive), `allDay`,
`url`, and whatever the site adds, often `location` and `description`, at the top level or in
`extendedProps`. A page that draws its events with it in the browser holds none of them in its
HTML (`phy.princeton.edu/events`): the feed is where they are.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, time
from typing import Any
from urllib.parse import urljoin
from zoneinfo import ZoneInfo

from scrapers.drafts import TalkDraft, whole_days
from scrapers.read.text import clean_inline, html_to_text

__all__ = ["is_fullcalendar", "read_fullcalendar"]


def is_fullcalendar(data: Any) -> bool:
    """Whether a JSON value is a FullCalendar event array."""
    return (
        isinstance(data, list)
        and bool(data)
        and all(isinstance(e, dict) and "start" in e and "title" in e for e in data[:20])
    )


def read_fullcalendar(data: list[Any], url: str, zone: ZoneInfo) -> list[TalkDraft]:
    """The feed's events as whole talks; `url` is the feed's (for relative event links)."""
    drafts = []
    for event in data:
        if isinstance(event, dict):
            draft = _draft(event, url, zone)
            if draft is not None:
                drafts.append(draft)
    return drafts


def _draft(event: Mapping[str, Any], url: str, zone: ZoneInfo) -> TalkDraft | None:
    start, start_day = _moment(event.get("start"), zone)
    if start is None:
        return None
    end, _ = _moment(event.get("end"), zone)
    props = event.get("extendedProps")
    extra: Mapping[str, Any] = props if isinstance(props, dict) else {}
    link = _text(event.get("url"))
    draft = TalkDraft(
        urljoin(url, link) if link else "",
        title=clean_inline(_text(event.get("title"))),
        key=_text(event.get("id")) or f"{_text(event.get('title'))}@{start.isoformat()}",
        location=clean_inline(_text(event.get("location")) or _text(extra.get("location"))),
        abstract=html_to_text(_text(event.get("description")) or _text(extra.get("description"))),
    )
    if event.get("allDay") is True or start_day:
        draft.all_day = True
        draft.start, draft.end = whole_days(start, end, zone)
    else:
        draft.start = start
        draft.end = end if end is not None and end > start else None
    return draft


def _moment(value: Any, zone: ZoneInfo) -> tuple[datetime | None, bool]:
    """An ISO date-time (local to `zone` without an offset) or a date, and whether a date."""
    text = _text(value)
    if text is None:
        return None, False
    try:
        if len(text) == 10:
            return datetime.combine(datetime.fromisoformat(text).date(), time(0), zone), True
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None, False
    return (moment.replace(tzinfo=zone) if moment.tzinfo is None else moment), False


def _text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None
