"""html_tree builds the tree `BeautifulSoup(text, "lxml")` builds, parse after parse."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup, Tag

from scrapers.read.tree import html_tree

FIXTURES = Path(__file__).parent.parent / "fixtures"

DOCUMENTS = [
    "",
    "<p>x",
    "\ufeff<p>A byte order mark first</p>",
    '<html lang="de"><head><meta charset="latin-1"><title>T</title></head>'
    '<body class="a  b" hidden><p id=x rel="nofollow me">One<br>two</p></body></html>',
    '<html xmlns:o="urn:x"><body><o:p>Word</o:p><p xml:lang="fr" {ns}name="1">t</p>'
    '<svg xmlns="http://www.w3.org/2000/svg"><path d="M0 0"/></svg><math><mi>x</mi></math>'
    "</body></html>",
    "<!DOCTYPE html><p>a<!-- a comment --><![CDATA[x]]></p><script>if (a < b) {}</script>"
    "<style>p {}</style><template><b>t</b></template><pre>\n  kept</pre>"
    "<ruby>漢<rp>(</rp><rt>kan</rt><rp>)</rp></ruby><textarea> y</textarea>",
    '<table><tr><td>cell<td>next</table><div itemscope itemtype="https://schema.org/Event">'
    '<span itemprop="name">Talk</span></div>',
]


def _shape(soup: BeautifulSoup) -> list[Any]:
    """Everything about each node that reading a page can see."""
    shape: list[Any] = []
    for node in [soup, *soup.descendants]:
        if isinstance(node, Tag):
            shape.append(
                (
                    type(node),
                    node.name,
                    node.namespace,
                    node.prefix,
                    type(node.attrs),
                    [(type(k), k, type(v), v) for k, v in node.attrs.items()],
                    node.can_be_empty_element,
                    node.interesting_string_types,
                )
            )
        else:
            shape.append((type(node), str(node)))
        shape.append(
            tuple(
                type(linked)
                for linked in (
                    node.parent,
                    node.next_element,
                    node.previous_element,
                    node.next_sibling,
                    node.previous_sibling,
                )
            )
        )
    return shape


def _same(text: str) -> None:
    ours, theirs = html_tree(text), BeautifulSoup(text, "lxml")
    assert ours.decode() == theirs.decode()
    assert _shape(ours) == _shape(theirs)


@pytest.mark.parametrize("text", DOCUMENTS)
def test_the_tree_is_the_one_beautifulsoup_builds(text: str) -> None:
    _same(text)


def test_every_saved_page_parses_to_the_same_tree() -> None:
    pages = sorted(FIXTURES.rglob("*.html"))
    assert pages
    for page in pages:
        _same(page.read_text(encoding="utf-8", errors="replace"))


def test_a_parse_that_fails_leaves_nothing_for_the_next(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(soup: BeautifulSoup, data: str) -> None:
        raise RuntimeError("stop")

    with monkeypatch.context() as patched:
        patched.setattr(BeautifulSoup, "handle_data", fail)
        with pytest.raises(RuntimeError):
            html_tree("<p>left unfinished")
    _same("<p>whole</p>")


def test_threads_parse_at_once() -> None:
    texts = [f"<ul>{'<li>item</li>' * n}</ul><p>{n}</p>" for n in range(40)]
    with ThreadPoolExecutor(4) as pool:
        trees = list(pool.map(lambda text: html_tree(text).decode(), texts))
    assert trees == [BeautifulSoup(text, "lxml").decode() for text in texts]
