"""MAINTAINERS parsing and get_maintainer.pl's matching rules, and their pathspecs checked against git."""

from __future__ import annotations

from pathlib import Path

import pytest
from gitcheck import git
from kernelrepo import MAINTAINERS

from reporter import maintainers
from reporter.errors import UserError


def section(**tags: list[str]) -> maintainers.Section:
    return maintainers.Section("T", **tags)


def test_parse_sections_after_the_heading() -> None:
    sections = maintainers.parse(MAINTAINERS)
    assert [s.title for s in sections] == [
        "DATA ACCESS MONITOR",
        "DRIVER FOO",
        "MEMORY CONTROLLER",
        "MEMORY MANAGEMENT",
    ]
    damon = sections[0]
    assert damon.maintainers == ["SeongJae Park <sj@kernel.org>"]
    assert damon.lists == ["damon@lists.linux.dev", "linux-mm@kvack.org"]
    assert damon.status == "Maintained"
    assert damon.files[2] == "mm/damon/" and damon.excludes == ["mm/damon/legacy/"]
    assert sections[1].regexes == ["[_-]foo[_-]"]


@pytest.mark.parametrize(
    ("pattern", "path", "expected"),
    [
        ("mm/damon/", "mm/damon/core.c", True),
        ("mm/damon/", "mm/damon/sub/dir.c", True),
        ("mm/damon/", "mm/damonx/core.c", False),
        ("mm/*", "mm/page_alloc.c", True),
        ("mm/*", "mm/damon/core.c", False),  # same depth only
        ("mm/*control.c", "mm/memcontrol.c", True),
        ("mm/*control.c", "mm/x/memcontrol.c", False),
        ("include/linux/mem?.h", "include/linux/memx.h", True),
        ("include/linux/mem?.h", "include/linux/mem/.h", False),
        ("include/linux/damon.h", "include/linux/damon.h", True),
        ("include/linux/damon.h", "include/linux/damon.hh", True),  # get_maintainer's prefix rule
        ("include/linux/damon.h", "include/linux/damon_h", False),  # `.` is literal
        ("drivers/*/foo/", "drivers/a/b/foo/x.c", True),  # `*` crosses `/` below a directory pattern
    ],
)
def test_file_patterns(pattern: str, path: str, expected: bool) -> None:
    assert section(files=[pattern]).matches(path) is expected


def test_directory_without_slash_and_excludes_and_regexes() -> None:
    s = section(files=["mm/damon"], excludes=["mm/damon/legacy/"], regexes=["[_-]foo[_-]"])
    assert s.matches("mm/damon/core.c", dirs={"mm", "mm/damon"})
    assert not s.matches("mm/damon/core.c")  # not a directory at the ref: a same-depth file pattern
    assert not s.matches("mm/damon/legacy/old.c", dirs={"mm", "mm/damon"})
    assert s.matches("drivers/net/my_foo_eth.c")


def test_find_lists_closest_titles() -> None:
    sections = maintainers.parse(MAINTAINERS)
    assert maintainers.find(sections, "data access monitor").title == "DATA ACCESS MONITOR"
    with pytest.raises(UserError, match="closest: 'DATA ACCESS MONITOR'"):
        maintainers.find(sections, "DATA ACCESS MONITORS")


def test_pathspecs_select_what_get_maintainer_selects(kernel_repo: Path) -> None:
    """For every section, `git ls-files -- PATHSPECS` equals the files `matches` selects."""
    files = git(kernel_repo, "ls-files").splitlines()
    dirs = {"/".join(f.split("/")[:i]) for f in files for i in range(1, f.count("/") + 1)}
    for s in maintainers.parse(MAINTAINERS):
        specs = s.pathspecs(dirs, files)
        by_git = set(git(kernel_repo, "ls-files", "--", *specs).splitlines())
        assert by_git == {f for f in files if s.matches(f, dirs)}, s.title
        assert by_git, s.title
