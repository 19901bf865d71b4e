"""`talkfeed extract` on listing pages, field by field against hand-written expectations.

Three sets, discovered so that adding a page adds a test: the pages under
`tests/fixtures/_listings/` (written for these tests in shapes and languages unlike the real
ones; `pages.toml` gives each one's URL, zone and capture time), which must be read right
field for field; the held-out batches under `tests/fixtures/_holdout/` (written without
looking at the extractor, to measure it on layouts it was not built for), each page at least
85 % right and the set at least 97 %: a page may still miss one field on every talk where its
expectation makes a call the reader does not (the Hungarian page's room without the postal
address the page prints after it in brackets); and the real pages under `../shared/real/pages/` with an `.expected.json`, which must
each be read at least 95 % right, exactly as a user runs the command (no `--now`: the year of
a year-less date must come from the page).
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

import pytest

from aggregator.cli import main
from aggregator.commands.expectations import Score, load_expectation, score
from tests.fixture_pages import FIXTURES
from tests.shared_real import SHARED_REAL, capture_id, real_glob, require_shared

OWN = FIXTURES / "_listings"
OWN_PAGES: dict[str, dict[str, Any]] = tomllib.loads(
    (OWN / "pages.toml").read_text(encoding="utf-8")
)
HELD_OUT = FIXTURES / "_holdout"
HELD_OUT_PAGES: dict[str, dict[str, Any]] = tomllib.loads(
    (HELD_OUT / "pages.toml").read_text(encoding="utf-8")
)
HELD_OUT_PAGE_TARGET = 0.85
HELD_OUT_SET_TARGET = 0.97
REAL_PAGES: dict[str, dict[str, Any]] = tomllib.loads(
    (Path(__file__).parent / "real" / "pages.toml").read_text(encoding="utf-8")
)
REAL_TARGET = 0.95


def extract(
    capsys: pytest.CaptureFixture[str], file: Path, url: str, zone: str, now: str | None = None
) -> tuple[list[dict[str, Any]], str]:
    """The records `talkfeed extract` prints for `file`, and what it says on stderr."""
    arguments = ["extract", str(file), "--url", url, "--timezone", zone]
    if now is not None:
        arguments += ["--now", now]
    assert main(arguments) == 0
    out, err = capsys.readouterr()
    records: list[dict[str, Any]] = json.loads(out)
    return records, err


@pytest.mark.parametrize("name", sorted(OWN_PAGES))
def test_own_listing_is_read_right(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    entry = OWN_PAGES[name]
    now = entry["captured_at"].isoformat()
    records, err = extract(capsys, OWN / name, entry["url"], entry["timezone"], now)
    expected = load_expectation((OWN / name).with_suffix(".expected.json"))
    result = score(records, expected)
    assert result.wrong == [], f"{result}\n{err}"


def _read_held_out(name: str, capsys: pytest.CaptureFixture[str]) -> tuple[Score, str]:
    entry = HELD_OUT_PAGES[name]
    now = entry["captured_at"].isoformat()
    records, err = extract(capsys, HELD_OUT / name, entry["url"], entry["timezone"], now)
    return score(records, load_expectation((HELD_OUT / name).with_suffix(".expected.json"))), err


@pytest.mark.parametrize("name", sorted(HELD_OUT_PAGES))
def test_held_out_listing_is_read_mostly_right(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    result, err = _read_held_out(name, capsys)
    assert result.share >= HELD_OUT_PAGE_TARGET, f"{result}\n" + "\n".join(result.wrong) + err


def test_the_held_out_set_is_read_right_as_a_whole(capsys: pytest.CaptureFixture[str]) -> None:
    results = [_read_held_out(name, capsys)[0] for name in sorted(HELD_OUT_PAGES)]
    right, total = sum(r.right for r in results), sum(r.total for r in results)
    assert right / total >= HELD_OUT_SET_TARGET, f"{right}/{total} fields right"


@pytest.mark.parametrize(("folder", "listed"), [(OWN, OWN_PAGES), (HELD_OUT, HELD_OUT_PAGES)])
def test_every_written_page_is_listed(folder: Path, listed: dict[str, Any]) -> None:
    pages = {p.name for p in folder.glob("*.html")}
    assert pages == set(listed)
    assert all((folder / n).with_suffix(".expected.json").is_file() for n in pages)


def _expectation(page: Path) -> Path:
    return page.with_name(page.stem + ".expected.json")


# Without ../shared, the one placeholder real_glob gives (it skips or fails when run).
REAL = [p for p in real_glob("pages/*/*.html") if _expectation(p).is_file() or "*" in p.name]


@pytest.mark.parametrize("page", REAL, ids=capture_id)
def test_real_page_is_read_right(page: Path, capsys: pytest.CaptureFixture[str]) -> None:
    require_shared()
    entry = REAL_PAGES[page.relative_to(SHARED_REAL / "pages").as_posix()]
    records, err = extract(capsys, page, entry["url"], entry["timezone"])
    result = score(records, load_expectation(_expectation(page)))
    assert result.share >= REAL_TARGET, f"{result}\n" + "\n".join(result.wrong) + f"\n{err}"


@pytest.mark.parametrize("expected", real_glob("pages/*/*.expected.json"), ids=capture_id)
def test_every_real_expectation_has_its_page(expected: Path) -> None:
    require_shared()
    page = expected.with_name(expected.name.removesuffix(".expected.json") + ".html")
    assert page in REAL
