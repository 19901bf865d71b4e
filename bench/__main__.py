"""`python -m bench [name ...]`: run the benchmarks (all, or the modules named) and write
bench/RESULTS.md with the machine and commit they ran on."""

from __future__ import annotations

import importlib
import os
import pkgutil
import platform
import subprocess
import sys
from pathlib import Path

import bench

RESULTS = Path(__file__).with_name("RESULTS.md")


def main(argv: list[str]) -> int:
    """Run the benchmarks and write RESULTS.md; 2 on an unknown benchmark name."""
    available = sorted(
        info.name for info in pkgutil.iter_modules(bench.__path__) if info.name != "__main__"
    )
    chosen = argv or available
    unknown = sorted(set(chosen) - set(available))
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; have {', '.join(available)}")
        return 2
    sections = []
    for name in chosen:
        print(f"running bench.{name} …", flush=True)
        module = importlib.import_module(f"bench.{name}")
        section: bench.Section = module.run()
        sections.append(section.markdown())
    RESULTS.write_text(_header() + "\n".join(sections), encoding="utf-8")
    print(f"wrote {RESULTS}")
    return 0


def _header() -> str:
    return "\n".join(
        [
            "# Benchmark results",
            "",
            "Written by `python -m bench`; rerun it rather than editing this file.",
            "",
            f"- Machine: {platform.platform()}, {platform.machine()}, {os.cpu_count()} CPUs",
            f"- Python: {platform.python_implementation()} {platform.python_version()}",
            f"- Commit: {_commit()}",
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
