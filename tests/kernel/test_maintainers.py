"""MAINTAINERS parsing and get_maintainer.pl's matching rules, and their pathspecs checked against git."""

from __future__ import annotations

import re
import signal
import warnings
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from gitcheck import git
from hypothesis import given, settings
from hypothesis import strategies as st
from kernelrepo import MAINTAINERS

from reporter.errors import UserError
from reporter.kernel import compute, maintainers


def section(**tags: list[str]) -> maintainers.Section:
    return maintainers.Section("T", **{tag: tuple(values) for tag, values in tags.items()})


def test_parse_sections_after_the_heading() -> None:
    sections = maintainers.parse(MAINTAINERS)
    assert [s.title for s in sections] == [
        "DATA ACCESS MONITOR",
        "DRIVER FOO",
        "MEMORY CONTROLLER",
        "MEMORY MANAGEMENT",
    ]
    damon = sections[0]
    assert damon.maintainers == ("SeongJae Park <sj@kernel.org>",)
    assert damon.lists == ("damon@lists.linux.dev", "linux-mm@kvack.org")
    assert damon.status == "Maintained"
    assert damon.files[2] == "mm/damon/" and damon.excludes == ("mm/damon/legacy/",)
    assert sections[1].regexes == ("[_-]foo[_-]",)


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


# Shapes of real MAINTAINERS files: U-Boot's (first section right after the heading's underline, `#M:`
# lines, `[ch]`), Xen's (`{a,b}`), and a dialect with underlined group headings and `M: ` with a space.
DIALECTS = """\
Descriptions of section entries:

\tM: Mail patches to: FullName <address@domain>
\tF: Files and directories with wildcard patterns.

Maintainers List (try to look for most precise areas first)

\t\t-----------------------------------
ACPI
M:\tSimon Glass <sjg@chromium.org>
S:\tMaintained
F:\tlib/acpi/

ARM ASPEED
M:\tRyan Chen <ryan@example.com>
F:\tdrivers/net/ftgmac100.[ch]

ONENAND
#M:\tLukasz Majewski <l@example.com>
S:\tOrphaned (Since 2017-01)
F:\tdrivers/mtd/onenand/

KP_IMX53_HSC BOARD
F:\tboard/k\\+p/kp_imx53/

Core Hypervisor
===============

KEXEC
M: Andrew Cooper <andrew@example.com>
S: Supported
F: xen/common/{kexec,kimage}.c
F: xen/include/xen/{kexec,kimage}.h
STRAY TITLE
F: stray/
"""


def test_sections_as_get_maintainer_reads_them() -> None:
    parsed = maintainers.read(DIALECTS)
    by_title = {s.title: s for s in parsed.sections}
    assert list(by_title) == ["ACPI", "ARM ASPEED", "ONENAND", "KP_IMX53_HSC BOARD", "KEXEC", "STRAY TITLE"]
    assert by_title["KP_IMX53_HSC BOARD"].matches("board/k+p/kp_imx53/Kconfig")
    assert by_title["ACPI"].maintainers == ("Simon Glass <sjg@chromium.org>",)
    assert by_title["ONENAND"].maintainers == () and by_title["ONENAND"].files == ("drivers/mtd/onenand/",)
    assert by_title["KEXEC"].maintainers == ("Andrew Cooper <andrew@example.com>",)
    assert by_title["KEXEC"].files == (
        "xen/common/kexec.c",
        "xen/common/kimage.c",
        "xen/include/xen/kexec.h",
        "xen/include/xen/kimage.h",
    )
    assert by_title["ARM ASPEED"].matches("drivers/net/ftgmac100.c")
    assert by_title["ARM ASPEED"].matches("drivers/net/ftgmac100.h")
    assert not by_title["ARM ASPEED"].matches("drivers/net/ftgmac100.o")
    [warning] = parsed.warnings
    assert "MAINTAINERS:34: 'STRAY TITLE' follows section 'KEXEC'" in warning


def test_dialect_pathspecs_select_what_get_maintainer_selects(tmp_path: Path) -> None:
    files = [
        "drivers/net/ftgmac100.c",
        "drivers/net/ftgmac100.h",
        "drivers/net/ftgmac100.o",
        "drivers/net/ftgmac100.cc",
        "drivers/net/ftgmac100.[ch]",
        "xen/common/kexec.c",
        "xen/common/kimage.c",
        "xen/common/kimage.h",
        "xen/common/{kexec,kimage}.c",
        "xen/include/xen/kimage.h",
        "lib/acpi/x.c",
        "lib/acpi/sub/y.c",
        "drivers/mtd/onenand/a.c",
        "stray/s.c",
        "board/k+p/kp_imx53/Kconfig",
        "board/kp/kp_imx53/Kconfig",
    ]
    git(tmp_path, "init", "-q")
    for name in files:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(name)
    git(tmp_path, "add", "-A")
    dirs = {"/".join(f.split("/")[:i]) for f in files for i in range(1, f.count("/") + 1)}
    for s in maintainers.parse(DIALECTS):
        by_git = set(git(tmp_path, "ls-files", "--", *s.pathspecs(dirs, files)).splitlines())
        assert by_git == {f for f in files if s.matches(f, dirs)}, s.title
    aspeed = maintainers.find(maintainers.parse(DIALECTS), "ARM ASPEED")
    assert {f for f in files if aspeed.matches(f, dirs)} == {
        "drivers/net/ftgmac100.c",
        "drivers/net/ftgmac100.h",
        "drivers/net/ftgmac100.cc",  # get_maintainer's prefix rule
    }


def _reference(pattern: str, path: str) -> bool:
    """get_maintainer.pl's own translation, run by a backtracking regex engine (fine on small inputs)."""
    regex = pattern.replace(".", "\\.").replace("*", ".*").replace("?", ".")
    if not re.match(regex, path):
        return False
    return pattern.endswith("/") or path.count("/") == regex.count("/")


def _compiles(pattern: str) -> bool:
    """Patterns Perl would compile, whose `^` negates a class (elsewhere it would be regex syntax, which
    retrospect takes literally)."""
    if re.search(r"(?<!\[)\^", pattern):
        return False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            re.compile(pattern.replace(".", "\\.").replace("*", ".*").replace("?", "."))
        return True
    except re.error:
        return False


@settings(max_examples=600, deadline=timedelta(seconds=1))
@given(
    pattern=st.text(alphabet="ab./*?[]^-", max_size=10).filter(_compiles),
    path=st.text(alphabet="ab./", max_size=12),
)
def test_matcher_agrees_with_get_maintainer_translation(pattern: str, path: str) -> None:
    assert maintainers.Section("T", files=(pattern,)).matches(path) is _reference(pattern, path)


def _within(seconds: int, work: Callable[[], object]) -> object:
    """`work()`, or a failure after `seconds` instead of a test run that never ends."""

    def expired(signum: int, frame: object) -> None:
        raise TimeoutError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        return work()
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def test_no_input_makes_parsing_or_matching_backtrack() -> None:
    stars = maintainers.Section("T", files=("*." * 40 + "x",))
    dotted = "a." * 3000 + "b"
    assert _within(20, lambda: stars.matches(dotted)) is False
    spaces = "TITLE\nM:" + " " * 200_000 + "x\nF:" + " " * 200_000 + "\n"
    parsed = _within(20, lambda: maintainers.read(spaces))
    assert isinstance(parsed, maintainers.Parsed) and parsed.sections[0].maintainers == ("x",)


def test_warnings_past_the_first_hundred_are_counted_not_kept() -> None:
    """A hostile file can make a warning of every line: the first ones are said, the others counted."""
    text = "TITLE\n" + "".join(f"F:\t/outside{n}\n" for n in range(250))
    said = maintainers.read(text).warnings
    assert len(said) == maintainers.MAX_WARNINGS + 1
    assert said[0].startswith("MAINTAINERS:2: F: '/outside0' in 'TITLE' is not a path inside the tree")
    assert said[-1] == "150 more warnings about MAINTAINERS not shown"


@pytest.mark.parametrize(
    ("line", "what"),
    [
        ("\nS{n}\nF:\tx{n}\n", "sections"),  # tiny sections
        ("F:\t{n:x}\n", "short patterns"),
        ("M:\tP{n} <p{n}@e>\n", "distinct people"),
        ("F:\tdir/\U0001f600{n}\n", "characters outside Latin-1"),
        ("F:\t{{a,b}}{{c,d}}{{e,f}}{{g,h}}{{i,j}}{{k,l}}/{n}\n", "brace expansions"),
    ],
)
def test_a_file_that_would_hold_more_than_the_budget_is_refused(line: str, what: str, monkeypatch) -> None:
    """Whatever makes a file large in memory (what it holds, counted as Python holds it), reading stops at the
    budget with one error naming the line, and a file just under it is read whole."""
    monkeypatch.setattr(maintainers, "MAX_HELD", 2 << 20)
    text = "TITLE\n" + "".join(line.format(n=n) for n in range(100_000))
    with pytest.raises(UserError, match=r"^MAINTAINERS:\d+: MAINTAINERS would take more than 2 MB of memory") as no:
        maintainers.read(text)
    at = int(str(no.value).split(":")[1])
    assert maintainers.read("".join(text.splitlines(keepends=True)[: at - 1])).sections, what


def test_readings_are_kept_while_they_hold_little() -> None:
    """What was read is kept for the next ask, the last asked first, while all kept hold at most the bound;
    one holding more is made again when asked again."""
    kept: compute._Kept[str, str] = compute._Kept(100)
    made: list[str] = []

    def make(value: str, held: int) -> Callable[[], tuple[str, int]]:
        return lambda: (made.append(value), (value, held))[1]

    assert kept.get("a", make("a", 40)) == "a" and kept.get("b", make("b", 40)) == "b"
    assert kept.get("a", make("a", 40)) == "a" and made == ["a", "b"]  # both kept; `a` asked last
    kept.get("c", make("c", 40))  # 120 > 100: `b`, the least recently asked, goes
    assert list(kept.values) == ["a", "c"]
    kept.get("big", make("big", 101))
    kept.get("big", make("big", 101))
    assert made == ["a", "b", "c", "big", "big"] and "big" not in kept.values
