"""Indico (getindico.io), the event platform of CERN and many physics and computing institutes:
a category's events from the HTTP export API.

    GET <server>/export/categ/<id>.json?from=-30d&to=%2B365d&detail=events&tz=<zone>&order=start

answers `{"count", "results": [event, …], "_type": "HTTPAPIResult", "ts", …}`, each event
`{"_type": "Conference", "id", "title", "description" (HTML), "startDate"/"endDate":
{"date", "time", "tz"}, "timezone", "room", "roomFullname", "location", "address", "url",
"type", "chairs": [{"fullName", "first_name", "last_name", "affiliation", …}], "category", …}`.
Documented at https://docs.getindico.io/en/stable/http-api/ (access, common parameters,
categories); relative `from`/`to` values ("today", "-30d", "+365d") are read by Indico's
`indico/web/http_api/hooks/base.py`. A person's `fullName` is "Last, First" on
indico.cern.ch, after any title ("Mr Koutsakis, Ilias"); names are written "First Last",
without titles.

Declared in config, e.g.

    [[sources]]
    kind = "indico"
    id = "cern-computing-seminar"
    name = "CERN Computing Seminar"
    url = "https://indico.cern.ch/category/82/"   # the category page, or the server's root
    timezone = "Europe/Zurich"
    category = 82
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any, ClassVar
from urllib.parse import urlencode

from scrapers.base import SiteParser
from scrapers.drafts import Link, OptionError, Page, ParseError, SpeakerDraft, TalkDraft
from scrapers.kinds import kind
from scrapers.platforms._common import json_body, zone_named
from scrapers.read.speakers import strip_honorifics
from scrapers.read.text import clean_inline, html_to_text

__all__ = ["Indico"]

_CATEGORY_PAGE = re.compile(r"/category/.*$")
# The export's name for Indico's "lecture" type, whose people are its speakers; the people of a
# meeting or conference are its chairpersons.
_LECTURE = "simple_event"


@kind("indico")
class Indico(SiteParser):
    """The events of one Indico category, read whole from the export API (no detail pages)."""

    base_url: ClassVar[str | None] = None
    """The Indico server, e.g. "https://indico.cern.ch"; None: the first start URL without its
    "/category/…" part (a config source's `url`)."""
    category: ClassVar[str]
    """The category's numeric id, as in its page URL /category/<id>/."""
    since: ClassVar[str] = "-30d"
    """Indico's `from`: events ending after this (relative to the server's today)."""
    until: ClassVar[str] = "+365d"
    """Indico's `to`: events starting before this."""
    content_types = frozenset({"application/json"})

    @classmethod
    def options(cls, raw: Mapping[str, Any]) -> dict[str, Any]:
        """`category` (required): the category's numeric id, as a number or a string of digits."""
        for key in raw:
            if key != "category":
                raise OptionError(key, "is not a key of kind 'indico' (expected one of: category)")
        if "category" not in raw:
            raise OptionError("category", "is required: the number in the category's URL")
        value = raw["category"]
        text = str(value).strip() if isinstance(value, int | str) else ""
        if isinstance(value, bool) or not (text.isdigit() and text.isascii()):
            raise OptionError("category", f"must be a number, e.g. 82 (got {value!r})")
        return {"category": text}

    def entry_urls(self) -> tuple[str, ...]:
        """The export URL of the category, over the `since`…`until` window."""
        server = self.base_url or _CATEGORY_PAGE.sub("", self.start_urls[0])
        query = urlencode(
            {
                "from": self.since,
                "to": self.until,
                "detail": "events",
                "tz": self.timezone,
                "order": "start",
            },
            safe="/",
        )
        return (f"{server.rstrip('/')}/export/categ/{self.category}.json?{query}",)

    def listing(self, page: Page) -> list[Link]:
        """Every event of the export, as a complete talk."""
        results = json_body(page).get("results")
        if not isinstance(results, list):
            raise ParseError(f"{page.url}: no 'results' list: not an Indico export")
        links = []
        for event in results:
            if isinstance(event, dict) and event.get("id") is not None:
                draft = self._draft(event, page)
                links.append(Link(draft.url, "talk", draft, complete=True))
        return links

    def _draft(self, event: Mapping[str, Any], page: Page) -> TalkDraft:
        event_id = str(event["id"])
        url = _text(event.get("url")) or f"{page.url.split('/export/')[0]}/event/{event_id}/"
        draft = TalkDraft(
            url,
            title=clean_inline(_text(event.get("title"))),
            key=event_id,
            abstract=html_to_text(_text(event.get("description"))),
            location=_location(event),
        )
        people = [
            SpeakerDraft(name, clean_inline(_text(chair.get("affiliation"))))
            for chair in event.get("chairs") or []
            if isinstance(chair, dict) and (name := _person_name(chair))
        ]
        if event.get("type") == _LECTURE:
            draft.speakers = people
        elif people:
            draft.host = "; ".join(person.name for person in people)
        zone = zone_named(_text(event.get("timezone")))
        for field in ("start", "end"):
            moment = event.get(f"{field}Date")
            if moment is None:
                continue
            when = self._moment(moment)
            if when is None:
                draft.problems.append(f"{field}: cannot read {moment!r}")
            else:
                setattr(draft, field, when.astimezone(zone) if zone else when)
        return draft

    def _moment(self, value: Any) -> datetime | None:
        """`{"date": "2026-03-05", "time": "16:00:00", "tz": "Europe/Zurich"}` → aware datetime."""
        if not isinstance(value, dict):
            return None
        try:
            naive = datetime.fromisoformat(f"{value['date']}T{value.get('time') or '00:00:00'}")
        except (KeyError, TypeError, ValueError):
            return None
        return naive.replace(tzinfo=zone_named(_text(value.get("tz"))) or self.zone)


def _person_name(person: Mapping[str, Any]) -> str | None:
    """The person's name as "First Last": from `first_name` and `last_name` when both are
    given, else from `fullName`, which indico.cern.ch writes "Last, First" after any title
    ("Mr Koutsakis, Ilias"); titles are not part of the name."""
    first = clean_inline(_text(person.get("first_name")))
    last = clean_inline(_text(person.get("last_name")))
    if first and last:
        return f"{first} {last}"
    full = clean_inline(_text(person.get("fullName")))
    if full is None:
        return None
    family, comma, given = strip_honorifics(full).partition(",")
    return clean_inline(f"{given} {family}" if comma and given.strip() else family)


def _location(event: Mapping[str, Any]) -> str | None:
    parts: list[str] = []
    for key in ("roomFullname", "room", "location"):
        part = clean_inline(_text(event.get(key)))
        # roomFullname extends room ("222-R-001" → "222-R-001 - Filtration Plant"): keep one.
        if part and not any(part in seen for seen in parts):
            parts.append(part)
    return ", ".join(parts) or None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None
