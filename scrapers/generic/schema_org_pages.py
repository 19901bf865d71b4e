"""The `jsonld` kind: pages that publish their talks as schema.org Events (JSON-LD or microdata).

A listing either embeds the Events itself, and then each is a whole talk, or links to detail
pages that each carry one Event. Declared in config, e.g.

    [[sources]]
    kind = "jsonld"
    id = "example-cs-seminars"
    name = "Example CS Seminars"
    url = "https://cs.example.edu/events/"
    timezone = "America/Chicago"
    talk_url = "/events/(?P<key>[a-z0-9-]+)/?$"   # or: talk_links = ".event-list h3 a"

Without `talk_url` and `talk_links` the listing's own Events are the talks, even when they also
name a detail page: their data is complete. With either, the detail pages are read, and an Event
the listing embeds for a linked page is kept as the talk's fallback.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from scrapers.base import SiteParser
from scrapers.drafts import Link, OptionError, Page, ParseError, TalkDraft
from scrapers.kinds import kind, linked_listings, pattern_option, selector_option
from scrapers.read.schema_org import key_unlinked, read_events

__all__ = ["JsonLdSite"]

_UNKNOWN = "is not a key of kind 'jsonld' (expected one of: more_listings, talk_links, talk_url)"


@kind("jsonld")
class JsonLdSite(SiteParser):
    """Talks read from schema.org Events: embedded in the listing, or one per detail page."""

    talk_links: ClassVar[str | None] = None
    """CSS selector for the links to detail pages on a listing (instead of, or with,
    `talk_url`)."""
    more_listings: ClassVar[str | None] = None
    """CSS selector for links to further listing pages (the next page)."""

    @classmethod
    def options(cls, raw: Mapping[str, Any]) -> dict[str, Any]:
        """`talk_url` (a regular expression with a `key` group) and/or `talk_links` (a CSS
        selector): where the detail pages are. Neither: the listing embeds whole talks."""
        attributes: dict[str, Any] = {}
        for key, value in raw.items():
            if key == "talk_url":
                attributes[key] = pattern_option(key, value)
            elif key in ("talk_links", "more_listings"):
                attributes[key] = selector_option(key, value)
            else:
                raise OptionError(key, _UNKNOWN)
        return attributes

    def is_talk(self, url: str) -> bool:
        """A detail page: matched by `talk_url`; with only a selector, any page but a start page;
        never, when the listing embeds whole talks."""
        if self.talk_url is None:
            return self.talk_links is not None and url not in self.start_urls
        return super().is_talk(url)

    def listing(self, page: Page) -> list[Link]:
        """The embedded Events as whole talks, or the links to detail pages."""
        found = read_events(page.soup, page.url, self.zone)
        more = linked_listings(page, self.more_listings)
        if self.talk_url is None and self.talk_links is None:
            if not found.drafts and found.problems:
                raise ParseError(f"{page.url}: {'; '.join(found.problems)}")
            key_unlinked(found.drafts, page.url)
            talks = [Link(draft.url, "talk", draft, complete=True) for draft in found.drafts]
            return talks + more
        embedded = {draft.url: self._by_url(draft) for draft in found.drafts}
        urls = [url for url in self._detail_urls(page) if url != page.url]
        return [Link(url, "talk", embedded.get(url)) for url in dict.fromkeys(urls)] + more

    def _detail_urls(self, page: Page) -> list[str]:
        anchors = page.soup.find_all("a", href=True) if self.talk_url is not None else []
        urls = [page.absolute(str(a["href"])) for a in anchors]
        urls = [url for url in urls if self.is_talk(url)]
        if self.talk_links is not None:
            selected = page.soup.select(self.talk_links)
            urls += [page.absolute(str(a["href"])) for a in selected if a.get("href")]
        return urls

    def _by_url(self, draft: TalkDraft) -> TalkDraft:
        if self.key(draft.url) is not None:
            # The URL's key identifies the talk; an @id would give it a second identity.
            draft.key = None
        return draft

    def talk(self, page: Page) -> TalkDraft:
        """The detail page's Event; ParseError when the page has none."""
        found = read_events(page.soup, page.url, self.zone)
        draft = found.about(page.url)
        if draft is None:
            reasons = "".join(f"; {problem}" for problem in found.problems)
            raise ParseError(f"{page.url}: no schema.org Event in JSON-LD or microdata{reasons}")
        draft.url = page.url
        self._by_url(draft)
        for name, value in (("performer", draft.speakers), ("location", draft.location)):
            if not value:
                draft.problems.append(f"no {name} in the schema.org Event")
        return draft
