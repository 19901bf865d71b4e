"""`talkfeed demo`: the whole job on saved pages, offline, in a folder of its own.

The folder (`talkfeed-demo/` unless told otherwise) is left as an installation of talkfeed
looks, so that the commands that follow a run can be tried on it:

    talkfeed.toml   the demo's sources, store and output; the commands read it there
                    without --config
    talkfeed.db     the store (and its lock file, talkfeed.db.lock)
    public/         the feeds and the page
    replay/         the saved pages as recorded answers: `talkfeed run --replay replay`

The saved pages shipped with talkfeed (`aggregator/demo_sites/`) are those of the NYU
colloquium: its folder is a link to `tests/fixtures/nyu-cs-colloquium/`, which a wheel holds
as files, so the demo runs on exactly the pages the tests read.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping, Sequence
from importlib.resources import files
from pathlib import Path
from typing import Any

from aggregator.commands.fixtures import site_folders
from aggregator.config import Config, parse_config
from aggregator.errors import TalkfeedError
from aggregator.fetching.recording import save_answer
from aggregator.fetching.snapshot import Snapshot, load_snapshot, media_type
from scrapers import SiteParser, all_sites

__all__ = [
    "CONFIG_NAME",
    "DEFAULT_FOLDER",
    "REPLAY_NAME",
    "SAVED_SITES",
    "prepare",
    "saved_sites",
]

SAVED_SITES = Path(str(files("aggregator").joinpath("demo_sites")))
"""The saved sites shipped with talkfeed: what the demo reads unless given others."""
DEFAULT_FOLDER = Path("talkfeed-demo")
CONFIG_NAME = "talkfeed.toml"
"""The config file a folder's commands read without --config (see `aggregator.cli`)."""
REPLAY_NAME = "replay"

# The first line of a config the demo wrote: only such a file is the demo's to rewrite.
_HEADER = "# Written by `talkfeed demo`"


def saved_sites(root: Path, parsers: Mapping[str, SiteParser]) -> list[Snapshot]:
    """The saved sites in `root` (a folder of them, or one site's folder), each one a site or
    source of `parsers`; TalkfeedError otherwise."""
    if not root.is_dir():
        raise TalkfeedError(f"{root}: no such folder of saved sites")
    folders = [root] if (root / "pages.toml").is_file() else site_folders(root)
    snapshots = [load_snapshot(folder) for folder in folders]
    if not snapshots:
        raise TalkfeedError(f"{root}: no saved sites (folders with a pages.toml)")
    unknown = [s.folder.name for s in snapshots if s.folder.name not in parsers]
    if unknown:
        raise TalkfeedError(f"{root}: no site or bundled source for {', '.join(unknown)}")
    return snapshots


def prepare(folder: Path, snapshots: Sequence[Snapshot], out: Path, db: Path) -> Config:
    """Write the demo's config and recorded answers into `folder`; the config, as loaded.

    A `talkfeed.toml` there that the demo did not write is never overwritten."""
    config_path = folder / CONFIG_NAME
    if config_path.is_file() and not _ours(config_path):
        raise TalkfeedError(
            f"{config_path} is not a config the demo wrote: choose another folder (--dir DIR)"
        )
    text = _config_text(folder, [s.folder.name for s in snapshots], out, db)
    # Loaded before it is written: what the demo runs on is what the commands after it read.
    config = parse_config(text, all_sites(), config_path)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        config_path.write_text(text, encoding="utf-8")
        replay = folder / REPLAY_NAME
        replay.mkdir(exist_ok=True)
        for snapshot in snapshots:
            for name, url in snapshot.pages.items():
                page = snapshot.folder / name
                headers = [("Content-Type", media_type(page))]
                save_answer(replay, url, url, 200, headers, page.read_bytes(), snapshot.captured_at)
    except OSError as exc:
        raise TalkfeedError(f"{folder}: cannot write the demo there: {exc.strerror}") from None
    return config


def _ours(path: Path) -> bool:
    try:
        return path.read_text(encoding="utf-8").startswith(_HEADER)
    except (OSError, UnicodeDecodeError):
        return False


def _config_text(folder: Path, sources: Sequence[str], out: Path, db: Path) -> str:
    lines = [
        f"{_HEADER}, which rewrites it: the saved sites it read, its store and",
        "# its output. In this folder `talkfeed run`, `status` and `history` read this file",
        "# without --config: `talkfeed run --replay replay` reads the saved pages again, offline,",
        "# and `talkfeed run` the live sites. Relative paths are relative to this folder.",
        f"out = {json.dumps(_relative(out, folder))}",
        f"db = {json.dumps(_relative(db, folder))}",
    ]
    declared = _bundled_tables()
    for source in sources:
        lines.append("")
        lines += _source_lines(declared.get(source, {"site": source}))
    return "\n".join(lines) + "\n"


def _relative(path: Path, folder: Path) -> str:
    """`path` as the config in `folder` names it: relative inside the folder, else absolute."""
    try:
        return path.resolve().relative_to(folder.resolve()).as_posix()
    except ValueError:
        return path.resolve().as_posix()


def _bundled_tables() -> dict[str, dict[str, Any]]:
    """The sources the bundled config declares with `kind`, by id, as its TOML tables."""
    text = files("aggregator").joinpath("default.toml").read_text(encoding="utf-8")
    tables = tomllib.loads(text).get("sources", [])
    return {table["id"]: table for table in tables if "kind" in table}


def _source_lines(table: Mapping[str, Any]) -> list[str]:
    # JSON's strings, numbers, booleans and arrays of them are TOML's too.
    lines = ["[[sources]]"]
    nested = {key: value for key, value in table.items() if isinstance(value, dict)}
    lines += [f"{k} = {json.dumps(v)}" for k, v in table.items() if k not in nested]
    for key, values in nested.items():
        lines += [f"[sources.{key}]", *(f"{k} = {json.dumps(v)}" for k, v in values.items())]
    return lines
