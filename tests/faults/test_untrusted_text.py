"""Scraped text is untrusted: whatever a page says, subscribers get it as text, never as markup.

Talks whose every text field carries script, event handlers, `javascript:` URLs and characters
XML forbids are rendered in every format and parsed back: the HTML inside RSS descriptions,
Atom content and the index page must hold no element or attribute that runs or loads
anything, and the hostile text must still be there to read.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import feedparser
import lxml.html
import pytest
from icalendar import Calendar
from lxml import etree

from aggregator.cli import main
from aggregator.model import SourceLink, Speaker, Status, StoredTalk, Talk
from feeds import FORMATS, ChangeEntry, FeedSpec, render_changes, render_index
from feeds.spec import safe_html
from tests.conftest import LISTING_PATH
from tests.faults import (
    LATER,
    NOW,
    FaultySite,
    active_markup,
    assert_nothing_lost,
    html_documents,
    outputs,
    published,
)

ZONE = ZoneInfo("America/New_York")
START = datetime(2026, 3, 10, 14, 0, tzinfo=ZONE)
SEEN = datetime(2026, 3, 1, 9, 0, tzinfo=ZONE)
SCRIPT = "<script>alert(1)</script>"
IMAGE = "<img src=x onerror=alert(1)>"
JS_LINK = '<a href="javascript:alert(1)">click</a>'
ILLEGAL = "\x00\ufffe"
SPEC = FeedSpec(
    path="all",
    title="All talks",
    description="Every talk",
    link="https://talks.example.edu/",
    base_url="https://talks.example.edu/feeds/",
)


def hostile_talk(status: Status = Status.SCHEDULED) -> StoredTalk:
    talk = Talk(
        id="evil:1",
        source="evil",
        url='https://evil.example/talk?q="><script>alert(1)</script>',
        title=f"{SCRIPT}{IMAGE} javascript:alert(1) Title\x0bsecond line{ILLEGAL}",
        speakers=[
            Speaker(
                name=f"Mallory {SCRIPT}{ILLEGAL}",
                affiliation='<b onmouseover="alert(1)">Evil U</b>',
            )
        ],
        start=START,
        timezone="America/New_York",
        location=f"<iframe src=javascript:alert(1)></iframe>Room 1{ILLEGAL}",
        host=f"{IMAGE}Host\x0b",
        abstract=f"First {SCRIPT} paragraph.\x0bSame one.\n\n{JS_LINK} {IMAGE}{ILLEGAL}",
        bio=f"<style>body{{display:none}}</style>Bio{ILLEGAL}",
        notes=f'<form action="javascript:alert(1)"><input></form>Notes{SCRIPT}',
        status=status,
    )
    return StoredTalk(
        talk=talk,
        source_name=f"Evil {SCRIPT} Seminar",
        # SourceLink does not validate its URL: only the sanitizer stands between this and a
        # clickable javascript: link.
        sources=(
            SourceLink(source="evil", name=f"Evil {IMAGE}", url="javascript:alert(1)"),
            SourceLink(source="other", name="Other", url="https://other.example/t/1"),
        ),
        first_seen=SEEN,
        last_seen=SEEN,
        last_changed=SEEN,
        moved_from=START - timedelta(days=7),
    )


def rendered(st: StoredTalk) -> dict[str, bytes]:
    files = {f"all.{ext}": render([st], SPEC) for ext, render in FORMATS.items()}
    change = ChangeEntry("moved", SEEN, st, moved_from=START - timedelta(days=7))
    files["changes.atom"] = render_changes([change], SPEC)
    files["index.html"] = render_index([SPEC], [st], SEEN)
    return files


@pytest.mark.parametrize("status", [Status.SCHEDULED, Status.CANCELLED, Status.TENTATIVE])
def test_hostile_text_is_text_in_every_format(tmp_path: Path, status: Status) -> None:
    for name, data in rendered(hostile_talk(status)).items():
        (tmp_path / name).write_bytes(data)
        text = data.decode("utf-8")
        assert "\x00" not in text and "\ufffe" not in text and "\x0b" not in text, name
        if name.endswith((".rss", ".atom")):
            etree.fromstring(data)  # strict XML: raises on anything illegal
            assert not feedparser.parse(data).bozo, name

    documents = html_documents(tmp_path)
    assert set(documents) == {"all.rss", "all.atom", "all.feed.json", "changes.atom", "index.html"}
    for name, bodies in documents.items():
        assert bodies, name
        for body in bodies:
            assert active_markup(body) == [], name
            readable = "".join(map(str, lxml.html.document_fromstring(body).itertext()))
            # What the page said is still there to read, as the characters it typed.
            assert f"First {SCRIPT} paragraph." in readable, name
            assert f"Mallory {SCRIPT}" in readable, name
            assert "Room 1" in readable, name

    calendar = Calendar.from_ical((tmp_path / "all.ics").read_bytes())
    (event,) = calendar.events
    assert f"{SCRIPT}{IMAGE} javascript:alert(1) Title\nsecond line" in str(event.get("summary"))
    description = str(event.get("description"))
    assert f"First {SCRIPT} paragraph.\nSame one." in description
    assert str(event.get("url")) == hostile_talk().talk.url


def test_sanitizer_drops_markup_that_escaping_let_through() -> None:
    fragment = (
        '<p onclick="alert(1)" style="x" title="t">a<script>alert(2)</script>'
        '<a href="javascript:alert(3)">b</a><a href="data:text/html,x">c</a>'
        "<img src=x onerror=alert(4)><iframe src=x></iframe><br/></p>"
    )
    assert safe_html(fragment) == "<p>a<a>b</a><a>c</a><br></p>"


def test_sanitizer_keeps_all_the_markup_we_write() -> None:
    index = render_index([SPEC], [hostile_talk(Status.CANCELLED)], SEEN).decode()
    for ours in (
        '<li class="talk called-off" data-sources="evil other">',
        '<h4 class="title"><strong class="status">Cancelled</strong>',
        '<s><a href="https://evil.example/talk?q=&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;">',
        '<p class="moved">',
        '<p class="when"><time datetime="2026-03-10T14:00:00-04:00" '
        'data-end="2026-03-10T15:00:00-04:00" data-zone="America/New_York">',
        '<details class="abstract"><summary>Abstract</summary>',
        '<div class="filters" id="filters" role="search" hidden="">',
        '<input type="search" id="q" placeholder="Title, speaker or abstract" autocomplete="off">',
        '<label for="source">Source</label>',
        '<select id="source">',
        '<option value="other">Other (1)</option>',
        '<a href="all.rss" type="application/rss+xml">RSS</a>',
        '<a class="add" href="webcal://talks.example.edu/feeds/all.ics">Add to calendar</a>',
        '<a href="all.feed.json" type="application/feed+json">JSON Feed</a>',
        '<code class="url">https://talks.example.edu/feeds/all.ics</code>',
        '<button type="button" class="copy" data-url="https://talks.example.edu/feeds/all.ics" '
        'hidden="">Copy link</button>',
        '<a href="https://other.example/t/1">Other</a>',
    ):
        assert ours in index
    feed = rendered(hostile_talk())["all.rss"].decode()
    assert "&lt;p&gt;&lt;strong&gt;When:&lt;/strong&gt;" in feed
    assert "&lt;br&gt;&lt;strong&gt;Where:&lt;/strong&gt;" in feed


def test_a_javascript_link_on_a_listing_is_never_published(
    faulty: FaultySite, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", "--config", str(config), "--now", NOW, "--quiet"]) == 0
    out = config.parent / "public"
    before = published(out)
    # It ends like a talk's address, so the listing parser takes it for one.
    evil = "javascript:alert(document.cookie)//dynamic/news/colloquium/1999/"
    faulty.edit(
        LISTING_PATH,
        '<li class="colloq-item">',
        '<li class="colloq-item">\n  <div class="colloq-date">March 17, 2026, 2 p.m.</div>\n'
        f'  <div class="colloq-title"><a href="{evil}">Free Pizza</a></div>\n</li>\n'
        '<li class="colloq-item">',
    )

    assert main(["run", "--config", str(config), "--now", LATER]) == 1

    report = capsys.readouterr().err
    assert f"{evil}: not an http:// or https:// URL" in report
    assert "url must be an absolute http(s) URL" in report
    after = published(out)
    assert_nothing_lost(before, after)
    assert after == before
    for name, data in outputs(out).items():
        # The run's own report (health.json) may name the link; what subscribers read may not.
        if Path(name).suffix in (".ics", ".rss", ".atom", ".html") or name.endswith(".feed.json"):
            assert b"javascript:" not in data and b"Free Pizza" not in data, name
