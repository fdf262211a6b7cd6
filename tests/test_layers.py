"""The package's layers: data flows one way (git -> records -> statistics -> the report's data -> renderers ->
publishers), so no module imports one of a layer above its own. Drawn from every import statement, those
under `if TYPE_CHECKING:` and inside functions included."""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "reporter"

# Bottom to top; a module's layer is that of the longest prefix listed.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("reporter", "reporter.model", "reporter.errors", "reporter.files", "reporter.progress"),
    ("reporter.git",),
    ("reporter.kernel",),
    ("reporter.services",),
    ("reporter.report", "reporter.report.config", "reporter.report.data"),
    ("reporter.render",),
    ("reporter.report.run", "reporter.report.trends"),
    ("reporter.publish",),
    ("reporter.cli", "reporter.action", "reporter.__main__"),
)


def layer(module: str) -> int:
    best, found = -1, -1
    for number, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best:
                best, found = len(prefix), number
    assert found >= 0, f"{module} is in no layer: add it to LAYERS"
    return found


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(tree: ast.AST, modules: set[str]) -> list[tuple[int, str]]:
    """(line, module) of every reporter module the tree imports; `from reporter.x import y` names the
    module reporter.x.y when that is a module, else reporter.x."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.split(".")[0] == "reporter"]
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "reporter":
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                found.append((node.lineno, full if full in modules else node.module))
    return found


@functools.cache
def parsed(source: str) -> ast.AST:
    """A module's syntax tree, parsed once for the tests that check the same package (it is only read)."""
    return ast.parse(source)


def upward_imports(sources: dict[str, str]) -> list[str]:
    """Each import of `sources` ({module: its source}) that runs up the layers, as 'module:line -> target'."""
    modules = set(sources)
    wrong = []
    for module, source in sorted(sources.items()):
        for line, target in imported(parsed(source), modules):
            if layer(target) > layer(module):
                wrong.append(f"{module}:{line} -> {target}")
    return wrong


def package_sources() -> dict[str, str]:
    return {module_name(path): path.read_text() for path in PACKAGE.rglob("*.py")}


def test_no_import_runs_up_the_layers() -> None:
    assert upward_imports(package_sources()) == []


def test_every_module_has_a_layer() -> None:
    for module in package_sources():
        layer(module)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from reporter.render import post\n", "reporter.git.walk:1 -> reporter.render.post"),
        ("import reporter.report.run\n", "reporter.git.walk:1 -> reporter.report.run"),
        ("def f():\n    from reporter.publish.news import Git\n", "reporter.git.walk:2 -> reporter.publish.news"),
        (
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from reporter.report.data import YearStats\n",
            "reporter.git.walk:3 -> reporter.report.data",
        ),
    ],
)
def test_the_check_sees_an_import_that_runs_up(source: str, expected: str) -> None:
    """The check itself: a git-layer module importing the report, a renderer or a publisher is caught."""
    sources = package_sources() | {"reporter.git.walk": source}
    assert upward_imports(sources) == [expected]
