"""The cached clone: all tags of all active branches, every range's history complete, later runs fetch what
is new, an older year fetches further back; its numbers equal those of the full repository."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from command_json import output
from gitcheck import git
from kernelrepo import ALICE, BOB, SJ, Builder, ts

from reporter.cli import main
from reporter.git import repos, walk
from reporter.kernel.ranges import consecutive, year_boundaries
from reporter.model import RevRange

# Subprocesses, servers and waits: left out of the quick run (`pytest -m 'not slow'`).
pytestmark = pytest.mark.slow

TAGS = r"^RELEASE-\d+$"


def _remote(path: Path) -> Builder:
    """master with monthly commits 2020-2024; releases tagged only on a stable branch forked from it each
    quarter (each its own stable-N branch); an abandoned branch whose tip is from 2019, with history of its own."""
    b = Builder(path)
    b.commit("root", SJ, ts("2019-01-01T00:00:00"), files={"a": "0\n"})
    b.git("checkout", "-q", "-b", "abandoned")
    for month in range(2, 10):
        b.commit(f"old {month}", BOB, ts(f"2019-{month:02d}-01T00:00:00"), files={"old": f"{month}\n" * month})
    b.git("checkout", "-q", "master")
    release = 0
    for year in range(2020, 2025):
        for month in range(1, 13):
            b.commit(
                f"c {year}-{month}",
                [SJ, ALICE, BOB][month % 3],
                ts(f"{year}-{month:02d}-03T00:00:00"),
                files={"a": f"{year} {month}\n" * month, f"d/{month}": f"{year}\n"},
            )
            if month % 3 == 0:
                release += 1
                b.git("checkout", "-q", "-b", f"stable-{release}", "master")
                b.commit(
                    f"release {release}", SJ, ts(f"{year}-{month:02d}-10T00:00:00"), files={"VERSION": f"{release}\n"}
                )
                b.tag(f"RELEASE-{release}", ts(f"{year}-{month:02d}-10T00:00:00"))
                b.git("checkout", "-q", "master")
    git(b.path, "config", "uploadpack.allowFilter", "true")
    return b


def _table(capsys: pytest.CaptureFixture[str], repo: Path, refs: list[str], tmp_path: Path) -> dict:
    path = tmp_path / "refs"
    path.write_text("\n".join(refs) + "\n")
    args = ["table", "lines", str(repo), "--refs", str(path), "--subsystem", "path:d/", "--parent", "path:a"]
    assert main([*args, "--format", "json", "--quiet", "--no-cache"]) == 0, capsys.readouterr().err
    return output("table", capsys.readouterr().out)


def _year(repo: Path, year: int) -> list[str]:
    return year_boundaries(walk.tags(walk.open_repo(repo)), year, None, TAGS, TAGS)


def test_cold_warm_and_older_years_count_as_the_full_repository(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    remote = _remote(tmp_path / "remote").path
    url = f"file://{remote}"
    cache = tmp_path / "cache"
    clone = repos.ensure("proj", url, cache, 2024, offline=False, shallow=True)
    path = Path(clone.git_dir)
    # Tags of the stable branch came along; the abandoned branch's history did not.
    assert {t.name for t in walk.tags(clone)} == {f"RELEASE-{n}" for n in range(15, 21)}
    assert git(path, "rev-list", "--all", "--count").strip() < git(remote, "rev-list", "--all", "--count").strip()
    assert "abandoned" not in git(path, "branch")
    refs = _year(path, 2024)
    assert refs == _year(remote, 2024)
    repos.complete(clone, [*consecutive(refs), RevRange(refs[0], refs[-1])], offline=False)
    assert _table(capsys, path, refs, tmp_path) == _table(capsys, remote, refs, tmp_path)
    assert walk.shallow_boundary(clone)

    # A later run fetches what is new only; an older year fetches further back.
    more = Builder(remote, init=False)
    more.commit("new", ALICE, ts("2024-12-20T00:00:00"), files={"d/new": "n\n"})
    more.tag("RELEASE-21", ts("2024-12-21T00:00:00"))
    warm = repos.ensure("proj", url, cache, 2024, offline=False, shallow=True)
    assert "RELEASE-21" in {t.name for t in walk.tags(warm)}
    refs = _year(path, 2024)
    assert refs[-1] == "RELEASE-21"
    assert _table(capsys, path, refs, tmp_path) == _table(capsys, remote, refs, tmp_path)
    older = repos.ensure("proj", url, cache, 2021, offline=False, shallow=True)
    refs = _year(remote, 2021)
    repos.complete(older, [*consecutive(refs), RevRange(refs[0], refs[-1])], offline=False)
    assert _table(capsys, path, refs, tmp_path) == _table(capsys, remote, refs, tmp_path)


def test_a_range_older_than_the_clone_is_fetched_until_complete(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    remote = _remote(tmp_path / "remote").path
    clone = repos.ensure("proj", f"file://{remote}", tmp_path / "cache", 2024, offline=False, shallow=True)
    path = Path(clone.git_dir)
    refs = ["RELEASE-13", "RELEASE-16", "RELEASE-19"]  # 2023-03..2024-09; the clone starts in 2022-07
    git(path, "fetch", "-q", "origin", "+refs/tags/RELEASE-13:refs/tags/RELEASE-13")
    repos.complete(clone, [*consecutive(refs), RevRange(refs[0], refs[-1])], offline=False)
    assert _table(capsys, path, refs, tmp_path) == _table(capsys, remote, refs, tmp_path)
    refs = ["RELEASE-2", "RELEASE-5"]  # 2020: three years before the clone's start
    git(path, "fetch", "-q", "--shallow-since=2022-07-01", "origin", "+refs/tags/*:refs/tags/*")
    repos.complete(clone, consecutive(refs), offline=False)
    assert _table(capsys, path, refs, tmp_path) == _table(capsys, remote, refs, tmp_path)


def test_boundaries_git_lists_without_their_commits_do_not_break_a_deeper_fetch(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """git 2.39's `--shallow-since` can leave commits it never sent in `shallow` (seen on U-Boot); the
    next fetch that reaches further back then failed with "error in object: unshallow <hash>"."""
    remote = _remote(tmp_path / "remote").path
    url = f"file://{remote}"
    clone = repos.ensure("proj", url, tmp_path / "cache", 2024, offline=False, shallow=True)
    path = Path(clone.git_dir)
    absent = git(remote, "rev-list", "-1", "--before=2022-04-01", "master").strip()
    with (path / "shallow").open("a") as shallow:
        shallow.write(absent + "\n")
    older = repos.ensure("proj", url, tmp_path / "cache", 2022, offline=False, shallow=True)
    refs = _year(remote, 2022)
    repos.complete(older, [*consecutive(refs), RevRange(refs[0], refs[-1])], offline=False)
    assert _table(capsys, path, refs, tmp_path) == _table(capsys, remote, refs, tmp_path)


def test_a_relative_cache_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    remote = _remote(tmp_path / "remote").path
    monkeypatch.chdir(tmp_path)
    clone = repos.ensure("proj", f"file://{remote}", Path("cache"), 2024, offline=False, shallow=True)
    assert Path(clone.git_dir) == tmp_path / "cache" / "proj.git"


def test_more_active_branches_than_one_command_line_carries(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The remote names its branches: 16,000 recent ones, whose refspecs (2.3 MB) no single `git fetch`
    command line carries (Linux's ARG_MAX is 2 MB); each is fetched, and the figures are the remote's."""
    remote = _remote(tmp_path / "remote").path
    tip = git(remote, "rev-parse", "master").strip()
    names = [f"refs/heads/topic/{n:05d}-{'x' * 48}" for n in range(16_000)]
    made = "".join(f"create {name} {tip}\n" for name in names)
    subprocess.run(["git", "update-ref", "--stdin"], cwd=remote, input=made, text=True, check=True)
    clone = repos.ensure("proj", f"file://{remote}", tmp_path / "cache", 2024, offline=False, shallow=True)
    path = Path(clone.git_dir)
    assert git(path, "for-each-ref", "--format=%(refname)", "refs/heads/topic").split() == names
    refs = _year(path, 2024)
    repos.complete(clone, [*consecutive(refs), RevRange(refs[0], refs[-1])], offline=False)
    assert _table(capsys, path, refs, tmp_path) == _table(capsys, remote, refs, tmp_path)
