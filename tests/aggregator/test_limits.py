"""A source's limits: which talks it keeps when it gives too many, and what its health says."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from aggregator.config import LimitSettings
from aggregator.records.limits import within_limits
from scrapers import SiteParser, TalkDraft

NEW_YORK = ZoneInfo("America/New_York")
NOW = datetime(2026, 3, 1, 12, tzinfo=NEW_YORK)
SITE = SiteParser.configured(
    id="site", name="Site", start_urls=("https://x.example/",), timezone="America/New_York"
)


def drafts(*hours: float) -> list[TalkDraft]:
    return [TalkDraft(f"https://x.example/{h}", start=NOW + timedelta(hours=h)) for h in hours]


def kept_hours(kept: list[TalkDraft]) -> list[float]:
    return [(d.start - NOW) / timedelta(hours=1) for d in kept if d.start is not None]


def test_a_source_within_its_limits_keeps_everything_in_its_order() -> None:
    given = drafts(5, -30, 2, 400)
    kept = within_limits(SITE, given, LimitSettings(10, 10), NOW)
    assert (kept.drafts, kept.warnings) == (given, [])


def test_upcoming_talks_nearest_first_then_past_ones_latest_first() -> None:
    kept = within_limits(SITE, drafts(-1, -50, 30, 1, -2, 200), LimitSettings(4, 10), NOW)
    assert kept_hours(kept.drafts) == [-1, 30, 1, 200]
    kept = within_limits(SITE, drafts(-1, -50, 30, 1, -2, 200), LimitSettings(5, 10), NOW)
    assert kept_hours(kept.drafts) == [-1, 30, 1, -2, 200]
    assert kept.warnings == [
        "6 talks, more than 5: kept the 5 nearest to now, upcoming ones first"
        " ([limits] talks_per_source)"
    ]


def test_a_day_is_the_talks_own() -> None:
    # 00:30 on 2 March in Berlin is 18:30 on 1 March in New York: a day of its own. A UTC time
    # is shown in the site's zone, and 00:30 UTC on 2 March is 19:30 on 1 March there.
    given = [
        TalkDraft("berlin", start=datetime(2026, 3, 2, 0, 30, tzinfo=ZoneInfo("Europe/Berlin"))),
        TalkDraft("new-york", start=datetime(2026, 3, 1, 19, 0, tzinfo=NEW_YORK)),
        TalkDraft("utc", start=datetime(2026, 3, 2, 0, 30, tzinfo=UTC)),
    ]
    kept = within_limits(SITE, given, LimitSettings(10, 1), NOW)
    assert [d.url for d in kept.drafts] == ["berlin", "new-york"]
    assert kept.warnings == [
        "more than 1 talks on 1 day(s) (on 2026-03-01: 2): kept 1 of each day, the nearest to"
        " now ([limits] talks_per_day)"
    ]


def test_a_draft_without_a_start_is_left_for_normalizing_to_report() -> None:
    given = [*drafts(1, 2, 3), TalkDraft("https://x.example/undated")]
    kept = within_limits(SITE, given, LimitSettings(1, 10), NOW)
    assert [d.url for d in kept.drafts] == ["https://x.example/1", "https://x.example/undated"]
