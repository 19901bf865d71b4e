from __future__ import annotations

import feeds


def test_public_surface_is_pinned() -> None:
    assert feeds.__all__ == [
        "FORMATS",
        "ChangeEntry",
        "FeedFilter",
        "FeedSpec",
        "in_window",
        "matches",
        "render_atom",
        "render_changes",
        "render_ical",
        "render_index",
        "render_rss",
        "select",
    ]


def test_formats_are_keyed_by_file_extension() -> None:
    assert {
        "rss": feeds.render_rss,
        "atom": feeds.render_atom,
        "ics": feeds.render_ical,
    } == feeds.FORMATS
