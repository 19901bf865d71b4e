"""Every real capture is read by some test, and every finding about them has a test.

The tests name the captures they read with literal `real_path("…")` and `real_glob("…")`
calls, and mark a test of a finding with `@pytest.mark.finding(N)`; both are read from the test
sources here, so a capture or a finding added to `../shared/real/` fails this test until a test
reads or checks it.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from fnmatch import fnmatch
from pathlib import Path

from tests.shared_real import SHARED_REAL, real_path, require_shared

TESTS = Path(__file__).resolve().parents[1]


def _calls(name: str) -> Iterator[ast.Call]:
    for source in TESTS.rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                function = node.func
                called = function.attr if isinstance(function, ast.Attribute) else None
                if isinstance(function, ast.Name):
                    called = function.id
                if called == name:
                    yield node


def _literal_arguments(name: str) -> set[str]:
    return {
        node.args[0].value
        for node in _calls(name)
        if node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    }


def test_every_capture_is_read_by_a_test() -> None:
    require_shared()
    paths = _literal_arguments("real_path")
    patterns = _literal_arguments("real_glob")
    unread = [
        capture.relative_to(SHARED_REAL).as_posix()
        for capture in sorted(SHARED_REAL.rglob("*"))
        if capture.is_file()
        and capture.relative_to(SHARED_REAL).as_posix() not in paths
        and not any(fnmatch(capture.relative_to(SHARED_REAL).as_posix(), p) for p in patterns)
    ]
    assert unread == [], "captures no test reads (name them in real_path or real_glob)"


def test_every_finding_has_a_test() -> None:
    findings = real_path("platforms/FINDINGS.md").read_text(encoding="utf-8")
    numbers = {int(n) for n in re.findall(r"^(\d+)\.\s", findings, re.MULTILINE)}
    assert numbers, "FINDINGS.md lists no numbered findings"
    tested = set()
    for node in _calls("finding"):
        tested |= {arg.value for arg in node.args if isinstance(arg, ast.Constant)}
    assert sorted(numbers - tested) == [], "findings without a test marked @pytest.mark.finding(N)"
