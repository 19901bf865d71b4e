"""A run without a `base_url` says once, in its log, how to set one; with one, or when quiet,
it says nothing of it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aggregator.cli import main
from aggregator.publishing.outputs import BASE_URL_NOTE

NOW = "2026-03-01T09:00:00-05:00"


def _run(config: Path, *options: str) -> int:
    return main(["run", "--config", str(config), "--now", NOW, *options])


def test_a_run_without_base_url_says_how_to_set_it_once(
    config_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(config_file) == 0
    err = capsys.readouterr().err
    assert err.count("note:") == err.count(BASE_URL_NOTE) == 1
    assert f"note: {BASE_URL_NOTE}\n" in err
    assert 'set base_url = "https://' in BASE_URL_NOTE


def test_quiet_runs_and_runs_with_base_url_say_nothing_of_it(
    config_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(config_file, "--quiet") == 0
    assert "base_url" not in capsys.readouterr().err
    text = config_file.read_text(encoding="utf-8")
    config_file.write_text('base_url = "https://talks.example.edu/"\n' + text, encoding="utf-8")
    assert _run(config_file) == 0
    assert "base_url" not in capsys.readouterr().err


def test_the_json_log_carries_it_in_the_run_event(
    config_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(config_file, "--log-format", "json") == 0
    events = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert [event.get("notes") for event in events if event["event"] == "run"] == [[BASE_URL_NOTE]]
