"""A feed whose answer is a 304 gives what it gave last time: its talks are not read again,
its review is the one kept in the store, and what is published does not change. A feed that
changed, or a store that no longer holds a talk as it was drafted, is reviewed afresh."""

from __future__ import annotations

import contextlib
import hashlib
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from aggregator import pipeline
from aggregator.cli import main
from aggregator.fetching.crawl import read_settled as real_read_settled


def _calendar(titles: list[str]) -> str:
    events = "".join(
        "BEGIN:VEVENT\r\n"
        f"UID:talk-{number}@example.edu\r\n"
        f"DTSTART:202604{number + 1:02d}T180000Z\r\n"
        f"SUMMARY:{title}\r\n"
        "LOCATION:Room 1\r\n"
        "END:VEVENT\r\n"
        for number, title in enumerate(titles)
    )
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n{events}END:VCALENDAR\r\n"


class Feeds:
    """Two iCal feeds with ETags, answering 304 to a request that names the current one."""

    def __init__(self, server: HTTPServer) -> None:
        self.bodies = {
            "/a.ics": _calendar(["Spectral graphs", "Sparse solvers"]),
            "/b.ics": _calendar(["Quantum protocols"]),
        }
        self.answers: list[tuple[str, int]] = []
        server.expect_request("/robots.txt").respond_with_data("", status=404)
        for path in self.bodies:
            server.expect_request(path).respond_with_handler(self._handle)

    def _handle(self, request: Request) -> Response:
        body = self.bodies[request.path]
        tag = '"' + hashlib.sha256(body.encode()).hexdigest()[:16] + '"'
        if request.headers.get("If-None-Match") == tag:
            self.answers.append((request.path, 304))
            return Response(status=304, headers={"ETag": tag})
        self.answers.append((request.path, 200))
        return Response(body, content_type="text/calendar", headers={"ETag": tag})


@pytest.fixture
def feeds(httpserver: HTTPServer) -> Feeds:
    return Feeds(httpserver)


@pytest.fixture
def config(tmp_path: Path, feeds: Feeds, httpserver: HTTPServer) -> Path:
    path = tmp_path / "talkfeed.toml"
    sources = "".join(
        f'[[sources]]\nkind = "ical"\nid = "feed-{name}"\nname = "Feed {name}"\n'
        f'url = "{httpserver.url_for(f"/{name}.ics")}"\ntimezone = "America/New_York"\n'
        for name in ("a", "b")
    )
    path.write_text(
        f'out = "public"\ndb = "talkfeed.db"\n[fetch]\ndelay = 0.0\nparse_workers = 1\n{sources}',
        encoding="utf-8",
    )
    return path


def _published(out: Path) -> dict[str, bytes]:
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.name not in {"health.json", "index.html", ".fingerprints.json"}
    }


def test_an_unchanged_feed_is_not_read_again(
    feeds: Feeds, config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    read: list[int] = []

    def counted(*args: Any) -> None:
        read.append(1)
        real_read_settled(*args)

    monkeypatch.setattr(pipeline, "read_settled", counted)
    out = config.parent / "public"
    hours = iter(range(9, 20))

    def run() -> dict[str, bytes]:
        now = f"2026-03-02T{next(hours):02d}:00:00-05:00"
        assert main(["run", "--config", str(config), "--now", now, "--quiet"]) == 0
        return _published(out)

    first = run()
    assert read == [], "a fresh answer is parsed: there is nothing settled to read"
    assert run() == first
    assert read == [], "the review the fresh answers left serves their first 304s"
    assert run() == first
    assert read == [], "and every one after"
    assert [status for _, status in feeds.answers[-2:]] == [304, 304]

    feeds.bodies["/a.ics"] = _calendar(["Spectral graphs", "Sparse solvers, revised"])
    changed = run()
    assert b"Sparse solvers, revised" in changed["all.rss"]
    assert read == [], "a changed feed is parsed afresh, the other one is still settled"
    assert run() == changed
    assert read == [], "the changed feed's new review serves its 304"

    # The store no longer holds a talk as it was drafted (as after a partial sighting): the
    # review kept for its feed no longer holds, and the feed's talks are read and stored again.
    db = config.parent / "talkfeed.db"
    with contextlib.closing(sqlite3.connect(db)) as connection, connection:
        connection.execute("UPDATE sightings SET drafted = NULL WHERE id LIKE 'feed-b:%'")
    assert run() == changed
    assert read == [1], "only the feed whose review no longer holds is read"
    with contextlib.closing(sqlite3.connect(db)) as connection:
        (unset,) = connection.execute(
            "SELECT count(*) FROM sightings WHERE drafted IS NULL"
        ).fetchone()
    assert unset == 0
