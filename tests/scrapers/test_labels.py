"""The label extractor reads the same talk from every markup a department might use."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from scrapers.base import DEFAULT_LABELS
from scrapers.read.labels import extract_labels
from scrapers.read.text import clean_block, clean_inline, content_root

CHROME = """
<header><nav><a href="/">Home</a> Speaker: Nobody</nav></header>
<aside><h3>How to Subscribe</h3><p>Join the mailing list.</p></aside>
<footer><p>60 Fifth Avenue, New York</p></footer>
"""

VARIANTS = {
    "strong-inline": """<h2>T</h2>
        <p><strong>Speaker:</strong> Ada Lovelace, Analytical Engines, Inc.</p>
        <p><strong>Location:</strong> Room 1</p>
        <h3>Synopsis:</h3><div><p>First para.</p><p>Second para.</p></div>
        <h3>Notes:</h3><p>Bring ID.</p>""",
    "b-colon-outside": """<h2>T</h2>
        <div><b>Speaker</b>: Ada Lovelace, Analytical Engines, Inc.</div>
        <div><b>Location</b>: Room 1</div>
        <div><b>Synopsis</b>:<p>First para.</p><p>Second para.</p></div>
        <div><b>Notes</b>: Bring ID.</div>""",
    "definition-list": """<h2>T</h2><dl>
        <dt>Speaker</dt><dd>Ada Lovelace, Analytical Engines, Inc.</dd>
        <dt>Location</dt><dd>Room 1</dd>
        <dt>Synopsis</dt><dd><p>First para.</p><p>Second para.</p></dd>
        <dt>Notes</dt><dd>Bring ID.</dd></dl>""",
    "span-then-following-block": """<h2>T</h2>
        <div><span class="x">Speaker:</span></div><div>Ada Lovelace, Analytical Engines, Inc.</div>
        <div><span>Location:</span><span>Room 1</span></div>
        <div><span>Synopsis:</span></div><p>First para.</p><p>Second para.</p>
        <div><span>Notes:</span></div><p>Bring ID.</p>""",
    "headings": """<h2>T</h2>
        <h4>Speaker</h4><p>Ada Lovelace, Analytical Engines, Inc.</p>
        <h4>Location</h4><p>Room 1</p>
        <h4>Synopsis</h4><p>First para.</p><p>Second para.</p>
        <h4>Notes</h4><p>Bring ID.</p>""",
    "plain-text-lines": """<h2>T</h2>
        <p>Speaker: Ada Lovelace, Analytical Engines, Inc.<br>Location: Room 1</p>
        <p>Synopsis:</p><p>First para.</p><p>Second para.</p>
        <p>Notes: Bring ID.</p>""",
    "table": """<h2>T</h2><table>
        <tr><th>Speaker</th><td>Ada Lovelace, Analytical Engines, Inc.</td></tr>
        <tr><th>Location</th><td>Room 1</td></tr>
        <tr><th>Synopsis</th><td><p>First para.</p><p>Second para.</p></td></tr>
        <tr><th>Notes</th><td>Bring ID.</td></tr></table>""",
}


@pytest.mark.parametrize("markup", VARIANTS.values(), ids=VARIANTS.keys())
def test_every_markup_gives_the_same_fields(markup: str) -> None:
    soup = BeautifulSoup(f"<html><body>{CHROME}<main>{markup}</main>{CHROME}</body></html>", "lxml")
    sections = extract_labels(content_root(soup), DEFAULT_LABELS)
    assert clean_inline(sections.first("speaker")) == "Ada Lovelace, Analytical Engines, Inc."
    assert clean_inline(sections.first("location")) == "Room 1"
    assert clean_block(sections.first("abstract")) == "First para.\n\nSecond para."
    # The section ends at the page's content: no footer, sidebar or navigation leaks in.
    assert clean_block(sections.first("notes")) == "Bring ID."
    assert sections.headings_before[-1] == "T"
    assert set(sections.values) == {"speaker", "location", "abstract", "notes"}


def test_unknown_heading_ends_a_section() -> None:
    soup = BeautifulSoup(
        "<main><h3>Abstract</h3><p>Text.</p><h3>Related events</h3><p>Other talk</p></main>", "lxml"
    )
    assert extract_labels(soup, DEFAULT_LABELS).values == {"abstract": ["Text."]}


def test_bold_words_inside_a_paragraph_are_not_labels() -> None:
    soup = BeautifulSoup(
        "<main><h3>Abstract</h3><p>We ask <b>Location</b>: where to compute.</p></main>", "lxml"
    )
    assert clean_inline(extract_labels(soup, DEFAULT_LABELS).first("abstract")) == (
        "We ask Location: where to compute."
    )


def test_line_breaks_inside_a_paragraph_are_kept() -> None:
    soup = BeautifulSoup("<main><h3>Notes</h3><p>Line one<br>Line   two</p></main>", "lxml")
    assert clean_block(extract_labels(soup, DEFAULT_LABELS).first("notes")) == "Line one\nLine two"


def test_a_repeated_label_collects_every_value() -> None:
    soup = BeautifulSoup(
        "<main><p><b>Speaker:</b> A, X</p><p><b>Speaker:</b> B, Y</p></main>", "lxml"
    )
    assert extract_labels(soup, DEFAULT_LABELS).values["speaker"] == ["A, X", "B, Y"]


def test_an_unknown_label_ends_a_one_line_field_but_not_prose() -> None:
    soup = BeautifulSoup(
        """<main><div><span>Where:</span> Room 530</div><div><span>Who:</span> Keiko Tanaka</div>
        <h2>Abstract</h2><p><b>Joint work:</b> with Ada.</p><p>More.</p></main>""",
        "lxml",
    )
    sections = extract_labels(soup, DEFAULT_LABELS)
    assert clean_inline(sections.first("location")) == "Room 530"
    assert clean_block(sections.first("abstract")) == "Joint work: with Ada.\n\nMore."
