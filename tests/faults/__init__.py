"""Fault injection: the real pipeline against a misbehaving server on 127.0.0.1.

Every test here reads two sources from one server: the saved NYU colloquium site (a listing
source with detail pages) and a small iCal feed. A fault in one must leave the other
published, and a healthy first run's talks must survive whatever the second run meets.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import feedparser
import lxml.html
from icalendar import Calendar
from lxml import etree
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from tests.conftest import FixtureSite

NOW = "2026-03-01T09:00:00-05:00"
LATER = "2026-03-01T10:00:00-05:00"
NYU_TALKS = (1841, 1849, 1852, 1857, 1861, 1866, 1872, 1875)
CALENDAR_PATH = "/events/math-seminar.ics"
CALENDAR_ID = "math-seminar"
STALL_LIMIT = 60.0
"""Seconds a stalled request waits at most, so that a failed test never hangs the server."""

CALENDAR = """\
BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Example University//Math Seminar//EN
BEGIN:VEVENT
UID:ms-2026-03-12@math.example.edu
DTSTAMP:20260220T120000Z
DTSTART;TZID=America/New_York:20260312T160000
DTEND;TZID=America/New_York:20260312T170000
SUMMARY:Random Matrices and Zürich Walks
DESCRIPTION:Speaker: Lena Brandt\\, ETH Zürich
LOCATION:Warren Weaver Hall 1302
URL:https://math.example.edu/seminar/2026-03-12
END:VEVENT
BEGIN:VEVENT
UID:ms-2026-04-02@math.example.edu
DTSTAMP:20260220T120000Z
DTSTART;TZID=America/New_York:20260402T160000
DTEND;TZID=America/New_York:20260402T170000
SUMMARY:Expander Graphs in Practice
DESCRIPTION:Speaker: Omar Haddad\\, Rutgers University
LOCATION:Warren Weaver Hall 1302
URL:https://math.example.edu/seminar/2026-04-02
END:VEVENT
END:VCALENDAR
""".replace("\n", "\r\n")


class FaultySite(FixtureSite):
    """The NYU fixture site with the iCal feed beside it, and more ways to misbehave: bodies
    as raw bytes, error statuses that run out, and requests that stall until released."""

    def __init__(self, server: HTTPServer) -> None:
        super().__init__(server)
        self.pages[CALENDAR_PATH] = CALENDAR
        self.content_types[CALENDAR_PATH] = "text/calendar; charset=utf-8"
        self.raw: dict[str, tuple[bytes, str]] = {}
        """Path → (body, Content-Type), served as is."""
        self.failures: dict[str, list[int]] = {}
        """Path → statuses answered in turn; once they run out, the page is served again."""
        self.stalls: dict[str, threading.Event] = {}
        """Path → an event the response waits for (at most `STALL_LIMIT` seconds)."""
        self.stalled = threading.Event()
        """Set when a stalled request has arrived."""
        self.responders: dict[str, Callable[[], Response]] = {}
        """Path → a function making the response: for faults the other fields cannot make."""

    def stall(self, path: str) -> None:
        """Make requests for `path` wait until `release()`."""
        self.stalls[path] = threading.Event()

    def release(self) -> None:
        """Let every stalled request go on."""
        for event in self.stalls.values():
            event.set()

    @property
    def calendar_url(self) -> str:
        return self.server.url_for(CALENDAR_PATH)

    def _handle(self, request: Request) -> Response:
        key = request.path + (f"?{request.query_string.decode()}" if request.query_string else "")
        if key in self.stalls:
            self.stalled.set()
            self.stalls[key].wait(STALL_LIMIT)
        if key in self.responders:
            self.requests.append(key)
            return self.responders[key]()
        if self.failures.get(key):
            self.requests.append(key)
            status = self.failures[key].pop(0)
            # A server that is asked to wait says how long, as 429 and 503 answers do.
            headers = {"Retry-After": "1"} if status in (429, 503) else {}
            return Response("failing on purpose", status=status, headers=headers)
        if key in self.raw:
            self.requests.append(key)
            body, content_type = self.raw[key]
            return Response(body, content_type=content_type)
        return super()._handle(request)


def write_config(folder: Path, site: FaultySite) -> Path:
    """A config reading both sources, fast to fail (no delay, one retry)."""
    path = folder / "talkfeed.toml"
    path.write_text(
        f"""
out = "public"
db = "talkfeed.db"
[publish]
rss_days_back = 400
[fetch]
delay = 0.0
retries = 1
backoff = 0.01
timeout = 10.0
[[sources]]
site = "nyu-cs-colloquium"
url = "{site.listing_url}"
[[sources]]
kind = "ical"
id = "{CALENDAR_ID}"
name = "Math Seminar"
url = "{site.calendar_url}"
timezone = "America/New_York"
""",
        encoding="utf-8",
    )
    return path


def nyu_uid(talk: int) -> str:
    return f"nyu-cs-colloquium:{talk}@talkfeed"


@dataclass(frozen=True)
class Published:
    """What subscribers see: every event of every iCal file, and every RSS/Atom entry id."""

    events: dict[str, dict[str, str]]
    """File → UID → the event's summary, start, description and location."""
    entries: dict[str, frozenset[str]]
    """RSS or Atom file → entry ids."""

    def uids(self, name: str = "all.ics") -> set[str]:
        return set(self.events[name])

    def text(self, uid: str, name: str = "all.ics") -> str:
        return self.events[name][uid]


def published(out: Path) -> Published:
    """Parse back every feed in `out`; fails the test if one does not parse."""
    events: dict[str, dict[str, str]] = {}
    entries: dict[str, frozenset[str]] = {}
    for path in sorted(out.rglob("*")):
        name = str(path.relative_to(out))
        if path.suffix == ".ics":
            calendar = Calendar.from_ical(path.read_bytes())
            events[name] = {
                str(e.uid): "\n".join(
                    [str(e.get("summary", "")), e.start.isoformat()]
                    + [str(e.get(field, "")) for field in ("description", "location")]
                )
                for e in calendar.events
            }
        elif path.suffix in (".rss", ".atom"):
            feed = feedparser.parse(path.read_bytes())
            assert not feed.bozo, f"{name}: {feed.bozo_exception}"
            entries[name] = frozenset(entry.id for entry in feed.entries)
    return Published(events, entries)


def outputs(out: Path) -> dict[str, bytes]:
    """Every file under `out`, hidden ones too, by relative path."""
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def stored_talks(db: Path) -> dict[str, str]:
    """The store's talk records by id, after checking the file's integrity."""
    with sqlite3.connect(db) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        rows = connection.execute("SELECT id, record FROM talks").fetchall()
    connection.close()
    return dict(rows)


def assert_nothing_lost(before: Published, after: Published) -> None:
    """Every talk published before is still in every feed file it was in."""
    for name, uids in before.events.items():
        assert set(uids) <= set(after.events.get(name, {})), f"{name} lost talks"
    for name, ids in before.entries.items():
        assert ids <= after.entries.get(name, frozenset()), f"{name} lost entries"


def html_documents(out: Path) -> dict[str, list[str]]:
    """Every piece of HTML a reader renders from `out`: index.html, and the description of
    every RSS item, the content of every Atom entry (read from the XML, not through
    feedparser, which would sanitize them itself) and the content_html of every JSON Feed item."""
    found: dict[str, list[str]] = {}
    for path in sorted(out.rglob("*")):
        name = str(path.relative_to(out))
        if path.suffix == ".html":
            found[name] = [path.read_text(encoding="utf-8")]
        elif path.suffix in (".rss", ".atom"):
            root = etree.fromstring(path.read_bytes())
            bodies = (
                root.iterfind(".//item/description")
                if path.suffix == ".rss"
                else (root.iterfind(".//{http://www.w3.org/2005/Atom}content"))
            )
            found[name] = [body.text or "" for body in bodies]
        elif path.name.endswith(".feed.json"):
            found[name] = [item["content_html"] for item in json.loads(path.read_bytes())["items"]]
    return found


def active_markup(document: str) -> list[str]:
    """What in an HTML document or fragment could run or load something: elements that run
    script, load content or style the page (bar the index page's own head), event handler
    attributes, and links or sources that are not http(s), webcal or relative."""
    if not document.strip():
        return []
    tree = lxml.html.document_fromstring(document)
    # The index page's head is talkfeed's own: its meta, link and style elements and its inline
    # script are meant (its Content-Security-Policy lets nothing else run).
    own = tree.find("head") if document.startswith("<!DOCTYPE html>") else None
    head = set(own.iter()) if own is not None else set()
    problems = []
    for element in tree.iter(etree.Element):
        tag = str(element.tag)
        ours = tag in ("meta", "link", "style") or (tag == "script" and not element.attrib)
        if tag in _ACTIVE and not (element in head and ours):
            problems.append(f"<{tag}>")
        for raw_name, raw_value in element.attrib.items():
            name, value = str(raw_name), str(raw_value)
            if name.lower().startswith("on"):
                problems.append(f"<{tag} {name}>")
            scheme = value.strip().split(":", 1)[0].lower() if ":" in value else ""
            if name in ("href", "src", "action") and scheme not in ("", "http", "https", "webcal"):
                problems.append(f"<{tag} {name}={value!r}>")
    return problems


_ACTIVE = frozenset(
    {"script", "img", "iframe", "frame", "object", "embed", "svg", "math", "style", "form",
     "base", "meta", "link", "video", "audio", "source"}
)  # fmt: skip
