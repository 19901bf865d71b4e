"""Entries rendered by the parse workers during the crawl (`aggregator.warming`): a run that
has them publishes what a run without them does, byte for byte, and renders none of them again;
an entry the workers cannot render is left to publishing."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from aggregator import warming
from aggregator.cli import main
from aggregator.model import StoredTalk
from feeds import FORMATS, FeedSpec
from feeds.spec import Bodies
from scrapers import TalkDraft, get_site
from tests.faults import NOW, FaultySite, write_config
from tests.faults.test_parse_workers import feed_files

LATER = (datetime.fromisoformat(NOW) + timedelta(hours=1)).isoformat()


def _config(folder: Path, site: FaultySite, workers: int) -> Path:
    folder.mkdir()
    path = write_config(folder, site)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("[fetch]\n", f"[fetch]\nparse_workers = {workers}\n"), "utf-8")
    return path


def test_warmed_entries_publish_what_a_run_without_them_does(
    faulty: FaultySite, tmp_path: Path, rendered: list[int]
) -> None:
    alone = _config(tmp_path / "alone", faulty, workers=1)
    pooled = _config(tmp_path / "pooled", faulty, workers=2)

    def run(config: Path, now: str) -> int:
        rendered.clear()
        assert main(["run", "--config", str(config), "--now", now, "--quiet"]) == 0
        return sum(rendered)

    first = run(alone, NOW)
    assert first > 0, "without workers, publishing renders every entry"
    assert run(pooled, NOW) == 0, "a first run's talks are all foreseen"
    files = feed_files(alone.parent / "public")
    assert feed_files(pooled.parent / "public") == files

    # A talk retitled and one moved to another room: changed records, foreseen as changed.
    title = '<h2 class="colloq-title">Building Efficient'
    faulty.edit(faulty.detail_path(1857), title, '<h2 class="colloq-title">Building Faster')
    faulty.edit(faulty.detail_path(1861), "7th floor open space", "Room 202")
    assert run(alone, LATER) > 0
    assert run(pooled, LATER) == 0
    again = feed_files(alone.parent / "public")
    assert again != files
    assert feed_files(pooled.parent / "public") == again


def test_an_entry_the_workers_cannot_render_is_left_to_publishing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(talks: Sequence[StoredTalk], spec: FeedSpec, bodies: Bodies | None = None) -> bytes:
        raise RuntimeError("a rendering bug")

    monkeypatch.setitem(FORMATS, "ics", broken)
    site = get_site("nyu-cs-colloquium")
    start = datetime.fromisoformat(NOW) + timedelta(days=3)
    drafts = [
        TalkDraft(f"https://cs.nyu.edu/dynamic/news/colloquium/{key}/", title="T", start=start)
        for key in (1901, 1902)
    ]
    # A draft the run will reject (no start) is left out too.
    batch = [(site, draft, None) for draft in [*drafts, TalkDraft(drafts[0].url + "x")]]
    spec = FeedSpec(path="all", title="All talks", description="", link="https://example.edu/")
    since = dict.fromkeys(FORMATS)
    entries = warming.rendered_entries(batch, spec, since, datetime.fromisoformat(NOW))
    # Three formats of each talk; the fourth is publishing's to render, and to fail.
    assert len(entries) == 3 * len(drafts)
