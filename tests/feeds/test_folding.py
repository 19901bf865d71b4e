"""`feeds.folding` folds exactly as icalendar does, only faster."""

from __future__ import annotations

import random

import pytest
from icalendar import Calendar, Event
from icalendar.parser.string import _foldline

from feeds.folding import fold, serialize

# Characters of 1 to 4 UTF-8 bytes, and the escapes icalendar keeps together.
ALPHABET = "abc XYZ,;:\\^né—€中😀\t"


def _random_line(rng: random.Random) -> str:
    return "".join(rng.choice(ALPHABET) for _ in range(rng.randrange(0, 400)))


def test_fold_matches_icalendar_on_random_lines() -> None:
    rng = random.Random(5545)
    for _ in range(3000):
        line = _random_line(rng)
        assert fold(line) == _foldline(line).encode("utf-8"), line


@pytest.mark.parametrize(
    "line",
    [
        "",
        "x" * 74,
        "x" * 75,
        "x" * 148,
        "x" * 73 + "\\n" + "y" * 10,
        "x" * 73 + "é" + "y",
        "\\" * 200,
        "😀" * 60,
    ],
)
def test_fold_matches_icalendar_at_the_edges(line: str) -> None:
    assert fold(line) == _foldline(line).encode("utf-8")


def test_folded_lines_stay_within_75_octets() -> None:
    folded = fold("é" * 100 + "\\," * 100)
    for physical in folded.split(b"\r\n"):
        assert len(physical) <= 75
        physical.decode("utf-8")


def test_serialize_writes_what_to_ical_writes() -> None:
    cal = Calendar()
    cal.add("prodid", "-//test//EN")
    cal.add("version", "2.0")
    rng = random.Random(7)
    for n in range(50):
        event = Event()
        event.add("uid", f"{n}@test")
        event.add("summary", _random_line(rng))
        event.add("description", _random_line(rng) + "\n\n" + _random_line(rng))
        event.add("categories", ["A, B", "C"])
        cal.add_component(event)
    assert serialize(cal) == cal.to_ical()
