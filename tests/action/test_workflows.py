"""The action's metadata, workflows and Dockerfile: linted (actionlint, zizmor, hadolint from the test extras)
and kept in step with the entrypoint's own lists of inputs and outputs."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from reporter import action

ROOT = Path(__file__).resolve().parents[2]
ACTION = yaml.safe_load((ROOT / "action.yml").read_text())
WORKFLOWS = sorted([*(ROOT / ".github/workflows").glob("*.yml"), *(ROOT / ".github/examples").glob("*.yml")])


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
    assert ACTION["runs"] == {"using": "docker", "image": "Dockerfile"}  # the release points it at the image


def test_action_yml_fits_the_marketplace():
    assert len(ACTION["description"]) < 125
    assert ACTION["author"] and ACTION["author"] not in ("retrospect", "OWNER")
    assert ACTION["branding"]["icon"] and ACTION["branding"]["color"]


def _steps(path: Path) -> list[tuple[str, dict]]:
    workflow = yaml.safe_load(path.read_text())
    return [(job_name, step) for job_name, job in workflow["jobs"].items() for step in job.get("steps", [])]


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflows_pin_actions_and_grant_least_permissions(path):
    workflow = yaml.safe_load(path.read_text())
    assert workflow["permissions"] == {}  # nothing by default: each job names what it needs
    assert all("permissions" in job for job in workflow["jobs"].values())
    lines = path.read_text().splitlines()
    for line in lines:
        uses = re.match(r"\s*(?:- )?uses: (\S+)(.*)", line)
        if not uses or uses[1] == "./" or uses[1].startswith("OWNER/retrospect@"):
            continue
        assert re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", uses[1]), line
        assert re.fullmatch(r" # v\d+\.\d+\.\d+", uses[2]), f"no version comment: {line}"
    for _, step in _steps(path):
        if step.get("uses", "").startswith("actions/checkout@"):
            assert step["with"]["persist-credentials"] is False


def test_the_release_points_action_yml_at_the_published_image(tmp_path):
    steps = {step.get("name"): step for _, step in _steps(ROOT / ".github/workflows/release.yml")}
    step = steps["Point action.yml at the published image"]
    (tmp_path / "action.yml").write_text((ROOT / "action.yml").read_text())
    env = {**os.environ, "IMAGE": "ghcr.io/someone/retrospect:1.2.3"}
    done = subprocess.run(["bash", "-euc", step["run"]], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    released = yaml.safe_load((tmp_path / "action.yml").read_text())
    assert released["runs"] == {"using": "docker", "image": "docker://ghcr.io/someone/retrospect:1.2.3"}
    assert {k: v for k, v in released.items() if k != "runs"} == {k: v for k, v in ACTION.items() if k != "runs"}


def test_the_images_entrypoint_is_the_action_command():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert dockerfile.startswith("# ") and "\nFROM debian:bookworm-slim\n" in dockerfile
    assert 'ENTRYPOINT ["/opt/retrospect/bin/retrospect", "action"]' in dockerfile
    assert "--require-hashes" in dockerfile


def test_actionlint_passes_on_the_workflows_and_the_example():
    # action.yml is checked through the CI workflow's `uses: ./` step (unknown inputs, missing image).
    done = subprocess.run(
        [tool("actionlint"), "-no-color", *map(str, WORKFLOWS)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_zizmor_passes_on_the_workflows_the_example_and_the_action():
    done = subprocess.run(
        [
            tool("zizmor"),
            "--offline",
            "--no-progress",
            "--config",
            ".github/zizmor.yml",
            *map(str, WORKFLOWS),
            "action.yml",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_hadolint_passes_on_the_dockerfile():
    done = subprocess.run([tool("hadolint"), "Dockerfile"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
