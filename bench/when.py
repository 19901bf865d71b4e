"""The readers of scrapers/when/ on text blocks as listing pages hold them: a date-heavy event
card, an abstract without dates, a German card, a Chinese card; with English alone and with nine
languages. Each call runs on a warm cache (the patterns are compiled once per language set);
the first use of a language set is timed apart."""

from __future__ import annotations

import time
import timeit
from collections.abc import Callable
from functools import partial

from bench import Section
from scrapers.when import DateStyle, find_clocks, find_days, find_terms, find_whens

BLOCKS = {
    "event card": (
        "Fri, Sep 19, 2025 , 4:00 pm – 6:00 pm. Speaker: Jane Doe (MIT). Location: Wooten Hall, "
        "Room 301. Abstract: we study things in 3 dimensions and 2 more with 45 people, from "
        "the 1990s onwards."
    ),
    "abstract": (
        "We consider the problem of learning a linear classifier when the data are drawn from "
        "a mixture of distributions and show that the sample complexity is nearly optimal in "
        "several regimes of interest."
    ),
    "German card": (
        "Mittwoch, 21. Oktober 2025, 18 Uhr, Hörsaal 2, Institut für Mathematik. Vortrag von "
        "Prof. Dr. Müller über Zahlentheorie und ihre Anwendungen in der Kryptographie."
    ),
    "Chinese card": (
        "讲座时间：2025年5月12日（星期一）下午2:00-3:30，地点：理科一号楼1114，主讲人：张三教授"
        "（北京大学），欢迎全体师生参加。"
    ),
}
STYLES = {
    "en": DateStyle(),
    "9 languages": DateStyle(("de", "fr", "es", "pt", "it", "nl", "zh", "ja", "ko")),
}
READERS = (find_days, find_clocks, find_whens, find_terms)
CALLS = 2_000
RUNS = 5


def run() -> Section:
    """Microseconds per call of each reader on each block."""
    first_use = _first_use(STYLES["9 languages"])
    rows = []
    for style_name, style in STYLES.items():
        for block_name, block in BLOCKS.items():
            cells = [
                f"{_fastest(partial(reader, block, style)) / CALLS * 1e6:.1f}" for reader in READERS
            ]
            rows.append((style_name, block_name, str(len(block)), *cells))
    return Section(
        title="Dates, times and terms in text blocks (scrapers/when)",
        method=(
            f"Fastest of {RUNS} runs of {CALLS:,} calls on one block (the least disturbed by "
            "other work on the machine), in microseconds per call. "
            f"First use of a new language set (building its patterns): {first_use * 1000:.0f} ms."
        ),
        headers=("languages", "block", "chars", *(reader.__name__ for reader in READERS)),
        rows=tuple(rows),
        finding="find_whens runs find_days, then find_clocks only near the days it found.",
    )


def _fastest(call: Callable[[], object]) -> float:
    return min(timeit.repeat(call, number=CALLS, repeat=RUNS))


def _first_use(style: DateStyle) -> float:
    began = time.perf_counter()
    for reader in READERS:
        reader("", style)
        reader("Fall 2025: 3 May, 2pm", style)
    return time.perf_counter() - began
