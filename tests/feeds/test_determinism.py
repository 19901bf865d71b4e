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
from feeds import FORMATS, ChangeEntry, FeedSpec, render_changes, render_index
from tests.feeds.sample import NOW, SPEC, lifecycle_talks, sample_talks

ROOT = Path(__file__).resolve().parents[2]

Renderer = Callable[[Sequence[StoredTalk], FeedSpec], bytes]


def all_talks() -> list[StoredTalk]:
    """The sample talks and the merged, moved, tentative and postponed ones."""
    return sample_talks() + lifecycle_talks()


def _index(talks: Sequence[StoredTalk], spec: FeedSpec) -> bytes:
    return render_index([spec], talks, NOW, changes=spec)


def _changes(talks: Sequence[StoredTalk], spec: FeedSpec) -> bytes:
    entries = [ChangeEntry("new", st.first_seen, st) for st in talks]
    entries += [
        ChangeEntry("moved", st.last_changed, st, moved_from=st.moved_from)
        for st in talks
        if st.moved_from is not None
    ]
    return render_changes(entries, spec)


RENDERERS: dict[str, Renderer] = {**FORMATS, "html": _index, "changes": _changes}


@pytest.mark.parametrize("name", RENDERERS)
def test_same_talks_same_bytes(name: str) -> None:
    render = RENDERERS[name]
    first = render(all_talks(), SPEC)
    assert render(all_talks(), SPEC) == first
    assert render(list(reversed(all_talks())), SPEC) == first
    assert render(all_talks()[3:] + all_talks()[:3], SPEC) == first


@pytest.mark.parametrize("name", RENDERERS)
def test_different_talks_different_bytes(name: str) -> None:
    talks = all_talks()
    changed = talks[0].model_copy(
        update={"talk": talks[0].talk.model_copy(update={"title": "Renamed"})}
    )
    assert RENDERERS[name]([changed, *talks[1:]], SPEC) != RENDERERS[name](talks, SPEC)


_SCRIPT = """
import json
from tests.feeds.sample import SPEC
from tests.feeds.test_determinism import RENDERERS, all_talks
print(json.dumps({name: r(all_talks(), SPEC).decode() for name, r in RENDERERS.items()}))
"""


def test_same_bytes_across_processes() -> None:
    """Set iteration order changes with the hash seed; no output may depend on it."""
    here = {name: render(all_talks(), SPEC).decode() for name, render in RENDERERS.items()}
    for seed in ("1", "2"):
        run = subprocess.run(
            [sys.executable, "-c", _SCRIPT],
            cwd=ROOT,
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            check=True,
        )
        assert json.loads(run.stdout) == here, f"PYTHONHASHSEED={seed}"
