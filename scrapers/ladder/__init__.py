"""The ladder: how a page is read with no code for its site, rung by rung, best first.

1. **document**: the page is itself a feed or an API answer (iCalendar, Localist, The Events
   Calendar, Indico, researchseminars.org, talks.cam): read whole by its format's reader.
2. **schema.org**: Events in JSON-LD, microdata or RDFa.
3. **iCal feed**: a feed the page links to (`<link rel=alternate>`, `.ics` and `webcal:`
   links, calendar systems' export links, an embedded Google or Trumba calendar).
4. **platform**: a known event platform, by its signature in the page: an API platform is read
   through its API; a CMS event view (Drupal, WordPress) by its event cards.
5. **listing**: the page's repeated talk blocks, found by structure (`scrapers.listing`).
6. **talk page**: one talk on a page of "Label: value" sections.

Rungs 3 and 4 read the page through another document; when that cannot be fetched (a saved
page), they only name it and the ladder goes on. Every rung says what it found or why it did
not read the page, for `talkfeed extract` and `talkfeed detect` to tell.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urldefrag, urlsplit
from zoneinfo import ZoneInfo

from scrapers.base import LabelSite
from scrapers.drafts import Link, Page, TalkDraft
from scrapers.ladder.documents import read_document
from scrapers.ladder.feeds import LinkedFeed, linked_feeds
from scrapers.ladder.signatures import signatures
from scrapers.listing import read_listing
from scrapers.read.schema_org import key_unlinked, read_events

__all__ = ["RUNGS", "Climb", "climb", "read_talk"]

RUNGS = ("document", "schema.org", "iCal feed", "platform", "listing", "talk page")


@dataclass
class Climb:
    """How the ladder read one page."""

    rung: str | None = None
    """The rung that read the page; None when none did."""
    links: list[Link] = field(default_factory=list)
    """Its talks (whole, or to be completed from their own pages) and documents to fetch."""
    notes: list[tuple[str, str]] = field(default_factory=list)
    """(rung, what it found or why it did not read the page), in the order tried."""

    @property
    def talks(self) -> list[TalkDraft]:
        """The talks read from the page itself."""
        return [link.seed for link in self.links if link.kind == "talk" and link.seed]

    def _read(self, rung: str, note: str, links: list[Link]) -> Climb:
        self.rung = rung
        self.notes.append((rung, note))
        self.links = links
        return self


def climb(page: Page, zone: ZoneInfo, *, fetch: bool, follow: bool = False) -> Climb:
    """Read `page` with the first rung that can. With `fetch`, a linked feed or platform API
    reads the page as a link to fetch; without, it is only named. With `follow`, talks the page
    shows without an abstract, a room or a time link to their own pages to be completed."""
    result = Climb()
    document = read_document(page, zone)
    if document is not None:
        return result._read("document", document.what, document.links)
    found = read_events(page.soup, page.url, zone)
    if found.drafts:
        key_unlinked(found.drafts, page.url)
        note = f"{len(found.drafts)} schema.org Event(s)"
        return result._read("schema.org", note, _talks(page, found.drafts, follow))
    why = "; ".join(found.problems) or "none in JSON-LD, microdata or RDFa"
    result.notes.append(("schema.org", f"no Event: {why}"))
    feeds = linked_feeds(page)
    if feeds and fetch:
        feed = feeds[0]
        return result._read("iCal feed", f"{feed.why}: {feed.url}", [Link(feed.url, "listing")])
    result.notes.append(("iCal feed", _named(feeds) if feeds else "the page links none"))
    cards: str | None = None
    for signature in signatures(page):
        api = signature.api(zone.key)
        if api is not None and fetch:
            note = f"{signature.platform} ({signature.why}): {api}"
            return result._read("platform", note, [Link(api, "listing")])
        if signature.cards is not None:
            cards = cards or signature.cards
        result.notes.append(("platform", _platform_note(signature.platform, signature.why, api)))
    if not any(rung == "platform" for rung, _ in result.notes):
        result.notes.append(("platform", "no known platform's signature"))
    listing = read_listing(page, zone, cards=cards)
    if listing.drafts:
        note = f"{len(listing.drafts)} talk(s) from {listing.where}"
        if listing.dropped:
            note += f"; {listing.dropped} dated row(s) that are no talks left out"
        return result._read("listing", note, _talks(page, listing.drafts, follow))
    result.notes.append(("listing", listing.reason or "no talks"))
    talk, why = read_talk(page, zone)
    if talk is not None:
        return result._read("talk page", why, [Link(page.url, "talk", talk, complete=True)])
    result.notes.append(("talk page", why))
    return result


def read_talk(page: Page, zone: ZoneInfo) -> tuple[TalkDraft | None, str]:
    """The one talk of a talk's own page: its schema.org Event, else its "Label: value"
    sections (which need a date); with what was read, or why nothing was."""
    reader = LabelSite.configured(id="auto", name="auto", start_urls=(page.url,), timezone=zone.key)
    draft = reader.talk(page)
    if draft.start is None:
        return None, "no talk date on the page (" + "; ".join(draft.problems or ["none"]) + ")"
    if not (draft.title or draft.speakers):
        return None, "a date, but no title or speaker label"
    return draft, "one talk, by its labels"


def _talks(page: Page, drafts: list[TalkDraft], follow: bool) -> list[Link]:
    """The drafts as talks: whole, or, with `follow`, to be completed from their own pages
    when they lack an abstract, a room or a time."""
    links = []
    for draft in drafts:
        own = _own_page(page, draft.url)
        lacking = draft.abstract is None or draft.location is None or draft.all_day
        links.append(Link(draft.url, "talk", draft, complete=not (follow and own and lacking)))
    return links


def _own_page(page: Page, url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return False
    return urldefrag(url)[0].rstrip("/") != urldefrag(page.url)[0].rstrip("/")


def _named(feeds: list[LinkedFeed]) -> str:
    urls = ", ".join(feed.url for feed in feeds)
    return f"links {urls}, not fetched from a saved page (give the page's URL to read it)"


def _platform_note(platform: str, why: str, api: str | None) -> str:
    if api is not None:
        return f"{platform} ({why}); its API {api} is not fetched from a saved page"
    return f"{platform} ({why})"
