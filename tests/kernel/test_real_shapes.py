"""Shapes found in U-Boot's and Xen's MAINTAINERS and histories, as a small generated repository, with every
figure checked against plain git: the first section right after the heading's underline, a `#M:` line, a
`[ch]` class, `{a,b}` alternation, board MAINTAINERS files found through `.get_maintainer.conf`, an `N:`
regex over a file deleted in the range, renames into and out of a section, and a section without commits."""

from __future__ import annotations

import contextlib
import itertools
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from command_json import output
from git import Repo as GitRepo
from gitcheck import count, git
from kernelrepo import ALICE, BOB, SJ, Builder, ts

from reporter import progress
from reporter.cli import main
from reporter.git import walk
from reporter.kernel import compute, maintainers

MAINTAINERS = """\
Descriptions of section entries:

\tM: Mail patches to: FullName <address@domain>

Maintainers List (try to look for most precise areas first)

\t\t-----------------------------------
ACPI
M:\tSimon Glass <sjg@example.com>
S:\tMaintained
F:\tlib/acpi/

ARM ASPEED
M:\tRyan Chen <ryan@example.com>
F:\tdrivers/net/ftgmac100.[ch]
N:\taspeed

KEXEC
M: Andrew Cooper <andrew@example.com>
F: xen/common/{kexec,kimage}.c

ONENAND
#M:\tLukasz Majewski <l@example.com>
S:\tOrphaned (Since 2017-01)
F:\tdrivers/mtd/onenand/

QUIET
M:\tNobody <nobody@example.com>
F:\tquiet/

GIT
M:\tTom Rini <trini@example.com>
F:\t/util/gitconfig
F:\tutil/gitconfig/

Board groups
------------
M:\tGroup Keeper <keeper@example.com>
F:\tboard/common/
"""

BOARD = "ACME BOARD\nM:\tAlice Liddell <alice@example.com>\nF:\tboard/acme/\n"
# U-Boot's board files share titles (ten `SOCFPGA BOARD`s): this one is the second `ACME BOARD`.
BOARD2 = "ACME BOARD\nM:\tBob Builder <bob@example.com>\nF:\tboard/acme2/\n"
REFS = ["v2023.01", "v2023.04", "v2023.07"]


@pytest.fixture(scope="module")
def uboot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    b = Builder(tmp_path_factory.mktemp("uboot") / "u-boot")
    b.commit(
        "import",
        SJ,
        ts("2022-12-01T00:00:00"),
        files={
            "MAINTAINERS": MAINTAINERS,
            ".get_maintainer.conf": "--find-maintainer-files\n--maintainer-path=.\n",
            "board/acme/MAINTAINERS": BOARD,
            "board/acme/board.c": "board\n",
            "board/acme2/MAINTAINERS": BOARD2,
            "board/acme2/board.c": "board\n" * 2,
            "board/common/common.c": "common\n",
            "util/gitconfig/config": "[core]\n",
            "lib/acpi/tables.c": "".join(f"acpi {i}\n" for i in range(30)),
            "drivers/net/ftgmac100.c": "mac\n",
            "drivers/aspeed_old.c": "old\n" * 5,
            "other/phy.h": "".join(f"phy {i}\n" for i in range(40)),
            "xen/common/kexec.c": "kexec\n",
            "drivers/mtd/onenand/onenand.c": "nand\n",
            "quiet/q.c": "q\n",
        },
    )
    b.tag("v2023.01", ts("2023-01-09T00:00:00"))
    b.commit("net: header", ALICE, ts("2023-02-01T00:00:00"), files={"drivers/net/ftgmac100.h": "h\n" * 3})
    b.commit("xen: kimage", BOB, ts("2023-02-02T00:00:00"), files={"xen/common/kimage.c": "ki\n" * 4})
    b.commit("aspeed: drop old", BOB, ts("2023-02-03T00:00:00"), files={"drivers/aspeed_old.c": None})
    b.commit("onenand: fix", SJ, ts("2023-02-04T00:00:00"), files={"drivers/mtd/onenand/onenand.c": "nand 2\n"})
    b.tag("v2023.04", ts("2023-04-03T00:00:00"))
    # Renames across a section's edge: into ARM ASPEED from outside, out of ACPI.
    b.commit("acpi: move tables", ALICE, ts("2023-05-01T00:00:00"), renames={"lib/acpi/tables.c": "lib/tables.c"})
    b.commit("aspeed: phy header", ALICE, ts("2023-05-02T00:00:00"), renames={"other/phy.h": "drivers/aspeed_phy.h"})
    b.commit("acme: board", SJ, ts("2023-05-03T00:00:00"), files={"board/acme/board.c": "board 2\n"})
    b.commit("aspeed: new", BOB, ts("2023-05-04T00:00:00"), files={"drivers/aspeed_new.c": "new\n" * 2})
    b.commit("acme2: board", BOB, ts("2023-05-05T00:00:00"), files={"board/acme2/board.c": "board 3\n"})
    b.commit("git: config", BOB, ts("2023-05-06T00:00:00"), files={"util/gitconfig/config": "[core]\n\tx\n"})
    b.commit("board: common", SJ, ts("2023-05-07T00:00:00"), files={"board/common/common.c": "c 2\n"})
    b.tag("v2023.07", ts("2023-07-03T00:00:00"))
    return b.path


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict:
    assert main([*args, "--format", "json", "--quiet", "--no-cache"]) == 0, capsys.readouterr().err
    return output(args[0], capsys.readouterr().out)


def numstat(repo: Path, span: str, specs: tuple[str, ...]) -> int:
    out = git(repo, "log", "--no-merges", "--full-history", "--numstat", "--format=", span, "--", *specs)
    return sum(int(a) + int(d) for a, d, _ in (line.split("\t", 2) for line in out.split("\n") if line) if a != "-")


def sections_at(repo: Path, ref: str) -> tuple[list[maintainers.Section], set[str], list[str]]:
    files = git(repo, "ls-tree", "-r", "--name-only", ref).splitlines()
    dirs = {"/".join(f.split("/")[:i]) for f in files for i in range(1, f.count("/") + 1)}
    names = ["MAINTAINERS", "board/acme/MAINTAINERS", "board/acme2/MAINTAINERS"]
    texts = [(m, maintainers.split_lines(git(repo, "show", f"{ref}:{m}"))) for m in names]
    return maintainers.read_files(texts).sections, dirs, files


def test_subsystems_equal_git_for_every_section(uboot: Path, tmp_path: Path, capsys) -> None:
    refs = tmp_path / "refs"
    refs.write_text("\n".join(REFS) + "\n")
    data = run_json(capsys, "subsystems", str(uboot), "--refs", str(refs))
    sections, dirs, files = sections_at(uboot, REFS[-1])
    names = ["ACPI", "ARM ASPEED", "KEXEC", "ONENAND", "QUIET", "GIT", "Board groups", "ACME BOARD#1", "ACME BOARD#2"]
    assert [s.name for s in sections] == names
    assert data["sections_total"] == 9
    rows = {row["section"]: row for row in data["sections"]}
    span = f"{REFS[0]}..{REFS[-1]}"
    for s in sections:
        specs = s.pathspecs(dirs, files)
        commits = count(uboot, "--no-merges", "--full-history", span, "--", *specs)
        lines = numstat(uboot, span, specs)
        row = rows.get(s.name, {"commits": 0, "lines": 0})
        assert (row["commits"], row["lines"]) == (commits, lines), s.name
    # The shapes are there: a rename into ARM ASPEED counts the whole file, the deleted aspeed_old.c is
    # not in the tree at the last ref (so neither here nor in `table`), QUIET has no commits.
    assert rows["ARM ASPEED"]["lines"] == 3 + 40 + 2 and rows["ARM ASPEED"]["commits"] == 3
    assert rows["ACPI"]["lines"] == 30 and "QUIET" not in rows
    assert rows["KEXEC"]["commits"] == 1 and rows["ACME BOARD#1"]["commits"] == 1 and rows["ONENAND"]["commits"] == 1
    # Two sections share a title, a heading's underline is no title, `/util/gitconfig` matches nothing.
    assert rows["ACME BOARD#2"]["commits"] == rows["GIT"]["commits"] == rows["Board groups"]["commits"] == 1


# Every shape's figures are checked in the quick part by test_subsystems_equal_git_for_every_section (the same
# path sets); `table`'s, there for a character class, an N: pattern and a rename (ARM ASPEED) and a section
# under a heading's underline, and for the other shapes in the slow part.
@pytest.mark.parametrize(
    "title",
    [
        "ARM ASPEED",
        "Board groups",
        *(pytest.param(t, marks=pytest.mark.slow) for t in ("KEXEC", "ACPI", "ACME BOARD#1", "ACME BOARD#2", "GIT")),
    ],
)
def test_tables_use_the_same_paths(uboot: Path, tmp_path: Path, capsys, title: str) -> None:
    refs = tmp_path / "refs"
    refs.write_text("\n".join(REFS) + "\n")
    args = ["--refs", str(refs), "--subsystem", title, "--parent", "path:.", "--total-label", "all"]
    table = run_json(capsys, "table", "commits", str(uboot), *args)
    sections, dirs, files = sections_at(uboot, REFS[-1])
    specs = maintainers.find(sections, title).pathspecs(dirs, files)
    for row, (a, b) in zip(table["rows"], [*itertools.pairwise(REFS), (REFS[0], REFS[-1])], strict=True):
        assert row[table["header"][1]] == count(uboot, "--no-merges", f"{a}..{b}", "--", *specs), row
    lines = run_json(capsys, "table", "lines", str(uboot), *args)
    assert lines["rows"][-1][lines["header"][1]] == numstat(uboot, f"{REFS[0]}..{REFS[-1]}", specs)


def test_a_shared_title_is_refused_with_its_sections(uboot: Path, tmp_path: Path, capsys) -> None:
    refs = tmp_path / "refs"
    refs.write_text("\n".join(REFS) + "\n")
    args = ["--refs", str(refs), "--subsystem", "acme board", "--parent", "path:.", "--total-label", "all"]
    assert main(["table", "commits", str(uboot), *args, "--quiet", "--no-cache"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "2 MAINTAINERS sections are titled 'acme board'" in err
    assert "'ACME BOARD#1' (board/acme/MAINTAINERS:1, F: board/acme/)" in err
    assert "'ACME BOARD#2' (board/acme2/MAINTAINERS:1, F: board/acme2/)" in err
    span = f"{REFS[0]}..{REFS[-1]}"
    for name, path in [("ACME BOARD#1", "board/acme/"), ("ACME BOARD#2", "board/acme2/")]:
        data = run_json(capsys, "authors", str(uboot), "--subsystem", name, "--range", span)
        assert data["total_commits"] == count(uboot, span, "--", path) == 1


def test_a_path_outside_the_tree_selects_nothing_everywhere(uboot: Path, tmp_path: Path, capsys) -> None:
    """`F: /util/gitconfig` matches no file for get_maintainer.pl: `table` and `authors` agree with
    `subsystems` (git would call the pathspec outside the repository), and the line is named once."""
    refs = tmp_path / "refs"
    refs.write_text("\n".join(REFS) + "\n")
    span = f"{REFS[0]}..{REFS[-1]}"
    args = ["--refs", str(refs), "--subsystem", "GIT", "--parent", "path:.", "--total-label", "all"]
    _forget_readings()  # read afresh, so its warnings are said here
    assert main(["table", "commits", str(uboot), *args, "--format", "json", "--no-cache"]) == 0
    out, err = capsys.readouterr()
    table = output("table", out)
    assert table["rows"][-1][table["header"][1]] == count(uboot, "--no-merges", span, "--", "util/gitconfig/") == 1
    assert err.count("MAINTAINERS:33: F: '/util/gitconfig' in 'GIT' is not a path inside the tree") == 1
    data = run_json(capsys, "authors", str(uboot), "--subsystem", "GIT", "--range", span)
    assert data["total_commits"] == 1


def test_a_maintainers_warning_is_said_once_when_two_threads_read_it(uboot: Path, capsys, monkeypatch) -> None:
    """A report reads MAINTAINERS from two threads at once (its tables, its authors): the warning came twice."""
    _forget_readings()
    progress.new_run()
    both = threading.Barrier(2, timeout=2)
    blob_lines = walk.blob_lines

    def together(*args: Any, **kwargs: Any) -> Iterator[tuple[str, Iterator[str] | None]]:
        with contextlib.suppress(threading.BrokenBarrierError):  # alone (the other waits its turn): go on
            both.wait()
        return blob_lines(*args, **kwargs)

    monkeypatch.setattr(walk, "blob_lines", together)
    repo = GitRepo(uboot)
    readers = [threading.Thread(target=compute.section_pathset, args=(repo, REFS[-1], "GIT")) for _ in range(2)]
    for reader in readers:
        reader.start()
    for reader in readers:
        reader.join()
    assert capsys.readouterr().err.count("'/util/gitconfig' in 'GIT' is not a path inside the tree") == 1


@pytest.mark.parametrize(
    ("target", "problem"),
    [
        ("doc/MAINTAINERS.txt", None),
        ("doc/link", None),  # a link to a link
        ("../outside", "is a symlink to '../outside', outside the tree"),
        ("/etc/passwd", "is a symlink to '/etc/passwd', outside the tree"),
        ("doc/missing", "is a symlink to 'doc/missing', which the tree does not hold as a file"),
        ("MAINTAINERS", "is a symlink to 'MAINTAINERS', a loop of symlinks"),
    ],
)
def test_a_symlinked_maintainers_is_followed_in_the_tree(tmp_path: Path, capsys, target: str, problem) -> None:
    """It was read as the link's target text, and every section was "no section titled ..."."""
    b = Builder(tmp_path / "repo")
    files = {"doc/MAINTAINERS.txt": "FOO\nM:\tAlice <alice@example.com>\nF:\tfoo/\n", "foo/a.c": "1\n"}
    b.commit("import", SJ, ts("2023-01-01T00:00:00"), files=files)
    (b.path / "doc/link").symlink_to("MAINTAINERS.txt")
    (b.path / "MAINTAINERS").symlink_to(target)
    b.commit("links", SJ, ts("2023-01-02T00:00:00"))
    b.tag("v1", ts("2023-01-03T00:00:00"))
    b.commit("foo", ALICE, ts("2023-02-01T00:00:00"), files={"foo/a.c": "2\n"})
    b.tag("v2", ts("2023-03-01T00:00:00"))
    _forget_readings()
    args = ["authors", str(b.path), "--subsystem", "FOO", "--range", "v1..v2", "--format", "json", "--quiet"]
    if problem is None:
        assert main(args) == 0
        assert json.loads(capsys.readouterr().out)["total_commits"] == count(b.path, "v1..v2", "--", "foo/") == 1
    else:
        assert main(args) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "MAINTAINERS at " in err and problem in err, err


def _forget_readings() -> None:
    compute._READINGS.clear()
    compute._PATHSETS.clear()
    compute._WARNED.clear()
