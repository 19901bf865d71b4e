"""Talk links that lead nowhere a reader can go (`javascript:`, `data:`), in a listing's
table and in schema.org events: the talk stays, without a page of its own, and the source's
health says which link was dropped."""

from __future__ import annotations

import json
from pathlib import Path

import feedparser
from pytest_httpserver import HTTPServer

from tests.served import serve_pages
from tests.test_auto_source import config, run

TABLE = """<!doctype html><html lang=en><head><title>Logic Seminar</title></head><body><main>
<h1>Logic Seminar</h1><table>
<tr><th>Date</th><th>Speaker</th><th>Title</th></tr>
<tr><td>March 10, 2026, 3:00 pm</td><td>Ada Byron</td>
<td><a href=" javascript:alert(1)">On engines</a></td></tr>
<tr><td>March 17, 2026, 3:00 pm</td><td>Bob Stone</td>
<td><a href="data:text/html,hi">On stones</a></td></tr>
<tr><td>March 24, 2026, 3:00 pm</td><td>Carl Frey</td><td><a href="/talks/3">On things</a></td></tr>
</table></main></body></html>"""
TALK = """<!doctype html><html lang=en><head><title>On things</title></head><body><main>
<h1>On things</h1><p><strong>Speaker:</strong> Carl Frey</p>
<p><strong>Date:</strong> March 24, 2026, 3:00 pm</p></main></body></html>"""
EVENTS = [
    {"@context": "https://schema.org", "@type": "Event", "name": "On engines",
     "startDate": "2026-03-10T15:00:00-04:00", "url": " javascript:alert(1)",
     "performer": {"@type": "Person", "name": "Ada Byron"}},
    {"@context": "https://schema.org", "@type": "Event", "name": "On stones",
     "startDate": "2026-03-17T15:00:00-04:00", "url": "data:text/html,hi",
     "performer": {"@type": "Person", "name": "Bob Stone"}},
]  # fmt: skip
JSONLD = (
    "<!doctype html><html lang=en><head><title>Logic Seminar</title>"
    f'<script type="application/ld+json">{json.dumps(EVENTS)}</script></head>'
    "<body><h1>Logic Seminar</h1></body></html>"
)


def _run(tmp_path: Path, url: str) -> tuple[int, dict[str, object], list[str]]:
    code = run(config(tmp_path, url))
    health = json.loads((tmp_path / "public" / "health.json").read_text(encoding="utf-8"))
    titles = [e.title for e in feedparser.parse(tmp_path / "public" / "all.rss").entries]
    return code, health["sources"][0], titles


def _assert_said(source: dict[str, object]) -> None:
    warnings = source["warnings"]
    assert isinstance(warnings, list)
    assert any("'javascript:alert(1)' is not an http(s) URL" in w for w in warnings), warnings
    assert any("'data:text/html,hi' is not an http(s) URL" in w for w in warnings), warnings


def test_a_listing_s_script_links_are_dropped_and_said(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    serve_pages(httpserver, {"/seminar/": (TABLE, "text/html"), "/talks/3": (TALK, "text/html")})
    code, source, titles = _run(tmp_path, httpserver.url_for("/seminar/"))
    assert code == 0
    assert source["talks"] == 3
    assert sorted(t for t in titles if "On " in t) == sorted(titles) and len(titles) == 3
    _assert_said(source)


def test_schema_org_script_urls_are_dropped_and_said(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    serve_pages(httpserver, {"/seminar/": (JSONLD, "text/html")})
    code, source, titles = _run(tmp_path, httpserver.url_for("/seminar/"))
    assert code == 0
    assert source["talks"] == 2
    assert len(titles) == 2
    _assert_said(source)
