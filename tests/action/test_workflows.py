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

from reporter import __version__, action

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


def _release_step(name: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """A step of the release workflow run by bash in `cwd`, as the runner would."""
    steps = {step.get("name"): step for _, step in _steps(ROOT / ".github/workflows/release.yml")}
    output = cwd / "output"
    environ = {**os.environ, "GITHUB_OUTPUT": str(output), "GITHUB_REPOSITORY": "Someone/Retrospect", **env}
    return subprocess.run(["bash", "-euc", steps[name]["run"]], cwd=cwd, env=environ, capture_output=True, text=True)


DIGEST = "ghcr.io/someone/retrospect@sha256:" + "0123456789abcdef" * 4


def test_the_release_points_action_yml_at_the_image_by_its_digest(tmp_path):
    (tmp_path / "action.yml").write_text((ROOT / "action.yml").read_text())
    moved = _release_step("Point action.yml at the published image", tmp_path, IMAGE="ghcr.io/someone/retrospect:1.2.3")
    assert moved.returncode != 0 and "not an image digest" in moved.stdout  # a tag can be moved after review
    done = _release_step("Point action.yml at the published image", tmp_path, IMAGE=DIGEST)
    assert done.returncode == 0, done.stderr
    released = yaml.safe_load((tmp_path / "action.yml").read_text())
    assert released["runs"] == {"using": "docker", "image": f"docker://{DIGEST}"}
    assert {k: v for k, v in released.items() if k != "runs"} == {k: v for k, v in ACTION.items() if k != "runs"}
    image = yaml.safe_load((ROOT / ".github/workflows/release.yml").read_text())["jobs"]["image"]
    assert image["outputs"]["image"] == "${{ steps.name.outputs.repository }}@${{ steps.build.outputs.digest }}"


def test_the_release_refuses_a_version_other_than_the_packages(tmp_path):
    (tmp_path / "reporter").mkdir()
    (tmp_path / "reporter" / "__init__.py").write_text((ROOT / "reporter" / "__init__.py").read_text())
    step = "Check the version against the package's, name the image"
    for wrong in ("9.9.9", "v" + __version__, "1.2"):
        done = _release_step(step, tmp_path, VERSION=wrong)
        assert done.returncode == 1 and done.stdout.startswith("::error::version "), (wrong, done.stdout)
    done = _release_step(step, tmp_path, VERSION=__version__)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / "output").read_text() == "repository=ghcr.io/someone/retrospect\n"


def test_uses_names_the_major_tag_the_release_moves():
    """`@v1` named a tag that no release makes: the release of X.Y.Z moves vX."""
    major = "v" + __version__.split(".")[0]
    texts = [(ROOT / "README.md").read_text(), *(path.read_text() for path in WORKFLOWS)]
    named = {ref for text in texts for ref in re.findall(r"uses: OWNER/retrospect@(v\d+)\b", text)}
    assert named == {major}


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_job_has_a_timeout(path):
    jobs = yaml.safe_load(path.read_text())["jobs"]
    assert {name: type(job.get("timeout-minutes")) for name, job in jobs.items()} == dict.fromkeys(jobs, int)


def test_the_examples_cache_is_saved_only_when_the_clones_grew(tmp_path):
    """A key per run saved the whole cache (1.5 GB) every week; the key is now made of the clones' refs."""
    steps = {step.get("id"): step for _, step in _steps(ROOT / ".github/examples/news-site.yml")}
    assert steps["restore"]["uses"].startswith("actions/cache/restore@")
    save = next(
        step for _, step in _steps(ROOT / ".github/examples/news-site.yml") if "cache/save@" in step.get("uses", "")
    )
    assert save["if"] == "steps.clones.outputs.key != steps.restore.outputs.cache-matched-key"
    assert save["with"]["key"] == "${{ steps.clones.outputs.key }}"
    assert all("actions/cache@" not in path.read_text() for path in WORKFLOWS)  # no save after every run
    source = tmp_path / "source"
    source.mkdir()
    subprocess.run(["git", "init", "-q", str(source)], check=True)
    commit = ["git", "-C", str(source), "-c", "user.name=a", "-c", "user.email=a@b", "commit", "-q", "--allow-empty"]
    subprocess.run([*commit, "-m", "one"], check=True)
    (tmp_path / ".retrospect-cache" / "repos").mkdir(parents=True)
    clone = tmp_path / ".retrospect-cache" / "repos" / "linux.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(source), str(clone)], check=True)

    def key() -> str:
        output = tmp_path / "output"
        output.unlink(missing_ok=True)
        env = {**os.environ, "GITHUB_OUTPUT": str(output), "RUNNER_TEMP": str(tmp_path)}
        subprocess.run(["bash", "-euc", steps["clones"]["run"]], cwd=tmp_path, env=env, check=True)
        return output.read_text().removeprefix("key=").strip()

    first = key()
    (clone / "walks.sqlite").write_text("a file beside the refs")
    assert key() == first and re.fullmatch(r"retrospect-[0-9a-f]{40}", first)
    subprocess.run([*commit, "-m", "two"], check=True)
    subprocess.run(
        ["git", "--git-dir", str(clone), "fetch", "-q", str(source), "+refs/heads/*:refs/heads/*"], check=True
    )
    assert key() != first


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
