"""talks.cam, the University of Cambridge's talk listings: a list's XML feed.

    GET https://talks.cam.ac.uk/show/xml/<list id>

answers (Content-Type text/xml) `<list>` with `<id>`, `<name>`, `<details>`, `<url>` and one
`<talk>` per upcoming talk: `<id>`, `<title>`, `<abstract>`, `<speaker>`, `<venue>`,
`<special_message>`, `<url>`, `<start_time>`, `<end_time>`, `<series>`, `<created_at>`,
`<updated_at>`; times are RFC 822 ("Wed, 11 Mar 2026 14:00:00 +0000") in Cambridge time.
Documented at https://talks.cam.ac.uk/document/specification (feed URLs and parameters; the
abstract may hold white-listed HTML and Textile) and in talks.cam's source
(app/views/show/xml.rxml). The speaker is free text: "Professor Jane Doe (University of X)",
"Jane Doe, MIT". Organisers announce a cancellation in the title (read centrally) or in the
special message ("CANCELLED", "This talk has been canceled/deleted"), read here.

Declared in config, e.g.

    [[sources]]
    kind = "talks-cam"
    id = "cam-cl-talks"
    name = "Cambridge Computer Laboratory talks"
    url = "https://talks.cam.ac.uk/show/index/6330"
    timezone = "Europe/London"
    list = 6330
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any, ClassVar, Literal

from lxml import etree

from scrapers.base import SiteParser
from scrapers.drafts import Link, OptionError, Page, ParseError, TalkDraft
from scrapers.kinds import kind
from scrapers.read.speakers import parse_speakers
from scrapers.read.text import clean_block, clean_inline, html_to_text

__all__ = ["TalksCam"]

# lxml refuses a str that still declares its encoding; the text is decoded already.
_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
# "Jane Doe (MIT) and John Roe (ETH)": a closing parenthesis ends one speaker.
_BETWEEN_SPEAKERS = re.compile(r"\)\s*(?:,|&|\band\b)\s*")
# A special message that opens with the word states the status ("CANCELLED", and "This talk has
# been canceled/deleted", which talks.cam itself writes); a later mention does not.
_STATUS = re.compile(
    r"^\W*(?:this talk (?:has been|is|was) )?(?P<word>cancell?ed|postponed)\b", re.IGNORECASE
)
# The tags talks.cam lets through (its specification's white-list); other "<…>" is text.
_TAG = re.compile(
    r"</?(?:a|b|blockquote|br|cite|code|del|em|h[1-6]|i|img|ins|kbd|li|ol|p|pre|strong|sub|sup"
    r"|t[dhr]|table|u|ul)\b[^<>]*>",
    re.IGNORECASE,
)
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


@kind("talks-cam")
class TalksCam(SiteParser):
    """The upcoming talks of one talks.cam list, read whole from its XML feed."""

    base_url: ClassVar[str] = "https://talks.cam.ac.uk"
    list_id: ClassVar[str]
    """The list's number, as in https://talks.cam.ac.uk/show/index/<list id>."""
    content_types = frozenset({"application/xml", "text/xml"})

    @classmethod
    def options(cls, raw: Mapping[str, Any]) -> dict[str, Any]:
        """`list` (required): the list's number, as a number or a string of digits."""
        for key in raw:
            if key != "list":
                raise OptionError(key, "is not a key of kind 'talks-cam' (expected one of: list)")
        if "list" not in raw:
            raise OptionError("list", "is required: the number in the list's talks.cam URL")
        value = raw["list"]
        text = str(value).strip() if isinstance(value, int | str) else ""
        if isinstance(value, bool) or not (text.isdigit() and text.isascii()):
            raise OptionError("list", f"must be a number, e.g. 6330 (got {value!r})")
        return {"list_id": text}

    def entry_urls(self) -> tuple[str, ...]:
        """The list's XML feed."""
        return (f"{self.base_url.rstrip('/')}/show/xml/{self.list_id}",)

    def listing(self, page: Page) -> list[Link]:
        """Every `<talk>` of the feed, as a complete talk."""
        try:
            root = etree.fromstring(_DECLARATION.sub("", page.text, count=1), _PARSER)
        except etree.XMLSyntaxError as exc:
            raise ParseError(f"{page.url}: not well-formed XML ({exc})") from None
        if root.tag != "list":
            raise ParseError(f"{page.url}: root element <{root.tag}>, not a talks.cam <list>")
        links = []
        for talk in root.iterfind("talk"):
            draft = self._draft(talk, page)
            if draft is not None:
                links.append(Link(draft.url, "talk", draft, complete=True))
        return links

    def _draft(self, talk: etree._Element, page: Page) -> TalkDraft | None:
        talk_id = _child(talk, "id")
        if talk_id is None:
            return None
        url = _child(talk, "url") or f"{self.base_url.rstrip('/')}/talk/index/{talk_id}"
        message = clean_block(_child(talk, "special_message"))
        speaker = _child(talk, "speaker")
        draft = TalkDraft(
            page.absolute(url),
            title=clean_inline(_child(talk, "title")),
            speakers=parse_speakers(_BETWEEN_SPEAKERS.sub(")\n", speaker) if speaker else None),
            key=talk_id,
            location=clean_inline(_child(talk, "venue")),
            abstract=_abstract(_child(talk, "abstract")),
            notes=message,
            status=_status(message),
        )
        for field in ("start", "end"):
            value = _child(talk, f"{field}_time")
            if value is None:
                continue
            when = self._moment(value)
            if when is None:
                draft.problems.append(f"{field}: cannot read {value!r}")
            else:
                setattr(draft, field, when)
        return draft

    def _moment(self, value: str) -> datetime | None:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        # "-0000" means "local time, offset unknown": Cambridge time.
        return when.replace(tzinfo=self.zone) if when.tzinfo is None else when.astimezone(self.zone)


def _child(element: etree._Element, name: str) -> str | None:
    """The text of a child element, None when it is absent or blank."""
    child = element.find(name)
    if child is None:
        return None
    text = "".join(str(part) for part in child.itertext()).strip()
    return text or None


def _abstract(text: str | None) -> str | None:
    """Textile with white-listed HTML: blank lines separate paragraphs even among tags; text
    without tags is not parsed as HTML, so "a < b" in it stays."""
    if text is None or not _TAG.search(text):
        return clean_block(text)
    return html_to_text(text.replace("\n", "<br>"))


def _status(message: str | None) -> Literal["cancelled", "postponed"] | None:
    match = _STATUS.match(message) if message else None
    if match is None:
        return None
    return "postponed" if match.group("word").lower() == "postponed" else "cancelled"
