"""The `labels` kind: a listing that links to talk pages made of "Label: value" sections.

Declared in config, e.g.

    [[sources]]
    kind = "labels"
    id = "example-cs-colloquium"
    name = "Example CS Colloquium"
    url = "https://cs.example.edu/colloquium/"
    timezone = "America/Chicago"
    talk_url = "/colloquium/(?P<key>\\\\d+)/"     # or: talk_links = "ul.talks a"
    more_listings = "a[rel=next]"               # optional: further listing pages
    [sources.labels]                            # optional: label texts per field
    abstract = ["Synopsis", "Abstract"]
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from scrapers.base import DEFAULT_LABELS, LabelSite
from scrapers.drafts import Link, OptionError, Page
from scrapers.kinds import kind, linked_listings, pattern_option, selector_option

__all__ = ["LabelPages"]


@kind("labels")
class LabelPages(LabelSite):
    """A label-style site declared in config: where the talk links are, and the label names."""

    talk_links: ClassVar[str | None] = None
    """CSS selector for the talk links on a listing (instead of, or with, `talk_url`)."""
    more_listings: ClassVar[str | None] = None
    """CSS selector for links to further listing pages (the next page, later terms)."""

    @classmethod
    def options(cls, raw: Mapping[str, Any]) -> dict[str, Any]:
        """`talk_url` and/or `talk_links` (one is required), `more_listings`, `labels`."""
        attributes: dict[str, Any] = {}
        for key, value in raw.items():
            if key == "talk_url":
                attributes["talk_url"] = pattern_option(key, value)
            elif key in ("talk_links", "more_listings"):
                attributes[key] = selector_option(key, value)
            elif key == "labels":
                attributes["labels"] = _labels(value)
            else:
                raise OptionError(
                    key,
                    "is not a key of kind 'labels' (expected one of: "
                    "labels, more_listings, talk_links, talk_url)",
                )
        if "talk_url" not in attributes and "talk_links" not in attributes:
            raise OptionError("talk_url", "or 'talk_links' is required to find the talks")
        return attributes

    def listing(self, page: Page) -> list[Link]:
        """Talk links by selector or pattern, seeded from their list items; more listings."""
        links = super().listing(page) if self.talk_url is not None else []
        if self.talk_links is not None:
            known = {link.url for link in links}
            for anchor in page.soup.select(self.talk_links):
                href = anchor.get("href")
                url = page.absolute(str(href)) if href else None
                if url and url not in known:
                    known.add(url)
                    links.append(Link(url, "talk", self._seed(page, anchor, url)))
        return links + linked_listings(page, self.more_listings)

    def is_talk(self, url: str) -> bool:
        """With only a selector, a page is a talk page unless it is a start page."""
        if self.talk_url is None:
            return url not in self.start_urls
        return super().is_talk(url)


def _labels(value: object) -> dict[str, tuple[str, ...]]:
    if not isinstance(value, dict):
        raise OptionError("labels", "must be a table of field = [label, …]")
    labels = dict(DEFAULT_LABELS)
    for field, names in value.items():
        if field not in DEFAULT_LABELS:
            fields = ", ".join(sorted(DEFAULT_LABELS))
            raise OptionError("labels", f"has unknown field {field!r} (fields: {fields})", field)
        if isinstance(names, str):
            names = [names]
        if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
            raise OptionError(
                "labels", f"field {field!r} must be a label or a list of labels", field
            )
        labels[field] = tuple(names)
    return labels
