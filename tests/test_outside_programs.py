"""A test that needs a program the install line does not provide skips without it, naming the
package, and fails instead when CI requires the programs."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.outside_programs import REQUIRE_VARIABLE, require_file, require_program


def test_a_missing_program_skips_naming_its_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(REQUIRE_VARIABLE, raising=False)
    with pytest.raises(pytest.skip.Exception, match="apt-get install nosuch-pkg"):
        require_program("nosuch-program-talkfeed", "nosuch-pkg")
    with pytest.raises(pytest.skip.Exception, match="apt-get install chromium"):
        require_file(Path("/nonexistent/chromium"), "chromium")


def test_a_missing_program_fails_when_ci_requires_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(REQUIRE_VARIABLE, "1")
    with pytest.raises(pytest.fail.Exception, match=f"{REQUIRE_VARIABLE}=1 but nosuch"):
        require_program("nosuch-program-talkfeed", "nosuch-pkg")


def test_a_present_program_is_found(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(REQUIRE_VARIABLE, "1")
    assert Path(require_program("sh", "dash")).name == "sh"
