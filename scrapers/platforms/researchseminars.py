"""researchseminars.org, the worldwide listing of research seminars: a series' talks from its
public API (version 0).

    GET https://researchseminars.org/api/0/search/talks?seminar_id="<series id>"

(every value of a GET query is JSON, hence the quotes) answers `{"code": "success", "results":
[talk, …]}`; `/api/0/lookup/series?series_id="<id>"` answers `{"code", "properties", "talks":
[talk, …]}` and is read too. A talk has `seminar_id`, `seminar_ctr`, `title`, `abstract` (plain
text with LaTeX), `speaker` and `speaker_affiliation` (several speakers joined by "|"),
`start_time`/`end_time` (timestamps with an offset, "2026-03-12 19:30:00+00:00"), `timezone`
(the talk's IANA zone), `room`, `online`, `comments`, `hidden`, `deleted`. Documented at
https://researchseminars.org/api and in the site's source, github.com/roed314/seminars
(seminars/api/main.py, Schema.md). The talk page is https://researchseminars.org/talk/<series
id>/<counter>/. Hidden and deleted talks are skipped; there is no cancelled flag, so a
cancellation shows only as a title marker.

Declared in config, e.g.

    [[sources]]
    kind = "researchseminars"
    id = "sfu-operations-research"
    name = "SFU Operations Research Seminar"
    url = "https://researchseminars.org/seminar/SFUOR"
    timezone = "America/Vancouver"
    series = "SFUOR"
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import datetime
from itertools import zip_longest
from typing import Any, ClassVar
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

from scrapers.base import SiteParser
from scrapers.drafts import Link, OptionError, Page, ParseError, SpeakerDraft, TalkDraft
from scrapers.kinds import kind
from scrapers.platforms._common import json_body, zone_named
from scrapers.read.text import clean_block, clean_inline

__all__ = ["ResearchSeminars"]

_SERIES_ID = re.compile(r"^[A-Za-z0-9_-]+$")
_SPEAKER_DELIMITER = "|"


@kind("researchseminars")
class ResearchSeminars(SiteParser):
    """The talks of one researchseminars.org series, read whole from the API."""

    base_url: ClassVar[str] = "https://researchseminars.org"
    series_id: ClassVar[str]
    """The series' identifier, as in https://researchseminars.org/seminar/<series id>."""
    content_types = frozenset({"application/json"})

    @classmethod
    def options(cls, raw: Mapping[str, Any]) -> dict[str, Any]:
        """`series` (required): the series' identifier (letters, digits, "-" and "_")."""
        for key in raw:
            if key != "series":
                raise OptionError(
                    key, "is not a key of kind 'researchseminars' (expected one of: series)"
                )
        if "series" not in raw:
            raise OptionError("series", "is required: the identifier in the series' URL")
        value = raw["series"]
        if not isinstance(value, str) or not _SERIES_ID.match(value.strip()):
            raise OptionError(
                "series", f"must be a series identifier such as 'SFUOR' (got {value!r})"
            )
        return {"series_id": value.strip()}

    def entry_urls(self) -> tuple[str, ...]:
        """The API search for the series' talks."""
        query = urlencode({"seminar_id": json.dumps(self.series_id)})
        return (f"{self.base_url.rstrip('/')}/api/0/search/talks?{query}",)

    def listing(self, page: Page) -> list[Link]:
        """Every visible talk of the answer, as a complete talk."""
        data = json_body(page)
        talks = data.get("results", data.get("talks"))
        if not isinstance(talks, list):
            raise ParseError(f"{page.url}: no 'results' list: not a researchseminars.org answer")
        links = []
        for talk in talks:
            if not isinstance(talk, dict) or talk.get("hidden") or talk.get("deleted"):
                continue
            draft = self._draft(talk)
            if draft is not None:
                links.append(Link(draft.url, "talk", draft, complete=True))
        return links

    def _draft(self, talk: Mapping[str, Any]) -> TalkDraft | None:
        series, counter = talk.get("seminar_id"), talk.get("seminar_ctr")
        if not isinstance(series, str) or not series or counter is None:
            return None
        url = f"{self.base_url.rstrip('/')}/talk/{quote(series)}/{counter}/"
        room = clean_inline(_text(talk.get("room")))
        draft = TalkDraft(
            url,
            # The site shows a talk without a title as "TBA".
            title=clean_inline(_text(talk.get("title"))) or "TBA",
            speakers=_speakers(talk),
            key=f"{series}/{counter}",
            location=room or ("Online" if talk.get("online") else None),
            abstract=clean_block(_text(talk.get("abstract"))),
            notes=clean_block(_text(talk.get("comments"))),
        )
        zone = zone_named(_text(talk.get("timezone"))) or self.zone
        for field in ("start", "end"):
            value = talk.get(f"{field}_time")
            if value is None:
                continue
            when = _moment(value, zone)
            if when is None:
                draft.problems.append(f"{field}: cannot read {value!r}")
            else:
                setattr(draft, field, when)
        return draft


def _speakers(talk: Mapping[str, Any]) -> list[SpeakerDraft]:
    names = (_text(talk.get("speaker")) or "").split(_SPEAKER_DELIMITER)
    affiliations = (_text(talk.get("speaker_affiliation")) or "").split(_SPEAKER_DELIMITER)
    return [
        SpeakerDraft(name, clean_inline(affiliation))
        for raw, affiliation in zip_longest(names, affiliations)
        if raw is not None and (name := clean_inline(raw))
    ]


def _moment(value: Any, zone: ZoneInfo) -> datetime | None:
    """A timestamp as the API writes it ("2026-03-12 19:30:00+00:00") in `zone`; one without an
    offset is taken to be in `zone` already."""
    if not isinstance(value, str):
        return None
    try:
        when = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return when.astimezone(zone) if when.tzinfo is not None else when.replace(tzinfo=zone)


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None
