"""The action's metadata, workflows and Dockerfile: linted (actionlint, hadolint from the test extras) and
kept in step with the entrypoint's own lists of inputs and outputs."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from reporter import action

ROOT = Path(__file__).resolve().parent.parent
ACTION = yaml.safe_load((ROOT / "action.yml").read_text())


def tool(name: str) -> str:
    """The linter installed beside this Python (pip's test extras), else on PATH."""
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed: pip install -e '.[test]'")
    return found


def test_action_yml_declares_exactly_the_entrypoints_inputs_and_outputs():
    assert set(ACTION["inputs"]) == set(action.INPUT_NAMES)
    assert set(ACTION["outputs"]) == set(action.OUTPUT_NAMES)
    assert all("-" not in name for name in ACTION["inputs"])  # INPUT_* names need underscores
    assert all(spec.get("description") for spec in [*ACTION["inputs"].values(), *ACTION["outputs"].values()])
    assert ACTION["runs"] == {"using": "docker", "image": "Dockerfile"}


def test_the_images_entrypoint_is_the_action_command():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert dockerfile.startswith("# ") and "\nFROM debian:bookworm-slim\n" in dockerfile
    assert 'ENTRYPOINT ["/opt/retrospect/bin/retrospect", "action"]' in dockerfile
    assert "--require-hashes" in dockerfile


def test_actionlint_passes_on_the_workflows_and_the_example():
    # action.yml is checked through the CI workflow's `uses: ./` step (unknown inputs, missing image).
    done = subprocess.run(
        [tool("actionlint"), "-no-color", *sorted(str(p) for p in (ROOT / ".github").rglob("*.yml"))],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_hadolint_passes_on_the_dockerfile():
    done = subprocess.run([tool("hadolint"), "Dockerfile"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
