"""For the publishing tests: news repositories (a bare remote with one markdown file, read back by git),
race and spy hooks, and a config that fits the generated source repositories."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from reporter.report.config import DEFAULT_YAML

NEWS_PATH = "content/stats.md"
REAL_GIT = shutil.which("git")
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
    (home / "bin").mkdir()  # for before_push
    monkeypatch.setenv("PATH", f"{home / 'bin'}{os.pathsep}{os.environ['PATH']}")
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


def before_push(home: Path, script: str) -> None:
    """Run the shell `script` before every `git push` (and go on with the push whatever it does): as a
    wrapper of git first on PATH (see hermetic_git), since retrospect runs git with hooks off."""
    (home / "bin" / "git").write_text(
        f'#!/bin/sh\ncase " $* " in *" push "*) (\n{script}\n) ;; esac\nexec {REAL_GIT} "$@"\n'
    )
    (home / "bin" / "git").chmod(0o755)


def install_racing_hook(home: Path, remote: Path, path: str, text: str) -> Path:
    """Once, another writer's commit lands just before our push goes out."""
    flag = home / "raced"
    before_push(
        home,
        f"[ -e '{flag}' ] && exit 0\n"
        "unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE\n"
        f"export GIT_CONFIG_GLOBAL='{home}/.gitconfig'\n"  # the racer's identity, whatever ours is
        f"touch '{flag}'\n"
        f"w='{home}/racer'\n"
        f"git clone -q '{remote}' \"$w\" && mkdir -p \"$w/$(dirname '{path}')\" "
        f"&& printf '%s' '{text}' > \"$w/{path}\" "
        f'&& git -C "$w" add -A && git -C "$w" commit -q -m racer && git -C "$w" push -q --no-verify origin HEAD',
    )
    return flag


def install_spy_hook(home: Path) -> Path:
    """Before a push, the pushing clone's git config, its reflog and git's environment copied into `home`/spy."""
    spy = home / "spy"
    before_push(
        home,
        f"mkdir -p '{spy}'\n"
        f"cat \"$(git rev-parse --git-dir)/config\" > '{spy}/config'\n"
        f"git reflog > '{spy}/reflog'\n"
        f"env > '{spy}/hook-env'",
    )
    return spy
