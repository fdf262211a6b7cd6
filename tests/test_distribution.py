"""The wheel pip installs: its name, metadata, license, typing marker, command and `python -m reporter`."""

from __future__ import annotations

import ast
import importlib.metadata
import re
import subprocess
import sys
import tomllib
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest

import reporter

ROOT = Path(__file__).parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    out = tmp_path_factory.mktemp("wheel")
    # The build backend of this environment (pinned in the test lock): no network.
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
    )
    [built] = out.glob("*.whl")
    return zipfile.ZipFile(built)


def _metadata(wheel: zipfile.ZipFile) -> tuple[str, dict[str, list[str]]]:
    [name] = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
    message = Parser().parsestr(wheel.read(name).decode())
    fields: dict[str, list[str]] = {}
    for key, value in message.items():
        fields.setdefault(key, []).append(value)
    return name.split("/")[0], fields


def test_wheel_name_version_and_metadata(wheel: zipfile.ZipFile) -> None:
    dist_info, fields = _metadata(wheel)
    assert fields["Name"] == [reporter.DISTRIBUTION]
    assert fields["Version"] == [reporter.__version__]
    assert dist_info == f"{reporter.DISTRIBUTION.replace('-', '_')}-{reporter.__version__}.dist-info"
    assert fields["License-Expression"] == ["Apache-2.0"]
    assert "Typing :: Typed" in fields["Classifier"]
    assert fields["Keywords"] and fields["Author"]
    assert any(url.startswith("Homepage, https://") for url in fields["Project-URL"])


def test_wheel_files(wheel: zipfile.ZipFile) -> None:
    names = set(wheel.namelist())
    dist_info, _ = _metadata(wheel)
    assert {"reporter/py.typed", "reporter/__main__.py", "reporter/report/schema.json"} <= names
    assert "reporter/render/schemas/table.schema.json" in names  # each command's, beside the report's
    license_text = wheel.read(f"{dist_info}/licenses/LICENSE").decode()
    assert "Apache License" in license_text and "Version 2.0, January 2004" in license_text
    entry_points = wheel.read(f"{dist_info}/entry_points.txt").decode()
    assert "retrospect = reporter.cli:main" in entry_points
    assert not [n for n in names if n.startswith("tests/") or "__pycache__" in n]


def _imported_distributions() -> set[str]:
    """The distributions whose modules reporter/ imports (the standard library's and its own aside)."""
    modules = set()
    for path in (ROOT / "reporter").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                modules |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                modules.add(node.module.split(".")[0])
    owners = importlib.metadata.packages_distributions()
    third_party = modules - set(sys.stdlib_module_names) - {"reporter"}
    return {canonical(owners[module][0]) for module in third_party}


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_every_imported_distribution_is_declared() -> None:
    """urllib3 was imported (BaseHTTPResponse, from 2.0 on) but came only through requests, which allows 1.26."""
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    names = {canonical(re.split(r"[<>=!~;\[ ]", requirement, maxsplit=1)[0]) for requirement in declared}
    assert _imported_distributions() <= names
