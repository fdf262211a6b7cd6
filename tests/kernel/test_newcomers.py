"""`authors --new-since`: authors whose first commit to the paths comes in the range, checked against git log."""

from __future__ import annotations

import subprocess
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest
from gitcheck import DAMON, git
from kernelrepo import Builder, ts

from reporter.cli import main
from reporter.git import walk
from reporter.git.history import History
from reporter.kernel.people import Rules
from reporter.report import run
from reporter.report.config import PathSetConfig
from reporter.report.config import default as default_config


def authors(capsys: pytest.CaptureFixture[str], *args: str) -> list[str]:
    assert main(["authors", *args, "--quiet", "--max-authors", "1000"]) == 0
    return capsys.readouterr().out.splitlines()


def expected(repo: Path, rng: str, before: list[str], paths: list[str]) -> Counter[str]:
    """Range authors (with commit counts) that `git log BEFORE -- PATHS` never shows."""
    fmt = "--format=%an <%ae>"
    seen = set(git(repo, "log", fmt, "--no-merges", *before, "--", *paths).splitlines())
    found = Counter(git(repo, "log", fmt, "--no-merges", rng, "--", *paths).splitlines())
    return Counter({who: n for who, n in found.items() if who not in seen})


def check(lines: list[str], new: Counter[str], since: str) -> None:
    if lines[-1].startswith("# path sets as at "):  # a section's: where MAINTAINERS was read, after the footer
        lines = lines[:-1]
    assert lines[-1] == f"# {len(new)} authors new since {since}, {sum(new.values())} commits in total"
    assert {
        line.partition(". ")[2].rpartition(": ")[0]: int(line.rpartition(": ")[2].split()[0]) for line in lines[:-1]
    } == new


A, B, C, D = ("Ann", "ann@x.org"), ("Ben", "ben@x.org"), ("Cai", "cai@y.org"), ("Dee", "dee@y.org")


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Before `start`: Ann in mm/, Ben in doc/. After: Ann, Ben (new to mm/, not to the repository), Cai
    (new), and Dee, whose only earlier commit is a merge."""
    b = Builder(tmp_path_factory.mktemp("newcomers") / "repo")
    b.commit("a0", A, ts("2022-01-01T00:00:00"), files={"mm/a": "0\n"})
    b.commit("b0", B, ts("2022-02-01T00:00:00"), files={"doc/b": "0\n"})
    b.git("checkout", "-q", "-b", "side")
    b.commit("side", A, ts("2022-03-01T00:00:00"), files={"mm/s": "0\n"})
    b.git("checkout", "-q", "master")
    b.commit("a1", A, ts("2022-03-02T00:00:00"), files={"mm/a": "1\n"})
    b.git("merge", "-q", "--no-ff", "-m", "merge", "side", env={"GIT_AUTHOR_NAME": D[0], "GIT_AUTHOR_EMAIL": D[1]})
    b.git("tag", "start")
    b.git("tag", "20230301")  # a tag named like a date: the date wins, as in --since
    for i, (who, where) in enumerate([(A, "mm"), (B, "mm"), (C, "doc"), (D, "mm"), (C, "mm"), (B, "doc"), (A, "doc")]):
        b.commit(f"n{i}", who, ts(f"2023-0{i + 1}-01T00:00:00"), files={f"{where}/n{i}": "x\n"})
    return b.path


@pytest.mark.parametrize("paths", [[], ["mm/"]])
def test_new_since_a_ref(repo: Path, capsys: pytest.CaptureFixture[str], paths: list[str]) -> None:
    new = expected(repo, "start..master", ["start"], paths)
    assert 0 < len(new) < len(expected(repo, "start..master", ["start", "--not", "start"], paths))
    selection = ["--range", "start..master", "--no-merges", *(["--paths", *paths] if paths else [])]
    check(authors(capsys, str(repo), *selection, "--new-since", "start"), new, "start")


def test_new_since_a_date(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    new = expected(repo, "master", ["--until=2023-02-28 23:59:59 +0000", "master"], ["mm/"])
    assert set(new) == {"Cai <cai@y.org>", "Dee <dee@y.org>"}
    selection = ["--no-merges", "--paths", "mm/", "--new-since", "2023-03-01"]
    check(authors(capsys, str(repo), *selection), new, "2023-03-01")


@pytest.mark.parametrize("paths", [[], ["mm/"]])
@pytest.mark.parametrize(
    "since", ["2023-03-01", "20230301", "2023-03-01T00:00:00+00:00", "20230301T000000Z", "2023-03-01T02:00:00+02:00"]
)
def test_new_since_a_date_as_git_since_reads_it(
    repo: Path, capsys: pytest.CaptureFixture[str], since: str, paths: list[str]
) -> None:
    """Every form of the date is the moment that git's --since starts at: the earlier commits are those that
    `git log --since` leaves out (Cai's doc/ commit at 2023-03-01 00:00:00 exactly is not earlier)."""
    moment = "2023-03-01 00:00:00 +0000"
    fmt = ["--no-merges", "--format=%H %an <%ae>"]
    every = dict(line.split(" ", 1) for line in git(repo, "log", *fmt, "master", "--", *paths).splitlines())
    kept = {line.split(" ", 1)[0] for line in git(repo, "log", *fmt, f"--since={moment}", "--", *paths).splitlines()}
    seen = {who for commit, who in every.items() if commit not in kept}
    new = Counter(who for who in every.values() if who not in seen)
    assert "Cai <cai@y.org>" in new
    selection = ["--no-merges", *(["--paths", *paths] if paths else []), "--new-since", since]
    check(authors(capsys, str(repo), *selection), new, since)


def test_a_tag_named_like_a_date_is_named_in_full(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    selection = ["--no-merges", "--paths", "mm/", "--new-since"]
    by_date = authors(capsys, str(repo), *selection, "20230301")
    by_tag = authors(capsys, str(repo), *selection, "refs/tags/20230301")
    assert by_date[:-1] == authors(capsys, str(repo), *selection, "2023-03-01")[:-1]
    assert by_tag[:-1] == authors(capsys, str(repo), *selection, "start")[:-1] != by_date[:-1]


def test_kernel_subsystem(kernel_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rng = ["--range", "v1.2..v1.4", "--no-merges", "--subsystem", "DATA ACCESS MONITOR"]
    check(
        authors(capsys, str(kernel_repo), *rng, "--new-since", "v1.2"),
        expected(kernel_repo, "v1.2..v1.4", ["v1.2"], DAMON),
        "v1.2",
    )


def test_shallow_clone_says_how_far_it_reaches(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    b = Builder(tmp_path / "full")
    for i, who in enumerate([("Old", "old@x.org"), ("Old", "old@x.org"), ("New", "new@x.org"), ("Old", "old@x.org")]):
        b.commit(f"c{i}", who, ts(f"2023-0{i + 1}-01T00:00:00"), files={"f": f"{i}\n"})
    shallow = tmp_path / "shallow.git"
    subprocess.run(
        ["git", "clone", "-q", "--bare", "--depth=2", f"file://{b.path}", str(shallow)], check=True, capture_output=True
    )
    # The clone cannot see Old's first two commits: Old counts as new, and the output says how far it looked.
    assert authors(capsys, str(shallow), "--new-since", "HEAD~1") == [
        "1. Old <old@x.org>: 1 commits",
        "# 1 authors new since HEAD~1 (the shallow clone's history starts 2023-03-01), 1 commits in total",
    ]
    assert authors(capsys, str(b.path), "--new-since", "HEAD~1") == ["# 0 authors new since HEAD~1, 0 commits in total"]


def test_new_since_a_window(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`A..B`: no commit in that range (here: Ben's doc/ commit is before `start~2`, outside the window)."""
    window = "start~2..start"
    new = expected(repo, "start..master", [window], [])
    assert new != expected(repo, "start..master", ["start"], [])  # the window tells apart what `start` does not
    lines = authors(capsys, str(repo), "--range", "start..master", "--no-merges", "--new-since", window)
    assert lines[-1] == f"# {len(new)} authors with no commit in {window}, {sum(new.values())} commits in total"
    assert {line.partition(". ")[2].rpartition(": ")[0] for line in lines[:-1]} == set(new)


def test_new_people(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--people: a person is new when none of their identities has an earlier commit (an address or a name
    shared with an earlier identity makes them known). Plain git: the earlier identities and the range's,
    with the persons written out by hand."""
    old, renamed, moved, fresh = ("SJ", "sj@a.org"), ("sjpark", "sj@a.org"), ("SJ", "sj@b.org"), ("Eve", "eve@e.org")
    b = Builder(tmp_path / "repo")
    b.commit("c0", old, ts("2022-06-01T00:00:00"), files={"f": "0\n"})
    b.git("tag", "start")
    b.git("tag", "20230301")  # a tag named like a date: the date wins, as in --since
    for i, who in enumerate([renamed, moved, fresh, renamed, fresh]):
        b.commit(f"n{i}", who, ts(f"2023-0{i + 1}-01T00:00:00"), files={"f": f"{i + 1}\n"})
    assert expected(b.path, "start..master", ["start"], []) == Counter(
        {"sjpark <sj@a.org>": 2, "SJ <sj@b.org>": 1, "Eve <eve@e.org>": 2}
    )  # per identity, SJ's new name and new address look new
    new_people = authors(capsys, str(b.path), "--range", "start..master", "--new-since", "start", "--people")
    # The footer says what it counts: a person, not "authors".
    assert new_people == ["1. Eve <eve@e.org>: 2 commits", "# 1 person new since start, 2 commits in total"]


def test_the_reports_newcomers_are_people(tmp_path: Path) -> None:
    """The report counts contributors as persons: its newcomers too. A new name on an address that committed
    in the previous year's range (damo's "Michel Lind", earlier "Michel Alexandre Salim") is no newcomer."""
    old, renamed, fresh = ("Michel Alexandre Salim", "m@f.org"), ("Michel Lind", "m@f.org"), ("Eve", "eve@e.org")
    b = Builder(tmp_path / "repo")
    b.commit("c0", fresh, ts("2022-01-01T00:00:00"), files={"mm/damon/f": "0\n"})
    b.git("tag", "v1.0")
    b.commit("c1", old, ts("2022-06-01T00:00:00"), files={"mm/damon/f": "1\n"})
    b.git("tag", "v1.1")
    b.commit("c2", renamed, ts("2023-02-01T00:00:00"), files={"mm/damon/f": "2\n"})
    b.commit("c3", ("Newt", "newt@n.org"), ts("2023-03-01T00:00:00"), files={"mm/damon/f": "3\n"})
    b.git("tag", "v1.2")
    fmt = ["--format=%an <%ae>", "--no-merges"]
    earlier = set(git(b.path, "log", *fmt, "v1.0..v1.1", "--", "mm/damon/").splitlines())
    year = set(git(b.path, "log", *fmt, "v1.1..v1.2", "--", "mm/damon/").splitlines())
    assert year - earlier == {"Michel Lind <m@f.org>", "Newt <newt@n.org>"}  # by identity, two
    kernel = replace(default_config().kernel, subsystem=PathSetConfig("damon", paths=["mm/damon/"]))
    with History(walk.open_repo(str(b.path))) as history:
        found = run.involvement_year(history, kernel, ["v1.1", "v1.2"], 0, [], "v1.0..v1.1", Rules())
    assert found.newcomers is not None and found.newcomers.persons
    assert [a.identity for a in found.newcomers.authors] == ["Newt <newt@n.org>"]  # by person, one
