"""A broken site module is named once on stderr and left out; the other sites and every
command still work."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from scrapers import all_sites, registry, sites
from scrapers.registry import SITES_PATH_VARIABLE

ROOT = Path(__file__).resolve().parents[2]


def site_module(site_id: str, after: str = "") -> str:
    name = "".join(part.title() for part in site_id.split("-"))
    return f'''"""A site for the test."""

import re

from scrapers.base import LabelSite
from scrapers.registry import register


@register
class {name}(LabelSite):
    id = "{site_id}"
    name = "{name}"
    start_urls = ("https://{site_id}.example.edu/talks/",)
    talk_url = re.compile(r"/talks/(?P<key>[0-9]+)/$")
    timezone = "UTC"
{after}'''


def test_broken_modules_under_the_sites_path_are_reported_once_and_skipped(
    tmp_path: Path,
) -> None:
    (tmp_path / "a_broken.py").write_text('"""Talks """ by "O\'Brien"""\n', encoding="utf-8")
    # Registers its site, then fails: the half-loaded site must not stay registered.
    failing = site_module("half-talks", 'raise RuntimeError("stops\\nhalf way")\n')
    (tmp_path / "b_failing.py").write_text(failing, encoding="utf-8")
    (tmp_path / "c_fine.py").write_text(site_module("fine-talks"), encoding="utf-8")
    env = {**os.environ, SITES_PATH_VARIABLE: str(tmp_path)}

    def talkfeed(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "aggregator", *args],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip

    # `check` asks for the sites many times over: each broken module is named once.
    check = talkfeed("check", "nyu-cs-colloquium")
    assert check.returncode == 0, check.stdout + check.stderr
    # Python words its syntax errors its own way from version to version: the line is ours.
    broken, failing_line = check.stderr.splitlines()
    assert broken.startswith(
        f"talkfeed: skipped the site module {tmp_path / 'a_broken.py'}: line 1: "
    )
    assert failing_line == (
        f"talkfeed: skipped the site module {tmp_path / 'b_failing.py'}: RuntimeError: stops"
        " half way"
    )
    listed = talkfeed("sites")
    assert listed.returncode == 0
    ids = [line.split("\t")[0] for line in listed.stdout.splitlines()]
    assert "fine-talks" in ids and "nyu-cs-colloquium" in ids
    assert "half-talks" not in ids


def test_a_broken_module_in_the_package_is_skipped_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # A folder added to scrapers.sites stands in for the package's own: it is walked the same.
    text = site_module("unfinished-site").replace('timezone = "UTC"', 'timezone = "UTC')
    (tmp_path / "unfinished_site.py").write_text(text, encoding="utf-8")
    line_number = text.split("\n").index('    timezone = "UTC') + 1
    monkeypatch.setattr(sites, "__path__", [*sites.__path__, str(tmp_path)])
    monkeypatch.setattr(registry, "_BROKEN", {})
    assert "nyu-cs-colloquium" in all_sites()
    assert "nyu-cs-colloquium" in all_sites()
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(
        f"talkfeed: skipped the site module {tmp_path / 'unfinished_site.py'}: line {line_number}: "
    )
    assert "scrapers.sites.unfinished_site" not in sys.modules


def test_every_module_of_the_package_loads() -> None:
    all_sites()
    assert not [name for name in registry._BROKEN if name.startswith(f"{sites.__name__}.")]
