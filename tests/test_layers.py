"""Imports flow one way: scrapers (pages → drafts) know nothing of the rest; feeds know only
the talk model; aggregator's stage packages know nothing of the commands that drive them; and
no two modules or stages import each other, however indirectly."""

from __future__ import annotations

import ast
from collections import defaultdict
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("aggregator", "feeds", "scrapers")
STAGES = ("fetching", "records", "store", "publishing")
DRIVERS = ("aggregator.cli", "aggregator.commands", "aggregator.pipeline")


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            found[name.removesuffix(".__init__")] = path
    return found


MODULES = _modules()


def _imports(path: Path) -> set[str]:
    """Our modules that `path` imports (a package's name, for `from package import module`,
    is the module's)."""
    named: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            inner = {f"{node.module}.{alias.name}" for alias in node.names}
            named |= (inner & MODULES.keys()) or {node.module}
        elif isinstance(node, ast.Import):
            named |= {alias.name for alias in node.names}
    return named & MODULES.keys()


GRAPH = {name: _imports(path) for name, path in MODULES.items()}


def _stage(module: str) -> str:
    """The unit the one-way rule is about: a subpackage of aggregator, or a top-level module
    of it, or a whole other package."""
    parts = module.split(".")
    if parts[0] == "aggregator":
        return ".".join(parts[:2]) if len(parts) > 1 else "aggregator"
    return parts[0]


def _importers(prefix: str) -> dict[str, set[str]]:
    return {
        module: {name for name in imported if name == prefix or name.startswith(f"{prefix}.")}
        for module, imported in GRAPH.items()
    }


def test_scrapers_import_nothing_of_the_rest() -> None:
    for module, imported in GRAPH.items():
        if module.startswith("scrapers"):
            assert not {n for n in imported if not n.startswith("scrapers")}, module


def test_feeds_know_only_the_talk_model() -> None:
    for module, imported in GRAPH.items():
        if module.startswith("feeds"):
            outside = {n for n in imported if not n.startswith("feeds")}
            assert outside <= {"aggregator.model"}, module


def test_stages_know_nothing_of_what_drives_them() -> None:
    for module, imported in GRAPH.items():
        if _stage(module).removeprefix("aggregator.") in STAGES:
            driving = {n for n in imported if n.startswith(DRIVERS)}
            assert not driving, f"{module} imports {driving}"


def test_no_module_and_no_stage_imports_itself_back() -> None:
    stages: dict[str, set[str]] = defaultdict(set)
    for module, imported in GRAPH.items():
        stages[_stage(module)] |= {_stage(n) for n in imported} - {_stage(module)}
    for graph in (GRAPH, stages):
        try:
            tuple(TopologicalSorter(graph).static_order())
        except CycleError as exc:
            raise AssertionError(f"import cycle: {' -> '.join(exc.args[1])}") from None


def test_the_graph_is_read() -> None:
    # The rules above would hold vacuously if the imports were not found.
    assert "aggregator.fetching.fetch" in GRAPH["aggregator.fetching.crawl"]
    assert "aggregator.model" in GRAPH["feeds.rss"]
    assert _importers("aggregator.store")["aggregator.pipeline"]
