"""The Strachey Lectures, the Oxford Department of Computer Science's distinguished lectures.

Listing: the series page on Oxford Talks,
https://talks.ox.ac.uk/talks/series/id/9abf8298-0d56-4e00-a80b-600fea96e02e (upcoming talks only,
no dates the listing could seed a talk with). Talk pages: https://talks.ox.ac.uk/talks/id/<slug>/,
each with a schema.org Event (https://schema.org/Event) in JSON-LD, which Oxford Talks
(github.com/ox-it/talks.ox) prints from a template. Quirk: that template is HTML-escaped like the
rest of the page, so its strings carry entities ("Proofs &amp; Programs"). Oxford Talks has
announced its move to "Oxford Events": expect new URLs then.
"""

from __future__ import annotations

import re

from scrapers.generic.schema_org_pages import JsonLdSite
from scrapers.registry import register


@register
class OxfordStracheyLectures(JsonLdSite):
    id = "oxford-strachey-lectures"
    name = "Oxford Strachey Lectures in Computer Science"
    start_urls = ("https://talks.ox.ac.uk/talks/series/id/9abf8298-0d56-4e00-a80b-600fea96e02e",)
    talk_url = re.compile(r"^https://talks\.ox\.ac\.uk/talks/id/(?P<key>[\w-]+)/?(?:[?#].*)?$")
    example_urls = ("https://talks.ox.ac.uk/talks/id/5c0e6f7a-2b1d-4e8f-9a63-7d2c41b0e915/",)
    timezone = "Europe/London"
