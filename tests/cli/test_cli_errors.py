"""Bad input: one line on stderr naming the problem, exit status 2, nothing on stdout, no traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from kernelrepo import SJ, Builder, ts

# Subprocesses, servers and waits: left out of the quick run (`pytest -m 'not slow'`).
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def no_maintainers(tmp_path_factory: pytest.TempPathFactory) -> Path:
    b = Builder(tmp_path_factory.mktemp("plain") / "repo")
    b.commit("one", SJ, ts("2023-01-01T00:00:00"), files={"a": "1\n"})
    b.tag("v1.0", ts("2023-01-01T00:00:00"))
    b.commit("two", SJ, ts("2023-02-01T00:00:00"), files={"a": "2\n"})
    b.tag("v1.1", ts("2023-02-01T00:00:00"))
    return b.path


def run(*args: str) -> subprocess.CompletedProcess[str]:
    """The installed console script, as a user runs it."""
    return subprocess.run([sys.executable, "-m", "reporter", *args], capture_output=True, text=True)


def refs_file(tmp_path: Path, text: str) -> str:
    path = tmp_path / "refs"
    path.write_text(text)
    return str(path)


CASES = [
    (lambda k, n, t: ["authors", str(t / "missing")], "no such directory"),
    (lambda k, n, t: ["authors", str(t)], "not a git repository"),
    (lambda k, n, t: ["authors", str(k), "--range", "v1.1..nope"], "unknown ref 'nope'"),
    (lambda k, n, t: ["authors", str(k), "--range=-x..v1.1"], "must not be empty or start with '-'"),
    (lambda k, n, t: ["authors", str(k), "--range", "v1.1.."], "invalid range"),
    (lambda k, n, t: ["authors", str(k), "--since", "yesterday"], "invalid date 'yesterday'"),
    (
        lambda k, n, t: ["authors", str(k), "--subsystem", "DATA ACCESS MONITR"],
        "no MAINTAINERS section titled 'DATA ACCESS MONITR'; closest: 'DATA ACCESS MONITOR'",
    ),
    (lambda k, n, t: ["table", "commits", str(k), "--refs", refs_file(t, "")], "needs at least two refs"),
    (lambda k, n, t: ["table", "commits", str(k), "--refs", refs_file(t, "v1.1 v1.2\n")], "expected one ref per line"),
    (
        lambda k, n, t: ["table", "commits", str(k), "--refs", refs_file(t, "v1.1\n--all\n")],
        "must not be empty or start with '-'",
    ),
    (lambda k, n, t: ["table", "commits", str(k), "--refs", str(t / "nope")], "cannot read refs file"),
    (lambda k, n, t: ["table", "lines", str(n), "--year", "2023"], "is dated before 2023-01-01"),
    (lambda k, n, t: ["table", "lines", str(n), "--refs", refs_file(t, "v1.0\nv1.1\n")], "no MAINTAINERS file at"),
    (
        lambda k, n, t: ["table", "community", str(k), "--year", "2023", "--subsystem", "path:drivers/"],
        "has no M: entries",
    ),
    # A reversed range or window selects nothing: it exited 0 with an empty ranking.
    (
        lambda k, n, t: ["authors", str(k), "--range", "v1.4-rc2..v1.1-rc1"],
        "the range v1.4-rc2..v1.1-rc1 is reversed: v1.1-rc1 is an ancestor of v1.4-rc2, so it holds no commit "
        "(the other way round: v1.1-rc1..v1.4-rc2)",
    ),
    (
        lambda k, n, t: ["credits", str(k), "--since", "2023-12-31", "--until", "20230101"],
        "--since 2023-12-31 is after --until 20230101: no commit is dated between them",
    ),
]


@pytest.mark.parametrize(("make_args", "message"), CASES)
def test_bad_input(kernel_repo: Path, no_maintainers: Path, tmp_path: Path, make_args, message: str) -> None:
    result = run(*make_args(kernel_repo, no_maintainers, tmp_path))
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith("retrospect: error: ") and result.stderr.count("\n") == 1, result.stderr
    assert message in result.stderr


USAGE_CASES = [
    (["table", "bogus", "REPO", "--year", "2023"], "table", "argument KIND: invalid choice: 'bogus'"),
    (["table", "commits", "REPO"], "table", "one of the arguments --refs --year is required"),
    (["authors", "REPO", "--jobs", "0"], "authors", "argument --jobs: expected a positive integer, got '0'"),
    (["report", "--year", "23"], "report", "argument --year: expected a year like 2024, got '23'"),
    (["github", "o/r", "--bogus"], "github", "unrecognized arguments: --bogus"),
    (["bogus"], "", "argument COMMAND: invalid choice: 'bogus'"),
]


@pytest.mark.parametrize(("args", "command", "message"), USAGE_CASES)
def test_usage_error_is_usage_then_one_error_line(args: list[str], command: str, message: str) -> None:
    """As git and argparse print them: the command's usage, then `retrospect COMMAND: error: ...`, exit 2."""
    result = run(*args)
    assert result.returncode == 2
    assert result.stdout == ""
    prog = f"retrospect {command}".strip()
    assert result.stderr.startswith(f"usage: {prog} "), result.stderr
    last = result.stderr.splitlines()[-1]
    assert last == f"{prog}: error: {message}" or (last.startswith(f"{prog}: error: {message}")), result.stderr
    assert "Traceback" not in result.stderr


def test_bare_command_prints_usage_and_the_command_list() -> None:
    result = run()
    assert result.returncode == 2
    assert result.stderr.startswith("usage: retrospect ")
    for command in ("authors", "ranges", "table", "subsystems", "report", "config", "packaging", "github", "action"):
        assert f"\n    {command} " in result.stderr or f"\n    {command}\n" in result.stderr, command
