"""Saved pages with expected records: the golden files behind `talkfeed check` and the tests.

A site's folder (`tests/fixtures/<site-id>/`) holds saved pages, `pages.toml` (each page's
original URL and when it was saved) and a `<page>.expected.json` beside every page:

- for a talk page, the record: keys present are compared, `<field>_startswith` compares a prefix
  (or null), `title`, `url` and `start` are mandatory (`title` and `url` may be null: the page
  names no title yet, or the talk has no page of its own), unknown keys are errors;
- for any other page (a listing, a feed, an API response), `{"listings": [further listing URLs],
  "talks": [records in listing order]}`; talks are matched by `id` when every one gives it, else
  by `url`, so a talk without a url needs its `id`. A talk the listing shows only in part, which
  a run completes from its own page, is marked `"completed_from_page": true` and holds only what
  the listing says (its `url` is its one mandatory key): its page gives the rest.

An expectation written by a tool carries `"reviewed": false` until a person has checked it, and
does not pass until then.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from aggregator.errors import RecordError, TalkfeedError
from aggregator.fetching.snapshot import load_snapshot
from aggregator.model import Talk
from aggregator.records.normalize import normalize
from scrapers import Page, SiteParser, TalkDraft

__all__ = [
    "FixturePage",
    "expectation",
    "fixture_pages",
    "mismatches",
    "parse_page",
    "site_folders",
    "write_expected",
]

_TEXT_FIELDS = ("title", "location", "host", "abstract", "bio", "notes")
_PREFIXED = ("abstract", "bio", "notes")
_PREFIX_LENGTH = 60
_MANDATORY = ("title", "url", "start")
_COMPLETED = "completed_from_page"


@dataclass(frozen=True)
class FixturePage:
    """One saved page, its original URL, and the file of its expected records."""

    site_id: str
    path: Path
    url: str
    page: Page

    @property
    def name(self) -> str:
        """`<site-id>/<page stem>`, as reports and test ids show it."""
        return f"{self.site_id}/{self.path.stem}"

    @property
    def expected_path(self) -> Path:
        """The page's `.expected.json`."""
        return self.path.with_name(self.path.stem + ".expected.json")

    def expected(self) -> Any:
        """The parsed expectation file."""
        return json.loads(self.expected_path.read_text(encoding="utf-8"))


def site_folders(root: Path) -> list[Path]:
    """Every saved site: the folders of `root` not starting with "_"."""
    return sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("_"))


def fixture_pages(root: Path, site_id: str | None = None) -> list[FixturePage]:
    """Every page listed in the `pages.toml` of each site folder (or of one site's)."""
    pages = []
    for folder in site_folders(root):
        if site_id is not None and folder.name != site_id:
            continue
        snapshot = load_snapshot(folder)
        for name, url in sorted(snapshot.pages.items()):
            path = folder / name
            page = Page(url, path.read_text(encoding="utf-8"), snapshot.captured_at)
            pages.append(FixturePage(folder.name, path, url, page))
    return pages


def parse_page(site: SiteParser, page: Page) -> dict[str, Any]:
    """What a page yields, as JSON: `{"talk": record}` for a talk page, else
    `{"listings": [...], "talks": [records], "invalid": [messages]}`, where `invalid` names the
    listed talks that fail validation. RecordError for a talk page that fails it."""
    if site.is_talk(page.url):
        return {"talk": normalize(site.talk(page), site).model_dump(mode="json")}
    links = site.listing(page)
    talks, invalid = [], []
    for link in links:
        if link.kind != "talk" or link.seed is None or not site.wants(link.seed):
            continue
        try:
            if link.complete:
                talks.append(normalize(link.seed, site).model_dump(mode="json"))
            else:
                talks.append(_seed_record(link.seed, site, page.fetched_at))
        except RecordError as exc:
            invalid.append(str(exc))
    return {
        "listings": [link.url for link in links if link.kind == "listing"],
        "talks": talks,
        "invalid": invalid,
    }


def _seed_record(seed: TalkDraft, site: SiteParser, now: datetime) -> dict[str, Any]:
    """What the listing says of a talk that a run completes from its own page."""
    if seed.start is not None:
        return {**normalize(seed, site).model_dump(mode="json"), _COMPLETED: True}
    # The date is its page's to give, so the talk is no invalid one: the rest of what the
    # listing says is normalized around a stand-in date, which is then left out.
    record = normalize(replace(seed, start=now, end=None), site).model_dump(mode="json")
    dated = ("start", "end", "timezone", "all_day")
    return {**{k: v for k, v in record.items() if k not in dated}, _COMPLETED: True}


def mismatches(parsed: Mapping[str, Any], expected: Mapping[str, Any]) -> list[str]:
    """Every difference between a parse result and its expectation, one readable line each."""
    expected = dict(expected)
    problems = []
    if expected.pop("reviewed", True) is not True:
        problems.append('not reviewed yet: check the expectation, then drop "reviewed": false')
    if "talk" in parsed:
        return problems + _record_mismatches(parsed["talk"], expected)
    if set(expected) != {"listings", "talks"}:
        return [*problems, 'a listing expectation holds exactly "listings" and "talks"']
    problems += [f"invalid talk: {message}" for message in parsed.get("invalid", [])]
    if parsed["listings"] != expected["listings"]:
        problems.append(f"listings: expected {expected['listings']}, got {parsed['listings']}")
    # Talks are matched by id when the expectation gives one: recurring events share a URL.
    by = "id" if all("id" in want for want in expected["talks"]) else "url"
    if by == "url" and any(want.get("url") is None for want in expected["talks"]):
        return [*problems, 'a talk without a url needs its "id": give every talk its "id"']
    got = {talk[by]: talk for talk in parsed["talks"]}
    wanted = [want.get(by) for want in expected["talks"]]
    problems += [f"talk {key}: missing" for key in wanted if key not in got]
    problems += [f"talk {key}: not expected" for key in got if key not in wanted]
    if not problems and list(got) != wanted:
        problems.append("talks: same talks in another order")
    for want in expected["talks"]:
        if want.get(by) in got:
            problems += [f"talk {want[by]}: {p}" for p in _record_mismatches(got[want[by]], want)]
    return problems


def _record_mismatches(actual: Mapping[str, Any], expected: Mapping[str, Any]) -> list[str]:
    known = set(Talk.model_fields) | {f"{name}_startswith" for name in _TEXT_FIELDS}
    known.add(_COMPLETED)
    problems = [f"unknown key {key!r} in the expectation" for key in sorted(set(expected) - known)]
    mandatory = ("url",) if expected.get(_COMPLETED) else _MANDATORY
    problems += [f"mandatory key {key!r} missing" for key in mandatory if key not in expected]
    for key, want in expected.items():
        if key.endswith("_startswith") and key in known:
            name = key.removesuffix("_startswith")
            got = actual.get(name)
            if want is None and got is not None:
                problems.append(f"{name}: expected null, got {got[:_PREFIX_LENGTH]!r}")
            elif want is not None and not (isinstance(got, str) and got.startswith(want)):
                problems.append(f"{name}: expected to start with {want!r}, got {got!r}")
        elif key in known and actual.get(key) != want:
            problems.append(f"{key}: expected {want!r}, got {actual.get(key)!r}")
    return problems


def expectation(parsed: Mapping[str, Any], *, reviewed: bool) -> dict[str, Any]:
    """The expectation file's content for a parse result: every field, long texts as prefixes."""
    body: dict[str, Any]
    if "talk" in parsed:
        body = _record_expectation(parsed["talk"])
    else:
        body = {
            "listings": list(parsed["listings"]),
            "talks": [_record_expectation(t) for t in parsed["talks"]],
        }
    return body if reviewed else {"reviewed": False, **body}


def _record_expectation(record: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in Talk.model_fields:
        value = record.get(name)
        if name in _PREFIXED and isinstance(value, str) and len(value) > _PREFIX_LENGTH:
            out[f"{name}_startswith"] = value[:_PREFIX_LENGTH]
        else:
            out[name] = value
    if record.get(_COMPLETED):
        # What the listing leaves empty, the talk's own page fills in a run: not expected here.
        out = {key: value for key, value in out.items() if value not in (None, []) or key == "url"}
        out[_COMPLETED] = True
    return out


def write_expected(path: Path, content: Mapping[str, Any]) -> None:
    """Write an expectation our way: model field order, 2-space indent, UTF-8, final newline."""
    try:
        path.write_text(json.dumps(content, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    except OSError as exc:
        raise TalkfeedError(f"{path}: cannot write: {exc.strerror}") from None
