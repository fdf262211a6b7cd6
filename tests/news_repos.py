"""For the publishing tests: news repositories (a bare remote with one markdown file, read back by git),
race and spy hooks, and a config that fits the generated source repositories."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
import yaml

from reporter.report.config import DEFAULT_YAML

NEWS_PATH = "content/stats.md"
PAGE = """\
# DAMON news

Some prose the action must keep.

<!-- retrospect:begin stats -->
old numbers
<!-- retrospect:end stats -->

More prose after the region.
"""


def config_yaml(publish: dict[str, str] | None = None) -> str:
    """The built-in config without real Linux's explicit refs, network extras or publish defaults, for the
    generated repositories of tests/kernelrepo.py."""
    config = yaml.safe_load(DEFAULT_YAML)
    config["kernel"].pop("refs", None)
    config |= {"github": [], "packaging": [], "publish": publish or {}}
    return yaml.safe_dump(config)


def git(cwd: Path, *args: str, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        ["git", *args], cwd=cwd, env={**os.environ, **(env or {})}, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


@pytest.fixture
def hermetic_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh HOME and global git config, so the action's `git config --global` stays in the test."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for name in ("GIT_CONFIG_COUNT", "GIT_DIR", "GIT_WORK_TREE"):
        monkeypatch.delenv(name, raising=False)
    (home / ".gitconfig").write_text(
        "[user]\n\tname = Tester\n\temail = tester@example.com\n[init]\n\tdefaultBranch = main\n"
    )
    return home


def make_remote(path: Path, files: dict[str, str] | None = None, branch: str = "main") -> Path:
    """A bare repository at `path` whose `branch` has one commit with `files`."""
    work = path.with_name(path.name + "-seed")
    work.mkdir(parents=True)
    git(work, "init", "-q", "-b", branch)
    for name, text in (files if files is not None else {NEWS_PATH: PAGE}).items():
        (work / name).parent.mkdir(parents=True, exist_ok=True)
        (work / name).write_text(text)
    git(work, "add", "-A")
    git(work, "commit", "-q", "-m", "seed")
    git(path.parent, "clone", "-q", "--bare", str(work), str(path))
    return path


def remote_file(remote: Path, path: str = NEWS_PATH, branch: str = "main") -> str:
    return git(remote, "show", f"{branch}:{path}") + "\n"


def push_change(remote: Path, path: str, text: str, branch: str = "main") -> str:
    """Another writer's commit on `branch` of `remote`, made from a clone of its own."""
    work = remote.parent / f"other-{len(list(remote.parent.iterdir()))}"
    git(remote.parent, "clone", "-q", "--branch", branch, str(remote), str(work))
    (work / path).parent.mkdir(parents=True, exist_ok=True)
    (work / path).write_text(text)
    git(work, "add", "-A")
    git(work, "commit", "-q", "-m", f"other writer: {path}")
    git(work, "push", "-q", "--no-verify", "origin", branch)
    return git(work, "rev-parse", "HEAD")


def install_racing_hook(home: Path, remote: Path, path: str, text: str) -> Path:
    """A global pre-push hook that, once, lands another writer's commit just before our push goes out."""
    hooks = home / "hooks"
    hooks.mkdir()
    flag = home / "raced"
    hook = hooks / "pre-push"
    hook.write_text(
        "#!/bin/sh\n"
        f"[ -e '{flag}' ] && exit 0\n"
        "unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE\n"
        f"touch '{flag}'\n"
        f"w='{home}/racer'\n"
        f"git clone -q '{remote}' \"$w\" && mkdir -p \"$w/$(dirname '{path}')\" "
        f"&& printf '%s' '{text}' > \"$w/{path}\" "
        f'&& git -C "$w" add -A && git -C "$w" commit -q -m racer && git -C "$w" push -q --no-verify origin HEAD\n'
    )
    hook.chmod(0o755)
    git(home, "config", "--global", "core.hooksPath", str(hooks))
    return flag


def install_spy_hook(home: Path) -> Path:
    """A global pre-push hook that copies the pushing clone's git config and reflog into `home`/spy."""
    spy = home / "spy"
    hooks = home / "hooks"
    hooks.mkdir()
    hook = hooks / "pre-push"
    hook.write_text(
        "#!/bin/sh\n"
        f"mkdir -p '{spy}'\n"
        f"cat \"$(git rev-parse --git-dir)/config\" > '{spy}/config'\n"
        f"git reflog > '{spy}/reflog'\n"
        f"env > '{spy}/hook-env'\n"
    )
    hook.chmod(0o755)
    git(home, "config", "--global", "core.hooksPath", str(hooks))
    return spy
