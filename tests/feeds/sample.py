"""Stored talks that hit the renderers' traps, shared by the tests and the hash-seed subprocess."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from aggregator.model import SourceLink, Speaker, Status, StoredTalk, Talk
from feeds import FeedSpec

DASH = "\N{EN DASH}"
"""Between the start and end of a time span."""

NEW_YORK = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")

NOW = datetime(2026, 3, 10, 18, 30, tzinfo=UTC)
"""14:30 EDT: the DST-after talk is running, the DST-before one is over."""

NASTY_ABSTRACT = (
    "Trees & graphs.\x0bA soft break.\n\n<script>alert(1)</script> is not code here.\n \n"
    "Third \x00paragraph."
)

SPEC = FeedSpec(
    path="sites/nyu-cs-colloquium",
    title="NYU Computer Science Colloquium",
    description="Talks at NYU's Courant Institute",
    link="https://cs.nyu.edu/dynamic/news/colloquium/",
    base_url="https://talks.example.edu/",
)


def _stored(
    talk: Talk,
    source_name: str,
    first_seen: datetime,
    last_changed: datetime,
    sequence: int = 0,
) -> StoredTalk:
    return StoredTalk(
        talk=talk,
        source_name=source_name,
        first_seen=first_seen,
        last_seen=NOW,
        last_changed=last_changed,
        change_count=sequence,
        sequence=sequence,
    )


def sample_talks() -> list[StoredTalk]:
    """Six talks, in no useful order."""
    nyu = "NYU Computer Science Colloquium"
    return [
        _stored(
            Talk(
                id="nyu-cs:1857",
                source="nyu-cs",
                url="https://cs.nyu.edu/dynamic/news/colloquium/1857/",
                title="Building Efficient Systems for LLMs",
                speakers=[Speaker(name="Qinghao Hu", affiliation="MIT")],
                start=datetime(2026, 3, 10, 14, 0, tzinfo=NEW_YORK),
                timezone="America/New_York",
                location="60 Fifth Avenue, Room 150",
                host="Jinyang Li",
                abstract="LLMs are big.",
            ),
            nyu,
            # Given in New York time on purpose: feeds must write it as UTC.
            first_seen=datetime(2026, 2, 20, 5, 0, tzinfo=NEW_YORK),
            last_changed=datetime(2026, 3, 2, 10, 0, tzinfo=UTC),
            sequence=1,
        ),
        _stored(
            Talk(
                id="nyu-cs:1840",
                source="nyu-cs",
                url="https://cs.nyu.edu/dynamic/news/colloquium/1840/",
                title="Verified Compilers",
                speakers=[Speaker(name="Xavier Leroy", affiliation="Collège de France")],
                start=datetime(2026, 2, 17, 11, 0, tzinfo=NEW_YORK),
                end=datetime(2026, 2, 17, 12, 30, tzinfo=NEW_YORK),
                timezone="America/New_York",
                location="60 Fifth Avenue, Room 150",
            ),
            nyu,
            first_seen=datetime(2026, 2, 1, 10, 0, tzinfo=UTC),
            last_changed=datetime(2026, 2, 1, 10, 0, tzinfo=UTC),
        ),
        _stored(
            Talk(
                id="tub-ml:42",
                source="tub-ml",
                url="https://www.tu-berlin.de/ml/talks/42",
                title="Kernel Methods, Revisited",
                speakers=[
                    Speaker(name="Anna Schmidt", affiliation="TU Berlin, BIFOLD"),
                    Speaker(name="Jonas Weber"),
                ],
                start=datetime(2026, 3, 12, 16, 15, tzinfo=BERLIN),
                timezone="Europe/Berlin",
                default_duration_minutes=90,
                location="MAR 4.033",
            ),
            "TU Berlin Machine Learning Seminar",
            first_seen=datetime(2026, 2, 20, 10, 0, tzinfo=UTC),
            last_changed=datetime(2026, 2, 20, 10, 0, tzinfo=UTC),
        ),
        _stored(
            Talk(
                id="nyu-cs:1860",
                source="nyu-cs",
                url="https://cs.nyu.edu/dynamic/news/colloquium/1860/",
                title="Robust Robot Learning",
                speakers=[Speaker(name="Chelsea Finn", affiliation="Stanford")],
                start=datetime(2026, 3, 11, 16, 0, tzinfo=NEW_YORK),
                timezone="America/New_York",
                status=Status.CANCELLED,
            ),
            nyu,
            first_seen=datetime(2026, 2, 10, 10, 0, tzinfo=UTC),
            last_changed=datetime(2026, 3, 9, 15, 0, tzinfo=UTC),
            sequence=2,
        ),
        _stored(
            Talk(
                id="csail:77",
                source="csail",
                url="https://www.csail.mit.edu/event/77",
                title="Quantum Advantage, Carefully",
                start=datetime(2027, 6, 15, 10, 0, tzinfo=NEW_YORK),
                timezone="America/New_York",
                status=Status.POSTPONED,
            ),
            "MIT CSAIL Events",
            first_seen=datetime(2026, 2, 25, 10, 0, tzinfo=UTC),
            last_changed=datetime(2026, 3, 5, 10, 0, tzinfo=UTC),
            sequence=1,
        ),
        _stored(
            Talk(
                id="nyu-cs:1870",
                source="nyu-cs",
                url="https://cs.nyu.edu/dynamic/news/colloquium/1870/?a=1&b=2",
                title="Graphs & <Trees>",
                speakers=[Speaker(name="Eve O'Neil", affiliation="AT&T Labs")],
                start=datetime(2026, 3, 20, 12, 0, tzinfo=NEW_YORK),
                end=datetime(2026, 3, 20, 13, 0, tzinfo=NEW_YORK),
                timezone="America/New_York",
                host="Bob <b>Bold</b>",
                abstract=NASTY_ABSTRACT,
                bio="Works on\x0bgraphs.",
                notes="Pizza & drinks after.",
            ),
            nyu,
            first_seen=datetime(2026, 3, 3, 10, 0, tzinfo=UTC),
            last_changed=datetime(2026, 3, 3, 10, 0, tzinfo=UTC),
        ),
    ]


NEWEST_FIRST = ["nyu-cs:1870", "csail:77", "tub-ml:42", "nyu-cs:1857", "nyu-cs:1860", "nyu-cs:1840"]
"""first_seen desc; tub-ml:42 and nyu-cs:1857 share first_seen, so the later start comes first."""

BY_START = ["nyu-cs:1840", "nyu-cs:1857", "nyu-cs:1860", "tub-ml:42", "nyu-cs:1870", "csail:77"]

UPCOMING_AT_NOW = BY_START[1:]


NYU_LINK = SourceLink(
    source="nyu-cs",
    name="NYU CS Colloquium",
    url="https://cs.nyu.edu/dynamic/news/colloquium/1880/",
)
COURANT_LINK = SourceLink(
    source="courant-cal",
    name="Courant Calendar",
    url="https://courant.nyu.edu/calendar/event?id=9&lang=en",
)
MOVED_FROM = datetime(2026, 3, 3, 19, 0, tzinfo=UTC)
"""2:00 PM EST on March 3: the moved talk's old start, a week before, across the DST switch."""


def lifecycle_talks() -> list[StoredTalk]:
    """A merged talk that was moved, a tentative talk and a postponed one (ids "life:*")."""
    merged = StoredTalk(
        talk=Talk(
            id="life:merged",
            source="nyu-cs",
            url="https://cs.nyu.edu/dynamic/news/colloquium/1880/",
            title="Scheduling GPUs for Training",
            speakers=[Speaker(name="Ana Núñez", affiliation="NYU")],
            start=datetime(2026, 3, 10, 14, 0, tzinfo=NEW_YORK),
            timezone="America/New_York",
            abstract="How clusters share accelerators.",
        ),
        source_name="NYU CS Colloquium",
        sources=(NYU_LINK, COURANT_LINK),
        provenance={"title": "nyu-cs", "abstract": "courant-cal"},
        moved_from=MOVED_FROM,
        first_seen=datetime(2026, 2, 26, 10, 0, tzinfo=UTC),
        last_seen=NOW,
        last_changed=datetime(2026, 3, 4, 10, 0, tzinfo=UTC),
        change_count=1,
        sequence=1,
    )
    tentative = StoredTalk(
        talk=Talk(
            id="life:tentative",
            source="tub-ml",
            url="https://www.tu-berlin.de/ml/talks/50",
            title="Sparse Attention",
            start=datetime(2026, 3, 19, 10, 0, tzinfo=BERLIN),
            timezone="Europe/Berlin",
            status=Status.TENTATIVE,
        ),
        source_name="TU Berlin Machine Learning Seminar",
        first_seen=datetime(2026, 2, 27, 10, 0, tzinfo=UTC),
        last_seen=datetime(2026, 3, 1, 10, 0, tzinfo=UTC),
        last_changed=datetime(2026, 3, 8, 10, 0, tzinfo=UTC),
        change_count=1,
        sequence=1,
    )
    postponed = StoredTalk(
        talk=Talk(
            id="life:postponed",
            source="tub-ml",
            url="https://www.tu-berlin.de/ml/talks/51",
            title="Causal Discovery",
            start=datetime(2026, 3, 26, 10, 0, tzinfo=BERLIN),
            timezone="Europe/Berlin",
            status=Status.POSTPONED,
        ),
        source_name="TU Berlin Machine Learning Seminar",
        first_seen=datetime(2026, 2, 28, 10, 0, tzinfo=UTC),
        last_seen=NOW,
        last_changed=datetime(2026, 3, 7, 10, 0, tzinfo=UTC),
    )
    return [merged, tentative, postponed]
