"""The `auto` kind: a source read by the ladder (`scrapers.ladder`), with no code and no options.

    [[sources]]
    kind = "auto"
    id = "penn-cs-theory-seminar"
    name = "Penn CS Theory Seminar"
    url = "https://theory.cis.upenn.edu/seminar/"
    timezone = "America/New_York"

The listing is read by the first rung that can: its schema.org Events, the iCal feed or the
event platform's API it links to (fetched as a further listing), or its repeated talk blocks.
A talk the listing shows without an abstract, a room or a time, and with a page of its own, is
completed from that page, read the same way.
"""

from __future__ import annotations

from scrapers.base import SiteParser
from scrapers.drafts import Link, Page, ParseError, TalkDraft
from scrapers.kinds import kind
from scrapers.ladder import climb, read_talk

__all__ = ["AutoSite"]


@kind("auto")
class AutoSite(SiteParser):
    """Any page the ladder reads."""

    # A page may lead to a feed or an API answer: each is recognised by its content.
    content_types = frozenset(
        {
            "text/html", "application/xhtml+xml", "text/calendar", "application/ics",
            "text/plain", "application/octet-stream", "application/json", "application/xml",
            "text/xml", "application/rss+xml", "application/atom+xml",
        }
    )  # fmt: skip

    def listing(self, page: Page) -> list[Link]:
        """The talks of the first rung that reads the page (and the documents it leads to)."""
        result = climb(page, self.zone, fetch=True, follow=True)
        if result.rung is None:
            page.notes.extend(f"{rung}: {note}" for rung, note in result.notes)
        return result.links

    def is_talk(self, url: str) -> bool:
        """Never by its URL: the listing says which of its links are talk pages."""
        return False

    def talk(self, page: Page) -> TalkDraft:
        """The talk on its own page: its schema.org Event, else its labelled sections."""
        draft, why = read_talk(page, self.zone)
        if draft is None:
            raise ParseError(f"{page.url}: {why}")
        return draft
