"""Parse cost on the saved NYU Computer Science colloquium pages, as a multiple of building the
BeautifulSoup tree of the same text: the floor of the parser the project chose."""

from __future__ import annotations

import statistics
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import lxml.html
from bs4 import BeautifulSoup

from aggregator.records.normalize import normalize
from bench import Section
from scrapers.drafts import Page
from scrapers.registry import get_site

SITE = "nyu-cs-colloquium"
FOLDER = Path(__file__).parent.parent / "tests" / "fixtures" / SITE
ROUNDS = 41
"""Rounds; each times the parse, the tree build and raw lxml once, one after the other, so
that other load on the machine falls on all three alike."""
ITERATIONS = 4
"""Passes over the pages in one timed run: few, so that the three timings of a round see the
same load (the ratio held within 0.03 under other jobs; longer rounds let it drift by 0.2)."""
TREE_FACTOR = 1.25
"""A detail page read and normalized costs at most this many times its BeautifulSoup tree."""
BEFORE = ("6b88a14", 1.52, 1.63)
"""Commit, and the detail and listing ratios this bench measured there, before the first fixes
the finding describes."""
SINCE = ("2ea9243", 1.42, 1.55)
"""Commit, and the detail and listing ratios this bench measured there (medians of eleven runs
interleaved with runs of the code that fixed them), before the second fixes."""

LEFT = (
    "What is left, timed stage by stage by hand at a1d1369 (on a machine busy with other jobs), "
    "in microseconds per detail page next to 1,300 for the plain tree and 1,040 for the tree "
    "`html_tree` builds: the date label read 100 (16 of it the page's text for its date order, "
    "16 the rest of its date style, 68 the date reader), `normalize` 65, the label walk 47, the "
    "schema.org walk 32, removing the chrome 29, the rest of `talk()` about 20. Stage by stage "
    "that is about a fifth of the plain tree; whole passes, as timed above, cost more."
)
"""A profile of our own code's remaining cost per detail page, measured once."""


@dataclass(frozen=True)
class _Kind:
    label: str
    texts: list[tuple[str, str]]
    parse: Callable[[], None]


def run() -> Section:
    """Pages a second for detail pages and listings, each as a multiple of the BeautifulSoup
    tree build of the same text, with raw lxml for context."""
    manifest = tomllib.loads((FOLDER / "pages.toml").read_text(encoding="utf-8"))
    now: datetime = manifest["captured_at"]
    pages = {
        name: (url, (FOLDER / name).read_text(encoding="utf-8"))
        for name, url in manifest["pages"].items()
    }
    site = get_site(SITE)
    details = [page for name, page in pages.items() if not name.startswith("listing")]
    listings = [page for name, page in pages.items() if name.startswith("listing")]

    def talks() -> None:
        for url, text in details:
            # A fresh Page each time: its soup is built inside, as a crawl builds it.
            normalize(site.talk(Page(url, text, now)), site)

    def listing() -> None:
        for url, text in listings:
            site.listing(Page(url, text, now))

    rows = []
    ratios = {}
    for kind in (
        _Kind("detail (talk + normalize)", details, talks),
        _Kind("listing", listings, listing),
    ):
        ours, tree, raw, ratio = _measure(kind)
        ratios[kind.label] = ratio
        kib = sum(len(text.encode()) for _, text in kind.texts) / len(kind.texts) / 1024
        rows.append(
            (
                kind.label,
                f"{len(kind.texts)}",
                f"{kib:.1f}",
                f"{ours:,.0f}",
                f"{tree:,.0f}",
                f"{ratio:.2f}",
                f"{raw:,.0f}",
            )
        )
        print(
            f"  {kind.label}: {ours:,.0f} pages/s, tree alone {tree:,.0f} pages/s "
            f"({ratio:.2f} times), raw lxml {raw:,.0f} pages/s",
            flush=True,
        )
    detail = ratios["detail (talk + normalize)"]
    listed = ratios["listing"]
    return Section(
        title="Parse: cost next to the BeautifulSoup tree",
        method=(
            f"The saved pages of {SITE} (tests/fixtures/{SITE}): each detail page read by "
            f"`site.talk(Page(...))` on a fresh `Page` (so BeautifulSoup parses it inside) and "
            f"normalized; each listing read by `site.listing(Page(...))`. Tree: "
            f'`BeautifulSoup(text, "lxml")` alone on the same texts: the tree `Page.soup` holds, '
            f"which `html_tree` builds with less of bs4's work. "
            f"Raw lxml (`lxml.html.fromstring`), for context only. One process, one core; "
            f"{ROUNDS} rounds, each timing the three one after the other ({ITERATIONS} passes "
            f"over the pages each); pages a second are medians, the ratio is the median of the "
            f"rounds' ratios."
        ),
        headers=(
            "Pages",
            "Files",
            "Mean size (KiB)",
            "Pages/s",
            "Tree alone pages/s",
            "Times the tree",
            "Raw lxml pages/s",
        ),
        rows=tuple(rows),
        finding=(
            f"A detail page read and normalized costs {detail:.2f} times building its "
            f"BeautifulSoup tree; the target of at most {TREE_FACTOR} times is "
            f"{'met' if detail <= TREE_FACTOR else 'NOT met'}. Listings cost {listed:.2f} "
            f"times their tree (no target). At commit {BEFORE[0]} this bench measured "
            f"{BEFORE[1]:.2f} and {BEFORE[2]:.2f}. Profiled with cProfile there, a detail "
            f"page's own code beyond the tree went to five `find_all`/`find` searches (the "
            f"JSON-LD scripts, and `soup.body` and `<html>` looked up three times; bs4 4.13+ "
            f"runs each element through a generic filter), separate walks of the whole page for "
            f"microdata and for RDFa, `decompose()` of the page chrome (a second walk of what "
            f"it removes), `get_text()` on every label candidate and a regex on every "
            f"whitespace string in the label reader, and Unicode folding of every (ASCII) title "
            f"and speaker name in the placeholder check. Now the scripts and both kinds of items "
            f"are found in one walk, elements by name with a plain walk, chrome is `extract()`ed, "
            f"one-string labels are read directly and indentation skips the regex, and ASCII "
            f"text is only lower-cased. At commit {SINCE[0]} this bench still measured "
            f"{SINCE[1]:.2f} and {SINCE[2]:.2f}. Timed stage by stage there, a detail page's "
            f"own code went to reading its date label (a third of it the page's day/month "
            f"order, mostly a regex for numeric dates tried at every character of its text), "
            f"`normalize` (regex scans of abstracts cleaned once already, and of every abstract "
            f"for a notice of cancellation), the label walk, the schema.org walk, and the "
            f"chrome; and the tree itself to bs4's XML namespace work on every element and to "
            f"an lxml parser made, its target's methods inspected, for every page. Now "
            f"`Page.soup` is built by `html_tree`: the same tree, from a builder that skips the "
            f"namespace work when lxml's HTML parser reports no namespace and that keeps one "
            f"lxml parser per thread (0.86 to 0.89 of the plain build); clean text is known by "
            f"string methods and returned as it is; the notice patterns run only on texts with "
            f"one of their words; numeric dates are looked for only where a digit meets a slash "
            f"or hyphen; the label reader passes indentation by without a call and tries its "
            f"pattern of labels only on text with a colon; and the schema.org walk asks each "
            f"element one set test. {LEFT}"
        ),
    )


def _measure(kind: _Kind) -> tuple[float, float, float, float]:
    """Pages a second parsed, as a tree alone and with raw lxml, and the parse's cost as a
    multiple of the tree's."""

    def tree() -> None:
        for _, text in kind.texts:
            BeautifulSoup(text, "lxml")

    def raw() -> None:
        for _, text in kind.texts:
            lxml.html.fromstring(text)

    times: dict[str, list[float]] = {"ours": [], "tree": [], "raw": []}
    for _ in range(ROUNDS):
        for name, work in (("ours", kind.parse), ("tree", tree), ("raw", raw)):
            began = time.perf_counter()
            for _ in range(ITERATIONS):
                work()
            times[name].append(time.perf_counter() - began)
    count = len(kind.texts) * ITERATIONS
    ratio = statistics.median(a / b for a, b in zip(times["ours"], times["tree"], strict=True))
    ours, trees, raws = (count / statistics.median(times[name]) for name in ("ours", "tree", "raw"))
    return ours, trees, raws, ratio
