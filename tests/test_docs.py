"""The transcripts in README.md and CONTRIBUTING.md are run, and must print what they show.

A transcript is a fenced code block whose first line starts with "$ ". Each "$ talkfeed …" line
is run (as `python -m aggregator …`), and the lines up to the next "$ " are what it must print,
stdout and stderr as a terminal shows them; "$ cd DIR" moves the commands after it. In what a
command prints, a line "..." stands for any lines, and "..." within a line for any text.

A document's transcripts run one after the other in a scratch folder of its own, so a later one
finds what an earlier one left there (the demo's folder, say). A comment just before a block
sets it up:

    <!-- in: PATH -->    the transcript starts in PATH, relative to the checkout
    <!-- file: PATH -->  the block (of any kind) is saved as PATH in the scratch folder
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pytest

from scrapers.registry import SITES_PATH_VARIABLE
from tests.shared_real import SHARED_REAL, require_shared

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = ("README.md", "CONTRIBUTING.md")
PROMPT = "$ "
ANY = "..."
_MARK = re.compile(r"^<!-- (in|file): (\S+) -->$")


@dataclass
class Block:
    """A fenced code block, where it starts, and the marks above it."""

    document: str
    line: int
    text: str
    marks: dict[str, str] = field(default_factory=dict)

    @property
    def where(self) -> str:
        return f"{self.document}:{self.line}"


def blocks(document: str) -> list[Block]:
    """The document's fenced code blocks, in order."""
    found: list[Block] = []
    marks: dict[str, str] = {}
    current: Block | None = None
    lines = (ROOT / document).read_text(encoding="utf-8").split("\n")
    for number, line in enumerate(lines, 1):
        if current is not None:
            if line.startswith("```"):
                found.append(current)
                current = None
            else:
                current.text += line + "\n"
        elif line.startswith("```"):
            current, marks = Block(document, number, "", marks), {}
        elif mark := _MARK.match(line.strip()):
            marks[mark[1]] = mark[2]
        elif line.strip():
            marks = {}
    return found


def steps(block: Block) -> list[tuple[str, list[str]]]:
    """Each command of a transcript, with the lines it must print."""
    result: list[tuple[str, list[str]]] = []
    for line in block.text.rstrip("\n").split("\n"):
        if line.startswith(PROMPT):
            result.append((line.removeprefix(PROMPT), []))
        else:
            result[-1][1].append(line)
    return result


def matches(expected: list[str], actual: list[str]) -> bool:
    """Whether `actual` reads as `expected`, where "..." stands in (see the module)."""

    @cache
    def match(i: int, j: int) -> bool:
        if i == len(expected):
            return j == len(actual)
        if expected[i] == ANY:
            return any(match(i + 1, k) for k in range(j, len(actual) + 1))
        if j == len(actual):
            return False
        pattern = ".*".join(re.escape(part) for part in expected[i].split(ANY))
        return re.fullmatch(pattern, actual[j]) is not None and match(i + 1, j + 1)

    return match(0, 0)


def printed(command: list[str], cwd: Path) -> list[str]:
    """What `talkfeed` with these arguments prints in `cwd`, line by line."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    # As a reader runs it: unbuffered, so stdout and stderr interleave as on a terminal, and
    # without the example sites the tests register.
    env["PYTHONUNBUFFERED"] = "1"
    env.pop(SITES_PATH_VARIABLE, None)
    result = subprocess.run(
        [sys.executable, "-m", "aggregator", *command],
        cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        timeout=120, check=False,
    )  # fmt: skip
    lines = [line.rstrip() for line in result.stdout.split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def run_transcript(block: Block, start: Path) -> None:
    cwd = start
    for command, expected in steps(block):
        words = shlex.split(command)
        if words[0] == "cd":
            cwd = cwd / words[1]
            assert cwd.is_dir(), f"{block.where}: $ {command}: no such folder"
            continue
        assert words[0] == "talkfeed", f"{block.where}: only talkfeed and cd run: $ {command}"
        actual = printed(words[1:], cwd)
        while expected and not expected[-1].strip():
            expected.pop()
        assert matches([line.rstrip() for line in expected], actual), (
            f"{block.where}: $ {command} printed\n" + "\n".join(actual)
        )


@pytest.mark.parametrize("document", DOCUMENTS)
def test_transcripts_print_what_the_document_shows(document: str, tmp_path: Path) -> None:
    unchecked = []
    transcripts = 0
    for block in blocks(document):
        if "file" in block.marks:
            target = tmp_path / block.marks["file"]
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(block.text, encoding="utf-8")
        if not block.text.startswith(PROMPT):
            continue
        transcripts += 1
        start = _start(block, tmp_path)
        if start is None:
            unchecked.append(block.where)
            continue
        run_transcript(block, start)
    assert transcripts, f"{document} shows no command with its output"
    if unchecked:
        require_shared()
        pytest.fail(f"not in {SHARED_REAL}: the folders of {', '.join(unchecked)}")


def _start(block: Block, scratch: Path) -> Path | None:
    """Where the block's commands start; None when that is in ../shared and it is missing."""
    if "in" not in block.marks:
        return scratch
    place = block.marks["in"]
    # ../shared is wherever the tests find it (TALKFEED_SHARED may name another folder).
    if place.startswith("../shared/"):
        start = SHARED_REAL.parent / place.removeprefix("../shared/")
        return start if start.is_dir() else None
    start = ROOT / place
    assert start.is_dir(), f"{block.where}: no folder {place} in the checkout"
    return start


def test_the_matching_stands_in_for_what_varies() -> None:
    assert matches(["a", "...", "d"], ["a", "b", "c", "d"])
    assert matches(["a", "...", "b"], ["a", "b"])
    assert matches(["run 2026, ... s, exit 0"], ["run 2026, 0.41 s, exit 0"])
    assert not matches(["a", "b"], ["a", "b", "c"])
    assert not matches(["run (1.5)"], ["run (1x5)"]), "the rest of a line is matched as it reads"
