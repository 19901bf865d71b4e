"""Identical input gives byte-identical output, so unchanged feeds are not rewritten."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from aggregator.model import StoredTalk
from feeds import FORMATS, FeedSpec, render_index
from tests.feeds.sample import NOW, SPEC, sample_talks

ROOT = Path(__file__).resolve().parents[2]

Renderer = Callable[[Sequence[StoredTalk], FeedSpec], bytes]


def _index(talks: Sequence[StoredTalk], spec: FeedSpec) -> bytes:
    return render_index([spec], talks, NOW)


RENDERERS: dict[str, Renderer] = {**FORMATS, "html": _index}


@pytest.mark.parametrize("name", RENDERERS)
def test_same_talks_same_bytes(name: str) -> None:
    render = RENDERERS[name]
    first = render(sample_talks(), SPEC)
    assert render(sample_talks(), SPEC) == first
    assert render(list(reversed(sample_talks())), SPEC) == first
    assert render(sample_talks()[3:] + sample_talks()[:3], SPEC) == first


@pytest.mark.parametrize("name", RENDERERS)
def test_different_talks_different_bytes(name: str) -> None:
    talks = sample_talks()
    changed = talks[0].model_copy(
        update={"talk": talks[0].talk.model_copy(update={"title": "Renamed"})}
    )
    assert RENDERERS[name]([changed, *talks[1:]], SPEC) != RENDERERS[name](talks, SPEC)


_SCRIPT = """
import json
from tests.feeds.sample import SPEC, sample_talks
from tests.feeds.test_determinism import RENDERERS
print(json.dumps({name: r(sample_talks(), SPEC).decode() for name, r in RENDERERS.items()}))
"""


def test_same_bytes_across_processes() -> None:
    """Set iteration order changes with the hash seed; no output may depend on it."""
    here = {name: render(sample_talks(), SPEC).decode() for name, render in RENDERERS.items()}
    for seed in ("1", "2"):
        run = subprocess.run(
            [sys.executable, "-c", _SCRIPT],
            cwd=ROOT,
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            check=True,
        )
        assert json.loads(run.stdout) == here, f"PYTHONHASHSEED={seed}"
