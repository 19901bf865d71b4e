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
from feeds import FeedSpec, calendar_talks, render_index
from feeds.html import INDEX_TALKS
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
    assert len(controls) == 2  # search and source; the feeds' addresses are text to copy
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
        ("JSON Feed", "sites/nyu-cs-colloquium.feed.json"),
        ("iCal", "sites/nyu-cs-colloquium.ics"),
    ]
    assert "hidden" not in _one(with_base, "a.add").attrs
    # Without a public address, only the script can make the webcal:// link from the page's
    # own: until it does, the link is hidden, and the iCal file is there to import.
    assert _links(without) == [
        ("Add to calendar", "all.ics"),
        ("RSS", "all.rss"),
        ("Atom", "all.atom"),
        ("JSON Feed", "all.feed.json"),
        ("iCal", "all.ics"),
    ]
    assert "hidden" in _one(without, "a.add").attrs


def test_copy_buttons_carry_the_calendar_address(talks: list[StoredTalk]) -> None:
    items = _subscribe(_page(talks, feeds=(SPEC, ALL)))
    expected = ["https://talks.example.edu/sites/nyu-cs-colloquium.ics", "all.ics"]
    for item, url in zip(items, expected, strict=True):
        button = _one(item, "button.copy")
        assert button.get_text() == "Copy link"
        assert button["data-url"] == url
        # Shown whole, with or without the script, to select by hand: not in a text field
        # that would cut a long address off.
        assert _one(item, ".address code.url").get_text() == url
        assert _one(item, ".address > span").get_text() == "Calendar address"
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
        ("JSON Feed", "feeds/ml-systems.feed.json"),
        ("iCal", "feeds/ml-systems.ics"),
    ]
    assert _one(item, "button")["data-url"] == "https://talks.example.edu/feeds/ml-systems.ics"
    titles = [link["title"] for link in page.find_all("link", rel="alternate")]
    assert titles == ["ML & Systems"] * 3


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
    assert _one(items[-1], ".address > span").get_text() == "Feed address"
    assert _one(items[-1], "button")["data-url"] == "https://t.example/changes.atom"
    links = page.find_all("link", rel="alternate")
    assert (links[-1]["type"], links[-1]["href"], links[-1]["title"]) == (
        "application/atom+xml",
        "changes.atom",
        "Talk changes",
    )
    assert len(links) == 2 * 3 + 1


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
        ("application/feed+json", "sites/nyu-cs-colloquium.feed.json"),
        ("application/rss+xml", "all.rss"),
        ("application/atom+xml", "all.atom"),
        ("application/feed+json", "all.feed.json"),
    ]


# --- Edges -------------------------------------------------------------------------------------


def test_nothing_upcoming(talks: list[StoredTalk]) -> None:
    page = _page(talks, now=datetime(2030, 1, 1, tzinfo=UTC))
    assert page.find("ol", class_="talks") is None
    assert page.find(id="filters") is None and page.find(id="count") is None
    assert "No upcoming talks." in page.get_text()
    assert _subscribe(page)


def test_the_page_says_when_it_was_made(talks: list[StoredTalk]) -> None:
    line = _one(_page(talks), "p.updated")
    assert line.get_text() == "Updated 2026-03-10 18:30 UTC."
    assert _one(line, "time")["datetime"] == "2026-03-10T18:30:00Z"
    # Made later than the time its talks are as of (a demo, a run with --now): both, to the
    # minute, in UTC whatever zone they come in.
    made = datetime(2026, 12, 2, 9, 5, 59, tzinfo=NEW_YORK)
    page = BeautifulSoup(render_index([SPEC], talks, NOW, made=made), "lxml")
    line = _one(page, "p.updated")
    assert line.get_text() == (
        "Updated 2026-12-02 14:05 UTC, with the talks as of 2026-03-10 18:30 UTC."
    )
    assert [t["datetime"] for t in line.find_all("time")] == [
        "2026-12-02T14:05:00Z",
        "2026-03-10T18:30:00Z",
    ]
    # Made within the same minute: one time.
    same = BeautifulSoup(render_index([SPEC], talks, NOW, made=NOW + timedelta(seconds=20)), "lxml")
    assert _one(same, "p.updated").get_text() == "Updated 2026-03-10 18:30 UTC."


def test_now_changes_only_the_updated_line(talks: list[StoredTalk]) -> None:
    """Two moments with the same upcoming talks give the same page but for its time."""
    later = NOW + timedelta(minutes=20)
    first, second = (render_index([SPEC], talks, moment).decode() for moment in (NOW, later))
    assert first != second
    updated = re.compile(r'<p class="updated">.*</p>')
    assert updated.sub("", first) == updated.sub("", second)


def test_each_talk_can_be_added_to_a_calendar_alone(talks: list[StoredTalk]) -> None:
    items = {_href(item): item for item in _items(_page(talks + lifecycle_talks()))}
    scheduled = items["https://cs.nyu.edu/dynamic/news/colloquium/1857/"]
    add = _one(scheduled, "p.add-talk a")
    assert (add.get_text(), add["href"], add["type"]) == (
        "Add to calendar",
        "talks/nyu-cs/1857.ics",
        "text/calendar",
    )
    tentative = items["https://www.tu-berlin.de/ml/talks/50"]
    assert _one(tentative, "p.add-talk a")["href"] == "talks/life/tentative.ics"
    # A talk that will not take place as announced is not offered.
    for url in (
        "https://cs.nyu.edu/dynamic/news/colloquium/1860/",
        "https://www.csail.mit.edu/event/77",
    ):
        assert items[url].select("p.add-talk") == []


def test_times_carry_what_the_script_needs_for_the_readers_zone(talks: list[StoredTalk]) -> None:
    berlin = next(i for i in _items(_page(talks)) if "tu-berlin" in _href(i))
    time = _one(berlin, "time")
    assert (time["datetime"], time["data-end"], time["data-zone"]) == (
        "2026-03-12T16:15:00+01:00",
        "2026-03-12T17:45:00+01:00",
        "Europe/Berlin",
    )
    # Without the script, the talk's own time is all there is, and all that is needed.
    assert berlin.select(".yours") == []
    start = datetime(2026, 3, 30, tzinfo=LONDON)
    day = _stored("day", start, "Europe/London")
    day = day.model_copy(update={"talk": day.talk.model_copy(update={"all_day": True})})
    # An all-day talk is a date where it takes place: nothing to convert.
    assert "data-zone" not in _one(_items(_page([day]))[0], "time").attrs


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


def test_the_page_lists_the_next_talks_and_says_the_feeds_hold_the_rest() -> None:
    """Thousands of upcoming talks would make a page nobody scrolls and as many calendar
    files: the page lists the soonest INDEX_TALKS, each with its file, and says so."""
    first = datetime(2026, 4, 1, 9, tzinfo=NEW_YORK)
    many = [
        _stored(f"{n:04d}", first + timedelta(hours=n), "America/New_York")
        for n in range(INDEX_TALKS + 2)
    ]
    page = _page(many[::-1])
    listed = [_href(item) for item in _items(page)]
    assert listed == [st.talk.url for st in many[:INDEX_TALKS]]
    assert f"next {INDEX_TALKS} talks" in _text(_one(page, "p.more"))
    assert [st.talk.id for st in calendar_talks(many, NOW)] == [
        st.talk.id for st in many[:INDEX_TALKS]
    ]
    assert _page(many[:INDEX_TALKS]).select("p.more") == []
