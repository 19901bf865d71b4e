"""The Strachey Lectures (Oxford Department of Computer Science), read from Oxford Talks' iCal
feed of the series rather than from its pages (see oxford_strachey_lectures.py for those).

Feed: https://talks.ox.ac.uk/api/series/<series id>.ics, the `api-event-group-ics` route of
Oxford Talks (github.com/ox-it/talks.ox, talks/api/urls.py), listing every talk of the series,
past ones too. Format: RFC 5545 (https://www.rfc-editor.org/rfc/rfc5545) as its renderer
(talks/core/renderers.py) writes it, with no DTSTAMP. Quirks:
SUMMARY is "<title> - <speaker (affiliation)>, …", the speakers repeated after a "Speakers:" line
at the end of DESCRIPTION; times carry TZID=Europe/London without a VTIMEZONE; a cancelled
talk is stated only as a "Status: This talk has been cancelled" line atop DESCRIPTION. The saved
feed is a made-up sample in this shape, not a capture.
"""

from __future__ import annotations

import re

from scrapers.drafts import Link, Page, TalkDraft
from scrapers.generic.ical_feed import IcalFeed
from scrapers.registry import register

_STATUS_LINE = re.compile(r"^\s*Status:\s*(?P<status>.*)$", re.MULTILINE)


@register
class OxfordStracheyLecturesIcal(IcalFeed):
    id = "oxford-strachey-lectures-ical"
    name = "Oxford Strachey Lectures in Computer Science (iCal)"
    start_urls = ("https://talks.ox.ac.uk/api/series/9abf8298-0d56-4e00-a80b-600fea96e02e.ics",)
    timezone = "Europe/London"

    def listing(self, page: Page) -> list[Link]:
        links = super().listing(page)
        for link in links:
            if link.seed is not None:
                _unquirk(link.seed)
        return links


def _unquirk(draft: TalkDraft) -> None:
    speakers = ", ".join(
        f"{s.name} ({s.affiliation})" if s.affiliation else s.name for s in draft.speakers
    )
    if speakers and draft.title and draft.title.endswith(f" - {speakers}"):
        draft.title = draft.title.removesuffix(f" - {speakers}")
    status = _STATUS_LINE.search(draft.abstract or "")
    if status:
        draft.abstract = _STATUS_LINE.sub("", draft.abstract or "", count=1).strip() or None
        if "cancelled" in status.group("status").lower():
            draft.status = "cancelled"
        else:  # "This talk is in preparation - details may change"
            draft.notes = status.group("status").strip()
