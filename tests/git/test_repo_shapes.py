"""Every git directory git accepts is a repository to retrospect, and git never runs outside it.

Each shape sits inside a decoy: a directory that is itself a git repository with other tags, so that a
git process started in the wrong directory gives other numbers or "unknown ref", never the right ones.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from command_json import output
from gitcheck import DAMON, count, git
from kernelrepo import SJ, Builder, ts

from reporter.cli import main

YEAR_2023 = ["v1.1-rc1", "v1.2", "v1.3", "v1.4-rc2"]


@pytest.fixture(scope="module")
def decoy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    b = Builder(tmp_path_factory.mktemp("decoy") / "outer")
    b.commit("decoy", SJ, ts("2022-06-01T00:00:00"), files={"MAINTAINERS": "nothing\n"})
    b.tag("v1.0", ts("2022-06-01T00:00:00"))
    return b.path


def _bare_without_config(kernel: Path, decoy: Path) -> Path:
    bare = decoy / "mirror" / "repo"
    git(decoy, "clone", "-q", "--bare", str(kernel), str(bare))
    (bare / "config").unlink()  # how some mirrors are stored: HEAD, objects, refs, packed-refs only
    return bare


def _linked_worktree(kernel: Path, decoy: Path) -> Path:
    main_tree = decoy / "main"
    git(decoy, "clone", "-q", str(kernel), str(main_tree))
    git(main_tree, "worktree", "add", "-q", "--detach", str(decoy / "linked"), "v1.4-rc2")
    return decoy / "linked"


def _separate_git_dir(kernel: Path, decoy: Path) -> Path:
    git(decoy, "clone", "-q", "--separate-git-dir", str(decoy / "sep.git"), str(kernel), str(decoy / "sep"))
    return decoy / "sep"


def _git_dir_of_work_tree(kernel: Path, decoy: Path) -> Path:
    git(decoy, "clone", "-q", str(kernel), str(decoy / "plain"))
    return decoy / "plain" / ".git"


SHAPES = [_bare_without_config, _linked_worktree, _separate_git_dir, _git_dir_of_work_tree]


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict:
    assert main([*args, "--format", "json", "--quiet", "--no-cache"]) == 0, capsys.readouterr().err
    return output(args[0], capsys.readouterr().out)


@pytest.mark.parametrize("shape", SHAPES, ids=lambda f: f.__name__.strip("_"))
def test_every_git_directory_counts_as_git_does(
    shape, kernel_repo: Path, tmp_path: Path, decoy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outer = tmp_path / "outer"
    git(tmp_path, "clone", "-q", str(decoy), str(outer))
    repo = shape(kernel_repo, outer)
    assert main(["ranges", str(repo), "--year", "2023"]) == 0
    assert capsys.readouterr().out.split() == YEAR_2023
    table = run_json(capsys, "table", "commits", str(repo), "--year", "2023")
    for row, (a, b) in zip(table["rows"], itertools.pairwise(YEAR_2023), strict=False):
        assert row["damon"] == count(kernel_repo, "--no-merges", f"{a}..{b}", "--", *DAMON)
    ranking = run_json(capsys, "authors", str(repo), "--range", "v1.1-rc1..v1.4-rc2")
    assert ranking["total_commits"] == count(kernel_repo, "v1.1-rc1..v1.4-rc2")


@pytest.mark.parametrize("command", [["ranges"], ["table", "commits"], ["subsystems"]])
def test_a_shallow_clone_without_the_years_tags_is_named(
    command: list[str], kernel_repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A clone cut after the year's start tag (v1.1-rc1, 2022-12-25) is the cause, not the tags: said so."""
    shallow = tmp_path / "linux"
    git(kernel_repo, "clone", "-q", "--bare", "--shallow-since=2023-02-01", f"file://{kernel_repo}", str(shallow))
    assert (
        main(
            [command[0], *command[1:], str(shallow), "--year", "2023", *(["--quiet"] if command != ["ranges"] else [])]
        )
        == 2
    )
    err = capsys.readouterr().err
    assert "linux is a shallow clone whose history starts 2023-" in err and "fetch-depth: 0" in err, err
    assert err.count("\n") == 1


def test_a_directory_inside_a_repository_is_not_that_repository(decoy: Path, capsys) -> None:
    (decoy / "sub").mkdir(exist_ok=True)
    assert main(["ranges", str(decoy / "sub"), "--year", "2023"]) == 2
    assert "not a git repository" in capsys.readouterr().err


@pytest.fixture(scope="module")
def tool_depth(tool_repo: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The damo-like history as actions/checkout leaves it by default: one commit deep."""
    shallow = tmp_path_factory.mktemp("depth") / "damo"
    git(tool_repo, "clone", "-q", "--depth", "1", f"file://{tool_repo}", str(shallow))
    return shallow


@pytest.mark.parametrize(
    "args",
    [
        ["authors", "{depth1}", "--since", "2024-01-01", "--until", "2024-12-31"],
        ["authors", "{depth1}"],
        ["table", "commits", "{depth5}", "--year", "2023"],
        ["authors", "{depth5}", "--range", "v1.1-rc1..v1.4-rc2"],
        ["subsystems", "{depth5}", "--year", "2023"],
    ],
)
def test_a_shallow_clone_is_refused_where_history_is_missing(
    args: list[str], kernel_repo: Path, tool_depth: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    depth5 = tmp_path / "linux"
    git(
        kernel_repo, "clone", "-q", "--bare", "--depth", "5", "--no-single-branch", f"file://{kernel_repo}", str(depth5)
    )
    git(depth5, "fetch", "-q", "--depth", "5", "origin", "+refs/tags/*:refs/tags/*")
    argv = [a.format(depth1=tool_depth, depth5=depth5) for a in args]
    assert main([*argv, "--quiet", "--no-cache"]) == 2
    err = capsys.readouterr().err
    assert "is a shallow clone" in err and "fetch-depth: 0" in err and err.count("\n") == 1, err


def test_a_shallow_clone_deep_enough_counts_as_the_full_one(
    kernel_repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    since = tmp_path / "linux"
    git(kernel_repo, "clone", "-q", "--bare", "--shallow-since=2022-06-01", f"file://{kernel_repo}", str(since))
    assert git(since, "rev-parse", "--is-shallow-repository").strip() == "true"
    assert run_json(capsys, "table", "lines", str(since), "--year", "2023") == run_json(
        capsys, "table", "lines", str(kernel_repo), "--year", "2023"
    )
    assert main(["authors", str(since), "--since", "2022-03-01", "--quiet", "--no-cache"]) == 2
    assert "shallow clone" in capsys.readouterr().err
