"""khal, a calendar we did not write, importing our all.ics in Berlin: each talk at its local time
across the weeks when only the US is on summer time, a cancelled talk struck, a re-import after
a change replacing events instead of adding them, and a talk added alone from the index page
staying one event once the whole calendar is imported."""

from __future__ import annotations

import json
import os
import subprocess
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from aggregator.cli import main
from tests.conftest import LISTING_PATH, FixtureSite
from tests.fixture_pages import FIXTURES
from tests.outside_programs import require_program

TALKS = [1841, 1849, 1852, 1857, 1861, 1866, 1872, 1875]
BERLIN = ZoneInfo("Europe/Berlin")
FORMAT = "{uid}\t{start}\t{end}\t{cancelled}\t{title}"


class Listed(NamedTuple):
    """One event as `khal list` prints it, times in Berlin."""

    uid: str
    start: str
    end: str
    cancelled: bool
    title: str


class Khal:
    """khal with one calendar, "talks", in a home of its own, set to Berlin time by its config
    while the process itself runs in UTC, so the zone can only come from khal's settings."""

    def __init__(self, root: Path) -> None:
        self.executable = require_program("khal", "khal")
        home = root / "home"
        self.calendar = root / "talks"
        self.calendar.mkdir(parents=True)
        config = home / ".config" / "khal" / "config"
        config.parent.mkdir(parents=True)
        config.write_text(
            f"""[calendars]
[[talks]]
path = {self.calendar}
type = calendar

[locale]
timeformat = %H:%M
dateformat = %Y-%m-%d
longdateformat = %Y-%m-%d
datetimeformat = %Y-%m-%d %H:%M
longdatetimeformat = %Y-%m-%d %H:%M
default_timezone = Europe/Berlin
local_timezone = Europe/Berlin

[default]
default_calendar = talks
""",
            encoding="utf-8",
        )
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(home),
            "XDG_CONFIG_HOME": str(home / ".config"),
            "XDG_DATA_HOME": str(home / ".local/share"),
            "XDG_CACHE_HOME": str(home / ".cache"),
            "TZ": "UTC",
            "LANG": "C.UTF-8",
        }

    def _call(self, *args: str) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [self.executable, "--no-color", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, f"khal {' '.join(args)}: {done.stderr}"
        return done

    def import_batch(self, ics: Path) -> None:
        """Import without questions; an event whose UID is known replaces the old one."""
        done = self._call("import", "--batch", "-a", "talks", str(ics))
        assert done.stderr == "", f"khal complained about {ics.name}:\n{done.stderr}"

    def list(self, start: str = "2026-01-01", end: str = "2026-12-31") -> list[Listed]:
        """Every event from `start` to `end`, one per printed line."""
        stdout = self._call("list", "--format", FORMAT, "--day-format", "", start, end).stdout
        listed = []
        for line in filter(None, stdout.splitlines()):
            uid, begins, ends, cancelled, title = line.split("\t")
            listed.append(Listed(uid, begins, ends, cancelled.strip() == "CANCELLED", title))
        return listed


def run(config: Path, now: str) -> None:
    assert main(["run", "--config", str(config), "--now", now, "--quiet"]) == 0


def uid(talk: int) -> str:
    return f"nyu-cs-colloquium:{talk}@talkfeed"


def in_berlin(talk: int) -> str:
    """The talk's start from its reviewed expectation, as a clock in Berlin reads it."""
    path = FIXTURES / "nyu-cs-colloquium" / f"{talk}.expected.json"
    record: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return datetime.fromisoformat(record["start"]).astimezone(BERLIN).strftime("%Y-%m-%d %H:%M")


def test_khal_lists_each_talk_at_its_time_in_berlin_and_strikes_the_cancelled_one(
    site: FixtureSite, config_file: Path, tmp_path: Path
) -> None:
    out = config_file.parent / "public"
    site.edit(
        site.detail_path(1866),
        "Cryptography for a Post-Quantum Internet</h2>",
        "CANCELLED: Cryptography for a Post-Quantum Internet</h2>",
    )
    run(config_file, "2026-03-01T09:00:00-05:00")
    khal = Khal(tmp_path / "khal")
    khal.import_batch(out / "all.ics")

    events = khal.list()
    listed = {event.uid: event for event in events}
    assert len(events) == len(listed) == len(TALKS)
    assert sorted(listed) == sorted(uid(t) for t in TALKS)
    assert {u: e.start for u, e in listed.items()} == {uid(t): in_berlin(t) for t in TALKS}
    # 2 p.m. in New York: 8 p.m. in Berlin in winter, but 7 p.m. between March 8, when the US
    # moves its clocks, and March 29, when Europe does.
    assert listed[uid(1849)][1:3] == ("2026-02-10 20:00", "2026-02-10 21:00")
    assert listed[uid(1857)][1:3] == ("2026-03-10 19:00", "2026-03-10 20:00")
    assert listed[uid(1861)].start == "2026-03-24 20:30"
    assert [u for u, e in listed.items() if e.cancelled] == [uid(1866)]
    assert listed[uid(1857)].title.startswith("Building Efficient and Scalable Machine Learning")


def test_khal_reimport_after_a_move_replaces_the_event(
    site: FixtureSite, config_file: Path, tmp_path: Path
) -> None:
    out = config_file.parent / "public"
    run(config_file, "2026-03-01T09:00:00-05:00")
    khal = Khal(tmp_path / "khal")
    khal.import_batch(out / "all.ics")
    assert len(khal.list()) == len(TALKS)

    for path in (site.detail_path(1875), f"{LISTING_PATH}?semester=fall_2026"):
        site.edit(path, "Oct. 6, 2026, 11:30 a.m.", "Oct. 8, 2026, 2 p.m.")
    run(config_file, "2026-03-02T09:00:00-05:00")
    khal.import_batch(out / "all.ics")

    listed = khal.list()
    assert len(listed) == len(TALKS), "re-importing a UID replaces its event"
    assert sorted(e.uid for e in listed) == sorted(uid(t) for t in TALKS)
    assert len(list(khal.calendar.glob("*.ics"))) == len(TALKS)
    # Oct. 8 is still summer time on both sides: 2 p.m. EDT is 8 p.m. CEST.
    assert khal.list("2026-10-06", "2026-10-07") == []
    (moved,) = khal.list("2026-10-08", "2026-10-09")
    assert moved[:3] == (uid(1875), "2026-10-08 20:00", "2026-10-08 21:00")


def test_a_talk_added_alone_and_then_the_feed_make_one_event(
    config_file: Path, tmp_path: Path
) -> None:
    out = config_file.parent / "public"
    run(config_file, "2026-03-01T09:00:00-05:00")
    khal = Khal(tmp_path / "khal")
    khal.import_batch(out / "talks" / "nyu-cs-colloquium" / "1857.ics")
    (alone,) = khal.list()
    assert alone[:3] == (uid(1857), "2026-03-10 19:00", "2026-03-10 20:00")

    khal.import_batch(out / "all.ics")

    listed = khal.list()
    assert len(listed) == len(TALKS), "the feed's event replaced the one added alone"
    assert [e for e in listed if e.uid == uid(1857)] == [alone]
