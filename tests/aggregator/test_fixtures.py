"""Expectations of saved pages for talks without a title or a page of their own."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aggregator.commands.fixtures import expectation, mismatches, parse_page
from scrapers import Page, get_site
from tests.conftest import NYU

SITE = get_site("nyu-cs-colloquium")
URL = "https://cs.nyu.edu/dynamic/news/colloquium/1857/"
SAVED = datetime(2026, 3, 1, 12, tzinfo=UTC)


def _record(**fields: Any) -> dict[str, Any]:
    record = {
        "id": "feed:1",
        "source": "feed",
        "url": None,
        "title": None,
        "speakers": [{"name": "Jon Schneider", "affiliation": None}],
        "start": "2026-09-01T16:00:00-04:00",
    }
    return record | fields


def _expected(**fields: Any) -> dict[str, Any]:
    return {k: v for k, v in _record(**fields).items() if k in ("id", "url", "title", "start")}


def test_null_title_and_url_match_null() -> None:
    assert mismatches({"talk": _record()}, _expected()) == []


def test_null_is_compared_like_any_value() -> None:
    assert mismatches({"talk": _record()}, _expected(title="Lattices")) == [
        "title: expected 'Lattices', got None"
    ]
    assert mismatches({"talk": _record(url=URL)}, _expected()) == [
        f"url: expected None, got {URL!r}"
    ]


def test_title_and_url_stay_mandatory_keys() -> None:
    wanted = _expected()
    del wanted["title"], wanted["url"]
    assert mismatches({"talk": _record()}, wanted) == [
        "mandatory key 'title' missing",
        "mandatory key 'url' missing",
    ]


def test_listed_talks_without_a_url_are_matched_by_id() -> None:
    parsed = {
        "listings": [],
        "talks": [_record(), _record(id="feed:2", title="Lattices")],
        "invalid": [],
    }
    by_id = {"listings": [], "talks": [_expected(), _expected(id="feed:2", title="Lattices")]}
    assert mismatches(parsed, by_id) == []
    by_url = {
        "listings": [],
        "talks": [{k: v for k, v in t.items() if k != "id"} for t in by_id["talks"]],
    }
    assert mismatches(parsed, by_url) == [
        'a talk without a url needs its "id": give every talk its "id"'
    ]


def test_a_written_expectation_keeps_null_title_and_url() -> None:
    written = expectation({"talk": _record()}, reviewed=True)
    assert (written["title"], written["url"]) == (None, None)
    assert mismatches({"talk": _record()}, written) == []


def test_a_saved_page_with_a_placeholder_title_parses_to_null() -> None:
    html = (NYU / "1857.html").read_text(encoding="utf-8")
    html = html.replace("Building Efficient and Scalable Machine Learning Systems</h2>", "TBA</h2>")
    parsed = parse_page(SITE, Page(URL, html, SAVED))
    assert parsed["talk"]["title"] is None
    assert parsed["talk"]["speakers"][0]["name"] == "Qinghao Hu"
    wanted = {"title": None, "url": URL, "start": "2026-03-10T14:00:00-04:00"}
    assert mismatches(parsed, wanted) == []
