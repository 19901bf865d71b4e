"""Site parsers: HTML in, talk drafts out. Imports nothing else of talkfeed's."""

from scrapers.base import LabelSite, SiteParser
from scrapers.drafts import Link, OptionError, Page, ParseError, SpeakerDraft, TalkDraft
from scrapers.registry import UnknownSiteError, all_sites, get_site, register, site_for_url

__all__ = [
    "LabelSite",
    "Link",
    "OptionError",
    "Page",
    "ParseError",
    "SiteParser",
    "SpeakerDraft",
    "TalkDraft",
    "UnknownSiteError",
    "all_sites",
    "get_site",
    "register",
    "site_for_url",
]
