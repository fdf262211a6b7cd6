"""`retrospect authors`: authors.py's output, checked against hand-computed expectations and git."""

from __future__ import annotations

import os
import subprocess
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from command_json import output, validated
from gitcheck import DAMON, git, shortstat
from kernelrepo import Builder, ts

from reporter.cli import main
from reporter.git import walk
from reporter.git.cache import Cache

A, B, C, D = ("A Person", "a@x.org"), ("B Person", "b@x.org"), ("C Person", "c@y.org"), ("D Person", "d@y.org")


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Newest first: D, B, C, A, B, A: B and A tie at 2 (B first seen), D and C at 1 (D first seen)."""
    b = Builder(tmp_path_factory.mktemp("authors") / "repo")
    for i, (who, lines) in enumerate([(A, 1), (B, 3), (A, 2), (C, 10), (B, 1), (D, 4)]):
        b.commit(f"c{i}", who, ts(f"2023-0{i + 1}-15T12:00:00"), files={f"f{i}.txt": "x\n" * lines})
    b.git("tag", "start", "HEAD~3")
    return b.path


def out(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main(["authors", *args, "--quiet"]) == 0
    return capsys.readouterr().out


def test_text_output_and_tie_order(small: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert out(capsys, str(small)) == (
        "1. B Person <b@x.org>: 2 commits\n"
        "2. A Person <a@x.org>: 2 commits\n"
        "3. D Person <d@y.org>: 1 commits\n"
        "4. C Person <c@y.org>: 1 commits\n"
        "# 4 authors, 6 commits in total\n"
    )


def test_cut_hide_rank_identity_exclude(small: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert out(capsys, str(small), "--max_nr_authors", "1", "--hide_rank") == (
        "B Person <b@x.org>: 2 commits\n# 4 authors, 6 commits in total\n"
    )
    assert out(capsys, str(small), "--author_identity", "domain") == (
        "1. x.org: 4 commits\n2. y.org: 2 commits\n# 2 domains, 6 commits in total\n"
    )
    assert out(capsys, str(small), "--identity", "email", "--exclude", "B Person", "--exclude", "c@y.org") == (
        "1. a@x.org: 2 commits\n2. d@y.org: 1 commits\n# 2 authors, 3 commits in total\n"
    )


def test_range_and_lines(small: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert out(capsys, str(small), "--commits_range", "start..HEAD", "--sortby", "lines") == (
        "1. C Person <c@y.org>: 10 lines\n"
        "2. D Person <d@y.org>: 4 lines\n"
        "3. B Person <b@x.org>: 1 lines\n"
        "# 3 authors, 15 lines in total; merges counted, 0 lines each (git log --numstat shows no diff for a merge)\n"
    )


def test_markdown_and_json(small: Path, capsys: pytest.CaptureFixture[str]) -> None:
    md = out(capsys, str(small), "--format", "md").splitlines()
    assert md[:3] == ["| # | author | commits |", "| --- | --- | --: |", "| 1 | B Person \\<b\\@x.org\\> | 2 |"]
    # Ranked by commits, nothing is diffed: no line count rather than a wrong one.
    data = output("authors", out(capsys, str(small), "--format", "json"))
    assert data["total_authors"] == 4 and data["total_lines"] is None
    assert data["authors"][0] == {"identity": "B Person <b@x.org>", "commits": 2, "lines": None}
    data = output("authors", out(capsys, str(small), "--format", "json", "--sortby", "lines"))
    assert data["total_lines"] == 21 and data["authors"][0] == {
        "identity": "C Person <c@y.org>",
        "commits": 1,
        "lines": 10,
    }


def test_blobs_never_read_unless_lines_are_asked_for(
    small: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Like a blobless clone: a ranking by commits equals git's without the blob; by lines it says why not."""
    copy = tmp_path / "copy"
    git(small, "clone", "-q", "--no-local", str(small), str(copy))
    missing = git(copy, "rev-parse", "HEAD:f5.txt").strip()
    kept = [
        h for h in git(copy, "cat-file", "--batch-all-objects", "--batch-check=%(objectname)").split() if h != missing
    ]
    pack_dir = copy / ".git" / "objects" / "pack"
    subprocess.run(
        ["git", "-C", str(copy), "pack-objects", "-q", str(tmp_path / "pack")],
        input="".join(h + "\n" for h in kept),
        text=True,
        check=True,
        capture_output=True,
    )
    for old in pack_dir.iterdir():
        old.unlink()
    for new in tmp_path.glob("pack-*"):
        new.rename(pack_dir / new.name)
    assert subprocess.run(["git", "-C", str(copy), "cat-file", "-e", missing], check=False).returncode != 0
    expected = Counter(git(copy, "log", "--format=%an <%ae>", "--no-merges").splitlines())
    text = out(capsys, str(copy), "--no-merges", "--no-cache")
    assert text.splitlines()[-1] == f"# {len(expected)} authors, {sum(expected.values())} commits in total"
    assert main(["authors", str(copy), "--sortby", "lines", "--quiet", "--no-cache"]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_mailmap_folds_identities(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    b = Builder(tmp_path / "r")
    b.commit("one", ("Old Name", "old@x.org"), ts("2023-01-01T00:00:00"), files={"a": "1\n"})
    b.commit(
        "two",
        ("New Name", "new@x.org"),
        ts("2023-01-02T00:00:00"),
        files={"a": "2\n", ".mailmap": "New Name <new@x.org> Old Name <old@x.org>\n"},
    )
    assert out(capsys, str(b.path)) == (
        "1. New Name <new@x.org>: 1 commits\n2. Old Name <old@x.org>: 1 commits\n# 2 authors, 2 commits in total\n"
    )
    assert (
        out(capsys, str(b.path), "--mailmap") == "1. New Name <new@x.org>: 2 commits\n# 1 authors, 2 commits in total\n"
    )


def test_whole_day_dates(tool_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = out(capsys, str(tool_repo), "--since", "2023-01-01", "--until", "2023-12-31", "--skip_merge_commits")
    expected = len(
        git(
            tool_repo,
            "log",
            "--oneline",
            "--no-merges",
            "--since=2023-01-01 00:00:00 +0000",
            "--until=2023-12-31 23:59:59 +0000",
        ).splitlines()
    )
    assert text.endswith(f" {expected} commits in total\n")
    assert expected == 4 * 12 + 2  # the first and the last second of the year are both in
    with_offset = out(capsys, str(tool_repo), "--since", "2023-01-01T00:00:01+00:00", "--until", "2023-12-31")
    assert with_offset.endswith(f" {expected - 1} commits in total\n")


def test_subsystem_and_author_dates(kernel_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = out(
        capsys,
        str(kernel_repo),
        "--range",
        "v1.1-rc1..v1.4-rc2",
        "--no-merges",
        "--subsystem",
        "DATA ACCESS MONITOR",
        "--max-authors",
        "100",
    )
    idents = git(kernel_repo, "log", "--format=%an <%ae>", "--no-merges", "v1.1-rc1..v1.4-rc2", "--", *DAMON)
    counts = Counter(idents.splitlines())
    *lines, read_at = text.splitlines()
    assert read_at.startswith("# path sets as at v1.4-rc2 (")  # where the section was read, after the footer
    assert lines[-1] == f"# {len(counts)} authors, {sum(counts.values())} commits in total"
    for line in lines[:-1]:
        ident, _, n = line.partition(". ")[2].rpartition(": ")
        assert counts[ident] == int(n.split()[0])
    since, until = ts("2023-03-01T00:00:00"), ts("2023-06-30T23:59:59")
    log = git(kernel_repo, "log", "--format=%at %an <%ae>", "v1.4").splitlines()
    by_author_date = Counter(line.split(" ", 1)[1] for line in log if since <= int(line.split()[0]) <= until)
    text = out(
        capsys,
        str(kernel_repo),
        "--range",
        "v1.4",
        "--since",
        "2023-03-01",
        "--until",
        "2023-06-30",
        "--date-kind",
        "author",
    )
    assert text.splitlines()[-1] == f"# {len(by_author_date)} authors, {sum(by_author_date.values())} commits in total"


def test_the_cache_is_written_beside_the_output_and_complete_on_return(
    small: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The walk is kept by the cache's writer thread while the ranking is made and printed; the command
    returns once it is kept, so the next run is answered by the cache alone."""
    written: list[str] = []
    add_walk = Cache.add_walk

    def slow_add_walk(self: Cache, *args: Any, **kwargs: Any) -> None:
        time.sleep(0.5)  # a slow disk: the output does not wait for it
        written.append(capsys.readouterr().out)
        add_walk(self, *args, **kwargs)

    monkeypatch.setattr(Cache, "add_walk", slow_add_walk)
    args = [str(small), "--since", "2023-01-01", "--until", "2023-12-31", "--cache-dir", str(tmp_path)]
    assert main(["authors", *args, "--quiet"]) == 0
    assert written and written[0].startswith("1. B Person <b@x.org>: 2 commits\n")  # printed before it was kept

    def no_walk(*args: object, **kwargs: object) -> None:
        raise AssertionError("walked again")

    monkeypatch.setattr(walk, "log", no_walk)
    assert out(capsys, *args) == written[0]


def test_ranked_by_lines_merges_count_as_git_counts_them(kernel_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Without --no-merges, a ranking by lines counts git's commits (merges too, the evil one included), each
    merge with the 0 lines `git log --numstat` shows for it, and says so; with --no-merges, no merge at all."""
    selection = ["--range", "v1.1-rc1..v1.4-rc2", "--subsystem", "DATA ACCESS MONITOR", "--sortby", "lines"]
    data = output("authors", out(capsys, str(kernel_repo), *selection, "--format", "json", "--max-authors", "100"))
    idents = Counter(git(kernel_repo, "log", "--format=%an <%ae>", "v1.1-rc1..v1.4-rc2", "--", *DAMON).splitlines())
    merges = git(kernel_repo, "log", "--merges", "--oneline", "v1.1-rc1..v1.4-rc2", "--", *DAMON).splitlines()
    assert merges and data["total_commits"] == sum(idents.values())
    assert {a["identity"]: a["commits"] for a in data["authors"]} == dict(idents)
    assert data["total_lines"] == shortstat(kernel_repo, "v1.1-rc1..v1.4-rc2", "--", *DAMON)
    assert data["merge_rule"] and "0 lines" in data["merge_rule"]
    footer = out(capsys, str(kernel_repo), *selection).splitlines()[-2]  # the last says where MAINTAINERS was read
    assert footer.endswith(f"lines in total; {data['merge_rule']}")
    skipped = output("authors", out(capsys, str(kernel_repo), *selection, "--no-merges", "--format", "json"))
    assert skipped["total_commits"] == sum(idents.values()) - len(merges) and skipped["merge_rule"] is None


def files_at(repo: Path, ref: str, pathspecs: list[str], tmp: Path) -> int:
    """How many files `pathspecs` select in `ref`'s tree, as git ls-files counts them (exclude magic too)."""
    env = {"GIT_INDEX_FILE": str(tmp / "index")}
    subprocess.run(["git", "read-tree", ref], cwd=repo, check=True, env={**os.environ, **env})
    listed = subprocess.run(
        ["git", "ls-files", "--", *pathspecs],
        cwd=repo,
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, **env},
    )
    return len(listed.stdout.split())


@pytest.mark.parametrize("command", ["authors", "credits", "employers"])
def test_rankings_say_where_maintainers_was_read(
    kernel_repo: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path, command: str
) -> None:
    """A ranking of a MAINTAINERS section names the ref it was read at (the range's end), its commit, and the
    path set's pathspecs and the files they select there as git counts them: in the text and markdown
    footers, and in the JSON."""
    args = [command, str(kernel_repo), "--range", "v1.1-rc1..v1.3", "--subsystem", "DATA ACCESS MONITOR", "--quiet"]
    commit = git(kernel_repo, "rev-parse", "v1.3^{commit}").strip()
    files = files_at(kernel_repo, "v1.3", DAMON, tmp_path)
    size = f"({len(DAMON)} pathspecs, {files} files there)"
    assert main([*args, "--format", "text"]) == 0
    assert capsys.readouterr().out.endswith(
        f"\n# path sets as at v1.3 ({commit[:12]}): MAINTAINERS section DATA ACCESS MONITOR {size}\n"
    )
    assert main([*args, "--format", "md"]) == 0
    assert capsys.readouterr().out.endswith(
        f"\nPath sets as at v1.3 ({commit[:12]})\\: MAINTAINERS section DATA ACCESS MONITOR {size}.\n"
    )
    assert main([*args, "--format", "json"]) == 0
    assert validated(command, capsys.readouterr().out)["sources"] == [
        {
            "label": "DATA ACCESS MONITOR",
            "section": "DATA ACCESS MONITOR",
            "ref": "v1.3",
            "commit": commit,
            "pathspecs": len(DAMON),
            "files": files,
            "range": None,
        }
    ]
    assert main([*args[:-3], "--quiet", "--format", "json"]) == 0  # no section read: none named
    assert validated(command, capsys.readouterr().out)["sources"] == []
