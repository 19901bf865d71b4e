"""Programs the README's install line does not provide (newsboat, khal, Chromium), and what a
test that needs one does without it: it skips, naming the package to install; with
`TALKFEED_REQUIRE_CLIENTS=1` (set by `.ci/run`, which installs them) it fails instead, so CI
cannot pass by skipping."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

__all__ = ["REQUIRE_VARIABLE", "require_file", "require_program"]

REQUIRE_VARIABLE = "TALKFEED_REQUIRE_CLIENTS"


def require_program(name: str, package: str) -> str:
    """The path of `name` on PATH; skips or fails (see the module) when it is not there."""
    found = shutil.which(name)
    if found is None:
        _missing(f"{name} is not installed: `apt-get install {package}`")
    assert found is not None
    return found


def require_file(path: Path, package: str) -> Path:
    """`path`, a program at a fixed place; skips or fails when it is not there."""
    if not path.exists():
        _missing(f"{path} is missing: `apt-get install {package}`")
    return path


def _missing(message: str) -> None:
    if os.environ.get(REQUIRE_VARIABLE) == "1":
        pytest.fail(f"{REQUIRE_VARIABLE}=1 but {message}", pytrace=False)
    pytest.skip(f"{message} (.ci/run installs it)")
