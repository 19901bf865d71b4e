"""Recorded responses: what a site returned, saved so that parsers can be rerun on exactly that.

`talkfeed record URL… --to DIR` writes, per URL, `<name>.json` (the URL asked for, the final URL,
status, headers, when) and `<name>.body` (the bytes as received). `ReplayTransport(DIR)` answers
requests from such a folder, so `talkfeed run --replay DIR` runs the whole job offline on them.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import httpx

from aggregator.errors import FetchError, TalkfeedError
from aggregator.fetching.fetch import Fetcher

__all__ = ["RecordOutcome", "ReplayTransport", "record", "save_answer"]

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
# Headers that describe the transfer, not the content: replaying them would lie about the body.
_TRANSFER_HEADERS = frozenset({"content-encoding", "content-length", "transfer-encoding"})


@dataclass(frozen=True)
class RecordOutcome:
    """One URL's fate: the file stem it was saved under, or why it could not be fetched."""

    url: str
    saved_as: str | None = None
    error: str | None = None


def _name(url: str) -> str:
    readable = _UNSAFE.sub("_", url.split("://", 1)[-1]).strip("_")[:80]
    return f"{readable}-{hashlib.sha256(url.encode()).hexdigest()[:10]}"


async def record(urls: Sequence[str], folder: Path, fetcher: Fetcher) -> list[RecordOutcome]:
    """Fetch each URL politely and save its response in `folder`."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise TalkfeedError(f"{folder}: cannot create: {exc.strerror}") from None
    outcomes = []
    for url in urls:
        try:
            response = await fetcher.get(url)
        except FetchError as exc:
            outcomes.append(RecordOutcome(url, error=exc.reason))
            continue
        headers = [(k, v) for k, v in response.headers if k.lower() not in _TRANSFER_HEADERS]
        answer = (response.url, response.status, headers, response.body, response.fetched_at)
        outcomes.append(RecordOutcome(url, saved_as=save_answer(folder, url, *answer)))
    return outcomes


def save_answer(
    folder: Path,
    url: str,
    final_url: str,
    status: int,
    headers: Sequence[tuple[str, str]],
    body: bytes,
    fetched_at: datetime,
) -> str:
    """Save one answer to `url` in `folder` as `ReplayTransport` reads it; the files' stem."""
    name = _name(url)
    meta = {
        "url": url,
        "final_url": final_url,
        "status": status,
        "headers": [[key, value] for key, value in headers],
        "fetched_at": fetched_at.isoformat(),
    }
    (folder / f"{name}.body").write_bytes(body)
    (folder / f"{name}.json").write_text(
        json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return name


class ReplayTransport(httpx.AsyncBaseTransport):
    """Answers requests from a folder written by `record`; anything else is a 404.

    robots.txt is answered like any URL: unrecorded, it is a 404, which allows everything.
    """

    def __init__(self, folder: Path) -> None:
        self._responses: dict[str, tuple[int, list[tuple[str, str]], Path]] = {}
        if not folder.is_dir():
            raise TalkfeedError(f"{folder}: no such folder of recorded responses")
        for path in sorted(folder.glob("*.json")):
            try:
                meta = json.loads(path.read_text(encoding="utf-8"))
                headers = [(str(key), str(value)) for key, value in meta["headers"]]
                entry = (int(meta["status"]), headers, path)
                self._responses[str(meta["url"])] = entry
                self._responses.setdefault(str(meta["final_url"]), entry)
            except (ValueError, KeyError, TypeError) as exc:
                raise TalkfeedError(f"{path}: not a recorded response: {exc}") from None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        found = self._responses.get(str(request.url))
        if found is None:
            return httpx.Response(404, text="not recorded\n", request=request)
        status, headers, meta_path = found
        body = meta_path.with_suffix(".body").read_bytes()
        return httpx.Response(status, headers=headers, content=body, request=request)
