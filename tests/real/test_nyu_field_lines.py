"""Real NYU talk pages survive only as their field lines (`FIELD_LINES.md`) and the records
they describe (`real_records.json`): each talk's lines, set out as a talk page of "Label:
value" paragraphs, must be read by the ladder's talk-page rung into that record."""

from __future__ import annotations

import html
import json
import re
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from aggregator.commands.extract import page_source
from aggregator.records.normalize import normalize
from scrapers import Page
from scrapers.ladder import read_talk
from tests.shared_real import real_path

ZONE = ZoneInfo("America/New_York")
NOW = datetime(2026, 11, 24, tzinfo=UTC)
_PAIR = re.compile(r"`([^`]+:)`\s*`([^`]+)`")


def field_lines() -> dict[str, dict[str, str]]:
    """Each talk page's URL (as https, with a final slash) and its "Label:" → value lines."""
    text = real_path("pages/nyu-cs-colloquium-text/FIELD_LINES.md").read_text(encoding="utf-8")
    pages: dict[str, dict[str, str]] = {}
    sections: dict[str, list[str]] = {}
    header: list[str] = []
    current: str | None = None
    for line in text.splitlines():
        if line.startswith("| URL"):
            header = [cell.strip() for cell in line.strip("|").split("|")]
            continue
        url = re.search(r"https?://\S+?(?=[\s|`]|$)", line)
        if url is not None and line.startswith("|") and header:
            cells = [cell.strip() for cell in line.strip("|").split("|")]
            pages[_key(url.group(0))] = {
                label: cell.strip("`")
                for label, cell in zip(header[1:], cells[1:], strict=True)
                if cell.startswith("`")
            }
            current = None
            continue
        if url is not None:
            current = _key(url.group(0))
        if current is not None:
            sections.setdefault(current, []).append(line)
    # Prose under a page's address lists "`Label:` `value`" pairs, across line breaks.
    for address, lines in sections.items():
        pages.setdefault(address, {}).update(dict(_PAIR.findall(" ".join(lines))))
    return pages


def _key(url: str) -> str:
    return re.sub(r"^http://(?:www\.)?", "https://", url).rstrip("/") + "/"


def talk_page(title: str, fields: dict[str, str], abstract: str | None) -> str:
    paragraphs = "".join(
        f"<p><strong>{html.escape(label)}</strong> {html.escape(value)}</p>"
        for label, value in fields.items()
        if label != "Link:"
    )
    synopsis = f"<p><strong>Synopsis:</strong> {html.escape(abstract)}</p>" if abstract else ""
    return (
        "<!doctype html><html lang=en><head><title>Colloquium Details</title></head><body>"
        f"<main><h1>Colloquium Details</h1><h2>{html.escape(title)}</h2>{paragraphs}{synopsis}"
        "</main></body></html>"
    )


def records() -> list[dict[str, Any]]:
    path = real_path("pages/nyu-cs-colloquium-text/real_records.json")
    loaded: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


@pytest.mark.parametrize("number", range(7))
def test_the_field_lines_read_as_their_record(number: int) -> None:
    want = records()[number]
    fields = field_lines()[_key(want["url"])]
    page = Page(want["url"], talk_page(want["title"], fields, want["abstract_startswith"]), NOW)
    draft, why = read_talk(page, ZONE)
    assert draft is not None, why
    record = normalize(draft, page_source(page, ZONE)).model_dump(mode="json")
    assert record["title"] == want["title"]
    # The lines give the affiliation only where the speaker line has one.
    speaker = fields["Speaker:"]
    assert [s["name"] for s in record["speakers"]] == [s["name"] for s in want["speakers"]]
    if "," in speaker:
        assert record["speakers"] == want["speakers"]
    if len(want["start"]) == 10:
        assert record["all_day"] and record["start"].startswith(want["start"])
    else:
        assert datetime.fromisoformat(record["start"]) == datetime.fromisoformat(want["start"])
    assert record["end"] == want["end"]
    assert record["location"] == want["location"]
    assert record["host"] == want["host"]
    assert record["abstract"].startswith(want["abstract_startswith"].strip())
