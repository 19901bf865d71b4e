"""The index page parsed back with BeautifulSoup (lxml): days, talks, filters, subscribe blocks,
and the accessibility basics a browser test cannot see by looking."""

from __future__ import annotations

import hashlib
import re
from base64 import b64encode
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from bs4 import BeautifulSoup, Tag

from aggregator.model import SourceLink, Speaker, StoredTalk, Talk
from feeds import FeedSpec, render_index
from tests.feeds.sample import (
    COURANT_LINK,
    DASH,
    NEW_YORK,
    NOW,
    NYU_LINK,
    SPEC,
    UPCOMING_AT_NOW,
    lifecycle_talks,
)

NBSP = "\N{NO-BREAK SPACE}"
LONDON = ZoneInfo("Europe/London")
ALL = FeedSpec("all", "All talks", "", "https://talks.example.edu/")
ML = FeedSpec(
    "feeds/ml-systems",
    "ML & Systems",
    "Talks on <machine learning> systems",
    "https://talks.example.edu/",
    base_url="https://talks.example.edu/",
)
CHANGES = FeedSpec("changes", "Talk changes", "Every change", "https://talks.example.edu/")


def _page(
    talks: list[StoredTalk],
    now: datetime = NOW,
    feeds: tuple[FeedSpec, ...] = (SPEC, ALL),
    changes: FeedSpec | None = None,
) -> BeautifulSoup:
    return BeautifulSoup(render_index(feeds, talks, now, changes=changes), "lxml")


def _items(page: BeautifulSoup) -> list[Tag]:
    return page.select("section.day ol.talks > li")


def _href(item: Tag) -> str:
    link = item.select_one("h4 a")
    assert link is not None
    return str(link["href"])


def _one(page: BeautifulSoup | Tag, selector: str) -> Tag:
    found = page.select(selector)
    assert len(found) == 1, f"{selector}: {len(found)} found"
    return found[0]


def _text(tag: Tag) -> str:
    return tag.get_text().replace(NBSP, " ")


def _stored(talk_id: str, start: datetime, zone: str, source: str = "seminar") -> StoredTalk:
    talk = Talk(
        id=f"{source}:{talk_id}",
        source=source,
        url=f"https://example.edu/{source}/{talk_id}",
        title=f"Talk {talk_id}",
        start=start,
        timezone=zone,
    )
    return StoredTalk(
        talk=talk,
        source_name=source.title(),
        first_seen=NOW,
        last_seen=NOW,
        last_changed=NOW,
    )


# --- The document ------------------------------------------------------------------------------


def test_document_skeleton(talks: list[StoredTalk]) -> None:
    data = render_index([SPEC], talks, NOW)
    assert data.startswith(b"<!DOCTYPE html>\n")
    page = BeautifulSoup(data, "lxml")
    html = page.find("html")
    assert isinstance(html, Tag)
    assert html["lang"] == "en"
    assert page.find("meta", attrs={"name": "viewport"}) is not None
    assert page.find("meta", attrs={"charset": "utf-8"}) is not None
    assert [h.get_text() for h in page.find_all(["h1", "h2"])] == [
        "Talks",
        "Upcoming talks",
        "Subscribe",
    ]


def test_only_our_own_style_and_script_may_run(talks: list[StoredTalk]) -> None:
    page = _page(talks)
    head = page.find("head")
    assert isinstance(head, Tag)
    script, style = _one(page, "script"), _one(page, "style")
    assert script.parent is head and style.parent is head
    assert not script.attrs, "inline, nothing loaded"
    policy = _one(page, 'meta[http-equiv="Content-Security-Policy"]')["content"]
    rules = dict(rule.strip().split(" ", 1) for rule in str(policy).split(";"))
    assert rules["default-src"] == "'none'"

    def digest(text: str) -> str:
        return "'sha256-" + b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"

    # The hashes are of the text as served: any change to it without the hash would stop it.
    assert rules["script-src"] == digest(script.get_text())
    assert rules["style-src"] == digest(style.get_text())
    assert "http" not in str(policy)


def test_accessibility_basics(talks: list[StoredTalk]) -> None:
    page = _page(talks + lifecycle_talks(), changes=CHANGES)
    assert len(page.find_all("h1")) == 1
    levels = [int(h.name[1]) for h in page.find_all(re.compile(r"^h[1-6]$"))]
    assert levels[0] == 1
    assert all(b <= a + 1 for a, b in pairwise(levels)), levels
    ids = [str(tag["id"]) for tag in page.find_all(id=True)]
    assert len(ids) == len(set(ids))
    controls = page.find_all(["input", "select", "textarea"])
    assert len(controls) == 2 + 3  # search, source, and one address per feed
    for control in controls:
        label = page.find("label", attrs={"for": control["id"]})
        assert isinstance(label, Tag), control
        assert label.get_text().strip(), control
    for button in page.find_all("button"):
        assert button["type"] == "button" and button.get_text().strip()
    # Every section is named by its heading, for screen readers' landmark lists.
    for section in page.find_all("section"):
        heading = page.find(id=section["aria-labelledby"])
        assert isinstance(heading, Tag) and heading.name in ("h2", "h3")


# --- Talks by day ------------------------------------------------------------------------------


def test_upcoming_talks_only_in_start_order(
    talks: list[StoredTalk], by_id: dict[str, StoredTalk]
) -> None:
    hrefs = [_href(item) for item in _items(_page(talks))]
    # The running talk (14:00-15:00 EDT at 14:30 EDT) is still listed; February's is not.
    assert hrefs == [by_id[i].talk.url for i in UPCOMING_AT_NOW]


def test_talks_are_filed_under_their_own_local_day() -> None:
    # March 10-11, 2026: New York is on EDT (UTC-4) already, London still on GMT (UTC+0).
    talks = [
        _stored("ny-evening", datetime(2026, 3, 10, 18, 0, tzinfo=NEW_YORK), "America/New_York"),
        _stored("ny-late", datetime(2026, 3, 10, 21, 0, tzinfo=NEW_YORK), "America/New_York"),
        _stored("london-late", datetime(2026, 3, 10, 23, 0, tzinfo=LONDON), "Europe/London"),
        _stored("london-night", datetime(2026, 3, 11, 0, 30, tzinfo=LONDON), "Europe/London"),
        _stored("london-morning", datetime(2026, 3, 11, 9, 0, tzinfo=LONDON), "Europe/London"),
    ]
    page = _page(talks[::-1], now=datetime(2026, 3, 10, 12, 0, tzinfo=UTC))
    days = page.select("section.day")
    assert [_text(_one(day, "h3")) for day in days] == [
        "Tuesday, March 10, 2026",
        "Wednesday, March 11, 2026",
    ]
    assert [day["aria-labelledby"] for day in days] == ["day-2026-03-10", "day-2026-03-11"]
    by_day = [[_href(li).rsplit("/", 1)[1] for li in day.select("li")] for day in days]
    # ny-late (01:00 UTC on the 11th) starts after london-night (00:30 UTC) but is on the 10th
    # in New York; within a day, talks go by instant, whatever their zone.
    assert by_day == [
        ["ny-evening", "london-late", "ny-late"],
        ["london-night", "london-morning"],
    ]
    times = {_href(li).rsplit("/", 1)[1]: _text(_one(li, "time")) for li in _items(page)}
    assert times == {
        "ny-evening": f"6:00 PM {DASH} 7:00 PM EDT",
        "london-late": f"11:00 PM {DASH} Wed, Mar 11, 2026, 12:00 AM GMT",
        "ny-late": f"9:00 PM {DASH} 10:00 PM EDT",
        "london-night": f"12:30 AM {DASH} 1:30 AM GMT",
        "london-morning": f"9:00 AM {DASH} 10:00 AM GMT",
    }


def test_a_time_breaks_only_between_start_and_end(talks: list[StoredTalk]) -> None:
    time = _one(_items(_page(talks))[0], "time")
    assert time.get_text() == f"2:00{NBSP}PM {DASH} 3:00{NBSP}PM{NBSP}EDT"


def test_talk_details(talks: list[StoredTalk]) -> None:
    first = _items(_page(talks))[0]
    time = _one(first, "time")
    assert _text(time) == f"2:00 PM {DASH} 3:00 PM EDT"
    assert time["datetime"] == "2026-03-10T14:00:00-04:00"
    assert _text(_one(first, "h4.title")) == "Building Efficient Systems for LLMs"
    assert _text(_one(first, ".speakers")) == "Qinghao Hu (MIT)"
    assert [_text(p) for p in first.select(".facts")] == [
        "Where: 60 Fifth Avenue, Room 150",
        "Host: Jinyang Li",
        "From: NYU Computer Science Colloquium",
    ]
    abstract = _one(first, "details.abstract")
    assert _text(_one(abstract, "summary")) == "Abstract"
    assert [p.get_text() for p in abstract.find_all("p")] == ["LLMs are big."]
    assert "open" not in abstract.attrs
    berlin = _items(_page(talks))[2]
    assert _text(_one(berlin, "time")) == f"4:15 PM {DASH} 5:45 PM CET"
    assert _text(_one(berlin, ".speakers")) == "Anna Schmidt (TU Berlin, BIFOLD); Jonas Weber"
    assert berlin.find("details") is None


def test_all_day_talks_say_so() -> None:
    start = datetime(2026, 3, 30, tzinfo=LONDON)
    one = _stored("day", start, "Europe/London")
    two = _stored("days", start, "Europe/London")
    one = one.model_copy(update={"talk": one.talk.model_copy(update={"all_day": True})})
    two = two.model_copy(
        update={
            "talk": two.talk.model_copy(update={"all_day": True, "end": start + timedelta(days=2)})
        }
    )
    times = [_text(_one(li, "time")) for li in _items(_page([one, two]))]
    assert times == ["All day", "All day, until Tue, Mar 31, 2026"]


def test_called_off_talks_are_struck_and_labelled(talks: list[StoredTalk]) -> None:
    items = {_href(item): item for item in _items(_page(talks + lifecycle_talks()))}
    cancelled = items["https://cs.nyu.edu/dynamic/news/colloquium/1860/"]
    postponed = items["https://www.csail.mit.edu/event/77"]
    tentative = items["https://www.tu-berlin.de/ml/talks/50"]
    scheduled = items["https://cs.nyu.edu/dynamic/news/colloquium/1857/"]
    for item, label in ((cancelled, "Cancelled"), (postponed, "Postponed")):
        assert item.select_one("h4 s a") is not None
        assert _one(item, "h4 .status").get_text() == label
        assert item["class"] == ["talk", "called-off"]
    assert _one(tentative, "h4 .status").get_text() == "Tentative"
    assert tentative.find("s") is None
    assert scheduled.find("s") is None
    assert scheduled.select_one(".status") is None
    assert scheduled["class"] == ["talk"]


def test_text_is_escaped(talks: list[StoredTalk]) -> None:
    page = _page(talks)
    assert len(page.find_all("script")) == 1
    assert page.find("b") is None
    nasty = next(i for i in _items(page) if "1870" in _href(i))
    assert _href(nasty) == "https://cs.nyu.edu/dynamic/news/colloquium/1870/?a=1&b=2"
    assert _one(nasty, "h4").get_text() == "Graphs & <Trees>"
    details = _one(nasty, "details")
    assert [p.get_text() for p in details.find_all("p")] == [
        "Trees & graphs.\nA soft break.",
        "<script>alert(1)</script> is not code here.",
        "Third paragraph.",
    ]
    assert "Host: Bob <b>Bold</b>" in nasty.get_text()


# --- Search and filter -------------------------------------------------------------------------


def test_filters_wait_for_the_script(talks: list[StoredTalk]) -> None:
    page = _page(talks)
    filters = _one(page, "#filters")
    # Without JavaScript they could not work: the script shows them.
    assert "hidden" in filters.attrs
    assert filters["role"] == "search"
    search = _one(filters, "input#q")
    assert search["type"] == "search"
    # Without JavaScript, every talk is listed and the count says so.
    assert _one(page, "#count").get_text() == "5 talks"
    assert _one(page, "#count")["role"] == "status"
    assert not [li for li in _items(page) if "hidden" in li.attrs]


def test_source_menu_lists_each_source_once_with_its_talks(talks: list[StoredTalk]) -> None:
    page = _page(talks + lifecycle_talks())
    options = [(str(o["value"]), o.get_text()) for o in _one(page, "select#source")("option")]
    assert options == [
        ("", "All sources"),
        ("courant-cal", "Courant Calendar (1)"),
        ("csail", "MIT CSAIL Events (1)"),
        # The sample names one source two ways; the first talk's name is taken.
        ("nyu-cs", "NYU CS Colloquium (4)"),
        ("tub-ml", "TU Berlin Machine Learning Seminar (3)"),
    ]
    sources = {_href(li): str(li["data-sources"]) for li in _items(page)}
    # A merged talk can be found under every source that lists it.
    assert sources[str(NYU_LINK.url)] == f"{NYU_LINK.source} {COURANT_LINK.source}"
    assert sources["https://www.csail.mit.edu/event/77"] == "csail"


def test_what_the_search_reads_is_marked(talks: list[StoredTalk]) -> None:
    """The script searches `.title`, `.speakers` and `.abstract`: each holds what it says."""
    item = next(i for i in _items(_page(talks)) if "1870" in _href(i))
    assert _one(item, ".title").get_text() == "Graphs & <Trees>"
    assert _one(item, ".speakers").get_text() == "Eve O'Neil (AT&T Labs)"
    assert "is not code here." in _one(item, ".abstract").get_text()


def test_one_talk_is_one_talk() -> None:
    talk = _stored("x", datetime(2026, 3, 10, 18, 0, tzinfo=NEW_YORK), "America/New_York")
    assert _one(_page([talk]), "#count").get_text() == "1 talk"


# --- Subscribing -------------------------------------------------------------------------------


def _subscribe(page: BeautifulSoup) -> list[Tag]:
    section = page.find("section", attrs={"aria-labelledby": "subscribe"})
    assert isinstance(section, Tag)
    return section.select("ul.feeds > li")


def _links(item: Tag) -> list[tuple[str, str]]:
    return [(a.get_text(), str(a["href"])) for a in _one(item, ".actions").find_all("a")]


def test_subscribe_links(talks: list[StoredTalk]) -> None:
    items = _subscribe(_page(talks, feeds=(SPEC, ALL)))
    assert [_one(li, "h3").get_text() for li in items] == [SPEC.title, ALL.title]
    with_base, without = items
    assert _links(with_base) == [
        ("Add to calendar", "webcal://talks.example.edu/sites/nyu-cs-colloquium.ics"),
        ("RSS", "sites/nyu-cs-colloquium.rss"),
        ("Atom", "sites/nyu-cs-colloquium.atom"),
        ("iCal", "sites/nyu-cs-colloquium.ics"),
    ]
    # Without a public address, a calendar can still import the file.
    assert _links(without) == [
        ("Add to calendar", "all.ics"),
        ("RSS", "all.rss"),
        ("Atom", "all.atom"),
        ("iCal", "all.ics"),
    ]


def test_copy_buttons_carry_the_calendar_address(talks: list[StoredTalk]) -> None:
    items = _subscribe(_page(talks, feeds=(SPEC, ALL)))
    expected = ["https://talks.example.edu/sites/nyu-cs-colloquium.ics", "all.ics"]
    for item, url in zip(items, expected, strict=True):
        button = _one(item, "button.copy")
        assert button.get_text() == "Copy link"
        assert button["data-url"] == url
        # The fallback: an address to select by hand, shown with or without the script.
        field = _one(item, "input")
        assert (field["type"], field["value"], "readonly" in field.attrs) == ("text", url, True)
        assert _one(item, "label").get_text() == "Calendar address"
        # Only the script can copy: the button waits for it.
        assert "hidden" in button.attrs


def test_named_feed_is_listed_under_its_title(talks: list[StoredTalk]) -> None:
    page = _page(talks, feeds=(ML,))
    (item,) = _subscribe(page)
    assert _one(item, "h3").get_text() == "ML & Systems"
    assert "Talks on <machine learning> systems" in item.get_text()
    assert _links(item) == [
        ("Add to calendar", "webcal://talks.example.edu/feeds/ml-systems.ics"),
        ("RSS", "feeds/ml-systems.rss"),
        ("Atom", "feeds/ml-systems.atom"),
        ("iCal", "feeds/ml-systems.ics"),
    ]
    assert _one(item, "button")["data-url"] == "https://talks.example.edu/feeds/ml-systems.ics"
    titles = [link["title"] for link in page.find_all("link", rel="alternate")]
    assert titles == ["ML & Systems", "ML & Systems"]


def test_changes_feed_is_listed_last_as_atom_only(talks: list[StoredTalk]) -> None:
    changes = FeedSpec(
        "changes",
        "Talk changes",
        "Every change",
        "https://talks.example.edu/",
        "https://t.example/",
    )
    page = _page(talks, feeds=(SPEC, ML), changes=changes)
    items = _subscribe(page)
    assert [_one(li, "h3").get_text() for li in items] == [
        SPEC.title,
        "ML & Systems",
        "Talk changes",
    ]
    assert _links(items[-1]) == [("Atom", "changes.atom")]
    assert _one(items[-1], "label").get_text() == "Feed address"
    assert _one(items[-1], "button")["data-url"] == "https://t.example/changes.atom"
    links = page.find_all("link", rel="alternate")
    assert (links[-1]["type"], links[-1]["href"], links[-1]["title"]) == (
        "application/atom+xml",
        "changes.atom",
        "Talk changes",
    )
    assert len(links) == 5


def test_no_changes_feed_unless_given(talks: list[StoredTalk]) -> None:
    assert b"changes.atom" not in render_index([SPEC, ML], talks, NOW)


def test_links_to_the_opml_file(talks: list[StoredTalk]) -> None:
    link = _one(_page(talks), "a[href='feeds.opml']")
    assert link["type"] == "text/x-opml"
    assert link.get_text() == "All feeds as OPML"


def test_feeds_are_discoverable(talks: list[StoredTalk]) -> None:
    links = _page(talks).find_all("link", rel="alternate")
    assert [(link["type"], link["href"]) for link in links] == [
        ("application/rss+xml", "sites/nyu-cs-colloquium.rss"),
        ("application/atom+xml", "sites/nyu-cs-colloquium.atom"),
        ("application/rss+xml", "all.rss"),
        ("application/atom+xml", "all.atom"),
    ]


# --- Edges -------------------------------------------------------------------------------------


def test_nothing_upcoming(talks: list[StoredTalk]) -> None:
    page = _page(talks, now=datetime(2030, 1, 1, tzinfo=UTC))
    assert page.find("ol", class_="talks") is None
    assert page.find(id="filters") is None and page.find(id="count") is None
    assert "No upcoming talks." in page.get_text()
    assert _subscribe(page)


def test_now_only_chooses_the_talks(talks: list[StoredTalk]) -> None:
    """No clock in the page: two moments with the same upcoming talks give the same bytes."""
    later = NOW + timedelta(minutes=20)
    assert render_index([SPEC], talks, NOW) == render_index([SPEC], talks, later)


def test_a_source_listing_a_talk_twice_counts_once() -> None:
    st = _stored("x", datetime(2026, 3, 10, 18, 0, tzinfo=NEW_YORK), "America/New_York")
    merged = st.model_copy(
        update={
            "sources": (
                SourceLink(source="a", name="Same & Name", url="https://a.example/1"),
                SourceLink(source="a", name="Same & Name", url="https://a.example/2"),
            ),
            "talk": st.talk.model_copy(update={"speakers": [Speaker(name="Ann")]}),
        }
    )
    page = _page([merged])
    assert _items(page)[0]["data-sources"] == "a"
    assert [o.get_text() for o in page.select("#source option")] == [
        "All sources",
        "Same & Name (1)",
    ]


def test_now_must_be_aware(talks: list[StoredTalk]) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        render_index([SPEC], talks, datetime(2026, 3, 10, 18, 30))
