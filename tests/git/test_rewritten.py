"""History as git shows it after `git replace` or with grafts: a warm cache answers what a cold one and plain
git answer, however the history was rewritten after the cache was filled, and whatever tells git to ignore
replacements."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from command_json import validated
from gitcheck import DAMON, count, git, shortstat

from reporter.cli import main

# Subprocesses: left out of the quick run (`pytest -m 'not slow'`).
pytestmark = pytest.mark.slow

SPAN = "v1.1-rc1..v1.4-rc2"


def table(capsys: pytest.CaptureFixture[str], repo: Path, cache: Path) -> tuple[int, int]:
    args = ["table", "commits", "lines", str(repo), "--year", "2023", "--format", "json", "--quiet"]
    assert main([*args, "--cache-dir", str(cache)]) == 0
    commits, lines = validated("table", capsys.readouterr().out)["tables"]
    return commits["rows"][-1]["damon"], lines["rows"][-1]["damon"]


def plain(repo: Path) -> tuple[int, int]:
    return count(repo, "--no-merges", SPAN, "--", *DAMON), shortstat(repo, "--no-merges", SPAN, "--", *DAMON)


def replacement(repo: Path) -> tuple[str, str]:
    """A commit of the span that changes DAMON, and a commit with its parents and message whose tree also
    holds a new DAMON file of 100 lines."""
    old = git(repo, "log", "-1", "--no-merges", "--format=%H", SPAN, "--", "mm/damon/").strip()
    index = repo / ".git" / "replacement-index"
    env = {**os.environ, "GIT_INDEX_FILE": str(index)}
    subprocess.run(["git", "read-tree", old], cwd=repo, env=env, check=True)
    blob = subprocess.run(
        ["git", "hash-object", "-w", "--stdin"], cwd=repo, input="x\n" * 100, capture_output=True, text=True, check=True
    ).stdout.strip()
    added = f"100644,{blob},mm/damon/replaced.c"
    subprocess.run(["git", "update-index", "--add", "--cacheinfo", added], cwd=repo, env=env, check=True)
    tree = subprocess.run(["git", "write-tree"], cwd=repo, env=env, capture_output=True, text=True, check=True).stdout
    parents = [arg for p in git(repo, "log", "-1", "--format=%P", old).split() for arg in ("-p", p)]
    new = git(repo, "commit-tree", *parents, "-m", "replaced", tree.strip()).strip()
    return old, new


def rewrite(repo: Path, how: str) -> None:
    old, new = replacement(repo)
    if how == "grafts":  # the commit cut from its parents: its whole tree counts as added
        (repo / ".git" / "info" / "grafts").write_text(old + "\n")
    else:
        git(repo, "replace", old, new)


@pytest.mark.parametrize(
    ("how", "env", "setting"),
    [
        ("replace", {}, None),
        ("grafts", {}, None),
        ("replace", {"GIT_NO_REPLACE_OBJECTS": "1"}, None),
        ("replace", {}, "false"),
        ("replace", {"GIT_REPLACE_REF_BASE": "refs/elsewhere/"}, None),
    ],
    ids=["replace", "grafts", "GIT_NO_REPLACE_OBJECTS", "core.useReplaceRefs-false", "GIT_REPLACE_REF_BASE"],
)
def test_a_warm_cache_answers_what_git_shows(
    how: str,
    env: dict[str, str],
    setting: str | None,
    kernel_repo: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    repo = tmp_path / "linux"
    subprocess.run(["git", "clone", "-q", str(kernel_repo), str(repo)], check=True)
    cache = tmp_path / "cache"
    before = plain(repo)
    assert table(capsys, repo, cache) == before  # the cache is warm
    rewrite(repo, how)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    if setting is not None:
        git(repo, "config", "core.useReplaceRefs", setting)
    shown = plain(repo)
    assert (shown != before) == (how == "grafts" or (not env and setting is None))
    assert table(capsys, repo, cache) == shown  # warm
    assert table(capsys, repo, tmp_path / "cold") == shown
