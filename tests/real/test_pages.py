"""`talkfeed extract` on the real pages that have no expectation file, and what the folders of
real pages say about themselves (checked against what the tests assume)."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

from aggregator.cli import main
from tests.shared_real import SHARED_REAL, real_glob, real_path, require_shared

PAGES: dict[str, dict[str, Any]] = tomllib.loads(
    (Path(__file__).parent / "pages.toml").read_text(encoding="utf-8")
)


def extract(capsys: pytest.CaptureFixture[str], name: str) -> tuple[list[dict[str, Any]], str]:
    entry = PAGES[name]
    path = SHARED_REAL / "pages" / name
    assert main(["extract", str(path), "--url", entry["url"], "--timezone", entry["timezone"]]) == 0
    out, err = capsys.readouterr()
    records: list[dict[str, Any]] = json.loads(out)
    return records, err


def brief(record: dict[str, Any]) -> tuple[Any, ...]:
    speakers = tuple((s["name"], s["affiliation"]) for s in record["speakers"])
    return record["start"], record["end"], record["title"], speakers, record["url"]


def test_mad_fall_2019_takes_its_year_from_the_address_and_skips_empty_rows(
    capsys: pytest.CaptureFixture[str],
) -> None:
    real_path("pages/nyu-cds-mad-seminar/seminar_fall2019.html")
    records, err = extract(capsys, "nyu-cds-mad-seminar/seminar_fall2019.html")
    # 13 rows: "Oct 31" is empty and "Nov 21" says "(cancelled)" with nobody named.
    assert len(records) == 11
    assert "2 dated row(s) that are no talks left out" in err
    assert brief(records[0]) == (
        "2019-09-05T14:00:00-04:00",
        "2019-09-05T15:00:00-04:00",
        "Gromov-Wasserstein distances and distributional invariants of datasets",
        (("Facundo Memoli", "OSU"),),
        "https://mad.cds.nyu.edu/seminar_fall2019/#facundo",
    )
    # "Oct 25 3:30pm" overrides the series' "Time: 2:00pm-3:00pm" (and so has no end).
    song = next(r for r in records if r["speakers"][0]["name"] == "Song Mei")
    assert (song["start"], song["end"]) == ("2019-10-25T15:30:00-04:00", None)
    assert {r["location"] for r in records} == {
        "Auditorium Hall 150, Center for Data Science, NYU, 60 5th ave"
    }
    # After the clocks went back on November 3, 2019.
    assert records[-1]["start"] == "2019-12-05T14:00:00-05:00"


def test_mad_plus_reads_a_table_per_term_with_eastern_times(
    capsys: pytest.CaptureFixture[str],
) -> None:
    real_path("pages/nyu-cds-mad-seminar/madplus.html")
    records, _ = extract(capsys, "nyu-cds-mad-seminar/madplus.html")
    assert len(records) == 29
    # "4/16 11am EST" under "Spring 2021 Speakers": New York's clock, daylight time in April.
    assert brief(records[0]) == (
        "2021-04-16T11:00:00-04:00",
        None,
        "Statistical Limits for the Matrix Tensor Product",
        (("Galen Reeves", "Duke University"),),
        "https://mad.cds.nyu.edu/madplus/#galen",
    )
    # "10/7 11.15am EST" under "Fall 2020 Speakers".
    assert records[5]["start"] == "2020-10-07T11:15:00-04:00"
    assert records[5]["speakers"] == [{"name": "Jelani Nelson", "affiliation": "UC Berkeley"}]
    # A name with its nickname in parentheses keeps it; the last parenthesis is the affiliation.
    liza = next(r for r in records if r["url"].endswith("#liza"))
    assert liza["speakers"] == [
        {"name": "Elizaveta (Liza) Levina", "affiliation": "University of Michigan"}
    ]
    assert [r["start"][:4] for r in records].count("2020") == 8


def test_a_site_feed_of_pages_is_no_listing(capsys: pytest.CaptureFixture[str]) -> None:
    real_path("pages/nyu-cds-mad-seminar/index.xml")
    records, err = extract(capsys, "nyu-cds-mad-seminar/index.xml")
    assert records == []
    assert "RSS or Atom feed" in err


@pytest.mark.parametrize(
    "provenance", real_glob("pages/*/PROVENANCE.md"), ids=lambda p: p.parent.name
)
def test_each_page_is_read_at_the_address_its_provenance_gives(provenance: Path) -> None:
    require_shared()
    text = provenance.read_text(encoding="utf-8")
    folder = provenance.parent.name
    used = {name: entry for name, entry in PAGES.items() if name.startswith(f"{folder}/")}
    for name, entry in used.items():
        assert (SHARED_REAL / "pages" / name).is_file(), name
        assert entry["url"].rstrip("/") in text, f"{name}: {entry['url']} not in its PROVENANCE.md"


def test_the_folders_the_readme_names_are_where_the_tests_read_them() -> None:
    readme = real_path("README.md").read_text(encoding="utf-8")
    named = {n for n in re.findall(r"`([\w./<>-]+/)`", readme) if "<" not in n}
    assert {"nyu-cs-colloquium-text/", "platforms/ical-peer-corpus/"} <= named
    for folder in named:
        found = (SHARED_REAL / folder).is_dir() or (SHARED_REAL / "pages" / folder).is_dir()
        assert found, f"{folder} is named in shared/real/README.md but missing"


def test_a_page_drawn_in_the_browser_names_the_feed_it_draws_from(
    capsys: pytest.CaptureFixture[str],
) -> None:
    real_path("pages/princeton-physics-events/listing.html")
    records, err = extract(capsys, "princeton-physics-events/listing.html")
    # The filter form's <option>s ("Donald R. Hamilton Colloquium") are no talks.
    assert records == []
    assert "FullCalendar" in err and "https://phy.princeton.edu/feeds/events/calendar.json" in err
