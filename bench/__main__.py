"""`python -m bench [name ...]`: run the benchmarks (all, or the modules named) and write
bench/RESULTS.md with the machine and commit they ran on."""

from __future__ import annotations

import importlib
import os
import pkgutil
import platform
import re
import subprocess
import sys
from pathlib import Path

import bench

RESULTS = Path(__file__).with_name("RESULTS.md")


def main(argv: list[str]) -> int:
    """Run the benchmarks and write RESULTS.md; 2 on an unknown benchmark name."""
    available = sorted(
        # A leading underscore marks a helper that another benchmark runs, not a benchmark.
        info.name
        for info in pkgutil.iter_modules(bench.__path__)
        if not info.name.startswith("_")
    )
    chosen = argv or available
    unknown = sorted(set(chosen) - set(available))
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; have {', '.join(available)}")
        return 2
    # A benchmark not run this time keeps its section from the last results.
    sections = _sections(RESULTS.read_text(encoding="utf-8")) if RESULTS.exists() else {}
    commit = _commit()
    for name in chosen:
        print(f"running bench.{name} …", flush=True)
        module = importlib.import_module(f"bench.{name}")
        section: bench.Section = module.run()
        sections[name] = f"{_MARK.format(name)}\n{section.markdown()}\nCommit: {commit}\n"
    kept = [sections[name] for name in available if name in sections]
    RESULTS.write_text(_header() + "\n".join(kept), encoding="utf-8")
    print(f"wrote {RESULTS}")
    return 0


_MARK = "<!-- bench.{} -->"
_SECTION = re.compile(r"^<!-- bench\.(\w+) -->$", re.MULTILINE)


def _sections(text: str) -> dict[str, str]:
    """The sections of an earlier RESULTS.md by benchmark name, each with its marker."""
    marks = list(_SECTION.finditer(text))
    ends = [mark.start() for mark in marks[1:]] + [len(text)]
    return {
        mark.group(1): text[mark.start() : end].rstrip("\n") + "\n"
        for mark, end in zip(marks, ends, strict=True)
    }


def _header() -> str:
    return "\n".join(
        [
            "# Benchmark results",
            "",
            "Written by `python -m bench [NAME ...]`; rerun it rather than editing this file."
            " Each section names the commit it was measured at.",
            "",
            f"- Machine: {platform.platform()}, {platform.machine()}, {os.cpu_count()} CPUs",
            f"- Python: {platform.python_implementation()} {platform.python_version()}",
            "",
            "",
        ]
    )


def _commit() -> str:
    try:
        done = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=RESULTS.parent,
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return done.stdout.strip() or "unknown"


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
