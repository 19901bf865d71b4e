"""Seminars of the Cheriton School of Computer Science, University of Waterloo.

Listing: https://cs.uwaterloo.ca/events, read as schema.org Events (https://schema.org/Event)
embedded in the page's JSON-LD: each is a whole talk (start and end, place or online link,
speakers with affiliations, host, abstract, status), so no detail page is read. Talk URLs are the
events' own, https://cs.uwaterloo.ca/events/<slug>. Quirks the parser is ready for: local Toronto
times without an offset, day-long events given as dates, cancellations stated only in
`eventStatus`. The saved listing is a made-up sample in this format, not a capture: confirm the
live page's markup before relying on it.
"""

from __future__ import annotations

from scrapers.generic.schema_org_pages import JsonLdSite
from scrapers.registry import register


@register
class WaterlooCsSeminars(JsonLdSite):
    id = "waterloo-cs-seminars"
    name = "Waterloo Cheriton School of Computer Science Seminars"
    start_urls = ("https://cs.uwaterloo.ca/events",)
    timezone = "America/Toronto"
