"""The health ledger: rot detection on made-up histories, the runs it reads from the store,
and a source that breaks quietly, end to end through health.json and `talkfeed status`."""

from __future__ import annotations

import contextlib
import json
import re
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from icalendar import Calendar

from aggregator.cli import main
from aggregator.errors import FetchError, OutputError, RobotsDisallowedError
from aggregator.fetching.fetch import Response, outcome
from aggregator.health import (
    HEALTH_FILE,
    HISTORY_RUNS,
    PastRun,
    fill_rates,
    load_health,
    past_runs,
    rot,
    status_lines,
)
from aggregator.store.database import SOURCE_REPORTS_KEPT, Store
from scrapers import SpeakerDraft, TalkDraft
from tests.conftest import LISTING_PATH, FixtureSite

FULL = {"start": 1.0, "speakers": 1.0, "location": 1.0, "abstract": 1.0}


def history(*talks: int, **fill: list[float]) -> list[PastRun]:
    """Earlier runs given oldest first, returned newest first as the store gives them."""
    runs = [
        PastRun(count, {**FULL, **{name: rates[i] for name, rates in fill.items()}})
        for i, count in enumerate(talks)
    ]
    return runs[::-1]


# --- rot detection ---------------------------------------------------------------------------


def test_zero_talks_after_runs_that_had_some() -> None:
    assert rot(0, FULL, history(8, 8, 8, 7, 8)) == ["0 talks; the last 5 runs found 8, 8, 8, 7, 8"]


def test_zero_talks_from_a_small_source_is_flagged_too() -> None:
    assert rot(0, FULL, history(2, 1, 2)) == ["0 talks; the last 3 runs found 2, 1, 2"]


def test_zero_talks_from_a_source_that_usually_has_none_is_normal() -> None:
    assert rot(0, FULL, history(0, 0, 3, 0, 0)) == []


def test_far_fewer_talks_than_the_median() -> None:
    assert rot(3, FULL, history(8, 8, 8, 7, 8)) == [
        "3 talks, under half of the usual 8; the last 5 runs found 8, 8, 8, 7, 8"
    ]
    # Half the median is still within the usual ups and downs.
    assert rot(4, FULL, history(8, 8, 8, 7, 8)) == []


def test_far_fewer_is_not_judged_for_sources_with_few_talks() -> None:
    assert rot(1, FULL, history(3, 3, 3, 3, 3)) == []


def test_a_key_field_that_collapses() -> None:
    flags = rot(
        8, {**FULL, "abstract": 0.125}, history(8, 8, 8, 8, 8, abstract=[1, 1, 0.9, 1, 0.8])
    )
    assert flags == [
        "abstract filled in 12% of talks, under half of the usual 100%;"
        " the last 5 runs: 100%, 100%, 90%, 100%, 80%"
    ]


def test_a_field_that_was_rarely_filled_cannot_collapse() -> None:
    assert rot(8, {**FULL, "location": 0.0}, history(8, 8, 8, location=[0.5, 0.5, 0.5])) == []


def test_a_field_at_half_its_median_has_not_collapsed() -> None:
    assert rot(8, {**FULL, "speakers": 0.5}, history(8, 8, 8, speakers=[1, 1, 1])) == []


def test_no_flag_on_a_short_history() -> None:
    assert rot(0, {**FULL, "abstract": 0.0}, history(8, 8)) == []


def test_no_flag_on_a_stable_history() -> None:
    assert rot(8, FULL, history(8, 7, 8, 9, 8)) == []
    assert rot(7, {**FULL, "abstract": 0.75}, history(8, 8, 8, abstract=[0.9, 0.8, 1])) == []


def test_only_the_last_five_runs_count() -> None:
    older_and_busier = [PastRun(40, FULL)] * 10
    assert rot(8, FULL, [*history(8, 8, 8, 8, 8), *older_and_busier]) == []


def test_a_source_that_now_lists_nothing_is_flagged_three_runs_in_a_row() -> None:
    runs = history(8, 8, 8, 8, 8)
    flagged = []
    for _ in range(5):
        flagged.append(bool(rot(0, dict.fromkeys(FULL), runs)))
        runs.insert(0, PastRun(0, dict.fromkeys(FULL)))
    assert flagged == [True, True, True, False, False]


def test_no_talks_means_no_fill_rates_to_judge() -> None:
    rates = dict.fromkeys(FULL)
    assert rot(0, rates, history(8, 8, 8)) == ["0 talks; the last 3 runs found 8, 8, 8"]


def test_runs_recorded_before_the_ledger_give_counts_only() -> None:
    runs = past_runs([{"site": "s", "talks": 5}, {"site": "s", "talks": 6, "health": {}}])
    assert runs == [PastRun(5, {}), PastRun(6, {})]
    assert rot(0, FULL, runs * 2) == ["0 talks; the last 4 runs found 6, 5, 6, 5"]


# --- the ledger's parts ----------------------------------------------------------------------


def test_fill_rates_count_blank_text_as_missing() -> None:
    start = datetime(2026, 3, 1, 14, tzinfo=UTC)
    drafts = [
        TalkDraft("u1", start=start, speakers=[SpeakerDraft("Ada")], abstract="Text."),
        TalkDraft("u2", start=start, location="Room 1", abstract="  \n "),
        TalkDraft("u3", location=""),
        TalkDraft("u4", start=start, abstract="More."),
    ]
    assert fill_rates(drafts) == {
        "start": 0.75,
        "speakers": 0.25,
        "location": 0.25,
        "abstract": 0.5,
    }
    assert fill_rates([]) == {"start": None, "speakers": None, "location": None, "abstract": None}


@dataclass(frozen=True)
class Revalidated(Response):
    """A 304 answered from the cache, as the fetcher reports one."""

    not_modified: bool = True


def test_outcomes_by_status_class_and_error_kind() -> None:
    now = datetime(2026, 3, 1, tzinfo=UTC)
    ok = Response("https://x.test/", 200, "", "text/html", now)
    assert outcome(ok) == "2xx"
    assert outcome(Revalidated("https://x.test/", 200, "", "text/html", now)) == "304"
    assert outcome(FetchError("https://x.test/", "HTTP 404 Not Found", status=404)) == "4xx"
    assert outcome(FetchError("https://x.test/", "HTTP 503", status=503)) == "5xx"
    assert outcome(RobotsDisallowedError("https://x.test/")) == "robots"
    assert outcome(FetchError("https://x.test/", "ConnectError: refused")) == "network"
    try:
        raise FetchError("https://x.test/", "ReadTimeout") from httpx.ReadTimeout("slow")
    except FetchError as exc:
        assert outcome(exc) == "timeout"


# --- what the store remembers ----------------------------------------------------------------


def entry(site: str, talks: int, **fields: Any) -> dict[str, Any]:
    return {"site": site, "talks": talks, "failed": False, "errors": [], **fields}


def test_store_gives_each_source_its_runs_read_in_full_newest_first(tmp_path: Path) -> None:
    t0 = datetime(2026, 3, 1, 9, tzinfo=UTC)
    runs = [
        [entry("a", 1), entry("b", 10)],
        [entry("a", 2), entry("b", 0, failed=True, errors=["down"])],
        [entry("a", 3, errors=["a detail page failed"]), entry("b", 11)],
        [entry("a", 4, health={"flags": ["0 talks; …"]})],
        [entry("a", 5)],
    ]
    with Store(tmp_path / "db.sqlite") as store:
        for hour, sources in enumerate(runs):
            when = t0 + timedelta(hours=hour)
            store.record_run(when, when, 0, {"sources": sources})
        assert [e["talks"] for e in store.source_reports("a", 5)] == [5, 4, 2, 1]
        assert [e["talks"] for e in store.source_reports("a", 2)] == [5, 4]
        assert [e["talks"] for e in store.source_reports("b", 5)] == [11, 10]
        assert store.source_reports("c", 5) == []
        # A flagged run read the source, but it was no success.
        assert store.last_success("a") == t0 + timedelta(hours=4)
        assert store.last_success("b") == t0 + timedelta(hours=2)
        assert store.last_success("c") is None


def test_a_store_that_kept_only_run_reports_answers_the_same(tmp_path: Path) -> None:
    t0 = datetime(2026, 3, 1, 9, tzinfo=UTC)
    path = tmp_path / "db.sqlite"
    runs = [[entry("a", n), entry("b", n, errors=["x"] if n % 2 else [])] for n in range(14)]
    with Store(path) as store:
        for hour, sources in enumerate(runs):
            when = t0 + timedelta(hours=hour)
            store.record_run(when, when, 0, {"sources": sources})
        answers = [(store.source_reports(s, 5), store.last_success(s)) for s in "ab"]
    # As an older talkfeed left it: the runs, and nothing kept apart.
    with contextlib.closing(sqlite3.connect(path)) as connection, connection:
        connection.execute("DROP TABLE source_runs")
        connection.execute("DELETE FROM meta WHERE key = 'source_runs filled'")
    with Store(path) as store:
        assert [(store.source_reports(s, 5), store.last_success(s)) for s in "ab"] == answers
    assert [e["talks"] for e in answers[0][0]] == [13, 12, 11, 10, 9]
    assert [e["talks"] for e in answers[1][0]] == [12, 10, 8, 6, 4]
    assert answers[1][1] == t0 + timedelta(hours=12)


def test_a_run_reads_no_more_past_reports_than_the_store_keeps() -> None:
    assert HISTORY_RUNS <= SOURCE_REPORTS_KEPT


# --- health.json and the status table --------------------------------------------------------


def test_missing_or_broken_health_file(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="no health report yet"):
        load_health(tmp_path)
    (tmp_path / HEALTH_FILE).write_text("{not json", encoding="utf-8")
    with pytest.raises(OutputError, match="cannot read the health report"):
        load_health(tmp_path)


def test_status_table_shows_the_first_problem_and_how_many_more() -> None:
    document = {
        "started": "2026-03-01T09:00:00-05:00",
        "duration_seconds": 2.5,
        "exit_code": 1,
        "sources": [
            {"source": "a-long-source-id", "status": "ok", "talks": 8,
             "last_success": "2026-03-01T09:00:00-05:00", "errors": [], "flags": []},
            {"source": "b", "status": "failed", "talks": 0, "last_success": None,
             "errors": ["https://b.test/: HTTP 503", "https://b.test/2: HTTP 503"], "flags": []},
        ],
    }  # fmt: skip
    assert status_lines(document) == [
        "SOURCE            STATUS  TALKS  LAST SUCCESS            FLAG / EVIDENCE",
        "a-long-source-id  ok      8      2026-03-01 09:00 -0500",
        "b                 failed  0      never                   https://b.test/: HTTP 503 (and 1 more)",
        "run 2026-03-01 09:00 -0500, 2.5 s, exit code 1",
    ]


# --- end to end ------------------------------------------------------------------------------

TIMES = [f"2026-03-01T{hour:02d}:00:00-05:00" for hour in range(9, 14)]
EMPTY_LISTING = "<html><body><h1>Colloquium</h1><p>Nothing scheduled.</p></body></html>"


def run(config: Path, now: str, *options: str) -> int:
    return main(["run", "--config", str(config), "--now", now, "--quiet", *options])


def health(out: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((out / HEALTH_FILE).read_text(encoding="utf-8"))
    return document


def feeds_text(out: Path) -> str:
    """Every file a subscriber may read, as one text."""
    return "\n".join(
        p.read_text(encoding="utf-8")
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.name != HEALTH_FILE
    )


def test_a_listing_that_suddenly_lists_nothing_is_flagged(
    site: FixtureSite, config_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = config_file.parent / "public"
    for now in TIMES[:3]:
        assert run(config_file, now) == 0
    (good,) = health(out)["sources"]
    assert good["status"] == "ok"
    assert good["talks"] == 8
    assert good["last_success"] == TIMES[2]
    # The three talks that are over were read in the first run and are not asked for again.
    assert good["pages"] == {"fetched": 7, "revalidated": 0, "reused": 3, "failed": 0}
    assert good["http"] == {"2xx": 7}
    assert good["fill"] == FULL
    before = Calendar.from_ical((out / "all.ics").read_bytes()).events
    assert len(before) == 8
    capsys.readouterr()

    site.pages[LISTING_PATH] = EMPTY_LISTING
    assert run(config_file, TIMES[3]) == 1
    evidence = "0 talks; the last 3 runs found 8, 8, 8"
    assert capsys.readouterr().err == f"nyu-cs-colloquium: flagged, probably broken: {evidence}\n"

    document = health(out)
    assert (document["started"], document["exit_code"]) == (TIMES[3], 1)
    assert document["duration_seconds"] >= 0
    (flagged,) = document["sources"]
    assert flagged["status"] == "flagged"
    assert flagged["flags"] == [evidence]
    assert flagged["talks"] == 0
    assert flagged["last_success"] == TIMES[2]
    assert flagged["errors"] == []
    assert flagged["fill"] == dict.fromkeys(FULL)

    assert main(["status", "--config", str(config_file)]) == 1
    table = capsys.readouterr().out.splitlines()
    assert re.split(r" {2,}", table[1]) == [
        "nyu-cs-colloquium", "flagged", "0", "2026-03-01 11:00 -0500", evidence,
    ]  # fmt: skip

    # A probably broken source changes nothing: its talks stay, not even tentative.
    after = Calendar.from_ical((out / "all.ics").read_bytes()).events
    assert {str(e.uid): e.status for e in after} == {str(e.uid): "CONFIRMED" for e in before}
    text = feeds_text(out)
    assert "probably broken" not in text
    assert evidence not in text
    assert "flagged" not in text.lower()


def test_a_failed_page_shows_in_health_and_never_in_a_feed(
    site: FixtureSite, config_file: Path
) -> None:
    out = config_file.parent / "public"
    assert run(config_file, TIMES[0]) == 0
    site.status[site.detail_path(1857)] = 500
    assert run(config_file, TIMES[1]) == 1
    (failed,) = health(out)["sources"]
    assert failed["status"] == "failed"
    assert failed["last_success"] == TIMES[0]
    assert failed["pages"] == {"fetched": 6, "revalidated": 0, "reused": 3, "failed": 1}
    assert failed["http"] == {"2xx": 6, "5xx": 1}
    assert len(failed["errors"]) == 1
    assert "HTTP 500" in failed["errors"][0]
    assert "HTTP 500" not in feeds_text(out)
    assert "failing on purpose" not in feeds_text(out)


def test_status_before_any_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["status", "--out", str(tmp_path)]) == 3
    err = capsys.readouterr().err
    assert err == (
        f"talkfeed: error: {tmp_path / HEALTH_FILE}: no health report yet"
        " (run `talkfeed run` first)\n"
    )


def test_status_exits_0_when_all_is_well(
    site: FixtureSite, config_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(config_file, TIMES[0]) == 0
    capsys.readouterr()
    assert main(["status", "--config", str(config_file)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert re.split(r" {2,}", lines[0]) == [
        "SOURCE",
        "STATUS",
        "TALKS",
        "LAST SUCCESS",
        "FLAG / EVIDENCE",
    ]
    assert re.split(r" {2,}", lines[1]) == [
        "nyu-cs-colloquium",
        "ok",
        "8",
        "2026-03-01 09:00 -0500",
    ]
    assert lines[2].startswith("run 2026-03-01 09:00 -0500, ")
    assert lines[2].endswith(" s, exit code 0")


def test_json_log_lines(
    site: FixtureSite, config_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["run", "--config", str(config_file), "--log-format", "json"]
    for now in TIMES[:3]:
        assert main([*args, "--now", now]) == 0
    events = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert [e["event"] for e in events] == ["source", "run"] * 3
    source, finished = events[-2:]
    assert source == {
        "event": "source", "source": "nyu-cs-colloquium", "status": "ok", "talks": 8,
        "listings": 2, "details": 5, "errors": [], "warnings": [], "flags": [],
    }  # fmt: skip
    assert finished["exit_code"] == 0
    assert finished["new"] == finished["changed"] == 0

    site.pages[LISTING_PATH] = EMPTY_LISTING
    assert main([*args, "--now", TIMES[3]]) == 1
    lines = capsys.readouterr().err.splitlines()
    source, finished = (json.loads(line) for line in lines)
    assert source["status"] == "flagged"
    assert source["flags"] == ["0 talks; the last 3 runs found 8, 8, 8"]
    assert finished == finished | {"event": "run", "exit_code": 1}


def test_quiet_json_log_holds_only_sources_with_problems(
    site: FixtureSite, config_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["run", "--config", str(config_file), "--log-format", "json", "--quiet"]
    assert main([*args, "--now", TIMES[0]]) == 0
    assert capsys.readouterr().err == ""
    site.status[LISTING_PATH] = 503
    assert main([*args, "--now", TIMES[1]]) == 1
    (line,) = capsys.readouterr().err.splitlines()
    event = json.loads(line)
    assert (event["event"], event["status"], event["talks"]) == ("source", "failed", 0)
    assert event["errors"][0] == "no listing could be read; keeping the talks already published"


def descriptions(out: Path) -> dict[str, str]:
    calendar = Calendar.from_ical((out / "all.ics").read_bytes())
    return {str(event.uid): str(event["DESCRIPTION"]) for event in calendar.events}


def test_a_field_that_vanishes_is_flagged_and_kept_from_the_store(
    site: FixtureSite, config_file: Path
) -> None:
    out = config_file.parent / "public"
    for now in TIMES[:3]:
        assert run(config_file, now) == 0
    before = descriptions(out)
    assert all("\nAbstract:\n" in text for text in before.values())
    # The site renames its label: every page still answers, but no abstract is found.
    for path in [p for p in site.pages if p.rstrip("/").split("/")[-1].isdigit()]:
        site.edit(path, "Synopsis:</h3>", "Worum es geht:</h3>")
    assert run(config_file, TIMES[3]) == 1
    (flagged,) = health(out)["sources"]
    assert flagged["status"] == "flagged"
    # The three talks that are over keep their abstracts: they are not read again.
    assert flagged["fill"]["abstract"] == 3 / 8
    assert flagged["flags"] == [
        "abstract filled in 38% of talks, under half of the usual 100%;"
        " the last 3 runs: 100%, 100%, 100%"
    ]
    assert descriptions(out) == before


def test_status_table_says_when_a_run_could_not_publish() -> None:
    document = {
        "started": "2026-03-01T09:00:00-05:00",
        "duration_seconds": 1,
        "exit_code": 3,
        "publish_error": "public/all.rss: cannot write: No space left on device",
        "sources": [{"source": "a", "status": "ok", "talks": 8, "last_success": None}],
    }
    assert status_lines(document)[-2:] == [
        "run 2026-03-01 09:00 -0500, 1 s, exit code 3",
        "not published (the feeds are the last run's): public/all.rss: cannot write: No space"
        " left on device",
    ]
