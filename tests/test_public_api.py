"""The public surfaces are small and deliberate: a change to one is a visible change here."""

from __future__ import annotations

import aggregator
import feeds
import scrapers


def test_scrapers_surface() -> None:
    assert sorted(scrapers.__all__) == [
        "LabelSite", "Link", "OptionError", "Page", "ParseError", "SiteParser", "SpeakerDraft", "TalkDraft",
        "UnknownSiteError", "all_sites", "get_site", "register", "site_for_url",
    ]  # fmt: skip


def test_aggregator_surface() -> None:
    assert sorted(aggregator.__all__) == [
        "Config", "ConfigError", "FetchError", "RecordError", "RobotsDisallowedError", "RunReport",
        "SourceConfig", "SourceReport", "Speaker", "Status", "StoredTalk", "Talk",
        "TalkfeedError", "load_config", "run",
    ]  # fmt: skip


def test_feeds_surface() -> None:
    assert sorted(feeds.__all__) == [
        "ChangeEntry", "FORMATS", "FeedFilter", "FeedSpec", "calendar_talks", "event_file",
        "in_window", "matches", "render_atom", "render_changes", "render_event", "render_ical",
        "render_index", "render_json", "render_opml", "render_rss", "select", "window_start",
    ]  # fmt: skip


def test_every_name_exists() -> None:
    for module in (aggregator, feeds, scrapers):
        for name in module.__all__:
            assert hasattr(module, name), f"{module.__name__}.{name}"
