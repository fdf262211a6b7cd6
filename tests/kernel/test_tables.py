"""Every number of every table equals what plain `git log ... | wc -l` or `--shortstat` sums give."""

from __future__ import annotations

import itertools
import sqlite3
from pathlib import Path

import pytest
from command_json import output
from gitcheck import DAMON, MM, count, git, shortstat
from kernelrepo import ALICE, MAINTAINERS, SJ, Builder, ts

from reporter.cli import main

YEAR_2023 = ["v1.1-rc1", "v1.2", "v1.3", "v1.4-rc2"]


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict:
    assert main([*args, "--format", "json", "--quiet"]) == 0
    return output(args[0], capsys.readouterr().out)


def sql(cache: Path, *statements: str) -> list[tuple]:
    """Run statements on the cache's database (to damage it, or to look inside); the last one's rows."""
    db = sqlite3.connect(cache / "commits.sqlite")
    try:
        rows = [db.execute(statement).fetchall() for statement in statements][-1]
        db.commit()
        return rows
    finally:
        db.close()


def ranges_of(refs: list[str]) -> list[tuple[str, str]]:
    return list(itertools.pairwise(refs)) + [(refs[0], refs[-1])]


def test_commits_table_equals_git_log_counts(kernel_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    table = run_json(capsys, "table", "commits", str(kernel_repo), "--year", "2023")
    assert table["header"] == ["range", "damon", "mm", "damon/mm", "linux", "damon/linux"]
    assert [row["range"] for row in table["rows"]] == [f"{a}..{b}" for a, b in ranges_of(YEAR_2023)]
    for row, (a, b) in zip(table["rows"], ranges_of(YEAR_2023), strict=True):
        damon = count(kernel_repo, "--no-merges", f"{a}..{b}", "--", *DAMON)
        mm = count(kernel_repo, "--no-merges", f"{a}..{b}", "--", *MM)
        linux = count(kernel_repo, "--no-merges", f"{a}..{b}")
        assert (row["damon"], row["mm"], row["linux"]) == (damon, mm, linux)
        assert row["damon/mm"] == pytest.approx(round(100 * damon / mm, 4))
        assert row["damon/linux"] == pytest.approx(round(100 * damon / linux, 4))
    assert table["rows"][-1]["damon"] > 0 and table["rows"][-1]["linux"] > table["rows"][-1]["mm"]


def test_lines_table_equals_shortstat_sums(kernel_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    table = run_json(capsys, "table", "lines", str(kernel_repo), "--year", "2023")
    for row, (a, b) in zip(table["rows"], ranges_of(YEAR_2023), strict=True):
        assert row["damon"] == shortstat(kernel_repo, "--no-merges", f"{a}..{b}", "--", *DAMON)
        assert row["mm"] == shortstat(kernel_repo, "--no-merges", f"{a}..{b}", "--", *MM)
        assert row["linux"] == shortstat(kernel_repo, "--no-merges", f"{a}..{b}")


def test_lines_count_renames_as_git_pairs_them_inside_the_pathspec(kernel_repo: Path) -> None:
    """The docs moved from Documentation/vm/damon/ into the DAMON paths: inside the DAMON pathspec the
    moved file is all insertions, while the unlimited diff pairs it as a rename with one changed line."""
    moved = "v1.1-rc1..v1.2"
    inside = shortstat(kernel_repo, "--no-merges", moved, "--", "Documentation/mm/damon/")
    assert inside >= 21
    out = git(kernel_repo, "log", "--no-merges", "--numstat", "--format=", moved)
    assert "1\t0\tDocumentation/{vm => mm}/damon/usage.rst" in out


def test_community_table_counts_merges_and_name_or_email(kernel_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    table = run_json(capsys, "table", "community", str(kernel_repo), "--year", "2023")
    assert table["header"] == ["range", "from_sj", "non_sj", "non_sj_portion"]
    for row, (a, b) in zip(table["rows"], ranges_of(YEAR_2023), strict=True):
        everyone = count(kernel_repo, f"{a}..{b}", "--", *DAMON)
        mine = count(kernel_repo, f"{a}..{b}", "--author=^SeongJae Park <", "--author=<sj@kernel.org>$", "--", *DAMON)
        assert (row["from_sj"], row["non_sj"]) == (mine, everyone - mine)
    # The evil merge is counted, as the seed script (no --no-merges) counted merges.
    assert count(kernel_repo, "--merges", "v1.2..v1.3", "--", *DAMON) >= 1


def test_tsv_and_markdown_formats(kernel_repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    refs = tmp_path / "stat_branches"
    refs.write_text("v1.2\nv1.3\n")
    assert main(["table", "commits", str(kernel_repo), "--refs", str(refs), "--quiet"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "range\tdamon\tmm\tdamon/mm\tlinux\tdamon/linux"
    damon = count(kernel_repo, "--no-merges", "v1.2..v1.3", "--", *DAMON)
    mm = count(kernel_repo, "--no-merges", "v1.2..v1.3", "--", *MM)
    linux = count(kernel_repo, "--no-merges", "v1.2..v1.3")
    expected = f"v1.2..v1.3\t{damon}\t{mm}\t{100 * damon / mm:.2f}%\t{linux}\t{100 * damon / linux:.2f}%"
    assert lines[1:] == [expected]  # a single range is its own total: printed once
    assert main(["table", "community", str(kernel_repo), "--refs", str(refs), "--format", "md", "--quiet"]) == 0
    md = capsys.readouterr().out.splitlines()
    assert md[0] == "| range | from_sj | non_sj | non_sj_portion |"
    assert md[1] == "| --- | --: | --: | --: |"


def test_zero_denominator_prints_dash(kernel_repo: Path, tmp_path: Path, capsys) -> None:
    refs = tmp_path / "refs"
    refs.write_text("v1.4-rc2\nv1.4-rc2\n")
    assert main(["table", "commits", str(kernel_repo), "--refs", str(refs), "--quiet"]) == 0
    assert capsys.readouterr().out.splitlines()[1] == "v1.4-rc2..v1.4-rc2\t0\t0\t-\t0\t-"


def test_path_specs_labels_and_merges_option(kernel_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    table = run_json(
        capsys,
        "table",
        "commits",
        str(kernel_repo),
        "--year",
        "2023",
        "--subsystem",
        "drv=path:drivers/",
        "--parent",
        "MEMORY CONTROLLER",
        "--total-label",
        "all",
        "--merges",
        "include",
    )
    assert table["header"] == ["range", "drv", "memory_controller", "drv/memory_controller", "all", "drv/all"]
    total = table["rows"][-1]
    assert total["drv"] == count(kernel_repo, "v1.1-rc1..v1.4-rc2", "--", "drivers/")
    assert total["all"] == count(kernel_repo, "v1.1-rc1..v1.4-rc2")
    assert total["memory_controller"] == count(
        kernel_repo,
        "v1.1-rc1..v1.4-rc2",
        "--",
        "include/linux/memcontrol-v1.h",
        "mm/memcontrol.c",
        "mm/swap_cgroup.c",
    )


def test_non_linear_refs_get_an_exact_total_row(kernel_repo: Path, tmp_path: Path, capsys) -> None:
    """Refs out of order: ranges overlap, so the total row is walked on its own, not summed."""
    refs = tmp_path / "refs"
    refs.write_text("v1.1-rc1\nv1.3\nv1.2\nv1.4-rc2\n")
    table = run_json(capsys, "table", "lines", str(kernel_repo), "--refs", str(refs))
    assert table["rows"][-1]["linux"] == shortstat(kernel_repo, "--no-merges", "v1.1-rc1..v1.4-rc2")
    assert table["rows"][1]["linux"] == shortstat(kernel_repo, "--no-merges", "v1.3..v1.2") == 0


def test_cache_gives_the_same_numbers_and_survives_corruption(
    kernel_repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cache = tmp_path / "cache"
    args = ["table", "lines", str(kernel_repo), "--year", "2023", "--cache-dir", str(cache)]
    first = run_json(capsys, *args)
    second = run_json(capsys, *args)
    uncached = run_json(capsys, "table", "lines", str(kernel_repo), "--year", "2023", "--no-cache")
    assert first == second == uncached
    (cache / "commits.sqlite").write_bytes(b"this is not a database" * 100)
    assert run_json(capsys, *args) == first


@pytest.mark.parametrize(
    "written_by",
    ["PRAGMA user_version = 999", "UPDATE meta SET value = 'retrospect 0.0.1; git 2.1.0'"],
    ids=["another schema", "another retrospect or git"],
)
def test_cache_written_by_others_is_rebuilt(kernel_repo: Path, tmp_path: Path, capsys, written_by: str) -> None:
    cache = tmp_path / "cache"
    args = ["table", "commits", str(kernel_repo), "--year", "2023", "--cache-dir", str(cache)]
    first = run_json(capsys, *args)
    # Garbage, then marked as written by another version: none of it may be trusted.
    sql(cache, "UPDATE walks SET data = X'00'", written_by)
    assert run_json(capsys, *args) == first
    assert sql(cache, "SELECT COUNT(*) FROM walks WHERE data = X'00'") == [(0,)]
    assert sql(cache, "SELECT value FROM meta")[0][0].startswith("retrospect ")


def test_bare_repository(kernel_repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bare = tmp_path / "linux.git"
    git(tmp_path, "clone", "-q", "--bare", str(kernel_repo), str(bare))
    assert run_json(capsys, "table", "commits", str(bare), "--year", "2023") == run_json(
        capsys, "table", "commits", str(kernel_repo), "--year", "2023"
    )


def test_unreadable_cache_entries_are_walked_again(kernel_repo: Path, tmp_path: Path, capsys) -> None:
    cache = tmp_path / "cache"
    args = ["table", "lines", str(kernel_repo), "--year", "2023", "--cache-dir", str(cache)]
    first = run_json(capsys, *args)
    sql(cache, "UPDATE walks SET data = X'00'", "UPDATE bundles SET data = X'ff'")  # no row of the sizes given
    assert run_json(capsys, *args) == first


def test_a_later_run_diffs_only_the_new_commits(kernel_repo: Path, tmp_path: Path, capsys) -> None:
    """A scheduled run after new commits: the cache answers for the old ones, git diffs only the new."""
    from kernelrepo import SJ, Builder, ts

    repo = tmp_path / "linux"
    git(tmp_path, "clone", "-q", str(kernel_repo), str(repo))
    refs = tmp_path / "refs"
    refs.write_text("v1.3\nv1.4-rc2\nmaster\n")
    cache = tmp_path / "cache"
    args = ["table", "lines", str(repo), "--refs", str(refs), "--cache-dir", str(cache)]
    run_json(capsys, *args)

    before = kept(cache)
    builder = Builder(repo, init=False)
    for i in range(3):
        builder.commit(f"new {i}", SJ, ts(f"2024-02-0{i + 1}T00:00:00"), files={f"mm/damon/new{i}.c": "x\n" * (i + 1)})
    again = run_json(capsys, *args)
    assert kept(cache) == before + 3
    assert again == run_json(capsys, "table", "lines", str(repo), "--refs", str(refs), "--no-cache")
    assert again["rows"][-2]["damon"] == shortstat(repo, "--no-merges", "v1.4-rc2..master", "--", *DAMON)


def kept(cache: Path) -> int:
    """How many commits the cache's bundles hold."""
    return sum(len(hashes.split()) for (hashes,) in sql(cache, "SELECT hashes FROM bundles"))


def test_unusable_cache_directory(kernel_repo: Path, tmp_path: Path, capsys) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    assert main(["table", "commits", str(kernel_repo), "--year", "2023", "--cache-dir", str(blocker / "c")]) == 2
    err = capsys.readouterr().err
    assert "cannot use the cache at" in err and err.count("\n") == 1


@pytest.fixture(scope="module")
def moving(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """DAMON's files move from old/damon/ to mm/damon/ between r1 and r2, and MAINTAINERS follows them."""
    b = Builder(tmp_path_factory.mktemp("moving") / "repo")
    before = MAINTAINERS.replace("F:\tmm/damon/\n", "F:\told/damon/\n")
    b.commit("start", SJ, ts("2023-01-01T00:00:00"), files={"MAINTAINERS": before, "old/damon/a.c": "a\n"})
    b.git("tag", "r0")
    for i in range(3):
        b.commit(f"old {i}", ALICE, ts(f"2023-02-0{i + 1}T00:00:00"), files={f"old/damon/{i}.c": f"{i}\n"})
    b.commit("mm", ALICE, ts("2023-03-01T00:00:00"), files={"mm/page_alloc.c": "x\n"})
    b.git("tag", "r1")
    moved = {f"old/damon/{name}": f"mm/damon/{name}" for name in ("a.c", "0.c", "1.c", "2.c")}
    b.commit("move", SJ, ts("2023-06-01T00:00:00"), files={"MAINTAINERS": MAINTAINERS}, renames=moved)
    b.commit("new", ALICE, ts("2023-07-01T00:00:00"), files={"mm/damon/b.c": "b\n"})
    b.git("tag", "r2")
    return b.path


@pytest.mark.parametrize("at", ["end", "each", "r1"])
def test_maintainers_read_where_asked_and_said(
    moving: Path, tmp_path: Path, at: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each row equals `git log --no-merges A..B -- PATHSPECS` with the section as MAINTAINERS reads at the
    ref asked for (each: the row's own end, the total row the sum of the rows), and the output says where."""
    refs = tmp_path / "refs"
    refs.write_text("r0\nr1\nr2\n")
    args = ["table", "commits", str(moving), "--refs", str(refs), "--maintainers-at", at]
    table = run_json(capsys, *args)
    spec = {"r1": "old/damon/", "r2": "mm/damon/"}  # the DAMON section's F: line as MAINTAINERS reads there
    read_at = {"r0..r1": "r1" if at != "end" else "r2", "r1..r2": "r2" if at != "r1" else "r1"}
    expected = [count(moving, "--no-merges", row, "--", spec[ref]) for row, ref in read_at.items()]
    whole = count(moving, "--no-merges", "r0..r2", "--", spec[read_at["r1..r2"]])
    assert [row["damon"] for row in table["rows"]] == [*expected, sum(expected) if at == "each" else whole]
    assert (expected[0] > 0) == (at != "end")  # where MAINTAINERS is read matters
    assert table["maintainers_at"] == at
    sources = {(s["range"], s["label"]): s for s in table["sources"]}
    for row, ref in read_at.items():
        source = sources[(row if at == "each" else None, "damon")]
        assert source["ref"] == ref and source["section"] == "DATA ACCESS MONITOR"
        assert source["commit"] == git(moving, "rev-parse", f"{ref}^{{commit}}").strip()
        files = git(moving, "ls-tree", "-r", "--name-only", ref, "--", "mm/damon/", "old/damon/").split()
        assert source["files"] == len(files) > 0
    assert main([*args, "--format", "text", "--quiet"]) == 0
    text = capsys.readouterr().out
    for ref in set(read_at.values()):
        assert f" as at {ref} (" in text and "damon = MAINTAINERS section DATA ACCESS MONITOR (" in text
