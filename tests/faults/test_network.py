"""Network faults through the whole pipeline: each run finishes, the other source is published,
nothing published before is lost, and the report names the fault. (The fetcher's own tests
cover the same faults request by request, with truncated bodies too.)"""

from __future__ import annotations

import contextlib
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug import Response

from aggregator.cli import main
from tests.faults import (
    CALENDAR_ID,
    CALENDAR_PATH,
    FaultySite,
    Published,
    assert_nothing_lost,
    nyu_uid,
    published,
)

FIRST, LATER = "2026-03-01T09:00:00-05:00", "2026-03-02T09:00:00-05:00"


def run(config: Path, now: str) -> int:
    return main(["run", "--config", str(config), "--now", now])


def healthy_first(config: Path, capsys: pytest.CaptureFixture[str]) -> Published:
    assert run(config, FIRST) == 0
    capsys.readouterr()
    return published(config.parent / "public")


def other_source_published(before: Published, after: Published) -> None:
    name = f"sites/{CALENDAR_ID}.ics"
    assert after.events[name] == before.events[name]
    assert after.uids(name) <= after.uids("all.ics")


def test_429_with_retry_after_then_success(
    faulty: FaultySite, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = healthy_first(config, capsys)
    faulty.failures[faulty.detail_path(1875)] = [429]
    faulty.requests.clear()
    began = time.monotonic()
    assert run(config, LATER) == 0, capsys.readouterr().err
    assert time.monotonic() - began >= 0.9, "the Retry-After second was waited out"
    assert faulty.requests.count(faulty.detail_path(1875)) == 2
    after = published(config.parent / "public")
    assert_nothing_lost(before, after)
    other_source_published(before, after)


def test_a_page_that_stalls_mid_body(
    faulty: FaultySite, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = healthy_first(config, capsys)
    config.write_text(config.read_text().replace("timeout = 10.0", "timeout = 0.5"))

    def stalling() -> Response:
        def body() -> Iterator[bytes]:
            yield b"<html><body><h2>Formal Foundations"
            time.sleep(2)
            yield b"</h2></body></html>"

        return Response(body(), content_type="text/html")

    faulty.responders[faulty.detail_path(1875)] = stalling
    assert run(config, LATER) == 1
    report = capsys.readouterr().err
    assert f"{faulty.detail_path(1875)}: ReadTimeout" in report
    after = published(config.parent / "public")
    assert_nothing_lost(before, after)
    assert after.text(nyu_uid(1875)) == before.text(nyu_uid(1875))
    other_source_published(before, after)


def test_a_redirect_loop(
    faulty: FaultySite, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = healthy_first(config, capsys)
    loop = faulty.detail_path(1872)
    faulty.responders[loop] = lambda: Response("", status=302, headers={"Location": loop})
    assert run(config, LATER) == 1
    assert f"{loop}: too many redirects" in capsys.readouterr().err
    after = published(config.parent / "public")
    assert_nothing_lost(before, after)
    other_source_published(before, after)


def test_a_20_mb_page(faulty: FaultySite, config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = healthy_first(config, capsys)

    def huge() -> Response:
        def body() -> Iterator[bytes]:
            for _ in range(20):
                yield b"<p>" + b"x" * (1024 * 1024) + b"</p>"

        return Response(body(), content_type="text/html")

    faulty.responders[faulty.detail_path(1866)] = huge
    began = time.monotonic()
    assert run(config, LATER) == 1
    assert time.monotonic() - began < 30
    assert f"{faulty.detail_path(1866)}: response larger than" in capsys.readouterr().err
    after = published(config.parent / "public")
    assert_nothing_lost(before, after)
    other_source_published(before, after)


def test_a_feed_that_keeps_failing_is_one_failed_source(
    faulty: FaultySite, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = healthy_first(config, capsys)
    faulty.failures[CALENDAR_PATH] = [500, 500]
    assert run(config, LATER) == 1
    assert f"{CALENDAR_ID}: FAILED" in capsys.readouterr().err
    after = published(config.parent / "public")
    assert_nothing_lost(before, after)
    assert after.uids("sites/nyu-cs-colloquium.ics") == before.uids("sites/nyu-cs-colloquium.ics")


@pytest.fixture
def blackhole() -> Iterator[str]:
    """A port whose listen queue is full: connecting to it times out, as to a dead host."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(0)
    port = server.getsockname()[1]
    fillers = []
    for _ in range(3):
        filler = socket.socket()
        filler.setblocking(False)
        with contextlib.suppress(BlockingIOError):
            filler.connect(("127.0.0.1", port))
        fillers.append(filler)
    yield f"http://127.0.0.1:{port}/events/math-seminar.ics"
    for filler in fillers:
        filler.close()
    server.close()


def test_a_connect_timeout(
    faulty: FaultySite, config: Path, blackhole: str, capsys: pytest.CaptureFixture[str]
) -> None:
    before = healthy_first(config, capsys)
    text = config.read_text().replace("timeout = 10.0", "timeout = 0.5")
    config.write_text(text.replace(faulty.calendar_url, blackhole))
    began = time.monotonic()
    assert run(config, LATER) == 1
    assert time.monotonic() - began < 30
    assert f"{blackhole}: ConnectTimeout" in capsys.readouterr().err
    after = published(config.parent / "public")
    assert_nothing_lost(before, after)
    assert after.uids("sites/nyu-cs-colloquium.ics") == before.uids("sites/nyu-cs-colloquium.ics")
