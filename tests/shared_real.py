"""The real captures in `../shared/real/` beside the checkout, and what a test does without them.

The captures are read in place, never copied into the repository. Without the folder a test that
needs it skips, saying what is missing; with `TALKFEED_REQUIRE_SHARED=1` (set by `.ci/run`) it
fails instead, so CI cannot pass by skipping. Tests name the files they read with `real_path`
and `real_glob`, with literal arguments: `tests/real/test_coverage.py` reads those calls to
check that every capture is read by some test.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

__all__ = [
    "REQUIRE_VARIABLE",
    "SHARED_REAL",
    "capture_id",
    "real_glob",
    "real_path",
    "require_shared",
]

REQUIRE_VARIABLE = "TALKFEED_REQUIRE_SHARED"
SHARED_REAL = (
    Path(os.environ.get("TALKFEED_SHARED", Path(__file__).resolve().parents[2] / "shared")) / "real"
)
"""`../shared/real` beside the checkout (`TALKFEED_SHARED` names another shared folder)."""


def require_shared() -> None:
    """Skip the calling test when the captures are absent, or fail when CI requires them."""
    if SHARED_REAL.is_dir():
        return
    message = (
        f"{SHARED_REAL} is missing: put the project's shared/ folder beside the checkout "
        "(or set TALKFEED_SHARED) to run the tests on real captures"
    )
    if os.environ.get(REQUIRE_VARIABLE) == "1":
        pytest.fail(f"{REQUIRE_VARIABLE}=1 but {message}")
    pytest.skip(message)


def real_path(relative: str) -> Path:
    """The capture at `shared/real/<relative>`; skips or fails (see `require_shared`) without it."""
    require_shared()
    path = SHARED_REAL / relative
    assert path.is_file(), f"{path}: no such capture"
    return path


def real_glob(pattern: str) -> list[Path]:
    """The captures matching `pattern` under `shared/real/`, for parametrizing at collection
    time: without the folder, one placeholder that skips or fails when the test runs."""
    if not SHARED_REAL.is_dir():
        return [SHARED_REAL / pattern]
    found = sorted(SHARED_REAL.glob(pattern))
    assert found, f"{SHARED_REAL}/{pattern}: no captures match"
    return found


def capture_id(path: Path) -> str:
    """A test id for a capture: its path below `shared/real/`."""
    return (
        path.relative_to(SHARED_REAL).as_posix() if path.is_relative_to(SHARED_REAL) else "absent"
    )
