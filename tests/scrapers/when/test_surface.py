"""The public surface of scrapers.when, which the listing extractor builds on."""

from __future__ import annotations

import inspect

import scrapers.when
from scrapers.when import DateStyle


def test_surface() -> None:
    assert sorted(scrapers.when.__all__) == [
        "ClockMention", "DateParseError", "DateStyle", "DayMention", "TermMention", "When",
        "find_clocks", "find_days", "find_terms", "find_whens", "page_style", "parse_datetime",
        "parse_datetime_range", "resolve",
    ]  # fmt: skip


def test_finders_default_to_english_and_an_open_order() -> None:
    for finder in (scrapers.when.find_days, scrapers.when.find_clocks, scrapers.when.find_whens):
        assert inspect.signature(finder).parameters["style"].default == DateStyle(("en",), None)


def test_date_parse_error_is_a_value_error() -> None:
    assert issubclass(scrapers.when.DateParseError, ValueError)
