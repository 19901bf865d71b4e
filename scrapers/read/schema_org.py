"""schema.org Events on a page, from JSON-LD, microdata or RDFa, read into talk drafts.

The vocabulary is https://schema.org/Event and its subtypes. JSON-LD is read from every
`<script type="application/ld+json">`: single objects, arrays, `@graph`, `@id` references
between nodes, and events nested in other nodes (an ItemList, a WebPage's `mainEntity`, an
EventSeries' `subEvent`). Pages are forgiving about JSON and so is this reader: trailing commas,
HTML comments, CDATA wrappers, raw control characters and several objects in one block are
repaired; a block that still is not JSON is skipped and named in the problems. Microdata
(https://html.spec.whatwg.org/multipage/microdata.html) and RDFa Lite become the same nested
dicts as JSON-LD, so one mapping reads all three; each is read only when the ones before it hold
no Event.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any, Literal
from urllib.parse import urldefrag, urljoin

from bs4 import BeautifulSoup, Tag

from scrapers.drafts import REFUSED_SCHEMES, Page, SpeakerDraft, TalkDraft, refused_link, whole_days
from scrapers.read.speakers import parse_speakers
from scrapers.read.text import block_text, clean_inline, html_to_text, scalar_json

__all__ = ["PageEvents", "event_draft", "find_events", "key_unlinked", "read_events"]

_EVENT_TYPES = frozenset(
    {
        "Event", "BusinessEvent", "ChildrensEvent", "ComedyEvent", "CourseInstance", "DanceEvent",
        "DeliveryEvent", "EducationEvent", "ExhibitionEvent", "Festival", "FoodEvent", "Hackathon",
        "LiteraryEvent", "MusicEvent", "PublicationEvent", "BroadcastEvent", "OnDemandEvent",
        "SaleEvent", "ScreeningEvent", "SocialEvent", "SportsEvent", "TheaterEvent",
        "VisualArtsEvent",
    }
)  # fmt: skip
"""Event and its subtypes that are single occurrences. EventSeries is left out: a series is no
talk, its `subEvent`s are."""

_SERIES = "EventSeries"
_STATUSES: dict[str, Literal["scheduled", "cancelled", "postponed"]] = {
    "EventScheduled": "scheduled",
    # The new date of a rescheduled or moved event is what startDate says.
    "EventRescheduled": "scheduled",
    "EventMovedOnline": "scheduled",
    "EventCancelled": "cancelled",
    "EventPostponed": "postponed",
}
_AFFILIATIONS = ("affiliation", "worksFor", "memberOf")
_SPEAKERS = ("performer", "performers", "speaker", "speakers")
"""Where an Event names its speakers: schema.org's `performer`, and the `speaker` some CMSs
(TYPO3) write."""
# What templates print where a value belongs: The Events Calendar writes
# `"performer": "Organization"` for every event.
_TYPE_NAMES = frozenset({"Thing", "Person", "Organization", "PerformingGroup", "Place", "Event"})
# A wall-clock end at which an event that starts at midnight is taken to fill its last day.
_DAY_END = time(23, 59)
# JSON escapes left in text that was JSON-encoded twice (a page's "…&lt;/p&gt;\\n" decodes to a
# backslash and an "n"); not before a lower-case letter, where they are TeX (\nabla, \theta).
_LITERAL_ESCAPE = re.compile(r"\\(?:r\\n|[nrt])(?![a-z])")
_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>")
_BLOCKS = frozenset(
    {
        "address", "article", "blockquote", "dd", "div", "dl", "dt", "figure", "footer", "h1",
        "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "ol", "p", "pre", "section", "table",
        "tr", "ul",
    }
)  # fmt: skip
_SPACES = re.compile(r"\s+")
_CLOSING = re.compile(r"\s*[}\]]")
# Microdata values that are URLs or machine-readable, by element (the HTML standard's table).
_URL_ATTRIBUTES = {
    "a": "href", "area": "href", "link": "href", "audio": "src", "embed": "src", "iframe": "src",
    "img": "src", "source": "src", "track": "src", "video": "src", "object": "data",
}  # fmt: skip
_VALUE_ATTRIBUTES = {"meta": "content", "data": "value", "meter": "value", "time": "datetime"}


@dataclass
class PageEvents:
    """What a page's schema.org markup says: its Events as drafts (in page order) and what could
    not be read."""

    drafts: list[TalkDraft] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def about(self, url: str) -> TalkDraft | None:
        """The Event of the page at `url`: the one whose url is the page's, else the first;
        carrying the page's problems too. None when the page has no Event."""
        if not self.drafts:
            return None
        own = [draft for draft in self.drafts if _same_page(draft.url, url)]
        chosen = (own or self.drafts)[0]
        return replace(chosen, problems=[*self.problems, *chosen.problems])


def read_events(soup: BeautifulSoup, url: str, zone: tzinfo) -> PageEvents:
    """Every schema.org Event on the page at `url`, read from JSON-LD, else from microdata.

    Times without an offset are local to `zone`. Does not modify `soup`.
    """
    nodes, events, problems = _scan(soup)
    mapper = _Mapper(url, zone, _index(nodes))
    return PageEvents([mapper.draft(event) for event in events], problems)


def find_events(page: Page) -> list[Mapping[str, Any]]:
    """The schema.org Event objects on a page as JSON-LD gives them (microdata converted to the
    same shape), without reading them into drafts; unreadable JSON-LD is skipped."""
    return _scan(page.soup)[1]


def event_draft(event: Mapping[str, Any], url: str, zone: tzinfo) -> TalkDraft:
    """One schema.org Event (a JSON-LD object) as a draft; `url` is the page it is on."""
    return _Mapper(url, zone, _index([event])).draft(event)


# --- JSON-LD text --------------------------------------------------------------------------


def _scan(soup: BeautifulSoup) -> tuple[list[Any], list[Mapping[str, Any]], list[str]]:
    """Every node of the page's schema.org markup, the Events among them, and the problems."""
    nodes: list[Any] = []
    problems: list[str] = []
    scripts, roots = _markup_elements(soup)
    for number, script in enumerate(scripts, 1):
        text = script.string or ""
        if not text.strip():
            continue
        try:
            nodes.extend(scalar_json(_load(text)))
        except ValueError as exc:
            problems.append(f"JSON-LD block {number} skipped: {exc}")
    events = list(_events(nodes))
    for markup, elements in roots:
        if events:
            break
        nodes = [_item(element, markup) for element in elements]
        events = list(_events(nodes))
    return nodes, events, problems


def _markup_elements(
    soup: BeautifulSoup,
) -> tuple[list[Tag], tuple[tuple[_Markup, list[Tag]], ...]]:
    """The page's JSON-LD scripts, and its top-level microdata and RDFa items, in page order.
    One walk for all three: a walk per kind (and bs4's `find_all`) took most of the time this
    reader spends on a page with none of them."""
    scripts: list[Tag] = []
    roots: tuple[tuple[_Markup, list[Tag]], ...] = ((_MICRODATA, []), (_RDFA, []))
    for element in soup.descendants:
        if not isinstance(element, Tag) or not element.attrs:
            continue
        attributes = element.attrs
        if element.name == "script" and _is_json_ld(attributes.get("type")):
            scripts.append(element)
        # Nearly every element is no item: one set test spares it the loop over both kinds.
        if _SCOPES.isdisjoint(attributes):
            continue
        for markup, found in roots:
            if markup.scope in attributes and markup.property not in attributes:
                found.append(element)
    return scripts, roots


def _is_json_ld(value: object) -> bool:
    return isinstance(value, str) and value.split(";")[0].strip().lower() == "application/ld+json"


def _load(text: str) -> list[Any]:
    """The JSON values in one block; ValueError saying where it is broken."""
    try:
        return [json.loads(text, strict=False)]
    except ValueError:
        pass
    repaired = _repair(text)
    decoder = json.JSONDecoder(strict=False)
    values: list[Any] = []
    position = 0
    try:
        while True:
            # Some pages put several objects in one block, with or without commas between.
            while position < len(repaired) and repaired[position] in " \t\r\n,;":
                position += 1
            if position == len(repaired):
                return values
            value, position = decoder.raw_decode(repaired, position)
            values.append(value)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})") from None


def _repair(text: str) -> str:
    """`text` without what pages wrap JSON in or leave in it, outside strings: HTML comment
    and CDATA markers, JavaScript comments, trailing commas and stray control characters."""
    out: list[str] = []
    i, length, in_string = 0, len(text), False
    while i < length:
        char = text[i]
        if in_string:
            out.append(char)
            if char == "\\" and i + 1 < length:
                out.append(text[i + 1])
                i += 1
            elif char == '"':
                in_string = False
            i += 1
            continue
        skipped = _skip_outside_string(text, i)
        if skipped > i:
            i = skipped
            continue
        if char == '"':
            in_string = True
        elif char == "," and _CLOSING.match(text, i + 1):
            char = ""
        elif char < " " and char not in "\t\r\n":
            char = " "
        out.append(char)
        i += 1
    return "".join(out)


def _skip_outside_string(text: str, i: int) -> int:
    """Where reading resumes when what starts at `i` is no JSON (`i` itself when it is)."""
    if text.startswith("<!--", i):
        end = text.find("-->", i)
        # A comment around the JSON goes marker by marker; a comment beside it goes whole.
        if end > 0 and not re.search(r"[{\[]", text[i:end]):
            return end + 3
        return i + 4
    for marker in ("-->", "<![CDATA[", "]]>"):
        if text.startswith(marker, i):
            return i + len(marker)
    for opening, closing in (("/*", "*/"), ("//", "\n")):
        if text.startswith(opening, i):
            end = text.find(closing, i + len(opening))
            return len(text) if end < 0 else end + len(closing)
    return i


# --- Finding the events ----------------------------------------------------------------------


def _types(node: Mapping[str, Any]) -> set[str]:
    raw = node.get("@type", [])
    names = raw if isinstance(raw, list) else [raw]
    # "Event", "schema:Event" and "https://schema.org/Event" are the same type.
    return {re.split(r"[/:#]", name.strip())[-1] for name in names if isinstance(name, str)}


def _events(value: Any) -> Iterator[Mapping[str, Any]]:
    seen: set[int] = set()
    ids: set[str] = set()
    for node in _event_nodes(value):
        node_id = node.get("@id")
        if id(node) in seen or (isinstance(node_id, str) and node_id in ids):
            continue
        seen.add(id(node))
        if isinstance(node_id, str):
            ids.add(node_id)
        yield node


def _event_nodes(value: Any) -> Iterator[Mapping[str, Any]]:
    if isinstance(value, list):
        for item in value:
            yield from _event_nodes(item)
    elif isinstance(value, dict):
        types = _types(value)
        if _SERIES in types:
            yield from _event_nodes([value.get("subEvent"), value.get("subEvents")])
        elif types & _EVENT_TYPES:
            # A bare reference ({"@id": …, "@type": "Event"}) points at a node found elsewhere.
            if "name" in value or "startDate" in value:
                yield value
        else:
            for item in value.values():
                yield from _event_nodes(item)


def _index(value: Any) -> dict[str, Mapping[str, Any]]:
    """Every node with an `@id`, for resolving references; the fullest node wins."""
    index: dict[str, Mapping[str, Any]] = {}
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            node_id = item.get("@id")
            if isinstance(node_id, str) and len(item) > len(index.get(node_id, {})):
                index[node_id] = item
            stack.extend(item.values())
    return index


# --- Microdata and RDFa ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Markup:
    """How a kind of markup in attributes names items and their properties."""

    scope: str
    """The attribute that makes an element an item."""
    type: str
    """The attribute holding its type."""
    property: str
    """The attribute naming a property."""
    identifier: str
    """The attribute holding an item's identity."""
    value: str | None
    """An attribute holding a property's value in place of the element's own."""


# https://html.spec.whatwg.org/multipage/microdata.html
_MICRODATA = _Markup("itemscope", "itemtype", "itemprop", "itemid", None)
# RDFa Lite (https://www.w3.org/TR/rdfa-lite/), as schema.org documents it for Events.
_RDFA = _Markup("typeof", "typeof", "property", "resource", "content")


_SCOPES = frozenset({_MICRODATA.scope, _RDFA.scope})


def _item(element: Tag, markup: _Markup) -> dict[str, Any]:
    node: dict[str, Any] = {"@type": str(element.get(markup.type) or "").split()}
    if element.get(markup.identifier):
        node["@id"] = str(element[markup.identifier])
    _properties(element, node, markup)
    return node


def _properties(element: Tag, node: dict[str, Any], markup: _Markup) -> None:
    for child in element.find_all(True, recursive=False):
        if child.has_attr(markup.property):
            nested = child.has_attr(markup.scope)
            value = _item(child, markup) if nested else _property_value(child, markup)
            for name in str(child[markup.property]).split():
                # RDFa names properties with a prefix as often as without ("schema:name").
                node.setdefault(re.split(r"[/:#]", name)[-1], []).append(value)
        if not child.has_attr(markup.scope):
            _properties(child, node, markup)


def _property_value(element: Tag, markup: _Markup) -> str:
    if markup.value and element.has_attr(markup.value):
        return str(element[markup.value])
    attribute = _URL_ATTRIBUTES.get(element.name) or _VALUE_ATTRIBUTES.get(element.name)
    if attribute and element.has_attr(attribute):
        return str(element[attribute])
    return block_text(element)


# --- Mapping an Event to a draft ---------------------------------------------------------------


class _Mapper:
    def __init__(self, url: str, zone: tzinfo, index: Mapping[str, Mapping[str, Any]]) -> None:
        self.url = url
        self.zone = zone
        self.index = index

    def draft(self, event: Mapping[str, Any]) -> TalkDraft:
        own_url = _string(event.get("url"))
        refused = own_url is not None and own_url.strip().lower().startswith(REFUSED_SCHEMES)
        draft = TalkDraft(urljoin(self.url, own_url) if own_url and not refused else self.url)
        if refused and own_url is not None:
            draft.problems.append(refused_link(own_url.strip()))
        identifier = _string(event.get("@id"))
        if identifier and identifier.startswith("_:"):
            # A blank node's name holds only within one document: no identity across runs.
            identifier = None
        key = urljoin(self.url, identifier) if identifier else draft.url
        draft.key = None if key == self.url else key
        draft.title = clean_inline(_string(event.get("name")))
        self._when(event, draft)
        draft.location = self._location(event.get("location"))
        draft.speakers = self._speakers([event.get(key) for key in _SPEAKERS])
        draft.host = ", ".join(self._names(event.get("organizer"))) or None
        draft.abstract = _description(event.get("description"))
        self._status(event.get("eventStatus"), draft)
        return draft

    def _resolve(self, value: Any) -> Any:
        if isinstance(value, dict) and set(value) <= {"@id", "@type"}:
            return self.index.get(str(value.get("@id")), value)
        return value

    def _items(self, value: Any) -> list[Any]:
        items = value if isinstance(value, list) else [value]
        return [self._resolve(item) for item in items if item is not None]

    def _when(self, event: Mapping[str, Any], draft: TalkDraft) -> None:
        start_text, end_text = _string(event.get("startDate")), _string(event.get("endDate"))
        start = _moment(start_text, self.zone) if start_text else None
        if start is None:
            if start_text:
                draft.problems.append(f"startDate: cannot read {start_text!r}")
            return
        draft.start, draft.all_day = start
        end = _moment(end_text, self.zone) if end_text else None
        if end_text and end is None:
            draft.problems.append(f"endDate: cannot read {end_text!r}")
        if end is not None and end[1] != draft.all_day:
            end = None
        if draft.all_day:
            # A date-only endDate names the last day; the midnight after it ends the talk.
            after = end[0] + timedelta(days=1) if end else None
            draft.start, draft.end = whole_days(draft.start, after, self.zone)
        elif end is not None and _fills_days(draft.start, end[0]):
            draft.all_day = True
            draft.start, draft.end = whole_days(draft.start, end[0], self.zone)
        elif end is not None and end[0] > draft.start:
            draft.end = end[0]

    def _location(self, value: Any) -> str | None:
        lines = []
        for item in self._items(value):
            line = self._place(item) if isinstance(item, dict) else clean_inline(_string(item))
            if line and line not in lines:
                lines.append(line)
        return "; ".join(lines) or None

    def _place(self, place: Mapping[str, Any]) -> str | None:
        name = clean_inline(_string(place.get("name")))
        if "VirtualLocation" in _types(place):
            where = _string(place.get("url")) or name
            return f"Online: {where}" if where else "Online"
        parts = [name]
        for address in self._items(place.get("address")):
            if isinstance(address, dict):
                parts += self._postal(address)
            else:
                parts.append(clean_inline(_string(address)))
        if "PostalAddress" in _types(place):
            parts += self._postal(place)
        kept: list[str] = []
        for part in parts:
            if part and part.casefold() not in (other.casefold() for other in kept):
                kept.append(part)
        return ", ".join(kept) or None

    def _postal(self, address: Mapping[str, Any]) -> list[str | None]:
        country = self._resolve(address.get("addressCountry"))
        if isinstance(country, dict):
            country = country.get("name")
        region = " ".join(
            part
            for part in (_string(address.get("addressRegion")), _string(address.get("postalCode")))
            if part
        )
        return [
            clean_inline(text)
            for text in (
                _string(address.get("streetAddress")),
                _string(address.get("addressLocality")),
                region,
                _string(country),
            )
        ]

    def _speakers(self, value: Any) -> list[SpeakerDraft]:
        """The people among `value`: an Organization or other typed non-Person (a
        PerformingGroup) is who puts the event on, not who speaks."""
        speakers: list[SpeakerDraft] = []
        for item in self._flat(value):
            if not isinstance(item, dict):
                speakers += parse_speakers(_name_text(item))
                continue
            types = _types(item)
            name = _person_name(item)
            if name is None or (types and "Person" not in types):
                continue
            affiliation = None
            for key in _AFFILIATIONS:
                affiliation = "; ".join(self._names(item.get(key))) or None
                if affiliation:
                    break
            speakers.append(SpeakerDraft(name, affiliation))
        return list(dict.fromkeys(speakers))

    def _names(self, value: Any) -> list[str]:
        names: list[str] = []
        for item in self._items(value):
            name = _person_name(item) if isinstance(item, dict) else _name_text(item)
            if name and name not in names:
                names.append(name)
        return names

    def _flat(self, values: list[Any]) -> list[Any]:
        return [item for value in values for item in self._items(value)]

    def _status(self, value: Any, draft: TalkDraft) -> None:
        for item in self._items(value):
            text = _string(item.get("@id") if isinstance(item, dict) else item)
            if text is None:
                continue
            name = re.split(r"[/:#]", text)[-1]
            if name in _STATUSES:
                draft.status = _STATUSES[name]
            else:
                draft.problems.append(f"eventStatus: unknown value {text!r}")
            return


def _string(value: Any) -> str | None:
    """The first text in a JSON-LD value (a string, a list, a value object), unescaped."""
    if isinstance(value, list):
        return next((text for item in value if (text := _string(item))), None)
    if isinstance(value, dict):
        return _string(value.get("@value"))
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        # Templates that print into JSON-LD often HTML-escape too: "Turing &amp; Church".
        text = html.unescape(str(value)).strip()
        return text or None
    return None


def _person_name(node: Mapping[str, Any]) -> str | None:
    name = _name_text(node.get("name")) or _name_text(node.get("legalName"))
    if name is None:
        parts = (_string(node.get("givenName")), _string(node.get("familyName")))
        name = " ".join(part for part in parts if part)
    return clean_inline(name)


def _name_text(value: Any) -> str | None:
    """A name given as text; a bare schema.org type name is a template's placeholder."""
    name = clean_inline(_string(value))
    return None if name in _TYPE_NAMES else name


def _description(value: Any) -> str | None:
    text = _string(value)
    if text is None:
        return None
    return html_to_text(_LITERAL_ESCAPE.sub(lambda m: " " if m.group() == "\\t" else "\n", text))


def _moment(text: str, zone: tzinfo) -> tuple[datetime, bool] | None:
    """An ISO 8601 date-time (local to `zone` without an offset), or a date: local midnight and
    True for a whole day."""
    try:
        if _DATE_ONLY.match(text):
            return _local_midnight(date.fromisoformat(text), zone), True
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        # Through UTC and back: a wall time skipped by a spring-forward change becomes the
        # instant the clocks showed, as in scrapers.when.
        moment = moment.replace(tzinfo=zone).astimezone(UTC).astimezone(zone)
    return moment, False


def _local_midnight(day: date, zone: tzinfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone)


def _fills_days(start: datetime, end: datetime) -> bool:
    """Whether a timed event is whole days: from a midnight to the end of that day or a later
    one (23:59, 23:59:59) or to a later midnight, as The Events Calendar writes all-day events
    ("2022-08-29T00:00:00+02:00" to "2022-09-02T23:59:59+02:00")."""
    if start.time() != time(0):
        return False
    if end.time() >= _DAY_END:
        return end.date() >= start.date()
    return end.time() == time(0) and end.date() > start.date()


def _same_page(one: str, other: str) -> bool:
    return urldefrag(one)[0].rstrip("/") == urldefrag(other)[0].rstrip("/")


def key_unlinked(drafts: list[TalkDraft], listing_url: str) -> None:
    """Give each Event of a listing that has neither `@id` nor a page of its own a key."""
    for draft in drafts:
        if draft.key is None and draft.url == listing_url:
            draft.key = _content_key(draft)


def _content_key(draft: TalkDraft) -> str:
    """An identity for an Event that has neither `@id` nor a page of its own: its name and
    start. Without one, all such Events on a listing would share the listing's URL, and only
    the first would be kept. Such a talk that moves becomes a new one (and the old one is
    dropped as no longer listed): the source gives nothing better to follow it by."""
    start = draft.start.isoformat() if draft.start else ""
    return hashlib.sha256(f"{draft.title}\n{start}".encode()).hexdigest()[:16]
