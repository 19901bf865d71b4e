"""Tentative, postponed, merged and moved talks, parsed back from every format."""

from __future__ import annotations

import calendar
from datetime import UTC, datetime
from typing import Any

import feedparser
import pytest
from bs4 import BeautifulSoup, Tag
from icalendar import Calendar, Event

from aggregator.model import StoredTalk
from feeds import FeedSpec, render_atom, render_ical, render_index, render_rss
from tests.feeds.sample import (
    COURANT_LINK,
    DASH,
    NOW,
    NYU_LINK,
    SPEC,
    lifecycle_talks,
)

MOVED_TEXT = "Moved from Tuesday, March 3, 2026, 2:00 PM EST"
"""The old start in the talk's own zone: EST, while the new start (March 10) is in EDT."""
TENTATIVE_TEXT = "Status: Tentative (no longer listed by its source)"


@pytest.fixture
def life() -> dict[str, StoredTalk]:
    return {st.talk.id: st for st in lifecycle_talks()}


def _parse(data: bytes) -> Any:
    parsed = feedparser.parse(data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


def _entries(render: Any, talks: list[StoredTalk], spec: FeedSpec = SPEC) -> dict[str, Any]:
    entries = _parse(render(talks, spec)).entries
    return {e.id.removeprefix("urn:talkfeed:"): e for e in entries}


def _text(html_fragment: str) -> str:
    return BeautifulSoup(html_fragment, "lxml").get_text()


def _events(talks: list[StoredTalk], spec: FeedSpec = SPEC) -> dict[str, Event]:
    cal = Calendar.from_ical(render_ical(talks, spec))
    return {str(e["UID"]).removesuffix("@talkfeed"): e for e in cal.events}


def _index_items(talks: list[StoredTalk]) -> dict[str, Tag]:
    page = BeautifulSoup(render_index([SPEC], talks, NOW), "lxml")
    items = {}
    for li in page.select("ol.talks > li"):
        link = li.select_one("h4 a")
        assert link is not None
        items[str(link["href"])] = li
    return items


FEEDS = {"rss": render_rss, "atom": render_atom}


# --- Tentative -------------------------------------------------------------------------------


def test_tentative_is_tentative_in_ical_without_a_prefix(life: dict[str, StoredTalk]) -> None:
    event = _events([life["life:tentative"]])["life:tentative"]
    assert str(event["STATUS"]) == "TENTATIVE"
    assert str(event["SUMMARY"]) == "Sparse Attention"
    assert str(event["DESCRIPTION"]) == (
        f"{TENTATIVE_TEXT}\n\nhttps://www.tu-berlin.de/ml/talks/50"
    )


@pytest.mark.parametrize("fmt", FEEDS)
def test_tentative_feed_entry_says_so_without_a_prefix(
    fmt: str, life: dict[str, StoredTalk]
) -> None:
    entry = _entries(FEEDS[fmt], [life["life:tentative"]])["life:tentative"]
    assert entry.title == "Thu, Mar 19, 2026 · Sparse Attention"
    paras = [p.get_text() for p in BeautifulSoup(entry.summary, "lxml").find_all("p")]
    assert paras[0] == TENTATIVE_TEXT
    assert "This talk has been" not in entry.summary


def test_tentative_in_the_index_is_labelled_not_struck(life: dict[str, StoredTalk]) -> None:
    item = _index_items([life["life:tentative"]])["https://www.tu-berlin.de/ml/talks/50"]
    assert item.get("class") == ["talk", "tentative"]
    status = item.select_one("h4 .status")
    assert status is not None
    assert status.get_text() == "Tentative"
    assert item.find("s") is None


# --- Cancel and postpone prefixes ------------------------------------------------------------


def test_prefixes_come_from_the_spec(
    life: dict[str, StoredTalk], by_id: dict[str, StoredTalk]
) -> None:
    spec = FeedSpec(
        "all",
        "All",
        "",
        "https://talks.example.edu/",
        cancel_prefix="[Cancelled] ",
        postpone_prefix="[Later] ",
    )
    talks = [life["life:postponed"], by_id["nyu-cs:1860"]]
    for render in FEEDS.values():
        titles = {i: e.title for i, e in _entries(render, talks, spec).items()}
        assert titles == {
            "life:postponed": "[Later] Thu, Mar 26, 2026 · Causal Discovery",
            "nyu-cs:1860": "[Cancelled] Wed, Mar 11, 2026 · Robust Robot Learning · Chelsea Finn",
        }
    events = _events(talks, spec)
    assert str(events["life:postponed"]["SUMMARY"]) == "[Later] Causal Discovery"
    assert str(events["life:postponed"]["STATUS"]) == "CANCELLED"
    assert str(events["nyu-cs:1860"]["SUMMARY"]).startswith("[Cancelled] Robust Robot Learning")


def test_default_postpone_prefix(life: dict[str, StoredTalk]) -> None:
    entry = _entries(render_rss, [life["life:postponed"]])["life:postponed"]
    assert entry.title == "POSTPONED: Thu, Mar 26, 2026 · Causal Discovery"


# --- Merged talks ----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FEEDS)
def test_merged_description_links_every_source(fmt: str, life: dict[str, StoredTalk]) -> None:
    entry = _entries(FEEDS[fmt], [life["life:merged"]])["life:merged"]
    body = BeautifulSoup(entry.summary, "lxml")
    assert "Listed by: NYU CS Colloquium; Courant Calendar" in body.get_text()
    links = [(a.get_text(), a["href"]) for a in body.find_all("a")]
    assert links == [(NYU_LINK.name, NYU_LINK.url), (COURANT_LINK.name, COURANT_LINK.url)]
    # The entry link stays the talk's own URL.
    assert entry.link == "https://cs.nyu.edu/dynamic/news/colloquium/1880/"


def test_merged_categories_name_every_source(life: dict[str, StoredTalk]) -> None:
    merged = [life["life:merged"]]
    (rss,) = _entries(render_rss, merged).values()
    assert [t.term for t in rss.tags] == ["NYU CS Colloquium", "Courant Calendar"]
    (atom,) = _entries(render_atom, merged).values()
    assert [(t.term, t.label) for t in atom.tags] == [
        ("nyu-cs", "NYU CS Colloquium"),
        ("courant-cal", "Courant Calendar"),
    ]
    event = _events(merged)["life:merged"]
    assert event.categories == ["NYU CS Colloquium", "Courant Calendar"]


def test_merged_ical_description_lists_sources_with_urls(life: dict[str, StoredTalk]) -> None:
    event = _events([life["life:merged"]])["life:merged"]
    assert str(event["DESCRIPTION"]) == (
        f"{MOVED_TEXT}\n\n"
        "Speaker: Ana Núñez (NYU)\n"
        "Listed by: NYU CS Colloquium <https://cs.nyu.edu/dynamic/news/colloquium/1880/>; "
        "Courant Calendar <https://courant.nyu.edu/calendar/event?id=9&lang=en>\n\n"
        "Abstract:\nHow clusters share accelerators.\n\n"
        "https://cs.nyu.edu/dynamic/news/colloquium/1880/"
    )


def test_merged_index_item_links_every_source(life: dict[str, StoredTalk]) -> None:
    item = _index_items([life["life:merged"]])["https://cs.nyu.edu/dynamic/news/colloquium/1880/"]
    listed = next(p for p in item.find_all("p") if p.get_text().startswith("Listed by: "))
    assert [a["href"] for a in listed.find_all("a")] == [NYU_LINK.url, COURANT_LINK.url]
    assert "From:" not in item.get_text()


def test_one_source_link_reads_as_an_unmerged_talk(by_id: dict[str, StoredTalk]) -> None:
    plain = by_id["tub-ml:42"]
    single = plain.model_copy(
        update={"sources": (COURANT_LINK.model_copy(update={"name": plain.source_name}),)}
    )
    for render in (render_rss, render_ical):
        assert b"Listed by" not in render([single], SPEC)
    (entry,) = _entries(render_atom, [single]).values()
    assert [(t.term, t.label) for t in entry.tags] == [
        ("courant-cal", "TU Berlin Machine Learning Seminar")
    ]


def test_unmerged_talk_keeps_its_source_name_and_id(by_id: dict[str, StoredTalk]) -> None:
    (entry,) = _entries(render_atom, [by_id["tub-ml:42"]]).values()
    assert [(t.term, t.label) for t in entry.tags] == [
        ("tub-ml", "TU Berlin Machine Learning Seminar")
    ]
    assert "Listed by" not in entry.summary


# --- Moved talks -----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FEEDS)
def test_moved_description_starts_with_the_old_time(fmt: str, life: dict[str, StoredTalk]) -> None:
    entry = _entries(FEEDS[fmt], [life["life:merged"]])["life:merged"]
    text = _text(entry.summary)
    assert text.startswith(MOVED_TEXT)
    assert f"When: Tuesday, March 10, 2026, 2:00 PM {DASH} 3:00 PM EDT" in text


def test_moved_keeps_its_ids_and_dates(life: dict[str, StoredTalk]) -> None:
    merged = [life["life:merged"]]
    assert list(_entries(render_rss, merged)) == ["life:merged"]
    (atom,) = _entries(render_atom, merged).values()
    updated = datetime.fromtimestamp(calendar.timegm(atom.updated_parsed), UTC)
    assert updated == datetime(2026, 3, 4, 10, 0, tzinfo=UTC)
    event = _events(merged)["life:merged"]
    assert str(event["UID"]) == "life:merged@talkfeed"
    assert event.decoded("SEQUENCE") == 1


def test_moved_ical_and_index_start_with_the_old_time(life: dict[str, StoredTalk]) -> None:
    event = _events([life["life:merged"]])["life:merged"]
    assert str(event["DESCRIPTION"]).startswith(f"{MOVED_TEXT}\n\n")
    item = _index_items([life["life:merged"]])["https://cs.nyu.edu/dynamic/news/colloquium/1880/"]
    # Right under the title, before the speakers and the rest.
    first = item.select_one("h4 + p")
    assert isinstance(first, Tag)
    assert first.get_text() == MOVED_TEXT
    assert first.get("class") == ["moved"]


def test_moved_all_day_talk_names_only_the_old_date(life: dict[str, StoredTalk]) -> None:
    base = life["life:merged"]
    day = base.model_copy(
        update={
            "talk": base.talk.model_copy(
                update={
                    "all_day": True,
                    "start": datetime(2026, 3, 10, tzinfo=base.talk.start.tzinfo),
                }
            ),
            "moved_from": datetime(2026, 3, 3, 5, 0, tzinfo=UTC),
        }
    )
    (entry,) = _parse(render_rss([day], SPEC)).entries
    first = BeautifulSoup(entry.summary, "lxml").find("p")
    assert first is not None
    assert first.get_text() == "Moved from Tuesday, March 3, 2026"


def test_moved_from_equal_to_start_says_nothing(life: dict[str, StoredTalk]) -> None:
    base = life["life:merged"]
    back = base.model_copy(update={"moved_from": base.talk.start.astimezone(UTC)})
    assert b"Moved from" not in render_rss([back], SPEC)
    assert b"Moved from" not in render_ical([back], SPEC)


def test_scheduled_talks_have_no_notes(talks: list[StoredTalk]) -> None:
    for render in (render_rss, render_atom, render_ical):
        data = render(talks, SPEC)
        assert b"Moved from" not in data
        assert b"Tentative" not in data
        assert b"Listed by" not in data


def test_source_names_and_urls_are_cleaned(life: dict[str, StoredTalk]) -> None:
    base = life["life:merged"]
    nasty = base.model_copy(
        update={
            "sources": (
                NYU_LINK.model_copy(update={"name": "NYU\x0bCS\x00"}),
                COURANT_LINK.model_copy(update={"url": "https://courant.nyu.edu/e?\x01a=<1>"}),
            )
        }
    )
    for render in FEEDS.values():
        (entry,) = _entries(render, [nasty]).values()
        assert "NYU\nCS" in _text(entry.summary)
        assert "https://courant.nyu.edu/e?a=<1>" in [
            a["href"] for a in BeautifulSoup(entry.summary, "lxml").find_all("a")
        ]
    event = _events([nasty])["life:merged"]
    assert event.categories == ["NYU\nCS", "Courant Calendar"]
    assert "Courant Calendar <https://courant.nyu.edu/e?a=<1>>" in str(event["DESCRIPTION"])
    assert b"\x00" not in render_index([SPEC], [nasty], NOW)
