"""Path-limited walks replayed from the whole-repository pass equal git's own path-limited walks.

The fixture is the benchmark's generator at a small size: merges of topic branches forked from older tags,
renames inside, into and out of sections, and ARM ROCKCHIP, whose `N:` lines resolve to hundreds of literal
pathspecs. Every table is compared with plain git run on the pathspecs retrospect resolved.
"""

from __future__ import annotations

import itertools
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from gitcheck import count, git, shortstat
from kernelrepo import Builder, ts

from reporter.cli import main
from reporter.git import simplify, treediff, walk
from reporter.git.cache import Cache
from reporter.git.history import History
from reporter.kernel import compute
from reporter.model import PathSet, RevRange

# Subprocesses, servers and waits: left out of the quick run (`pytest -m 'not slow'`).
pytestmark = pytest.mark.slow

GENREPO = Path(__file__).resolve().parents[2] / "benchmarks" / "genrepo.py"
REFS = ["v6.2-rc1", "v6.3", "v6.4", "v6.5", "v6.6", "v6.7-rc8", "v6.8"]
AUTHOR = ("Rename Person", "rename@example.org")
SECTIONS = ["ARM ROCKCHIP", "DATA ACCESS MONITOR", "MEMORY MANAGEMENT", "NETWORKING DRIVERS", "DOCUMENTATION"]


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("replay") / "linux"
    subprocess.run([sys.executable, str(GENREPO), "--commits", "2500", "--out", str(out), "--quiet"], check=True)
    _renames_across_rockchip(Builder(out, init=False))
    return out


def _renames_across_rockchip(b: Builder) -> None:
    """One more release whose topic branch renames ARM ROCKCHIP files within it, out of it (where the N:
    regexes no longer match) and into it, merged beside a mainline change of the same section."""
    dts = sorted(git(b.path, "ls-files", "arch/arm64/boot/dts/rockchip/").split())
    when = ts("2024-01-10T12:00:00")
    b.git("checkout", "-q", "-b", "renames", "v6.7-rc8")
    b.commit("rockchip: rename a board", AUTHOR, when, renames={dts[0]: dts[0].replace(".dts", "-renamed.dts")})
    b.commit("rockchip: move a board away", AUTHOR, when + 60, renames={dts[1]: "arch/arm/dts/moved.dts"})
    b.commit("mm: move into rockchip", AUTHOR, when + 120, renames={"mm/memory.c": dts[2].rsplit("/", 1)[0] + "/mm.c"})
    b.commit("rockchip: edit", AUTHOR, when + 180, files={dts[3]: (b.path / dts[3]).read_text() + "x\n"})
    b.git("checkout", "-q", "master")
    b.commit("rockchip: mainline edit", AUTHOR, when + 240, files={dts[4]: (b.path / dts[4]).read_text() + "y\n"})
    b.merge("renames", when + 300, "Merge branch 'renames'")
    b.commit("Linux 6.8", AUTHOR, when + 360, files={"Makefile": "VERSION = 6\nPATCHLEVEL = 8\n"})
    b.tag("v6.8", when + 360)


def pathspecs(repo: Path, title: str) -> tuple[str, ...]:
    specs = compute.section_pathset(walk.open_repo(repo), REFS[-1], title).pathspecs
    assert specs is not None
    return specs


def test_rockchip_is_hundreds_of_literal_pathspecs(generated: Path) -> None:
    specs = pathspecs(generated, "ARM ROCKCHIP")
    assert sum(s.startswith(":(literal)") for s in specs) >= 300
    # Renames move some of its files out of the N: regexes' reach and others within it.
    renamed = git(generated, "log", "--format=", "--name-status", "-M", "--diff-filter=R", f"{REFS[0]}..{REFS[-1]}")
    assert renamed.count("rockchip") >= 4


def test_replayed_walks_list_what_git_lists(generated: Path, tmp_path: Path) -> None:
    ranges = [RevRange(a, b) for a, b in itertools.pairwise(REFS)] + [RevRange(REFS[0], REFS[-1])]
    sets = [PathSet(f"s{i}", pathspecs(generated, title)) for i, title in enumerate(SECTIONS)]
    sets.append(PathSet("raw", ("mm/", ":(glob)arch/*/boot/**", ":(exclude)mm/damon/")))
    history = History(walk.open_repo(generated), cache=Cache(tmp_path / "cache"))
    selected = history.commits(ranges, [*sets, PathSet("all")])
    # Every one replayed (none left to git's walk): the cache keeps replays under keys of their own.
    history.close()  # its cache writes done
    db = sqlite3.connect(tmp_path / "cache" / "commits.sqlite")
    keys = [json.loads(k) for (k,) in db.execute("SELECT key FROM walks")]
    db.close()
    assert sum(k[-1] == "replayed" for k in keys) == len(ranges) * len(sets)
    for r, p in itertools.product(ranges, sets):
        assert p.pathspecs is not None
        args = [f"{r.start}..{r.end}", "--", *p.pathspecs]
        expected = git(generated, "log", "--format=%H %P", *args).split("\n")
        got = [f"{c.hash} {' '.join(c.parents)}" for c in selected[(r, p.label)]]
        assert sorted(got) == sorted(filter(None, expected)), (r, p.label)
        lines = sum(c.insertions + c.deletions for c in selected[(r, p.label)])
        assert lines == shortstat(generated, "--no-merges", *args), (r, p.label)


@pytest.mark.parametrize("title", ["ARM ROCKCHIP", "DATA ACCESS MONITOR"])
def test_tables_equal_plain_git(generated: Path, title: str, capsys: pytest.CaptureFixture[str]) -> None:
    sub, parent = pathspecs(generated, title), pathspecs(generated, "MEMORY MANAGEMENT")
    refs = ["--refs", str(generated / ".." / "refs.txt")]
    (generated / ".." / "refs.txt").write_text("\n".join(REFS) + "\n")
    for attempt in ("cold", "warm"):
        args = ["table", "community", "commits", "lines", str(generated), *refs, "--subsystem", title]
        assert main([*args, "--format", "tsv", "--quiet"]) == 0, attempt
        blocks = capsys.readouterr().out.strip().split("\n\n")
        community, commits, lines = ([row.split("\t") for row in b.splitlines()[1:]] for b in blocks)
        for i, (a, b) in enumerate([*itertools.pairwise(REFS), (REFS[0], REFS[-1])]):
            span = f"{a}..{b}"
            assert int(community[i][1]) + int(community[i][2]) == count(generated, span, "--", *sub)
            assert int(commits[i][1]) == count(generated, "--no-merges", span, "--", *sub)
            assert int(commits[i][2]) == count(generated, "--no-merges", span, "--", *parent)
            assert int(commits[i][4]) == count(generated, "--no-merges", span)
            assert int(lines[i][1]) == shortstat(generated, "--no-merges", span, "--", *sub)
            assert int(lines[i][2]) == shortstat(generated, "--no-merges", span, "--", *parent)


def test_walks_back_from_the_bottoms_read_at_every_merge_equal_rev_list(generated: Path) -> None:
    """One `rev-list --since` walk back from a range's bottoms, at its oldest merge, answers the same walk at
    every later merge's time (each is what git's walk has marked when it meets that merge)."""
    repo = walk.open_repo(generated)
    bottoms = sorted({git(generated, "rev-parse", f"{ref}^{{commit}}").strip() for ref in ("v6.3", "v6.5")})
    times = sorted({int(t) for t in git(generated, "log", "--merges", "--format=%ct", "v6.3..v6.7-rc8").split()})
    assert len(times) > 20
    recent = treediff.recent(repo, bottoms, times[0], {})
    # A bottom's parents known from the walks are not asked of git again; they are the same.
    known = {bottoms[0]: tuple(git(generated, "rev-list", "--no-walk", "--parents", bottoms[0]).split()[1:])}
    assert treediff.recent(repo, bottoms, times[0], known) == recent
    sizes = set()
    for moment in times:
        expected = git(generated, "rev-list", "--parents", f"--since=@{moment + 1}", *bottoms, "--").split()
        expected += git(generated, "rev-list", "--no-walk", "--parents", *bottoms, "--").split()
        assert recent.newer_than(moment) == set(expected)
        sizes.add(len(expected))
    assert len(sizes) > 5  # the moments cut the walk at many places


def test_walk_order_dependence_is_left_to_git() -> None:
    """A merge TREESAME to a parent outside the range that is not its bottom: git's answer depends on
    whether its walk has marked that parent yet, so the replay declines."""
    parents = {"m": ("x", "old"), "x": ("base",)}
    with pytest.raises(simplify.Undecidable):
        simplify.shown("m", {"m", "x"}, {"base"}, parents, {"x"}, lambda c, p: p != "old")
    # TREESAME to the bottom itself: git follows the bottom alone, whatever the order.
    parents = {"m": ("base", "x"), "x": ("old",)}
    assert simplify.shown("m", {"m", "x"}, {"base"}, parents, {"x"}, lambda c, p: p != "base") == set()


def test_a_parent_git_has_marked_is_irrelevant(tmp_path: Path) -> None:
    """U-Boot's "Merge tag 'v2025.01-rc4' into next", inside the range after rc6: the merge takes the file
    from the tag, an ancestor of the range's bottom that git's walk (newest first, from the bottom too) has
    marked UNINTERESTING before it meets the merge, so git keeps both parents. The replay decides it too."""
    b = Builder(tmp_path / "r")
    t0 = ts("2024-12-01T00:00:00")
    b.commit("base", AUTHOR, t0, files={"f": "1\n", "g": "1\n"})
    b.git("branch", "next")
    b.commit("rc4", AUTHOR, t0 + 10 * 3600, files={"f": "2\n"})
    b.git("tag", "rc4")
    b.commit("fix", AUTHOR, t0 + 12 * 3600, files={"g": "2\n"})
    b.commit("rc6", AUTHOR, t0 + 14 * 3600, files={"g": "3\n"})
    b.git("tag", "rc6")
    b.git("checkout", "-q", "next")
    b.commit("next work", AUTHOR, t0 + 9 * 3600, files={"h": "1\n"})
    b.merge("rc4", t0 + 11 * 3600, "Merge tag 'rc4' into next")
    b.commit("next: f", AUTHOR, t0 + 11 * 3600 + 1800, files={"f": "3\n"})
    b.git("checkout", "-q", "master")
    b.merge("next", t0 + 15 * 3600, "Merge branch 'next'")
    r, p = RevRange("rc6", "master"), PathSet("f", (":(literal)f", ":(literal)h"))
    history = History(walk.open_repo(b.path), cache=Cache(tmp_path / "cache"))
    selected = history.commits([r], [p, PathSet("all")])
    expected = git(b.path, "log", "--format=%H", "rc6..master", "--", *(p.pathspecs or ())).split()
    assert sorted(c.hash for c in selected[(r, "f")]) == sorted(expected)
    # The tag's merge is shown and "next work" behind it too: the tag's side did not hide next.
    subjects = git(b.path, "log", "--format=%s", "rc6..master", "--", *(p.pathspecs or ())).splitlines()
    assert subjects == ["next: f", "Merge tag 'rc4' into next", "next work"]
    history.close()  # its cache writes done
    db = sqlite3.connect(tmp_path / "cache" / "commits.sqlite")
    assert any(json.loads(k)[-1] == "replayed" for (k,) in db.execute("SELECT key FROM walks"))
    db.close()


def test_a_later_parent_differs_in_a_path_no_commit_of_the_range_names(tmp_path: Path) -> None:
    """A topic branch forked before the range's bottom, merged inside it: the merge differs from its topic
    parent in a file mainline changed before the range, which neither a commit of the range nor the merge's
    first-parent comparison names. That path, new when the later parent is compared, is matched too: git
    shows the merge."""
    b = Builder(tmp_path / "r")
    t0 = ts("2024-03-01T00:00:00")
    b.commit("base", AUTHOR, t0, files={"sec/a": "1\n", "sec/old": "1\n", "other": "1\n"})
    b.git("branch", "topic")
    b.commit("mainline: old", AUTHOR, t0 + 3600, files={"sec/old": "2\n"})
    b.tag("start", t0 + 3600)
    b.git("checkout", "-q", "topic")
    b.commit("topic: a", AUTHOR, t0 + 2 * 3600, files={"sec/a": "2\n"})
    b.git("checkout", "-q", "master")
    b.commit("mainline: other", AUTHOR, t0 + 3 * 3600, files={"other": "2\n"})
    b.merge("topic", t0 + 4 * 3600, "Merge branch 'topic'")
    r, p = RevRange("start", "master"), PathSet("sec", (":(glob)sec/*",))
    history = History(walk.open_repo(b.path), cache=Cache(tmp_path / "cache"))
    selected = history.commits([r], [p, PathSet("all")])
    subjects = git(b.path, "log", "--format=%s", "start..master", "--", *(p.pathspecs or ())).splitlines()
    assert subjects == ["Merge branch 'topic'", "topic: a"]
    expected = git(b.path, "log", "--format=%H", "start..master", "--", *(p.pathspecs or ())).split()
    assert [c.hash for c in selected[(r, "sec")]] == expected
    history.close()  # its cache writes done
    db = sqlite3.connect(tmp_path / "cache" / "commits.sqlite")
    assert any(json.loads(k)[-1] == "replayed" for (k,) in db.execute("SELECT key FROM walks"))
    db.close()


def test_matching_holds_a_file_and_a_directory_of_the_same_name(tmp_path: Path) -> None:
    """Paths from different commits may name `a` as a file and as a directory: an index holds one of them
    at a time, so they are matched in rounds, every path set in each."""
    b = Builder(tmp_path / "r")
    b.commit("base", AUTHOR, ts("2024-01-01T00:00:00"), files={"f": "1\n"})
    paths = ["a", "a/b", "c.c", "d/c.c", "a/b/c"]
    found = treediff.matching(walk.open_repo(b.path), paths, [[":(literal)a"], [":(glob)*.c", ":(literal)a/b"]])
    assert found == [{"a", "a/b", "a/b/c"}, {"c.c", "a/b", "a/b/c"}]
