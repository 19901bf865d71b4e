"""Cross-source merging (aggregator/records/merge.py) on 1,000 to 100,000 synthetic records.

The records imitate a large university's aggregate: about 60 records a day between 9:00 and
18:00, from 50 sources; 30 % of the real talks are listed by 2 or 3 sources, each with its own
spelling of the speaker ("Prof. José Núñez", "Nunez, Jose", "J. Núñez", "José A. Núñez, PhD"),
of the title (case, punctuation, a dropped subtitle, a typo), of the room, sometimes a start 5
minutes off, and sometimes the other source's URL. The density is fixed, so the span grows with
the size (1,000 records cover about 17 days; 100,000 about 4.5 years).
"""

from __future__ import annotations

import random
import unicodedata
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from aggregator.model import Speaker, StoredTalk, Talk
from aggregator.records.merge import merge
from bench import Section, median_seconds, peak_bytes

SIZES = (1_000, 10_000, 100_000)
RUNS = 3
PER_DAY = 60
SOURCES = 50
DUPLICATED = 0.3
ZONE = ZoneInfo("America/New_York")
FIRST_DAY = datetime(2023, 9, 1, tzinfo=ZONE)
SEEN = datetime(2023, 8, 1, tzinfo=UTC)

FIRST = [
    "Ada", "Alan", "Grace", "José", "Zoë", "Björn", "Chen", "Amara", "Ingrid", "Rahul",
    "Mei", "Olusegun", "Léa", "Tomás", "Yuki", "Fatima", "Dmitri", "Hannah", "Kwame",
    "Sofía", "Noor", "Pierre", "Astrid", "Mateo", "Priya", "Jun", "Emeka", "Greta",
    "Ravi", "Elif",
]  # fmt: skip
LAST = [
    "Lovelace", "Turing", "Hopper", "Núñez", "Müller", "Okafor", "Wang", "Svensson",
    "Patel", "Dubois", "García", "Kowalski", "Nakamura", "Haddad", "Ivanova", "Mensah",
    "Fernández", "Larsen", "Chowdhury", "Rossi", "Kim", "Brennan", "Søndergaard",
    "Adeyemi", "Schröder", "Moreau", "Takahashi", "Oyelaran", "Castillo", "Novak",
    "Lindqvist", "Zhou", "Abara", "Petrov", "Quintero", "Eriksen", "Mbeki", "Horvath",
    "Sato", "Whitfield",
]  # fmt: skip
MIDDLE = ["A.", "B.", "Maria", "J.", "K."]
WORDS = [
    "learning", "graphs", "quantum", "proofs", "networks", "robust", "inference",
    "causal", "geometry", "topology", "markets", "climate", "protein", "language",
    "models", "privacy", "sparse", "random", "matrices", "games", "equilibria",
    "streaming", "algorithms", "codes", "lattices", "fluids", "turbulence", "cells",
    "evolution", "memory", "circuits", "logic", "verification", "compilers",
    "databases", "vision", "speech", "robots", "control", "optimization", "bandits",
    "kernels", "manifolds", "symmetry", "dynamics", "entropy",
]  # fmt: skip
LINKS = ["for", "and", "in", "of", "with", "beyond", "via", "under"]
BUILDINGS = ["Science Center", "Warren Weaver Hall", "Gates Building", "Main Quad", "Hall B"]


def run() -> Section:
    """Time and measure `merge` at each size."""
    rows = []
    per_thousand = []
    for size in SIZES:
        talks, truth = synthetic(size, random.Random(size))
        clusters = merge(talks)
        seconds = median_seconds(partial(merge, talks), RUNS)
        previous = {m.talk.id: cluster.id for cluster in clusters for m in cluster.members}
        again = median_seconds(partial(merge, talks, previous=previous), RUNS)
        peak, held = peak_bytes(partial(merge, talks))
        found = {frozenset(m.talk.id for m in cluster.members) for cluster in clusters}
        recovered = len(found & truth) / len(truth)
        real = {talk_id: group for group in truth for talk_id in group}
        false_merges = sum(
            1 for cluster in clusters if len({real[m.talk.id] for m in cluster.members}) > 1
        )
        per_thousand.append(seconds / size * 1000)
        rows.append(
            (
                f"{size:,}",
                f"{len(truth):,}",
                f"{len(clusters):,}",
                f"{recovered:.1%}",
                f"{false_merges:,}",
                f"{seconds:.3f}",
                f"{per_thousand[-1] * 1000:.0f}",
                f"{again:.3f}",
                f"{peak / 2**20:.0f}",
                f"{held / 2**20:.0f}",
            )
        )
        print(f"  {size:,} records: {seconds:.2f} s, peak {peak / 2**20:.0f} MiB", flush=True)
    scale = SIZES[-1] // SIZES[0]
    growth = per_thousand[-1] / per_thousand[0] if per_thousand[0] else 0.0
    return Section(
        title="Merge: cross-source duplicates",
        method=(
            f"`aggregator.records.merge.merge` with default settings on synthetic records (see "
            f"bench/merge.py: {PER_DAY} records a day from {SOURCES} sources, "
            f"{DUPLICATED:.0%} of real talks listed by 2-3 sources with varied spellings). "
            f"Time: median of {RUNS} runs, records built beforehand; With `previous`: a next run "
            f"given the first run's cluster ids. Peak memory: one more run "
            f"under tracemalloc (Result: what the returned clusters hold). Recovered: real talks "
            f"whose records form exactly one cluster. False merges: clusters joining records "
            f"of different real talks."
        ),
        headers=(
            "Records",
            "Real talks",
            "Clusters",
            "Recovered",
            "False merges",
            "Median time (s)",
            "ms per 1,000 records",
            "With `previous` (s)",
            "Peak memory (MiB)",
            "Result (MiB)",
        ),
        rows=tuple(rows),
        finding=(
            f"Growth is near-linear: {scale} times the records take {scale * growth:.0f} times "
            f"as long ({growth:.1f} times as much per record), as only talks within the "
            f"15-minute window are compared; memory grows in proportion, most of it the "
            f"returned clusters."
        ),
    )


def synthetic(
    size: int, rng: random.Random, days: int | None = None
) -> tuple[list[StoredTalk], set[frozenset[str]]]:
    """`size` records and, as ground truth, the set of record ids of each real talk, spread
    over `days` days from FIRST_DAY (by default as many as give PER_DAY records a day)."""
    days = days or max(1, size // PER_DAY)
    keys: defaultdict[str, int] = defaultdict(int)
    talks: list[StoredTalk] = []
    truth: set[frozenset[str]] = set()
    speaking: set[tuple[date, str, str]] = set()
    while len(talks) < size:
        copies = 1
        if rng.random() < DUPLICATED:
            copies = 2 if rng.random() < 0.7 else 3
        copies = min(copies, size - len(talks))
        sources = rng.sample(range(SOURCES), copies)
        real = _RealTalk(rng, days)
        # One person gives one talk a day: two talks of one speaker an hour apart would be a
        # duplicate the merge rightly joins, not a test of it.
        while (real.start.date(), real.first, real.last) in speaking:
            real = _RealTalk(rng, days)
        speaking.add((real.start.date(), real.first, real.last))
        ids = []
        for position, source in enumerate(sources):
            record = _record(rng, real, f"src{source:02d}", keys, variant=position > 0)
            talks.append(record)
            ids.append(record.talk.id)
        truth.add(frozenset(ids))
    return talks, truth


class _RealTalk:
    """What the sources describe: one talk."""

    def __init__(self, rng: random.Random, days: int) -> None:
        self.first, self.last = rng.choice(FIRST), rng.choice(LAST)
        self.middle = rng.choice(MIDDLE) if rng.random() < 0.3 else None
        words = rng.sample(WORDS, rng.randint(2, 4))
        self.title = f"{words[0].title()} {rng.choice(LINKS)} {' '.join(words[1:])}"
        self.subtitle = " ".join(rng.sample(WORDS, 3)) if rng.random() < 0.3 else None
        day = FIRST_DAY + timedelta(days=rng.randrange(days))
        self.start = day.replace(hour=rng.randint(9, 17), minute=rng.choice([0, 15, 30, 45]))
        self.room = f"Room {rng.randint(100, 999)}"
        self.building = rng.choice(BUILDINGS)
        self.affiliation = f"University of {rng.choice(LAST)}"
        self.abstract = " ".join(rng.choices(WORDS, k=rng.randint(30, 120))).capitalize() + "."
        self.home_url = f"https://{self.last.lower()}.example.edu/talks/{rng.randrange(10**6)}"


def _record(
    rng: random.Random,
    real: _RealTalk,
    source: str,
    keys: defaultdict[str, int],
    *,
    variant: bool,
) -> StoredTalk:
    """One source's record of `real`; a `variant` spells things its own way."""
    keys[source] += 1
    key = keys[source]
    name = f"{real.first} {real.middle} {real.last}" if real.middle else f"{real.first} {real.last}"
    title = f"{real.title}: {real.subtitle}" if real.subtitle else real.title
    start = real.start
    location: str | None = f"{real.room}, {real.building}"
    url = f"https://{source}.example.edu/events/{key}"
    abstract: str | None = real.abstract
    if variant:
        name = rng.choice(
            [
                f"Prof. {real.first} {real.last}",
                f"{real.last}, {real.first}",
                f"{real.first[0]}. {real.last}",  # initials: only the title can match
                f"{real.first} {real.last}, PhD",
                _ascii(f"{real.first} {real.last}"),
                name,
            ]
        )
        title = rng.choice(
            [
                title,
                title.upper(),
                real.title,  # the subtitle dropped
                title.replace(" ", "  ").replace(":", " -"),
                _typo(rng, title),
            ]
        )
        if rng.random() < 0.2:
            start += timedelta(minutes=5)
        location = rng.choice([None, real.room, location, f"{real.building} {real.room}"])
        abstract = abstract if rng.random() < 0.5 else None
        if rng.random() < 0.1:
            url = real.home_url
    speaker = Speaker(name=name, affiliation=real.affiliation if rng.random() < 0.6 else None)
    talk = Talk(
        id=f"{source}:{key}",
        source=source,
        url=url,
        title=title,
        speakers=[speaker],
        start=start,
        timezone="America/New_York",
        location=location,
        abstract=abstract,
    )
    seen = SEEN + timedelta(days=rng.randrange(30))
    return StoredTalk(
        talk=talk, source_name=source.upper(), first_seen=seen, last_seen=seen, last_changed=seen
    )


def _ascii(text: str) -> str:
    """The name as an ASCII-only page prints it."""
    return "".join(
        char for char in unicodedata.normalize("NFKD", text) if not unicodedata.combining(char)
    )


def _typo(rng: random.Random, text: str) -> str:
    position = rng.randrange(1, len(text) - 1)
    return text[:position] + text[position + 1 :]
