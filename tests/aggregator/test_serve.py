"""`talkfeed serve`: real HTTP against the server on 127.0.0.1."""

from __future__ import annotations

import gzip
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from email.utils import formatdate
from itertools import pairwise
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import httpx
import pytest

from aggregator.cli import main
from aggregator.pipeline import EXIT_CONFIG, EXIT_OUTPUT
from aggregator.publishing.serve import Limits, make_server, parse_interval, repeating, serving
from feeds.html import INDEX_CSP
from tests.conftest import LISTING_PATH, FixtureSite

RSS = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
    + b"<title>All talks</title>" * 50
    + b"</channel></rss>\n"
)
FILES = {
    "index.html": b"<!doctype html><title>talks</title>\n",
    "all.rss": RSS,
    "all.atom": b'<feed xmlns="http://www.w3.org/2005/Atom"/>\n',
    "all.ics": b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
    "health.json": b'{"sources": []}\n',
    "all.feed.json": b'{"version": "https://jsonfeed.org/version/1.1"}\n',
    "all.jsonfeed": b'{"version": "https://jsonfeed.org/version/1.1"}\n',
    "feeds.opml": b'<opml version="2.0"/>\n',
    "style.css": b"body { margin: 0 }\n",
    "logo.png": b"\x89PNG\r\n\x1a\n" + bytes(range(256)),
    "sites/nyu.rss": RSS,
    "sites/nyu.ics": b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
    # What the atomic writer and the lock leave in the directory: never to be served.
    ".all.rss.k3j9x_2a.tmp": b"half a feed",
    "sites/.nyu.ics.abcdefgh.tmp": b"half a calendar",
    ".lock": b"4242\n",
}
IDENTITY = {"Accept-Encoding": "identity"}


@pytest.fixture
def out(tmp_path: Path) -> Path:
    root = tmp_path / "public"
    for name, data in FILES.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
        # Written a minute ago, as a run's outputs usually are when clients ask for them.
        os.utime(root / name, (time.time() - 60, time.time() - 60))
    (tmp_path / "secret.txt").write_bytes(b"outside")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "all.rss").write_bytes(b"outside")
    (root / "leak.txt").symlink_to(tmp_path / "secret.txt")
    (root / "leakdir").symlink_to(tmp_path / "elsewhere")
    (root / "hidden.rss").symlink_to(root / ".all.rss.k3j9x_2a.tmp")
    (root / "latest.rss").symlink_to(root / "all.rss")
    (root / "sub").mkdir()
    (root / "sub" / "index.html").symlink_to(tmp_path / "secret.txt")
    (root / "loop.rss").symlink_to(root / "loop.rss")
    return root


@pytest.fixture
def base(out: Path) -> Iterator[str]:
    with serving(out) as url:
        yield url


@pytest.fixture
def client(base: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base) as http:
        yield http


def raw_get(base: str, target: str, method: str = "GET") -> tuple[int, bytes]:
    """Send `target` exactly as given (httpx would normalize the dot segments away)."""
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
    try:
        connection.request(method, target)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("all.rss", "application/rss+xml; charset=utf-8"),
        ("all.atom", "application/atom+xml; charset=utf-8"),
        ("all.ics", "text/calendar; charset=utf-8"),
        ("index.html", "text/html; charset=utf-8"),
        ("", "text/html; charset=utf-8"),
        ("feeds.opml", "text/x-opml; charset=utf-8"),
        ("health.json", "application/json"),
        ("all.feed.json", "application/feed+json"),
        ("all.jsonfeed", "application/feed+json"),
        ("style.css", "text/css; charset=utf-8"),
        ("logo.png", "image/png"),
        ("sites/nyu.ics", "text/calendar; charset=utf-8"),
    ],
)
def test_content_type_by_extension(client: httpx.Client, path: str, content_type: str) -> None:
    response = client.get(f"/{path}", headers=IDENTITY)
    assert response.status_code == 200
    assert response.headers["content-type"] == content_type
    assert response.content == FILES[path or "index.html"]
    assert response.headers["cache-control"] == "public, max-age=300"
    assert int(response.headers["content-length"]) == len(FILES[path or "index.html"])


def test_query_string_is_ignored(client: httpx.Client) -> None:
    response = client.get("/sites/nyu.ics?x=1&token=abc", headers=IDENTITY)
    assert response.status_code == 200
    assert response.content == FILES["sites/nyu.ics"]


def test_etag_comes_from_the_content(client: httpx.Client, out: Path) -> None:
    first = client.get("/all.ics", headers=IDENTITY)
    etag = first.headers["etag"]
    assert etag.startswith('"') and etag.endswith('"')
    assert client.get("/sites/nyu.ics", headers=IDENTITY).headers["etag"] == etag
    # The same bytes written again (a new file, a new mtime): the same ETag.
    (out / "all.ics").unlink()
    (out / "all.ics").write_bytes(FILES["all.ics"])
    os.utime(out / "all.ics", (1_000_000_000, 1_000_000_000))
    again = client.get("/all.ics", headers=IDENTITY)
    assert again.headers["etag"] == etag
    assert again.headers["last-modified"] == "Sun, 09 Sep 2001 01:46:40 GMT"
    (out / "all.ics").write_bytes(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n")
    changed = client.get("/all.ics", headers=IDENTITY)
    assert changed.headers["etag"] != etag
    assert changed.content.startswith(b"BEGIN:VCALENDAR\r\nVERSION:2.0")


def test_if_none_match_gives_304_without_body(client: httpx.Client) -> None:
    etag = client.get("/all.rss", headers=IDENTITY).headers["etag"]
    for header in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        response = client.get("/all.rss", headers={**IDENTITY, "If-None-Match": header})
        assert response.status_code == 304, header
        assert response.content == b""
        assert response.headers["etag"] == etag
        assert response.headers["cache-control"] == "public, max-age=300"
    stale = client.get("/all.rss", headers={**IDENTITY, "If-None-Match": '"other"'})
    assert stale.status_code == 200
    assert stale.content == RSS


def test_a_file_written_this_second_has_no_last_modified(client: httpx.Client, out: Path) -> None:
    (out / "all.atom").write_bytes(FILES["all.atom"])
    fresh = client.get("/all.atom", headers=IDENTITY)
    assert "last-modified" not in fresh.headers, "a same-second rewrite would look unchanged"
    assert fresh.headers["etag"]
    os.utime(out / "all.atom", (time.time() - 5, time.time() - 5))
    assert "last-modified" in client.get("/all.atom", headers=IDENTITY).headers


def test_if_modified_since_gives_304(client: httpx.Client, out: Path) -> None:
    os.utime(out / "all.atom", (1_700_000_000, 1_700_000_000))
    last_modified = client.get("/all.atom", headers=IDENTITY).headers["last-modified"]
    assert last_modified == formatdate(1_700_000_000, usegmt=True)
    same = client.get("/all.atom", headers={**IDENTITY, "If-Modified-Since": last_modified})
    assert same.status_code == 304
    assert same.content == b""
    later = formatdate(1_700_000_500, usegmt=True)
    assert client.get("/all.atom", headers={"If-Modified-Since": later}).status_code == 304
    earlier = formatdate(1_699_999_000, usegmt=True)
    older = client.get("/all.atom", headers={**IDENTITY, "If-Modified-Since": earlier})
    assert older.status_code == 200
    assert older.content == FILES["all.atom"]
    # If-None-Match decides when both are sent (RFC 9110): a stale tag gets the file.
    both = {**IDENTITY, "If-Modified-Since": last_modified, "If-None-Match": '"stale"'}
    assert client.get("/all.atom", headers=both).status_code == 200
    garbage = client.get("/all.atom", headers={**IDENTITY, "If-Modified-Since": "yesterday"})
    assert garbage.status_code == 200


def test_gzip_round_trip(client: httpx.Client) -> None:
    with client.stream("GET", "/all.rss", headers={"Accept-Encoding": "gzip"}) as response:
        raw = b"".join(response.iter_raw())
    assert response.status_code == 200
    assert response.headers["content-encoding"] == "gzip"
    assert response.headers["vary"] == "Accept-Encoding"
    assert response.headers["content-type"] == "application/rss+xml; charset=utf-8"
    assert int(response.headers["content-length"]) == len(raw) < len(RSS)
    assert gzip.decompress(raw) == RSS
    plain = client.get("/all.rss", headers=IDENTITY)
    assert "content-encoding" not in plain.headers
    assert plain.headers["vary"] == "Accept-Encoding"
    assert plain.content == RSS
    # Different bytes, different strong ETags; each validates only its own representation.
    zipped_tag, plain_tag = response.headers["etag"], plain.headers["etag"]
    assert zipped_tag == plain_tag[:-1] + '-gzip"'
    gzip_only = {"Accept-Encoding": "gzip"}
    assert (
        client.get("/all.rss", headers={**gzip_only, "If-None-Match": zipped_tag}).status_code
        == 304
    )
    assert (
        client.get("/all.rss", headers={**gzip_only, "If-None-Match": plain_tag}).status_code == 200
    )
    assert (
        client.get("/all.rss", headers={**IDENTITY, "If-None-Match": zipped_tag}).status_code == 200
    )
    assert (
        client.get("/all.rss", headers={"Accept-Encoding": "gzip;q=0"}).headers.get(
            "content-encoding"
        )
        is None
    )


def test_binary_files_are_not_gzipped(client: httpx.Client) -> None:
    response = client.get("/logo.png", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in response.headers
    assert "vary" not in response.headers
    assert response.content == FILES["logo.png"]


@pytest.mark.parametrize(
    "target",
    [
        "/.lock",
        "/.all.rss.k3j9x_2a.tmp",
        "/sites/.nyu.ics.abcdefgh.tmp",
        "/%2elock",
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/sites/..%2f..%2fsecret.txt",
        "/sites/../../secret.txt",
        "/./all.rss",
        "/leak.txt",
        "/leakdir/all.rss",
        "/hidden.rss",
        "/missing.rss",
        "/sites/",
        "/sub/",
        "/sub",
        "/all.rss%00.txt",
        "/loop.rss",
        "/" + "a" * 5000 + ".rss",
    ],
)
def test_not_served(base: str, target: str) -> None:
    status, body = raw_get(base, target)
    assert status == 404, target
    assert body == b"404 Not Found: not found\n"


def test_absolute_path_stays_inside(base: str, tmp_path: Path) -> None:
    status, _ = raw_get(base, "/" + str(tmp_path / "secret.txt"))
    assert status == 404
    status, _ = raw_get(base, str(tmp_path / "secret.txt"))
    assert status == 404


def test_symlink_inside_is_served(client: httpx.Client) -> None:
    response = client.get("/latest.rss", headers=IDENTITY)
    assert response.status_code == 200
    assert response.content == RSS


def test_missing_file_is_a_short_text_404(client: httpx.Client) -> None:
    response = client.get("/feeds/nope.ics")
    assert response.status_code == 404
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.text == "404 Not Found: not found\n"


def test_head_has_the_headers_and_no_body(client: httpx.Client) -> None:
    got = client.get("/all.rss", headers={"Accept-Encoding": "gzip"})
    head = client.head("/all.rss", headers={"Accept-Encoding": "gzip"})
    assert head.status_code == 200
    assert head.content == b""
    for header in ("content-type", "content-length", "etag", "last-modified", "content-encoding"):
        assert head.headers[header] == got.headers[header], header
    assert client.head("/missing.rss").content == b""
    assert client.head("/missing.rss").status_code == 404


def test_head_on_a_raw_connection_sends_no_body(base: str) -> None:
    status, body = raw_get(base, "/all.ics", method="HEAD")
    assert (status, body) == (200, b"")


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"])
def test_other_methods_are_405(client: httpx.Client, method: str) -> None:
    response = client.request(method, "/all.rss", content=b"x=1")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD"
    # The connection is still good for the next request (the server closed it cleanly).
    assert client.get("/all.rss").status_code == 200


@pytest.mark.parametrize(
    ("path", "accept", "location"),
    [
        ("/all", "text/calendar", "/all.ics"),
        ("/all", "text/calendar;q=0.9, */*;q=0.1", "/all.ics"),
        ("/all", "application/rss+xml", "/all.rss"),
        ("/all", None, "/all.rss"),
        ("/all", "text/calendar;q=0", "/all.rss"),
        ("/all?x=1", "text/calendar", "/all.ics?x=1"),
        ("/sites/nyu", "text/calendar", "/sites/nyu.ics"),
    ],
)
def test_extensionless_path_redirects(
    client: httpx.Client, path: str, accept: str | None, location: str
) -> None:
    headers = {"Accept": accept} if accept else {}
    response = client.get(path, headers=headers)
    assert response.status_code == 301
    assert response.headers["location"] == location
    assert response.headers["vary"] == "Accept"
    assert client.get(location, headers=headers).status_code == 200


def test_redirect_stays_on_this_host(base: str) -> None:
    status, body = raw_get(base, "//all")
    assert (status, body) == (301, b"301 Moved Permanently: /all.rss\n")


def test_extensionless_path_without_a_feed_is_404(client: httpx.Client) -> None:
    assert client.get("/nothing", headers={"Accept": "text/calendar"}).status_code == 404
    assert client.get("/.lock").status_code == 404


def test_quiet_by_default_and_one_line_per_request_when_verbose(
    out: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    for verbose in (False, True):
        server = make_server(out, "127.0.0.1", 0, verbose=verbose)
        thread = threading.Thread(target=server.serve_forever)
        thread.start()
        try:
            with httpx.Client(base_url=server.url) as http:
                http.get("/all.rss?x=1")
                http.get("/nope")
                http.post("/all.rss")
        finally:
            server.shutdown()
            thread.join()
            server.close()
        lines = capfd.readouterr().err.splitlines()
        if verbose:
            assert lines == ["GET /all.rss?x=1 200", "GET /nope 404", "POST /all.rss 405"]
        else:
            assert lines == []


SECURITY = {
    "x-content-type-options": "nosniff",
    "content-security-policy": INDEX_CSP,
    "referrer-policy": "no-referrer",
}


def test_every_answer_has_the_security_headers(client: httpx.Client) -> None:
    etag = client.get("/all.rss").headers["etag"]
    answers = [
        client.get("/"),
        client.get("/all.rss"),
        client.get("/all.rss", headers={"If-None-Match": etag}),
        client.get("/all", headers={"Accept": "text/calendar"}),
        client.get("/missing.rss"),
        client.post("/all.rss"),
        client.head("/all.ics"),
    ]
    assert [a.status_code for a in answers] == [200, 200, 304, 301, 404, 405, 200]
    for answer in answers:
        assert {name: answer.headers.get(name) for name in SECURITY} == SECURITY, answer


def connect(base: str) -> socket.socket:
    parts = urlsplit(base)
    return socket.create_connection((parts.hostname or "", parts.port or 80), timeout=30)


def test_slow_and_silent_clients_hold_no_worker(out: Path) -> None:
    # One worker, and connections that nothing closes during the test: were any of them given
    # the worker, the request below would wait out its 10 s timeout.
    with serving(out, limits=Limits(threads=1, idle_seconds=600)) as base:
        held = [connect(base) for _ in range(12)]
        try:
            for number, connection in enumerate(held):
                partial = [
                    b"",
                    b"GET /all.rss HTTP/1.1\r\nHost: x\r\n",
                    b"POST /all.rss HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nx=1",
                ][number % 3]
                connection.sendall(partial)
            response = httpx.get(base + "all.rss", timeout=10)
            assert response.status_code == 200
            assert response.content == RSS
        finally:
            for connection in held:
                connection.close()


def test_idle_connections_past_the_limit_are_let_go(out: Path) -> None:
    # Room for 4 clients (waitress's own two sockets count); 10 hold a connection and send
    # nothing. Each is closed after a second of silence, and the request gets its turn.
    with serving(out, limits=Limits(threads=1, connections=6, idle_seconds=1)) as base:
        held = [connect(base) for _ in range(10)]
        try:
            response = httpx.get(base + "all.ics", timeout=60)
            assert response.status_code == 200
            for connection in held:
                # The server hung up on every one of them.
                assert connection.recv(1) == b""
        finally:
            for connection in held:
                connection.close()


def raw_request(base: str, head: bytes) -> int:
    """The status code the server answers `head` with."""
    with connect(base) as connection:
        connection.sendall(head)
        return int(connection.makefile("rb").readline().split()[1])


def test_oversized_requests_are_refused(out: Path) -> None:
    with serving(out, limits=Limits(header_bytes=4096, body_bytes=1024)) as base:
        long_line = b"GET /" + b"a" * 5000 + b".rss HTTP/1.1\r\nHost: x\r\n\r\n"
        assert raw_request(base, long_line) == 431
        big_header = b"GET /all.rss HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * 5000 + b"\r\n\r\n"
        assert raw_request(base, big_header) == 431
        # Refused on its Content-Length: the body is never waited for.
        big_body = b"POST /all.rss HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000000\r\n\r\n"
        assert raw_request(base, big_body) == 413
        assert raw_request(base, b"GET /all.rss HTTP/1.1\r\nHost: x\r\n\r\n") == 200


def test_link_url_is_the_servers_own_unless_it_listens_everywhere(out: Path) -> None:
    here = make_server(out, "127.0.0.1", 0)
    everywhere = make_server(out, "0.0.0.0", 0)
    try:
        assert here.link_url == here.url
        assert everywhere.url.startswith("http://0.0.0.0:")
        assert everywhere.link_url is None
    finally:
        here.close()
        everywhere.close()


@pytest.mark.parametrize(
    ("text", "interval"),
    [
        ("1h", timedelta(hours=1)),
        ("30m", timedelta(minutes=30)),
        ("90s", timedelta(seconds=90)),
        ("1h30m", timedelta(minutes=90)),
        ("1d", timedelta(days=1)),
        (" 2h ", timedelta(hours=2)),
    ],
)
def test_parse_interval(text: str, interval: timedelta) -> None:
    assert parse_interval(text) == interval


@pytest.mark.parametrize("text", ["", "1", "h", "1x", "-1h", "1.5h", "30m1h", "0s", "0h0m", "1 h"])
def test_parse_interval_rejects(text: str) -> None:
    with pytest.raises(ValueError, match="bad interval"):
        parse_interval(text)


def test_bad_run_every_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["serve", "--run-every", "5x"])
    assert exit_info.value.code == EXIT_CONFIG
    assert "argument --run-every: bad interval '5x'" in capsys.readouterr().err


def test_missing_output_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--out", str(tmp_path / "nope")]) == EXIT_OUTPUT
    assert capsys.readouterr().err.strip().endswith("no such directory (run `talkfeed run` first)")


def test_port_in_use(out: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["serve", "--out", str(out), "--port", str(port)]) == EXIT_CONFIG
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"talkfeed: error: cannot listen on 127.0.0.1:{port}: Address already in use"]


def test_repeating_survives_failures(capfd: pytest.CaptureFixture[str]) -> None:
    calls: list[float] = []
    enough = threading.Event()

    def job() -> None:
        calls.append(time.monotonic())
        if len(calls) < 4:
            raise RuntimeError(f"boom {len(calls)}")
        # Once the three failures are logged; the fourth call succeeds, logging nothing.
        enough.set()

    with repeating(timedelta(milliseconds=50), job):
        assert enough.wait(10)
    lines = capfd.readouterr().err.splitlines()
    assert lines == [f"talkfeed: run failed: RuntimeError: boom {n}" for n in (1, 2, 3)]
    assert all(later - earlier >= 0.04 for earlier, later in pairwise(calls))


def start_serving(*args: str) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "aggregator", "serve", "--port", "0", *args],
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    first = process.stderr.readline()
    assert first.startswith("serving "), first
    return process, first.rsplit(" at ", 1)[1].strip()


def stop(process: subprocess.Popen[str], signum: int = signal.SIGINT) -> list[str]:
    process.send_signal(signum)
    _, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    return err.splitlines()


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_cli_serves_until_interrupted(out: Path, signum: int) -> None:
    process, url = start_serving("--out", str(out))
    try:
        assert url.startswith("http://127.0.0.1:") and url.endswith("/")
        response = httpx.get(url + "index.html", timeout=10)
        assert response.status_code == 200
        assert response.content == FILES["index.html"]
        assert httpx.get(url + ".lock", timeout=10).status_code == 404
        assert response.headers["server"] == "talkfeed"
    finally:
        rest = stop(process, signum)
    assert rest == [f"stopped serving {out}"]


def test_cli_runs_every_interval_and_serves_the_feeds(config_file: Path, site: FixtureSite) -> None:
    process, url = start_serving("--config", str(config_file), "--run-every", "1s")
    try:
        deadline = time.monotonic() + 60
        health = httpx.get(url + "health.json", timeout=10)
        while health.status_code == 404 and time.monotonic() < deadline:
            time.sleep(0.1)
            health = httpx.get(url + "health.json", timeout=10)
        assert health.status_code == 200
        (source,) = json.loads(health.content)["sources"]
        assert source["source"] == "nyu-cs-colloquium"
        assert source["status"] == "ok"
        assert source["talks"] > 0
        feed = httpx.get(url + "sites/nyu-cs-colloquium.ics", timeout=10)
        assert feed.status_code == 200
        assert feed.headers["content-type"] == "text/calendar; charset=utf-8"
        assert b"BEGIN:VEVENT" in feed.content
        rss = httpx.get(url + "all.rss", timeout=10)
        assert rss.status_code == 200
        # No base_url in the config: the feeds link to where they are served.
        self_links = [
            link["href"]
            for link in feedparser.parse(rss.content).feed.links
            if link["rel"] == "self"
        ]
        assert self_links == [url + "all.rss"]
        # The job comes round again while the server keeps serving.
        while site.requests.count(LISTING_PATH) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert site.requests.count(LISTING_PATH) >= 2
        assert httpx.get(url, timeout=10).status_code == 200
    finally:
        rest = stop(process)
    assert len(rest) == 1
    assert rest[0].startswith(f"stopped serving {config_file.parent / 'public'}")
