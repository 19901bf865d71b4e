"""Declaring a source in config: the common keys every kind takes, and the keyword filters."""

from __future__ import annotations

from typing import Any

import pytest

from aggregator.config import bundled_parsers
from scrapers import OptionError
from scrapers.kinds import build_source
from tests.fixture_pages import fixture_pages, parse_page

TTIC: dict[str, Any] = {
    "kind": "labels",
    "id": "ttic-filtered",
    "name": "TTIC",
    "url": "https://www.ttic.edu/talks/",
    "timezone": "America/Chicago",
    "talk_url": "/talks/(?P<key>[a-z0-9-]+)/$",
}
LISTING = next(p for p in fixture_pages() if p.name == "ttic-talks/listing")


def titles(**filters: list[str]) -> list[str]:
    site = build_source({**TTIC, **filters})
    return [talk["title"] for talk in parse_page(site, LISTING.page)["talks"]]


def test_without_filters_every_talk_is_kept() -> None:
    assert titles() == ["Learning to Route Packets Without a Map", "Sublinear Graph Sketches"]


def test_include_keeps_talks_mentioning_a_keyword_in_any_case() -> None:
    assert titles(include=["GRAPH"]) == ["Sublinear Graph Sketches"]
    assert titles(include=["graph", "packets"]) == [
        "Learning to Route Packets Without a Map", "Sublinear Graph Sketches",
    ]  # fmt: skip


def test_include_also_looks_at_speakers() -> None:
    assert titles(include=["tanaka"]) == ["Learning to Route Packets Without a Map"]


def test_exclude_drops_talks_and_wins_over_include() -> None:
    assert titles(exclude=["sketches"]) == ["Learning to Route Packets Without a Map"]
    assert titles(include=["graph"], exclude=["sublinear"]) == []


def test_duration_becomes_the_default_end() -> None:
    site = build_source({**TTIC, "duration": 90})
    (first, _) = parse_page(site, LISTING.page)["talks"]
    assert first["default_duration_minutes"] == 90


@pytest.mark.parametrize(
    ("change", "key", "message"),
    [
        ({"id": "TTIC Talks"}, "id", "lower-case words joined by '-'"),
        ({"id": None}, "id", "is required"),
        ({"url": "ftp://ttic.edu/"}, "url", "absolute http(s) URL"),
        ({"timezone": "Chicago"}, "timezone", "IANA time zone"),
        ({"name": ""}, "name", "non-empty string"),
        ({"include": "graph"}, "include", "list of non-empty strings"),
        ({"exclude": [""]}, "exclude", "list of non-empty strings"),
        ({"duration": True}, "duration", "whole number of minutes"),
        ({"kind": "rss"}, "kind", "must be one of"),
    ],
)
def test_bad_common_keys_name_the_key(change: dict[str, Any], key: str, message: str) -> None:
    table = {k: v for k, v in {**TTIC, **change}.items() if v is not None}
    with pytest.raises(OptionError) as caught:
        build_source(table)
    assert caught.value.key == key
    assert message in str(caught.value)


def test_bundled_declared_source_is_a_parser_like_any_site() -> None:
    parsers = bundled_parsers()
    assert parsers["penn-cs-theory-seminar"].name == "Penn CS Theory Seminar"
    assert parsers["penn-cs-theory-seminar"].timezone == "America/New_York"
    assert parsers["penn-cs-theory-seminar"].start_urls == (
        "https://theory.cis.upenn.edu/seminar/",
    )
