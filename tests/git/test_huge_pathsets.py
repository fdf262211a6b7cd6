"""A MAINTAINERS section (input from the repository) whose pathspecs are more than git's command line takes
(150,000 `F:` lines: 3.9 MB of pathspecs, past Linux's 2 MB ARG_MAX) gives git's own figures, cold, warm
and replayed, rather than `OSError: Argument list too long`; a path holding a newline (which git's
standard input cannot carry) is counted exactly too."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import git as gitpython
import pytest

from reporter.cli import main
from reporter.errors import UserError
from reporter.git import walk

# 150,000 pathspecs through every git call that takes them: seconds.
pytestmark = pytest.mark.slow

HUGE = 150_000
NEWLINE = "mm/huge/new\nline.c"
EXCLUDED = "mm/huge/f0000003.c"


def _name(i: int) -> str:
    return f"mm/huge/f{i:07d}.c"


def _data(text: str) -> bytes:
    raw = text.encode()
    return b"data %d\n%s\n" % (len(raw), raw)


def _quoted(path: str) -> bytes:
    return b'"%s"' % path.replace("\n", "\\n").encode()


def _build(path: Path) -> Path:
    """Tags v1..v4, a side branch merged in each release, commits inside and outside the section."""
    maintainers = "MEMORY MANAGEMENT\nS:\tMaintained\nF:\tmm/\n\nHUGE\nS:\tMaintained\n"
    maintainers += "".join(f"F:\t{_name(i)}\n" for i in range(HUGE)) + f"X:\t{EXCLUDED}\nN:\tnew\\sline\n"
    out: list[bytes] = []
    when = 1_700_000_000
    mark = 0

    def commit(branch: str, parents: list[int], changes: dict[str, str], tag: str | None = None) -> int:
        nonlocal when, mark
        when, mark = when + 3600, mark + 1
        out.append(b"commit refs/heads/%s\nmark :%d\n" % (branch.encode(), mark))
        out.append(b"author A <a@x> %d +0000\ncommitter A <a@x> %d +0000\n" % (when, when) + _data(f"c{mark}"))
        out.extend(b"%s :%d\n" % (b"from" if n == 0 else b"merge", p) for n, p in enumerate(parents))
        out.extend(b"M 100644 inline %s\n%s" % (_quoted(p), _data(t)) for p, t in changes.items())
        if tag:
            out.append(b"tag %s\nfrom :%d\ntagger A <a@x> %d +0000\n%s" % (tag.encode(), mark, when, _data(tag)))
        return mark

    tip = commit("main", [], {"MAINTAINERS": maintainers, "README": "r\n"}, "v1")
    for release in range(1, 4):
        side = commit("side", [tip], {_name(release * 40_000): "side\n" * release})
        for j in range(6):
            changes = {_name((release * 7 + j * 1013) % HUGE if j % 3 else j): f"{release}{j}\n" * (j + 1)}
            tip = commit("main", [tip], changes | {f"mm/other{j}.c": f"{release}\n"})
        tip = commit("main", [tip], {NEWLINE: f"{release}\n" * 3})
        tip = commit("main", [tip, side], {"README": f"r{release}\n"}, f"v{release + 1}")
    subprocess.run(["git", "init", "-q", "--bare", str(path)], check=True)
    subprocess.run(["git", "-C", str(path), "fast-import", "--quiet"], input=b"".join(out), check=True)
    subprocess.run(["git", "-C", str(path), "symbolic-ref", "HEAD", "refs/heads/main"], check=True)
    return path


@pytest.fixture(scope="module")
def huge(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build(tmp_path_factory.mktemp("huge") / "repo.git")


def _git_log(repo: Path, span: str, *options: str) -> str:
    """The oracle: `git log SPAN -- PATHS` with the section's paths on git's standard input, and the path
    with a newline (which a line cannot carry) on its command line."""
    paths = "".join(f"{_name(i)}\n" for i in range(HUGE)) + f":(exclude){EXCLUDED}\n"
    return subprocess.run(
        ["git", "-C", str(repo), "log", *options, "--stdin", "--", NEWLINE],
        input=f"{span}\n--\n{paths}".encode(),
        capture_output=True,
        check=True,
    ).stdout.decode()


def _oracle(repo: Path, span: str) -> tuple[int, int]:
    commits = len(_git_log(repo, span, "--format=%H").split())
    numstat = _git_log(repo, span, "--format=", "--numstat", "-z")
    lines = sum(int(a) + int(d) for a, d, *_ in (e.split("\t") for e in numstat.split("\0") if "\t" in e))
    return commits, lines


@pytest.mark.parametrize("cache", ["--no-cache", "cold", "warm"])
def test_a_huge_section_gives_gits_figures(
    huge: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], cache: str
) -> None:
    refs = tmp_path / "refs"
    refs.write_text("v1\nv2\nv3\nv4\n")
    cached = ["--no-cache"] if cache == "--no-cache" else ["--cache-dir", str(tmp_path.parent / "cache")]
    args = ["table", "commits", "lines", str(huge), "--refs", str(refs), "--subsystem", "HUGE"]
    assert main([*args, "--parent", "MEMORY MANAGEMENT", *cached, "--format", "json", "--quiet"]) == 0
    tables = json.loads(capsys.readouterr().out)["tables"]
    for table, column in zip(tables, (0, 1), strict=True):
        rows = {row["range"]: row["huge"] for row in table["rows"]}
        for span in ("v1..v2", "v2..v3", "v3..v4"):
            assert rows[span] == _oracle(huge, span)[column], (table["kind"], span)


def test_authors_of_a_huge_section(huge: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["authors", str(huge), "--range", "v1..v4", "--subsystem", "HUGE", "--no-cache", "--format", "json"]) == 0
    )
    authors = json.loads(capsys.readouterr().out)
    assert authors["total_commits"] == _oracle(huge, "v1..v4")[0]
    assert authors["sources"][0]["files"] == _selected_files(huge)


def _selected_files(repo: Path) -> int:
    tree = subprocess.run(["git", "-C", str(repo), "ls-tree", "-r", "-z", "--name-only", "v4"], capture_output=True)
    return len([p for p in tree.stdout.decode().split("\0") if p.startswith("mm/huge/") and p != EXCLUDED])


def test_the_files_a_huge_section_selects(huge: Path) -> None:
    specs = [_name(i) for i in range(HUGE)] + [f":(exclude){EXCLUDED}", NEWLINE]
    assert walk.count_files(gitpython.Repo(huge), "v4", specs) == _selected_files(huge)


def test_more_tags_than_name_rev_takes_is_one_error(huge: Path) -> None:
    """git name-rev takes its tags as --refs options only: a tag pattern matching 100,000 tags is refused
    with one line, not the system's traceback."""
    tags = [f"v1.{n}" for n in range(100_000)]
    with pytest.raises(UserError, match="100000 tags of the tag pattern"):
        walk.first_tags(gitpython.Repo(huge), ["HEAD"], tags)


def test_a_path_longer_than_one_argument_is_one_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A path past what one git argument may hold (128 KB on Linux), which an `N:` line selects from the tree
    (an `F:` line that long is refused as MAINTAINERS is read), is refused naming its section."""
    maintainers = "LONG\nS:\tMaintained\nF:\tmm/x.c\nN:\tmm/a{250}/\n"
    long = "mm/" + "/".join(["a" * 250] * 600)
    stream = b"commit refs/heads/main\ncommitter A <a@x> 1700000000 +0000\n" + _data("c")
    stream += b"M 100644 inline MAINTAINERS\n" + _data(maintainers) + b"M 100644 inline mm/x.c\n" + _data("x")
    stream += f"M 100644 inline {long}\n".encode() + _data("y")
    repo = tmp_path / "repo.git"
    subprocess.run(["git", "init", "-q", "--bare", str(repo)], check=True)
    subprocess.run(["git", "-C", str(repo), "fast-import", "--quiet"], input=stream, check=True)
    assert main(["authors", str(repo), "--range", "main", "--subsystem", "LONG", "--no-cache"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "retrospect: error: MAINTAINERS section 'LONG' has 1 paths longer than one git argument may be"
        " (131071 bytes) at main"
    ]
