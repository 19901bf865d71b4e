"""Network faults through the whole pipeline: each run finishes, the other source is published,
nothing published before is lost, and the report names the fault. (The fetcher's own tests
cover the same faults request by request, with truncated bodies too.)"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import socket
import time
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug import Response

from aggregator.cli import main
from aggregator.commands import newsite
from aggregator.commands.extract import fetch_page
from aggregator.errors import FetchError, TalkfeedError
from aggregator.fetching.fetch import WHILE_YOU_WAIT
from tests.conftest import LISTING_PATH
from tests.faults import (
    CALENDAR_ID,
    CALENDAR_PATH,
    FaultySite,
    Published,
    assert_nothing_lost,
    nyu_uid,
    published,
)
from tests.trickle import Trickle

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


def health(config: Path) -> dict[str, dict[str, Any]]:
    """This run's `health.json`, by source."""
    document = json.loads((config.parent / "public" / "health.json").read_text(encoding="utf-8"))
    return {source["source"]: source for source in document["sources"]}


def test_links_and_redirects_to_malformed_urls(
    faulty: FaultySite, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = healthy_first(config, capsys)
    fall = f"{LISTING_PATH}?semester=fall_2026"
    bad_port = "http://127.0.0.1:99999/dynamic/news/colloquium/1875/"
    faulty.edit(fall, 'href="/dynamic/news/colloquium/1875/"', f'href="{bad_port}"')
    moved = faulty.detail_path(1872)
    faulty.responders[moved] = lambda: Response(
        "", status=302, headers={"Location": "http://xn--a/talks/1872"}
    )

    assert run(config, LATER) == 1

    report = capsys.readouterr().err
    assert "Traceback" not in report
    port_error = f"{bad_port}: invalid URL: port 99999 is out of range"
    host_error = (
        f"{moved}: HTTP 302 Found, redirecting to a malformed URL: 'http://xn--a/talks/1872': "
        "invalid URL: 'xn--a' is not a valid host name"
    )
    assert port_error in report
    assert host_error in report
    nyu = health(config)["nyu-cs-colloquium"]
    assert nyu["status"] == "failed"
    assert any(error.endswith(port_error) for error in nyu["errors"])
    assert any(error.endswith(host_error) for error in nyu["errors"])
    after = published(config.parent / "public")
    assert_nothing_lost(before, after)
    # Both talks are still published, with what their pages said before.
    assert after.text(nyu_uid(1872)) == before.text(nyu_uid(1872))
    other_source_published(before, after)


def test_extract_and_detect_say_a_malformed_redirect_in_one_line(
    faulty: FaultySite, capsys: pytest.CaptureFixture[str]
) -> None:
    faulty.responders["/moved"] = lambda: Response(
        "", status=302, headers={"Location": "http://xn--a/"}
    )
    url = faulty.server.url_for("/moved")
    why = "HTTP 302 Found, redirecting to a malformed URL: 'http://xn--a/': invalid URL: "

    assert main(["extract", url]) == 1
    extract = capsys.readouterr().err
    # A failure, in the exit codes of the command that failed (detect counts a page it cannot
    # fetch as a bad argument).
    assert main(["detect", url]) != 0
    detect = capsys.readouterr().err

    for said in (extract, detect):
        assert said.count("\n") == 1, said
        assert said.startswith("talkfeed: error: cannot fetch ")
        assert why in said


def test_a_redirect_to_the_cloud_metadata_address_is_refused(
    faulty: FaultySite, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = healthy_first(config, capsys)
    metadata = "http://169.254.169.254/latest/meta-data/iam/security-credentials/"
    faulty.responders[faulty.detail_path(1857)] = lambda: Response(
        "", status=302, headers={"Location": metadata}
    )

    assert run(config, LATER) == 1

    refusal = (
        f"{faulty.detail_path(1857)}: redirected to {metadata}: 169.254.169.254 is a cloud "
        "metadata address, and the source is not on one; refused"
    )
    assert refusal in capsys.readouterr().err
    nyu = health(config)["nyu-cs-colloquium"]
    assert nyu["http"]["refused"] == 1
    assert any(error.endswith(refusal) for error in nyu["errors"])
    after = published(config.parent / "public")
    assert_nothing_lost(before, after)
    assert after.text(nyu_uid(1857)) == before.text(nyu_uid(1857))
    other_source_published(before, after)


def test_a_gzip_bomb(faulty: FaultySite, config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = healthy_first(config, capsys)
    # 200 MB of HTML-ish zeros, sent as 200 KB of gzip.
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    bomb = b"".join(packer.compress(bytes(1_000_000)) for _ in range(200)) + packer.flush()
    faulty.responders[faulty.detail_path(1866)] = lambda: Response(
        bomb, headers={"Content-Type": "text/html", "Content-Encoding": "gzip"}
    )

    assert run(config, LATER) == 1

    assert f"{faulty.detail_path(1866)}: response larger than 5000000 bytes" in (
        capsys.readouterr().err
    )
    after = published(config.parent / "public")
    assert_nothing_lost(before, after)
    assert after.text(nyu_uid(1866)) == before.text(nyu_uid(1866))
    other_source_published(before, after)


def move_calendar_to(config: Path, faulty: FaultySite, base: str, fetch: str) -> None:
    """Read the iCal source from `base` from now on, with `fetch` added to [fetch]."""
    text = config.read_text().replace(faulty.calendar_url, base + CALENDAR_PATH)
    config.write_text(text.replace("[fetch]\n", f"[fetch]\n{fetch}\n"))


@pytest.mark.parametrize(
    ("setting", "said"),
    [
        ("request_deadline = 1", "no complete answer within the request deadline of 1 s"),
        ("run_deadline = 1", "run deadline of 1 s used up during the request"),
    ],
)
def test_a_trickling_source_ends_at_a_deadline(
    faulty: FaultySite,
    config: Path,
    capsys: pytest.CaptureFixture[str],
    setting: str,
    said: str,
) -> None:
    before = healthy_first(config, capsys)
    trickle = Trickle(content_type="text/calendar")

    with trickle.running() as base:
        move_calendar_to(config, faulty, base, setting)
        assert run(config, LATER) == 1

    assert f"{CALENDAR_ID}: FAILED" in capsys.readouterr().err
    calendar = health(config)[CALENDAR_ID]
    assert calendar["status"] == "failed"
    assert calendar["http"] == {"timeout": 1}
    assert calendar["errors"] == [
        "no listing could be read; keeping the talks already published",
        f"{base}{CALENDAR_PATH}: {said}",
    ]
    assert trickle.paths == ["/robots.txt", CALENDAR_PATH]
    after = published(config.parent / "public")
    assert_nothing_lost(before, after)
    assert after.uids("sites/nyu-cs-colloquium.ics") == before.uids("sites/nyu-cs-colloquium.ics")


@pytest.mark.parametrize("command", ["extract", "detect"])
def test_a_trickling_page_ends_what_someone_waits_on(command: str) -> None:
    settings = dataclasses.replace(WHILE_YOU_WAIT, request_deadline=1.0, delay=0.0)
    trickle = Trickle()
    with trickle.running() as base, pytest.raises((FetchError, TalkfeedError)) as raised:
        # The very calls `talkfeed extract URL` and `talkfeed detect URL` make.
        if command == "extract":
            fetch_page(f"{base}/seminar/", settings)
        else:
            newsite.fetch(f"{base}/seminar/", settings)
    assert "request deadline of 1 s" in str(raised.value)
    assert trickle.paths == ["/robots.txt", "/seminar/"]


def test_what_someone_waits_on_ends_in_minutes() -> None:
    assert WHILE_YOU_WAIT.request_deadline <= 30
    assert WHILE_YOU_WAIT.run_deadline <= 120
