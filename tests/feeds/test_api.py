from __future__ import annotations

import feeds


def test_formats_are_keyed_by_file_extension() -> None:
    assert {
        "rss": feeds.render_rss,
        "atom": feeds.render_atom,
        "feed.json": feeds.render_json,
        "ics": feeds.render_ical,
    } == feeds.FORMATS
