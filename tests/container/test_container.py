"""The action's image built for real with buildah, its entrypoint run against a mounted workspace.

Slow and needs root, buildah, podman and debootstrap: skipped unless RETROSPECT_CONTAINER_TEST=1, which
tests/container/run.sh sets after installing those. The base image `debian:bookworm-slim` is pulled, or,
where no registry is reachable (the project's machines), made with debootstrap from the Debian mirror apt
uses; `buildah run --isolation chroot` stands in for the runner's `docker run`.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from kernelrepo import Builder, build_kernel, build_tool, ts
from news_repos import NEWS_PATH, config_yaml, make_remote

pytestmark = pytest.mark.skipif(
    os.environ.get("RETROSPECT_CONTAINER_TEST") != "1", reason="builds an image: run tests/container/run.sh"
)

ROOT = Path(__file__).resolve().parents[2]
BASE = "docker.io/library/debian:bookworm-slim"
IMAGE = "localhost/retrospect-action-test"
HOST_CA = Path("/etc/ssl/certs/ca-certificates.crt")
RUNNER_UID = "1001"  # GitHub's runner user: the workspace is not owned by the container's root
TOKEN = "ghs_containerSECRET0123456789"
BEGIN = "<!-- retrospect:begin stats -->"


def sh(*args: str, **kwargs) -> str:
    done = subprocess.run(args, capture_output=True, text=True, **kwargs)
    assert done.returncode == 0, f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def debian_mirror() -> str:
    """The first Debian archive URI apt uses here (one-line or deb822 sources), not the security one."""
    sources = [Path("/etc/apt/sources.list"), *sorted(Path("/etc/apt/sources.list.d").glob("*"))]
    for source in sources:
        text = source.read_text() if source.is_file() else ""
        for uri in re.findall(r"^(?:URIs:\s*|deb\s+(?:\[[^\]]*\]\s+)?)(\S+)", text, re.MULTILINE):
            if uri.rstrip("/").endswith("/debian"):
                return uri
    return "http://deb.debian.org/debian"


@pytest.fixture(scope="session")
def image(tmp_path_factory) -> Iterator[str]:
    have_base = subprocess.run(["podman", "image", "exists", BASE]).returncode == 0
    if not have_base and subprocess.run(["podman", "pull", "-q", BASE], capture_output=True).returncode != 0:
        rootfs = tmp_path_factory.mktemp("rootfs")
        sh("debootstrap", "--variant=minbase", "bookworm", str(rootfs), debian_mirror())
        tar = subprocess.Popen(["tar", "-C", str(rootfs), "-c", "."], stdout=subprocess.PIPE)
        sh("podman", "import", "-", BASE, stdin=tar.stdout)
        assert tar.wait() == 0
    build = ["buildah", "bud", "--pull=never", "--isolation", "chroot", "-t", IMAGE]
    if HOST_CA.is_file():  # pip behind this network's TLS proxy needs the host's CA bundle
        build += ["-v", f"{HOST_CA}:/run/host-ca.crt:ro", "--build-arg", "PIP_CERT=/run/host-ca.crt"]
    sh(*build, str(ROOT))
    yield IMAGE
    subprocess.run(["buildah", "rmi", "-f", IMAGE], capture_output=True)  # 500 MB; the base image stays


def run_action(image: str, mounts: dict[str, Path], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """The image's own ENTRYPOINT, run in a fresh container with the runner's mounts and variables."""
    config = json.loads(sh("buildah", "inspect", "--type", "image", image))["OCIv1"]["config"]
    container = sh("buildah", "from", "--pull=never", image).strip()
    try:
        command = ["buildah", "run", "--isolation", "chroot", "--workingdir", "/github/workspace"]
        for target, source in mounts.items():
            command += ["-v", f"{source}:{target}"]
        for name, value in env.items():
            command += ["-e", f"{name}={value}"]
        return subprocess.run([*command, container, "--", *config["Entrypoint"]], capture_output=True, text=True)
    finally:
        sh("buildah", "rm", container)


def test_the_image_holds_neither_pip_nor_the_build_backend(image):
    """The venv that runs the action was made with pip in it and the lock's hatchling installed."""
    container = sh("buildah", "from", "--pull=never", image).strip()
    try:
        probe = "import importlib.util as u; print([m for m in ('pip', 'hatchling', 'reporter') if u.find_spec(m)])"
        run = ["buildah", "run", "--isolation", "chroot", container, "--", "/opt/retrospect/bin/python", "-c", probe]
        assert sh(*run).strip() == "['reporter']"
        listing = ["buildah", "run", "--isolation", "chroot", container, "--", "ls", "/opt/retrospect/bin", "/opt"]
        assert not {"pip", "pip3", "build", "wheels"} & set(sh(*listing).split())
    finally:
        sh("buildah", "rm", container)


def outputs(path: Path) -> dict[str, str]:
    return dict(line.split("=", 1) for line in path.read_text().splitlines() if "=" in line and "<<" not in line)


def as_runner(*args: str) -> str:
    """A command run as the runner's user, as a later step of the job runs."""
    return sh("setpriv", f"--reuid={RUNNER_UID}", f"--regid={RUNNER_UID}", "--clear-groups", *args)


@pytest.fixture
def runner_dir() -> Iterator[Path]:
    """A directory the runner's user can reach (pytest's own are root's, mode 0700)."""
    base = Path(tempfile.mkdtemp(prefix="retrospect-runner-"))
    base.chmod(0o755)
    yield base
    shutil.rmtree(base, ignore_errors=True)


def test_the_action_runs_end_to_end_in_the_built_image(image, runner_dir, github_api):
    github_api.add_repo("damonitor/damo", stars=[("alice", "2023-08-01T10:00:00Z")])
    workspace, files, home = runner_dir / "workspace", runner_dir / "file_commands", runner_dir / "home"
    for folder in (workspace, files, home):
        folder.mkdir()
    build_kernel(workspace / "linux", per_tag=2)
    build_tool(workspace / "damo", per_month=1)
    remote = make_remote(workspace / "news.git")
    (workspace / "retrospect.yml").write_text(config_yaml())
    mounts = {"/github/workspace": workspace, "/github/file_commands": files, "/github/home": home}
    env = {
        "HOME": "/github/home",
        "GITHUB_ACTIONS": "true",
        "GITHUB_WORKSPACE": "/github/workspace",
        "GITHUB_REPOSITORY": "damonitor/news",
        "GITHUB_API_URL": github_api.url,  # the container shares the host's loopback
        "INPUT_REPOSITORIES": "linux=linux\ndamo=damo",
        "INPUT_CACHE_DIR": ".retrospect-cache",
        "INPUT_YEAR": "2023",
        "INPUT_CONFIG": "retrospect.yml",
        "INPUT_MODE": "commit",
        "INPUT_NEWS_REPOSITORY": "/github/workspace/news.git",
        "INPUT_NEWS_PATH": NEWS_PATH,
        "INPUT_REGION": "stats",
        "INPUT_TOKEN": TOKEN,
    }
    runs = []
    for n in (1, 2):
        sh("chown", "-R", f"{RUNNER_UID}:{RUNNER_UID}", str(runner_dir))  # as the runner leaves it
        env |= {
            "GITHUB_OUTPUT": f"/github/file_commands/output{n}",
            "GITHUB_STEP_SUMMARY": f"/github/file_commands/summary{n}",
        }
        done = run_action(image, mounts, env)
        assert done.returncode == 0, done.stdout + done.stderr
        assert done.stdout.startswith(f"::add-mask::{TOKEN}\n")
        logs = done.stdout.replace(f"::add-mask::{TOKEN}", "") + done.stderr
        assert TOKEN not in logs + (files / f"output{n}").read_text() + (files / f"summary{n}").read_text()
        runs.append(outputs(files / f"output{n}"))
    first, second = runs

    # A later step, as the runner's user: the paths are the workspace's, the files readable, the cache tar-able.
    assert first["report_path"] == "retrospect-out/2023.md" and first["json_path"] == "retrospect-out/2023.json"
    report = as_runner("cat", str(workspace / first["report_path"]))
    assert report == (workspace / "retrospect-out/2023.md").read_text() and "DAMON" in report
    assert json.loads(as_runner("cat", str(workspace / first["json_path"])))["options"]["year"] == 2023
    made = [workspace / "retrospect-out", workspace / ".retrospect-cache"]
    for path in [p for top in made for p in [top, *top.rglob("*")]]:
        assert (path.stat().st_uid, path.stat().st_gid) == (int(RUNNER_UID), int(RUNNER_UID)), path
    assert (workspace / first["report_path"]).stat().st_mode & 0o777 == 0o644
    as_runner("tar", "-C", str(workspace), "-cf", "/dev/null", ".retrospect-cache", "retrospect-out")

    sh("chown", "-R", "0:0", str(workspace))  # for the checks below, with root's git
    assert first["changed"] == "true" and second["changed"] == "false"
    tip = sh("git", "-C", str(remote), "rev-parse", "main").strip()
    assert first["commit_sha"] == second["commit_sha"] == tip
    page = sh("git", "-C", str(remote), "show", f"main:{NEWS_PATH}")
    assert BEGIN in page and "old numbers" not in page and "More prose after the region." in page


def object_count(repo: Path) -> int:
    """Objects in `repo`, loose and packed, as `git count-objects` says."""
    counts = dict(line.split(": ") for line in sh("git", "--git-dir", str(repo), "count-objects", "-v").splitlines())
    return int(counts["count"]) + int(counts["in-pack"])


def new_objects(remote: Path, old_tips: list[str]) -> int:
    """Objects reachable from `remote`'s refs now and from none of `old_tips`, as `git rev-list` counts them."""
    listed = sh("git", "-C", str(remote), "rev-list", "--objects", "--all", "--not", *old_tips)
    return len(listed.splitlines())


def tips(remote: Path) -> list[str]:
    return sh("git", "-C", str(remote), "for-each-ref", "--format=%(objectname)").split()


def test_without_repositories_it_fetches_into_cache_dir_and_later_only_what_is_new(image, runner_dir, github_api):
    github_api.add_repo("damonitor/damo", stars=[("alice", "2023-08-01T10:00:00Z")])
    workspace, files, home = runner_dir / "workspace", runner_dir / "file_commands", runner_dir / "home"
    for folder in (workspace, files, home):
        folder.mkdir()
    # The upstream repositories, served from file:// remotes the container sees under /srv/remotes.
    remotes = {"linux": build_kernel(runner_dir / "remotes/linux", per_tag=2)}
    remotes["damo"] = build_tool(runner_dir / "remotes/damo", per_month=1)
    config = yaml.safe_load(config_yaml())
    config["kernel"]["url"] = "file:///srv/remotes/linux"
    config["tools"][0]["url"] = "file:///srv/remotes/damo"
    (workspace / "retrospect.yml").write_text(yaml.safe_dump(config))
    mounts = {
        "/github/workspace": workspace,
        "/github/file_commands": files,
        "/github/home": home,
        "/srv/remotes": runner_dir / "remotes",
    }
    env = {
        "HOME": "/github/home",
        "GITHUB_ACTIONS": "true",
        "GITHUB_WORKSPACE": "/github/workspace",
        "GITHUB_REPOSITORY": "damonitor/news",
        "GITHUB_API_URL": github_api.url,
        "INPUT_CACHE_DIR": ".cache/retrospect",
        "INPUT_YEAR": "2023",
        "INPUT_CONFIG": "retrospect.yml",
        "INPUT_MODE": "summary",
    }
    clones = workspace / ".cache/retrospect/repos"

    def run(n: int) -> tuple[dict[str, str], str]:
        for folder in (workspace, files, home):  # as the runner leaves them (actions/cache restores as it too)
            sh("chown", "-R", f"{RUNNER_UID}:{RUNNER_UID}", str(folder))
        env["GITHUB_OUTPUT"] = f"/github/file_commands/output{n}"
        done = run_action(image, mounts, env)
        assert done.returncode == 0, done.stdout + done.stderr
        return outputs(files / f"output{n}"), done.stdout + done.stderr

    first, _ = run(1)
    assert sorted(p.name for p in clones.iterdir()) == ["damo.git", "linux.git"]
    report = as_runner("cat", str(workspace / first["report_path"]))
    assert first["report_path"] == "retrospect-out/2023.md" and "DAMON" in report

    # Upstream moves on: a damo commit in 2023, a kernel commit and tag in 2024.
    before = {name: (object_count(clones / f"{name}.git"), tips(remote)) for name, remote in remotes.items()}
    tool = Builder(remotes["damo"], init=False)
    tool.commit("late fix", ("Dana", "dana@example.com"), ts("2023-12-30T12:00:00"), files={"late.py": "x = 1\n"})
    kernel = Builder(remotes["linux"], init=False)
    kernel.commit("mm: next", ("Eve", "eve@example.com"), ts("2024-02-01T12:00:00"), files={"mm/next.c": "int n;\n"})
    kernel.tag("v1.5-rc2", ts("2024-02-04T20:00:00"))

    second, _ = run(2)
    for name, remote in remotes.items():
        count, old_tips = before[name]
        fetched = object_count(clones / f"{name}.git") - count
        # git's own counts: the clone gained exactly the objects the remote's new refs added, nothing again.
        assert fetched == new_objects(remote, old_tips) > 0, name
    assert "Dana" in as_runner("cat", str(workspace / second["report_path"]))
    assert second["report_path"] == first["report_path"]
